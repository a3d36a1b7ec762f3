/**
 * Retention policy, as a pure function of our snapshots and the time: which snapshots may go.
 *
 * A snapshot expires only if ALL hold: it is ours (the caller passes only ours), it is `available`
 * (never one still creating or in another state), it is older than retentionDays, and it is not one
 * of the newest `keepLatest` available snapshots (those are kept regardless of age, so a cluster
 * whose snapshots stopped for a while still keeps its last good copies).
 */
import type { Snapshot } from "@aws-sdk/client-redshift";
import { snapshotTime } from "./ownership";

export interface RetentionRules {
  readonly retentionDays: number;
  readonly keepLatest: number;
}

export interface RetentionPlan {
  /** Snapshots to revoke and delete, oldest first. */
  readonly expired: Snapshot[];
  /** Ids of the newest keepLatest available snapshots, kept regardless of age. */
  readonly keptAsNewest: string[];
}

const DAY_MS = 24 * 60 * 60 * 1000;

export function planRetention(ours: readonly Snapshot[], now: Date, rules: RetentionRules): RetentionPlan {
  const available = newestFirst(ours.filter((s) => s.Status === "available"));
  const newest = available.slice(0, rules.keepLatest);
  const cutoff = now.getTime() - rules.retentionDays * DAY_MS;
  const expired = available
    .slice(rules.keepLatest)
    .filter((s) => snapshotTime(s)!.getTime() < cutoff)
    .reverse();
  return { expired, keptAsNewest: newest.map((s) => s.SnapshotIdentifier ?? "") };
}

/** The snapshots that have a time, newest first (each time read once: these lists run to thousands). */
export function newestFirst(snapshots: readonly Snapshot[]): Snapshot[] {
  return snapshots
    .map((s) => ({ s, t: snapshotTime(s)?.getTime() }))
    .filter((x): x is { s: Snapshot; t: number } => x.t !== undefined)
    .sort((a, b) => b.t - a.t)
    .map((x) => x.s);
}
