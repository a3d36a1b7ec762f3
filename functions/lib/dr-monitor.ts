/**
 * DR-account side: how old is the newest restorable copy of each source cluster in this account? Per
 * (SourceAccount, ClusterIdentifier), by the approaches its SOURCES entry names:
 * - "native": the newest snapshot the source has shared with us, NewestSharedSnapshotAgeHours;
 * - "backup": the newest COMPLETED recovery point of the cluster in the DR vault, NewestRecoveryPointAgeHours;
 * - "drcopy": the newest available DR-owned copy the restore drills keep, NewestDrOwnedCopyAgeHours: the age of its
 *   DATA (rsdr:data-time), not of the snapshot.
 * A cluster watched several ways gets each metric. For a cluster with nothing visible nothing is published: the RPO alarms treat
 * missing data as breaching, so "nothing visible in DR" alarms exactly like "too old".
 */
import type { BackupClient } from "@aws-sdk/client-backup";
import type { RedshiftClient } from "@aws-sdk/client-redshift";
import type { SNSClient } from "@aws-sdk/client-sns";
import { DR_MONITOR_METRICS, METRIC_DIMENSIONS, usesApproach, type DrApproach } from "../../contract";
import { drOwnedCopyKey, listDrOwnedCopies, newestDrOwnedCopies } from "./dr-owned-copies";
import { classifyError, errorMessage } from "./errors";
import { ageHours, listSharedSnapshots, newestByCluster, type RedshiftContext } from "./listing";
import type { MetricPoint, MetricsSink } from "./metrics";
import { listRedshiftRecoveryPoints, newestCompletedByResource, redshiftClusterArn } from "./recovery-points";
import { attemptReport, failureAlert, publishAlert, round } from "./report";
import type { Clock, Logger } from "./runtime";
import { drMonitorProblems, SettingsError, type DrMonitorSettings } from "./settings";

export interface DrMonitorDeps {
  readonly redshift: RedshiftClient;
  /** Reads the DR vault; required when a source uses approach "backup". */
  readonly backup?: BackupClient;
  /** Where the ages go (Lambda: EMF on stdout). @default none: no metrics */
  readonly metrics?: MetricsSink;
  readonly sns?: SNSClient;
  readonly clock: Clock;
  readonly log: Logger;
}

/** Approach "native": one source cluster's newest shared snapshot. */
export interface DrClusterResult {
  readonly sourceAccountId: string;
  readonly clusterIdentifier: string;
  /** null when no shared snapshot of ours is visible (nothing is published: missing data breaches). */
  readonly newestSnapshotId: string | null;
  readonly newestAgeHours: number | null;
  readonly failed: boolean;
  readonly error?: string;
}

/** Approach "backup": one source cluster's newest completed recovery point in the DR vault. */
export interface DrBackupClusterResult {
  readonly sourceAccountId: string;
  readonly clusterIdentifier: string;
  /** The source cluster's ARN, which its copies in the DR vault carry as ResourceArn. */
  readonly resourceArn: string;
  /** null when the vault holds no completed recovery point of the cluster (nothing is published: missing data breaches). */
  readonly newestRecoveryPointArn: string | null;
  readonly newestAgeHours: number | null;
  readonly failed: boolean;
  readonly error?: string;
}

/** Approach "drcopy": one source cluster's newest available DR-owned copy. */
export interface DrOwnedCopyClusterResult {
  readonly sourceAccountId: string;
  readonly clusterIdentifier: string;
  /** null when this account holds no available DR-owned copy of the cluster (nothing is published: missing data breaches). */
  readonly newestCopyId: string | null;
  /** When the copy's data was taken (rsdr:data-time, ISO 8601); null with no copy. */
  readonly newestDataTime: string | null;
  /** Age of that data, not of the snapshot. */
  readonly newestAgeHours: number | null;
  readonly failed: boolean;
  readonly error?: string;
}

export interface DrMonitorReport {
  /** Approach "native", one per (source account, cluster). */
  readonly clusters: DrClusterResult[];
  /** Approach "backup", one per (source account, cluster). */
  readonly backupClusters: DrBackupClusterResult[];
  /** Approach "drcopy", one per (source account, cluster). */
  readonly drOwnedCopyClusters: DrOwnedCopyClusterResult[];
  /**
   * Accounts of which something could not be read: their shared snapshots, the vault their copies go to, or this
   * account's own snapshots (the DR-owned copies).
   */
  readonly failedSources: string[];
  readonly metrics: "published" | "skipped" | "failed";
  readonly alert: "published" | "not-needed" | "skipped" | "failed";
  readonly reportingErrors: string[];
}

/** What went wrong, per source account (in the order found). */
type Failures = Map<string, string[]>;

