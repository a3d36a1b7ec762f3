import "aws-sdk-client-mock-jest";
import { mockClient } from "aws-sdk-client-mock";
import { BackupClient, ListRecoveryPointsByBackupVaultCommand, type RecoveryPointByBackupVault } from "@aws-sdk/client-backup";
import { DescribeSecurityGroupsCommand, EC2Client } from "@aws-sdk/client-ec2";
import { DescribeKeyCommand, KMSClient } from "@aws-sdk/client-kms";
import {
  DescribeClusterSnapshotsCommand,
  DescribeClusterSubnetGroupsCommand,
  DescribeClustersCommand,
  RedshiftClient,
  RestoreFromClusterSnapshotCommand,
  type Cluster,
  type DescribeClusterSnapshotsCommandInput,
  type Snapshot,
} from "@aws-sdk/client-redshift";
import * as configLoad from "../../config/load";
import { registerRestoreCommand } from "../../cli/commands/restore";
import { BACKUP_EXAMPLE, captureIO, cli, recordingClients } from "./helpers";
import { DR, DR_KEY, SRC, sharedSnapshot, vaultCopy } from "../fixtures/restore-points";

const redshiftMock = mockClient(RedshiftClient);
const backupMock = mockClient(BackupClient);
const kmsMock = mockClient(KMSClient);
const ec2Mock = mockClient(EC2Client);
const RESTORE_SG = "sg-0aaaabbbbccccdddd";

const NOW = Date.parse("2026-11-27T12:00:00Z");
const TARGET = "rsdr-restore-analytics-prod-20261127t1200z";
const DR_KEY_ALIAS = "arn:aws:kms:eu-west-2:999999999999:alias/rsdr-dr-redshift";
const ROLE = "arn:aws:iam::999999999999:role/rsdr-dr-restore-operator";
const ENDPOINT = `${TARGET}.c1x2y3.eu-west-2.redshift.amazonaws.com`;

const shared = (id: string, ageH: number): Snapshot => sharedSnapshot(new Date(NOW), id, ageH);
const point = (job: string, ageH: number): RecoveryPointByBackupVault => vaultCopy(new Date(NOW), job, ageH, { ResourceType: undefined });

/** A clock that moves 100 s each time the restored cluster is described, so the measured time is exact. */
function world(snaps: Snapshot[], points: RecoveryPointByBackupVault[] = [], clusterStates: Cluster[] = []) {
  let t = NOW;
  redshiftMock.on(DescribeClusterSnapshotsCommand).callsFake((input) => ({
    Snapshots: input.SnapshotIdentifier ? snaps.filter((s) => s.SnapshotIdentifier === input.SnapshotIdentifier) : snaps,
  }));
  backupMock.on(ListRecoveryPointsByBackupVaultCommand).resolves({ RecoveryPoints: points });
  kmsMock.on(DescribeKeyCommand, { KeyId: DR_KEY_ALIAS }).resolves({ KeyMetadata: { KeyId: "k", Arn: DR_KEY } });
  // The DR stack's restore group, found by name in the subnet group's VPC.
  redshiftMock.on(DescribeClusterSubnetGroupsCommand, { ClusterSubnetGroupName: "rsdr-dr-redshift" }).resolves({ ClusterSubnetGroups: [{ VpcId: "vpc-0dr" }] });
  ec2Mock
    .on(DescribeSecurityGroupsCommand, { Filters: [{ Name: "vpc-id", Values: ["vpc-0dr"] }, { Name: "group-name", Values: ["rsdr-dr-redshift"] }] })
    .resolves({ SecurityGroups: [{ GroupId: RESTORE_SG }] });
  redshiftMock.on(RestoreFromClusterSnapshotCommand).resolves({ Cluster: { ClusterIdentifier: TARGET, ClusterStatus: "creating" } });
  let i = 0;
  redshiftMock.on(DescribeClustersCommand).callsFake(() => {
    t += 100_000;
    return { Clusters: [{ ClusterIdentifier: TARGET, ...clusterStates[Math.min(i++, clusterStates.length - 1)] }] };
  });
  return captureIO({ now: () => new Date(t) });
}

