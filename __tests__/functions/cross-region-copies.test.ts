// The snapshot manager's cross-region copies (functions/lib/copies.ts): two clients, each mocked on its own
// (aws-sdk-client-mock on the instance), the source region's and the copy region's, so every call is known to go
// to the region it must.
import "aws-sdk-client-mock-jest";
import { mockClient } from "aws-sdk-client-mock";
import {
  AuthorizeSnapshotAccessCommand,
  CreateClusterSnapshotCommand,
  DeleteClusterSnapshotCommand,
  DescribeClusterSnapshotsCommand,
  RedshiftClient,
  RevokeSnapshotAccessCommand,
  type DescribeClusterSnapshotsCommandInput,
  type Snapshot,
  type Tag,
} from "@aws-sdk/client-redshift";
import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import { snapshotManagerSettingsFromEnv } from "../../functions/lib/environment";
import { memorySink, type MetricPoint, type MetricsSink } from "../../functions/lib/metrics";
import { reconcile, type ReconcileDeps } from "../../functions/lib/reconcile";
import { SettingsError, type SnapshotManagerSettings } from "../../functions/lib/settings";
import { copyRegionClient } from "../../functions/snapshot-manager/handler";
import { DAY, DR1, DR2, HOUR, MANAGED_BY, MANAGER_ENV, settings, SOURCE, testRuntime, type TestDeps } from "./helpers";

const SOURCE_REGION = "eu-west-1";
const COPY_REGION = "eu-central-1";
const credentials = { accessKeyId: "test", secretAccessKey: "test" };
const sourceClient = new RedshiftClient({ region: SOURCE_REGION, credentials });
const copyClient = new RedshiftClient({ region: COPY_REGION, credentials });
const sourceMock = mockClient(sourceClient);
const copyMock = mockClient(copyClient);
const snsMock = mockClient(SNSClient);

const NOW = new Date("2026-11-26T12:05:00Z");
const ago = (ms: number) => new Date(NOW.getTime() - ms);
/** Window ids of sales-prod, newest first: 26th, 25th, ... at 00:00. */
const days = (n: number) => Array.from({ length: n }, (_, d) => `rsdr-sales-prod-202611${String(26 - d).padStart(2, "0")}t0000z`);

let rt: TestDeps;
let metrics: MetricsSink & { points: MetricPoint[] };

/**
 * A copy as Redshift lists it in the copy region: our id, the cluster, `SourceRegion`, and NO tags (nothing
 * documents that tags are copied).
 */
function copyOf(
  id: string,
  createdAt: Date,
  opts: { cluster?: string; status?: string; accounts?: string[]; sourceRegion?: string | null; tags?: Tag[]; type?: string } = {},
): Snapshot {
  return {
    SnapshotIdentifier: id,
    ClusterIdentifier: opts.cluster ?? "sales-prod",
    SnapshotType: opts.type ?? "manual",
    Status: opts.status ?? "available",
    SnapshotCreateTime: createdAt,
    OwnerAccount: SOURCE,
    ...(opts.sourceRegion === null ? {} : { SourceRegion: opts.sourceRegion ?? SOURCE_REGION }),
    AccountsWithRestoreAccess: (opts.accounts ?? []).map((AccountId) => ({ AccountId })),
    ...(opts.tags ? { Tags: opts.tags } : {}),
  };
}

/** The copy region's listing, per cluster. */
function copies(byCluster: Record<string, Snapshot[]>): void {
  copyMock
    .on(DescribeClusterSnapshotsCommand)
    .callsFake((input: DescribeClusterSnapshotsCommandInput) => ({ Snapshots: byCluster[input.ClusterIdentifier ?? ""] ?? [] }));
}

/** Calls that change something in one region, in order, as "Command id account". */
const changes = (mock: typeof copyMock) =>
  mock
    .calls()
    .map((c) => c.args[0] as { constructor: { name: string }; input: { SnapshotIdentifier?: string; AccountWithRestoreAccess?: string } })
    .filter((c) => !c.constructor.name.startsWith("Describe"))
    .map((c) => `${c.constructor.name.replace(/Command$/, "")} ${c.input.SnapshotIdentifier} ${c.input.AccountWithRestoreAccess ?? ""}`.trim());

beforeEach(() => {
  for (const m of [sourceMock, copyMock]) {
    m.reset();
    m.on(DescribeClusterSnapshotsCommand).resolves({ Snapshots: [] });
    m.on(CreateClusterSnapshotCommand).resolves({});
    m.on(AuthorizeSnapshotAccessCommand).resolves({});
    m.on(RevokeSnapshotAccessCommand).resolves({});
    m.on(DeleteClusterSnapshotCommand).resolves({});
  }
  snsMock.reset();
  snsMock.on(PublishCommand).resolves({ MessageId: "m" });
  rt = testRuntime();
  metrics = memorySink();
});

