import "aws-sdk-client-mock-jest";
import { mockClient } from "aws-sdk-client-mock";
import {
  AuthorizeSnapshotAccessCommand,
  ClusterNotFoundFault,
  CreateClusterSnapshotCommand,
  DeleteClusterSnapshotCommand,
  DescribeClusterSnapshotsCommand,
  RedshiftClient,
  RevokeSnapshotAccessCommand,
  type DescribeClusterSnapshotsCommandInput,
} from "@aws-sdk/client-redshift";
import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import { handler } from "../../functions/snapshot-manager/handler";
import { windowSnapshotId, windowStart } from "../../functions/lib/naming";
import { snapshotManagerSettingsFromEnv } from "../../functions/lib/environment";
import { SettingsError } from "../../functions/lib/settings";
import { DR1, DR2, emfDocuments, MANAGER_ENV, ours, TOPIC } from "./helpers";

const redshiftMock = mockClient(RedshiftClient);
const snsMock = mockClient(SNSClient);

const ENV = MANAGER_ENV;

const savedEnv = process.env;
let stdout: string[];
const context = { getRemainingTimeInMillis: () => 30_000, awsRequestId: "req-1" };

beforeEach(() => {
  redshiftMock.reset();
  snsMock.reset();
  redshiftMock.on(DescribeClusterSnapshotsCommand).resolves({ Snapshots: [] });
  redshiftMock.on(CreateClusterSnapshotCommand).resolves({});
  redshiftMock.on(AuthorizeSnapshotAccessCommand).resolves({});
  snsMock.on(PublishCommand).resolves({});
  process.env = { ...savedEnv, AWS_REGION: "eu-west-1", ...ENV };
  stdout = [];
  jest.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
    stdout.push(String(chunk));
    return true;
  });
  jest.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
    stdout.push(String(chunk));
    return true;
  });
});

afterEach(() => {
  jest.restoreAllMocks();
  process.env = savedEnv;
});

const idFor = (cluster: string) => windowSnapshotId("rsdr", cluster, windowStart(new Date(), 720));
/** The log lines (not the metric documents) written by the handler. */
const logLines = () =>
  stdout
    .flatMap((s) => s.split("\n"))
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter((l) => !("_aws" in l));

