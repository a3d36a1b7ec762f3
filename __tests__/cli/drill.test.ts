// `redshift-backup drill run`: one restore drill of a configured cluster, through the drill core, in the DR account.
// Every AWS service here is a MOCK (aws-sdk-client-mock): Redshift, the Redshift Data API, S3, EC2 and KMS answer
// from a small stateful world below (the drill cluster, the snapshots, the report keys), on a clock that the --wait
// sleep moves, not as AWS would.
import { mockClient } from "aws-sdk-client-mock";
import { DescribeSecurityGroupsCommand, EC2Client } from "@aws-sdk/client-ec2";
import { DescribeKeyCommand, KMSClient } from "@aws-sdk/client-kms";
import {
  CreateClusterSnapshotCommand,
  CreateTagsCommand,
  DeleteClusterCommand,
  DescribeClusterSnapshotsCommand,
  DescribeClusterSubnetGroupsCommand,
  DescribeClustersCommand,
  RedshiftClient,
  RestoreFromClusterSnapshotCommand,
  type Cluster,
  type CreateClusterSnapshotCommandInput,
  type CreateTagsCommandInput,
  type DeleteClusterCommandInput,
  type DescribeClusterSnapshotsCommandInput,
  type RestoreFromClusterSnapshotCommandInput,
  type Snapshot,
} from "@aws-sdk/client-redshift";
import { DescribeStatementCommand, ExecuteStatementCommand, GetStatementResultCommand, RedshiftDataClient } from "@aws-sdk/client-redshift-data";
import { ListObjectsV2Command, PutObjectCommand, S3Client, type ListObjectsV2CommandInput, type PutObjectCommandInput } from "@aws-sdk/client-s3";
import { DRILL_POLLING, registerDrillCommands } from "../../cli/commands/drill";
import type { DrillReport } from "../../functions/lib/drill";
import { awsError } from "../../testing/aws-errors";
import { MULTI_SOURCE_CONFIG } from "../helpers";
import { CLUSTER, DR, DR_KEY, SRC, sharedSnapshot } from "../fixtures/restore-points";
import { captureIO, cli, recordingClients } from "./helpers";

const redshiftMock = mockClient(RedshiftClient);
const dataMock = mockClient(RedshiftDataClient);
const s3Mock = mockClient(S3Client);
const ec2Mock = mockClient(EC2Client);
const kmsMock = mockClient(KMSClient);

const MIN = 60_000;
const NOW = new Date("2026-11-27T12:00:00Z");
const REGION = "eu-west-2";
const SNAP = "rsdr-analytics-prod-20261127t0600z";
const DRILL = `rsdr-drill-${CLUSTER}-20261127t1200z`;
const COPY = `rsdr-drcopy-${CLUSTER}-20261127t1200z`;
const BUCKET = `rsdr-drill-reports-${DR}-${REGION}`;
const DR_KEY_ALIAS = `arn:aws:kms:${REGION}:${DR}:alias/rsdr-dr-redshift`;
const OPERATOR_ROLE = `arn:aws:iam::${DR}:role/rsdr-dr-restore-operator`;
const arnOf = (id: string) => `arn:aws:redshift:${REGION}:${DR}:cluster:${id}`;

/**
 * The DR account: the restored cluster is available 20 minutes after the restore, the validation statement ends 5
 * minutes after it starts (seen 10 minutes after), the DR-owned copy is available 10 minutes after it is taken.
 */
let world: { clusters: (Cluster & { createdAt: number })[]; shared: Snapshot[]; owned: (Snapshot & { createdAt: number })[]; keys: string[]; executedAt?: number; rows: number };
let t: number;

const promised =
  <I, O>(fn: (input: I) => O) =>
  (input: I): Promise<O> =>
    new Promise((resolve) => resolve(fn(input)));

const realSleep = DRILL_POLLING.sleep;
afterAll(() => {
  DRILL_POLLING.sleep = realSleep;
});

