// `preflight`: every check's PASS, FAIL (with its advice) and CANNOT-CHECK, the exit code, and --json. Each account
// (source analytics, DR, the organization's management account) has its own mocked Redshift and AWS Backup clients;
// KMS and IAM are read through the command's reader ports.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { mockClient } from "aws-sdk-client-mock";
import {
  BackupClient,
  DescribeBackupVaultCommand,
  DescribeGlobalSettingsCommand,
  DescribeRegionSettingsCommand,
  GetBackupVaultAccessPolicyCommand,
  ListBackupPlansCommand,
  ListCopyJobsCommand,
} from "@aws-sdk/client-backup";
import { DescribeClustersCommand, DescribeClusterSnapshotsCommand, RedshiftClient, type Snapshot } from "@aws-sdk/client-redshift";
import { preflightCommand, registerPreflightCommand, type KeyReader, type PreflightReaders, type RoleReader } from "../../cli/commands/preflight";
import type { ClientFactory } from "../../cli/context";
import { actionMatches, copyJobVerdict, keyPolicyGaps, shareUseByKey, vaultPolicyAllowsCopy } from "../../functions/lib/preflight";
import { BACKUP_EXAMPLE, cli, EXAMPLE, recordingClients } from "./helpers";

const SRC = "222222222222";
const DR = "999999999999";
const KEY = `arn:aws:kms:eu-west-2:${SRC}:key/0f0f0f0f-1111-2222-3333-444455556666`;
const NOW = new Date("2026-11-27T12:00:00Z");
const DR_VAULT_ARN = `arn:aws:backup:eu-west-2:${DR}:backup-vault:rsdr-dr`;

const awsError = (name: string, message = name) => Object.assign(new Error(message), { name, $metadata: { httpStatusCode: name.includes("Throttl") ? 400 : 403 } });

const GOOD_KEY_POLICY = JSON.stringify({
  Version: "2012-10-17",
  Statement: [
    { Sid: "Root", Effect: "Allow", Principal: { AWS: `arn:aws:iam::${SRC}:root` }, Action: "kms:*", Resource: "*" },
    {
      Sid: "CrossAccountBackupCopyRead",
      Effect: "Allow",
      Principal: { AWS: `arn:aws:iam::${DR}:root` },
      Action: ["kms:Decrypt", "kms:DescribeKey", "kms:ReEncryptFrom", "kms:GenerateDataKeyWithoutPlaintext"],
      Resource: "*",
    },
    { Sid: "CrossAccountBackupCopyGrants", Effect: "Allow", Principal: { AWS: `arn:aws:iam::${DR}:root` }, Action: "kms:CreateGrant", Resource: "*", Condition: { Bool: { "kms:GrantIsForAWSResource": "true" } } },
  ],
});

const GOOD_VAULT_POLICY = JSON.stringify({
  Version: "2012-10-17",
  Statement: [
    { Sid: "CopyFromSources", Effect: "Allow", Principal: { AWS: [`arn:aws:iam::${SRC}:root`] }, Action: "backup:CopyIntoBackupVault", Resource: "*" },
    { Sid: "NoDeletion", Effect: "Deny", Principal: "*", Action: ["backup:DeleteRecoveryPoint", "backup:UpdateRecoveryPointLifecycle"], Resource: "*" },
  ],
});

const ourSnapshot = (stamp: string, accounts: string[] = [DR]): Snapshot => ({
  SnapshotIdentifier: `rsdr-analytics-prod-${stamp}`,
  ClusterIdentifier: "analytics-prod",
  SnapshotType: "manual",
  Status: "available",
  OwnerAccount: SRC,
  KmsKeyId: KEY,
  SnapshotCreateTime: new Date("2026-11-27T06:00:00Z"),
  AccountsWithRestoreAccess: accounts.map((AccountId) => ({ AccountId })),
});

/** One account's clients, each mocked on its own. */
function account() {
  const credentials = { accessKeyId: "t", secretAccessKey: "t" };
  const redshift = new RedshiftClient({ region: "eu-west-2", credentials });
  const backup = new BackupClient({ region: "eu-west-2", credentials });
  return { redshift, backup, redshiftMock: mockClient(redshift), backupMock: mockClient(backup) };
}

