/**
 * DR-owned copies: manual snapshots the restore drills take of a drill cluster, OWNED by the DR account, so that a
 * source cluster stays restorable even when the source account (and so every snapshot it shares) is gone. One
 * reading for the drill function, the DR monitor and the CLI (status, restore).
 *
 * A snapshot is a DR-owned copy of source cluster C of account A only if ALL hold: its id is
 * `<prefix>-drcopy-<C>-<yyyymmddthhmmz>`, it is manual, and its tags say managed-by = our value, rsdr:cluster = C,
 * rsdr:source-account = A and rsdr:data-time = an ISO 8601 time. The id alone is not enough (anyone may name a
 * snapshot so), nor are the tags (tags can be copied onto other snapshots); the snapshot's own ClusterIdentifier is
 * the drill cluster, so it says nothing about C. Its age is the age of its DATA (rsdr:data-time): a copy taken
 * today of a restore of last week's snapshot is a week old for the RPO.
 */
import type { Snapshot } from "@aws-sdk/client-redshift";
import { ACCOUNT_ID, drOwnedCopyPrefix, TAG_CLUSTER, TAG_DATA_TIME, TAG_MANAGED_BY, TAG_SOURCE_ACCOUNT } from "../../contract";
import { describeAllSnapshots, type RedshiftContext } from "./listing";
import { snapshotTime, tagValue } from "./ownership";

export interface DrOwnedCopy {
  readonly sourceAccountId: string;
  /** The SOURCE cluster whose data the copy holds (rsdr:cluster). */
  readonly clusterIdentifier: string;
  readonly snapshotIdentifier: string;
  /** The drill cluster the copy was taken from: the snapshot's ClusterIdentifier, which a restore must name. */
  readonly drillClusterIdentifier: string;
  /** When the data was taken (rsdr:data-time): the copy's age is counted from here. */
  readonly dataTime: Date;
  /** When the snapshot itself was taken, when Redshift says. Not its age. */
  readonly createdAt?: Date;
  /** Redshift's status, e.g. "creating", "available"; only available copies can be restored. */
  readonly status: string;
  readonly encrypted?: boolean;
  readonly kmsKeyId?: string;
}

/** How the DR account recognises its copies: the project's snapshot prefix and managed-by value. */
export interface DrOwnedCopyFilter {
  readonly snapshotPrefix: string;
  readonly managedBy: string;
}

/** A full ISO 8601 date and time with a zone: Date.parse alone would accept "Nov 26 2026" or a bare date. */
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

function isoTime(value: string | undefined): Date | undefined {
  if (value === undefined || !ISO_DATE_TIME.test(value)) return undefined;
  const t = new Date(value);
  return Number.isNaN(t.getTime()) ? undefined : t;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** The id a DR-owned copy of `clusterIdentifier` has, as a regular expression. */
export function drOwnedCopyIdPattern(snapshotPrefix: string, clusterIdentifier: string): RegExp {
  return new RegExp(`^${escapeRegExp(drOwnedCopyPrefix(snapshotPrefix))}${escapeRegExp(clusterIdentifier)}-\\d{8}t\\d{4}z$`);
}

/** The snapshot as a DR-owned copy, or undefined when it is not one of ours (see the module comment for the rule). */
export function drOwnedCopyOf(snapshot: Snapshot, filter: DrOwnedCopyFilter): DrOwnedCopy | undefined {
  const id = snapshot.SnapshotIdentifier;
  const cluster = tagValue(snapshot, TAG_CLUSTER);
  const account = tagValue(snapshot, TAG_SOURCE_ACCOUNT);
  const dataTime = isoTime(tagValue(snapshot, TAG_DATA_TIME));
  if (!id || !cluster || !account || !dataTime) return undefined;
  if (snapshot.SnapshotType !== "manual" || tagValue(snapshot, TAG_MANAGED_BY) !== filter.managedBy) return undefined;
  if (!ACCOUNT_ID.test(account) || !drOwnedCopyIdPattern(filter.snapshotPrefix, cluster).test(id)) return undefined;
  // Redshift always names the cluster a snapshot was taken from; a restore of our own snapshot needs it.
  if (!snapshot.ClusterIdentifier) return undefined;
  const createdAt = snapshotTime(snapshot);
  return {
    sourceAccountId: account,
    clusterIdentifier: cluster,
    snapshotIdentifier: id,
    drillClusterIdentifier: snapshot.ClusterIdentifier,
    dataTime,
    ...(createdAt ? { createdAt } : {}),
    status: snapshot.Status ?? "unknown",
    ...(snapshot.Encrypted !== undefined ? { encrypted: snapshot.Encrypted } : {}),
    ...(snapshot.KmsKeyId ? { kmsKeyId: snapshot.KmsKeyId } : {}),
  };
}

/**
 * Every DR-owned copy in this (the DR) account, whatever its status, of any source cluster. DescribeClusterSnapshots
 * without OwnerAccount lists the caller's own snapshots only (docs/aws-behaviour.md, "DR-owned copies"), so shared
 * snapshots never come back here; every page is read. No tag filter is sent: ownership is decided on every result
 * by {@link drOwnedCopyOf}, and one listing serves every source.
 */
export async function listDrOwnedCopies(ctx: RedshiftContext, filter: DrOwnedCopyFilter): Promise<DrOwnedCopy[]> {
  const all = await describeAllSnapshots(ctx, { SnapshotType: "manual" });
  return all.flatMap((s) => drOwnedCopyOf(s, filter) ?? []);
}

/** The key of {@link newestDrOwnedCopies}: `<source account>/<cluster>`. */
export const drOwnedCopyKey = (sourceAccountId: string, clusterIdentifier: string) => `${sourceAccountId}/${clusterIdentifier}`;

/**
 * The newest AVAILABLE copy per source cluster, keyed `<account>/<cluster>`, by data time (a copy still being
 * taken cannot be restored, so it does not count). Of two copies of the same data, the later snapshot wins.
 */
export function newestDrOwnedCopies(copies: readonly DrOwnedCopy[]): Map<string, DrOwnedCopy> {
  const newest = new Map<string, DrOwnedCopy>();
  for (const c of copies) {
    if (c.status !== "available") continue;
    const key = drOwnedCopyKey(c.sourceAccountId, c.clusterIdentifier);
    const current = newest.get(key);
    if (!current || newer(c, current)) newest.set(key, c);
  }
  return newest;
}

function newer(a: DrOwnedCopy, b: DrOwnedCopy): boolean {
  const d = a.dataTime.getTime() - b.dataTime.getTime();
  if (d !== 0) return d > 0;
  return (a.createdAt?.getTime() ?? 0) > (b.createdAt?.getTime() ?? 0);
}
