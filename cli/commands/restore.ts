// `restore`: restores a configured source cluster in the DR account, through the same core as the restore drills
// (functions/lib/restore.ts): the newest of the snapshot the source shares, the copy in the DR vault and (when the
// config keeps them, or with --from drcopy) the DR-owned copy a restore drill kept, into
// `<project>-restore-<cluster>-<stamp>` in the DR subnet group, encrypted with the DR key, never public.
import { InvalidArgumentError, Option, type Command } from "commander";
import { drDataKeyAliasArn, drRestoreNetworkName, restoredClusterPrefix } from "../../stacks/names";
import { sharedSnapshotKeyArn } from "../../config/cross-region-rules";
import { drBackupVaultName } from "../../config/names";
import { ageHours } from "../../functions/lib/listing";
import { findRestoreSecurityGroup, partitionOf, restoreCluster, RestoreCallError, RestoreError, restoreTargetProblem, type RecoveryPoint, type RestoreResult } from "../../functions/lib/restore";
import type { CliContext } from "../context";
import { AwsCallError, EXIT, UsageError } from "../exit";
import { progress, type Progress } from "../io";
import type { RegisterCommands } from "./index";
import { ageText, keepsDrOwnedCopy } from "./status";

interface RestoreOptions {
  readonly cluster: string;
  readonly snapshot?: string;
  readonly from?: "shared" | "backup" | "drcopy";
  readonly target?: string;
  readonly kmsKeyId?: string;
  readonly securityGroupId?: string[];
  readonly wait?: boolean;
  readonly pollSeconds: number;
  readonly timeoutMinutes: number;
  readonly json?: boolean;
}

const positive = (what: string) => (value: string) => {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError(`${what} must be a number of 0 or more`);
  return n;
};

function describePoint(p: RecoveryPoint, now: Date): string {
  const what =
    p.kind === "shared"
      ? `snapshot shared by account ${p.ownerAccountId}`
      : p.kind === "backup"
        ? `recovery point in the DR vault (account ${p.ownerAccountId})`
        : `DR-owned copy (account ${p.ownerAccountId}) of drill cluster ${p.snapshotClusterIdentifier}`;
  // A DR-owned copy's createdAt is when its data was taken (the copy itself is younger): say so.
  const when = p.kind === "drcopy" ? "data from" : "created";
  return `${p.snapshotArn ?? p.snapshotIdentifier}: ${what}, ${when} ${p.createdAt.toISOString()}, ${ageText(ageHours(p.createdAt, now))} old`;
}

async function restoreAction(ctx: CliContext, o: RestoreOptions): Promise<number> {
  const estate = ctx.estate;
  const { source, cluster } = ctx.cluster(o.cluster);
  const prefix = restoredClusterPrefix(estate);
  if (o.target !== undefined) {
    const problem = restoreTargetProblem(o.target, prefix);
    if (problem) throw new UsageError(`--target ${JSON.stringify(o.target)} ${problem}`);
  }
  const vaultName = estate.dr.backup && source.backup.enabled ? drBackupVaultName(estate.project, estate.dr.backup.vaultName) : undefined;
  if (o.from === "backup" && !vaultName) {
    throw new UsageError(`--from backup: source ${source.name} has no AWS Backup copies into a DR vault (sources[].backup.enabled and dr.backup in ${ctx.configFile})`);
  }

  const dr = ctx.drTarget();
  const io = ctx.io;
  ctx.announce(dr, `restore ${cluster.identifier} (source ${source.name}, account ${source.accountId})`);
  const kmsKeyId = o.kmsKeyId ?? drDataKeyAliasArn(estate, partitionOf(dr.region));
  const subnetGroupName = drRestoreNetworkName(estate);
  const securityGroups = o.securityGroupId?.length ? o.securityGroupId : await restoreSecurityGroup(ctx, dr, subnetGroupName);
  let waiting: Progress | undefined;
  const say = (line: string) => (o.json ? io.err(line) : io.out(line));
  let result: RestoreResult;
  try {
    result = await restoreCluster(
      {
        redshift: ctx.clients.redshift(dr),
        ...(vaultName ? { backup: ctx.clients.backup(dr) } : {}),
        kms: ctx.clients.kms(dr),
        clock: { now: () => io.now() },
      },
      {
        source: { accountId: source.accountId, region: source.region, clusterIdentifier: cluster.identifier, ...keyOf(sharedSnapshotKeyArn(source, cluster)) },
        drAccountId: dr.accountId,
        snapshotPrefix: estate.project,
        managedBy: estate.project,
        project: estate.project,
        ...(vaultName ? { vaultName } : {}),
        ...(o.from ? { from: o.from } : {}),
        // The DR account's own copies are listed only when the config keeps them (or --from drcopy asks for them).
        ...(keepsDrOwnedCopy(cluster) ? { drOwnedCopies: true } : {}),
        ...(o.snapshot ? { snapshot: o.snapshot } : {}),
        ...(o.target ? { targetClusterIdentifier: o.target } : {}),
        subnetGroupName,
        kmsKeyId,
        ...(securityGroups?.length ? { vpcSecurityGroupIds: securityGroups } : {}),
        ...(o.wait
          ? {
              wait: {
                pollSeconds: o.pollSeconds,
                timeoutMinutes: o.timeoutMinutes,
                onProgress: (state: string) => waiting?.update(state),
              },
            }
          : {}),
      },
      {
        chosen: (point, target) => {
          say(`recovery point: ${describePoint(point, io.now())}`);
          say(`new cluster: ${target}`);
        },
        warning: (message) => io.err(`warning: ${message}`),
        started: (target, status) => {
          io.err(`restore started: ${target} is ${status ?? "creating"}`);
          waiting = o.wait ? progress(io, `restore ${target}`) : undefined;
        },
      },
    );
  } catch (e) {
    waiting?.done("failed");
    const where = { account: dr.accountId, region: dr.region, identity: dr.identity };
    if (e instanceof RestoreCallError) {
      const err = new AwsCallError({ ...where, action: e.action }, e.cause);
      if (e.note) err.message += `; ${e.note}`;
      throw err;
    }
    if (e instanceof RestoreError) {
      io.err(`error: restore of ${cluster.identifier} in account ${dr.accountId} (${dr.region}) as ${dr.identity}: ${e.message}`);
      return EXIT.failed;
    }
    throw e;
  }

  const available = result.available;
  if (available) waiting?.done("available");
  if (o.json) {
    const p = result.recoveryPoint;
    io.out(
      JSON.stringify(
        {
          recoveryPoint: { ...p, createdAt: p.createdAt.toISOString(), ageHours: Math.round(result.ageHours * 1000) / 1000 },
          cluster: result.clusterIdentifier,
          account: dr.accountId,
          region: dr.region,
          startedAt: result.startedAt.toISOString(),
          ...(available ? { endpoint: { address: available.address, port: available.port }, secondsToAvailable: available.secondsToAvailable } : {}),
        },
        null,
        2,
      ),
    );
  } else if (available) {
    io.out(`endpoint: ${available.address}:${available.port}`);
    io.out(`available after ${available.secondsToAvailable} s`);
  } else {
    io.out(`not waiting: follow it with aws redshift describe-clusters --cluster-identifier ${result.clusterIdentifier}`);
  }
  return EXIT.ok;
}

