// DR account: the restore-drill Lambda on a schedule (functions/restore-drill), its least-privilege role, the
// encrypted and versioned report bucket, and per drilled cluster an alarm on failed drills and one on overdue drills.
// Each run moves each drill a step; the state is in the drill cluster's tags and the report bucket.
//
// Reusable from any CDKTF app: everything comes from props, nothing from the project config.
import { Construct } from "constructs";
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import {
  ACCOUNT_ID,
  CLUSTER_IDENTIFIER,
  CLUSTER_IDENTIFIER_RULE,
  DEFAULT_PROJECT,
  drillClusterPrefix,
  DRILL_REPORT_PREFIX,
  drillsVariableLength,
  MAX_DRILLS_VARIABLE,
  drOwnedCopyPrefix,
  METRIC_DIMENSIONS,
  RESTORE_DRILL_ENV,
  RESTORE_DRILL_METRICS,
  TAG_MANAGED_BY,
  type DrillTarget,
} from "../../contract";
import type { AwsEnvironment } from "./aws-environment";
import { keyUseThroughRedshift, kmsViaServiceStatement, serviceEndpoint, type PolicyStatement } from "./iam";
import { REDSHIFT_SERVICE_PRINCIPAL, redshiftServiceLinkedRoleArn } from "./redshift-principal";
import { checkCommonProps, ScheduledFunction, ScheduledFunctionCommonProps } from "./scheduled-function";
import { StateBucket } from "./state-bucket";
import { PropChecks } from "./validation";

const FUNCTION_SUFFIX = "-restore-drill";

/** The DR vault whose copies a drill may restore. */
export interface DrillVault {
  /** Name of the vault, in the DR account and region. */
  readonly vaultName: string;
  /** ARN of the same vault. */
  readonly vaultArn: string;
  /** The vault's key: the copies are encrypted with it. */
  readonly kmsKeyArn: string;
}

export interface RestoreDrillProps extends ScheduledFunctionCommonProps {
  /** The source clusters to drill (contract DrillTarget: account, region, cluster, cadence, validation, copy). */
  readonly drills: readonly DrillTarget[];
  /** Keys of the source clusters' snapshots, read through Redshift while restoring. */
  readonly sourceKmsKeyArns: readonly string[];
  /** Project prefix of the source snapshot ids and of drill clusters and copies. @default "rsdr" */
  readonly snapshotPrefix?: string;
  /** managed-by tag value of the source side, and of the drill clusters and copies. @default "rsdr" */
  readonly managedBy?: string;
  /** The DR subnet group drill clusters are restored into. */
  readonly subnetGroupName: string;
  /** Name of the DR restore security group, found in the subnet group's VPC. @default the VPC's default group */
  readonly securityGroupName?: string;
  /** The DR key drill clusters are encrypted with. */
  readonly drKmsKeyArn: string;
  /** The DR vault, when drills may restore AWS Backup copies. @default none: shared snapshots only */
  readonly backupVault?: DrillVault;
  /** Name of the report bucket it creates. @default `<namePrefix>-drill-reports-<account>-<region>` */
  readonly reportBucketName?: string;
  /** Let `terraform destroy` remove the report bucket and its reports. @default false: reports are evidence */
  readonly allowReportBucketDestroy?: boolean;
  /** Existing bucket (same account and region) receiving the report bucket's server access logs. @default none */
  readonly reportAccessLogBucket?: string;
  /** How often a run moves the drills on (the resolution of the measured times). @default "rate(15 minutes)" */
  readonly scheduleExpression?: string;
  /** Function timeout, seconds. @default 300 */
  readonly timeoutSeconds?: number;
}

/** The statements a drill needs (the drill function's role; the restore operator role adds them for `drill run`). */
export interface DrillStatementsArgs {
  /** The DR account, region and partition. */
  readonly env: Pick<AwsEnvironment, "accountId" | "region" | "partition">;
  /** As `RestoreDrillProps.snapshotPrefix`. */
  readonly snapshotPrefix: string;
  /** As `RestoreDrillProps.managedBy`. */
  readonly managedBy: string;
  /** The drilled clusters. */
  readonly drills: readonly Pick<DrillTarget, "accountId" | "clusterIdentifier" | "from" | "drOwnedCopy">[];
  /** Keys of the source clusters' snapshots. */
  readonly sourceKmsKeyArns: readonly string[];
  /** The DR key drill clusters are encrypted with. */
  readonly drKmsKeyArn: string;
  /** The DR vault, when drills may restore its copies. @default none */
  readonly backupVault?: DrillVault;
  /** ARN of the report bucket. */
  readonly reportBucketArn: string;
  /** The key the report bucket is encrypted with. */
  readonly reportKmsKeyArn: string;
}

