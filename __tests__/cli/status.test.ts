import "aws-sdk-client-mock-jest";
import { mockClient } from "aws-sdk-client-mock";
import { BackupClient, ListRecoveryPointsByBackupVaultCommand, type RecoveryPointByBackupVault } from "@aws-sdk/client-backup";
import { DescribeClusterSnapshotsCommand, RedshiftClient, type DescribeClusterSnapshotsCommandInput, type Snapshot } from "@aws-sdk/client-redshift";
import * as configLoad from "../../config/load";
import { registerStatusCommand } from "../../cli/commands/status";
import { sdkClients, type AccountTarget } from "../../cli/context";
import { BACKUP_EXAMPLE, captureIO, cli, recordingClients } from "./helpers";

const redshiftMock = mockClient(RedshiftClient);
const backupMock = mockClient(BackupClient);

const NOW = Date.parse("2026-11-27T12:00:00Z");
const HOUR = 3_600_000;
const SRC = "222222222222";
const DR = "999999999999";
// The example configs: rate(12 hours) gives a native RPO of 14 h; cron(0 3 * * ? *) with a 480-minute completion window 34 h.

/** One of our snapshots as the source account sees it (tags included). */
const ours = (stamp: string, ageH: number): Snapshot => ({
  SnapshotIdentifier: `rsdr-analytics-prod-${stamp}`,
  ClusterIdentifier: "analytics-prod",
  SnapshotType: "manual",
  Status: "available",
  OwnerAccount: SRC,
  SnapshotCreateTime: new Date(NOW - ageH * HOUR),
  Tags: [
    { Key: "managed-by", Value: "rsdr" },
    { Key: "rsdr:cluster", Value: "analytics-prod" },
  ],
});
const point = (ageH: number): RecoveryPointByBackupVault => ({
  RecoveryPointArn: `arn:aws:redshift:eu-west-2:${DR}:snapshot:analytics-prod/awsbackup:job-${ageH}`,
  ResourceArn: `arn:aws:redshift:eu-west-2:${SRC}:cluster:analytics-prod`,
  Status: "COMPLETED",
  CreationDate: new Date(NOW - ageH * HOUR),
});

/** Source-side listings carry ClusterIdentifier and tag filters; DR-side ones OwnerAccount (listing.ts). */
function world(source: Snapshot[], sharedWithDr: Snapshot[], points: RecoveryPointByBackupVault[] = []) {
  redshiftMock.on(DescribeClusterSnapshotsCommand).callsFake((input: DescribeClusterSnapshotsCommandInput) => ({
    Snapshots: input.OwnerAccount ? sharedWithDr.map((s) => ({ ...s, Tags: undefined })) : source,
  }));
  backupMock.on(ListRecoveryPointsByBackupVaultCommand).resolves({ RecoveryPoints: points });
}

const status = (argv: string[], opts: Parameters<typeof cli>[2] = {}) => cli(["status", ...argv], [registerStatusCommand], opts);

beforeEach(() => {
  redshiftMock.reset();
  backupMock.reset();
});
afterEach(() => jest.restoreAllMocks());

