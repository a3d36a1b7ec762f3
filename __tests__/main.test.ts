// Runs main.ts as `npm run synth` does, in a child process with its own output folder, to show
// what a pipeline sees: a bad config exits non-zero with its message and writes no stack.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { rawExample, RawConfig } from "./helpers";

const ROOT = path.resolve(__dirname, "..");
// The app exactly as cdktf.json runs it, with this test's own node in place of `node` (so the Node 22 pass
// runs it on 22). cdktf 0.21 calls util.isArray, deprecated at run time from Node 22: the command hides that
// one warning (DEP0044) and nothing else, so a pipeline's stderr stays clean.
const [APP_NODE, ...APP_ARGS] = (JSON.parse(fs.readFileSync(path.join(ROOT, "cdktf.json"), "utf8")) as { app: string }).app.split(" ");

/** Runs main.ts with `config` written to a file, or with none (the embedded example) when undefined. */
function runMain(config?: RawConfig) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rsdr-main-"));
  const outdir = path.join(dir, "cdktf.out");
  const env: NodeJS.ProcessEnv = { ...process.env, CDKTF_OUTDIR: outdir };
  delete env.REDSHIFT_BACKUP_CONFIG;
  if (config !== undefined) {
    env.REDSHIFT_BACKUP_CONFIG = path.join(dir, "estate.json");
    fs.writeFileSync(env.REDSHIFT_BACKUP_CONFIG, JSON.stringify(config));
  }
  const r = spawnSync(process.execPath, APP_ARGS, { cwd: ROOT, env, encoding: "utf8" });
  const stacksDir = path.join(outdir, "stacks");
  const stacks = fs.existsSync(stacksDir) ? fs.readdirSync(stacksDir).sort() : [];
  return { status: r.status, stderr: r.stderr, stacks };
}

const bad: [string, (c: RawConfig) => void, string][] = [
  ["malformed account id", (c) => (c.sources[0].accountId = "2222"), 'sources[0].accountId: "2222" is not a valid AWS account id'],
  ["DR account equal to a source", (c) => {
    c.dr.accountId = "222222222222";
    c.dr.deployRoleArn = "arn:aws:iam::222222222222:role/terraform-deploy";
  }, "is also the DR account"],
  ["duplicate source names", (c) => c.sources.push({ ...structuredClone(c.sources[0]), accountId: "333333333333", deployRoleArn: "arn:aws:iam::333333333333:role/x", network: { create: { cidr: "10.11.0.0/16" } }, clusters: [{ identifier: "x", existing: true, kmsKeyArn: "arn:aws:kms:eu-west-2:333333333333:key/1234abcd-12ab-34cd-56ef-1234567890ab" }] }), 'sources[1].name: "analytics" is already the name of sources[0]'],
  ["duplicate cluster identifiers", (c) => c.sources[0].clusters.push(structuredClone(c.sources[0].clusters[0])), 'sources[0].clusters[1].identifier: "analytics-prod" is already used'],
  ["invalid cluster identifier", (c) => (c.sources[0].clusters[0].identifier = "Prod_DB"), 'sources[0].clusters[0].identifier: "Prod_DB" is not a valid cluster identifier'],
  ["unknown node type", (c) => (c.sources[0].clusters[0].create.nodeType = "dc1.large"), '"dc1.large" is not a supported node type'],
  ["overlapping CIDRs", (c) => (c.sources[0].network.create.cidr = "10.100.0.0/16"), 'sources[0].network.create.cidr: "10.100.0.0/16" overlaps the DR network'],
  ["retention not longer than the schedule period", (c) => Object.assign(c.sources[0].native, { schedule: "rate(2 days)", retentionDays: 1 }), "sources[0].native.retentionDays: 1 is not longer than the schedule period"],
  ["invalid schedule expression", (c) => (c.sources[0].native.schedule = "cron(0 2 * *)"), 'sources[0].native.schedule: "cron(0 2 * *)" is not a valid cron expression'],
  ["unknown key", (c) => (c.sources[0].clusters[0].create.nodetype = "ra3.large"), "sources[0].clusters[0].create.nodetype: \"ra3.large\" is not a known key"],
  // Each of these used to pass validation and then crash synth with a stack trace, or fail at apply.
  ["16-character project and 24-character source", (c) => {
    c.project = "abcdefghijklmnop";
    c.sources[0].name = "abcdefghijklmnopqrstuvwx";
  }, 'sources[0].name: "abcdefghijklmnopqrstuvwx" gives the IAM role name'],
  ["weekly cron", (c) => Object.assign(c.sources[0].native, { schedule: "cron(0 3 ? * SUN *)", retentionDays: 14 }), "native sharing allows at most 144"],
  ["source name ending with a hyphen", (c) => (c.sources[0].name = "analytics-"), 'sources[0].name: "analytics-" is not a valid source name'],
];

describe("main.ts (npm run synth)", () => {
  it("synthesizes state, one stack per source and dr for the embedded example", () => {
    const r = runMain(undefined);
    expect(APP_NODE).toBe("node");
    expect(r.stderr).toBe(""); // no warning either: pipelines treat stderr as something to read
    expect(r.status).toBe(0);
    expect(r.stacks).toEqual(["dr", "source-analytics", "state"]);
  });

  it.each(bad)("refuses a config with a %s: exit 1, the message, no stack written", (_name, change, message) => {
    const config = rawExample();
    change(config);
    const r = runMain(config);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("is not a valid estate config");
    expect(r.stderr).toContain(message);
    expect(r.stderr).not.toMatch(/^\s+at /m); // a message, not a stack trace
    expect(r.stacks).toEqual([]);
  });

  it("names a config file that does not exist", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rsdr-main-"));
    const r = spawnSync(process.execPath, APP_ARGS, {
      cwd: ROOT, encoding: "utf8", env: { ...process.env, CDKTF_OUTDIR: path.join(dir, "out"), REDSHIFT_BACKUP_CONFIG: path.join(dir, "nope.json") },
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("nope.json is not a valid estate config");
    expect(r.stderr).toContain("cannot read the file");
  });
});
