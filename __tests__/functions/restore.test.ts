import "aws-sdk-client-mock-jest";
import { mockClient } from "aws-sdk-client-mock";
import { BackupClient, ListRecoveryPointsByBackupVaultCommand, type RecoveryPointByBackupVault } from "@aws-sdk/client-backup";
import { DescribeKeyCommand, KMSClient } from "@aws-sdk/client-kms";
import {
  DescribeClusterSnapshotsCommand,
  DescribeClustersCommand,
  RedshiftClient,
  RestoreFromClusterSnapshotCommand,
  type Cluster,
  type DescribeClusterSnapshotsCommandInput,
  type Snapshot,
} from "@aws-sdk/client-redshift";
import { classifyError } from "../../functions/lib/errors";
import {
  chooseRecoveryPoint,
  parseSnapshotArn,
  restoreCluster,
  RestoreCallError,
  RestoreError,
  restoredClusterName,
  restoreTargetProblem,
  type ChooseRequest,
  type RestoreDeps,
  type RestoreRequest,
} from "../../functions/lib/restore";
import { CLUSTER, DR, DR_KEY, SRC, SRC_KEY, sharedSnapshot, vaultCopy } from "../fixtures/restore-points";

const redshiftMock = mockClient(RedshiftClient);
// AWS Backup and KMS are mocks (aws-sdk-client-mock): no fake here covers vaults or key aliases.
const backupMock = mockClient(BackupClient);
const kmsMock = mockClient(KMSClient);

const NOW = new Date("2026-11-27T12:00:00Z");
const VAULT = "rsdr-dr";
const sharedSnap = (id: string, ageH: number, over: Partial<Snapshot> = {}): Snapshot => sharedSnapshot(NOW, id, ageH, over);
const point = (job: string, ageH: number, over: Partial<RecoveryPointByBackupVault> = {}): RecoveryPointByBackupVault => vaultCopy(NOW, job, ageH, over);

/** The DR account's view: these snapshots shared by the source (listing and by-id describe), these points in the vault. */
function given(snaps: Snapshot[], points: RecoveryPointByBackupVault[] = []) {
  redshiftMock.on(DescribeClusterSnapshotsCommand).callsFake((input) => ({
    Snapshots: input.SnapshotIdentifier ? snaps.filter((s) => s.SnapshotIdentifier === input.SnapshotIdentifier) : snaps,
  }));
  backupMock.on(ListRecoveryPointsByBackupVaultCommand).resolves({ RecoveryPoints: points });
}

/** Clients for the mocks, and a clock that the waits move on (no real time passes). */
function deps(): RestoreDeps {
  let t = NOW.getTime();
  const clock = { now: () => new Date(t), advance: (s: number) => void (t += s * 1000) };
  return {
    redshift: new RedshiftClient({ region: "eu-west-2" }),
    backup: new BackupClient({ region: "eu-west-2" }),
    kms: new KMSClient({ region: "eu-west-2" }),
    clock,
    sleep: (ms) => Promise.resolve(clock.advance(ms / 1000)),
  };
}

const choose = (over: Partial<ChooseRequest> = {}): ChooseRequest => ({
  source: { accountId: SRC, region: "eu-west-2", clusterIdentifier: CLUSTER },
  drAccountId: DR,
  snapshotPrefix: "rsdr",
  managedBy: "rsdr",
  vaultName: VAULT,
  ...over,
});

const request = (over: Partial<RestoreRequest> = {}): RestoreRequest => ({
  ...choose(),
  project: "rsdr",
  subnetGroupName: "rsdr-dr-redshift",
  kmsKeyId: DR_KEY,
  ...over,
});

beforeEach(() => {
  redshiftMock.reset();
  backupMock.reset();
  kmsMock.reset();
});

