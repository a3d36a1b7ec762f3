/**
 * A MOCK of Amazon Redshift: a stateful, in-memory stand-in for the snapshot API calls the core uses
 * (DescribeClusterSnapshots, CreateClusterSnapshot, AuthorizeSnapshotAccess, RevokeSnapshotAccess,
 * DeleteClusterSnapshot). It is written from the API reference and the Management Guide (see
 * docs/aws-behaviour.md), not checked against the real service; tests using it say so in their names.
 *
 * Behaviour modelled:
 *  - snapshots go from `creating` to `available` `creationDelayMs` after creation (on the injected clock);
 *  - a manual-snapshot quota (ClusterSnapshotQuotaExceededFault);
 *  - pagination with Marker, at most 100 records a page;
 *  - the owner account sees its snapshots; another account sees only manual snapshots shared with it,
 *    only with OwnerAccount set, and never when tag filters are given; and (the strict reading, since
 *    nothing documents otherwise) it sees neither the owner's tags nor the list of authorized accounts;
 *  - sharing only `available` manual snapshots, at most 20 accounts each, and at most 100 authorizations
 *    over all snapshots encrypted with one KMS key (LimitExceededFault, "The encryption key has exceeded
 *    its grant limit in AWS KMS"); each cluster has a key, by default one key for all;
 *  - refusal to delete a snapshot that still has authorizations, or that is not `available`;
 *  - automated and other tools' snapshots can be seeded; every deletion is recorded for invariant checks;
 *  - per-command call counts, optional per-call latency, and injectable faults (e.g. throttling);
 *  - one fake is one account in ONE region: its clients are for that region, and what it shares is seen only
 *    through it (a shared snapshot is visible only in its own region). Cross-region snapshot copy
 *    ({@link FakeRedshift.copyFrom}): a fake of the destination region gets a copy of each snapshot that becomes
 *    available in the source region's fake after copying was enabled, `delayMs` later, with the SAME identifier,
 *    WITHOUT tags (nothing documents that tags are copied), `SourceRegion` set and the copy key; Redshift's
 *    retention then expires it (manual copies after `manualRetentionDays`), shared or not (not documented either
 *    way: the strict reading), and every expiry is recorded with the authorizations that stood on it.
 *
 * Its clients are real RedshiftClients: a request goes through the SDK's middleware, including the retry
 * strategy (so a throttling fault is retried by the SDK, as many times as in Lambda), and is answered in place of
 * the HTTP call. Test clients retry without delay (ConfiguredRetryStrategy with a zero backoff), so tests cost no
 * real time; what is retried is the SDK's standard strategy (Lambda's clients use adaptive mode, which retries
 * the same errors and also limits its own request rate).
 */
import {
  AuthorizationAlreadyExistsFault,
  AuthorizationNotFoundFault,
  AuthorizationQuotaExceededFault,
  ClusterNotFoundFault,
  ClusterSnapshotAlreadyExistsFault,
  ClusterSnapshotNotFoundFault,
  ClusterSnapshotQuotaExceededFault,
  InvalidClusterSnapshotStateFault,
  LimitExceededFault,
  RedshiftClient,
  type Snapshot,
  type Tag,
} from "@aws-sdk/client-redshift";
import { ConfiguredRetryStrategy } from "@smithy/core/retry";
import { identifierProblem, MAX_SNAPSHOT_ID_LENGTH } from "../contract";
import { AWS_CLIENT_CONFIG } from "../functions/lib/lambda";
import type { Clock } from "../functions/lib/runtime";
import { awsError, throttlingError } from "./aws-errors";

export interface FakeSnapshotState {
  id: string;
  cluster: string;
  /** The KMS key the snapshot is encrypted with (its cluster's key when it was taken). */
  kmsKeyId: string;
  type: "manual" | "automated";
  tags: Tag[];
  createdAt: Date;
  /** When it becomes available (creating until then). */
  availableAt: Date;
  accounts: string[];
  /** Forced status (e.g. "failed"); overrides the creating/available timing. */
  forcedStatus?: string;
  /** A cross-region copy: the region it was copied from (Snapshot.SourceRegion). */
  sourceRegion?: string;
  /** A copy's retention in days (ManualSnapshotRetentionPeriod of a manual copy); when Redshift deletes it. */
  retention?: { days: number; expiresAt: Date };
}

/** A copy Redshift's retention deleted (not a DeleteClusterSnapshot call). */
export interface ExpiryRecord {
  id: string;
  cluster: string;
  type: string;
  at: Date;
  /** Authorizations standing on the copy when it expired. */
  accountsAtExpiry: string[];
}