const AVAILABLE: Cluster[] = [
  { ClusterStatus: "creating" },
  { ClusterStatus: "creating", RestoreStatus: { Status: "restoring", ProgressInMegaBytes: 800, SnapshotSizeInMegaBytes: 1600 } },
  { ClusterStatus: "available", Endpoint: { Address: ENDPOINT, Port: 5439 } },
];

const restore = (argv: string[], opts: Parameters<typeof cli>[2] = {}) => cli(["restore", ...argv], [registerRestoreCommand], opts);

beforeEach(() => {
  redshiftMock.reset();
  backupMock.reset();
  kmsMock.reset();
  ec2Mock.reset();
});

describe("restore (Redshift, AWS Backup and KMS mocked)", () => {
  it("--wait: announces the DR account, prints the recovery point, the new cluster, progress, the endpoint and the time", async () => {
    const io = world([shared("rsdr-analytics-prod-20261127t0000z", 12)], [], AVAILABLE);
    const clients = recordingClients();
    const { code, io: out } = await restore(["--cluster", "analytics-prod", "--wait", "--poll-seconds", "0"], { io, clients });
    expect(code).toBe(0);
    expect(out.stdout).toEqual([
      `recovery point: rsdr-analytics-prod-20261127t0000z: snapshot shared by account ${SRC}, created 2026-11-27T00:00:00.000Z, 12.0 h old`,
      `new cluster: ${TARGET}`,
      `endpoint: ${ENDPOINT}:5439`,
      "available after 300 s",
    ]);
    expect(out.stderr).toEqual([
      `restore analytics-prod (source analytics, account ${SRC}): account ${DR} (DR), region eu-west-2, as the default credential chain`,
      `restore started: ${TARGET} is creating`,
      `2026-11-27T12:01:40.000Z restore ${TARGET}: creating (100s)`,
      `2026-11-27T12:03:20.000Z restore ${TARGET}: creating (restore restoring, 800/1600 MB) (200s)`,
      `2026-11-27T12:05:00.000Z restore ${TARGET}: available (300s)`,
      `restore ${TARGET}: available after 300s`,
    ]);
    expect(redshiftMock).toHaveReceivedCommandWith(RestoreFromClusterSnapshotCommand, {
      ClusterIdentifier: TARGET,
      SnapshotIdentifier: "rsdr-analytics-prod-20261127t0000z",
      SnapshotClusterIdentifier: "analytics-prod",
      OwnerAccount: SRC,
      ClusterSubnetGroupName: "rsdr-dr-redshift",
      KmsKeyId: DR_KEY,
      PubliclyAccessible: false,
      VpcSecurityGroupIds: [RESTORE_SG],
    });
    // Everything happens in the DR account.
    expect(new Set(clients.targets.map((t) => t.accountId))).toEqual(new Set([DR]));
  });

  it("without the DR stack's restore group in that VPC, warns and leaves the group to Redshift; --security-group-id skips the lookup", async () => {
    let io = world([shared("rsdr-analytics-prod-20261127t0000z", 12)]);
    ec2Mock.reset();
    ec2Mock.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: [] });
    let r = await restore(["--cluster", "analytics-prod"], { io });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("warning: no security group rsdr-dr-redshift in the VPC of subnet group rsdr-dr-redshift: the new cluster gets the VPC's default group (pass --security-group-id)");
    expect(redshiftMock.commandCalls(RestoreFromClusterSnapshotCommand)[0].args[0].input.VpcSecurityGroupIds).toBeUndefined();

    io = world([shared("rsdr-analytics-prod-20261127t0000z", 12)]);
    ec2Mock.resetHistory();
    r = await restore(["--cluster", "analytics-prod", "--security-group-id", "sg-0given00000000000"], { io });
    expect(r.code).toBe(0);
    expect(ec2Mock.commandCalls(DescribeSecurityGroupsCommand)).toHaveLength(0);
    expect(redshiftMock).toHaveReceivedCommandWith(RestoreFromClusterSnapshotCommand, { VpcSecurityGroupIds: ["sg-0given00000000000"] });
  });

  it("with an AWS Backup estate takes the newer of both; --from shared keeps to shared snapshots", async () => {
    let io = world([shared("rsdr-analytics-prod-20261127t0000z", 12)], [point("job-1", 9)]);
    let r = await restore(["--cluster", "analytics-prod"], { io, config: BACKUP_EXAMPLE });
    expect(r.code).toBe(0);
    expect(r.io.stdout[0]).toBe(`recovery point: ${point("job-1", 9).RecoveryPointArn}: recovery point in the DR vault (account ${DR}), created 2026-11-27T03:00:00.000Z, 9.0 h old`);
    expect(redshiftMock.commandCalls(RestoreFromClusterSnapshotCommand)[0].args[0].input).not.toHaveProperty("OwnerAccount");
    expect(r.io.stdout.at(-1)).toMatch(/^not waiting: follow it with aws redshift describe-clusters --cluster-identifier rsdr-restore-/);

    redshiftMock.reset();
    io = world([shared("rsdr-analytics-prod-20261127t0000z", 12)], [point("job-1", 9)]);
    r = await restore(["--cluster", "analytics-prod", "--from", "shared", "--target", "rsdr-restore-drill"], { io, config: BACKUP_EXAMPLE });
    expect(r.code).toBe(0);
    expect(redshiftMock).toHaveReceivedCommandWith(RestoreFromClusterSnapshotCommand, { ClusterIdentifier: "rsdr-restore-drill", OwnerAccount: SRC });
  });

  it("--json prints one document with the recovery point, the cluster, the endpoint and the time", async () => {
    const io = world([shared("rsdr-analytics-prod-20261127t0000z", 12)], [], AVAILABLE);
    const { code, stdout } = await restore(["--cluster", "analytics-prod", "--wait", "--poll-seconds", "0", "--json"], { io });
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({
      recoveryPoint: { kind: "shared", snapshotIdentifier: "rsdr-analytics-prod-20261127t0000z", ownerAccountId: SRC, ageHours: 12 },
      cluster: TARGET,
      account: DR,
      endpoint: { address: ENDPOINT, port: 5439 },
      secondsToAvailable: 300,
    });
  });

  it("on a terminal, the wait is one spinner line redrawn in place", async () => {
    const io = world([shared("rsdr-analytics-prod-20261127t0000z", 12)], [], AVAILABLE);
    const tty = { ...io, isTTY: true };
    const write = jest.spyOn(process.stderr, "write").mockImplementation(() => true);
    try {
      const { code } = await restore(["--cluster", "analytics-prod", "--wait", "--poll-seconds", "0"], { io: tty });
      expect(code).toBe(0);
      const drawn = write.mock.calls.map((c) => String(c[0]));
      expect(drawn).toContain(`\r| restore ${TARGET}: creating (100s)\x1b[K`);
      expect(drawn).toContain(`\r/ restore ${TARGET}: creating (restore restoring, 800/1600 MB) (200s)\x1b[K`);
    } finally {
      write.mockRestore();
    }
    expect(io.stderr.at(-1)).toBe(`restore ${TARGET}: available after 300s`);
  });

  it("its help has a description and an example", async () => {
    const { code, stdout } = await restore(["--help"]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/Restore a source cluster in the DR account/);
    expect(stdout).toMatch(/\$ redshift-backup --dr-profile dr restore --cluster analytics-prod --wait/);
  });
});

