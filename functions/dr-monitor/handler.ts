/**
 * DR monitor Lambda (DR account). Publishes, per source cluster, the age of the newest snapshot the source account
 * has shared with this account (approach "native"), of the newest completed recovery point of it in the DR backup
 * vault (approach "backup") and/or of the data in the newest DR-owned copy the restore drills keep (approach
 * "drcopy"), and fails the invocation if anything could not be read.
 *
 * Env: SOURCES (JSON [{"accountId":"111111111111","clusters":["a","b"]}], an entry optionally with "approaches"
 * ("native", "backup", "drcopy"), "region", "partition"), SNAPSHOT_PREFIX, MANAGED_BY, METRIC_NAMESPACE,
 * BACKUP_VAULT_NAME (with backup sources), ALERT_TOPIC_ARN (optional). See functions/lib/environment.ts.
 */
import type { BackupClient } from "@aws-sdk/client-backup";
import { RedshiftClient } from "@aws-sdk/client-redshift";
import { SNSClient } from "@aws-sdk/client-sns";
import { usesApproach } from "../../contract";
import { monitorSharedSnapshots } from "../lib/dr-monitor";
import { drMonitorSettingsFromEnv } from "../lib/environment";
import { AWS_CLIENT_CONFIG, lambdaLogger } from "../lib/lambda";
import { emfSink } from "../lib/metrics";
import { systemClock } from "../lib/runtime";
import type { DrMonitorSettings } from "../lib/settings";

// Created once per execution environment, with the SDK's retry strategy (lambda.ts).
const redshift = new RedshiftClient(AWS_CLIENT_CONFIG);
const sns = new SNSClient(AWS_CLIENT_CONFIG);

let backup: Promise<BackupClient> | undefined;

/**
 * The Backup client, created on first use and kept for the execution environment. Only an estate with AWS Backup
 * sources loads the Backup SDK at all (a dynamic import): a native-only monitor's cold start does not pay for it.
 */
function backupClient(settings: DrMonitorSettings): Promise<BackupClient> | undefined {
  if (!settings.sources.some((s) => usesApproach(s, "backup"))) return undefined;
  backup ??= import("@aws-sdk/client-backup").then(({ BackupClient }) => new BackupClient(AWS_CLIENT_CONFIG));
  return backup;
}

export interface LambdaContextLike {
  awsRequestId?: string;
}

export interface DrMonitorResult {
  /** Approach "native": clusters checked, and those with a shared snapshot. */
  clusters: number;
  withSnapshot: number;
  /** Approach "backup" (present when a source uses it): clusters checked, and those with a completed recovery point. */
  backupClusters?: number;
  withRecoveryPoint?: number;
  /** Approach "drcopy" (present when a source uses it): clusters checked, and those with an available DR-owned copy. */
  drOwnedCopyClusters?: number;
  withDrOwnedCopy?: number;
}

export async function handler(_event: unknown, context: LambdaContextLike): Promise<DrMonitorResult> {
  const log = lambdaLogger("dr-monitor", context?.awsRequestId);
  const settings = drMonitorSettingsFromEnv(process.env);
  const metrics = emfSink(settings.metricNamespace);
  const report = await monitorSharedSnapshots({ redshift, backup: await backupClient(settings), metrics, sns, clock: systemClock, log }, settings);
  const reasons = [
    ...(report.failedSources.length > 0 ? [`source account(s) could not be read: ${report.failedSources.join(", ")}`] : []),
    ...report.reportingErrors,
  ];
  if (reasons.length > 0) {
    const err = new Error(`DR monitor: ${reasons.join("; ")}`);
    err.name = "DrMonitorFailure";
    throw err;
  }
  const withAge = (results: readonly { newestAgeHours: number | null }[]) => results.filter((c) => c.newestAgeHours !== null).length;
  return {
    clusters: report.clusters.length,
    withSnapshot: withAge(report.clusters),
    ...(report.backupClusters.length > 0 ? { backupClusters: report.backupClusters.length, withRecoveryPoint: withAge(report.backupClusters) } : {}),
    ...(report.drOwnedCopyClusters.length > 0
      ? { drOwnedCopyClusters: report.drOwnedCopyClusters.length, withDrOwnedCopy: withAge(report.drOwnedCopyClusters) }
      : {}),
  };
}
