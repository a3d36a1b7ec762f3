// Security scan tier: checkov over every synthesized stack of the example estate, the AWS Backup
// example (backup plan with cross-account copy, locked DR vault, org stack) and the three-source
// fixture. Zero failed checks; every skip is in .checkov.yaml with its reason. One checkov run per
// estate, split by stack (runCheckovPerStack), each started as soon as its estate is synthesized.
import * as fs from "fs";
import * as path from "path";
import { App } from "cdktf";
import { parseConfig } from "../../config/load";
import { buildStacks } from "../../stacks";
import { type CheckovResult, runCheckovPerStack } from "../../scripts/e2e/checkov";
import { e2eWorkDir, repoRoot } from "../../scripts/e2e/paths";
import { rawBackupExample, rawExample, rawMultiSource, RawConfig } from "../helpers";

const CONFIG_FILE = path.join(repoRoot, ".checkov.yaml");

/** The check ids .checkov.yaml skips (checkov leaves them out of its report, so we count them here). */
function skippedChecks(): string[] {
  const ids = fs.readFileSync(CONFIG_FILE, "utf8").match(/^\s+-\s+(CKV2?_[A-Z]+_\d+)\s*$/gm) ?? [];
  return ids.map((line) => line.trim().slice(2));
}

function synthesize(name: string, raw: RawConfig): string {
  const outdir = path.join(e2eWorkDir(), "checkov", name);
  fs.rmSync(outdir, { recursive: true, force: true });
  fs.mkdirSync(outdir, { recursive: true }); // cdktf creates only the last folder of the path
  const app = new App({ outdir });
  buildStacks(app, parseConfig(raw));
  app.synth();
  return path.join(outdir, "stacks");
}

const estates: [string, () => RawConfig][] = [
  ["example", rawExample],
  ["aws-backup", rawBackupExample],
  ["three-sources", rawMultiSource],
];

/**
 * Each estate's scan, started as soon as it is synthesized: one checkov run per estate (runCheckovPerStack) scans while
 * the next estate synthesizes.
 */
const scans: Record<string, Promise<{ stacksDir: string; results: Record<string, CheckovResult> }>> = {};

beforeAll(() => {
  for (const [name, raw] of estates) {
    const stacksDir = synthesize(name, raw());
    scans[name] = runCheckovPerStack(stacksDir, { configFile: CONFIG_FILE }).then((results) => ({ stacksDir, results }));
    scans[name].catch(() => undefined); // reported by the estate's test
  }
}, 120_000);

// Every scan has ended before the file does, also when its test did not run (`jest -t`) or failed early.
afterAll(async () => {
  await Promise.allSettled(Object.values(scans));
}, 300_000);

describe("checkov", () => {
  it("every skip in .checkov.yaml carries a reason", () => {
    const lines = fs.readFileSync(CONFIG_FILE, "utf8").split("\n");
    const skips = skippedChecks();
    expect(skips.length).toBeGreaterThan(0);
    for (const id of skips) {
      const at = lines.findIndex((l) => l.trim() === `- ${id}`);
      expect(lines[at - 1].trim()).toMatch(/^# \S/); // the comment right above names the reason
    }
  });

  it.each(estates)("finds no failed check in any stack of the %s estate", async (name) => {
    const { stacksDir, results: byStack } = await scans[name];
    const stacks = fs.readdirSync(stacksDir).sort();
    expect(Object.keys(byStack).sort()).toEqual(stacks);
    const results = stacks.map((s) => byStack[s]);
    const skipped = skippedChecks();
    stacks.forEach((s, i) => {
      const { passed, failed, parsingErrors } = results[i].summary;
      console.log(`checkov ${name}/${s}: ${passed} passed, ${failed} failed, ${parsingErrors} parsing errors; ${skipped.length} check ids skipped by .checkov.yaml`);
    });
    const failures = results.flatMap((r, i) => r.failed.map((f) => `${stacks[i]}: ${f.id} ${f.name} (${f.resource})`));
    expect(failures).toEqual([]);
    expect(results.every((r) => r.summary.parsingErrors === 0 && r.summary.passed > 0)).toBe(true);
  });
});