describe("snapshot-manager handler", () => {
  it("on the schedule payload creates a snapshot per cluster and returns a summary", async () => {
    const result = await handler({ trigger: "schedule" }, context);
    expect(result).toEqual({ trigger: "schedule", clusters: 3, created: 3, shared: 0, deleted: 0, dryRun: false });
    expect(redshiftMock.commandCalls(CreateClusterSnapshotCommand).map((c) => c.args[0].input.SnapshotIdentifier).sort()).toEqual(
      ["c-one", "c-three", "c-two"].map(idFor),
    );
    const lines = logLines().filter((l) => l.event === "cluster-reconciled");
    expect(lines.map((l) => l.clusterIdentifier)).toEqual(["c-one", "c-two", "c-three"]);
    // Powertools Logger: its own fields, the service, the request id, and the event name kept as `event`
    expect(lines.every((l) => l.requestId === "req-1" && l.service === "snapshot-manager" && l.level === "INFO")).toBe(true);
    expect(lines[0]).toMatchObject({ message: "cluster-reconciled", event: "cluster-reconciled", timestamp: expect.any(String) });
    expect(snsMock).not.toHaveReceivedCommand(PublishCommand);
  });

  it("finishes all clusters, publishes ONE alert, then throws when one of three clusters fails", async () => {
    redshiftMock
      .on(CreateClusterSnapshotCommand, { ClusterIdentifier: "c-two" })
      .rejects(new ClusterNotFoundFault({ message: "Cluster c-two not found.", $metadata: {} }));
    await expect(handler({ trigger: "schedule" }, context)).rejects.toThrow("snapshot manager: 1 of 3 cluster(s) failed: c-two");
    expect(redshiftMock).toHaveReceivedCommandWith(CreateClusterSnapshotCommand, { ClusterIdentifier: "c-one" });
    expect(redshiftMock).toHaveReceivedCommandWith(CreateClusterSnapshotCommand, { ClusterIdentifier: "c-three" });
    expect(snsMock).toHaveReceivedCommandTimes(PublishCommand, 1);
    expect(snsMock).toHaveReceivedCommandWith(PublishCommand, {
      TopicArn: TOPIC,
      Message: expect.stringContaining("cluster c-two:\n  - create"),
    });
    // metrics went out (embedded metric format on stdout) before the throw, the failure counted for c-two only
    const emf = emfDocuments(stdout);
    expect(emf.map((d) => [d.ClusterIdentifier, d.ClusterFailures])).toEqual([
      ["c-one", 0],
      ["c-two", 1],
      ["c-three", 0],
    ]);
    for (const d of emf) {
      // exactly the dimension the alarms select by (no Powertools "service" dimension), in the configured namespace
      expect(d._aws.CloudWatchMetrics).toEqual([
        expect.objectContaining({ Namespace: "RedshiftDR", Dimensions: [["ClusterIdentifier"]] }),
      ]);
      expect(d.service).toBeUndefined();
    }
    expect(emf[0]._aws.CloudWatchMetrics[0].Metrics.map((m: { Name: string }) => m.Name)).toEqual([
      "SnapshotsCreated",
      "SnapshotsShared",
      "SnapshotsDeleted",
      "ClusterFailures",
    ]);
  });

  it("on a Redshift snapshot event (SNS) reconciles only the named cluster, without creating", async () => {
    const id = "rsdr-c-two-20261126t1200z";
    redshiftMock.on(DescribeClusterSnapshotsCommand).callsFake((input: DescribeClusterSnapshotsCommandInput) => ({
      Snapshots: input.ClusterIdentifier === "c-two" ? [ours(id, new Date(Date.now() - 3_600_000), { cluster: "c-two" })] : [],
    }));
    const event = {
      Records: [
        {
          EventSource: "aws:sns",
          Sns: {
            Subject: "[Amazon Redshift INFO] - Snapshot created",
            Message: JSON.stringify({ "Event Source": "cluster-snapshot", "Source ID": id, "Event Message": `Manual snapshot ${id} created` }),
          },
        },
      ],
    };
    const result = await handler(event, context);
    expect(result).toMatchObject({ trigger: "snapshot-event", clusters: 1, created: 0, shared: 2 });
    expect(redshiftMock).not.toHaveReceivedCommand(CreateClusterSnapshotCommand);
    const listed = redshiftMock.commandCalls(DescribeClusterSnapshotsCommand).map((c) => c.args[0].input.ClusterIdentifier);
    expect(listed).toEqual(["c-two"]);
    expect(redshiftMock).toHaveReceivedCommandWith(AuthorizeSnapshotAccessCommand, { SnapshotIdentifier: id, AccountWithRestoreAccess: DR2 });
  });

  it("ignores snapshot events that name none of our snapshots (e.g. automated snapshots)", async () => {
    const event = { Records: [{ Sns: { Message: "Automated snapshot rs:c-two-2026-11-26-12-00 created" } }] };
    await expect(handler(event, context)).resolves.toMatchObject({ clusters: 0 });
    expect(redshiftMock).not.toHaveReceivedAnyCommand();
  });

  it("refuses an unknown event", async () => {
    await expect(handler({ hello: "world" }, context)).rejects.toThrow(/unsupported event \{"hello":"world"\}: expected \{"trigger":"schedule"\}/);
    expect(redshiftMock).not.toHaveReceivedAnyCommand();
  });

  it("with DRY_RUN=true changes nothing", async () => {
    process.env.DRY_RUN = "true";
    redshiftMock.on(DescribeClusterSnapshotsCommand).resolves({
      Snapshots: [ours("rsdr-c-one-20200101t0000z", new Date("2020-01-01T00:00:00Z"), { cluster: "c-one", accounts: [DR1] })],
    });
    const result = await handler({ trigger: "schedule" }, context);
    expect(result).toMatchObject({ dryRun: true, created: 3 });
    for (const cmd of [CreateClusterSnapshotCommand, AuthorizeSnapshotAccessCommand, RevokeSnapshotAccessCommand, DeleteClusterSnapshotCommand]) {
      expect(redshiftMock).not.toHaveReceivedCommand(cmd as never);
    }
    expect(emfDocuments(stdout)).toEqual([]);
  });

  it("fails with the env problem before calling AWS", async () => {
    delete process.env.DR_ACCOUNT_IDS;
    await expect(handler({ trigger: "schedule" }, context)).rejects.toThrow(/DR_ACCOUNT_IDS: is not set; required: comma-separated 12-digit AWS account ids/);
    expect(redshiftMock).not.toHaveReceivedAnyCommand();
  });
});

