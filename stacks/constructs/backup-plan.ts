// Source-account side of AWS Backup (approach 3): a vault, a plan whose one rule backs the selected Redshift
// clusters up on a schedule and copies each recovery point into a vault of another account, the role AWS Backup
// works with, and the alerts on failed backup and copy jobs. Copy failures are also forwarded to an event bus of
// the DR account, so that DR alarms on them too.
//
// Reusable from any CDKTF app: everything comes from props, nothing from the project config.
// AWS sources: docs/aws-behaviour.md, "AWS Backup (approach 3)".
import { Construct } from "constructs";
import { BackupPlan } from "@cdktf/provider-aws/lib/backup-plan";
import { BackupRegionSettings } from "@cdktf/provider-aws/lib/backup-region-settings";
import { BackupSelection } from "@cdktf/provider-aws/lib/backup-selection";
import { BackupVault } from "@cdktf/provider-aws/lib/backup-vault";
import { BackupVaultNotifications } from "@cdktf/provider-aws/lib/backup-vault-notifications";
import { CloudwatchEventRule } from "@cdktf/provider-aws/lib/cloudwatch-event-rule";
import { CloudwatchEventTarget } from "@cdktf/provider-aws/lib/cloudwatch-event-target";
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { ACCOUNT_ID, KMS_KEY_ARN, MAX_BACKUP_LIFECYCLE_DAYS } from "../../contract";
import { AlertTopic } from "./alert-topic";
import { backupPlanNames } from "./backup-names";
import { failedJobsAlarm, failedJobsPattern, BACKUP_JOB_DETAIL_TYPES } from "./backup-events";
import { serviceRole } from "./service-role";
import { accountRoot, PolicyStatement } from "./iam";
import { PropChecks } from "./validation";

/** Recovery points kept 100 years never expire in practice; AWS Backup's longest lifecycle. */

export interface BackupCopyTarget {
  /** ARN of the vault in the other account: `arn:<partition>:backup:<region>:<account>:backup-vault:<name>`. */
  readonly vaultArn: string;
  /** Days the copy is kept (1-36500; 36500 is "never": a copy without its own lifecycle inherits its source's expiry). */
  readonly retentionDays: number;
  /**
   * Event bus of the other account that receives this account's failed copy-job events (its policy must let this
   * account put events). @default none: copy failures alarm here only
   */
  readonly failedCopyEventBusArn?: string;
}

export interface CrossAccountBackupPlanProps {
  /** Prefix of every name, e.g. `rsdr-analytics`: vault `<prefix>-backup`, plan `<prefix>-redshift`, role `<prefix>-backup`. */
  readonly namePrefix: string;
  /** The source account, owner of the clusters. */
  readonly accountId: string;
  /** Region of the clusters and the plan. */
  readonly region: string;
  /** Partition of the ARNs. @default "aws" */
  readonly partition?: string;
  /** Key of the source vault (a Redshift recovery point itself stays encrypted with its cluster's key). */
  readonly vaultKmsKeyArn: string;
  /** Keys of the selected clusters: the backup role may use them through AWS Backup and Redshift only. */
  readonly clusterKmsKeyArns: readonly string[];
  /** AWS Backup cron expression, e.g. `cron(0 3 * * ? *)`. */
  readonly scheduleExpression: string;
  /** IANA time zone of the cron expression. @default "UTC" */
  readonly scheduleTimezone?: string;
  /** Minutes a backup may wait to start (60-43200). @default 60 (AWS Backup's minimum) */
  readonly startWindowMinutes?: number;
  /** Minutes a backup may take, at least an hour more than the start window (up to 43200). @default 480 */
  readonly completionWindowMinutes?: number;
  /** Days recovery points stay in the source vault. */
  readonly retentionDays: number;
  /** Tags on every recovery point. @default {} */
  readonly recoveryPointTags?: Readonly<Record<string, string>>;
  /** The vault of the other account every recovery point is copied into. */
  readonly copy: BackupCopyTarget;
  /** The clusters backed up, by ARN. Exactly one of clusterArns and selectionTag. @default none: selectionTag selects */
  readonly clusterArns?: readonly string[];
  /** Back up every Redshift cluster of this account and region that carries this tag. @default none: clusterArns selects */
  readonly selectionTag?: {
    /** Tag key. */
    readonly key: string;
    /** Tag value the clusters must carry. */
    readonly value: string;
  };
  /** Key encrypting the alert topics (its policy must let AWS Backup, EventBridge and CloudWatch use it). */
  readonly alertKmsKeyArn: string;
  /** E-mail addresses subscribed to the alert topics. @default [] */
  readonly alertEmails?: readonly string[];
  /**
   * Opt this account and region in to AWS Backup for Redshift (aws_backup_region_settings). Account-wide: only
   * Redshift is set, at creation; later changes to the setting are ignored so that other teams' types are never
   * overwritten. @default false
   */
  readonly manageRegionOptIn?: boolean;
  /** Tags of every resource. @default {} */
  readonly tags?: Readonly<Record<string, string>>;
}

