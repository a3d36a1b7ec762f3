import "aws-sdk-client-mock-jest";
import { mockClient } from "aws-sdk-client-mock";
import {
  AuthorizeSnapshotAccessCommand,
  ClusterNotFoundFault,
  ClusterSnapshotAlreadyExistsFault,
  ClusterSnapshotQuotaExceededFault,
  CreateClusterSnapshotCommand,
  DeleteClusterSnapshotCommand,
  DescribeClusterSnapshotsCommand,
  RedshiftClient,
  RedshiftServiceException,
  RevokeSnapshotAccessCommand,
  AuthorizationAlreadyExistsFault,
  type DescribeClusterSnapshotsCommandInput,
  type Snapshot,
} from "@aws-sdk/client-redshift";
import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import { memorySink, type MetricPoint, type MetricsSink } from "../../functions/lib/metrics";
import { reconcile, type ReconcileDeps } from "../../functions/lib/reconcile";
import type { SnapshotManagerSettings } from "../../functions/lib/settings";
import { DAY, DR1, DR2, HOUR, MANAGED_BY, ours, settings, testRuntime, TOPIC, type TestDeps } from "./helpers";

const redshiftMock = mockClient(RedshiftClient);
const snsMock = mockClient(SNSClient);

const NOW = new Date("2026-11-26T12:05:00Z");
const WINDOW_ID = "rsdr-sales-prod-20261126t1200z";
const ago = (ms: number) => new Date(NOW.getTime() - ms);

let rt: TestDeps;
let metrics: MetricsSink & { points: MetricPoint[] };

beforeEach(() => {
  redshiftMock.reset();
  snsMock.reset();
  rt = testRuntime();
  metrics = memorySink();
  // Defaults; tests override what they need.
  redshiftMock.on(DescribeClusterSnapshotsCommand).resolves({ Snapshots: [] });
  redshiftMock.on(CreateClusterSnapshotCommand).resolves({});
  redshiftMock.on(AuthorizeSnapshotAccessCommand).resolves({});
  redshiftMock.on(RevokeSnapshotAccessCommand).resolves({});
  redshiftMock.on(DeleteClusterSnapshotCommand).resolves({});
  snsMock.on(PublishCommand).resolves({ MessageId: "m" });
});

function deps(over: Partial<ReconcileDeps> = {}): ReconcileDeps {
  return {
    redshift: new RedshiftClient({ region: "eu-west-1" }),
    sns: new SNSClient({ region: "eu-west-1" }),
    metrics,
    clock: { now: () => NOW },
    log: rt.log,
    ...over,
  };
}

/** Describe answers by cluster (listing) or by snapshot id (the waiter). */
function listing(byCluster: Record<string, Snapshot[]>, byId: (id: string) => Snapshot[] = () => []): void {
  redshiftMock.on(DescribeClusterSnapshotsCommand).callsFake((input: DescribeClusterSnapshotsCommandInput) => {
    if (input.SnapshotIdentifier) return { Snapshots: byId(input.SnapshotIdentifier) };
    return { Snapshots: byCluster[input.ClusterIdentifier ?? ""] ?? [] };
  });
}

function callsOf<I extends object>(command: new (...args: never[]) => { input: I }): I[] {
  return redshiftMock.commandCalls(command as never).map((c) => c.args[0].input as I);
}

function run(s: Partial<SnapshotManagerSettings> = {}, d: Partial<ReconcileDeps> = {}) {
  return reconcile(deps(d), settings(s));
}

