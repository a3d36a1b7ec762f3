import "aws-sdk-client-mock-jest";
import { mockClient } from "aws-sdk-client-mock";
import { DescribeClusterSnapshotsCommand, RedshiftClient, type DescribeClusterSnapshotsCommandInput, type Snapshot } from "@aws-sdk/client-redshift";
import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import { monitorSharedSnapshots } from "../../functions/lib/dr-monitor";
import { listSharedSnapshots } from "../../functions/lib/listing";
import { drMonitorSettingsFromEnv } from "../../functions/lib/environment";
import { memorySink } from "../../functions/lib/metrics";
import { SettingsError, type DrMonitorSettings } from "../../functions/lib/settings";
import { handler } from "../../functions/dr-monitor/handler";
import { emfDocuments, HOUR, MANAGED_BY, ours, testRuntime } from "./helpers";

const redshiftMock = mockClient(RedshiftClient);
const snsMock = mockClient(SNSClient);

const NOW = new Date("2026-11-26T12:05:00Z");
const SRC_A = "111111111111";
const SRC_B = "444444444444";
const TOPIC = "arn:aws:sns:eu-west-1:222222222222:dr-alerts";

/**
 * A snapshot shared by `owner`, as the DR account sees it under the strict reading: nothing documents that an
 * authorized account sees the owner's tags or authorizations, so neither is shown unless a test gives them.
 */
const shared = (id: string, cluster: string, owner: string, ageH: number, over: Partial<Snapshot> = {}): Snapshot => ({
  ...ours(id, new Date(NOW.getTime() - ageH * HOUR), { cluster }),
  OwnerAccount: owner,
  Tags: undefined,
  AccountsWithRestoreAccess: undefined,
  ...over,
});

beforeEach(() => {
  redshiftMock.reset();
  snsMock.reset();
  snsMock.on(PublishCommand).resolves({});
});

const settings = (over: Partial<DrMonitorSettings> = {}): DrMonitorSettings => ({
  sources: [
    { accountId: SRC_A, clusters: ["sales-prod", "hr-prod"] },
    { accountId: SRC_B, clusters: ["risk-prod"] },
  ],
  snapshotPrefix: "rsdr",
  managedBy: MANAGED_BY,
  metricNamespace: "RedshiftDR",
  alertTopicArn: TOPIC,
  ...over,
});

function deps() {
  const rt = testRuntime();
  const metrics = memorySink();
  return {
    rt,
    metrics,
    deps: {
      redshift: new RedshiftClient({ region: "eu-west-1" }),
      metrics,
      sns: new SNSClient({ region: "eu-west-1" }),
      clock: { now: () => NOW },
      log: rt.log,
    },
  };
}

describe("DR side: listSharedSnapshots", () => {
  it("asks with OwnerAccount, never with a tag filter, reads every page, and recognises ours without the owner's tags", async () => {
    const mine = (id: string, cluster: string, ageH: number, over: Partial<Snapshot> = {}) => shared(id, cluster, SRC_A, ageH, over);
    redshiftMock
      .on(DescribeClusterSnapshotsCommand)
      .resolvesOnce({
        Snapshots: [
          mine("rsdr-sales-prod-20261126t0000z", "sales-prod", 12),
          // not of our naming: a hand-made share, another prefix, a look-alike without the stamp
          mine("other-1", "sales-prod", 1),
          mine("legacy-sales-prod-20261126t0100z", "sales-prod", 1),
          mine("rsdr-sales-prod-final", "sales-prod", 1),
        ],
        Marker: "m1",
      })
      .resolves({
        Snapshots: [
          mine("rsdr-sales-prod-20261126t1200z", "sales-prod", 0.05, { Status: "creating" }),
          mine("rsdr-sales-prod-20261125t1200z", "sales-prod", 24),
          // our naming, but the id's cluster is not the snapshot's cluster, or not a configured one
          mine("rsdr-sales-prod-20261126t0200z", "hr-prod", 1),
          mine("rsdr-finance-20261126t0200z", "finance", 1),
          // another owner, or an automated snapshot
          mine("rsdr-hr-prod-20261126t0300z", "hr-prod", 1, { OwnerAccount: SRC_B }),
          mine("rsdr-hr-prod-20261126t0400z", "hr-prod", 1, { SnapshotType: "automated" }),
          // visible tags may exclude (another deployment's), never include
          shared("rsdr-hr-prod-20261126t0500z", "hr-prod", SRC_A, 1, { Tags: [{ Key: "managed-by", Value: "someone-else" }] }),
          shared("rsdr-hr-prod-20261126t0600z", "hr-prod", SRC_A, 1, { Tags: [{ Key: "managed-by", Value: MANAGED_BY }] }),
        ],
      });
    const found = await listSharedSnapshots(
      { redshift: new RedshiftClient({ region: "eu-west-1" }) },
      SRC_A,
      { snapshotPrefix: "rsdr", clusters: ["sales-prod", "hr-prod", "sales"], managedBy: MANAGED_BY },
    );
    expect(found.map((s) => [s.snapshotIdentifier, s.clusterIdentifier])).toEqual([
      ["rsdr-sales-prod-20261126t0000z", "sales-prod"],
      ["rsdr-sales-prod-20261125t1200z", "sales-prod"],
      ["rsdr-hr-prod-20261126t0600z", "hr-prod"],
    ]);
    expect(redshiftMock).toHaveReceivedCommandTimes(DescribeClusterSnapshotsCommand, 2);
    expect(redshiftMock).toHaveReceivedNthCommandWith(1, DescribeClusterSnapshotsCommand, { OwnerAccount: SRC_A, SnapshotType: "manual", Marker: undefined });
    expect(redshiftMock).toHaveReceivedNthCommandWith(2, DescribeClusterSnapshotsCommand, { OwnerAccount: SRC_A, Marker: "m1" });
    for (const call of redshiftMock.commandCalls(DescribeClusterSnapshotsCommand)) {
      expect(call.args[0].input.TagKeys).toBeUndefined();
      expect(call.args[0].input.TagValues).toBeUndefined();
      expect(call.args[0].input.ClusterIdentifier).toBeUndefined();
    }
  });
});

