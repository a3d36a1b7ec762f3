// Emulator tier for the restore drill: the reconciler core `runDrills` (functions/lib/drill.ts) with real SDK
// clients (Redshift, Redshift Data, S3, SNS, EC2) pointed at moto, its clock injected; then the handler
// functions/restore-drill/handler.ts bundled by stacks/constructs/bundling.ts writeBundle as the RestoreDrill construct
// bundles it (esbuild, no externals), run like the other bundles (scripts/e2e/functions.ts invokeBundle: a fresh Node
// process, loopback only) with the environment the construct synthesizes (RESTORE_DRILL_ENV), on the system clock.
// (Not the archive of a `cdktf synth` of the estate, as functions.e2e.test.ts does: that synth costs ~15 s here.)
//
// One account (the example's DR account, 999999999999) stands for DR AND for the source. moto cannot share a
// snapshot with another account (AuthorizeSnapshotAccess is 501), so the recovery point is a snapshot the DR
// account owns itself, named and tagged as the snapshot manager names and tags them (`rsdr-<cluster>-<stamp>`),
// and the drill target's accountId is the DR account: the core's listing of shared snapshots (listing.ts
// listSharedSnapshots: OwnerAccount filter, then OwnerAccount == source, id form, managed-by) then takes it.
// Stock moto cannot even do that: its Snapshot has no OwnerAccount, so the listing drops every snapshot (first
// describe block, on a second, unpatched server). The main server runs with two opt-in patches
// (scripts/e2e/moto_opt_in_patches.py, asked for with E2E_MOTO_OPT_IN), both only filling in what AWS's answer has:
//   redshift_snapshot_owner_account  Snapshot.OwnerAccount = the owning account (moto still ignores the OwnerAccount
//                                    filter and still shares nothing);
//   redshift_data_epoch_timestamps   the Data API's CreatedAt/UpdatedAt as epoch seconds (JSON protocol), which
//                                    the JS SDK needs to read moto's ExecuteStatement/DescribeStatement at all.
//
// What moto does here: CreateClusterSubnetGroup/EC2 VPC, subnet, security group, KMS CreateKey, CreateCluster,
// CreateClusterSnapshot (with tags), DescribeClusterSnapshots, RestoreFromClusterSnapshot (into the subnet group and
// security group; the cluster is `available` at once and RestoreStatus is a fixed sample, ElapsedTimeInSeconds 123;
// it carries the snapshot's own tags over to the cluster), CreateTags on the cluster ARN, DescribeClusters with
// Tags, DeleteCluster (gone at once, never `deleting`), Data API ExecuteStatement/DescribeStatement (kept, with
// the SQL), S3 PutObject/ListObjectsV2/GetObject, SNS Publish (read back through an SQS subscription).
// What it does not, named in the tests: sharing (so OwnerAccount-based visibility across accounts), running SQL
// (a statement stays STARTED forever; GetStatementResult returns moto's fixed sample rows whatever the SQL), so a
// drill cannot pass here; the passed path's validation is left to the mock tests (__tests__/functions/drill*.test.ts).
// The DR-owned copy step is run from a seeded pass (the result tag an earlier run writes), named as such.
// The tests of a describe block build on each other's state and run in file order.
//
// Run: npx jest -c e2e/jest.config.js __tests__/e2e/drill.e2e.test.ts
import * as fs from "fs";
import * as path from "path";
import { CreateKeyCommand, KMSClient } from "@aws-sdk/client-kms";
import {
  CreateClusterSnapshotCommand,
  CreateClusterSubnetGroupCommand,
  CreateTagsCommand,
  DescribeClustersCommand,
  DescribeClusterSnapshotsCommand,
  RedshiftClient,
  type Cluster,
  type Tag,
} from "@aws-sdk/client-redshift";
import { DescribeStatementCommand, ExecuteStatementCommand, RedshiftDataClient } from "@aws-sdk/client-redshift-data";
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, S3Client, type BucketLocationConstraint } from "@aws-sdk/client-s3";
import { CreateTopicCommand, SNSClient, SubscribeCommand } from "@aws-sdk/client-sns";
import { CreateSecurityGroupCommand, CreateSubnetCommand, CreateVpcCommand, EC2Client } from "@aws-sdk/client-ec2";
import { EXAMPLE_CONFIG, parseConfig } from "../../config/load";
import { drillReportKeyPrefix, METRIC_DIMENSIONS, RESTORE_DRILL_ENV, windowStamp, type DrillTarget } from "../../contract";
import { runDrills, validationSql, type DrillReport, type DrillRunReport, type DrillSettings } from "../../functions/lib/drill";
import type { MetricPoint } from "../../functions/lib/metrics";
import { memoryLogger, type MemoryLogger } from "../../functions/lib/runtime";
import { writeBundle } from "../../stacks/constructs/bundling";
import { ManualClock } from "../../testing/manual-clock";
import { assumeRole, drainQueue, sqs } from "../../scripts/e2e/aws-calls";
import { functionEnv, invokeBundle, type Credentials, type InvokeResult } from "../../scripts/e2e/functions";
import { MotoServer, startMoto } from "../../scripts/e2e/moto";
import { e2eWorkDir, repoRoot } from "../../scripts/e2e/paths";
import { createEmulatorCluster } from "../../scripts/e2e/redshift";

