/**
 * A MOCK of the DR account as the restore drill (functions/lib/drill.ts) uses it: a stateful, in-memory stand-in
 * for Amazon Redshift's cluster and own-snapshot calls, the Redshift Data API and S3. It is written from the API
 * references (RestoreFromClusterSnapshot, DescribeClusters, CreateTags, DeleteCluster, CreateClusterSnapshot,
 * DescribeClusterSnapshots, DeleteClusterSnapshot, DescribeClusterSubnetGroups; ExecuteStatement,
 * DescribeStatement, GetStatementResult; PutObject, GetObject, ListObjectsV2) and docs/aws-behaviour.md, NOT checked against
 * the real services; tests using it say so in their names. The source account is a {@link FakeRedshift}
 * (testing/fake-redshift.ts): the DR account sees and restores only what a source shares with it.
 *
 * Behaviour modelled:
 *  - RestoreFromClusterSnapshot: from a snapshot a source shares with this account (OwnerAccount must name the
 *    source: without it only the DR account's own snapshots are found; the snapshot must be manual, shared with
 *    this account and available), or from an own snapshot (by id or ARN). The new cluster is `creating` with a
 *    RestoreStatus, then `available` with an Endpoint `restoreDelayMs` later on the injected clock (or ends in a
 *    failed state such as `incompatible-restore`, when injected). Node type and count come from the request, else
 *    from the snapshot (source defaults: ra3.xlplus x 2); the master user and the table contents from the snapshot;
 *  - DescribeClusters, paginated with Marker (MaxRecords 20-100), with each cluster's Tags; ClusterNotFound for a
 *    given identifier that does not exist;
 *  - CreateTags on a cluster ARN or an own snapshot ARN: at most 50 tags per resource (TagLimitExceeded), keys of
 *    1-128 and values of at most 256 characters, no `aws:` keys (InvalidTag); ResourceNotFound otherwise;
 *  - DeleteCluster: `deleting`, then gone `deleteDelayMs` later; ClusterNotFound when absent, InvalidClusterState
 *    when already deleting; a final snapshot unless SkipFinalClusterSnapshot. Whether a `creating` cluster may be
 *    deleted is not documented either way: allowed unless `refuseDeleteWhileCreating`;
 *  - CreateClusterSnapshot of an own `available` cluster, with Tags (ClusterSnapshotAlreadyExists when the id
 *    exists), `creating` then `available` `snapshotDelayMs` later; a snapshot outlives its cluster;
 *  - DescribeClusterSnapshots: without OwnerAccount (or with this account) the own snapshots only, filtered by
 *    SnapshotIdentifier (ClusterSnapshotNotFound when absent), ClusterIdentifier, SnapshotType and tags, paginated;
 *    with OwnerAccount = a source account, that source fake answers as it answers this account (no owner tags);
 *  - DeleteClusterSnapshot of an own available manual snapshot;
 *  - Data API: ExecuteStatement on an `available` cluster only, with DbUser = the cluster's master user;
 *    DescribeStatement SUBMITTED until `statementDelayMs` later, then FINISHED (or FAILED for an unknown table or
 *    database, or as injected; or never finishing, as injected); statements are kept 24 hours;
 *    GetStatementResult of the drill's validation SQL: one row per table `[{stringValue}, {longValue}]`;
 *  - S3: PutObject (no versions kept), GetObject, ListObjectsV2 with Prefix / StartAfter / ContinuationToken, at most 1000
 *    keys a page, in key order.
 * Every call, every tagging and every deletion is recorded (with whether the resource was seeded as someone
 * else's) for invariant checks. Faults can be injected per command (before or after the call takes effect, i.e.
 * the call fails or its answer is lost), including a "crash": from the chosen call on, every call fails until
 * {@link FakeDrAccount.revive} (the invocation died there). Restores can be made to fail and statements to fail or
 * hang.
 *
 * Its clients are real SDK clients (RedshiftClient, RedshiftDataClient, S3Client): a request goes through the
 * SDK's middleware (serialization, endpoint resolution, the retry strategy without delay) and is answered where
 * the HTTP request would be sent; the middleware that only dresses the HTTP request (signing, user agent, ...) is
 * removed, since nothing goes on the wire.
 */
import {
  AccessToSnapshotDeniedFault,
  ClusterAlreadyExistsFault,
  ClusterNotFoundFault,
  ClusterSnapshotAlreadyExistsFault,
  ClusterSnapshotNotFoundFault,
  ClusterSubnetGroupNotFoundFault,
  InvalidClusterSnapshotStateFault,
  InvalidClusterStateFault,
  InvalidRetentionPeriodFault,
  InvalidTagFault,
  RedshiftClient,
  ResourceNotFoundFault,
  TagLimitExceededFault,
  type Cluster,
  type Snapshot,
  type Tag,
} from "@aws-sdk/client-redshift";
import { RedshiftDataClient, ResourceNotFoundException, ValidationException, type Field } from "@aws-sdk/client-redshift-data";
import { NoSuchBucket, S3Client } from "@aws-sdk/client-s3";
import { ConfiguredRetryStrategy } from "@smithy/core/retry";
import { identifierProblem, MAX_CLUSTER_ID_LENGTH, MAX_SNAPSHOT_ID_LENGTH, MAX_TAG_VALUE_LENGTH } from "../contract";
import type { Clock } from "../functions/lib/runtime";
import { awsError } from "./aws-errors";
import { FAKE_CLIENT_MAX_ATTEMPTS, type FakeRedshift } from "./fake-redshift";

export type FakeService = "redshift" | "redshift-data" | "s3";

/** Where a resource came from: created through the API (by the code under test), or seeded as someone else's. */
export type Origin = "api" | "seed";

/** What a database holds: table (`schema.table`) -> row count. */
export type TableContents = Record<string, number>;

/** Where a cluster's data came from. */
export interface ClusterSource {
  readonly kind: "shared" | "own" | "seed";
  /** The account owning the snapshot restored (the source account, or this one). */
  readonly accountId?: string;
  readonly snapshotIdentifier?: string;
  /** The cluster the snapshot was taken of. */
  readonly snapshotClusterIdentifier?: string;
}

export interface FakeCluster {
  readonly id: string;
  readonly origin: Origin;
  readonly from: ClusterSource;
  readonly createdAt: Date;
  /** When the restore ends (creating until then). */
  availableAt: Date;
  /** What the restore ends in: "available" or a failed state (e.g. "incompatible-restore"). */
  fate: string;
  /** Forced status (seeded clusters), overriding the timing. */
  forcedStatus?: string;
  readonly masterUsername: string;
  readonly database: string;
  readonly nodeType: string;
  readonly numberOfNodes: number;
  readonly kmsKeyId?: string;
  readonly subnetGroupName?: string;
  readonly restored: boolean;
  readonly snapshotSizeMb: number;
  tags: Tag[];
  readonly tables: TableContents;
  /** When DeleteCluster was accepted, and when the cluster is gone. */
  deleteRequestedAt?: Date;
  goneAt?: Date;
}

export interface FakeOwnSnapshot {
  readonly id: string;
  readonly cluster: string;
  readonly origin: Origin;
  readonly type: "manual" | "automated";
  readonly createdAt: Date;
  readonly availableAt: Date;
  forcedStatus?: string;
  tags: Tag[];
  readonly kmsKeyId?: string;
  readonly retentionPeriod: number;
  readonly masterUsername: string;
  readonly database: string;
  readonly nodeType: string;
  readonly numberOfNodes: number;
  readonly tables: TableContents;
}

