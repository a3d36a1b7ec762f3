// Emulator tier for approach 2: the snapshot manager and the DR monitor, exactly as `cdktf synth` bundles
// them (esbuild output under <outdir>/bundles, byte-identical to the TerraformAsset archives), each run
// in a fresh child Node process against moto with the synthesized function environment.
//
// What moto 5.2.5 implements and is exercised here: CreateCluster, CreateClusterSnapshot (with tags,
// ClusterSnapshotAlreadyExists), DescribeClusterSnapshots (also through the SDK waiter), DescribeTags/
// CreateTags/DeleteTags, SNS Publish (read back through an SQS subscription), STS AssumeRole (accounts).
// Metrics are CloudWatch embedded metric format documents on the function's stdout (Powertools Metrics): they
// are read from the run's output, since only CloudWatch Logs (not moto) turns them into metrics. moto implements DeleteClusterSnapshot, but no run reaches it: nothing can be old
// enough to expire (see the retention test).
// What it does not, left to the mock tests (__tests__/functions/*.test.ts), each named in the tests below:
// AuthorizeSnapshotAccess and RevokeSnapshotAccess (501 NotImplemented), the OwnerAccount, TagKeys/TagValues
// and MaxRecords/Marker filters of DescribeClusterSnapshots (ignored), AccountsWithRestoreAccess and
// OwnerAccount in its answer (absent), backdating SnapshotCreateTime (always moto's clock).
// The tests of a describe block build on each other's state and run in file order.
//
// Run: npx jest -c e2e/jest.config.js __tests__/e2e/functions.e2e.test.ts
import * as fs from "fs";
import * as path from "path";
import { App } from "cdktf";
import {
  CreateClusterSnapshotCommand,
  CreateTagsCommand,
  DeleteTagsCommand,
  DescribeClusterSnapshotsCommand,
  DescribeTagsCommand,
  RedshiftClient,
  type Snapshot,
  type Tag,
} from "@aws-sdk/client-redshift";
import { CreateTopicCommand, SNSClient, SubscribeCommand } from "@aws-sdk/client-sns";
import { EXAMPLE_CONFIG, parseConfig } from "../../config/load";
import { buildStacks } from "../../stacks";
import { assumeRole, drainQueue, sqs } from "../../scripts/e2e/aws-calls";
import {
  findSynthesizedFunctions,
  functionEnv,
  invokeBundle,
  measureColdLoad,
  median,
  type Credentials,
  type InvokeResult,
  type SynthesizedFunction,
} from "../../scripts/e2e/functions";
import { MotoServer, startMoto } from "../../scripts/e2e/moto";
import { createEmulatorCluster } from "../../scripts/e2e/redshift";
import { e2eWorkDir } from "../../scripts/e2e/paths";

// The embedded example estate: one source (analytics, 222222222222) with cluster analytics-prod, DR 999999999999.
const raw = JSON.parse(fs.readFileSync(EXAMPLE_CONFIG, "utf8"));
const estate = parseConfig(raw);
const source = estate.sources[0];
const REGION = source.region;
const SOURCE_ACCOUNT = source.accountId;
const DR_ACCOUNT = estate.dr.accountId;
const CLUSTER = source.clusters[0].identifier;
const EVENT = { trigger: "schedule" };

let moto: MotoServer | undefined;
/** Started first and awaited in afterAll as well, so moto is stopped even when the synthesis throws. */
let motoStarting: Promise<MotoServer> | undefined;
let manager: SynthesizedFunction;
let monitor: SynthesizedFunction;
let src: Credentials;
let dr: Credentials;
let rs: RedshiftClient;
let rsDr: RedshiftClient;
let managerEnv: Record<string, string>;
let monitorEnv: Record<string, string>;
let sourceQueueUrl: string;
let drQueueUrl: string;
let windowMinutes: number;
/** Snapshots that are not ours, as created in beforeAll: id -> tags. */
const unmanaged = new Map<string, Record<string, string>>();
const timings: Record<string, number> = {};