const estate = parseConfig(JSON.parse(fs.readFileSync(EXAMPLE_CONFIG, "utf8")));
const REGION = estate.dr.region;
const DR = estate.dr.accountId;
const PREFIX = estate.project; // snapshot prefix and managed-by value, as the stacks set them
const CLUSTER = estate.sources[0].clusters[0].identifier; // analytics-prod
/** Source cluster of the bundled handler's drill (its own, so that the core's reports do not make it "not due"). */
const BUNDLE_CLUSTER = "sales-prod";
/** The DR stack's restore network names: subnet group and closed security group `<project>-dr-redshift`. */
const NETWORK = `${PREFIX}-dr-redshift`;
/** The RestoreDrill construct's default report bucket name. */
const BUCKET = `${PREFIX}-drill-reports-${DR}-${REGION}`;
/** Named like a drill (of another cluster), tagged by another team: never ours. */
const FOREIGN = `${PREFIX}-drill-legacy-20240101t0000z`;
const FOREIGN_TAGS = [{ Key: "team", Value: "bi" }, { Key: "managed-by", Value: "other-tool" }];
const OPT_IN = ["redshift_snapshot_owner_account", "redshift_data_epoch_timestamps"];
const HOUR = 3_600_000;
const MINUTE = 60_000;

const TARGET: DrillTarget = {
  accountId: DR, // the account standing for the source (see the header)
  region: REGION,
  partition: "aws",
  clusterIdentifier: CLUSTER,
  everyHours: 24,
  maxLifetimeHours: 6,
  from: "shared",
  database: "dev", // moto's default database name
  tables: ["public.orders", "public.customers"],
  drOwnedCopy: { retentionDays: 7, keepLatest: 2 },
};

/** The DR account in the patched server (used by the core's tests, then by the bundle's) and in the unpatched one. */
let main: DrAccount;
let plain: DrAccount;
/** The esbuild bundle of functions/restore-drill/handler.ts, as invokeBundle runs it. */
let bundled: { bundle: string; functionName: string; timeoutSeconds: number };
const timings: Record<string, number> = {};

function client<T>(ctor: new (cfg: object) => T, server: MotoServer, creds: Credentials): T {
  return new ctor({ endpoint: server.endpoint, region: REGION, credentials: creds, maxAttempts: 1 });
}

const tagMap = (tags: readonly Tag[] | undefined) => Object.fromEntries((tags ?? []).map((t) => [t.Key!, t.Value!]));

/** The snapshot manager's tags for a window snapshot of `cluster` (naming.ts / snapshot-manager). */
function sourceSnapshotTags(cluster: string, window: Date): Tag[] {
  return [
    { Key: "managed-by", Value: PREFIX },
    { Key: "rsdr:cluster", Value: cluster },
    { Key: "rsdr:window", Value: window.toISOString() },
    { Key: "rsdr:targets", Value: DR },
  ];
}

/** The DR account as the drill needs it, in one moto server. */
interface DrAccount {
  readonly server: MotoServer;
  readonly creds: Credentials;
  readonly redshift: RedshiftClient;
  readonly data: RedshiftDataClient;
  readonly s3: S3Client;
  readonly sns: SNSClient;
  readonly ec2: EC2Client;
  readonly kmsKeyArn: string;
  readonly securityGroupId: string;
  readonly topicArn: string;
  readonly queueUrl: string;
}

/**
 * Key, report bucket, alert topic with an SQS tap, the foreign cluster and, with `network`, the DR stack's restore
 * network: VPC, subnet, closed security group and subnet group.
 */
