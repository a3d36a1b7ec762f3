// Emulator tier: the foreign app, built only from the package's exported constructs, planned against moto. The app is
// the one the real-Terraform tier validates (scripts/foreign-app.ts: the package built, packed by npm and installed
// into an empty CDK for Terraform app whose code is docs/constructs.md's "A complete app"). Its stacks are run as the
// harness runs the project's stacks: a copy of each (prepareStackDir) with an override file that moves the local
// state under .e2e/ and makes its AWS provider assume a role in the account the stack allows, through moto's STS;
// every AWS call goes to moto through AWS_ENDPOINT_URL. Each stack gets `terraform init`, `terraform plan -out`,
// `terraform show -json`, then `redshift-backup plan summary --fail-on-critical` of both plans, which it prints and
// writes to .e2e/foreign-app-e2e/plan-summary.txt.
//
//   npx jest -c e2e/jest.config.js __tests__/e2e/foreign-app.e2e.test.ts
import * as fs from "fs";
import * as path from "path";
import { registerPlanCommands } from "../../cli/commands/plan";
import { review, summarizePlan, type StackSummary } from "../../plan/summary";
import { childEnv, MotoServer, startMoto } from "../../scripts/e2e/moto";
import { e2eWorkDir } from "../../scripts/e2e/paths";
import { localBackendOverride, mapLimit, prepareStackDir, resourceCount, seconds, trimTerraformOutput, type TerraformJson } from "../../scripts/e2e/stacks";
import { runTerraform, writeTerraformCliConfig } from "../../scripts/e2e/terraform";
import { buildForeignApp, type ForeignApp } from "../../scripts/foreign-app";
import { requireTerraform, tempDir } from "../../scripts/terraform";
import { cli } from "../cli/helpers";

/** The stacks of the docs' complete app, in the order it declares them. */
const STACKS = ["source", "dr"];
const work = path.join(e2eWorkDir(), "foreign-app-e2e");
/** The app lives outside the checkout, as in the real-Terraform tier, so that nothing resolves from this project's node_modules by walking up. */
const appWork = tempDir("rsdr-foreign-e2e-");

let app: ForeignApp;
let moto: MotoServer | undefined;
let motoStarting: Promise<MotoServer> | undefined;
let env: Record<string, string>;

async function tf(args: string[], cwd: string): Promise<string> {
  const r = await runTerraform(args, { cwd, env, timeoutMs: 300_000 });
  if (r.code !== 0) throw new Error(`terraform ${args.join(" ")} failed in ${cwd} (exit ${r.code}):\n${trimTerraformOutput(`${r.stdout}\n${r.stderr}`)}`);
  return r.stdout;
}

/**
 * The override file of a foreign stack in moto: its local state moved under .e2e/, and its provider assuming a deploy
 * role in the one account the stack allows (moto's STS puts everything done with the role's keys in that account), as
 * the project's stacks do through their config's deploy roles.
 */
function emulatorOverride(name: string, config: TerraformJson): TerraformJson {
  const providers = config.provider?.aws as TerraformJson[];
  if (providers?.length !== 1 || providers[0].allowed_account_ids?.length !== 1) throw new Error(`stack ${name}: expected one aws provider allowing one account`);
  const account = providers[0].allowed_account_ids[0] as string;
  return {
    ...localBackendOverride(path.join(work, "state", `${name}.tfstate`)),
    provider: { aws: [{ assume_role: [{ role_arn: `arn:aws:iam::${account}:role/e2e-deploy`, session_name: `foreign-${name}` }] }] },
  };
}

beforeAll(async () => {
  requireTerraform();
  fs.rmSync(work, { recursive: true, force: true });
  fs.mkdirSync(work, { recursive: true });
  motoStarting = startMoto(); // boots while the build below runs (startMoto is safe with a blocked event loop)
  const t0 = Date.now();
  app = buildForeignApp(appWork);
  console.log(`foreign app built, packed, installed, compiled and synthesized in ${seconds(Date.now() - t0)}`);
  moto = await motoStarting;
  env = childEnv({ ...writeTerraformCliConfig().env, ...moto.env() });
}, 300_000);

afterAll(async () => {
  await (moto ?? (await motoStarting?.catch(() => undefined)))?.stop();
  if (!process.env.KEEP_TF_OUTDIR) fs.rmSync(appWork, { recursive: true, force: true });
});

describe("the foreign app, made only of the package's exported constructs, in moto", () => {
  it("plans each stack (planned, not applied): all adds, as many as the synthesized stack has resources, nothing critical; plan summary --fail-on-critical passes", async () => {
    expect(Object.keys(app.stacks).sort()).toEqual([...STACKS].sort());
    const t0 = Date.now();
    const plans = await mapLimit(STACKS, 2, async (name) => {
      const dir = prepareStackDir(path.join(app.stacksDir, name), path.join(work, "plan", name), { override: emulatorOverride(name, app.stacks[name]) });
      await tf(["init", "-input=false"], dir);
      await tf(["plan", "-input=false", "-out=tfplan"], dir);
      const file = path.join(dir, "plan.json");
      fs.writeFileSync(file, await tf(["show", "-json", "tfplan"], dir));
      return file;
    });
    console.log(`both stacks initialized, planned and shown in ${seconds(Date.now() - t0)}`);

    const summaries: StackSummary[] = STACKS.map((name, i) => summarizePlan(name, plans[i], JSON.parse(fs.readFileSync(plans[i], "utf8"))));
    expect(summaries.map((s) => [s.stack, s.counts])).toEqual(
      STACKS.map((name) => [name, { add: resourceCount(app.stacks[name]), change: 0, replace: 0, destroy: 0, forget: 0 }]),
    );
    expect(summaries.flatMap((s) => s.changes.filter((c) => c.action !== "add"))).toEqual([]);
    expect(review(summaries).critical).toEqual([]);

    // The review as the pipeline prints it; the stacks are named after the plans' directories.
    const printed = await cli(["plan", "summary", ...plans.map((p) => path.relative(process.cwd(), p)), "--fail-on-critical"], [registerPlanCommands]);
    expect({ code: printed.code, stderr: printed.stderr }).toEqual({ code: 0, stderr: "" });
    fs.writeFileSync(path.join(work, "plan-summary.txt"), printed.stdout);
    console.log(`plan summary of the foreign app (${path.join(work, "plan-summary.txt")}):\n${printed.stdout}`);
  });
});
