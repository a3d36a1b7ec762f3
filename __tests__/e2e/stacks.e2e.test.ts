// Emulator tier: the real synthesized stacks (state, org, every source, dr) applied to moto with the
// production settings (S3 remote state with DynamoDB locking in the state account, every provider
// assuming its own account's deploy role through STS, dr reading the sources' state), then what moto
// holds of AWS Backup read back through the Backup and EventBridge APIs, a second plan with no changes,
// then destroy in reverse order.
//
//   npx jest -c e2e/jest.config.js __tests__/e2e/stacks.e2e.test.ts
//
// Resource types moto cannot create (MOTO_UNSUPPORTED_RESOURCE_TYPES) are removed from a copy of
// each stack used for the run; the unmodified stacks are validated here and by the real-Terraform
// tier, and planned against the emulator's state (the plan must add exactly the removed resources).
//
// This file also runs the cross-region tests (cross-region.scenario.ts: another estate, with its own moto), in the
// background while these stacks apply and destroy; they are reported after this file's own tests. Most of every
// apply and destroy is the AWS provider waiting, with the cores idle, and jest runs one e2e file at a time.
import { BackupClient, DescribeBackupVaultCommand, GetBackupPlanCommand, ListBackupPlansCommand, ListBackupVaultsCommand } from "@aws-sdk/client-backup";
import { GetBucketEncryptionCommand, GetBucketVersioningCommand, S3Client } from "@aws-sdk/client-s3";
import * as fs from "fs";
import * as path from "path";
import * as http from "http";
import { parseConfig } from "../../config/load";
import { copyRetentionDays, type Estate } from "../../config/estate";
import { drBackupEventBusArn, drBackupVaultArn, DR_STACK, ORG_STACK, sourceStackName, STATE_STACK } from "../../stacks/names";
import { assumeRole, eventBridge } from "../../scripts/e2e/aws-calls";
import { crossRegion } from "./cross-region.scenario";
import type { Credentials } from "../../scripts/e2e/functions";
import { childEnv, MotoServer, startMoto, watchMoto } from "../../scripts/e2e/moto";
import { e2eWorkDir } from "../../scripts/e2e/paths";
import { runTerraform, TerraformResult, writeTerraformCliConfig } from "../../scripts/e2e/terraform";
import {
  backendTargets,
  DanglingReferenceError,
  excludeResourceTypes,
  localBackendOverride,
  expectedAddresses,
  fileFingerprint,
  managedStateAddresses,
  mapLimit,
  MOTO_UNSUPPORTED_RESOURCE_TYPES,
  plannedChanges,
  prepareStackDir,
  readStackConfig,
  resourceCount,
  seconds,
  synthesizeEstate,
  SynthesizedEstate,
  TerraformJson,
  trimTerraformOutput,
} from "../../scripts/e2e/stacks";

const CONFIG_FILE = path.join(__dirname, "estate.e2e.json");
/** Stacks applied side by side (2 cores: more only adds contention). */
const PARALLEL = 2;
/** Longest single terraform command before it is killed and the step fails. */
const TERRAFORM_TIMEOUT_MS = 300_000;

/**
 * Attributes a second plan may still change only because of the emulator, per stack and resource
 * address, each with its reason. Whole resources are never ignored; an emulator defect is better
 * fixed in scripts/e2e/moto_patches.py. Entries that do not show up fail the test (no stale entries).
 */
const EMULATOR_DRIFT_ALLOW_LIST: Readonly<Record<string, Readonly<Record<string, { attributes: string[]; reason: string }>>>> = {};

const work = path.join(e2eWorkDir(), "stacks-e2e");
const dirs = {
  synth: path.join(work, "synth"),
  emulator: path.join(work, "emulator"),
  localState: path.join(work, "local-state"),
  logs: path.join(work, "logs"),
};

interface StackRun {
  readonly name: string;
  /** Unmodified synthesized stack folder. */
  readonly synthDir: string;
  /** Folder terraform runs in against the emulator (the copy without the excluded resources). */
  readonly dir: string;
  readonly removed: string[];
  readonly config: TerraformJson;
  appliedResources?: number;
}

let estate: Estate;
let synth: SynthesizedEstate;
let moto: MotoServer | undefined;
let motoStarting: Promise<MotoServer> | undefined;
let env: Record<string, string>;
let runs: Record<string, StackRun> = {};
/** Deploy order of the estate (stacks/index.ts): state, org (when organization.management is set), sources, dr. */
let order: { state: string; org?: string; sources: string[]; dr: string };
let projectStateFile: string;
let projectStateBefore: string;
/** init + validate of the unmodified stacks, started while dr applies. */
let unmodifiedPrepared: Promise<void> | undefined;

/** Aborted (killing running terraform) when moto exits during the run: fail at once, not after retries. */
const emulatorGone = new AbortController();
let watchdog: NodeJS.Timeout | undefined;

