// The base construct of SnapshotAutomation and DrSnapshotMonitor: a function run on a schedule, one run at a
// time, with an encrypted dead-letter queue, health alarms and an alert topic (its own, or one given by ARN).
// Its children keep the ids the two constructs always gave them, so Terraform addresses do not move.
import { Annotations } from "cdktf";
import { Construct } from "constructs";
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { COMMON_ENV, DEFAULT_METRIC_NAMESPACE, identifierProblem, SCHEDULE_PAYLOAD } from "../../contract";
import { AlertTopic } from "./alert-topic";
import { AwsEnvironment, AwsEnvironmentProps, resolveAwsEnvironment } from "./aws-environment";
import { DeadLetterQueue } from "./dead-letter-queue";
import { FunctionAlarms, NotifyingAlarmConfig, notifyingAlarm } from "./function-alarms";
import { FunctionSchedule, SCHEDULER_ROLE_SUFFIX } from "./function-schedule";
import { packagedHandlerEntry, type PackagedHandler } from "./handler-entry";
import { PolicyStatement, kmsViaServiceStatement } from "./iam";
import { NodejsFunction } from "./nodejs-function";
import { PropChecks } from "./validation";

/** The props SnapshotAutomation and DrSnapshotMonitor both take, checked the same way. */
export interface ScheduledFunctionCommonProps extends AwsEnvironmentProps {
  /** Prefix of every resource name: a lowercase letter, then lowercase letters, digits and single hyphens. */
  readonly namePrefix: string;
  /** E-mail addresses subscribed to a new alert topic. @default [] */
  readonly alertEmails?: readonly string[];
  /** Existing alert topic to use instead of creating one (then alertEmails must be empty). @default a new topic */
  readonly alertTopicArn?: string;
  /** KMS key of `alertTopicArn`, when that topic uses another key than `kmsKeyArn`. @default kmsKeyArn */
  readonly alertTopicKmsKeyArn?: string;
  /**
   * Operations KMS key ARN encrypting the alert topic, the dead-letter queue, the log group and the environment.
   * Its key policy must contain `operationsKeyPolicyStatements(...)` (key-policies.ts) and the account-root
   * statement enabling IAM policies.
   */
  readonly kmsKeyArn: string;
  /** CloudWatch namespace of the function's metrics. @default "RedshiftDR" */
  readonly metricNamespace?: string;
  /** Log group retention, days (a CloudWatch Logs retention value). @default 365 */
  readonly logRetentionDays?: number;
  /**
   * Handler entry file exporting `handler`, bundled by esbuild at synth time.
   * @default the handler this package ships (functions/<name>/handler, found relative to the installed package)
   */
  readonly entry?: string;
  /** Function memory, MB. @default 256 */
  readonly memorySize?: number;
  /** Tags of every resource. @default {} */
  readonly tags?: Readonly<Record<string, string>>;
}

/** What a subclass passes to the base construct, beyond the common props. */
export interface ScheduledFunctionSpec {
  /** Name of the subclass, starting its errors and warnings, e.g. "SnapshotAutomation". */
  readonly ownerName: string;
  /** Lambda function name; also names the DLQ (`<name>-dlq`), the schedule, its role and the alarms. */
  readonly functionName: string;
  /** The packaged handler bundled when `entry` is not given. */
  readonly defaultHandler: PackagedHandler;
  readonly description: string;
  /** Environment variables (or a function of where it deploys giving them); ALERT_TOPIC_ARN and METRIC_NAMESPACE are added. */
  readonly environment: Readonly<Record<string, string>> | ((env: AwsEnvironment) => Readonly<Record<string, string>>);
  /**
   * The function's own statements. sns:Publish to the alert topic ("PublishAlerts") and the KMS statements for
   * the alert topic and the DLQ follow them.
   */
  readonly policyStatements: (env: AwsEnvironment) => readonly PolicyStatement[];
  /** Function timeout, seconds. */
  readonly timeoutSeconds: number;
  /** Name of the alert topic created when `alertTopicArn` is not given. */
  readonly alertTopicName: string;
  readonly scheduleExpression: string;
  /** IANA time zone of the schedule expression. @default "UTC" */
  readonly scheduleTimezone?: string;
  readonly scheduleDescription: string;
  /** Scheduler retries of a failed delivery. @default 3 */
  readonly scheduleRetryAttempts?: number;
  /** Scheduler maximum event age, seconds. @default 3600 */
  readonly scheduleMaxEventAgeSeconds?: number;
  /** Throttles per hour tolerated before the throttles alarm fires. @default 0 */
  readonly throttlesPerHourThreshold?: number;
}