/** One mocked Redshift and Backup client per account, by the target name the CLI asks for. */
function accounts() {
  const made = { analytics: account(), dr: account(), "organization-management": account() };
  const pick = (name: string) => {
    if (!(name in made)) throw new Error(`no mocked account ${name}`);
    return made[name as keyof typeof made];
  };
  const clients: ClientFactory = { ...recordingClients(), redshift: (t) => pick(t.name).redshift, backup: (t) => pick(t.name).backup };
  return { ...made, clients };
}

/** Every account healthy: each check passes. */
function healthy() {
  const a = accounts();
  a.analytics.redshiftMock.on(DescribeClustersCommand).resolves({ Clusters: [{ ClusterIdentifier: "analytics-prod", Encrypted: true, KmsKeyId: KEY }] });
  a.analytics.redshiftMock.on(DescribeClusterSnapshotsCommand).resolves({ Snapshots: [ourSnapshot("20261127t0000z"), ourSnapshot("20261126t1200z")] });
  a.analytics.backupMock.on(DescribeBackupVaultCommand).resolves({ BackupVaultArn: `arn:aws:backup:eu-west-2:${SRC}:backup-vault:rsdr-analytics-backup` });
  a.analytics.backupMock.on(ListBackupPlansCommand).resolves({ BackupPlansList: [{ BackupPlanName: "other-plan" }, { BackupPlanName: "rsdr-analytics-redshift" }] });
  a.analytics.backupMock.on(DescribeRegionSettingsCommand).resolves({ ResourceTypeOptInPreference: { Redshift: true, RDS: false } });
  a.analytics.backupMock.on(ListCopyJobsCommand).resolves({
    CopyJobs: [
      { CopyJobId: "copy-old", State: "FAILED", StatusMessage: "Access denied", CreationDate: new Date("2026-11-20T03:00:00Z") },
      { CopyJobId: "copy-new", State: "COMPLETED", CreationDate: new Date("2026-11-27T03:00:00Z") },
      { CopyJobId: "copy-running", State: "RUNNING", CreationDate: new Date("2026-11-27T11:00:00Z") },
    ],
  });
  a.dr.redshiftMock.on(DescribeClusterSnapshotsCommand).resolves({ Snapshots: [] });
  a.dr.redshiftMock.on(DescribeClusterSnapshotsCommand, { OwnerAccount: SRC }).resolves({ Snapshots: [ourSnapshot("20261127t0000z")] });
  a.dr.backupMock.on(GetBackupVaultAccessPolicyCommand).resolves({ Policy: GOOD_VAULT_POLICY });
  a.dr.backupMock.on(DescribeBackupVaultCommand).resolves({ BackupVaultName: "rsdr-dr", Locked: true, MinRetentionDays: 7, MaxRetentionDays: 3650 });
  a["organization-management"].backupMock.on(DescribeGlobalSettingsCommand).resolves({ GlobalSettings: { isCrossAccountBackupEnabled: "true", isMpaEnabled: "false" } });
  return a;
}

function readers(over: { keyManager?: KeyReader["keyManager"]; keyPolicy?: KeyReader["keyPolicy"]; roleExists?: RoleReader["roleExists"] } = {}): PreflightReaders & { keyCalls: string[] } {
  const keyCalls: string[] = [];
  return {
    keyCalls,
    keys: (_ctx, target) => ({
      keyManager: over.keyManager ?? ((k) => (keyCalls.push(`${target.accountId} DescribeKey ${k}`), Promise.resolve("CUSTOMER"))),
      keyPolicy: over.keyPolicy ?? ((k) => (keyCalls.push(`${target.accountId} GetKeyPolicy ${k}`), Promise.resolve(GOOD_KEY_POLICY))),
    }),
    roles: () => ({ roleExists: over.roleExists ?? (() => Promise.resolve(true)) }),
  };
}

