/**
 * Scenario tests: the reconciler driven through many schedule windows against fake-redshift.ts, a
 * stateful in-memory MOCK of Redshift (not the real service, and not moto: moto has no snapshot
 * sharing). Invariants are checked at every simulated step.
 */
import "aws-sdk-client-mock-jest";
import type { RedshiftClient } from "@aws-sdk/client-redshift";
import { mockClient } from "aws-sdk-client-mock";
import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import { reconcile } from "../../functions/lib/reconcile";
import { listSharedSnapshots, newestByCluster } from "../../functions/lib/listing";
import { isOurs } from "../../functions/lib/ownership";
import type { ReconcileReport } from "../../functions/lib/report";
import { memoryLogger } from "../../functions/lib/runtime";
import type { SnapshotManagerSettings } from "../../functions/lib/settings";
import { monitorSharedSnapshots } from "../../functions/lib/dr-monitor";
import { throttlingError } from "../../testing/aws-errors";
import { DEFAULT_FAKE_KEY, FakeRedshift } from "../../testing/fake-redshift";
import { ManualClock } from "../../testing/manual-clock";
import { DAY, DR1, DR2, HOUR, MANAGED_BY, settings, SOURCE } from "./helpers";

// Scenarios drive the reconciler through thousands of windows: a generous limit, so that a loaded machine
// does not fail them (they are not timed; figures come from bench/).
jest.setTimeout(180_000);

const snsMock = mockClient(SNSClient);
const MIN = 60_000;

beforeEach(() => {
  snsMock.reset();
  snsMock.on(PublishCommand).resolves({});
});

interface World {
  clock: ManualClock;
  fake: FakeRedshift;
  unmanagedIds: Set<string>;
  source: RedshiftClient;
  dr: Map<string, RedshiftClient>;
  sns: SNSClient;
}

/** Manual snapshots seeded by {@link world} that are not ours (they count against the manual-snapshot quota). */
const UNMANAGED_MANUAL = 122;

function world(opts: { creationDelayMs: number; quota?: number }): World {
  const clock = new ManualClock("2026-11-01T00:00:00Z");
  const fake = new FakeRedshift({ clock, ownerAccountId: SOURCE, creationDelayMs: opts.creationDelayMs, manualSnapshotQuota: opts.quota ?? 500 });
  fake.keepLog = false;
  fake.addCluster("sales-prod", "hr-prod");
  const old = new Date("2026-09-01T00:00:00Z");
  // Snapshots that are NOT ours, all old enough to be "expired" and some shared with the DR account.
  fake.seed({ id: "hand-made-before-upgrade", cluster: "sales-prod", createdAt: old, accounts: [DR1] });
  fake.seed({ id: "other-tool-1", cluster: "sales-prod", createdAt: old, tags: [{ Key: "managed-by", Value: "other-tool" }] });
  fake.seed({ id: "rs:sales-prod-2026-09-01-00-00", cluster: "sales-prod", type: "automated", createdAt: old, tags: [{ Key: "managed-by", Value: MANAGED_BY }, { Key: "rsdr:cluster", Value: "sales-prod" }] });
  // 120 snapshots with our managed-by tag but another rsdr:cluster (e.g. from before a rename): they pass the
  // server-side tag filter, so every listing of sales-prod spans two pages, yet they are not ours.
  for (let i = 0; i < 120; i++) {
    fake.seed({
      id: `legacy-${String(i).padStart(3, "0")}`,
      cluster: "sales-prod",
      createdAt: new Date(old.getTime() + i * HOUR),
      tags: [{ Key: "managed-by", Value: MANAGED_BY }, { Key: "rsdr:cluster", Value: "sales-legacy" }],
    });
  }
  expect([...fake.snapshots.values()].filter((x) => x.type === "manual")).toHaveLength(UNMANAGED_MANUAL);
  return {
    clock,
    fake,
    unmanagedIds: new Set(fake.snapshots.keys()),
    source: fake.client(),
    dr: new Map([DR1, DR2].map((a) => [a, fake.client({ accountId: a })])),
    sns: new SNSClient({ region: "eu-west-1" }),
  };
}

