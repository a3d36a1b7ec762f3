// The restore drill of a cluster in the config (sources[].clusters[].drill): the defaults it fills, the drill target
// the DR stack and the CLI build from it, each refusal with the field, the value and what is allowed, and the DR
// account's manual snapshot quota counting the DR-owned copies the drills keep.
import { parseConfig } from "../../config/load";
import { drManualSnapshots, drOwnedCopies } from "../../config/snapshot-quota";
import { drillTargetOf, drOwnedCopyRpoHours } from "../../config/drill-rules";
import { nativeRpoHours } from "../../config/estate";
import { rawBackupExample, rawExample, type RawConfig, configProblems } from "../helpers";

const problems = configProblems;

function changed(change: (c: RawConfig) => void, base: () => RawConfig = rawExample): RawConfig {
  const c = base();
  change(c);
  return c;
}
const drill = (c: RawConfig) => c.sources[0].clusters[0].drill;
const AT = "sources\\[0\\]\\.clusters\\[0\\]\\.drill";

describe("drill config", () => {
  it("fills the defaults of an empty drill: weekly, 8 hours at most, the newest recovery point, no tables, no copy", () => {
    const estate = parseConfig(changed((c) => (c.sources[0].clusters[0].drill = {})));
    expect(estate.sources[0].clusters[0].drill).toEqual({ everyHours: 168, maxLifetimeHours: 8, from: "newest", tables: [] });
  });

  it("builds the drill target: database from create.databaseName (else dev), the DR partition, the key given, the copy's rules", () => {
    const estate = parseConfig(changed((c) => (c.sources[0].clusters[0].drill = { drOwnedCopy: {} })));
    const [source] = estate.sources;
    const [cluster] = source.clusters;
    expect(drillTargetOf(source, cluster, "aws", "arn:aws:kms:eu-west-2:222222222222:key/k")).toEqual({
      accountId: "222222222222",
      region: "eu-west-2",
      partition: "aws",
      clusterIdentifier: "analytics-prod",
      kmsKeyArn: "arn:aws:kms:eu-west-2:222222222222:key/k",
      everyHours: 168,
      maxLifetimeHours: 8,
      from: "newest",
      database: "analytics",
      tables: [],
      drOwnedCopy: { retentionDays: 35, keepLatest: 2 },
    });
    // everyHours + maxLifetimeHours + the RPO of what is restored (native rate(12 hours): 12 + 2 = 14 h)
    expect(drOwnedCopyRpoHours(cluster.drill!, source)).toBe(168 + 8 + 14);
    const existing = { ...cluster, create: undefined, existing: true as const };
    expect(drillTargetOf(source, existing, "aws").database).toBe("dev");
    expect(drillTargetOf(source, existing, "aws")).not.toHaveProperty("kmsKeyArn");
  });

  it("accepts the example's drill and the AWS Backup example's drill from the vault", () => {
    expect(problems(rawExample())).toEqual([]);
    expect(problems(rawBackupExample())).toEqual([]);
  });

  const refusals: [string, (c: RawConfig) => void, RegExp, (() => RawConfig)?][] = [
    ["a table name with SQL in it", (c) => (drill(c).tables = ["orders; drop table x"]),
      new RegExp(`^${AT}\\.tables\\[0\\]: "orders; drop table x" is not an unquoted lowercase table name: table or schema\\.table`)],
    ["a quoted table name", (c) => (drill(c).tables = ["public.orders", '"Quoted"']),
      new RegExp(`^${AT}\\.tables\\[1\\]: "\\\\"Quoted\\\\"" is not an unquoted lowercase table name`)],
    ["more than 20 tables", (c) => (drill(c).tables = Array.from({ length: 21 }, (_, i) => `t${i}`)),
      new RegExp(`^${AT}\\.tables: \\["t0",.*"t20"\\] must list at most 20 tables`)],
    ["a drill that may outlive its interval", (c) => Object.assign(drill(c), { everyHours: 4, maxLifetimeHours: 8 }),
      new RegExp(`^${AT}\\.maxLifetimeHours: 8 .*is longer than everyHours \\(4\\): a drill could still run when the next is due`)],
    ['"shared" with native sharing off', (c) => {
      drill(c).from = "shared";
      c.sources[0].native.enabled = false;
    }, new RegExp(`^${AT}\\.from: "shared" is "shared", but the source has native sharing off: .*use "backup" or turn native on`), rawBackupExample],
    ['"backup" without AWS Backup', (c) => (drill(c).from = "backup"),
      new RegExp(`^${AT}\\.from: "backup" is "backup", but the source does not copy into a DR vault \\(backup\\.enabled and dr\\.backup\\).*use "shared"`)],
    ["a node type without a node count", (c) => delete drill(c).numberOfNodes,
      new RegExp(`^${AT}\\.numberOfNodes: missing is required with drill\\.nodeType`)],
    ["fewer nodes than the node type allows", (c) => (drill(c).nodeType = "ra3.4xlarge"),
      new RegExp(`^${AT}\\.numberOfNodes: 1 is too few for ra3\\.4xlarge: it needs at least 2 nodes`)],
    ["fewer nodes than the created cluster's node type allows", (c) => {
      c.sources[0].clusters[0].create = { nodeType: "dc2.8xlarge", numberOfNodes: 2, databaseName: "analytics" };
      delete drill(c).nodeType;
    }, new RegExp(`^${AT}\\.numberOfNodes: 1 is too few for dc2\\.8xlarge: it needs at least 2 nodes`)],
    ["a drill of a source with nothing to restore", (c) => (c.sources[0].native.enabled = false),
      new RegExp(`^${AT}: \\{.*\\} is set, but the source neither shares snapshots nor copies them with AWS Backup: there is nothing to restore in DR`)],
    ["an unknown drill key", (c) => (drill(c).every = 24), new RegExp(`^${AT}\\.every: 24 is not a known key; allowed keys: everyHours, maxLifetimeHours, from`)],
    ['a "from" that is not one', (c) => (drill(c).from = "tape"), new RegExp(`^${AT}\\.from: "tape" must be "newest", "shared" or "backup"`)],
  ];

  // `base` has a default: a fourth parameter without one would be taken for jest's `done` callback.
  it.each(refusals)("refuses %s, naming the field, the value and what is allowed", (_name, change, expected, base = rawExample) => {
    expect(problems(changed(change, base))).toEqual(expect.arrayContaining([expect.stringMatching(expected)]));
  });
});

