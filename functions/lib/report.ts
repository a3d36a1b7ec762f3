/**
 * Reporting of a reconcile run: the result types, one structured log line per cluster, CloudWatch
 * metrics per cluster and one SNS message summarizing every failure.
 */
import { PublishCommand, type SNSClient } from "@aws-sdk/client-sns";
import { METRIC_DIMENSIONS, SNAPSHOT_MANAGER_METRICS } from "../../contract";
import { attemptsOf, classifyError, errorMessage, type ErrorKind } from "./errors";
import type { MetricPoint } from "./metrics";
import type { Logger } from "./runtime";

export type Step = "list" | "create" | "wait" | "share" | "unshare" | "revoke" | "delete";

export interface Authorization {
  readonly snapshotId: string;
  readonly accountId: string;
}

export interface StepFailure {
  readonly step: Step;
  readonly kind: ErrorKind;
  readonly code: string;
  readonly message: string;
  readonly quota?: string;
  readonly snapshotId?: string;
  /** Requests the SDK made before giving up (1: not retried), when it says. */
  readonly attempts?: number;
  /** The region of the failed call when it is the copy region (absent: the function's own region). */
  readonly region?: string;
}

export type WaitState =
  /** No new snapshot to wait for (event trigger, dry run, or the window's snapshot was already available). */
  | "not-needed"
  | "available"
  /** Not available within the time left: not a failure, the next run or the snapshot event shares it. */
  | "timed-out"
  /** Too little time left to wait at all: same as timed-out. */
  | "no-time"
  | "failed";

/** What the sharing steps (sharing.ts) record: a cluster's result, or the record of its copies in the copy region. */
export interface SharingRecord {
  readonly shared: Authorization[];
  readonly unshared: Authorization[];
  readonly revoked: Authorization[];
  readonly notes: string[];
  failed: boolean;
  readonly errors: StepFailure[];
}

/**
 * A cluster's cross-region copies in the copy region (Redshift cross-region snapshot copy, same account): the
 * newest `shareLatest` available copies of ours stay shared with the DR accounts, older ones lose the DR accounts'
 * authorizations. Nothing is ever deleted there: Redshift's manual retention period expires the copies. Failures
 * are the cluster's (`errors`, with `region`).
 */
export interface CopiesResult {
  readonly region: string;
  /** Authorizations made on copies (in a dry run: that it would make). */
  readonly shared: Authorization[];
  /** Authorizations revoked from copies older than the newest `shareLatest` (in a dry run: that it would revoke). */
  readonly unshared: Authorization[];
  /** Newest available copy of ours shared with every DR account; null when there is none. */
  newestSharedCopyId: string | null;
  newestSharedCopyAgeHours: number | null;
  readonly notes: string[];
}

export interface ClusterResult extends SharingRecord {
  readonly clusterIdentifier: string;
  readonly dryRun: boolean;
  /** The snapshot id of the current schedule window. */
  readonly windowSnapshotId: string;
  /** Snapshots created by this run (in a dry run: that it would create). */
  created: string[];
  /** The window's snapshot existed already (an earlier or overlapping run made it). */
  alreadyExisted: boolean;
  wait: WaitState;
  /** Our snapshot of this window, still being created when the run ended (shared later). */
  pendingAvailability: string | null;
  /** Authorizations made (in a dry run: that it would make). */
  shared: Authorization[];
  /**
   * Authorizations revoked from snapshots retention keeps but that are older than the newest `shareLatest`,
   * to bound the authorizations on the KMS key (in a dry run: that it would revoke).
   */
  unshared: Authorization[];
  /** Authorizations revoked before deletion (in a dry run: that it would revoke). */
  revoked: Authorization[];
  /** Snapshots deleted by retention (in a dry run: that it would delete). */
  deleted: string[];
  /** Newest available snapshots kept regardless of age. */
  keptAsNewest: string[];
  failed: boolean;
  errors: StepFailure[];
  /** All failures in one line (undefined when none). */
  error?: string;
  /** Age of the newest of our snapshots shared with every DR account; null when there is none. */
  newestSharedSnapshotAgeHours: number | null;
  newestSharedSnapshotId: string | null;
  notes: string[];
  /** Our copies in the copy region; null without a copy region. */
  copies: CopiesResult | null;
}

export interface ReconcileReport {
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly dryRun: boolean;
  readonly createSnapshots: boolean;
  readonly clusters: ClusterResult[];
  readonly failedClusters: string[];
  readonly metrics: "published" | "skipped" | "failed";
  readonly alert: "published" | "not-needed" | "skipped" | "failed";
  /** Failures of publishing metrics or the alert (they fail the invocation too). */
  readonly reportingErrors: string[];
}

