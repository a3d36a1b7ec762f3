// Emulator tier for cross-region snapshot copy (sources[].crossRegionCopy): one source in us-west-2 whose DR account
// is in us-east-1. The real synthesized `state` and `source-west` stacks are applied to moto with the production
// settings (S3 remote state with an S3 lock file in the state account; each provider, also the source's second one
// for the DR region, assumes its own account's deploy role), then read back through the SDK: in the DR region the
// copy key, its alias and the snapshot copy grant naming it; in the source region the cluster's
// ClusterSnapshotCopyStatus. Then the bundled snapshot manager runs against what was applied (its applied environment
// with COPY_REGION, its own role, the payloads of both applied schedules: the copy-share one, then the snapshot one),
// and moto's request recorder shows which region each Redshift call went to. A second
// plan must have no changes; then destroy. The DR stack is synthesized but not applied (stacks.e2e.test.ts applies
// one; this estate adds nothing to it that moto could show).
//
// These tests have their own moto server and work folder, but no jest file of their own: stacks.e2e.test.ts registers
// them (crossRegion.register(), scripts/e2e/background.ts), and they run in the background while its stacks apply,
// plan and destroy. Both are mostly the AWS provider's fixed waits (SQS attributes, KMS keys, the state bucket's
// lifecycle rule), and jest runs one e2e file at a time: run apart, they took 3 minutes more. Their results are
// reported as that file's last tests:
//
//   npx jest -c e2e/jest.config.js __tests__/e2e/stacks.e2e.test.ts
//
// What moto 5.2.5 cannot do here: copy a snapshot to another region (EnableSnapshotCopy only records the setting; no
// snapshot ever appears in the destination, and its snapshots have no SourceRegion, so nothing can honestly be seeded
// as a copy either), and share one (AuthorizeSnapshotAccess: 501). Sharing the copies in the DR region is proven by the
// in-memory tier: __tests__/functions/cross-region-copies.test.ts and cross-region-scenario.test.ts.
// The tests run in declaration order, one after another, and build on each other.
import { DescribeClustersCommand, DescribeClusterSnapshotsCommand, DescribeSnapshotCopyGrantsCommand, RedshiftClient } from "@aws-sdk/client-redshift";
import { DescribeKeyCommand, KMSClient, ListAliasesCommand, ListKeysCommand } from "@aws-sdk/client-kms";
import * as fs from "fs";
import * as http from "http";
import * as path from "path";
import { isDeepStrictEqual } from "util";
import { parseConfig } from "../../config/load";
import { SCHEDULE_PAYLOAD, SHARE_PAYLOAD } from "../../contract";
import { sourceStackName, STATE_STACK } from "../../stacks/names";
import { assumeRole } from "../../scripts/e2e/aws-calls";
import { findSynthesizedFunctions, functionEnv, invokeBundle, type Credentials, type InvokeResult, type SynthesizedFunction } from "../../scripts/e2e/functions";
import { childEnv, type MotoServer, startMoto, watchMoto } from "../../scripts/e2e/moto";
import { e2eWorkDir } from "../../scripts/e2e/paths";
import {
  backendTargets,
  excludeResourceTypes,
  localBackendOverride,
  MOTO_UNSUPPORTED_RESOURCE_TYPES,
  plannedChanges,
  prepareStackDir,
  readStackConfig,
  seconds,
  stateResources,
  type StateResource,
  synthesizeEstate,
  type SynthesizedEstate,
  expectedAddresses,
  fileFingerprint,
  type TerraformJson,
  trimTerraformOutput,
} from "../../scripts/e2e/stacks";
import { runTerraform, type TerraformResult, writeTerraformCliConfig } from "../../scripts/e2e/terraform";
import { BackgroundSuite } from "../../scripts/e2e/background";

/** Registered by stacks.e2e.test.ts, which runs these tests alongside its own (see above). */
export const crossRegion = new BackgroundSuite();
const suite = crossRegion;

