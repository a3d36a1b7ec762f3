// Source-account side of automated native snapshot sharing: the snapshot-manager Lambda (bundled from
// TypeScript), its EventBridge Scheduler schedule, a Redshift event subscription that triggers it as soon as a
// snapshot completes, and the alarms that make a failed or stalled reconcile visible.
//
// Reusable from any CDKTF app: everything comes from props, nothing from the project config.
import { Construct } from "constructs";
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { LambdaPermission } from "@cdktf/provider-aws/lib/lambda-permission";
import { RedshiftEventSubscription } from "@cdktf/provider-aws/lib/redshift-event-subscription";
import { SnsTopicSubscription } from "@cdktf/provider-aws/lib/sns-topic-subscription";
import {
  ACCOUNT_ID,
  AWS_REGION_NAME,
  CLUSTER_IDENTIFIER_RULE,
  clusterIdentifierProblem,
  DEFAULT_PROJECT,
  drAccountsProblem,
  identifierProblem,
  METRIC_DIMENSIONS,
  hasTiers,
  RETENTION_TIER_LIMITS,
  RETENTION_TIERS,
  retentionWindowProblem,
  type RetentionTiers,
  SNAPSHOT_MANAGER_ENV,
  SNAPSHOT_MANAGER_LIMITS,
  SNAPSHOT_MANAGER_METRICS,
  SHARE_PAYLOAD,
  SNAPSHOT_TAG_KEYS,
  snapshotIdPrefixPattern,
} from "../../contract";
import { AlertTopic } from "./alert-topic";
import { FunctionSchedule } from "./function-schedule";
import type { AwsEnvironment } from "./aws-environment";
import { checkAlarmWindow, checkCommonProps, ScheduledFunction, ScheduledFunctionCommonProps } from "./scheduled-function";
import { PropChecks } from "./validation";

/** Event categories of source type cluster-snapshot (DescribeEventCategories): "management", "monitoring". */
export const CLUSTER_SNAPSHOT_EVENT_CATEGORIES = ["management", "monitoring"] as const;


export interface SnapshotAutomationProps extends ScheduledFunctionCommonProps {
  /** Provisioned clusters to snapshot and share (this account and region). */
  readonly clusterIdentifiers: readonly string[];
  /** DR account ids every snapshot is shared with (1-19: Redshift allows 20 per snapshot, and the rsdr:targets tag holds 19). */
  readonly drAccountIds: readonly string[];
  /** EventBridge Scheduler expression, e.g. "cron(0 0/4 * * ? *)" or "rate(4 hours)". */
  readonly scheduleExpression: string;
  /** IANA time zone of the schedule expression. @default "UTC" */
  readonly scheduleTimezone?: string;
  /** Length of a snapshot window in minutes: one manual snapshot per cluster per window (1-10080). */
  readonly windowMinutes: number;
  /** Days a snapshot of ours is kept before it is revoked and deleted (1-3653; 0 with `retentionTiers`: none by age alone). */
  readonly retentionDays: number;
  /**
   * Tiers of retention: a tier of N also keeps the newest snapshot of each of its last N UTC hours, days, ISO weeks
   * or months, e.g. `{ hourly: 24, daily: 35, monthly: 12 }`.
   * @default none: retention by age and keepLatest only
   */
  readonly retentionTiers?: RetentionTiers;
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
  /** First part of every snapshot id (`<prefix>-<cluster>-...`). @default "rsdr" */
  readonly snapshotPrefix?: string;
  /** Value of the managed-by tag marking snapshots as ours. @default "rsdr" */
  readonly managedBy?: string;
  /** Log what would change without changing anything. @default false */
  readonly dryRun?: boolean;
  /** Seconds kept free at the end of an invocation when waiting for a snapshot. @default unset (function default) */
  readonly waitMarginSeconds?: number;
  /** Function timeout, seconds. @default 900 */
  readonly timeoutSeconds?: number;
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
  /**
   * The region Redshift copies the clusters' snapshots to (cross-region snapshot copy, see CrossRegionSnapshotCopy).
   * The function then also shares our copies there with the DR accounts, where they can see them, and revokes
   * older ones; it never deletes a copy (Redshift expires them). @default none: no copies
   */
  readonly copyRegion?: string;
  /**
   * With `copyRegion`: a second schedule that runs share and retention only (no new snapshot), so that copies, which
   * finish after their snapshot's event, are shared within this period instead of a whole window later. Named
   * `<function>-copies`, as is its role.
   * @default "rate(1 hour)"
   */
  readonly copyShareScheduleExpression?: string;
}

