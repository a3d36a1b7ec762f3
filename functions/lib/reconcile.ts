/**
 * The snapshot manager as a reconciler (docs/native-automation.md, "What a run does").
 *
 * Level-triggered: every run looks at what exists in Redshift (our snapshots and their tags) and moves
 * it towards the desired state. Nothing is kept between runs, so a run can be repeated, can overlap a
 * slow previous run, and can resume after a crash.
 *
 * A run has two phases so that one cluster's wait cannot starve the others:
 *  A. for every cluster (a few at a time, each on its own: one failing cluster does not stop the others)
 *     1. list our snapshots (paginated);
 *     2. ensure the window's snapshot exists (deterministic id; "already exists" is success);
 *     3. sharing, bounded (Redshift allows 100 share authorizations per KMS key, and every cluster of a
 *        source may use one key): the newest available snapshot is shared first; then the snapshots
 *        retention keeps beyond the newest `shareLatest` lose the DR accounts' authorizations (revoking
 *        never deletes); then the rest of the newest `shareLatest` are shared (20-account guard). If the
 *        newest could not be shared for a limit, it is tried again once the revokes have freed room;
 *     4. retention: for each expired snapshot revoke every authorization, then delete it;
 *     5. with a copy region (cross-region snapshot copy, copies.ts): in that region, list our copies of the cluster
 *        and share them bounded as in 3; never delete one (Redshift's manual retention expires them);
 *  B. wait (SDK waiter, within the Lambda's remaining time minus a margin) for the snapshots created in
 *     A to become available, and share each one that does (the oldest shared one then loses its
 *     authorization). One that does not is no failure: the next run or the snapshot-event trigger shares it.
 *     Waiting is idle time (a poll every 15-60 s), so up to MAX_PARALLEL_WAITS snapshots are waited for at
 *     once, whatever `concurrency`: with 100 clusters, waiting 4 at a time would leave most of them to the event.
 * Then: one log line and metrics per cluster, and one SNS message if any cluster failed.
 */
import type { RedshiftClient, Snapshot } from "@aws-sdk/client-redshift";
import type { SNSClient } from "@aws-sdk/client-sns";
import { mapWithConcurrency } from "./concurrency";
import { copyClientProblem, reconcileCopies } from "./copies";
import { ReconcileError } from "./errors";
import { ageHours, listOurSnapshots, type RedshiftContext } from "./listing";
import { windowSnapshotId, windowStart } from "./naming";
import { authorizedAccounts, isOurs, type Owner, ownershipTags, snapshotTime } from "./ownership";
import type { MetricsSink } from "./metrics";
import {
  clusterMetricPoints,
  describeFailure,
  failureAlert,
  attemptReport,
  publishAlert,
  recordFailure,
  round,
  type ClusterResult,
  type ReconcileReport,
} from "./report";
import { planRetention } from "./retention";
import type { Clock, Logger } from "./runtime";
import { snapshotManagerProblems, SettingsError, type SnapshotManagerSettings } from "./settings";
import { newestSharedWithAll, revokeEach, shareBounded, type ClusterWork } from "./sharing";
import { createSnapshot, deleteSnapshot, waitForAvailable } from "./snapshot-actions";

export interface ReconcileDeps {
  readonly redshift: RedshiftClient;
  /** A client for `settings.copyRegion` (required with it, refused without it). @default none: no copy region */
  readonly copyRedshift?: RedshiftClient;
  readonly sns: SNSClient;
  /** Where the per-cluster metrics go (Lambda: EMF on stdout). @default none: no metrics */
  readonly metrics?: MetricsSink;
  readonly clock: Clock;
  readonly log: Logger;
  /**
   * Milliseconds left before the invocation is cut off (Lambda: context.getRemainingTimeInMillis).
   * @default undefined: never wait for new snapshots
   */
  readonly remainingTimeMs?: () => number;
}

