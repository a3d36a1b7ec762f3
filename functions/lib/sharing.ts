/**
 * The snapshot manager's sharing step, bounded: Redshift allows 100 share authorizations per KMS key, and every
 * cluster of a source may use one key, so only the newest `shareLatest` available snapshots of each cluster stay
 * shared. The newest is shared first; then the older snapshots retention keeps lose the DR accounts'
 * authorizations (revoking never deletes); then the rest of the newest are shared. If the key's limit refused
 * the newest, it is tried again once the revokes have freed room. The same steps bound the sharing of a cluster's
 * cross-region copies in the copy region (copies.ts).
 */
import type { Snapshot } from "@aws-sdk/client-redshift";
import { classifyError } from "./errors";
import type { RedshiftContext } from "./listing";
import { authorizedAccounts } from "./ownership";
import { recordFailure, type ClusterResult, type SharingRecord } from "./report";
import { newestFirst } from "./retention";
import type { SnapshotManagerSettings } from "./settings";
import { assertWithinShareLimit, isSharedWithAll, missingAuthorizations } from "./share";
import { authorizeAccount, revokeAccount } from "./snapshot-actions";

/**
 * State of one cluster carried from phase A to phase B (or of its copies in the copy region: then `R` is the
 * copies' record, nothing is pending and nothing expires).
 */
export interface ClusterWork<R extends SharingRecord = ClusterResult> {
  readonly result: R;
  /** Our snapshots as known after phase A (deleted ones removed, authorizations updated). */
  readonly ours: Map<string, Snapshot>;
  /** The window's snapshot, if it is still being created. */
  pending?: string;
  /** Ids retention is deleting in this run (never shared again). */
  expiring: ReadonlySet<string>;
}

/** The newest `shareLatest` available snapshots of ours that retention keeps, newest first. */
function snapshotsToShare(work: ClusterWork<SharingRecord>, shareLatest: number): Snapshot[] {
  return newestToShare(work.ours.values(), work.expiring, shareLatest);
}

/**
 * Of `ours`, the snapshots that stay shared: the newest `shareLatest` available ones that retention keeps (not in
 * `expiring`), newest first. The share budget of the manager; the operator CLI shares within it too.
 */
export function newestToShare(ours: Iterable<Snapshot>, expiring: ReadonlySet<string>, shareLatest: number): Snapshot[] {
  return newestFirst([...ours].filter((s) => s.Status === "available" && !expiring.has(s.SnapshotIdentifier!))).slice(0, shareLatest);
}

/** The newest available snapshot of `ours` that every DR account may restore, or undefined. */
export function newestSharedWithAll(ours: Iterable<Snapshot>, drAccountIds: readonly string[]): Snapshot | undefined {
  return newestFirst([...ours].filter((s) => s.Status === "available" && isSharedWithAll(s, drAccountIds)))[0];
}

/** Step 3 (and the end of phase B): see the header comment. */
export async function shareBounded(ctx: RedshiftContext, settings: SnapshotManagerSettings, work: ClusterWork<SharingRecord>): Promise<void> {
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
  work: ClusterWork<SharingRecord>,
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
async function unshareBeyond(ctx: RedshiftContext, settings: SnapshotManagerSettings, work: ClusterWork<SharingRecord>, keep: ReadonlySet<string>): Promise<void> {
  const { result, ours } = work;
  for (const snapshot of [...ours.values()]) {
    const id = snapshot.SnapshotIdentifier!;
    if (keep.has(id) || work.expiring.has(id)) continue;
    const authorized = authorizedAccounts(snapshot);
    const ourAccounts = authorized.filter((a) => settings.drAccountIds.includes(a));
    if (ourAccounts.length === 0) continue;
    let accounts = authorized;
    if (settings.dryRun) result.unshared.push(...ourAccounts.map((accountId) => ({ snapshotId: id, accountId })));
    else accounts = (await revokeEach(ctx, result, snapshot, authorized, ourAccounts, "unshare", { stopOnFailure: false })).remaining;
    const others = authorized.filter((a) => !settings.drAccountIds.includes(a));
    if (others.length > 0) result.notes.push(`${id} stays authorized for ${others.join(", ")} (not a configured DR account; not revoked)`);
    if (!settings.dryRun) ours.set(id, { ...snapshot, AccountsWithRestoreAccess: accounts.map((AccountId) => ({ AccountId })) });
  }
}

/**
 * Revokes `accounts` from `snapshot` one at a time. Each revoked one is recorded (as unshared or revoked, by
 * `step`), a failure as a failed step; `stopOnFailure` leaves the rest untried. Returns the accounts still
 * authorized afterwards (from Redshift's answer when it gives one), and whether any revoke failed.
 */
export async function revokeEach(
  ctx: RedshiftContext,
  result: SharingRecord,
  snapshot: Snapshot,
  authorized: readonly string[],
  accounts: readonly string[],
  step: "unshare" | "revoke",
  opts: { stopOnFailure: boolean },
): Promise<{ remaining: string[]; failed: boolean }> {
  const id = snapshot.SnapshotIdentifier!;
  const done = step === "unshare" ? result.unshared : result.revoked;
  let remaining = [...authorized];
  let failed = false;
  for (const accountId of accounts) {
    try {
      const after = await revokeAccount(ctx, snapshot, accountId);
      remaining = after ?? remaining.filter((a) => a !== accountId);
      done.push({ snapshotId: id, accountId });
    } catch (err) {
      recordFailure(result, step, err, id);
      failed = true;
      if (opts.stopOnFailure) break;
    }
  }
  return { remaining, failed };
}
