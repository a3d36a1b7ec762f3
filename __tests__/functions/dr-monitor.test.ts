import "aws-sdk-client-mock-jest";
import { mockClient } from "aws-sdk-client-mock";
import { BackupClient, ListRecoveryPointsByBackupVaultCommand, type RecoveryPointByBackupVault } from "@aws-sdk/client-backup";
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
// AWS Backup is a mock (aws-sdk-client-mock), not an in-memory fake: neither moto nor testing/fake-redshift.ts
// covers AWS Backup's vaults and recovery points, so these tests state what the API returns.
const backupMock = mockClient(BackupClient);

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
  backupMock.reset();
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
      backup: new BackupClient({ region: "eu-west-1" }),
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
      Message: expect.stringContaining(`source account ${SRC_A}:\n  - shared snapshots: access-denied/AccessDenied: not authorized`),
    });
  });
});

const VAULT = "rsdr-dr";
const DR_ACCOUNT = "222222222222";
const clusterArn = (account: string, cluster: string, region = "eu-west-1", partition = "aws") =>
  `arn:${partition}:redshift:${region}:${account}:cluster:${cluster}`;

/** A recovery point in the DR vault as ListRecoveryPointsByBackupVault returns it (mocked: see backupMock). */
const recoveryPoint = (name: string, account: string, cluster: string, ageH: number, over: Partial<RecoveryPointByBackupVault> = {}): RecoveryPointByBackupVault => ({
  RecoveryPointArn: `arn:aws:redshift:eu-west-1:${DR_ACCOUNT}:snapshot:${cluster}/awsbackup:${name}`,
  BackupVaultName: VAULT,
  ResourceArn: clusterArn(account, cluster),
  ResourceType: "Redshift",
  Status: "COMPLETED",
  CreationDate: new Date(NOW.getTime() - ageH * HOUR),
  ...over,
});
const rpArn = (name: string, cluster: string) => `arn:aws:redshift:eu-west-1:${DR_ACCOUNT}:snapshot:${cluster}/awsbackup:${name}`;

/** SRC_A: sales-prod both ways, hr-prod by AWS Backup only; SRC_B: risk-prod both ways, in one entry. */
const withBackup = (over: Partial<DrMonitorSettings> = {}): DrMonitorSettings =>
  settings({
    sources: [
      { accountId: SRC_A, clusters: ["sales-prod"] },
      { accountId: SRC_A, clusters: ["sales-prod", "hr-prod"], approaches: ["backup"], region: "eu-west-1", partition: "aws" },
      { accountId: SRC_B, clusters: ["risk-prod"], approaches: ["native", "backup"], region: "eu-west-1", partition: "aws" },
    ],
    backupVaultName: VAULT,
    ...over,
  });

/** Native listings: SRC_A shares sales-prod (2 h old), SRC_B shares risk-prod (3 h old). */
function sharing(): void {
  redshiftMock.on(DescribeClusterSnapshotsCommand).callsFake((input: DescribeClusterSnapshotsCommandInput) =>
    input.OwnerAccount === SRC_A
      ? { Snapshots: [shared("rsdr-sales-prod-20261126t1000z", "sales-prod", SRC_A, 2)] }
      : { Snapshots: [shared("rsdr-risk-prod-20261126t0900z", "risk-prod", SRC_B, 3)] },
  );
}