async function prepareDrAccount(server: MotoServer, network: boolean): Promise<DrAccount> {
  const creds = await assumeRole(server.endpoint, `arn:aws:iam::${DR}:role/${PREFIX}-restore-drill`, REGION, "e2e-drill");
  const redshift = client(RedshiftClient, server, creds);
  const ec2 = client(EC2Client, server, creds);
  let securityGroupId = "";
  if (network) {
    const vpc = (await ec2.send(new CreateVpcCommand({ CidrBlock: "10.100.0.0/16" }))).Vpc!.VpcId!;
    const subnet = (await ec2.send(new CreateSubnetCommand({ VpcId: vpc, CidrBlock: "10.100.0.0/20", AvailabilityZone: `${REGION}a` }))).Subnet!.SubnetId!;
    securityGroupId = (await ec2.send(new CreateSecurityGroupCommand({ VpcId: vpc, GroupName: NETWORK, Description: "restore" }))).GroupId!;
    await redshift.send(new CreateClusterSubnetGroupCommand({ ClusterSubnetGroupName: NETWORK, Description: "restore", SubnetIds: [subnet] }));
  }
  const kmsKeyArn = (await client(KMSClient, server, creds).send(new CreateKeyCommand({ Description: "DR key" }))).KeyMetadata!.Arn!;
  const s3 = client(S3Client, server, creds);
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET, CreateBucketConfiguration: { LocationConstraint: REGION as BucketLocationConstraint } }));
  const sns = client(SNSClient, server, creds);
  const topicArn = (await sns.send(new CreateTopicCommand({ Name: `${PREFIX}-dr-alerts` }))).TopicArn!;
  const { QueueUrl } = await sqs<{ QueueUrl: string }>(server.endpoint, creds, REGION, "CreateQueue", { QueueName: `${PREFIX}-dr-alerts-tap` });
  const { Attributes } = await sqs<{ Attributes: { QueueArn: string } }>(server.endpoint, creds, REGION, "GetQueueAttributes", { QueueUrl, AttributeNames: ["QueueArn"] });
  await sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: "sqs", Endpoint: Attributes.QueueArn }));
  await createEmulatorCluster(redshift, FOREIGN);
  await redshift.send(new CreateTagsCommand({ ResourceName: `arn:aws:redshift:${REGION}:${DR}:cluster:${FOREIGN}`, Tags: FOREIGN_TAGS }));
  return { server, creds, redshift, data: client(RedshiftDataClient, server, creds), s3, sns, ec2, kmsKeyArn, securityGroupId, topicArn, queueUrl: QueueUrl };
}

/** A source cluster and its window snapshot `<prefix>-<cluster>-<yyyymmddthhmmz>`, tagged as ours. Returns the id. */
async function sourceSnapshot(acct: DrAccount, cluster: string): Promise<string> {
  await createEmulatorCluster(acct.redshift, cluster);
  const window = new Date(Math.floor(Date.now() / HOUR) * HOUR);
  const id = `${PREFIX}-${cluster}-${windowStamp(window)}`;
  await acct.redshift.send(new CreateClusterSnapshotCommand({ ClusterIdentifier: cluster, SnapshotIdentifier: id, Tags: sourceSnapshotTags(cluster, window) }));
  return id;
}

function settingsFor(acct: DrAccount, drills: readonly DrillTarget[] = [TARGET]): DrillSettings {
  return {
    drills,
    drAccountId: DR,
    region: REGION,
    snapshotPrefix: PREFIX,
    managedBy: PREFIX,
    subnetGroupName: NETWORK,
    securityGroupName: NETWORK,
    kmsKeyArn: acct.kmsKeyArn,
    reportBucket: BUCKET,
    alertTopicArn: acct.topicArn,
  };
}

interface DrillRun {
  readonly report: DrillRunReport;
  readonly log: MemoryLogger;
  readonly points: MetricPoint[];
}

/** One run of the core at `clock`'s time. */
async function drill(acct: DrAccount, clock: ManualClock, settings = settingsFor(acct)): Promise<DrillRun> {
  const log = memoryLogger();
  const points: MetricPoint[] = [];
  const { redshift, data, s3, sns, ec2 } = acct;
  const t0 = Date.now();
  const report = await runDrills({ redshift, data, s3, sns, ec2, metrics: (p) => void points.push(...p), clock, log }, settings);
  timings.coreRunsMs = (timings.coreRunsMs ?? 0) + (Date.now() - t0);
  return { report, log, points };
}

async function allClusters(acct: DrAccount): Promise<Cluster[]> {
  return (await acct.redshift.send(new DescribeClustersCommand({}))).Clusters ?? [];
}

async function clusterTags(acct: DrAccount, id: string): Promise<Record<string, string>> {
  const c = (await acct.redshift.send(new DescribeClustersCommand({ ClusterIdentifier: id }))).Clusters![0];
  return tagMap(c.Tags);
}

/** Report keys in the bucket (the restore markers, `pending/<stamp>.json`, are listed by markerKeys). */
async function reportKeys(acct: DrAccount): Promise<string[]> {
  return (await allKeys(acct)).filter((k) => !k.includes("/pending/"));
}