describe("status (Redshift and AWS Backup mocked)", () => {
  it("plain lines off a terminal, announcing the accounts it reads; exit 0 within the RPOs", async () => {
    const newest = ours("20261127t0600z", 6);
    world([newest, ours("20261126t1800z", 18)], [newest], [point(9), point(40)]);
    const clients = recordingClients();
    const { code, io } = await status([], { config: BACKUP_EXAMPLE, clients });
    expect(code).toBe(0);
    expect(io.stdout).toEqual([
      `analytics-prod (source analytics, ${SRC}): ok; newest snapshot rsdr-analytics-prod-20261127t0600z 6.0 h old; DR sees it yes; DR newest 6.0 h old (RPO 14 h); vault newest 9.0 h old (RPO 34 h)`,
    ]);
    expect(io.stderr).toEqual([
      `status: reading our snapshots: account ${SRC} (source analytics), region eu-west-2, as the default credential chain`,
      `status: reading shared snapshots and the DR vault: account ${DR} (DR), region eu-west-2, as the default credential chain`,
    ]);
    expect(new Set(clients.targets.map((t) => t.accountId))).toEqual(new Set([SRC, DR]));
    expect(backupMock).toHaveReceivedCommandWith(ListRecoveryPointsByBackupVaultCommand, { BackupVaultName: "rsdr-dr", ByResourceType: "Redshift" });
  });

  it("a table on a terminal; exit 1 when the snapshot DR sees is past the native RPO", async () => {
    const stale = ours("20261126t1600z", 20);
    world([ours("20261127t0800z", 4), stale], [stale], [point(9)]);
    const io = captureIO({ isTTY: true });
    const { code } = await status([], { config: BACKUP_EXAMPLE, io });
    expect(code).toBe(1);
    expect(io.stdout).toEqual([
      "CLUSTER         SOURCE                    NEWEST SNAPSHOT                     AGE    DR SEES IT  DR NEWEST / RPO  VAULT NEWEST / RPO  STATUS",
      "--------------  ------------------------  ----------------------------------  -----  ----------  ---------------  ------------------  -------",
      "analytics-prod  analytics (222222222222)  rsdr-analytics-prod-20261127t0800z  4.0 h  no          20.0 h / 14 h    9.0 h / 34 h        PROBLEM",
    ]);
    expect(io.stderr.slice(2)).toEqual([
      "analytics-prod: newest snapshot the DR account sees is 20.0 h old, past the native RPO of 14 h",
      "analytics-prod: note: the newest snapshot rsdr-analytics-prod-20261127t0800z is not (yet) shared with the DR account",
    ]);
  });

  it("--json for pipelines; a missing recovery point is past the backup RPO", async () => {
    const newest = ours("20261127t0600z", 6);
    world([newest], [newest], [point(50)]);
    const { code, stdout } = await status(["--json"], { config: BACKUP_EXAMPLE });
    expect(code).toBe(1);
    expect(JSON.parse(stdout)).toEqual({
      checkedAt: "2026-11-27T12:00:00.000Z",
      ok: false,
      clusters: [
        {
          source: "analytics",
          sourceAccountId: SRC,
          cluster: "analytics-prod",
          native: {
            rpoHours: 14,
            sourceNewest: { id: "rsdr-analytics-prod-20261127t0600z", ageHours: 6 },
            visibleInDr: true,
            drNewest: { id: "rsdr-analytics-prod-20261127t0600z", ageHours: 6 },
            withinRpo: true,
          },
          copy: null,
          backup: { rpoHours: 34, vaultName: "rsdr-dr", newest: { recoveryPointArn: point(50).RecoveryPointArn, ageHours: 50 }, withinRpo: false },
          drOwnedCopy: null,
          problems: ["newest recovery point in the DR vault is 50.0 h old, past the backup RPO of 34 h"],
          notes: [],
          ok: false,
        },
      ],
    });
  });

  it("without a DR vault only the native columns; nothing shared with DR is past the RPO", async () => {
    drillsKeepCopies(false);
    world([ours("20261127t0600z", 6)], []);
    const { code, stdout, stderr } = await status([]);
    expect(code).toBe(1);
    expect(stdout).toBe(`analytics-prod (source analytics, ${SRC}): PROBLEM; newest snapshot rsdr-analytics-prod-20261127t0600z 6.0 h old; DR sees it no; DR newest none (RPO 14 h)`);
    expect(stderr).toMatch(/status: reading shared snapshots: account 999999999999/);
    expect(stderr).toMatch("analytics-prod: the DR account sees no shared snapshot of ours");
    expect(backupMock.calls()).toHaveLength(0);
  });

  it("an account it cannot read makes the cluster unreadable (exit 1), naming the action, account and identity", async () => {
    world([], [ours("20261127t0600z", 6)], [point(9)]);
    redshiftMock
      .on(DescribeClusterSnapshotsCommand, { ClusterIdentifier: "analytics-prod" })
      .rejects(Object.assign(new Error("not authorized"), { name: "AccessDenied", $metadata: {} }));
    const { code, stdout, stderr } = await status(["--source-profile", "prod"], { config: BACKUP_EXAMPLE });
    expect(code).toBe(1);
    expect(stdout).toMatch("newest snapshot unreadable; DR sees it ?; DR newest 6.0 h old (RPO 14 h)");
    expect(stderr).toMatch(
      `analytics-prod: redshift:DescribeClusterSnapshots in account ${SRC} (eu-west-2) as profile prod failed: AccessDenied: not authorized; the identity is not allowed`,
    );
  });

  it("its help has a description and an example", async () => {
    const { code, stdout } = await status(["--help"]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/past its RPO/);
    expect(stdout).toMatch(/\$ redshift-backup --source-profile prod --dr-profile dr status/);
  });
});

