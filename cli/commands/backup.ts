// `backup start | list | copy | restore`: AWS Backup (approach 3) by hand, with the names the stacks give: the source
// vault and role `<project>-<source>-backup` (stacks/constructs/backup-plan.ts, config/names.ts), the DR vault
// `dr.backup.vaultName` (default `<project>-dr`), the copy lifecycle `copyRetentionDays`. Each acts in one account and
// says which before it does. Restore metadata keys: AWS Backup Developer Guide, "Restore an Amazon Redshift cluster",
// <https://docs.aws.amazon.com/aws-backup/latest/devguide/redshift-restores.html> (RestoreType CLUSTER_RESTORE,
// ClusterIdentifier, ClusterSubnetGroupName, PubliclyAccessible, Encrypted, KmsKeyId; read from a mirror of the guide).
import {
  DescribeBackupJobCommand,
  DescribeCopyJobCommand,
  DescribeRecoveryPointCommand,
  DescribeRestoreJobCommand,
  StartBackupJobCommand,
  StartCopyJobCommand,
  StartRestoreJobCommand,
  type BackupClient,
  type RecoveryPointByBackupVault,
} from "@aws-sdk/client-backup";
import type { Command } from "commander";
import { copyRetentionDays } from "../../config/backup-rules";
import type { Estate, SourceConfig } from "../../config/estate";
import { drBackupVaultName, sourcePrefix } from "../../config/names";
import { clusterIdentifierProblem, windowStamp } from "../../contract";
import { listRedshiftRecoveryPoints, redshiftClusterArn } from "../../functions/lib/recovery-points";
import { drBackupVaultArn, drRestoreNetworkName, restoredClusterPrefix } from "../../stacks/names";
import { backupPlanNames } from "../../stacks/constructs/backup-names";
import type { Registrar } from "../main";
import type { AccountTarget, CliContext } from "../context";
import { call, EXIT, UsageError } from "../exit";
import { progress, table } from "../io";
import type { RegisterCommands } from "./index";

/** How `--wait` polls: every 15 seconds (AWS Backup jobs take minutes to hours). Tests replace `sleep`. */
export const POLLING = {
  intervalMs: 15_000,
  sleep: (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms)),
};

const PARTITION = "aws";

/** The source vault and the role AWS Backup works with, as the source stack names them. */
export function sourceBackupNames(estate: Estate, source: SourceConfig) {
  const prefix = sourcePrefix(estate.project, source.name);
  const names = backupPlanNames(prefix);
  return { vaultName: names.vault, roleArn: `arn:${PARTITION}:iam::${source.accountId}:role/${names.role}` };
}

/** The source, if AWS Backup is on for it; otherwise bad usage (exit 2) naming the config field. */
function backedUp(ctx: CliContext, source: SourceConfig): SourceConfig {
  if (!source.backup.enabled) {
    const i = ctx.estate.sources.indexOf(source);
    throw new UsageError(`AWS Backup is not configured for source ${source.name} (sources[${i}].backup.enabled is false)`);
  }
  return source;
}

function drVaultName(ctx: CliContext): string {
  if (!ctx.estate.dr.backup) throw new UsageError("AWS Backup is not configured for the DR account (dr.backup is not set)");
  return drBackupVaultName(ctx.estate.project, ctx.estate.dr.backup.vaultName);
}

const site = (t: AccountTarget, action: string) => ({ account: t.accountId, region: t.region, action, identity: t.identity });

/** The account id in a recovery point ARN (`arn:aws:redshift:<region>:<account>:snapshot:...` or `...:backup:...`). */
function accountOfArn(arn: string): string | undefined {
  const account = arn.split(":")[4];
  return account && /^\d{12}$/.test(account) ? account : undefined;
}

/** The cluster a Redshift resource ARN names (`arn:aws:redshift:<region>:<account>:cluster:<id>`). */
function clusterOfArn(arn: string | undefined): string | undefined {
  const m = /:cluster:([^/:]+)$/.exec(arn ?? "");
  return m?.[1];
}