async function markerKeys(acct: DrAccount): Promise<string[]> {
  return (await allKeys(acct)).filter((k) => k.includes("/pending/"));
}

async function allKeys(acct: DrAccount): Promise<string[]> {
  return ((await acct.s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: "drills/" }))).Contents ?? []).map((o) => o.Key!);
}

async function readReport(acct: DrAccount, key: string): Promise<DrillReport & Record<string, unknown>> {
  const out = await acct.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
  return JSON.parse(await out.Body!.transformToString()) as DrillReport & Record<string, unknown>;
}

/** The foreign cluster is still there with exactly its own tags. */
async function expectForeignUntouched(acct: DrAccount): Promise<void> {
  expect(await clusterTags(acct, FOREIGN)).toEqual(tagMap(FOREIGN_TAGS));
}

const ourDrillTags = (cluster: string, startedAt: Date, snapshotId: string, dataTime: string, step: string) => ({
  "managed-by": PREFIX,
  "rsdr:cluster": cluster,
  "rsdr:source-account": DR,
  "rsdr:drill-started": startedAt.toISOString(),
  "rsdr:drill-step": step,
  "rsdr:drill-point": `shared:${snapshotId}`,
  "rsdr:data-time": dataTime,
});

// ---------------------------------------------------------------------------------------------------

let starting: Array<Promise<MotoServer>> = [];

beforeAll(async () => {
  const t0 = Date.now();
  // The opt-in reaches a server through the environment startMoto() spawns it with (read before its first await),
  // so the two servers start in parallel, one with and one without the opt-in patches.
  process.env.E2E_MOTO_OPT_IN = OPT_IN.join(",");
  const patched = startMoto({ region: REGION });
  delete process.env.E2E_MOTO_OPT_IN;
  const unpatched = startMoto({ region: REGION });
  starting = [patched, unpatched];
  for (const p of starting) p.catch(() => undefined); // awaited below; no unhandled rejection meanwhile

  // While moto starts: the handler bundled as the RestoreDrill construct bundles it (stacks/constructs/bundling.ts:
  // esbuild, cjs, node22, minified, source maps, no externals).
  const bundleDir = path.join(e2eWorkDir(), "drill", `bundles-${process.pid}`, "restore-drill");
  writeBundle(bundleDir, path.join(repoRoot, "functions", "restore-drill", "handler.ts"), [], repoRoot);
  bundled = { bundle: path.join(bundleDir, "index.js"), functionName: `${PREFIX}-restore-drill`, timeoutSeconds: 300 };
  timings.bundleMs = Date.now() - t0;

  const [m, u] = await Promise.all([patched, unpatched]);
  expect(m.patches).toEqual(expect.arrayContaining(OPT_IN));
  expect(u.patches.filter((p) => OPT_IN.includes(p))).toEqual([]);
  timings.motoStartMs = Date.now() - t0;
  // The unpatched server needs no network: its drill stops before the restore.
  [main, plain] = await Promise.all([prepareDrAccount(m, true), prepareDrAccount(u, false)]);
  timings.setupMs = Date.now() - t0;
}, 120_000);

afterAll(async () => {
  // Every server that started, also when the other one (or the setup) failed.
  await Promise.all(starting.map((p) => p.then((m) => m.stop(), () => undefined)));
  if (Object.keys(timings).length) console.log(`drill e2e timings (ms): ${JSON.stringify(timings)}`);
});

describe("stock moto (without the opt-in patches)", () => {
  let acct: DrAccount;
  let snapshotId: string;

  beforeAll(async () => {
    acct = plain;
    snapshotId = await sourceSnapshot(acct, CLUSTER);
  });

  it("moto: DescribeClusterSnapshots has no OwnerAccount, so the core's listing of shared snapshots drops our snapshot and the drill fails at start: a failed report, no cluster", async () => {
    // (moto also ignores SnapshotType without ClusterIdentifier: the automated snapshots "rs:..." come back too.)
    const listed = (await acct.redshift.send(new DescribeClusterSnapshotsCommand({ OwnerAccount: DR, SnapshotType: "manual" }))).Snapshots ?? [];
    expect(listed.map((s) => s.SnapshotIdentifier)).toContain(snapshotId);
    expect(listed.map((s) => s.OwnerAccount)).toEqual(listed.map(() => undefined));

    const clock = new ManualClock(new Date());
    const before = (await allClusters(acct)).map((c) => c.ClusterIdentifier).sort();
    const { report } = await drill(acct, clock);
    expect(report.drills).toEqual([
      expect.objectContaining({ accountId: DR, clusterIdentifier: CLUSTER, action: "recorded", report: expect.objectContaining({ result: "failed", drillCluster: null, recoveryPoint: null }) }),
    ]);
    expect(report.drills[0].report!.failure).toEqual({
      step: "start",
      message: `nothing to restore for cluster ${CLUSTER}: no available snapshot of it shared by account ${DR}`,
    });
    expect(await reportKeys(acct)).toEqual([`${drillReportKeyPrefix(DR, CLUSTER)}${windowStamp(clock.now())}-failed.json`]);
    expect((await allClusters(acct)).map((c) => c.ClusterIdentifier).sort()).toEqual(before);
    expect(report.untouched).toEqual([FOREIGN]);
    await expectForeignUntouched(acct);
  });

  it("moto: its Data API answers timestamps as ISO strings, which the JS SDK cannot read (ExecuteStatement is accepted, its answer is refused)", async () => {
    await expect(
      acct.data.send(new ExecuteStatementCommand({ ClusterIdentifier: CLUSTER, Database: "dev", DbUser: "admin", Sql: "select 1" })),
    ).rejects.toThrow(/Expected real number, got implicit NaN/);
  });
});