const OWNER = "SnapshotAutomation";
/** The function is named `<namePrefix>-snapshot-manager`. */
const FUNCTION_SUFFIX = "-snapshot-manager";

const alarmPeriodOf = (props: SnapshotAutomationProps) => props.alarmPeriodSeconds ?? Math.min(86400, Math.max(60, props.windowMinutes * 60));

function validate(scope: Construct, id: string, props: SnapshotAutomationProps): SnapshotAutomationProps {
  const check = new PropChecks(OWNER, { scope, id });
  checkCommonProps(check, props, FUNCTION_SUFFIX);
  check.uniqueList("clusterIdentifiers", props.clusterIdentifiers, "cluster");
  props.clusterIdentifiers.forEach((c, i) => {
    if (clusterIdentifierProblem(c)) check.fail(`clusterIdentifiers[${i}]`, c, CLUSTER_IDENTIFIER_RULE);
  });
  check.uniqueList("drAccountIds", props.drAccountIds, "DR account id");
  const accountsProblem = drAccountsProblem(props.drAccountIds);
  if (accountsProblem) check.fail("drAccountIds", props.drAccountIds, accountsProblem);
  props.drAccountIds.forEach((a, i) => {
    check.pattern(`drAccountIds[${i}]`, a, ACCOUNT_ID, "a 12-digit AWS account id");
    if (props.accountId !== undefined && a === props.accountId) check.fail(`drAccountIds[${i}]`, a, "an account other than the source account (accountId)");
  });
  // The function refuses the same settings when it starts (contract/): refusing them here keeps a deploy from
  // shipping a function that can never run.
  const L = SNAPSHOT_MANAGER_LIMITS;
  for (const field of ["windowMinutes", "retentionDays", "keepLatest", "shareLatest", "waitMarginSeconds"] as const) {
    check.intRange(field, props[field], L[field].min, L[field].max);
  }
  for (const tier of RETENTION_TIERS) {
    const periods = props.retentionTiers?.[tier];
    if (periods !== undefined) check.intRange(`retentionTiers.${tier}`, periods, RETENTION_TIER_LIMITS[tier].min, RETENTION_TIER_LIMITS[tier].max);
  }
  if (props.retentionTiers !== undefined && !hasTiers(props.retentionTiers)) {
    check.fail("retentionTiers", props.retentionTiers, "at least one tier (hourly, daily, weekly, monthly), or leave it out");
  }
  const retentionProblem = retentionWindowProblem(props.retentionDays, props.windowMinutes, props.retentionTiers);
  if (retentionProblem) check.fail("retentionDays", props.retentionDays, retentionProblem);
  if (!(props.rpoHours > 0) || props.rpoHours * 60 < props.windowMinutes) {
    check.fail("rpoHours", props.rpoHours, `a number of hours not shorter than one window (windowMinutes ${props.windowMinutes})`);
  }
  const prefix = props.snapshotPrefix ?? DEFAULT_PROJECT;
  if (identifierProblem(prefix, 40) !== null) {
    check.fail("snapshotPrefix", prefix, "a lowercase letter, then lowercase letters, digits, single hyphens; at most 40");
  }
  (props.eventCategories ?? []).forEach((c, i) => {
    if (!(CLUSTER_SNAPSHOT_EVENT_CATEGORIES as readonly string[]).includes(c)) {
      check.fail(`eventCategories[${i}]`, c, `one of ${CLUSTER_SNAPSHOT_EVENT_CATEGORIES.join(", ")} (source type cluster-snapshot)`);
    }
  });
  checkAlarmWindow(check, alarmPeriodOf(props), props.alarmEvaluationPeriods ?? 2);
  if (props.copyRegion !== undefined) {
    check.pattern("copyRegion", props.copyRegion, AWS_REGION_NAME, "an AWS region name like eu-west-2");
    if (props.copyRegion === props.region) check.fail("copyRegion", props.copyRegion, "a region other than the clusters' own (region)");
  }
  return props;
}

/** The ARNs the snapshot manager may act on: the configured clusters, and one snapshot pattern per cluster. */
function ownArns(env: AwsEnvironment, props: SnapshotAutomationProps, region: string = env.region): { clusters: string[]; snapshots: string[] } {
  const arn = (resource: string) => `arn:${env.partition}:redshift:${region}:${env.accountId}:${resource}`;
  const prefix = props.snapshotPrefix ?? DEFAULT_PROJECT;
  return {
    clusters: props.clusterIdentifiers.map((c) => arn(`cluster:${c}`)),
    snapshots: props.clusterIdentifiers.map((c) => arn(`snapshot:${c}/${snapshotIdPrefixPattern(prefix)}`)),
  };
}

