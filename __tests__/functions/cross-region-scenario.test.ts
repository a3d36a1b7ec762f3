/**
 * Scenario: a source in another region than the DR account, with Redshift cross-region snapshot copy into the DR
 * region, driven for days at the example's schedule against fake-redshift.ts: two fakes of the same account, one
 * per region (a stateful in-memory MOCK, not the real service). Copies appear in the DR region's fake a delay after
 * the source snapshot is available, with the same identifier and WITHOUT tags; a shared snapshot is visible only
 * in its own region. Invariants are checked at every simulated step.
 */
import "aws-sdk-client-mock-jest";
import { mockClient } from "aws-sdk-client-mock";
import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import { listSharedSnapshots, newestByCluster } from "../../functions/lib/listing";
import { reconcile } from "../../functions/lib/reconcile";
import type { ReconcileReport } from "../../functions/lib/report";
import { memoryLogger } from "../../functions/lib/runtime";
import type { SnapshotManagerSettings } from "../../functions/lib/settings";
import { FakeDrAccount } from "../../testing/fake-dr-account";
import { FakeRedshift } from "../../testing/fake-redshift";
import { ManualClock } from "../../testing/manual-clock";
import { DAY, DR1, HOUR, MANAGED_BY, settings, SOURCE } from "./helpers";

jest.setTimeout(180_000);

const snsMock = mockClient(SNSClient);
beforeEach(() => {
  snsMock.reset();
  snsMock.on(PublishCommand).resolves({});
});

const MIN = 60_000;
const SOURCE_REGION = "eu-west-1";
const DR_REGION = "eu-west-2";
const CLUSTERS = ["sales-prod", "hr-prod"];
/** config/example.json: rate(12 hours), retention 7 days, keep 3, share 2; its native RPO is 12 h + 2 h. */
const WINDOW_H = 12;
const RPO_H = WINDOW_H + 2;
const SHARE_LATEST = 2;
const CREATION = 40 * MIN;
/** From the snapshot's completion to the snapshot-event run. */
const EVENT_DELAY = 20 * MIN;

function world(copyDelayMs: number) {
  const clock = new ManualClock("2026-11-01T00:00:00Z");
  const source = new FakeRedshift({ clock, ownerAccountId: SOURCE, region: SOURCE_REGION, creationDelayMs: CREATION }).addCluster(...CLUSTERS);
  // The same account in the DR region: Redshift copies into it; manual copies kept 7 days (native.retentionDays).
  const copies = new FakeRedshift({ clock, ownerAccountId: SOURCE, region: DR_REGION }).copyFrom(source, { delayMs: copyDelayMs, manualRetentionDays: 7 });
  source.keepLog = false;
  copies.keepLog = false;
  const s = settings({ clusterIdentifiers: CLUSTERS, drAccountIds: [DR1], windowMinutes: WINDOW_H * 60, retentionDays: 7, keepLatest: 3, shareLatest: SHARE_LATEST, copyRegion: DR_REGION });
  const sourceClient = source.client();
  const copyClient = copies.client();
  const run = (over: Partial<SnapshotManagerSettings> = {}): Promise<ReconcileReport> =>
    reconcile({ redshift: sourceClient, copyRedshift: copyClient, sns: new SNSClient({ region: SOURCE_REGION }), clock, log: memoryLogger(), remainingTimeMs: () => 0 }, { ...s, ...over });
  /** What the DR account sees, in the DR region, as the DR monitor counts it (no owner tags visible). */
  const drView = async (fake: FakeRedshift = copies) =>
    newestByCluster(await listSharedSnapshots({ redshift: fake.client({ accountId: DR1 }) }, SOURCE, { snapshotPrefix: "rsdr", clusters: CLUSTERS, managedBy: MANAGED_BY }));
  return { clock, source, copies, run, drView };
}

type World = ReturnType<typeof world>;

/**
 * Runs `days` days at the example's schedule (and, given `shareEveryMinutes`, the copy-share schedule: share and
 * retention only); returns the DR age (hours) per check once every cluster has a copy in DR.
 */
async function drive(w: World, days: number, shareEveryMinutes?: number): Promise<{ ages: number[]; violations: string[] }> {
  const ages: number[] = [];
  const violations: string[] = []; // collected, not asserted one by one: this loop checks hundreds of steps
  let firstSeen = false;
  const start = w.clock.now().getTime();
  for (let t = start; t < start + days * DAY; t += 5 * MIN) {
    w.clock.set(new Date(t));
    const sinceWindow = (t - start) % (WINDOW_H * HOUR);
    const reports: ReconcileReport[] = [];
    if (sinceWindow === 0) reports.push(await w.run()); // the schedule: create + share, source and copies
    if (sinceWindow === CREATION + EVENT_DELAY) reports.push(await w.run({ createSnapshots: false })); // the snapshot event
    else if (shareEveryMinutes && sinceWindow !== 0 && (t - start) % (shareEveryMinutes * MIN) === 0) reports.push(await w.run({ createSnapshots: false })); // the copy-share schedule
    for (const r of reports) if (r.failedClusters.length) violations.push(`${new Date(t).toISOString()}: failed ${JSON.stringify(r.clusters.flatMap((c) => c.errors))}`);

    w.copies.sync();
    // nothing deleted by us in the copy region; no copy expired while shared; never more than shareLatest shared
    if ((w.copies.calls.DeleteClusterSnapshot ?? 0) > 0 || w.copies.deletions.length > 0) violations.push(`${new Date(t).toISOString()}: a copy was deleted by a call`);
    for (const e of w.copies.expirations) if (e.accountsAtExpiry.length) violations.push(`${e.id} expired while shared with ${e.accountsAtExpiry.join(", ")}`);
    for (const cluster of CLUSTERS) {
      const shared = [...w.copies.snapshots.values()].filter((x) => x.cluster === cluster && x.accounts.includes(DR1));
      if (shared.length > SHARE_LATEST) violations.push(`${new Date(t).toISOString()}: ${shared.length} copies of ${cluster} shared`);
    }
    const seen = await w.drView();
    if (seen.size === CLUSTERS.length) firstSeen = true;
    if (!firstSeen) continue;
    for (const cluster of CLUSTERS) {
      const newest = seen.get(cluster);
      if (!newest) violations.push(`${new Date(t).toISOString()}: DR sees no copy of ${cluster}`);
      else ages.push((t - newest.createdAt.getTime()) / HOUR);
    }
  }
  return { ages, violations: [...new Set(violations)] };
}