async function preflight(argv: string[], a = healthy(), r: PreflightReaders = readers(), config = BACKUP_EXAMPLE) {
  return cli(["--source-profile", "src-ops", "--dr-profile", "dr-ops", "preflight", ...argv], [preflightCommand(r)], { clients: a.clients, config });
}

/** The line of the check matching `check`, and the advice line under it. */
function lineOf(stdout: string, check: RegExp): { line: string; advice?: string } {
  const lines = stdout.split("\n");
  const i = lines.findIndex((l) => check.test(l));
  if (i < 0) throw new Error(`no check line matching ${check} in:\n${stdout}`);
  const next = lines[i + 1];
  return { line: lines[i], advice: next?.trimStart().startsWith("->") ? next.trim() : undefined };
}

function withConfig(change: (raw: Record<string, any>) => void): string {
  const raw = JSON.parse(fs.readFileSync(BACKUP_EXAMPLE, "utf8"));
  change(raw);
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "preflight-")), "estate.json");
  fs.writeFileSync(file, JSON.stringify({ ...raw, $schema: undefined }));
  return file;
}

describe("preflight (AWS mocked)", () => {
  it("passes every check of a healthy estate, announces each account it reads, and exits 0", async () => {
    const r = readers();
    const res = await preflight(["--management-profile", "org-ops"], healthy(), r);
    expect(res.code).toBe(0);
    const lines = res.stdout.split("\n");
    const checks = lines.filter((l) => /^(PASS|FAIL|CANNOT-CHECK)/.test(l));
    expect(checks.length).toBe(15);
    expect(checks.every((l) => l.startsWith("PASS"))).toBe(true);
    expect(lines[lines.length - 1]).toBe("preflight: 15 checks: 15 PASS, 0 FAIL, 0 CANNOT-CHECK");
    expect(res.stderr).toContain(`preflight reads: account ${SRC} (source analytics), region eu-west-2, as profile src-ops`);
    expect(res.stderr).toContain(`preflight reads: account ${DR} (DR), region eu-west-2, as profile dr-ops`);
    expect(res.stderr).toContain("preflight reads: account 100000000000 (organization management), region eu-west-2, as profile org-ops");
    // The key is read in the source account, the one that owns it.
    expect(r.keyCalls).toEqual([`${SRC} DescribeKey ${KEY}`, `${SRC} GetKeyPolicy ${KEY}`]);
    expect(lineOf(res.stdout, /sees a shared snapshot of analytics-prod/).line).toContain("rsdr-analytics-prod-20261127t0000z, 6.0 hours old");
    expect(lineOf(res.stdout, /share authorizations/).line).toContain("2 of 100 used by 2 manual snapshots");
    // The AWS Backup example keeps up to 12 of ours + 4 of AWS Backup's; nothing else stands.
    expect(lineOf(res.stdout, /manual snapshots in account 222222222222/).line).toMatch(/of the quota of 20 \(sources\[0\]\.manualSnapshotQuota\); 0 not counted by the config \+ up to 16 it keeps fit/);
    expect(lineOf(res.stdout, /cross-account copy/).line).toContain("copy-new");
  });

  it("reads the copy jobs by the DR vault's ARN, and the DR vault by its configured name", async () => {
    const a = healthy();
    await preflight([], a);
    expect(a.analytics.backupMock).toHaveReceivedCommandWith(ListCopyJobsCommand, { ByDestinationVaultArn: DR_VAULT_ARN });
    expect(a.dr.backupMock).toHaveReceivedCommandWith(DescribeBackupVaultCommand, { BackupVaultName: "rsdr-dr" });
    expect(a.analytics.backupMock).toHaveReceivedCommandWith(DescribeBackupVaultCommand, { BackupVaultName: "rsdr-analytics-backup" });
    expect(a.dr.redshiftMock).toHaveReceivedCommandWith(DescribeClusterSnapshotsCommand, { OwnerAccount: SRC });
  });

  it("lists KMS and IAM checks as CANNOT-CHECK when the CLI has no client for them, with the command to run, and still exits 0", async () => {
    const res = await cli(["preflight"], [registerPreflightCommand], { clients: healthy().clients, config: BACKUP_EXAMPLE });
    expect(res.code).toBe(0);
    const managed = lineOf(res.stdout, /key of analytics-prod is customer managed/);
    expect(managed.line).toMatch(/^CANNOT-CHECK +key of analytics-prod is customer managed: KMS is not readable/);
    expect(managed.advice).toContain(`aws kms describe-key --key-id ${KEY}`);
    expect(lineOf(res.stdout, /key policy of analytics-prod/).advice).toContain(`arn:aws:iam::${DR}:root kms:Decrypt, kms:DescribeKey, kms:CreateGrant`);
    const slr = lineOf(res.stdout, /AWSServiceRoleForRedshift/);
    expect(slr.line).toMatch(/^CANNOT-CHECK/);
    expect(slr.advice).toContain("aws iam get-role --role-name AWSServiceRoleForRedshift");
    expect(res.stdout).toMatch(/\d+ PASS, 0 FAIL, 3 CANNOT-CHECK$/);
  });

  type Case = { name: string; check: RegExp; detail: RegExp; advice: RegExp; arrange: (a: ReturnType<typeof healthy>) => void; readers?: PreflightReaders };
  const FAILS: Case[] = [
    {
      name: "a cluster that does not exist",
      check: /cluster analytics-prod \(source analytics\) exists/,
      detail: /no cluster analytics-prod in account 222222222222/,
      advice: /deploy the source stack \(source-analytics\)/,
      arrange: (a) => a.analytics.redshiftMock.on(DescribeClustersCommand).rejects(awsError("ClusterNotFoundFault", "Cluster analytics-prod not found.")),
    },
    {
      name: "an unencrypted cluster",
      check: /cluster analytics-prod \(source analytics\) exists and is encrypted/,
      detail: /is not encrypted with a KMS key/,
      advice: /customer managed key/,
      arrange: (a) => a.analytics.redshiftMock.on(DescribeClustersCommand).resolves({ Clusters: [{ ClusterIdentifier: "analytics-prod", Encrypted: false }] }),
    },
    {
      name: "an AWS managed key",
      check: /key of analytics-prod is customer managed/,
      detail: /managed by AWS \(aws\/redshift\)/,
      advice: /re-encrypt the cluster with a customer managed key/,
      arrange: () => undefined,
      readers: readers({ keyManager: () => Promise.resolve("AWS") }),
    },
    {
      name: "a key policy without kms:CreateGrant for the DR account",
      check: /key policy of analytics-prod grants DR account 999999999999/,
      detail: /does not allow kms:CreateGrant to the DR account root/,
      advice: /sourceKeyCopyStatements \(stacks\/constructs\/backup-plan.ts\)/,
      arrange: () => undefined,
      readers: readers({
        keyPolicy: () =>
          Promise.resolve(JSON.stringify({ Statement: [{ Effect: "Allow", Principal: { AWS: DR }, Action: ["kms:Decrypt", "kms:DescribeKey"], Resource: "*" }] })),
      }),
    },
    {
      name: "a DR account that sees no shared snapshot",
      check: /DR account 999999999999 sees a shared snapshot of analytics-prod/,
      detail: /no available snapshot of analytics-prod shared by 222222222222/,
      advice: /let the snapshot manager run/,
      // Another deployment's id: not ours, whatever it is authorized for.
      arrange: (a) =>
        a.dr.redshiftMock.on(DescribeClusterSnapshotsCommand, { OwnerAccount: SRC }).resolves({ Snapshots: [{ ...ourSnapshot("20261127t0000z"), SnapshotIdentifier: "manual-by-hand" }] }),
    },
    {
      name: "a key with no room for the next share",
      check: /share authorizations on the key of analytics-prod/,
      detail: /100 of 100 used by 20 manual snapshots; the next round of shares needs 1/,
      advice: /lower sources\[0\]\.native\.shareLatest/,
      arrange: (a) =>
        a.analytics.redshiftMock.on(DescribeClusterSnapshotsCommand).resolves({
          Snapshots: Array.from({ length: 20 }, (_, i) => ({ ...ourSnapshot(`2026110${i % 10}t0000z`), AccountsWithRestoreAccess: ["1", "2", "3", "4", "5"].map((d) => ({ AccountId: `10000000000${d}` })) })),
        }),
    },
    {
      name: "a source at its manual snapshot quota",
      check: /manual snapshots in account 222222222222/,
      detail: /20 manual snapshots, at or over the quota of 20 \(sources\[0\]\.manualSnapshotQuota\)/,
      advice: /raise the Redshift manual snapshot quota in Service Quotas and set sources\[0\]\.manualSnapshotQuota/,
      arrange: (a) => a.analytics.redshiftMock.on(DescribeClusterSnapshotsCommand).resolves({ Snapshots: Array.from({ length: 20 }, () => ourSnapshot("20261127t0000z", [])) }),
    },
    {
      name: "too many snapshots of others to leave room for what the config keeps",
      check: /manual snapshots in account 222222222222/,
      detail: /^.*6 manual snapshots the config does not count \(made by hand or by other tools\) \+ up to 16 the config keeps = 22, over the quota of 20 \(sources\[0\]\.manualSnapshotQuota\)/,
      advice: /raise the Redshift manual snapshot quota in Service Quotas and set sources\[0\]\.manualSnapshotQuota/,
      arrange: (a) =>
        a.analytics.redshiftMock.on(DescribeClusterSnapshotsCommand).resolves({
          Snapshots: [
            ourSnapshot("20261127t0000z"),
            { ...ourSnapshot("20261126t0000z", []), SnapshotIdentifier: "awsbackup:job-1234" },
            ...Array.from({ length: 6 }, (_, i) => ({ ...ourSnapshot("20261127t0000z", []), SnapshotIdentifier: `hand-made-${i}` })),
          ],
        }),
    },
    {
      name: "a missing source vault",
      check: /source vault rsdr-analytics-backup exists/,
      detail: /no vault rsdr-analytics-backup in account 222222222222/,
      advice: /deploy the source stack/,
      arrange: (a) => a.analytics.backupMock.on(DescribeBackupVaultCommand).rejects(awsError("ResourceNotFoundException", "Backup vault not found")),
    },
    {
      name: "a missing backup plan",
      check: /backup plan rsdr-analytics-redshift exists/,
      detail: /no plan rsdr-analytics-redshift/,
      advice: /deploy the source stack/,
      arrange: (a) => a.analytics.backupMock.on(ListBackupPlansCommand).resolves({ BackupPlansList: [{ BackupPlanName: "other-plan" }] }),
    },
    {
      name: "Redshift not opted in",
      check: /Redshift opted in to AWS Backup in account 222222222222/,
      detail: /"Redshift" is false/,
      advice: /Service opt-in.*manageRegionOptIn/,
      arrange: (a) => a.analytics.backupMock.on(DescribeRegionSettingsCommand).resolves({ ResourceTypeOptInPreference: { Redshift: false } }),
    },
    {
      name: "a DR vault without the configured lock",
      check: /DR vault rsdr-dr exists with the configured governance lock/,
      detail: /the vault is not locked; MinRetentionDays is 1, the config says 7; MaxRetentionDays is not set, the config says 3650/,
      advice: /deploy the DR stack/,
      arrange: (a) => a.dr.backupMock.on(DescribeBackupVaultCommand).resolves({ BackupVaultName: "rsdr-dr", Locked: false, MinRetentionDays: 1 }),
    },
    {
      name: "a DR vault policy that does not name the source",
      check: /DR vault rsdr-dr access policy allows copies from source analytics/,
      detail: /no Allow of backup:CopyIntoBackupVault names account 222222222222/,
      advice: /deploy the DR stack: its aws_backup_vault_policy/,
      arrange: (a) =>
        a.dr.backupMock.on(GetBackupVaultAccessPolicyCommand).resolves({
          Policy: JSON.stringify({ Statement: [{ Effect: "Allow", Principal: { AWS: "arn:aws:iam::333333333333:root" }, Action: "backup:CopyIntoBackupVault", Resource: "*" }] }),
        }),
    },
    {
      name: "a DR vault without an access policy",
      check: /DR vault rsdr-dr access policy allows copies/,
      detail: /does not exist/,
      advice: /deploy the DR stack/,
      arrange: (a) => a.dr.backupMock.on(GetBackupVaultAccessPolicyCommand).rejects(awsError("ResourceNotFoundException")),
    },
    {
      name: "cross-account backup off in the organization",
      check: /cross-account backup is on in the organization/,
      detail: /isCrossAccountBackupEnabled is "false"/,
      advice: /deploy the org stack/,
      arrange: (a) => a["organization-management"].backupMock.on(DescribeGlobalSettingsCommand).resolves({ GlobalSettings: { isCrossAccountBackupEnabled: "false" } }),
    },
    {
      name: "a newest copy job that failed",
      check: /cross-account copy from source analytics into the DR vault works/,
      detail: /the newest copy job copy-2 \(2026-11-27T03:00:00.000Z\) is FAILED: Given key ID is not accessible \(an earlier one completed\)/,
      advice: /docs\/aws-backup.md, prerequisite 4/,
      arrange: (a) =>
        a.analytics.backupMock.on(ListCopyJobsCommand).resolves({
          CopyJobs: [
            { CopyJobId: "copy-1", State: "COMPLETED", CreationDate: new Date("2026-11-26T03:00:00Z") },
            { CopyJobId: "copy-2", State: "FAILED", StatusMessage: "Given key ID is not accessible", CreationDate: new Date("2026-11-27T03:00:00Z") },
          ],
        }),
    },
    {
      name: "a missing Redshift service-linked role",
      check: /AWSServiceRoleForRedshift exists in the DR account/,
      detail: /not found/,
      advice: /createRedshiftServiceLinkedRole/,
      arrange: () => undefined,
      readers: readers({ roleExists: () => Promise.resolve(false) }),
    },
  ];

  it.each(FAILS)("FAILs on $name, with what to do, and exits 1", async ({ check, detail, advice, arrange, readers: r }) => {
    const a = healthy();
    arrange(a);
    const res = await preflight([], a, r ?? readers());
    expect(res.code).toBe(1);
    const found = lineOf(res.stdout, check);
    expect(found.line).toMatch(/^FAIL /);
    expect(found.line).toMatch(detail);
    expect(found.advice).toMatch(advice);
    expect(res.stdout.split("\n").filter((l) => l.startsWith("FAIL")).length).toBeGreaterThanOrEqual(1);
  });

  it("says CANNOT-CHECK, naming the action and the identity, when AWS refuses a read, and does not fail for it", async () => {
    const a = healthy();
    a.analytics.redshiftMock.on(DescribeClustersCommand).rejects(awsError("AccessDeniedException", "User is not authorized"));
    const res = await preflight([], a);
    expect(res.code).toBe(0);
    const found = lineOf(res.stdout, /cluster analytics-prod \(source analytics\) exists/);
    expect(found.line).toMatch(/^CANNOT-CHECK /);
    expect(found.line).toContain("redshift:DescribeClusters in account 222222222222 (eu-west-2) as profile src-ops failed: AccessDeniedException");
    expect(found.advice).toContain("aws redshift describe-clusters --cluster-identifier analytics-prod");
    expect(lineOf(res.stdout, /key of analytics-prod is customer managed and grants/).line).toMatch(/^CANNOT-CHECK .*its key is not known/);
  });

  it("says CANNOT-CHECK when AWS throttles a read past the retries", async () => {
    const a = healthy();
    a.analytics.backupMock.on(ListCopyJobsCommand).rejects(awsError("ThrottlingException", "Rate exceeded"));
    const res = await preflight([], a);
    expect(res.code).toBe(0);
    const found = lineOf(res.stdout, /cross-account copy/);
    expect(found.line).toMatch(/^CANNOT-CHECK .*backup:ListCopyJobs .*ThrottlingException.*AWS throttled the calls/);
  });

  it("says CANNOT-CHECK when a KMS read is refused", async () => {
    const res = await preflight([], healthy(), readers({ keyPolicy: () => Promise.reject(awsError("AccessDeniedException", "not allowed kms:GetKeyPolicy")) }));
    expect(res.code).toBe(0);
    expect(lineOf(res.stdout, /key policy of analytics-prod/).line).toMatch(/^CANNOT-CHECK .*kms:GetKeyPolicy in account 222222222222 .* as profile src-ops failed/);
  });

  it("says CANNOT-CHECK for the cross-account copy until a copy job has finished, with the docs' procedure", async () => {
    const a = healthy();
    a.analytics.backupMock.on(ListCopyJobsCommand).resolves({ CopyJobs: [{ CopyJobId: "c", State: "RUNNING", CreationDate: NOW }] });
    const res = await preflight([], a);
    expect(res.code).toBe(0);
    const found = lineOf(res.stdout, /cross-account copy/);
    expect(found.line).toMatch(/^CANNOT-CHECK .*no copy job into the DR vault has finished yet/);
    expect(found.advice).toContain("docs/aws-backup.md, prerequisite 4");
    expect(found.advice).toContain(`--destination-backup-vault-arn ${DR_VAULT_ARN}`);
  });

  it("says CANNOT-CHECK for the organization setting without organization.management, and reads no management account", async () => {
    const a = healthy();
    const config = withConfig((raw) => {
      raw.organization = { id: raw.organization.id };
    });
    const res = await preflight([], a, readers(), config);
    expect(res.code).toBe(0);
    const found = lineOf(res.stdout, /cross-account backup is on in the organization/);
    expect(found.line).toMatch(/^CANNOT-CHECK .*organization\.management is not configured/);
    expect(found.advice).toContain("aws backup describe-global-settings");
    expect(a["organization-management"].backupMock.calls()).toHaveLength(0);
    expect(res.stderr).not.toContain("organization management");
  });

  it("checks a source vault policy by organization with copyFrom organization", async () => {
    const a = healthy();
    a.dr.backupMock.on(GetBackupVaultAccessPolicyCommand).resolves({
      Policy: JSON.stringify({
        Statement: { Effect: "Allow", Principal: "*", Action: "backup:CopyIntoBackupVault", Resource: "*", Condition: { StringEquals: { "aws:PrincipalOrgID": "o-a1b2c3d4e5" } } },
      }),
    });
    const byOrg = withConfig((raw) => {
      raw.dr.backup.copyFrom = "organization";
    });
    expect(lineOf((await preflight([], a, readers(), byOrg)).stdout, /access policy allows copies/).line).toMatch(/^PASS .*organization o-a1b2c3d4e5/);
    // The same policy does not name the account itself: with copyFrom "sources" it is not enough.
    expect(lineOf((await preflight([], a)).stdout, /access policy allows copies/).line).toMatch(/^FAIL/);
  });

  it("prints JSON with --json: every result with its status, detail and advice, and the counts", async () => {
    const a = healthy();
    a.analytics.backupMock.on(DescribeRegionSettingsCommand).resolves({ ResourceTypeOptInPreference: {} });
    const res = await preflight(["--json"], a, { ...readers(), roles: undefined });
    expect(res.code).toBe(1);
    const doc = JSON.parse(res.stdout) as { results: Array<{ check: string; status: string; detail: string; advice?: string; account?: string }>; summary: Record<string, number> };
    expect(doc.summary).toEqual({ pass: 13, fail: 1, cannotCheck: 1 });
    const optIn = doc.results.find((r) => r.check.startsWith("Redshift opted in"))!;
    expect(optIn).toMatchObject({ status: "FAIL", account: SRC, detail: expect.stringContaining('"Redshift" is not set') });
    expect(optIn.advice).toContain("Service opt-in");
    expect(doc.results.find((r) => r.check.includes("AWSServiceRoleForRedshift"))!.status).toBe("CANNOT-CHECK");
  });

  it("checks native sharing only (no AWS Backup checks) for a config without AWS Backup", async () => {
    const a = healthy();
    const res = await cli(["preflight"], [preflightCommand(readers())], { clients: a.clients, config: EXAMPLE });
    expect(res.code).toBe(0);
    expect(res.stdout).not.toMatch(/vault|backup plan|copy|organization/);
    expect(res.stdout).toMatch(/sees a shared snapshot of analytics-prod/);
    expect(a.analytics.backupMock.calls()).toHaveLength(0);
  });

  it("refuses a --source that is not in the config with exit code 2", async () => {
    const res = await preflight(["--source", "nope"]);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('--source "nope" is not in');
  });

  it("describes itself with an example in --help", async () => {
    const res = await cli(["preflight", "--help"], [registerPreflightCommand]);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain("Example:");
    expect(res.stdout).toContain("--management-profile");
  });
});