describe("restore refusals (bad usage: exit 2, no AWS call; AWS mocked)", () => {
  it.each([
    [["--cluster", "analytics-prod", "--target", "analytics-prod-copy"], /--target "analytics-prod-copy" must start with rsdr-restore-/],
    [["--cluster", "analytics-prod", "--target", "rsdr-restore-Drill"], /is not a valid cluster identifier/],
    [["--cluster", "nope"], /--cluster "nope" is not in .*; clusters: analytics-prod/],
    [["--cluster", "analytics-prod", "--from", "backup"], /--from backup: source analytics has no AWS Backup copies/],
    [["--cluster", "analytics-prod", "--from", "tape"], /Allowed choices are shared, backup, drcopy/],
    [[], /required option '--cluster <id>'/],
  ])("%j", async (argv, message) => {
    const { code, stderr } = await restore(argv);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
    expect(redshiftMock.calls()).toHaveLength(0);
  });
});

describe("restore failures (exit 1, naming the action, account and identity; AWS mocked)", () => {
  const fail = (name: string, message: string) => Object.assign(new Error(message), { name, $metadata: { httpStatusCode: 400 } });

  it("ClusterSnapshotNotFound from the restore", async () => {
    const io = world([shared("rsdr-analytics-prod-20261127t0000z", 12)]);
    redshiftMock.on(RestoreFromClusterSnapshotCommand).rejects(fail("ClusterSnapshotNotFoundFault", "Snapshot not found"));
    const { code, stderr } = await restore(["--cluster", "analytics-prod"], { io });
    expect(code).toBe(1);
    expect(stderr).toMatch(
      `error: redshift:RestoreFromClusterSnapshot in account ${DR} (eu-west-2) as the default credential chain failed: ClusterSnapshotNotFound: Snapshot not found; no such snapshot`,
    );
  });

  it("AccessDenied names the action and the role, and what an AWS-managed key would mean", async () => {
    const io = world([shared("rsdr-analytics-prod-20261127t0000z", 12)]);
    redshiftMock.on(RestoreFromClusterSnapshotCommand).rejects(fail("AccessDenied", "User is not authorized"));
    const { code, stderr } = await cli(["--use-config-roles", "restore", "--cluster", "analytics-prod"], [registerRestoreCommand], { io });
    expect(code).toBe(1);
    expect(stderr).toMatch(`error: redshift:RestoreFromClusterSnapshot in account ${DR} (eu-west-2) as role ${ROLE} failed: AccessDenied: User is not authorized`);
    expect(stderr).toMatch(/the identity is not allowed redshift:RestoreFromClusterSnapshot/);
    expect(stderr).toMatch(/AWS-managed key aws\/redshift, it cannot be restored in another account/);
  });

  it("throttling that outlasted the SDK's retries", async () => {
    const io = world([]);
    redshiftMock.on(DescribeClusterSnapshotsCommand).rejects(fail("ThrottlingException", "Rate exceeded"));
    const { code, stderr } = await restore(["--cluster", "analytics-prod"], { io });
    expect(code).toBe(1);
    expect(stderr).toMatch(`error: redshift:DescribeClusterSnapshots in account ${DR} (eu-west-2) as the default credential chain failed: ThrottlingException: Rate exceeded; AWS throttled the calls`);
  });

  it("nothing to restore", async () => {
    const io = world([], []);
    const { code, stderr } = await restore(["--cluster", "analytics-prod"], { io, config: BACKUP_EXAMPLE });
    expect(code).toBe(1);
    expect(stderr).toMatch(
      `error: restore of analytics-prod in account ${DR} (eu-west-2) as the default credential chain: nothing to restore for cluster analytics-prod: ` +
        `no available snapshot of it shared by account ${SRC}, and no COMPLETED recovery point of it in vault rsdr-dr`,
    );
    expect(redshiftMock).not.toHaveReceivedCommand(RestoreFromClusterSnapshotCommand);
  });

  it("a restore that fails while waiting", async () => {
    const io = world([shared("rsdr-analytics-prod-20261127t0000z", 12)], [], [{ ClusterStatus: "creating" }, { ClusterStatus: "incompatible-network" }]);
    const { code, stderr } = await restore(["--cluster", "analytics-prod", "--wait", "--poll-seconds", "0"], { io });
    expect(code).toBe(1);
    expect(stderr).toMatch(`restore ${TARGET}: failed after 200s`);
    expect(stderr).toMatch(`the restore of ${TARGET} failed: incompatible-network`);
  });
});

