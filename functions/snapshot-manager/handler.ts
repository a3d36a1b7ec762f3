/**
 * Snapshot manager Lambda (source account). Thin: reads env and event, calls the core, fails the
 * invocation when any cluster failed so that the Lambda `Errors` metric (and its alarm) count it.
 *
 * Env: CLUSTER_IDENTIFIERS, DR_ACCOUNT_IDS, WINDOW_MINUTES, RETENTION_DAYS, KEEP_LATEST, SHARE_LATEST, SNAPSHOT_PREFIX,
 * MANAGED_BY, ALERT_TOPIC_ARN, METRIC_NAMESPACE, DRY_RUN (optional, "true"/"false", default "false"),
 * WAIT_MARGIN_SECONDS (optional, default 60), COPY_REGION (optional: the region Redshift copies the snapshots to,
 * where the manager shares our copies). See functions/lib/environment.ts.
 */
import { RedshiftClient } from "@aws-sdk/client-redshift";
import { SNSClient } from "@aws-sdk/client-sns";
import { SNAPSHOT_MANAGER_ENV } from "../../contract";
import { snapshotManagerSettingsFromEnv } from "../lib/environment";
import { parseTrigger } from "../lib/events";
import { AWS_CLIENT_CONFIG, lambdaLogger } from "../lib/lambda";
import { emfSink } from "../lib/metrics";
import { reconcile } from "../lib/reconcile";
import type { ReconcileReport } from "../lib/report";
import { systemClock } from "../lib/runtime";

// Created once per execution environment, with the SDK's retry strategy (lambda.ts).
const redshift = new RedshiftClient(AWS_CLIENT_CONFIG);
const sns = new SNSClient(AWS_CLIENT_CONFIG);
const copyRedshift = copyRegionClient(process.env);

/**
 * A client for COPY_REGION, with the same retry strategy, or undefined when it is unset or blank (as the settings
 * read it). The variable is validated with the others at each invocation; the core refuses a client whose region
 * is not the validated copy region.
 */
export function copyRegionClient(env: Readonly<Record<string, string | undefined>>): RedshiftClient | undefined {
  const region = env[SNAPSHOT_MANAGER_ENV.copyRegion]?.trim();
  return region ? new RedshiftClient({ ...AWS_CLIENT_CONFIG, region }) : undefined;
}

/** The part of the Lambda context this handler uses. */
export interface LambdaContextLike {
  getRemainingTimeInMillis(): number;
  awsRequestId?: string;
}

export interface HandlerResult {
  readonly trigger: string;
  readonly clusters: number;
  readonly created: number;
  readonly shared: number;
  readonly deleted: number;
  readonly dryRun: boolean;
}

export async function handler(event: unknown, context: LambdaContextLike): Promise<HandlerResult> {
  const log = lambdaLogger("snapshot-manager", context.awsRequestId);
  const base = snapshotManagerSettingsFromEnv(process.env);
  const trigger = parseTrigger(event, base);
  if (trigger.clusterIdentifiers.length === 0) {
    log.info("nothing-to-do", { trigger: trigger.kind, reason: "the event names none of our snapshots" });
    return { trigger: trigger.kind, clusters: 0, created: 0, shared: 0, deleted: 0, dryRun: base.dryRun };
  }
  const report = await reconcile(
    {
      redshift,
      ...(copyRedshift ? { copyRedshift } : {}),
      sns,
      metrics: emfSink(base.metricNamespace),
      clock: systemClock,
      log,
      remainingTimeMs: () => context.getRemainingTimeInMillis(),
    },
    { ...base, createSnapshots: trigger.createSnapshots, clusterIdentifiers: trigger.clusterIdentifiers },
  );
  failIfNeeded(report);
  return {
    trigger: trigger.kind,
    clusters: report.clusters.length,
    created: sum(report, (c) => c.created.length),
    shared: sum(report, (c) => c.shared.length),
    deleted: sum(report, (c) => c.deleted.length),
    dryRun: report.dryRun,
  };
}

function sum(report: ReconcileReport, f: (c: ReconcileReport["clusters"][number]) => number): number {
  return report.clusters.reduce((n, c) => n + f(c), 0);
}

/** Throws after all clusters were processed and reported, so the invocation counts as an error. */
function failIfNeeded(report: ReconcileReport): void {
  const reasons: string[] = [];
  if (report.failedClusters.length > 0) {
    reasons.push(`${report.failedClusters.length} of ${report.clusters.length} cluster(s) failed: ${report.failedClusters.join(", ")}`);
  }
  reasons.push(...report.reportingErrors);
  if (reasons.length > 0) {
    const err = new Error(`snapshot manager: ${reasons.join("; ")}`);
    err.name = "SnapshotManagerFailure";
    throw err;
  }
}