// ---------------------------------------------------------------------------------------------------
// Small readers of moto state

function client<T>(ctor: new (cfg: object) => T, creds: Credentials): T {
  return new ctor({ endpoint: moto!.endpoint, region: REGION, credentials: creds, maxAttempts: 1 });
}

async function allSnapshots(c: RedshiftClient = rs): Promise<Snapshot[]> {
  return (await c.send(new DescribeClusterSnapshotsCommand({}))).Snapshots ?? [];
}

function tagMap(tags: readonly Tag[] | undefined): Record<string, string> {
  return Object.fromEntries((tags ?? []).map((t) => [t.Key!, t.Value!]));
}

/**
 * Tags of a snapshot read with DescribeTags (not from the snapshot listing). moto cannot look up an ARN whose
 * snapshot id contains ":" (automated ids "rs:<cluster>-<time>": ResourceNotFound "snapshot (rs)"), so for
 * those the listing's Tags are used.
 */
async function describeTags(snapshot: Snapshot): Promise<Record<string, string>> {
  if (snapshot.SnapshotIdentifier!.includes(":")) return tagMap(snapshot.Tags);
  const out = await rs.send(new DescribeTagsCommand({ ResourceName: snapshot.SnapshotArn }));
  return Object.fromEntries((out.TaggedResources ?? []).map((r) => [r.Tag!.Key!, r.Tag!.Value!]));
}

/** The embedded-metric-format documents a run wrote (one per set of dimension values). */
function emf(run: InvokeResult): Array<Record<string, unknown> & { _aws: { CloudWatchMetrics: Array<{ Namespace: string; Dimensions: string[][]; Metrics: Array<{ Name: string }> }> } }> {
  return run.logs.filter((l) => "_aws" in l) as never;
}

/** `Metric{Dim=value,...}` for every metric a run wrote, sorted; every document must be in the RedshiftDR namespace. */
function metricNames(run: InvokeResult): string[] {
  return emf(run)
    .flatMap((d) => {
      const [directive] = d._aws.CloudWatchMetrics;
      expect(directive.Namespace).toBe("RedshiftDR");
      const dims = directive.Dimensions[0].map((k) => `${k}=${String(d[k])}`).join(",");
      return directive.Metrics.map((m) => `${m.Name}{${dims}}`);
    })
    .sort();
}

/** The value a run wrote for `metric` of the cluster (undefined when it wrote none). */
function metricValue(run: InvokeResult, metric: string): unknown {
  return emf(run).find((d) => d.ClusterIdentifier === CLUSTER && metric in d)?.[metric];
}


/** The window id computed here independently of functions/lib/naming.ts: <prefix>-<cluster>-YYYYMMDDtHHMMz. */
function windowOf(at: Date, minutes: number): { start: Date; id: string } {
  const ms = minutes * 60_000;
  const start = new Date(Math.floor(at.getTime() / ms) * ms);
  const p = (n: number) => String(n).padStart(2, "0");
  const stamp = `${start.getUTCFullYear()}${p(start.getUTCMonth() + 1)}${p(start.getUTCDate())}t${p(start.getUTCHours())}${p(start.getUTCMinutes())}z`;
  return { start, id: `rsdr-${CLUSTER}-${stamp}` };
}

function clusterLine(run: InvokeResult): Record<string, unknown> & { errors: Array<Record<string, unknown>> } {
  const lines = run.logs.filter((l) => l.event === "cluster-reconciled");
  expect(lines).toHaveLength(1);
  return lines[0] as never;
}

/** Attempts the SDK made for each failed step of the run's cluster (retries are the SDK's; 1 means none). */
function attempts(run: InvokeResult, step: string): unknown[] {
  return clusterLine(run).errors.filter((e) => e.step === step).map((e) => e.attempts);
}