interface Job {
  readonly state: string | undefined;
  readonly percent?: string;
  readonly message?: string;
}

/** Polls `describe` until the job reaches a final state; shows the state with progress(); true when it ended in `success`. */
async function waitForJob(ctx: CliContext, label: string, describe: () => Promise<Job>, final: readonly string[], success: string): Promise<boolean> {
  const shown = progress(ctx.io, label);
  for (;;) {
    const job = await describe();
    const state = job.state ?? "UNKNOWN";
    if (final.includes(state)) {
      shown.done(`${state}${job.message ? `: ${job.message}` : ""}`);
      return state === success;
    }
    shown.update(`${state}${job.percent ? ` ${job.percent}%` : ""}`);
    await POLLING.sleep(POLLING.intervalMs);
  }
}

const BACKUP_FINAL = ["COMPLETED", "FAILED", "ABORTED", "EXPIRED", "PARTIAL"];
const COPY_FINAL = ["COMPLETED", "FAILED", "PARTIAL"];
const RESTORE_FINAL = ["COMPLETED", "FAILED", "ABORTED"];

interface StartOptions {
  readonly cluster?: string;
  readonly source?: string;
  readonly wait?: boolean;
}

async function start(ctx: CliContext, opts: StartOptions): Promise<number> {
  const { source, clusters } = opts.cluster
    ? (() => {
        const found = ctx.cluster(opts.cluster);
        return { source: found.source, clusters: [found.cluster.identifier] };
      })()
    : (() => {
        const s = ctx.source(opts.source);
        return { source: s, clusters: s.clusters.map((c) => c.identifier) };
      })();
  backedUp(ctx, source);
  const target = ctx.sourceTarget(source);
  const backup = ctx.clients.backup(target);
  const { vaultName, roleArn } = sourceBackupNames(ctx.estate, source);
  const b = source.backup;
  ctx.announce(target, `backup start (vault ${vaultName})`);
  const jobs: Array<{ cluster: string; id: string }> = [];
  for (const cluster of clusters) {
    const out = await call(site(target, "backup:StartBackupJob"), () =>
      backup.send(
        new StartBackupJobCommand({
          BackupVaultName: vaultName,
          ResourceArn: redshiftClusterArn(PARTITION, source.region, source.accountId, cluster),
          IamRoleArn: roleArn,
          Lifecycle: { DeleteAfterDays: b.retentionDays },
          RecoveryPointTags: { ...b.recoveryPointTags },
          StartWindowMinutes: b.startWindowMinutes,
          CompleteWindowMinutes: b.completionWindowMinutes,
        }),
      ),
    );
    ctx.io.out(`backup job ${out.BackupJobId} started for ${cluster}${out.RecoveryPointArn ? `: recovery point ${out.RecoveryPointArn}` : ""}`);
    jobs.push({ cluster, id: out.BackupJobId! });
  }
  if (!opts.wait) return EXIT.ok;
  let ok = true;
  for (const job of jobs) {
    const done = await waitForJob(
      ctx,
      `backup job ${job.id} (${job.cluster})`,
      async () => {
        const d = await call(site(target, "backup:DescribeBackupJob"), () => backup.send(new DescribeBackupJobCommand({ BackupJobId: job.id })));
        if (d.State === "COMPLETED" && d.RecoveryPointArn) ctx.io.out(`${job.cluster}: recovery point ${d.RecoveryPointArn}`);
        return { state: d.State, percent: d.PercentDone, message: d.StatusMessage };
      },
      BACKUP_FINAL,
      "COMPLETED",
    );
    ok &&= done;
  }
  return ok ? EXIT.ok : EXIT.failed;
}

interface ListOptions {
  readonly cluster?: string;
  readonly source?: string;
  readonly dr?: boolean;
  readonly json?: boolean;
}

