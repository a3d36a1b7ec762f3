import { Construct } from "constructs";
import { TerraformOutput } from "cdktf";
import { DataAwsRedshiftCluster } from "@cdktf/provider-aws/lib/data-aws-redshift-cluster";
import { copyManualRetentionDays, copyRetentionDays, Estate, nativeRpoHours, SourceConfig, zoneNames } from "../config/estate";
import { parseSchedule } from "../config/schedule";
import { AccountStack } from "./account-stack";
import { remoteState, stackTags } from "./common";
import { serviceEndpoint } from "./constructs/iam";
import { ManagedKey } from "./constructs/kms-key";
import { RedshiftNetwork } from "./constructs/network";
import { SecureRedshiftCluster } from "./constructs/redshift-cluster";
import { operationsKeyPolicyStatements } from "./constructs/key-policies";
import { SnapshotAutomation } from "./constructs/snapshot-automation";
import { CrossAccountBackupPlan, sourceKeyCopyStatements } from "./constructs/backup-plan";
import { CrossRegionSnapshotCopy } from "./constructs/cross-region-copy";
import { drBackupEventBusArn, drBackupVaultArn, sourcePrefix, sourceStackName } from "./names";

/** What the DR stack needs to know of a protected cluster. */
export interface ProtectedCluster {
  readonly identifier: string;
  readonly arn: string;
  /** The key that encrypts the cluster's snapshots. */
  readonly kmsKeyArn: string;
  /** The key of the cluster's copies in the DR region, with cross-region copy. */
  readonly copyKmsKeyArn?: string;
}

/**
 * One source account: the data key the DR account may use to restore, the network, and the
 * clusters (created here, or existing ones read as data sources).
 */
export class SourceStack extends AccountStack {
  public readonly source: SourceConfig;
  /** The data key the created clusters share; undefined with `dataKeys: "per-cluster"`. */
  public readonly dataKey?: ManagedKey;
  /** Data keys of created clusters, by cluster identifier (the shared key, or each cluster's own). */
  public readonly clusterKeys: Readonly<Record<string, ManagedKey>>;
  public readonly operationsKey: ManagedKey;
  public readonly network: RedshiftNetwork;
  public readonly clusters: ProtectedCluster[] = [];
  /** The snapshot manager, when native sharing is on. */
  public readonly snapshotAutomation?: SnapshotAutomation;
  /** The AWS Backup plan with its copy into the DR vault, when backup is on. */
  public readonly backupPlan?: CrossAccountBackupPlan;
  /** Redshift's copy of the snapshots into the DR region, when the source is elsewhere (crossRegionCopy). */
  public readonly crossRegionCopy?: CrossRegionSnapshotCopy;

