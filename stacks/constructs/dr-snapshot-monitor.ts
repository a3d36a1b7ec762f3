// DR-account side of native snapshot sharing: the dr-monitor Lambda lists the snapshots each source account
// shares with this account and publishes NewestSharedSnapshotAgeHours per (source account, cluster); one alarm
// per pair fires when that age exceeds the RPO or when the monitor stops reporting.
//
// Reusable from any CDKTF app: everything comes from props, nothing from the project config.
import * as path from "path";
import { Construct } from "constructs";
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { AlertTopic } from "./alert-topic";
import {
  AwsEnvironmentProps,
  DeadLetterQueue,
  FunctionAlarms,
  FunctionSchedule,
  NodejsFunction,
  fail,
  resolveAwsEnvironment,
} from "./nodejs-function";
import {
  ScheduledFunction,
  checkAlarmPeriod,
  checkAlarmWindow,
  checkAlertTopicChoice,
  checkLogRetentionDays,
  checkNamePrefix,
} from "./scheduled-function";

/** Metric the dr-monitor publishes (namespace METRIC_NAMESPACE) and its dimensions. */
export const DR_MONITOR_METRICS = {
  newestSharedSnapshotAgeHours: "NewestSharedSnapshotAgeHours",
  sourceAccountDimension: "SourceAccount",
  clusterDimension: "ClusterIdentifier",
} as const;

const DEFAULT_ENTRY = path.resolve(__dirname, "../../functions/dr-monitor/handler.ts");

/** One source account whose shared snapshots are watched. */
export interface DrMonitorSource {
  /** 12-digit id of the account owning the snapshots. */
  readonly accountId: string;
  /** Clusters of that account whose snapshots are shared with this account. */
  readonly clusterIdentifiers: readonly string[];
  /** Alarm when the newest shared snapshot of a cluster is older than this many hours. */
  readonly rpoHours: number;
}

export interface DrSnapshotMonitorProps extends AwsEnvironmentProps {
  /** Prefix of every resource name: lowercase letter, then lowercase letters, digits, hyphens; at most 32. */
  readonly namePrefix: string;
  /** Source accounts and their clusters. */
  readonly sources: readonly DrMonitorSource[];
  /** E-mail addresses subscribed to a new alert topic. @default [] */
  readonly alertEmails?: readonly string[];
  /** Existing alert topic to use instead of creating one (then alertEmails must be empty). @default a new topic */
  readonly alertTopicArn?: string;
  /** KMS key of `alertTopicArn`, when that topic uses another key than `kmsKeyArn`. @default kmsKeyArn */
  readonly alertTopicKmsKeyArn?: string;
  /**
   * Operations KMS key ARN (in this DR account) encrypting the alert topic, the DLQ and the log group. Its
   * key policy must contain `operationsKeyPolicyStatements({ ..., redshiftEvents: false })` and the
   * account-root statement.
   */
  readonly kmsKeyArn: string;
  /** How often the monitor runs. @default "rate(1 hour)" */
  readonly scheduleExpression?: string;
  /** @default "UTC" */
  readonly scheduleTimezone?: string;
  /**
   * First part of the snapshot ids the source side gives its snapshots (`<prefix>-<cluster>-<stamp>`): with the
   * owner account, the cluster identifier and the type, this is how the monitor knows a shared snapshot is one of
   * ours (the owner's tags may not be visible to this account). Must match the source side. @default "rsdr"
   */
  readonly snapshotPrefix?: string;
  /**
   * managed-by tag value of the source side. Used only to exclude a snapshot whose visible tags say it is another
   * deployment's; a snapshot without visible tags is judged by its id. @default "rsdr"
   */
  readonly managedBy?: string;
  /** @default "RedshiftDR" */
  readonly metricNamespace?: string;
  /** Log group retention, days. @default 365 */
  readonly logRetentionDays?: number;
  /** Handler entry file. @default functions/dr-monitor/handler.ts of this repo */
  readonly entry?: string;
  /** @default 120 */
  readonly timeoutSeconds?: number;
  /** @default 256 */
  readonly memorySize?: number;
  /**
   * Period of the staleness alarms, seconds (multiple of 60, 60-86400); must cover the interval between runs.
   * @default 3600
   */
  readonly alarmPeriodSeconds?: number;
  /** Consecutive breaching periods before a staleness alarm fires (absorbs one late run). @default 2 */
  readonly alarmEvaluationPeriods?: number;
  /** @default {} */
  readonly tags?: Readonly<Record<string, string>>;
}

const OWNER = "DrSnapshotMonitor";
const invalid = (field: string, value: unknown, allowed: string): never => fail(OWNER, field, value, allowed);

function validate(props: DrSnapshotMonitorProps): void {
  checkNamePrefix(OWNER, props.namePrefix, "-dr-monitor-scheduler");
  if (props.sources.length === 0) invalid("sources", props.sources, "at least one source account");
  const seen = new Set<string>();
  props.sources.forEach((s, i) => {
    if (!/^\d{12}$/.test(s.accountId)) invalid(`sources[${i}].accountId`, s.accountId, "a 12-digit AWS account id");
    if (seen.has(s.accountId)) invalid(`sources[${i}].accountId`, s.accountId, "listed once");
    seen.add(s.accountId);
    if (props.accountId !== undefined && s.accountId === props.accountId) {
      invalid(`sources[${i}].accountId`, s.accountId, "an account other than the DR account (accountId)");
    }
    if (s.clusterIdentifiers.length === 0) invalid(`sources[${i}].clusterIdentifiers`, s.clusterIdentifiers, "at least one cluster");
    s.clusterIdentifiers.forEach((c, j) => {
      if (!/^[a-z](?!.*--)[a-z0-9-]{0,62}(?<!-)$/.test(c)) {
        invalid(`sources[${i}].clusterIdentifiers[${j}]`, c, "lowercase letters, digits and hyphens, 1-63 characters, starting with a letter");
      }
      if (s.clusterIdentifiers.indexOf(c) !== j) invalid(`sources[${i}].clusterIdentifiers[${j}]`, c, "listed once");
    });
    if (!(s.rpoHours > 0)) invalid(`sources[${i}].rpoHours`, s.rpoHours, "a positive number of hours");
  });
  checkAlarmPeriod(OWNER, props.alarmPeriodSeconds);
  checkAlarmWindow(OWNER, props.alarmPeriodSeconds ?? 3600, props.alarmEvaluationPeriods ?? 2);
  checkAlertTopicChoice(OWNER, props);
  checkLogRetentionDays(OWNER, props.logRetentionDays);
}

