/**
 * The snapshot manager's sharing step, bounded: Redshift allows 100 share authorizations per KMS key, and every
 * cluster of a source may use one key, so only the newest `shareLatest` available snapshots of each cluster stay
 * shared. The newest is shared first; then the older snapshots retention keeps lose the DR accounts'
 * authorizations (revoking never deletes); then the rest of the newest are shared. If the key's limit refused
 * the newest, it is tried again once the revokes have freed room.
 */
import type { Snapshot } from "@aws-sdk/client-redshift";
import { attemptsOf, classifyError } from "./errors";
import type { RedshiftContext } from "./listing";
import { authorizedAccounts } from "./ownership";
import type { ClusterResult, Step } from "./report";
import { newestFirst } from "./retention";
import type { SnapshotManagerSettings } from "./settings";
import { assertWithinShareLimit, missingAuthorizations } from "./share";
import { authorizeAccount, revokeAccount } from "./snapshot-actions";

/** State of one cluster carried from phase A to phase B. */
export interface ClusterWork {
  readonly result: ClusterResult;
  /** Our snapshots as known after phase A (deleted ones removed, authorizations updated). */
  readonly ours: Map<string, Snapshot>;
  /** The window's snapshot, if it is still being created. */
  pending?: string;
  /** Ids retention is deleting in this run (never shared again). */
  expiring: ReadonlySet<string>;
}

/** Records a failed step of one cluster, with what the error means and the attempts the SDK made. */
export function recordFailure(result: ClusterResult, step: Step, err: unknown, snapshotId?: string): void {
  const c = classifyError(err);
  result.failed = true;
  const attempts = attemptsOf(err);
  result.errors.push({
    step,
    kind: c.kind,
    code: c.code,
    message: c.message.length > 1000 ? c.message.slice(0, 1000) + "..." : c.message,
    ...(c.quota ? { quota: c.quota } : {}),
    ...(snapshotId ? { snapshotId } : {}),
    ...(attempts !== undefined ? { attempts } : {}),
  });
}

/** The newest `shareLatest` available snapshots of ours that retention keeps, newest first. */
function snapshotsToShare(work: ClusterWork, shareLatest: number): Snapshot[] {
  return newestFirst([...work.ours.values()].filter((s) => s.Status === "available" && !work.expiring.has(s.SnapshotIdentifier!))).slice(
    0,
    shareLatest,
  );
}

/** Step 3 (and the end of phase B): see the header comment. */
export async function shareBounded(ctx: RedshiftContext, settings: SnapshotManagerSettings, work: ClusterWork): Promise<void> {
  const wanted = snapshotsToShare(work, settings.shareLatest);
  const [newest, ...older] = wanted;
  const newestOutcome = newest ? await share(ctx, settings, work, newest, { deferLimitError: true }) : "done";
  await unshareBeyond(ctx, settings, work, new Set(wanted.map((s) => s.SnapshotIdentifier!)));
  if (newestOutcome === "limit") await share(ctx, settings, work, work.ours.get(newest.SnapshotIdentifier!) ?? newest);
  for (const snapshot of older) await share(ctx, settings, work, work.ours.get(snapshot.SnapshotIdentifier!) ?? snapshot);
}

/**
 * Shares the snapshot with each DR account that cannot restore it yet. With `deferLimitError`, a quota error
 * (the 100 authorizations of the key used up) is returned as "limit" instead of recorded, for one more try
 * once revokes have freed room.
 */
async function share(
  ctx: RedshiftContext,
  settings: SnapshotManagerSettings,
  work: ClusterWork,
  snapshot: Snapshot,
  opts: { deferLimitError?: boolean } = {},
): Promise<"done" | "limit"> {
  const { result, ours } = work;
  const id = snapshot.SnapshotIdentifier!;
  const missing = missingAuthorizations(snapshot, settings.drAccountIds);
  if (missing.length === 0) return "done";
  try {
    assertWithinShareLimit(snapshot, missing);
  } catch (err) {
    recordFailure(result, "share", err, id);
    return "done";
  }
  let accounts = authorizedAccounts(snapshot);
  let outcome: "done" | "limit" = "done";
  for (const accountId of missing) {
    if (!settings.dryRun) {
      try {
        const after = await authorizeAccount(ctx, snapshot, accountId);
        accounts = after ?? [...accounts, accountId];
      } catch (err) {
        if (opts.deferLimitError && classifyError(err).kind === "quota") {
          outcome = "limit";
          continue;
        }
        recordFailure(result, "share", err, id);
        continue;
      }
    } else {
      accounts = [...accounts, accountId];
    }
    result.shared.push({ snapshotId: id, accountId });
  }
  // A dry run reports what it would share but keeps the real state, so the reported age stays true.
  if (!settings.dryRun) ours.set(id, { ...snapshot, AccountsWithRestoreAccess: accounts.map((AccountId) => ({ AccountId })) });
  return outcome;
}

/**
 * Revokes the DR accounts' authorizations from every snapshot of ours that retention keeps but that is not
 * among the newest `shareLatest`. Only the configured DR accounts are revoked here (another account someone
 * authorized by hand is left, and noted); nothing is deleted.
 */
async function unshareBeyond(ctx: RedshiftContext, settings: SnapshotManagerSettings, work: ClusterWork, keep: ReadonlySet<string>): Promise<void> {
  const { result, ours } = work;
  for (const snapshot of [...ours.values()]) {
    const id = snapshot.SnapshotIdentifier!;
    if (keep.has(id) || work.expiring.has(id)) continue;
    const authorized = authorizedAccounts(snapshot);
    const ourAccounts = authorized.filter((a) => settings.drAccountIds.includes(a));
    if (ourAccounts.length === 0) continue;
    let accounts = authorized;
    for (const accountId of ourAccounts) {
      if (!settings.dryRun) {
        try {
          const after = await revokeAccount(ctx, snapshot, accountId);
          accounts = after ?? accounts.filter((a) => a !== accountId);
        } catch (err) {
          recordFailure(result, "unshare", err, id);
          continue;
        }
      }
      result.unshared.push({ snapshotId: id, accountId });
    }
    const others = authorized.filter((a) => !settings.drAccountIds.includes(a));
    if (others.length > 0) result.notes.push(`${id} stays authorized for ${others.join(", ")} (not a configured DR account; not revoked)`);
    if (!settings.dryRun) ours.set(id, { ...snapshot, AccountsWithRestoreAccess: accounts.map((AccountId) => ({ AccountId })) });
  }
}