const timings: { stack: string; step: string; ms: number }[] = [];
const phases: { phase: string; ms: number }[] = [];
const started = Date.now();
let failedStep: string | undefined;

function log(text: string): void {
  // One block per call, so the lines of a step stay together in jest's output.
  console.log(text);
}

/** Runs one step of the sequence; once a step failed, later ones fail at once naming it. */
async function step<T>(name: string, fn: () => Promise<T>): Promise<T> {
  if (failedStep) throw new Error(`not run: the earlier step "${failedStep}" failed`);
  const t0 = Date.now();
  try {
    const result = await fn();
    phases.push({ phase: name, ms: Date.now() - t0 });
    return result;
  } catch (e) {
    failedStep ??= name; // nested steps: the innermost failure names the reason
    throw e;
  }
}

/** The lock id in terraform's "Error acquiring the state lock" output, or undefined. */
function heldLockId(output: string): string | undefined {
  return /Error acquiring the state lock[\s\S]*?ID:\s+([0-9a-f-]{36})/.exec(output)?.[1];
}

async function tf(run: StackRun, stepName: string, args: string[], opts: { dir?: string; okCodes?: number[] } = {}): Promise<TerraformResult> {
  const cwd = opts.dir ?? run.dir;
  const once = async (label: string) => {
    const r = await runTerraform(args, { cwd, env, timeoutMs: TERRAFORM_TIMEOUT_MS, signal: emulatorGone.signal });
    timings.push({ stack: run.name, step: stepName, ms: r.durationMs });
    // Full output of every command, for what the trimmed failure message leaves out.
    fs.appendFileSync(
      path.join(dirs.logs, `${run.name}.log`),
      `\n=== terraform ${args.join(" ")} (${label}) in ${cwd}: exit ${r.code}, ${seconds(r.durationMs)}\n${r.stdout}\n${r.stderr}`,
    );
    return r;
  };
  let r = await once(stepName);
  // This test runs one locking terraform command per stack at a time, so a lock found at the start of a command is
  // stale: the emulator answered a retried conditional PutItem of the same command with "already exists" (seen
  // once under load). Unlock it and run the command again, once, saying so; any other failure stands.
  const stale = r.code !== 0 && !(opts.okCodes ?? [0]).includes(r.code) ? heldLockId(`${r.stdout}\n${r.stderr}`) : undefined;
  if (stale) {
    log(`${run.name}: ${stepName}: stale state lock ${stale} left by an emulator retry; force-unlock and run again once`);
    await runTerraform(["force-unlock", "-force", stale], { cwd, env, timeoutMs: TERRAFORM_TIMEOUT_MS, signal: emulatorGone.signal });
    r = await once(`${stepName}, after force-unlock of a stale lock`);
  }
  if (!(opts.okCodes ?? [0]).includes(r.code)) {
    throw new Error(
      (emulatorGone.signal.aborted ? `${(emulatorGone.signal.reason as Error).message}: ` : "") +
        `terraform ${args.join(" ")} (${stepName}) failed for stack ${run.name} with exit code ${r.code} in ${cwd} ` +
        `(full output: ${path.join(dirs.logs, `${run.name}.log`)}):\n` +
        trimTerraformOutput(`${r.stdout}\n${r.stderr}`),
    );
  }
  return r;
}

async function showJson(run: StackRun, args: string[] = [], dir?: string): Promise<TerraformJson> {
  const r = await tf(run, "show", ["show", "-json", ...args], { dir });
  return JSON.parse(r.stdout);
}

/** The stacks that lose resources in the emulator copy: their unmodified folder is also validated and planned. */
const withExclusions = (): StackRun[] => Object.values(runs).filter((r) => r.removed.length > 0);

/** `init` (one after another: the plugin cache is not safe for concurrent installs) and `validate` of the unmodified stacks. */
async function prepareUnmodified(): Promise<void> {
  for (const run of withExclusions()) await tf(run, "init", ["init", "-input=false"], { dir: run.synthDir });
  await mapLimit(withExclusions(), PARALLEL, (run) => tf(run, "validate", ["validate"], { dir: run.synthDir }));
}

/** Waits for every promise, then throws the first failure: no terraform command of a step outlives it. */
async function settled(promises: readonly Promise<unknown>[]): Promise<void> {
  const failed = (await Promise.allSettled(promises)).find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failed) throw failed.reason;
}

/** The managed addresses in the stack's state (`terraform state pull`: no provider to start, unlike `show -json`). */
async function stateAddresses(run: StackRun): Promise<string[]> {
  return managedStateAddresses(JSON.parse((await tf(run, "state pull", ["state", "pull"])).stdout));
}


function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent: false, headers }, (res) => {
        let body = "";
        res.on("data", (c) => (body += c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on("error", reject);
  });
}

const credentialsByRole = new Map<string, Promise<Credentials>>();

