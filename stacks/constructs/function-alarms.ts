// Alarms that notify a topic: the helper every alarm here uses, and a function's health alarms.
import { Construct } from "constructs";
import { CloudwatchMetricAlarm, CloudwatchMetricAlarmConfig } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { DeadLetterQueue } from "./dead-letter-queue";
import { NodejsFunction } from "./nodejs-function";

/** What {@link notifyingAlarm} takes: an alarm's config without the comparison and the actions it sets. */
export type NotifyingAlarmConfig = Omit<
  CloudwatchMetricAlarmConfig,
  "comparisonOperator" | "alarmActions" | "okActions" | "evaluationPeriods"
> & {
  /** @default 1 */
  readonly evaluationPeriods?: number;
};

/**
 * A "metric > threshold" alarm notifying `topicArn` on ALARM and on OK. Missing data is not breaching
 * unless `treatMissingData` says otherwise.
 */
export function notifyingAlarm(
  scope: Construct,
  id: string,
  topicArn: string,
  config: NotifyingAlarmConfig,
): CloudwatchMetricAlarm {
  return new CloudwatchMetricAlarm(scope, id, {
    evaluationPeriods: 1,
    treatMissingData: "notBreaching",
    ...config,
    comparisonOperator: "GreaterThanThreshold",
    alarmActions: [topicArn],
    okActions: [topicArn],
  });
}

export interface FunctionAlarmsProps {
  /** Prefix of the alarm names, e.g. the function name. */
  readonly alarmNamePrefix: string;
  readonly target: NodejsFunction;
  /** Queues whose visible messages mean lost invocations. @default [] */
  readonly deadLetterQueues?: readonly DeadLetterQueue[];
  /** SNS topic ARN notified on ALARM and OK. */
  readonly alarmTopicArn: string;
  /**
   * Throttles tolerated per hour before alarming. Throttled asynchronous invocations are retried by Lambda,
   * so a few are harmless when reserved concurrency serialises overlapping triggers. @default 0
   */
  readonly throttlesPerHourThreshold?: number;
  /** @default {} */
  readonly tags?: Readonly<Record<string, string>>;
}

/** Alarms on a function's Errors (> 0 in 5 minutes), Throttles and on visible messages in its DLQs. */
export class FunctionAlarms extends Construct {
  public readonly errors: CloudwatchMetricAlarm;
  public readonly throttles: CloudwatchMetricAlarm;
  public readonly deadLetterQueues: CloudwatchMetricAlarm[];

  constructor(scope: Construct, id: string, props: FunctionAlarmsProps) {
    super(scope, id);
    const tags = { ...(props.tags ?? {}) };
    const topic = props.alarmTopicArn;
    const lambdaMetric = {
      namespace: "AWS/Lambda",
      dimensions: { FunctionName: props.target.lambda.functionName },
      statistic: "Sum",
    };
    this.errors = notifyingAlarm(this, "errors", topic, {
      alarmName: `${props.alarmNamePrefix}-errors`,
      alarmDescription: `Lambda ${props.target.functionName} failed an invocation (work failed or the code crashed).`,
      ...lambdaMetric,
      metricName: "Errors",
      period: 300,
      threshold: 0,
      tags,
    });
    this.throttles = notifyingAlarm(this, "throttles", topic, {
      alarmName: `${props.alarmNamePrefix}-throttles`,
      alarmDescription: `Lambda ${props.target.functionName} is being throttled.`,
      ...lambdaMetric,
      metricName: "Throttles",
      period: 3600,
      threshold: props.throttlesPerHourThreshold ?? 0,
      tags,
    });
    this.deadLetterQueues = (props.deadLetterQueues ?? []).map((dlq, i) =>
      notifyingAlarm(this, `dlq-${i}`, topic, {
        alarmName: `${props.alarmNamePrefix}-dlq${i === 0 ? "" : `-${i}`}-not-empty`,
        alarmDescription: `Dead-letter queue of ${props.target.functionName} holds undelivered or failed invocations.`,
        namespace: "AWS/SQS",
        metricName: "ApproximateNumberOfMessagesVisible",
        dimensions: { QueueName: dlq.queueName },
        statistic: "Maximum",
        period: 300,
        threshold: 0,
        tags,
      }),
    );
  }
}