describe("restore core: choosing what to restore (Redshift and AWS Backup mocked)", () => {
  it("takes the newest of the newest shared snapshot and the newest COMPLETED copy in the vault", async () => {
    given([sharedSnap("rsdr-analytics-prod-20261127t0000z", 12), sharedSnap("rsdr-analytics-prod-20261126t1200z", 24)], [point("job-old", 30), point("job-new", 9), point("job-creating", 1, { Status: "CREATING" })]);
    const chosen = await chooseRecoveryPoint(deps(), choose());
    expect(chosen).toMatchObject({ kind: "backup", snapshotIdentifier: "awsbackup:job-new", ownerAccountId: DR, snapshotArn: point("job-new", 9).RecoveryPointArn });

    given([sharedSnap("rsdr-analytics-prod-20261127t0600z", 6)], [point("job-new", 9)]);
    expect(await chooseRecoveryPoint(deps(), choose())).toMatchObject({ kind: "shared", snapshotIdentifier: "rsdr-analytics-prod-20261127t0600z", ownerAccountId: SRC, kmsKeyId: SRC_KEY });
  });

  it("ignores copies of other clusters and, without a vault, never reads AWS Backup", async () => {
    given([sharedSnap("rsdr-analytics-prod-20261127t0000z", 12)], [point("job-other", 1, { ResourceArn: `arn:aws:redshift:eu-west-2:${SRC}:cluster:other` })]);
    expect((await chooseRecoveryPoint(deps(), choose())).kind).toBe("shared");
    backupMock.reset();
    expect((await chooseRecoveryPoint(deps(), choose({ vaultName: undefined }))).kind).toBe("shared");
    expect(backupMock).not.toHaveReceivedCommand(ListRecoveryPointsByBackupVaultCommand);
  });

  it("--from keeps one kind", async () => {
    given([sharedSnap("rsdr-analytics-prod-20261127t0600z", 6)], [point("job-new", 9)]);
    expect((await chooseRecoveryPoint(deps(), choose({ from: "backup" }))).kind).toBe("backup");
    backupMock.resetHistory();
    given([sharedSnap("rsdr-analytics-prod-20261127t0000z", 12)], [point("job-new", 9)]);
    expect((await chooseRecoveryPoint(deps(), choose({ from: "shared" }))).kind).toBe("shared");
    expect(backupMock).not.toHaveReceivedCommand(ListRecoveryPointsByBackupVaultCommand);
  });

  it("--snapshot takes a shared id (even one the listing does not recognise) or a recovery point ARN or awsbackup id", async () => {
    given([sharedSnap("rsdr-analytics-prod-20261127t0600z", 6), sharedSnap("hand-made-before-migration", 48)], [point("job-a", 9), point("job-b", 33)]);
    expect(await chooseRecoveryPoint(deps(), choose({ snapshot: "hand-made-before-migration" }))).toMatchObject({ kind: "shared", snapshotIdentifier: "hand-made-before-migration" });
    expect(await chooseRecoveryPoint(deps(), choose({ snapshot: "awsbackup:job-b" }))).toMatchObject({ kind: "backup", snapshotIdentifier: "awsbackup:job-b" });
    expect(await chooseRecoveryPoint(deps(), choose({ snapshot: point("job-a", 9).RecoveryPointArn }))).toMatchObject({ kind: "backup", snapshotIdentifier: "awsbackup:job-a" });
  });

  it("says clearly when there is nothing to restore, or the snapshot asked for is not there", async () => {
    given([], [point("job-failed", 1, { Status: "PARTIAL" })]);
    const none = await chooseRecoveryPoint(deps(), choose()).catch((e: unknown) => e);
    expect(none).toBeInstanceOf(RestoreError);
    expect(classifyError(none).kind).toBe("snapshot-not-found");
    expect((none as Error).message).toBe(
      `nothing to restore for cluster ${CLUSTER}: no available snapshot of it shared by account ${SRC}, and no COMPLETED recovery point of it in vault ${VAULT}`,
    );
    await expect(chooseRecoveryPoint(deps(), choose({ snapshot: "rsdr-analytics-prod-20261101t0000z" }))).rejects.toThrow(/is not visible to the DR account/);
    await expect(chooseRecoveryPoint(deps(), choose({ snapshot: "awsbackup:job-gone" }))).rejects.toThrow(/no COMPLETED recovery point awsbackup:job-gone/);
    await expect(chooseRecoveryPoint(deps(), choose({ vaultName: undefined, from: "backup" }))).rejects.toThrow(/no DR vault is configured/);
  });

  it("refuses a shared snapshot of another cluster or one not available", async () => {
    given([sharedSnap("x-1", 1, { ClusterIdentifier: "other" }), sharedSnap("x-2", 1, { Status: "creating" })]);
    await expect(chooseRecoveryPoint(deps(), choose({ snapshot: "x-1" }))).rejects.toThrow("snapshot x-1 is of cluster other, not analytics-prod");
    await expect(chooseRecoveryPoint(deps(), choose({ snapshot: "x-2" }))).rejects.toThrow("snapshot x-2 is creating, not available");
  });
});