/**
 * The scheduled-function plumbing: alert topic, encrypted DLQ, the function (reserved concurrency 1, so runs never
 * overlap), its EventBridge Scheduler schedule (input `{"trigger":"schedule"}`) and its health alarms.
 */
export class ScheduledFunction extends Construct {
  public readonly function: NodejsFunction;
  public readonly schedule: FunctionSchedule;
  /** Receives both Scheduler deliveries that failed and asynchronous invocations that failed every retry. */
  public readonly deadLetterQueue: DeadLetterQueue;
  /** The alert topic created here; undefined when `alertTopicArn` was given. */
  public readonly alertTopic?: AlertTopic;
  public readonly alertTopicArn: string;
  public readonly functionAlarms: FunctionAlarms;
  public readonly functionName: string;
  public readonly functionArn: string;
  public readonly roleArn: string;
  public readonly metricNamespace: string;
  /** Account, region and partition of ARNs and service endpoints. */
  public readonly environment: AwsEnvironment;
  /** Tags of every resource here (the subclass tags its own resources with them too). */
  protected readonly tags: Readonly<Record<string, string>>;

  constructor(scope: Construct, id: string, props: ScheduledFunctionCommonProps, spec: ScheduledFunctionSpec) {
    super(scope, id);
    const env = resolveAwsEnvironment(this, props);
    const tags = { ...(props.tags ?? {}) };
    this.environment = env;
    this.tags = tags;
    this.metricNamespace = props.metricNamespace ?? DEFAULT_METRIC_NAMESPACE;
    this.functionName = spec.functionName;

    if (props.alertTopicArn !== undefined) {
      this.alertTopicArn = props.alertTopicArn;
    } else {
      this.alertTopic = new AlertTopic(this, "alert-topic", {
        topicName: spec.alertTopicName,
        kmsKeyArn: props.kmsKeyArn,
        emails: props.alertEmails ?? [],
        allowCloudWatchAlarms: true,
        tags,
        environmentOf: env,
      });
      this.alertTopicArn = this.alertTopic.topicArn;
      if ((props.alertEmails ?? []).length === 0) {
        Annotations.of(this).addWarning(
          `${spec.ownerName}: alertEmails is empty and no alertTopicArn was given: alarms reach nobody until someone subscribes to the alert topic`,
        );
      }
    }

    this.deadLetterQueue = new DeadLetterQueue(this, "dlq", { queueName: `${spec.functionName}-dlq`, kmsKeyArn: props.kmsKeyArn, tags });

    // Publishing to the encrypted alert topic and dead-lettering to the encrypted queue need the keys,
    // through SNS and SQS only. (Metrics need nothing: they are embedded metric format in the function's logs.)
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
    const publishAlerts: PolicyStatement = { Sid: "PublishAlerts", Action: "sns:Publish", Resource: this.alertTopicArn };

    this.function = new NodejsFunction(this, "function", {
      functionName: spec.functionName,
      entry: props.entry ?? packagedHandlerEntry(spec.defaultHandler),
      description: spec.description,
      environment: {
        ...(typeof spec.environment === "function" ? spec.environment(env) : spec.environment),
        [COMMON_ENV.alertTopicArn]: this.alertTopicArn,
        [COMMON_ENV.metricNamespace]: this.metricNamespace,
      },
      timeout: spec.timeoutSeconds,
      memorySize: props.memorySize,
      reservedConcurrentExecutions: 1,
      logRetentionDays: props.logRetentionDays,
      logKmsKeyArn: props.kmsKeyArn,
      environmentKmsKeyArn: props.kmsKeyArn,
      policyStatements: [...spec.policyStatements(env), publishAlerts, ...keyStatements],
      deadLetterQueueArn: this.deadLetterQueue.queueArn,
      tags,
      environmentOf: env,
    });
    this.functionArn = this.function.functionArn;
    this.roleArn = this.function.roleArn;

    this.schedule = new FunctionSchedule(this, "schedule", {
      scheduleName: spec.functionName,
      description: spec.scheduleDescription,
      target: this.function,
      scheduleExpression: spec.scheduleExpression,
      scheduleTimezone: spec.scheduleTimezone,
      input: JSON.stringify(SCHEDULE_PAYLOAD),
      deadLetterQueue: this.deadLetterQueue,
      maximumRetryAttempts: spec.scheduleRetryAttempts,
      maximumEventAgeSeconds: spec.scheduleMaxEventAgeSeconds,
      tags,
      environmentOf: env,
    });

    this.functionAlarms = new FunctionAlarms(this, "function-alarms", {
      alarmNamePrefix: spec.functionName,
      target: this.function,
      deadLetterQueues: [this.deadLetterQueue],
      alarmTopicArn: this.alertTopicArn,
      throttlesPerHourThreshold: spec.throttlesPerHourThreshold,
      tags,
    });
  }