export interface FakeStatement {
  readonly id: string;
  readonly cluster: string;
  readonly database: string;
  readonly dbUser: string;
  readonly sql: string;
  readonly createdAt: Date;
  /** When it ends; never (Infinity) for a hanging statement. */
  readonly finishAt: number;
  readonly outcome: "FINISHED" | "FAILED" | "ABORTED";
  readonly error?: string;
  readonly rows?: Field[][];
}

export interface FakeObject {
  readonly key: string;
  readonly body: string;
  readonly contentType?: string;
  readonly lastModified: Date;
  readonly etag: string;
}

export interface CallRecord {
  readonly service: FakeService;
  readonly command: string;
  readonly input: Record<string, unknown>;
  readonly at: Date;
  /** The error's name, when the call failed (injected or not). */
  error?: string;
}

export interface DeletionRecord {
  readonly kind: "cluster" | "snapshot";
  readonly id: string;
  /** A snapshot's cluster. */
  readonly cluster?: string;
  readonly origin: Origin;
  readonly tags: Tag[];
  readonly at: Date;
  /** The cluster's status when its deletion was asked for. */
  readonly status?: string;
}

export interface TagRecord {
  readonly kind: "cluster" | "snapshot";
  readonly id: string;
  readonly origin: Origin;
  readonly tags: Tag[];
  readonly at: Date;
}

export interface FaultSpec {
  /** @default 1 */
  readonly times?: number;
  /** Calls of the command (that `match`) that succeed first. @default 0 */
  readonly after?: number;
  /** "before": the call fails without effect; "after": it takes effect, then fails (its answer is lost). @default "before" */
  readonly effect?: "before" | "after";
  /** Only calls for which this holds count and fail. */
  readonly match?: (command: string, input: Record<string, unknown>) => boolean;
}

interface Fault {
  readonly command: string;
  readonly error: () => Error;
  remaining: number;
  skip: number;
  readonly effect: "before" | "after";
  readonly match?: (command: string, input: Record<string, unknown>) => boolean;
  readonly crash: boolean;
}

export interface FakeDrAccountOptions {
  readonly clock: Clock;
  /** The DR account: owner of every cluster and snapshot in this fake. */
  readonly accountId: string;
  /** @default "eu-west-1" */
  readonly region?: string;
  /** Source accounts, each a FakeRedshift owned by it, whose shared snapshots this account may see and restore. */
  readonly sources?: readonly FakeRedshift[];
  /** From RestoreFromClusterSnapshot to `available`. @default 0 */
  readonly restoreDelayMs?: number;
  /** From CreateClusterSnapshot to `available`. @default 0 */
  readonly snapshotDelayMs?: number;
  /** From DeleteCluster to gone. @default 0 */
  readonly deleteDelayMs?: number;
  /** From ExecuteStatement to FINISHED. @default 0 */
  readonly statementDelayMs?: number;
  /** Rows per GetStatementResult page. @default all */
  readonly resultPageRows?: number;
  /** Subnet groups: name -> VPC id. @default {} (any name given is accepted, VPC "vpc-0fakedr") */
  readonly subnetGroups?: Readonly<Record<string, string>>;
  /** Buckets that exist. @default [] */
  readonly buckets?: readonly string[];
  /** DeleteCluster of a `creating` cluster fails with InvalidClusterState (not documented either way). @default false */
  readonly refuseDeleteWhileCreating?: boolean;
}

/** What a source cluster's snapshots hold (for restores from them). */
export interface SourceClusterSpec {
  readonly masterUsername?: string;
  /** @default "dev" */
  readonly database?: string;
  readonly tables?: TableContents;
  readonly nodeType?: string;
  readonly numberOfNodes?: number;
  /** @default 20480 */
  readonly snapshotSizeMb?: number;
}

const MAX_TAGS = 50;
const MAX_TAG_KEY_LENGTH = 128;
const MAX_REDSHIFT_PAGE = 100;
const MAX_S3_PAGE = 1000;
/** The Data API keeps a statement's metadata and result for 24 hours. */
const STATEMENT_KEPT_MS = 24 * 3_600_000;
const DEFAULT_NODE_TYPE = "ra3.xlplus";
const DEFAULT_NODES = 2;
const DEFAULT_MASTER_USER = "awsuser";

type FaultCtor<T> = new (opts: { message: string; $metadata: object; Message?: string; ResourceId?: string }) => T;

function fault<T extends Error>(Ctor: FaultCtor<T>, message: string, extra: { Message?: string; ResourceId?: string } = {}): T {
  return new Ctor({ message, $metadata: { httpStatusCode: 400 }, ...extra });
}

/** The error a crashed invocation's calls fail with: not an AWS error, never retried by the SDK. */
export class SimulatedCrash extends Error {
  constructor(command: string) {
    super(`simulated crash at ${command}`);
    this.name = "SimulatedCrash";
  }
}

const copyTags = (tags: readonly Tag[]) => tags.map((t) => ({ Key: t.Key, Value: t.Value }));

function page<T>(items: readonly T[], input: Record<string, unknown>): { items: T[]; marker?: string } {
  const maxRecords = (input.MaxRecords as number | undefined) ?? MAX_REDSHIFT_PAGE;
  if (maxRecords < 20 || maxRecords > MAX_REDSHIFT_PAGE) throw awsError("InvalidParameterValue", `MaxRecords must be 20-100, got ${maxRecords}`);
  const marker = input.Marker as string | undefined;
  const offset = marker ? Number(marker.replace(/^m/, "")) : 0;
  if (!Number.isInteger(offset) || offset < 0) throw awsError("InvalidParameterValue", `bad marker ${marker}`);
  const next = offset + maxRecords < items.length ? `m${offset + maxRecords}` : undefined;
  return { items: items.slice(offset, offset + maxRecords), ...(next ? { marker: next } : {}) };
}

/** `arn:<p>:redshift:<region>:<account>:cluster:<id>` or `...:snapshot:<cluster>/<id>`. */
function parseRedshiftArn(arn: string): { region: string; account: string; kind: "cluster" | "snapshot"; cluster: string; snapshot?: string } | undefined {
  const m = /^arn:aws(?:-[a-z]+)*:redshift:([a-z0-9-]+):(\d{12}):(cluster|snapshot):([^/]+)(?:\/(.+))?$/.exec(arn);
  if (!m) return undefined;
  if (m[3] === "cluster") return m[5] === undefined ? { region: m[1], account: m[2], kind: "cluster", cluster: m[4] } : undefined;
  return m[5] === undefined ? undefined : { region: m[1], account: m[2], kind: "snapshot", cluster: m[4], snapshot: m[5] };
}