/**
 * A DR-owned copy of the cluster (or `over`'s): a snapshot the DR account owns of a drill cluster, taken
 * `snapshotAgeH` hours ago from data `dataAgeH` hours old, tagged as the restore drill tags it.
 */
const drCopy = (stamp: string, dataAgeH: number, over: Partial<Snapshot> & { cluster?: string; account?: string; snapshotAgeH?: number } = {}): Snapshot => {
  const { cluster = CLUSTER, account = SRC, snapshotAgeH = 0.5, ...rest } = over;
  return {
    SnapshotIdentifier: `rsdr-drcopy-${cluster}-${stamp}`,
    ClusterIdentifier: `rsdr-drill-${cluster}-${stamp}`,
    SnapshotType: "manual",
    Status: "available",
    OwnerAccount: DR,
    SnapshotCreateTime: new Date(NOW.getTime() - snapshotAgeH * 3_600_000),
    Encrypted: true,
    KmsKeyId: DR_KEY,
    Tags: [
      { Key: "managed-by", Value: "rsdr" },
      { Key: "rsdr:cluster", Value: cluster },
      { Key: "rsdr:source-account", Value: account },
      { Key: "rsdr:data-time", Value: new Date(NOW.getTime() - dataAgeH * 3_600_000).toISOString() },
    ],
    ...rest,
  };
};

/** The DR account's view with its own snapshots too: a listing without OwnerAccount returns only `own`. */
function givenWithOwn(snaps: Snapshot[], own: Snapshot[], points: RecoveryPointByBackupVault[] = []) {
  redshiftMock.on(DescribeClusterSnapshotsCommand).callsFake((input: DescribeClusterSnapshotsCommandInput) => {
    const visible = input.OwnerAccount ? snaps : own;
    return { Snapshots: input.SnapshotIdentifier ? visible.filter((s) => s.SnapshotIdentifier === input.SnapshotIdentifier) : visible };
  });
  backupMock.on(ListRecoveryPointsByBackupVaultCommand).resolves({ RecoveryPoints: points });
}

const ownListings = () => redshiftMock.commandCalls(DescribeClusterSnapshotsCommand).filter((c) => c.args[0].input.OwnerAccount === undefined);