async function list(ctx: CliContext, opts: ListOptions): Promise<number> {
  const estate = ctx.estate;
  const cluster = opts.cluster ? ctx.cluster(opts.cluster) : undefined;
  let target: AccountTarget;
  let vaultName: string;
  let resourceArn: string | undefined;
  let account: string | undefined;
  if (opts.dr) {
    vaultName = drVaultName(ctx);
    if (cluster) backedUp(ctx, cluster.source);
    target = ctx.drTarget();
    if (opts.source !== undefined) account = backedUp(ctx, ctx.source(opts.source)).accountId;
  } else {
    const source = backedUp(ctx, cluster?.source ?? ctx.source(opts.source));
    vaultName = sourceBackupNames(estate, source).vaultName;
    target = ctx.sourceTarget(source);
  }
  if (cluster) resourceArn = redshiftClusterArn(PARTITION, cluster.source.region, cluster.source.accountId, cluster.cluster.identifier);
  ctx.announce(target, `backup list (vault ${vaultName})`);
  const points = await call(site(target, "backup:ListRecoveryPointsByBackupVault"), () => listRedshiftRecoveryPoints({ backup: ctx.clients.backup(target) }, vaultName));
  const shown = points
    .filter((p) => resourceArn === undefined || p.ResourceArn === resourceArn)
    .filter((p) => account === undefined || accountOfArn(p.ResourceArn ?? "") === account)
    .sort((a, b) => (b.CreationDate?.getTime() ?? 0) - (a.CreationDate?.getTime() ?? 0));
  const row = (p: RecoveryPointByBackupVault) => ({
    created: p.CreationDate?.toISOString() ?? "",
    cluster: clusterOfArn(p.ResourceArn) ?? p.ResourceArn ?? "",
    account: accountOfArn(p.ResourceArn ?? "") ?? "",
    status: p.Status ?? "",
    deleteAt: p.CalculatedLifecycle?.DeleteAt?.toISOString() ?? "",
    recoveryPointArn: p.RecoveryPointArn ?? "",
  });
  if (opts.json) {
    ctx.io.out(JSON.stringify({ vault: vaultName, account: target.accountId, recoveryPoints: shown.map(row) }, null, 2));
    return EXIT.ok;
  }
  if (shown.length === 0) {
    ctx.io.err(`no Redshift recovery points${cluster ? ` of ${cluster.cluster.identifier}` : ""} in ${vaultName}`);
    return EXIT.ok;
  }
  const rows = shown.map(row).map((r) => [r.created, r.cluster, r.account, r.status, r.deleteAt, r.recoveryPointArn]);
  for (const line of table(["CREATED", "CLUSTER", "SOURCE ACCOUNT", "STATUS", "DELETE AT", "RECOVERY POINT"], rows)) ctx.io.out(line);
  return EXIT.ok;
}

interface CopyOptions {
  readonly recoveryPoint: string;
  readonly source?: string;
  readonly wait?: boolean;
}

async function copy(ctx: CliContext, opts: CopyOptions): Promise<number> {
  const estate = ctx.estate;
  let source: SourceConfig;
  if (opts.source !== undefined) source = ctx.source(opts.source);
  else {
    const account = accountOfArn(opts.recoveryPoint);
    const found = estate.sources.find((s) => s.accountId === account);
    if (!found) throw new UsageError(`--recovery-point ${opts.recoveryPoint} is not in a source account of the config; give --source`);
    source = found;
  }
  backedUp(ctx, source);
  drVaultName(ctx);
  const target = ctx.sourceTarget(source);
  const backup = ctx.clients.backup(target);
  const { vaultName, roleArn } = sourceBackupNames(estate, source);
  const destination = drBackupVaultArn(estate);
  const days = copyRetentionDays(source.backup.copyRetentionDays);
  ctx.announce(target, `backup copy (from ${vaultName} to ${destination}, kept ${days} days)`);
  const out = await call(site(target, "backup:StartCopyJob"), () =>
    backup.send(
      new StartCopyJobCommand({
        RecoveryPointArn: opts.recoveryPoint,
        SourceBackupVaultName: vaultName,
        DestinationBackupVaultArn: destination,
        IamRoleArn: roleArn,
        // Always a lifecycle: a copy without one inherits its source's expiry (docs/aws-behaviour.md, "Copy lifecycle").
        Lifecycle: { DeleteAfterDays: days },
      }),
    ),
  );
  ctx.io.out(`copy job ${out.CopyJobId} started: ${opts.recoveryPoint} -> ${destination}`);
  if (!opts.wait) return EXIT.ok;
  const done = await waitForJob(
    ctx,
    `copy job ${out.CopyJobId}`,
    async () => {
      const d = (await call(site(target, "backup:DescribeCopyJob"), () => backup.send(new DescribeCopyJobCommand({ CopyJobId: out.CopyJobId! })))).CopyJob;
      if (d?.State === "COMPLETED" && d.DestinationRecoveryPointArn) ctx.io.out(`copy in the DR vault: ${d.DestinationRecoveryPointArn}`);
      return { state: d?.State, message: d?.StatusMessage };
    },
    COPY_FINAL,
    "COMPLETED",
  );
  return done ? EXIT.ok : EXIT.failed;
}