export class FakeDrAccount {
  readonly accountId: string;
  readonly region: string;
  readonly options: Required<Omit<FakeDrAccountOptions, "sources" | "subnetGroups" | "buckets" | "resultPageRows">> & { resultPageRows?: number };
  /** Clusters that exist (gone ones are dropped on the next look). */
  private readonly clusters = new Map<string, FakeCluster>();
  /** Every cluster there ever was, in creation order, gone ones included. */
  readonly clusterHistory: FakeCluster[] = [];
  readonly snapshots = new Map<string, FakeOwnSnapshot>();
  readonly statements = new Map<string, FakeStatement>();
  private readonly buckets = new Map<string, { objects: Map<string, FakeObject>; sorted?: string[] }>();
  private readonly sources = new Map<string, FakeRedshift>();
  private readonly sourceSpecs = new Map<string, SourceClusterSpec>();
  private readonly subnetGroups: Map<string, string> | undefined;
  readonly deletions: DeletionRecord[] = [];
  readonly tagged: TagRecord[] = [];
  /** Every PutObject that took effect, in order (an overwrite shows as a second put of the key). */
  readonly puts: Array<{ bucket: string; key: string; at: Date }> = [];
  /** Calls made, per command name. */
  readonly calls: Record<string, number> = {};
  /** Every call, in order. */
  readonly log: CallRecord[] = [];
  keepLog = true;
  private readonly faults: Fault[] = [];
  private crashed: string | undefined;
  private readonly restoreOutcomes: Array<{ state: string; delayMs?: number }> = [];
  private readonly statementOutcomes: Array<"hang" | "fail" | "abort"> = [];
  private statementCount = 0;

  constructor(options: FakeDrAccountOptions) {
    this.accountId = options.accountId;
    this.region = options.region ?? "eu-west-1";
    this.options = {
      clock: options.clock,
      accountId: options.accountId,
      region: this.region,
      restoreDelayMs: options.restoreDelayMs ?? 0,
      snapshotDelayMs: options.snapshotDelayMs ?? 0,
      deleteDelayMs: options.deleteDelayMs ?? 0,
      statementDelayMs: options.statementDelayMs ?? 0,
      refuseDeleteWhileCreating: options.refuseDeleteWhileCreating ?? false,
      ...(options.resultPageRows !== undefined ? { resultPageRows: options.resultPageRows } : {}),
    };
    for (const s of options.sources ?? []) this.addSource(s);
    this.subnetGroups = options.subnetGroups ? new Map(Object.entries(options.subnetGroups)) : undefined;
    for (const b of options.buckets ?? []) this.addBucket(b);
  }

  private now(): Date {
    return this.options.clock.now();
  }

  // -------------------------------------------------------------------------------------------------
  // Set-up

  /**
   * A source account (the FakeRedshift's owner) whose shared snapshots this account sees. Only in this account's
   * region: a shared snapshot is visible only in its own region (a source elsewhere is seen through its copies).
   */
  addSource(source: FakeRedshift): this {
    if (source.options.region !== this.region) {
      throw new Error(`a source fake in ${source.options.region} is not visible from the DR account in ${this.region}: give it the fake of ${this.region} its snapshots are copied into`);
    }
    this.sources.set(source.options.ownerAccountId, source);
    return this;
  }

  /** What snapshots of `cluster` of `accountId` hold, for restores from them. */
  describeSourceCluster(accountId: string, cluster: string, spec: SourceClusterSpec): this {
    this.sourceSpecs.set(`${accountId}/${cluster}`, spec);
    return this;
  }

  addBucket(name: string): this {
    if (!this.buckets.has(name)) this.buckets.set(name, { objects: new Map() });
    return this;
  }

  /** A cluster that is not ours (no API call). `status` is fixed (default "available"). */
  seedCluster(c: { id: string; tags?: Tag[]; createdAt: Date; status?: string; masterUsername?: string; tables?: TableContents }): this {
    const cluster: FakeCluster = {
      id: c.id,
      origin: "seed",
      from: { kind: "seed" },
      createdAt: c.createdAt,
      availableAt: c.createdAt,
      fate: "available",
      forcedStatus: c.status ?? "available",
      masterUsername: c.masterUsername ?? DEFAULT_MASTER_USER,
      database: "dev",
      nodeType: DEFAULT_NODE_TYPE,
      numberOfNodes: DEFAULT_NODES,
      restored: false,
      snapshotSizeMb: 1024,
      tags: copyTags(c.tags ?? []),
      tables: { ...(c.tables ?? {}) },
    };
    this.clusters.set(c.id, cluster);
    this.clusterHistory.push(cluster);
    return this;
  }

  /** An own snapshot that is not ours (no API call), available from `createdAt`. */
  seedSnapshot(s: { id: string; cluster: string; tags?: Tag[]; createdAt: Date; type?: "manual" | "automated"; status?: string }): this {
    this.snapshots.set(s.id, {
      id: s.id,
      cluster: s.cluster,
      origin: "seed",
      type: s.type ?? "manual",
      createdAt: s.createdAt,
      availableAt: s.createdAt,
      ...(s.status ? { forcedStatus: s.status } : {}),
      tags: copyTags(s.tags ?? []),
      retentionPeriod: -1,
      masterUsername: DEFAULT_MASTER_USER,
      database: "dev",
      nodeType: DEFAULT_NODE_TYPE,
      numberOfNodes: DEFAULT_NODES,
      tables: {},
    });
    return this;
  }

  /** An object put without an API call (e.g. old reports). */
  seedObject(bucket: string, key: string, body: string, at: Date = this.now()): this {
    const b = this.addBucket(bucket).buckets.get(bucket)!;
    if (!b.objects.has(key)) b.sorted = undefined;
    b.objects.set(key, { key, body, lastModified: at, etag: `"seed-${key.length}"` });
    return this;
  }

  // -------------------------------------------------------------------------------------------------
  // Faults

  /** The next `times` calls of `command` ("*": any) that match fail with `error()`, after `after` that succeed. */
  failNext(command: string, error: () => Error, spec: FaultSpec = {}): this {
    this.faults.push({ command, error, remaining: spec.times ?? 1, skip: spec.after ?? 0, effect: spec.effect ?? "before", crash: false, ...(spec.match ? { match: spec.match } : {}) });
    return this;
  }

  /**
   * The invocation dies at the chosen call of `command` ("*": any): that call fails with {@link SimulatedCrash}
   * (after taking effect, with effect "after"), and so does every later call until {@link revive}.
   */
  crashAt(command: string, spec: Omit<FaultSpec, "times"> = {}): this {
    this.faults.push({ command, error: () => new SimulatedCrash(command), remaining: 1, skip: spec.after ?? 0, effect: spec.effect ?? "before", crash: true, ...(spec.match ? { match: spec.match } : {}) });
    return this;
  }

  /** A new invocation: calls answer again. */
  revive(): void {
    this.crashed = undefined;
  }

  /** Whether the invocation has crashed (and at which command). */
  get crashedAt(): string | undefined {
    return this.crashed;
  }

  /** Pending faults (not fired yet). */
  get pendingFaults(): number {
    return this.faults.filter((f) => f.remaining > 0).length;
  }

  clearFaults(): void {
    this.faults.length = 0;
    this.restoreOutcomes.length = 0;
    this.statementOutcomes.length = 0;
  }

  /** The next `times` restores end in `state` (e.g. "incompatible-restore") instead of `available`. */
  failNextRestores(times = 1, state = "incompatible-restore", delayMs?: number): this {
    for (let i = 0; i < times; i++) this.restoreOutcomes.push({ state, ...(delayMs !== undefined ? { delayMs } : {}) });
    return this;
  }

  /** The next `times` statements never finish ("hang"), or end FAILED or ABORTED. */
  nextStatements(times: number, fate: "hang" | "fail" | "abort"): this {
    for (let i = 0; i < times; i++) this.statementOutcomes.push(fate);
    return this;
  }

  // -------------------------------------------------------------------------------------------------
  // Views for tests