/** Cross-region snapshot copy into a destination fake (EnableSnapshotCopy, same account). */
export interface CrossRegionCopyOptions {
  /** From the source snapshot becoming available to its copy becoming available in the destination. */
  readonly delayMs: number;
  /** Days Redshift keeps a copied manual snapshot (EnableSnapshotCopy ManualSnapshotRetentionPeriod). */
  readonly manualRetentionDays: number;
  /** Days Redshift keeps a copied automated snapshot (RetentionPeriod). @default 7 */
  readonly retentionDays?: number;
  /** The key that encrypts the copies (the snapshot copy grant's key in the destination). @default "copy-key-<region>" */
  readonly kmsKeyId?: string;
}

export interface DeletionRecord {
  id: string;
  cluster: string;
  type: string;
  tags: Tag[];
  at: Date;
  /** Authorizations the snapshot had when it was deleted (the fake refuses deletion otherwise, so always []). */
  accountsAtDeletion: string[];
}

export interface FakeRedshiftOptions {
  clock: Clock;
  /** The account that owns every snapshot in this fake (the source account). */
  ownerAccountId: string;
  /** @default 0 (available at the first read after creation) */
  creationDelayMs?: number;
  /** Manual snapshots the owner may hold. @default 500 */
  manualSnapshotQuota?: number;
  /** Accounts a snapshot may be shared with. @default 20 */
  maxAccountsPerSnapshot?: number;
  /** Authorizations over all snapshots encrypted with one KMS key. @default 100 */
  maxAuthorizationsPerKey?: number;
  /** The region of this fake (of its clients, and where what it shares is seen). @default "eu-west-1" */
  region?: string;
}

/** The key of clusters added without one. */
export const DEFAULT_FAKE_KEY = "key-shared-by-all-clusters";

const MAX_PAGE = 100;
const DAY_MS = 86_400_000;

function fault<T extends Error>(Ctor: new (opts: { message: string; $metadata: object }) => T, message: string): T {
  return new Ctor({ message, $metadata: { httpStatusCode: 400 } });
}

/** Attempts per request of the test clients: the same count as the Lambda clients. */
export const FAKE_CLIENT_MAX_ATTEMPTS = AWS_CLIENT_CONFIG.maxAttempts;

export class FakeRedshift {
  readonly clusters = new Set<string>();
  /** KMS key per cluster. */
  readonly clusterKeys = new Map<string, string>();
  readonly snapshots = new Map<string, FakeSnapshotState>();
  /** Snapshot ids per cluster, so per-cluster listings stay cheap with many snapshots (benchmarks). */
  private readonly byCluster = new Map<string, Set<string>>();
  readonly deletions: DeletionRecord[] = [];
  /** Calls made, per command name (e.g. "DescribeClusterSnapshots"). */
  readonly calls: Record<string, number> = {};
  /** Every request, in order, with the calling account. */
  readonly log: Array<{ command: string; account: string; input: Record<string, unknown> }> = [];
  readonly options: Required<FakeRedshiftOptions>;
  private readonly faults: Array<{ command: string; error: () => Error; remaining: number; skip: number }> = [];
  /** Copies Redshift's retention deleted in this (destination) fake. */
  readonly expirations: ExpiryRecord[] = [];
  /** Source regions' fakes whose snapshots Redshift copies into this one. */
  private readonly copySources: Array<{ source: FakeRedshift; options: Required<CrossRegionCopyOptions>; enabledAt: number; copied: Set<string> }> = [];
  /** Destination fakes this one's snapshots are copied into. */
  private readonly copyTargets: FakeRedshift[] = [];
  keepLog = true;
  /** When > 0, every Nth request (over all commands) fails with a throttling error. */
  throttleEvery = 0;
  private requestCount = 0;

  constructor(options: FakeRedshiftOptions) {
    this.options = { creationDelayMs: 0, manualSnapshotQuota: 500, maxAccountsPerSnapshot: 20, maxAuthorizationsPerKey: 100, region: "eu-west-1", ...options };
  }

