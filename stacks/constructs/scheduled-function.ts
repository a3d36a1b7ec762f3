// What SnapshotAutomation and DrSnapshotMonitor share: a function run on a schedule, one run at a time, with
// an encrypted dead-letter queue, health alarms and an alert topic (its own, or one given by ARN).
import { Annotations } from "cdktf";
import { Construct } from "constructs";
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { AlertTopic } from "./alert-topic";
import { PolicyStatement, kmsViaServiceStatement } from "./iam";
import {
  AwsEnvironment,
  DeadLetterQueue,
  FunctionAlarms,
  FunctionSchedule,
  LOG_RETENTION_DAYS,
  NodejsFunction,
  NotifyingAlarmConfig,
  fail,
  notifyingAlarm,
} from "./nodejs-function";

// Checks of props both owners take. Each owner calls them where its own order of checks has them, since the
// first failing check is the error reported.

/**
 * The prefix must leave room for the longest name built from it (an IAM role name, at most 64 characters) and
 * be usable in Redshift names (an event subscription: no trailing hyphen, no two hyphens in a row).
 */
export function checkNamePrefix(owner: string, namePrefix: string, longestSuffix: string): void {
  const max = 64 - longestSuffix.length;
  if (!/^[a-z](?!.*--)[a-z0-9-]*(?<!-)$/.test(namePrefix) || namePrefix.length > max) {
    fail(
      owner,
      "namePrefix",
      namePrefix,
      `a lowercase letter, then lowercase letters, digits and single hyphens, not ending with a hyphen, at most ${max} ` +
        `characters ("${namePrefix}${longestSuffix}" must fit IAM's 64)`,
    );
  }
}

/** CloudWatch: period x evaluation periods at most 7 days, or 1 day for periods under an hour. */
export function checkAlarmWindow(owner: string, periodSeconds: number, evaluationPeriods: number | undefined): void {
  if (evaluationPeriods === undefined) return;
  const limit = periodSeconds < 3600 ? 86400 : 604800;
  if (!Number.isInteger(evaluationPeriods) || evaluationPeriods < 1 || periodSeconds * evaluationPeriods > limit) {
    fail(
      owner,
      "alarmEvaluationPeriods",
      evaluationPeriods,
      `an integer from 1 to ${Math.floor(limit / periodSeconds)} (CloudWatch: period ${periodSeconds} s x evaluation periods may not exceed ${limit} s)`,
    );
  }
}

export function checkAlertTopicChoice(
  owner: string,
  props: { alertEmails?: readonly string[]; alertTopicArn?: string },
): void {
  if (props.alertTopicArn !== undefined && (props.alertEmails ?? []).length > 0) {
    fail(owner, "alertEmails", props.alertEmails, "empty when alertTopicArn is given (subscribe to that topic instead)");
  }
}

export function checkAlarmPeriod(owner: string, seconds: number | undefined): void {
  if (seconds !== undefined && (seconds % 60 !== 0 || seconds < 60 || seconds > 86400)) {
    fail(owner, "alarmPeriodSeconds", seconds, "a multiple of 60 from 60 to 86400");
  }
}

export function checkLogRetentionDays(owner: string, days: number | undefined): void {
  const value = days ?? 365;
  if (!(LOG_RETENTION_DAYS as readonly number[]).includes(value)) {
    fail(owner, "logRetentionDays", value, `one of ${LOG_RETENTION_DAYS.join(", ")}`);
  }
}

/** The statements every scheduled function gets, for the caller to place among its own. */
export interface SharedStatements {
  /** sns:Publish to the alert topic. */
  readonly publishAlerts: PolicyStatement;
  /** cloudwatch:PutMetricData, confined to `metricNamespace`. */
  readonly putMetricData: PolicyStatement;
}