/**
 * Automated native snapshot sharing in a source account: the snapshot-manager function (reserved concurrency 1,
 * so runs never overlap), an EventBridge Scheduler schedule with retries and an encrypted DLQ, a Redshift
 * cluster-snapshot event subscription that triggers the same reconcile, and alarms on Errors, Throttles, DLQ
 * depth, ClusterFailures and staleness (per cluster, missing data breaching) to an alert topic.
 */
export class SnapshotAutomation extends ScheduledFunction {
  /** Topic Redshift publishes snapshot events to; undefined when `eventTrigger` is false. */
  public readonly eventsTopic?: AlertTopic;
  public readonly eventSubscription?: RedshiftEventSubscription;
  /** Per cluster identifier. */
  public readonly clusterFailureAlarms: Readonly<Record<string, CloudwatchMetricAlarm>>;
  /** Per cluster identifier. */
  public readonly stalenessAlarms: Readonly<Record<string, CloudwatchMetricAlarm>>;
  /** ARNs of the configured clusters. */
  public readonly clusterArns: readonly string[];
  /** ARN patterns of the snapshots this automation owns, one per cluster. */
  public readonly snapshotArnPatterns: readonly string[];
  /** The share-only schedule for the copies in `copyRegion`; undefined without one. */
  public readonly copyShareSchedule?: FunctionSchedule;

