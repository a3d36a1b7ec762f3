// `status`: for every configured cluster, how recent its newest restorable state in the DR account is. Native: the
// newest snapshot of ours in the source account, whether the DR account sees it shared, and the age of the newest
// one it sees against the native RPO; for a source in another region than the DR account, the newest of our
// cross-region copies in the DR region (read as the source account there) and whether it is shared. AWS Backup: the newest COMPLETED copy in the DR vault against the backup RPO.
// Restore drills keeping DR-owned copies: the newest available copy and the age of its data (shown, not judged: the
// config gives it no RPO). The same reads as the snapshot manager and the DR monitor (functions/lib), made with the
// operator's credentials.
import type { Command } from "commander";
import { backupRpoHours, drSharedRpoHours, type ClusterConfig, type SourceConfig } from "../../config/estate";
import { drBackupVaultName } from "../../config/names";
import { drOwnedCopyKey, listDrOwnedCopies, newestDrOwnedCopies, type DrOwnedCopy } from "../../functions/lib/dr-owned-copies";
import { ageHours, listOurCopies, listOurSnapshots, listSharedSnapshots, newestByCluster, type SharedSnapshot } from "../../functions/lib/listing";
import { snapshotTime, type Owner } from "../../functions/lib/ownership";
import { newestFirst } from "../../functions/lib/retention";
import { isSharedWithAll } from "../../functions/lib/share";
import { listRedshiftRecoveryPoints, newestCompletedByResource, redshiftClusterArn, type NewestRecoveryPoint } from "../../functions/lib/recovery-points";
import { partitionOf } from "../../functions/lib/restore";
import type { AccountTarget, CliContext } from "../context";
import { describeAwsFailure, EXIT } from "../exit";
import { table } from "../io";
import type { RegisterCommands } from "./index";

interface StatusOptions {
  readonly json?: boolean;
}

/** An age in hours for people: one decimal. */
export const ageText = (hours: number) => `${hours.toFixed(1)} h`;

const round = (n: number) => Math.round(n * 1000) / 1000;

/**
 * Whether the config asks the restore drills to keep a DR-owned copy of the cluster
 * (`sources[].clusters[].drill.drOwnedCopy`).
 */
export function keepsDrOwnedCopy(cluster: ClusterConfig): boolean {
  return cluster.drill?.drOwnedCopy !== undefined;
}

export interface NativeStatus {
  readonly rpoHours: number;
  /** Newest available snapshot of ours in the source account; null when none, undefined when unreadable. */
  readonly sourceNewest?: { readonly id: string; readonly ageHours: number } | null;
  /** Whether the DR account lists that snapshot as shared with it. */
  readonly visibleInDr?: boolean;
  /** Newest snapshot of ours the DR account sees shared: what a restore would use. */
  readonly drNewest?: { readonly id: string; readonly ageHours: number } | null;
  readonly withinRpo: boolean;
}

/**
 * A source in another region than the DR account: the DR account sees only what is shared in its own region, so
 * what counts there are our cross-region copies (sources[].crossRegionCopy).
 */
export interface CopyStatus {
  /** The DR region, where the copies are. */
  readonly region: string;
  /** Whether the config has crossRegionCopy for the source (without it nothing reaches the DR region). */
  readonly configured: boolean;
  /** Newest available copy of ours there, read as the source account; null when none, undefined when unread. */
  readonly newest?: { readonly id: string; readonly ageHours: number; readonly sharedWithDr: boolean } | null;
}

export interface BackupStatus {
  readonly rpoHours: number;
  readonly vaultName: string;
  readonly newest?: { readonly recoveryPointArn: string; readonly ageHours: number } | null;
  readonly withinRpo: boolean;
}

export interface DrOwnedCopyStatus {
  /** Newest available DR-owned copy, with the time and age of its DATA; null when none, undefined when unreadable. */
  readonly newest?: { readonly id: string; readonly dataTime: string; readonly ageHours: number } | null;
}

