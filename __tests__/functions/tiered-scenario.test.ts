/**
 * Scenario: an hourly schedule with tiered retention, 20 clusters in one source account, for months, against
 * fake-redshift.ts (a stateful in-memory MOCK of Redshift, not the real service). The fake enforces the manual
 * snapshot quota (set here to exactly the config's worst case, without the headroom), 100 authorizations per KMS
 * key (all 20 clusters share one) and 20 accounts per snapshot, and hides the owner's tags from the DR account.
 * Checked at every step: DR's newest shared snapshot of every cluster is under 1 hour 5 minutes plus the snapshot's
 * creation time old; nothing but ours is deleted, nothing while shared; the quota is never hit. The clients skip the
 * SDK's middleware (FakeRedshift.directClient): nothing here is throttled, and thousands of runs would spend most of
 * their time in it.
 */
import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import { mockClient } from "aws-sdk-client-mock";
import { retainedSnapshotsBound, snapshotsInFlight } from "../../contract";
import { listSharedSnapshots, newestByCluster } from "../../functions/lib/listing";
import { isOurs } from "../../functions/lib/ownership";
import { reconcile } from "../../functions/lib/reconcile";
import { memoryLogger } from "../../functions/lib/runtime";
import { FakeRedshift } from "../../testing/fake-redshift";
import { ManualClock } from "../../testing/manual-clock";
import { DR1, HOUR, MANAGED_BY, settings, SOURCE } from "./helpers";

jest.setTimeout(600_000); // thousands of runs on a loaded machine; not timed (figures come from bench/)

const MIN = 60_000;
const snsMock = mockClient(SNSClient);
beforeEach(() => {
  snsMock.reset();
  snsMock.on(PublishCommand).resolves({});
});

const DAYS = Number(process.env.TIERED_SCENARIO_DAYS ?? 62);
const CLUSTERS = Array.from({ length: 20 }, (_, i) => `dw-${String(i).padStart(2, "0")}`);
// The daily tier is 14 days here (35 in the example) so that two months show the monthly tier keeping a snapshot the
// daily one let go.
const TIERS = { hourly: 24, daily: 14, monthly: 12 };
const CREATION = 20 * MIN; // Redshift makes the snapshot available 20 minutes after it starts
const EVENT_DELAY = 4 * MIN; // the snapshot event reaches the manager (SNS -> Lambda) within 5 minutes

/** The snapshot times the tiers and keepLatest 3 keep of hourly snapshots from `first` to `last`. */
function expectedKept(first: number, last: number): string[] {
  const times: string[] = [];
  for (let t = first; t <= last; t += HOUR) times.push(new Date(t).toISOString());
  const kept = new Set(times.slice(-3));
  for (const [chars, n] of [[13, TIERS.hourly], [10, TIERS.daily], [7, TIERS.monthly]] as const) {
    const newestOf = new Map<string, string>();
    for (const t of times) newestOf.set(t.slice(0, chars), t); // ascending: the last one written is the newest
    for (const t of [...newestOf.values()].slice(-n)) kept.add(t);
  }
  return [...kept].sort();
}