function addFailure(failures: Failures, accountId: string, line: string): void {
  failures.set(accountId, [...(failures.get(accountId) ?? []), line]);
}

function describeError(err: unknown): string {
  const c = classifyError(err);
  return `${c.kind}/${c.code}${c.quota ? ` [quota: ${c.quota}]` : ""}: ${errorMessage(err)}`;
}

/**
 * One run of the DR monitor, every approach (the name is older than AWS Backup). Each native source account is one
 * paginated listing, the vault one more, and this account's own snapshots one more; a failing listing fails its
 * sources only, and the run goes on.
 */
export async function monitorSharedSnapshots(deps: DrMonitorDeps, settings: DrMonitorSettings): Promise<DrMonitorReport> {
  const problems = drMonitorProblems(settings);
  if (problems.length) throw new SettingsError(problems);
  if (!deps.backup && settings.sources.some((s) => usesApproach(s, "backup"))) {
    throw new Error('DR monitor: a source uses approach "backup", but no Backup client was given');
  }

  const failures: Failures = new Map();
  const clusters = await checkSharedSnapshots(deps, settings, failures);
  const backupClusters = await checkRecoveryPoints(deps, settings, failures);
  const drOwnedCopyClusters = await checkDrOwnedCopies(deps, settings, failures);

  const noneNote = (what: string) => `${what}; no metric published (alarm breaches on missing data)`;
  for (const c of clusters) logChecked(deps.log, "native", c, noneNote("no shared snapshot visible"));
  for (const c of backupClusters) logChecked(deps.log, "backup", c, noneNote("no completed recovery point in the DR vault"));
  for (const c of drOwnedCopyClusters) logChecked(deps.log, "drcopy", c, noneNote("no available DR-owned copy in this account"));

  const now = deps.clock.now();
  // Nothing is published for a cluster without a visible copy (or whose listing failed): the alarms are
  // configured to treat missing data as breaching.
  const agePoints = (name: string, results: readonly AgeResult[]): MetricPoint[] =>
    results
      .filter((c) => c.newestAgeHours !== null)
      .map((c) => ({
        name,
        unit: "None",
        value: c.newestAgeHours!,
        dimensions: { [METRIC_DIMENSIONS.sourceAccount]: c.sourceAccountId, [METRIC_DIMENSIONS.cluster]: c.clusterIdentifier },
      }));
  const points = [
    ...agePoints(DR_MONITOR_METRICS.newestSharedSnapshotAgeHours, clusters),
    ...agePoints(DR_MONITOR_METRICS.newestRecoveryPointAgeHours, backupClusters),
    ...agePoints(DR_MONITOR_METRICS.newestDrOwnedCopyAgeHours, drOwnedCopyClusters),
  ];

  const reportingErrors: string[] = [];
  let metrics: DrMonitorReport["metrics"] = "skipped";
  if (points.length > 0 && deps.metrics) {
    const sink = deps.metrics;
    metrics = await attemptReport("metrics", reportingErrors, () => sink(points, now), { log: deps.log, event: "metrics-not-published" });
  }

  let alert: DrMonitorReport["alert"] = failures.size === 0 ? "not-needed" : "skipped";
  if (failures.size > 0 && settings.alertTopicArn && deps.sns) {
    const message = failureAlert({
      title: "Redshift DR monitor",
      total: new Set(settings.sources.map((s) => s.accountId)).size,
      failures: [...failures].map(([account, lines]) => ({ name: `source account ${account}`, lines })),
      context: { run: now.toISOString() },
    });
    const [sns, topic] = [deps.sns, settings.alertTopicArn];
    alert = await attemptReport("SNS Publish", reportingErrors, () => publishAlert(sns, topic, message));
  }
  return { clusters, backupClusters, drOwnedCopyClusters, failedSources: [...failures.keys()], metrics, alert, reportingErrors };
}

type AgeResult = Pick<DrClusterResult, "sourceAccountId" | "clusterIdentifier" | "newestAgeHours" | "failed">;

function logChecked(log: Logger, approach: DrApproach, c: AgeResult, noneNote: string): void {
  const fields = { approach, ...c };
  if (c.failed) log.error("dr-cluster-checked", fields);
  else if (c.newestAgeHours === null) log.warn("dr-cluster-checked", { ...fields, note: noneNote });
  else log.info("dr-cluster-checked", fields);
}

