/**
 * DR monitor Lambda (DR account). Publishes, per source cluster, the age of the newest snapshot the
 * source account has shared with this account, and fails the invocation if any source could not be read.
 *
 * Env: SOURCES (JSON [{"accountId":"111111111111","clusters":["a","b"]}]), SNAPSHOT_PREFIX, MANAGED_BY, METRIC_NAMESPACE,
 * ALERT_TOPIC_ARN (optional). See functions/lib/settings.ts.
 */
import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { RedshiftClient } from "@aws-sdk/client-redshift";
import { SNSClient } from "@aws-sdk/client-sns";
import { monitorSharedSnapshots } from "../lib/dr-monitor";
import { jsonLogger, realSleep, systemClock } from "../lib/runtime";
import { drMonitorSettingsFromEnv } from "../lib/settings";

// Created once per execution environment. maxAttempts 1: functions/lib/retry.ts is the only retry layer.
const redshift = new RedshiftClient({ maxAttempts: 1 });
const sns = new SNSClient({ maxAttempts: 1 });
const cloudwatch = new CloudWatchClient({ maxAttempts: 1 });

export interface LambdaContextLike {
  awsRequestId?: string;
}

export async function handler(_event: unknown, context: LambdaContextLike): Promise<{ clusters: number; withSnapshot: number }> {
  const log = jsonLogger({ function: "dr-monitor", requestId: context?.awsRequestId });
  const settings = drMonitorSettingsFromEnv(process.env);
  const report = await monitorSharedSnapshots({ redshift, cloudwatch, sns, clock: systemClock, log, sleep: realSleep }, settings);
  const reasons = [
    ...(report.failedSources.length > 0 ? [`source account(s) could not be read: ${report.failedSources.join(", ")}`] : []),
    ...report.reportingErrors,
  ];
  if (reasons.length > 0) {
    const err = new Error(`DR monitor: ${reasons.join("; ")}`);
    err.name = "DrMonitorFailure";
    throw err;
  }
  return { clusters: report.clusters.length, withSnapshot: report.clusters.filter((c) => c.newestAgeHours !== null).length };
}