export async function reconcile(deps: ReconcileDeps, settings: SnapshotManagerSettings): Promise<ReconcileReport> {
  const copyProblem = await copyClientProblem(settings.copyRegion, deps.copyRedshift);
  const problems = [...snapshotManagerProblems(settings), ...(copyProblem ? [copyProblem] : [])];
  if (problems.length) throw new SettingsError(problems);

  const ctx: RedshiftContext = { redshift: deps.redshift };
  const copyCtx: RedshiftContext | undefined = deps.copyRedshift && { redshift: deps.copyRedshift };
  const startedAt = deps.clock.now();

  const work = await mapWithConcurrency(settings.clusterIdentifiers, settings.concurrency, async (cluster) => {
    const w = await reconcileCluster(ctx, settings, cluster, deps.clock);
    // The copies do not depend on the source listing: they are shared even when the source region failed.
    if (copyCtx && settings.copyRegion) {
      w.result.copies = await reconcileCopies(copyCtx, { region: settings.copyRegion, settings, owner: ownerOf(settings, cluster), result: w.result, clock: deps.clock });
    }
    return w;
  });

  const pending = work.filter((w) => w.pending !== undefined);
  if (pending.length > 0) {
    await mapWithConcurrency(pending, Math.max(settings.concurrency, MAX_PARALLEL_WAITS), (w) => waitAndShare(ctx, settings, deps, w));
  }

  const now = deps.clock.now();
  const clusters = work.map((w) => finish(w, settings, now));
  for (const r of clusters) {
    const line = {
      ...r,
      newestSharedSnapshotAgeHours: r.newestSharedSnapshotAgeHours === null ? null : round(r.newestSharedSnapshotAgeHours, 3),
      copies: r.copies && { ...r.copies, newestSharedCopyAgeHours: r.copies.newestSharedCopyAgeHours === null ? null : round(r.copies.newestSharedCopyAgeHours, 3) },
    };
    if (r.failed) deps.log.error("cluster-reconciled", line);
    else deps.log.info("cluster-reconciled", line);
  }

  const failedClusters = clusters.filter((r) => r.failed).map((r) => r.clusterIdentifier);
  const reportingErrors: string[] = [];

  let metrics: ReconcileReport["metrics"] = "skipped";
  if (!settings.dryRun && deps.metrics) {
    const sink = deps.metrics;
    metrics = await attemptReport("metrics", reportingErrors, () => sink(clusters.flatMap(clusterMetricPoints), now), {
      log: deps.log,
      event: "metrics-not-published",
    });
  }

  let alert: ReconcileReport["alert"] = failedClusters.length === 0 ? "not-needed" : "skipped";
  if (failedClusters.length > 0 && !settings.dryRun && settings.alertTopicArn) {
    const message = failureAlert({
      title: "Redshift snapshot manager",
      total: clusters.length,
      failures: clusters
        .filter((r) => r.failed)
        .map((r) => ({ name: `cluster ${r.clusterIdentifier}`, lines: r.errors.map(describeFailure) })),
      context: {
        run: startedAt.toISOString(),
        trigger: settings.createSnapshots ? "schedule (create + share + retention)" : "snapshot event or share schedule (share + retention)",
        "DR accounts": settings.drAccountIds.join(", "),
        ...(settings.copyRegion ? { "copy region": settings.copyRegion } : {}),
      },
    });
    const topic = settings.alertTopicArn;
    alert = await attemptReport("SNS Publish", reportingErrors, () => publishAlert(deps.sns, topic, message), {
      log: deps.log,
      event: "alert-not-published",
    });
  }

  return {
    startedAt: startedAt.toISOString(),
    finishedAt: deps.clock.now().toISOString(),
    dryRun: settings.dryRun,
    createSnapshots: settings.createSnapshots,
    clusters,
    failedClusters,
    metrics,
    alert,
    reportingErrors,
  };
}

/**
 * Snapshots waited for at once in phase B. Each waiter polls DescribeClusterSnapshots every 15 s at first, backing
 * off to 60 s: 25 of them make at most about 2 calls a second, which the SDK's adaptive retry slows further if
 * Redshift throttles.
 */
const MAX_PARALLEL_WAITS = 25;

const ownerOf = (settings: SnapshotManagerSettings, clusterIdentifier: string): Owner => ({
  managedBy: settings.managedBy,
  clusterIdentifier,
  snapshotPrefix: settings.snapshotPrefix,
});

function emptyResult(clusterIdentifier: string, windowSnapshotIdValue: string, dryRun: boolean): ClusterResult {
  return {
    clusterIdentifier,
    dryRun,
    windowSnapshotId: windowSnapshotIdValue,
    created: [],
    alreadyExisted: false,
    wait: "not-needed",
    pendingAvailability: null,
    shared: [],
    unshared: [],
    revoked: [],
    deleted: [],
    keptAsNewest: [],
    failed: false,
    errors: [],
    newestSharedSnapshotAgeHours: null,
    newestSharedSnapshotId: null,
    notes: [],
    copies: null,
  };
}

