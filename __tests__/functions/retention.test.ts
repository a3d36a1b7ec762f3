// Retention rules, property-based (fast-check): for any snapshots and rules the plan keeps exactly what the tiers,
// the age and the newest keepLatest claim; nothing else is touched; and over any sequence of runs the standing count
// stays within the bound the config's quota check uses. The reference model below computes periods from ISO date
// strings, independently of the period numbers of functions/lib/retention.ts.
import type { Snapshot } from "@aws-sdk/client-redshift";
import fc from "fast-check";
import { RETENTION_TIERS, retainedSnapshotsBound, type RetentionTier, type RetentionTiers } from "../../contract";
import { periodOf, planRetention, type RetentionRules } from "../../functions/lib/retention";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const NOW = Date.UTC(2026, 10, 28, 5, 17); // a Saturday

/** The period a time falls in, as an ISO-string key: the reference for the tiers. */
function periodKey(tier: RetentionTier, t: number): string {
  const iso = new Date(t).toISOString();
  if (tier === "hourly") return iso.slice(0, 13);
  if (tier === "daily") return iso.slice(0, 10);
  if (tier === "monthly") return iso.slice(0, 7);
  const d = new Date(t);
  const sinceMonday = (d.getUTCDay() + 6) % 7;
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() - sinceMonday)).toISOString().slice(0, 10);
}

/** The keys of the last `n` periods of `tier` up to `now`, stepping back one period at a time. */
function lastPeriods(tier: RetentionTier, now: number, n: number): Set<string> {
  const keys = new Set<string>();
  const d = new Date(now);
  for (let i = 0; i < n; i++) {
    if (tier === "hourly") keys.add(periodKey(tier, now - i * HOUR));
    else if (tier === "daily") keys.add(periodKey(tier, now - i * DAY));
    else if (tier === "weekly") keys.add(periodKey(tier, now - i * 7 * DAY));
    else keys.add(new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - i, 1)).toISOString().slice(0, 7));
  }
  return keys;
}

/** What the rules claim, computed plainly: the ids to keep among the available snapshots. */
function referenceKept(snapshots: readonly Snapshot[], now: number, rules: RetentionRules): Set<string> {
  const available = snapshots
    .filter((s) => s.Status === "available")
    .sort((a, b) => b.SnapshotCreateTime!.getTime() - a.SnapshotCreateTime!.getTime());
  const kept = new Set(available.slice(0, rules.keepLatest).map((s) => s.SnapshotIdentifier!));
  for (const s of available) if (now - s.SnapshotCreateTime!.getTime() <= rules.retentionDays * DAY) kept.add(s.SnapshotIdentifier!);
  for (const tier of RETENTION_TIERS) {
    const n = rules.retentionTiers?.[tier];
    if (n === undefined) continue;
    for (const key of lastPeriods(tier, now, n)) {
      const newest = available.find((s) => periodKey(tier, s.SnapshotCreateTime!.getTime()) === key);
      if (newest) kept.add(newest.SnapshotIdentifier!);
    }
  }
  return kept;
}

const tiersArb: fc.Arbitrary<RetentionTiers> = fc.record(
  { hourly: fc.integer({ min: 1, max: 48 }), daily: fc.integer({ min: 1, max: 40 }), weekly: fc.integer({ min: 1, max: 8 }), monthly: fc.integer({ min: 1, max: 14 }) },
  { requiredKeys: [] },
);

const rulesArb: fc.Arbitrary<RetentionRules> = fc
  .record({ retentionDays: fc.integer({ min: 0, max: 10 }), keepLatest: fc.integer({ min: 1, max: 5 }), retentionTiers: fc.option(tiersArb, { nil: undefined }) })
  .map((r) => (r.retentionDays === 0 && !r.retentionTiers ? { ...r, retentionTiers: { daily: 3 } } : r));

const snapshotsArb: fc.Arbitrary<Snapshot[]> = fc
  .array(
    fc.record({
      ageMinutes: fc.integer({ min: 0, max: 500 * 24 * 60 }),
      status: fc.constantFrom("available", "available", "available", "creating", "failed"),
    }),
    { maxLength: 120 },
  )
  .map((xs) =>
    xs.map((x, i) => ({ SnapshotIdentifier: `rsdr-c-${i}`, Status: x.status, SnapshotCreateTime: new Date(NOW - x.ageMinutes * 60_000) })),
  );

