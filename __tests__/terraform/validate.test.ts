// Real-Terraform tier: every synthesized stack goes through `terraform init -backend=false` and
// `terraform validate` with the real hashicorp/aws provider, which checks what the TypeScript
// bindings do not (argument conflicts, enums, required blocks). No Terraform: the tier fails.
import * as fs from "fs";
import * as path from "path";
import { App } from "cdktf";
import { parseConfig } from "../../config/load";
import type { Estate } from "../../config/estate";
import { buildStacks } from "../../stacks";
import { hasMirror, inParallel, requireTerraform, tempDir, terraformEnv, validateStack, writeCliConfig } from "../../scripts/terraform";
import { rawBackupExample, rawExample, rawMultiSource } from "../helpers";

jest.setTimeout(300_000);

function synthesize(estate: Estate, outdir: string): string[] {
  const app = new App({ outdir, skipValidation: false });
  buildStacks(app, estate);
  app.synth();
  return fs.readdirSync(path.join(outdir, "stacks")).sort();
}

const work = tempDir("rsdr-validate-");
let env: NodeJS.ProcessEnv;

beforeAll(() => {
  const version = requireTerraform(); // throws with what to install: this tier never skips
  console.log(`real-Terraform tier: terraform ${version}, provider from ${process.env.TF_PROVIDER_MIRROR ?? "/opt/tf-plugins (if present)"}`);
  env = terraformEnv(writeCliConfig(path.join(work, "cli")));
});

/** The longest names the config allows, a key per cluster, Redshift's service-linked role, a DynamoDB lock table. */
function longestNames(): Estate {
  const raw = rawExample();
  raw.project = "p123456789abcdef";
  raw.state.locking = "dynamodb";
  raw.dr.createRedshiftServiceLinkedRole = true;
  raw.sources[0].name = "s123456789abcdefghij";
  raw.sources[0].dataKeys = "per-cluster";
  raw.sources[0].clusters = [
    { identifier: `c${"1".repeat(62)}`, create: { nodeType: "ra3.large", numberOfNodes: 1, databaseName: "dw" } },
    { identifier: `d${"2".repeat(62)}`, create: { nodeType: "ra3.large", numberOfNodes: 1, databaseName: "dw" } },
  ];
  raw.sources[0].manualSnapshotQuota = 100; // two clusters' snapshots need more than the default 20
  return parseConfig(raw);
}

/** AWS Backup alone (no native sharing), copies from the organization, selection by tag, the Redshift opt-in, a compliance lock. */
function backupAlone(): Estate {
  const raw = rawBackupExample();
  raw.sources[0].native = { enabled: false };
  Object.assign(raw.sources[0].backup, { selectByTag: { key: "backup", value: "rsdr" }, manageRegionOptIn: true, copyRetentionDays: 14 });
  raw.dr.backup = { copyFrom: "organization", lock: { mode: "compliance", changeableForDays: 3, minRetentionDays: 7, maxRetentionDays: 30 } };
  return parseConfig(raw);
}

/**
 * The AWS Backup example (native sharing too, the org stack, a drill) with its source in another region: cross-region
 * snapshot copy, AWS Backup copying across regions. It stands for the AWS Backup example itself, whose stacks differ
 * only by the copy's resources, so that the tier stays lean.
 */
function crossRegion(): Estate {
  const raw = rawBackupExample();
  raw.sources[0].region = "eu-west-1";
  raw.sources[0].crossRegionCopy = {};
  return parseConfig(raw);
}

// [name, estate, stacks, warnings allowed]: S3 lock files (the default) leave Terraform nothing to warn about.
const estates: [string, () => Estate, string[], boolean][] = [
  ["the embedded example", () => parseConfig(rawExample()), ["dr", "source-analytics", "state"], false],
  ["three sources with five clusters", () => parseConfig(rawMultiSource()), ["dr", "source-payments", "source-risk", "source-treasury", "state"], false],
  ["the longest names, a key per cluster, the service-linked role", longestNames, ["dr", "source-s123456789abcdefghij", "state"], true],
  ["AWS Backup alone, from the organization, by tag, compliance lock", backupAlone, ["dr", "org", "source-analytics", "state"], false],
  ["the AWS Backup example with native sharing and the org stack, its source in another region (cross-region copy)", crossRegion, ["dr", "org", "source-analytics", "state"], false],
];

describe.each(estates)("terraform validate: %s", (name, estate, expectedStacks, warningsAllowed) => {
  it("passes for every synthesized stack", async () => {
    const outdir = path.join(work, name.replace(/\W+/g, "-"));
    const stacks = synthesize(estate(), outdir);
    expect(stacks).toEqual(expectedStacks);
    const results = await inParallel(stacks, hasMirror() ? 2 : 1, (s) => validateStack(path.join(outdir, "stacks", s), env));
    const report = stacks.map((s, i) => ({ stack: s, ...results[i] }));
    for (const r of report) console.log(`terraform validate ${name} / ${r.stack}: ${r.valid ? "valid" : "INVALID"}${r.errors.length ? "\n  " + r.errors.join("\n  ") : ""}`);
    expect(report.filter((r) => !r.valid)).toEqual([]);
    if (!warningsAllowed) expect(report.flatMap((r) => r.warnings.map((w) => `${r.stack}: ${w}`))).toEqual([]);
  });
});
