// `backup start | list | copy | restore`: what each sends (vaults, the backup role, lifecycles within the DR vault's
// lock, restore metadata), in which account, waiting with --wait, "not configured" (exit 2), and AWS refusing.
import { mockClient } from "aws-sdk-client-mock";
import {
  BackupClient,
  DescribeBackupJobCommand,
  DescribeCopyJobCommand,
  DescribeRecoveryPointCommand,
  DescribeRestoreJobCommand,
  ListRecoveryPointsByBackupVaultCommand,
  StartBackupJobCommand,
  StartCopyJobCommand,
  StartRestoreJobCommand,
  type RecoveryPointStatus,
} from "@aws-sdk/client-backup";
import { POLLING, registerBackupCommands } from "../../cli/commands/backup";
import { BACKUP_EXAMPLE, cli, EXAMPLE, recordingClients } from "./helpers";

const SRC = "222222222222";
const DR = "999999999999";
const CLUSTER_ARN = `arn:aws:redshift:eu-west-2:${SRC}:cluster:analytics-prod`;
const SOURCE_POINT = `arn:aws:redshift:eu-west-2:${SRC}:snapshot:analytics-prod/awsbackup:job-1111`;
const DR_POINT = `arn:aws:redshift:eu-west-2:${DR}:snapshot:analytics-prod/awsbackup:copyjob-2222`;
const DR_VAULT_ARN = `arn:aws:backup:eu-west-2:${DR}:backup-vault:rsdr-dr`;

const backupMock = mockClient(BackupClient);
const awsError = (name: string, message: string) => Object.assign(new Error(message), { name, $metadata: { httpStatusCode: 400 } });
const realSleep = POLLING.sleep;
let sleeps: number[];

beforeEach(() => {
  backupMock.reset();
  sleeps = [];
  POLLING.sleep = (ms) => (sleeps.push(ms), Promise.resolve());
});
afterAll(() => {
  POLLING.sleep = realSleep;
});

async function backup(argv: string[], config = BACKUP_EXAMPLE) {
  const clients = recordingClients();
  const r = await cli(["--source-profile", "src-ops", "--dr-profile", "dr-ops", "backup", ...argv], [registerBackupCommands], { clients, config });
  return { ...r, targets: clients.targets.map((t) => t.accountId) };
}