  /** A cluster's status now, or undefined once it is gone. */
  statusOf(c: FakeCluster): string | undefined {
    const now = this.now().getTime();
    if (c.goneAt && now >= c.goneAt.getTime()) return undefined;
    if (c.deleteRequestedAt) return "deleting";
    if (c.forcedStatus) return c.forcedStatus;
    return now < c.availableAt.getTime() ? "creating" : c.fate;
  }

  /** Clusters that exist now (deleting ones included). */
  liveClusters(): FakeCluster[] {
    for (const [id, c] of this.clusters) if (this.statusOf(c) === undefined) this.clusters.delete(id);
    return [...this.clusters.values()];
  }

  cluster(id: string): FakeCluster | undefined {
    const c = this.clusters.get(id);
    if (c && this.statusOf(c) === undefined) {
      this.clusters.delete(id);
      return undefined;
    }
    return c;
  }

  snapshotStatusOf(s: FakeOwnSnapshot): string {
    if (s.forcedStatus) return s.forcedStatus;
    return this.now().getTime() >= s.availableAt.getTime() ? "available" : "creating";
  }

  /** An own snapshot as DescribeClusterSnapshots returns it. */
  snapshotView(s: FakeOwnSnapshot): Snapshot {
    return {
      SnapshotIdentifier: s.id,
      ClusterIdentifier: s.cluster,
      SnapshotType: s.type,
      Status: this.snapshotStatusOf(s),
      SnapshotCreateTime: new Date(s.createdAt.getTime()),
      OwnerAccount: this.accountId,
      Encrypted: s.kmsKeyId !== undefined,
      ...(s.kmsKeyId ? { KmsKeyId: s.kmsKeyId } : {}),
      NodeType: s.nodeType,
      NumberOfNodes: s.numberOfNodes,
      MasterUsername: s.masterUsername,
      DBName: s.database,
      ManualSnapshotRetentionPeriod: s.type === "manual" ? s.retentionPeriod : undefined,
      Tags: copyTags(s.tags),
    };
  }

  /** A cluster as DescribeClusters returns it. */
  clusterView(c: FakeCluster): Cluster {
    const status = this.statusOf(c) ?? "deleting";
    const now = this.now().getTime();
    const restoreMs = c.availableAt.getTime() - c.createdAt.getTime();
    const elapsed = Math.max(0, Math.min(now, c.availableAt.getTime()) - c.createdAt.getTime());
    const done = now >= c.availableAt.getTime();
    const progress = restoreMs > 0 ? Math.min(1, elapsed / restoreMs) : 1;
    return {
      ClusterIdentifier: c.id,
      NodeType: c.nodeType,
      NumberOfNodes: c.numberOfNodes,
      ClusterStatus: status,
      ClusterAvailabilityStatus: status === "available" ? "Available" : status === "creating" || status === "deleting" ? "Unavailable" : "Failed",
      MasterUsername: c.masterUsername,
      DBName: c.database,
      ...(status === "available" ? { Endpoint: { Address: `${c.id}.cfakedr0000.${this.region}.redshift.amazonaws.com`, Port: 5439 } } : {}),
      ClusterCreateTime: new Date(c.createdAt.getTime()),
      Encrypted: c.kmsKeyId !== undefined,
      ...(c.kmsKeyId ? { KmsKeyId: c.kmsKeyId } : {}),
      ...(c.subnetGroupName ? { ClusterSubnetGroupName: c.subnetGroupName, VpcId: this.subnetGroups?.get(c.subnetGroupName) ?? "vpc-0fakedr" } : {}),
      PubliclyAccessible: false,
      ManualSnapshotRetentionPeriod: -1,
      ...(c.restored
        ? {
            RestoreStatus: {
              Status: !done ? "restoring" : c.fate === "available" ? "completed" : "failed",
              SnapshotSizeInMegaBytes: c.snapshotSizeMb,
              ProgressInMegaBytes: Math.round(c.snapshotSizeMb * progress),
              ElapsedTimeInSeconds: Math.round(elapsed / 1000),
              EstimatedTimeToCompletionInSeconds: Math.round(Math.max(0, c.availableAt.getTime() - now) / 1000),
              CurrentRestoreRateInMegaBytesPerSecond: restoreMs > 0 ? (c.snapshotSizeMb * 1000) / restoreMs : 0,
            },
          }
        : {}),
      Tags: copyTags(c.tags),
    };
  }

  /** The objects of `bucket` under `prefix`, in key order. */
  objects(bucket: string, prefix = ""): FakeObject[] {
    const b = this.buckets.get(bucket);
    if (!b) return [];
    return this.sortedKeys(b)
      .filter((k) => k.startsWith(prefix))
      .map((k) => b.objects.get(k)!);
  }

  // -------------------------------------------------------------------------------------------------
  // Clients

  private retryStrategy(maxAttempts?: number) {
    return new ConfiguredRetryStrategy(maxAttempts ?? FAKE_CLIENT_MAX_ATTEMPTS, () => 0);
  }

  private static readonly CREDENTIALS = { accessKeyId: "FAKE", secretAccessKey: "FAKE" };

  /** A RedshiftClient of this account answered by this fake. */
  redshift(opts: { maxAttempts?: number } = {}): RedshiftClient {
    const client = new RedshiftClient({ region: this.region, credentials: FakeDrAccount.CREDENTIALS, retryStrategy: this.retryStrategy(opts.maxAttempts) });
    client.middlewareStack.add(
      (_next, context) => async (args) => {
        const output = this.handle("redshift", this.commandName(context), args.input as Record<string, unknown>) as object;
        return Promise.resolve({ output: { ...output, $metadata: {} }, response: {} });
      },
      { step: "finalizeRequest", priority: "low", name: "fakeDrAccountAnswers" },
    );
    FakeDrAccount.skipWireOnly(client);
    return client;
  }

  /** A RedshiftDataClient of this account answered by this fake. */
  data(opts: { maxAttempts?: number } = {}): RedshiftDataClient {
    const client = new RedshiftDataClient({ region: this.region, credentials: FakeDrAccount.CREDENTIALS, retryStrategy: this.retryStrategy(opts.maxAttempts) });
    client.middlewareStack.add(
      (_next, context) => async (args) => {
        const output = this.handle("redshift-data", this.commandName(context), args.input as Record<string, unknown>) as object;
        return Promise.resolve({ output: { ...output, $metadata: {} }, response: {} });
      },
      { step: "finalizeRequest", priority: "low", name: "fakeDrAccountAnswers" },
    );
    FakeDrAccount.skipWireOnly(client);
    return client;
  }

  /** An S3Client of this account answered by this fake. */
  s3(opts: { maxAttempts?: number } = {}): S3Client {
    const client = new S3Client({ region: this.region, credentials: FakeDrAccount.CREDENTIALS, retryStrategy: this.retryStrategy(opts.maxAttempts) });
    client.middlewareStack.add(
      (_next, context) => async (args) => {
        const output = this.handle("s3", this.commandName(context), args.input as Record<string, unknown>) as object;
        return Promise.resolve({ output: { ...output, $metadata: {} }, response: {} });
      },
      { step: "finalizeRequest", priority: "low", name: "fakeDrAccountAnswers" },
    );
    FakeDrAccount.skipWireOnly(client);
    return client;
  }