/**
 * The DR-side monitor: dr-monitor function on an EventBridge Scheduler schedule (retries, encrypted DLQ),
 * a role limited to DescribeClusterSnapshots, PutMetricData in its namespace and Publish to the alert topic,
 * and one NewestSharedSnapshotAgeHours > rpoHours alarm per (source account, cluster), missing data breaching.
 */
export class DrSnapshotMonitor extends Construct {
  public readonly function: NodejsFunction;
  public readonly schedule: FunctionSchedule;
  public readonly deadLetterQueue: DeadLetterQueue;
  /** The alert topic created here; undefined when `alertTopicArn` was given. */
  public readonly alertTopic?: AlertTopic;
  public readonly alertTopicArn: string;
  public readonly functionAlarms: FunctionAlarms;
  /** Keyed `<accountId>/<clusterIdentifier>`. */
  public readonly stalenessAlarms: Readonly<Record<string, CloudwatchMetricAlarm>>;
  public readonly functionName: string;
  public readonly functionArn: string;
  public readonly roleArn: string;
  public readonly metricNamespace: string;

  constructor(scope: Construct, id: string, props: DrSnapshotMonitorProps) {
    super(scope, id);
    validate(props);
    const env = resolveAwsEnvironment(this, props);
    const tags = { ...(props.tags ?? {}) };
    this.metricNamespace = props.metricNamespace ?? "RedshiftDR";
    const functionName = `${props.namePrefix}-dr-monitor`;

    const scheduled = new ScheduledFunction(this, {
      ownerName: OWNER,
      functionName,
      entry: props.entry ?? DEFAULT_ENTRY,
      description: "Reports the age of the newest Redshift snapshot each source account shares with this DR account",
      environment: {
        SOURCES: JSON.stringify(props.sources.map((s) => ({ accountId: s.accountId, clusters: [...s.clusterIdentifiers] }))),
        SNAPSHOT_PREFIX: props.snapshotPrefix ?? "rsdr",
        MANAGED_BY: props.managedBy ?? "rsdr",
      },
      policyStatements: ({ publishAlerts, putMetricData }) => [
        {
          // WILDCARD: listing the snapshots other accounts share with this one names no cluster of this account;
          // the Service Authorization Reference gives DescribeClusterSnapshots only an optional cluster resource.
          Sid: "DescribeSharedSnapshots",
          Action: "redshift:DescribeClusterSnapshots",
          Resource: "*",
        },
        putMetricData,
        publishAlerts,
      ],
      timeoutSeconds: props.timeoutSeconds ?? 120,
      memorySize: props.memorySize,
      logRetentionDays: props.logRetentionDays,
      metricNamespace: this.metricNamespace,
      alertTopicName: `${props.namePrefix}-dr-alerts`,
      alertEmails: props.alertEmails,
      alertTopicArn: props.alertTopicArn,
      alertTopicKmsKeyArn: props.alertTopicKmsKeyArn,
      kmsKeyArn: props.kmsKeyArn,
      scheduleExpression: props.scheduleExpression ?? "rate(1 hour)",
      scheduleTimezone: props.scheduleTimezone,
      scheduleDescription: "Checks the age of snapshots shared with the DR account",
      tags,
      environmentOf: env,
    });
    this.function = scheduled.function;
    this.schedule = scheduled.schedule;
    this.deadLetterQueue = scheduled.deadLetterQueue;
    this.alertTopic = scheduled.alertTopic;
    this.alertTopicArn = scheduled.alertTopicArn;
    this.functionAlarms = scheduled.functionAlarms;
    this.functionName = functionName;
    this.functionArn = this.function.functionArn;
    this.roleArn = this.function.roleArn;

    const period = props.alarmPeriodSeconds ?? 3600;
    const evaluationPeriods = props.alarmEvaluationPeriods ?? 2;
    const alarms: Record<string, CloudwatchMetricAlarm> = {};
    for (const source of props.sources) {
      for (const cluster of source.clusterIdentifiers) {
        alarms[`${source.accountId}/${cluster}`] = scheduled.addMetricAlarm(`staleness-${source.accountId}-${cluster}`, {
          alarmName: `${functionName}-${source.accountId}-${cluster}-rpo-exceeded`,
          alarmDescription:
            `The newest snapshot of ${cluster} shared by ${source.accountId} is older than the RPO of ` +
            `${source.rpoHours} h, or the DR monitor stopped reporting.`,
          metricName: DR_MONITOR_METRICS.newestSharedSnapshotAgeHours,
          dimensions: {
            [DR_MONITOR_METRICS.sourceAccountDimension]: source.accountId,
            [DR_MONITOR_METRICS.clusterDimension]: cluster,
          },
          statistic: "Maximum",
          period,
          evaluationPeriods,
          datapointsToAlarm: evaluationPeriods,
          threshold: source.rpoHours,
          treatMissingData: "breaching",
        });
      }
    }
    this.stalenessAlarms = alarms;
  }
}