/** One source in another region than DR, native sharing with cross-region copy, one created cluster. */
const RAW = {
  project: "e2exr",
  tags: { purpose: "emulator-test" },
  state: {
    accountId: "111111111111",
    region: "us-east-1",
    deployRoleArn: "arn:aws:iam::111111111111:role/e2e-deploy",
    bucket: "e2exr-rsdr-tfstate",
    locking: "s3-lockfile",
    keyPrefix: "e2exr",
    preventDestroy: false,
  },
  dr: {
    accountId: "999999999999",
    region: "us-east-1",
    deployRoleArn: "arn:aws:iam::999999999999:role/e2e-deploy",
    network: { create: { cidr: "10.100.0.0/16", availabilityZones: 2 } },
    operatorPrincipals: ["arn:aws:iam::999999999999:role/e2e-restore-operators"],
  },
  sources: [
    {
      name: "west",
      accountId: "222222222222",
      region: "us-west-2",
      deployRoleArn: "arn:aws:iam::222222222222:role/e2e-deploy",
      network: { create: { cidr: "10.10.0.0/16", availabilityZones: 2 } },
      clusters: [{ identifier: "e2exr-west-main", create: { nodeType: "ra3.xlplus", numberOfNodes: 2, databaseName: "west", preventDestroy: false } }],
      native: { enabled: true },
      // Not the defaults (7, and native.retentionDays 7), so that the applied values are the configured ones.
      crossRegionCopy: { retentionDays: 3, manualRetentionDays: 5 },
    },
  ],
};

const estate = parseConfig(RAW, "cross-region e2e estate");
const source = estate.sources[0];
const copyConfig = source.crossRegionCopy!;
const SOURCE_REGION = source.region;
const DR_REGION = estate.dr.region;
const CLUSTER = source.clusters[0].identifier;
const SOURCE_STACK = sourceStackName(source);
/** The names CrossRegionSnapshotCopy gives: grant `<prefix>-copies`, key alias `alias/<prefix>-copies`. */
const COPY_NAME = `${estate.project}-${source.name}-copies`;
const TERRAFORM_TIMEOUT_MS = 300_000;

const work = path.join(e2eWorkDir(), "cross-region-e2e");
const dirs = { synth: path.join(work, "synth"), emulator: path.join(work, "emulator"), localState: path.join(work, "local-state"), logs: path.join(work, "logs") };
const RECORDING = path.join(work, "moto-recording.jsonl");

interface StackRun {
  readonly name: string;
  readonly dir: string;
  readonly removed: string[];
  readonly config: TerraformJson;
}

let synth: SynthesizedEstate;
let runs: Record<string, StackRun>;
let moto: MotoServer | undefined;
let motoStarting: Promise<MotoServer> | undefined;
let env: Record<string, string>;
let projectStateFile: string;
let projectStateBefore: string;
/** The first failed step: later steps that need it fail at once, naming it. */
let failedStep: string | undefined;
const emulatorGone = new AbortController();
let watchdog: NodeJS.Timeout | undefined;
const timings: { step: string; ms: number }[] = [];
let started = Date.now();

async function step<T>(name: string, fn: () => Promise<T>): Promise<T> {
  if (failedStep) throw new Error(`not run: the earlier step "${failedStep}" failed`);
  const t0 = Date.now();
  try {
    return await fn();
  } catch (e) {
    failedStep ??= name;
    throw e;
  } finally {
    timings.push({ step: name, ms: Date.now() - t0 });
  }
}

/** A check that reads only: it needs the applies, but its own failure does not stop the plans and the destroy. */
function needsApply(): void {
  if (failedStep) throw new Error(`not run: the earlier step "${failedStep}" failed`);
}

async function tf(run: StackRun, args: string[], okCodes: number[] = [0]): Promise<TerraformResult> {
  const r = await runTerraform(args, { cwd: run.dir, env, timeoutMs: TERRAFORM_TIMEOUT_MS, signal: emulatorGone.signal });
  const log = path.join(dirs.logs, `${run.name}.log`);
  fs.appendFileSync(log, `\n=== terraform ${args.join(" ")}: exit ${r.code}, ${seconds(r.durationMs)}\n${r.stdout}\n${r.stderr}`);
  if (!okCodes.includes(r.code)) {
    throw new Error(
      (emulatorGone.signal.aborted ? `${(emulatorGone.signal.reason as Error).message}: ` : "") +
        `terraform ${args.join(" ")} failed for ${run.name} with exit code ${r.code} (full output: ${log}):\n${trimTerraformOutput(`${r.stdout}\n${r.stderr}`)}`,
    );
  }
  return r;
}