/** A DR-owned copy in the DR account: a snapshot of a drill cluster, of data `dataAgeH` hours old, taken just now. */
const drCopy = (stamp: string, dataAgeH: number, over: Partial<Snapshot> = {}): Snapshot => ({
  SnapshotIdentifier: `rsdr-drcopy-analytics-prod-${stamp}`,
  ClusterIdentifier: `rsdr-drill-analytics-prod-${stamp}`,
  SnapshotType: "manual",
  Status: "available",
  OwnerAccount: DR,
  SnapshotCreateTime: new Date(NOW - 0.2 * HOUR),
  Tags: [
    { Key: "managed-by", Value: "rsdr" },
    { Key: "rsdr:cluster", Value: "analytics-prod" },
    { Key: "rsdr:source-account", Value: SRC },
    { Key: "rsdr:data-time", Value: new Date(NOW - dataAgeH * HOUR).toISOString() },
  ],
  ...over,
});

/**
 * Listings by cluster are the source's own (source account), with OwnerAccount what DR sees shared, and with neither
 * the DR account's own snapshots (the DR-owned copies).
 */
function worldWithCopies(source: Snapshot[], sharedWithDr: Snapshot[], own: Snapshot[] | Error, points: RecoveryPointByBackupVault[] = []) {
  redshiftMock.on(DescribeClusterSnapshotsCommand).callsFake((input: DescribeClusterSnapshotsCommandInput) => {
    if (input.OwnerAccount) return { Snapshots: sharedWithDr.map((s) => ({ ...s, Tags: undefined })) };
    if (input.ClusterIdentifier) return { Snapshots: source };
    if (own instanceof Error) throw own;
    return { Snapshots: own };
  });
  backupMock.on(ListRecoveryPointsByBackupVaultCommand).resolves({ RecoveryPoints: points });
}

const ownListings = () => redshiftMock.commandCalls(DescribeClusterSnapshotsCommand).filter((c) => !c.args[0].input.OwnerAccount && !c.args[0].input.ClusterIdentifier);

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

