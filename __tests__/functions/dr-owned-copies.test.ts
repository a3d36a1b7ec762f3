import "aws-sdk-client-mock-jest";
import { mockClient } from "aws-sdk-client-mock";
import { DescribeClusterSnapshotsCommand, RedshiftClient, type Snapshot } from "@aws-sdk/client-redshift";
import { drOwnedCopyOf, listDrOwnedCopies, newestDrOwnedCopies } from "../../functions/lib/dr-owned-copies";
import { ageHours } from "../../functions/lib/listing";
import { HOUR, MANAGED_BY } from "./helpers";

const redshiftMock = mockClient(RedshiftClient);

const NOW = new Date("2026-11-27T12:00:00Z");
const SRC_A = "111111111111";
const SRC_B = "444444444444";
const DR = "222222222222";
const FILTER = { snapshotPrefix: "rsdr", managedBy: MANAGED_BY };
const ctx = () => ({ redshift: new RedshiftClient({ region: "eu-west-1" }) });
const hoursAgo = (h: number) => new Date(NOW.getTime() - h * HOUR);

/**
 * A DR-owned copy as the DR account lists it: its own snapshot of a drill cluster, with the drill's tags. The data
 * is `dataAgeH` hours old; the snapshot itself was taken `snapshotAgeH` hours ago (a drill copies after restoring).
 */
function copy(
  cluster: string,
  stamp: string,
  dataAgeH: number,
  over: Partial<Snapshot> & { account?: string; snapshotAgeH?: number; tags?: Record<string, string | undefined> } = {},
): Snapshot {
  const { account = SRC_A, snapshotAgeH = 1, tags = {}, ...rest } = over;
  const all: Record<string, string | undefined> = {
    "managed-by": MANAGED_BY,
    "rsdr:cluster": cluster,
    "rsdr:source-account": account,
    "rsdr:data-time": hoursAgo(dataAgeH).toISOString(),
    ...tags,
  };
  return {
    SnapshotIdentifier: `rsdr-drcopy-${cluster}-${stamp}`,
    ClusterIdentifier: `rsdr-drill-${cluster}-${stamp}`,
    SnapshotType: "manual",
    Status: "available",
    OwnerAccount: DR,
    SnapshotCreateTime: hoursAgo(snapshotAgeH),
    Encrypted: true,
    Tags: Object.entries(all)
      .filter(([, v]) => v !== undefined)
      .map(([Key, Value]) => ({ Key, Value })),
    ...rest,
  };
}

beforeEach(() => redshiftMock.reset());

describe("DR-owned copies: which snapshots are ours", () => {
  it("reads a copy: source account and cluster from the tags, the drill cluster from the snapshot, the data time from rsdr:data-time", () => {
    expect(drOwnedCopyOf(copy("sales-prod", "20261127t0600z", 30, { snapshotAgeH: 2 }), FILTER)).toEqual({
      sourceAccountId: SRC_A,
      clusterIdentifier: "sales-prod",
      snapshotIdentifier: "rsdr-drcopy-sales-prod-20261127t0600z",
      drillClusterIdentifier: "rsdr-drill-sales-prod-20261127t0600z",
      dataTime: hoursAgo(30),
      createdAt: hoursAgo(2),
      status: "available",
      encrypted: true,
    });
  });

  it.each([
    ["managed-by missing", { tags: { "managed-by": undefined } }],
    ["managed-by of another deployment", { tags: { "managed-by": "someone-else" } }],
    ["rsdr:cluster missing", { tags: { "rsdr:cluster": undefined } }],
    ["rsdr:source-account missing", { tags: { "rsdr:source-account": undefined } }],
    ["rsdr:source-account not an account id", { tags: { "rsdr:source-account": "prod" } }],
    ["rsdr:data-time missing", { tags: { "rsdr:data-time": undefined } }],
    ["rsdr:data-time not a time", { tags: { "rsdr:data-time": "yesterday" } }],
    ["rsdr:data-time not ISO 8601", { tags: { "rsdr:data-time": "Nov 26 2026 10:00" } }],
    ["rsdr:data-time a date only", { tags: { "rsdr:data-time": "2026-11-26" } }],
    ["an automated snapshot", { SnapshotType: "automated" }],
  ] as const)("the right id but %s: not ours", (_label, over) => {
    expect(drOwnedCopyOf(copy("sales-prod", "20261127t0600z", 30, over), FILTER)).toBeUndefined();
  });

  it.each([
    ["a window snapshot id (the source side's naming)", "rsdr-sales-prod-20261127t0600z"],
    ["another prefix", "legacy-drcopy-sales-prod-20261127t0600z"],
    ["no stamp", "rsdr-drcopy-sales-prod-final"],
    ["another cluster than rsdr:cluster", "rsdr-drcopy-hr-prod-20261127t0600z"],
    ["a longer cluster than rsdr:cluster", "rsdr-drcopy-sales-prod-eu-20261127t0600z"],
    ["an uppercase stamp", "rsdr-drcopy-sales-prod-20261127T0600Z"],
    ["a hand-made name", "before-migration"],
  ])("the right tags but %s: not ours", (_label, id) => {
    expect(drOwnedCopyOf(copy("sales-prod", "20261127t0600z", 30, { SnapshotIdentifier: id }), FILTER)).toBeUndefined();
  });

  it("escapes the prefix: a dot in it matches a dot only", () => {
    const dotted = { ...FILTER, snapshotPrefix: "rs.dr" };
    expect(drOwnedCopyOf(copy("sales-prod", "20261127t0600z", 1, { SnapshotIdentifier: "rsxdr-drcopy-sales-prod-20261127t0600z" }), dotted)).toBeUndefined();
    expect(drOwnedCopyOf(copy("sales-prod", "20261127t0600z", 1, { SnapshotIdentifier: "rs.dr-drcopy-sales-prod-20261127t0600z" }), dotted)).toBeDefined();
  });
});

