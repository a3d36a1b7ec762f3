// Checks of a cluster's restore drill against the rest of the estate (the schema checks each field on its own).
import { drillsVariableLength, MAX_DRILLS_VARIABLE, type DrillTarget } from "../contract";
import type { ClusterConfig, Estate, SourceConfig } from "./estate";
import { backupRpoHours } from "./backup-rules";
import { drSharedRpoHours } from "./cross-region-rules";
import type { AddIssue } from "./rules";

/**
 * The DR-owned copy's RPO. Its age is that of its data, which was already as old as the restored recovery point when
 * the drill started: a drill every everyHours, one that may take maxLifetimeHours, plus the RPO of what it restores
 * (the smaller of the two kinds for "newest", since the newest of both is restored).
 */
export function drOwnedCopyRpoHours(drill: NonNullable<ClusterConfig["drill"]>, source: SourceConfig): number {
  if (drill.drOwnedCopy?.rpoHours !== undefined) return drill.drOwnedCopy.rpoHours;
  const shared = source.native.enabled ? drSharedRpoHours(source) : Infinity;
  const backup = source.backup.enabled ? backupRpoHours(source.backup) : Infinity;
  const restored = drill.from === "shared" ? shared : drill.from === "backup" ? backup : Math.min(shared, backup);
  return drill.everyHours + drill.maxLifetimeHours + (Number.isFinite(restored) ? restored : 0);
}

/** Refuses drills that would not fit the drill function's environment, naming the last drilled cluster's tables. */
export function checkDrillsFit(estate: Estate, add: AddIssue): void {
  const drilled = estate.sources.flatMap((s, i) => s.clusters.map((c, j) => ({ s, c, i, j }))).filter((x) => x.c.drill);
  if (drilled.length === 0) return;
  const length = drillsVariableLength(drilled.map(({ s, c }) => drillTargetOf(s, c, "aws", "key")));
  if (length > MAX_DRILLS_VARIABLE) {
    const last = drilled[drilled.length - 1];
    add(
      ["sources", last.i, "clusters", last.j, "drill", "tables"],
      `makes the drill function's DRILLS variable about ${length} characters long, over the ${MAX_DRILLS_VARIABLE} it may use ` +
        "(Lambda allows 4 KB of environment in all): name fewer or shorter tables, or drill fewer clusters",
    );
  }
}

export function checkDrill(estate: Estate, source: SourceConfig, cluster: ClusterConfig, path: (string | number)[], add: AddIssue): void {
  const drill = cluster.drill!;
  const at = (field: string) => [...path, "drill", field];
  if (drill.maxLifetimeHours > drill.everyHours) {
    add(at("maxLifetimeHours"), `is longer than everyHours (${drill.everyHours}): a drill could still run when the next is due`);
  }
  if (drill.from === "shared" && !source.native.enabled) {
    add(at("from"), `is "shared", but the source has native sharing off: there are no shared snapshots to drill; use "backup" or turn native on`);
  }
  if (drill.from === "backup" && !(source.backup.enabled && estate.dr.backup)) {
    add(at("from"), `is "backup", but the source does not copy into a DR vault (backup.enabled and dr.backup): there is nothing to drill; use "shared"`);
  }
  if (!source.native.enabled && !source.backup.enabled) {
    add([...path, "drill"], "is set, but the source neither shares snapshots nor copies them with AWS Backup: there is nothing to restore in DR");
  }
}

/**
 * The drill of one configured cluster as the restore-drill function takes it (contract DrillTarget). The DR stack
 * passes the created cluster's key ARN (from the source stack's state); the CLI passes the config's, if any.
 */
export function drillTargetOf(source: SourceConfig, cluster: ClusterConfig, drPartition: string, kmsKeyArn?: string): DrillTarget {
  const drill = cluster.drill!;
  return {
    accountId: source.accountId,
    region: source.region,
    partition: drPartition,
    clusterIdentifier: cluster.identifier,
    ...(kmsKeyArn ? { kmsKeyArn } : {}),
    everyHours: drill.everyHours,
    maxLifetimeHours: drill.maxLifetimeHours,
    from: drill.from,
    ...(drill.nodeType ? { nodeType: drill.nodeType } : {}),
    ...(drill.numberOfNodes ? { numberOfNodes: drill.numberOfNodes } : {}),
    database: drill.database ?? cluster.create?.databaseName ?? "dev",
    tables: drill.tables,
    ...(drill.drOwnedCopy ? { drOwnedCopy: { retentionDays: drill.drOwnedCopy.retentionDays, keepLatest: drill.drOwnedCopy.keepLatest } } : {}),
  };
}