describe("cross-region copies against the in-memory MOCK of Redshift (two regions of fake-redshift.ts, not the real service)", () => {
  it("the fake is strict: what is shared in the source region is not seen from the DR region, and a DR account cannot take a source of another region", async () => {
    const w = world(15 * MIN);
    w.clock.set(new Date(Date.parse("2026-11-01T00:00:00Z")));
    await w.run();
    w.clock.set(new Date(Date.parse("2026-11-01T00:45:00Z"))); // source snapshots available, copies not yet (15 min after)
    const report = await w.run({ createSnapshots: false });
    expect(report.clusters.map((c) => c.shared.length)).toEqual([1, 1]); // shared in the source region
    expect([...(await w.drView(w.source)).keys()].sort()).toEqual([...CLUSTERS].sort());
    expect((await w.drView()).size).toBe(0); // ... and not visible in the DR region
    expect(report.clusters.every((c) => c.copies?.shared.length === 0 && c.copies.notes.length === 1)).toBe(true); // copies still being made
    expect(() => new FakeDrAccount({ clock: w.clock, accountId: DR1, region: DR_REGION, sources: [w.source] })).toThrow(/not visible from the DR account in eu-west-2/);
    // the copies carry the same identifier and no tags
    w.clock.set(new Date(Date.parse("2026-11-01T01:00:00Z")));
    w.copies.sync();
    const copy = w.copies.snapshots.get(report.clusters[0].newestSharedSnapshotId!)!;
    expect(copy).toMatchObject({ tags: [], sourceRegion: SOURCE_REGION, accounts: [] });
  });

  it("a copy faster than the snapshot event: 10 days, DR always has a copy within the RPO plus the copy delay, at most shareLatest shared, none deleted by us", async () => {
    const COPY = 15 * MIN;
    const w = world(COPY);
    const { ages, violations } = await drive(w, 10);
    expect(violations).toEqual([]);
    expect(ages.length).toBeGreaterThan(500);
    expect(Math.max(...ages)).toBeLessThanOrEqual(RPO_H + COPY / HOUR);
    expect(Math.max(...ages)).toBeGreaterThan(WINDOW_H); // the bound was approached: the check had teeth
    // Redshift's retention, not the manager, removed the old copies (each unshared long before)
    expect(w.copies.expirations.length).toBeGreaterThanOrEqual(2 * 4);
    // the authorizations on the copy key stayed bounded: clusters x (shareLatest + 1)
    expect(w.copies.peakAuthorizationsPerKey.get(`copy-key-${DR_REGION}`)).toBeLessThanOrEqual(CLUSTERS.length * (SHARE_LATEST + 1));
  });

  it("a copy slower than the snapshot event is shared by the hourly copy-share run: DR stays within the copies' default RPO (14 h + 1 h + 2 h)", async () => {
    const COPY = 2 * HOUR;
    const w = world(COPY);
    const { ages, violations } = await drive(w, 6, 60);
    expect(violations).toEqual([]);
    // Seen at most one share period after the copy finished: window + creation + copy + 1 h.
    expect(Math.max(...ages)).toBeLessThanOrEqual(WINDOW_H + CREATION / HOUR + COPY / HOUR + 1);
    expect(Math.max(...ages)).toBeLessThanOrEqual(RPO_H + 1 + 2); // drSharedRpoHours for this schedule
    expect(Math.max(...ages)).toBeGreaterThan(RPO_H); // past the native RPO: the copies need their own
    expect(w.copies.deletions).toEqual([]);
  });

  it("without the copy-share schedule the same copy waits for the next window's run: DR's newest copy reaches two windows old (why the schedule exists)", async () => {
    const COPY = 2 * HOUR;
    const w = world(COPY);
    const { ages, violations } = await drive(w, 6);
    expect(violations).toEqual([]);
    expect(Math.max(...ages)).toBeLessThanOrEqual(2 * WINDOW_H);
    expect(Math.max(...ages)).toBeGreaterThan(RPO_H + 1 + 2);
    expect(w.copies.deletions).toEqual([]);
  });
});