describe("reconcile: creating the window snapshot", () => {
  it("creates one snapshot with the deterministic id, our tags and no Redshift-side expiry", async () => {
    const report = await run({ drAccountIds: [DR1, DR2] });
    expect(redshiftMock).toHaveReceivedCommandTimes(CreateClusterSnapshotCommand, 1);
    expect(redshiftMock).toHaveReceivedCommandWith(CreateClusterSnapshotCommand, {
      SnapshotIdentifier: WINDOW_ID,
      ClusterIdentifier: "sales-prod",
      ManualSnapshotRetentionPeriod: -1,
      Tags: [
        { Key: "managed-by", Value: MANAGED_BY },
        { Key: "rsdr:cluster", Value: "sales-prod" },
        { Key: "rsdr:window", Value: "2026-11-26T12:00:00.000Z" },
        { Key: "rsdr:targets", Value: `${DR1}+${DR2}` },
      ],
    });
    const [c] = report.clusters;
    expect(c).toMatchObject({ created: [WINDOW_ID], failed: false, wait: "no-time", pendingAvailability: WINDOW_ID });
    // a snapshot still creating is never shared
    expect(redshiftMock).not.toHaveReceivedCommand(AuthorizeSnapshotAccessCommand);
  });

  it("treats ClusterSnapshotAlreadyExists as success", async () => {
    redshiftMock
      .on(CreateClusterSnapshotCommand)
      .rejects(new ClusterSnapshotAlreadyExistsFault({ message: "exists", $metadata: {} }));
    const report = await run();
    expect(report.failedClusters).toEqual([]);
    expect(report.clusters[0]).toMatchObject({ failed: false, alreadyExisted: true, created: [] });
    expect(snsMock).not.toHaveReceivedCommand(PublishCommand);
  });

  it("does not call CreateClusterSnapshot when the window's snapshot is already listed", async () => {
    listing({ "sales-prod": [ours(WINDOW_ID, ago(5 * 60_000), { accounts: [DR1] })] });
    const report = await run();
    expect(redshiftMock).not.toHaveReceivedCommand(CreateClusterSnapshotCommand);
    expect(report.clusters[0]).toMatchObject({ alreadyExisted: true, wait: "not-needed", pendingAvailability: null });
    expect(report.clusters[0].newestSharedSnapshotId).toBe(WINDOW_ID);
  });

  it("with createSnapshots false (snapshot-event trigger) only shares and applies retention", async () => {
    listing({ "sales-prod": [ours("rsdr-sales-prod-20261126t0000z", ago(12 * HOUR))] });
    const report = await run({ createSnapshots: false });
    expect(redshiftMock).not.toHaveReceivedCommand(CreateClusterSnapshotCommand);
    expect(redshiftMock).toHaveReceivedCommandWith(AuthorizeSnapshotAccessCommand, {
      SnapshotIdentifier: "rsdr-sales-prod-20261126t0000z",
      AccountWithRestoreAccess: DR1,
    });
    expect(report.clusters[0]).toMatchObject({ created: [], shared: [{ snapshotId: "rsdr-sales-prod-20261126t0000z", accountId: DR1 }] });
  });
});

describe("reconcile: listing", () => {
  it("reads every page (Marker) with the source-account tag filter and acts on snapshots from all pages", async () => {
    const page1 = [ours("rsdr-sales-prod-20261126t0000z", ago(12 * HOUR), { accounts: [DR1] })];
    const page2 = [ours("rsdr-sales-prod-20261125t1200z", ago(24 * HOUR))]; // not yet shared
    const page3 = [
      ours("rsdr-sales-prod-20261125t0000z", ago(36 * HOUR), { accounts: [DR1] }),
      ours("rsdr-sales-prod-20261110t0000z", ago(16 * DAY), { accounts: [DR1] }), // expired, beyond keepLatest
    ];
    redshiftMock
      .on(DescribeClusterSnapshotsCommand)
      .resolvesOnce({ Snapshots: page1, Marker: "m1" })
      .resolvesOnce({ Snapshots: page2, Marker: "m2" })
      .resolves({ Snapshots: page3 });

    const report = await run();

    expect(redshiftMock).toHaveReceivedCommandTimes(DescribeClusterSnapshotsCommand, 3);
    const base = { ClusterIdentifier: "sales-prod", SnapshotType: "manual", TagKeys: ["managed-by"], TagValues: [MANAGED_BY], MaxRecords: 100 };
    expect(redshiftMock).toHaveReceivedNthCommandWith(1, DescribeClusterSnapshotsCommand, { ...base, Marker: undefined });
    expect(redshiftMock).toHaveReceivedNthCommandWith(2, DescribeClusterSnapshotsCommand, { ...base, Marker: "m1" });
    expect(redshiftMock).toHaveReceivedNthCommandWith(3, DescribeClusterSnapshotsCommand, { ...base, Marker: "m2" });
    const c = report.clusters[0];
    expect(c.shared).toEqual([{ snapshotId: "rsdr-sales-prod-20261125t1200z", accountId: DR1 }]);
    expect(c.revoked).toEqual([{ snapshotId: "rsdr-sales-prod-20261110t0000z", accountId: DR1 }]);
    expect(c.deleted).toEqual(["rsdr-sales-prod-20261110t0000z"]);
  });
});