describe("backup start (AWS mocked)", () => {
  it("starts a job into the source vault with the backup role, the plan's lifecycle, tags and windows, in the source account", async () => {
    backupMock.on(StartBackupJobCommand).resolves({ BackupJobId: "job-1", RecoveryPointArn: SOURCE_POINT });
    const r = await backup(["start", "--cluster", "analytics-prod"]);
    expect(r.code).toBe(0);
    expect(backupMock).toHaveReceivedCommandTimes(StartBackupJobCommand, 1);
    expect(backupMock).toHaveReceivedCommandWith(StartBackupJobCommand, {
      BackupVaultName: "rsdr-analytics-backup",
      ResourceArn: CLUSTER_ARN,
      IamRoleArn: `arn:aws:iam::${SRC}:role/rsdr-analytics-backup`,
      Lifecycle: { DeleteAfterDays: 3 },
      RecoveryPointTags: { "rsdr:approach": "aws-backup" },
      StartWindowMinutes: 60,
      CompleteWindowMinutes: 480,
    });
    expect(r.targets).toEqual([SRC]);
    expect(r.stderr).toContain(`backup start (vault rsdr-analytics-backup): account ${SRC} (source analytics), region eu-west-2, as profile src-ops`);
    expect(r.stdout).toContain(`backup job job-1 started for analytics-prod: recovery point ${SOURCE_POINT}`);
    expect(sleeps).toEqual([]);
  });

  it("with --wait polls DescribeBackupJob, shows each state, and exits 0 when it COMPLETED", async () => {
    backupMock.on(StartBackupJobCommand).resolves({ BackupJobId: "job-1" });
    backupMock
      .on(DescribeBackupJobCommand, { BackupJobId: "job-1" })
      .resolvesOnce({ State: "CREATED" })
      .resolvesOnce({ State: "RUNNING", PercentDone: "40.0" })
      .resolves({ State: "COMPLETED", RecoveryPointArn: SOURCE_POINT });
    const r = await backup(["start", "--wait"]);
    expect(r.code).toBe(0);
    expect(backupMock).toHaveReceivedCommandTimes(DescribeBackupJobCommand, 3);
    expect(sleeps).toEqual([15_000, 15_000]);
    expect(r.stderr).toMatch(/backup job job-1 \(analytics-prod\): CREATED/);
    expect(r.stderr).toMatch(/backup job job-1 \(analytics-prod\): RUNNING 40.0%/);
    expect(r.stderr).toMatch(/backup job job-1 \(analytics-prod\): COMPLETED after \d+s/);
    expect(r.stdout).toContain(`analytics-prod: recovery point ${SOURCE_POINT}`);
  });

  it("with --wait exits 1 with AWS Backup's message when the job FAILED", async () => {
    backupMock.on(StartBackupJobCommand).resolves({ BackupJobId: "job-1" });
    backupMock.on(DescribeBackupJobCommand).resolves({ State: "FAILED", StatusMessage: "Insufficient privileges to perform this action." });
    const r = await backup(["start", "--cluster", "analytics-prod", "--wait"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("FAILED: Insufficient privileges to perform this action.");
  });

  it("names the action and the identity when AWS denies it, and exits 1", async () => {
    backupMock.on(StartBackupJobCommand).rejects(awsError("AccessDeniedException", "User is not authorized to perform: backup:StartBackupJob"));
    const r = await backup(["start", "--cluster", "analytics-prod"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`error: backup:StartBackupJob in account ${SRC} (eu-west-2) as profile src-ops failed: AccessDeniedException`);
    expect(r.stderr).toContain("the identity is not allowed backup:StartBackupJob");
  });

  it("refuses a cluster that is not in the config with exit code 2", async () => {
    const r = await backup(["start", "--cluster", "nope"]);
    expect(r.code).toBe(2);
    expect(backupMock.calls()).toHaveLength(0);
  });
});

describe("backup list (AWS mocked)", () => {
  const point = (arn: string, resource: string, created: string, status: RecoveryPointStatus = "COMPLETED") => ({
    RecoveryPointArn: arn,
    ResourceArn: resource,
    ResourceType: "Redshift",
    Status: status,
    CreationDate: new Date(created),
    CalculatedLifecycle: { DeleteAt: new Date("2026-12-11T03:00:00Z") },
  });

  it("lists the source vault's Redshift recovery points newest first, only the cluster's with --cluster", async () => {
    backupMock.on(ListRecoveryPointsByBackupVaultCommand).resolves({
      RecoveryPoints: [
        point(`${SOURCE_POINT}-old`, CLUSTER_ARN, "2026-11-25T03:00:00Z"),
        point(SOURCE_POINT, CLUSTER_ARN, "2026-11-27T03:00:00Z"),
        point("arn:other", `arn:aws:redshift:eu-west-2:${SRC}:cluster:someone-elses`, "2026-11-26T03:00:00Z"),
      ],
    });
    const r = await backup(["list", "--cluster", "analytics-prod"]);
    expect(r.code).toBe(0);
    expect(backupMock).toHaveReceivedCommandWith(ListRecoveryPointsByBackupVaultCommand, { BackupVaultName: "rsdr-analytics-backup", ByResourceType: "Redshift" });
    expect(r.targets).toEqual([SRC]);
    const lines = r.stdout.split("\n");
    expect(lines[0]).toMatch(/^CREATED +CLUSTER +SOURCE ACCOUNT +STATUS +DELETE AT +RECOVERY POINT$/);
    expect(lines.slice(2)).toHaveLength(2);
    expect(lines[2]).toContain(SOURCE_POINT);
    expect(lines[3]).toContain(`${SOURCE_POINT}-old`);
    expect(r.stdout).not.toContain("someone-elses");
  });

  it("with --dr lists the DR vault in the DR account, and prints JSON with --json", async () => {
    backupMock.on(ListRecoveryPointsByBackupVaultCommand).resolves({ RecoveryPoints: [point(DR_POINT, CLUSTER_ARN, "2026-11-27T03:00:00Z", "COMPLETED")] });
    const r = await backup(["list", "--dr", "--json"]);
    expect(r.code).toBe(0);
    expect(backupMock).toHaveReceivedCommandWith(ListRecoveryPointsByBackupVaultCommand, { BackupVaultName: "rsdr-dr" });
    expect(r.targets).toEqual([DR]);
    expect(r.stderr).toContain(`backup list (vault rsdr-dr): account ${DR} (DR)`);
    expect(JSON.parse(r.stdout)).toEqual({
      vault: "rsdr-dr",
      account: DR,
      recoveryPoints: [
        { created: "2026-11-27T03:00:00.000Z", cluster: "analytics-prod", account: SRC, status: "COMPLETED", deleteAt: "2026-12-11T03:00:00.000Z", recoveryPointArn: DR_POINT },
      ],
    });
  });
});

describe("backup copy (AWS mocked)", () => {
  it("copies into the DR vault's ARN with the configured copy lifecycle, within the DR vault lock", async () => {
    backupMock.on(StartCopyJobCommand).resolves({ CopyJobId: "copy-1" });
    const r = await backup(["copy", "--recovery-point", SOURCE_POINT]);
    expect(r.code).toBe(0);
    const input = backupMock.commandCalls(StartCopyJobCommand)[0].args[0].input;
    expect(input).toEqual({
      RecoveryPointArn: SOURCE_POINT,
      SourceBackupVaultName: "rsdr-analytics-backup",
      DestinationBackupVaultArn: DR_VAULT_ARN,
      IamRoleArn: `arn:aws:iam::${SRC}:role/rsdr-analytics-backup`,
      Lifecycle: { DeleteAfterDays: 14 },
    });
    // config/example-aws-backup.json: the lock keeps 7..3650 days.
    expect(input.Lifecycle!.DeleteAfterDays).toBeGreaterThanOrEqual(7);
    expect(input.Lifecycle!.DeleteAfterDays).toBeLessThanOrEqual(3650);
    expect(r.targets).toEqual([SRC]);
    expect(r.stdout).toContain(`copy job copy-1 started: ${SOURCE_POINT} -> ${DR_VAULT_ARN}`);
  });

  it("with --wait polls DescribeCopyJob to the end: exit 0 on COMPLETED, 1 on FAILED with the message", async () => {
    backupMock.on(StartCopyJobCommand).resolves({ CopyJobId: "copy-1" });
    backupMock
      .on(DescribeCopyJobCommand, { CopyJobId: "copy-1" })
      .resolvesOnce({ CopyJob: { State: "RUNNING" } })
      .resolves({ CopyJob: { State: "COMPLETED", DestinationRecoveryPointArn: DR_POINT } });
    const ok = await backup(["copy", "--recovery-point", SOURCE_POINT, "--wait"]);
    expect(ok.code).toBe(0);
    expect(sleeps).toEqual([15_000]);
    expect(ok.stdout).toContain(`copy in the DR vault: ${DR_POINT}`);

    backupMock.on(DescribeCopyJobCommand, { CopyJobId: "copy-1" }).resolves({ CopyJob: { State: "FAILED", StatusMessage: "Given key ID is not accessible" } });
    const failed = await backup(["copy", "--recovery-point", SOURCE_POINT, "--wait"]);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain("copy job copy-1: FAILED: Given key ID is not accessible");
  });

  it("says so when AWS throttled the call past the retries, and exits 1", async () => {
    backupMock.on(StartCopyJobCommand).rejects(awsError("ThrottlingException", "Rate exceeded"));
    const r = await backup(["copy", "--recovery-point", SOURCE_POINT]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("backup:StartCopyJob in account 222222222222 (eu-west-2) as profile src-ops failed: ThrottlingException");
    expect(r.stderr).toContain("AWS throttled the calls");
  });

  it("refuses a recovery point of an account the config does not name, with exit code 2", async () => {
    const r = await backup(["copy", "--recovery-point", "arn:aws:redshift:eu-west-2:333333333333:snapshot:x/awsbackup:job-1"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("is not in a source account of the config");
    expect(backupMock.calls()).toHaveLength(0);
  });
});

describe("backup restore (AWS mocked)", () => {
  it("restores a DR copy into <project>-restore-<cluster>-<stamp> in the DR subnet group, in the DR account", async () => {
    backupMock.on(DescribeRecoveryPointCommand).resolves({ RecoveryPointArn: DR_POINT, ResourceArn: CLUSTER_ARN, ResourceType: "Redshift", Status: "COMPLETED" });
    backupMock.on(StartRestoreJobCommand).resolves({ RestoreJobId: "restore-1" });
    const r = await backup(["restore", "--recovery-point", DR_POINT, "--kms-key-id", `arn:aws:kms:eu-west-2:${DR}:key/abc`]);
    expect(r.code).toBe(0);
    expect(backupMock).toHaveReceivedCommandWith(DescribeRecoveryPointCommand, { BackupVaultName: "rsdr-dr", RecoveryPointArn: DR_POINT });
    expect(backupMock.commandCalls(StartRestoreJobCommand)[0].args[0].input).toEqual({
      RecoveryPointArn: DR_POINT,
      ResourceType: "Redshift",
      Metadata: {
        RestoreType: "CLUSTER_RESTORE",
        ClusterIdentifier: "rsdr-restore-analytics-prod-20261127t1200z",
        ClusterSubnetGroupName: "rsdr-dr-redshift",
        PubliclyAccessible: "false",
        Encrypted: "true",
        KmsKeyId: `arn:aws:kms:eu-west-2:${DR}:key/abc`,
      },
    });
    expect(r.targets).toEqual([DR]);
    expect(r.stderr).toContain(`backup restore (from vault rsdr-dr): account ${DR} (DR), region eu-west-2, as profile dr-ops`);
  });

  it("with --wait polls DescribeRestoreJob and reports the restored cluster", async () => {
    backupMock.on(DescribeRecoveryPointCommand).resolves({ ResourceArn: CLUSTER_ARN, ResourceType: "Redshift", Status: "COMPLETED" });
    backupMock.on(StartRestoreJobCommand).resolves({ RestoreJobId: "restore-1" });
    backupMock
      .on(DescribeRestoreJobCommand, { RestoreJobId: "restore-1" })
      .resolvesOnce({ Status: "RUNNING", PercentDone: "10%" })
      .resolves({ Status: "COMPLETED", CreatedResourceArn: `arn:aws:redshift:eu-west-2:${DR}:cluster:rsdr-restore-analytics-prod-20261127t1200z` });
    const r = await backup(["restore", "--recovery-point", DR_POINT, "--wait", "--iam-role", `arn:aws:iam::${DR}:role/restore`]);
    expect(r.code).toBe(0);
    expect(backupMock).toHaveReceivedCommandWith(StartRestoreJobCommand, { IamRoleArn: `arn:aws:iam::${DR}:role/restore` });
    expect(sleeps).toEqual([15_000]);
    expect(r.stdout).toContain("restored cluster: arn:aws:redshift:eu-west-2:999999999999:cluster:rsdr-restore-analytics-prod-20261127t1200z");
  });

  it("does not restore a recovery point that is not COMPLETED", async () => {
    backupMock.on(DescribeRecoveryPointCommand).resolves({ ResourceArn: CLUSTER_ARN, ResourceType: "Redshift", Status: "PARTIAL" });
    const r = await backup(["restore", "--recovery-point", DR_POINT]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("is PARTIAL, not COMPLETED");
    expect(backupMock).not.toHaveReceivedCommand(StartRestoreJobCommand);
  });
});

describe("backup without AWS Backup in the config", () => {
  const SOURCE_OFF = "AWS Backup is not configured for source analytics (sources[0].backup.enabled is false)";
  const DR_OFF = "AWS Backup is not configured for the DR account (dr.backup is not set)";
  it.each([
    ["start", ["start"], SOURCE_OFF],
    ["start --cluster", ["start", "--cluster", "analytics-prod"], SOURCE_OFF],
    ["list", ["list"], SOURCE_OFF],
    ["copy", ["copy", "--recovery-point", SOURCE_POINT], SOURCE_OFF],
    ["list --dr", ["list", "--dr"], DR_OFF],
    ["restore", ["restore", "--recovery-point", DR_POINT], DR_OFF],
  ])("%s says AWS Backup is not configured and exits 2 without calling AWS", async (_name, argv, message) => {
    const r = await backup(argv, EXAMPLE);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    expect(backupMock.calls()).toHaveLength(0);
  });
});

describe("backup --help", () => {
  it.each(["start", "list", "copy", "restore"])("%s has a description and an example", async (sub) => {
    const r = await cli(["backup", sub, "--help"], [registerBackupCommands]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Example:");
    expect(r.stdout).toContain(`redshift-backup`);
  });
});
