/**
 * Restoring a source cluster in the DR account: choose what to restore (the newest snapshot the source shares with
 * us, the newest COMPLETED copy of the cluster in the DR vault, or, when asked, the newest DR-owned copy a restore
 * drill kept), restore it into a new cluster named
 * `<project>-restore-<cluster>-<yyyymmddthhmmz>` in the DR subnet group, re-encrypted with the DR key and never
 * publicly accessible, and optionally wait until it is available. Used by the operator CLI (`restore`) and by the
 * restore drills; every input comes from the caller (no config, no cdktf), so both derive the names the same way.
 *
 * Both kinds are restored with RestoreFromClusterSnapshot under the DR restore operator role:
 * - a shared snapshot by SnapshotIdentifier, SnapshotClusterIdentifier (required when the caller's policy names the
 *   cluster in the snapshot resource, as the role's does) and OwnerAccount (required for a snapshot we do not own);
 * - a copy in the DR vault is a Redshift snapshot OWNED by the DR account, whose recovery point ARN is the snapshot's
 *   ARN (`arn:<p>:redshift:<region>:<dr account>:snapshot:<cluster>/awsbackup:...`): by SnapshotArn, no OwnerAccount.
 *   AWS Backup's StartRestoreJob is not used: it needs an AWS Backup restore role and iam:PassRole, which the DR
 *   account does not have, and gives no more than a direct restore;
 * - a DR-owned copy is a snapshot OWNED by the DR account of a drill cluster: by SnapshotIdentifier and
 *   SnapshotClusterIdentifier (the drill cluster), no OwnerAccount. Its age is that of its data (rsdr:data-time).
 * AWS calls that fail are thrown as {@link RestoreCallError} (the IAM action and the SDK's error); the core's own
 * refusals as {@link RestoreError} (a {@link ReconcileError}: classifyError gives its kind).
 */
import { createHash } from "node:crypto";
import type { BackupClient } from "@aws-sdk/client-backup";
import { DescribeSecurityGroupsCommand, type EC2Client } from "@aws-sdk/client-ec2";
import { DescribeKeyCommand, type KMSClient } from "@aws-sdk/client-kms";
import {
  DescribeClusterSubnetGroupsCommand,
  DescribeClustersCommand,
  RestoreFromClusterSnapshotCommand,
  type Cluster,
  type RedshiftClient,
  type RestoreFromClusterSnapshotCommandInput,
  type Snapshot,
} from "@aws-sdk/client-redshift";
import { clusterIdentifierProblem, drOwnedCopyPrefix, KMS_KEY_ARN, MAX_CLUSTER_ID_LENGTH, windowSnapshotIdPattern, windowStamp } from "../../contract";
import { drOwnedCopyKey, listDrOwnedCopies, newestDrOwnedCopies, type DrOwnedCopy } from "./dr-owned-copies";
import { classifyError, errorMessage, ReconcileError, type ErrorKind } from "./errors";
import { ageHours, describeAllSnapshots, listSharedSnapshots } from "./listing";
import { snapshotTime } from "./ownership";
import { listRedshiftRecoveryPoints, redshiftClusterArn } from "./recovery-points";
import type { Clock } from "./runtime";

/** A snapshot the source shares, a copy in the DR vault, or a DR-owned copy kept by a restore drill. */
export type RecoveryPointKind = "shared" | "backup" | "drcopy";

/** The core refused (nothing to restore, a bad target name, a failed or slow restore); classifyError gives `kind`. */
export class RestoreError extends ReconcileError {
  constructor(kind: ErrorKind, message: string) {
    super(kind, message);
    this.name = "RestoreError";
  }
}

/** An AWS call of the restore failed: `action` is the IAM action, `cause` the SDK's error, `note` what else it may mean. */
export class RestoreCallError extends Error {
  constructor(
    readonly action: string,
    readonly cause: unknown,
    readonly note?: string,
  ) {
    super(`${action} failed: ${classifyError(cause).code}: ${errorMessage(cause)}${note ? ` (${note})` : ""}`);
    this.name = "RestoreCallError";
  }
}