/** Keys of `roleArn` through moto's STS (everything done with them lives in the role's account). */
function credentialsOf(roleArn: string, region: string): Promise<Credentials> {
  if (!credentialsByRole.has(roleArn)) credentialsByRole.set(roleArn, assumeRole(moto!.endpoint, roleArn, region, "e2e-stacks"));
  return credentialsByRole.get(roleArn)!;
}

/** Runs `fn` with an AWS Backup client of the role's account, pointed at moto (one attempt: moto answers at once). */
async function withBackup<T>(roleArn: string, region: string, fn: (client: BackupClient) => Promise<T>): Promise<T> {
  const credentials = await credentialsOf(roleArn, region);
  const client = new BackupClient({ endpoint: moto!.endpoint, region, credentials, maxAttempts: 1 });
  try {
    return await fn(client);
  } finally {
    client.destroy();
  }
}

async function outputsOf(run: StackRun): Promise<Record<string, any>> {
  const json = JSON.parse((await tf(run, "output", ["output", "-json"])).stdout) as Record<string, { value: unknown }>;
  return Object.fromEntries(Object.entries(json).map(([k, v]) => [k, v.value]));
}

beforeAll(async () => {
  fs.rmSync(work, { recursive: true, force: true }); // a leftover local state would not match a fresh moto
  fs.mkdirSync(dirs.localState, { recursive: true });
  fs.mkdirSync(dirs.logs, { recursive: true });
  estate = parseConfig(JSON.parse(fs.readFileSync(CONFIG_FILE, "utf8")), CONFIG_FILE);
  const m0 = Date.now();
  motoStarting = startMoto(); // boots while the synth below runs (startMoto is safe with a blocked event loop)
  const t0 = Date.now();
  synth = synthesizeEstate(estate, dirs.synth);
  phases.push({ phase: "synth", ms: Date.now() - t0 });

  const names = Object.keys(synth.stackDirs);
  order = {
    state: STATE_STACK,
    ...(names.includes(ORG_STACK) ? { org: ORG_STACK } : {}),
    sources: names.filter((n) => n !== STATE_STACK && n !== DR_STACK && n !== ORG_STACK),
    dr: DR_STACK,
  };
  projectStateFile = readStackConfig(synth.stackDirs[order.state]).terraform.backend.local.path;
  projectStateBefore = fileFingerprint(projectStateFile);

  const types = Object.keys(MOTO_UNSUPPORTED_RESOURCE_TYPES);
  runs = {};
  for (const name of names) {
    const original = readStackConfig(synth.stackDirs[name]);
    const { config, removed } = excludeResourceTypes(original, types);
    const override = original.terraform?.backend?.local ? localBackendOverride(path.join(dirs.localState, `${name}.tfstate`)) : undefined;
    const dir = prepareStackDir(synth.stackDirs[name], path.join(dirs.emulator, name), { config, override });
    runs[name] = { name, synthDir: synth.stackDirs[name], dir, removed, config };
  }

  moto = await motoStarting;
  phases.push({ phase: "moto start (during the synth)", ms: Date.now() - m0 });
  env = childEnv({ ...writeTerraformCliConfig().env, ...moto.env() });
  watchdog = watchMoto(moto, emulatorGone);
  log(`moto ${moto.endpoint} (pid ${moto.pid}), patches: ${moto.patches.join(", ")}; request log ${moto.logFile}`);
}, 120_000);

afterAll(async () => {
  clearInterval(watchdog);
  // A terraform command still running now belongs to a test that failed or timed out: killed before moto stops.
  emulatorGone.abort(new Error("the stacks test file ended"));
  await (moto ?? (await motoStarting?.catch(() => undefined)))?.stop();
  const byStack = (stack: string, stepName: string) =>
    timings.filter((t) => t.stack === stack && t.step === stepName).reduce((n, t) => n + t.ms, 0);
  const lines = ["stack            resources  init     apply    plan     plan(unmodified)  destroy"];
  for (const run of Object.values(runs)) {
    lines.push(
      [
        run.name.padEnd(16),
        String(run.appliedResources ?? "-").padStart(9),
        seconds(byStack(run.name, "init")).padStart(8),
        seconds(byStack(run.name, "apply")).padStart(8),
        seconds(byStack(run.name, "plan")).padStart(8),
        seconds(byStack(run.name, "plan unmodified")).padStart(17),
        seconds(byStack(run.name, "destroy")).padStart(8),
      ].join(" "),
    );
  }
  lines.push("", "wall time per phase (stacks of a phase run side by side, so this is not the sum of the rows):");
  for (const p of phases) lines.push(`  ${p.phase.padEnd(44)} ${seconds(p.ms)}`);
  lines.push(`  ${"total (synth to last destroy)".padEnd(44)} ${seconds(Date.now() - started)}`);
  if (failedStep) lines.push(`FAILED at step: ${failedStep}`);
  log(`stacks e2e summary\n${lines.join("\n")}`);
}, 60_000);