const BACKUP_VAULT_ARN = /^arn:aws[a-z-]*:backup:[a-z0-9-]+:\d{12}:backup-vault:[A-Za-z0-9_-]{2,50}$/;
const EVENT_BUS_ARN = /^arn:aws[a-z-]*:events:[a-z0-9-]+:\d{12}:event-bus\/[A-Za-z0-9._/-]{1,256}$/;

/**
 * An AWS Backup plan for Redshift clusters with a cross-account copy action. The prerequisites Terraform cannot
 * create here are named in docs/aws-backup.md: organization membership,
 * cross-account backup turned on in the management account, the Redshift opt-in of the region, and the DR vault's
 * access policy.
 */
export class CrossAccountBackupPlan extends Construct {
  public readonly vault: BackupVault;
  public readonly plan: BackupPlan;
  public readonly selection: BackupSelection;
  public readonly role: IamRole;
  public readonly alertTopic: AlertTopic;
  public readonly notificationTopic: AlertTopic;
  public readonly failedJobsRule: CloudwatchEventRule;
  public readonly failedJobsAlarm: CloudwatchMetricAlarm;
  /** The rule forwarding failed copy jobs to the other account, when `copy.failedCopyEventBusArn` is set. */
  public readonly copyFailureForwardRule?: CloudwatchEventRule;
  public readonly regionSettings?: BackupRegionSettings;
  public readonly vaultName: string;
  public readonly vaultArn: string;