describe("preflight judgements", () => {
  it("matches IAM action wildcards case-insensitively", () => {
    expect(actionMatches("kms:*", "kms:CreateGrant")).toBe(true);
    expect(actionMatches("KMS:decrypt", "kms:Decrypt")).toBe(true);
    expect(actionMatches("kms:Re*", "kms:Decrypt")).toBe(false);
    expect(actionMatches("*", "kms:DescribeKey")).toBe(true);
  });

  it("credits a key grant to the DR root by ARN or bare account id, never to a conditioned wildcard; reports Denies", () => {
    expect(keyPolicyGaps(GOOD_KEY_POLICY, DR)).toEqual({ missing: [], denied: [] });
    const wildcard = JSON.stringify({ Statement: [{ Effect: "Allow", Principal: "*", Action: "kms:*", Condition: { StringEquals: { "aws:PrincipalOrgID": "o-x" } } }] });
    expect(keyPolicyGaps(wildcard, DR).missing).toEqual(["kms:Decrypt", "kms:DescribeKey", "kms:CreateGrant"]);
    const denied = JSON.stringify({
      Statement: [
        { Effect: "Allow", Principal: { AWS: DR }, Action: "kms:*" },
        { Effect: "Deny", Principal: "*", Action: "kms:CreateGrant", Condition: { Bool: { "kms:GrantIsForAWSResource": "false" } } },
      ],
    });
    expect(keyPolicyGaps(denied, DR)).toEqual({ missing: [], denied: ["kms:CreateGrant"] });
    expect(() => keyPolicyGaps("not json", DR)).toThrow();
  });

  it("refuses a vault policy that denies the copy even when another statement allows it", () => {
    const policy = JSON.stringify({
      Statement: [
        { Effect: "Allow", Principal: { AWS: `arn:aws:iam::${SRC}:root` }, Action: "backup:CopyIntoBackupVault" },
        { Effect: "Deny", Principal: "*", Action: ["backup:CopyIntoBackupVault"] },
      ],
    });
    expect(vaultPolicyAllowsCopy(policy, SRC).allowed).toBe(false);
    expect(vaultPolicyAllowsCopy(GOOD_VAULT_POLICY, SRC).allowed).toBe(true);
  });

  it("judges the copy feature by the newest finished job", () => {
    expect(copyJobVerdict([]).status).toBe("CANNOT-CHECK");
    expect(copyJobVerdict([{ State: "FAILED", CreationDate: new Date(2) }, { State: "COMPLETED", CreationDate: new Date(1) }])).toMatchObject({ status: "FAIL", earlierCompleted: true });
    expect(copyJobVerdict([{ State: "FAILED", CreationDate: new Date(1) }, { State: "COMPLETED", CreationDate: new Date(2) }]).status).toBe("PASS");
  });

  it("counts share authorizations per key over manual snapshots only", () => {
    const use = shareUseByKey([
      ourSnapshot("20261127t0000z", [DR, "111111111111"]),
      { ...ourSnapshot("20261126t0000z"), SnapshotType: "automated" },
      { ...ourSnapshot("20261125t0000z"), KmsKeyId: "other" },
    ]);
    expect(use).toEqual([
      { keyId: KEY, authorizations: 2, snapshots: 1 },
      { keyId: "other", authorizations: 1, snapshots: 1 },
    ]);
  });
});