function runOnce(w: World, s: SnapshotManagerSettings, remainingMs: number): Promise<ReconcileReport> {
  return reconcile(
    {
      redshift: w.source,
      sns: w.sns,
      clock: w.clock,
      log: memoryLogger(),
      remainingTimeMs: () => remainingMs,
    },
    s,
  );
}

/** What the DR monitor computes, from the DR account's view (the fake hides the owner's tags from it). */
async function drNewestAgeHours(w: World, account: string, clusters: readonly string[] = ["sales-prod", "hr-prod"]): Promise<Map<string, number>> {
  const shared = await listSharedSnapshots(
    { redshift: w.dr.get(account)! },
    SOURCE,
    { snapshotPrefix: "rsdr", clusters, managedBy: MANAGED_BY },
  );
  const now = w.clock.now();
  return new Map([...newestByCluster(shared)].map(([cluster, s]) => [cluster, (now.getTime() - s.createdAt.getTime()) / HOUR]));
}

/** Invariants that hold at every step of every scenario (one expect each: this runs thousands of times). */
function checkSafety(w: World, clusters: readonly string[]): void {
  // nothing unmanaged deleted: every deleted snapshot was ours, of the cluster it was taken from
  const notOurs = w.fake.deletions.filter((d) => !clusters.some((c) => d.cluster === c && isOurs({ SnapshotIdentifier: d.id, SnapshotType: d.type, Tags: d.tags }, { managedBy: MANAGED_BY, clusterIdentifier: c, snapshotPrefix: "rsdr" })));
  expect(notOurs).toEqual([]);
  // nothing deleted while shared
  expect(w.fake.deletions.filter((d) => d.accountsAtDeletion.length > 0)).toEqual([]);
  // every unmanaged snapshot is still there
  expect([...w.unmanagedIds].filter((id) => !w.fake.snapshots.has(id))).toEqual([]);
}

function oursOf(w: World, cluster: string) {
  return [...w.fake.snapshots.values()].filter((s) => s.type === "manual" && isOurs({ SnapshotIdentifier: s.id, SnapshotType: s.type, Tags: s.tags }, { managedBy: MANAGED_BY, clusterIdentifier: cluster, snapshotPrefix: "rsdr" }));
}

