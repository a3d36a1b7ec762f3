// AWS Backup (approach 3) as synthesized from the second example (config/example-aws-backup.json) and variants:
// the source plan and its copy action, the DR vault's policy, lock and keys, the forwarding of failed copies,
// and the organization stack. Real Terraform validates the same stacks in __tests__/terraform/validate.test.ts;
// moto cannot create vault policies or selections, so these assertions are what covers them.
import { estateOf, rawBackupExample, rawExample, resources, synthEstate, type RawConfig } from "../helpers";

const synth = (change: (c: RawConfig) => void = () => undefined) => {
  const raw = rawBackupExample();
  change(raw);
  return synthEstate(estateOf(raw));
};
const statements = (policy: string): any[] => JSON.parse(policy).Statement;
const bySid = (policy: string, sid: string) => statements(policy).find((s) => s.Sid === sid);
const only = (json: any, type: string) => {
  const all = resources(json, type);
  expect(all).toHaveLength(1);
  return all[0];
};

const DR_VAULT_ARN = "arn:aws:backup:eu-west-2:999999999999:backup-vault:rsdr-dr";

describe("source stack with AWS Backup", () => {
  const source = () => synth()["source-analytics"];

  it("backs the configured clusters up on the configured schedule and copies each recovery point into the DR vault with its own lifecycle", () => {
    const plan = only(source(), "aws_backup_plan");
    expect(plan.name).toBe("rsdr-analytics-redshift");
    expect(plan.rule).toHaveLength(1);
    const rule = plan.rule[0];
    expect(rule).toMatchObject({
      schedule: "cron(0 3 * * ? *)",
      schedule_expression_timezone: "Europe/London",
      start_window: 60,
      completion_window: 480,
      lifecycle: { delete_after: 3 },
      recovery_point_tags: { "rsdr:approach": "aws-backup" },
    });
    expect(rule.target_vault_name).toMatch(/^\$\{aws_backup_vault\.backup_vault_.*\.name\}$/);
    expect(rule.copy_action).toEqual([{ destination_vault_arn: DR_VAULT_ARN, lifecycle: { delete_after: 14 } }]);
  });

  it('writes a copy kept "never" as 100 years', () => {
    const json = synth((c) => {
      c.sources[0].backup.copyRetentionDays = "never";
      delete c.dr.backup.lock.maxRetentionDays;
      c.dr.manualSnapshotQuota = 100000;
    })["source-analytics"];
    expect(only(json, "aws_backup_plan").rule[0].copy_action[0].lifecycle).toEqual({ delete_after: 36500 });
  });

  it("selects the clusters by ARN, or only this account's tagged Redshift clusters when selecting by tag", () => {
    const byArn = only(source(), "aws_backup_selection");
    expect(byArn.name).toBe("rsdr-analytics-clusters");
    expect(byArn.resources).toEqual([expect.stringMatching(/^\$\{aws_redshift_cluster\.cluster-analytics-prod_cluster_[0-9A-F]+\.arn\}$/)]);
    expect(byArn.selection_tag).toBeUndefined();
    const tagged = synth((c) => (c.sources[0].backup.selectByTag = { key: "backup", value: "rsdr" }))["source-analytics"];
    const byTag = only(tagged, "aws_backup_selection");
    expect(byTag.resources).toEqual(["arn:aws:redshift:eu-west-2:222222222222:cluster:*"]);
    expect(byTag.selection_tag).toEqual([{ type: "STRINGEQUALS", key: "backup", value: "rsdr" }]);
    // The clusters the stack creates carry the tag, so the selection finds them; without it they carry none of their own.
    expect(only(tagged, "aws_redshift_cluster").tags).toEqual({ backup: "rsdr" });
    expect(only(source(), "aws_redshift_cluster").tags).toBeUndefined();
  });

  it("gives AWS Backup a role with its managed backup and restore policies, the copy into exactly the DR vault, and the cluster key", () => {
    const json = source();
    const role = resources(json, "aws_iam_role").find((r) => r.name === "rsdr-analytics-backup");
    expect(JSON.parse(role.assume_role_policy).Statement[0].Principal).toEqual({ Service: "backup.amazonaws.com" });
    const attached = resources(json, "aws_iam_role_policy_attachment").map((a) => a.policy_arn).sort();
    expect(attached).toEqual([
      "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup",
      "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores",
    ]);
    const policy = resources(json, "aws_iam_role_policy").find((p) => p.name === "copy-and-keys").policy;
    expect(bySid(policy, "CopyIntoTheDrVault")).toEqual({ Effect: "Allow", Sid: "CopyIntoTheDrVault", Action: "backup:CopyIntoBackupVault", Resource: DR_VAULT_ARN });
    expect(bySid(policy, "GrantClusterKeysToServices")).toMatchObject({ Action: "kms:CreateGrant", Condition: { Bool: { "kms:GrantIsForAWSResource": "true" } } });
    expect(bySid(policy, "UseClusterKeysThroughServices").Resource).toEqual([expect.stringMatching(/^\$\{aws_kms_key\.data-key_[0-9A-F]+\.arn\}$/)]);
  });

  it("shares the cluster key with the DR account for the copy: read-side actions, and grants only for AWS services", () => {
    const key = resources(source(), "aws_kms_key").find((k) => k.description.startsWith("Encrypts the Redshift clusters"));
    expect(bySid(key.policy, "CrossAccountBackupCopyRead")).toEqual({
      Effect: "Allow",
      Sid: "CrossAccountBackupCopyRead",
      Principal: { AWS: "arn:aws:iam::999999999999:root" },
      Action: ["kms:Decrypt", "kms:DescribeKey", "kms:ReEncryptFrom", "kms:GenerateDataKeyWithoutPlaintext"],
      Resource: "*",
    });
    expect(bySid(key.policy, "CrossAccountBackupCopyGrants")).toMatchObject({
      Principal: { AWS: "arn:aws:iam::999999999999:root" },
      Action: "kms:CreateGrant",
      Condition: { Bool: { "kms:GrantIsForAWSResource": "true" } },
    });
    // Without AWS Backup the key policy has no copy statements.
    const nativeOnly = resources(synthEstate(estateOf(rawExample()))["source-analytics"], "aws_kms_key").map((k) => k.policy).join();
    expect(nativeOnly).not.toMatch(/CrossAccountBackupCopy/);
  });

  it("notifies failed backup and copy jobs: vault notifications filtered to non-COMPLETED states, an EventBridge rule with an alarm", () => {
    const json = source();
    const notifications = only(json, "aws_backup_vault_notifications");
    expect(notifications.backup_vault_events).toEqual(["BACKUP_JOB_COMPLETED", "COPY_JOB_FAILED"]);
    const topics = resources(json, "aws_sns_topic").map((t) => t.name);
    expect(topics).toEqual(expect.arrayContaining(["rsdr-analytics-backup-alerts", "rsdr-analytics-backup-notifications"]));
    const filtered = resources(json, "aws_sns_topic_subscription").filter((s) => s.filter_policy);
    expect(filtered).toHaveLength(1);
    expect(JSON.parse(filtered[0].filter_policy)).toEqual({ State: [{ "anything-but": ["COMPLETED"] }] });
    expect(filtered[0].filter_policy_scope).toBe("MessageAttributes");
    const notificationPolicy = resources(json, "aws_sns_topic_policy").map((p) => p.policy).find((p) => p.includes("BackupNotificationsOfThisAccount"));
    expect(bySid(notificationPolicy, "BackupNotificationsOfThisAccount")).toMatchObject({
      Principal: { Service: "backup.amazonaws.com" },
      Condition: { StringEquals: { "aws:SourceAccount": "222222222222" } },
    });

    const rules = resources(json, "aws_cloudwatch_event_rule");
    const failed = rules.find((r) => r.name === "rsdr-analytics-backup-jobs-failed");
    expect(JSON.parse(failed.event_pattern)).toEqual({
      source: ["aws.backup"],
      "detail-type": ["Backup Job State Change", "Copy Job State Change"],
      detail: { $or: [{ state: ["FAILED", "ABORTED", "EXPIRED"] }, { status: ["FAILED", "ABORTED", "EXPIRED"] }] },
    });
    const alarm = resources(json, "aws_cloudwatch_metric_alarm").find((a) => a.alarm_name === "rsdr-analytics-backup-jobs-failed");
    expect(alarm).toMatchObject({ namespace: "AWS/Events", metric_name: "MatchedEvents", threshold: 0, comparison_operator: "GreaterThanThreshold" });
  });

  it("forwards failed copy jobs to the DR account's event bus with a role that may put events there only", () => {
    const json = source();
    const forward = resources(json, "aws_cloudwatch_event_rule").find((r) => r.name === "rsdr-analytics-copy-failed-to-dr");
    expect(JSON.parse(forward.event_pattern)["detail-type"]).toEqual(["Copy Job State Change"]);
    const target = resources(json, "aws_cloudwatch_event_target").find((t) => t.target_id === "dr-event-bus");
    expect(target.arn).toBe("arn:aws:events:eu-west-2:999999999999:event-bus/rsdr-dr-backup-events");
    const put = resources(json, "aws_iam_role_policy").find((p) => p.name === "put-events-to-dr-bus");
    expect(statements(put.policy)).toEqual([
      { Effect: "Allow", Sid: "PutEventsToDrBus", Action: "events:PutEvents", Resource: "arn:aws:events:eu-west-2:999999999999:event-bus/rsdr-dr-backup-events" },
    ]);
  });

  it("leaves the account-wide Redshift opt-in alone unless asked, and then sets Redshift only and ignores later changes", () => {
    expect(resources(source(), "aws_backup_region_settings")).toEqual([]);
    const settings = only(synth((c) => (c.sources[0].backup.manageRegionOptIn = true))["source-analytics"], "aws_backup_region_settings");
    expect(settings.resource_type_opt_in_preference).toEqual({ Redshift: true });
    expect(settings.lifecycle.ignore_changes).toEqual(["resource_type_opt_in_preference"]);
  });
});