export interface ScheduledFunctionProps {
  /** Name of the construct using this, starting its warnings, e.g. "SnapshotAutomation". */
  readonly ownerName: string;
  /** Lambda function name; also names the DLQ (`<name>-dlq`), the schedule and the alarms. */
  readonly functionName: string;
  /** Handler entry file exporting `handler`. */
  readonly entry: string;
  /** @default no description */
  readonly description?: string;
  /** Environment variables; ALERT_TOPIC_ARN and METRIC_NAMESPACE are always added. @default {} */
  readonly environment?: Readonly<Record<string, string>>;
  /**
   * The function's own statements, with the shared ones placed where the caller wants them (statement order
   * is part of the policy document). KMS statements for the alert topic and the DLQ are appended.
   */
  readonly policyStatements: (shared: SharedStatements) => readonly PolicyStatement[];
  /** Function timeout, seconds. @default 60 */
  readonly timeoutSeconds?: number;
  /** @default 256 */
  readonly memorySize?: number;
  /** Log group retention, days. @default 365 */
  readonly logRetentionDays?: number;
  /** CloudWatch namespace of the function's metrics. */
  readonly metricNamespace: string;
  /** Name of the alert topic created when `alertTopicArn` is not given. */
  readonly alertTopicName: string;
  /** E-mail addresses subscribed to a new alert topic (the owner refuses them with `alertTopicArn`). @default [] */
  readonly alertEmails?: readonly string[];
  /** Existing alert topic to use instead of creating one. @default a new topic */
  readonly alertTopicArn?: string;
  /** KMS key of `alertTopicArn`, when that topic uses another key than `kmsKeyArn`. @default kmsKeyArn */
  readonly alertTopicKmsKeyArn?: string;
  /** KMS key ARN encrypting the alert topic, the DLQ, the log group and the environment variables. */
  readonly kmsKeyArn: string;
  /** EventBridge Scheduler expression. */
  readonly scheduleExpression: string;
  /** IANA time zone of the schedule expression. @default "UTC" */
  readonly scheduleTimezone?: string;
  /** @default no description */
  readonly scheduleDescription?: string;
  /** Scheduler retries of a failed delivery. @default 3 */
  readonly scheduleRetryAttempts?: number;
  /** Scheduler maximum event age, seconds. @default 3600 */
  readonly scheduleMaxEventAgeSeconds?: number;
  /** Throttles per hour tolerated before the throttles alarm fires. @default 0 */
  readonly throttlesPerHourThreshold?: number;
  /** @default {} */
  readonly tags?: Readonly<Record<string, string>>;
  /** Account, region and partition of ARNs and service endpoints. */
  readonly environmentOf: AwsEnvironment;
}

/**
 * The snapshot-manager and dr-monitor plumbing: alert topic, encrypted DLQ, the function (reserved concurrency
 * 1, so runs never overlap), its EventBridge Scheduler schedule (input `{"trigger":"schedule"}`) and alarms.
 *
 * Not a construct of its own: it adds its resources to `scope` under the ids the owners always used, so their
 * construct paths, hence Terraform logical ids, stay as they were.
 */
export class ScheduledFunction {
  public readonly function: NodejsFunction;
  public readonly schedule: FunctionSchedule;
  /** Receives both Scheduler deliveries that failed and asynchronous invocations that failed every retry. */
  public readonly deadLetterQueue: DeadLetterQueue;
  /** The alert topic created here; undefined when `alertTopicArn` was given. */
  public readonly alertTopic?: AlertTopic;
  public readonly alertTopicArn: string;
  public readonly functionAlarms: FunctionAlarms;
  private readonly scope: Construct;
  private readonly metricNamespace: string;
  private readonly tags: Readonly<Record<string, string>>;