describe("reconcile: waiting for the new snapshot within the time left", () => {
  it("a snapshot stuck in `creating` is not shared and is not a failure when the waiter times out", async () => {
    listing({}, (id) => (id === WINDOW_ID ? [ours(WINDOW_ID, NOW, { status: "creating" })] : []));
    const started = Date.now();
    // 60.3 s left, 60 s margin: 0.3 s of waiting
    const report = await run({}, { remainingTimeMs: () => 60_300 });
    const elapsed = Date.now() - started;

    const c = report.clusters[0];
    expect(c).toMatchObject({ failed: false, wait: "timed-out", pendingAvailability: WINDOW_ID, shared: [] });
    expect(c.notes.join(" ")).toMatch(/still being created/);
    expect(redshiftMock).not.toHaveReceivedCommand(AuthorizeSnapshotAccessCommand);
    expect(redshiftMock).toHaveReceivedCommandWith(DescribeClusterSnapshotsCommand, { SnapshotIdentifier: WINDOW_ID });
    expect(elapsed).toBeLessThan(2000);
    expect(snsMock).not.toHaveReceivedCommand(PublishCommand);
  });

  it("waits for up to 25 new snapshots at once, whatever the API concurrency (waiting is idle; 4 at a time would leave most to the event)", async () => {
    const clusters = Array.from({ length: 30 }, (_, i) => `dw-${i}`);
    const polls = new Map<string, number>();
    let firstPollsBeforeAnySecond = 0;
    redshiftMock.on(DescribeClusterSnapshotsCommand).callsFake((input: DescribeClusterSnapshotsCommandInput) => {
      if (!input.SnapshotIdentifier) return { Snapshots: [] };
      const n = (polls.get(input.SnapshotIdentifier) ?? 0) + 1;
      polls.set(input.SnapshotIdentifier, n);
      if (n === 1 && ![...polls.values()].some((p) => p > 1)) firstPollsBeforeAnySecond++;
      const cluster = input.ClusterIdentifier!;
      return { Snapshots: [ours(input.SnapshotIdentifier, ago(60_000), { cluster, status: n < 2 ? "creating" : "available" })] };
    });
    const report = await run({ clusterIdentifiers: clusters, concurrency: 4 }, { remainingTimeMs: () => 120_000 });
    expect(report.clusters.every((c) => c.wait === "available" && c.shared.length === 1)).toBe(true);
    // 25 waits started before any of them polled a second time: the waits ran side by side, not 4 at a time.
    expect(firstPollsBeforeAnySecond).toBe(25);
    expect(polls.size).toBe(30);
  });

  it("shares the new snapshot in the same run when it becomes available in time", async () => {
    let polls = 0;
    const createdAt = ago(60_000);
    listing({}, () => [ours(WINDOW_ID, createdAt, { status: ++polls < 3 ? "creating" : "available" })]);
    const report = await run({ drAccountIds: [DR1, DR2] }, { remainingTimeMs: () => 65_000 });
    const c = report.clusters[0];
    expect(c).toMatchObject({ wait: "available", pendingAvailability: null, failed: false });
    expect(c.shared).toEqual([
      { snapshotId: WINDOW_ID, accountId: DR1 },
      { snapshotId: WINDOW_ID, accountId: DR2 },
    ]);
    expect(c.newestSharedSnapshotId).toBe(WINDOW_ID);
    expect(c.newestSharedSnapshotAgeHours).toBeCloseTo(1 / 60, 5);
    expect(polls).toBe(3);
  });

  it("does not wait at all when the time left is within the margin", async () => {
    const report = await run({ waitMarginSeconds: 60 }, { remainingTimeMs: () => 59_000 });
    expect(report.clusters[0]).toMatchObject({ wait: "no-time", failed: false });
    expect(callsOf(DescribeClusterSnapshotsCommand).filter((i) => i.SnapshotIdentifier)).toHaveLength(0);
  });

  it("reports a snapshot that ends `failed` as a failure", async () => {
    listing({}, () => [ours(WINDOW_ID, NOW, { status: "failed" })]);
    const report = await run({}, { remainingTimeMs: () => 61_000 });
    expect(report.clusters[0]).toMatchObject({ failed: true, wait: "failed", errors: [{ step: "wait", kind: "invalid-state" }] });
  });
});