describe("DR stack with AWS Backup", () => {
  const dr = () => synth().dr;

  it("lets exactly the source accounts copy in, and nobody but the break-glass role delete or shorten a recovery point", () => {
    const policy = only(dr(), "aws_backup_vault_policy").policy;
    expect(statements(policy)).toEqual([
      {
        Effect: "Allow",
        Sid: "CopySourcesCopyIn",
        Principal: { AWS: ["arn:aws:iam::222222222222:root"] },
        Action: "backup:CopyIntoBackupVault",
        Resource: "*",
      },
      {
        Effect: "Deny",
        Sid: "NoDeletionButBreakGlass",
        Principal: "*",
        Action: ["backup:DeleteRecoveryPoint", "backup:UpdateRecoveryPointLifecycle"],
        Resource: "*",
        Condition: { ArnNotEquals: { "aws:PrincipalArn": "arn:aws:iam::999999999999:role/dr-backup-break-glass" } },
      },
    ]);
  });

  it("names the organization instead when copies may come from any of its accounts, and denies deletion to all without a break-glass role", () => {
    const json = synth((c) => {
      c.dr.backup.copyFrom = "organization";
      delete c.dr.backup.breakGlassRoleArn;
    }).dr;
    const [copyIn, deny] = statements(only(json, "aws_backup_vault_policy").policy);
    expect(copyIn).toMatchObject({ Principal: "*", Condition: { StringEquals: { "aws:PrincipalOrgID": "o-a1b2c3d4e5" } } });
    expect(deny).toEqual({ Effect: "Deny", Sid: "NoDeletion", Principal: "*", Action: ["backup:DeleteRecoveryPoint", "backup:UpdateRecoveryPointLifecycle"], Resource: "*" });
    const bus = only(json, "aws_cloudwatch_event_bus_policy").policy;
    expect(statements(bus)[0]).toMatchObject({ Principal: "*", Action: "events:PutEvents", Condition: { StringEquals: { "aws:PrincipalOrgID": "o-a1b2c3d4e5" } } });
  });

  it("locks the vault as configured: governance without cooling-off, compliance with it", () => {
    expect(only(dr(), "aws_backup_vault_lock_configuration")).toMatchObject({ min_retention_days: 7, max_retention_days: 3650 });
    expect(only(dr(), "aws_backup_vault_lock_configuration").changeable_for_days).toBeUndefined();
    const compliance = synth((c) => (c.dr.backup.lock = { mode: "compliance", changeableForDays: 3, minRetentionDays: 7, maxRetentionDays: 30 })).dr;
    expect(only(compliance, "aws_backup_vault_lock_configuration")).toMatchObject({ changeable_for_days: 3, min_retention_days: 7, max_retention_days: 30 });
  });

  it("encrypts the vault with a key of its own that the source accounts may use only to write copies and grant to AWS services", () => {
    const json = dr();
    const vault = only(json, "aws_backup_vault");
    expect(vault.name).toBe("rsdr-dr");
    const key = resources(json, "aws_kms_key").find((k) => k.description.includes("AWS Backup copies"));
    expect(vault.kms_key_arn).toMatch(/^\$\{aws_kms_key\.backup-key_[0-9A-F]+\.arn\}$/);
    expect(bySid(key.policy, "CopySourcesEncryptCopies")).toMatchObject({
      Principal: { AWS: ["arn:aws:iam::222222222222:root"] },
      Action: ["kms:DescribeKey", "kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*"],
    });
    expect(bySid(key.policy, "CopySourcesGrantToAwsBackup")).toMatchObject({ Action: "kms:CreateGrant", Condition: { Bool: { "kms:GrantIsForAWSResource": "true" } } });
    // The restore key stays the DR account's alone.
    const restoreKey = resources(json, "aws_kms_key").find((k) => k.description.startsWith("Encrypts Redshift clusters restored"));
    expect(restoreKey.policy).not.toMatch(/222222222222/);
  });

  it("alarms in DR on failed copies the sources forward, from those accounts only", () => {
    const json = dr();
    expect(only(json, "aws_cloudwatch_event_bus").name).toBe("rsdr-dr-backup-events");
    const busPolicy = statements(only(json, "aws_cloudwatch_event_bus_policy").policy);
    expect(busPolicy).toEqual([
      { Effect: "Allow", Sid: "CopySourcesPutEvents", Principal: { AWS: ["arn:aws:iam::222222222222:root"] }, Action: "events:PutEvents", Resource: expect.stringMatching(/aws_cloudwatch_event_bus\..*\.arn/) },
    ]);
    const rule = resources(json, "aws_cloudwatch_event_rule").find((r) => r.name === "rsdr-dr-copies-failed");
    expect(JSON.parse(rule.event_pattern)).toMatchObject({ source: ["aws.backup"], account: ["222222222222"], "detail-type": ["Copy Job State Change"] });
    const alarm = resources(json, "aws_cloudwatch_metric_alarm").find((a) => a.alarm_name === "rsdr-dr-copies-failed");
    expect(alarm.dimensions).toEqual({ RuleName: expect.any(String), EventBusName: expect.any(String) });
  });
});

