// The AWS Backup constructs on their own, as another CDKTF app would use them (props only, no project config):
// what they refuse, and what they build from minimal props.
import { TerraformStack, Testing } from "cdktf";
import { CrossAccountBackupPlan, CrossAccountBackupPlanProps } from "../../stacks/constructs/backup-plan";
import { LockedBackupVault, LockedBackupVaultProps } from "../../stacks/constructs/backup-vault";
import { ValidationError } from "../../stacks/constructs/validation";

const KEY = "arn:aws:kms:eu-west-2:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const DR_KEY = "arn:aws:kms:eu-west-2:999999999999:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const DR_VAULT = "arn:aws:backup:eu-west-2:999999999999:backup-vault:dr-vault";

const plan: CrossAccountBackupPlanProps = {
  namePrefix: "app-sales",
  accountId: "111111111111",
  region: "eu-west-2",
  vaultKmsKeyArn: KEY,
  clusterKmsKeyArns: [KEY],
  scheduleExpression: "cron(0 3 * * ? *)",
  retentionDays: 7,
  copy: { vaultArn: DR_VAULT, retentionDays: 30 },
  clusterArns: ["arn:aws:redshift:eu-west-2:111111111111:cluster:sales"],
  alertKmsKeyArn: KEY,
};
const vault: LockedBackupVaultProps = {
  vaultName: "dr-vault",
  accountId: "999999999999",
  region: "eu-west-2",
  kmsKeyArn: DR_KEY,
  copySources: { accountIds: ["111111111111"] },
  lock: { minRetentionDays: 7, maxRetentionDays: 365 },
};

function synthOf(build: (stack: TerraformStack) => void): any {
  const app = Testing.app();
  const stack = new TerraformStack(app, "stack");
  build(stack);
  return JSON.parse(Testing.synth(stack));
}
const build = (fn: (stack: TerraformStack) => void) => () => synthOf(fn);

describe("CrossAccountBackupPlan", () => {
  it.each<[string, Partial<CrossAccountBackupPlanProps>, RegExp]>([
    ["a copy into its own account", { copy: { vaultArn: "arn:aws:backup:eu-west-2:111111111111:backup-vault:own-vault", retentionDays: 30 } }, /copy\.vaultArn: .* a vault of another account/],
    ["a vault ARN that is not one", { copy: { vaultArn: "dr-vault", retentionDays: 30 } }, /copy\.vaultArn: "dr-vault" is not valid: a backup vault ARN/],
    ["a rate schedule", { scheduleExpression: "rate(1 day)" }, /scheduleExpression: "rate\(1 day\)" is not valid: an AWS Backup cron expression/],
    ["a start window under 60 minutes", { startWindowMinutes: 30 }, /startWindowMinutes: 30 is not valid: an integer from 60 to 43200/],
    ["a completion window under start + 60", { startWindowMinutes: 120, completionWindowMinutes: 150 }, /completionWindowMinutes: 150 is not valid: an integer from 180 to 43200/],
    ["a copy kept longer than 100 years", { copy: { vaultArn: DR_VAULT, retentionDays: 36501 } }, /copy\.retentionDays: 36501 is not valid: an integer from 1 to 36500/],
    ["both ARNs and a tag", { selectionTag: { key: "k", value: "v" } }, /clusterArns: .* exactly one of clusterArns \(non-empty\) and selectionTag/],
    ["an AWS-managed key alias for a cluster", { clusterKmsKeyArns: ["alias/aws/redshift"] }, /clusterKmsKeyArns\[0\]: "alias\/aws\/redshift" is not valid: a KMS key ARN/],
  ])("refuses %s, naming the construct, the field and the value", (_name, change, message) => {
    const run = build((s) => new CrossAccountBackupPlan(s, "backup", { ...plan, ...change }));
    expect(run).toThrow(ValidationError);
    expect(run).toThrow(message);
  });

  it("builds from minimal props: defaults of 60/480-minute windows in UTC, no forwarding, no region opt-in", () => {
    const json = synthOf((s) => new CrossAccountBackupPlan(s, "backup", plan));
    const rule = Object.values(json.resource.aws_backup_plan as Record<string, any>)[0].rule[0];
    expect(rule).toMatchObject({ start_window: 60, completion_window: 480, schedule_expression_timezone: "UTC" });
    expect(rule.copy_action).toEqual([{ destination_vault_arn: DR_VAULT, lifecycle: { delete_after: 30 } }]);
    expect(Object.values(json.resource.aws_cloudwatch_event_rule as Record<string, any>).map((r) => r.name)).toEqual(["app-sales-backup-jobs-failed"]);
    expect(json.resource.aws_backup_region_settings).toBeUndefined();
  });
});

describe("LockedBackupVault", () => {
  it.each<[string, Partial<LockedBackupVaultProps>, RegExp]>([
    ["a compliance lock changeable for less than 3 days", { lock: { changeableForDays: 2 } }, /lock\.changeableForDays: 2 is not valid: an integer from 3 to 36500/],
    ["a lock maximum below its minimum", { lock: { minRetentionDays: 30, maxRetentionDays: 7 } }, /lock\.maxRetentionDays: 7 is not valid: an integer from 30 to 36500/],
    ["a malformed organization id", { copySources: { organizationId: "o-short" } }, /copySources\.organizationId: "o-short" is not valid: an AWS Organizations id/],
    ["its own account as a copy source", { copySources: { accountIds: ["999999999999"] } }, /copySources\.accountIds\[0\]: "999999999999" is not valid: an account other than the vault's own/],
    ["no copy source", { copySources: { accountIds: [] } }, /copySources\.accountIds: \[\] is not valid: at least one account id/],
    ["an account root as break-glass principal", { breakGlassPrincipalArn: "arn:aws:iam::999999999999:root" }, /breakGlassPrincipalArn: .* is not valid: an IAM role or user ARN/],
    ["an AWS-managed vault key", { kmsKeyArn: "alias/aws/backup" }, /kmsKeyArn: "alias\/aws\/backup" is not valid: a customer-managed KMS key ARN/],
  ])("refuses %s", (_name, change, message) => {
    const run = build((s) => new LockedBackupVault(s, "vault", { ...vault, ...change }));
    expect(run).toThrow(ValidationError);
    expect(run).toThrow(message);
  });

  it("without a lock or a break-glass principal: no lock resource, deletion denied to everyone", () => {
    const json = synthOf((s) => new LockedBackupVault(s, "vault", { ...vault, lock: undefined }));
    expect(json.resource.aws_backup_vault_lock_configuration).toBeUndefined();
    const policy = JSON.parse(Object.values(json.resource.aws_backup_vault_policy as Record<string, any>)[0].policy);
    expect(policy.Statement[1]).toEqual({
      Effect: "Deny",
      Sid: "NoDeletion",
      Principal: "*",
      Action: ["backup:DeleteRecoveryPoint", "backup:UpdateRecoveryPointLifecycle"],
      Resource: "*",
    });
    expect(json.resource.aws_cloudwatch_event_bus).toBeUndefined();
  });
});