describe("the DR-owned copy's RPO", () => {
  // Found as a bug (the default was everyHours + maxLifetimeHours + 2): the copy's age is the age of its DATA (rsdr:data-time, the
  // restored snapshot's creation), and the drill restores a snapshot that is already up to the source's RPO old (the
  // native staleness alarm allows 14 h with rate(12 hours)). Just before the next weekly copy is available, a
  // healthy estate's newest copy holds data everyHours + (start to copy available) + (snapshot age at start) old:
  // 168 + 1 + 14 = 183 h > the default 178 h, so drcopy-rpo-exceeded fires in healthy weeks. The default must add
  // the RPO of what the drill restores, not 2 h.
  it("the default covers a healthy week: a copy ready 1 h after the start of a drill that restored a 14 h old snapshot", () => {
    const estate = parseConfig(rawExample());
    const [source] = estate.sources;
    const drill = source.clusters[0].drill!;
    const healthyWorst = drill.everyHours + 1 + nativeRpoHours(source.native);
    expect(healthyWorst).toBe(183);
    const rpo = drOwnedCopyRpoHours(drill, source);
    expect(rpo).toBeGreaterThanOrEqual(healthyWorst);
  });
});

describe("the DR account's manual snapshot quota with DR-owned copies", () => {
  /** Per drilled cluster: the newest keepLatest, or one per drill over retentionDays, plus the one being taken. */
  const expectedCopies = (keepLatest: number, retentionDays: number, everyHours: number) => Math.max(keepLatest, Math.ceil((retentionDays * 24) / everyHours)) + 1;

  it("counts the example's copies: 35 days of weekly drills is 5, plus the one being taken", () => {
    const estate = parseConfig(rawExample());
    expect(drOwnedCopies(estate)).toBe(expectedCopies(2, 35, 168));
    expect(drOwnedCopies(estate)).toBe(6);
    expect(drManualSnapshots(estate)).toBe(6);
  });

  it("counts keepLatest when it is more than the drills within retentionDays", () => {
    const estate = parseConfig(changed((c) => (drill(c).drOwnedCopy = { retentionDays: 7, keepLatest: 4 })));
    expect(drOwnedCopies(estate)).toBe(expectedCopies(4, 7, 168));
    expect(drOwnedCopies(estate)).toBe(5);
  });

  it("refuses more DR-owned copies than the DR account's quota, saying how many, and accepts them once the quota is raised", () => {
    const raw = changed((c) => Object.assign(drill(c), { everyHours: 24, drOwnedCopy: { retentionDays: 30, keepLatest: 2 } }));
    const copies = expectedCopies(2, 30, 24); // a drill a day kept 30 days: 30, plus the one being taken
    expect(copies).toBe(31);
    expect(problems(raw)).toEqual([
      "dr.manualSnapshotQuota: missing (the DR account 999999999999 in eu-west-2's quota of manual snapshots, 20 when not set) leaves 18 " +
        "(the quota of 20, less 2 kept free), but the DR account can hold up to 31: " +
        "0 copies in the DR vault over the sources' copyRetentionDays and 31 DR-owned copies of the drills (keepLatest, or one per drill over retentionDays, " +
        "plus the one being taken): keep copies for fewer days, or raise the Redshift snapshot quota of the DR account with AWS to at least 35 and set dr.manualSnapshotQuota to match",
    ]);
    raw.dr.manualSnapshotQuota = 35; // 31 copies + 4 kept free
    expect(problems(raw)).toEqual([]);
  });

  it("adds the DR-owned copies to the DR vault's copies of the AWS Backup example", () => {
    // the vault: daily copies kept 14 days, plus the one being made = 15; a weekly drill keeping 35 days = 6
    const raw = changed((c) => (drill(c).drOwnedCopy = { retentionDays: 35, keepLatest: 2 }), rawBackupExample);
    const estate = parseConfig({ ...raw, dr: { ...raw.dr, manualSnapshotQuota: 100 } });
    expect(drOwnedCopies(estate)).toBe(expectedCopies(2, 35, 168));
    expect(drManualSnapshots(estate)).toBe(15 + 6);
    expect(problems(raw)).toEqual([expect.stringMatching(/^dr\.manualSnapshotQuota: missing .* leaves 18 .* can hold up to 21: 15 copies in the DR vault .* and 6 DR-owned copies/)]);
  });
});