function deps(over: Partial<ReconcileDeps> = {}): ReconcileDeps {
  return { redshift: sourceClient, copyRedshift: copyClient, sns: new SNSClient({ region: SOURCE_REGION }), metrics, clock: { now: () => NOW }, log: rt.log, ...over };
}

const run = (s: Partial<SnapshotManagerSettings> = {}, d: Partial<ReconcileDeps> = {}) => reconcile(deps(d), settings({ copyRegion: COPY_REGION, ...s }));

describe("reconcile with a copy region: which copies are ours", () => {
  it("lists the cluster's manual snapshots in the copy region without a tag filter, every page", async () => {
    copyMock
      .on(DescribeClusterSnapshotsCommand)
      .resolvesOnce({ Snapshots: [copyOf(days(2)[1], ago(36 * HOUR))], Marker: "m1" })
      .resolves({ Snapshots: [copyOf(days(1)[0], ago(12 * HOUR))] });
    const report = await run({ createSnapshots: false });
    expect(copyMock.commandCalls(DescribeClusterSnapshotsCommand).map((c) => c.args[0].input)).toEqual([
      { ClusterIdentifier: "sales-prod", SnapshotType: "manual", MaxRecords: 100, Marker: undefined },
      { ClusterIdentifier: "sales-prod", SnapshotType: "manual", MaxRecords: 100, Marker: "m1" },
    ]);
    // both pages acted on: the newest copy (page 2) and the older one (page 1) are shared, newest first
    expect(report.clusters[0].copies?.shared).toEqual([
      { snapshotId: days(1)[0], accountId: DR1 },
      { snapshotId: days(2)[1], accountId: DR1 },
    ]);
  });

  it("shares only our copies: not one without SourceRegion, a foreign id, another cluster's, another deployment's, or one not yet available", async () => {
    const [newest, second, third] = days(3);
    copies({
      "sales-prod": [
        copyOf(third, ago(60 * HOUR)), // ours, no tags at all
        copyOf(second, ago(36 * HOUR), { tags: [{ Key: "managed-by", Value: MANAGED_BY }] }), // ours, our tag visible
        copyOf(newest, ago(12 * HOUR), { status: "creating" }), // ours, still being copied
        copyOf("rsdr-sales-prod-20261126t0600z", ago(6 * HOUR), { sourceRegion: null }), // taken in this region
        copyOf("hand-made-copy", ago(5 * HOUR)), // not our id
        copyOf("other-sales-prod-20261126t0600z", ago(5 * HOUR)), // another prefix
        copyOf("rsdr-hr-prod-20261126t0600z", ago(5 * HOUR), { cluster: "sales-prod" }), // another cluster's id
        copyOf("rsdr-sales-prod-20261126t0700z", ago(5 * HOUR), { tags: [{ Key: "managed-by", Value: "someone-else" }] }),
        copyOf("rsdr-sales-prod-20261126t0800z", ago(4 * HOUR), { tags: [{ Key: "rsdr:cluster", Value: "hr-prod" }] }),
        copyOf("rsdr-sales-prod-20261126t0900z", ago(3 * HOUR), { type: "automated" }),
      ],
    });
    const report = await run({ createSnapshots: false, shareLatest: 5 });
    expect(changes(copyMock)).toEqual([`AuthorizeSnapshotAccess ${second} ${DR1}`, `AuthorizeSnapshotAccess ${third} ${DR1}`]);
    const c = report.clusters[0];
    expect(c.copies).toMatchObject({ region: COPY_REGION, newestSharedCopyId: second, unshared: [] });
    expect(c.copies?.notes).toEqual([`copy ${newest} is creating, not available: not shared`]);
    expect(c.failed).toBe(false);
  });
});

