// Tiered retention in the config, and the limits an hourly schedule runs into: the quota of manual snapshots per
// account and region (with headroom) and the 100 share authorizations per KMS key. Each refusal names the number and
// the way out. The arithmetic is in docs/native-automation.md, "Tiered retention".
import * as path from "path";
import { retainedSnapshotsBound, snapshotsInFlight } from "../../contract";
import { loadConfig } from "../../config/load";
import { nativeSnapshotsPerCluster, quotaHeadroom, quotaNeeded, sourceManualSnapshots, usableQuota } from "../../config/snapshot-quota";
import { configProblems as problems, estateOf, rawExample, type RawConfig } from "../helpers";

const HOURLY_EXAMPLE = path.resolve(__dirname, "../../config/example-hourly.json");

/** The example's source on an hourly, tiered schedule with `clusters` created clusters. */
function hourly(clusters: number, change: (c: RawConfig) => void = () => undefined): RawConfig {
  const raw = rawExample();
  const src = raw.sources[0];
  src.native = { schedule: "rate(1 hour)", tiers: { hourly: 24, daily: 35, monthly: 12 }, keepLatest: 3, shareLatest: 2 };
  src.clusters = Array.from({ length: clusters }, (_, i) => ({ identifier: `dw-${i}`, create: { nodeType: "ra3.large", numberOfNodes: 1, databaseName: "dw" } }));
  change(raw);
  return raw;
}

describe("tiers in the config", () => {
  it("accepts the hourly example: 3 clusters x 75 snapshots fit its raised quota of 250 less 25 kept free", () => {
    const estate = loadConfig(HOURLY_EXAMPLE);
    const src = estate.sources[0];
    expect(src.native.tiers).toEqual({ hourly: 24, daily: 35, monthly: 12 });
    expect(src.native.retentionDays).toBe(0); // with tiers, nothing is kept by age alone unless asked
    // newest 3 (inside the 24 hourly) -> 3 + 24 + 35 + 12 = 74 kept at most, + 1 being created
    expect(nativeSnapshotsPerCluster(src.native)).toBe(75);
    expect(sourceManualSnapshots(src)).toEqual({ native: 225, backup: 0, total: 225 });
    expect(usableQuota(250)).toBe(225);
  });

  it("keeps retentionDays 7 by default without tiers, and 0 with them; both may be given", () => {
    expect(estateOf(rawExample()).sources[0].native.retentionDays).toBe(7);
    const both = estateOf(hourly(1, (c) => Object.assign(c.sources[0], { manualSnapshotQuota: 200 }).native.retentionDays = 2)).sources[0].native;
    expect(both.retentionDays).toBe(2);
    // 2 days of hourly runs (49) take the place of keepLatest; the tiers come on top.
    expect(nativeSnapshotsPerCluster(both)).toBe(49 + 24 + 35 + 12 + 1);
  });

  it("counts a tier no higher than the runs its periods can hold (a daily schedule's hourly tier keeps 2, not 24)", () => {
    const native = estateOf(hourly(1, (c) => Object.assign(c.sources[0], { manualSnapshotQuota: 100 }).native.schedule = "rate(1 day)")).sources[0].native;
    expect(retainedSnapshotsBound({ retentionDays: 0, keepLatest: 3, retentionTiers: native.tiers }, 1440)).toBe(3 + 2 + 35 + 12);
    expect(nativeSnapshotsPerCluster(native)).toBe(3 + 2 + 35 + 12 + 1);
  });

  it("allows for snapshots still being created within the hour: four at a 15-minute schedule", () => {
    expect(snapshotsInFlight(15)).toBe(4);
    expect(snapshotsInFlight(60)).toBe(1);
    expect(snapshotsInFlight(720)).toBe(1);
  });

  const refusals: [string, (c: RawConfig) => void, string][] = [
    ["0 days without tiers", (c) => (c.sources[0].native = { retentionDays: 0 }),
      "sources[0].native.retentionDays: 0 is 0, which keeps nothing by age: 0 is allowed only with tiers; give tiers, or keep snapshots for at least 1 day"],
    ["tiers that name no tier", (c) => (c.sources[0].native.tiers = {}),
      "sources[0].native.tiers: {} names no tier: give at least one of hourly, daily, weekly, monthly, or leave tiers out"],
    ["an unknown tier", (c) => (c.sources[0].native.tiers = { yearly: 7 }),
      'sources[0].native.tiers.yearly: 7 is not a known key; allowed keys: hourly, daily, weekly, monthly'],
    ["a tier of 0 periods", (c) => (c.sources[0].native.tiers = { daily: 0 }), "sources[0].native.tiers.daily: 0 must be at least 1"],
    ["more months than Redshift keeps a snapshot", (c) => (c.sources[0].native.tiers = { monthly: 121 }),
      "sources[0].native.tiers.monthly: 121 must be at most 120 months (10 years, Redshift's longest manual snapshot retention)"],
  ];
  it.each(refusals)("refuses %s", (_name, change, expected) => {
    const raw = rawExample();
    change(raw);
    expect(problems(raw)).toContain(expected);
  });
});