/** A DR-owned copy of analytics-prod: the DR account's snapshot of a drill cluster, of data `dataAgeH` hours old. */
const drCopy = (stamp: string, dataAgeH: number, over: Partial<Snapshot> = {}): Snapshot => ({
  SnapshotIdentifier: `rsdr-drcopy-analytics-prod-${stamp}`,
  ClusterIdentifier: `rsdr-drill-analytics-prod-${stamp}`,
  SnapshotType: "manual",
  Status: "available",
  OwnerAccount: DR,
  SnapshotCreateTime: new Date(NOW - 3_600_000),
  Encrypted: true,
  KmsKeyId: DR_KEY,
  Tags: [
    { Key: "managed-by", Value: "rsdr" },
    { Key: "rsdr:cluster", Value: "analytics-prod" },
    { Key: "rsdr:source-account", Value: SRC },
    { Key: "rsdr:data-time", Value: new Date(NOW - dataAgeH * 3_600_000).toISOString() },
  ],
  ...over,
});

/** world(), where a listing without OwnerAccount is the DR account's own snapshots (`own`), not what is shared. */
function worldWithCopies(snaps: Snapshot[], own: Snapshot[], points: RecoveryPointByBackupVault[] = []) {
  const io = world(snaps, points);
  redshiftMock.on(DescribeClusterSnapshotsCommand).callsFake((input: DescribeClusterSnapshotsCommandInput) => {
    const visible = input.OwnerAccount ? snaps : own;
    return { Snapshots: input.SnapshotIdentifier ? visible.filter((x) => x.SnapshotIdentifier === input.SnapshotIdentifier) : visible };
  });
  return io;
}