/** Every unmanaged snapshot still exists with exactly its original tags; none gained our tags. */
async function expectUnmanagedUntouched(): Promise<void> {
  const byId = new Map((await allSnapshots()).map((s) => [s.SnapshotIdentifier!, s]));
  const now: Record<string, Record<string, string>> = {};
  for (const id of unmanaged.keys()) now[id] = byId.has(id) ? await describeTags(byId.get(id)!) : { MISSING: "deleted" };
  expect(now).toEqual(Object.fromEntries(unmanaged));
}

async function run(fn: SynthesizedFunction, env: Record<string, string>): Promise<InvokeResult> {
  const r = await invokeBundle(fn, { env, event: EVENT });
  expect(r.blockedConnections).toEqual([]); // nothing tried to leave 127.0.0.1
  return r;
}

async function alerts(queueUrl: string, creds: Credentials) {
  return drainQueue(moto!.endpoint, creds, REGION, queueUrl);
}

/** A topic and an SQS queue subscribed to it (moto has no other read API for published messages). */
async function topicWithTap(creds: Credentials, name: string): Promise<{ topicArn: string; queueUrl: string }> {
  const sns = client(SNSClient, creds);
  const topicArn = (await sns.send(new CreateTopicCommand({ Name: name }))).TopicArn!;
  const { QueueUrl } = await sqs<{ QueueUrl: string }>(moto!.endpoint, creds, REGION, "CreateQueue", { QueueName: `${name}-tap` });
  const attrs = await sqs<{ Attributes: { QueueArn: string } }>(moto!.endpoint, creds, REGION, "GetQueueAttributes", {
    QueueUrl,
    AttributeNames: ["QueueArn"],
  });
  await sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: "sqs", Endpoint: attrs.Attributes.QueueArn }));
  return { topicArn, queueUrl: QueueUrl };
}

const createCluster = (c: RedshiftClient) => createEmulatorCluster(c, CLUSTER);

// ---------------------------------------------------------------------------------------------------

beforeAll(async () => {
  const t0 = Date.now();
  motoStarting = startMoto({ region: REGION });
  motoStarting.then((m) => (moto = m)).catch(() => undefined);
  // Synthesize as `cdktf synth` does: the bundles are written by stacks/constructs/nodejs-function.ts.
  const outdir = path.join(e2eWorkDir(), "functions", `synth-${process.pid}`);
  fs.rmSync(outdir, { recursive: true, force: true });
  fs.mkdirSync(outdir, { recursive: true });
  const app = new App({ outdir });
  buildStacks(app, estate);
  app.synth();
  timings.synthMs = Date.now() - t0;
  const fns = findSynthesizedFunctions(outdir);
  manager = fns.find((f) => f.functionName.endsWith("-snapshot-manager"))!;
  monitor = fns.find((f) => f.functionName.endsWith("-dr-monitor"))!;
  moto = await motoStarting;
  expect(manager).toBeDefined();
  expect(monitor).toBeDefined();

  // moto maps the STS credentials to the role's account.
  src = await assumeRole(moto.endpoint, `arn:aws:iam::${SOURCE_ACCOUNT}:role/x`, REGION);
  dr = await assumeRole(moto.endpoint, `arn:aws:iam::${DR_ACCOUNT}:role/x`, REGION);
  rs = client(RedshiftClient, src);
  rsDr = client(RedshiftClient, dr);

  // Source account: the cluster (moto adds one automated snapshot), the alert topic with an SQS tap, and
  // snapshots that are not ours.
  await createCluster(rs);
  const sourceTopic = await topicWithTap(src, `${manager.functionName}-alerts`);
  sourceQueueUrl = sourceTopic.queueUrl;
  const notOurs: Array<[string, Tag[]]> = [
    ["by-hand-no-tags", []],
    ["other-tool-snapshot", [{ Key: "managed-by", Value: "other-tool" }, { Key: "rsdr:cluster", Value: CLUSTER }]],
    // Our naming and managed-by, but the rsdr:cluster tag names another cluster: ownership is by tags.
    [`rsdr-${CLUSTER}-20200101t0000z`, [{ Key: "managed-by", Value: "rsdr" }, { Key: "rsdr:cluster", Value: "other-cluster" }]],
  ];
  for (const [id, tags] of notOurs) {
    await rs.send(new CreateClusterSnapshotCommand({ ClusterIdentifier: CLUSTER, SnapshotIdentifier: id, Tags: tags }));
  }
  for (const s of await allSnapshots()) unmanaged.set(s.SnapshotIdentifier!, await describeTags(s));
  expect([...unmanaged.keys()].filter((id) => id.startsWith("rs:"))).toHaveLength(1); // moto's automated snapshot

  // DR account: the monitor's alert topic with a tap.
  const drTopic = await topicWithTap(dr, `${monitor.functionName}-alerts`);
  drQueueUrl = drTopic.queueUrl;

  // The synthesized environments; the only Terraform reference in them is the alert topic ARN.
  const literal = (vars: Readonly<Record<string, string>>, topicArn: string) => {
    const refs = Object.entries(vars).filter(([, v]) => v.includes("${"));
    expect(refs.map(([k]) => k)).toEqual(["ALERT_TOPIC_ARN"]);
    return { ...vars, ALERT_TOPIC_ARN: topicArn };
  };
  managerEnv = functionEnv(moto.env(), src, REGION, literal(manager.environment, sourceTopic.topicArn));
  monitorEnv = functionEnv(moto.env(), dr, REGION, literal(monitor.environment, drTopic.topicArn));
  windowMinutes = Number(manager.environment.WINDOW_MINUTES);

  // The schedule runs below must fall into one window: if the next window starts within 4 minutes, wait for it.
  const ms = windowMinutes * 60_000;
  const untilNext = ms - (Date.now() % ms);
  if (untilNext < 240_000) {
    console.log(`waiting ${Math.ceil(untilNext / 1000)} s for the next ${windowMinutes}-minute window to start`);
    await new Promise((r) => setTimeout(r, untilNext + 1000));
  }
  timings.setupMs = Date.now() - t0;
}, 600_000);

