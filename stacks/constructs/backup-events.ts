// AWS Backup job events as EventBridge sees them, shared by the source plan (its own failed jobs) and the DR
// vault (failed copies forwarded from the sources). Source: docs/aws-behaviour.md, "AWS Backup events".
import { Construct } from "constructs";
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { notifyingAlarm } from "./function-alarms";

export const BACKUP_JOB_DETAIL_TYPES = ["Backup Job State Change", "Copy Job State Change"] as const;

/** Job states that mean no recovery point (or no copy) was made. */
export const FAILED_JOB_STATES = ["FAILED", "ABORTED", "EXPIRED"] as const;

/**
 * Event pattern of failed AWS Backup jobs. Some AWS Backup events carry the job's state as `state`, others as
 * `status`, so the pattern matches either field.
 */
export function failedJobsPattern(detailTypes: readonly string[], accounts?: readonly string[]) {
  return {
    source: ["aws.backup"],
    "detail-type": [...detailTypes],
    ...(accounts ? { account: [...accounts] } : {}),
    detail: { $or: [{ state: [...FAILED_JOB_STATES] }, { status: [...FAILED_JOB_STATES] }] },
  };
}

export interface FailedJobsAlarmProps {
  readonly alarmName: string;
  readonly ruleName: string;
  /** Set for a rule on a custom event bus (its metrics carry the bus name too). @default the default bus */
  readonly eventBusName?: string;
  readonly topicArn: string;
  readonly description: string;
  readonly tags?: Readonly<Record<string, string>>;
}

/** Alarms when the rule matched any event in the last 5 minutes (EventBridge's MatchedEvents). */
export function failedJobsAlarm(scope: Construct, id: string, props: FailedJobsAlarmProps): CloudwatchMetricAlarm {
  return notifyingAlarm(scope, id, props.topicArn, {
    alarmName: props.alarmName,
    alarmDescription: props.description,
    namespace: "AWS/Events",
    metricName: "MatchedEvents",
    dimensions: { RuleName: props.ruleName, ...(props.eventBusName ? { EventBusName: props.eventBusName } : {}) },
    statistic: "Sum",
    period: 300,
    threshold: 0,
    tags: { ...(props.tags ?? {}) },
  });
}