describe("DR monitor", () => {
  it("publishes the newest age per (source account, cluster) and nothing for a cluster without a snapshot", async () => {
    redshiftMock.on(DescribeClusterSnapshotsCommand).callsFake((input: DescribeClusterSnapshotsCommandInput) => {
      if (input.OwnerAccount === SRC_A) {
        return {
          Snapshots: [
            shared("rsdr-sales-prod-20261126t0000z", "sales-prod", SRC_A, 12),
            shared("rsdr-sales-prod-20261125t1200z", "sales-prod", SRC_A, 24),
          ],
        };
      }
      return { Snapshots: [shared("rsdr-risk-prod-20261125t0000z", "risk-prod", SRC_B, 36)] };
    });
    const { deps: d, rt, metrics } = deps();
    const report = await monitorSharedSnapshots(d, settings());

    expect(report.failedSources).toEqual([]);
    expect(report.clusters).toEqual([
      { sourceAccountId: SRC_A, clusterIdentifier: "sales-prod", newestSnapshotId: "rsdr-sales-prod-20261126t0000z", newestAgeHours: 12, failed: false },
      { sourceAccountId: SRC_A, clusterIdentifier: "hr-prod", newestSnapshotId: null, newestAgeHours: null, failed: false },
      { sourceAccountId: SRC_B, clusterIdentifier: "risk-prod", newestSnapshotId: "rsdr-risk-prod-20261125t0000z", newestAgeHours: 36, failed: false },
    ]);
    expect(metrics.points).toEqual([
      { name: "NewestSharedSnapshotAgeHours", unit: "None", value: 12, dimensions: { SourceAccount: SRC_A, ClusterIdentifier: "sales-prod" } },
      { name: "NewestSharedSnapshotAgeHours", unit: "None", value: 36, dimensions: { SourceAccount: SRC_B, ClusterIdentifier: "risk-prod" } },
    ]);
    expect(rt.log.entries.filter((e) => e.event === "dr-cluster-checked").map((e) => [e.clusterIdentifier, e.level])).toEqual([
      ["sales-prod", "info"],
      ["hr-prod", "warn"],
      ["risk-prod", "info"],
    ]);
    expect(snsMock).not.toHaveReceivedCommand(PublishCommand);
  });

  it("a failing source does not stop the others; the alert names it", async () => {
    redshiftMock.on(DescribeClusterSnapshotsCommand).callsFake((input: DescribeClusterSnapshotsCommandInput) => {
      if (input.OwnerAccount === SRC_A) throw Object.assign(new Error("not authorized"), { name: "AccessDenied" });
      return { Snapshots: [shared("rsdr-risk-prod-20261125t0000z", "risk-prod", SRC_B, 36)] };
    });
    const { deps: d, metrics } = deps();
    const report = await monitorSharedSnapshots(d, settings());
    expect(report.failedSources).toEqual([SRC_A]);
    expect(report.clusters.filter((c) => c.failed).map((c) => c.clusterIdentifier)).toEqual(["sales-prod", "hr-prod"]);
    expect(report.clusters.find((c) => c.clusterIdentifier === "risk-prod")).toMatchObject({ newestAgeHours: 36, failed: false });
    expect(metrics.points).toHaveLength(1);
    expect(snsMock).toHaveReceivedCommandTimes(PublishCommand, 1);
    expect(snsMock).toHaveReceivedCommandWith(PublishCommand, {
      TopicArn: TOPIC,
      Message: expect.stringContaining(`source account ${SRC_A}:\n  - access-denied/AccessDenied: not authorized`),
    });
  });
});