describe("status with restore drills keeping DR-owned copies (Redshift and AWS Backup mocked)", () => {
  it("without drill.drOwnedCopy in the config, never lists the DR account's own snapshots", async () => {
    drillsKeepCopies(false);
    const newest = ours("20261127t0600z", 6);
    worldWithCopies([newest], [newest], [drCopy("20261127t0000z", 30)]);
    const { code, stdout } = await status([]);
    expect(code).toBe(0);
    expect(stdout).not.toMatch(/DR-owned/);
    expect(ownListings()).toHaveLength(0);
  });

  it("plain lines: the newest available DR-owned copy and the age of its DATA; announced as read in DR", async () => {
    drillsKeepCopies();
    const newest = ours("20261127t0600z", 6);
    // the newest copy by data time (30 h), not the newest snapshot (the 40-hour-old data, copied just now), nor one being taken
    worldWithCopies([newest], [newest], [drCopy("20261126t0600z", 30), drCopy("20261127t1100z", 40), drCopy("20261127t1150z", 2, { Status: "creating" })], [point(9)]);
    const { code, io } = await status([], { config: BACKUP_EXAMPLE });
    expect(code).toBe(0);
    expect(io.stdout).toEqual([
      `analytics-prod (source analytics, ${SRC}): ok; newest snapshot rsdr-analytics-prod-20261127t0600z 6.0 h old; DR sees it yes; DR newest 6.0 h old (RPO 14 h); ` +
        "vault newest 9.0 h old (RPO 34 h); DR-owned copy rsdr-drcopy-analytics-prod-20261126t0600z (data 30.0 h old)",
    ]);
    expect(io.stderr[1]).toBe(`status: reading shared snapshots, the DR vault and DR-owned copies: account ${DR} (DR), region eu-west-2, as the default credential chain`);
    expect(ownListings().map((c) => c.args[0].input)).toEqual([{ SnapshotType: "manual", MaxRecords: 100, Marker: undefined }]);
  });

  it("a table on a terminal gets a DR-OWNED COPY column; none is a note, not a problem (DR-owned copies have no RPO in the config)", async () => {
    drillsKeepCopies();
    const newest = ours("20261127t0600z", 6);
    worldWithCopies([newest], [newest], []);
    const io = captureIO({ isTTY: true });
    const { code } = await status([], { io });
    expect(code).toBe(0);
    expect(io.stdout).toEqual([
      "CLUSTER         SOURCE                    NEWEST SNAPSHOT                     AGE    DR SEES IT  DR NEWEST / RPO  VAULT NEWEST / RPO  DR-OWNED COPY  STATUS",
      "--------------  ------------------------  ----------------------------------  -----  ----------  ---------------  ------------------  -------------  ------",
      "analytics-prod  analytics (222222222222)  rsdr-analytics-prod-20261127t0600z  6.0 h  yes         6.0 h / 14 h     -                   none           ok",
    ]);
    expect(io.stderr.at(-1)).toBe("analytics-prod: note: no available DR-owned copy in the DR account (a passed restore drill keeps one)");
  });

  it("--json: drOwnedCopy with the copy's id, data time and age", async () => {
    drillsKeepCopies();
    const newest = ours("20261127t0600z", 6);
    worldWithCopies([newest], [newest], [drCopy("20261126t1200z", 24.5)]);
    const { code, stdout } = await status(["--json"]);
    expect(code).toBe(0);
    expect(JSON.parse(stdout).clusters[0].drOwnedCopy).toEqual({
      newest: { id: "rsdr-drcopy-analytics-prod-20261126t1200z", dataTime: "2026-11-26T11:30:00.000Z", ageHours: 24.5 },
    });
  });

  it("DR-owned copies it cannot list make the cluster a problem (exit 1), naming the action, account and identity", async () => {
    drillsKeepCopies();
    const newest = ours("20261127t0600z", 6);
    worldWithCopies([newest], [newest], Object.assign(new Error("not authorized"), { name: "AccessDenied", $metadata: {} }));
    const { code, stdout, stderr } = await status(["--dr-profile", "dr"]);
    expect(code).toBe(1);
    expect(stdout).toMatch(/; DR-owned copy unreadable$/);
    expect(stderr).toMatch(
      `analytics-prod: redshift:DescribeClusterSnapshots in account ${DR} (eu-west-2) as profile dr failed: AccessDenied: not authorized; the identity is not allowed`,
    );
  });
});

/** One of our cross-region copies in the DR region, as the source account (its owner) lists it: no tags. */
const regionCopy = (stamp: string, ageH: number, sharedWithDr: boolean, over: Partial<Snapshot> = {}): Snapshot => ({
  ...ours(stamp, ageH),
  Tags: undefined,
  SourceRegion: "eu-west-1",
  AccountsWithRestoreAccess: sharedWithDr ? [{ AccountId: DR }] : [],
  ...over,
});

