/**
 * A model of one cluster's snapshots under the snapshot manager, for the reconcile benchmark: which of our
 * snapshots stand and which are shared, run after run, and the least work each run needs. It is written from the
 * rules in docs/native-automation.md ("What a run does", "Tiered retention"), not from functions/lib/retention.ts or
 * sharing.ts, so that the benchmark can catch a disagreement instead of repeating it.
 *
 * A snapshot is a time (its SnapshotCreateTime, in ms). The model assumes what the benchmark sets up: one DR
 * account, every listed snapshot available, and a new snapshot available at the first look (so a run that waits
 * shares it in the same run).
 */

export type ModelTier = "hourly" | "daily" | "weekly" | "monthly";

export interface ModelRules {
  readonly windowMinutes: number;
  /** Snapshots younger than this many days are kept (0: nothing by age). */
  readonly retentionDays: number;
  readonly keepLatest: number;
  readonly shareLatest: number;
  readonly tiers: Readonly<Partial<Record<ModelTier, number>>>;
}

/** One cluster: the times of our snapshots (ascending) and the ones shared with the DR account. */
export interface ClusterModel {
  readonly times: readonly number[];
  readonly shared: ReadonlySet<number>;
}

/** The least work a run needs for one cluster, by request. */
export interface RunWork {
  /** DescribeClusterSnapshots pages of the listing: ceil(ours / pageSize), at least one. */
  list: number;
  /** DescribeClusterSnapshots of the wait for the new snapshot (one: the model's new snapshot is available at once). */
  wait: number;
  create: number;
  authorize: number;
  revoke: number;
  delete: number;
}

export const WORK_KINDS = ["list", "wait", "create", "authorize", "revoke", "delete"] as const satisfies ReadonlyArray<keyof RunWork>;

export const noWork = (): RunWork => ({ list: 0, wait: 0, create: 0, authorize: 0, revoke: 0, delete: 0 });

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** The UTC period `t` falls in, numbered so that consecutive periods have consecutive numbers. */
function periodNumber(tier: ModelTier, t: number): number {
  switch (tier) {
    case "hourly":
      return Math.floor(t / HOUR);
    case "daily":
      return Math.floor(t / DAY);
    case "weekly": {
      // Weeks from Monday: the Monday on or before t, counted in days from the epoch, divided by 7.
      const day = Math.floor(t / DAY);
      const mondayBased = (new Date(t).getUTCDay() + 6) % 7; // 0 = Monday
      return Math.floor((day - mondayBased) / 7);
    }
    case "monthly": {
      const d = new Date(t);
      return d.getUTCFullYear() * 12 + d.getUTCMonth();
    }
  }
}

/**
 * The snapshots something claims at `now`: the newest keepLatest, those younger than retentionDays, and for each
 * tier of N the newest snapshot in each of the N periods up to and including now's.
 */
export function claimedAt(times: readonly number[], now: number, rules: ModelRules): Set<number> {
  const sorted = [...times].sort((a, b) => a - b);
  const claimed = new Set<number>(sorted.slice(Math.max(0, sorted.length - rules.keepLatest)));
  if (rules.retentionDays > 0) for (const t of sorted) if (t >= now - rules.retentionDays * DAY) claimed.add(t);
  for (const tier of Object.keys(rules.tiers) as ModelTier[]) {
    const n = rules.tiers[tier]!;
    const current = periodNumber(tier, now);
    const newestOfPeriod = new Map<number, number>();
    for (const t of sorted) {
      const p = periodNumber(tier, t);
      if (p > current - n && p <= current) newestOfPeriod.set(p, t); // ascending: the last one wins
    }
    for (const t of newestOfPeriod.values()) claimed.add(t);
  }
  return claimed;
}

/**
 * One run at `now` for one cluster: list, create the window's snapshot (if `createSnapshots` and the window has
 * none), retention (delete what nothing claims, after revoking it), share the newest `shareLatest` that stay (with
 * `waitForNew`, the new snapshot among them) and unshare the rest. Returns the least work and the state after.
 * The least work of sharing is the difference between the shares before and after; any share the run makes and
 * takes back within the run is extra.
 */
export function modelRun(
  state: ClusterModel,
  now: number,
  rules: ModelRules,
  opts: { createSnapshots: boolean; waitForNew: boolean; pageSize: number },
): { work: RunWork; next: ClusterModel } {
  const listed = state.times;
  const claimed = claimedAt(listed, now, rules);
  const kept = listed.filter((t) => claimed.has(t));
  const windowMs = rules.windowMinutes * 60_000;
  const hasWindow = listed.some((t) => Math.floor(t / windowMs) === Math.floor(now / windowMs));
  const create = opts.createSnapshots && !hasWindow;
  const times = create ? [...kept, now] : kept;
  const shareable = create && opts.waitForNew ? times : kept;
  const shared = new Set(shareable.slice(Math.max(0, shareable.length - rules.shareLatest)));
  const work: RunWork = {
    list: Math.max(1, Math.ceil(listed.length / opts.pageSize)),
    wait: create && opts.waitForNew ? 1 : 0,
    create: create ? 1 : 0,
    authorize: [...shared].filter((t) => !state.shared.has(t)).length,
    revoke: [...state.shared].filter((t) => !shared.has(t)).length,
    delete: listed.length - kept.length,
  };
  return { work, next: { times, shared } };
}

/** The state `runs` scheduled runs leave, the first at `firstRun`, one window apart, each waiting for its snapshot. */
export function simulateHistory(firstRun: number, runs: number, rules: ModelRules, pageSize: number): ClusterModel {
  let state: ClusterModel = { times: [], shared: new Set() };
  for (let k = 0; k < runs; k++) {
    state = modelRun(state, firstRun + k * rules.windowMinutes * 60_000, rules, { createSnapshots: true, waitForNew: true, pageSize }).next;
  }
  return state;
}

/** Which tiers (and keepLatest) claim each snapshot at `now`: counts per rule, for the estate line. */
export function claimsByRule(times: readonly number[], now: number, rules: ModelRules): Record<string, number> {
  const counts: Record<string, number> = {};
  const sorted = [...times].sort((a, b) => a - b);
  counts.keepLatest = Math.min(rules.keepLatest, sorted.length);
  for (const tier of Object.keys(rules.tiers) as ModelTier[]) {
    counts[tier] = claimedAt(times, now, { ...rules, keepLatest: 0, retentionDays: 0, tiers: { [tier]: rules.tiers[tier] } }).size;
  }
  return counts;
}