describe("restore core: DR-owned copies (Redshift and AWS Backup mocked)", () => {
  it("with drOwnedCopies, the newest available copy competes by the age of its DATA, and is restored as the DR account's own", async () => {
    givenWithOwn(
      [sharedSnap("rsdr-analytics-prod-20261126t0000z", 36)],
      [
        // taken an hour ago, but of 40-hour-old data: older than the shared snapshot
        drCopy("20261127t1100z", 40, { snapshotAgeH: 1 }),
        // taken a day ago, of 30-hour-old data: the newest data anywhere
        drCopy("20261126t1200z", 30, { snapshotAgeH: 24 }),
        // newer data, but still being copied, or of another account's cluster of the same name
        drCopy("20261127t1130z", 2, { Status: "creating" }),
        drCopy("20261127t0900z", 3, { account: "555555555555" }),
      ],
      [point("job-old", 33)],
    );
    const chosen = await chooseRecoveryPoint(deps(), choose({ drOwnedCopies: true }));
    expect(chosen).toEqual({
      kind: "drcopy",
      sourceClusterIdentifier: CLUSTER,
      snapshotIdentifier: "rsdr-drcopy-analytics-prod-20261126t1200z",
      snapshotClusterIdentifier: "rsdr-drill-analytics-prod-20261126t1200z",
      ownerAccountId: DR,
      createdAt: new Date(NOW.getTime() - 30 * 3_600_000),
      encrypted: true,
      kmsKeyId: DR_KEY,
    });
    // one listing of the DR account's own manual snapshots, paginated, no tag filter
    expect(ownListings().map((c) => c.args[0].input)).toEqual([{ SnapshotType: "manual", MaxRecords: 100, Marker: undefined }]);

    // newer shared data wins over the copy
    givenWithOwn([sharedSnap("rsdr-analytics-prod-20261127t0600z", 6)], [drCopy("20261126t1200z", 30)]);
    expect((await chooseRecoveryPoint(deps(), choose({ drOwnedCopies: true }))).kind).toBe("shared");
  });

  it("by default DR-owned copies are not considered: the DR account's own snapshots are never listed", async () => {
    givenWithOwn([sharedSnap("rsdr-analytics-prod-20261126t0000z", 36)], [drCopy("20261127t0600z", 6)]);
    expect((await chooseRecoveryPoint(deps(), choose())).kind).toBe("shared");
    expect(ownListings()).toHaveLength(0);
  });

  it("from drcopy keeps only DR-owned copies, even when a shared snapshot or a vault copy is newer, and reads neither", async () => {
    givenWithOwn([sharedSnap("rsdr-analytics-prod-20261127t0600z", 6)], [drCopy("20261126t1200z", 30)], [point("job-new", 1)]);
    const chosen = await chooseRecoveryPoint(deps(), choose({ from: "drcopy" }));
    expect(chosen).toMatchObject({ kind: "drcopy", snapshotIdentifier: "rsdr-drcopy-analytics-prod-20261126t1200z" });
    expect(redshiftMock.commandCalls(DescribeClusterSnapshotsCommand).filter((c) => c.args[0].input.OwnerAccount !== undefined)).toHaveLength(0);
    expect(backupMock).not.toHaveReceivedCommand(ListRecoveryPointsByBackupVaultCommand);

    givenWithOwn([sharedSnap("rsdr-analytics-prod-20261127t0600z", 6)], [drCopy("20261127t1130z", 2, { Status: "creating" })]);
    await expect(chooseRecoveryPoint(deps(), choose({ from: "drcopy" }))).rejects.toThrow(
      `nothing to restore for cluster ${CLUSTER}: no available DR-owned copy of it in the DR account`,
    );
  });

  it("a snapshot ref <prefix>-drcopy-... selects that DR-owned copy; one not available, or not of this cluster, is refused", async () => {
    givenWithOwn(
      [sharedSnap("rsdr-analytics-prod-20261127t0600z", 6)],
      [
        drCopy("20261126t1200z", 30),
        drCopy("20261125t1200z", 54),
        drCopy("20261127t1130z", 2, { Status: "creating" }),
        drCopy("20261127t0000z", 12, { cluster: "other-prod" }),
      ],
    );
    expect(await chooseRecoveryPoint(deps(), choose({ snapshot: "rsdr-drcopy-analytics-prod-20261125t1200z" }))).toMatchObject({
      kind: "drcopy",
      snapshotClusterIdentifier: "rsdr-drill-analytics-prod-20261125t1200z",
      createdAt: new Date(NOW.getTime() - 54 * 3_600_000),
    });
    await expect(chooseRecoveryPoint(deps(), choose({ snapshot: "rsdr-drcopy-analytics-prod-20261127t1130z" }))).rejects.toThrow(
      "DR-owned copy rsdr-drcopy-analytics-prod-20261127t1130z is creating, not available",
    );
    await expect(chooseRecoveryPoint(deps(), choose({ snapshot: "rsdr-drcopy-other-prod-20261127t0000z" }))).rejects.toThrow(
      `no DR-owned copy rsdr-drcopy-other-prod-20261127t0000z of cluster ${CLUSTER} (account ${SRC}) in the DR account`,
    );
    await expect(chooseRecoveryPoint(deps(), choose({ snapshot: "rsdr-drcopy-analytics-prod-20261126t1200z", from: "shared" }))).rejects.toThrow(
      "rsdr-drcopy-analytics-prod-20261126t1200z is a DR-owned copy, not from shared",
    );
    await expect(chooseRecoveryPoint(deps(), choose({ snapshot: "rsdr-analytics-prod-20261127t0600z", from: "drcopy" }))).rejects.toThrow(
      "rsdr-analytics-prod-20261127t0600z is a shared snapshot, not from drcopy",
    );
  });

  it("a source cluster called drcopy-...: its own window snapshot ids stay shared snapshots", async () => {
    const cluster = "drcopy-sales";
    givenWithOwn([sharedSnap("rsdr-drcopy-sales-20261127t0600z", 6, { ClusterIdentifier: cluster })], []);
    const chosen = await chooseRecoveryPoint(deps(), choose({ source: { accountId: SRC, region: "eu-west-2", clusterIdentifier: cluster }, snapshot: "rsdr-drcopy-sales-20261127t0600z" }));
    expect(chosen).toMatchObject({ kind: "shared", ownerAccountId: SRC });
  });

  it("restores a DR-owned copy by its id and the drill cluster, without OwnerAccount; the age reported is its data's", async () => {
    givenWithOwn([], [drCopy("20261126t1200z", 30)]);
    redshiftMock.on(RestoreFromClusterSnapshotCommand).resolves({ Cluster: { ClusterStatus: "creating" } });
    const result = await restoreCluster(deps(), request({ from: "drcopy", vaultName: undefined }));
    const input = redshiftMock.commandCalls(RestoreFromClusterSnapshotCommand)[0].args[0].input;
    expect(input).toEqual({
      ClusterIdentifier: "rsdr-restore-analytics-prod-20261127t1200z",
      SnapshotIdentifier: "rsdr-drcopy-analytics-prod-20261126t1200z",
      SnapshotClusterIdentifier: "rsdr-drill-analytics-prod-20261126t1200z",
      ClusterSubnetGroupName: "rsdr-dr-redshift",
      KmsKeyId: DR_KEY,
      PubliclyAccessible: false,
    });
    expect(input).not.toHaveProperty("OwnerAccount");
    expect(result.ageHours).toBe(30);
  });
});