describe("reconcile: sharing", () => {
  it("shares only available snapshots, only with DR accounts that lack access", async () => {
    listing({
      "sales-prod": [
        ours("rsdr-sales-prod-20261126t0000z", ago(12 * HOUR), { accounts: [DR1] }),
        ours("rsdr-sales-prod-20261125t1200z", ago(24 * HOUR), { status: "creating" }),
        ours("rsdr-sales-prod-20261125t0000z", ago(36 * HOUR), { accounts: [DR1, DR2] }),
      ],
    });
    const report = await run({ drAccountIds: [DR1, DR2] });
    expect(callsOf(AuthorizeSnapshotAccessCommand)).toEqual([
      { SnapshotIdentifier: "rsdr-sales-prod-20261126t0000z", SnapshotClusterIdentifier: "sales-prod", AccountWithRestoreAccess: DR2 },
    ]);
    expect(report.clusters[0].newestSharedSnapshotId).toBe("rsdr-sales-prod-20261126t0000z");
  });

  it("treats AuthorizationAlreadyExists (an overlapping run shared it) as success", async () => {
    listing({ "sales-prod": [ours("rsdr-sales-prod-20261126t0000z", ago(12 * HOUR))] });
    redshiftMock.on(AuthorizeSnapshotAccessCommand).rejects(new AuthorizationAlreadyExistsFault({ message: "exists", $metadata: {} }));
    const report = await run();
    expect(report.clusters[0]).toMatchObject({ failed: false, newestSharedSnapshotId: "rsdr-sales-prod-20261126t0000z" });
  });

  it("refuses to exceed 20 accounts per snapshot, shares with none of them, and alerts naming the limit", async () => {
    const foreign = Array.from({ length: 19 }, (_, i) => String(900000000000 + i));
    listing({ "sales-prod": [ours("rsdr-sales-prod-20261126t0000z", ago(12 * HOUR), { accounts: foreign })] });
    const report = await run({ drAccountIds: [DR1, DR2] });
    expect(redshiftMock).not.toHaveReceivedCommand(AuthorizeSnapshotAccessCommand);
    const c = report.clusters[0];
    expect(c).toMatchObject({ failed: true, errors: [{ step: "share", kind: "share-limit", snapshotId: "rsdr-sales-prod-20261126t0000z" }] });
    expect(c.error).toMatch(/would exceed the Redshift limit of 20 accounts per snapshot/);
    expect(snsMock).toHaveReceivedCommandTimes(PublishCommand, 1);
    const message = snsMock.commandCalls(PublishCommand)[0].args[0].input.Message!;
    expect(message).toMatch(/quota: accounts authorized per snapshot \(20\)/);
  });

  it("shares up to exactly 20 accounts", async () => {
    const foreign = Array.from({ length: 18 }, (_, i) => String(900000000000 + i));
    listing({ "sales-prod": [ours("rsdr-sales-prod-20261126t0000z", ago(12 * HOUR), { accounts: foreign })] });
    const report = await run({ drAccountIds: [DR1, DR2] });
    expect(redshiftMock).toHaveReceivedCommandTimes(AuthorizeSnapshotAccessCommand, 2);
    expect(report.clusters[0].failed).toBe(false);
  });
});