  /**
   * Nothing goes on the wire, so the middleware that only dresses the HTTP request (signing, user agent, host
   * header, recursion detection, Expect: 100-continue) or logs it would only cost time: a scenario
   * sends tens of thousands of requests. Serialization, endpoint resolution, input validation and retries stay.
   */
  private static skipWireOnly(client: { middlewareStack: { remove(name: string): boolean } }): void {
    for (const name of [
      "httpSigningMiddleware",
      "getUserAgentMiddleware",
      "hostHeaderMiddleware",
      "recursionDetectionMiddleware",
      "addExpectContinueMiddleware",
      "loggerMiddleware",
    ]) {
      client.middlewareStack.remove(name);
    }
  }

  private commandName(context: unknown): string {
    return String((context as { commandName?: string }).commandName).replace(/Command$/, "");
  }

  resetCounters(): void {
    for (const k of Object.keys(this.calls)) delete this.calls[k];
    this.log.length = 0;
  }

  // -------------------------------------------------------------------------------------------------
  // Requests

  /** Answers one request (synchronously; errors are thrown as the SDK would surface them). */
  handle(service: FakeService, name: string, input: Record<string, unknown>): unknown {
    this.calls[name] = (this.calls[name] ?? 0) + 1;
    const record: CallRecord = { service, command: name, input: { ...input }, at: this.now() };
    if (this.keepLog) this.log.push(record);
    try {
      if (this.crashed !== undefined) throw new SimulatedCrash(`${name} (crashed at ${this.crashed})`);
      const f = this.takeFault(name, input);
      if (f?.crash) this.crashed = name;
      if (f && f.effect === "before") throw f.error();
      const output = this.dispatch(service, name, input);
      if (f) throw f.error();
      return output;
    } catch (err) {
      record.error = err instanceof Error ? err.name : String(err);
      throw err;
    }
  }

  private takeFault(name: string, input: Record<string, unknown>): Fault | undefined {
    const f = this.faults.find((x) => x.remaining > 0 && (x.command === name || x.command === "*") && (!x.match || x.match(name, input)));
    if (!f) return undefined;
    if (f.skip > 0) {
      f.skip--;
      return undefined;
    }
    f.remaining--;
    return f;
  }

  private dispatch(service: FakeService, name: string, input: Record<string, unknown>): unknown {
    if (service === "redshift") {
      switch (name) {
        case "DescribeClusters":
          return this.describeClusters(input);
        case "RestoreFromClusterSnapshot":
          return this.restore(input);
        case "CreateTags":
          return this.createTags(input);
        case "DeleteCluster":
          return this.deleteCluster(input);
        case "CreateClusterSnapshot":
          return this.createSnapshot(input);
        case "DescribeClusterSnapshots":
          return this.describeSnapshots(input);
        case "DeleteClusterSnapshot":
          return this.deleteSnapshot(input);
        case "DescribeClusterSubnetGroups":
          return this.describeSubnetGroups(input);
      }
    } else if (service === "redshift-data") {
      switch (name) {
        case "ExecuteStatement":
          return this.executeStatement(input);
        case "DescribeStatement":
          return this.describeStatement(input);
        case "GetStatementResult":
          return this.getStatementResult(input);
      }
    } else {
      switch (name) {
        case "PutObject":
          return this.putObject(input);
        case "GetObject":
          return this.getObject(input);
        case "ListObjectsV2":
          return this.listObjects(input);
      }
    }
    throw awsError("UnsupportedOperation", `the fake DR account does not implement ${service} ${name}`, 501);
  }

  // --- Redshift: clusters

  private describeClusters(input: Record<string, unknown>): unknown {
    const id = input.ClusterIdentifier as string | undefined;
    const tagKeys = input.TagKeys as string[] | undefined;
    const tagValues = input.TagValues as string[] | undefined;
    let found = this.liveClusters();
    if (id !== undefined) {
      found = found.filter((c) => c.id === id);
      if (found.length === 0) throw fault(ClusterNotFoundFault, `Cluster ${id} not found.`);
    }
    found = found.filter(
      (c) => (!tagKeys?.length || c.tags.some((t) => tagKeys.includes(t.Key ?? ""))) && (!tagValues?.length || c.tags.some((t) => tagValues.includes(t.Value ?? ""))),
    );
    const p = page(found, input);
    return { Clusters: p.items.map((c) => this.clusterView(c)), ...(p.marker ? { Marker: p.marker } : {}) };
  }

  /** The snapshot a restore names: a source's shared one (OwnerAccount, or its ARN) or an own one. */
  private snapshotToRestore(input: Record<string, unknown>): { from: ClusterSource; spec: Required<SourceClusterSpec>; kmsKeyId?: string } {
    const byId = input.SnapshotIdentifier as string | undefined;
    const byArn = input.SnapshotArn as string | undefined;
    if ((byId === undefined) === (byArn === undefined)) throw awsError("InvalidParameterCombination", "give SnapshotIdentifier or SnapshotArn, not both and not neither");
    let owner = input.OwnerAccount as string | undefined;
    let snapshotId = byId;
    let snapshotCluster = input.SnapshotClusterIdentifier as string | undefined;
    if (byArn !== undefined) {
      const arn = parseRedshiftArn(byArn);
      if (!arn || arn.kind !== "snapshot") throw awsError("InvalidParameterValue", `not a snapshot ARN: ${byArn}`);
      owner = arn.account;
      snapshotId = arn.snapshot!;
      snapshotCluster = snapshotCluster ?? arn.cluster;
    }
    const id = snapshotId!;
    if (owner !== undefined && owner !== this.accountId) {
      const source = this.sources.get(owner);
      source?.sync(); // copies due by now exist (they are made as the clock moves, not by a call)
      const s = source?.snapshots.get(id);
      if (!source || !s || (snapshotCluster !== undefined && s.cluster !== snapshotCluster)) throw fault(ClusterSnapshotNotFoundFault, `Snapshot ${id} not found.`);
      if (s.type !== "manual" || !s.accounts.includes(this.accountId)) {
        throw fault(AccessToSnapshotDeniedFault, `The owner of snapshot ${id} has not authorized your account to access the snapshot.`);
      }
      if (source.statusOf(s) !== "available") throw fault(InvalidClusterSnapshotStateFault, `Snapshot ${id} is ${source.statusOf(s)}, not available.`);
      const spec = this.sourceSpecs.get(`${owner}/${s.cluster}`) ?? {};
      return {
        from: { kind: "shared", accountId: owner, snapshotIdentifier: id, snapshotClusterIdentifier: s.cluster },
        spec: {
          masterUsername: spec.masterUsername ?? DEFAULT_MASTER_USER,
          database: spec.database ?? "dev",
          tables: { ...(spec.tables ?? {}) },
          nodeType: spec.nodeType ?? DEFAULT_NODE_TYPE,
          numberOfNodes: spec.numberOfNodes ?? DEFAULT_NODES,
          snapshotSizeMb: spec.snapshotSizeMb ?? 20480,
        },
        kmsKeyId: s.kmsKeyId,
      };
    }
    // Without OwnerAccount only the caller's own snapshots are found.
    const s = this.snapshots.get(id);
    if (!s || (snapshotCluster !== undefined && s.cluster !== snapshotCluster)) throw fault(ClusterSnapshotNotFoundFault, `Snapshot ${id} not found.`);
    if (this.snapshotStatusOf(s) !== "available") throw fault(InvalidClusterSnapshotStateFault, `Snapshot ${id} is ${this.snapshotStatusOf(s)}, not available.`);
    return {
      from: { kind: "own", accountId: this.accountId, snapshotIdentifier: id, snapshotClusterIdentifier: s.cluster },
      spec: { masterUsername: s.masterUsername, database: s.database, tables: { ...s.tables }, nodeType: s.nodeType, numberOfNodes: s.numberOfNodes, snapshotSizeMb: 20480 },
      ...(s.kmsKeyId ? { kmsKeyId: s.kmsKeyId } : {}),
    };
  }