afterAll(async () => {
  await (moto ?? (await motoStarting?.catch(() => undefined)))?.stop();
  if (Object.keys(timings).length) console.log(`functions e2e timings (ms): ${JSON.stringify(timings)}`);
});

describe("bundles as synthesized", () => {
  it("are the archives' index.js; size and cold module-load time (require() in fresh processes) are printed", async () => {
    const rows: string[] = [];
    for (const [fn, env] of [
      [manager, managerEnv],
      [monitor, monitorEnv],
    ] as const) {
      expect(fn.bundle).toMatch(/[/\\]bundles[/\\][0-9a-f]+[/\\]index\.js$/);
      expect(fn.handler).toBe("index.handler");
      expect(fn.bundleBytes).toBeGreaterThan(0);
      // NODE_OPTIONS=--enable-source-maps as synthesized, and without it; alternating, 7 fresh processes each.
      const { NODE_OPTIONS: _ignored, ...noMapsEnv } = env;
      const withMaps: number[] = [];
      const noMaps: number[] = [];
      for (let i = 0; i < 7; i++) {
        withMaps.push(...(await measureColdLoad(fn, env, 1)));
        noMaps.push(...(await measureColdLoad(fn, noMapsEnv, 1)));
      }
      rows.push(
        `${fn.functionName}: index.js ${(fn.bundleBytes / 1024).toFixed(0)} KiB, index.js.map ${(fn.sourceMapBytes / 1024).toFixed(0)} KiB, ` +
          `archive ${(fn.archiveBytes / 1024).toFixed(0)} KiB; require() median of 7 fresh processes: ` +
          `${median(withMaps).toFixed(0)} ms with --enable-source-maps [${withMaps.map((t) => t.toFixed(0)).join(", ")}], ` +
          `${median(noMaps).toFixed(0)} ms without [${noMaps.map((t) => t.toFixed(0)).join(", ")}] (node ${process.version})`,
      );
    }
    console.log(rows.join("\n"));
  });
});