describe("runDrills against moto (opt-in patches: snapshot OwnerAccount, Data API epoch timestamps)", () => {
  let acct: DrAccount;
  let snapshotId: string;
  let dataTime: string;
  let clock: ManualClock;
  let t0: Date;
  let drillCluster: string;
  let statementId: string;

  beforeAll(async () => {
    acct = main;
    snapshotId = await sourceSnapshot(acct, CLUSTER);
    const snap = (await acct.redshift.send(new DescribeClusterSnapshotsCommand({ SnapshotIdentifier: snapshotId }))).Snapshots![0];
    dataTime = snap.SnapshotCreateTime!.toISOString();
    t0 = new Date();
    clock = new ManualClock(t0);
    drillCluster = `${PREFIX}-drill-${CLUSTER}-${windowStamp(t0)}`;
  });

  it("the snapshot, owned by the account standing for source and DR, is listed with OwnerAccount (opt-in patch); moto still ignores the OwnerAccount filter", async () => {
    // (moto ignores SnapshotType without ClusterIdentifier: the automated snapshots "rs:..." come back too; the
    // core's listing keeps manual ones itself.)
    const listed = (await acct.redshift.send(new DescribeClusterSnapshotsCommand({ OwnerAccount: DR, SnapshotType: "manual" }))).Snapshots ?? [];
    const manual = listed.filter((s) => s.SnapshotType === "manual");
    expect(manual.map((s) => [s.SnapshotIdentifier, s.OwnerAccount, s.ClusterIdentifier, s.Status])).toEqual([[snapshotId, DR, CLUSTER, "available"]]);
    expect(listed.map((s) => s.OwnerAccount)).toEqual(listed.map(() => DR));
    expect(snapshotId).toMatch(new RegExp(`^${PREFIX}-${CLUSTER}-\\d{8}t\\d{4}z$`));
    const other = (await acct.redshift.send(new DescribeClusterSnapshotsCommand({ OwnerAccount: "123456789012", SnapshotType: "manual" }))).Snapshots ?? [];
    expect(other.map((s) => s.SnapshotIdentifier)).toEqual(listed.map((s) => s.SnapshotIdentifier)); // the filter is ignored: the core checks OwnerAccount itself
  });

  it("run 1: restores the snapshot into <prefix>-drill-<cluster>-<stamp> in the DR subnet group and restore security group, and tags it (DescribeClusters shows the tags); the foreign drill-named cluster is reported, not touched", async () => {
    const { report, log, points } = await drill(acct, clock);
    expect(report.drills).toEqual([{ accountId: DR, clusterIdentifier: CLUSTER, action: "started", drillCluster, step: "restoring" }]);
    expect(report).toMatchObject({ untouched: [FOREIGN], orphansDeleted: [], copiesDeleted: [], metrics: "skipped", reportingErrors: [] });
    expect(points).toEqual([]);
    expect(log.entries.filter((e) => e.event === "drill-cluster-not-ours").map((e) => e.cluster)).toEqual([FOREIGN]);

    const c = (await acct.redshift.send(new DescribeClustersCommand({ ClusterIdentifier: drillCluster }))).Clusters![0];
    expect(c).toMatchObject({ ClusterStatus: "available", ClusterSubnetGroupName: NETWORK, NodeType: "ra3.xlplus", NumberOfNodes: 2, MasterUsername: "admin" });
    expect(c.VpcSecurityGroups?.map((g) => g.VpcSecurityGroupId)).toEqual([acct.securityGroupId]);
    const tags = tagMap(c.Tags);
    expect(tags).toEqual(expect.objectContaining(ourDrillTags(CLUSTER, t0, snapshotId, dataTime, "restoring")));
    // moto carries the snapshot's own tags over to the restored cluster; ours overwrite managed-by and rsdr:cluster.
    expect(Object.keys(tags).filter((k) => !(k in ourDrillTags(CLUSTER, t0, snapshotId, dataTime, "restoring"))).sort()).toEqual(["rsdr:targets", "rsdr:window"]);
    expect(await reportKeys(acct)).toEqual([]);
    // The restore marker, written before the restore: with it a later run adopts a cluster whose tags never came.
    expect(await markerKeys(acct)).toEqual([`${drillReportKeyPrefix(DR, CLUSTER)}pending/${windowStamp(t0)}.json`]);
    await expectForeignUntouched(acct);
  });

  it("run 2 (+10 min; moto's cluster is available at once): sends the validation SQL with the Data API ExecuteStatement (moto keeps the statement) and tags step validating; moto never finishes a statement (STARTED), so the drill waits", async () => {
    clock.set(new Date(t0.getTime() + 10 * MINUTE));
    const { report } = await drill(acct, clock);
    expect(report.drills).toEqual([{ accountId: DR, clusterIdentifier: CLUSTER, action: "waiting", drillCluster, step: "validating" }]);
    const tags = await clusterTags(acct, drillCluster);
    statementId = tags["rsdr:drill-statement"];
    expect(statementId).toMatch(/^[0-9a-f-]{36}$/);
    expect(tags).toMatchObject({ "rsdr:drill-step": "validating", "rsdr:drill-available": clock.now().toISOString() });
    const st = await acct.data.send(new DescribeStatementCommand({ Id: statementId }));
    expect(st).toMatchObject({ Status: "STARTED", ClusterIdentifier: drillCluster, Database: "dev", DbUser: "admin", QueryString: validationSql(TARGET.tables) });
    expect(st.QueryString).toBe("select 'public.orders' as table_name, count(*) as row_count from public.orders union all select 'public.customers' as table_name, count(*) as row_count from public.customers");
    expect(await reportKeys(acct)).toEqual([]);
  });

  it("run 3 (+5 h 59 min, within the 6 h limit): moto still reports STARTED, the drill keeps waiting and sends no second statement", async () => {
    clock.set(new Date(t0.getTime() + 6 * HOUR - MINUTE));
    const { report } = await drill(acct, clock);
    expect(report.drills).toEqual([{ accountId: DR, clusterIdentifier: CLUSTER, action: "waiting", drillCluster, step: "validating" }]);
    expect((await clusterTags(acct, drillCluster))["rsdr:drill-statement"]).toBe(statementId);
    expect((await acct.data.send(new DescribeStatementCommand({ Id: statementId }))).Status).toBe("STARTED");
  });

  it("moto: the Data API never finishes a statement, so the drill reaches its age limit: run 4 (+6 h 1 min) writes drills/<account>/<cluster>/<stamp>-failed.json to the bucket, publishes the alert and the DrillsFailed metric, and deletes the drill cluster", async () => {
    clock.set(new Date(t0.getTime() + 6 * HOUR + MINUTE));
    const { report, points } = await drill(acct, clock);
    const key = `${drillReportKeyPrefix(DR, CLUSTER)}${windowStamp(t0)}-failed.json`;
    expect(key).toBe(`drills/${DR}/${CLUSTER}/${windowStamp(t0)}-failed.json`);
    expect(report.drills).toEqual([expect.objectContaining({ action: "deleted", drillCluster, step: "validating", report: expect.objectContaining({ result: "failed" }) })]);
    expect(report).toMatchObject({ untouched: [FOREIGN], metrics: "published", reportingErrors: [] });

    // The report, as read back from moto's S3.
    expect(await reportKeys(acct)).toEqual([key]);
    const written = await readReport(acct, key);
    console.log(`drill report read back from s3://${BUCKET}/${key}:\n${JSON.stringify(written, null, 2)}`);
    expect(written).toEqual(report.drills[0].report);
    expect(written).toEqual({
      drillCluster,
      source: { accountId: DR, region: REGION, clusterIdentifier: CLUSTER },
      result: "failed",
      failure: { step: "validating", message: "the drill cluster is older than its limit of 6 h (still validating, cluster available)" },
      recoveryPoint: { kind: "shared", ref: snapshotId, dataTime, ageHoursAtStart: expect.any(Number) },
      target: { nodeType: "ra3.xlplus", numberOfNodes: 2, subnetGroupName: NETWORK },
      steps: [
        { step: "restore-requested", at: t0.toISOString(), secondsFromStart: 0 },
        { step: "available", at: new Date(t0.getTime() + 10 * MINUTE).toISOString(), secondsFromStart: 600 },
        { step: "recorded-failed", at: clock.now().toISOString(), secondsFromStart: 6 * 3600 + 60 },
      ],
      // restoreElapsedSeconds: moto's fixed RestoreStatus sample, not a measurement.
      measured: { secondsToAvailable: 600, restoreElapsedSeconds: 123, totalSeconds: null },
      validation: { database: "dev", sql: validationSql(TARGET.tables), statementId, tables: [] },
      drOwnedCopy: null,
      recordedAt: clock.now().toISOString(),
    });
    expect(written.recoveryPoint!.ageHoursAtStart).toBeGreaterThanOrEqual(0);
    expect(written.recoveryPoint!.ageHoursAtStart).toBeLessThan(0.1);

    // The cluster is gone (moto deletes at once; AWS would list it `deleting` for a while).
    expect((await allClusters(acct)).map((c) => c.ClusterIdentifier)).not.toContain(drillCluster);
    await expect(acct.redshift.send(new DescribeClustersCommand({ ClusterIdentifier: drillCluster }))).rejects.toMatchObject({ name: "ClusterNotFoundFault" });

    // One alert and the metrics of a failed drill.
    const alerts = await drainQueue(acct.server.endpoint, acct.creds, REGION, acct.queueUrl);
    expect(alerts.map((a) => a.Subject)).toEqual([`Redshift restore drill FAILED: ${CLUSTER} (account ${DR})`]);
    expect(alerts[0].Message).toContain(`Report: s3://${BUCKET}/${key}`);
    const dims = { [METRIC_DIMENSIONS.sourceAccount]: DR, [METRIC_DIMENSIONS.cluster]: CLUSTER };
    expect(points.map((p) => [p.name, p.value, p.dimensions])).toEqual([
      ["DrillsFailed", 1, dims],
      ["DrillSecondsToAvailable", 600, dims],
    ]);
    await expectForeignUntouched(acct);
  });

  it("run 5 (+7 h): the next drill is not due until 24 h after the last one started; nothing is restored", async () => {
    clock.set(new Date(t0.getTime() + 7 * HOUR));
    const { report } = await drill(acct, clock);
    expect(report.drills).toEqual([{ accountId: DR, clusterIdentifier: CLUSTER, action: "not-due" }]);
    expect((await allClusters(acct)).map((c) => c.ClusterIdentifier).sort()).toEqual([CLUSTER, FOREIGN].sort());
  });

  it("moto never finishes a statement, so no drill passes here: from a SEEDED pass (the result tag an earlier run writes after its report), the next runs keep a DR-owned copy (CreateClusterSnapshot with our tags) and then delete the drill cluster", async () => {
    // A new drill, due 24 h after the last one started.
    const t1 = new Date(t0.getTime() + 24 * HOUR + MINUTE);
    const second = `${PREFIX}-drill-${CLUSTER}-${windowStamp(t1)}`;
    clock.set(t1);
    expect((await drill(acct, clock)).report.drills).toEqual([expect.objectContaining({ action: "started", drillCluster: second })]);
    clock.advance(10 * MINUTE);
    expect((await drill(acct, clock)).report.drills).toEqual([expect.objectContaining({ action: "waiting", step: "validating", drillCluster: second })]);

    // The seeded pass: no report is written for it (record() writes the report first, then this tag).
    await acct.redshift.send(new CreateTagsCommand({ ResourceName: `arn:aws:redshift:${REGION}:${DR}:cluster:${second}`, Tags: [{ Key: "rsdr:drill-result", Value: "passed" }] }));
    clock.advance(10 * MINUTE);
    const copying = await drill(acct, clock);
    const copyId = `${PREFIX}-drcopy-${CLUSTER}-${windowStamp(t1)}`;
    expect(copying.report.drills).toEqual([{ accountId: DR, clusterIdentifier: CLUSTER, action: "copying", drillCluster: second, step: "copying" }]);
    expect((await clusterTags(acct, second))["rsdr:drill-step"]).toBe("copying");
    const copy = (await acct.redshift.send(new DescribeClusterSnapshotsCommand({ SnapshotIdentifier: copyId }))).Snapshots![0];
    expect(copy).toMatchObject({ SnapshotIdentifier: copyId, ClusterIdentifier: second, SnapshotType: "manual", Status: "available", OwnerAccount: DR });
    expect(tagMap(copy.Tags)).toEqual({ "managed-by": PREFIX, "rsdr:cluster": CLUSTER, "rsdr:source-account": DR, "rsdr:data-time": dataTime });

    clock.advance(10 * MINUTE);
    const deleted = await drill(acct, clock);
    expect(deleted.report.drills).toEqual([{ accountId: DR, clusterIdentifier: CLUSTER, action: "deleted", drillCluster: second, step: "deleting" }]);
    expect(deleted.report.copiesDeleted).toEqual([]); // the newest copies are kept (keepLatest 2, retention 7 days)
    expect((await allClusters(acct)).map((c) => c.ClusterIdentifier)).not.toContain(second);
    const copies = (await acct.redshift.send(new DescribeClusterSnapshotsCommand({ SnapshotType: "manual" }))).Snapshots ?? [];
    expect(copies.filter((s) => s.SnapshotIdentifier!.startsWith(`${PREFIX}-drcopy-`)).map((s) => s.SnapshotIdentifier)).toEqual([copyId]);
    // Only the age-limit report: the seeded pass has none.
    expect(await reportKeys(acct)).toEqual([`drills/${DR}/${CLUSTER}/${windowStamp(t0)}-failed.json`]);
    await expectForeignUntouched(acct);
  });
});