describe(`hourly, tiered, 20 clusters in one account, ${DAYS} days, against the in-memory MOCK of Redshift`, () => {
  it("keeps DR within 1 h 5 min + the snapshot's creation, within the quota and the key's 100 authorizations, deleting only ours", async () => {
    const clock = new ManualClock("2026-01-01T00:00:00Z");
    const perCluster = retainedSnapshotsBound({ retentionDays: 0, keepLatest: 3, retentionTiers: TIERS }, 60) + snapshotsInFlight(60);
    expect(perCluster).toBe(3 + 24 + 14 + 12 + 1);
    // The quota the config asks for, less nothing: the manager alone must stay under it. Plus the two seeded below.
    const fake = new FakeRedshift({ clock, ownerAccountId: SOURCE, creationDelayMs: CREATION, manualSnapshotQuota: CLUSTERS.length * perCluster + 2 });
    fake.keepLog = false;
    fake.addCluster(...CLUSTERS);
    const old = new Date("2025-06-01T00:00:00Z");
    fake.seed({ id: "hand-made", cluster: "dw-00", createdAt: old, accounts: [DR1] });
    fake.seed({ id: "rsdr-dw-01-20250601t0000z", cluster: "dw-01", createdAt: old, tags: [{ Key: "managed-by", Value: "another-tool" }] });
    const foreign = new Set(fake.snapshots.keys());

    const s = settings({ clusterIdentifiers: CLUSTERS, drAccountIds: [DR1], windowMinutes: 60, retentionDays: 0, retentionTiers: TIERS, keepLatest: 3, shareLatest: 2, concurrency: 4 });
    const deps = { redshift: fake.directClient(), sns: new SNSClient({ region: "eu-west-1" }), clock, log: memoryLogger(), remainingTimeMs: () => 0 };
    const dr = fake.directClient({ accountId: DR1 });
    const bound = HOUR + 5 * MIN + CREATION;

    let maxAgeMs = 0;
    let runs = 0;
    const start = clock.now().getTime();
    for (let hour = 0; hour < DAYS * 24; hour++) {
      const t = start + hour * HOUR;
      // The schedule: create + share + retention (no wait: the event shares the new one).
      clock.set(new Date(t));
      const scheduled = await reconcile(deps, s);
      expect(scheduled.failedClusters).toEqual([]);
      // Just before the snapshot event: DR's newest is the previous hour's, at its oldest.
      clock.set(new Date(t + CREATION + EVENT_DELAY));
      const shared = newestByCluster(await listSharedSnapshots({ redshift: dr }, SOURCE, { snapshotPrefix: "rsdr", clusters: CLUSTERS, managedBy: MANAGED_BY }));
      if (hour > 0) {
        expect(shared.size).toBe(CLUSTERS.length);
        for (const snapshot of shared.values()) {
          const age = clock.now().getTime() - snapshot.createdAt.getTime();
          maxAgeMs = Math.max(maxAgeMs, age);
          if (age > bound) expect(`${snapshot.clusterIdentifier} ${age / MIN} min old`).toBe(`under ${bound / MIN} min`);
        }
      }
      const evented = await reconcile(deps, { ...s, createSnapshots: false });
      expect(evented.failedClusters).toEqual([]);
      runs += 2;
      // Only ours deleted, never while shared; the foreign snapshots stay.
      if (hour % 24 === 23) {
        expect(fake.deletions.filter((d) => d.accountsAtDeletion.length > 0)).toEqual([]);
        expect([...foreign].filter((id) => !fake.snapshots.has(id))).toEqual([]);
        expect(fake.deletions.filter((d) => !isOurs({ SnapshotIdentifier: d.id, SnapshotType: d.type, Tags: d.tags }, { managedBy: MANAGED_BY, clusterIdentifier: d.cluster, snapshotPrefix: "rsdr" }))).toEqual([]);
      }
    }

    expect(runs).toBe(DAYS * 48);
    // The check had teeth: DR's newest reached the previous hour's snapshot at its oldest.
    expect(maxAgeMs).toBe(HOUR + CREATION + EVENT_DELAY);
    // What stands per cluster is exactly what the tiers claim (worked out here from the hours of the run, by ISO date
    // strings), at most the bound; at most shareLatest of them shared.
    const expected = expectedKept(start, start + (DAYS * 24 - 1) * HOUR);
    for (const cluster of CLUSTERS) {
      const ours = [...fake.snapshots.values()].filter(
        (x) => x.type === "manual" && isOurs({ SnapshotIdentifier: x.id, SnapshotType: x.type, Tags: x.tags }, { managedBy: MANAGED_BY, clusterIdentifier: cluster, snapshotPrefix: "rsdr" }),
      );
      expect(ours.map((x) => x.createdAt.toISOString()).sort()).toEqual(expected);
      expect(ours.length).toBeLessThanOrEqual(perCluster);
      expect(ours.filter((x) => x.accounts.length > 0).length).toBeLessThanOrEqual(2);
    }
    expect(fake.deletions.length).toBeGreaterThan(CLUSTERS.length * (DAYS * 24 - perCluster));
    expect(Math.max(...fake.peakAuthorizationsPerKey.values())).toBeLessThanOrEqual(CLUSTERS.length * 3);
  });
});