describe("restore core: names", () => {
  it("names the restored cluster <project>-restore-<cluster>-<stamp>; when too long for 63, cut with a hash of the whole id, without a trailing hyphen", () => {
    expect(restoredClusterName("rsdr", CLUSTER, NOW)).toBe("rsdr-restore-analytics-prod-20261127t1200z");
    // 63 - "project-sixteen1-restore-" (25) - "-db44-20261127t1200z" (20) leaves 18: "a-very-long-cluste"
    const long = restoredClusterName("project-sixteen1", "a-very-long-cluster-id-entifier-of-forty", NOW);
    expect(long).toBe("project-sixteen1-restore-a-very-long-cluste-db44-20261127t1200z");
    // Two long ids with the same beginning do not meet in one name.
    expect(restoredClusterName("project-sixteen1", "a-very-long-cluster-id-entifier-of-fifty", NOW)).not.toBe(long);
    expect(long.length).toBeLessThanOrEqual(63);
    expect(restoreTargetProblem(long, "project-sixteen1-restore-")).toBeNull();
  });

  it("refuses targets outside the prefix or breaking Redshift's rules", () => {
    expect(restoreTargetProblem("analytics-prod", "rsdr-restore-")).toMatch(/must start with rsdr-restore-/);
    expect(restoreTargetProblem("rsdr-restore-", "rsdr-restore-")).toMatch(/must start with/);
    expect(restoreTargetProblem("rsdr-restore-a--b", "rsdr-restore-")).toMatch(/two consecutive hyphens/);
    expect(restoreTargetProblem("rsdr-restore-drill", "rsdr-restore-")).toBeNull();
  });

  it("reads a Redshift snapshot ARN", () => {
    expect(parseSnapshotArn(`arn:aws:redshift:eu-west-2:${DR}:snapshot:${CLUSTER}/awsbackup:job-1`)).toEqual({ accountId: DR, clusterIdentifier: CLUSTER, snapshotIdentifier: "awsbackup:job-1" });
    expect(parseSnapshotArn("arn:aws:backup:eu-west-2:1:recovery-point:x")).toBeUndefined();
  });
});