describe("reconcile with a copy region: bounded sharing, nothing deleted", () => {
  it("shares the newest copy first, unshares copies beyond shareLatest, and deletes no copy however old", async () => {
    const ids = days(5);
    copies({
      "sales-prod": [
        copyOf(ids[0], ago(12 * HOUR)), // newest, not shared yet
        copyOf(ids[1], ago(36 * HOUR)), // second, not shared
        copyOf(ids[2], ago(60 * HOUR), { accounts: [DR1] }),
        copyOf(ids[3], ago(30 * DAY), { accounts: [DR1] }), // far past retentionDays: still never deleted
        copyOf(ids[4], ago(40 * DAY), { accounts: [DR1, "555555555555"] }),
      ],
    });
    const report = await run({ shareLatest: 2, retentionDays: 7, keepLatest: 1 });
    expect(changes(copyMock)).toEqual([
      `AuthorizeSnapshotAccess ${ids[0]} ${DR1}`,
      `RevokeSnapshotAccess ${ids[2]} ${DR1}`,
      `RevokeSnapshotAccess ${ids[3]} ${DR1}`,
      `RevokeSnapshotAccess ${ids[4]} ${DR1}`,
      `AuthorizeSnapshotAccess ${ids[1]} ${DR1}`,
    ]);
    expect(copyMock).not.toHaveReceivedCommand(DeleteClusterSnapshotCommand);
    // The source region got its own work, and none of the copy region's.
    expect(changes(sourceMock)).toEqual(["CreateClusterSnapshot rsdr-sales-prod-20261126t1200z"]);
    const c = report.clusters[0];
    expect(c.copies).toEqual({
      region: COPY_REGION,
      shared: [
        { snapshotId: ids[0], accountId: DR1 },
        { snapshotId: ids[1], accountId: DR1 },
      ],
      unshared: [2, 3, 4].map((i) => ({ snapshotId: ids[i], accountId: DR1 })),
      newestSharedCopyId: ids[0],
      newestSharedCopyAgeHours: 12,
      notes: [`${ids[4]} stays authorized for 555555555555 (not a configured DR account; not revoked)`],
    });
    // The source snapshots' own fields are untouched by the copies.
    expect(c).toMatchObject({ shared: [], unshared: [], deleted: [], failed: false });
  });

  it("publishes NewestSharedCopyAgeHours with the cluster dimension, and none when no copy is shared", async () => {
    copies({ "sales-prod": [copyOf(days(1)[0], ago(12 * HOUR), { accounts: [DR1] })] });
    await run({ clusterIdentifiers: ["sales-prod", "hr-prod"] });
    const copyAges = metrics.points.filter((p) => p.name === "NewestSharedCopyAgeHours");
    expect(copyAges).toEqual([{ name: "NewestSharedCopyAgeHours", unit: "None", value: 12, dimensions: { ClusterIdentifier: "sales-prod" } }]);
  });

  it("shares with every DR account and counts a copy as shared only when all of them may restore it", async () => {
    const [newest, older] = days(2);
    copies({ "sales-prod": [copyOf(newest, ago(12 * HOUR), { accounts: [DR1] }), copyOf(older, ago(36 * HOUR), { accounts: [DR1, DR2] })] });
    copyMock.on(AuthorizeSnapshotAccessCommand).rejects(Object.assign(new Error("not now"), { name: "InternalFailure", $metadata: {} }));
    const report = await run({ drAccountIds: [DR1, DR2], createSnapshots: false });
    // DR2 could not be authorized on the newest: the newest copy every DR account can restore is the older one
    expect(report.clusters[0].copies).toMatchObject({ newestSharedCopyId: older, newestSharedCopyAgeHours: 36 });
  });

  it("the snapshot-event trigger (createSnapshots false) reconciles the copies too", async () => {
    copies({ "sales-prod": [copyOf(days(1)[0], ago(2 * HOUR))] });
    const report = await run({ createSnapshots: false });
    expect(sourceMock).not.toHaveReceivedCommand(CreateClusterSnapshotCommand);
    expect(copyMock).toHaveReceivedCommandWith(AuthorizeSnapshotAccessCommand, { SnapshotIdentifier: days(1)[0], AccountWithRestoreAccess: DR1 });
    expect(report.clusters[0].copies?.shared).toEqual([{ snapshotId: days(1)[0], accountId: DR1 }]);
  });
});

