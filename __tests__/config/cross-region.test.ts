// Cross-region copies in the config (sources[].crossRegionCopy) and the region combinations: a shared snapshot is
// only visible in its own region, so native sharing from another region needs a copy into the DR region; AWS
// Backup copies across regions with its own copy action. Each refusal names the field, the value and the way out.
import { parseConfig } from "../../config/load";
import { copiesInDrRegion, copyManualRetentionDays, drSharedRpoHours, sharedSnapshotKeyArn } from "../../config/cross-region-rules";
import { rawBackupExample, rawExample, type RawConfig, configProblems } from "../helpers";

const problems = configProblems;

/** The example with its source moved to eu-west-1 (the DR account stays in eu-west-2), changed by `change`. */
function elsewhere(change: (c: RawConfig) => void = () => {}, base: () => RawConfig = rawExample): RawConfig {
  const c = base();
  c.sources[0].region = "eu-west-1";
  change(c);
  return c;
}
const copyKey = (region: string, account: string) => `arn:aws:kms:${region}:${account}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;

describe("region combinations", () => {
  it("accepts a source in the DR region with no copy (the example)", () => {
    expect(problems(rawExample())).toEqual([]);
    expect(parseConfig(rawExample()).sources[0].crossRegionCopy).toBeUndefined();
  });

  it("refuses native sharing from another region without a copy, and says what to set", () => {
    expect(problems(elsewhere())).toEqual([
      "sources[0].region: \"eu-west-1\" is not the DR region eu-west-2: a shared snapshot is only visible in its own region, so native sharing from " +
        "another region needs crossRegionCopy (Redshift copies the snapshots into eu-west-2 and the snapshot manager shares them there)",
    ]);
  });

  it("accepts it with crossRegionCopy, filling the defaults: automated copies 7 days, manual copies as long as the source keeps them", () => {
    const estate = parseConfig(elsewhere((c) => (c.sources[0].crossRegionCopy = {})));
    const [source] = estate.sources;
    expect(source.crossRegionCopy).toEqual({ retentionDays: 7, shareSchedule: "rate(1 hour)", manualSnapshotQuota: 20 });
    expect(copyManualRetentionDays(source)).toBe(source.native.retentionDays);
    // 12-hour windows over 7 days, plus the one being copied.
    expect(copiesInDrRegion(source)).toBe(15);
  });

  it("refuses a copy when the source is already in the DR region", () => {
    const raw = rawExample();
    raw.sources[0].crossRegionCopy = {};
    expect(problems(raw)).toEqual([
      "sources[0].crossRegionCopy: {} is set, but the source is already in the DR region eu-west-2: there is no other region to copy to; remove crossRegionCopy",
    ]);
  });

  it("refuses a copy with native sharing off: nothing would share the copies", () => {
    const raw = elsewhere((c) => {
      c.sources[0].native = { enabled: false };
      delete c.sources[0].clusters[0].drill;
      c.sources[0].crossRegionCopy = {};
    });
    expect(problems(raw)).toEqual([
      "sources[0].crossRegionCopy: {} is set, but native sharing is off: the snapshot manager is what shares the copies with the DR account; turn native on, " +
        "or remove crossRegionCopy (AWS Backup copies across regions with its own copy action)",
    ]);
  });

  it("accepts AWS Backup copying from another region into the DR vault (cross-account and cross-region in one copy action)", () => {
    expect(problems(elsewhere((c) => (c.sources[0].crossRegionCopy = {}), rawBackupExample))).toEqual([]);
    const alone = elsewhere((c) => {
      c.sources[0].native = { enabled: false };
      for (const cl of c.sources[0].clusters) if (cl.drill) cl.drill.from = "backup";
    }, rawBackupExample);
    expect(problems(alone)).toEqual([]);
  });

  it("accepts a drill of shared snapshots from a source in another region: the copies are shared in the DR region", () => {
    const raw = elsewhere((c) => {
      c.sources[0].crossRegionCopy = {};
      c.sources[0].clusters[0].drill.from = "shared";
    });
    expect(problems(raw)).toEqual([]);
  });
});

describe("the RPO the DR account sees", () => {
  it("adds the copy-share gap and the copy time to the native default for a source that copies across regions", () => {
    const [copying] = parseConfig(elsewhere((c) => (c.sources[0].crossRegionCopy = { shareSchedule: "rate(2 hours)" }))).sources;
    const [local] = parseConfig(rawExample()).sources;
    // Native default: 12 h gap + 2 h = 14 h; the copies: + 2 h share gap + 2 h copy.
    expect(drSharedRpoHours(local)).toBe(14);
    expect(drSharedRpoHours(copying)).toBe(18);
  });

  it("uses native.rpoHours as given, and refuses one shorter than the gap plus the copy-share gap", () => {
    const [given] = parseConfig(elsewhere((c) => Object.assign(c.sources[0], { crossRegionCopy: {}, native: { ...c.sources[0].native, rpoHours: 20 } }))).sources;
    expect(drSharedRpoHours(given)).toBe(20);
    expect(problems(elsewhere((c) => Object.assign(c.sources[0], { crossRegionCopy: { shareSchedule: "rate(6 hours)" }, native: { ...c.sources[0].native, rpoHours: 12 } })))).toEqual([
      "sources[0].native.rpoHours: 12 is shorter than the schedule's longest gap plus the copy-share schedule's (18 hours): the DR account sees " +
        "the copies, which are shared up to one copy-share gap after they finish, so the DR alarm would fire between healthy runs",
    ]);
  });
});

describe("crossRegionCopy refusals", () => {
  it.each([
    ["automated copies kept longer than Redshift allows", { retentionDays: 36 }, "sources[0].crossRegionCopy.retentionDays: 36"],
    ["manual copies kept 0 days", { manualRetentionDays: 0 }, "sources[0].crossRegionCopy.manualRetentionDays: 0"],
    ["a key that is not an ARN", { kmsKeyArn: "alias/copies" }, 'sources[0].crossRegionCopy.kmsKeyArn: "alias/copies"'],
  ])("refuses %s", (_name, copy, start) => {
    const found = problems(elsewhere((c) => (c.sources[0].crossRegionCopy = copy)));
    expect(found).toHaveLength(1);
    expect(found[0].startsWith(start)).toBe(true);
    expect(found[0]).toMatch(/must be at most 35 \(Redshift's limit for copied automated snapshots\)|must be at least 1|is not a KMS key ARN/);
  });

  it.each([
    ["in the source's region", copyKey("eu-west-1", "222222222222"), "222222222222/eu-west-1"],
    ["of another account", copyKey("eu-west-2", "999999999999"), "999999999999/eu-west-2"],
  ])("refuses a copy key %s: the grant must name a key of the account in the DR region", (_name, arn, where) => {
    expect(problems(elsewhere((c) => (c.sources[0].crossRegionCopy = { kmsKeyArn: arn })))).toEqual([
      `sources[0].crossRegionCopy.kmsKeyArn: "${arn}" belongs to ${where}, not to the source account in the DR region (222222222222/eu-west-2): ` +
        "the snapshot copy grant must name a key of the account in the region the copies go to",
    ]);
  });

  it("accepts a copy key of the source account in the DR region, and expects shared snapshots under it", () => {
    const arn = copyKey("eu-west-2", "222222222222");
    const [source] = parseConfig(elsewhere((c) => (c.sources[0].crossRegionCopy = { kmsKeyArn: arn }))).sources;
    expect(sharedSnapshotKeyArn(source, source.clusters[0])).toBe(arn);
    // Without a copy the expected key is the cluster's own (none known for a created cluster).
    const same = parseConfig(rawExample()).sources[0];
    expect(sharedSnapshotKeyArn(same, { kmsKeyArn: "k" })).toBe("k");
    expect(sharedSnapshotKeyArn(same, same.clusters[0])).toBeUndefined();
  });

  it("refuses manual copies that Redshift would expire while they are still shared", () => {
    // 12-hour windows, shareLatest 2, hourly share runs, 2 h for the copy: 3 x 12 + 1 + 2 = 39 hours.
    expect(problems(elsewhere((c) => (c.sources[0].crossRegionCopy = { manualRetentionDays: 1 })))).toEqual([
      "sources[0].crossRegionCopy.manualRetentionDays: 1 days are not longer than the 39 hours a copy may stay shared (native.shareLatest + 1 " +
        "schedule gaps, one copy-share gap and 2 h for the copy): Redshift would expire copies the DR account may still restore; keep copies longer",
    ]);
    expect(problems(elsewhere((c) => (c.sources[0].crossRegionCopy = { manualRetentionDays: 2 })))).toEqual([]);
  });

  it("refuses more copies in the DR region than the account's quota there, naming the count and the way out", () => {
    const raw = elsewhere((c) => (c.sources[0].crossRegionCopy = { manualRetentionDays: 30 }));
    // 30 days of 12-hour windows + 1 = 61 copies of one cluster.
    expect(problems(raw)).toEqual([
      "sources[0].crossRegionCopy.manualRetentionDays: 30 lets up to 61 manual snapshots stand in account 222222222222 in eu-west-2 (61 copies, each counted " +
        "over its retention), over the 18 (the quota of 20 in sources[0].crossRegionCopy.manualSnapshotQuota, less 2 kept free) that the config may use: " +
        "keep copies for fewer days (manualRetentionDays), or raise the Redshift snapshot quota in that region with AWS to at least 68 and set manualSnapshotQuota to match",
    ]);
    raw.sources[0].crossRegionCopy.manualSnapshotQuota = 67;
    expect(problems(raw)).toHaveLength(1); // 67 less 7 kept free is 60
    raw.sources[0].crossRegionCopy.manualSnapshotQuota = 68;
    expect(problems(raw)).toEqual([]);
  });

  it("counts a source of the same account that lives in the DR region against the same quota", () => {
    const raw = elsewhere((c) => {
      c.sources[0].crossRegionCopy = { manualSnapshotQuota: 25 };
      const local = structuredClone(rawExample().sources[0]);
      local.name = "local";
      local.network = { create: { cidr: "10.20.0.0/16", availabilityZones: 2 } };
      local.clusters = [{ identifier: "local-prod", create: { nodeType: "ra3.xlplus", numberOfNodes: 2, databaseName: "dw" } }];
      c.sources.push(local);
    });
    const found = problems(raw);
    expect(found).toHaveLength(1);
    // 15 copies + the local source's 16 (15 over its 7 days, and the one being made), over 25 less 3 kept free.
    expect(found[0]).toContain(
      "lets up to 31 manual snapshots stand in account 222222222222 in eu-west-2 (15 copies + 16 of the account's own source in eu-west-2",
    );
    expect(found[0]).toContain("over the 22 (the quota of 25 in sources[0].crossRegionCopy.manualSnapshotQuota, less 3 kept free)");
  });

  it("refuses more share authorizations on the one copy key than Redshift's 100", () => {
    const raw = elsewhere((c) => {
      c.sources[0].native.shareLatest = 20;
      c.sources[0].native.retentionDays = 14;
      c.sources[0].clusters = [1, 2, 3, 4, 5].map((n) => ({
        identifier: `existing-${n}`,
        existing: true,
        kmsKeyArn: `arn:aws:kms:eu-west-1:222222222222:key/1234abcd-12ab-34cd-56ef-12345678900${n}`,
      }));
      c.sources[0].crossRegionCopy = { manualSnapshotQuota: 1000 };
      c.sources[0].manualSnapshotQuota = 1000;
    });
    expect(problems(raw)).toEqual([
      "sources[0].native.shareLatest: 20 lets up to 105 share authorizations stand on the copy key in eu-west-2 (5 clusters x (20 + 1 while a new copy " +
        "replaces the oldest) x 1 DR account), over Redshift's limit of 100 per key: share fewer snapshots per cluster (shareLatest), or split the clusters over more sources",
    ]);
  });
});