describe("snapshot-manager env validation", () => {
  const parse = (over: Record<string, string | undefined>) => snapshotManagerSettingsFromEnv({ ...ENV, ...over });
  const problems = (over: Record<string, string | undefined>): string[] => {
    try {
      parse(over);
    } catch (err) {
      expect(err).toBeInstanceOf(SettingsError);
      return [...(err as SettingsError).problems];
    }
    throw new Error("expected a SettingsError");
  };

  it("parses a valid environment with defaults", () => {
    expect(parse({})).toMatchObject({
      clusterIdentifiers: ["c-one", "c-two", "c-three"],
      drAccountIds: [DR1, DR2],
      windowMinutes: 720,
      retentionDays: 7,
      keepLatest: 3,
      dryRun: false,
      createSnapshots: true,
      waitMarginSeconds: 60,
    });
    expect(parse({ DRY_RUN: "false", WAIT_MARGIN_SECONDS: "30", CLUSTER_IDENTIFIERS: " a , b " })).toMatchObject({
      dryRun: false,
      waitMarginSeconds: 30,
      clusterIdentifiers: ["a", "b"],
    });
  });

  it.each([
    [{ CLUSTER_IDENTIFIERS: undefined }, 'CLUSTER_IDENTIFIERS: is not set; required: comma-separated Redshift cluster identifiers'],
    [{ CLUSTER_IDENTIFIERS: "good,Prod_DB" }, 'CLUSTER_IDENTIFIERS[1]: "Prod_DB" is not a valid cluster identifier'],
    [{ CLUSTER_IDENTIFIERS: "a,,b" }, 'CLUSTER_IDENTIFIERS: "a,,b" has an empty entry'],
    [{ CLUSTER_IDENTIFIERS: "a,a" }, 'CLUSTER_IDENTIFIERS: duplicate cluster identifier(s) ["a"]'],
    [{ DR_ACCOUNT_IDS: "2222" }, 'DR_ACCOUNT_IDS[0]: "2222" is not an AWS account id: exactly 12 digits'],
    [{ DR_ACCOUNT_IDS: Array.from({ length: 21 }, (_, i) => String(100000000000 + i)).join(",") }, "at most 20 accounts per snapshot"],
    [{ DR_ACCOUNT_IDS: Array.from({ length: 20 }, (_, i) => String(100000000000 + i)).join(",") }, "do not fit in the rsdr:targets tag"],
    [{ WINDOW_MINUTES: "12h" }, 'WINDOW_MINUTES: "12h" is not an integer; allowed: integer minutes 15-10080'],
    [{ WINDOW_MINUTES: "5" }, "WINDOW_MINUTES: 5 is not allowed: an integer number of minutes from 15 to 10080"],
    [{ RETENTION_DAYS: "0" }, "RETENTION_DAYS: 0 days keeps nothing by age: 0 is allowed only with retention tiers"],
    [{ RETENTION_DAYS: "-1" }, "RETENTION_DAYS: -1 is not allowed: an integer number of days from 0 to 3653"],
    [{ RETENTION_DAYS: "0", RETENTION_TIERS: '{"daily":35}' }, undefined],
    [{ RETENTION_TIERS: "daily=35" }, 'RETENTION_TIERS: "daily=35" is not a JSON object; allowed: a JSON object such as {"hourly":24,"daily":35,"monthly":12}'],
    [{ RETENTION_TIERS: '{"yearly":2}' }, 'RETENTION_TIERS: ["yearly"] is not allowed: the tiers are "hourly", "daily", "weekly", "monthly"'],
    [{ RETENTION_TIERS: '{"hourly":0}' }, "RETENTION_TIERS: {\"hourly\":0} is not allowed: hourly must be an integer number of periods from 1 to 8784"],
    [{ RETENTION_DAYS: "1", WINDOW_MINUTES: "2880" }, "RETENTION_DAYS: 1 day(s) is not longer than the schedule window of 2880 minutes"],
    [{ KEEP_LATEST: "0" }, "KEEP_LATEST: 0 is not allowed: an integer number of snapshots from 1 to 100"],
    [{ SHARE_LATEST: "21" }, "SHARE_LATEST: 21 is not allowed: an integer number of snapshots from 1 to 20"],
    [{ SHARE_LATEST: undefined }, "SHARE_LATEST: is not set; required: integer 1-20"],
    [{ SNAPSHOT_PREFIX: "RSDR" }, 'SNAPSHOT_PREFIX: "RSDR" is not allowed: it must start with a lowercase letter'],
    [{ SNAPSHOT_PREFIX: "rsdr-" }, 'SNAPSHOT_PREFIX: "rsdr-" is not allowed: it must not end with a hyphen'],
    [{ SNAPSHOT_PREFIX: "p".repeat(63), CLUSTER_IDENTIFIERS: "c".repeat(63) }, undefined],
    [{ SNAPSHOT_PREFIX: "p".repeat(64) }, 'SNAPSHOT_PREFIX: "' + "p".repeat(64) + '" is not allowed: it is 64 characters long, the maximum is 63'],
    [{ MANAGED_BY: "a,b" }, 'MANAGED_BY: "a,b" is not a valid tag value'],
    [{ ALERT_TOPIC_ARN: "my-topic" }, 'ALERT_TOPIC_ARN: "my-topic" is not an SNS topic ARN'],
    [{ METRIC_NAMESPACE: "AWS/Redshift" }, 'METRIC_NAMESPACE: "AWS/Redshift" is not a valid CloudWatch namespace'],
    [{ DRY_RUN: "yes" }, 'DRY_RUN: "yes" is not allowed: "true" or "false" (default "false")'],
    [{ WAIT_MARGIN_SECONDS: "-1" }, "WAIT_MARGIN_SECONDS: -1 is not allowed: an integer number of seconds from 0 to 900"],
  ])("checks %j", (over, expected) => {
    if (expected === undefined) {
      // 63 + 63 + 16 characters: a long but valid snapshot id (valid prefix and cluster cannot exceed 255)
      expect(() => parse(over)).not.toThrow();
      return;
    }
    const found = problems(over);
    expect(found.join("\n")).toContain(expected);
  });

  it("lists every problem at once, each naming its variable once", () => {
    const found = problems({ WINDOW_MINUTES: undefined, KEEP_LATEST: "x", DR_ACCOUNT_IDS: "1" });
    expect(found).toEqual(
      expect.arrayContaining([
        'DR_ACCOUNT_IDS[0]: "1" is not an AWS account id: exactly 12 digits',
        "WINDOW_MINUTES: is not set; required: integer minutes 15-10080",
        'KEEP_LATEST: "x" is not an integer; allowed: integer 1-100',
      ]),
    );
    expect(found).toHaveLength(3);
  });
});
