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
import { rawExample, rawMultiSource } from "../helpers";

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

const estates: [string, () => Estate, string[]][] = [
  ["the embedded example", () => parseConfig(rawExample()), ["dr", "source-analytics", "state"]],
  ["three sources with five clusters", () => parseConfig(rawMultiSource()), ["dr", "source-payments", "source-risk", "source-treasury", "state"]],
];

describe.each(estates)("terraform validate: %s", (name, estate, expectedStacks) => {
  it("passes for every synthesized stack", async () => {
    const outdir = path.join(work, name.replace(/\W+/g, "-"));
    const stacks = synthesize(estate(), outdir);
    expect(stacks).toEqual(expectedStacks);
    const results = await inParallel(stacks, hasMirror() ? 2 : 1, (s) => validateStack(path.join(outdir, "stacks", s), env));
    const report = stacks.map((s, i) => ({ stack: s, ...results[i] }));
    for (const r of report) console.log(`terraform validate ${name} / ${r.stack}: ${r.valid ? "valid" : "INVALID"}${r.errors.length ? "\n  " + r.errors.join("\n  ") : ""}`);
    expect(report.filter((r) => !r.valid)).toEqual([]);
  });
});
