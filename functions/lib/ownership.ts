/**
 * Which snapshots are ours. A snapshot is ours ONLY if it is a manual snapshot that carries
 * `managed-by` = our value AND `rsdr:cluster` = the cluster being reconciled, AND its id is the one the
 * manager gives (`<prefix>-<cluster>-<stamp>`). Everything else (automated snapshots, AWS Backup's, other
 * tools' snapshots, hand-made ones, another deployment's) is never touched.
 */
import type { Snapshot, Tag } from "@aws-sdk/client-redshift";
import { TAG_CLUSTER, TAG_MANAGED_BY, TAG_TARGETS, TAG_WINDOW, TARGETS_SEPARATOR, windowSnapshotIdPattern } from "../../contract";

export function tagValue(snapshot: Pick<Snapshot, "Tags">, key: string): string | undefined {
  return snapshot.Tags?.find((t) => t.Key === key)?.Value;
}

/** The tags put on every snapshot we create. */
export function ownershipTags(args: {
  managedBy: string;
  clusterIdentifier: string;
  windowStart: Date;
  drAccountIds: readonly string[];
}): Tag[] {
  return [
    { Key: TAG_MANAGED_BY, Value: args.managedBy },
    { Key: TAG_CLUSTER, Value: args.clusterIdentifier },
    { Key: TAG_WINDOW, Value: args.windowStart.toISOString() },
    { Key: TAG_TARGETS, Value: args.drAccountIds.join(TARGETS_SEPARATOR) },
  ];
}

/** Whose snapshots: the managed-by value, the cluster, and the first part of the ids the manager gives them. */
export interface Owner {
  readonly managedBy: string;
  readonly clusterIdentifier: string;
  readonly snapshotPrefix: string;
}

export function isOurs(snapshot: Snapshot, owner: Owner): boolean {
  return (
    snapshot.SnapshotType === "manual" &&
    tagValue(snapshot, TAG_MANAGED_BY) === owner.managedBy &&
    tagValue(snapshot, TAG_CLUSTER) === owner.clusterIdentifier &&
    // The id too: tags can be copied (AWS Backup copies a cluster's tags onto its awsbackup:job-... snapshots).
    new RegExp(`^${windowSnapshotIdPattern(owner.snapshotPrefix, owner.clusterIdentifier)}$`).test(snapshot.SnapshotIdentifier ?? "")
  );
}

/**
 * Whether a snapshot in the copy region is one of our cross-region copies of the owner's cluster, whatever its
 * status (only available ones are shared). Nothing documents that Redshift copies tags to the destination, so a
 * copy is recognised by what Redshift surely gives it: type manual, the cluster, `SourceRegion` (it was copied
 * from another region: a snapshot taken in this region is not ours to share here) and the id the manager gives
 * (`<prefix>-<cluster>-<stamp>`). Tags may only exclude: a VISIBLE managed-by or rsdr:cluster tag naming another
 * deployment or cluster means it is not ours.
 */
export function isOurCopy(snapshot: Snapshot, owner: Owner): boolean {
  const managedBy = tagValue(snapshot, TAG_MANAGED_BY);
  const cluster = tagValue(snapshot, TAG_CLUSTER);
  return (
    snapshot.SnapshotType === "manual" &&
    snapshot.ClusterIdentifier === owner.clusterIdentifier &&
    !!snapshot.SourceRegion &&
    new RegExp(`^${windowSnapshotIdPattern(owner.snapshotPrefix, owner.clusterIdentifier)}$`).test(snapshot.SnapshotIdentifier ?? "") &&
    (managedBy === undefined || managedBy === owner.managedBy) &&
    (cluster === undefined || cluster === owner.clusterIdentifier)
  );
}

/** Account ids currently authorized to restore the snapshot. */
export function authorizedAccounts(snapshot: Snapshot): string[] {
  return (snapshot.AccountsWithRestoreAccess ?? [])
    .map((a) => a.AccountId)
    .filter((id): id is string => typeof id === "string" && id.length > 0);
}

/** When the snapshot was taken: SnapshotCreateTime, else the rsdr:window tag, else undefined. */
export function snapshotTime(snapshot: Snapshot): Date | undefined {
  const created = snapshot.SnapshotCreateTime;
  if (created instanceof Date && !Number.isNaN(created.getTime())) return created;
  if (created !== undefined) {
    const parsed = new Date(created);
    if (!Number.isNaN(parsed.getTime())) return parsed;
  }
  const window = tagValue(snapshot, TAG_WINDOW);
  if (window) {
    const parsed = new Date(window);
    if (!Number.isNaN(parsed.getTime())) return parsed;
  }
  return undefined;
}