  /** An alarm on one of the function's own metrics (in its namespace), notifying the alert topic. */
  protected addMetricAlarm(id: string, config: Omit<NotifyingAlarmConfig, "namespace" | "tags">): CloudwatchMetricAlarm {
    return notifyingAlarm(this, id, this.alertTopicArn, { ...config, namespace: this.metricNamespace, tags: this.tags });
  }
}

/**
 * Checks of the common props, for a subclass to run before it builds anything: the name prefix must leave room
 * for the longest name built from it (the schedule's role, `<prefix><functionSuffix>-scheduler`, an IAM role name
 * of at most 64 characters) and be usable in Redshift names (no trailing hyphen, no two in a row).
 */
export function checkCommonProps(check: PropChecks, props: ScheduledFunctionCommonProps, functionSuffix: string): void {
  const longestSuffix = `${functionSuffix}${SCHEDULER_ROLE_SUFFIX}`;
  const max = 64 - longestSuffix.length;
  if (identifierProblem(props.namePrefix, max) !== null) {
    check.fail(
      "namePrefix",
      props.namePrefix,
      `a lowercase letter, then lowercase letters, digits and single hyphens, not ending with a hyphen, at most ${max} ` +
        `characters ("${props.namePrefix}${longestSuffix}" must fit IAM's 64)`,
    );
  }
  if (props.alertTopicArn !== undefined && (props.alertEmails ?? []).length > 0) {
    check.fail("alertEmails", props.alertEmails, "empty when alertTopicArn is given (subscribe to that topic instead)");
  }
  check.logRetentionDays("logRetentionDays", props.logRetentionDays);
}

/** Checks an alarm's period and window: CloudWatch allows period x evaluation periods of 7 days at most (1 day under an hour). */
export function checkAlarmWindow(check: PropChecks, periodSeconds: number, evaluationPeriods: number): void {
  if (periodSeconds % 60 !== 0 || periodSeconds < 60 || periodSeconds > 86400) {
    check.fail("alarmPeriodSeconds", periodSeconds, "a multiple of 60 from 60 to 86400");
  }
  const limit = periodSeconds < 3600 ? 86400 : 604800;
  if (!Number.isInteger(evaluationPeriods) || evaluationPeriods < 1 || periodSeconds * evaluationPeriods > limit) {
    check.fail(
      "alarmEvaluationPeriods",
      evaluationPeriods,
      `an integer from 1 to ${Math.floor(limit / periodSeconds)} (CloudWatch: period ${periodSeconds} s x evaluation periods may not exceed ${limit} s)`,
    );
  }
}
