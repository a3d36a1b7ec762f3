/**
 * Reading the DR vault's recovery points (AWS Backup). Source accounts' backup plans copy their clusters' recovery
 * points into one vault of the DR account; a copy keeps the source recovery point's ResourceArn (the source
 * cluster's ARN) and CreationDate, so the newest COMPLETED copy of a cluster says how old the DR account's latest
 * restorable state of it is. The vault is read with the SDK paginator (NextToken, at most 1000 a page), once per
 * run; the client's retry strategy retries each page request on its own.
 */
import {
  ListRecoveryPointsByBackupVaultCommand,
  paginateListRecoveryPointsByBackupVault,
  type BackupClient,
  type ListRecoveryPointsByBackupVaultCommandInput,
  type RecoveryPointByBackupVault,
} from "@aws-sdk/client-backup";

/** AWS Backup's maximum page size for ListRecoveryPointsByBackupVault. */
export const RECOVERY_POINT_PAGE_SIZE = 1000;

/** ByResourceType value of Redshift recovery points (one of the types the API lists for this filter). */
export const REDSHIFT_RESOURCE_TYPE = "Redshift";

export interface BackupContext {
  readonly backup: BackupClient;
}

/** The ARN of a Redshift cluster, the ResourceArn its recovery points (and their copies) carry. */
export function redshiftClusterArn(partition: string, region: string, accountId: string, clusterIdentifier: string): string {
  return `arn:${partition}:redshift:${region}:${accountId}:cluster:${clusterIdentifier}`;
}

/** Every Redshift recovery point in `vaultName` (of this account), every page read. */
export async function listRedshiftRecoveryPoints(ctx: BackupContext, vaultName: string): Promise<RecoveryPointByBackupVault[]> {
  const points: RecoveryPointByBackupVault[] = [];
  const pages = paginateListRecoveryPointsByBackupVault(
    {
      client: ctx.backup,
      pageSize: RECOVERY_POINT_PAGE_SIZE,
      // As in listing.ts: the paginator mutates one input object; each request gets its own copy.
      withCommand: (command) => new ListRecoveryPointsByBackupVaultCommand({ ...(command.input as ListRecoveryPointsByBackupVaultCommandInput) }),
    },
    { BackupVaultName: vaultName, ByResourceType: REDSHIFT_RESOURCE_TYPE },
  );
  for await (const page of pages) points.push(...(page.RecoveryPoints ?? []));
  return points;
}

export interface NewestRecoveryPoint {
  readonly recoveryPointArn: string;
  readonly createdAt: Date;
}

/**
 * The newest COMPLETED recovery point of each resource, keyed by resource ARN. A point in any
 * other status (CREATING, PARTIAL, DELETING, EXPIRED, STOPPED, AVAILABLE) is not counted as a restorable copy: an
 * age that counted an unfinished or expiring copy would keep the RPO alarm quiet when DR has nothing to restore.
 */
export function newestCompletedByResource(points: readonly RecoveryPointByBackupVault[]): Map<string, NewestRecoveryPoint> {
  const newest = new Map<string, NewestRecoveryPoint>();
  for (const p of points) {
    if (p.Status !== "COMPLETED" || !p.ResourceArn || !p.CreationDate || !p.RecoveryPointArn) continue;
    const current = newest.get(p.ResourceArn);
    if (!current || p.CreationDate.getTime() > current.createdAt.getTime()) {
      newest.set(p.ResourceArn, { recoveryPointArn: p.RecoveryPointArn, createdAt: p.CreationDate });
    }
  }
  return newest;
}
