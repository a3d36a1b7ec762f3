/**
 * DR-account side: how old is the newest snapshot each source cluster has shared with us?
 * Publishes NewestSharedSnapshotAgeHours per (SourceAccount, ClusterIdentifier). For a cluster with no
 * shared snapshot nothing is published: the RPO alarm treats missing data as breaching, so "nothing
 * visible in DR" alarms exactly like "too old".
 */
import type { RedshiftClient } from "@aws-sdk/client-redshift";
import type { SNSClient } from "@aws-sdk/client-sns";
import { DR_MONITOR_METRICS, METRIC_DIMENSIONS } from "../../contract";
import { classifyError, errorMessage } from "./errors";
import { ageHours, listSharedSnapshots, newestByCluster, type RedshiftContext } from "./listing";
import type { MetricPoint, MetricsSink } from "./metrics";
import { attemptReport, failureAlert, publishAlert, round } from "./report";
import type { Clock, Logger } from "./runtime";
import { drMonitorProblems, SettingsError, type DrMonitorSettings } from "./settings";

export interface DrMonitorDeps {
  readonly redshift: RedshiftClient;
  /** Where the ages go (Lambda: EMF on stdout). @default none: no metrics */
  readonly metrics?: MetricsSink;
  readonly sns?: SNSClient;
  readonly clock: Clock;
  readonly log: Logger;
}

export interface DrClusterResult {
  readonly sourceAccountId: string;
  readonly clusterIdentifier: string;
  /** null when no shared snapshot of ours is visible (nothing is published: missing data breaches). */
  readonly newestSnapshotId: string | null;
  readonly newestAgeHours: number | null;
  readonly failed: boolean;
  readonly error?: string;
}

export interface DrMonitorReport {
  readonly clusters: DrClusterResult[];
  readonly failedSources: string[];
  readonly metrics: "published" | "skipped" | "failed";
  readonly alert: "published" | "not-needed" | "skipped" | "failed";
  readonly reportingErrors: string[];
}

export async function monitorSharedSnapshots(deps: DrMonitorDeps, settings: DrMonitorSettings): Promise<DrMonitorReport> {
  const problems = drMonitorProblems(settings);
  if (problems.length) throw new SettingsError(problems);
  const ctx: RedshiftContext = { redshift: deps.redshift };

  const clusters: DrClusterResult[] = [];
  const failedSources: string[] = [];
  // Sources one after the other: each is one paginated listing, and a failing one must not stop the rest.
  for (const source of settings.sources) {
    try {
      const newest = newestByCluster(
        await listSharedSnapshots(ctx, source.accountId, {
          snapshotPrefix: settings.snapshotPrefix,
          clusters: source.clusters,
          managedBy: settings.managedBy,
        }),
      );
      const now = deps.clock.now();
      for (const cluster of source.clusters) {
        const snap = newest.get(cluster);
        clusters.push({
          sourceAccountId: source.accountId,
          clusterIdentifier: cluster,
          newestSnapshotId: snap?.snapshotIdentifier ?? null,
          newestAgeHours: snap ? round(ageHours(snap.createdAt, now), 3) : null,
          failed: false,
        });
      }
    } catch (err) {
      failedSources.push(source.accountId);
      const c = classifyError(err);
      const error = `${c.kind}/${c.code}${c.quota ? ` [quota: ${c.quota}]` : ""}: ${errorMessage(err)}`;
      for (const cluster of source.clusters) {
        clusters.push({ sourceAccountId: source.accountId, clusterIdentifier: cluster, newestSnapshotId: null, newestAgeHours: null, failed: true, error });
      }
    }
  }

  for (const c of clusters) {
    if (c.failed) deps.log.error("dr-cluster-checked", { ...c });
    else if (c.newestAgeHours === null) deps.log.warn("dr-cluster-checked", { ...c, note: "no shared snapshot visible; no metric published (alarm breaches on missing data)" });
    else deps.log.info("dr-cluster-checked", { ...c });
  }

  const now = deps.clock.now();
  const points: MetricPoint[] = clusters
    // Nothing is published for a cluster without a visible snapshot (or whose source failed): the alarm
    // is configured to treat missing data as breaching.
    .filter((c) => c.newestAgeHours !== null)
    .map((c) => ({
      name: DR_MONITOR_METRICS.newestSharedSnapshotAgeHours,
      unit: "None",
      value: c.newestAgeHours!,
      dimensions: { [METRIC_DIMENSIONS.sourceAccount]: c.sourceAccountId, [METRIC_DIMENSIONS.cluster]: c.clusterIdentifier },
    }));

  const reportingErrors: string[] = [];
  let metrics: DrMonitorReport["metrics"] = "skipped";
  if (points.length > 0 && deps.metrics) {
    const sink = deps.metrics;
    metrics = await attemptReport("metrics", reportingErrors, () => sink(points, now), { log: deps.log, event: "metrics-not-published" });
  }

  let alert: DrMonitorReport["alert"] = failedSources.length === 0 ? "not-needed" : "skipped";
  if (failedSources.length > 0 && settings.alertTopicArn && deps.sns) {
    const failed = clusters.filter((c) => c.failed);
    const bySource = new Map<string, string>();
    for (const c of failed) bySource.set(c.sourceAccountId, c.error ?? "");
    const message = failureAlert({
      title: "Redshift DR monitor",
      total: settings.sources.length,
      failures: [...bySource].map(([account, error]) => ({ name: `source account ${account}`, lines: [error] })),
      context: { run: now.toISOString() },
    });
    const [sns, topic] = [deps.sns, settings.alertTopicArn];
    alert = await attemptReport("SNS Publish", reportingErrors, () => publishAlert(sns, topic, message));
  }
  return { clusters, failedSources, metrics, alert, reportingErrors };
}