interface RestoreOptions {
  readonly recoveryPoint: string;
  readonly wait?: boolean;
  readonly iamRole?: string;
  readonly kmsKeyId?: string;
}

async function restore(ctx: CliContext, opts: RestoreOptions): Promise<number> {
  const estate = ctx.estate;
  const vaultName = drVaultName(ctx);
  const dr = ctx.drTarget();
  const backup: BackupClient = ctx.clients.backup(dr);
  ctx.announce(dr, `backup restore (from vault ${vaultName})`);
  const point = await call(site(dr, "backup:DescribeRecoveryPoint"), () =>
    backup.send(new DescribeRecoveryPointCommand({ BackupVaultName: vaultName, RecoveryPointArn: opts.recoveryPoint })),
  );
  const clusterId = clusterOfArn(point.ResourceArn);
  if (point.ResourceType !== "Redshift" || !clusterId) {
    throw new UsageError(`${opts.recoveryPoint} is not a Redshift recovery point (resource ${point.ResourceArn ?? "unknown"}, type ${point.ResourceType ?? "unknown"})`);
  }
  backedUp(ctx, ctx.cluster(clusterId).source);
  if (point.Status !== "COMPLETED") {
    ctx.io.err(`error: recovery point ${opts.recoveryPoint} is ${point.Status}, not COMPLETED: it cannot be restored${point.StatusMessage ? ` (${point.StatusMessage})` : ""}`);
    return EXIT.failed;
  }
  const name = `${restoredClusterPrefix(estate)}${clusterId}-${windowStamp(ctx.io.now())}`;
  const problem = clusterIdentifierProblem(name);
  if (problem) throw new UsageError(`the restored cluster's name ${name} ${problem}: restore it with aws backup start-restore-job and a shorter ClusterIdentifier starting ${restoredClusterPrefix(estate)}`);
  const metadata: Record<string, string> = {
    RestoreType: "CLUSTER_RESTORE",
    ClusterIdentifier: name,
    ClusterSubnetGroupName: drRestoreNetworkName(estate),
    PubliclyAccessible: "false",
    ...(opts.kmsKeyId ? { Encrypted: "true", KmsKeyId: opts.kmsKeyId } : {}),
  };
  const out = await call(site(dr, "backup:StartRestoreJob"), () =>
    backup.send(
      new StartRestoreJobCommand({
        RecoveryPointArn: opts.recoveryPoint,
        ResourceType: "Redshift",
        Metadata: metadata,
        ...(opts.iamRole ? { IamRoleArn: opts.iamRole } : {}),
      }),
    ),
  );
  ctx.io.out(`restore job ${out.RestoreJobId} started: ${clusterId} -> cluster ${name} (subnet group ${metadata.ClusterSubnetGroupName})`);
  if (!opts.wait) return EXIT.ok;
  const done = await waitForJob(
    ctx,
    `restore job ${out.RestoreJobId}`,
    async () => {
      const d = await call(site(dr, "backup:DescribeRestoreJob"), () => backup.send(new DescribeRestoreJobCommand({ RestoreJobId: out.RestoreJobId! })));
      if (d.Status === "COMPLETED") ctx.io.out(`restored cluster: ${d.CreatedResourceArn ?? name}`);
      return { state: d.Status, percent: d.PercentDone, message: d.StatusMessage };
    },
    RESTORE_FINAL,
    "COMPLETED",
  );
  return done ? EXIT.ok : EXIT.failed;
}

