// Real-Terraform tier for `npm run synth:hcl`: main.ts run as the npm script runs it (SYNTH_HCL_OUTPUT=true) writes
// cdk.tf and no cdk.tf.json for every stack of the AWS Backup example, and each passes `terraform init -backend=false` +
// `terraform validate`. First, Terraform itself shows that the renderer's strings mean what the JSON's mean:
// the same outputs written both ways, applied without any provider, give the same values.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { hclString, renderHcl } from "../../stacks/hcl-output";
import { hasMirror, inParallel, requireTerraform, tempDir, terraform, terraformEnv, validateStack, writeCliConfig } from "../../scripts/terraform";

jest.setTimeout(300_000);

const ROOT = path.resolve(__dirname, "../..");
/** The app as cdktf.json runs it (its node flags included), with this test's own node. */
const APP_ARGS = (JSON.parse(fs.readFileSync(path.join(ROOT, "cdktf.json"), "utf8")) as { app: string }).app.split(" ").slice(1);
const work = tempDir("rsdr-hcl-");
let env: NodeJS.ProcessEnv;

beforeAll(() => {
  requireTerraform(); // throws with what to install: this tier never skips
  env = terraformEnv(writeCliConfig(path.join(work, "cli")));
});

// [JSON-syntax string, the value Terraform must give it]
const STRINGS: [string, string][] = [
  ['quote " backslash \\ and \\n as two characters', 'quote " backslash \\ and \\n as two characters'],
  ["newline\ntab\tcarriage return\r", "newline\ntab\tcarriage return\r"],
  ["control \u0001 and unicode é ✓", "control \u0001 and unicode é ✓"],
  ['{"json":"${upper("a\\"b")}"}', '{"json":"A"B"}'],
  ['${jsonencode({"k" = "v}"})}', '{"k":"v}"}'],
  ["literal $${aws:userid} and %%{x}", "literal ${aws:userid} and %{x}"],
  ['%{ if true }yes%{ endif } "q"', 'yes "q"'],
  ["100% $5 ends with \\", "100% $5 ends with \\"],
];

function applyOutputs(dir: string, file: string, text: string): Record<string, string> {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, file), text);
  for (const args of [["init", "-no-color", "-input=false"], ["apply", "-auto-approve", "-no-color", "-input=false"]]) {
    const r = terraform(args, dir, env);
    if (!r.ok) throw new Error(`terraform ${args[0]} failed in ${dir}:\n${r.output}`);
  }
  const out = spawnSync("terraform", [`-chdir=${dir}`, "output", "-json"], { env, encoding: "utf8" });
  return Object.fromEntries(Object.entries(JSON.parse(out.stdout) as Record<string, { value: string }>).map(([k, v]) => [k, v.value]));
}

describe("HCL strings against real Terraform", () => {
  it("every string rendered as HCL has the value Terraform gives the same string in JSON", () => {
    const config = { output: Object.fromEntries(STRINGS.map(([s], i) => [`o${i}`, { value: s }])) };
    const expected = Object.fromEntries(STRINGS.map(([, v], i) => [`o${i}`, v]));
    const fromJson = applyOutputs(path.join(work, "strings-json"), "main.tf.json", JSON.stringify(config));
    const fromHcl = applyOutputs(path.join(work, "strings-hcl"), "main.tf", renderHcl(config, new Map()));
    expect(fromJson).toEqual(expected);
    expect(fromHcl).toEqual(expected);
    expect(STRINGS.map(([s]) => hclString(s)).filter((q) => !q.startsWith('"'))).toEqual([]);
  });
});

// One config: the AWS Backup example has every kind of stack and the most kinds of resources (the JSON of every
// estate is validated in validate.test.ts; this tier is about the HCL rendering).
describe.each([["config/example-aws-backup.json", ["dr", "org", "source-analytics", "state"]]])("npm run synth:hcl with REDSHIFT_BACKUP_CONFIG=%s", (config, expectedStacks) => {
  it("writes cdk.tf (and no cdk.tf.json) for every stack, and each passes terraform validate", async () => {
    const outdir = path.join(work, path.basename(config, ".json"));
    const r = spawnSync(process.execPath, APP_ARGS, {
      cwd: ROOT,
      env: { ...process.env, CDKTF_OUTDIR: outdir, REDSHIFT_BACKUP_CONFIG: config, SYNTH_HCL_OUTPUT: "true" },
      encoding: "utf8",
    });
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: "" });
    const stacks = fs.readdirSync(path.join(outdir, "stacks")).sort();
    expect(stacks).toEqual(expectedStacks);
    const files = stacks.map((s) => [s, fs.readdirSync(path.join(outdir, "stacks", s)).filter((f) => f.startsWith("cdk.tf"))]);
    expect(files).toEqual(stacks.map((s) => [s, ["cdk.tf"]]));

    const results = await inParallel(stacks, hasMirror() ? 2 : 1, (s) => validateStack(path.join(outdir, "stacks", s), env));
    const report = stacks.map((s, i) => ({ stack: s, ...results[i] }));
    for (const x of report) console.log(`terraform validate (HCL) ${config} / ${x.stack}: ${x.valid ? "valid" : "INVALID"}${x.errors.length ? "\n  " + x.errors.join("\n  ") : ""}`);
    expect(report.filter((x) => !x.valid || x.warnings.length > 0)).toEqual([]);
  });
});