describe("DR monitor, AWS Backup recovery points (Backup API mocked: moto and the fake do not cover it)", () => {
  it("reads the vault once, every page, and reports per cluster the newest COMPLETED recovery point carrying its ARN", async () => {
    sharing();
    backupMock
      .on(ListRecoveryPointsByBackupVaultCommand)
      .resolvesOnce({
        RecoveryPoints: [
          recoveryPoint("old", SRC_A, "sales-prod", 30),
          // not finished, or going away: newer, yet they do not count
          recoveryPoint("partial", SRC_A, "sales-prod", 1, { Status: "PARTIAL" }),
          recoveryPoint("creating", SRC_A, "sales-prod", 0.5, { Status: "CREATING" }),
          // another cluster of the account (not configured), and another account's cluster of the same name
          recoveryPoint("finance", SRC_A, "finance", 1),
          recoveryPoint("other-account", "555555555555", "sales-prod", 1),
        ],
        NextToken: "t1",
      })
      .resolves({
        RecoveryPoints: [
          recoveryPoint("newest", SRC_A, "sales-prod", 6),
          recoveryPoint("deleting", SRC_A, "sales-prod", 3, { Status: "DELETING" }),
          recoveryPoint("expired", SRC_A, "sales-prod", 4, { Status: "EXPIRED" }),
          recoveryPoint("risk", SRC_B, "risk-prod", 10),
          recoveryPoint("risk-older", SRC_B, "risk-prod", 34),
          // hr-prod of the same account, but in another region: another cluster
          recoveryPoint("hr-elsewhere", SRC_A, "hr-prod", 1, { ResourceArn: clusterArn(SRC_A, "hr-prod", "us-east-1") }),
        ],
      });
    const { deps: d, rt, metrics } = deps();
    const report = await monitorSharedSnapshots(d, withBackup());

    expect(report.failedSources).toEqual([]);
    expect(report.backupClusters).toEqual([
      { sourceAccountId: SRC_A, clusterIdentifier: "sales-prod", resourceArn: clusterArn(SRC_A, "sales-prod"), newestRecoveryPointArn: rpArn("newest", "sales-prod"), newestAgeHours: 6, failed: false },
      { sourceAccountId: SRC_A, clusterIdentifier: "hr-prod", resourceArn: clusterArn(SRC_A, "hr-prod"), newestRecoveryPointArn: null, newestAgeHours: null, failed: false },
      { sourceAccountId: SRC_B, clusterIdentifier: "risk-prod", resourceArn: clusterArn(SRC_B, "risk-prod"), newestRecoveryPointArn: rpArn("risk", "risk-prod"), newestAgeHours: 10, failed: false },
    ]);
    // A cluster watched both ways gets both metrics, with the same dimensions; hr-prod (no completed point) gets none.
    const dims = (account: string, cluster: string) => ({ SourceAccount: account, ClusterIdentifier: cluster });
    expect(metrics.points).toEqual([
      { name: "NewestSharedSnapshotAgeHours", unit: "None", value: 2, dimensions: dims(SRC_A, "sales-prod") },
      { name: "NewestSharedSnapshotAgeHours", unit: "None", value: 3, dimensions: dims(SRC_B, "risk-prod") },
      { name: "NewestRecoveryPointAgeHours", unit: "None", value: 6, dimensions: dims(SRC_A, "sales-prod") },
      { name: "NewestRecoveryPointAgeHours", unit: "None", value: 10, dimensions: dims(SRC_B, "risk-prod") },
    ]);
    // One listing of the vault for both backup accounts, Redshift points only, every page at the API's maximum size.
    expect(backupMock).toHaveReceivedCommandTimes(ListRecoveryPointsByBackupVaultCommand, 2);
    const sent = backupMock.commandCalls(ListRecoveryPointsByBackupVaultCommand).map((c) => c.args[0].input);
    expect(sent).toEqual([
      { BackupVaultName: VAULT, ByResourceType: "Redshift", MaxResults: 1000, NextToken: undefined },
      { BackupVaultName: VAULT, ByResourceType: "Redshift", MaxResults: 1000, NextToken: "t1" },
    ]);
    expect(
      rt.log.entries.filter((e) => e.event === "dr-cluster-checked").map((e) => [e.approach, e.sourceAccountId, e.clusterIdentifier, e.level]),
    ).toEqual([
      ["native", SRC_A, "sales-prod", "info"],
      ["native", SRC_B, "risk-prod", "info"],
      ["backup", SRC_A, "sales-prod", "info"],
      ["backup", SRC_A, "hr-prod", "warn"],
      ["backup", SRC_B, "risk-prod", "info"],
    ]);
    expect(rt.log.entries.find((e) => e.approach === "backup" && e.level === "warn")!.note).toMatch(/^no completed recovery point in the DR vault; no metric published/);
    expect(snsMock).not.toHaveReceivedCommand(PublishCommand);
  });

  it.each(["PARTIAL", "CREATING", "DELETING", "EXPIRED", "STOPPED", "AVAILABLE"] as const)(
    "a cluster whose only recovery point is %s has none: nothing published, a warning",
    async (status) => {
      backupMock.on(ListRecoveryPointsByBackupVaultCommand).resolves({ RecoveryPoints: [recoveryPoint("only", SRC_B, "risk-prod", 1, { Status: status })] });
      const { deps: d, rt, metrics } = deps();
      const report = await monitorSharedSnapshots(
        d,
        withBackup({ sources: [{ accountId: SRC_B, clusters: ["risk-prod"], approaches: ["backup"], region: "eu-west-1", partition: "aws" }] }),
      );
      expect(report.backupClusters).toEqual([expect.objectContaining({ clusterIdentifier: "risk-prod", newestRecoveryPointArn: null, newestAgeHours: null, failed: false })]);
      expect(metrics.points).toEqual([]);
      expect(rt.log.entries.filter((e) => e.event === "dr-cluster-checked").map((e) => e.level)).toEqual(["warn"]);
      expect(redshiftMock).not.toHaveReceivedCommand(DescribeClusterSnapshotsCommand); // backup only: no native listing
    },
  );

  it("matches a cluster by the ARN its entry's partition and region give", async () => {
    const govArn = clusterArn(SRC_B, "risk-prod", "us-gov-west-1", "aws-us-gov");
    backupMock.on(ListRecoveryPointsByBackupVaultCommand).resolves({
      RecoveryPoints: [recoveryPoint("commercial", SRC_B, "risk-prod", 1), recoveryPoint("gov", SRC_B, "risk-prod", 5, { ResourceArn: govArn })],
    });
    const { deps: d } = deps();
    const report = await monitorSharedSnapshots(
      d,
      withBackup({ sources: [{ accountId: SRC_B, clusters: ["risk-prod"], approaches: ["backup"], region: "us-gov-west-1", partition: "aws-us-gov" }] }),
    );
    expect(report.backupClusters).toEqual([expect.objectContaining({ resourceArn: govArn, newestRecoveryPointArn: rpArn("gov", "risk-prod"), newestAgeHours: 5 })]);
  });

  it("a failing vault listing fails every backup source, yet native sources are reported, and the alert names each", async () => {
    sharing();
    backupMock.on(ListRecoveryPointsByBackupVaultCommand).rejects(Object.assign(new Error("not authorized to list"), { name: "AccessDeniedException" }));
    const { deps: d, metrics } = deps();
    const report = await monitorSharedSnapshots(d, withBackup());

    expect(report.failedSources).toEqual([SRC_A, SRC_B]);
    expect(report.clusters.map((c) => [c.clusterIdentifier, c.newestAgeHours, c.failed])).toEqual([
      ["sales-prod", 2, false],
      ["risk-prod", 3, false],
    ]);
    expect(report.backupClusters.map((c) => [c.sourceAccountId, c.clusterIdentifier, c.failed, c.newestAgeHours])).toEqual([
      [SRC_A, "sales-prod", true, null],
      [SRC_A, "hr-prod", true, null],
      [SRC_B, "risk-prod", true, null],
    ]);
    expect(report.backupClusters[0].error).toBe("access-denied/AccessDeniedException: not authorized to list");
    // the native ages are still published; none for the recovery points (their alarms breach on missing data)
    expect(metrics.points.map((p) => p.name)).toEqual(["NewestSharedSnapshotAgeHours", "NewestSharedSnapshotAgeHours"]);
    expect(backupMock).toHaveReceivedCommandTimes(ListRecoveryPointsByBackupVaultCommand, 1);
    expect(snsMock).toHaveReceivedCommandTimes(PublishCommand, 1);
    const line = `recovery points in vault ${VAULT}: access-denied/AccessDeniedException: not authorized to list`;
    expect(snsMock).toHaveReceivedCommandWith(PublishCommand, {
      Subject: "Redshift DR monitor: 2 of 2 failed",
      Message: expect.stringContaining(`source account ${SRC_A}:\n  - ${line}\nsource account ${SRC_B}:\n  - ${line}`),
    });
  });

  it("an account failing both ways is one failed source, with both errors in the alert", async () => {
    redshiftMock.on(DescribeClusterSnapshotsCommand).rejects(Object.assign(new Error("no"), { name: "AccessDenied" }));
    backupMock.on(ListRecoveryPointsByBackupVaultCommand).rejects(Object.assign(new Error("gone"), { name: "ResourceNotFoundException" }));
    const { deps: d } = deps();
    const report = await monitorSharedSnapshots(
      d,
      withBackup({ sources: [{ accountId: SRC_B, clusters: ["risk-prod"], approaches: ["native", "backup"], region: "eu-west-1", partition: "aws" }] }),
    );
    expect(report.failedSources).toEqual([SRC_B]);
    expect(snsMock).toHaveReceivedCommandWith(PublishCommand, {
      Subject: "Redshift DR monitor: 1 of 1 failed",
      Message: expect.stringMatching(new RegExp(`source account ${SRC_B}:\n  - shared snapshots: .*AccessDenied: no\n  - recovery points in vault ${VAULT}: .*ResourceNotFoundException: gone$`)),
    });
  });

  it("lists an account with several native entries once, for all their clusters", async () => {
    sharing();
    const { deps: d } = deps();
    const report = await monitorSharedSnapshots(
      d,
      settings({ sources: [{ accountId: SRC_A, clusters: ["sales-prod"] }, { accountId: SRC_A, clusters: ["hr-prod"], approaches: ["native"] }] }),
    );
    expect(redshiftMock).toHaveReceivedCommandTimes(DescribeClusterSnapshotsCommand, 1);
    expect(report.clusters.map((c) => [c.clusterIdentifier, c.newestAgeHours])).toEqual([
      ["sales-prod", 2],
      ["hr-prod", null],
    ]);
    expect(backupMock).not.toHaveReceivedCommand(ListRecoveryPointsByBackupVaultCommand);
  });

  it("refuses settings with a backup source but no vault name, or without region and partition, before reading anything", async () => {
    const { deps: d } = deps();
    await expect(monitorSharedSnapshots(d, withBackup({ backupVaultName: undefined }))).rejects.toThrow(
      /backupVaultName: is not set; required: the DR vault the AWS Backup copies of \["111111111111","444444444444"\] go to/,
    );
    await expect(monitorSharedSnapshots(d, withBackup({ sources: [{ accountId: SRC_A, clusters: ["a"], approaches: ["backup"] }] }))).rejects.toThrow(
      /sources\[0\]\.region: is not set; required with approach "backup"[^]*sources\[0\]\.partition: is not set/,
    );
    await expect(monitorSharedSnapshots({ ...d, backup: undefined }, withBackup())).rejects.toThrow('a source uses approach "backup", but no Backup client was given');
    expect(redshiftMock).not.toHaveReceivedCommand(DescribeClusterSnapshotsCommand);
    expect(backupMock).not.toHaveReceivedCommand(ListRecoveryPointsByBackupVaultCommand);
  });
});