describe("reconcile with a copy region: failures and dry run", () => {
  const denied = () => Object.assign(new Error("User is not authorized to perform redshift:DescribeClusterSnapshots"), { name: "AccessDenied", $metadata: {} });

  it("a failed listing in the copy region fails that cluster (named with the region), alerts once, and the other clusters still run", async () => {
    copyMock.on(DescribeClusterSnapshotsCommand, { ClusterIdentifier: "sales-prod" }).rejects(denied());
    copyMock.on(DescribeClusterSnapshotsCommand, { ClusterIdentifier: "hr-prod" }).resolves({ Snapshots: [copyOf("rsdr-hr-prod-20261126t0000z", ago(12 * HOUR), { cluster: "hr-prod" })] });
    const report = await run({ clusterIdentifiers: ["sales-prod", "hr-prod"] });
    expect(report.failedClusters).toEqual(["sales-prod"]);
    const [sales, hr] = report.clusters;
    expect(sales.errors).toEqual([expect.objectContaining({ step: "list", kind: "access-denied", code: "AccessDenied", region: COPY_REGION })]);
    expect(sales.error).toMatch(/^list in eu-central-1: access-denied\/AccessDenied/);
    // nothing is shared or unshared on a listing that failed; the source region's work went on
    expect(sales.copies).toMatchObject({ shared: [], unshared: [], newestSharedCopyId: null });
    expect(sales.created).toEqual(["rsdr-sales-prod-20261126t1200z"]);
    expect(hr).toMatchObject({ failed: false, copies: { shared: [{ snapshotId: "rsdr-hr-prod-20261126t0000z", accountId: DR1 }] } });
    expect(snsMock).toHaveReceivedCommandTimes(PublishCommand, 1);
    const message = snsMock.commandCalls(PublishCommand)[0].args[0].input.Message!;
    expect(message).toContain("copy region: eu-central-1");
    expect(message).toContain("cluster sales-prod:\n  - list in eu-central-1: access-denied/AccessDenied");
    expect(metrics.points).toContainEqual({ name: "ClusterFailures", unit: "Count", value: 1, dimensions: { ClusterIdentifier: "sales-prod" } });
  });

  it("a failed share of a copy names the copy and the region", async () => {
    copies({ "sales-prod": [copyOf(days(1)[0], ago(12 * HOUR))] });
    copyMock.on(AuthorizeSnapshotAccessCommand).rejects(denied());
    const report = await run();
    expect(report.clusters[0]).toMatchObject({
      failed: true,
      errors: [{ step: "share", code: "AccessDenied", snapshotId: days(1)[0], region: COPY_REGION }],
      copies: { shared: [], newestSharedCopyId: null },
    });
  });

  it("a failure in the source region leaves the copies reconciled (they do not depend on it)", async () => {
    sourceMock.on(DescribeClusterSnapshotsCommand).rejects(denied());
    copies({ "sales-prod": [copyOf(days(1)[0], ago(12 * HOUR))] });
    const report = await run();
    const c = report.clusters[0];
    expect(c.errors).toEqual([expect.objectContaining({ step: "list" })]);
    expect(c.errors[0].region).toBeUndefined();
    expect(c.copies?.shared).toEqual([{ snapshotId: days(1)[0], accountId: DR1 }]);
  });

  it("a dry run reports what it would share and unshare in the copy region, changes nothing, and keeps the true age", async () => {
    const ids = days(4);
    copies({
      "sales-prod": [copyOf(ids[0], ago(12 * HOUR)), copyOf(ids[1], ago(36 * HOUR), { accounts: [DR1] }), ...ids.slice(2).map((id, i) => copyOf(id, ago((60 + 24 * i) * HOUR), { accounts: [DR1] }))],
    });
    const report = await run({ dryRun: true, shareLatest: 2 });
    expect(changes(copyMock)).toEqual([]);
    expect(changes(sourceMock)).toEqual([]);
    expect(report.clusters[0].copies).toMatchObject({
      shared: [{ snapshotId: ids[0], accountId: DR1 }],
      unshared: [2, 3].map((i) => ({ snapshotId: ids[i], accountId: DR1 })),
      // what DR can restore now, not what it could after the run
      newestSharedCopyId: ids[1],
      newestSharedCopyAgeHours: 36,
    });
    expect(metrics.points).toEqual([]);
  });
});

describe("reconcile: the copy region and its client go together", () => {
  const problemsOf = async (p: Promise<unknown>) => {
    const err = await p.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(SettingsError);
    return (err as SettingsError).problems;
  };

  it("refuses copyRegion without a client for it, naming both, and calls nothing", async () => {
    expect(await problemsOf(run({}, { copyRedshift: undefined }))).toEqual([
      'copyRegion: "eu-central-1" is set but copyRedshift is not: a RedshiftClient for eu-central-1 is required to share the copies there',
    ]);
    expect(sourceMock.calls()).toHaveLength(0);
  });

  it("refuses a client without copyRegion", async () => {
    expect(await problemsOf(reconcile(deps(), settings()))).toEqual([
      "copyRedshift: a client is given but copyRegion is not set: set copyRegion to the client's region, or give neither",
    ]);
  });

  it("refuses a client for another region than copyRegion", async () => {
    expect(await problemsOf(run({ copyRegion: "us-east-1" }))).toEqual([
      'copyRedshift: the client is for region "eu-central-1" but copyRegion is "us-east-1": they must be the same region',
    ]);
  });

  it("refuses a copyRegion that is not a region name", () => {
    expect(() => settings({ copyRegion: "Frankfurt" })).toThrow('copyRegion: "Frankfurt" is not an AWS region name, e.g. "eu-west-1"');
  });

  it("without a copy region, no copies part, no copy metric", async () => {
    const report = await reconcile(deps({ copyRedshift: undefined }), settings());
    expect(report.clusters[0].copies).toBeNull();
    expect(copyMock.calls()).toHaveLength(0);
    expect(metrics.points.map((p) => p.name)).not.toContain("NewestSharedCopyAgeHours");
  });
});