describe("runner", () => {
  it("refuses sockets to any host but 127.0.0.1 (checked with 127.0.0.2, which never leaves the machine)", async () => {
    const r = await invokeBundle(monitor, { env: { ...monitorEnv, AWS_ENDPOINT_URL: `http://127.0.0.2:${moto!.port}` }, event: EVENT });
    // DescribeClusterSnapshots of the shared snapshots and of the DR-owned copies (the example keeps them), then the
    // alert's SNS Publish: all refused, all reported.
    expect(r.blockedConnections).toEqual([`127.0.0.2:${moto!.port}`, `127.0.0.2:${moto!.port}`, `127.0.0.2:${moto!.port}`]);
    expect(r.error?.name).toBe("DrMonitorFailure");
    expect(r.error?.message).toMatch(
      new RegExp(`^DR monitor: source account\\(s\\) could not be read: ${SOURCE_ACCOUNT}; SNS Publish: e2e loopback guard: connection to 127\\.0\\.0\\.2 refused`),
    );
  });
});

describe("snapshot manager bundle against moto (source account)", () => {
  it("DRY_RUN=true: reports the window snapshot it would create, creates nothing, publishes no metric and no alert", async () => {
    const before = (await allSnapshots()).map((s) => s.SnapshotIdentifier).sort();
    const expected = windowOf(new Date(), windowMinutes);
    const r = await run(manager, { ...managerEnv, DRY_RUN: "true" });
    expect(r.error).toBeUndefined();
    expect(r.result).toEqual({ trigger: "schedule", clusters: 1, created: 1, shared: 0, deleted: 0, dryRun: true });
    expect(clusterLine(r)).toMatchObject({ dryRun: true, created: [expected.id], failed: false });
    expect((await allSnapshots()).map((s) => s.SnapshotIdentifier).sort()).toEqual(before);
    expect(metricNames(r)).toEqual([]);
    expect(await alerts(sourceQueueUrl, src)).toEqual([]);
    await expectUnmanagedUntouched();
  });

  it("schedule run: creates the window snapshot with the exact id and our four tags (moto); sharing fails because moto does not implement AuthorizeSnapshotAccess, so the run fails naming the cluster, publishes ClusterFailures and one alert (sharing itself: mock tests)", async () => {
    const expected = windowOf(new Date(), windowMinutes);
    const r = await run(manager, managerEnv);
    timings.firstRunHandlerMs = r.handlerMs;

    // The invocation fails (so the Lambda Errors alarm would fire) and names the cluster.
    expect(r.ok).toBe(false);
    expect(r.error).toMatchObject({ name: "SnapshotManagerFailure", message: `snapshot manager: 1 of 1 cluster(s) failed: ${CLUSTER}` });

    // Created, with the exact id, as a manual snapshot of the cluster, available (moto: at once).
    const mine = (await allSnapshots()).filter((s) => !unmanaged.has(s.SnapshotIdentifier!));
    expect(mine.map((s) => s.SnapshotIdentifier)).toEqual([expected.id]);
    const snap = mine[0];
    expect(snap).toMatchObject({ ClusterIdentifier: CLUSTER, SnapshotType: "manual", Status: "available" });
    expect(snap.SnapshotIdentifier).toMatch(/^rsdr-analytics-prod-\d{8}t\d{4}z$/);
    // Exactly our four tags, read back with DescribeTags.
    expect(await describeTags(snap)).toEqual({
      "managed-by": "rsdr",
      "rsdr:cluster": CLUSTER,
      "rsdr:window": expected.start.toISOString(),
      "rsdr:targets": DR_ACCOUNT,
    });
    // Not shared: moto answers AuthorizeSnapshotAccess with 501 NotImplemented (launcher patch) and has no
    // AccountsWithRestoreAccess at all.
    expect(snap.AccountsWithRestoreAccess).toBeUndefined();

    // The share step failed on the unimplemented operation at once: 501 is not retried (it will not start working).
    const line = clusterLine(r);
    expect(line).toMatchObject({ level: "ERROR", service: "snapshot-manager", created: [expected.id], alreadyExisted: false, wait: "available", shared: [], deleted: [], failed: true });
    expect(line.errors).toEqual([
      expect.objectContaining({
        step: "share",
        kind: "other",
        code: "NotImplemented",
        snapshotId: expected.id,
        message: "moto (emulator) does not implement this operation: The authorize_snapshot_access action has not been implemented",
      }),
    ]);
    expect(attempts(r, "share")).toEqual([1]);

    // Metrics, as embedded metric format in the run's output, with exactly the alarm's dimension.
    expect(metricNames(r)).toEqual(
      ["ClusterFailures", "SnapshotsCreated", "SnapshotsDeleted", "SnapshotsShared"].map((n) => `${n}{ClusterIdentifier=${CLUSTER}}`),
    );
    expect(metricValue(r, "ClusterFailures")).toBe(1);
    expect(metricValue(r, "SnapshotsCreated")).toBe(1);
    expect(metricValue(r, "SnapshotsShared")).toBe(0);

    // One alert, read from the SQS queue subscribed to the topic; it names the cluster and the operation.
    const messages = await alerts(sourceQueueUrl, src);
    expect(messages).toHaveLength(1);
    expect(messages[0].Subject).toBe("Redshift snapshot manager: 1 of 1 failed");
    expect(messages[0].Message).toContain(`cluster ${CLUSTER}:`);
    expect(messages[0].Message).toContain(
      `share (${expected.id}): other/NotImplemented: moto (emulator) does not implement this operation: The authorize_snapshot_access action has not been implemented`,
    );
    expect(messages[0].Message).toContain(`DR accounts: ${DR_ACCOUNT}`);
    await expectUnmanagedUntouched();
  });

  it("second run in the same window: finds the window snapshot by listing, creates no duplicate (sharing again fails: AuthorizeSnapshotAccess not implemented by moto)", async () => {
    const expected = windowOf(new Date(), windowMinutes);
    const r = await run(manager, managerEnv);
    expect(r.error).toMatchObject({ name: "SnapshotManagerFailure", message: `snapshot manager: 1 of 1 cluster(s) failed: ${CLUSTER}` });
    expect(clusterLine(r)).toMatchObject({ created: [], alreadyExisted: true, wait: "not-needed", failed: true });
    expect((await allSnapshots()).filter((s) => !unmanaged.has(s.SnapshotIdentifier!)).map((s) => s.SnapshotIdentifier)).toEqual([expected.id]);
    expect(metricValue(r, "SnapshotsCreated")).toBe(0);
    expect(metricValue(r, "ClusterFailures")).toBe(1);
    expect(await alerts(sourceQueueUrl, src)).toHaveLength(1);
    await expectUnmanagedUntouched();
  });

  it('"already exists" path: a snapshot holding the window id without our tags makes CreateClusterSnapshot answer ClusterSnapshotAlreadyExists (moto), which counts as success; it is not tagged, shared or deleted', async () => {
    const expected = windowOf(new Date(), windowMinutes);
    const snap = (await allSnapshots()).find((s) => s.SnapshotIdentifier === expected.id)!;
    const ours = await describeTags(snap);
    await rs.send(new DeleteTagsCommand({ ResourceName: snap.SnapshotArn, TagKeys: Object.keys(ours) }));
    try {
      const r = await run(manager, managerEnv);
      expect(r.error).toBeUndefined();
      expect(r.result).toEqual({ trigger: "schedule", clusters: 1, created: 0, shared: 0, deleted: 0, dryRun: false });
      const line = clusterLine(r);
      expect(line).toMatchObject({ created: [], alreadyExisted: true, wait: "available", failed: false, errors: [] });
      expect(line.notes).toEqual([
        `${expected.id} already existed but was not in the listing (created by an overlapping run, or not tagged as ours)`,
        `${expected.id} is available but not tagged as ours; not shared`,
      ]);
      expect(await describeTags(snap)).toEqual({});
      expect((await allSnapshots()).filter((s) => !unmanaged.has(s.SnapshotIdentifier!)).map((s) => s.SnapshotIdentifier)).toEqual([expected.id]);
      expect(metricValue(r, "ClusterFailures")).toBe(0);
      expect(await alerts(sourceQueueUrl, src)).toEqual([]);
      await expectUnmanagedUntouched();
    } finally {
      await rs.send(new CreateTagsCommand({ ResourceName: snap.SnapshotArn, Tags: Object.entries(ours).map(([Key, Value]) => ({ Key, Value })) }));
    }
  });

  it("retention: an old rsdr:window tag does not expire a snapshot, SnapshotCreateTime decides and moto cannot backdate it, so nothing is deleted (revoke + delete of expired snapshots: mock reconcile/scenario tests)", async () => {
    const now = new Date();
    const current = windowOf(now, windowMinutes);
    // Three more snapshots of ours for windows 30, 29.5 and 29 days ago (the manager's id format and tags),
    // created now: moto stamps SnapshotCreateTime with its own clock.
    const planted: string[] = [];
    for (const daysAgo of [30, 29.5, 29]) {
      const w = windowOf(new Date(now.getTime() - daysAgo * 86_400_000), windowMinutes);
      await rs.send(
        new CreateClusterSnapshotCommand({
          ClusterIdentifier: CLUSTER,
          SnapshotIdentifier: w.id,
          Tags: [
            { Key: "managed-by", Value: "rsdr" },
            { Key: "rsdr:cluster", Value: CLUSTER },
            { Key: "rsdr:window", Value: w.start.toISOString() },
            { Key: "rsdr:targets", Value: DR_ACCOUNT },
          ],
        }),
      );
      planted.push(w.id);
    }
    const r = await run(manager, managerEnv);
    expect(r.error).toMatchObject({ name: "SnapshotManagerFailure" });
    const line = clusterLine(r);
    // 4 of ours > KEEP_LATEST=3, but none is older than RETENTION_DAYS=7 by SnapshotCreateTime: no revoke, no delete.
    // The newest 3 by SnapshotCreateTime are the planted ones (created after the window snapshot).
    expect(line).toMatchObject({ deleted: [], revoked: [], keptAsNewest: [...planted].reverse() });
    const mine = (await allSnapshots()).filter((s) => !unmanaged.has(s.SnapshotIdentifier!)).map((s) => s.SnapshotIdentifier).sort();
    expect(mine).toEqual([current.id, ...planted].sort());
    expect(metricValue(r, "SnapshotsDeleted")).toBe(0);
    // Only the newest SHARE_LATEST=2 of the 4 (by SnapshotCreateTime: the last two planted) were offered to
    // AuthorizeSnapshotAccess, once each (501 is not retried); the older ones hold no authorization to revoke.
    expect(line.errors.map((e) => [e.step, e.code, e.snapshotId]).sort()).toEqual(
      [planted[2], planted[1]].map((id) => ["share", "NotImplemented", id]).sort(),
    );
    expect(line.unshared).toEqual([]);
    expect(attempts(r, "share")).toEqual([1, 1]);
    expect(await alerts(sourceQueueUrl, src)).toHaveLength(1);
    await expectUnmanagedUntouched();
  });

  it("DRY_RUN=true with 4 unshared snapshots of ours: reports 2 shares (the newest SHARE_LATEST), calls no AuthorizeSnapshotAccess, changes nothing, no metric, no alert", async () => {
    const before = await allSnapshots();
    const r = await run(manager, { ...managerEnv, DRY_RUN: "true" });
    expect(r.error).toBeUndefined();
    expect(r.result).toEqual({ trigger: "schedule", clusters: 1, created: 0, shared: 2, deleted: 0, dryRun: true });
    expect(clusterLine(r).errors).toEqual([]); // nothing was called that could fail
    const after = await allSnapshots();
    expect(after.map((s) => [s.SnapshotIdentifier, s.Status, s.AccountsWithRestoreAccess])).toEqual(
      before.map((s) => [s.SnapshotIdentifier, s.Status, s.AccountsWithRestoreAccess]),
    );
    expect(metricNames(r)).toEqual([]); // a dry run writes no metrics
    expect(await alerts(sourceQueueUrl, src)).toEqual([]);
    await expectUnmanagedUntouched();
  });

  it("never touched a snapshot that is not ours: the automated one, one without tags, another tool's, one with another rsdr:cluster (moto ignores the TagKeys/TagValues filter, so the tag check on the results is what protects them)", async () => {
    // The manager's listing asks with ClusterIdentifier, SnapshotType=manual, TagKeys and TagValues; moto
    // ignores the tag filter and returns the unmanaged manual snapshots as well.
    const listed = await rs.send(
      new DescribeClusterSnapshotsCommand({ ClusterIdentifier: CLUSTER, SnapshotType: "manual", TagKeys: ["managed-by"], TagValues: ["rsdr"] }),
    );
    expect((listed.Snapshots ?? []).map((s) => s.SnapshotIdentifier)).toEqual(expect.arrayContaining(["by-hand-no-tags", "other-tool-snapshot"]));
    await expectUnmanagedUntouched();
  });
});