/**
 * A DR-owned copy as this (the DR) account lists its own snapshots: a snapshot of a drill cluster, tagged by the
 * drill with the source account, the source cluster and the time of its data (`dataAgeH` hours before NOW).
 */
const drCopy = (account: string, cluster: string, stamp: string, dataAgeH: number, over: Partial<Snapshot> = {}): Snapshot => ({
  SnapshotIdentifier: `rsdr-drcopy-${cluster}-${stamp}`,
  ClusterIdentifier: `rsdr-drill-${cluster}-${stamp}`,
  SnapshotType: "manual",
  Status: "available",
  OwnerAccount: DR_ACCOUNT,
  // taken just now: only the data time may count
  SnapshotCreateTime: new Date(NOW.getTime() - 0.5 * HOUR),
  Tags: [
    { Key: "managed-by", Value: MANAGED_BY },
    { Key: "rsdr:cluster", Value: cluster },
    { Key: "rsdr:source-account", Value: account },
    { Key: "rsdr:data-time", Value: new Date(NOW.getTime() - dataAgeH * HOUR).toISOString() },
  ],
  ...over,
});

/** SRC_A: sales-prod natively and by DR-owned copy, hr-prod by DR-owned copy only; SRC_B: risk-prod by DR-owned copy. */
const withDrCopies = (over: Partial<DrMonitorSettings> = {}): DrMonitorSettings =>
  settings({
    sources: [
      { accountId: SRC_A, clusters: ["sales-prod"] },
      { accountId: SRC_A, clusters: ["sales-prod", "hr-prod"], approaches: ["drcopy"] },
      { accountId: SRC_B, clusters: ["risk-prod"], approaches: ["drcopy"] },
    ],
    ...over,
  });

