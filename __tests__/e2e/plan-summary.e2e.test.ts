// Emulator tier for plan review (`redshift-backup plan summary`, plan/summary.ts): real plans of a real stack,
// made by terraform against moto, summarized. The e2e estate's `state` stack (the smallest: a key, its alias, the
// state bucket and its settings, the lock table) is planned from nothing (every resource an add), applied, then
// planned again with changed inputs: a new key description (change), a renamed bucket (replace, critical: the
// bucket's settings follow it), the alias removed (destroy, critical) and a second alias (add). The changed
// plan's JSON is what __tests__/fixtures/plan/changed/state/plan.json was made from. In between, the same stack
// as HCL (`npm run synth:hcl`, stacks/hcl-output.ts) must plan no change against what its JSON applied.
//
//   npx jest -c e2e/jest.config.js __tests__/e2e/plan-summary.e2e.test.ts
import * as fs from "fs";
import * as path from "path";
import { App } from "cdktf";
import { parseConfig } from "../../config/load";
import { buildStacks } from "../../stacks";
import { finishSynth } from "../../stacks/hcl-output";
import { review, summarizePlan } from "../../plan/summary";
import { registerPlanCommands } from "../../cli/commands/plan";
import { childEnv, MotoServer, startMoto } from "../../scripts/e2e/moto";
import { e2eWorkDir } from "../../scripts/e2e/paths";
import { localBackendOverride, OVERRIDE_FILE, prepareStackDir, readStackConfig, resourceCount, trimTerraformOutput, TerraformJson } from "../../scripts/e2e/stacks";
import { runTerraform, writeTerraformCliConfig } from "../../scripts/e2e/terraform";
import { cli } from "../cli/helpers";

const CONFIG_FILE = path.join(__dirname, "estate.e2e.json");
const work = path.join(e2eWorkDir(), "plan-summary-e2e");
/** Named `state` because the summary names a stack by its plan's directory. */
const dir = path.join(work, "state");

/** The state stack as HCL, planned against the same state file. */
const hclDir = path.join(work, "hcl-state");

let moto: MotoServer | undefined;
let motoStarting: Promise<MotoServer> | undefined;
let env: Record<string, string>;
let config: TerraformJson;

async function tf(args: string[], cwd = dir): Promise<string> {
  const r = await runTerraform(args, { cwd, env, timeoutMs: 300_000 });
  if (r.code !== 0) throw new Error(`terraform ${args.join(" ")} failed in ${cwd} (exit ${r.code}):\n${trimTerraformOutput(`${r.stdout}\n${r.stderr}`)}`);
  return r.stdout;
}

/** `terraform plan -out=<name>`, then the plan's JSON, also saved as <name>.json. */
async function plan(name: string): Promise<unknown> {
  await tf(["plan", "-input=false", `-out=${name}`]);
  return showPlan(name);
}

/** The JSON of the plan file `name` (`terraform show -json`), also saved as <name>.json. */
async function showPlan(name: string): Promise<unknown> {
  const json = await tf(["show", "-json", name]);
  fs.writeFileSync(path.join(dir, `${name}.json`), json);
  return JSON.parse(json);
}

const single = (type: string): string => {
  const names = Object.keys(config.resource[type] ?? {});
  if (names.length !== 1) throw new Error(`expected one ${type} in the state stack, found ${names.length}`);
  return names[0];
};

beforeAll(async () => {
  fs.rmSync(work, { recursive: true, force: true });
  fs.mkdirSync(work, { recursive: true });
  motoStarting = startMoto(); // boots while the synth below runs (startMoto is safe with a blocked event loop)
  const estate = parseConfig(JSON.parse(fs.readFileSync(CONFIG_FILE, "utf8")), CONFIG_FILE);
  // One synth serves both: the JSON stack is copied first, then the same app is written as HCL (`npm run synth:hcl`).
  const app = new App({ outdir: path.join(work, "synth") });
  buildStacks(app, estate);
  app.synth();
  prepareStackDir(path.join(work, "synth", "stacks", "state"), dir, { override: localBackendOverride(path.join(work, "state.tfstate")) });
  config = readStackConfig(dir);
  finishSynth(app, true);
  fs.mkdirSync(hclDir);
  fs.copyFileSync(path.join(work, "synth", "stacks", "state", "cdk.tf"), path.join(hclDir, "cdk.tf"));
  fs.copyFileSync(path.join(dir, OVERRIDE_FILE), path.join(hclDir, OVERRIDE_FILE)); // the same state file
  moto = await motoStarting;
  env = childEnv({ ...writeTerraformCliConfig().env, ...moto.env() });
  await tf(["init", "-input=false"]);
  await tf(["init", "-input=false"], hclDir);
}, 180_000);

afterAll(async () => {
  await (moto ?? (await motoStarting?.catch(() => undefined)))?.stop();
});