async function step<T>(action: string, fn: () => Promise<T>, note?: (err: unknown) => string | undefined): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof RestoreError || err instanceof RestoreCallError) throw err;
    throw new RestoreCallError(action, err, note?.(err));
  }
}

/** The DR account's clients (the restore acts only there). */
export interface RestoreDeps {
  readonly redshift: RedshiftClient;
  /** Reads the DR vault; needed when `vaultName` is given. */
  readonly backup?: BackupClient;
  /** Resolves the DR key's alias to its ARN; needed unless `kmsKeyId` is a key ARN. */
  readonly kms?: KMSClient;
  readonly clock: Clock;
  /** @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
}

/** The source cluster whose data is restored. */
export interface SourceCluster {
  readonly accountId: string;
  readonly region: string;
  readonly clusterIdentifier: string;
  /** @default from the region: aws-cn for cn-*, aws-us-gov for us-gov-*, else aws */
  readonly partition?: string;
  /** The customer-managed key the config names for an existing cluster: a snapshot under another key is suspect. */
  readonly kmsKeyArn?: string;
}

/** One restorable state of the source cluster. */
export interface RecoveryPoint {
  readonly kind: RecoveryPointKind;
  readonly sourceClusterIdentifier: string;
  /** The snapshot id (for a copy in the vault, the part after `<cluster>/` of its ARN, `awsbackup:...`). */
  readonly snapshotIdentifier: string;
  /** For a copy in the DR vault: the recovery point ARN, which is the snapshot's ARN. */
  readonly snapshotArn?: string;
  /** For a DR-owned copy: the drill cluster it was taken from, which the restore names (it is not the source cluster). */
  readonly snapshotClusterIdentifier?: string;
  /** The account that owns the snapshot: the source account (shared) or the DR account (a copy in the vault, a DR-owned copy). */
  readonly ownerAccountId: string;
  /** When the data was taken: the snapshot's creation, or for a DR-owned copy its rsdr:data-time (not the copy's creation). */
  readonly createdAt: Date;
  readonly encrypted?: boolean;
  readonly kmsKeyId?: string;
}

export interface ChooseRequest {
  readonly source: SourceCluster;
  /** The DR account, owner of the copies in the vault. */
  readonly drAccountId: string;
  /** Prefix and managed-by value of the snapshot manager's ids and tags (the project). */
  readonly snapshotPrefix: string;
  readonly managedBy: string;
  /** The DR vault; without it only shared snapshots are considered. */
  readonly vaultName?: string;
  /** Only this kind. @default the newest of the kinds considered */
  readonly from?: RecoveryPointKind;
  /** Consider the DR-owned copies of the cluster too (implied by `from: "drcopy"`). @default false */
  readonly drOwnedCopies?: boolean;
  /** This snapshot: a shared snapshot's id, a recovery point's ARN or `awsbackup:...` id, or a DR-owned copy's id. */
  readonly snapshot?: string;
}

export const partitionOf = (region: string) => (region.startsWith("cn-") ? "aws-cn" : region.startsWith("us-gov-") ? "aws-us-gov" : "aws");

/** `arn:<p>:redshift:<region>:<account>:snapshot:<cluster>/<id>` → its parts, or undefined. */
export function parseSnapshotArn(arn: string): { accountId: string; clusterIdentifier: string; snapshotIdentifier: string } | undefined {
  const m = /^arn:aws(?:-[a-z]+)*:redshift:[a-z0-9-]+:(\d{12}):snapshot:([^/]+)\/(.+)$/.exec(arn);
  return m ? { accountId: m[1], clusterIdentifier: m[2], snapshotIdentifier: m[3] } : undefined;
}

const isBackupRef = (ref: string) => ref.startsWith("arn:") || ref.startsWith("awsbackup:");

/**
 * Whether `ref` names a DR-owned copy (`<prefix>-drcopy-...`). A source cluster may itself be called `drcopy-...`,
 * whose shared snapshots then start the same way: an id of that cluster's window snapshot form stays shared.
 */
function isDrOwnedCopyRef(ref: string, req: ChooseRequest): boolean {
  if (!ref.startsWith(drOwnedCopyPrefix(req.snapshotPrefix))) return false;
  return !new RegExp(`^${windowSnapshotIdPattern(req.snapshotPrefix, req.source.clusterIdentifier)}$`).test(ref);
}

const KIND_NAMES: Readonly<Record<RecoveryPointKind, string>> = { shared: "shared snapshot", backup: "recovery point", drcopy: "DR-owned copy" };

/** The COMPLETED copies of the source cluster in the DR vault (a copy keeps its source cluster's ARN as ResourceArn). */
async function recoveryPointsOf(deps: RestoreDeps, req: ChooseRequest): Promise<RecoveryPoint[]> {
  if (!req.vaultName) return [];
  if (!deps.backup) throw new Error("restore: a DR vault is given, but no Backup client");
  const backup = deps.backup;
  const vault = req.vaultName;
  const s = req.source;
  const resourceArn = redshiftClusterArn(s.partition ?? partitionOf(s.region), s.region, s.accountId, s.clusterIdentifier);
  const points = await step("backup:ListRecoveryPointsByBackupVault", () => listRedshiftRecoveryPoints({ backup }, vault));
  const found: RecoveryPoint[] = [];
  for (const p of points) {
    if (p.Status !== "COMPLETED" || p.ResourceArn !== resourceArn || !p.RecoveryPointArn || !p.CreationDate) continue;
    const parsed = parseSnapshotArn(p.RecoveryPointArn);
    if (!parsed) continue;
    found.push({
      kind: "backup",
      sourceClusterIdentifier: s.clusterIdentifier,
      snapshotIdentifier: parsed.snapshotIdentifier,
      snapshotArn: p.RecoveryPointArn,
      ownerAccountId: parsed.accountId,
      createdAt: p.CreationDate,
      ...(p.EncryptionKeyArn ? { encrypted: true, kmsKeyId: p.EncryptionKeyArn } : {}),
    });
  }
  return found;
}

/** The DR-owned copies of the source cluster in the DR account, whatever their status. */
async function drOwnedCopiesOf(deps: RestoreDeps, req: ChooseRequest): Promise<DrOwnedCopy[]> {
  const copies = await step("redshift:DescribeClusterSnapshots", () =>
    listDrOwnedCopies({ redshift: deps.redshift }, { snapshotPrefix: req.snapshotPrefix, managedBy: req.managedBy }),
  );
  return copies.filter((c) => c.sourceAccountId === req.source.accountId && c.clusterIdentifier === req.source.clusterIdentifier);
}

function drOwnedCopyPoint(copy: DrOwnedCopy, req: ChooseRequest): RecoveryPoint {
  return {
    kind: "drcopy",
    sourceClusterIdentifier: copy.clusterIdentifier,
    snapshotIdentifier: copy.snapshotIdentifier,
    snapshotClusterIdentifier: copy.drillClusterIdentifier,
    ownerAccountId: req.drAccountId,
    // The age that matters is the data's: a copy taken today of last week's data is a week old.
    createdAt: copy.dataTime,
    ...(copy.encrypted !== undefined ? { encrypted: copy.encrypted } : {}),
    ...(copy.kmsKeyId ? { kmsKeyId: copy.kmsKeyId } : {}),
  };
}

/** The DR-owned copy `ref` of the source cluster; refused unless it is one of the cluster's and available. */
async function describeDrOwnedCopy(deps: RestoreDeps, req: ChooseRequest, ref: string): Promise<RecoveryPoint> {
  const s = req.source;
  const copy = (await drOwnedCopiesOf(deps, req)).find((c) => c.snapshotIdentifier === ref);
  if (!copy) {
    throw new RestoreError(
      "snapshot-not-found",
      `no DR-owned copy ${ref} of cluster ${s.clusterIdentifier} (account ${s.accountId}) in the DR account: it does not exist, or its id or tags do not name this cluster`,
    );
  }
  if (copy.status !== "available") throw new RestoreError("invalid-state", `DR-owned copy ${ref} is ${copy.status}, not available`);
  return drOwnedCopyPoint(copy, req);
}

/** The newest available DR-owned copy of the source cluster, by the time of its data. */
async function newestDrOwnedCopy(deps: RestoreDeps, req: ChooseRequest): Promise<RecoveryPoint | undefined> {
  const copy = newestDrOwnedCopies(await drOwnedCopiesOf(deps, req)).get(drOwnedCopyKey(req.source.accountId, req.source.clusterIdentifier));
  return copy && drOwnedCopyPoint(copy, req);
}

/** The newest available snapshot of ours the source shares with us, of this cluster. */
async function newestShared(deps: RestoreDeps, req: ChooseRequest): Promise<RecoveryPoint | undefined> {
  const s = req.source;
  const shared = await step("redshift:DescribeClusterSnapshots", () =>
    listSharedSnapshots({ redshift: deps.redshift }, s.accountId, {
      snapshotPrefix: req.snapshotPrefix,
      clusters: [s.clusterIdentifier],
      managedBy: req.managedBy,
    }),
  );
  const newest = shared.reduce<(typeof shared)[number] | undefined>((a, b) => (!a || b.createdAt > a.createdAt ? b : a), undefined);
  return newest && { kind: "shared", sourceClusterIdentifier: s.clusterIdentifier, snapshotIdentifier: newest.snapshotIdentifier, ownerAccountId: s.accountId, createdAt: newest.createdAt };
}

/** One shared snapshot as the DR account sees it, with its key; refused unless it is an available one of the cluster. */
async function describeShared(deps: RestoreDeps, source: SourceCluster, snapshotIdentifier: string): Promise<RecoveryPoint> {
  const found: Snapshot[] = await step("redshift:DescribeClusterSnapshots", () =>
    describeAllSnapshots({ redshift: deps.redshift }, { SnapshotIdentifier: snapshotIdentifier, OwnerAccount: source.accountId }),
  );
  const snap = found.find((x) => x.SnapshotIdentifier === snapshotIdentifier);
  const createdAt = snap && snapshotTime(snap);
  if (!snap || !createdAt) {
    throw new RestoreError("snapshot-not-found", `snapshot ${snapshotIdentifier} of account ${source.accountId} is not visible to the DR account: it does not exist, or is not shared with it`);
  }
  if (snap.ClusterIdentifier !== source.clusterIdentifier) {
    throw new RestoreError("invalid-input", `snapshot ${snapshotIdentifier} is of cluster ${snap.ClusterIdentifier}, not ${source.clusterIdentifier}`);
  }
  if (snap.Status !== "available") throw new RestoreError("invalid-state", `snapshot ${snapshotIdentifier} is ${snap.Status}, not available`);
  return {
    kind: "shared",
    sourceClusterIdentifier: source.clusterIdentifier,
    snapshotIdentifier,
    ownerAccountId: source.accountId,
    createdAt,
    ...(snap.Encrypted !== undefined ? { encrypted: snap.Encrypted } : {}),
    ...(snap.KmsKeyId ? { kmsKeyId: snap.KmsKeyId } : {}),
  };
}

/**
 * What to restore: `snapshot` if given (a shared id, a recovery point ARN / `awsbackup:` id, or a DR-owned copy's
 * id), else the newest of the newest shared snapshot, the newest completed copy in the vault and (with
 * `drOwnedCopies` or `from: "drcopy"`) the newest available DR-owned copy, by the time of their data (`from` keeps
 * one kind). A shared snapshot is described once more, so that its key is known and it is still there.
 */
export async function chooseRecoveryPoint(deps: RestoreDeps, req: ChooseRequest): Promise<RecoveryPoint> {
  const s = req.source;
  if (req.from === "backup" && !req.vaultName) throw new RestoreError("invalid-input", "no DR vault is configured: there are no recovery points to restore from");
  const ref = req.snapshot;
  if (ref !== undefined) {
    const kind: RecoveryPointKind = isBackupRef(ref) ? "backup" : isDrOwnedCopyRef(ref, req) ? "drcopy" : "shared";
    if (req.from && req.from !== kind) throw new RestoreError("invalid-input", `${ref} is a ${KIND_NAMES[kind]}, not from ${req.from}`);
    if (kind === "shared") return describeShared(deps, s, ref);
    if (kind === "drcopy") return describeDrOwnedCopy(deps, req, ref);
    if (!req.vaultName) throw new RestoreError("invalid-input", `${ref} is a recovery point, but no DR vault is configured`);
    const point = (await recoveryPointsOf(deps, req)).find((p) => p.snapshotArn === ref || p.snapshotIdentifier === ref);
    if (!point) throw new RestoreError("snapshot-not-found", `no COMPLETED recovery point ${ref} of cluster ${s.clusterIdentifier} (account ${s.accountId}) in vault ${req.vaultName}`);
    return point;
  }
  const considers = (kind: RecoveryPointKind) => (req.from ? req.from === kind : kind !== "drcopy" || req.drOwnedCopies === true);
  const candidates: RecoveryPoint[] = [];
  if (considers("shared")) {
    const shared = await newestShared(deps, req);
    if (shared) candidates.push(shared);
  }
  if (considers("backup")) candidates.push(...(await recoveryPointsOf(deps, req)));
  if (considers("drcopy")) {
    const copy = await newestDrOwnedCopy(deps, req);
    if (copy) candidates.push(copy);
  }
  const newest = candidates.reduce<RecoveryPoint | undefined>((a, b) => (!a || b.createdAt > a.createdAt ? b : a), undefined);
  if (!newest) {
    const looked = [
      considers("shared") ? `no available snapshot of it shared by account ${s.accountId}` : undefined,
      considers("backup") && req.vaultName ? `no COMPLETED recovery point of it in vault ${req.vaultName}` : undefined,
      considers("drcopy") ? `no available DR-owned copy of it in the DR account` : undefined,
    ].filter(Boolean);
    throw new RestoreError("snapshot-not-found", `nothing to restore for cluster ${s.clusterIdentifier}: ${looked.join(", and ")}`);
  }
  return newest.kind === "shared" ? describeShared(deps, s, newest.snapshotIdentifier) : newest;
}

/**
 * Why a shared snapshot cannot be restored with the DR key, or null when nothing says so. A snapshot under the
 * AWS-managed key aws/redshift cannot be restored in another account (that key's policy cannot be shared); the DR
 * account sees the snapshot's KmsKeyId, which shows an alias only sometimes, so a key other than the one the config
 * names for the cluster is reported too.
 */
export function sharedKeyProblem(point: RecoveryPoint, source: SourceCluster): { readonly certain: boolean; readonly message: string } | null {
  if (point.kind !== "shared") return null;
  const key = point.kmsKeyId;
  if (key && /(^|:)alias\/aws\//.test(key)) {
    return {
      certain: true,
      message: `snapshot ${point.snapshotIdentifier} is encrypted with the AWS-managed key (${key}): such a snapshot cannot be restored in another account; encrypt the cluster with a customer-managed key shared with the DR account`,
    };
  }
  if (key && source.kmsKeyArn && key !== source.kmsKeyArn) {
    return {
      certain: false,
      message: `snapshot ${point.snapshotIdentifier} is encrypted with ${key}, not with the cluster's configured key ${source.kmsKeyArn}: if that is the AWS-managed aws/redshift key, it cannot be restored in another account`,
    };
  }
  return null;
}

/** The name of a restored cluster: `<project>-restore-<cluster>-<yyyymmddthhmmz>` (UTC), the cluster part cut to fit 63. */
export function restoredClusterName(project: string, sourceCluster: string, at: Date): string {
  return stampedClusterName(`${project}-restore-`, sourceCluster, at);
}

/**
 * `<prefix><cluster>-<yyyymmddthhmmz>` (UTC). When that is longer than Redshift's 63, the cluster part is cut and a
 * short hash of the whole id follows it, so that two long ids with the same beginning never give the same name.
 */
export function stampedClusterName(prefix: string, sourceCluster: string, at: Date): string {
  const whole = `${prefix}${sourceCluster}-${windowStamp(at)}`;
  if (whole.length <= MAX_CLUSTER_ID_LENGTH) return whole;
  const hash = createHash("sha256").update(sourceCluster).digest("hex").slice(0, 4);
  const suffix = `-${hash}-${windowStamp(at)}`;
  const room = MAX_CLUSTER_ID_LENGTH - prefix.length - suffix.length;
  return `${prefix}${sourceCluster.slice(0, room).replace(/-+$/, "")}${suffix}`;
}

/** Why `name` cannot be the restored cluster's identifier (the operator role may create only `<prefix>*`), or null. */
export function restoreTargetProblem(name: string, prefix: string): string | null {
  if (!name.startsWith(prefix) || name.length === prefix.length) return `must start with ${prefix} (the DR restore operator role may create only those clusters)`;
  const problem = clusterIdentifierProblem(name);
  return problem ? `is not a valid cluster identifier: it ${problem}` : null;
}

/** The DR key's ARN: `keyId` itself when it is a key ARN, else what KMS DescribeKey resolves it (an alias) to. */
export async function resolveKmsKeyArn(deps: Pick<RestoreDeps, "kms">, keyId: string): Promise<string> {
  if (KMS_KEY_ARN.test(keyId)) return keyId;
  if (!deps.kms) throw new Error(`restore: ${keyId} is not a key ARN, and no KMS client was given to resolve it`);
  const kms = deps.kms;
  const out = await step(
    "kms:DescribeKey",
    () => kms.send(new DescribeKeyCommand({ KeyId: keyId })),
    () => `${keyId} could not be resolved to a key ARN: pass the DR key's ARN instead (the DR stack's output kms_key_arn)`,
  );
  const arn = out.KeyMetadata?.Arn;
  if (!arn) throw new RestoreError("other", `kms:DescribeKey of ${keyId} returned no key ARN`);
  return arn;
}

export interface RestoreTarget {
  /** The new cluster's identifier. */
  readonly clusterIdentifier: string;
  /** The DR subnet group, `<project>-dr-redshift`. */
  readonly subnetGroupName: string;
  /** The DR key's ARN. */
  readonly kmsKeyArn: string;
  readonly vpcSecurityGroupIds?: readonly string[];
  /** @default the snapshot's node type and count */
  readonly nodeType?: string;
  readonly numberOfNodes?: number;
}

/** The RestoreFromClusterSnapshot request: DR subnet group, DR key (Encrypted follows from it), never public. */
export function restoreInput(point: RecoveryPoint, target: RestoreTarget): RestoreFromClusterSnapshotCommandInput {
  const from =
    point.kind === "shared"
      ? { SnapshotIdentifier: point.snapshotIdentifier, SnapshotClusterIdentifier: point.sourceClusterIdentifier, OwnerAccount: point.ownerAccountId }
      : point.kind === "drcopy"
        ? // Our own snapshot: no OwnerAccount; its cluster is the drill cluster, named for a policy that names clusters.
          { SnapshotIdentifier: point.snapshotIdentifier, SnapshotClusterIdentifier: point.snapshotClusterIdentifier }
        : { SnapshotArn: point.snapshotArn };
  return {
    ClusterIdentifier: target.clusterIdentifier,
    ...from,
    ClusterSubnetGroupName: target.subnetGroupName,
    KmsKeyId: target.kmsKeyArn,
    PubliclyAccessible: false,
    ...(target.vpcSecurityGroupIds?.length ? { VpcSecurityGroupIds: [...target.vpcSecurityGroupIds] } : {}),
    ...(target.nodeType ? { NodeType: target.nodeType } : {}),
    ...(target.numberOfNodes ? { NumberOfNodes: target.numberOfNodes } : {}),
  };
}

/** Starts the restore; returns the cluster as Redshift first reports it. */
export async function startRestore(deps: RestoreDeps, point: RecoveryPoint, target: RestoreTarget, source?: SourceCluster): Promise<Cluster | undefined> {
  const keyNote = (err: unknown) => {
    if (point.kind !== "shared" || !["access-denied", "invalid-input", "other"].includes(classifyError(err).kind)) return undefined;
    return (
      (source && sharedKeyProblem(point, source)?.message) ??
      "if the snapshot is encrypted with the AWS-managed key aws/redshift, it cannot be restored in another account; otherwise check the source key's policy grants the DR account"
    );
  };
  const out = await step("redshift:RestoreFromClusterSnapshot", () => deps.redshift.send(new RestoreFromClusterSnapshotCommand(restoreInput(point, target))), keyNote);
  return out.Cluster;
}

/** Cluster states a restore does not come back from. */
export const RESTORE_FAILED_STATES = new Set(["incompatible-restore", "incompatible-network", "incompatible-hsm", "incompatible-parameters", "hardware-failure", "storage-full", "deleting", "final-snapshot"]);

export interface WaitOptions {
  /** When the restore was asked for: the measured time counts from it. */
  readonly startedAt: Date;
  /** @default 30 s */
  readonly pollSeconds?: number;
  /** @default 180 minutes */
  readonly timeoutMinutes?: number;
  /** Each state seen, e.g. `creating (restore restoring, 1024/20480 MB)`. */
  readonly onProgress?: (state: string) => void;
}

export interface Available {
  readonly clusterIdentifier: string;
  readonly address: string;
  readonly port: number;
  /** From the restore request to the first check that saw the cluster available with an endpoint. */
  readonly secondsToAvailable: number;
}

function describeState(c: Cluster): string {
  const r = c.RestoreStatus;
  if (!r?.Status) return c.ClusterStatus ?? "unknown";
  const mb = r.SnapshotSizeInMegaBytes ? `, ${r.ProgressInMegaBytes ?? 0}/${r.SnapshotSizeInMegaBytes} MB` : "";
  return `${c.ClusterStatus ?? "unknown"} (restore ${r.Status}${mb})`;
}

/** Polls DescribeClusters until the cluster is available with an endpoint; a failed state or the timeout throws. */
export async function waitForAvailable(deps: RestoreDeps, clusterIdentifier: string, options: WaitOptions): Promise<Available> {
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const pollMs = (options.pollSeconds ?? 30) * 1000;
  const timeoutMinutes = options.timeoutMinutes ?? 180;
  const deadline = options.startedAt.getTime() + timeoutMinutes * 60_000;
  for (;;) {
    const out = await step("redshift:DescribeClusters", () => deps.redshift.send(new DescribeClustersCommand({ ClusterIdentifier: clusterIdentifier })));
    const cluster = out.Clusters?.find((c) => c.ClusterIdentifier === clusterIdentifier);
    const now = deps.clock.now();
    if (!cluster) throw new RestoreError("cluster-not-found", `cluster ${clusterIdentifier} is gone while restoring`);
    const state = describeState(cluster);
    options.onProgress?.(state);
    const status = cluster.ClusterStatus ?? "";
    if (RESTORE_FAILED_STATES.has(status) || cluster.RestoreStatus?.Status === "failed") {
      throw new RestoreError("invalid-state", `the restore of ${clusterIdentifier} failed: ${state}`);
    }
    if (status === "available" && cluster.Endpoint?.Address) {
      return {
        clusterIdentifier,
        address: cluster.Endpoint.Address,
        port: cluster.Endpoint.Port ?? 5439,
        secondsToAvailable: Math.round((now.getTime() - options.startedAt.getTime()) / 1000),
      };
    }
    if (now.getTime() >= deadline) {
      throw new RestoreError(
        "other",
        `cluster ${clusterIdentifier} is still ${state} after ${timeoutMinutes} minutes; the restore goes on: follow it with aws redshift describe-clusters --cluster-identifier ${clusterIdentifier}`,
      );
    }
    await sleep(pollMs);
  }
}

export interface RestoreRequest extends ChooseRequest {
  /** The project: restored clusters are `<project>-restore-...`. */
  readonly project: string;
  /** @default restoredClusterName(project, cluster, now) */
  readonly targetClusterIdentifier?: string;
  readonly subnetGroupName: string;
  /** The DR key: its ARN, or an alias (ARN or `alias/...`) resolved with KMS DescribeKey. */
  readonly kmsKeyId: string;
  readonly vpcSecurityGroupIds?: readonly string[];
  /** Wait for the cluster to be available. */
  readonly wait?: Omit<WaitOptions, "startedAt">;
}

export interface RestoreResult {
  readonly recoveryPoint: RecoveryPoint;
  readonly ageHours: number;
  readonly clusterIdentifier: string;
  readonly startedAt: Date;
  /** With `wait`: the endpoint and the measured time. */
  readonly available?: Available;
}

export interface RestoreEvents {
  /** The recovery point is chosen and the target named; nothing is created yet. */
  chosen?(point: RecoveryPoint, clusterIdentifier: string): void;
  /** Something the operator should know that does not stop the restore. */
  warning?(message: string): void;
  /** RestoreFromClusterSnapshot was accepted. */
  started?(clusterIdentifier: string, status: string | undefined): void;
}

/** Chooses, restores, and (with `wait`) waits: the whole restore of one source cluster in the DR account. */
export async function restoreCluster(deps: RestoreDeps, req: RestoreRequest, events: RestoreEvents = {}): Promise<RestoreResult> {
  const prefix = `${req.project}-restore-`;
  const target = req.targetClusterIdentifier ?? restoredClusterName(req.project, req.source.clusterIdentifier, deps.clock.now());
  const problem = restoreTargetProblem(target, prefix);
  if (problem) throw new RestoreError("invalid-input", `target ${target} ${problem}`);

  const point = await chooseRecoveryPoint(deps, req);
  const keyProblem = sharedKeyProblem(point, req.source);
  if (keyProblem?.certain) throw new RestoreError("invalid-input", keyProblem.message);
  if (keyProblem) events.warning?.(keyProblem.message);
  const kmsKeyArn = await resolveKmsKeyArn(deps, req.kmsKeyId);
  events.chosen?.(point, target);

  const startedAt = deps.clock.now();
  const cluster = await startRestore(
    deps,
    point,
    { clusterIdentifier: target, subnetGroupName: req.subnetGroupName, kmsKeyArn, vpcSecurityGroupIds: req.vpcSecurityGroupIds },
    req.source,
  );
  events.started?.(target, cluster?.ClusterStatus);
  const result = { recoveryPoint: point, ageHours: ageHours(point.createdAt, startedAt), clusterIdentifier: target, startedAt };
  if (!req.wait) return result;
  return { ...result, available: await waitForAvailable(deps, target, { ...req.wait, startedAt }) };
}

/**
 * The security group a restored cluster should get: the one named `groupName` in the VPC of the subnet group (the
 * DR stack's closed restore group), or undefined when that VPC has none of that name. Without it, Redshift would
 * put the cluster in the VPC's default group.
 */
export async function findRestoreSecurityGroup(
  deps: { readonly redshift: RedshiftClient; readonly ec2: EC2Client },
  subnetGroupName: string,
  groupName: string,
): Promise<string | undefined> {
  const groups = await step("redshift:DescribeClusterSubnetGroups", () =>
    deps.redshift.send(new DescribeClusterSubnetGroupsCommand({ ClusterSubnetGroupName: subnetGroupName })),
  );
  const vpcId = groups.ClusterSubnetGroups?.[0]?.VpcId;
  if (!vpcId) return undefined;
  const found = await step("ec2:DescribeSecurityGroups", () =>
    deps.ec2.send(
      new DescribeSecurityGroupsCommand({
        Filters: [
          { Name: "vpc-id", Values: [vpcId] },
          { Name: "group-name", Values: [groupName] },
        ],
      }),
    ),
  );
  return found.SecurityGroups?.[0]?.GroupId;
}