/**
 * The example estate with its source moved to eu-west-1 (the DR account stays in eu-west-2), with or without
 * crossRegionCopy, and no DR-owned copies (not what these tests are about).
 */
function sourceInAnotherRegion(copy: boolean): void {
  const real = configLoad.loadConfig;
  jest.spyOn(configLoad, "loadConfig").mockImplementation((file) => {
    const estate = real(file);
    for (const source of estate.sources) {
      const s = source as { region: string; crossRegionCopy?: unknown };
      s.region = "eu-west-1";
      s.crossRegionCopy = copy ? { retentionDays: 7, manualSnapshotQuota: 20 } : undefined;
      for (const cluster of source.clusters) delete (cluster as { drill?: unknown }).drill;
    }
    return estate;
  });
}

/**
 * Answers by the client's region as well as the input: the source's own listing in eu-west-1 (tag filter), our copies
 * in eu-west-2 (by cluster, no tag filter), what DR sees shared in eu-west-2 (OwnerAccount). Anything else is a
 * read in the wrong region, and fails.
 */
function twoRegions(source: Snapshot[], copies: Snapshot[] | Error, sharedWithDr: Snapshot[]) {
  redshiftMock.on(DescribeClusterSnapshotsCommand).callsFake(async (input: DescribeClusterSnapshotsCommandInput, getClient) => {
    const region = await getClient().config.region();
    if (region === "eu-west-1" && input.TagKeys) return { Snapshots: source };
    if (region === "eu-west-2" && input.OwnerAccount) return { Snapshots: sharedWithDr.map((s) => ({ ...s, Tags: undefined, AccountsWithRestoreAccess: undefined })) };
    if (region === "eu-west-2" && input.ClusterIdentifier && !input.TagKeys) {
      if (copies instanceof Error) throw copies;
      return { Snapshots: copies };
    }
    throw new Error(`unexpected read in ${region}: ${JSON.stringify(input)}`);
  });
}