describe("the manual snapshot quota of a source account and region", () => {
  it("refuses an hourly tiered source whose worst case passes the default quota, naming the count and the quota to ask for", () => {
    expect(problems(hourly(20))).toEqual([
      "sources[0].manualSnapshotQuota: missing (account 222222222222 in eu-west-2's quota of manual snapshots, 20 when not set) " +
        "leaves 18 (the quota of 20, less 2 kept free) for this config, but it can keep up to 1500 manual snapshots there " +
        "(1500 of the snapshot manager (20 clusters x 75)): keep fewer (native.tiers, native.retentionDays, native.keepLatest), " +
        "or raise the account's Redshift snapshot quota in that region with AWS to at least 1667 and set manualSnapshotQuota to match",
    ]);
  });

  it("accepts it once manualSnapshotQuota says the quota was raised that far, and not one short", () => {
    expect(quotaNeeded(1500)).toBe(1667);
    expect(usableQuota(1667)).toBeGreaterThanOrEqual(1500);
    expect(usableQuota(1666)).toBeLessThan(1500);
    expect(problems(hourly(20, (c) => (c.sources[0].manualSnapshotQuota = 1667)))).toEqual([]);
    expect(problems(hourly(20, (c) => (c.sources[0].manualSnapshotQuota = 1666)))[0]).toMatch(/^sources\[0\]\.manualSnapshotQuota: 1666 .* up to 1500 manual snapshots/);
  });

  it("keeps a tenth of the quota free (at least 1), for one-off snapshots and what no config knows of", () => {
    expect([1, 9, 10, 11, 20, 25, 1000].map(quotaHeadroom)).toEqual([1, 1, 1, 2, 2, 3, 100]);
  });

  it("checks a native-only source too (the quota counts every manual snapshot, not only AWS Backup's)", () => {
    const raw = rawExample();
    raw.sources[0].clusters.push({ identifier: "analytics-dev", create: { nodeType: "ra3.large", numberOfNodes: 1, databaseName: "dev" } });
    // 7 days of 12-hour runs: 15 + the one being made = 16 per cluster; 32 > 18.
    expect(problems(raw)).toEqual([expect.stringMatching(/^sources\[0\]\.manualSnapshotQuota: missing .* up to 32 manual snapshots there \(32 of the snapshot manager \(2 clusters x 16\)\)/)]);
  });

  it("adds AWS Backup's recovery points of the same clusters", () => {
    const raw = hourly(2, (c) => {
      c.sources[0].backup = { enabled: true, retentionDays: 7 };
      c.sources[0].manualSnapshotQuota = 160;
      c.dr.manualSnapshotQuota = 100;
      c.dr.backup = { lock: { mode: "governance", minRetentionDays: 7 } };
    });
    // 2 x 75 of ours + 2 x (7 daily + 1) of AWS Backup = 166 > 160 - 16.
    expect(problems(raw)).toEqual([expect.stringMatching(/up to 166 manual snapshots there \(150 of the snapshot manager \(2 clusters x 75\) \+ 16 of AWS Backup\)/)]);
  });
});

describe("the share authorizations per KMS key at an hourly schedule", () => {
  it("refuses 34 clusters on one key (34 x (2 + 1) = 102 > 100), naming the number and the way out", () => {
    const raw = hourly(34, (c) => (c.sources[0].manualSnapshotQuota = 3000));
    expect(problems(raw)).toEqual([
      "sources[0].native.shareLatest: 2 lets up to 102 share authorizations stand on one KMS key (the source's data key: 34 clusters x " +
        "(2 + 1 while a new snapshot replaces the oldest) x 1 DR account), over Redshift's limit of 100 per key: share fewer snapshots per cluster " +
        '(shareLatest), or give each created cluster its own key (dataKeys "per-cluster"), or spread existing clusters over more keys',
    ]);
  });

  it("accepts 33 on one key, and 100 with a key per cluster: the tiers keep more snapshots, but share only the newest", () => {
    expect(problems(hourly(33, (c) => (c.sources[0].manualSnapshotQuota = 3000)))).toEqual([]);
    expect(problems(hourly(100, (c) => Object.assign(c.sources[0], { manualSnapshotQuota: 9000, dataKeys: "per-cluster" })))).toEqual([]);
  });
});