describe("scenario against the in-memory MOCK of Redshift (fake-redshift.ts, not the real service)", () => {
  const clusters = ["sales-prod", "hr-prod"];

  it("30 days of 12-hour windows, retention 7 days, keep 3; snapshot events share 20 min after completion", async () => {
    const CREATION = 40 * MIN;
    const EVENT_DELAY = 20 * MIN;
    const w = world({ creationDelayMs: CREATION });
    const s = settings({ clusterIdentifiers: clusters, drAccountIds: [DR1, DR2], windowMinutes: 720, retentionDays: 7, keepLatest: 3 });
    const bound = 12 + (CREATION + EVENT_DELAY) / HOUR;
    const end = w.clock.now().getTime() + 30 * DAY;
    let firstSharedSeen = false;
    let scheduleRuns = 0;
    let eventRuns = 0;
    let maxAge = 0;

    for (let t = w.clock.now().getTime(); t < end; t += 30 * MIN) {
      w.clock.set(new Date(t));
      const sinceWindow = t % (12 * HOUR);

      if (sinceWindow === 0) {
        // A throttled listing now and then must not matter.
        if (scheduleRuns % 5 === 1) w.fake.failNext("DescribeClusterSnapshots", throttlingError, 2);
        // 0 ms left: never wait in this scenario; sharing comes from the snapshot event.
        const report = await runOnce(w, s, 0);
        scheduleRuns++;
        expect(report.failedClusters).toEqual([]);
        for (const c of report.clusters) {
          expect(c.created.length + (c.alreadyExisted ? 1 : 0)).toBe(1);
          expect(c.wait).toBe("no-time");
        }
      }
      if (sinceWindow === CREATION + EVENT_DELAY) {
        const report = await runOnce(w, { ...s, createSnapshots: false }, 0);
        eventRuns++;
        expect(report.failedClusters).toEqual([]);
        expect(report.clusters.every((c) => c.created.length === 0)).toBe(true);
      }
      if (sinceWindow === 6 * HOUR && scheduleRuns === 20) {
        // A crash-and-retry, or two overlapping invocations, of the same window: converge on one snapshot.
        const [a, b] = await Promise.all([runOnce(w, s, 0), runOnce(w, s, 0)]);
        expect([...a.failedClusters, ...b.failedClusters]).toEqual([]);
      }

      checkSafety(w, clusters);
      for (const account of [DR1, DR2]) {
        const ages = await drNewestAgeHours(w, account);
        if (ages.size === clusters.length) firstSharedSeen = true;
        if (firstSharedSeen) {
          for (const cluster of clusters) {
            const age = ages.get(cluster);
            expect(age).toBeDefined();
            maxAge = Math.max(maxAge, age!);
            expect(age!).toBeLessThanOrEqual(bound);
          }
        }
      }
    }

    expect(scheduleRuns).toBe(60);
    expect(eventRuns).toBe(60);
    expect(firstSharedSeen).toBe(true);
    expect(maxAge).toBeGreaterThan(12); // the bound was approached, so the check had teeth
    for (const cluster of clusters) {
      const ours = oursOf(w, cluster);
      // one snapshot per window, retention 7 days: 14 or 15 kept, every older one gone
      expect(ours.length).toBeGreaterThanOrEqual(14);
      expect(ours.length).toBeLessThanOrEqual(15);
      const oldest = Math.min(...ours.map((x) => x.createdAt.getTime()));
      expect(w.clock.now().getTime() - oldest).toBeLessThanOrEqual(7 * DAY + 12 * HOUR);
      // ids are unique per window: no duplicate despite the overlapping runs
      expect(new Set(ours.map((x) => x.id)).size).toBe(ours.length);
    }
    // everything deleted was revoked first and was ours; 60 windows - 15 kept per cluster at most
    expect(w.fake.deletions.length).toBeGreaterThanOrEqual(2 * (60 - 15));
    // the legacy snapshots forced a second page for every sales-prod listing
    expect(w.fake.snapshots.size).toBeGreaterThan(120);
  });

  it("with fast snapshots the waiter shares within the same run (10 days, no event trigger)", async () => {
    const w = world({ creationDelayMs: 0 });
    const s = settings({ clusterIdentifiers: clusters, drAccountIds: [DR1], windowMinutes: 720, retentionDays: 3, keepLatest: 2 });
    const end = w.clock.now().getTime() + 10 * DAY;
    let runs = 0;
    for (let t = w.clock.now().getTime(); t < end; t += HOUR) {
      w.clock.set(new Date(t));
      if (t % (12 * HOUR) === 0) {
        const report = await runOnce(w, s, 120_000);
        runs++;
        expect(report.failedClusters).toEqual([]);
        for (const c of report.clusters) {
          expect(c.wait).toBe("available");
          expect(c.shared).toContainEqual({ snapshotId: c.windowSnapshotId, accountId: DR1 });
          expect(c.newestSharedSnapshotId).toBe(c.windowSnapshotId);
        }
      }
      checkSafety(w, clusters);
      const ages = await drNewestAgeHours(w, DR1);
      for (const cluster of clusters) expect(ages.get(cluster)!).toBeLessThan(12);
    }
    expect(runs).toBe(20);
  });

  it("a manual-snapshot quota error alerts with the quota's name, and the reconciler recovers once retention frees room", async () => {
    // room for 8 of ours: fewer than the 2 x 5 that 2 days of 12-hour windows plus the one being replaced need
    const w = world({ creationDelayMs: 10 * MIN, quota: UNMANAGED_MANUAL + 8 });
    const s = settings({ clusterIdentifiers: clusters, drAccountIds: [DR1], windowMinutes: 720, retentionDays: 2, keepLatest: 3 });
    const WINDOWS = 16;
    const createdIn: Array<Record<string, boolean>> = [];
    const quotaFailures: Array<[number, string]> = [];
    for (let i = 0; i < WINDOWS; i++) {
      w.clock.set(new Date(Date.parse("2026-11-01T00:00:00Z") + i * 12 * HOUR));
      await runOnce(w, { ...s, createSnapshots: false }, 0); // share what completed since the last window
      const report = await runOnce(w, s, 0);
      createdIn.push(Object.fromEntries(report.clusters.map((c) => [c.clusterIdentifier, c.created.length === 1])));
      for (const c of report.clusters) {
        for (const e of c.errors) {
          expect(e).toMatchObject({ step: "create", kind: "quota", code: "ClusterSnapshotQuotaExceeded" });
          quotaFailures.push([i, c.clusterIdentifier]);
        }
      }
      checkSafety(w, clusters);
    }
    // The quota is too small for this retention, so it is hit again and again (an operator has to act) ...
    expect(quotaFailures.length).toBeGreaterThan(0);
    // ... each time with one SNS message per run naming the quota ...
    const alerts = snsMock.commandCalls(PublishCommand).map((c) => c.args[0].input.Message ?? "");
    expect(alerts).toHaveLength(new Set(quotaFailures.map(([i]) => i)).size);
    expect(alerts.every((m) => /quota: manual snapshots per account and region/.test(m))).toBe(true);
    // ... and the window after a failure creates again: the same run's retention freed room.
    for (const [i, cluster] of quotaFailures) {
      if (i + 1 < WINDOWS) expect(createdIn[i + 1][cluster]).toBe(true);
    }
    // never more of ours than the quota leaves room for
    expect(oursOf(w, "sales-prod").length + oursOf(w, "hr-prod").length).toBeLessThanOrEqual(8);
  });

  describe("hourly snapshots of 11 clusters on ONE KMS key (100 share authorizations per key, enforced by the fake)", () => {
    // 11 clusters x (shareLatest 8 + 1) = 99: the worst case the config allows on one key, one under the limit.
    const many = Array.from({ length: 11 }, (_, i) => `wh-${String(i).padStart(2, "0")}`);

    function hourlyWorld() {
      const clock = new ManualClock("2026-11-01T00:00:00Z");
      // The quota is raised here: this scenario is about the per-key share limit, not the snapshot quota.
      const fake = new FakeRedshift({ clock, ownerAccountId: SOURCE, creationDelayMs: 10 * MIN, manualSnapshotQuota: 100_000 });
      fake.keepLog = false;
      fake.addCluster(...many);
      const w: World = {
        clock,
        fake,
        unmanagedIds: new Set(),
        source: fake.client(),
        dr: new Map([[DR1, fake.client({ accountId: DR1 })]]),
        sns: new SNSClient({ region: "eu-west-1" }),
          };
      return w;
    }

    it("two weeks with retention 7 days and shareLatest 8 stay within the key's 100, with every cluster fresh in DR", async () => {
      const w = hourlyWorld();
      const s = settings({ clusterIdentifiers: many, drAccountIds: [DR1], windowMinutes: 60, retentionDays: 7, keepLatest: 3, shareLatest: 8 });
      const end = w.clock.now().getTime() + 14 * DAY;
      let checks = 0;
      let worstAgeH = 0;
      const wrong: string[] = []; // collected, not asserted one by one: this loop checks 11 clusters a thousand times
      for (let t = w.clock.now().getTime(); t < end; t += 20 * MIN) {
        w.clock.set(new Date(t));
        const minute = (t / MIN) % 60;
        if (minute === 0) expect((await runOnce(w, s, 0)).failedClusters).toEqual([]); // schedule: create
        if (minute === 20) expect((await runOnce(w, { ...s, createSnapshots: false }, 0)).failedClusters).toEqual([]); // snapshot event
        if (t < Date.parse("2026-11-01T02:00:00Z")) continue; // the first snapshots are not shared yet
        // The DR monitor, from the DR account (which sees no owner tags), reports the true age of the newest shared snapshot.
        const report = await monitorSharedSnapshots(
          { redshift: w.dr.get(DR1)!, clock: w.clock, log: memoryLogger() },
          { sources: [{ accountId: SOURCE, clusters: many }], snapshotPrefix: "rsdr", managedBy: MANAGED_BY, metricNamespace: "RedshiftDR" },
        );
        const truth = new Map<string, number>(); // newest snapshot shared with DR1, per cluster, from the fake's state
        for (const x of w.fake.snapshots.values()) {
          if (x.accounts.includes(DR1)) truth.set(x.cluster, Math.max(truth.get(x.cluster) ?? 0, x.createdAt.getTime()));
        }
        for (const c of report.clusters) {
          const trueAge = (t - truth.get(c.clusterIdentifier)!) / HOUR;
          if (c.newestAgeHours === null || Math.abs(c.newestAgeHours - trueAge) > 0.001) wrong.push(`${new Date(t).toISOString()} ${c.clusterIdentifier}: monitor ${c.newestAgeHours}, true ${trueAge}`);
          // an hour's window plus the event delay
          if ((c.newestAgeHours ?? Infinity) > 1 + 20 / 60) wrong.push(`${new Date(t).toISOString()} ${c.clusterIdentifier}: ${c.newestAgeHours} h old`);
          worstAgeH = Math.max(worstAgeH, c.newestAgeHours ?? 0);
        }
        checks++;
      }
      expect(wrong).toEqual([]);
      expect(checks).toBeGreaterThan(1000);
      expect(worstAgeH).toBeGreaterThanOrEqual(1); // the bound was approached
      const peak = w.fake.peakAuthorizationsPerKey.get(DEFAULT_FAKE_KEY)!;
      expect(peak).toBeLessThanOrEqual(100);
      expect(peak).toBeGreaterThanOrEqual(88); // 11 clusters x 8: the limit was close, so the check had teeth
      // Retention kept 7 days of hourly snapshots per cluster, yet only the newest 8 of each are shared.
      for (const cluster of many) {
        const kept = oursOf(w, cluster);
        expect(kept.length).toBeGreaterThanOrEqual(7 * 24);
        const newestFirst = [...kept].sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
        expect(newestFirst.filter((x) => x.accounts.length > 0).map((x) => x.id)).toEqual(newestFirst.slice(0, 8).map((x) => x.id));
      }
    });

    it("without the bound (every kept snapshot shared) the same estate hits the key's limit within a day", async () => {
      const w = hourlyWorld();
      const s = settings({ clusterIdentifiers: many, drAccountIds: [DR1], windowMinutes: 60, retentionDays: 7, keepLatest: 3, shareLatest: 20 });
      const failures: string[] = [];
      for (let h = 0; h < 24; h++) {
        w.clock.set(new Date(Date.parse("2026-11-01T00:00:00Z") + h * HOUR));
        await runOnce(w, { ...s, createSnapshots: false }, 0);
        const report = await runOnce(w, s, 0);
        for (const c of report.clusters) for (const e of c.errors) failures.push(`${e.step}/${e.code}`);
      }
      expect(failures.length).toBeGreaterThan(0);
      expect(new Set(failures)).toEqual(new Set(["share/LimitExceeded"]));
      expect(w.fake.peakAuthorizationsPerKey.get(DEFAULT_FAKE_KEY)).toBe(100);
    });
  });
});
