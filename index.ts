// The package entry point: the constructs another CDK for Terraform app adds to its own stacks, with their props
// and the pure helpers their props need. Nothing here reads this project's config or synthesizes anything; the
// project's own app is main.ts. Every name is listed explicitly (no `export *`), so that the public API grows only
// on purpose, and docs/constructs.md lists the same names (a test compares them).

// Source account: native snapshot sharing and AWS Backup.
export { SnapshotAutomation, CLUSTER_SNAPSHOT_EVENT_CATEGORIES, type SnapshotAutomationProps } from "./stacks/constructs/snapshot-automation";
export { CrossAccountBackupPlan, sourceKeyCopyStatements, type BackupCopyTarget, type CrossAccountBackupPlanProps } from "./stacks/constructs/backup-plan";
export { SecureRedshiftCluster, type SecureRedshiftClusterProps } from "./stacks/constructs/redshift-cluster";
export { CrossRegionSnapshotCopy, type CrossRegionSnapshotCopyProps } from "./stacks/constructs/cross-region-copy";

// DR account: the locked vault, restores, monitoring and drills.
export { LockedBackupVault, backupVaultKeyStatements, type CopySources, type LockedBackupVaultProps, type VaultLockProps } from "./stacks/constructs/backup-vault";
export { RestoreOperatorRole, type RestoreOperatorRoleProps, type RestoreSource } from "./stacks/constructs/restore-operator-role";
export {
  DrSnapshotMonitor,
  type DrBackupMonitoring,
  type DrBackupSource,
  type DrMonitorSource,
  type DrSnapshotMonitorProps,
} from "./stacks/constructs/dr-snapshot-monitor";
export { RestoreDrill, drillStatements, drOwnedCopyArnPattern, type DrillStatementsArgs, type DrillVault, type RestoreDrillProps } from "./stacks/constructs/restore-drill";

// Either account: keys, network, functions, alerts.
export { ManagedKey, type ManagedKeyProps } from "./stacks/constructs/kms-key";
export { operationsKeyPolicyStatements, type OperationsKeyPolicyProps } from "./stacks/constructs/key-policies";
export { RedshiftNetwork, type CreatedNetworkProps, type ExistingNetworkProps, type RedshiftNetworkProps } from "./stacks/constructs/network";
export { NodejsFunction, type NodejsFunctionProps } from "./stacks/constructs/nodejs-function";
export { AlertTopic, type AlertTopicProps } from "./stacks/constructs/alert-topic";
export type { ScheduledFunctionCommonProps } from "./stacks/constructs/scheduled-function";

// Pure helpers and the types props are made of.
export { resolveAwsEnvironment, type AwsEnvironment, type AwsEnvironmentProps } from "./stacks/constructs/aws-environment";
export { policyDocument, serviceEndpoint, type PolicyConditions, type PolicyPrincipal, type PolicyStatement } from "./stacks/constructs/iam";
export { ValidationError, LOG_RETENTION_DAYS } from "./stacks/constructs/validation";
export { DEFAULT_METRIC_NAMESPACE, DEFAULT_PROJECT, type DrillTarget, type RetentionTiers } from "./contract";