describe("reconcile: the shared set stays bounded (100 authorizations per KMS key)", () => {
  /** Redshift calls that change something, in order, as "Command id account". */
  const changes = () =>
    redshiftMock
      .calls()
      .map((c) => c.args[0] as { constructor: { name: string }; input: { SnapshotIdentifier?: string; AccountWithRestoreAccess?: string } })
      .filter((c) => !c.constructor.name.startsWith("Describe"))
      .map((c) => `${c.constructor.name.replace(/Command$/, "")} ${c.input.SnapshotIdentifier} ${c.input.AccountWithRestoreAccess ?? ""}`.trim());

  const week = [0, 1, 2, 3, 4].map((d) => `rsdr-sales-prod-202611${String(26 - d).padStart(2, "0")}t0000z`);

  it("shares the newest first, then revokes the DR account from kept snapshots beyond the newest shareLatest, deleting none", async () => {
    listing({
      "sales-prod": [
        ours(week[0], ago(12 * HOUR)), // newest, not shared yet
        ours(week[1], ago(36 * HOUR)), // second newest, not shared (a missed share)
        ...week.slice(2).map((id, i) => ours(id, ago((60 + 24 * i) * HOUR), { accounts: [DR1] })),
      ],
    });
    const report = await run({ shareLatest: 2, keepLatest: 3, retentionDays: 7 });
    expect(changes()).toEqual([
      `CreateClusterSnapshot ${WINDOW_ID}`,
      `AuthorizeSnapshotAccess ${week[0]} ${DR1}`,
      `RevokeSnapshotAccess ${week[2]} ${DR1}`,
      `RevokeSnapshotAccess ${week[3]} ${DR1}`,
      `RevokeSnapshotAccess ${week[4]} ${DR1}`,
      `AuthorizeSnapshotAccess ${week[1]} ${DR1}`,
    ]);
    const c = report.clusters[0];
    expect(c).toMatchObject({ failed: false, deleted: [], revoked: [], newestSharedSnapshotId: week[0] });
    expect(c.unshared.map((a) => a.snapshotId)).toEqual(week.slice(2));
  });

  it("revokes only the configured DR accounts from an older kept snapshot, and notes any other account", async () => {
    const other = "555555555555";
    listing({
      "sales-prod": [ours(week[0], ago(12 * HOUR), { accounts: [DR1] }), ours(week[1], ago(36 * HOUR), { accounts: [DR1, other] })],
    });
    const report = await run({ shareLatest: 1 });
    expect(changes()).toEqual([`CreateClusterSnapshot ${WINDOW_ID}`, `RevokeSnapshotAccess ${week[1]} ${DR1}`]);
    expect(report.clusters[0].notes.join("\n")).toContain(`${week[1]} stays authorized for ${other}`);
  });

  it("when the key's limit refuses the newest share, revokes older shares first and shares the newest after", async () => {
    listing({
      "sales-prod": [ours(week[0], ago(12 * HOUR)), ...week.slice(1, 4).map((id, i) => ours(id, ago((36 + 24 * i) * HOUR), { accounts: [DR1] }))],
    });
    redshiftMock
      .on(AuthorizeSnapshotAccessCommand)
      .rejectsOnce(new RedshiftServiceException({ name: "LimitExceededFault", $fault: "client", message: "The encryption key has exceeded its grant limit in AWS KMS.", $metadata: {} }))
      .resolves({});
    const report = await run({ shareLatest: 2 });
    expect(changes()).toEqual([
      `CreateClusterSnapshot ${WINDOW_ID}`,
      `AuthorizeSnapshotAccess ${week[0]} ${DR1}`,
      `RevokeSnapshotAccess ${week[2]} ${DR1}`,
      `RevokeSnapshotAccess ${week[3]} ${DR1}`,
      `AuthorizeSnapshotAccess ${week[0]} ${DR1}`,
    ]);
    expect(report.clusters[0]).toMatchObject({ failed: false, newestSharedSnapshotId: week[0] });
  });

  it("reports the limit, naming it, when even after revoking the newest cannot be shared", async () => {
    listing({ "sales-prod": [ours(week[0], ago(12 * HOUR)), ours(week[1], ago(36 * HOUR), { accounts: [DR1] })] });
    redshiftMock
      .on(AuthorizeSnapshotAccessCommand)
      .rejects(new RedshiftServiceException({ name: "LimitExceededFault", $fault: "client", message: "The encryption key has exceeded its grant limit in AWS KMS.", $metadata: {} }));
    const report = await run({ shareLatest: 1 });
    const c = report.clusters[0];
    expect(c.errors).toEqual([expect.objectContaining({ step: "share", kind: "quota", code: "LimitExceeded", snapshotId: week[0] })]);
    expect(c.error).toMatch(/share authorizations per KMS key \(100\)/);
    expect(c.unshared).toEqual([{ snapshotId: week[1], accountId: DR1 }]);
  });

  it("in a dry run reports what it would unshare and calls nothing", async () => {
    listing({ "sales-prod": week.map((id, i) => ours(id, ago((12 + 24 * i) * HOUR), { accounts: [DR1] })) });
    const report = await run({ shareLatest: 2, dryRun: true });
    expect(changes()).toEqual([]);
    expect(report.clusters[0].unshared.map((a) => a.snapshotId)).toEqual(week.slice(2));
  });
});