beforeEach(() => {
  for (const m of [redshiftMock, dataMock, s3Mock, ec2Mock, kmsMock]) m.reset();
  t = NOW.getTime();
  // --wait sleeps without waiting: the clock moves instead.
  DRILL_POLLING.sleep = (ms: number) => {
    t += ms;
    return Promise.resolve();
  };
  world = { clusters: [], shared: [sharedSnapshot(NOW, SNAP, 6)], owned: [], keys: [], rows: 1200 };

  redshiftMock.on(DescribeClustersCommand).callsFake(
    promised(() => ({
      Clusters: world.clusters.map(({ createdAt, ...c }) =>
        c.ClusterStatus === "creating" && t - createdAt >= 20 * MIN
          ? { ...c, ClusterStatus: "available", Endpoint: { Address: `${c.ClusterIdentifier}.c0ffee.${REGION}.redshift.amazonaws.com`, Port: 5439 } }
          : c,
      ),
    })),
  );
  redshiftMock.on(RestoreFromClusterSnapshotCommand).callsFake(
    promised((input: RestoreFromClusterSnapshotCommandInput) => {
      const c = { ClusterIdentifier: input.ClusterIdentifier, ClusterStatus: "creating", MasterUsername: "admin_user", NodeType: input.NodeType, NumberOfNodes: input.NumberOfNodes, Tags: [], createdAt: t };
      world.clusters.push(c);
      return { Cluster: c };
    }),
  );
  redshiftMock.on(CreateTagsCommand).callsFake(
    promised((input: CreateTagsCommandInput) => {
      const c = world.clusters.find((x) => arnOf(x.ClusterIdentifier!) === input.ResourceName);
      if (!c) throw awsError("ResourceNotFoundFault", `${input.ResourceName} not found`);
      const added = input.Tags ?? [];
      c.Tags = [...(c.Tags ?? []).filter((x) => !added.some((n) => n.Key === x.Key)), ...added];
      return {};
    }),
  );
  redshiftMock.on(DeleteClusterCommand).callsFake(
    promised((input: DeleteClusterCommandInput) => {
      const c = world.clusters.find((x) => x.ClusterIdentifier === input.ClusterIdentifier);
      if (!c) throw awsError("ClusterNotFoundFault", `Cluster ${input.ClusterIdentifier} not found.`);
      c.ClusterStatus = "deleting";
      return { Cluster: c };
    }),
  );
  redshiftMock.on(DescribeClusterSnapshotsCommand).callsFake(
    promised((input: DescribeClusterSnapshotsCommandInput) => {
      const pool: Snapshot[] = input.OwnerAccount
        ? world.shared.filter((s) => s.OwnerAccount === input.OwnerAccount)
        : world.owned.map(({ createdAt, ...s }) => ({ ...s, Status: t - createdAt >= 10 * MIN ? "available" : "creating" }));
      const found = pool.filter((s) => (!input.SnapshotIdentifier || s.SnapshotIdentifier === input.SnapshotIdentifier) && (!input.ClusterIdentifier || s.ClusterIdentifier === input.ClusterIdentifier));
      if (input.SnapshotIdentifier && found.length === 0) throw awsError("ClusterSnapshotNotFoundFault", `Snapshot ${input.SnapshotIdentifier} not found.`);
      return { Snapshots: found };
    }),
  );
  redshiftMock.on(CreateClusterSnapshotCommand).callsFake(
    promised((input: CreateClusterSnapshotCommandInput) => {
      const snap = { SnapshotIdentifier: input.SnapshotIdentifier, ClusterIdentifier: input.ClusterIdentifier, SnapshotType: "manual", OwnerAccount: DR, Tags: input.Tags, SnapshotCreateTime: new Date(t), createdAt: t };
      world.owned.push(snap);
      return { Snapshot: snap };
    }),
  );
  redshiftMock.on(DescribeClusterSubnetGroupsCommand).resolves({ ClusterSubnetGroups: [{ ClusterSubnetGroupName: "rsdr-dr-redshift", VpcId: "vpc-0dr" }] });
  ec2Mock.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: [{ GroupId: "sg-0restore", GroupName: "rsdr-dr-redshift" }] });
  kmsMock.on(DescribeKeyCommand, { KeyId: DR_KEY_ALIAS }).resolves({ KeyMetadata: { KeyId: "k", Arn: DR_KEY } });
  s3Mock.on(ListObjectsV2Command).callsFake(promised((input: ListObjectsV2CommandInput) => ({ Contents: world.keys.filter((k) => k.startsWith(input.Prefix ?? "")).map((Key) => ({ Key })) })));
  s3Mock.on(PutObjectCommand).callsFake(
    promised((input: PutObjectCommandInput) => {
      world.keys.push(input.Key!);
      return {};
    }),
  );
  dataMock.on(ExecuteStatementCommand).callsFake(
    promised(() => {
      world.executedAt = t;
      return { Id: "stmt-1" };
    }),
  );
  dataMock.on(DescribeStatementCommand).callsFake(
    promised(() =>
      t - world.executedAt! >= 10 * MIN ? { Id: "stmt-1", Status: "FINISHED", UpdatedAt: new Date(world.executedAt! + 5 * MIN) } : { Id: "stmt-1", Status: "STARTED" },
    ),
  );
  dataMock.on(GetStatementResultCommand).callsFake(promised(() => ({ Records: [[{ stringValue: "public.orders" }, { longValue: world.rows }]] })));
});