  private restore(input: Record<string, unknown>): unknown {
    const id = input.ClusterIdentifier as string;
    const problem = identifierProblem(id ?? "", MAX_CLUSTER_ID_LENGTH);
    if (problem) throw awsError("InvalidParameterValue", `cluster identifier ${id} ${problem}`);
    if (this.cluster(id)) throw fault(ClusterAlreadyExistsFault, `Cluster ${id} already exists.`);
    const { from, spec, kmsKeyId } = this.snapshotToRestore(input);
    const subnetGroupName = input.ClusterSubnetGroupName as string | undefined;
    if (subnetGroupName !== undefined && this.subnetGroups && !this.subnetGroups.has(subnetGroupName)) {
      throw fault(ClusterSubnetGroupNotFoundFault, `Cluster subnet group ${subnetGroupName} not found.`);
    }
    const outcome = this.restoreOutcomes.shift() ?? { state: "available" };
    const key = (input.KmsKeyId as string | undefined) ?? kmsKeyId;
    const now = this.now();
    const c: FakeCluster = {
      id,
      origin: "api",
      from,
      createdAt: now,
      availableAt: new Date(now.getTime() + (outcome.delayMs ?? this.options.restoreDelayMs)),
      fate: outcome.state,
      masterUsername: spec.masterUsername,
      database: spec.database,
      nodeType: (input.NodeType as string | undefined) ?? spec.nodeType,
      numberOfNodes: (input.NumberOfNodes as number | undefined) ?? spec.numberOfNodes,
      ...(key ? { kmsKeyId: key } : {}),
      ...(subnetGroupName ? { subnetGroupName } : {}),
      restored: true,
      snapshotSizeMb: spec.snapshotSizeMb,
      tags: [],
      tables: spec.tables,
    };
    this.clusters.set(id, c);
    this.clusterHistory.push(c);
    return { Cluster: this.clusterView(c) };
  }

  private validateTags(tags: readonly Tag[]): void {
    for (const t of tags) {
      const key = t.Key ?? "";
      if (key.length < 1 || key.length > MAX_TAG_KEY_LENGTH || key.startsWith("aws:")) throw fault(InvalidTagFault, `Tag key ${JSON.stringify(key)} is invalid.`);
      if ((t.Value ?? "").length > MAX_TAG_VALUE_LENGTH) throw fault(InvalidTagFault, `The value of tag ${key} is longer than ${MAX_TAG_VALUE_LENGTH} characters.`);
    }
    if (tags.length > MAX_TAGS) throw fault(TagLimitExceededFault, `You have exceeded the number of tags allowed (${MAX_TAGS}).`);
  }

  private createTags(input: Record<string, unknown>): unknown {
    const arnText = input.ResourceName as string;
    const arn = parseRedshiftArn(arnText ?? "");
    const tags = (input.Tags as Tag[] | undefined) ?? [];
    if (!arn) throw awsError("InvalidParameterValue", `not a Redshift ARN: ${arnText}`);
    if (arn.account !== this.accountId || arn.region !== this.region) throw fault(ResourceNotFoundFault, `The resource ${arnText} could not be found.`);
    let target: { tags: Tag[]; origin: Origin; id: string; kind: "cluster" | "snapshot" };
    if (arn.kind === "cluster") {
      const c = this.cluster(arn.cluster);
      if (!c) throw fault(ResourceNotFoundFault, `The resource ${arnText} could not be found.`);
      target = { tags: c.tags, origin: c.origin, id: c.id, kind: "cluster" };
    } else {
      const s = this.snapshots.get(arn.snapshot!);
      if (!s || s.cluster !== arn.cluster) throw fault(ResourceNotFoundFault, `The resource ${arnText} could not be found.`);
      target = { tags: s.tags, origin: s.origin, id: s.id, kind: "snapshot" };
    }
    this.validateTags(tags);
    const merged = copyTags(target.tags);
    for (const t of tags) {
      const i = merged.findIndex((x) => x.Key === t.Key);
      if (i >= 0) merged[i] = { Key: t.Key, Value: t.Value ?? "" };
      else merged.push({ Key: t.Key, Value: t.Value ?? "" });
    }
    if (merged.length > MAX_TAGS) throw fault(TagLimitExceededFault, `You have exceeded the number of tags allowed (${MAX_TAGS}) on ${arnText}.`);
    target.tags.splice(0, target.tags.length, ...merged);
    this.tagged.push({ kind: target.kind, id: target.id, origin: target.origin, tags: copyTags(tags), at: this.now() });
    return {};
  }

  private deleteCluster(input: Record<string, unknown>): unknown {
    const id = input.ClusterIdentifier as string;
    const c = this.cluster(id);
    if (!c) throw fault(ClusterNotFoundFault, `Cluster ${id} not found.`);
    const status = this.statusOf(c)!;
    if (status === "deleting") throw fault(InvalidClusterStateFault, `Cluster ${id} is already being deleted.`);
    if (status === "creating" && this.options.refuseDeleteWhileCreating) throw fault(InvalidClusterStateFault, `Cluster ${id} is creating.`);
    const skip = input.SkipFinalClusterSnapshot === true;
    const finalId = input.FinalClusterSnapshotIdentifier as string | undefined;
    if (!skip && !finalId) throw awsError("InvalidParameterCombination", "FinalClusterSnapshotIdentifier is required unless SkipFinalClusterSnapshot is true");
    if (skip && finalId) throw awsError("InvalidParameterCombination", "FinalClusterSnapshotIdentifier is not allowed with SkipFinalClusterSnapshot");
    if (!skip) {
      if (this.snapshots.has(finalId!)) throw fault(ClusterSnapshotAlreadyExistsFault, `Snapshot ${finalId} already exists.`);
      this.putSnapshot(c, finalId!, [], -1);
    }
    const now = this.now();
    this.deletions.push({ kind: "cluster", id, origin: c.origin, tags: copyTags(c.tags), at: now, status });
    c.deleteRequestedAt = now;
    c.goneAt = new Date(now.getTime() + this.options.deleteDelayMs);
    return { Cluster: { ...this.clusterView(c), ClusterStatus: "deleting" } };
  }

  private describeSubnetGroups(input: Record<string, unknown>): unknown {
    const name = input.ClusterSubnetGroupName as string | undefined;
    const groups = this.subnetGroups ?? new Map(name ? [[name, "vpc-0fakedr"]] : []);
    const found = [...groups].filter(([n]) => name === undefined || n === name);
    if (name !== undefined && found.length === 0) throw fault(ClusterSubnetGroupNotFoundFault, `Cluster subnet group ${name} not found.`);
    return { ClusterSubnetGroups: found.map(([n, vpc]) => ({ ClusterSubnetGroupName: n, VpcId: vpc, SubnetGroupStatus: "Complete", Subnets: [] })) };
  }

  // --- Redshift: own snapshots

