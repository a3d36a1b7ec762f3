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
 *  B. wait (SDK waiter, within the Lambda's remaining time minus a margin) for the snapshots created in
 *     A to become available, and share each one that does (the oldest shared one then loses its
 *     authorization). One that does not is no failure: the next run or the snapshot-event trigger shares it.
 * Then: one log line and metrics per cluster, and one SNS message if any cluster failed.
 */
import type { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import type { RedshiftClient, Snapshot } from "@aws-sdk/client-redshift";
import type { SNSClient } from "@aws-sdk/client-sns";
import { mapWithConcurrency } from "./concurrency";
import { classifyError, errorMessage, ReconcileError } from "./errors";
import { ageHours, listOurSnapshots, type RedshiftContext } from "./listing";
import { windowSnapshotId, windowStart } from "./naming";
import { authorizedAccounts, isOurs, ownershipTags, snapshotTime } from "./ownership";
import {
  clusterMetricData,
  describeFailure,
  failureAlert,
  publishAlert,
  putMetrics,
  round,
  type ClusterResult,
  type ReconcileReport,
  type Step,
} from "./report";
import { newestFirst, planRetention } from "./retention";
import type { RetryContext } from "./retry";
import { realSleep, type Clock, type Logger, type Sleep } from "./runtime";
import { snapshotManagerProblems, SettingsError, type SnapshotManagerSettings } from "./settings";
import { assertWithinShareLimit, isSharedWithAll, missingAuthorizations } from "./share";
import { authorizeAccount, createSnapshot, deleteSnapshot, revokeAccount, waitForAvailable } from "./snapshot-actions";

export interface ReconcileDeps {
  readonly redshift: RedshiftClient;
  readonly sns: SNSClient;
  readonly cloudwatch: CloudWatchClient;
  readonly clock: Clock;
  readonly log: Logger;
  /** Backoff sleep. @default real setTimeout */
  readonly sleep?: Sleep;
  /** Jitter source in [0, 1). @default Math.random */
  readonly random?: () => number;
  /**
   * Milliseconds left before the invocation is cut off (Lambda: context.getRemainingTimeInMillis).
   * @default undefined: never wait for new snapshots
   */
  readonly remainingTimeMs?: () => number;
}

/** State of one cluster carried from phase A to phase B. */
interface ClusterWork {
  readonly result: ClusterResult;
  /** Our snapshots as known after phase A (deleted ones removed, authorizations updated). */
  readonly ours: Map<string, Snapshot>;
  /** The window's snapshot, if it is still being created. */
  pending?: string;
  /** Ids retention is deleting in this run (never shared again). */
  expiring: ReadonlySet<string>;
}

export async function reconcile(deps: ReconcileDeps, settings: SnapshotManagerSettings): Promise<ReconcileReport> {
  const problems = snapshotManagerProblems(settings);
  if (problems.length) throw new SettingsError(problems);

  const retry: RetryContext = { policy: settings.retry, sleep: deps.sleep ?? realSleep, random: deps.random, log: deps.log };
  const ctx: RedshiftContext = { redshift: deps.redshift, retry };
  const startedAt = deps.clock.now();

  const work = await mapWithConcurrency(settings.clusterIdentifiers, settings.concurrency, (cluster) =>
    reconcileCluster(ctx, settings, cluster, deps.clock),
  );

  const pending = work.filter((w) => w.pending !== undefined);
  if (pending.length > 0) {
    await mapWithConcurrency(pending, settings.concurrency, (w) => waitAndShare(ctx, settings, deps, w));
  }

  const now = deps.clock.now();
  const clusters = work.map((w) => finish(w, settings, now));
  for (const r of clusters) {
    const line = { ...r, newestSharedSnapshotAgeHours: r.newestSharedSnapshotAgeHours === null ? null : round(r.newestSharedSnapshotAgeHours, 3) };
    if (r.failed) deps.log.error("cluster-reconciled", line);
    else deps.log.info("cluster-reconciled", line);
  }

  const failedClusters = clusters.filter((r) => r.failed).map((r) => r.clusterIdentifier);
  const reportingErrors: string[] = [];

  let metrics: ReconcileReport["metrics"] = "skipped";
  if (!settings.dryRun && settings.metricNamespace) {
    try {
      await putMetrics(deps.cloudwatch, settings.metricNamespace, clusters.flatMap((r) => clusterMetricData(r, now)), retry);
      metrics = "published";
    } catch (err) {
      metrics = "failed";
      reportingErrors.push(`PutMetricData: ${errorMessage(err)}`);
      deps.log.error("metrics-not-published", { error: errorMessage(err) });
    }
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
        trigger: settings.createSnapshots ? "schedule (create + share + retention)" : "snapshot event (share + retention)",
        "DR accounts": settings.drAccountIds.join(", "),
      },
    });
    try {
      await publishAlert(deps.sns, settings.alertTopicArn, message, retry);
      alert = "published";
    } catch (err) {
      alert = "failed";
      reportingErrors.push(`SNS Publish: ${errorMessage(err)}`);
      deps.log.error("alert-not-published", { error: errorMessage(err) });
    }
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
  };
}