  constructor(scope: Construct, id: string, props: CrossAccountBackupPlanProps) {
    super(scope, id);
    const check = new PropChecks("CrossAccountBackupPlan", this);
    check.pattern("namePrefix", props.namePrefix, /^[A-Za-z0-9_-]{1,40}$/, "1-40 letters, digits, hyphens and underscores (names add up to 23 characters)");
    check.pattern("accountId", props.accountId, ACCOUNT_ID, "a 12-digit AWS account id");
    check.pattern("vaultKmsKeyArn", props.vaultKmsKeyArn, KMS_KEY_ARN, "a KMS key ARN");
    props.clusterKmsKeyArns.forEach((k, i) => check.pattern(`clusterKmsKeyArns[${i}]`, k, KMS_KEY_ARN, "a KMS key ARN (an AWS-managed key cannot be shared with another account)"));
    check.pattern("scheduleExpression", props.scheduleExpression, /^cron\(.+\)$/, "an AWS Backup cron expression, e.g. cron(0 3 * * ? *)");
    const startWindow = props.startWindowMinutes ?? 60;
    const completionWindow = props.completionWindowMinutes ?? 480;
    check.intRange("startWindowMinutes", startWindow, 60, 43200);
    check.intRange("completionWindowMinutes", completionWindow, startWindow + 60, 43200);
    check.intRange("retentionDays", props.retentionDays, 1, MAX_BACKUP_LIFECYCLE_DAYS);
    check.intRange("copy.retentionDays", props.copy.retentionDays, 1, MAX_BACKUP_LIFECYCLE_DAYS);
    check.pattern("copy.vaultArn", props.copy.vaultArn, BACKUP_VAULT_ARN, "a backup vault ARN: arn:aws:backup:<region>:<account>:backup-vault:<name>");
    check.pattern("copy.failedCopyEventBusArn", props.copy.failedCopyEventBusArn, EVENT_BUS_ARN, "an event bus ARN: arn:aws:events:<region>:<account>:event-bus/<name>");
    const copyAccount = props.copy.vaultArn.split(":")[4];
    if (copyAccount === props.accountId) check.fail("copy.vaultArn", props.copy.vaultArn, "a vault of another account (this plan makes cross-account copies)");
    if (!props.clusterArns === !props.selectionTag) check.fail("clusterArns", props.clusterArns, "exactly one of clusterArns (non-empty) and selectionTag");
    if (props.clusterArns) check.uniqueList("clusterArns", props.clusterArns, "cluster ARN");
    if (props.clusterKmsKeyArns.length === 0) check.fail("clusterKmsKeyArns", props.clusterKmsKeyArns, "at least one key: the keys of the selected clusters");

    const partition = props.partition ?? "aws";
    const prefix = props.namePrefix;
    const tags = { ...(props.tags ?? {}) };
    const names = backupPlanNames(prefix);

    this.vault = new BackupVault(this, "vault", { name: names.vault, kmsKeyArn: props.vaultKmsKeyArn, tags });
    this.vaultName = this.vault.name;
    this.vaultArn = this.vault.arn;

    // AWS Backup's own managed policies for backup and restore, plus what they do not name: the copy into the
    // other account's vault, and the clusters' keys (through AWS Backup and Redshift only).
    const statements: PolicyStatement[] = [
      { Sid: "CopyIntoTheDrVault", Action: "backup:CopyIntoBackupVault", Resource: props.copy.vaultArn },
      {
        Sid: "UseClusterKeysThroughServices",
        Action: ["kms:Decrypt", "kms:DescribeKey"],
        Resource: [...new Set(props.clusterKmsKeyArns)],
        Condition: { StringEquals: { "kms:ViaService": [`backup.${props.region}.amazonaws.com`, `redshift.${props.region}.amazonaws.com`] } },
      },
      {
        Sid: "GrantClusterKeysToServices",
        Action: "kms:CreateGrant",
        Resource: [...new Set(props.clusterKmsKeyArns)],
        Condition: { Bool: { "kms:GrantIsForAWSResource": "true" } },
      },
    ];
    // AWS Backup does not send aws:SourceAccount when it assumes the role, so the trust names the service only.
    const { role } = serviceRole(this, {
      name: names.role,
      description: `AWS Backup runs the Redshift backups and copies of ${prefix} with this role`,
      service: "backup.amazonaws.com",
      policyName: "copy-and-keys",
      statements,
      tags,
    });
    this.role = role;
    for (const [policyId, policy] of [
      ["backup", "AWSBackupServiceRolePolicyForBackup"],
      ["restores", "AWSBackupServiceRolePolicyForRestores"],
    ]) {
      new IamRolePolicyAttachment(this, `managed-${policyId}`, {
        role: role.name,
        policyArn: `arn:${partition}:iam::aws:policy/service-role/${policy}`,
      });
    }

    const lifecycle = (days: number) => ({ deleteAfter: days });
    this.plan = new BackupPlan(this, "plan", {
      name: names.plan,
      rule: [
        {
          ruleName: "scheduled-with-dr-copy",
          targetVaultName: this.vault.name,
          schedule: props.scheduleExpression,
          scheduleExpressionTimezone: props.scheduleTimezone ?? "UTC",
          startWindow,
          completionWindow,
          lifecycle: lifecycle(props.retentionDays),
          recoveryPointTags: { ...(props.recoveryPointTags ?? {}) },
          copyAction: [{ destinationVaultArn: props.copy.vaultArn, lifecycle: lifecycle(props.copy.retentionDays) }],
        },
      ],
      tags,
    });

    const clustersOfThisAccount = `arn:${partition}:redshift:${props.region}:${props.accountId}:cluster:*`;
    this.selection = new BackupSelection(this, "selection", {
      name: `${prefix}-clusters`,
      planId: this.plan.id,
      iamRoleArn: role.arn,
      ...(props.clusterArns
        ? { resources: [...props.clusterArns] }
        : {
            // Tagged Redshift clusters of this account only, not every tagged resource.
            resources: [clustersOfThisAccount],
            selectionTag: [{ type: "STRINGEQUALS", key: props.selectionTag!.key, value: props.selectionTag!.value }],
          }),
    });

    this.alertTopic = new AlertTopic(this, "alerts", {
      topicName: `${prefix}-backup-alerts`,
      kmsKeyArn: props.alertKmsKeyArn,
      emails: props.alertEmails,
      allowEventBridgeRules: true,
      accountId: props.accountId,
      region: props.region,
      partition,
      tags,
    });
    // Vault notifications report a failed backup as BACKUP_JOB_COMPLETED with State FAILED (there is no
    // BACKUP_JOB_FAILED event): a topic of their own, whose e-mails pass every state but COMPLETED.
    this.notificationTopic = new AlertTopic(this, "notifications", {
      topicName: `${prefix}-backup-notifications`,
      kmsKeyArn: props.alertKmsKeyArn,
      emails: props.alertEmails,
      allowCloudWatchAlarms: false,
      allowBackupNotifications: true,
      emailFilterPolicy: { State: [{ "anything-but": ["COMPLETED"] }] },
      accountId: props.accountId,
      region: props.region,
      partition,
      tags,
    });
    new BackupVaultNotifications(this, "vault-notifications", {
      backupVaultName: this.vault.name,
      snsTopicArn: this.notificationTopic.topicArn,
      backupVaultEvents: ["BACKUP_JOB_COMPLETED", "COPY_JOB_FAILED"],
    });

    this.failedJobsRule = new CloudwatchEventRule(this, "failed-jobs", {
      name: `${prefix}-backup-jobs-failed`,
      description: `Failed, aborted or expired AWS Backup backup and copy jobs of ${prefix}`,
      eventPattern: JSON.stringify(failedJobsPattern([...BACKUP_JOB_DETAIL_TYPES])),
      tags,
    });
    new CloudwatchEventTarget(this, "failed-jobs-to-alerts", {
      rule: this.failedJobsRule.name,
      targetId: "alert-topic",
      arn: this.alertTopic.topicArn,
    });
    this.failedJobsAlarm = failedJobsAlarm(this, "failed-jobs-alarm", {
      alarmName: `${prefix}-backup-jobs-failed`,
      ruleName: this.failedJobsRule.name,
      topicArn: this.alertTopic.topicArn,
      description: `An AWS Backup backup or copy job of ${prefix} failed: see the job in the AWS Backup console of account ${props.accountId}`,
      tags,
    });

    if (props.copy.failedCopyEventBusArn) {
      const busArn = props.copy.failedCopyEventBusArn;
      const forwardRole = serviceRole(new Construct(this, "forward-to-dr"), {
        name: `${prefix}-backup-events-to-dr`,
        description: `EventBridge forwards failed copy jobs of ${prefix} to the DR account's event bus`,
        service: "events.amazonaws.com",
        sourceAccount: props.accountId,
        policyName: "put-events-to-dr-bus",
        statements: [{ Sid: "PutEventsToDrBus", Action: "events:PutEvents", Resource: busArn }],
        tags,
      });
      this.copyFailureForwardRule = new CloudwatchEventRule(this, "copy-failed-to-dr", {
        name: `${prefix}-copy-failed-to-dr`,
        description: `Forwards failed AWS Backup copy jobs of ${prefix} to the DR account`,
        eventPattern: JSON.stringify(failedJobsPattern(["Copy Job State Change"])),
        tags,
      });
      new CloudwatchEventTarget(this, "copy-failed-to-dr-bus", {
        rule: this.copyFailureForwardRule.name,
        targetId: "dr-event-bus",
        arn: busArn,
        roleArn: forwardRole.role.arn,
      });
    }

    if (props.manageRegionOptIn) {
      this.regionSettings = new BackupRegionSettings(this, "region-opt-in", {
        resourceTypeOptInPreference: { Redshift: true },
        // Read back, the setting lists every resource type of the region; ignoring changes keeps the plan clean
        // and never overwrites the types other teams manage.
        lifecycle: { ignoreChanges: ["resource_type_opt_in_preference"] },
      });
    }
  }
}

/**
 * Key-policy statements a source cluster's key needs so that AWS Backup can copy its recovery points into a vault
 * of `destinationAccountId`: the key is shared with that account's root (its IAM decides further), as AWS's
 * cross-account copy guidance says. Read-side actions only: the copy is re-encrypted with the destination vault's
 * key. kms:ViaService is not used: AWS does not document through which service the copy uses the key.
 */
export function sourceKeyCopyStatements(partition: string, destinationAccountId: string): PolicyStatement[] {
  const principal = { AWS: accountRoot(partition, destinationAccountId) };
  return [
    {
      Sid: "CrossAccountBackupCopyRead",
      Effect: "Allow",
      Principal: principal,
      Action: ["kms:Decrypt", "kms:DescribeKey", "kms:ReEncryptFrom", "kms:GenerateDataKeyWithoutPlaintext"],
      Resource: "*",
    },
    {
      Sid: "CrossAccountBackupCopyGrants",
      Effect: "Allow",
      Principal: principal,
      Action: "kms:CreateGrant",
      Resource: "*",
      Condition: { Bool: { "kms:GrantIsForAWSResource": "true" } },
    },
  ];
}