export interface ClusterStatusLine {
  readonly source: string;
  readonly sourceAccountId: string;
  readonly cluster: string;
  /** null when native snapshots are off for the source. */
  readonly native: NativeStatus | null;
  /** null unless native snapshots are on and the source's region is not the DR region. */
  readonly copy: CopyStatus | null;
  /** null when the source has no AWS Backup copies into a DR vault. */
  readonly backup: BackupStatus | null;
  /** null when the config keeps no DR-owned copy of the cluster (no drill with drOwnedCopy). */
  readonly drOwnedCopy: DrOwnedCopyStatus | null;
  /** Why the cluster is not OK (exit 1): past an RPO, nothing restorable visible in DR, a read that failed. */
  readonly problems: string[];
  /** Worth knowing, not failing: e.g. the newest snapshot not shared yet while an older one is within the RPO. */
  readonly notes: string[];
  readonly ok: boolean;
}

/** One read; its failure is kept as a problem line naming the call, the account and the identity. */
async function read<T>(target: AccountTarget, action: string, problems: string[], fn: () => Promise<T>): Promise<T | undefined> {
  try {
    return await fn();
  } catch (err) {
    problems.push(describeAwsFailure({ account: target.accountId, region: target.region, action, identity: target.identity }, err));
    return undefined;
  }
}

/** The DR account's newest DR-owned copies (keyed by drOwnedCopyKey), or why they could not be read. */
interface DrOwnedCopies {
  readonly newest?: Map<string, DrOwnedCopy>;
  readonly problem?: string;
}

/**
 * Reads of one source: its own snapshots (source account), what DR sees shared, and (given) the DR vault's points
 * and the DR account's DR-owned copies.
 */
async function sourceStatus(
  ctx: CliContext,
  source: SourceConfig,
  vault: { name: string; newest?: Map<string, NewestRecoveryPoint>; problem?: string } | undefined,
  copies: DrOwnedCopies | undefined,
): Promise<ClusterStatusLine[]> {
  const project = ctx.estate.project;
  const now = ctx.io.now();
  const src = ctx.sourceTarget(source);
  const dr = ctx.drTarget();
  const sharedProblems: string[] = [];
  let shared: Map<string, SharedSnapshot> | undefined;
  if (source.native.enabled) {
    const clusters = source.clusters.map((c) => c.identifier);
    const listed = await read(dr, "redshift:DescribeClusterSnapshots", sharedProblems, () =>
      listSharedSnapshots({ redshift: ctx.clients.redshift(dr) }, source.accountId, { snapshotPrefix: project, clusters, managedBy: project }),
    );
    shared = listed && newestByCluster(listed);
  }
  const lines: ClusterStatusLine[] = [];
  for (const cluster of source.clusters) {
    const problems = [...sharedProblems];
    const notes: string[] = [];
    const native = source.native.enabled ? await nativeStatus(ctx, source, cluster, src, shared, { problems, notes }, now) : null;
    const copy = source.native.enabled && source.region !== ctx.estate.dr.region ? await copyStatus(ctx, source, cluster, { problems, notes }, now) : null;
    let backup: BackupStatus | null = null;
    if (vault) {
      const rpoHours = backupRpoHours(source.backup);
      const arn = redshiftClusterArn(partitionOf(source.region), source.region, source.accountId, cluster.identifier);
      const point = vault.newest?.get(arn);
      const newest = vault.newest ? (point ? { recoveryPointArn: point.recoveryPointArn, ageHours: round(ageHours(point.createdAt, now)) } : null) : undefined;
      const withinRpo = !!newest && newest.ageHours <= rpoHours;
      if (vault.problem) problems.push(vault.problem);
      else if (!newest) problems.push(`no COMPLETED recovery point in DR vault ${vault.name}`);
      else if (!withinRpo) problems.push(`newest recovery point in the DR vault is ${ageText(newest.ageHours)} old, past the backup RPO of ${rpoHours} h`);
      backup = { rpoHours, vaultName: vault.name, ...(newest !== undefined ? { newest } : {}), withinRpo };
    }
    const drOwnedCopy = copies && keepsDrOwnedCopy(cluster) ? drOwnedCopyStatus(copies, source, cluster, { problems, notes }, now) : null;
    lines.push({
      source: source.name,
      sourceAccountId: source.accountId,
      cluster: cluster.identifier,
      native,
      copy,
      backup,
      drOwnedCopy,
      problems,
      notes,
      ok: problems.length === 0,
    });
  }
  return lines;
}