describe("DR monitor handler", () => {
  const savedEnv = process.env;
  let stdout: string[];
  beforeEach(() => {
    stdout = [];
    jest.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
      stdout.push(String(chunk));
      return true;
    });
    jest.spyOn(process.stderr, "write").mockImplementation(() => true);
    process.env = {
      ...savedEnv,
      AWS_REGION: "eu-west-1",
      SOURCES: JSON.stringify([
        { accountId: SRC_A, clusters: ["sales-prod"] },
        { accountId: SRC_B, clusters: ["risk-prod"] },
      ]),
      SNAPSHOT_PREFIX: "rsdr",
      MANAGED_BY,
      METRIC_NAMESPACE: "RedshiftDR",
    };
  });
  afterEach(() => {
    jest.restoreAllMocks();
    process.env = savedEnv;
  });

  it("throws at the end when a source failed, after processing the next source and publishing its metrics", async () => {
    redshiftMock.on(DescribeClusterSnapshotsCommand).callsFake((input: DescribeClusterSnapshotsCommandInput) => {
      if (input.OwnerAccount === SRC_B) throw Object.assign(new Error("not authorized"), { name: "AccessDenied" });
      return { Snapshots: [shared("rsdr-sales-prod-20261126t0000z", "sales-prod", SRC_A, 1)] };
    });
    process.env.SOURCES = JSON.stringify([
      { accountId: SRC_B, clusters: ["risk-prod"] },
      { accountId: SRC_A, clusters: ["sales-prod"] },
    ]);
    await expect(handler({}, {})).rejects.toThrow(`DR monitor: source account(s) could not be read: ${SRC_B}`);
    // The age of the readable source was written as embedded metric format, with exactly the alarm's dimensions.
    const emf = emfDocuments(stdout);
    expect(emf).toEqual([
      expect.objectContaining({ SourceAccount: SRC_A, ClusterIdentifier: "sales-prod", NewestSharedSnapshotAgeHours: expect.any(Number) }),
    ]);
    expect(emf[0]!._aws.CloudWatchMetrics).toEqual([
      { Namespace: "RedshiftDR", Dimensions: [["SourceAccount", "ClusterIdentifier"]], Metrics: [{ Name: "NewestSharedSnapshotAgeHours", Unit: "None" }] },
    ]);
    // no ALERT_TOPIC_ARN: nothing published, the thrown error (Lambda Errors metric) is the signal
    expect(snsMock).not.toHaveReceivedCommand(PublishCommand);
  });

  it.each([
    [{ SOURCES: undefined }, 'SOURCES: is not set; required: JSON [{"accountId":"111111111111","clusters":["a","b"]}]'],
    [{ SOURCES: "[oops" }, 'SOURCES: "[oops" is not allowed: JSON [{"accountId"'],
    [{ SOURCES: '[{"accountId":"1","clusters":["a"]}]' }, 'SOURCES[0].accountId: "1" is not an AWS account id'],
    [{ SOURCES: '[{"accountId":"111111111111","clusters":[]}]' }, "SOURCES[0].clusters: at least one cluster identifier is required"],
    [{ SOURCES: '[{"accountId":"111111111111","clusters":["Bad_Name"]}]' }, 'SOURCES[0].clusters[0]: "Bad_Name" is not a valid cluster identifier'],
    [{ METRIC_NAMESPACE: undefined }, "METRIC_NAMESPACE: is not set"],
    [{ SNAPSHOT_PREFIX: undefined }, "SNAPSHOT_PREFIX: is not set"],
    [{ SNAPSHOT_PREFIX: "rs--dr" }, 'SNAPSHOT_PREFIX: "rs--dr" is not allowed'],
    [{ ALERT_TOPIC_ARN: "nope" }, 'ALERT_TOPIC_ARN: "nope" is not an SNS topic ARN'],
  ])("validates env %j", (over, expected) => {
    const env: Record<string, string | undefined> = { ...process.env, ...over };
    for (const [k, v] of Object.entries(over)) if (v === undefined) delete env[k];
    expect(() => drMonitorSettingsFromEnv(env)).toThrow(SettingsError);
    expect(() => drMonitorSettingsFromEnv(env)).toThrow(expected);
  });
});