describe("the bundled restore-drill handler against moto (fresh Node process, Lambda environment, system clock)", () => {
  let acct: DrAccount;
  let env: Record<string, string>;
  let drillCluster: string | undefined;

  beforeAll(async () => {
    // The same moto server and DR account as the core's tests (after them): the core's drill clusters are gone.
    acct = main;
    await sourceSnapshot(acct, BUNDLE_CLUSTER);
    const E = RESTORE_DRILL_ENV;
    const s = settingsFor(acct, [{ ...TARGET, clusterIdentifier: BUNDLE_CLUSTER, drOwnedCopy: undefined }]);
    env = functionEnv(acct.server.env(), acct.creds, REGION, {
      [E.drills]: JSON.stringify(s.drills),
      [E.drAccountId]: DR,
      [E.snapshotPrefix]: PREFIX,
      [E.managedBy]: PREFIX,
      [E.subnetGroupName]: NETWORK,
      [E.securityGroupName]: NETWORK,
      [E.kmsKeyArn]: acct.kmsKeyArn,
      [E.reportBucket]: BUCKET,
      [E.alertTopicArn]: acct.topicArn,
      [E.metricNamespace]: "RedshiftDR",
      NODE_OPTIONS: "--enable-source-maps",
    });
  });

  async function invoke(): Promise<InvokeResult> {
    const r = await invokeBundle(bundled, { env, event: { source: "aws.scheduler" } });
    timings.bundleRunsMs = (timings.bundleRunsMs ?? 0) + r.handlerMs;
    expect(r.blockedConnections).toEqual([]); // nothing tried to leave 127.0.0.1
    if (!r.ok) throw new Error(`handler failed: ${JSON.stringify(r.error)}\n${r.rawOutput}`);
    return r;
  }

  it("run 1: restores <prefix>-drill-sales-prod-<stamp> and tags it; reports the foreign cluster as untouched", async () => {
    const r = await invoke();
    const result = r.result as { drills: Array<{ cluster: string; action: string; drillCluster?: string }>; untouched: string[]; copiesDeleted: number };
    expect(result).toEqual({ drills: [{ cluster: BUNDLE_CLUSTER, action: "started", drillCluster: expect.stringMatching(new RegExp(`^${PREFIX}-drill-${BUNDLE_CLUSTER}-\\d{8}t\\d{4}z$`)) }], untouched: [FOREIGN], copiesDeleted: 0 });
    drillCluster = result.drills[0].drillCluster!;
    expect(r.logs.filter((l) => l.event === "drill-started").map((l) => [l.service, l.drillCluster])).toEqual([["restore-drill", drillCluster]]);
    expect(await clusterTags(acct, drillCluster)).toMatchObject({ "managed-by": PREFIX, "rsdr:cluster": BUNDLE_CLUSTER, "rsdr:source-account": DR, "rsdr:drill-step": "restoring" });
  });

  it("run 2: sends the validation statement through the Data API and waits (moto never finishes it; the age limit needs the system clock to move 6 h, so it is shown with the core above)", async () => {
    const r = await invoke();
    expect(r.result).toEqual({ drills: [{ cluster: BUNDLE_CLUSTER, action: "waiting", drillCluster }], untouched: [FOREIGN], copiesDeleted: 0 });
    const tags = await clusterTags(acct, drillCluster!);
    expect(tags["rsdr:drill-step"]).toBe("validating");
    const st = await acct.data.send(new DescribeStatementCommand({ Id: tags["rsdr:drill-statement"] }));
    expect(st).toMatchObject({ Status: "STARTED", ClusterIdentifier: drillCluster, QueryString: validationSql(TARGET.tables) });
    await expectForeignUntouched(acct);
  });
});