describe("reconcile: retention", () => {
  it("revokes every authorization of an expired shared snapshot BEFORE deleting it", async () => {
    const old = ours("rsdr-sales-prod-20261101t0000z", ago(25 * DAY), { accounts: [DR1, DR2, "444444444444"] });
    listing({
      "sales-prod": [
        ours("rsdr-sales-prod-20261126t0000z", ago(12 * HOUR), { accounts: [DR1, DR2] }),
        ours("rsdr-sales-prod-20261125t1200z", ago(24 * HOUR), { accounts: [DR1, DR2] }),
        ours("rsdr-sales-prod-20261125t0000z", ago(36 * HOUR), { accounts: [DR1, DR2] }),
        old,
      ],
    });
    const report = await run({ drAccountIds: [DR1, DR2] });

    const sequence = redshiftMock
      .calls()
      .map((c) => c.args[0] as { constructor: { name: string }; input: { SnapshotIdentifier?: string; AccountWithRestoreAccess?: string } })
      .filter((c) => c.input.SnapshotIdentifier === old.SnapshotIdentifier)
      .map((c) => `${c.constructor.name.replace("Command", "")}:${c.input.AccountWithRestoreAccess ?? ""}`);
    expect(sequence).toEqual([
      `RevokeSnapshotAccess:${DR1}`,
      `RevokeSnapshotAccess:${DR2}`,
      "RevokeSnapshotAccess:444444444444",
      "DeleteClusterSnapshot:",
    ]);
    expect(redshiftMock).toHaveReceivedCommandWith(DeleteClusterSnapshotCommand, {
      SnapshotIdentifier: old.SnapshotIdentifier,
      SnapshotClusterIdentifier: "sales-prod",
    });
    expect(report.clusters[0].deleted).toEqual([old.SnapshotIdentifier]);
    // an expired snapshot is not shared again before it goes
    expect(callsOf(AuthorizeSnapshotAccessCommand).filter((i) => i.SnapshotIdentifier === old.SnapshotIdentifier)).toEqual([]);
  });

  it("does not delete when a revoke fails, nor when Redshift still reports an authorization", async () => {
    const a = ours("rsdr-sales-prod-20261101t0000z", ago(25 * DAY), { accounts: [DR1] });
    const b = ours("rsdr-sales-prod-20261102t0000z", ago(24 * DAY), { accounts: [DR1] });
    listing({ "sales-prod": [a, b, ...[1, 2, 3].map((h) => ours(`rsdr-sales-prod-2026112${h}t0000z`, ago((6 - h) * DAY), { accounts: [DR1] }))] });
    redshiftMock
      .on(RevokeSnapshotAccessCommand, { SnapshotIdentifier: a.SnapshotIdentifier })
      .rejects(Object.assign(new Error("not allowed"), { name: "AccessDenied" }));
    redshiftMock
      .on(RevokeSnapshotAccessCommand, { SnapshotIdentifier: b.SnapshotIdentifier })
      .resolves({ Snapshot: { ...b, AccountsWithRestoreAccess: [{ AccountId: "555555555555" }] } });
    const report = await run();
    expect(redshiftMock).not.toHaveReceivedCommand(DeleteClusterSnapshotCommand);
    const c = report.clusters[0];
    expect(c.failed).toBe(true);
    expect(c.errors.map((e) => [e.step, e.kind, e.snapshotId])).toEqual([
      ["revoke", "access-denied", a.SnapshotIdentifier],
      ["revoke", "invalid-state", b.SnapshotIdentifier],
    ]);
    expect(c.error).toMatch(/still authorized for 555555555555/);
  });

  it("keeps the newest keepLatest available snapshots even when all are expired", async () => {
    const ids = [20, 19, 18, 17, 16].map((d) => ours(`rsdr-sales-prod-202611${String(26 - d).padStart(2, "0")}t0000z`, ago(d * DAY), { accounts: [DR1] }));
    listing({ "sales-prod": ids });
    const report = await run({ keepLatest: 3, retentionDays: 7 });
    const c = report.clusters[0];
    expect(c.keptAsNewest).toEqual([ids[4], ids[3], ids[2]].map((s) => s.SnapshotIdentifier));
    expect(c.deleted).toEqual([ids[0].SnapshotIdentifier, ids[1].SnapshotIdentifier]);
    expect(callsOf(DeleteClusterSnapshotCommand).map((i) => i.SnapshotIdentifier)).toEqual(c.deleted);
    expect(c.newestSharedSnapshotAgeHours).toBeCloseTo(16 * 24, 3);
  });

  it("counts only available snapshots toward keepLatest and never deletes one still creating", async () => {
    const creatingOld = ours("rsdr-sales-prod-20261101t0000z", ago(25 * DAY), { status: "creating" });
    const avail = [10, 11, 12, 13].map((d) => ours(`rsdr-sales-prod-202611${String(26 - d).padStart(2, "0")}t0000z`, ago(d * DAY)));
    listing({ "sales-prod": [creatingOld, ...avail] });
    const report = await run({ keepLatest: 3 });
    expect(report.clusters[0].deleted).toEqual([avail[3].SnapshotIdentifier]);
    expect(callsOf(DeleteClusterSnapshotCommand).map((i) => i.SnapshotIdentifier)).not.toContain(creatingOld.SnapshotIdentifier);
  });

  it("never touches snapshots that are not ours: no tag, other managed-by, other cluster tag, automated, AWS Backup's", async () => {
    const old = ago(30 * DAY);
    const noTag: Snapshot = { ...ours("hand-made-1", old, { accounts: [DR1] }), Tags: [] };
    const otherManager = ours("other-tool-1", old, { managedBy: "someone-else", accounts: [DR1] });
    const otherCluster: Snapshot = {
      ...ours("rsdr-sales-prod-20261001t0000z", old),
      Tags: [
        { Key: "managed-by", Value: MANAGED_BY },
        { Key: "rsdr:cluster", Value: "sales-dev" },
      ],
    };
    const automated: Snapshot = { ...ours("rs:sales-prod-2026-10-01-00-00", old), SnapshotType: "automated" };
    // AWS Backup's recovery points of the same cluster are manual snapshots named awsbackup:job-..., with the
    // tags AWS Backup copies from the cluster (which may include ours): never the manager's to delete.
    const awsBackup: Snapshot = { ...ours("awsbackup:job-ab12cd3e-4567-890f-ab12-cd34ef567890", old), SnapshotType: "manual" };
    listing({ "sales-prod": [noTag, otherManager, otherCluster, automated, awsBackup] });
    const report = await run({ keepLatest: 1, retentionDays: 1 });

    const touched = [
      ...callsOf(AuthorizeSnapshotAccessCommand),
      ...callsOf(RevokeSnapshotAccessCommand),
      ...callsOf(DeleteClusterSnapshotCommand),
    ].map((i) => i.SnapshotIdentifier);
    expect(touched).toEqual([]);
    expect(report.clusters[0]).toMatchObject({ shared: [], revoked: [], deleted: [], keptAsNewest: [], newestSharedSnapshotAgeHours: null });
  });
});