  constructor(scope: Construct, props: ScheduledFunctionProps) {
    const env = props.environmentOf;
    const tags = { ...(props.tags ?? {}) };
    this.scope = scope;
    this.metricNamespace = props.metricNamespace;
    this.tags = tags;

    if (props.alertTopicArn !== undefined) {
      this.alertTopicArn = props.alertTopicArn;
    } else {
      this.alertTopic = new AlertTopic(scope, "alert-topic", {
        topicName: props.alertTopicName,
        kmsKeyArn: props.kmsKeyArn,
        emails: props.alertEmails ?? [],
        allowCloudWatchAlarms: true,
        tags,
        environmentOf: env,
      });
      this.alertTopicArn = this.alertTopic.topicArn;
      if ((props.alertEmails ?? []).length === 0) {
        Annotations.of(scope).addWarning(
          `${props.ownerName}: alertEmails is empty and no alertTopicArn was given: alarms reach nobody until someone subscribes to the alert topic`,
        );
      }
    }

    this.deadLetterQueue = new DeadLetterQueue(scope, "dlq", {
      queueName: `${props.functionName}-dlq`,
      kmsKeyArn: props.kmsKeyArn,
      tags,
    });

    // Publishing to the encrypted alert topic and dead-lettering to the encrypted queue need the keys,
    // through SNS and SQS only.
    const viaSns = `sns.${env.region}.${env.dnsSuffix}`;
    const viaSqs = `sqs.${env.region}.${env.dnsSuffix}`;
    const alertKey = props.alertTopicKmsKeyArn ?? props.kmsKeyArn;
    const keyStatements =
      alertKey === props.kmsKeyArn
        ? [kmsViaServiceStatement("UseOperationsKeyViaSnsAndSqs", props.kmsKeyArn, [viaSns, viaSqs])]
        : [
            kmsViaServiceStatement("UseAlertTopicKeyViaSns", alertKey, [viaSns]),
            kmsViaServiceStatement("UseOperationsKeyViaSqs", props.kmsKeyArn, [viaSqs]),
          ];
    const shared: SharedStatements = {
      publishAlerts: { Sid: "PublishAlerts", Action: "sns:Publish", Resource: this.alertTopicArn },
      // WILDCARD: cloudwatch:PutMetricData has no resource types; the namespace condition confines it.
      putMetricData: {
        Sid: "PutMetricDataOwnNamespaceOnly",
        Action: "cloudwatch:PutMetricData",
        Resource: "*",
        Condition: { StringEquals: { "cloudwatch:namespace": props.metricNamespace } },
      },
    };

    this.function = new NodejsFunction(scope, "function", {
      functionName: props.functionName,
      entry: props.entry,
      description: props.description,
      environment: {
        ...(props.environment ?? {}),
        ALERT_TOPIC_ARN: this.alertTopicArn,
        METRIC_NAMESPACE: props.metricNamespace,
      },
      timeout: props.timeoutSeconds,
      memorySize: props.memorySize,
      reservedConcurrentExecutions: 1,
      logRetentionDays: props.logRetentionDays,
      logKmsKeyArn: props.kmsKeyArn,
      environmentKmsKeyArn: props.kmsKeyArn,
      policyStatements: [...props.policyStatements(shared), ...keyStatements],
      deadLetterQueueArn: this.deadLetterQueue.queueArn,
      tags,
      environmentOf: env,
    });

    this.schedule = new FunctionSchedule(scope, "schedule", {
      scheduleName: props.functionName,
      description: props.scheduleDescription,
      target: this.function,
      scheduleExpression: props.scheduleExpression,
      scheduleTimezone: props.scheduleTimezone,
      input: JSON.stringify({ trigger: "schedule" }),
      deadLetterQueue: this.deadLetterQueue,
      maximumRetryAttempts: props.scheduleRetryAttempts,
      maximumEventAgeSeconds: props.scheduleMaxEventAgeSeconds,
      tags,
      environmentOf: env,
    });

    this.functionAlarms = new FunctionAlarms(scope, "function-alarms", {
      alarmNamePrefix: props.functionName,
      target: this.function,
      deadLetterQueues: [this.deadLetterQueue],
      alarmTopicArn: this.alertTopicArn,
      throttlesPerHourThreshold: props.throttlesPerHourThreshold,
      tags,
    });
  }

  /** An alarm on one of the function's own metrics (in `metricNamespace`), notifying the alert topic. */
  public addMetricAlarm(id: string, config: Omit<NotifyingAlarmConfig, "namespace" | "tags">): CloudwatchMetricAlarm {
    return notifyingAlarm(this.scope, id, this.alertTopicArn, {
      ...config,
      namespace: this.metricNamespace,
      tags: this.tags,
    });
  }
}