describe("DR monitor with AWS Backup", () => {
  const monitorEnv = (json: any) => resources(json, "aws_lambda_function").find((f) => f.function_name === "rsdr-dr-monitor").environment.variables;

  it("watches the DR vault's recovery points of each backed-up cluster next to its shared snapshots, with its own RPO alarm", () => {
    const json = synth().dr;
    const env = monitorEnv(json);
    expect(env.BACKUP_VAULT_NAME).toMatch(/^\$\{aws_backup_vault\.backup-vault_[0-9A-F]+\.name\}$/);
    expect(JSON.parse(env.SOURCES)).toEqual([
      { accountId: "222222222222", clusters: ["analytics-prod"] },
      { accountId: "222222222222", clusters: ["analytics-prod"], approaches: ["backup"], region: "eu-west-2", partition: "aws" },
    ]);
    const alarm = resources(json, "aws_cloudwatch_metric_alarm").find((a) => a.alarm_name === "rsdr-dr-monitor-222222222222-analytics-prod-backup-rpo-exceeded");
    // Daily backups, 8-hour completion window: 24 + 8 + 2 hours.
    expect(alarm).toMatchObject({ metric_name: "NewestRecoveryPointAgeHours", threshold: 34, treat_missing_data: "breaching" });
    const policy = resources(json, "aws_iam_role_policy").map((p) => p.policy).find((p) => p.includes("ListDrVaultRecoveryPoints"));
    expect(bySid(policy, "ListDrVaultRecoveryPoints")).toEqual({
      Effect: "Allow",
      Sid: "ListDrVaultRecoveryPoints",
      Action: "backup:ListRecoveryPointsByBackupVault",
      Resource: expect.stringMatching(/^\$\{aws_backup_vault\.backup-vault_[0-9A-F]+\.arn\}$/),
    });
  });

  it("exists for an estate with AWS Backup alone, watching recovery points only", () => {
    const json = synth((c) => (c.sources[0].native = { enabled: false })).dr;
    expect(JSON.parse(monitorEnv(json).SOURCES)).toEqual([
      { accountId: "222222222222", clusters: ["analytics-prod"], approaches: ["backup"], region: "eu-west-2", partition: "aws" },
    ]);
    const alarms = resources(json, "aws_cloudwatch_metric_alarm").map((a) => a.alarm_name);
    expect(alarms).toContain("rsdr-dr-monitor-222222222222-analytics-prod-backup-rpo-exceeded");
    expect(alarms).not.toContain("rsdr-dr-monitor-222222222222-analytics-prod-rpo-exceeded");
  });
});

