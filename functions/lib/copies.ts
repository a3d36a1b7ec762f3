/**
 * Cross-region copies (docs/native-automation.md, "Cross-region copies"). A source whose region is not the DR
 * region has Redshift copy its clusters' snapshots into the DR region (EnableSnapshotCopy, same account). A shared
 * snapshot is visible only in its own region, so the DR account sees only copies shared IN the DR region: the
 * manager shares our copies there with the same bounded steps as in the source region (sharing.ts), so that the
 * authorizations on the copy key stay bounded. It never deletes a copy: Redshift's manual retention period expires
 * them, and the config makes that period outlast the shared windows, so a copy is unshared before it expires.
 */
import type { RedshiftClient } from "@aws-sdk/client-redshift";
import { ageHours, listOurCopies, type RedshiftContext } from "./listing";
import { snapshotTime, type Owner } from "./ownership";
import { recordFailure, type ClusterResult, type CopiesResult, type SharingRecord } from "./report";
import type { Clock } from "./runtime";
import { q, type SnapshotManagerSettings } from "./settings";
import { newestSharedWithAll, shareBounded, type ClusterWork } from "./sharing";

/**
 * Why the copy region and its client do not go together, or null: a copy region needs a client for it, a client
 * needs the region it is for, and the two must name the same region (else the copies would be looked for where
 * they are not, and the DR account would silently see nothing new).
 */
export async function copyClientProblem(copyRegion: string | undefined, client: RedshiftClient | undefined): Promise<string | null> {
  if (copyRegion === undefined && client === undefined) return null;
  if (client === undefined) {
    return `copyRegion: ${q(copyRegion)} is set but copyRedshift is not: a RedshiftClient for ${copyRegion} is required to share the copies there`;
  }
  if (copyRegion === undefined) return "copyRedshift: a client is given but copyRegion is not set: set copyRegion to the client's region, or give neither";
  const region = await client.config.region();
  return region === copyRegion ? null : `copyRedshift: the client is for region ${q(region)} but copyRegion is ${q(copyRegion)}: they must be the same region`;
}

/**
 * One cluster's copies in the copy region: list them, share the newest `shareLatest` available ones, unshare the
 * older ones; never delete. Never throws: a failure is recorded in the cluster's `result` (with the region), so the
 * cluster counts as failed and the run goes on.
 */
export async function reconcileCopies(
  ctx: RedshiftContext,
  args: { region: string; settings: SnapshotManagerSettings; owner: Owner; result: ClusterResult; clock: Clock },
): Promise<CopiesResult> {
  const { region, settings, owner, result } = args;
  const copies: CopiesResult = { region, shared: [], unshared: [], newestSharedCopyId: null, newestSharedCopyAgeHours: null, notes: [] };
  // The sharing steps record into this; its arrays are the copies' own, its failures move to the cluster below.
  const record: SharingRecord = { shared: copies.shared, unshared: copies.unshared, revoked: [], notes: copies.notes, failed: false, errors: [] };
  const work: ClusterWork<SharingRecord> = { result: record, ours: new Map(), expiring: new Set() };
  try {
    for (const copy of await listOurCopies(ctx, owner)) {
      const id = copy.SnapshotIdentifier!;
      if (copy.Status === "available") work.ours.set(id, copy);
      else copies.notes.push(`copy ${id} is ${copy.Status ?? "of no status"}, not available: not shared`);
    }
  } catch (err) {
    recordFailure(record, "list", err);
  }
  // Without the listing nothing can be decided safely (an unlisted copy could stay shared beyond the bound).
  if (!record.failed) await shareBounded(ctx, settings, work);

  const newest = newestSharedWithAll(work.ours.values(), settings.drAccountIds);
  if (newest) {
    copies.newestSharedCopyId = newest.SnapshotIdentifier ?? null;
    copies.newestSharedCopyAgeHours = ageHours(snapshotTime(newest)!, args.clock.now());
  }
  result.errors.push(...record.errors.map((e) => ({ ...e, region })));
  if (record.failed) result.failed = true;
  return copies;
}