describe("restore core: the RestoreFromClusterSnapshot request (Redshift, AWS Backup and KMS mocked)", () => {
  beforeEach(() => redshiftMock.on(RestoreFromClusterSnapshotCommand).resolves({ Cluster: { ClusterStatus: "creating" } }));

  it("a shared snapshot: OwnerAccount and its cluster, the DR subnet group, the DR key, never public", async () => {
    given([sharedSnap("rsdr-analytics-prod-20261127t0600z", 6)]);
    const result = await restoreCluster(deps(), request({ vaultName: undefined }));
    expect(result.clusterIdentifier).toBe("rsdr-restore-analytics-prod-20261127t1200z");
    expect(redshiftMock.commandCalls(RestoreFromClusterSnapshotCommand)[0].args[0].input).toEqual({
      ClusterIdentifier: "rsdr-restore-analytics-prod-20261127t1200z",
      SnapshotIdentifier: "rsdr-analytics-prod-20261127t0600z",
      SnapshotClusterIdentifier: CLUSTER,
      OwnerAccount: SRC,
      ClusterSubnetGroupName: "rsdr-dr-redshift",
      KmsKeyId: DR_KEY,
      PubliclyAccessible: false,
    });
    expect(kmsMock).not.toHaveReceivedCommand(DescribeKeyCommand);
  });

  it("a copy in the DR vault: by its ARN, no OwnerAccount (the DR account owns it)", async () => {
    given([], [point("job-new", 3)]);
    await restoreCluster(deps(), request({ targetClusterIdentifier: "rsdr-restore-drill" }));
    const input = redshiftMock.commandCalls(RestoreFromClusterSnapshotCommand)[0].args[0].input;
    expect(input).toEqual({
      ClusterIdentifier: "rsdr-restore-drill",
      SnapshotArn: point("job-new", 3).RecoveryPointArn,
      ClusterSubnetGroupName: "rsdr-dr-redshift",
      KmsKeyId: DR_KEY,
      PubliclyAccessible: false,
    });
    expect(input).not.toHaveProperty("OwnerAccount");
  });

  it("resolves the DR key's alias to its ARN with kms:DescribeKey", async () => {
    given([sharedSnap("rsdr-analytics-prod-20261127t0600z", 6)]);
    const alias = "arn:aws:kms:eu-west-2:999999999999:alias/rsdr-dr-redshift";
    kmsMock.on(DescribeKeyCommand, { KeyId: alias }).resolves({ KeyMetadata: { KeyId: "k", Arn: DR_KEY } });
    await restoreCluster(deps(), request({ kmsKeyId: alias }));
    expect(redshiftMock.commandCalls(RestoreFromClusterSnapshotCommand)[0].args[0].input.KmsKeyId).toBe(DR_KEY);
  });

  it("refuses a target outside <project>-restore- before any AWS call", async () => {
    await expect(restoreCluster(deps(), request({ targetClusterIdentifier: "analytics-prod" }))).rejects.toThrow(/must start with rsdr-restore-/);
    expect(redshiftMock.calls()).toHaveLength(0);
  });

  it("refuses a shared snapshot under the AWS-managed key, and warns when the key is not the configured one", async () => {
    given([sharedSnap("rsdr-analytics-prod-20261127t0600z", 6, { KmsKeyId: "arn:aws:kms:eu-west-2:222222222222:alias/aws/redshift" })]);
    await expect(restoreCluster(deps(), request())).rejects.toThrow(/AWS-managed key .* cannot be restored in another account/);
    expect(redshiftMock).not.toHaveReceivedCommand(RestoreFromClusterSnapshotCommand);

    given([sharedSnap("rsdr-analytics-prod-20261127t0600z", 6)]);
    const warnings: string[] = [];
    await restoreCluster(deps(), request({ vaultName: undefined, source: { ...choose().source, kmsKeyArn: SRC_KEY.replace("aaaaaaaa", "bbbbbbbb") } }), { warning: (m) => warnings.push(m) });
    expect(warnings).toEqual([expect.stringMatching(/not with the cluster's configured key .* aws\/redshift/)]);
  });
});

describe("restore core: waiting and errors (Redshift mocked)", () => {
  const states = (...clusters: Cluster[]) => {
    const d = redshiftMock.on(DescribeClustersCommand);
    clusters.forEach((c) => d.resolvesOnce({ Clusters: [{ ClusterIdentifier: "rsdr-restore-drill", ...c }] }));
  };
  beforeEach(() => {
    given([sharedSnap("rsdr-analytics-prod-20261127t0600z", 6)]);
    redshiftMock.on(RestoreFromClusterSnapshotCommand).resolves({ Cluster: { ClusterStatus: "creating" } });
  });

  it("waits for available with progress, and measures the time from the request", async () => {
    states(
      { ClusterStatus: "creating" },
      { ClusterStatus: "creating", RestoreStatus: { Status: "restoring", ProgressInMegaBytes: 512, SnapshotSizeInMegaBytes: 2048 } },
      { ClusterStatus: "available", Endpoint: { Address: "rsdr-restore-drill.abc.eu-west-2.redshift.amazonaws.com", Port: 5439 } },
    );
    const seen: string[] = [];
    const result = await restoreCluster(deps(), request({ vaultName: undefined, targetClusterIdentifier: "rsdr-restore-drill", wait: { pollSeconds: 60, onProgress: (s) => seen.push(s) } }));
    expect(seen).toEqual(["creating", "creating (restore restoring, 512/2048 MB)", "available"]);
    expect(result.available).toEqual({ clusterIdentifier: "rsdr-restore-drill", address: "rsdr-restore-drill.abc.eu-west-2.redshift.amazonaws.com", port: 5439, secondsToAvailable: 120 });
  });

  it("a failed restore state or the timeout ends the wait with a clear error", async () => {
    states({ ClusterStatus: "creating" }, { ClusterStatus: "incompatible-restore" });
    await expect(restoreCluster(deps(), request({ vaultName: undefined, targetClusterIdentifier: "rsdr-restore-drill", wait: { pollSeconds: 1 } }))).rejects.toThrow(
      "the restore of rsdr-restore-drill failed: incompatible-restore",
    );
    redshiftMock.on(DescribeClustersCommand).resolves({ Clusters: [{ ClusterIdentifier: "rsdr-restore-drill", ClusterStatus: "creating" }] });
    await expect(restoreCluster(deps(), request({ vaultName: undefined, targetClusterIdentifier: "rsdr-restore-drill", wait: { pollSeconds: 600, timeoutMinutes: 30 } }))).rejects.toThrow(
      /still creating after 30 minutes; the restore goes on/,
    );
  });

  it.each([
    ["ClusterSnapshotNotFoundFault", "snapshot-not-found"],
    ["AccessDenied", "access-denied"],
    ["ThrottlingException", "throttling"],
  ])("a %s from RestoreFromClusterSnapshot is a RestoreCallError naming the action, classified %s", async (name, kind) => {
    redshiftMock.on(RestoreFromClusterSnapshotCommand).rejects(Object.assign(new Error(`${name} happened`), { name, $metadata: {} }));
    const err = await restoreCluster(deps(), request({ vaultName: undefined })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RestoreCallError);
    expect((err as RestoreCallError).action).toBe("redshift:RestoreFromClusterSnapshot");
    expect(classifyError((err as RestoreCallError).cause).kind).toBe(kind);
    if (kind === "access-denied") expect((err as RestoreCallError).note).toMatch(/aws\/redshift/);
  });

  it("a DescribeKey the role may not make says to pass the key ARN", async () => {
    kmsMock.on(DescribeKeyCommand).rejects(Object.assign(new Error("not authorized to perform kms:DescribeKey"), { name: "AccessDeniedException", $metadata: {} }));
    const err = await restoreCluster(deps(), request({ kmsKeyId: "alias/rsdr-dr-redshift" })).catch((e: unknown) => e);
    expect(err).toMatchObject({ action: "kms:DescribeKey", note: expect.stringMatching(/kms_key_arn/) });
    expect(redshiftMock).not.toHaveReceivedCommand(RestoreFromClusterSnapshotCommand);
  });
});