  private putSnapshot(c: FakeCluster, id: string, tags: Tag[], retentionPeriod: number): FakeOwnSnapshot {
    const now = this.now();
    const s: FakeOwnSnapshot = {
      id,
      cluster: c.id,
      origin: "api",
      type: "manual",
      createdAt: now,
      availableAt: new Date(now.getTime() + this.options.snapshotDelayMs),
      tags: copyTags(tags),
      ...(c.kmsKeyId ? { kmsKeyId: c.kmsKeyId } : {}),
      retentionPeriod,
      masterUsername: c.masterUsername,
      database: c.database,
      nodeType: c.nodeType,
      numberOfNodes: c.numberOfNodes,
      tables: { ...c.tables },
    };
    this.snapshots.set(id, s);
    return s;
  }

  private createSnapshot(input: Record<string, unknown>): unknown {
    const id = input.SnapshotIdentifier as string;
    const clusterId = input.ClusterIdentifier as string;
    const c = this.cluster(clusterId);
    if (!c) throw fault(ClusterNotFoundFault, `Cluster ${clusterId} not found.`);
    if (this.statusOf(c) !== "available") throw fault(InvalidClusterStateFault, `Cluster ${clusterId} is ${this.statusOf(c)}, not available.`);
    if (identifierProblem(id ?? "", MAX_SNAPSHOT_ID_LENGTH) !== null) throw awsError("InvalidParameterValue", `invalid snapshot identifier ${id}`);
    if (this.snapshots.has(id)) throw fault(ClusterSnapshotAlreadyExistsFault, `Cannot create the snapshot because a snapshot with the identifier ${id} already exists.`);
    const retention = (input.ManualSnapshotRetentionPeriod as number | undefined) ?? -1;
    if (retention !== -1 && !(Number.isInteger(retention) && retention >= 1 && retention <= 3653)) {
      throw fault(InvalidRetentionPeriodFault, `The retention period ${retention} must be either -1 or an integer between 1 and 3,653.`);
    }
    const tags = (input.Tags as Tag[] | undefined) ?? [];
    this.validateTags(tags);
    const s = this.putSnapshot(c, id, tags, retention);
    return { Snapshot: this.snapshotView(s) };
  }