const showJson = async (run: StackRun, args: string[] = []): Promise<TerraformJson> => JSON.parse((await tf(run, ["show", "-json", ...args])).stdout);

async function outputsOf(run: StackRun): Promise<Record<string, any>> {
  const json = JSON.parse((await tf(run, ["output", "-json"])).stdout) as Record<string, { value: unknown }>;
  return Object.fromEntries(Object.entries(json).map(([k, v]) => [k, v.value]));
}

/** The stack's state (`terraform state pull`: no provider to start, unlike `show -json`). */
const statePull = async (run: StackRun): Promise<TerraformJson> => JSON.parse((await tf(run, ["state", "pull"])).stdout);

/** Managed resources of a raw state (`statePull`), with their values. */
function managedResources(state: TerraformJson): StateResource[] {
  return stateResources(state).filter((r) => r.mode === "managed");
}


const credentials = new Map<string, Promise<Credentials>>();
function credentialsOf(roleArn: string): Promise<Credentials> {
  if (!credentials.has(roleArn)) credentials.set(roleArn, assumeRole(moto!.endpoint, roleArn, DR_REGION, "e2e-cross-region"));
  return credentials.get(roleArn)!;
}

/** A client of the source account in `region`, pointed at moto (one attempt: moto answers at once). */
async function sourceClient<T extends { destroy(): void }>(ctor: new (cfg: object) => T, region: string): Promise<T> {
  return new ctor({ endpoint: moto!.endpoint, region, credentials: await credentialsOf(source.deployRoleArn), maxAttempts: 1 });
}

async function withClient<T extends { destroy(): void }, R>(ctor: new (cfg: object) => T, region: string, fn: (c: T) => Promise<R>): Promise<R> {
  const c = await sourceClient(ctor, region);
  try {
    return await fn(c);
  } finally {
    c.destroy();
  }
}