describe("the snapshot manager's environment and handler: COPY_REGION", () => {
  const ENV = { ...MANAGER_ENV, CLUSTER_IDENTIFIERS: "sales-prod", DR_ACCOUNT_IDS: DR1 };

  it("reads COPY_REGION (optional: unset or blank is none) and names the variable when it is not a region", () => {
    expect(snapshotManagerSettingsFromEnv({ ...ENV, COPY_REGION: " eu-central-1 " }).copyRegion).toBe("eu-central-1");
    expect(snapshotManagerSettingsFromEnv(ENV).copyRegion).toBeUndefined();
    expect(snapshotManagerSettingsFromEnv({ ...ENV, COPY_REGION: "  " }).copyRegion).toBeUndefined();
    expect(() => snapshotManagerSettingsFromEnv({ ...ENV, COPY_REGION: "Frankfurt" })).toThrow('COPY_REGION: "Frankfurt" is not an AWS region name');
  });

  it("the handler's copy client is for COPY_REGION, with the Lambda clients' retry strategy; none without it", async () => {
    const client = copyRegionClient({ COPY_REGION: " eu-central-1 " })!;
    expect(await client.config.region()).toBe("eu-central-1");
    expect(await client.config.maxAttempts()).toBe(6);
    expect(copyRegionClient({})).toBeUndefined();
    expect(copyRegionClient({ COPY_REGION: "" })).toBeUndefined();
  });

  it("the handler, with COPY_REGION set, shares the copies through a client of that region", async () => {
    const saved = process.env;
    process.env = { ...saved, ...ENV, AWS_REGION: SOURCE_REGION, COPY_REGION };
    const stdout = jest.spyOn(process.stdout, "write").mockImplementation(() => true);
    try {
      // A fresh module registry: the handler makes its clients when it is loaded, from the environment set above.
      await jest.isolateModulesAsync(async () => {
        const sdk = await import("@aws-sdk/client-redshift");
        const { mockClient: isolatedMock } = await import("aws-sdk-client-mock");
        const sns = await import("@aws-sdk/client-sns");
        isolatedMock(sns.SNSClient).on(sns.PublishCommand).resolves({});
        const redshift = isolatedMock(sdk.RedshiftClient);
        // the copy listing is the one without a tag filter
        redshift
          .on(sdk.DescribeClusterSnapshotsCommand)
          .callsFake((input: DescribeClusterSnapshotsCommandInput) => ({ Snapshots: input.TagKeys ? [] : [copyOf(days(1)[0], new Date(Date.now() - HOUR))] }));
        redshift.on(sdk.CreateClusterSnapshotCommand).resolves({});
        redshift.on(sdk.AuthorizeSnapshotAccessCommand).resolves({});
        const { handler } = await import("../../functions/snapshot-manager/handler");
        const result = await handler({ trigger: "schedule" }, { getRemainingTimeInMillis: () => 0 });
        expect(result).toMatchObject({ clusters: 1, created: 1 });
        const authorizations = redshift.commandCalls(sdk.AuthorizeSnapshotAccessCommand);
        expect(authorizations.map((c) => c.args[0].input.SnapshotIdentifier)).toEqual([days(1)[0]]);
        // sent by the copy region's client; the snapshot was created by the function's own region's
        const regionOf = (call: { thisValue: unknown }) => (call.thisValue as InstanceType<typeof sdk.RedshiftClient>).config.region();
        expect(await regionOf(authorizations[0])).toBe(COPY_REGION);
        expect(await regionOf(redshift.commandCalls(sdk.CreateClusterSnapshotCommand)[0])).toBe(SOURCE_REGION);
      });
    } finally {
      process.env = saved;
      stdout.mockRestore();
    }
  });
});
