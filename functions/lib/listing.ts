/**
 * Reading snapshots. Every DescribeClusterSnapshots read goes through {@link describeAllSnapshots}:
 * paginated with the SDK paginator (Marker, at most 100 records a page). The client's retry strategy
 * retries each page request on its own, so a throttled third page is asked again, not the first.
 */
import {
  DescribeClusterSnapshotsCommand,
  paginateDescribeClusterSnapshots,
  type DescribeClusterSnapshotsCommandInput,
  type RedshiftClient,
  type Snapshot,
} from "@aws-sdk/client-redshift";
import { TAG_MANAGED_BY, windowSnapshotIdMatcher } from "../../contract";
import { isOurCopy, isOurs, type Owner, snapshotTime, tagValue } from "./ownership";

/** Redshift's maximum (and default) page size for DescribeClusterSnapshots. */
export const PAGE_SIZE = 100;

export interface RedshiftContext {
  readonly redshift: RedshiftClient;
}

/** All snapshots matching `input`, every page read. */
export async function describeAllSnapshots(
  ctx: RedshiftContext,
  input: Omit<DescribeClusterSnapshotsCommandInput, "Marker" | "MaxRecords">,
): Promise<Snapshot[]> {
  const snapshots: Snapshot[] = [];
  const pages = paginateDescribeClusterSnapshots(
    {
      client: ctx.redshift,
      pageSize: PAGE_SIZE,
      // The paginator reuses (and mutates) one input object for every page; give each request its own
      // copy so what was sent for page N stays what was sent for page N.
      withCommand: (command) => new DescribeClusterSnapshotsCommand({ ...(command.input as DescribeClusterSnapshotsCommandInput) }),
    },
    { ...input },
  );
  for await (const page of pages) snapshots.push(...(page.Snapshots ?? []));
  return snapshots;
}

/**
 * Our snapshots of one cluster in the SOURCE account. The tag filter is only an optimisation (it keeps
 * other tools' snapshots off the wire); ownership is decided by {@link isOurs} on every result.
 */
export async function listOurSnapshots(ctx: RedshiftContext, owner: Owner): Promise<Snapshot[]> {
  const all = await describeAllSnapshots(ctx, {
    ClusterIdentifier: owner.clusterIdentifier,
    SnapshotType: "manual",
    TagKeys: [TAG_MANAGED_BY],
    TagValues: [owner.managedBy],
  });
  return all.filter((s) => isOurs(s, owner));
}

/**
 * Our cross-region copies of one cluster, in the region `ctx` reads (any status: the caller shares only available
 * ones). No tag filter: nothing documents that Redshift copies tags to the destination, and a tag filter would
 * then hide every copy. Ownership is decided by {@link isOurCopy} on every result.
 */
export async function listOurCopies(ctx: RedshiftContext, owner: Owner): Promise<Snapshot[]> {
  const all = await describeAllSnapshots(ctx, { ClusterIdentifier: owner.clusterIdentifier, SnapshotType: "manual" });
  return all.filter((s) => isOurCopy(s, owner));
}

export interface SharedSnapshot {
  readonly sourceAccountId: string;
  readonly clusterIdentifier: string;
  readonly snapshotIdentifier: string;
  readonly createdAt: Date;
}

/** How the DR account recognises a source's snapshots of ours. */
export interface SharedSnapshotFilter {
  /** First part of the ids the source's snapshot manager gives (`<prefix>-<cluster>-YYYYMMDDtHHMMz`). */
  readonly snapshotPrefix: string;
  /** The source's configured clusters. */
  readonly clusters: readonly string[];
  /** The source side's managed-by value: a snapshot whose VISIBLE tags name another value is excluded. */
  readonly managedBy?: string;
}

/**
 * DR side: the snapshots a source account shares with us that its snapshot manager made.
 *
 * DescribeClusterSnapshots returns only our own snapshots unless OwnerAccount is given, and never returns
 * shared snapshots when tag filters are given: so OwnerAccount is set and no tag filter is sent. Nothing
 * documents that this account sees the owner's tags, so a snapshot is recognised by what it surely sees:
 * the owner account, type manual, available, and the deterministic id `<prefix>-<cluster>-<stamp>` of one of
 * the configured clusters (which must agree with ClusterIdentifier). Tags may only exclude: a snapshot whose
 * visible managed-by tag names another deployment is not ours (trusting it could hide a stale cluster).
 */
export async function listSharedSnapshots(ctx: RedshiftContext, sourceAccountId: string, filter: SharedSnapshotFilter): Promise<SharedSnapshot[]> {
  const all = await describeAllSnapshots(ctx, { OwnerAccount: sourceAccountId, SnapshotType: "manual" });
  const clusterOf = windowSnapshotIdMatcher(filter.snapshotPrefix, filter.clusters);
  const shared: SharedSnapshot[] = [];
  for (const s of all) {
    const createdAt = snapshotTime(s);
    if (!s.SnapshotIdentifier || !createdAt || s.Status !== "available") continue;
    if (s.OwnerAccount !== sourceAccountId || s.SnapshotType !== "manual") continue;
    const cluster = clusterOf(s.SnapshotIdentifier);
    if (!cluster || s.ClusterIdentifier !== cluster) continue;
    const managedBy = tagValue(s, TAG_MANAGED_BY);
    if (filter.managedBy !== undefined && managedBy !== undefined && managedBy !== filter.managedBy) continue;
    shared.push({ sourceAccountId, clusterIdentifier: cluster, snapshotIdentifier: s.SnapshotIdentifier, createdAt });
  }
  return shared;
}

/** Newest shared snapshot per cluster, keyed by cluster identifier (one source account's list). */
export function newestByCluster(shared: readonly SharedSnapshot[]): Map<string, SharedSnapshot> {
  const newest = new Map<string, SharedSnapshot>();
  for (const s of shared) {
    const current = newest.get(s.clusterIdentifier);
    if (!current || s.createdAt.getTime() > current.createdAt.getTime()) newest.set(s.clusterIdentifier, s);
  }
  return newest;
}

export function ageHours(at: Date, now: Date): number {
  return Math.max(0, (now.getTime() - at.getTime()) / 3_600_000);
}