/** Listings with OwnerAccount are what sources share (SRC_A shares sales-prod, 2 h old); without, this account's own snapshots. */
function ownSnapshots(own: Snapshot[] | Error): void {
  redshiftMock.on(DescribeClusterSnapshotsCommand).callsFake((input: DescribeClusterSnapshotsCommandInput) => {
    if (input.OwnerAccount === SRC_A) return { Snapshots: [shared("rsdr-sales-prod-20261126t1000z", "sales-prod", SRC_A, 2)] };
    if (input.OwnerAccount !== undefined) return { Snapshots: [] };
    if (own instanceof Error) throw own;
    return { Snapshots: own };
  });
}

describe("DR monitor, DR-owned copies (Redshift mocked)", () => {
  it("lists this account's own snapshots once for every drcopy source and publishes the age of the newest copy's DATA", async () => {
    ownSnapshots([
      drCopy(SRC_A, "sales-prod", "20261126t0600z", 30),
      drCopy(SRC_A, "sales-prod", "20261125t0600z", 54),
      // newer data, but still being copied: does not count
      drCopy(SRC_A, "sales-prod", "20261126t1100z", 5, { Status: "creating" }),
      drCopy(SRC_B, "risk-prod", "20261126t0000z", 12.5),
      // the right id for hr-prod, but no rsdr:source-account tag: not a DR-owned copy
      drCopy(SRC_A, "hr-prod", "20261126t0800z", 4, { Tags: [{ Key: "managed-by", Value: MANAGED_BY }, { Key: "rsdr:cluster", Value: "hr-prod" }] }),
      // a copy of a cluster of SRC_B that no entry watches
      drCopy(SRC_B, "hr-prod", "20261126t0800z", 4),
    ]);
    const { deps: d, rt, metrics } = deps();
    const report = await monitorSharedSnapshots(d, withDrCopies());

    expect(report.failedSources).toEqual([]);
    expect(report.drOwnedCopyClusters).toEqual([
      {
        sourceAccountId: SRC_A,
        clusterIdentifier: "sales-prod",
        newestCopyId: "rsdr-drcopy-sales-prod-20261126t0600z",
        newestDataTime: "2026-11-25T06:05:00.000Z",
        newestAgeHours: 30,
        failed: false,
      },
      { sourceAccountId: SRC_A, clusterIdentifier: "hr-prod", newestCopyId: null, newestDataTime: null, newestAgeHours: null, failed: false },
      {
        sourceAccountId: SRC_B,
        clusterIdentifier: "risk-prod",
        newestCopyId: "rsdr-drcopy-risk-prod-20261126t0000z",
        newestDataTime: "2026-11-25T23:35:00.000Z",
        newestAgeHours: 12.5,
        failed: false,
      },
    ]);
    const dims = (account: string, cluster: string) => ({ SourceAccount: account, ClusterIdentifier: cluster });
    expect(metrics.points).toEqual([
      { name: "NewestSharedSnapshotAgeHours", unit: "None", value: 2, dimensions: dims(SRC_A, "sales-prod") },
      { name: "NewestDrOwnedCopyAgeHours", unit: "None", value: 30, dimensions: dims(SRC_A, "sales-prod") },
      { name: "NewestDrOwnedCopyAgeHours", unit: "None", value: 12.5, dimensions: dims(SRC_B, "risk-prod") },
    ]);
    // One listing of SRC_A's shares, one of this account's own manual snapshots (no OwnerAccount, no tag filter).
    const sent = redshiftMock.commandCalls(DescribeClusterSnapshotsCommand).map((c) => c.args[0].input);
    expect(sent).toEqual([
      { OwnerAccount: SRC_A, SnapshotType: "manual", MaxRecords: 100, Marker: undefined },
      { SnapshotType: "manual", MaxRecords: 100, Marker: undefined },
    ]);
    expect(
      rt.log.entries.filter((e) => e.event === "dr-cluster-checked" && e.approach === "drcopy").map((e) => [e.sourceAccountId, e.clusterIdentifier, e.level]),
    ).toEqual([
      [SRC_A, "sales-prod", "info"],
      [SRC_A, "hr-prod", "warn"],
      [SRC_B, "risk-prod", "info"],
    ]);
    expect(rt.log.entries.find((e) => e.approach === "drcopy" && e.level === "warn")!.note).toMatch(/^no available DR-owned copy in this account; no metric published/);
    expect(snsMock).not.toHaveReceivedCommand(PublishCommand);
  });

  it("publishes nothing for drcopy clusters when this account holds no copy, and needs no Backup client", async () => {
    ownSnapshots([]);
    const { deps: d, metrics } = deps();
    const report = await monitorSharedSnapshots({ ...d, backup: undefined }, withDrCopies({ sources: [{ accountId: SRC_B, clusters: ["risk-prod"], approaches: ["drcopy"] }] }));
    expect(report.clusters).toEqual([]);
    expect(report.drOwnedCopyClusters).toEqual([expect.objectContaining({ clusterIdentifier: "risk-prod", newestAgeHours: null, failed: false })]);
    expect(metrics.points).toEqual([]);
    expect(report.metrics).toBe("skipped");
    // drcopy only: no listing of any source's shares
    expect(redshiftMock.commandCalls(DescribeClusterSnapshotsCommand).map((c) => c.args[0].input.OwnerAccount)).toEqual([undefined]);
  });

  it("without drcopy sources never lists this account's own snapshots, and reports no drcopy cluster", async () => {
    sharing();
    const { deps: d } = deps();
    const report = await monitorSharedSnapshots(d, settings());
    expect(report.drOwnedCopyClusters).toEqual([]);
    for (const call of redshiftMock.commandCalls(DescribeClusterSnapshotsCommand)) expect(call.args[0].input.OwnerAccount).toBeDefined();
  });

  it("a failing listing of the own snapshots fails every drcopy source; the native ages are still published; the alert names each", async () => {
    ownSnapshots(Object.assign(new Error("not authorized to describe"), { name: "AccessDenied" }));
    const { deps: d, metrics } = deps();
    const report = await monitorSharedSnapshots(d, withDrCopies());
    expect(report.failedSources).toEqual([SRC_A, SRC_B]);
    expect(report.clusters.map((c) => [c.clusterIdentifier, c.newestAgeHours, c.failed])).toEqual([["sales-prod", 2, false]]);
    expect(report.drOwnedCopyClusters.map((c) => [c.sourceAccountId, c.clusterIdentifier, c.failed, c.newestAgeHours])).toEqual([
      [SRC_A, "sales-prod", true, null],
      [SRC_A, "hr-prod", true, null],
      [SRC_B, "risk-prod", true, null],
    ]);
    expect(report.drOwnedCopyClusters[0].error).toBe("access-denied/AccessDenied: not authorized to describe");
    expect(metrics.points.map((p) => p.name)).toEqual(["NewestSharedSnapshotAgeHours"]);
    const line = "DR-owned copies: access-denied/AccessDenied: not authorized to describe";
    expect(snsMock).toHaveReceivedCommandWith(PublishCommand, {
      Subject: "Redshift DR monitor: 2 of 2 failed",
      Message: expect.stringContaining(`source account ${SRC_A}:\n  - ${line}\nsource account ${SRC_B}:\n  - ${line}`),
    });
  });

  it("refuses a cluster listed twice for drcopy, before reading anything", async () => {
    const { deps: d } = deps();
    await expect(
      monitorSharedSnapshots(
        d,
        withDrCopies({ sources: [{ accountId: SRC_A, clusters: ["a"], approaches: ["drcopy"] }, { accountId: SRC_A, clusters: ["a"], approaches: ["native", "drcopy"] }] }),
      ),
    ).rejects.toThrow('sources: cluster(s) listed more than once for the same approach ["drcopy: 111111111111/a"]');
    expect(redshiftMock).not.toHaveReceivedCommand(DescribeClusterSnapshotsCommand);
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

  const backupEnv = {
    SOURCES: JSON.stringify([
      { accountId: SRC_A, clusters: ["sales-prod"] },
      { accountId: SRC_A, clusters: ["sales-prod"], approaches: ["backup"], region: "eu-west-1", partition: "aws" },
      { accountId: SRC_B, clusters: ["risk-prod"], approaches: ["backup"], region: "eu-west-1", partition: "aws" },
    ]),
    BACKUP_VAULT_NAME: VAULT,
  };

  it("with backup sources: reads the vault with its Backup client and publishes both ages as EMF, with the alarms' dimensions", async () => {
    redshiftMock.on(DescribeClusterSnapshotsCommand).resolves({ Snapshots: [shared("rsdr-sales-prod-20261126t0000z", "sales-prod", SRC_A, 1)] });
    backupMock.on(ListRecoveryPointsByBackupVaultCommand).resolves({ RecoveryPoints: [recoveryPoint("rp", SRC_A, "sales-prod", 1)] });
    Object.assign(process.env, backupEnv);
    expect(await handler({}, {})).toEqual({ clusters: 1, withSnapshot: 1, backupClusters: 2, withRecoveryPoint: 1 });
    expect(backupMock).toHaveReceivedCommandWith(ListRecoveryPointsByBackupVaultCommand, { BackupVaultName: VAULT, ByResourceType: "Redshift" });
    const emf = emfDocuments(stdout);
    expect(emf).toEqual([
      expect.objectContaining({
        SourceAccount: SRC_A,
        ClusterIdentifier: "sales-prod",
        NewestSharedSnapshotAgeHours: expect.any(Number),
        NewestRecoveryPointAgeHours: expect.any(Number),
      }),
    ]);
    expect(emf[0]!._aws.CloudWatchMetrics).toEqual([
      {
        Namespace: "RedshiftDR",
        Dimensions: [["SourceAccount", "ClusterIdentifier"]],
        Metrics: [
          { Name: "NewestSharedSnapshotAgeHours", Unit: "None" },
          { Name: "NewestRecoveryPointAgeHours", Unit: "None" },
        ],
      },
    ]);
  });

  it("throws when the vault could not be read, after publishing the native ages", async () => {
    redshiftMock.on(DescribeClusterSnapshotsCommand).resolves({ Snapshots: [shared("rsdr-sales-prod-20261126t0000z", "sales-prod", SRC_A, 1)] });
    backupMock.on(ListRecoveryPointsByBackupVaultCommand).rejects(Object.assign(new Error("no such vault"), { name: "ResourceNotFoundException" }));
    Object.assign(process.env, backupEnv);
    await expect(handler({}, {})).rejects.toThrow(`DR monitor: source account(s) could not be read: ${SRC_A}, ${SRC_B}`);
    expect(emfDocuments(stdout).map((d) => Object.keys(d).filter((k) => k.startsWith("Newest")))).toEqual([["NewestSharedSnapshotAgeHours"]]);
  });

  it("without backup sources never calls AWS Backup, and reports as before", async () => {
    redshiftMock.on(DescribeClusterSnapshotsCommand).resolves({ Snapshots: [] });
    expect(await handler({}, {})).toEqual({ clusters: 2, withSnapshot: 0 });
    expect(backupMock).not.toHaveReceivedCommand(ListRecoveryPointsByBackupVaultCommand);
  });

  it("with drcopy sources: reports them, and publishes the age of the newest DR-owned copy as EMF with the alarms' dimensions", async () => {
    ownSnapshots([drCopy(SRC_B, "risk-prod", "20261126t0000z", 12)]);
    process.env.SOURCES = JSON.stringify([
      { accountId: SRC_A, clusters: ["sales-prod"] },
      { accountId: SRC_A, clusters: ["sales-prod"], approaches: ["drcopy"] },
      { accountId: SRC_B, clusters: ["risk-prod"], approaches: ["drcopy"] },
    ]);
    expect(await handler({}, {})).toEqual({ clusters: 1, withSnapshot: 1, drOwnedCopyClusters: 2, withDrOwnedCopy: 1 });
    const emf = emfDocuments(stdout);
    expect(emf).toEqual([
      expect.objectContaining({ SourceAccount: SRC_A, ClusterIdentifier: "sales-prod", NewestSharedSnapshotAgeHours: expect.any(Number) }),
      expect.objectContaining({ SourceAccount: SRC_B, ClusterIdentifier: "risk-prod", NewestDrOwnedCopyAgeHours: expect.any(Number) }),
    ]);
    expect(emf[1]!._aws.CloudWatchMetrics).toEqual([
      { Namespace: "RedshiftDR", Dimensions: [["SourceAccount", "ClusterIdentifier"]], Metrics: [{ Name: "NewestDrOwnedCopyAgeHours", Unit: "None" }] },
    ]);
    expect(emf[0]).not.toHaveProperty("NewestDrOwnedCopyAgeHours");
    expect(backupMock).not.toHaveReceivedCommand(ListRecoveryPointsByBackupVaultCommand);
  });

  it("throws when the DR-owned copies could not be listed, naming the drcopy accounts", async () => {
    ownSnapshots(Object.assign(new Error("denied"), { name: "AccessDenied" }));
    process.env.SOURCES = JSON.stringify([{ accountId: SRC_B, clusters: ["risk-prod"], approaches: ["drcopy"] }]);
    await expect(handler({}, {})).rejects.toThrow(`DR monitor: source account(s) could not be read: ${SRC_B}`);
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
    [{ SOURCES: backupEnv.SOURCES }, 'BACKUP_VAULT_NAME: is not set; required: the DR vault the AWS Backup copies of ["111111111111","444444444444"] go to'],
    [{ BACKUP_VAULT_NAME: "dr vault" }, 'BACKUP_VAULT_NAME: "dr vault" is not a backup vault name: 2-50 letters, digits, hyphens and underscores'],
    [
      { SOURCES: '[{"accountId":"111111111111","clusters":["a"],"approaches":["backup"],"partition":"aws"}]', BACKUP_VAULT_NAME: VAULT },
      'SOURCES[0].region: is not set; required with approach "backup"',
    ],
    [{ SOURCES: '[{"accountId":"111111111111","clusters":["a"],"approaches":["tape"]}]' }, 'SOURCES[0].approaches[0]: "tape" is not allowed: one of "native", "backup"'],
    [{ SOURCES: '[{"accountId":"111111111111","clusters":["a"],"approaches":[]}]' }, "SOURCES[0].approaches: at least one approach is required"],
    [
      { SOURCES: '[{"accountId":"111111111111","clusters":["a"],"approaches":["backup"],"region":"Ireland","partition":"azure"}]', BACKUP_VAULT_NAME: VAULT },
      'SOURCES[0].region: "Ireland" is not an AWS region name, e.g. "eu-west-1"\n  - SOURCES[0].partition: "azure" is not an AWS partition',
    ],
    [{ SOURCES: '[{"accountId":"111111111111","clusters":["a"],"aproaches":["backup"]}]' }, 'SOURCES[0]: ["aproaches"] is not allowed: the keys of an entry are'],
    [
      { SOURCES: '[{"accountId":"111111111111","clusters":["a"]},{"accountId":"111111111111","clusters":["b","a"],"approaches":["native","backup"],"region":"eu-west-1","partition":"aws"}]' },
      'SOURCES: cluster(s) listed more than once for the same approach ["native: 111111111111/a"]',
    ],
  ])("validates env %j", (over, expected) => {
    const env: Record<string, string | undefined> = { ...process.env, ...over };
    for (const [k, v] of Object.entries(over)) if (v === undefined) delete env[k];
    expect(() => drMonitorSettingsFromEnv(env)).toThrow(SettingsError);
    expect(() => drMonitorSettingsFromEnv(env)).toThrow(expected);
  });

  it("reads a drcopy entry without region or partition (its copies carry their account and cluster in tags)", () => {
    const sources = [
      { accountId: SRC_A, clusters: ["a"], approaches: ["drcopy"] },
      { accountId: SRC_B, clusters: ["c"], approaches: ["native", "drcopy"] },
    ];
    expect(drMonitorSettingsFromEnv({ ...process.env, SOURCES: JSON.stringify(sources) }).sources).toEqual(sources);
    expect(() =>
      drMonitorSettingsFromEnv({ ...process.env, SOURCES: JSON.stringify([...sources, { accountId: SRC_A, clusters: ["a"], approaches: ["drcopy"] }]) }),
    ).toThrow('SOURCES: cluster(s) listed more than once for the same approach ["drcopy: 111111111111/a"]');
  });

  it("reads native-only, backup-only and both-ways entries, an account in several entries", () => {
    const sources = [
      { accountId: SRC_A, clusters: ["a"] },
      { accountId: SRC_A, clusters: ["a", "b"], approaches: ["backup"], region: "eu-west-1", partition: "aws" },
      { accountId: SRC_B, clusters: ["c"], approaches: ["native", "backup"], region: "eu-central-1", partition: "aws" },
    ];
    expect(drMonitorSettingsFromEnv({ ...process.env, SOURCES: JSON.stringify(sources), BACKUP_VAULT_NAME: ` ${VAULT} ` })).toEqual({
      sources,
      snapshotPrefix: "rsdr",
      managedBy: MANAGED_BY,
      metricNamespace: "RedshiftDR",
      backupVaultName: VAULT,
    });
  });
});