  constructor(scope: Construct, id: string, props: SnapshotAutomationProps) {
    const E = SNAPSHOT_MANAGER_ENV;
    const functionName = `${validate(scope, id, props).namePrefix}${FUNCTION_SUFFIX}`;
    const environment: Record<string, string> = {
      [E.clusterIdentifiers]: props.clusterIdentifiers.join(","),
      [E.drAccountIds]: props.drAccountIds.join(","),
      [E.windowMinutes]: String(props.windowMinutes),
      [E.retentionDays]: String(props.retentionDays),
      ...(props.retentionTiers !== undefined ? { [E.retentionTiers]: JSON.stringify(props.retentionTiers) } : {}),
      [E.keepLatest]: String(props.keepLatest),
      [E.shareLatest]: String(props.shareLatest ?? 2),
      [E.snapshotPrefix]: props.snapshotPrefix ?? DEFAULT_PROJECT,
      [E.managedBy]: props.managedBy ?? DEFAULT_PROJECT,
      [E.dryRun]: props.dryRun ? "true" : "false",
      ...(props.waitMarginSeconds !== undefined ? { [E.waitMarginSeconds]: String(props.waitMarginSeconds) } : {}),
      ...(props.copyRegion !== undefined ? { [E.copyRegion]: props.copyRegion } : {}),
    };
    super(scope, id, props, {
      ownerName: OWNER,
      functionName,
      defaultHandler: "snapshot-manager",
      description: "Creates, shares and expires manual Redshift snapshots for cross-account DR",
      environment,
      // Snapshot sharing itself needs no KMS permission of the caller: the cluster key's policy must grant the
      // DR accounts (docs/aws-behaviour.md, "Sharing snapshots").
      policyStatements: (env) => {
        const arns = ownArns(env, props);
        return [
          {
            // Snapshots can only be created of the configured clusters and only with our naming. The Service
            // Authorization Reference lists the snapshot as the required resource and the cluster as optional; both
            // are named, which is right either way. No aws:RequestTag condition: the CreateTags statement limits the
            // tag keys, and a condition Redshift did not evaluate as expected would deny every snapshot.
            Sid: "CreateOwnSnapshotsOfConfiguredClusters",
            Action: "redshift:CreateClusterSnapshot",
            Resource: [...arns.clusters, ...arns.snapshots],
          },
          {
            // Creating a snapshot with tags also authorizes redshift:CreateTags on it (the Service Authorization
            // Reference), limited here to our tag keys.
            Sid: "TagOwnSnapshotsWithOurKeys",
            Action: "redshift:CreateTags",
            Resource: [...arns.snapshots],
            Condition: { "ForAllValues:StringEquals": { "aws:TagKeys": [...SNAPSHOT_TAG_KEYS] } },
          },
          {
            // Sharing, revoking and retention deletes touch only snapshots named by this automation. The snapshot is
            // the required resource; the cluster is an optional one (Service Authorization Reference), so the
            // configured clusters are named too: a request that names the cluster is then allowed, and the snapshot
            // pattern still decides which snapshots.
            Sid: "ShareRevokeDeleteOwnSnapshots",
            Action: ["redshift:AuthorizeSnapshotAccess", "redshift:RevokeSnapshotAccess", "redshift:DeleteClusterSnapshot"],
            Resource: [...arns.clusters, ...arns.snapshots],
          },
          ...(props.copyRegion === undefined
            ? []
            : [
                {
                  // The copies Redshift makes in the copy region carry the snapshots' names: the function shares and
                  // revokes them there, and may not delete them (Redshift's manual retention period expires them).
                  Sid: "ShareRevokeOwnCopiesInCopyRegion",
                  Action: ["redshift:AuthorizeSnapshotAccess", "redshift:RevokeSnapshotAccess"],
                  Resource: (({ clusters, snapshots }) => [...clusters, ...snapshots])(ownArns(env, props, props.copyRegion)),
                },
              ]),
          {
            // WILDCARD: DescribeClusterSnapshots and DescribeClusters list across clusters; the Service Authorization
            // Reference gives them only an optional cluster resource, and whether a listing filtered to one cluster is
            // authorized against that cluster's ARN is not documented. A wrong guess would stop every run, so "*":
            // they read and change nothing.
            Sid: "DescribeNoResourceLevelPermissions",
            Action: ["redshift:DescribeClusterSnapshots", "redshift:DescribeClusters"],
            Resource: "*",
          },
        ];
      },
      timeoutSeconds: props.timeoutSeconds ?? 900,
      alertTopicName: `${props.namePrefix}-snapshot-alerts`,
      scheduleExpression: props.scheduleExpression,
      scheduleTimezone: props.scheduleTimezone,
      scheduleDescription: "Reconciles Redshift DR snapshots",
      scheduleRetryAttempts: props.scheduleRetryAttempts,
      scheduleMaxEventAgeSeconds: props.scheduleMaxEventAgeSeconds,
      throttlesPerHourThreshold: props.throttlesPerHourThreshold ?? 5,
    });
    const arns = ownArns(this.environment, props);
    this.clusterArns = arns.clusters;
    this.snapshotArnPatterns = arns.snapshots;

    if (props.copyRegion !== undefined) {
      this.copyShareSchedule = new FunctionSchedule(this, "copy-share-schedule", {
        scheduleName: `${functionName}-copies`,
        roleName: `${functionName}-copies`,
        description: `Shares the Redshift snapshot copies in ${props.copyRegion} soon after they finish`,
        target: this.function,
        scheduleExpression: props.copyShareScheduleExpression ?? "rate(1 hour)",
        scheduleTimezone: props.scheduleTimezone,
        input: JSON.stringify(SHARE_PAYLOAD),
        deadLetterQueue: this.deadLetterQueue,
        maximumRetryAttempts: props.scheduleRetryAttempts,
        maximumEventAgeSeconds: props.scheduleMaxEventAgeSeconds,
        tags: this.tags,
        environmentOf: this.environment,
      });
    }

    if (props.eventTrigger ?? true) {
      this.eventsTopic = new AlertTopic(this, "events-topic", {
        topicName: `${props.namePrefix}-snapshot-events`,
        kmsKeyArn: props.kmsKeyArn,
        emails: [],
        allowCloudWatchAlarms: false,
        allowRedshiftEvents: true,
        tags: this.tags,
        environmentOf: this.environment,
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
        tags: this.tags,
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

    const period = alarmPeriodOf(props);
    const evaluationPeriods = props.alarmEvaluationPeriods ?? 2;
    const failures: Record<string, CloudwatchMetricAlarm> = {};
    const staleness: Record<string, CloudwatchMetricAlarm> = {};
    for (const cluster of props.clusterIdentifiers) {
      const dimensions = { [METRIC_DIMENSIONS.cluster]: cluster };
      failures[cluster] = this.addMetricAlarm(`cluster-failures-${cluster}`, {
        alarmName: `${functionName}-${cluster}-failures`,
        alarmDescription: `The snapshot manager failed to reconcile cluster ${cluster}.`,
        metricName: SNAPSHOT_MANAGER_METRICS.clusterFailures,
        dimensions,
        statistic: "Sum",
        period,
        threshold: 0,
      });
      staleness[cluster] = this.addMetricAlarm(`staleness-${cluster}`, {
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