describe("the synthesized stacks in the emulator (moto)", () => {
  it("test config passes parseConfig and synthesizes state, org, one stack per source, and dr, with AWS Backup on", () => {
    expect(Object.keys(synth.stackDirs)).toEqual(["dr", "org", "source-alpha", "source-beta", "state"]);
    expect(estate.state.preventDestroy).toBe(false);
    expect(estate.sources.every((s) => s.clusters.every((c) => c.create?.preventDestroy === false))).toBe(true);
    // AWS Backup (approach 3): alpha with native sharing as well (within the manual snapshot quota), beta backup only,
    // selected by tag and managing the region opt-in; a compliance-locked DR vault; the org stack in its own account.
    expect(estate.sources.map((s) => [s.name, s.native.enabled, s.backup.enabled, s.backup.manageRegionOptIn])).toEqual([
      ["alpha", true, true, false],
      ["beta", false, true, true],
    ]);
    expect(estate.dr.backup?.lock).toMatchObject({ mode: "compliance", changeableForDays: 3 });
    const accounts = [estate.state.accountId, estate.organization?.management?.accountId, ...estate.sources.map((s) => s.accountId), estate.dr.accountId];
    expect(new Set(accounts).size).toBe(accounts.length);
  });

  it(
    "excludes only the resource types moto cannot create (Redshift event subscription and snapshot schedules; AWS Backup " +
      "vault policy, selection, vault notifications, region settings and global settings), from a copy, with nothing left " +
      "referring to them (they are covered by synth assertions and `terraform validate`, not by this apply)",
    () => {
      const lines = Object.entries(MOTO_UNSUPPORTED_RESOURCE_TYPES).map(([t, why]) => `  ${t}: ${why}`);
      lines.push("removed from the emulator copy, per stack:");
      for (const run of Object.values(runs)) {
        lines.push(`  ${run.name}: ${run.removed.length ? run.removed.join(", ") : "(none)"}`);
        // The synthesized file is untouched; the copy lacks exactly the removed addresses.
        const original = readStackConfig(run.synthDir);
        expect(expectedAddresses(original).filter((a) => !expectedAddresses(run.config).includes(a))).toEqual(run.removed);
        expect(resourceCount(original) - resourceCount(run.config)).toBe(run.removed.length);
      }
      log(`excluded resource types (moto 5.2.5 cannot create them):\n${lines.join("\n")}`);
      const types = (run: StackRun) => run.removed.map((a) => a.split(".")[0]).sort();
      expect(order.sources).toEqual(estate.sources.map((s) => sourceStackName(s)));
      for (const source of estate.sources) {
        const run = runs[sourceStackName(source)];
        // The event subscription that triggers the snapshot manager is in every native-sharing source stack, and
        // AWS Backup's selection and vault notifications (and the region opt-in, where managed) where backup is on.
        const expected = [
          ...(source.native.enabled ? ["aws_redshift_event_subscription"] : []),
          ...(source.backup.enabled ? ["aws_backup_selection", "aws_backup_vault_notifications"] : []),
          ...(source.backup.enabled && source.backup.manageRegionOptIn ? ["aws_backup_region_settings"] : []),
        ].sort();
        expect({ stack: run.name, types: types(run) }).toEqual({ stack: run.name, types: expected });
      }
      // The DR vault's access policy; the org stack's only resource (its copy is empty: applied, planned and destroyed as such).
      expect(types(runs[order.dr])).toEqual(["aws_backup_vault_policy"]);
      expect(types(runs[order.org!])).toEqual(["aws_backup_global_settings"]);
      expect(resourceCount(runs[order.org!].config)).toBe(0);
      expect(runs[order.state].removed).toEqual([]);
      // The state stack runs against a state file under .e2e/, never the project's.
      expect(readStackConfig(runs[order.state].dir).terraform.backend.local.path).toBe(projectStateFile);
      const override = JSON.parse(fs.readFileSync(path.join(runs[order.state].dir, "e2e_override.tf.json"), "utf8"));
      expect(override.terraform.backend.local.path.startsWith(work + path.sep)).toBe(true);
    },
  );

  it("the exclusion fails loudly when something left would refer to a removed resource", () => {
    const config = {
      resource: {
        aws_redshift_event_subscription: { sub: { name: "x" } },
        aws_sns_topic: { t: { name: "t" }, "t-2": { name: "t2" } },
        aws_lambda_permission: { p: { source_arn: "${aws_redshift_event_subscription.sub.arn}" } },
        aws_sqs_queue: { q: { depends_on: ["aws_redshift_event_subscription.sub"] } },
      },
      output: { o: { value: "${aws_redshift_event_subscription.sub.id}" }, ok: { value: "${aws_sns_topic.t-2.arn}" } },
    };
    let error: unknown;
    try {
      excludeResourceTypes(config, ["aws_redshift_event_subscription"]);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DanglingReferenceError);
    expect((error as DanglingReferenceError).references).toEqual([
      { from: "aws_lambda_permission.p (source_arn)", to: "aws_redshift_event_subscription.sub" },
      { from: "aws_sqs_queue.q (depends_on[0])", to: "aws_redshift_event_subscription.sub" },
      { from: "output.o (value)", to: "aws_redshift_event_subscription.sub" },
    ]);
    // Not references: a longer type name, a data source of the same type. The input is not modified.
    const clean = {
      resource: {
        aws_redshift_event_subscription: { sub: { name: "x" } },
        aws_sns_topic: {
          t: { name: "${aws_redshift_event_subscription_other.sub.id}", tags: { k: "${data.aws_redshift_event_subscription.sub.id}" } },
        },
      },
    };
    const { config: copy, removed } = excludeResourceTypes(clean, ["aws_redshift_event_subscription", "aws_backup_selection"]);
    expect(removed).toEqual(["aws_redshift_event_subscription.sub"]);
    expect(Object.keys(copy.resource)).toEqual(["aws_sns_topic"]);
    expect(Object.keys(clean.resource)).toEqual(["aws_redshift_event_subscription", "aws_sns_topic"]);
  });

  it(
    "applies state, then org, then the sources (2 at a time), then dr, each with S3 remote state in moto and its own account's role " +
      "(state in two parts: first what the other stacks' backend needs, then the whole stack, whose lifecycle rule is a 55 s provider wait, alongside org and the sources)",
    async () => {
      await step("apply (all stacks)", async () => {
        const apply = async (run: StackRun): Promise<void> => {
          await tf(run, "apply", ["apply", "-auto-approve", "-input=false"]);
          const applied = await stateAddresses(run);
          run.appliedResources = applied.length;
          expect(applied).toEqual(expectedAddresses(run.config));
        };
        const init = (run: StackRun) => tf(run, "init", ["init", "-input=false"]);

        const state = runs[order.state];
        const targets = backendTargets(state.config);
        expect(targets.length).toBeGreaterThan(0); // the state stack has a lifecycle rule to defer
        await step("apply state: what the backend needs", async () => {
          await init(state);
          await tf(state, "apply", ["apply", "-auto-approve", "-input=false", ...targets]);
        });
        // The whole state stack (only the lifecycle rule is left to create) while the next stacks, which need only the
        // bucket, its settings and the lock table, init and apply.
        const stateWhole = step("apply state: the whole stack", () => apply(state));
        const next = (async () => {
          if (order.org) {
            const org = runs[order.org];
            await step("apply org", async () => {
              await init(org);
              await apply(org);
            });
          }
          // Inits one after another (the plugin cache is not safe for concurrent installs), applies side by side.
          await step("apply sources", async () => {
            for (const name of order.sources) await init(runs[name]);
            await mapLimit(order.sources, PARALLEL, (name) => apply(runs[name]));
          });
        })();
        await settled([stateWhole, next]);
        await step("apply dr", async () => {
          await init(runs[order.dr]);
          // While dr applies (mostly provider waits), the unmodified stacks are initialized and validated for their plan
          // below. Their failure is reported by the test that plans them; this step still waits for them, so that no
          // terraform command of it outlives it, even when the apply fails.
          const prepared = prepareUnmodified();
          unmodifiedPrepared = prepared;
          try {
            await apply(runs[order.dr]);
          } finally {
            await prepared.catch(() => undefined);
          }
        });
      });
      const lines = Object.values(runs).map((r) => `  ${r.name}: ${r.appliedResources} resources`);
      log(`applied:\n${lines.join("\n")}`);

      // dr read the sources' outputs from their remote state.
      const drOutputs = JSON.parse((await tf(runs[order.dr], "output", ["output", "-json"])).stdout);
      expect([...drOutputs.protected_cluster_arns.value].sort()).toEqual(
        estate.sources.flatMap((s) => s.clusters.map((c) => `arn:aws:redshift:${s.region}:${s.accountId}:cluster:${c.identifier}`)).sort(),
      );
    },
  );

  it(
    "moto holds the AWS Backup setup after apply (Backup and EventBridge APIs): the DR vault with its key and lock " +
      "(min/max retention, lock date after changeableForDays), each source's vault and plan whose rule copies into the DR " +
      "vault ARN with the copy lifecycle, the DR event bus open to the backup sources with its rule to the alert topic, and " +
      "each source forwarding failed copy jobs to that bus with a role; not in moto, so covered by synth assertions and " +
      "`terraform validate` only: vault policy, selection, vault notifications, region and global settings",
    async () => {
      // Reads only: a failure here does not stop the plans and the destroy (not a step), but needs the applies.
      if (failedStep) throw new Error(`not run: the earlier step "${failedStep}" failed`);
      const vaultConfig = estate.dr.backup!;
      const region = estate.dr.region;
      const drVaultArn = drBackupVaultArn(estate);
      const drBusArn = drBackupEventBusArn(estate);
      const backupSources = estate.sources.filter((s) => s.backup.enabled);
      const dr = await outputsOf(runs[order.dr]);
      // The sources derive the DR ARNs from config; the DR stack's applied resources have exactly those.
      expect({ vault: dr.backup_vault_arn, bus: dr.backup_event_bus_arn }).toEqual({ vault: drVaultArn, bus: drBusArn });

      const vault = await withBackup(estate.dr.deployRoleArn, region, (b) =>
        b.send(new DescribeBackupVaultCommand({ BackupVaultName: drVaultArn.split(":").pop() })),
      );
      const lock = vaultConfig.lock;
      expect({
        arn: vault.BackupVaultArn,
        key: vault.EncryptionKeyArn,
        locked: vault.Locked,
        min: vault.MinRetentionDays,
        max: vault.MaxRetentionDays,
      }).toEqual({ arn: drVaultArn, key: dr.backup_vault_kms_key_arn, locked: true, min: lock.minRetentionDays, max: lock.maxRetentionDays });
      if (lock.changeableForDays !== undefined) {
        // Compliance mode: immutable changeableForDays after the lock was set (during this run's dr apply).
        const days = lock.changeableForDays * 86_400_000;
        expect(vault.LockDate!.getTime()).toBeGreaterThan(started + days);
        expect(vault.LockDate!.getTime()).toBeLessThanOrEqual(Date.now() + days);
      } else expect(vault.LockDate).toBeUndefined();

      const lines = [`DR vault ${drVaultArn}: locked ${vault.Locked}, ${vault.MinRetentionDays}-${vault.MaxRetentionDays} days, lock date ${vault.LockDate?.toISOString() ?? "-"}`];
      for (const source of backupSources) {
        const run = runs[sourceStackName(source)];
        const out = await outputsOf(run);
        const vaultName = String(out.backup_vault_arn).split(":").pop()!;
        const { own, plan } = await withBackup(source.deployRoleArn, source.region, async (b) => ({
          own: await b.send(new DescribeBackupVaultCommand({ BackupVaultName: vaultName })),
          plan: await b.send(new GetBackupPlanCommand({ BackupPlanId: out.backup_plan_id })),
        }));
        expect({ source: source.name, arn: own.BackupVaultArn, locked: own.Locked, keyInAccount: own.EncryptionKeyArn?.split(":")[4] }).toEqual({
          source: source.name,
          arn: out.backup_vault_arn,
          locked: false,
          keyInAccount: source.accountId,
        });
        const rules = (plan.BackupPlan?.Rules ?? []).map((r) => ({
          vault: r.TargetBackupVaultName,
          schedule: r.ScheduleExpression,
          timezone: r.ScheduleExpressionTimezone,
          windows: [r.StartWindowMinutes, r.CompletionWindowMinutes],
          deleteAfter: r.Lifecycle?.DeleteAfterDays,
          recoveryPointTags: r.RecoveryPointTags ?? {},
          copies: (r.CopyActions ?? []).map((c) => ({ to: c.DestinationBackupVaultArn, deleteAfter: c.Lifecycle?.DeleteAfterDays })),
        }));
        const b = source.backup;
        expect({ source: source.name, rules }).toEqual({
          source: source.name,
          rules: [
            {
              vault: vaultName,
              schedule: b.schedule,
              timezone: b.timezone,
              windows: [b.startWindowMinutes, b.completionWindowMinutes],
              deleteAfter: b.retentionDays,
              recoveryPointTags: b.recoveryPointTags,
              copies: [{ to: drVaultArn, deleteAfter: copyRetentionDays(b.copyRetentionDays) }],
            },
          ],
        });

        // Failed jobs go to the source's alert topic; failed copies also to the DR bus, with a role of the source account.
        const creds = await credentialsOf(source.deployRoleArn, source.region);
        const { Rules = [] } = await eventBridge<{ Rules?: { Name: string }[] }>(moto!.endpoint, creds, source.region, "ListRules", {});
        const targets = (
          await Promise.all(
            Rules.map((r) => eventBridge<{ Targets?: { Arn: string; RoleArn?: string }[] }>(moto!.endpoint, creds, source.region, "ListTargetsByRule", { Rule: r.Name })),
          )
        ).flatMap((t) => t.Targets ?? []);
        expect({ source: source.name, targets: targets.map((t) => [t.Arn, t.RoleArn?.split(":")[4] ?? null]).sort() }).toEqual({
          source: source.name,
          targets: [
            [out.backup_alert_topic_arn, null],
            [drBusArn, source.accountId],
          ].sort(),
        });
        lines.push(
          `${run.name}: vault ${vaultName}, plan ${out.backup_plan_id}: ${b.schedule} ${b.timezone}, keep ${b.retentionDays} d, ` +
            `copy to the DR vault kept ${copyRetentionDays(b.copyRetentionDays)} d; ${targets.length} event targets`,
        );
      }

      // The DR bus lets exactly the backup sources put events (copyFrom "sources"), and its rule alerts the DR topic.
      const drCreds = await credentialsOf(estate.dr.deployRoleArn, region);
      const busName = drBusArn.split("/").pop()!;
      const bus = await eventBridge<{ Arn: string; Policy?: string }>(moto!.endpoint, drCreds, region, "DescribeEventBus", { Name: busName });
      const statements = (JSON.parse(bus.Policy ?? "{}").Statement ?? []) as { Effect: string; Action: string; Principal: { AWS: string | string[] } }[];
      expect(vaultConfig.copyFrom).toBe("sources");
      expect(statements.map((st) => ({ effect: st.Effect, action: st.Action, principals: [st.Principal.AWS].flat().sort() }))).toEqual([
        { effect: "Allow", action: "events:PutEvents", principals: backupSources.map((s) => `arn:aws:iam::${s.accountId}:root`).sort() },
      ]);
      const { Rules: busRules = [] } = await eventBridge<{ Rules?: { Name: string; EventPattern: string }[] }>(moto!.endpoint, drCreds, region, "ListRules", {
        EventBusName: busName,
      });
      expect(busRules).toHaveLength(1);
      expect(JSON.parse(busRules[0].EventPattern).account).toEqual(backupSources.map((s) => s.accountId));
      const { Targets: busTargets = [] } = await eventBridge<{ Targets?: { Arn: string }[] }>(moto!.endpoint, drCreds, region, "ListTargetsByRule", {
        Rule: busRules[0].Name,
        EventBusName: busName,
      });
      expect(busTargets.map((t) => t.Arn.split(":").slice(2, 5).join(":"))).toEqual([`sns:${region}:${estate.dr.accountId}`]);
      lines.push(`DR bus ${busName}: PutEvents for ${backupSources.length} source accounts; rule ${busRules[0].Name} -> ${busTargets[0].Arn}`);
      log(`AWS Backup in moto after apply:\n  ${lines.join("\n  ")}`);
    },
  );

  it("moto holds the restore drill setup after apply (S3 API): the report bucket the DR stack names, versioned and KMS-encrypted with the DR operations key; the dashboard and the drill function are in the DR state", async () => {
    if (failedStep) throw new Error(`not run: the earlier step "${failedStep}" failed`);
    const run = runs[order.dr];
    const dr = await outputsOf(run);
    expect(dr.drill_report_bucket).toBe(`${estate.project}-drill-reports-${estate.dr.accountId}-${estate.dr.region}`);
    expect(dr.dashboard_name).toBe(`${estate.project}-dr`);
    const s3 = new S3Client({ endpoint: moto!.endpoint, region: estate.dr.region, credentials: await credentialsOf(estate.dr.deployRoleArn, estate.dr.region), forcePathStyle: true, maxAttempts: 1 });
    try {
      const versioning = await s3.send(new GetBucketVersioningCommand({ Bucket: dr.drill_report_bucket }));
      expect(versioning.Status).toBe("Enabled");
      const encryption = await s3.send(new GetBucketEncryptionCommand({ Bucket: dr.drill_report_bucket }));
      expect(encryption.ServerSideEncryptionConfiguration?.Rules?.[0]?.ApplyServerSideEncryptionByDefault?.SSEAlgorithm).toBe("aws:kms");
    } finally {
      s3.destroy();
    }
    const state = (await tf(run, "state list", ["state", "list"])).stdout.split("\n");
    for (const address of [/^aws_lambda_function\.restore-drill_function_/, /^aws_scheduler_schedule\.restore-drill_schedule_/, /^aws_cloudwatch_dashboard\.dashboard_/, /^aws_iam_role_policy\.restore-operator-drills$/]) {
      expect(state.some((line) => address.test(line))).toBe(true);
    }
  });

  it("a second plan of every stack has no changes (plan -detailed-exitcode exits 0)", async () => {
    await step("second plan (all stacks)", async () => {
      const seen: string[] = [];
      const unexpected: string[] = [];
      await mapLimit(Object.values(runs), PARALLEL, async (run) => {
        const r = await tf(run, "plan", ["plan", "-detailed-exitcode", "-input=false", "-out=second.tfplan"], { okCodes: [0, 2] });
        if (r.code === 0) return;
        const { resources, outputs } = plannedChanges(await showJson(run, ["second.tfplan"]));
        const allowed = EMULATOR_DRIFT_ALLOW_LIST[run.name] ?? {};
        for (const c of resources) {
          const entry = allowed[c.address];
          const extra = c.attributes.filter((a) => !entry?.attributes.includes(a));
          if (!entry || extra.length > 0 || c.actions.join() !== "update") {
            unexpected.push(`${run.name}: ${c.address} ${c.actions.join("+")} [${(extra.length ? extra : c.attributes).join(", ")}]`);
          } else seen.push(`${run.name}/${c.address}`);
        }
        for (const o of outputs) unexpected.push(`${run.name}: output ${o} changes`);
      });
      const stale = Object.entries(EMULATOR_DRIFT_ALLOW_LIST).flatMap(([stack, byAddress]) =>
        Object.keys(byAddress).filter((a) => !seen.includes(`${stack}/${a}`)).map((a) => `${stack}/${a}`),
      );
      expect({ unexpected, staleAllowListEntries: stale }).toEqual({ unexpected: [], staleAllowListEntries: [] });
    });
  });

  it(
    "the unmodified stacks with exclusions (sources, dr, org) validate, and their plan against the applied state adds exactly the excluded resources " +
      "(moto cannot create them; their creation is not covered by this tier)",
    async () => {
      await step("plan of the unmodified stacks", async () => {
        // Initialized and validated while dr applied (prepareUnmodified); here only if that did not start.
        await (unmodifiedPrepared ?? prepareUnmodified());
        await mapLimit(withExclusions(), PARALLEL, async (run) => {
          await tf(run, "plan unmodified", ["plan", "-detailed-exitcode", "-input=false", "-out=unmodified.tfplan"], {
            dir: run.synthDir,
            okCodes: [2],
          });
          const { resources, outputs } = plannedChanges(await showJson(run, ["unmodified.tfplan"], run.synthDir));
          expect({ stack: run.name, changes: resources.map((c) => `${c.address} ${c.actions.join("+")}`), outputs }).toEqual({
            stack: run.name,
            changes: run.removed.map((a) => `${a} create`),
            outputs: [],
          });
        });
        // Stacks without exclusions ran unmodified: the copy is the synthesized file.
        for (const run of Object.values(runs).filter((r) => r.removed.length === 0)) {
          expect(run.config).toEqual(readStackConfig(run.synthDir));
        }
      });
    },
  );

  it("destroys dr, then the sources, then org, then state (force_destroy empties the versioned state bucket)", async () => {
    await step("destroy (all stacks)", async () => {
      const destroy = async (run: StackRun): Promise<void> => {
        await tf(run, "destroy", ["destroy", "-auto-approve", "-input=false"]);
        expect(await stateAddresses(run)).toEqual([]);
      };
      await step("destroy dr", () => destroy(runs[order.dr]));
      await step("destroy sources", () => mapLimit(order.sources, PARALLEL, (n) => destroy(runs[n])));
      if (order.org) await step("destroy org", () => destroy(runs[order.org!]));
      // Nothing of AWS Backup is left in moto (moto keeps a deleted plan, flagged, as AWS does; the list leaves it out).
      const vaults = await withBackup(estate.dr.deployRoleArn, estate.dr.region, (b) => b.send(new ListBackupVaultsCommand({})));
      expect((vaults.BackupVaultList ?? []).map((v) => v.BackupVaultName)).toEqual([]);
      for (const source of estate.sources.filter((s) => s.backup.enabled)) {
        const plans = await withBackup(source.deployRoleArn, source.region, (b) => b.send(new ListBackupPlansCommand({})));
        expect({ source: source.name, plans: plans.BackupPlansList ?? [] }).toEqual({ source: source.name, plans: [] });
      }

      // The other stacks' state files (every version) are still in the versioned bucket when it is
      // destroyed: force_destroy (state.preventDestroy false) has to remove them. moto does not check
      // signatures and finds a bucket by its global name, so a plain GET lists it.
      const bucketUrl = `${moto!.endpoint}/${estate.state.bucket}`;
      const listing = await get(`${bucketUrl}?versions`);
      const keys = [...listing.body.matchAll(/<Key>([^<]+)<\/Key>/g)].map((m) => m[1]);
      log(`state bucket before its destroy: HTTP ${listing.status}, ${keys.length} object versions of ${[...new Set(keys)].sort().join(", ")}`);
      expect(listing.status).toBe(200);
      const stacks = [order.dr, ...(order.org ? [order.org] : []), ...order.sources];
      expect([...new Set(keys)].sort()).toEqual(stacks.map((n) => `${estate.state.keyPrefix}/${n}.tfstate`).sort());

      await step("destroy state", () => destroy(runs[order.state]));
      expect((await get(bucketUrl)).status).toBe(404);
    });
  });

  it("never touched the project's own state file", () => {
    expect(fileFingerprint(projectStateFile)).toBe(projectStateBefore);
    expect(fs.existsSync(path.join(dirs.localState, "state.tfstate"))).toBe(true);
  });
});

// The cross-region tests, run alongside the tests above and reported after them (scripts/e2e/background.ts).
crossRegion.register();
