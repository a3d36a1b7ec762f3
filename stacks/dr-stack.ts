import { Construct } from "constructs";
import { TerraformOutput } from "cdktf";
import { backupRpoHours, drSharedRpoHours, Estate, zoneNames } from "../config/estate";
import { AccountStack } from "./account-stack";
import { remoteState, stackTags } from "./common";
import { DrSnapshotMonitor, type DrMonitorSource } from "./constructs/dr-snapshot-monitor";
import { DashboardCluster, DrDashboard } from "./constructs/dr-dashboard";
import { drillStatements, drOwnedCopyArnPattern, RestoreDrill } from "./constructs/restore-drill";
import { policyDocument } from "./constructs/iam";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { drillTargetOf, drOwnedCopyRpoHours } from "../config/drill-rules";
import type { DrillTarget } from "../contract";
import { ManagedKey } from "./constructs/kms-key";
import { RedshiftNetwork } from "./constructs/network";
import { IamServiceLinkedRole } from "@cdktf/provider-aws/lib/iam-service-linked-role";
import { REDSHIFT_SERVICE_PRINCIPAL } from "./constructs/redshift-principal";
import { RestoreOperatorRole } from "./constructs/restore-operator-role";
import { operationsKeyPolicyStatements } from "./constructs/key-policies";
import { backupVaultKeyStatements, CopySources, LockedBackupVault } from "./constructs/backup-vault";
import { drBackupEventBusName, drBackupVaultName, drillReportBucketName } from "../config/names";
import { DR_STACK, drPrefix, drRestoreNetworkName, restoredClusterPrefix, restoreOperatorRoleName } from "./names";
import type { SourceStack } from "./source-stack";

/**
 * The DR account: its own key for restored clusters, the restore network, and the operator role.
 * Source key and cluster ARNs come from the source stacks' state (cdktf cross-stack references),
 * so the DR stack deploys after them.
 */
export class DrStack extends AccountStack {
  public readonly dataKey: ManagedKey;
  public readonly network: RedshiftNetwork;
  public readonly operatorRole: RestoreOperatorRole;
  /** Watches the age of the newest snapshot each source shares, when any source has native sharing on. */
  public readonly monitor?: DrSnapshotMonitor;
  /** The locked vault AWS Backup copies into, and its key, when `dr.backup` is set. */
  public readonly backupVault?: LockedBackupVault;
  public readonly backupVaultKey?: ManagedKey;
  /** Restore drills, when any cluster has `drill`. */
  public readonly drill?: RestoreDrill;
  /** The DR dashboard, when the monitor or drills publish anything. */
  public readonly dashboard?: DrDashboard;
  /** Redshift's service-linked role, when `dr.createRedshiftServiceLinkedRole` is on. */
  public readonly redshiftServiceLinkedRole?: IamServiceLinkedRole;