describe("periods", () => {
  it("hours, days, ISO weeks and months of the retention module agree with ISO dates", () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2040, 0, 1) }), fc.integer({ min: 1, max: 400 * DAY }), (a, delta) => {
        const b = a + delta;
        for (const tier of RETENTION_TIERS) {
          expect(periodOf(tier, a) === periodOf(tier, b)).toBe(periodKey(tier, a) === periodKey(tier, b));
          expect(periodOf(tier, a)).toBeLessThanOrEqual(periodOf(tier, b));
        }
      }),
    );
  });

  it("consecutive periods have consecutive numbers (a tier of N spans exactly N periods)", () => {
    // 2024-02-29 (leap day), a year end, a Sunday-to-Monday week boundary.
    expect(periodOf("monthly", Date.UTC(2025, 0, 1)) - periodOf("monthly", Date.UTC(2024, 11, 31, 23, 59))).toBe(1);
    expect(periodOf("daily", Date.UTC(2024, 2, 1)) - periodOf("daily", Date.UTC(2024, 1, 29))).toBe(1);
    expect(periodOf("weekly", Date.UTC(2026, 10, 30)) - periodOf("weekly", Date.UTC(2026, 10, 29, 23))).toBe(1); // Sun 29 -> Mon 30 Nov
    expect(periodOf("weekly", Date.UTC(2026, 10, 29)) - periodOf("weekly", Date.UTC(2026, 10, 23))).toBe(0); // Mon 23 .. Sun 29
  });
});

describe("planRetention (property-based)", () => {
  it("keeps exactly what the tiers, the age and the newest keepLatest claim, and expires only other available snapshots", () => {
    fc.assert(
      fc.property(snapshotsArb, rulesArb, (snapshots, rules) => {
        const plan = planRetention(snapshots, new Date(NOW), rules);
        const expired = new Set(plan.expired.map((s) => s.SnapshotIdentifier!));
        const kept = referenceKept(snapshots, NOW, rules);
        const available = snapshots.filter((s) => s.Status === "available");
        // Every available snapshot is either kept or expired, never both; nothing else is expired.
        for (const s of available) expect(expired.has(s.SnapshotIdentifier!)).toBe(!kept.has(s.SnapshotIdentifier!));
        for (const s of plan.expired) expect(s.Status).toBe("available");
        expect(plan.expired.every((s) => snapshots.includes(s))).toBe(true);
        // The newest available snapshot is never expired.
        const newest = [...available].sort((a, b) => b.SnapshotCreateTime!.getTime() - a.SnapshotCreateTime!.getTime())[0];
        if (newest) expect(expired.has(newest.SnapshotIdentifier!)).toBe(false);
        // Oldest first, for the deletes.
        const times = plan.expired.map((s) => s.SnapshotCreateTime!.getTime());
        expect(times).toEqual([...times].sort((a, b) => a - b));
        // Each tier claims at most its number of periods, and no more than the bound allows in all.
        for (const tier of RETENTION_TIERS) {
          if (rules.retentionTiers?.[tier] !== undefined) expect(plan.keptByTier[tier]!.length).toBeLessThanOrEqual(rules.retentionTiers[tier]);
        }
        expect(available.length - expired.size).toBeLessThanOrEqual(retainedSnapshotsBound(rules, 1));
      }),
      { numRuns: 300 },
    );
  });

  it("without tiers it is the age rule beyond the newest keepLatest, as before tiers existed", () => {
    fc.assert(
      fc.property(snapshotsArb, fc.integer({ min: 1, max: 30 }), fc.integer({ min: 1, max: 5 }), (snapshots, retentionDays, keepLatest) => {
        const plan = planRetention(snapshots, new Date(NOW), { retentionDays, keepLatest });
        const newest = snapshots
          .filter((s) => s.Status === "available")
          .sort((a, b) => b.SnapshotCreateTime!.getTime() - a.SnapshotCreateTime!.getTime());
        const expected = newest.slice(keepLatest).filter((s) => s.SnapshotCreateTime!.getTime() < NOW - retentionDays * DAY);
        expect(new Set(plan.expired)).toEqual(new Set(expected));
      }),
      { numRuns: 200 },
    );
  });
});