export const registerRestoreCommand: RegisterCommands = (program: Command, registrar) => {
  const command = program
    .command("restore")
    .description(
      "Restore a source cluster in the DR account from the newest snapshot its source shares, the newest recovery point in the DR vault " +
        "or (when restore drills keep them) the DR-owned copy with the newest data, " +
        "into <project>-restore-<cluster>-<yyyymmddthhmmz> (DR subnet group, DR key, not publicly accessible)",
    )
    .requiredOption("--cluster <id>", "the source cluster, as the config names it")
    .option("--snapshot <id>", "restore this one: a shared snapshot's id, a recovery point's ARN (or its awsbackup:... id), or a DR-owned copy's id (<project>-drcopy-...)")
    .addOption(
      new Option(
        "--from <kind>",
        "only consider shared snapshots, recovery points of the DR vault, or DR-owned copies of restore drills (default: the newest of all the config keeps)",
      ).choices(["shared", "backup", "drcopy"]),
    )
    .option("--target <name>", "the new cluster's identifier; must start with <project>-restore-")
    .option("--kms-key-id <arn>", "the DR key's ARN (default: alias/<project>-dr-redshift, resolved with kms:DescribeKey)")
    .option("--security-group-id <id...>", "VPC security groups of the new cluster (default: the DR stack's restore group <project>-dr-redshift in the subnet group's VPC)")
    .option("--wait", "wait until the cluster is available; print its endpoint and the time it took")
    .option("--poll-seconds <n>", "with --wait: seconds between checks", positive("--poll-seconds"), 30)
    .option("--timeout-minutes <n>", "with --wait: give up waiting after this long (the restore goes on)", positive("--timeout-minutes"), 180)
    .option("--json", "print the result as one JSON document on stdout")
    .addHelpText(
      "after",
      [
        "",
        "Examples:",
        "  $ redshift-backup --dr-profile dr restore --cluster analytics-prod --wait",
        "  $ redshift-backup --use-config-roles restore --cluster analytics-prod --from backup --target rsdr-restore-drill --json",
        "  $ redshift-backup --dr-profile dr restore --cluster analytics-prod --from drcopy --wait",
      ].join("\n"),
    );
  registrar.action<RestoreOptions>(command, (ctx, options) => restoreAction(ctx, options));
};

/**
 * The DR stack's restore security group (named like the subnet group, `<project>-dr-redshift`, in its VPC), so the
 * restored cluster does not land in the VPC's default group. A failed lookup is a warning, not a stop: the restore
 * matters more than its network placement, which the operator can change afterwards.
 */
async function restoreSecurityGroup(ctx: CliContext, dr: ReturnType<CliContext["drTarget"]>, subnetGroupName: string): Promise<string[] | undefined> {
  try {
    const id = await findRestoreSecurityGroup({ redshift: ctx.clients.redshift(dr), ec2: ctx.clients.ec2(dr) }, subnetGroupName, subnetGroupName);
    if (id) return [id];
    ctx.io.err(`warning: no security group ${subnetGroupName} in the VPC of subnet group ${subnetGroupName}: the new cluster gets the VPC's default group (pass --security-group-id)`);
  } catch (e) {
    ctx.io.err(`warning: could not look up the restore security group (${(e as Error).message}): the new cluster gets the VPC's default group (pass --security-group-id)`);
  }
  return undefined;
}

const keyOf = (kmsKeyArn: string | undefined) => (kmsKeyArn ? { kmsKeyArn } : {});