  /**
   * Cross-region snapshot copy from `source` (the same account in another region) into this fake, from now on:
   * see the header. Copies appear as Redshift makes them, checked at every request to this fake (and by
   * {@link sync}); a source snapshot deleted once available is copied first.
   */
  copyFrom(source: FakeRedshift, options: CrossRegionCopyOptions): this {
    if (source.options.ownerAccountId !== this.options.ownerAccountId) throw new Error("cross-region snapshot copy stays in one account");
    if (source.options.region === this.options.region) throw new Error(`cross-region snapshot copy needs two regions; both are ${this.options.region}`);
    this.copySources.push({
      source,
      options: { retentionDays: 7, kmsKeyId: `copy-key-${this.options.region}`, ...options },
      enabledAt: this.options.clock.now().getTime(),
      copied: new Set(),
    });
    source.copyTargets.push(this);
    return this;
  }

  /** Brings the copies up to the clock: makes the copies due, and expires those past their retention. */
  sync(): void {
    if (this.copySources.length === 0) return;
    const now = this.options.clock.now().getTime();
    for (const link of this.copySources) {
      for (const s of link.source.snapshots.values()) {
        const availableAt = s.availableAt.getTime();
        if (link.copied.has(s.id) || s.forcedStatus || availableAt > now || availableAt < link.enabledAt) continue;
        link.copied.add(s.id);
        const days = s.type === "manual" ? link.options.manualRetentionDays : link.options.retentionDays;
        this.put({
          id: s.id,
          cluster: s.cluster,
          kmsKeyId: link.options.kmsKeyId,
          type: s.type,
          tags: [],
          createdAt: new Date(s.createdAt.getTime()),
          availableAt: new Date(availableAt + link.options.delayMs),
          accounts: [],
          sourceRegion: link.source.options.region,
          // Counted from the source snapshot's time: the earliest reading, so the strictest for the invariants.
          ...(days === -1 ? {} : { retention: { days, expiresAt: new Date(s.createdAt.getTime() + days * DAY_MS) } }),
        });
      }
    }
    for (const s of [...this.snapshots.values()]) {
      if (!s.retention || s.retention.expiresAt.getTime() > now) continue;
      this.remove(s);
      this.expirations.push({ id: s.id, cluster: s.cluster, type: s.type, at: new Date(now), accountsAtExpiry: [...s.accounts] });
    }
  }

  /** Adds clusters; `ids` may end with `{ kmsKeyId }` to give them a key of their own (else one key for all). */
  addCluster(...args: Array<string | { kmsKeyId: string }>): this {
    const last = args[args.length - 1];
    const key = typeof last === "object" ? last.kmsKeyId : DEFAULT_FAKE_KEY;
    for (const id of args) {
      if (typeof id !== "string") continue;
      this.clusters.add(id);
      this.clusterKeys.set(id, key);
    }
    return this;
  }

  /** The most authorizations that ever stood at once on each key (checked at every AuthorizeSnapshotAccess). */
  readonly peakAuthorizationsPerKey = new Map<string, number>();

  /** Authorizations standing on snapshots encrypted with `kmsKeyId`. */
  private authorizationsOnKey(kmsKeyId: string): number {
    let n = 0;
    for (const s of this.snapshots.values()) if (s.kmsKeyId === kmsKeyId) n += s.accounts.length;
    return n;
  }

  /** Running count per key, kept by authorize and revoke (seeded authorizations are counted on first use). */
  private readonly onKey = new Map<string, number>();

  private countOnKey(kmsKeyId: string): number {
    let n = this.onKey.get(kmsKeyId);
    if (n === undefined) this.onKey.set(kmsKeyId, (n = this.authorizationsOnKey(kmsKeyId)));
    return n;
  }

  /** Seeds a snapshot directly (no API call, no quota check). */
  seed(s: { id: string; cluster: string; type?: "manual" | "automated"; tags?: Tag[]; createdAt: Date; accounts?: string[]; status?: string }): this {
    this.put({
      id: s.id,
      cluster: s.cluster,
      kmsKeyId: this.clusterKeys.get(s.cluster) ?? DEFAULT_FAKE_KEY,
      type: s.type ?? "manual",
      tags: s.tags ?? [],
      createdAt: s.createdAt,
      availableAt: s.status === "creating" ? new Date(8.64e15) : s.createdAt,
      accounts: [...(s.accounts ?? [])],
      forcedStatus: s.status && s.status !== "creating" && s.status !== "available" ? s.status : undefined,
    });
    return this;
  }

  private put(s: FakeSnapshotState): void {
    this.onKey.delete(s.kmsKeyId); // recounted on next use (a seed may bring authorizations)
    this.snapshots.set(s.id, s);
    let ids = this.byCluster.get(s.cluster);
    if (!ids) this.byCluster.set(s.cluster, (ids = new Set()));
    ids.add(s.id);
  }