describe("reconcile: dry run", () => {
  it("reports what it would create, share, revoke and delete and changes nothing", async () => {
    listing({
      "sales-prod": [
        ours("rsdr-sales-prod-20261126t0000z", ago(12 * HOUR)),
        ours("rsdr-sales-prod-20261125t1200z", ago(24 * HOUR), { accounts: [DR1] }),
        ours("rsdr-sales-prod-20261125t0000z", ago(36 * HOUR), { accounts: [DR1] }),
        ours("rsdr-sales-prod-20261101t0000z", ago(25 * DAY), { accounts: [DR1] }),
      ],
    });
    const report = await run({ dryRun: true }, { remainingTimeMs: () => 900_000 });
    for (const cmd of [CreateClusterSnapshotCommand, AuthorizeSnapshotAccessCommand, RevokeSnapshotAccessCommand, DeleteClusterSnapshotCommand]) {
      expect(redshiftMock).not.toHaveReceivedCommand(cmd as never);
    }
    expect(metrics.points).toEqual([]);
    expect(snsMock).not.toHaveReceivedAnyCommand();
    const c = report.clusters[0];
    expect(c).toMatchObject({
      dryRun: true,
      created: [WINDOW_ID],
      shared: [{ snapshotId: "rsdr-sales-prod-20261126t0000z", accountId: DR1 }],
      revoked: [{ snapshotId: "rsdr-sales-prod-20261101t0000z", accountId: DR1 }],
      deleted: ["rsdr-sales-prod-20261101t0000z"],
      wait: "not-needed",
    });
    // the reported age is the real one (the would-be share did not happen)
    expect(c.newestSharedSnapshotId).toBe("rsdr-sales-prod-20261125t1200z");
    expect(report.metrics).toBe("skipped");
  });
});

