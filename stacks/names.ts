// The stack names, state keys and name prefixes the stacks derive from the config. The full list of derived
// names with the AWS rule of each is in config/names.ts (checked before any stack is built).
import type { Estate, SourceConfig } from "../config/estate";
import {
  defaultLockTableName,
  drBackupEventBusName,
  drBackupVaultName,
  drPrefix as drNamePrefix,
  sourcePrefix as sourceNamePrefix,
} from "../config/names";

export const STATE_STACK = "state";
export const DR_STACK = "dr";
export const sourceStackName = (source: Pick<SourceConfig, "name">) => `source-${source.name}`;

export const lockTableName = (estate: Estate) => estate.state.lockTable ?? defaultLockTableName(estate.project);
export const stateKey = (estate: Estate, stackName: string) => `${estate.state.keyPrefix}/${stackName}.tfstate`;

/** Prefix of the resources of one source account, e.g. `rsdr-analytics`. */
export const sourcePrefix = (estate: Estate, source: Pick<SourceConfig, "name">) => sourceNamePrefix(estate.project, source.name);
export const drPrefix = (estate: Estate) => drNamePrefix(estate.project);
/** The DR restore network's subnet group and security group (RedshiftNetwork names them `<name>-redshift`). */
export const drRestoreNetworkName = (estate: Estate) => `${drPrefix(estate)}-redshift`;
/** The DR data key's alias ARN (the CLI restores and drills with it; KMS resolves it to the key). */
export const drDataKeyAliasArn = (estate: Estate, partition: string) =>
  `arn:${partition}:kms:${estate.dr.region}:${estate.dr.accountId}:alias/${drPrefix(estate)}-redshift`;
export const restoreOperatorRoleName = (estate: Estate) => `${drPrefix(estate)}-restore-operator`;
/** Clusters the DR operator restores are named `<project>-restore-...`; its role may touch only those. */
export const restoredClusterPrefix = (estate: Estate) => `${estate.project}-restore-`;

export const ORG_STACK = "org";

/** The DR vault's ARN, derived from config so that source stacks do not read the DR stack's state. */
export const drBackupVaultArn = (estate: Estate) =>
  `arn:aws:backup:${estate.dr.region}:${estate.dr.accountId}:backup-vault:${drBackupVaultName(estate.project, estate.dr.backup?.vaultName)}`;
/** The DR event bus that receives the sources' failed copy-job events. */
export const drBackupEventBusArn = (estate: Estate) =>
  `arn:aws:events:${estate.dr.region}:${estate.dr.accountId}:event-bus/${drBackupEventBusName(estate.project)}`;