  constructor(scope: Construct, estate: Estate, source: SourceConfig) {
    const name = sourceStackName(source);
    super(scope, name, { target: source, tags: stackTags(estate, name), remoteState: remoteState(estate, name) });
    this.source = source;
    const prefix = sourcePrefix(estate, source);

    // The DR account may use the key only through Redshift (kms:ViaService), which is how a restore uses it.
    // With AWS Backup on, it may also read the key for the cross-account copy of recovery points.
    const restoreKey = (id: string, alias: string, description: string) =>
      new ManagedKey(this, id, {
        alias,
        description,
        accountId: this.accountId,
        crossAccountRestoreAccountIds: [estate.dr.accountId],
        crossAccountViaServices: [serviceEndpoint("redshift", this.region, this.partition)],
        ...(source.backup.enabled ? { serviceStatements: sourceKeyCopyStatements(this.partition, estate.dr.accountId) } : {}),
      });
    const created = source.clusters.filter((c) => c.create);
    const perCluster = source.dataKeys === "per-cluster";
    if (!perCluster) {
      this.dataKey = restoreKey(
        "data-key",
        `${prefix}-redshift`,
        `Encrypts the Redshift clusters and snapshots of ${source.name}; the DR account may restore with it`,
      );
    }
    this.clusterKeys = Object.fromEntries(
      created.map((c) => [
        c.identifier,
        perCluster
          ? restoreKey(
              `data-key-${c.identifier}`,
              `${prefix}-${c.identifier}-redshift`,
              `Encrypts the Redshift cluster ${c.identifier} of ${source.name} and its snapshots; the DR account may restore with it`,
            )
          : this.dataKey!,
      ]),
    );
    this.operationsKey = new ManagedKey(this, "operations-key", {
      alias: `${prefix}-operations`,
      description: `Encrypts logs, secrets and messages of ${source.name}`,
      accountId: this.accountId,
      serviceStatements: operationsKeyPolicyStatements({
        accountId: this.accountId,
        region: this.region,
        partition: this.partition,
        redshiftEvents: source.native.enabled,
        backupNotifications: source.backup.enabled,
        eventBridgeRules: source.backup.enabled,
      }),
    });

    this.network = new RedshiftNetwork(this, "network", {
      name: prefix,
      create: source.network.create && {
        cidr: source.network.create.cidr,
        availabilityZones: zoneNames(source.network.create.availabilityZones, source.region),
        flowLogKmsKeyArn: this.operationsKey.arn,
        accountId: this.accountId,
      },
      existing: source.network.existing,
    });

    const createdClusters: SecureRedshiftCluster[] = [];
    for (const cluster of source.clusters) {
      if (cluster.create) {
        const key = this.clusterKeys[cluster.identifier];
        const made = new SecureRedshiftCluster(this, `cluster-${cluster.identifier}`, {
          identifier: cluster.identifier,
          ...cluster.create,
          kmsKeyArn: key.arn,
          operationsKmsKeyArn: this.operationsKey.arn,
          subnetGroupName: this.network.subnetGroupName,
          securityGroupIds: [this.network.securityGroupId],
          preventDestroy: cluster.create.preventDestroy,
          // An AWS Backup selection by tag must find the clusters created here too.
          tags: source.backup.enabled && source.backup.selectByTag ? { [source.backup.selectByTag.key]: source.backup.selectByTag.value } : undefined,
        });
        createdClusters.push(made);
        this.clusters.push({ identifier: cluster.identifier, arn: made.arn, kmsKeyArn: key.arn });
      } else {
        // Not managed here: read it, so a missing cluster fails the plan instead of the first backup.
        const existing = new DataAwsRedshiftCluster(this, `existing-${cluster.identifier}`, {
          clusterIdentifier: cluster.identifier,
        });
        this.clusters.push({ identifier: cluster.identifier, arn: existing.arn, kmsKeyArn: cluster.kmsKeyArn! });
      }
    }

    if (source.crossRegionCopy) {
      const copy = source.crossRegionCopy;
      this.crossRegionCopy = new CrossRegionSnapshotCopy(this, "cross-region-copy", {
        namePrefix: prefix,
        accountId: this.accountId,
        partition: this.partition,
        sourceRegion: this.region,
        destinationRegion: estate.dr.region,
        destinationProvider: this.providerIn(estate.dr.region),
        clusterIdentifiers: source.clusters.map((c) => c.identifier),
        dependsOn: createdClusters.map((c) => c.cluster),
        retentionDays: copy.retentionDays,
        manualRetentionDays: copyManualRetentionDays(source),
        ...(copy.kmsKeyArn ? { kmsKeyArn: copy.kmsKeyArn } : { restoreAccountIds: [estate.dr.accountId] }),
      });
      const copyKmsKeyArn = this.crossRegionCopy.kmsKeyArn;
      this.clusters.splice(0, this.clusters.length, ...this.clusters.map((c) => ({ ...c, copyKmsKeyArn })));
      new TerraformOutput(this, "copy_kms_key_arn", {
        value: copyKmsKeyArn,
        description: `Key of the clusters' snapshot copies in the DR region ${estate.dr.region}, shared with the DR account`,
      });
      new TerraformOutput(this, "snapshot_copy_grant_name", {
        value: this.crossRegionCopy.grant.snapshotCopyGrantName,
        description: `Redshift snapshot copy grant in ${estate.dr.region} that names the copy key`,
      });
    }

    if (source.native.enabled) {
      this.snapshotAutomation = new SnapshotAutomation(this, "snapshot-automation", {
        ...snapshotSchedule(source.native),
        namePrefix: prefix,
        accountId: this.accountId,
        region: this.region,
        partition: this.partition,
        clusterIdentifiers: this.clusters.map((c) => c.identifier),
        drAccountIds: [estate.dr.accountId],
        retentionDays: source.native.retentionDays,
        ...(source.native.tiers ? { retentionTiers: source.native.tiers } : {}),
        keepLatest: source.native.keepLatest,
        shareLatest: source.native.shareLatest,
        dryRun: source.native.dryRun,
        alertEmails: source.notifications.emails,
        kmsKeyArn: this.operationsKey.arn,
        snapshotPrefix: estate.project,
        managedBy: estate.project,
        ...(source.crossRegionCopy ? { copyRegion: estate.dr.region, copyShareScheduleExpression: source.crossRegionCopy.shareSchedule } : {}),
      });
      new TerraformOutput(this, "snapshot_manager_function_name", {
        value: this.snapshotAutomation.functionName,
        description: "The snapshot manager Lambda function (native sharing)",
      });
      new TerraformOutput(this, "alert_topic_arn", {
        value: this.snapshotAutomation.alertTopicArn,
        description: "SNS topic of the snapshot manager's alarms and failure reports",
      });
    }

    if (source.backup.enabled) {
      const backup = source.backup;
      this.backupPlan = new CrossAccountBackupPlan(this, "backup", {
        namePrefix: prefix,
        accountId: this.accountId,
        region: this.region,
        partition: this.partition,
        vaultKmsKeyArn: this.operationsKey.arn,
        clusterKmsKeyArns: [...new Set(this.clusters.map((c) => c.kmsKeyArn))],
        scheduleExpression: backup.schedule,
        scheduleTimezone: backup.timezone,
        startWindowMinutes: backup.startWindowMinutes,
        completionWindowMinutes: backup.completionWindowMinutes,
        retentionDays: backup.retentionDays,
        recoveryPointTags: backup.recoveryPointTags,
        copy: {
          vaultArn: drBackupVaultArn(estate),
          retentionDays: copyRetentionDays(backup.copyRetentionDays),
          failedCopyEventBusArn: drBackupEventBusArn(estate),
        },
        ...(backup.selectByTag ? { selectionTag: backup.selectByTag } : { clusterArns: this.clusters.map((c) => c.arn) }),
        alertKmsKeyArn: this.operationsKey.arn,
        alertEmails: source.notifications.emails,
        manageRegionOptIn: backup.manageRegionOptIn,
      });
      new TerraformOutput(this, "backup_vault_arn", { value: this.backupPlan.vaultArn, description: "The source account's AWS Backup vault" });
      new TerraformOutput(this, "backup_plan_id", { value: this.backupPlan.plan.id, description: "The AWS Backup plan of the clusters" });
      new TerraformOutput(this, "backup_alert_topic_arn", {
        value: this.backupPlan.alertTopic.topicArn,
        description: "SNS topic of the failed backup and copy job alarms",
      });
    }

    if (this.dataKey) {
      new TerraformOutput(this, "data_kms_key_arn", { value: this.dataKey.arn, description: "Key of the created clusters and their snapshots, shared with the DR account" });
    }
    new TerraformOutput(this, "cluster_kms_key_arns", {
      value: Object.fromEntries(this.clusters.map((c) => [c.identifier, c.kmsKeyArn])),
      description: "Key of each protected cluster and its snapshots, by identifier",
    });
    new TerraformOutput(this, "cluster_arns", {
      value: Object.fromEntries(this.clusters.map((c) => [c.identifier, c.arn])),
      description: "Protected clusters by identifier",
    });
    new TerraformOutput(this, "vpc_id", { value: this.network.vpcId, description: "VPC of the clusters (created here, or the existing one)" });
    new TerraformOutput(this, "subnet_group_name", { value: this.network.subnetGroupName, description: "Redshift subnet group of the clusters" });
    new TerraformOutput(this, "security_group_id", { value: this.network.securityGroupId, description: "Security group of the clusters (no rules)" });
  }
}

/**
 * Schedule settings of the snapshot manager. The snapshot window is the shortest gap between runs
 * (each run gets its own snapshot id). The staleness alarm's period and length cover the longest
 * gap, so that the quiet weekend of a weekday schedule is not mistaken for missing snapshots.
 */
export function snapshotSchedule(native: SourceConfig["native"]) {
  const schedule = parseSchedule(native.schedule);
  const period = Math.min(schedule.maxGapMinutes, 24 * 60);
  return {
    scheduleExpression: native.schedule,
    scheduleTimezone: native.timezone,
    windowMinutes: schedule.minGapMinutes,
    rpoHours: nativeRpoHours(native),
    alarmPeriodSeconds: period * 60,
    alarmEvaluationPeriods: Math.ceil(schedule.maxGapMinutes / period) + 1,
  };
}