describe("reconcile: several clusters, errors by kind, reporting", () => {
  const three = { clusterIdentifiers: ["c-one", "c-two", "c-three"] };

  it("one failing cluster does not stop the others; one SNS message names it; metrics per cluster", async () => {
    listing({ "c-one": [ours("rsdr-c-one-20261126t0000z", ago(12 * HOUR), { cluster: "c-one", accounts: [DR1] })] });
    redshiftMock
      .on(CreateClusterSnapshotCommand, { ClusterIdentifier: "c-two" })
      .rejects(new ClusterNotFoundFault({ message: "Cluster c-two not found.", $metadata: {} }));
    const report = await run(three);

    expect(report.failedClusters).toEqual(["c-two"]);
    expect(callsOf(CreateClusterSnapshotCommand).map((i) => i.ClusterIdentifier).sort()).toEqual(["c-one", "c-three", "c-two"]);
    expect(report.clusters.find((c) => c.clusterIdentifier === "c-one")).toMatchObject({ failed: false, created: ["rsdr-c-one-20261126t1200z"] });
    expect(report.clusters.find((c) => c.clusterIdentifier === "c-three")).toMatchObject({ failed: false, created: ["rsdr-c-three-20261126t1200z"] });
    expect(report.clusters.find((c) => c.clusterIdentifier === "c-two")).toMatchObject({
      failed: true,
      errors: [{ step: "create", kind: "cluster-not-found", code: "ClusterNotFound" }],
    });

    expect(snsMock).toHaveReceivedCommandTimes(PublishCommand, 1);
    const publish = snsMock.commandCalls(PublishCommand)[0].args[0].input;
    expect(publish.TopicArn).toBe(TOPIC);
    expect(publish.Subject).toBe("Redshift snapshot manager: 1 of 3 failed");
    expect(publish.Message).toMatch(/cluster c-two:\n {2}- create \(rsdr-c-two-20261126t1200z\): cluster-not-found\/ClusterNotFound: Cluster c-two not found\./);
    expect(publish.Message).not.toMatch(/cluster c-one/);

    const value = (cluster: string, name: string) =>
      metrics.points.find((p) => p.name === name && p.dimensions.ClusterIdentifier === cluster)?.value;
    expect(value("c-two", "ClusterFailures")).toBe(1);
    expect(value("c-one", "ClusterFailures")).toBe(0);
    expect(value("c-one", "SnapshotsCreated")).toBe(1);
    expect(value("c-one", "SnapshotsShared")).toBe(0);
    expect(value("c-one", "SnapshotsDeleted")).toBe(0);
    expect(value("c-one", "NewestSharedSnapshotAgeHours")).toBeCloseTo(12, 5);
    // nothing shared for c-three: no age datum (the alarm treats missing data as breaching)
    expect(value("c-three", "NewestSharedSnapshotAgeHours")).toBeUndefined();
    // exactly the dimension the alarms select by
    expect(metrics.points.every((p) => JSON.stringify(Object.keys(p.dimensions)) === '["ClusterIdentifier"]')).toBe(true);

    const lines = rt.log.entries.filter((e) => e.event === "cluster-reconciled");
    expect(lines.map((l) => [l.clusterIdentifier, l.level])).toEqual([
      ["c-one", "info"],
      ["c-two", "error"],
      ["c-three", "info"],
    ]);
  });

  it("a listing failure for one cluster is reported, the others still run", async () => {
    redshiftMock.on(DescribeClusterSnapshotsCommand).callsFake((input: DescribeClusterSnapshotsCommandInput) => {
      if (input.ClusterIdentifier === "c-one") throw Object.assign(new Error("User is not authorized"), { name: "AccessDenied" });
      return { Snapshots: [] };
    });
    const report = await run(three);
    expect(report.failedClusters).toEqual(["c-one"]);
    expect(report.clusters[0]).toMatchObject({ errors: [{ step: "list", kind: "access-denied" }] });
    expect(callsOf(CreateClusterSnapshotCommand).map((i) => i.ClusterIdentifier)).toEqual(["c-two", "c-three"]);
  });

  it("a quota error is reported as such (the alert names the quota) and retention still runs", async () => {
    const expired = ours("rsdr-sales-prod-20261101t0000z", ago(25 * DAY));
    listing({ "sales-prod": [expired, ...[1, 2, 3].map((d) => ours(`rsdr-sales-prod-2026112${d}t0000z`, ago((6 - d) * DAY), { accounts: [DR1] }))] });
    redshiftMock
      .on(CreateClusterSnapshotCommand)
      .rejects(new ClusterSnapshotQuotaExceededFault({ message: "exceeding the allowed number of cluster snapshots", $metadata: {} }));
    const report = await run();
    const c = report.clusters[0];
    expect(c.errors).toEqual([
      expect.objectContaining({ step: "create", kind: "quota", code: "ClusterSnapshotQuotaExceeded", quota: expect.stringMatching(/manual snapshots per account and region/) }),
    ]);
    expect(c.deleted).toEqual([expired.SnapshotIdentifier]);
    const message = snsMock.commandCalls(PublishCommand)[0].args[0].input.Message!;
    expect(message).toMatch(/\[quota: manual snapshots per account and region/);
  });

  it("reports a failed alert or metrics publication instead of hiding it", async () => {
    const report = await run({}, {
      metrics: () => {
        throw new RangeError("too many metrics");
      },
    });
    expect(report.metrics).toBe("failed");
    expect(report.reportingErrors).toEqual(["metrics: too many metrics"]);
    listing({}, () => []);
    redshiftMock.on(CreateClusterSnapshotCommand).rejects(new ClusterNotFoundFault({ message: "gone", $metadata: {} }));
    snsMock.on(PublishCommand).rejects(Object.assign(new Error("denied"), { name: "AuthorizationError" }));
    const failed = await run();
    expect(failed.alert).toBe("failed");
    expect(failed.reportingErrors).toEqual(["SNS Publish: denied"]);
  });

  it("refuses invalid settings before calling AWS", async () => {
    await expect(reconcile(deps(), { ...settings(), drAccountIds: ["12345"] })).rejects.toThrow(/drAccountIds\[0\]: "12345" is not an AWS account id/);
    expect(redshiftMock).not.toHaveReceivedAnyCommand();
  });
});