const drill = (argv: string[], opts: Parameters<typeof cli>[2] = {}) => cli(argv, [registerDrillCommands], { io: captureIO({ now: () => new Date(t) }), ...opts });
const WAIT = ["drill", "run", "--cluster", CLUSTER, "--wait", "--poll-seconds", "600"];
/** The reports written; the restore markers (`pending/<stamp>.json`, written before each restore) are not reports. */
const reports = () =>
  s3Mock
    .commandCalls(PutObjectCommand)
    .filter((c) => !/\/pending\/\d{8}t\d{4}z\.json$/.test(c.args[0].input.Key ?? ""))
    .map((c) => ({ key: c.args[0].input.Key, report: JSON.parse(c.args[0].input.Body as string) as DrillReport }));

describe("drill run (Redshift, Data API, S3, EC2 and KMS mocked)", () => {
  it("without --wait: restores the newest shared snapshot into the drill cluster, in the DR account, says it started; exit 0", async () => {
    const clients = recordingClients();
    const { code, stdout, stderr } = await drill(["drill", "run", "--cluster", CLUSTER], { clients });
    expect(code).toBe(0);
    expect(stderr.split("\n")).toEqual([
      `restore drill of ${CLUSTER} (source analytics, account ${SRC}): account ${DR} (DR), region ${REGION}, as the default credential chain`,
      `drill started: restoring ${DRILL}`,
    ]);
    expect(stdout).toBe(`drill started: restoring ${DRILL}; run with --wait to follow it to its report, or let the scheduled drill function move it on`);
    expect(redshiftMock.commandCalls(RestoreFromClusterSnapshotCommand).map((c) => c.args[0].input)).toEqual([
      {
        ClusterIdentifier: DRILL,
        SnapshotIdentifier: SNAP,
        SnapshotClusterIdentifier: CLUSTER,
        OwnerAccount: SRC,
        ClusterSubnetGroupName: "rsdr-dr-redshift",
        KmsKeyId: DR_KEY,
        PubliclyAccessible: false,
        VpcSecurityGroupIds: ["sg-0restore"],
        NodeType: "ra3.xlplus",
        NumberOfNodes: 1,
      },
    ]);
    expect(Object.fromEntries(world.clusters[0].Tags!.map((x) => [x.Key, x.Value]))).toMatchObject({ "managed-by": "rsdr", "rsdr:drill-step": "restoring", "rsdr:source-account": SRC });
    expect(s3Mock.commandCalls(ListObjectsV2Command)[0].args[0].input).toMatchObject({ Bucket: BUCKET, Prefix: `drills/${SRC}/${CLUSTER}/` });
    expect(redshiftMock.commandCalls(DeleteClusterCommand)).toHaveLength(0);
    expect(clients.targets.length).toBeGreaterThan(0);
    expect(clients.targets.every((x) => x.kind === "dr" && x.accountId === DR && x.region === REGION)).toBe(true);
  });

  it("--wait: restore, validation, report, DR-owned copy, then the drill cluster deleted; prints the report; as the restore operator role", async () => {
    const clients = recordingClients();
    const { code, stdout, stderr } = await drill(["--use-config-roles", ...WAIT], { clients });
    expect(code).toBe(0);
    expect(stderr.split("\n")).toEqual([
      `restore drill of ${CLUSTER} (source analytics, account ${SRC}): account ${DR} (DR), region ${REGION}, as role ${OPERATOR_ROLE}`,
      `drill started: restoring ${DRILL}`,
      `drill ${DRILL}: restoring`,
      `drill ${DRILL}: validating`,
      `drill ${DRILL}: taking the DR-owned copy`,
      `drill cluster ${DRILL} deleted`,
    ]);
    expect(stdout.split("\n")).toEqual([
      "result: passed",
      `recovery point: shared ${SNAP}, data from 2026-11-27T06:00:00.000Z`,
      `drill cluster: ${DRILL}`,
      "to available: 20.0 min; RTO (to validated): 25.0 min",
      "rows: public.orders 1200",
      `DR-owned copy: ${COPY}`,
      `report: s3://${BUCKET}/drills/${SRC}/${CLUSTER}/`,
    ]);
    // Validated in the configured database as the cluster's master user; the report written once; the cluster gone.
    expect(dataMock.commandCalls(ExecuteStatementCommand)[0].args[0].input).toMatchObject({ ClusterIdentifier: DRILL, Database: "analytics", DbUser: "admin_user" });
    expect(reports().map((r) => r.key)).toEqual([`drills/${SRC}/${CLUSTER}/20261127t1200z-passed.json`]);
    expect(s3Mock.commandCalls(PutObjectCommand)[0].args[0].input.Bucket).toBe(BUCKET);
    expect(redshiftMock.commandCalls(CreateClusterSnapshotCommand).map((c) => c.args[0].input)).toMatchObject([{ SnapshotIdentifier: COPY, ClusterIdentifier: DRILL }]);
    expect(redshiftMock.commandCalls(DeleteClusterCommand).map((c) => c.args[0].input)).toEqual([{ ClusterIdentifier: DRILL, SkipFinalClusterSnapshot: true }]);
    expect(world.clusters[0].ClusterStatus).toBe("deleting");
    // Everything in the DR account, as the restore operator role (it holds the drill's permissions).
    expect(new Set(clients.targets.map((x) => `${x.kind}:${x.accountId}:${x.roleArn}`))).toEqual(new Set([`dr:${DR}:${OPERATOR_ROLE}`]));
  });

  it("--wait --json prints the report as JSON: passed, the measured times, the rows, the copy", async () => {
    const { code, stdout } = await drill([...WAIT, "--json"]);
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as DrillReport;
    expect(report).toMatchObject({
      result: "passed",
      drillCluster: DRILL,
      source: { accountId: SRC, region: REGION, clusterIdentifier: CLUSTER },
      recoveryPoint: { kind: "shared", ref: SNAP, dataTime: "2026-11-27T06:00:00.000Z", ageHoursAtStart: 6 },
      measured: { secondsToAvailable: 1200, totalSeconds: 1500 },
      validation: { database: "analytics", statementId: "stmt-1", tables: [{ table: "public.orders", rowCount: 1200 }] },
      drOwnedCopy: { snapshotIdentifier: COPY, retentionDays: 35 },
    });
    expect(report).not.toHaveProperty("failure");
    expect(reports()[0].report).toEqual(report);
    expect(redshiftMock.commandCalls(DeleteClusterCommand)).toHaveLength(1);
  });

  it("a failed drill (an empty table): exit 1, the failure in the report, no DR-owned copy, the drill cluster deleted all the same", async () => {
    world.rows = 0;
    const { code, stdout } = await drill(WAIT);
    expect(code).toBe(1);
    expect(stdout.split("\n")[0]).toBe("result: failed (validating: empty table(s): public.orders)");
    expect(reports().map((r) => [r.key, r.report.result])).toEqual([[`drills/${SRC}/${CLUSTER}/20261127t1200z-failed.json`, "failed"]]);
    expect(redshiftMock.commandCalls(CreateClusterSnapshotCommand)).toHaveLength(0);
    expect(redshiftMock.commandCalls(DeleteClusterCommand).map((c) => c.args[0].input.ClusterIdentifier)).toEqual([DRILL]);
  });

  it("a drill that cannot start (nothing shared): exit 1 with the failed report, even without --wait; nothing restored", async () => {
    world.shared = [];
    const { code, stdout } = await drill(["drill", "run", "--cluster", CLUSTER]);
    expect(code).toBe(1);
    expect(stdout.split("\n")[0]).toMatch(/^result: failed \(start: nothing to restore for cluster analytics-prod: no available snapshot of it shared by account 222222222222/);
    expect(redshiftMock.commandCalls(RestoreFromClusterSnapshotCommand)).toHaveLength(0);
    expect(reports().map((r) => r.key)).toEqual([`drills/${SRC}/${CLUSTER}/20261127t1200z-failed.json`]);
  });
});

describe("drill run refusals (bad usage: exit 2, no AWS call)", () => {
  it.each<[string, string[], string | undefined, RegExp]>([
    ["a cluster without a drill", ["--cluster", "payments-ledger"], MULTI_SOURCE_CONFIG, /error: --cluster payments-ledger: no drill is configured \(sources\[\]\.clusters\[\]\.drill in .*multi-source\.json\)/],
    ["a cluster not in the config", ["--cluster", "nope"], undefined, /--cluster "nope" is not in .*; clusters: analytics-prod/],
    ["no --cluster", [], undefined, /required option '--cluster <id>'/],
    ["a poll interval of 0", ["--cluster", CLUSTER, "--wait", "--poll-seconds", "0"], undefined, /--poll-seconds must be a number above 0/],
  ])("%s", async (_name, argv, config, message) => {
    const { code, stderr } = await drill(["drill", "run", ...argv], config ? { config } : {});
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
    expect(redshiftMock.calls()).toHaveLength(0);
    expect(s3Mock.calls()).toHaveLength(0);
  });
});