describe("DR monitor bundle against moto (DR account)", () => {
  /** One run of the monitor finds no shared snapshot: a warning per cluster, no age metric (the staleness
   * alarm breaches on missing data, as it must when nothing is shared) and no alert. */
  async function expectMonitorSeesNoSharedSnapshot(): Promise<void> {
    const r = await run(monitor, monitorEnv);
    expect(r.error).toBeUndefined();
    // The example's cluster also keeps DR-owned copies (its drill's drOwnedCopy): none exists in moto.
    expect(r.result).toEqual({ clusters: 1, withSnapshot: 0, drOwnedCopyClusters: 1, withDrOwnedCopy: 0 });
    expect(r.logs.filter((l) => l.event === "dr-cluster-checked")).toEqual([
      // (Powertools Logger leaves out fields that are null, such as newestSnapshotId here)
      expect.objectContaining({ level: "WARN", service: "dr-monitor", approach: "native", sourceAccountId: SOURCE_ACCOUNT, clusterIdentifier: CLUSTER, failed: false, note: expect.stringMatching(/^no shared snapshot visible/) }),
      expect.objectContaining({ level: "WARN", service: "dr-monitor", approach: "drcopy", sourceAccountId: SOURCE_ACCOUNT, clusterIdentifier: CLUSTER, failed: false }),
    ]);
    expect(metricNames(r)).toEqual([]);
    expect(await alerts(drQueueUrl, dr)).toEqual([]);
  }

  it("sees nothing shared: moto does not implement sharing, so the source's snapshots are invisible in the DR account; no metric (missing data alarms), no alert", async () => {
    const visible = await rsDr.send(new DescribeClusterSnapshotsCommand({ OwnerAccount: SOURCE_ACCOUNT, SnapshotType: "manual" }));
    expect(visible.Snapshots ?? []).toEqual([]);
    await expectMonitorSeesNoSharedSnapshot();
  });

  it("moto ignores OwnerAccount and omits it from the answer: a snapshot the DR account owns itself, named like ours, is listed as the source's, yet the monitor does not count it, since the answer does not say the source owns it (OwnerAccount filtering: dr-monitor mock tests)", async () => {
    await createCluster(rsDr);
    const id = windowOf(new Date(), windowMinutes).id;
    await rsDr.send(
      new CreateClusterSnapshotCommand({
        ClusterIdentifier: CLUSTER,
        SnapshotIdentifier: id,
        Tags: [{ Key: "managed-by", Value: "rsdr" }, { Key: "rsdr:cluster", Value: CLUSTER }],
      }),
    );
    const listed = (await rsDr.send(new DescribeClusterSnapshotsCommand({ OwnerAccount: SOURCE_ACCOUNT, SnapshotType: "manual" }))).Snapshots ?? [];
    expect(listed.map((s) => s.SnapshotIdentifier)).toContain(id);
    expect(listed.map((s) => s.OwnerAccount)).toEqual(listed.map(() => undefined));

    await expectMonitorSeesNoSharedSnapshot();
  });
});