/** Phase A for one cluster. Never throws: every failure is recorded in the result. */
async function reconcileCluster(ctx: RedshiftContext, settings: SnapshotManagerSettings, cluster: string, clock: Clock): Promise<ClusterWork> {
  const now = clock.now();
  const start = windowStart(now, settings.windowMinutes);
  const windowId = windowSnapshotId(settings.snapshotPrefix, cluster, start);
  const result = emptyResult(cluster, windowId, settings.dryRun);
  const ours = new Map<string, Snapshot>();
  const work: ClusterWork = { result, ours, expiring: new Set() };

  // 1. What exists. Without it nothing else can be decided safely.
  try {
    for (const s of await listOurSnapshots(ctx, ownerOf(settings, cluster))) {
      if (s.SnapshotIdentifier) ours.set(s.SnapshotIdentifier, s);
    }
  } catch (err) {
    recordFailure(result, "list", err);
    return work;
  }

  // 2. The window's snapshot. Steps 3 and 4 run even if this fails (e.g. a quota error: retention may free room).
  if (settings.createSnapshots) {
    const existing = ours.get(windowId);
    if (existing) {
      result.alreadyExisted = true;
      if (existing.Status !== "available") work.pending = windowId;
    } else if (settings.dryRun) {
      result.created.push(windowId);
    } else {
      try {
        const { outcome } = await createSnapshot(ctx, {
          snapshotId: windowId,
          clusterIdentifier: cluster,
          tags: ownershipTags({ managedBy: settings.managedBy, clusterIdentifier: cluster, windowStart: start, drAccountIds: settings.drAccountIds }),
        });
        if (outcome === "created") {
          result.created.push(windowId);
        } else {
          result.alreadyExisted = true;
          result.notes.push(`${windowId} already existed but was not in the listing (created by an overlapping run, or not tagged as ours)`);
        }
        work.pending = windowId;
      } catch (err) {
        recordFailure(result, "create", err, windowId);
      }
    }
  }

  // Retention is planned before sharing so that a snapshot about to be deleted is not shared first.
  const plan = planRetention([...ours.values()], now, settings);
  result.keptAsNewest = plan.keptAsNewest;
  work.expiring = new Set(plan.expired.map((s) => s.SnapshotIdentifier!));

  // 3. Share the newest snapshots, newest first, and only those.
  await shareBounded(ctx, settings, work);

  // 4. Retention: revoke every authorization, then delete.
  for (const snapshot of plan.expired) {
    const id = snapshot.SnapshotIdentifier!;
    const accounts = authorizedAccounts(snapshot);
    if (settings.dryRun) {
      result.revoked.push(...accounts.map((accountId) => ({ snapshotId: id, accountId })));
      result.deleted.push(id);
      continue;
    }
    const { remaining: stillAuthorized, failed } = await revokeEach(ctx, result, snapshot, accounts, accounts, "revoke", { stopOnFailure: true });
    if (failed) continue; // never delete while an authorization may remain
    if (stillAuthorized.length > 0) {
      recordFailure(
        result,
        "revoke",
        new ReconcileError("invalid-state", `${id} is still authorized for ${stillAuthorized.join(", ")} after revoking; not deleted`),
        id,
      );
      continue;
    }
    try {
      await deleteSnapshot(ctx, snapshot);
      result.deleted.push(id);
      ours.delete(id);
    } catch (err) {
      recordFailure(result, "delete", err, id);
    }
  }
  return work;
}

/** Phase B for one cluster: wait for the window's new snapshot within the time left, then share it. */
async function waitAndShare(ctx: RedshiftContext, settings: SnapshotManagerSettings, deps: ReconcileDeps, work: ClusterWork): Promise<void> {
  const { result } = work;
  const id = work.pending!;
  const remainingMs = deps.remainingTimeMs ? deps.remainingTimeMs() : 0;
  const budgetSeconds = (remainingMs - settings.waitMarginSeconds * 1000) / 1000;
  if (budgetSeconds <= settings.waiter.minDelaySeconds) {
    result.wait = "no-time";
    return;
  }
  const outcome = await waitForAvailable(ctx, {
    snapshotId: id,
    clusterIdentifier: result.clusterIdentifier,
    budgetSeconds,
    delays: settings.waiter,
  });
  if (outcome.state === "timed-out") {
    result.wait = "timed-out";
    return;
  }
  if (outcome.state === "failed") {
    result.wait = "failed";
    recordFailure(result, "wait", new ReconcileError("invalid-state", `${id} did not become available: ${outcome.message}`), id);
    return;
  }
  result.wait = "available";
  const snapshot = outcome.snapshot;
  if (!isOurs(snapshot, ownerOf(settings, result.clusterIdentifier))) {
    result.notes.push(`${id} is available but not tagged as ours; not shared`);
    return;
  }
  work.ours.set(id, snapshot);
  await shareBounded(ctx, settings, work);
}

function finish(work: ClusterWork, settings: SnapshotManagerSettings, now: Date): ClusterResult {
  const { result, ours } = work;
  const pending = work.pending !== undefined && result.wait !== "available" ? work.pending : undefined;
  result.pendingAvailability = pending ?? null;
  if (pending && (result.wait === "timed-out" || result.wait === "no-time")) {
    result.notes.push(`${pending} is still being created; it will be shared by the next run or the snapshot event`);
  }
  const newest = newestSharedWithAll(ours.values(), settings.drAccountIds);
  if (newest) {
    result.newestSharedSnapshotId = newest.SnapshotIdentifier ?? null;
    result.newestSharedSnapshotAgeHours = ageHours(snapshotTime(newest)!, now);
  }
  if (result.errors.length > 0) result.error = result.errors.map(describeFailure).join("; ");
  return result;
}
