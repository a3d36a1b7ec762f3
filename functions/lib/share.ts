/**
 * Sharing rules: only `available` manual snapshots are shared (AuthorizeSnapshotAccess fails on a
 * snapshot still creating), to every configured DR account not yet authorized, and never beyond
 * Redshift's limit of 20 accounts per snapshot.
 */
import type { Snapshot } from "@aws-sdk/client-redshift";
import { MAX_ACCOUNTS_PER_SNAPSHOT } from "../../contract";
import { ReconcileError } from "./errors";
import { authorizedAccounts } from "./ownership";


/** DR accounts the snapshot still has to be shared with ([] if none or if it is not available). */
export function missingAuthorizations(snapshot: Snapshot, drAccountIds: readonly string[]): string[] {
  if (snapshot.Status !== "available") return [];
  const have = new Set(authorizedAccounts(snapshot));
  return drAccountIds.filter((id) => !have.has(id));
}

/**
 * Throws a share-limit error if authorizing `missing` on top of the existing authorizations would exceed
 * the per-snapshot limit. Nothing is shared in that case: an operator has to decide which accounts go.
 */
export function assertWithinShareLimit(snapshot: Snapshot, missing: readonly string[]): void {
  const existing = authorizedAccounts(snapshot).length;
  if (existing + missing.length > MAX_ACCOUNTS_PER_SNAPSHOT) {
    throw new ReconcileError(
      "share-limit",
      `snapshot ${snapshot.SnapshotIdentifier} is authorized for ${existing} account(s); sharing it with ` +
        `${missing.length} more DR account(s) (${missing.join(", ")}) would exceed the Redshift limit of ` +
        `${MAX_ACCOUNTS_PER_SNAPSHOT} accounts per snapshot, so it was not shared with any of them`,
      `accounts authorized per snapshot (${MAX_ACCOUNTS_PER_SNAPSHOT})`,
    );
  }
}

/** True when every configured DR account may restore the snapshot. */
export function isSharedWithAll(snapshot: Snapshot, drAccountIds: readonly string[]): boolean {
  const have = new Set(authorizedAccounts(snapshot));
  return drAccountIds.every((id) => have.has(id));
}