/** Approach "native": one paginated listing per source account, one after the other; a failing one does not stop the rest. */
async function checkSharedSnapshots(deps: DrMonitorDeps, settings: DrMonitorSettings, failures: Failures): Promise<DrClusterResult[]> {
  const ctx: RedshiftContext = { redshift: deps.redshift };
  // An account may have several native entries: it is listed once, for all their clusters.
  const byAccount = new Map<string, string[]>();
  for (const s of settings.sources.filter((x) => usesApproach(x, "native"))) byAccount.set(s.accountId, [...(byAccount.get(s.accountId) ?? []), ...s.clusters]);

  const results: DrClusterResult[] = [];
  for (const [accountId, clusters] of byAccount) {
    try {
      const newest = newestByCluster(
        await listSharedSnapshots(ctx, accountId, { snapshotPrefix: settings.snapshotPrefix, clusters, managedBy: settings.managedBy }),
      );
      const now = deps.clock.now();
      for (const cluster of clusters) {
        const snap = newest.get(cluster);
        results.push({
          sourceAccountId: accountId,
          clusterIdentifier: cluster,
          newestSnapshotId: snap?.snapshotIdentifier ?? null,
          newestAgeHours: snap ? round(ageHours(snap.createdAt, now), 3) : null,
          failed: false,
        });
      }
    } catch (err) {
      const error = describeError(err);
      addFailure(failures, accountId, `shared snapshots: ${error}`);
      for (const cluster of clusters) {
        results.push({ sourceAccountId: accountId, clusterIdentifier: cluster, newestSnapshotId: null, newestAgeHours: null, failed: true, error });
      }
    }
  }
  return results;
}

/**
 * Approach "backup": the DR vault is listed once for every source; each cluster is matched by the ARN its copies
 * carry. When the listing fails, every backup source has failed.
 */
async function checkRecoveryPoints(deps: DrMonitorDeps, settings: DrMonitorSettings, failures: Failures): Promise<DrBackupClusterResult[]> {
  const targets = settings.sources
    .filter((s) => usesApproach(s, "backup"))
    // region and partition are set on every backup entry (drMonitorProblems checked it)
    .flatMap((s) =>
      s.clusters.map((cluster) => ({ sourceAccountId: s.accountId, clusterIdentifier: cluster, resourceArn: redshiftClusterArn(s.partition!, s.region!, s.accountId, cluster) })),
    );
  if (targets.length === 0) return [];
  const vault = settings.backupVaultName!; // required with backup sources (drMonitorProblems)
  try {
    const points = await listRedshiftRecoveryPoints({ backup: deps.backup! }, vault); // given with backup sources (checked first)
    const newest = newestCompletedByResource(points);
    const now = deps.clock.now();
    return targets.map((t) => {
      const point = newest.get(t.resourceArn);
      return {
        ...t,
        newestRecoveryPointArn: point?.recoveryPointArn ?? null,
        newestAgeHours: point ? round(ageHours(point.createdAt, now), 3) : null,
        failed: false,
      };
    });
  } catch (err) {
    const error = describeError(err);
    for (const accountId of new Set(targets.map((t) => t.sourceAccountId))) addFailure(failures, accountId, `recovery points in vault ${vault}: ${error}`);
    return targets.map((t) => ({ ...t, newestRecoveryPointArn: null, newestAgeHours: null, failed: true, error }));
  }
}

/**
 * Approach "drcopy": this account's own manual snapshots are listed once for every source (the copies name their
 * source account and cluster in their tags); the age is that of the copy's data. When the listing fails, every
 * drcopy source has failed.
 */
async function checkDrOwnedCopies(deps: DrMonitorDeps, settings: DrMonitorSettings, failures: Failures): Promise<DrOwnedCopyClusterResult[]> {
  const targets = settings.sources
    .filter((s) => usesApproach(s, "drcopy"))
    .flatMap((s) => s.clusters.map((cluster) => ({ sourceAccountId: s.accountId, clusterIdentifier: cluster })));
  if (targets.length === 0) return [];
  try {
    const copies = await listDrOwnedCopies({ redshift: deps.redshift }, { snapshotPrefix: settings.snapshotPrefix, managedBy: settings.managedBy });
    const newest = newestDrOwnedCopies(copies);
    const now = deps.clock.now();
    return targets.map((t) => {
      const copy = newest.get(drOwnedCopyKey(t.sourceAccountId, t.clusterIdentifier));
      return {
        ...t,
        newestCopyId: copy?.snapshotIdentifier ?? null,
        newestDataTime: copy?.dataTime.toISOString() ?? null,
        newestAgeHours: copy ? round(ageHours(copy.dataTime, now), 3) : null,
        failed: false,
      };
    });
  } catch (err) {
    const error = describeError(err);
    for (const accountId of new Set(targets.map((t) => t.sourceAccountId))) addFailure(failures, accountId, `DR-owned copies: ${error}`);
    return targets.map((t) => ({ ...t, newestCopyId: null, newestDataTime: null, newestAgeHours: null, failed: true, error }));
  }
}
