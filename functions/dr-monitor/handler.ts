/**
 * DR monitor Lambda (DR account). Publishes, per source cluster, the age of the newest snapshot the
 * source account has shared with this account, and fails the invocation if any source could not be read.
 *
 * Env: SOURCES (JSON [{"accountId":"111111111111","clusters":["a","b"]}]), SNAPSHOT_PREFIX, MANAGED_BY, METRIC_NAMESPACE,
 * ALERT_TOPIC_ARN (optional). See functions/lib/environment.ts.
 */
import { RedshiftClient } from "@aws-sdk/client-redshift";
import { SNSClient } from "@aws-sdk/client-sns";
import { monitorSharedSnapshots } from "../lib/dr-monitor";
import { drMonitorSettingsFromEnv } from "../lib/environment";
import { AWS_CLIENT_CONFIG, lambdaLogger } from "../lib/lambda";
import { emfSink } from "../lib/metrics";
import { systemClock } from "../lib/runtime";

// Created once per execution environment, with the SDK's retry strategy (lambda.ts).
const redshift = new RedshiftClient(AWS_CLIENT_CONFIG);
const sns = new SNSClient(AWS_CLIENT_CONFIG);

export interface LambdaContextLike {
  awsRequestId?: string;
}

export async function handler(_event: unknown, context: LambdaContextLike): Promise<{ clusters: number; withSnapshot: number }> {
  const log = lambdaLogger("dr-monitor", context?.awsRequestId);
  const settings = drMonitorSettingsFromEnv(process.env);
  const metrics = emfSink(settings.metricNamespace);
  const report = await monitorSharedSnapshots({ redshift, metrics, sns, clock: systemClock, log }, settings);
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