  private describeSnapshots(input: Record<string, unknown>): unknown {
    const owner = input.OwnerAccount as string | undefined;
    if (owner !== undefined && owner !== this.accountId) {
      const source = this.sources.get(owner);
      // The source fake answers as it answers this account: only what it shares with it, without its tags.
      return source ? source.handle("DescribeClusterSnapshots", input, this.accountId) : { Snapshots: [] };
    }
    const id = input.SnapshotIdentifier as string | undefined;
    const cluster = input.ClusterIdentifier as string | undefined;
    const type = input.SnapshotType as string | undefined;
    const tagKeys = input.TagKeys as string[] | undefined;
    const tagValues = input.TagValues as string[] | undefined;
    const matched = [...this.snapshots.values()]
      .filter(
        (s) =>
          (id === undefined || s.id === id) &&
          (cluster === undefined || s.cluster === cluster) &&
          (type === undefined || s.type === type) &&
          (!tagKeys?.length || s.tags.some((t) => tagKeys.includes(t.Key ?? ""))) &&
          (!tagValues?.length || s.tags.some((t) => tagValues.includes(t.Value ?? ""))),
      )
      .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.id.localeCompare(b.id));
    if (id !== undefined && matched.length === 0) throw fault(ClusterSnapshotNotFoundFault, `Snapshot ${id} not found.`);
    const p = page(matched, input);
    return { Snapshots: p.items.map((s) => this.snapshotView(s)), ...(p.marker ? { Marker: p.marker } : {}) };
  }

  private deleteSnapshot(input: Record<string, unknown>): unknown {
    const id = input.SnapshotIdentifier as string;
    const cluster = input.SnapshotClusterIdentifier as string | undefined;
    const s = this.snapshots.get(id);
    if (!s || (cluster !== undefined && s.cluster !== cluster)) throw fault(ClusterSnapshotNotFoundFault, `Snapshot ${id} not found.`);
    if (s.type !== "manual") throw fault(InvalidClusterSnapshotStateFault, `Automated snapshot ${id} cannot be deleted.`);
    if (this.snapshotStatusOf(s) !== "available") throw fault(InvalidClusterSnapshotStateFault, `Snapshot ${id} is ${this.snapshotStatusOf(s)}.`);
    const view = this.snapshotView(s);
    this.snapshots.delete(id);
    this.deletions.push({ kind: "snapshot", id, cluster: s.cluster, origin: s.origin, tags: copyTags(s.tags), at: this.now() });
    return { Snapshot: { ...view, Status: "deleted" } };
  }

  // --- Data API

  /** The drill's validation SQL: `select 1`, or `select '<t>' as x, count(*) as y from <t>` parts joined by union all. */
  private evaluate(c: FakeCluster, database: string, sql: string): { rows: Field[][] } | { error: string } {
    if (database !== c.database) return { error: `FATAL: database "${database}" does not exist` };
    const text = sql.trim().replace(/\s+/g, " ");
    if (/^select 1;?$/i.test(text)) return { rows: [[{ longValue: 1 }]] };
    const rows: Field[][] = [];
    for (const part of text.split(/ union all /i)) {
      const m = /^select '([^']*)' as [a-z_]+, count\(\*\) as [a-z_]+ from ([a-z_][a-z0-9_$.]*)$/i.exec(part);
      if (!m) return { error: `the fake Data API does not understand: ${part}` };
      const count = c.tables[m[2]];
      if (count === undefined) return { error: `ERROR: relation "${m[2]}" does not exist` };
      rows.push([{ stringValue: m[1] }, { longValue: count }]);
    }
    return { rows };
  }

  private executeStatement(input: Record<string, unknown>): unknown {
    const clusterId = input.ClusterIdentifier as string | undefined;
    const database = input.Database as string | undefined;
    const sql = input.Sql as string | undefined;
    const dbUser = input.DbUser as string | undefined;
    if (!clusterId) throw fault(ValidationException, "the fake Data API models provisioned clusters only: ClusterIdentifier is required", { Message: "ClusterIdentifier is required" });
    if (!database || !sql) throw fault(ValidationException, "Database and Sql are required", { Message: "Database and Sql are required" });
    const c = this.cluster(clusterId);
    if (!c) throw fault(ValidationException, `Cluster ${clusterId} not found`, { Message: `Cluster ${clusterId} not found` });
    const status = this.statusOf(c);
    if (status !== "available") throw fault(ValidationException, `Cluster ${clusterId} is ${status}, not available`, { Message: `Cluster ${clusterId} is ${status}, not available` });
    if (input.SecretArn !== undefined) throw fault(ValidationException, "the fake Data API models DbUser (temporary credentials) only", { Message: "SecretArn is not modelled" });
    if (dbUser !== c.masterUsername) {
      throw fault(ValidationException, `DbUser ${String(dbUser)} cannot connect to ${clusterId} (only its master user ${c.masterUsername} exists)`, { Message: "DbUser does not exist" });
    }
    const fate = this.statementOutcomes.shift();
    const result = this.evaluate(c, database, sql);
    const now = this.now();
    this.statementCount++;
    const id = `00000000-0000-4000-8000-${this.statementCount.toString(16).padStart(12, "0")}`;
    const failed = "error" in result ? result.error : fate === "fail" ? "ERROR: injected statement failure" : fate === "abort" ? "Query was aborted" : undefined;
    this.statements.set(id, {
      id,
      cluster: clusterId,
      database,
      dbUser,
      sql,
      createdAt: now,
      finishAt: fate === "hang" ? Infinity : now.getTime() + this.options.statementDelayMs,
      outcome: fate === "abort" ? "ABORTED" : failed ? "FAILED" : "FINISHED",
      ...(failed ? { error: failed } : {}),
      ...("rows" in result ? { rows: result.rows } : {}),
    });
    return { Id: id, CreatedAt: now, ClusterIdentifier: clusterId, Database: database, DbUser: dbUser };
  }

  private statement(input: Record<string, unknown>): FakeStatement {
    const id = input.Id as string;
    const st = this.statements.get(id);
    if (!st || this.now().getTime() - st.createdAt.getTime() > STATEMENT_KEPT_MS) {
      throw new ResourceNotFoundException({ message: `Query does not exist: ${id}`, $metadata: { httpStatusCode: 400 }, Message: `Query does not exist: ${id}`, ResourceId: id });
    }
    return st;
  }

  private statusOfStatement(st: FakeStatement): "SUBMITTED" | "FINISHED" | "FAILED" | "ABORTED" {
    return this.now().getTime() < st.finishAt ? "SUBMITTED" : st.outcome;
  }

  private describeStatement(input: Record<string, unknown>): unknown {
    const st = this.statement(input);
    const status = this.statusOfStatement(st);
    const ended = status !== "SUBMITTED";
    const finished = status === "FINISHED";
    return {
      Id: st.id,
      ClusterIdentifier: st.cluster,
      Database: st.database,
      DbUser: st.dbUser,
      QueryString: st.sql,
      Status: status,
      CreatedAt: new Date(st.createdAt.getTime()),
      UpdatedAt: new Date(ended ? st.finishAt : st.createdAt.getTime()),
      Duration: ended ? (st.finishAt - st.createdAt.getTime()) * 1_000_000 : -1,
      HasResultSet: finished && st.rows !== undefined,
      ...(finished ? { ResultRows: st.rows?.length ?? 0 } : {}),
      ...(ended && st.error ? { Error: st.error } : {}),
    };
  }

  private getStatementResult(input: Record<string, unknown>): unknown {
    const st = this.statement(input);
    if (this.statusOfStatement(st) !== "FINISHED" || !st.rows) {
      throw fault(ValidationException, `Query does not have result. Please check query status with DescribeStatement. (${st.id} is ${this.statusOfStatement(st)})`, {
        Message: "Query does not have result",
      });
    }
    const rows = st.rows;
    const size = this.options.resultPageRows ?? (rows.length || 1);
    const token = input.NextToken as string | undefined;
    const offset = token ? Number(token.replace(/^r/, "")) : 0;
    if (!Number.isInteger(offset) || offset < 0 || offset > rows.length) throw fault(ValidationException, `bad NextToken ${token}`, { Message: "bad NextToken" });
    const next = offset + size < rows.length ? `r${offset + size}` : undefined;
    const columns = rows[0]?.length === 2 ? ["table_name", "row_count"] : ["?column?"];
    return {
      Records: rows.slice(offset, offset + size).map((r) => r.map((f) => ({ ...f }))),
      ColumnMetadata: columns.map((name) => ({ name, label: name, typeName: name === "table_name" ? "varchar" : "int8" })),
      TotalNumRows: rows.length,
      ...(next ? { NextToken: next } : {}),
    };
  }

  // --- S3

  private bucket(input: Record<string, unknown>) {
    const name = input.Bucket as string;
    const b = this.buckets.get(name);
    if (!b) throw new NoSuchBucket({ message: `The specified bucket does not exist: ${name}`, $metadata: { httpStatusCode: 404 } });
    return { name, b };
  }

  private sortedKeys(b: { objects: Map<string, FakeObject>; sorted?: string[] }): string[] {
    if (!b.sorted) b.sorted = [...b.objects.keys()].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
    return b.sorted;
  }

  /** GetObject: the body as the SDK's stream mixin offers it (transformToString), or NoSuchKey. */
  private getObject(input: Record<string, unknown>): unknown {
    const { b } = this.bucket(input);
    const o = b.objects.get(input.Key as string);
    if (!o) throw awsError("NoSuchKey", "The specified key does not exist.", 404);
    return { Body: { transformToString: () => Promise.resolve(o.body) }, ...(o.contentType ? { ContentType: o.contentType } : {}), ETag: o.etag, LastModified: o.lastModified };
  }

  private putObject(input: Record<string, unknown>): unknown {
    const { name, b } = this.bucket(input);
    const key = input.Key as string;
    const raw = input.Body;
    let body: string;
    if (typeof raw === "string") body = raw;
    else if (raw instanceof Uint8Array) body = Buffer.from(raw).toString("utf8");
    else if (raw === undefined) body = "";
    else throw awsError("NotImplemented", "the fake S3 takes a string or bytes as Body", 501);
    if (!key) throw awsError("InvalidArgument", "Key is required");
    if (!b.objects.has(key)) b.sorted = undefined;
    const at = this.now();
    let hash = 0;
    for (let i = 0; i < body.length; i++) hash = (Math.imul(hash, 31) + body.charCodeAt(i)) | 0;
    const etag = `"${(hash >>> 0).toString(16).padStart(8, "0")}"`;
    b.objects.set(key, { key, body, ...(input.ContentType ? { contentType: input.ContentType as string } : {}), lastModified: at, etag });
    this.puts.push({ bucket: name, key, at });
    return { ETag: etag };
  }

  private listObjects(input: Record<string, unknown>): unknown {
    const { name, b } = this.bucket(input);
    if (input.Delimiter !== undefined) throw awsError("NotImplemented", "the fake S3 does not model Delimiter", 501);
    const prefix = (input.Prefix as string | undefined) ?? "";
    const maxKeys = Math.min(MAX_S3_PAGE, (input.MaxKeys as number | undefined) ?? MAX_S3_PAGE);
    const token = input.ContinuationToken as string | undefined;
    let after = (input.StartAfter as string | undefined) ?? "";
    if (token !== undefined) {
      const decoded = Buffer.from(token, "base64").toString("utf8");
      if (!decoded.startsWith("k:")) throw awsError("InvalidArgument", "The continuation token provided is incorrect");
      after = decoded.slice(2);
    }
    const keys = this.sortedKeys(b);
    // first index with key >= prefix and key > after (binary search)
    const from = prefix > after ? prefix : after;
    let lo = 0;
    let hi = keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (keys[mid] < from) lo = mid + 1;
      else hi = mid;
    }
    if (lo < keys.length && keys[lo] === after) lo++;
    const contents: FakeObject[] = [];
    let i = lo;
    for (; i < keys.length && keys[i].startsWith(prefix) && contents.length < maxKeys; i++) contents.push(b.objects.get(keys[i])!);
    const truncated = maxKeys > 0 && i < keys.length && keys[i].startsWith(prefix);
    return {
      Name: name,
      Prefix: prefix,
      MaxKeys: maxKeys,
      KeyCount: contents.length,
      IsTruncated: truncated,
      ...(contents.length
        ? { Contents: contents.map((o) => ({ Key: o.key, LastModified: new Date(o.lastModified.getTime()), ETag: o.etag, Size: Buffer.byteLength(o.body), StorageClass: "STANDARD" })) }
        : {}),
      ...(token !== undefined ? { ContinuationToken: token } : {}),
      ...(input.StartAfter !== undefined ? { StartAfter: input.StartAfter } : {}),
      ...(truncated ? { NextContinuationToken: Buffer.from(`k:${contents[contents.length - 1].key}`).toString("base64") } : {}),
    };
  }
}
