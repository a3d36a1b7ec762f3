/**
 * The Redshift calls that change something (the client's retry strategy retries throttling), each reading
 * the "it is already so" answers as success, so that repeated and overlapping runs converge:
 *  - create: ClusterSnapshotAlreadyExists  -> the window's snapshot exists (created by an earlier run)
 *  - share:  AuthorizationAlreadyExists    -> already shared
 *  - revoke: AuthorizationNotFound         -> already revoked
 *  - delete: ClusterSnapshotNotFound       -> already deleted
 */
import {
  AuthorizeSnapshotAccessCommand,
  CreateClusterSnapshotCommand,
  DeleteClusterSnapshotCommand,
  RevokeSnapshotAccessCommand,
  waitUntilSnapshotAvailable,
  type Snapshot,
  type Tag,
} from "@aws-sdk/client-redshift";
import { classifyError, errorMessage } from "./errors";
import type { RedshiftContext } from "./listing";
import { authorizedAccounts } from "./ownership";
import type { WaiterDelays } from "./settings";

/**
 * Manual snapshots we create are kept until our retention deletes them (-1), whatever the cluster's
 * default manual retention: Redshift's own expiry might delete a snapshot that is still shared, and the
 * only deleter should be the retention policy, which revokes first.
 */
export const KEEP_UNTIL_DELETED = -1;

export async function createSnapshot(
  ctx: RedshiftContext,
  args: { snapshotId: string; clusterIdentifier: string; tags: Tag[] },
): Promise<{ outcome: "created" | "already-exists"; snapshot?: Snapshot }> {
  try {
    const out = await ctx.redshift.send(
      new CreateClusterSnapshotCommand({
        SnapshotIdentifier: args.snapshotId,
        ClusterIdentifier: args.clusterIdentifier,
        ManualSnapshotRetentionPeriod: KEEP_UNTIL_DELETED,
        Tags: args.tags,
      }),
    );
    return { outcome: "created", snapshot: out.Snapshot };
  } catch (err) {
    if (classifyError(err).kind === "already-exists") return { outcome: "already-exists" };
    throw err;
  }
}

/** Authorizes `accountId`; returns the account ids authorized afterwards when Redshift reports them. */
export async function authorizeAccount(ctx: RedshiftContext, snapshot: Snapshot, accountId: string): Promise<string[] | undefined> {
  try {
    const out = await ctx.redshift.send(
      new AuthorizeSnapshotAccessCommand({
        SnapshotIdentifier: snapshot.SnapshotIdentifier,
        SnapshotClusterIdentifier: snapshot.ClusterIdentifier,
        AccountWithRestoreAccess: accountId,
      }),
    );
    return out.Snapshot ? authorizedAccounts(out.Snapshot) : undefined;
  } catch (err) {
    if (classifyError(err).kind === "authorization-already-exists") return undefined;
    throw err;
  }
}

/** Revokes `accountId`; returns the account ids still authorized afterwards when Redshift reports them. */
export async function revokeAccount(ctx: RedshiftContext, snapshot: Snapshot, accountId: string): Promise<string[] | undefined> {
  try {
    const out = await ctx.redshift.send(
      new RevokeSnapshotAccessCommand({
        SnapshotIdentifier: snapshot.SnapshotIdentifier,
        SnapshotClusterIdentifier: snapshot.ClusterIdentifier,
        AccountWithRestoreAccess: accountId,
      }),
    );
    return out.Snapshot ? authorizedAccounts(out.Snapshot) : undefined;
  } catch (err) {
    if (classifyError(err).kind === "authorization-not-found") return undefined;
    throw err;
  }
}

export async function deleteSnapshot(ctx: RedshiftContext, snapshot: Snapshot): Promise<"deleted" | "already-gone"> {
  try {
    await ctx.redshift.send(
      new DeleteClusterSnapshotCommand({
        SnapshotIdentifier: snapshot.SnapshotIdentifier,
        SnapshotClusterIdentifier: snapshot.ClusterIdentifier,
      }),
    );
    return "deleted";
  } catch (err) {
    if (classifyError(err).kind === "snapshot-not-found") return "already-gone";
    throw err;
  }
}

export type WaitOutcome =
  | { state: "available"; snapshot: Snapshot }
  /** Still not available when the budget ran out: not a failure, the next run or the event trigger shares it. */
  | { state: "timed-out"; seconds: number }
  /** The snapshot reached a state it will not leave (failed, deleted). */
  | { state: "failed"; message: string };

/**
 * Waits with the SDK waiter (`waitUntilSnapshotAvailable`) for at most `budgetSeconds`.
 * The caller ensures budgetSeconds > delays.minDelaySeconds (the waiter refuses otherwise).
 */
export async function waitForAvailable(
  ctx: RedshiftContext,
  args: { snapshotId: string; clusterIdentifier: string; budgetSeconds: number; delays: WaiterDelays },
): Promise<WaitOutcome> {
  try {
    const result = await waitUntilSnapshotAvailable(
      {
        client: ctx.redshift,
        maxWaitTime: args.budgetSeconds,
        minDelay: args.delays.minDelaySeconds,
        maxDelay: Math.max(args.delays.minDelaySeconds, Math.min(args.delays.maxDelaySeconds, args.budgetSeconds)),
      },
      { SnapshotIdentifier: args.snapshotId, ClusterIdentifier: args.clusterIdentifier, SnapshotType: "manual" },
    );
    const reason = result.reason as { Snapshots?: Snapshot[] } | undefined;
    const snapshot = reason?.Snapshots?.find((s) => s.SnapshotIdentifier === args.snapshotId);
    if (!snapshot) return { state: "failed", message: `waiter succeeded but ${args.snapshotId} was not in the response` };
    return { state: "available", snapshot };
  } catch (err) {
    if ((err as Error)?.name === "TimeoutError") return { state: "timed-out", seconds: args.budgetSeconds };
    return { state: "failed", message: errorMessage(err) };
  }
}