describe("restore operator role with a DR vault", () => {
  it("may list the vault and restore its copies of the backed-up clusters, using the vault key only through Redshift", () => {
    const json = synth().dr;
    const role = resources(json, "aws_iam_role_policy").find((p) => p.name === "restore-shared-snapshots").policy;
    expect(bySid(role, "ListDrVaultRecoveryPoints")).toMatchObject({
      Action: "backup:ListRecoveryPointsByBackupVault",
      Resource: expect.stringMatching(/^\$\{aws_backup_vault\.backup-vault_[0-9A-F]+\.arn\}$/),
    });
    expect(bySid(role, "RestoreVaultCopies").Resource).toEqual(["arn:aws:redshift:eu-west-2:999999999999:snapshot:analytics-prod/awsbackup:*"]);
    expect(bySid(role, "ReadVaultKeyThroughRedshift")).toMatchObject({
      Action: ["kms:Decrypt", "kms:DescribeKey"],
      Resource: expect.stringMatching(/^\$\{aws_kms_key\.backup-key_[0-9A-F]+\.arn\}$/),
      Condition: { StringEquals: { "kms:ViaService": "redshift.eu-west-2.amazonaws.com" } },
    });
    // Without a DR vault, none of it.
    const plain = resources(synthEstate(estateOf(rawExample())).dr, "aws_iam_role_policy").find((p) => p.name === "restore-shared-snapshots").policy;
    expect(plain).not.toMatch(/backup:|awsbackup/);
  });
});

describe("organization stack", () => {
  it("turns cross-account backup on in the management account, writing every key of the setting", () => {
    const org = synth().org;
    expect(org.provider.aws[0].allowed_account_ids).toEqual(["100000000000"]);
    expect(only(org, "aws_backup_global_settings").global_settings).toEqual({
      isCrossAccountBackupEnabled: "true",
      isDelegatedAdministratorEnabled: "false",
      isMpaEnabled: "false",
    });
  });

  it("is not synthesized unless the management account is configured", () => {
    expect(Object.keys(synth((c) => delete c.organization.management))).toEqual(expect.not.arrayContaining(["org"]));
    expect(Object.keys(synthEstate(estateOf(rawExample())))).toEqual(expect.not.arrayContaining(["org"]));
  });
});
