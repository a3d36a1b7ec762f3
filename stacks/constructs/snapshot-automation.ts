// Source-account side of automated native snapshot sharing: the snapshot-manager Lambda (bundled from
// TypeScript), its EventBridge Scheduler schedule, a Redshift event subscription that triggers it as soon as a
// snapshot completes, and the alarms that make a failed or stalled reconcile visible.
//
// Reusable from any CDKTF app: everything comes from props, nothing from the project config.
import * as path from "path";
import { Construct } from "constructs";
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { LambdaPermission } from "@cdktf/provider-aws/lib/lambda-permission";
import { RedshiftEventSubscription } from "@cdktf/provider-aws/lib/redshift-event-subscription";
import { SnsTopicSubscription } from "@cdktf/provider-aws/lib/sns-topic-subscription";
import { AlertTopic, REDSHIFT_EVENTS_PRINCIPAL } from "./alert-topic";
import { dnsSuffixFor } from "./iam";
import {
  AwsEnvironmentProps,
  DeadLetterQueue,
  FunctionAlarms,
  FunctionSchedule,
  NodejsFunction,
  checkIntRange,
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

/** Tag keys the snapshot manager puts on its snapshots; CreateTags is allowed for these keys only. */
export const SNAPSHOT_TAG_KEYS = ["managed-by", "rsdr:cluster", "rsdr:window", "rsdr:targets"] as const;

/**
 * Metric names and dimension the alarms expect from the snapshot manager (namespace METRIC_NAMESPACE).
 * Both metrics carry exactly one dimension, ClusterIdentifier.
 */
export const SNAPSHOT_MANAGER_METRICS = {
  clusterFailures: "ClusterFailures",
  newestSharedSnapshotAgeHours: "NewestSharedSnapshotAgeHours",
  clusterDimension: "ClusterIdentifier",
} as const;

/** Event categories of source type cluster-snapshot (DescribeEventCategories): "management", "monitoring". */
export const CLUSTER_SNAPSHOT_EVENT_CATEGORIES = ["management", "monitoring"] as const;

const DEFAULT_ENTRY = path.resolve(__dirname, "../../functions/snapshot-manager/handler.ts");

export interface SnapshotAutomationProps extends AwsEnvironmentProps {
  /** Prefix of every resource name: lowercase letter, then lowercase letters, digits, hyphens; at most 32. */
  readonly namePrefix: string;
  /** Provisioned clusters to snapshot and share (this account and region). */
  readonly clusterIdentifiers: readonly string[];
  /** DR account ids every snapshot is shared with (1-20; a snapshot can be shared with at most 20 accounts). */
  readonly drAccountIds: readonly string[];
  /** EventBridge Scheduler expression, e.g. "cron(0 0/4 * * ? *)" or "rate(4 hours)". */
  readonly scheduleExpression: string;
  /** IANA time zone of the schedule expression. @default "UTC" */
  readonly scheduleTimezone?: string;
  /** Length of a snapshot window in minutes: one manual snapshot per cluster per window (1-10080). */
  readonly windowMinutes: number;
  /** Days a snapshot of ours is kept before it is revoked and deleted (1-3653). */
  readonly retentionDays: number;
  /** Newest snapshots per cluster kept whatever their age (1-100). */
  readonly keepLatest: number;
  /**
   * Newest available snapshots per cluster that stay shared with the DR accounts (1-20); older ones that
   * retention keeps lose their authorization. Redshift allows 100 authorizations per KMS key: clusters on one
   * key x (shareLatest + 1) x DR accounts must stay within it (the caller knows which clusters share a key).
   * @default 2
   */
  readonly shareLatest?: number;
  /** Recovery point objective: alarm when the newest shared snapshot is older than this many hours. */
  readonly rpoHours: number;
  /** E-mail addresses subscribed to a new alert topic. @default [] */
  readonly alertEmails?: readonly string[];
  /** Existing alert topic to use instead of creating one (then alertEmails must be empty). @default a new topic */
  readonly alertTopicArn?: string;
  /** KMS key of `alertTopicArn`, when that topic uses another key than `kmsKeyArn`. @default kmsKeyArn */
  readonly alertTopicKmsKeyArn?: string;
  /**
   * Operations KMS key ARN encrypting the SNS topics, the dead-letter queue and the log group. Its key policy
   * must contain `operationsKeyPolicyStatements(...)` plus the account-root statement enabling IAM policies.
   */
  readonly kmsKeyArn: string;
  /** Log group retention, days. @default 365 */
  readonly logRetentionDays?: number;
  /** Handler entry file of the snapshot manager. @default functions/snapshot-manager/handler.ts of this repo */
  readonly entry?: string;
  /** Tags for every taggable resource. @default {} */
  readonly tags?: Readonly<Record<string, string>>;
  /** First part of every snapshot id (`<prefix>-<cluster>-...`). @default "rsdr" */
  readonly snapshotPrefix?: string;
  /** Value of the managed-by tag marking snapshots as ours. @default "rsdr" */
  readonly managedBy?: string;
  /** CloudWatch namespace of the function's metrics. @default "RedshiftDR" */
  readonly metricNamespace?: string;
  /** Log what would change without changing anything. @default false */
  readonly dryRun?: boolean;
  /** Seconds kept free at the end of an invocation when waiting for a snapshot. @default unset (function default) */
  readonly waitMarginSeconds?: number;
  /** Function timeout, seconds. @default 900 */
  readonly timeoutSeconds?: number;
  /** @default 256 */
  readonly memorySize?: number;
  /** Trigger a reconcile when a snapshot completes (Redshift event subscription -> SNS -> Lambda). @default true */
  readonly eventTrigger?: boolean;
  /** Event categories of the cluster-snapshot subscription. @default ["monitoring"] (completed and failed snapshots) */
  readonly eventCategories?: readonly string[];
  /**
   * Period of the per-cluster metric alarms, seconds (multiple of 60, at most 86400). Must cover the
   * interval between runs, or missing data (treated as breaching) raises the staleness alarm.
   * @default windowMinutes * 60, capped to 86400
   */
  readonly alarmPeriodSeconds?: number;
  /** Consecutive breaching periods before the staleness alarm fires. @default 2 */
  readonly alarmEvaluationPeriods?: number;
  /** Throttles per hour tolerated (overlapping schedule and event triggers are serialised). @default 5 */
  readonly throttlesPerHourThreshold?: number;
  /** Scheduler retries of a failed delivery. @default 3 */
  readonly scheduleRetryAttempts?: number;
  /** Scheduler maximum event age, seconds. @default 3600 */
  readonly scheduleMaxEventAgeSeconds?: number;
}

/** What the operations key policy must allow; see {@link operationsKeyPolicyStatements}. */
export interface OperationsKeyPolicyProps {
  readonly accountId: string;
  readonly region: string;
  /** @default "aws" */
  readonly partition?: string;
  /** @default derived from partition ("amazonaws.com", or "amazonaws.com.cn" for aws-cn) */
  readonly dnsSuffix?: string;
  /** Include the statement for Redshift event notifications to an encrypted topic. @default true */
  readonly redshiftEvents?: boolean;
  /** Include the CloudWatch Logs statement (leave out if the key policy already has one). @default true */
  readonly logs?: boolean;
}

/**
 * A key-policy statement as plain JSON data (explicit Effect, mutable arrays), so that it can be passed to
 * any policy-document helper that takes IAM statement objects.
 */
export type KeyPolicyStatement = {
  Sid: string;
  Effect: "Allow";
  Principal: { Service: string };
  Action: string[];
  Resource: "*";
  Condition: Record<string, Record<string, string>>;
};

/**
 * Service statements the operations KMS key (the `kmsKeyArn` of SnapshotAutomation and DrSnapshotMonitor)
 * needs in its key policy. In a key policy, `Resource: "*"` means "this key".
 *
 * The stack author adds these to a key policy that also has the account-root statement
 * (`Principal: {AWS: arn:<partition>:iam::<account>:root}`, `kms:*`) so that IAM policies take effect: the
 * Lambda roles (SNS Publish to the encrypted alert topic, SQS SendMessage to the encrypted DLQ) and the
 * Scheduler execution role (dead-letter delivery to the encrypted DLQ) get kms:GenerateDataKey/kms:Decrypt
 * from their own IAM policies, limited with kms:ViaService, so they need no key-policy statement of their own.
 *
 * - CloudWatch Logs (log groups encrypted with the key): logs.<region>.<suffix>, limited by
 *   kms:EncryptionContext:aws:logs:arn to this account's log groups in this region.
 * - CloudWatch alarms publishing to the encrypted alert topic: cloudwatch.amazonaws.com, limited by
 *   aws:SourceAccount and aws:SourceArn (this account's alarms in this region).
 * - Redshift event notifications publishing to the encrypted events topic: redshift.amazonaws.com with
 *   aws:SourceAccount (the principal the SNS Developer Guide lists for Redshift, see REDSHIFT_EVENTS_PRINCIPAL).
 * - Lambda subscribed to an encrypted topic: nothing; SNS decrypts before invoking the function.
 */
export function operationsKeyPolicyStatements(props: OperationsKeyPolicyProps): KeyPolicyStatement[] {
  const partition = props.partition ?? "aws";
  const suffix = props.dnsSuffix ?? dnsSuffixFor(partition);
  const { accountId, region } = props;
  const statements: KeyPolicyStatement[] = [];
  if (props.logs ?? true) {
    statements.push({
      Sid: "CloudWatchLogsOfThisAccount",
      Effect: "Allow",
      Principal: { Service: `logs.${region}.${suffix}` },
      Action: ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
      Resource: "*",
      Condition: {
        ArnLike: { "kms:EncryptionContext:aws:logs:arn": `arn:${partition}:logs:${region}:${accountId}:log-group:*` },
      },
    });
  }
  statements.push(
    {
      Sid: "CloudWatchAlarmsToEncryptedTopics",
      Effect: "Allow",
      Principal: { Service: "cloudwatch.amazonaws.com" },
      Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
      Resource: "*",
      Condition: {
        StringEquals: { "aws:SourceAccount": accountId },
        ArnLike: { "aws:SourceArn": `arn:${partition}:cloudwatch:${region}:${accountId}:alarm:*` },
      },
    },
  );
  if (props.redshiftEvents ?? true) {
    statements.push({
      Sid: "RedshiftEventsToEncryptedTopics",
      Effect: "Allow",
      Principal: { Service: REDSHIFT_EVENTS_PRINCIPAL },
      Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
      Resource: "*",
      Condition: { StringEquals: { "aws:SourceAccount": accountId } },
    });
  }
  return statements;
}

const OWNER = "SnapshotAutomation";
const invalid = (field: string, value: unknown, allowed: string): never => fail(OWNER, field, value, allowed);
const checkInt = (field: string, value: number | undefined, min: number, max: number) =>
  checkIntRange(OWNER, field, value, min, max);

const CLUSTER_ID = /^[a-z](?!.*--)[a-z0-9-]{0,62}(?<!-)$/;
const ACCOUNT_ID = /^\d{12}$/;

function defaultAlarmPeriod(props: SnapshotAutomationProps): number {
  return props.alarmPeriodSeconds ?? Math.min(86400, Math.max(60, props.windowMinutes * 60));
}

function validate(props: SnapshotAutomationProps): void {
  checkNamePrefix(OWNER, props.namePrefix, "-snapshot-manager-scheduler");
  if (props.clusterIdentifiers.length === 0) invalid("clusterIdentifiers", props.clusterIdentifiers, "at least one cluster");
  props.clusterIdentifiers.forEach((id, i) => {
    if (!CLUSTER_ID.test(id)) {
      invalid(`clusterIdentifiers[${i}]`, id, "lowercase letters, digits and hyphens, 1-63 characters, starting with a letter");
    }
    if (props.clusterIdentifiers.indexOf(id) !== i) invalid(`clusterIdentifiers[${i}]`, id, "listed once");
  });
  if (props.drAccountIds.length === 0 || props.drAccountIds.length > 20) {
    invalid("drAccountIds", props.drAccountIds, "1 to 20 account ids (a snapshot can be shared with at most 20 accounts)");
  }
  props.drAccountIds.forEach((id, i) => {
    if (!ACCOUNT_ID.test(id)) invalid(`drAccountIds[${i}]`, id, "a 12-digit AWS account id");
    if (props.drAccountIds.indexOf(id) !== i) invalid(`drAccountIds[${i}]`, id, "listed once");
    if (props.accountId !== undefined && id === props.accountId) {
      invalid(`drAccountIds[${i}]`, id, "an account other than the source account (accountId)");
    }
  });
  checkInt("windowMinutes", props.windowMinutes, 1, 10080);
  checkInt("retentionDays", props.retentionDays, 1, 3653);
  checkInt("keepLatest", props.keepLatest, 1, 100);
  checkInt("shareLatest", props.shareLatest, 1, 20);
  if (props.retentionDays * 1440 < props.windowMinutes) {
    invalid("retentionDays", props.retentionDays, `at least one window (windowMinutes ${props.windowMinutes})`);
  }
  if (!(props.rpoHours > 0) || props.rpoHours * 60 < props.windowMinutes) {
    invalid("rpoHours", props.rpoHours, `a number of hours not shorter than one window (windowMinutes ${props.windowMinutes})`);
  }
  const prefix = props.snapshotPrefix ?? "rsdr";
  if (!/^[a-z](?!.*--)[a-z0-9-]{0,39}(?<!-)$/.test(prefix)) {
    invalid("snapshotPrefix", prefix, "a lowercase letter, then lowercase letters, digits, single hyphens; at most 40");
  }
  checkAlertTopicChoice(OWNER, props);
  (props.eventCategories ?? []).forEach((c, i) => {
    if (!(CLUSTER_SNAPSHOT_EVENT_CATEGORIES as readonly string[]).includes(c)) {
      invalid(`eventCategories[${i}]`, c, `one of ${CLUSTER_SNAPSHOT_EVENT_CATEGORIES.join(", ")} (source type cluster-snapshot)`);
    }
  });
  checkAlarmPeriod(OWNER, props.alarmPeriodSeconds);
  checkAlarmWindow(OWNER, defaultAlarmPeriod(props), props.alarmEvaluationPeriods ?? 2);
  checkInt("waitMarginSeconds", props.waitMarginSeconds, 0, 900);
  checkLogRetentionDays(OWNER, props.logRetentionDays);
}

/**
 * Automated native snapshot sharing in a source account: the snapshot-manager function (reserved concurrency 1,
 * so runs never overlap), an EventBridge Scheduler schedule with retries and an encrypted DLQ, a Redshift
 * cluster-snapshot event subscription that triggers the same reconcile, and alarms on Errors, Throttles, DLQ
 * depth, ClusterFailures and staleness (per cluster, missing data breaching) to an alert topic.
 */
export class SnapshotAutomation extends Construct {
  public readonly function: NodejsFunction;
  public readonly schedule: FunctionSchedule;
  /** Receives both Scheduler deliveries that failed and asynchronous invocations that failed every retry. */
  public readonly deadLetterQueue: DeadLetterQueue;
  /** The alert topic created here; undefined when `alertTopicArn` was given. */
  public readonly alertTopic?: AlertTopic;
  public readonly alertTopicArn: string;
  /** Topic Redshift publishes snapshot events to; undefined when `eventTrigger` is false. */
  public readonly eventsTopic?: AlertTopic;
  public readonly eventSubscription?: RedshiftEventSubscription;
  public readonly functionAlarms: FunctionAlarms;
  /** Per cluster identifier. */
  public readonly clusterFailureAlarms: Readonly<Record<string, CloudwatchMetricAlarm>>;
  /** Per cluster identifier. */
  public readonly stalenessAlarms: Readonly<Record<string, CloudwatchMetricAlarm>>;
  public readonly functionName: string;
  public readonly functionArn: string;
  public readonly roleArn: string;
  /** ARNs of the configured clusters. */
  public readonly clusterArns: readonly string[];
  /** ARN patterns of the snapshots this automation owns, one per cluster. */
  public readonly snapshotArnPatterns: readonly string[];
  public readonly metricNamespace: string;

  constructor(scope: Construct, id: string, props: SnapshotAutomationProps) {
    super(scope, id);
    validate(props);
    const env = resolveAwsEnvironment(this, props);
    const tags = { ...(props.tags ?? {}) };
    const prefix = props.snapshotPrefix ?? "rsdr";
    const managedBy = props.managedBy ?? "rsdr";
    this.metricNamespace = props.metricNamespace ?? "RedshiftDR";
    const functionName = `${props.namePrefix}-snapshot-manager`;
    const arn = (resource: string) => `arn:${env.partition}:redshift:${env.region}:${env.accountId}:${resource}`;
    this.clusterArns = props.clusterIdentifiers.map((c) => arn(`cluster:${c}`));
    this.snapshotArnPatterns = props.clusterIdentifiers.map((c) => arn(`snapshot:${c}/${prefix}-*`));

    const environment: Record<string, string> = {
      CLUSTER_IDENTIFIERS: props.clusterIdentifiers.join(","),
      DR_ACCOUNT_IDS: props.drAccountIds.join(","),
      WINDOW_MINUTES: String(props.windowMinutes),
      RETENTION_DAYS: String(props.retentionDays),
      KEEP_LATEST: String(props.keepLatest),
      SHARE_LATEST: String(props.shareLatest ?? 2),
      SNAPSHOT_PREFIX: prefix,
      MANAGED_BY: managedBy,
      DRY_RUN: props.dryRun ? "true" : "false",
    };
    if (props.waitMarginSeconds !== undefined) environment.WAIT_MARGIN_SECONDS = String(props.waitMarginSeconds);

    const scheduled = new ScheduledFunction(this, {
      ownerName: OWNER,
      functionName,
      entry: props.entry ?? DEFAULT_ENTRY,
      description: "Creates, shares and expires manual Redshift snapshots for cross-account DR",
      environment,
      // Snapshot sharing itself needs no KMS permission of the caller: the cluster key's policy must grant the
      // DR accounts (docs/aws-behaviour.md, "Sharing snapshots").
      policyStatements: ({ publishAlerts, putMetricData }) => [
        {
          // Snapshots can only be created of the configured clusters and only with our naming. The Service
          // Authorization Reference lists the snapshot as the required resource and the cluster as optional; both
          // are named, which is right either way. No aws:RequestTag condition: the reference does not say that
          // request tags reach this action's context, and if they did not, every snapshot would be denied.
          Sid: "CreateOwnSnapshotsOfConfiguredClusters",
          Action: "redshift:CreateClusterSnapshot",
          Resource: [...this.clusterArns, ...this.snapshotArnPatterns],
        },
        {
          // Creating a snapshot with tags also authorizes redshift:CreateTags on it (a dependent action of
          // CreateClusterSnapshot in the Service Authorization Reference), limited here to our tag keys.
          Sid: "TagOwnSnapshotsWithOurKeys",
          Action: "redshift:CreateTags",
          Resource: [...this.snapshotArnPatterns],
          Condition: { "ForAllValues:StringEquals": { "aws:TagKeys": [...SNAPSHOT_TAG_KEYS] } },
        },
        {
          // Sharing, revoking and retention deletes touch only snapshots named by this automation. The snapshot is
          // the required resource; the cluster is an optional one (Service Authorization Reference), so the
          // configured clusters are named too: a request that names the cluster is then allowed, and the snapshot
          // pattern still decides which snapshots.
          Sid: "ShareRevokeDeleteOwnSnapshots",
          Action: ["redshift:AuthorizeSnapshotAccess", "redshift:RevokeSnapshotAccess", "redshift:DeleteClusterSnapshot"],
          Resource: [...this.clusterArns, ...this.snapshotArnPatterns],
        },
        {
          // WILDCARD: DescribeClusterSnapshots and DescribeClusters list across clusters; the Service Authorization
          // Reference gives them only an optional cluster resource, and whether a listing filtered to one cluster is
          // authorized against that cluster's ARN is not documented. A wrong guess would stop every run, so "*":
          // they read and change nothing.
          Sid: "DescribeNoResourceLevelPermissions",
          Action: ["redshift:DescribeClusterSnapshots", "redshift:DescribeClusters"],
          Resource: "*",
        },
        publishAlerts,
        putMetricData,
      ],
      timeoutSeconds: props.timeoutSeconds ?? 900,
      memorySize: props.memorySize,
      logRetentionDays: props.logRetentionDays,
      metricNamespace: this.metricNamespace,
      alertTopicName: `${props.namePrefix}-snapshot-alerts`,
      alertEmails: props.alertEmails,
      alertTopicArn: props.alertTopicArn,
      alertTopicKmsKeyArn: props.alertTopicKmsKeyArn,
      kmsKeyArn: props.kmsKeyArn,
      scheduleExpression: props.scheduleExpression,
      scheduleTimezone: props.scheduleTimezone,
      scheduleDescription: "Reconciles Redshift DR snapshots",
      scheduleRetryAttempts: props.scheduleRetryAttempts,
      scheduleMaxEventAgeSeconds: props.scheduleMaxEventAgeSeconds,
      throttlesPerHourThreshold: props.throttlesPerHourThreshold ?? 5,
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

    if (props.eventTrigger ?? true) {
      this.eventsTopic = new AlertTopic(this, "events-topic", {
        topicName: `${props.namePrefix}-snapshot-events`,
        kmsKeyArn: props.kmsKeyArn,
        emails: [],
        allowCloudWatchAlarms: false,
        allowRedshiftEvents: true,
        tags,
        environmentOf: env,
      });
      // Source ids of type cluster-snapshot are snapshot identifiers, not cluster identifiers, and ours are
      // new every window: the subscription covers every snapshot of the account. The reconcile is idempotent
      // and only acts on the configured clusters, so other clusters' events cost one short run each.
      this.eventSubscription = new RedshiftEventSubscription(this, "event-subscription", {
        name: `${props.namePrefix}-snapshot-events`,
        snsTopicArn: this.eventsTopic.topicArn,
        sourceType: "cluster-snapshot",
        eventCategories: [...(props.eventCategories ?? ["monitoring"])],
        enabled: true,
        tags,
        dependsOn: [this.eventsTopic.topicPolicy],
      });
      const permission = new LambdaPermission(this, "allow-events-topic", {
        statementId: "AllowSnapshotEventsTopic",
        action: "lambda:InvokeFunction",
        functionName: this.function.lambda.functionName,
        principal: "sns.amazonaws.com",
        sourceArn: this.eventsTopic.topicArn,
      });
      new SnsTopicSubscription(this, "events-to-function", {
        topicArn: this.eventsTopic.topicArn,
        protocol: "lambda",
        endpoint: this.function.functionArn,
        dependsOn: [permission],
      });
    }

    const period = defaultAlarmPeriod(props);
    const evaluationPeriods = props.alarmEvaluationPeriods ?? 2;
    const failures: Record<string, CloudwatchMetricAlarm> = {};
    const staleness: Record<string, CloudwatchMetricAlarm> = {};
    for (const cluster of props.clusterIdentifiers) {
      const dimensions = { [SNAPSHOT_MANAGER_METRICS.clusterDimension]: cluster };
      failures[cluster] = scheduled.addMetricAlarm(`cluster-failures-${cluster}`, {
        alarmName: `${functionName}-${cluster}-failures`,
        alarmDescription: `The snapshot manager failed to reconcile cluster ${cluster}.`,
        metricName: SNAPSHOT_MANAGER_METRICS.clusterFailures,
        dimensions,
        statistic: "Sum",
        period,
        threshold: 0,
      });
      staleness[cluster] = scheduled.addMetricAlarm(`staleness-${cluster}`, {
        alarmName: `${functionName}-${cluster}-rpo-exceeded`,
        alarmDescription:
          `The newest snapshot of ${cluster} shared with the DR account(s) is older than the RPO of ` +
          `${props.rpoHours} h, or the snapshot manager stopped reporting.`,
        metricName: SNAPSHOT_MANAGER_METRICS.newestSharedSnapshotAgeHours,
        dimensions,
        statistic: "Maximum",
        period,
        evaluationPeriods,
        datapointsToAlarm: evaluationPeriods,
        threshold: props.rpoHours,
        treatMissingData: "breaching",
      });
    }
    this.clusterFailureAlarms = failures;
    this.stalenessAlarms = staleness;
  }
}