  private remove(s: FakeSnapshotState): void {
    for (const target of this.copyTargets) target.sync(); // a snapshot available before it goes is copied first
    if (s.accounts.length > 0) this.onKey.delete(s.kmsKeyId); // recounted on next use (an expired copy takes its authorizations)
    this.snapshots.delete(s.id);
    this.byCluster.get(s.cluster)?.delete(s.id);
  }

  /** The next `times` calls of `command` fail with `error()`, after `after` calls that succeed. */
  failNext(command: string, error: () => Error, times = 1, after = 0): this {
    this.faults.push({ command, error, remaining: times, skip: after });
    return this;
  }

  statusOf(s: FakeSnapshotState): string {
    if (s.forcedStatus) return s.forcedStatus;
    return this.options.clock.now().getTime() >= s.availableAt.getTime() ? "available" : "creating";
  }

  /**
   * A RedshiftClient whose requests this fake answers, as `accountId` (default: the owner). Requests pass the
   * SDK's middleware (retries included) and are answered where the HTTP request would be sent.
   */
  client(opts: { accountId?: string; latencyMs?: number; maxAttempts?: number } = {}): RedshiftClient {
    const client = new RedshiftClient({
      region: this.options.region,
      credentials: { accessKeyId: "FAKE", secretAccessKey: "FAKE" },
      retryStrategy: new ConfiguredRetryStrategy(opts.maxAttempts ?? FAKE_CLIENT_MAX_ATTEMPTS, () => 0),
    });
    const account = opts.accountId ?? this.options.ownerAccountId;
    const latency = opts.latencyMs ?? 0;
    client.middlewareStack.add(
      (_next, context) => async (args) => {
        if (latency > 0) await new Promise((r) => setTimeout(r, latency));
        const name = String((context as { commandName?: string }).commandName).replace(/Command$/, "");
        const output = this.handle(name, args.input as Record<string, unknown>, account) as object;
        return { output: { ...output, $metadata: {} }, response: {} };
      },
      // After the retry middleware (finalizeRequest, high priority), in place of the HTTP handler.
      { step: "finalizeRequest", priority: "low", name: "fakeRedshiftAnswers" },
    );
    // Nothing goes on the wire: signing the HTTP request would only cost time (scenarios send a hundred
    // thousand requests). Retries, pagination and waiters work on the command input and output.
    client.middlewareStack.remove("httpSigningMiddleware");
    return client;
  }

  /**
   * A RedshiftClient answered by this fake without the SDK's middleware: no retries and no request building, the
   * same answers. For long scenarios, where the middleware costs most of the time; use client() wherever retries,
   * throttling or faults matter.
   */
  directClient(opts: { accountId?: string } = {}): RedshiftClient {
    const client = new RedshiftClient({ region: this.options.region, credentials: { accessKeyId: "FAKE", secretAccessKey: "FAKE" } });
    const account = opts.accountId ?? this.options.ownerAccountId;
    // async: a fault the fake throws becomes a rejected promise, as the SDK's would.
    const send = async (command: { input: Record<string, unknown>; constructor: { name: string } }) => {
      await Promise.resolve();
      const output = this.handle(command.constructor.name.replace(/Command$/, ""), command.input, account) as object;
      return { ...output, $metadata: {} };
    };
    client.send = send;
    return client;
  }

  resetCounters(): void {
    for (const k of Object.keys(this.calls)) delete this.calls[k];
    this.log.length = 0;
  }

  /** Answers one request (synchronously; faults are thrown as the SDK would surface them). */
  handle(name: string, input: Record<string, unknown>, account: string): unknown {
    this.calls[name] = (this.calls[name] ?? 0) + 1;
    if (this.keepLog) this.log.push({ command: name, account, input: { ...input } });
    this.requestCount++;
    this.sync();
    if (this.throttleEvery > 0 && this.requestCount % this.throttleEvery === 0) throw throttlingError();
    const f = this.faults.find((x) => x.command === name && x.remaining > 0);
    if (f && f.skip > 0) f.skip--;
    else if (f) {
      f.remaining--;
      throw f.error();
    }
    if (name === "DescribeClusterSnapshots") return this.describe(input, account);
    if (name === "CreateClusterSnapshot") return this.create(input, account);
    if (name === "AuthorizeSnapshotAccess") return this.authorize(input, account);
    if (name === "RevokeSnapshotAccess") return this.revoke(input, account);
    if (name === "DeleteClusterSnapshot") return this.delete(input, account);
    throw awsError("UnsupportedOperation", `the fake Redshift does not implement ${name}`, 501);
  }