describe("retention over a sequence of runs (property-based)", () => {
  // One cluster, runs every `gap` minutes, some runs missed (an outage): each run lists what stands, plans
  // retention, deletes what expired, then creates the window's snapshot, which is available by the next run or, if
  // slow, the one after. The count may never exceed the bound + 2 (the new one and last run's, still creating).
  const gapArb = fc.constantFrom(15, 30, 60, 120, 240, 720, 1440);
  it("the standing count stays within the bound, and every claimed period keeps its newest snapshot", () => {
    fc.assert(
      fc.property(rulesArb, gapArb, fc.array(fc.boolean(), { minLength: 32, maxLength: 32 }), (rules, gap, pattern) => {
        const runs = 600;
        const start = NOW - runs * gap * 60_000;
        const stand = new Map<string, Snapshot>();
        const created: Snapshot[] = [];
        const bound = retainedSnapshotsBound(rules, gap) + 2;
        const keyCache = new Map<string, string>();
        const keyOf = (tier: RetentionTier, s: Snapshot) => {
          const k = `${tier}/${s.SnapshotIdentifier}`;
          if (!keyCache.has(k)) keyCache.set(k, periodKey(tier, s.SnapshotCreateTime!.getTime()));
          return keyCache.get(k)!;
        };
        let peak = 0;
        for (let r = 0; r < runs; r++) {
          const now = start + r * gap * 60_000;
          if (!pattern[r % 32] && r % 5 === 2) continue; // a missed run
          for (const s of created.slice(-2, pattern[(r + 1) % 32] ? undefined : -1)) s.Status = "available";
          const plan = planRetention([...stand.values()], new Date(now), rules);
          for (const s of plan.expired) stand.delete(s.SnapshotIdentifier!);
          if (r % 60 === 59) {
            // What stands is exactly what the rules claim, and in every period a tier covers, the newest snapshot
            // that became available (a deleted one keeps its status in `created`) still stands.
            const kept = referenceKept([...stand.values()], now, rules);
            for (const s of stand.values()) if (s.Status === "available") expect(kept.has(s.SnapshotIdentifier!)).toBe(true);
            for (const tier of RETENTION_TIERS) {
              if (rules.retentionTiers?.[tier] === undefined) continue;
              const keys = lastPeriods(tier, now, rules.retentionTiers[tier]);
              const newestByKey = new Map<string, Snapshot>();
              for (const s of created) {
                const key = keyOf(tier, s);
                if (s.Status === "available" && keys.has(key)) newestByKey.set(key, s);
              }
              for (const s of newestByKey.values()) expect(stand.has(s.SnapshotIdentifier!)).toBe(true);
            }
          }
          const snapshot: Snapshot = { SnapshotIdentifier: `rsdr-c-${r}`, Status: "creating", SnapshotCreateTime: new Date(now) };
          stand.set(snapshot.SnapshotIdentifier!, snapshot);
          created.push(snapshot);
          peak = Math.max(peak, stand.size);
        }
        expect(peak).toBeLessThanOrEqual(bound);
      }),
      { numRuns: 30 },
    );
  });

  it("a steady hourly schedule comes within the tiers' overlaps of the bound (the bound is not loose)", () => {
    const rules = { retentionDays: 0, keepLatest: 3, retentionTiers: { hourly: 24, daily: 35, monthly: 12 } };
    const stand = new Map<string, Snapshot>();
    let peak = 0;
    for (let r = 0; r < 400 * 24; r++) {
      const now = NOW - 400 * DAY + r * HOUR;
      for (const s of stand.values()) s.Status = "available";
      for (const s of planRetention([...stand.values()], new Date(now), rules).expired) stand.delete(s.SnapshotIdentifier!);
      stand.set(`s${r}`, { SnapshotIdentifier: `s${r}`, Status: "creating", SnapshotCreateTime: new Date(now) });
      peak = Math.max(peak, stand.size);
    }
    const bound = retainedSnapshotsBound(rules, 60);
    expect(bound).toBe(3 + 24 + 35 + 12);
    // The bound counts the newest keepLatest and each tier apart; they overlap in at least the newest snapshot of
    // the current hour, day and month. The peak is within those overlaps of the bound, and the bound + 2 holds.
    expect(peak).toBeLessThanOrEqual(bound + 2);
    expect(peak).toBeGreaterThanOrEqual(bound - rules.keepLatest - 3);
    // The figure docs/native-automation.md quotes: 67 kept + the one being created, at the worst hour of the run.
    expect(peak).toBe(68);
  });
});