function recordFailure(result: ClusterResult, step: Step, err: unknown, snapshotId?: string): void {
  const c = classifyError(err);
  result.failed = true;
  result.errors.push({
    step,
    kind: c.kind,
    code: c.code,
    message: c.message.length > 1000 ? c.message.slice(0, 1000) + "..." : c.message,
    ...(c.quota ? { quota: c.quota } : {}),
    ...(snapshotId ? { snapshotId } : {}),
  });
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
    for (const s of await listOurSnapshots(ctx, cluster, settings.managedBy)) {
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
    let stillAuthorized: string[] = accounts;
    let revokeFailed = false;
    for (const accountId of accounts) {
      try {
        const after = await revokeAccount(ctx, snapshot, accountId);
        result.revoked.push({ snapshotId: id, accountId });
        stillAuthorized = after ?? stillAuthorized.filter((a) => a !== accountId);
      } catch (err) {
        recordFailure(result, "revoke", err, id);
        revokeFailed = true;
        break;
      }
    }
    if (revokeFailed) continue; // never delete while an authorization may remain
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

/** The newest `shareLatest` available snapshots of ours that retention keeps, newest first. */
function snapshotsToShare(work: ClusterWork, shareLatest: number): Snapshot[] {
  return newestFirst([...work.ours.values()].filter((s) => s.Status === "available" && !work.expiring.has(s.SnapshotIdentifier!))).slice(
    0,
    shareLatest,
  );
}

/** Step 3 (and the end of phase B): see the header comment. */
async function shareBounded(ctx: RedshiftContext, settings: SnapshotManagerSettings, work: ClusterWork): Promise<void> {
  const wanted = snapshotsToShare(work, settings.shareLatest);
  const [newest, ...older] = wanted;
  const newestOutcome = newest ? await share(ctx, settings, work, newest, { deferLimitError: true }) : "done";
  await unshareBeyond(ctx, settings, work, new Set(wanted.map((s) => s.SnapshotIdentifier!)));
  if (newestOutcome === "limit") await share(ctx, settings, work, work.ours.get(newest!.SnapshotIdentifier!) ?? newest!);
  for (const snapshot of older) await share(ctx, settings, work, work.ours.get(snapshot.SnapshotIdentifier!) ?? snapshot);
}

/**
 * Shares the snapshot with each DR account that cannot restore it yet. With `deferLimitError`, a quota error
 * (the 100 authorizations of the key used up) is returned as "limit" instead of recorded, for one more try
 * once revokes have freed room.
 */
async function share(
  ctx: RedshiftContext,
  settings: SnapshotManagerSettings,
  work: ClusterWork,
  snapshot: Snapshot,
  opts: { deferLimitError?: boolean } = {},
): Promise<"done" | "limit"> {
  const { result, ours } = work;
  const id = snapshot.SnapshotIdentifier!;
  const missing = missingAuthorizations(snapshot, settings.drAccountIds);
  if (missing.length === 0) return "done";
  try {
    assertWithinShareLimit(snapshot, missing);
  } catch (err) {
    recordFailure(result, "share", err, id);
    return "done";
  }
  let accounts = authorizedAccounts(snapshot);
  let outcome: "done" | "limit" = "done";
  for (const accountId of missing) {
    if (!settings.dryRun) {
      try {
        const after = await authorizeAccount(ctx, snapshot, accountId);
        accounts = after ?? [...accounts, accountId];
      } catch (err) {
        if (opts.deferLimitError && classifyError(err).kind === "quota") {
          outcome = "limit";
          continue;
        }
        recordFailure(result, "share", err, id);
        continue;
      }
    } else {
      accounts = [...accounts, accountId];
    }
    result.shared.push({ snapshotId: id, accountId });
  }
  // A dry run reports what it would share but keeps the real state, so the reported age stays true.
  if (!settings.dryRun) ours.set(id, { ...snapshot, AccountsWithRestoreAccess: accounts.map((AccountId) => ({ AccountId })) });
  return outcome;
}

/**
 * Revokes the DR accounts' authorizations from every snapshot of ours that retention keeps but that is not
 * among the newest `shareLatest`. Only the configured DR accounts are revoked here (another account someone
 * authorized by hand is left, and noted); nothing is deleted.
 */
async function unshareBeyond(ctx: RedshiftContext, settings: SnapshotManagerSettings, work: ClusterWork, keep: ReadonlySet<string>): Promise<void> {
  const { result, ours } = work;
  for (const snapshot of [...ours.values()]) {
    const id = snapshot.SnapshotIdentifier!;
    if (keep.has(id) || work.expiring.has(id)) continue;
    const authorized = authorizedAccounts(snapshot);
    const ourAccounts = authorized.filter((a) => settings.drAccountIds.includes(a));
    if (ourAccounts.length === 0) continue;
    let accounts = authorized;
    for (const accountId of ourAccounts) {
      if (!settings.dryRun) {
        try {
          const after = await revokeAccount(ctx, snapshot, accountId);
          accounts = after ?? accounts.filter((a) => a !== accountId);
        } catch (err) {
          recordFailure(result, "unshare", err, id);
          continue;
        }
      }
      result.unshared.push({ snapshotId: id, accountId });
    }
    const others = authorized.filter((a) => !settings.drAccountIds.includes(a));
    if (others.length > 0) result.notes.push(`${id} stays authorized for ${others.join(", ")} (not a configured DR account; not revoked)`);
    if (!settings.dryRun) ours.set(id, { ...snapshot, AccountsWithRestoreAccess: accounts.map((AccountId) => ({ AccountId })) });
  }
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
  if (!isOurs(snapshot, settings.managedBy, result.clusterIdentifier)) {
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
  const newest = newestFirst([...ours.values()].filter((s) => s.Status === "available" && isSharedWithAll(s, settings.drAccountIds)))[0];
  if (newest) {
    result.newestSharedSnapshotId = newest.SnapshotIdentifier ?? null;
    result.newestSharedSnapshotAgeHours = ageHours(snapshotTime(newest)!, now);
  }
  if (result.errors.length > 0) result.error = result.errors.map(describeFailure).join("; ");
  return result;
}
