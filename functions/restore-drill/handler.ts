/**
 * Restore drill Lambda (DR account), run on a schedule: moves each configured drill one or more steps (restore,
 * wait, validate with the Data API, record, keep a DR-owned copy, delete) and enforces the copies' retention.
 * Fails the invocation when an AWS call failed (the next run resumes; the Errors alarm fires). A drill that FAILED
 * is not an invocation failure: it is recorded, alarmed on (DrillsFailed) and cleaned up.
 *
 * Env: see RESTORE_DRILL_ENV in contract/ and functions/lib/drill-settings.ts.
 */
import { BackupClient } from "@aws-sdk/client-backup";
import { EC2Client } from "@aws-sdk/client-ec2";
import { RedshiftClient } from "@aws-sdk/client-redshift";
import { RedshiftDataClient } from "@aws-sdk/client-redshift-data";
import { S3Client } from "@aws-sdk/client-s3";
import { SNSClient } from "@aws-sdk/client-sns";
import { runDrills, type DrillRunReport } from "../lib/drill";
import { drillSettingsFromEnv } from "../lib/drill-settings";
import { AWS_CLIENT_CONFIG, lambdaLogger } from "../lib/lambda";
import { emfSink } from "../lib/metrics";
import { systemClock } from "../lib/runtime";

// Created once per execution environment, with the SDK's retry strategy (lambda.ts).
const redshift = new RedshiftClient(AWS_CLIENT_CONFIG);
const data = new RedshiftDataClient(AWS_CLIENT_CONFIG);
const s3 = new S3Client(AWS_CLIENT_CONFIG);
const sns = new SNSClient(AWS_CLIENT_CONFIG);
const ec2 = new EC2Client(AWS_CLIENT_CONFIG);
const backup = new BackupClient(AWS_CLIENT_CONFIG);

export interface LambdaContextLike {
  awsRequestId?: string;
}

export interface DrillHandlerResult {
  drills: { cluster: string; action: string; drillCluster?: string; result?: string }[];
  untouched: string[];
  copiesDeleted: number;
}

/** Why the invocation fails, or [] (drill failures are not among them: they are recorded and alarmed). */
export function invocationErrors(report: DrillRunReport): string[] {
  return [
    ...report.drills.filter((d) => d.action === "error" || d.action === "blocked").map((d) => `${d.accountId}/${d.clusterIdentifier}: ${d.error}`),
    ...report.reportingErrors,
  ];
}

export async function handler(_event: unknown, context: LambdaContextLike): Promise<DrillHandlerResult> {
  const log = lambdaLogger("restore-drill", context?.awsRequestId);
  const settings = drillSettingsFromEnv(process.env);
  const report = await runDrills(
    { redshift, data, s3, sns, ec2, ...(settings.backupVaultName ? { backup } : {}), metrics: emfSink(settings.metricNamespace), clock: systemClock, log },
    settings,
  );
  const errors = invocationErrors(report);
  if (errors.length > 0) {
    const err = new Error(`restore drill: ${errors.join("; ")}`);
    err.name = "RestoreDrillFailure";
    throw err;
  }
  return {
    drills: report.drills.map((d) => ({
      cluster: d.clusterIdentifier,
      action: d.action,
      ...(d.drillCluster ? { drillCluster: d.drillCluster } : {}),
      ...(d.report ? { result: d.report.result } : {}),
    })),
    untouched: report.untouched,
    copiesDeleted: report.copiesDeleted.length,
  };
}