  constructor(scope: Construct, estate: Estate, sources: readonly SourceStack[]) {
    super(scope, DR_STACK, { target: estate.dr, tags: stackTags(estate, DR_STACK), remoteState: remoteState(estate, DR_STACK) });
    const prefix = drPrefix(estate);

    this.dataKey = new ManagedKey(this, "data-key", {
      alias: `${prefix}-redshift`,
      description: `Encrypts Redshift clusters restored in the DR account of ${estate.project}`,
      accountId: this.accountId,
    });
    const operationsKey = new ManagedKey(this, "operations-key", {
      alias: `${prefix}-operations`,
      description: `Encrypts logs and messages of the DR account of ${estate.project}`,
      accountId: this.accountId,
      serviceStatements: operationsKeyPolicyStatements({
        accountId: this.accountId,
        region: this.region,
        partition: this.partition,
        redshiftEvents: false,
        eventBridgeRules: estate.dr.backup !== undefined,
      }),
    });

    // Validation makes dr.backup exist exactly when some source has backup on.
    const backedUp = sources.filter((s) => s.source.backup.enabled);
    const vaultConfig = estate.dr.backup;
    if (vaultConfig) {
      const copySources: CopySources =
        vaultConfig.copyFrom === "organization"
          ? { organizationId: estate.organization!.id }
          : { accountIds: backedUp.map((s) => s.accountId) };
      this.backupVaultKey = new ManagedKey(this, "backup-key", {
        alias: `${prefix}-backup`,
        description: `Encrypts the AWS Backup copies of ${estate.project}'s Redshift recovery points in the DR vault`,
        accountId: this.accountId,
        serviceStatements: backupVaultKeyStatements(this.partition, copySources),
      });
      const vaultKey = this.backupVaultKey;
      const lock = vaultConfig.lock;
      this.backupVault = new LockedBackupVault(this, "backup-vault", {
        vaultName: drBackupVaultName(estate.project, vaultConfig.vaultName),
        accountId: this.accountId,
        region: this.region,
        partition: this.partition,
        kmsKeyArn: vaultKey.arn,
        copySources,
        breakGlassPrincipalArn: vaultConfig.breakGlassRoleArn,
        lock: {
          changeableForDays: lock.mode === "compliance" ? lock.changeableForDays : undefined,
          minRetentionDays: lock.minRetentionDays,
          maxRetentionDays: lock.maxRetentionDays,
        },
        failedCopyEvents: {
          eventBusName: drBackupEventBusName(estate.project),
          alertKmsKeyArn: operationsKey.arn,
          alertEmails: estate.dr.notifications.emails,
        },
      });
      new TerraformOutput(this, "backup_vault_arn", { value: this.backupVault.vaultArn, description: "The locked vault AWS Backup copies into" });
      new TerraformOutput(this, "backup_vault_kms_key_arn", { value: vaultKey.arn, description: "Key of the DR vault's copies" });
      new TerraformOutput(this, "backup_event_bus_arn", {
        value: this.backupVault.eventBus!.arn,
        description: "Event bus receiving the source accounts' failed copy jobs",
      });
    }

    this.network = new RedshiftNetwork(this, "network", {
      name: prefix,
      create: estate.dr.network.create && {
        cidr: estate.dr.network.create.cidr,
        availabilityZones: zoneNames(estate.dr.network.create.availabilityZones, estate.dr.region),
        flowLogKmsKeyArn: operationsKey.arn,
        accountId: this.accountId,
      },
      existing: estate.dr.network.existing,
    });

    this.operatorRole = new RestoreOperatorRole(this, "restore-operator", {
      roleName: restoreOperatorRoleName(estate),
      region: this.region,
      accountId: this.accountId,
      trustedPrincipals: estate.dr.operatorPrincipals,
      restoredClusterPrefix: restoredClusterPrefix(estate),
      drKmsKeyArn: this.dataKey.arn,
      sources: sources.map((s) => ({
        accountId: s.accountId,
        clusterIdentifiers: s.clusters.map((c) => c.identifier),
        // The role names each key once; with cross-region copy the shared snapshots are the copies, under their own key.
        kmsKeyArns: s.clusters.flatMap((c) => [c.kmsKeyArn, ...(c.copyKmsKeyArn ? [c.copyKmsKeyArn] : [])]),
      })),
      ...(estate.sources.some((s) => s.clusters.some((c) => c.drill?.drOwnedCopy))
        ? { ownSnapshotArns: [drOwnedCopyArnPattern(this, estate.project)] }
        : {}),
      ...(this.backupVault && this.backupVaultKey
        ? {
            backupVault: {
              vaultArn: this.backupVault.vaultArn,
              kmsKeyArn: this.backupVaultKey.arn,
              clusterIdentifiers: backedUp.flatMap((s) => s.clusters.map((c) => c.identifier)),
            },
          }
        : {}),
    });

    if (estate.dr.createRedshiftServiceLinkedRole) {
      // Off by default: creating the role fails where it exists, and Redshift makes it with the first cluster.
      this.redshiftServiceLinkedRole = new IamServiceLinkedRole(this, "redshift-service-linked-role", {
        awsServiceName: REDSHIFT_SERVICE_PRINCIPAL,
      });
    }

    // Drilled clusters: the source stack's cluster with the config's drill, and the key of the snapshots shared with
    // DR (the copies' key when the source copies across regions).
    const sharedKeyOf = (s: SourceStack, identifier: string) => {
      const c = s.clusters.find((x) => x.identifier === identifier)!;
      return c.copyKmsKeyArn ?? c.kmsKeyArn;
    };
    const drilled = sources.flatMap((s) =>
      s.source.clusters.filter((c) => c.drill).map((c) => ({ stack: s, config: c, drill: c.drill!, kmsKeyArn: sharedKeyOf(s, c.identifier) })),
    );
    const drillTargets: DrillTarget[] = drilled.map(({ stack, config, kmsKeyArn }) => drillTargetOf(stack.source, config, this.partition, kmsKeyArn));
    const drOwnedCopySources: DrMonitorSource[] = drilled
      .filter((d) => d.drill.drOwnedCopy)
      .map((d) => ({ accountId: d.stack.accountId, clusterIdentifiers: [d.config.identifier], rpoHours: drOwnedCopyRpoHours(d.drill, d.stack.source) }));

    const native = sources.filter((s) => s.source.native.enabled);
    if (native.length > 0 || this.backupVault || drOwnedCopySources.length > 0) {
      this.monitor = new DrSnapshotMonitor(this, "snapshot-monitor", {
        namePrefix: estate.project, // it adds "-dr-monitor", "-dr-alerts"
        accountId: this.accountId,
        region: this.region,
        partition: this.partition,
        sources: native.map((s) => ({
          accountId: s.accountId,
          clusterIdentifiers: s.clusters.map((c) => c.identifier),
          rpoHours: drSharedRpoHours(s.source),
        })),
        // The copies in the DR vault keep their source cluster's ARN: the monitor reports the newest per cluster.
        ...(this.backupVault
          ? {
              backup: {
                vaultName: this.backupVault.vaultName,
                vaultArn: this.backupVault.vaultArn,
                sources: backedUp.map((s) => ({
                  accountId: s.accountId,
                  region: s.region,
                  clusterIdentifiers: s.clusters.map((c) => c.identifier),
                  rpoHours: backupRpoHours(s.source.backup),
                })),
              },
            }
          : {}),
        ...(drOwnedCopySources.length > 0 ? { drOwnedCopies: drOwnedCopySources } : {}),
        alertEmails: estate.dr.notifications.emails,
        kmsKeyArn: operationsKey.arn,
        snapshotPrefix: estate.project,
        managedBy: estate.project,
      });
      new TerraformOutput(this, "alert_topic_arn", { value: this.monitor.alertTopicArn, description: "SNS topic of the DR monitor's alarms" });
    }

    if (drillTargets.length > 0) {
      const drillArgs = {
        snapshotPrefix: estate.project,
        managedBy: estate.project,
        drills: drillTargets,
        sourceKmsKeyArns: [...new Set(drillTargets.map((t) => t.kmsKeyArn!))],
        drKmsKeyArn: this.dataKey.arn,
        ...(this.backupVault && this.backupVaultKey
          ? { backupVault: { vaultName: this.backupVault.vaultName, vaultArn: this.backupVault.vaultArn, kmsKeyArn: this.backupVaultKey.arn } }
          : {}),
      };
      this.drill = new RestoreDrill(this, "restore-drill", {
        ...drillArgs,
        namePrefix: estate.project, // it adds "-restore-drill", "-drill-alerts", "-drill-reports-..."
        accountId: this.accountId,
        region: this.region,
        partition: this.partition,
        subnetGroupName: this.network.subnetGroupName,
        securityGroupName: drRestoreNetworkName(estate),
        reportBucketName: drillReportBucketName(estate.project, estate.dr.accountId, estate.dr.region),
        allowReportBucketDestroy: !estate.dr.drills.preventReportDestroy,
        ...(estate.dr.drills.accessLogBucket ? { reportAccessLogBucket: estate.dr.drills.accessLogBucket } : {}),
        scheduleExpression: estate.dr.drills.schedule,
        alertEmails: estate.dr.notifications.emails,
        kmsKeyArn: operationsKey.arn,
      });
      // `redshift-backup drill run` runs the same core as the operator: the operator role gets the drill's permissions,
      // as a policy of its own (statement ids may repeat across policies, not within one).
      new IamRolePolicy(this, "restore-operator-drills", {
        role: this.operatorRole.role.id,
        name: "restore-drills",
        policy: policyDocument(
          drillStatements({
            ...drillArgs,
            env: { accountId: this.accountId, region: this.region, partition: this.partition },
            reportBucketArn: `arn:${this.partition}:s3:::${this.drill.reportBucketName}`,
            reportKmsKeyArn: operationsKey.arn,
          }),
        ),
      });
      new TerraformOutput(this, "drill_report_bucket", { value: this.drill.reportBucketName, description: "Restore drill reports, drills/<account>/<cluster>/" });
    }

    const dashboardClusters: DashboardCluster[] = sources.flatMap((s) =>
      s.source.clusters.map((c) => ({
        accountId: s.accountId,
        clusterIdentifier: c.identifier,
        ...(s.source.native.enabled ? { sharedRpoHours: drSharedRpoHours(s.source) } : {}),
        ...(s.source.backup.enabled && this.backupVault ? { backupRpoHours: backupRpoHours(s.source.backup) } : {}),
        ...(c.drill?.drOwnedCopy ? { drOwnedCopyRpoHours: drOwnedCopyRpoHours(c.drill, s.source) } : {}),
        drilled: c.drill !== undefined,
      })),
    );
    if (this.monitor || this.drill) {
      this.dashboard = new DrDashboard(this, "dashboard", { dashboardName: prefix, region: this.region, clusters: dashboardClusters });
      new TerraformOutput(this, "dashboard_name", { value: prefix, description: "CloudWatch dashboard of RPO ages and drill RTOs" });
    }

    new TerraformOutput(this, "kms_key_arn", { value: this.dataKey.arn, description: "Key for clusters restored in the DR account" });
    new TerraformOutput(this, "restore_vpc_id", { value: this.network.vpcId, description: "VPC of the restore subnet group (created here, or the existing one)" });
    new TerraformOutput(this, "restore_subnet_group_name", { value: this.network.subnetGroupName, description: "Redshift subnet group restores go into" });
    new TerraformOutput(this, "restore_security_group_id", { value: this.network.securityGroupId, description: "Security group of restored clusters (no rules)" });
    new TerraformOutput(this, "restore_operator_role_arn", { value: this.operatorRole.arn, description: "Role operators assume to restore" });
    new TerraformOutput(this, "protected_cluster_arns", {
      value: sources.flatMap((s) => s.clusters.map((c) => c.arn)),
      description: "Source clusters whose snapshots this account can restore (read from the source stacks' state)",
    });
  }
}
