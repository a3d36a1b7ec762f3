// Checks of a cluster's restore drill against the rest of the estate (the schema checks each field on its own).
import type { DrillTarget } from "../contract";
import type { ClusterConfig, Estate, SourceConfig } from "./estate";
import type { AddIssue } from "./rules";

/** The DR-owned copy's RPO: a drill every everyHours, one that may take maxLifetimeHours, and 2 h of slack. */
export const drOwnedCopyRpoHours = (drill: NonNullable<ClusterConfig["drill"]>) =>
  drill.drOwnedCopy?.rpoHours ?? drill.everyHours + drill.maxLifetimeHours + 2;

export function checkDrill(estate: Estate, source: SourceConfig, cluster: ClusterConfig, path: (string | number)[], add: AddIssue): void {
  const drill = cluster.drill!;
  const at = (field: string) => [...path, "drill", field];
  if (drill.maxLifetimeHours > drill.everyHours) {
    add(at("maxLifetimeHours"), `(${drill.maxLifetimeHours}) is longer than everyHours (${drill.everyHours}): a drill could still run when the next is due`);
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
  if (source.backup.enabled && !source.native.enabled && source.region !== estate.dr.region) {
    add([...path, "drill"], `is set, but the cluster's copies are in ${source.region}, not in the DR region ${estate.dr.region}: drills run in the DR region`);
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