describe("status for a source in another region than the DR account (cross-region copies; Redshift mocked)", () => {
  it("the CLI's SDK clients are one per account AND region: the source's in the DR region is not its own region's", async () => {
    const clients = sdkClients();
    const at = (region: string): AccountTarget => ({ kind: "source", name: "analytics", accountId: SRC, region, identity: "the default credential chain" });
    const home = clients.redshift(at("eu-west-1"));
    const copies = clients.redshift(at("eu-west-2"));
    expect(copies).not.toBe(home);
    expect(clients.redshift(at("eu-west-2"))).toBe(copies);
    expect([await home.config.region(), await copies.config.region()]).toEqual(["eu-west-1", "eu-west-2"]);
  });

  it("plain lines: the newest copy of ours in the DR region, read as the source account there, and whether it is shared", async () => {
    sourceInAnotherRegion(true);
    const newest = ours("20261127t0600z", 6);
    const copy = regionCopy("20261127t0600z", 6, true);
    twoRegions([newest], [regionCopy("20261126t1800z", 18, false), copy], [copy]);
    const clients = recordingClients();
    const { code, io } = await status([], { clients });
    expect(code).toBe(0);
    expect(io.stdout).toEqual([
      `analytics-prod (source analytics, ${SRC}): ok; newest snapshot rsdr-analytics-prod-20261127t0600z 6.0 h old; ` +
        "copy in eu-west-2 rsdr-analytics-prod-20261127t0600z (6.0 h old, shared yes); DR sees it yes; DR newest 6.0 h old (RPO 17 h)",
    ]);
    expect(io.stderr).toEqual([
      `status: reading our snapshots: account ${SRC} (source analytics), region eu-west-1, as the default credential chain`,
      `status: reading our cross-region copies: account ${SRC} (source analytics), region eu-west-2, as the default credential chain`,
      `status: reading shared snapshots: account ${DR} (DR), region eu-west-2, as the default credential chain`,
    ]);
    expect(new Set(clients.targets.map((t) => `${t.accountId}@${t.region}`))).toEqual(new Set([`${SRC}@eu-west-1`, `${SRC}@eu-west-2`, `${DR}@eu-west-2`]));
  });

  it("a table gets a COPY IN DR REGION column; a newest copy not shared yet is a note while DR's older one is within the RPO", async () => {
    sourceInAnotherRegion(true);
    const older = regionCopy("20261126t1800z", 10, true);
    twoRegions([ours("20261127t0600z", 2)], [older, regionCopy("20261127t0600z", 2, false)], [older]);
    const io = captureIO({ isTTY: true });
    const { code } = await status([], { io });
    expect(code).toBe(0);
    expect(io.stdout[2]).toBe(
      "analytics-prod  analytics (222222222222)  rsdr-analytics-prod-20261127t0600z  2.0 h  rsdr-analytics-prod-20261127t0600z (2.0 h old, shared no)  no          10.0 h / 17 h    -                   ok",
    );
    expect(io.stdout[0]).toMatch(/AGE +COPY IN DR REGION +DR SEES IT/);
    expect(io.stderr.slice(3)).toEqual([
      "analytics-prod: note: the newest snapshot rsdr-analytics-prod-20261127t0600z is not (yet) shared with the DR account",
      "analytics-prod: note: the newest copy rsdr-analytics-prod-20261127t0600z in eu-west-2 is not (yet) shared with the DR account",
    ]);
  });

  it("--json: `copy` with the region and the newest copy; no copy in the DR region is a problem (exit 1)", async () => {
    sourceInAnotherRegion(true);
    twoRegions([ours("20261127t0600z", 6)], [regionCopy("20261127t0700z", 5, false, { Status: "creating" })], []);
    const { code, stdout } = await status(["--json"]);
    expect(code).toBe(1);
    const [line] = JSON.parse(stdout).clusters;
    expect(line.copy).toEqual({ region: "eu-west-2", configured: true, newest: null });
    expect(line.problems).toEqual([
      "the DR account sees no shared snapshot of ours",
      "no available copy of ours in eu-west-2: Redshift has not copied a snapshot of analytics-prod from eu-west-1 there",
    ]);
  });

  it("a source in another region without crossRegionCopy is a problem, and nothing is read for it in the DR region as the source", async () => {
    sourceInAnotherRegion(false);
    twoRegions([ours("20261127t0600z", 6)], new Error("must not be read"), []);
    const clients = recordingClients();
    const { code, stdout, stderr } = await status(["--json"], { clients });
    expect(code).toBe(1);
    const [line] = JSON.parse(stdout).clusters;
    expect(line.copy).toEqual({ region: "eu-west-2", configured: false });
    expect(line.problems).toContain(
      "the source is in eu-west-1, the DR account in eu-west-2, and the config has no crossRegionCopy for source analytics: the DR account sees only snapshots shared in eu-west-2",
    );
    expect(clients.targets.filter((t) => t.accountId === SRC).map((t) => t.region)).toEqual(["eu-west-1"]);
    expect(stderr).not.toMatch(/cross-region copies/);
  });

  it("copies it cannot read are a problem naming the action, the source account, the DR region and the identity", async () => {
    sourceInAnotherRegion(true);
    const copy = regionCopy("20261127t0600z", 6, true);
    twoRegions([ours("20261127t0600z", 6)], Object.assign(new Error("not authorized"), { name: "AccessDenied", $metadata: {} }), [copy]);
    const { code, stdout, stderr } = await status(["--source-profile", "prod"]);
    expect(code).toBe(1);
    expect(stdout).toMatch("; copy in eu-west-2 unreadable; DR sees it yes;");
    expect(stderr).toMatch(
      `analytics-prod: redshift:DescribeClusterSnapshots in account ${SRC} (eu-west-2) as profile prod failed: AccessDenied: not authorized; the identity is not allowed`,
    );
  });
});