/**
 * ARN pattern of the DR-owned copies restore drills keep: snapshots `<prefix>-drcopy-*` of drill clusters
 * `<prefix>-drill-*`, owned by the DR account. A restore operator role restores them with `ownSnapshotArns`.
 */
export function drOwnedCopyArnPattern(env: Pick<AwsEnvironment, "accountId" | "region" | "partition">, snapshotPrefix: string): string {
  return `arn:${env.partition}:redshift:${env.region}:${env.accountId}:snapshot:${drillClusterPrefix(snapshotPrefix)}*/${drOwnedCopyPrefix(snapshotPrefix)}*`;
}

/**
 * Least privilege for drills: restore only into `<prefix>-drill-*`, delete only those clusters tagged managed-by
 * ours, snapshot them only as `<prefix>-drcopy-*`, the Data API only on drill clusters and only its own statements.
 * Sources of each permission: docs/aws-behaviour.md, "Restore drills".
 */
export function drillStatements(a: DrillStatementsArgs): PolicyStatement[] {
  const { accountId, region, partition: p } = a.env;
  const arn = (resource: string) => `arn:${p}:redshift:${region}:${accountId}:${resource}`;
  const drillClusters = arn(`cluster:${drillClusterPrefix(a.snapshotPrefix)}*`);
  const copies = drOwnedCopyArnPattern(a.env, a.snapshotPrefix);
  const ours = { StringEquals: { [`aws:ResourceTag/${TAG_MANAGED_BY}`]: a.managedBy } };
  const shared = a.drills
    .filter((d) => d.from !== "backup")
    .map((d) => `arn:${p}:redshift:${region}:${d.accountId}:snapshot:${d.clusterIdentifier}/*`);
  const vaultCopies = a.backupVault
    ? a.drills.filter((d) => d.from !== "shared").map((d) => arn(`snapshot:${d.clusterIdentifier}/awsbackup:*`))
    : [];
  const keepsCopies = a.drills.some((d) => d.drOwnedCopy);
  const keyUse = (use: string, grant: string, actions: string[], keys: string | readonly string[]) =>
    keyUseThroughRedshift({ use, grant }, actions, keys, region, p);
  return [
    {
      Sid: "SeeClustersAndSnapshots",
      // WILDCARD: these list across clusters and across snapshots other accounts own; the Service Authorization
      // Reference gives them no resource (or only an optional one of this account). They change nothing.
      Action: ["redshift:DescribeClusters", "redshift:DescribeClusterSnapshots", "redshift:DescribeClusterSubnetGroups"],
      Resource: "*",
    },
    { Sid: "RestoreIntoDrillClusters", Action: "redshift:RestoreFromClusterSnapshot", Resource: [...shared, ...vaultCopies, drillClusters] },
    {
      // Tags are the drill's state. RestoreFromClusterSnapshot takes none, so they follow the restore.
      Sid: "TagDrillClustersAndCopies",
      Action: "redshift:CreateTags",
      Resource: keepsCopies ? [drillClusters, copies] : drillClusters,
    },
    // Only drill clusters that carry our managed-by tag: the core checks the tags too. (The role may tag drill-named
    // clusters, which adopting an untagged one of ours needs, so this guards against other tools' clusters and
    // deployments, not against this role itself.)
    { Sid: "DeleteOurDrillClusters", Action: "redshift:DeleteCluster", Resource: drillClusters, Condition: ours },
    ...(keepsCopies
      ? [
          { Sid: "KeepDrOwnedCopies", Action: "redshift:CreateClusterSnapshot", Resource: [drillClusters, copies] },
          { Sid: "ExpireOurDrOwnedCopies", Action: "redshift:DeleteClusterSnapshot", Resource: copies, Condition: ours },
        ]
      : []),
    { Sid: "ValidateDrillClusters", Action: "redshift-data:ExecuteStatement", Resource: drillClusters },
    {
      // WILDCARD: DescribeStatement and GetStatementResult take no resource; the condition limits them to the
      // statements this role ran.
      Sid: "ReadOwnStatements",
      Action: ["redshift-data:DescribeStatement", "redshift-data:GetStatementResult"],
      Resource: "*",
      // "$${" is Terraform's escape: the policy AWS receives holds the IAM policy variable ${aws:userid}.
      Condition: { StringEquals: { "redshift-data:statement-owner-iam-userid": "$${aws:userid}" } },
    },
    {
      // Temporary database credentials (the Data API with DbUser) on drill clusters only. The user is the source
      // cluster's master user, which the config may not know (existing clusters): any user, any database.
      Sid: "TemporaryCredentialsOnDrillClusters",
      Action: "redshift:GetClusterCredentials",
      Resource: [arn(`dbuser:${drillClusterPrefix(a.snapshotPrefix)}*/*`), arn(`dbname:${drillClusterPrefix(a.snapshotPrefix)}*/*`)],
    },
    ...(a.sourceKmsKeyArns.length > 0 ? keyUse("ReadSourceKeysThroughRedshift", "LetRedshiftUseSourceKeys", ["kms:Decrypt", "kms:DescribeKey"], a.sourceKmsKeyArns) : []),
    ...keyUse("EncryptDrillClustersWithDrKey", "LetRedshiftUseDrKey", ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey"], a.drKmsKeyArn),
    ...(a.backupVault
      ? [
          { Sid: "ListDrVaultRecoveryPoints", Action: "backup:ListRecoveryPointsByBackupVault", Resource: a.backupVault.vaultArn },
          ...keyUse("ReadVaultKeyThroughRedshift", "LetRedshiftUseVaultKey", ["kms:Decrypt", "kms:DescribeKey"], a.backupVault.kmsKeyArn),
        ]
      : []),
    {
      // WILDCARD: EC2 Describe* calls take no resource. Read-only: finds the closed restore security group by name.
      Sid: "FindRestoreSecurityGroup",
      Action: "ec2:DescribeSecurityGroups",
      Resource: "*",
    },
    // Reports, and the restore markers written before each restore and read back to adopt an untagged drill cluster.
    { Sid: "WriteAndReadDrillReports", Action: ["s3:PutObject", "s3:GetObject"], Resource: `${a.reportBucketArn}/${DRILL_REPORT_PREFIX}*` },
    { Sid: "ListDrillReports", Action: "s3:ListBucket", Resource: a.reportBucketArn, Condition: { StringLike: { "s3:prefix": `${DRILL_REPORT_PREFIX}*` } } },
    kmsViaServiceStatement("EncryptReportsViaS3", a.reportKmsKeyArn, [serviceEndpoint("s3", region, p)]),
    {
      // Redshift creates its service-linked role with the first cluster of an account, as the caller (a drill may
      // be the DR account's first cluster); the statement the Redshift Management Guide gives for it.
      Sid: "CreateRedshiftServiceLinkedRole",
      Action: "iam:CreateServiceLinkedRole",
      Resource: redshiftServiceLinkedRoleArn(p, accountId),
      Condition: { StringLike: { "iam:AWSServiceName": REDSHIFT_SERVICE_PRINCIPAL } },
    },
  ];
}

/** The restore-drill function, its schedule, report bucket and alarms. */
export class RestoreDrill extends ScheduledFunction {
  public readonly reportBucket: StateBucket;
  public readonly reportBucketName: string;
  /** Per `<account>/<cluster>`: fires when a drill failed. */
  public readonly failedAlarms: Record<string, CloudwatchMetricAlarm> = {};
  /** Per `<account>/<cluster>`: fires when no drill passed within everyHours + maxLifetimeHours (or none yet). */
  public readonly overdueAlarms: Record<string, CloudwatchMetricAlarm> = {};

  constructor(scope: Construct, id: string, props: RestoreDrillProps) {
    const check = new PropChecks("RestoreDrill", { scope, id });
    checkCommonProps(check, props, FUNCTION_SUFFIX);
    checkDrills(check, props);
    const functionName = `${props.namePrefix}${FUNCTION_SUFFIX}`;
    const snapshotPrefix = props.snapshotPrefix ?? DEFAULT_PROJECT;
    const managedBy = props.managedBy ?? DEFAULT_PROJECT;
    // Bucket names are global: the account and region make the default unique.
    const bucketNameIn = (env: AwsEnvironment) => props.reportBucketName ?? `${props.namePrefix}-drill-reports-${env.accountId}-${env.region}`;
    super(scope, id, props, {
      ownerName: "RestoreDrill",
      functionName,
      defaultHandler: "restore-drill",
      description: "Restore drills of the source clusters in the DR account: restore, validate, record the RTO, delete",
      environment: (env) => ({
        [RESTORE_DRILL_ENV.drills]: JSON.stringify(props.drills),
        [RESTORE_DRILL_ENV.drAccountId]: env.accountId,
        [RESTORE_DRILL_ENV.snapshotPrefix]: snapshotPrefix,
        [RESTORE_DRILL_ENV.managedBy]: managedBy,
        [RESTORE_DRILL_ENV.subnetGroupName]: props.subnetGroupName,
        ...(props.securityGroupName ? { [RESTORE_DRILL_ENV.securityGroupName]: props.securityGroupName } : {}),
        [RESTORE_DRILL_ENV.kmsKeyArn]: props.drKmsKeyArn,
        [RESTORE_DRILL_ENV.reportBucket]: bucketNameIn(env),
        ...(props.backupVault ? { [RESTORE_DRILL_ENV.backupVaultName]: props.backupVault.vaultName } : {}),
      }),
      policyStatements: (env) =>
        drillStatements({
          env,
          snapshotPrefix,
          managedBy,
          drills: props.drills,
          sourceKmsKeyArns: props.sourceKmsKeyArns,
          drKmsKeyArn: props.drKmsKeyArn,
          backupVault: props.backupVault,
          reportBucketArn: `arn:${env.partition}:s3:::${bucketNameIn(env)}`,
          reportKmsKeyArn: props.kmsKeyArn,
        }),
      timeoutSeconds: props.timeoutSeconds ?? 300,
      alertTopicName: `${props.namePrefix}-drill-alerts`,
      scheduleExpression: props.scheduleExpression ?? "rate(15 minutes)",
      scheduleDescription: "Moves each restore drill one step",
    });
    this.reportBucketName = bucketNameIn(this.environment);
    this.reportBucket = new StateBucket(this, "reports", {
      bucketName: this.reportBucketName,
      kmsKeyArn: props.kmsKeyArn,
      allowDestroy: props.allowReportBucketDestroy ?? false,
      ...(props.reportAccessLogBucket ? { accessLogBucket: props.reportAccessLogBucket } : {}),
    });

    for (const d of props.drills) {
      const key = `${d.accountId}/${d.clusterIdentifier}`;
      const dimensions = { [METRIC_DIMENSIONS.sourceAccount]: d.accountId, [METRIC_DIMENSIONS.cluster]: d.clusterIdentifier };
      const name = `${functionName}-${d.accountId}-${d.clusterIdentifier}`;
      this.failedAlarms[key] = this.addMetricAlarm(`failed-${d.accountId}-${d.clusterIdentifier}`, {
        alarmName: `${name}-failed`,
        alarmDescription: `A restore drill of ${d.clusterIdentifier} (account ${d.accountId}) failed: read its report under s3://${this.reportBucketName}/${DRILL_REPORT_PREFIX}${d.accountId}/${d.clusterIdentifier}/`,
        metricName: RESTORE_DRILL_METRICS.failed,
        dimensions,
        statistic: "Sum",
        period: 3600,
        threshold: 0,
      });
      this.overdueAlarms[key] = this.addMetricAlarm(`overdue-${d.accountId}-${d.clusterIdentifier}`, {
        alarmName: `${name}-overdue`,
        alarmDescription: `No restore drill of ${d.clusterIdentifier} (account ${d.accountId}) has passed in ${d.everyHours + d.maxLifetimeHours} h (every ${d.everyHours} h, up to ${d.maxLifetimeHours} h each), or the drill function stopped reporting.`,
        metricName: RESTORE_DRILL_METRICS.hoursSinceLastPassed,
        dimensions,
        statistic: "Maximum",
        period: 3600,
        threshold: d.everyHours + d.maxLifetimeHours,
        treatMissingData: "breaching",
      });
    }
  }
}

function checkDrills(check: PropChecks, props: RestoreDrillProps): void {
  if (props.drills.length === 0) check.fail("drills", props.drills, "at least one source cluster to drill");
  const seen = new Set<string>();
  props.drills.forEach((d, i) => {
    check.pattern(`drills[${i}].accountId`, d.accountId, ACCOUNT_ID, "a 12-digit AWS account id");
    check.pattern(`drills[${i}].clusterIdentifier`, d.clusterIdentifier, CLUSTER_IDENTIFIER, CLUSTER_IDENTIFIER_RULE);
    const key = `${d.accountId}/${d.clusterIdentifier}`;
    if (seen.has(key)) check.fail(`drills[${i}]`, key, "each source cluster once");
    seen.add(key);
    check.intRange(`drills[${i}].everyHours`, d.everyHours, 1, 8760);
    check.intRange(`drills[${i}].maxLifetimeHours`, d.maxLifetimeHours, 1, Math.min(72, d.everyHours));
    if (d.from === "backup" && !props.backupVault) check.fail(`drills[${i}].from`, d.from, '"newest" or "shared" (no backupVault is given)');
  });
  const length = drillsVariableLength(props.drills);
  if (length > MAX_DRILLS_VARIABLE) {
    check.fail(
      "drills",
      `${props.drills.length} drills`,
      `targets whose DRILLS variable fits ${MAX_DRILLS_VARIABLE} characters (Lambda allows 4 KB of environment in all); these need about ${length}: fewer or shorter tables, or fewer drills`,
    );
  }
}