const example = (...lines: string[]) => ["", "Example:", ...lines.map((l) => `  $ ${l}`)].join("\n");

export const registerBackupCommands: RegisterCommands = (program: Command, registrar: Registrar) => {
  const group = program
    .command("backup")
    .description("AWS Backup (approach 3): start a backup, list recovery points, copy one to the DR vault, restore a copy in DR");

  registrar.action<StartOptions>(
    group
      .command("start")
      .description("Start an AWS Backup job of a cluster (or of every cluster of a source) into the source vault, with the backup plan's lifecycle and tags")
      .option("--cluster <id>", "the cluster (default: every cluster of the source)")
      .option("--source <name>", "the source, when the config has several and no --cluster is given")
      .option("--wait", "wait until each job ends; exit 1 unless all COMPLETED")
      .addHelpText("after", example("redshift-backup --source-profile analytics backup start --cluster analytics-prod --wait")),
    start,
  );

  registrar.action<ListOptions>(
    group
      .command("list")
      .description("List the Redshift recovery points in the source vault, or with --dr the copies in the DR vault, newest first")
      .option("--cluster <id>", "only this cluster's recovery points")
      .option("--source <name>", "the source (default: the only one); with --dr, only copies from this source")
      .option("--dr", "list the DR vault (in the DR account) instead of the source vault")
      .option("--json", "print JSON")
      .addHelpText("after", example("redshift-backup --dr-profile dr backup list --dr --cluster analytics-prod")),
    list,
  );

  registrar.action<CopyOptions>(
    group
      .command("copy")
      .description("Copy a recovery point of the source vault into the DR vault, kept copyRetentionDays (within the DR vault lock)")
      .requiredOption("--recovery-point <arn>", "the recovery point ARN in the source vault (see `backup list`)")
      .option("--source <name>", "the source (default: the one whose account the ARN names)")
      .option("--wait", "wait until the copy job ends; exit 1 unless it COMPLETED")
      .addHelpText(
        "after",
        example("redshift-backup --source-profile analytics backup copy --recovery-point arn:aws:redshift:eu-west-2:222222222222:snapshot:analytics-prod/awsbackup:job-1234 --wait"),
      ),
    copy,
  );

  registrar.action<RestoreOptions>(
    group
      .command("restore")
      .description("Restore a copy in the DR vault to a new cluster <project>-restore-<cluster>-<stamp> in the DR subnet group (not publicly accessible)")
      .requiredOption("--recovery-point <arn>", "the recovery point ARN in the DR vault (see `backup list --dr`)")
      .option("--wait", "wait until the restore job ends; exit 1 unless it COMPLETED")
      .option("--iam-role <arn>", "the role AWS Backup restores with (default: AWS Backup's default service role of the DR account)")
      .option("--kms-key-id <key>", "encrypt the restored cluster with this key (e.g. the DR stack's kms_key_arn output)")
      .addHelpText(
        "after",
        [
          "",
          "Runs an AWS Backup restore job: the caller needs backup:StartRestoreJob, backup:DescribeRestoreJob and",
          "iam:PassRole on the restore role, which the DR restore operator role does not have. With that role, use",
          "`restore --cluster <id> --from backup` instead: it restores the same copy through Redshift.",
          example("redshift-backup --dr-profile dr backup restore --recovery-point arn:aws:redshift:eu-west-2:999999999999:snapshot:analytics-prod/awsbackup:copyjob-1234 --wait"),
        ].join("\n"),
      ),
    restore,
  );
};