/** One request to moto's own API (the request recorder). */
function motoApi(method: "GET" | "POST", route: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${moto!.endpoint}/moto-api/recorder/${route}`, { method, agent: false, timeout: 15_000 }, (res) => {
      let body = "";
      res.on("data", (c: Buffer) => (body += c.toString()));
      res.on("end", () => (res.statusCode === 200 ? resolve(body) : reject(new Error(`moto-api ${route}: HTTP ${res.statusCode}: ${body.slice(0, 300)}`))));
    });
    req.on("timeout", () => req.destroy(new Error(`moto-api ${route} timed out`)));
    req.on("error", reject);
    req.end();
  });
}

/** The Redshift calls moto recorded, as "<region> <Action>": the region is the SigV4 scope moto picks its backend by. */
function redshiftCalls(recording: string): string[] {
  const calls: string[] = [];
  for (const line of recording.split("\n")) {
    if (!line.trim()) continue;
    const entry = JSON.parse(line) as { headers: Record<string, string>; body?: string; body_encoded?: boolean };
    const auth = Object.entries(entry.headers).find(([k]) => k.toLowerCase() === "authorization")?.[1] ?? "";
    const scope = /Credential=[^/]+\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request/.exec(auth);
    if (!scope || scope[2] !== "redshift") continue;
    const body = entry.body_encoded ? Buffer.from(entry.body ?? "", "base64").toString("utf8") : (entry.body ?? "");
    calls.push(`${scope[1]} ${new URLSearchParams(body).get("Action")}`);
  }
  return calls;
}

suite.beforeAll(async () => {
  started = Date.now();
  fs.rmSync(work, { recursive: true, force: true });
  for (const d of [dirs.localState, dirs.logs]) fs.mkdirSync(d, { recursive: true });
  const t0 = Date.now();
  // The recorder's file must not default to moto's working directory (the repository root). moto boots while the
  // synth below runs (startMoto is safe with a blocked event loop).
  motoStarting = startMoto({ env: { MOTO_RECORDER_FILEPATH: RECORDING } });
  synth = synthesizeEstate(estate, dirs.synth);
  timings.push({ step: "synth", ms: Date.now() - t0 });
  projectStateFile = readStackConfig(synth.stackDirs[STATE_STACK]).terraform.backend.local.path;
  projectStateBefore = fileFingerprint(projectStateFile);
  runs = {};
  for (const name of [STATE_STACK, SOURCE_STACK]) {
    const original = readStackConfig(synth.stackDirs[name]);
    const { config, removed } = excludeResourceTypes(original, Object.keys(MOTO_UNSUPPORTED_RESOURCE_TYPES));
    const override = original.terraform?.backend?.local ? localBackendOverride(path.join(dirs.localState, `${name}.tfstate`)) : undefined;
    runs[name] = { name, dir: prepareStackDir(synth.stackDirs[name], path.join(dirs.emulator, name), { config, override }), removed, config };
  }
  moto = await motoStarting;
  timings.push({ step: "moto start (during the synth)", ms: Date.now() - t0 });
  env = childEnv({ ...writeTerraformCliConfig().env, ...moto.env() });
  watchdog = watchMoto(moto, emulatorGone);
  console.log(`moto ${moto.endpoint} (pid ${moto.pid}); request log ${moto.logFile}; terraform output under ${dirs.logs}`);
}, 120_000);

suite.afterAll(async () => {
  clearInterval(watchdog);
  // A terraform command still running now belongs to a test that failed or timed out: killed before moto stops.
  emulatorGone.abort(new Error("the cross-region tests ended"));
  await (moto ?? (await motoStarting?.catch(() => undefined)))?.stop();
  const lines = timings.map((t) => `  ${t.step.padEnd(52)} ${seconds(t.ms)}`);
  lines.push(`  ${"total".padEnd(52)} ${seconds(Date.now() - started)}`);
  if (failedStep) lines.push(`FAILED at step: ${failedStep}`);
  console.log(`cross-region e2e timings\n${lines.join("\n")}`);
}, 60_000);

suite.describe(`a source in ${SOURCE_REGION} copying into the DR region ${DR_REGION}, in the emulator (moto)`, () => {
  suite.it("synthesizes the source stack with a provider for the DR region, the copy key, alias and grant there, one snapshot copy, COPY_REGION; only the event subscription is left out for moto", () => {
    expect([SOURCE_REGION, DR_REGION]).toEqual(["us-west-2", "us-east-1"]);
    const stack = runs[SOURCE_STACK].config;
    const alias = `aws_${DR_REGION.replace(/-/g, "_")}`;
    expect((stack.provider.aws as TerraformJson[]).map((p) => [p.alias ?? null, p.region, p.assume_role?.[0]?.role_arn ?? p.assume_role?.role_arn])).toEqual([
      [null, SOURCE_REGION, source.deployRoleArn],
      [alias, DR_REGION, source.deployRoleArn],
    ]);
    const inDr = (type: string) => Object.values((stack.resource[type] ?? {}) as Record<string, TerraformJson>).filter((r) => r.provider === `aws.${alias}`);
    expect(inDr("aws_kms_key")).toHaveLength(1);
    expect(inDr("aws_kms_alias").map((a) => a.name)).toEqual([`alias/${COPY_NAME}`]);
    expect(inDr("aws_redshift_snapshot_copy_grant").map((g) => g.snapshot_copy_grant_name)).toEqual([COPY_NAME]);
    expect(Object.values(stack.resource.aws_redshift_snapshot_copy as Record<string, TerraformJson>).map((c) => [c.cluster_identifier, c.destination_region, c.provider ?? null])).toEqual([
      [CLUSTER, DR_REGION, null],
    ]);
    const manager = Object.values(stack.resource.aws_lambda_function as Record<string, TerraformJson>).find((f) => String(f.function_name).endsWith("-snapshot-manager"))!;
    expect(manager.environment.variables.COPY_REGION).toBe(DR_REGION);
    expect(Object.keys(stack.output)).toEqual(expect.arrayContaining(["copy_kms_key_arn", "snapshot_copy_grant_name"]));
    // What moto cannot create, left out of the copy that is applied (covered by synth assertions and `terraform validate`).
    expect(runs[SOURCE_STACK].removed.map((a) => a.split(".")[0])).toEqual(["aws_redshift_event_subscription"]);
    expect(runs[STATE_STACK].removed).toEqual([]);
  });

  suite.it(
    "applies state, then the source stack, with S3 remote state (lock file) in moto and each account's deploy role, in both regions " +
      "(state in two parts: first what the source's backend needs, then the whole stack, whose lifecycle rule is a 55 s provider wait, alongside the source)",
    async () => {
      const apply = async (run: StackRun): Promise<void> => {
        await tf(run, ["apply", "-auto-approve", "-input=false"]);
        expect(managedResources(await statePull(run)).map((r) => r.address).sort()).toEqual(expectedAddresses(run.config));
      };
      const state = runs[STATE_STACK];
      const targets = backendTargets(state.config);
      expect(targets.length).toBeGreaterThan(0); // the state stack has a lifecycle rule to defer
      await step(`init + apply ${STATE_STACK}: what the backend needs`, async () => {
        await tf(state, ["init", "-input=false"]);
        await tf(state, ["apply", "-auto-approve", "-input=false", ...targets]);
      });
      // The whole state stack (only the lifecycle rule is left to create) while the source, which needs only the bucket
      // and its settings, inits and applies.
      const results = await Promise.allSettled([
        step(`apply ${STATE_STACK}: the whole stack`, () => apply(state)),
        step(`init + apply ${SOURCE_STACK}`, async () => {
          await tf(runs[SOURCE_STACK], ["init", "-input=false"]);
          await apply(runs[SOURCE_STACK]);
        }),
      ]);
      for (const r of results) if (r.status === "rejected") throw r.reason;
      // What the DR-region provider made, by the region in the ARNs terraform recorded: exactly the key, its alias
      // and the grant; every other regional resource is in the source region.
      const regionOf = (arn: unknown) => (typeof arn === "string" ? arn.split(":")[3] : undefined);
      const regional = managedResources(await statePull(runs[SOURCE_STACK])).filter((r) => regionOf(r.values.arn));
      expect(regional.filter((r) => regionOf(r.values.arn) === DR_REGION).map((r) => r.type).sort()).toEqual(["aws_kms_alias", "aws_kms_key", "aws_redshift_snapshot_copy_grant"]);
      expect([...new Set(regional.map((r) => regionOf(r.values.arn)))].sort()).toEqual([DR_REGION, SOURCE_REGION].sort());
    },
  );

  suite.it(
    `moto holds the copy setup (Redshift and KMS APIs): in ${DR_REGION} the grant naming the copy key, the key and its alias (and neither in ${SOURCE_REGION}); ` +
      `DescribeClusters in ${SOURCE_REGION} shows ClusterSnapshotCopyStatus with the DR region, both retention periods and the grant ` +
      "(ManualSnapshotRetentionPeriod only through the launcher patch redshift_snapshot_copy_manual_retention: moto drops it)",
    async () => {
      needsApply();
      const out = await outputsOf(runs[SOURCE_STACK]);
      expect(out.snapshot_copy_grant_name).toBe(COPY_NAME);
      const keyArn = String(out.copy_kms_key_arn);
      expect(keyArn).toMatch(new RegExp(`^arn:aws:kms:${DR_REGION}:${source.accountId}:key/`));
      const keyId = keyArn.split("/").pop()!;

      const grants = await withClient(RedshiftClient, DR_REGION, (rs) => rs.send(new DescribeSnapshotCopyGrantsCommand({})));
      expect((grants.SnapshotCopyGrants ?? []).map((g) => [g.SnapshotCopyGrantName, g.KmsKeyId])).toEqual([[COPY_NAME, keyArn]]);
      // The second provider has the stack's default tags too (moto keeps them only with the launcher patch redshift_snapshot_copy_grant_tags).
      expect(Object.fromEntries((grants.SnapshotCopyGrants![0].Tags ?? []).map((t) => [t.Key, t.Value]))).toMatchObject({ ...estate.tags, "rsdr:stack": SOURCE_STACK });
      const grantsAtSource = await withClient(RedshiftClient, SOURCE_REGION, (rs) => rs.send(new DescribeSnapshotCopyGrantsCommand({})));
      expect(grantsAtSource.SnapshotCopyGrants ?? []).toEqual([]);

      const { key, aliases } = await withClient(KMSClient, DR_REGION, async (kms) => ({
        key: (await kms.send(new DescribeKeyCommand({ KeyId: keyArn }))).KeyMetadata!,
        aliases: (await kms.send(new ListAliasesCommand({ KeyId: keyId }))).Aliases ?? [],
      }));
      expect({ arn: key.Arn, state: key.KeyState, manager: key.KeyManager, usage: key.KeyUsage }).toEqual({
        arn: keyArn,
        state: "Enabled",
        manager: "CUSTOMER",
        usage: "ENCRYPT_DECRYPT",
      });
      expect(aliases.map((a) => a.AliasName)).toEqual([`alias/${COPY_NAME}`]);
      const atSource = await withClient(KMSClient, SOURCE_REGION, async (kms) => ({
        keys: ((await kms.send(new ListKeysCommand({}))).Keys ?? []).map((k) => k.KeyId),
        aliases: ((await kms.send(new ListAliasesCommand({}))).Aliases ?? []).map((a) => a.AliasName),
      }));
      expect(atSource.keys).not.toContain(keyId);
      expect(atSource.aliases).not.toContain(`alias/${COPY_NAME}`);

      const clusters = await withClient(RedshiftClient, SOURCE_REGION, (rs) => rs.send(new DescribeClustersCommand({ ClusterIdentifier: CLUSTER })));
      const cluster = clusters.Clusters![0];
      expect(cluster.Encrypted).toBe(true); // so moto's EnableSnapshotCopy required the grant name
      expect(moto!.patches).toContain("redshift_snapshot_copy_manual_retention");
      expect(cluster.ClusterSnapshotCopyStatus).toEqual({
        DestinationRegion: DR_REGION,
        RetentionPeriod: copyConfig.retentionDays,
        ManualSnapshotRetentionPeriod: copyConfig.manualRetentionDays,
        SnapshotCopyGrantName: COPY_NAME,
      });
      // And the provider read them back into the state.
      const copy = managedResources(await statePull(runs[SOURCE_STACK])).find((r) => r.type === "aws_redshift_snapshot_copy")!;
      expect(copy.values).toMatchObject({
        cluster_identifier: CLUSTER,
        destination_region: DR_REGION,
        retention_period: copyConfig.retentionDays,
        manual_snapshot_retention_period: copyConfig.manualRetentionDays,
        snapshot_copy_grant_name: COPY_NAME,
      });
      // No cluster of the source account in the DR region: the copy is configured on the cluster, in its own region.
      const drClusters = await withClient(RedshiftClient, DR_REGION, (rs) => rs.send(new DescribeClustersCommand({})));
      expect(drClusters.Clusters ?? []).toEqual([]);
    },
  );

  suite.describe("the bundled snapshot manager with COPY_REGION, against the applied stack", () => {
    let manager: SynthesizedFunction;
    let managerEnv: Record<string, string>;
    /** The payloads the applied schedules send to the manager: the snapshot schedule's and the copy-share schedule's. */
    let payloads: { schedule: unknown; share: unknown };

    async function invoke(event: unknown): Promise<InvokeResult> {
      const r = await invokeBundle(manager, { env: managerEnv, event });
      expect(r.blockedConnections).toEqual([]); // nothing tried to leave 127.0.0.1
      return r;
    }

    function clusterLine(r: InvokeResult): TerraformJson {
      const lines = r.logs.filter((l) => l.event === "cluster-reconciled");
      expect(lines).toHaveLength(1);
      return lines[0];
    }

    const listSnapshots = (region: string) =>
      withClient(RedshiftClient, region, async (rs) => ((await rs.send(new DescribeClusterSnapshotsCommand({ ClusterIdentifier: CLUSTER }))).Snapshots ?? []));

    /** Runs `fn` with moto's request recorder on; the Redshift calls it recorded. */
    async function recordedCalls(fn: () => Promise<void>): Promise<string[]> {
      await motoApi("POST", "reset-recording");
      await motoApi("POST", "start-recording");
      try {
        await fn();
      } finally {
        await motoApi("POST", "stop-recording");
      }
      return redshiftCalls(await motoApi("GET", "download-recording"));
    }

    /** The copies part of a run's result: in the DR region, nothing listed as a copy, so nothing shared or unshared. */
    const noCopies = { region: DR_REGION, shared: [], unshared: [], newestSharedCopyId: null, newestSharedCopyAgeHours: null, notes: [] };

    suite.beforeAll(async () => {
      if (failedStep) return;
      const state = await statePull(runs[SOURCE_STACK]);
      const applied = managedResources(state).find((r) => r.type === "aws_lambda_function" && String(r.values.function_name).endsWith("-snapshot-manager"))!;
      manager = findSynthesizedFunctions(synth.outdir).find((f) => f.stack === SOURCE_STACK && f.functionName === applied.values.function_name)!;
      // The applied environment (the alert topic ARN resolved), and the keys of the function's own role.
      const variables = applied.values.environment[0].variables as Record<string, string>;
      expect(Object.keys(variables).sort()).toEqual(Object.keys(manager.environment).sort());
      expect(variables.COPY_REGION).toBe(DR_REGION);
      const creds = await assumeRole(moto!.endpoint, applied.values.role, SOURCE_REGION, "e2e-snapshot-manager");
      managerEnv = functionEnv(moto!.env(), creds, SOURCE_REGION, variables);
      // Both schedules target the manager; with cross-region copy the second one only shares (SHARE_PAYLOAD).
      const schedules = managedResources(state).filter((r) => r.type === "aws_scheduler_schedule").map((r) => r.values.target[0] as TerraformJson);
      expect(schedules.map((t) => t.arn)).toEqual([applied.values.arn, applied.values.arn]);
      const inputs = schedules.map((t) => JSON.parse(t.input) as unknown);
      expect(inputs).toEqual(expect.arrayContaining([SCHEDULE_PAYLOAD, SHARE_PAYLOAD]));
      payloads = { schedule: inputs.find((i) => isDeepStrictEqual(i, SCHEDULE_PAYLOAD)), share: inputs.find((i) => isDeepStrictEqual(i, SHARE_PAYLOAD)) };
    }, 120_000);

    suite.it(
      `the copy-share schedule's payload, as applied, with nothing of ours yet: lists in both regions and succeeds; moto recorded DescribeClusterSnapshots in ${SOURCE_REGION} ` +
        `and in ${DR_REGION}, and nothing else in the DR region`,
      async () => {
        needsApply();
        let r: InvokeResult | undefined;
        const calls = await recordedCalls(async () => {
          r = await invoke(payloads.share);
        });
        expect(r!.error).toBeUndefined();
        expect(r!.result).toEqual({ trigger: "share-schedule", clusters: 1, created: 0, shared: 0, deleted: 0, dryRun: false });
        const line = clusterLine(r!);
        expect(line).toMatchObject({ level: "INFO", clusterIdentifier: CLUSTER, created: [], shared: [], failed: false, errors: [], copies: noCopies });
        console.log(`Redshift calls of the copy-share run (region, action), as moto recorded them:\n  ${calls.join("\n  ")}`);
        expect(calls).toContain(`${SOURCE_REGION} DescribeClusterSnapshots`);
        expect(calls).toContain(`${DR_REGION} DescribeClusterSnapshots`);
        expect([...new Set(calls.filter((c) => c.startsWith(`${DR_REGION} `)))]).toEqual([`${DR_REGION} DescribeClusterSnapshots`]);
      },
    );

    suite.it(
      `a schedule run creates the window snapshot in ${SOURCE_REGION} (sharing it fails there: AuthorizeSnapshotAccess is not in moto) and lists in ${DR_REGION} without failing there; ` +
        "moto cannot copy snapshots across regions, so no copy is visible in the DR region and the copies part shares none " +
        "(sharing copies is proven by the in-memory tier, __tests__/functions/cross-region-copies.test.ts and cross-region-scenario.test.ts)",
      async () => {
        needsApply();
        let r: InvokeResult | undefined;
        const calls = await recordedCalls(async () => {
          r = await invoke(payloads.schedule);
        });
        // The only failure is the source region's share; no reporting error (the alert went to the applied topic).
        expect(r!.error).toMatchObject({ name: "SnapshotManagerFailure", message: `snapshot manager: 1 of 1 cluster(s) failed: ${CLUSTER}` });
        const line = clusterLine(r!);
        expect(line).toMatchObject({ clusterIdentifier: CLUSTER, failed: true, shared: [], copies: noCopies });
        expect(line.created).toHaveLength(1);
        const created = line.created[0] as string;
        expect((line.errors as TerraformJson[]).map((e) => [e.step, e.code, e.snapshotId, e.region ?? null])).toEqual([["share", "NotImplemented", created, null]]);

        console.log(`Redshift calls of the schedule run (region, action), as moto recorded them:\n  ${calls.join("\n  ")}`);
        expect(calls).toEqual(expect.arrayContaining([`${SOURCE_REGION} CreateClusterSnapshot`, `${SOURCE_REGION} AuthorizeSnapshotAccess`, `${DR_REGION} DescribeClusterSnapshots`]));
        expect([...new Set(calls.filter((c) => c.startsWith(`${DR_REGION} `)))]).toEqual([`${DR_REGION} DescribeClusterSnapshots`]);

        // In moto: the snapshot in the source region, and nothing in the DR region (no copy is ever made there).
        const atSource = await listSnapshots(SOURCE_REGION);
        expect(atSource.filter((s) => s.SnapshotType === "manual").map((s) => s.SnapshotIdentifier)).toEqual([created]);
        const inDr = await listSnapshots(DR_REGION);
        expect(inDr).toEqual([]);
      },
    );
  });

  suite.it("a second plan of both stacks has no changes (plan -detailed-exitcode exits 0), also after the snapshot manager's runs", async () => {
    await step("second plan", async () => {
      // Both stacks side by side: each plan locks only its own state.
      const results = await Promise.allSettled(
        Object.values(runs).map(async (run) => {
          const r = await tf(run, ["plan", "-detailed-exitcode", "-input=false", "-out=second.tfplan"], [0, 2]);
          if (r.code === 0) return [];
          const { resources, outputs } = plannedChanges(await showJson(run, ["second.tfplan"]));
          return [...resources.map((c) => `${run.name}: ${c.address} ${c.actions.join("+")} [${c.attributes.join(", ")}]`), ...outputs.map((o) => `${run.name}: output ${o}`)];
        }),
      );
      const changes = results.flatMap((r) => {
        if (r.status === "rejected") throw r.reason;
        return r.value;
      });
      expect(changes).toEqual([]);
    });
  });

  suite.it("destroys the source stack, then state: the grant, the copy key (pending deletion) and the cluster are gone from moto", async () => {
    const keyArn = String((await outputsOf(runs[SOURCE_STACK])).copy_kms_key_arn);
    for (const name of [SOURCE_STACK, STATE_STACK]) {
      await step(`destroy ${name}`, async () => {
        await tf(runs[name], ["destroy", "-auto-approve", "-input=false"]);
        expect(managedResources(await statePull(runs[name]))).toEqual([]);
      });
    }
    const grants = await withClient(RedshiftClient, DR_REGION, (rs) => rs.send(new DescribeSnapshotCopyGrantsCommand({})));
    expect(grants.SnapshotCopyGrants ?? []).toEqual([]);
    const key = await withClient(KMSClient, DR_REGION, (kms) => kms.send(new DescribeKeyCommand({ KeyId: keyArn })));
    expect(key.KeyMetadata?.KeyState).toBe("PendingDeletion");
    const clusters = await withClient(RedshiftClient, SOURCE_REGION, (rs) => rs.send(new DescribeClustersCommand({})));
    expect(clusters.Clusters ?? []).toEqual([]);
  });

  suite.it("never touched the project's own state file", () => {
    expect(fileFingerprint(projectStateFile)).toBe(projectStateBefore);
    expect(fs.existsSync(path.join(dirs.localState, `${STATE_STACK}.tfstate`))).toBe(true);
  });
});