async function nativeStatus(
  ctx: CliContext,
  source: SourceConfig,
  cluster: ClusterConfig,
  src: AccountTarget,
  shared: Map<string, SharedSnapshot> | undefined,
  { problems, notes }: { problems: string[]; notes: string[] },
  now: Date,
): Promise<NativeStatus> {
  const rpoHours = drSharedRpoHours(source); // the DR view's: with cross-region copies, of the copies
  const ours = await read(src, "redshift:DescribeClusterSnapshots", problems, () => listOurSnapshots({ redshift: ctx.clients.redshift(src) }, ownerOf(ctx, cluster)));
  let sourceNewest: NativeStatus["sourceNewest"];
  if (ours) {
    const newest = ours
      .filter((s) => s.Status === "available" && snapshotTime(s))
      .reduce<{ id: string; at: Date } | null>((a, s) => {
        const at = snapshotTime(s)!;
        return !a || at > a.at ? { id: s.SnapshotIdentifier!, at } : a;
      }, null);
    sourceNewest = newest && { id: newest.id, ageHours: round(ageHours(newest.at, now)) };
  }
  const seen = shared?.get(cluster.identifier);
  const drNewest = shared ? (seen ? { id: seen.snapshotIdentifier, ageHours: round(ageHours(seen.createdAt, now)) } : null) : undefined;
  const visibleInDr = sourceNewest && drNewest !== undefined ? drNewest?.id === sourceNewest.id : undefined;
  const withinRpo = !!drNewest && drNewest.ageHours <= rpoHours;
  if (sourceNewest === null) notes.push("no available snapshot of ours in the source account");
  if (visibleInDr === false) notes.push(`the newest snapshot ${sourceNewest!.id} is not (yet) shared with the DR account`);
  if (drNewest === null) problems.push("the DR account sees no shared snapshot of ours");
  else if (drNewest && !withinRpo) problems.push(`newest snapshot the DR account sees is ${ageText(drNewest.ageHours)} old, past the native RPO of ${rpoHours} h`);
  return {
    rpoHours,
    ...(sourceNewest !== undefined ? { sourceNewest } : {}),
    ...(visibleInDr !== undefined ? { visibleInDr } : {}),
    ...(drNewest !== undefined ? { drNewest } : {}),
    withinRpo,
  };
}

const ownerOf = (ctx: CliContext, cluster: ClusterConfig): Owner => ({
  managedBy: ctx.estate.project,
  clusterIdentifier: cluster.identifier,
  snapshotPrefix: ctx.estate.project,
});

/**
 * The newest of our cross-region copies of the cluster in the DR region, read as the source account (the copies are
 * its snapshots there), and whether the DR account may restore it. No copy region configured, or no copy there,
 * is a problem: the DR account then sees nothing new of this cluster.
 */
async function copyStatus(
  ctx: CliContext,
  source: SourceConfig,
  cluster: ClusterConfig,
  { problems, notes }: { problems: string[]; notes: string[] },
  now: Date,
): Promise<CopyStatus> {
  const region = ctx.estate.dr.region;
  if (!source.crossRegionCopy) {
    problems.push(
      `the source is in ${source.region}, the DR account in ${region}, and the config has no crossRegionCopy for source ${source.name}: ` +
        `the DR account sees only snapshots shared in ${region}`,
    );
    return { region, configured: false };
  }
  const target = ctx.sourceTarget(source, region);
  const copies = await read(target, "redshift:DescribeClusterSnapshots", problems, () => listOurCopies({ redshift: ctx.clients.redshift(target) }, ownerOf(ctx, cluster)));
  if (!copies) return { region, configured: true };
  const copy = newestFirst(copies.filter((c) => c.Status === "available"))[0];
  if (!copy) {
    problems.push(`no available copy of ours in ${region}: Redshift has not copied a snapshot of ${cluster.identifier} from ${source.region} there`);
    return { region, configured: true, newest: null };
  }
  const newest = { id: copy.SnapshotIdentifier!, ageHours: round(ageHours(snapshotTime(copy)!, now)), sharedWithDr: isSharedWithAll(copy, [ctx.estate.dr.accountId]) };
  if (!newest.sharedWithDr) notes.push(`the newest copy ${newest.id} in ${region} is not (yet) shared with the DR account`);
  return { region, configured: true, newest };
}

