/**
 * Retention policy, as a pure function of our snapshots and the time: which snapshots may go.
 *
 * An available snapshot of ours is kept while any of these claims it:
 *  - the newest `keepLatest` available snapshots (whatever their age, so a cluster whose snapshots stopped for a
 *    while still keeps its last good copies);
 *  - its age: it is not older than `retentionDays` (0 with tiers: nothing is kept by age alone);
 *  - a tier (docs/native-automation.md, "Tiered retention"): a tier of N keeps the newest available snapshot of
 *    each of its last N periods, the current one included (UTC hours, days, ISO weeks, calendar months).
 * Everything else of ours that is `available` expires. A snapshot in any other state (creating, say) never does,
 * and the caller passes only ours, so nothing else can.
 */
import type { Snapshot } from "@aws-sdk/client-redshift";
import { RETENTION_TIERS, type RetentionTier, type RetentionTiers } from "../../contract";
import { snapshotTime } from "./ownership";

export interface RetentionRules {
  readonly retentionDays: number;
  readonly keepLatest: number;
  /** @default none: retention by age and keepLatest only */
  readonly retentionTiers?: RetentionTiers;
}

export interface RetentionPlan {
  /** Snapshots to revoke and delete, oldest first. */
  readonly expired: Snapshot[];
  /** Ids of the newest keepLatest available snapshots, kept regardless of age. */
  readonly keptAsNewest: string[];
  /** Ids each configured tier claims, newest first (a snapshot may be claimed by several tiers). */
  readonly keptByTier: Partial<Record<RetentionTier, string[]>>;
}

const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;

/**
 * The number of the UTC period `t` falls in, counted from the epoch, so that consecutive periods have consecutive
 * numbers. Weeks start on Monday (1970-01-01 was a Thursday, so day 0 is the fourth day of week 0).
 */
export function periodOf(tier: RetentionTier, t: number): number {
  switch (tier) {
    case "hourly":
      return Math.floor(t / HOUR_MS);
    case "daily":
      return Math.floor(t / DAY_MS);
    case "weekly":
      return Math.floor((Math.floor(t / DAY_MS) + 3) / 7);
    case "monthly": {
      const d = new Date(t);
      return d.getUTCFullYear() * 12 + d.getUTCMonth();
    }
  }
}

export function planRetention(ours: readonly Snapshot[], now: Date, rules: RetentionRules): RetentionPlan {
  const available = newestFirstWithTime(ours.filter((s) => s.Status === "available"));
  const kept = new Set<Snapshot>();

  const newest = available.slice(0, rules.keepLatest);
  for (const { s } of newest) kept.add(s);

  const cutoff = now.getTime() - rules.retentionDays * DAY_MS;
  for (const { s, t } of available) if (t >= cutoff) kept.add(s);

  const keptByTier: Partial<Record<RetentionTier, string[]>> = {};
  for (const tier of RETENTION_TIERS) {
    const periods = rules.retentionTiers?.[tier];
    if (periods === undefined) continue;
    const first = periodOf(tier, now.getTime()) - periods + 1;
    const claimed = new Set<number>();
    const ids: string[] = [];
    // Newest first: the first snapshot seen in a period is that period's newest.
    for (const { s, t } of available) {
      const p = periodOf(tier, t);
      if (p < first || claimed.has(p)) continue;
      claimed.add(p);
      kept.add(s);
      ids.push(s.SnapshotIdentifier ?? "");
    }
    keptByTier[tier] = ids;
  }

  return {
    expired: available
      .filter(({ s }) => !kept.has(s))
      .map(({ s }) => s)
      .reverse(),
    keptAsNewest: newest.map(({ s }) => s.SnapshotIdentifier ?? ""),
    keptByTier,
  };
}

/** The snapshots that have a time, newest first (each time read once: these lists run to thousands). */
export function newestFirst(snapshots: readonly Snapshot[]): Snapshot[] {
  return newestFirstWithTime(snapshots).map((x) => x.s);
}

function newestFirstWithTime(snapshots: readonly Snapshot[]): { s: Snapshot; t: number }[] {
  return snapshots
    .map((s) => ({ s, t: snapshotTime(s)?.getTime() }))
    .filter((x): x is { s: Snapshot; t: number } => x.t !== undefined)
    .sort((a, b) => b.t - a.t);
}