const ownListings = () => redshiftMock.commandCalls(DescribeClusterSnapshotsCommand).filter((c) => c.args[0].input.OwnerAccount === undefined);

/**
 * The config loaded for real, with every cluster's drill keeping a DR-owned copy (`keep`) or keeping none, whatever
 * the example files say about drills.
 */
function drillsKeepCopies(keep = true): void {
  const real = configLoad.loadConfig;
  jest.spyOn(configLoad, "loadConfig").mockImplementation((file) => {
    const estate = real(file);
    for (const source of estate.sources) {
      for (const cluster of source.clusters) {
        const c = cluster as { drill?: Record<string, unknown> };
        const { drOwnedCopy: _dropped, ...drill } = c.drill ?? {};
        c.drill = keep ? { ...drill, drOwnedCopy: { retentionDays: 30, keepLatest: 2 } } : c.drill && drill;
      }
    }
    return estate;
  });
}

describe("restore from DR-owned copies (Redshift and KMS mocked)", () => {
  afterEach(() => jest.restoreAllMocks());

  it("--from drcopy restores the DR-owned copy with the newest data: by its id and drill cluster, no OwnerAccount; the age is its data's", async () => {
    const io = worldWithCopies([shared("rsdr-analytics-prod-20261127t0600z", 6)], [drCopy("20261126t1200z", 30), drCopy("20261127t1100z", 40)]);
    const { code, io: out } = await restore(["--cluster", "analytics-prod", "--from", "drcopy"], { io });
    expect(code).toBe(0);
    expect(out.stdout[0]).toBe(
      `recovery point: rsdr-drcopy-analytics-prod-20261126t1200z: DR-owned copy (account ${DR}) of drill cluster rsdr-drill-analytics-prod-20261126t1200z, ` +
        "data from 2026-11-26T06:00:00.000Z, 30.0 h old",
    );
    const input = redshiftMock.commandCalls(RestoreFromClusterSnapshotCommand)[0].args[0].input;
    expect(input).toMatchObject({
      ClusterIdentifier: TARGET,
      SnapshotIdentifier: "rsdr-drcopy-analytics-prod-20261126t1200z",
      SnapshotClusterIdentifier: "rsdr-drill-analytics-prod-20261126t1200z",
      KmsKeyId: DR_KEY,
    });
    expect(input).not.toHaveProperty("OwnerAccount");
    expect(input).not.toHaveProperty("SnapshotArn");
  });

  it("--json reports the copy's drill cluster and its data's age", async () => {
    const io = worldWithCopies([], [drCopy("20261126t1200z", 30)]);
    const { code, stdout } = await restore(["--cluster", "analytics-prod", "--from", "drcopy", "--json"], { io });
    expect(code).toBe(0);
    expect(JSON.parse(stdout).recoveryPoint).toEqual({
      kind: "drcopy",
      sourceClusterIdentifier: "analytics-prod",
      snapshotIdentifier: "rsdr-drcopy-analytics-prod-20261126t1200z",
      snapshotClusterIdentifier: "rsdr-drill-analytics-prod-20261126t1200z",
      ownerAccountId: DR,
      createdAt: "2026-11-26T06:00:00.000Z",
      ageHours: 30,
      encrypted: true,
      kmsKeyId: DR_KEY,
    });
  });

  it("by default, DR-owned copies compete only when the config's drill keeps them", async () => {
    drillsKeepCopies(false);
    let io = worldWithCopies([shared("rsdr-analytics-prod-20261126t0000z", 36)], [drCopy("20261126t1200z", 30)]);
    let r = await restore(["--cluster", "analytics-prod"], { io });
    expect(r.code).toBe(0);
    expect(redshiftMock).toHaveReceivedCommandWith(RestoreFromClusterSnapshotCommand, { OwnerAccount: SRC });
    expect(ownListings()).toHaveLength(0);

    jest.restoreAllMocks();
    drillsKeepCopies(true);
    redshiftMock.reset();
    io = worldWithCopies([shared("rsdr-analytics-prod-20261126t0000z", 36)], [drCopy("20261126t1200z", 30)]);
    r = await restore(["--cluster", "analytics-prod"], { io });
    expect(r.code).toBe(0);
    expect(r.io.stdout[0]).toMatch(/^recovery point: rsdr-drcopy-analytics-prod-20261126t1200z: DR-owned copy/);
    expect(ownListings()).toHaveLength(1);
  });

  it("--snapshot <project>-drcopy-... restores that copy; one that is not there is exit 1 with what was looked for", async () => {
    let io = worldWithCopies([shared("rsdr-analytics-prod-20261127t0600z", 6)], [drCopy("20261126t1200z", 30), drCopy("20261125t1200z", 54)]);
    let r = await restore(["--cluster", "analytics-prod", "--snapshot", "rsdr-drcopy-analytics-prod-20261125t1200z"], { io });
    expect(r.code).toBe(0);
    expect(redshiftMock).toHaveReceivedCommandWith(RestoreFromClusterSnapshotCommand, { SnapshotIdentifier: "rsdr-drcopy-analytics-prod-20261125t1200z" });

    redshiftMock.reset();
    io = worldWithCopies([], [drCopy("20261126t1200z", 30)]);
    r = await restore(["--cluster", "analytics-prod", "--snapshot", "rsdr-drcopy-analytics-prod-20261101t0000z"], { io });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(`no DR-owned copy rsdr-drcopy-analytics-prod-20261101t0000z of cluster analytics-prod (account ${SRC}) in the DR account`);
    expect(redshiftMock).not.toHaveReceivedCommand(RestoreFromClusterSnapshotCommand);
  });

  it("--from drcopy with no DR-owned copy: nothing to restore, exit 1", async () => {
    const io = worldWithCopies([shared("rsdr-analytics-prod-20261127t0600z", 6)], [drCopy("20261127t1100z", 2, { Status: "creating" })]);
    const { code, stderr } = await restore(["--cluster", "analytics-prod", "--from", "drcopy"], { io });
    expect(code).toBe(1);
    expect(stderr).toMatch("nothing to restore for cluster analytics-prod: no available DR-owned copy of it in the DR account");
    expect(redshiftMock).not.toHaveReceivedCommand(RestoreFromClusterSnapshotCommand);
  });
});