  /** The snapshot as `account` sees it: another account sees neither the owner's tags nor its authorizations. */
  private view(s: FakeSnapshotState, account: string = this.options.ownerAccountId): Snapshot {
    const owner = account === this.options.ownerAccountId;
    return {
      SnapshotIdentifier: s.id,
      ClusterIdentifier: s.cluster,
      SnapshotType: s.type,
      Status: this.statusOf(s),
      SnapshotCreateTime: new Date(s.createdAt.getTime()),
      OwnerAccount: this.options.ownerAccountId,
      Encrypted: true,
      KmsKeyId: s.kmsKeyId,
      ManualSnapshotRetentionPeriod: s.type === "manual" ? (s.retention?.days ?? -1) : undefined,
      ...(s.sourceRegion ? { SourceRegion: s.sourceRegion } : {}),
      ...(owner
        ? { Tags: s.tags.map((t) => ({ ...t })), AccountsWithRestoreAccess: s.accounts.map((AccountId) => ({ AccountId })) }
        : {}),
    };
  }

  private describe(input: Record<string, unknown>, account: string): unknown {
    const owner = this.options.ownerAccountId;
    const ownerFilter = input.OwnerAccount as string | undefined;
    const tagKeys = input.TagKeys as string[] | undefined;
    const tagValues = input.TagValues as string[] | undefined;
    const hasTagFilter = (tagKeys?.length ?? 0) > 0 || (tagValues?.length ?? 0) > 0;
    const cluster = input.ClusterIdentifier as string | undefined;
    const candidates = (): FakeSnapshotState[] =>
      cluster === undefined
        ? [...this.snapshots.values()]
        : [...(this.byCluster.get(cluster) ?? [])].map((id) => this.snapshots.get(id)!);
    let visible: FakeSnapshotState[];
    if (account === owner) {
      visible = ownerFilter === undefined || ownerFilter === owner ? candidates() : [];
    } else if (ownerFilter === owner && !hasTagFilter) {
      visible = candidates().filter((s) => s.type === "manual" && s.accounts.includes(account));
    } else {
      visible = []; // another account's snapshots: only with OwnerAccount, never with tag filters
    }
    const id = input.SnapshotIdentifier as string | undefined;
    const type = input.SnapshotType as string | undefined;
    let matched = visible.filter(
      (s) =>
        (id === undefined || s.id === id) &&
        (cluster === undefined || s.cluster === cluster) &&
        (type === undefined || s.type === type) &&
        (!tagKeys?.length || s.tags.some((t) => tagKeys.includes(t.Key ?? ""))) &&
        (!tagValues?.length || s.tags.some((t) => tagValues.includes(t.Value ?? ""))),
    );
    if (id !== undefined && matched.length === 0) {
      throw fault(ClusterSnapshotNotFoundFault, `Snapshot ${id} not found.`);
    }
    matched = matched.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.id.localeCompare(b.id));
    const maxRecords = (input.MaxRecords as number | undefined) ?? MAX_PAGE;
    if (maxRecords < 20 || maxRecords > MAX_PAGE) throw awsError("InvalidParameterValue", `MaxRecords must be 20-100, got ${maxRecords}`);
    const marker = input.Marker as string | undefined;
    const offset = marker ? Number(marker.replace(/^m/, "")) : 0;
    if (!Number.isInteger(offset) || offset < 0) throw awsError("InvalidParameterValue", `bad marker ${marker}`);
    const page = matched.slice(offset, offset + maxRecords);
    const next = offset + maxRecords < matched.length ? `m${offset + maxRecords}` : undefined;
    return { Snapshots: page.map((s) => this.view(s, account)), ...(next ? { Marker: next } : {}), $metadata: {} };
  }

  private ownedManualCount(): number {
    let n = 0;
    for (const s of this.snapshots.values()) if (s.type === "manual") n++;
    return n;
  }

  private create(input: Record<string, unknown>, account: string): unknown {
    const id = input.SnapshotIdentifier as string;
    const cluster = input.ClusterIdentifier as string;
    if (account !== this.options.ownerAccountId || !this.clusters.has(cluster)) {
      throw fault(ClusterNotFoundFault, `Cluster ${cluster} not found.`);
    }
    if (identifierProblem(id, MAX_SNAPSHOT_ID_LENGTH) !== null) {
      throw awsError("InvalidParameterValue", `invalid snapshot identifier ${id}`);
    }
    if (this.snapshots.has(id)) throw fault(ClusterSnapshotAlreadyExistsFault, `Cannot create the snapshot because a snapshot with the identifier ${id} already exists.`);
    if (this.ownedManualCount() >= this.options.manualSnapshotQuota) {
      throw fault(ClusterSnapshotQuotaExceededFault, `The request would result in the user exceeding the allowed number of cluster snapshots.`);
    }
    const now = this.options.clock.now();
    const s: FakeSnapshotState = {
      id,
      cluster,
      kmsKeyId: this.clusterKeys.get(cluster) ?? DEFAULT_FAKE_KEY,
      type: "manual",
      tags: ((input.Tags as Tag[] | undefined) ?? []).map((t) => ({ ...t })),
      createdAt: now,
      availableAt: new Date(now.getTime() + this.options.creationDelayMs),
      accounts: [],
    };
    this.put(s);
    return { Snapshot: { ...this.view(s), Status: "creating" }, $metadata: {} };
  }

  private find(input: Record<string, unknown>, account: string): FakeSnapshotState {
    const id = input.SnapshotIdentifier as string;
    const cluster = input.SnapshotClusterIdentifier as string | undefined;
    const s = this.snapshots.get(id);
    if (!s || account !== this.options.ownerAccountId || (cluster !== undefined && s.cluster !== cluster)) {
      throw fault(ClusterSnapshotNotFoundFault, `Snapshot ${id} not found.`);
    }
    return s;
  }

  private authorize(input: Record<string, unknown>, account: string): unknown {
    const s = this.find(input, account);
    const target = input.AccountWithRestoreAccess as string;
    if (s.type !== "manual") throw fault(InvalidClusterSnapshotStateFault, `Only manual snapshots can be shared.`);
    if (this.statusOf(s) !== "available") {
      throw fault(InvalidClusterSnapshotStateFault, `Snapshot ${s.id} is in state ${this.statusOf(s)}; it must be available.`);
    }
    if (s.accounts.includes(target)) throw fault(AuthorizationAlreadyExistsFault, `${target} is already authorized.`);
    if (s.accounts.length >= this.options.maxAccountsPerSnapshot) {
      throw fault(AuthorizationQuotaExceededFault, `Snapshot ${s.id} is already shared with ${s.accounts.length} accounts.`);
    }
    if (this.countOnKey(s.kmsKeyId) >= this.options.maxAuthorizationsPerKey) {
      throw fault(LimitExceededFault, "The encryption key has exceeded its grant limit in AWS KMS.");
    }
    s.accounts.push(target);
    const onKey = this.countOnKey(s.kmsKeyId) + 1;
    this.onKey.set(s.kmsKeyId, onKey);
    if (onKey > (this.peakAuthorizationsPerKey.get(s.kmsKeyId) ?? 0)) this.peakAuthorizationsPerKey.set(s.kmsKeyId, onKey);
    return { Snapshot: this.view(s), $metadata: {} };
  }

  private revoke(input: Record<string, unknown>, account: string): unknown {
    const s = this.find(input, account);
    const target = input.AccountWithRestoreAccess as string;
    if (!s.accounts.includes(target)) throw fault(AuthorizationNotFoundFault, `${target} is not authorized.`);
    const before = this.countOnKey(s.kmsKeyId);
    s.accounts = s.accounts.filter((a) => a !== target);
    this.onKey.set(s.kmsKeyId, before - 1);
    return { Snapshot: this.view(s), $metadata: {} };
  }

  private delete(input: Record<string, unknown>, account: string): unknown {
    const s = this.find(input, account);
    if (s.type !== "manual") throw fault(InvalidClusterSnapshotStateFault, `Automated snapshot ${s.id} cannot be deleted.`);
    if (this.statusOf(s) !== "available") throw fault(InvalidClusterSnapshotStateFault, `Snapshot ${s.id} is ${this.statusOf(s)}.`);
    if (s.accounts.length > 0) {
      throw fault(InvalidClusterSnapshotStateFault, `Snapshot ${s.id} has active authorizations (${s.accounts.join(", ")}); revoke them first.`);
    }
    this.remove(s);
    this.deletions.push({ id: s.id, cluster: s.cluster, type: s.type, tags: s.tags, at: this.options.clock.now(), accountsAtDeletion: [...s.accounts] });
    return { Snapshot: this.view(s), $metadata: {} };
  }
}
