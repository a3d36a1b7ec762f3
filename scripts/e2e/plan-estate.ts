// The plan review recipe of docs/plan-review.md run against the moto emulator, for an estate's first deploy: each
// stack in deploy order (state, org, sources, dr) is planned unmodified (`terraform plan -out=tfplan`, then
// `terraform show -json tfplan > plan.json`), then applied so that the next stack finds its backend and remote
// state. What moto cannot create (MOTO_UNSUPPORTED_RESOURCE_TYPES) is left out of the apply only, from a copy; the
// plans are of the stacks as synthesized. Finally `redshift-backup plan summary` of every plan.json, in deploy order.
//
//   bash scripts/e2e/setup-venv.sh
//   node --require ts-node/register/transpile-only scripts/e2e/plan-estate.ts [config/example.json] > summary.txt
//
// Progress goes to stderr; the summary alone to stdout. Everything is written under .e2e/plan-estate/<config>/.
// The access-log buckets a config names (state.accessLogBucket, dr.drills.accessLogBucket) are the operator's and
// must exist before the apply, open to S3 server access logging: they are created so in moto first.
import { CreateBucketCommand, PutBucketPolicyCommand, S3Client, type BucketLocationConstraint } from "@aws-sdk/client-s3";
import * as fs from "fs";
import * as path from "path";
import { parseConfig } from "../../config/load";
import { DR_STACK, ORG_STACK, STATE_STACK } from "../../stacks/names";
import { run } from "../../cli/main";
import { assumeRole } from "./aws-calls";
import { childEnv, startMoto } from "./moto";
import { e2eWorkDir, repoRoot } from "./paths";
import { excludeResourceTypes, localBackendOverride, MOTO_UNSUPPORTED_RESOURCE_TYPES, prepareStackDir, readStackConfig, synthesizeEstate, trimTerraformOutput } from "./stacks";
import { runTerraform, writeTerraformCliConfig } from "./terraform";

async function main(): Promise<number> {
  const configFile = path.resolve(process.argv[2] ?? path.join(repoRoot, "config/example.json"));
  const estate = parseConfig(JSON.parse(fs.readFileSync(configFile, "utf8")), configFile);
  const work = path.join(e2eWorkDir(), "plan-estate", path.basename(configFile, ".json"));
  fs.rmSync(work, { recursive: true, force: true });
  fs.mkdirSync(work, { recursive: true });
  const log = (line: string) => process.stderr.write(`[plan-estate] ${line}\n`);

  const synth = synthesizeEstate(estate, path.join(work, "synth"));
  const names = Object.keys(synth.stackDirs);
  const order = [STATE_STACK, ...names.filter((n) => n === ORG_STACK), ...names.filter((n) => ![STATE_STACK, ORG_STACK, DR_STACK].includes(n)), DR_STACK];
  const stateOverride = localBackendOverride(path.join(work, "state.tfstate")); // never the project's own state file

  const moto = await startMoto();
  try {
    const env = childEnv({ ...writeTerraformCliConfig().env, ...moto.env() });
    const tf = async (args: string[], cwd: string): Promise<string> => {
      const r = await runTerraform(args, { cwd, env });
      if (r.code !== 0) throw new Error(`terraform ${args.join(" ")} failed in ${cwd} (exit ${r.code}):\n${trimTerraformOutput(`${r.stdout}\n${r.stderr}`)}`);
      return r.stdout;
    };

    const logBuckets = [
      { bucket: estate.state.accessLogBucket, at: estate.state },
      { bucket: estate.dr.drills?.accessLogBucket, at: estate.dr },
    ].filter((b): b is { bucket: string; at: typeof estate.dr } => b.bucket !== undefined);
    for (const { bucket, at } of logBuckets) {
      const s3 = new S3Client({ endpoint: moto.endpoint, region: at.region, forcePathStyle: true, credentials: await assumeRole(moto.endpoint, at.deployRoleArn, at.region, "plan-estate") });
      await s3.send(new CreateBucketCommand({ Bucket: bucket, CreateBucketConfiguration: { LocationConstraint: at.region as BucketLocationConstraint } }));
      // What S3 server access logging needs of a target bucket (and moto checks): the logging service may put objects.
      const statement = { Effect: "Allow", Principal: { Service: "logging.s3.amazonaws.com" }, Action: ["s3:PutObject"], Resource: `arn:aws:s3:::${bucket}/*` };
      await s3.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: JSON.stringify({ Version: "2012-10-17", Statement: [statement] }) }));
      s3.destroy();
      log(`created the access-log bucket ${bucket} in account ${at.accountId}`);
    }

    const plans: string[] = [];
    for (const name of order) {
      const original = readStackConfig(synth.stackDirs[name]);
      const override = original.terraform?.backend?.local ? stateOverride : undefined;
      const planDir = prepareStackDir(synth.stackDirs[name], path.join(work, "plan", name), { override });
      await tf(["init", "-input=false"], planDir);
      await tf(["plan", "-input=false", "-out=tfplan"], planDir);
      fs.writeFileSync(path.join(planDir, "plan.json"), await tf(["show", "-json", "tfplan"], planDir));
      plans.push(path.relative(process.cwd(), path.join(planDir, "plan.json")));
      log(`${name}: planned (${path.join(planDir, "tfplan")})`);

      const { config, removed } = excludeResourceTypes(original, Object.keys(MOTO_UNSUPPORTED_RESOURCE_TYPES));
      const applyDir = prepareStackDir(synth.stackDirs[name], path.join(work, "apply", name), { config, override });
      await tf(["init", "-input=false"], applyDir);
      await tf(["apply", "-auto-approve", "-input=false"], applyDir);
      log(`${name}: applied in moto${removed.length ? `, without ${removed.join(", ")} (moto cannot create them)` : ""}`);
    }
    return await run(["plan", "summary", ...plans]);
  } finally {
    await moto.stop();
  }
}

main().then(
  (code) => (process.exitCode = code),
  (e: unknown) => {
    process.stderr.write(`[plan-estate] failed: ${(e as Error).stack ?? String(e)}\n`);
    process.exitCode = 1;
  },
);