describe("DR-owned copies: listing (Redshift mocked)", () => {
  it("lists the DR account's own manual snapshots (no OwnerAccount, no tag filter), every page, and keeps ours of any source", async () => {
    redshiftMock
      .on(DescribeClusterSnapshotsCommand)
      .resolvesOnce({
        Snapshots: [copy("sales-prod", "20261127t0600z", 30), copy("sales-prod", "20261126t0600z", 54, { tags: { "rsdr:source-account": undefined } })],
        Marker: "m1",
      })
      .resolves({ Snapshots: [copy("risk-prod", "20261127t0000z", 12, { account: SRC_B, Status: "creating" })] });
    const found = await listDrOwnedCopies(ctx(), FILTER);
    expect(found.map((c) => [c.sourceAccountId, c.clusterIdentifier, c.snapshotIdentifier, c.status])).toEqual([
      [SRC_A, "sales-prod", "rsdr-drcopy-sales-prod-20261127t0600z", "available"],
      [SRC_B, "risk-prod", "rsdr-drcopy-risk-prod-20261127t0000z", "creating"],
    ]);
    const sent = redshiftMock.commandCalls(DescribeClusterSnapshotsCommand).map((c) => c.args[0].input);
    expect(sent).toEqual([
      { SnapshotType: "manual", MaxRecords: 100, Marker: undefined },
      { SnapshotType: "manual", MaxRecords: 100, Marker: "m1" },
    ]);
  });

  it("the newest per (source account, cluster) is the one with the newest DATA, not the newest snapshot; creating copies do not count", () => {
    const copies = [
      // taken an hour ago, from a restore of 40-hour-old data
      copy("sales-prod", "20261127t1100z", 40, { snapshotAgeH: 1 }),
      // taken a day ago, from 26-hour-old data: the newest data
      copy("sales-prod", "20261126t1200z", 26, { snapshotAgeH: 24 }),
      // newer data still, but being taken: cannot be restored yet
      copy("sales-prod", "20261127t1130z", 3, { Status: "creating", snapshotAgeH: 0.1 }),
      // the same cluster name in another source account is another cluster
      copy("sales-prod", "20261127t0900z", 5, { account: SRC_B }),
      copy("hr-prod", "20261127t0800z", 8, { Status: "deleting" }),
    ].map((s) => drOwnedCopyOf(s, FILTER)!);
    const newest = newestDrOwnedCopies(copies);
    expect([...newest.keys()]).toEqual([`${SRC_A}/sales-prod`, `${SRC_B}/sales-prod`]);
    const sales = newest.get(`${SRC_A}/sales-prod`)!;
    expect(sales.snapshotIdentifier).toBe("rsdr-drcopy-sales-prod-20261126t1200z");
    expect(ageHours(sales.dataTime, NOW)).toBe(26);
    expect(ageHours(sales.createdAt!, NOW)).toBe(24);
    expect(newest.get(`${SRC_B}/sales-prod`)!.snapshotIdentifier).toBe("rsdr-drcopy-sales-prod-20261127t0900z");
  });
});