/** Records a failed step of one cluster, with what the error means and the attempts the SDK made. */
export function recordFailure(result: Pick<SharingRecord, "failed" | "errors">, step: Step, err: unknown, snapshotId?: string): void {
  const c = classifyError(err);
  result.failed = true;
  const attempts = attemptsOf(err);
  result.errors.push({
    step,
    kind: c.kind,
    code: c.code,
    message: c.message.length > 1000 ? c.message.slice(0, 1000) + "..." : c.message,
    ...(c.quota ? { quota: c.quota } : {}),
    ...(snapshotId ? { snapshotId } : {}),
    ...(attempts !== undefined ? { attempts } : {}),
  });
}

/** Metric points for one cluster. No age when nothing is shared: the alarm treats missing data as breaching. */
export function clusterMetricPoints(result: ClusterResult): MetricPoint[] {
  const M = SNAPSHOT_MANAGER_METRICS;
  const dimensions = { [METRIC_DIMENSIONS.cluster]: result.clusterIdentifier };
  const point = (name: string, value: number, unit: MetricPoint["unit"] = "Count"): MetricPoint => ({ name, unit, value, dimensions });
  const points = [
    point(M.created, result.created.length),
    point(M.shared, new Set(result.shared.map((a) => a.snapshotId)).size),
    point(M.deleted, result.deleted.length),
    point(M.clusterFailures, result.failed ? 1 : 0),
  ];
  if (result.newestSharedSnapshotAgeHours !== null) {
    points.push(point(M.newestSharedSnapshotAgeHours, round(result.newestSharedSnapshotAgeHours, 3), "None"));
  }
  // Same rule for the copies: none shared, no point (missing data breaches).
  if (result.copies?.newestSharedCopyAgeHours != null) {
    points.push(point(M.newestSharedCopyAgeHours, round(result.copies.newestSharedCopyAgeHours, 3), "None"));
  }
  return points;
}

/** SNS: subjects are at most 100 characters; messages at most 256 KB (we stay far below). */
const MAX_SUBJECT = 100;
const MAX_MESSAGE = 200_000;

export function failureAlert(args: {
  title: string;
  failures: ReadonlyArray<{ name: string; lines: string[] }>;
  total: number;
  context: Record<string, string>;
}): { subject: string; message: string } {
  const subject = `${args.title}: ${args.failures.length} of ${args.total} failed`.slice(0, MAX_SUBJECT);
  const body = [
    `${args.failures.length} of ${args.total} failed.`,
    ...Object.entries(args.context).map(([k, v]) => `${k}: ${v}`),
    "",
    ...args.failures.flatMap((f) => [`${f.name}:`, ...f.lines.map((l) => `  - ${l}`)]),
  ].join("\n");
  return { subject, message: body.length > MAX_MESSAGE ? body.slice(0, MAX_MESSAGE) + "\n[truncated]" : body };
}

export function describeFailure(f: StepFailure): string {
  const quota = f.quota ? ` [quota: ${f.quota}]` : "";
  const snap = f.snapshotId ? ` (${f.snapshotId})` : "";
  const region = f.region ? ` in ${f.region}` : "";
  return `${f.step}${snap}${region}: ${f.kind}/${f.code}${quota}: ${f.message}`;
}

export async function publishAlert(sns: SNSClient, topicArn: string, alert: { subject: string; message: string }): Promise<void> {
  await sns.send(new PublishCommand({ TopicArn: topicArn, Subject: toAsciiSubject(alert.subject), Message: alert.message }));
}

/** SNS subjects must be ASCII, without line breaks. */
function toAsciiSubject(subject: string): string {
  return subject.replace(/[^\x20-\x7e]/g, "?");
}

export function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/**
 * Runs one reporting step (metrics, the alert). A failure is noted in `errors` as `<label>: <message>`, and
 * logged when `logEvent` is given, never thrown: reporting must not hide the result of the work itself.
 */
export async function attemptReport(
  label: string,
  errors: string[],
  step: () => unknown,
  logEvent?: { log: Logger; event: string },
): Promise<"published" | "failed"> {
  try {
    await step();
    return "published";
  } catch (err) {
    errors.push(`${label}: ${errorMessage(err)}`);
    logEvent?.log.error(logEvent.event, { error: errorMessage(err) });
    return "failed";
  }
}