/** The cluster's newest DR-owned copy. None is a note, not a problem: the config gives DR-owned copies no RPO. */
function drOwnedCopyStatus(
  copies: DrOwnedCopies,
  source: SourceConfig,
  cluster: ClusterConfig,
  { problems, notes }: { problems: string[]; notes: string[] },
  now: Date,
): DrOwnedCopyStatus {
  if (copies.problem) problems.push(copies.problem);
  if (!copies.newest) return {};
  const copy = copies.newest.get(drOwnedCopyKey(source.accountId, cluster.identifier));
  if (!copy) notes.push("no available DR-owned copy in the DR account (a passed restore drill keeps one)");
  return { newest: copy ? { id: copy.snapshotIdentifier, dataTime: copy.dataTime.toISOString(), ageHours: round(ageHours(copy.dataTime, now)) } : null };
}

/** Whether any configured cluster keeps DR-owned copies: only then are the DR account's own snapshots listed. */
const anyDrOwnedCopies = (ctx: CliContext) => ctx.estate.sources.some((s) => s.clusters.some(keepsDrOwnedCopy));

/** Every configured cluster's status, in config order. */
export async function collectStatus(ctx: CliContext): Promise<ClusterStatusLine[]> {
  const estate = ctx.estate;
  const dr = ctx.drTarget();
  const backedUp = estate.dr.backup ? estate.sources.filter((s) => s.backup.enabled) : [];
  let vault: { name: string; newest?: Map<string, NewestRecoveryPoint>; problem?: string } | undefined;
  if (backedUp.length > 0) {
    const name = drBackupVaultName(estate.project, estate.dr.backup!.vaultName);
    const problems: string[] = [];
    const points = await read(dr, "backup:ListRecoveryPointsByBackupVault", problems, () => listRedshiftRecoveryPoints({ backup: ctx.clients.backup(dr) }, name));
    vault = { name, ...(points ? { newest: newestCompletedByResource(points) } : { problem: problems[0] }) };
  }
  let copies: DrOwnedCopies | undefined;
  if (anyDrOwnedCopies(ctx)) {
    const problems: string[] = [];
    const listed = await read(dr, "redshift:DescribeClusterSnapshots", problems, () =>
      listDrOwnedCopies({ redshift: ctx.clients.redshift(dr) }, { snapshotPrefix: estate.project, managedBy: estate.project }),
    );
    copies = listed ? { newest: newestDrOwnedCopies(listed) } : { problem: problems[0] };
  }
  const lines: ClusterStatusLine[] = [];
  for (const source of estate.sources) lines.push(...(await sourceStatus(ctx, source, backedUp.includes(source) ? vault : undefined, copies)));
  return lines;
}

const age = (v: { ageHours: number } | null | undefined, old = "") => (v === undefined ? "unreadable" : v === null ? "none" : `${ageText(v.ageHours)}${old}`);
const cell = (v: { ageHours: number } | null | undefined, rpo: number) => `${age(v)} / ${rpo} h`;
const against = (v: { ageHours: number } | null | undefined, rpo: number) => `${age(v, " old")} (RPO ${rpo} h)`;
const yesNo = (v: boolean | undefined) => (v === undefined ? "?" : v ? "yes" : "no");

/** A DR-owned copy for people: its id and the age of its data. */
const copyText = (v: DrOwnedCopyStatus["newest"]) => (v ? `${v.id} (data ${ageText(v.ageHours)} old)` : age(v));

/** A cross-region copy for people: its id, age and whether DR may restore it. */
const regionCopyText = (c: CopyStatus) =>
  !c.configured ? "not configured" : c.newest ? `${c.newest.id} (${ageText(c.newest.ageHours)} old, shared ${yesNo(c.newest.sharedWithDr)})` : age(c.newest);