describe("plan summary of real plans of the state stack in moto", () => {
  it("the first plan adds every resource of the stack and nothing else; the binary plan file gives the same summary", async () => {
    await tf(["plan", "-input=false", "-out=initial.tfplan"]);
    // The plan's JSON, and side by side the summary from the binary plan (`plan summary` runs `terraform show -json`
    // in the plan's initialized directory and names the stack after it): each starts the provider for its schema.
    const [json, fromBinary] = await Promise.all([
      showPlan("initial.tfplan"),
      cli(["plan", "summary", path.join(dir, "initial.tfplan"), "--json", "--fail-on-critical"], [registerPlanCommands]),
    ]);
    const summary = summarizePlan("state", "initial.tfplan.json", json);
    expect(summary.counts).toEqual({ add: resourceCount(config), change: 0, replace: 0, destroy: 0, forget: 0 });
    expect(review([summary]).critical).toEqual([]);

    expect({ code: fromBinary.code, stderr: fromBinary.stderr }).toEqual({ code: 0, stderr: "" });
    const doc = JSON.parse(fromBinary.stdout);
    expect(doc.stacks.map((s: { stack: string; counts: unknown }) => [s.stack, s.counts])).toEqual([["state", summary.counts]]);
  });

  it("after apply, the stack synthesized as HCL plans no change: the HCL is the same configuration", async () => {
    await tf(["apply", "-input=false", "initial.tfplan"]);
    // The HCL of the same app (written and initialized in beforeAll), against the state the JSON applied.
    expect(fs.readdirSync(hclDir).filter((f) => /\.tf(\.json)?$/.test(f)).sort()).toEqual(["cdk.tf", OVERRIDE_FILE]);
    const r = await runTerraform(["plan", "-input=false", "-detailed-exitcode"], { cwd: hclDir, env, timeoutMs: 300_000 });
    expect({ code: r.code, output: r.code === 0 ? "" : trimTerraformOutput(`${r.stdout}\n${r.stderr}`) }).toEqual({ code: 0, output: "" });
  });

  it("then changed inputs plan a change, replaces (the bucket: critical), a destroy (the alias: critical) and an add; --fail-on-critical exits 1", async () => {
    const key = single("aws_kms_key");
    const alias = single("aws_kms_alias");
    const bucket = single("aws_s3_bucket");
    const changed = structuredClone(config);
    changed.resource.aws_kms_key[key].description += " (changed)";
    changed.resource.aws_s3_bucket[bucket].bucket += "-renamed";
    changed.resource.aws_kms_alias = { "state-key_second-alias": { name: "alias/e2e-tfstate-second", target_key_id: `\${aws_kms_key.${key}.key_id}` } };
    fs.writeFileSync(path.join(dir, "cdk.tf.json"), JSON.stringify(changed, null, 2));

    const json = await plan("changed.tfplan");
    const summary = summarizePlan("state", "changed.tfplan.json", json);
    // Every resource that names the bucket (its settings) is replaced with it.
    const bucketSettings = Object.entries(changed.resource as TerraformJson)
      .flatMap(([type, byName]) => Object.entries(byName as TerraformJson).map(([name, body]) => ({ address: `${type}.${name}`, body })))
      .filter((r) => JSON.stringify(r.body).includes(`aws_s3_bucket.${bucket}.`))
      .map((r) => r.address);
    expect(bucketSettings.length).toBeGreaterThan(3);
    const byAction = (a: string) => summary.changes.filter((c) => c.action === a).map((c) => c.address).sort();
    expect({ add: byAction("add"), change: byAction("change"), replace: byAction("replace"), destroy: byAction("destroy") }).toEqual({
      add: ["aws_kms_alias.state-key_second-alias"],
      change: [`aws_kms_key.${key}`],
      replace: [`aws_s3_bucket.${bucket}`, ...bucketSettings].sort(),
      destroy: [`aws_kms_alias.${alias}`],
    });
    expect(summary.changes.find((c) => c.action === "change")!.attributes).toEqual(["description"]);
    expect(summary.changes.find((c) => c.address === `aws_s3_bucket.${bucket}`)).toMatchObject({ attributes: ["bucket"], reason: "replace_because_cannot_update" });
    expect(review([summary]).critical.map((c) => `${c.action} ${c.address} ${c.critical!.what} ${c.critical!.name}`)).toEqual([
      `destroy aws_kms_alias.${alias} KMS alias alias/e2e-tfstate`,
      `replace aws_s3_bucket.${bucket} S3 bucket e2e-rsdr-tfstate`,
    ]);

    const gate = await cli(["plan", "summary", path.join(dir, "changed.tfplan.json"), "--fail-on-critical"], [registerPlanCommands]);
    expect(gate.code).toBe(1);
    expect(gate.stdout).toContain(`!!! REPLACE state: aws_s3_bucket.${bucket}: S3 bucket "e2e-rsdr-tfstate"`);
    expect(gate.stderr).toBe("--fail-on-critical: 2 destroy or replace of a critical resource: exit 1");
    console.log(`plan summary of the changed state stack (plan JSON: ${path.join(dir, "changed.tfplan.json")}):\n${gate.stdout}`);
  });
});