function tableRows(lines: readonly ClusterStatusLine[]): string[] {
  // The DR-owned copy column only when the config keeps such copies: other estates see the table as before.
  const copies = lines.some((l) => l.drOwnedCopy);
  const regionCopies = lines.some((l) => l.copy); // likewise only when a source is in another region than DR
  return table(
    [
      "CLUSTER",
      "SOURCE",
      "NEWEST SNAPSHOT",
      "AGE",
      ...(regionCopies ? ["COPY IN DR REGION"] : []),
      "DR SEES IT",
      "DR NEWEST / RPO",
      "VAULT NEWEST / RPO",
      ...(copies ? ["DR-OWNED COPY"] : []),
      "STATUS",
    ],
    lines.map((l) => {
      const n = l.native;
      const src = n?.sourceNewest;
      return [
        l.cluster,
        `${l.source} (${l.sourceAccountId})`,
        !n ? "native off" : src === undefined ? "unreadable" : src === null ? "none" : src.id,
        src ? ageText(src.ageHours) : "-",
        ...(regionCopies ? [l.copy ? regionCopyText(l.copy) : "-"] : []),
        n ? yesNo(n.visibleInDr) : "-",
        n ? cell(n.drNewest, n.rpoHours) : "-",
        l.backup ? cell(l.backup.newest, l.backup.rpoHours) : "-",
        ...(copies ? [l.drOwnedCopy ? copyText(l.drOwnedCopy.newest) : "-"] : []),
        l.ok ? "ok" : "PROBLEM",
      ];
    }),
  );
}

function plainLine(l: ClusterStatusLine): string {
  const parts = [`${l.cluster} (source ${l.source}, ${l.sourceAccountId}): ${l.ok ? "ok" : "PROBLEM"}`];
  const n = l.native;
  if (n) {
    const src = n.sourceNewest;
    parts.push(
      `newest snapshot ${src ? `${src.id} ${ageText(src.ageHours)} old` : age(src)}`,
      ...(l.copy ? [`copy in ${l.copy.region} ${regionCopyText(l.copy)}`] : []),
      `DR sees it ${yesNo(n.visibleInDr)}`,
      `DR newest ${against(n.drNewest, n.rpoHours)}`,
    );
  }
  if (l.backup) parts.push(`vault newest ${against(l.backup.newest, l.backup.rpoHours)}`);
  if (l.drOwnedCopy) parts.push(`DR-owned copy ${copyText(l.drOwnedCopy.newest)}`);
  return parts.join("; ");
}

async function statusAction(ctx: CliContext, options: StatusOptions): Promise<number> {
  for (const source of ctx.estate.sources) {
    ctx.announce(ctx.sourceTarget(source), "status: reading our snapshots");
    if (source.native.enabled && source.crossRegionCopy && source.region !== ctx.estate.dr.region) {
      ctx.announce(ctx.sourceTarget(source, ctx.estate.dr.region), "status: reading our cross-region copies");
    }
  }
  const drReads = ["shared snapshots", ...(ctx.estate.dr.backup ? ["the DR vault"] : []), ...(anyDrOwnedCopies(ctx) ? ["DR-owned copies"] : [])];
  ctx.announce(ctx.drTarget(), `status: reading ${drReads.slice(0, -1).join(", ")}${drReads.length > 1 ? " and " : ""}${drReads[drReads.length - 1]}`);
  const lines = await collectStatus(ctx);
  const ok = lines.every((l) => l.ok);
  if (options.json) {
    ctx.io.out(JSON.stringify({ checkedAt: ctx.io.now().toISOString(), ok, clusters: lines }, null, 2));
  } else if (ctx.io.isTTY) {
    for (const row of tableRows(lines)) ctx.io.out(row);
  } else {
    for (const l of lines) ctx.io.out(plainLine(l));
  }
  if (!options.json) {
    for (const l of lines) {
      for (const p of l.problems) ctx.io.err(`${l.cluster}: ${p}`);
      for (const n of l.notes) ctx.io.err(`${l.cluster}: note: ${n}`);
    }
  }
  return ok ? EXIT.ok : EXIT.failed;
}

export const registerStatusCommand: RegisterCommands = (program: Command, registrar) => {
  const command = program
    .command("status")
    .description(
      "For every configured cluster: the newest snapshot in the source account, for a source in another region the newest copy in the DR region " +
        "and whether it is shared, whether the DR account sees it, its age against the RPO, " +
        "the newest recovery point in the DR vault, and (when restore drills keep them) the newest DR-owned copy with the age of its data. " +
        "Exit 1 when a cluster is past its RPO or could not be read.",
    )
    .option("--json", "one JSON document on stdout, for pipelines")
    .addHelpText(
      "after",
      [
        "",
        "Example:",
        "  $ redshift-backup --source-profile prod --dr-profile dr status",
        "  $ redshift-backup --use-config-roles status --json | jq '.clusters[] | select(.ok | not)'",
      ].join("\n"),
    );
  registrar.action<StatusOptions>(command, (ctx, options) => statusAction(ctx, options));
};
