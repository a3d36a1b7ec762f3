// DR-account side of AWS Backup (approach 3): the vault other accounts copy into, its access policy (who may copy
// in, nobody but a break-glass role may delete), its Vault Lock, and an event bus on which the source accounts'
// failed copy jobs arrive and alarm.
//
// Reusable from any CDKTF app: everything comes from props, nothing from the project config.
// AWS sources: docs/aws-behaviour.md, "AWS Backup (approach 3)".
import { Construct } from "constructs";
import { BackupVault } from "@cdktf/provider-aws/lib/backup-vault";
import { BackupVaultLockConfiguration } from "@cdktf/provider-aws/lib/backup-vault-lock-configuration";
import { BackupVaultPolicy } from "@cdktf/provider-aws/lib/backup-vault-policy";
import { CloudwatchEventBus } from "@cdktf/provider-aws/lib/cloudwatch-event-bus";
import { CloudwatchEventBusPolicy } from "@cdktf/provider-aws/lib/cloudwatch-event-bus-policy";
import { CloudwatchEventRule } from "@cdktf/provider-aws/lib/cloudwatch-event-rule";
import { CloudwatchEventTarget } from "@cdktf/provider-aws/lib/cloudwatch-event-target";
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { ACCOUNT_ID, BACKUP_VAULT_NAME, IAM_ROLE_OR_USER_ARN, KMS_KEY_ARN, MAX_BACKUP_LIFECYCLE_DAYS, ORGANIZATION_ID } from "../../contract";
import { AlertTopic } from "./alert-topic";
import { failedJobsAlarm, failedJobsPattern } from "./backup-events";
import { accountRoot, policyDocument, PolicyConditions, PolicyPrincipal, PolicyStatement } from "./iam";
import { PropChecks } from "./validation";

/** Who may copy into the vault: named accounts, or every account of an organization. */
export type CopySources = { readonly accountIds: readonly string[] } | { readonly organizationId: string };

export interface VaultLockProps {
  /** Days until the lock becomes immutable (compliance mode, 3 or more). @default none: governance mode */
  readonly changeableForDays?: number;
  /** Shortest retention, days, a recovery point copied in may have. @default none */
  readonly minRetentionDays?: number;
  /** Longest retention, days, a recovery point copied in may have. @default none */
  readonly maxRetentionDays?: number;
}

export interface LockedBackupVaultProps {
  /** 2-50 letters, digits, hyphens and underscores. */
  readonly vaultName: string;
  /** The account of the vault (the DR account). */
  readonly accountId: string;
  /** The region of the vault. */
  readonly region: string;
  /** Partition of the ARNs. @default "aws" */
  readonly partition?: string;
  /** Customer-managed key of the vault; copies are re-encrypted with it (see {@link backupVaultKeyStatements}). */
  readonly kmsKeyArn: string;
  /** Who may copy into the vault: account ids, or every account of an organization. */
  readonly copySources: CopySources;
  /**
   * The only principal (role or user ARN) allowed to delete recovery points or change their lifecycle. A
   * compliance lock refuses even it until the recovery point expires. @default none
   */
  readonly breakGlassPrincipalArn?: string;
  /** Vault Lock. @default no lock */
  readonly lock?: VaultLockProps;
  /**
   * An event bus for the sources' failed copy-job events, with a rule and an alarm to a topic encrypted with
   * `alertKmsKeyArn`. @default none
   */
  readonly failedCopyEvents?: {
    /** Name of the event bus: 1-256 letters, digits and . _ -, not default, not starting with aws. */
    readonly eventBusName: string;
    /** Key of the alert topic; its policy must let EventBridge rules and CloudWatch alarms use it. */
    readonly alertKmsKeyArn: string;
    /** E-mail addresses subscribed to the alert topic. @default [] */
    readonly alertEmails?: readonly string[];
  };
  /** Tags of every resource. @default {} */
  readonly tags?: Readonly<Record<string, string>>;
}

/** The principal and condition that name the copy sources in a resource or key policy. */
function copySourcePrincipal(partition: string, sources: CopySources): { Principal: PolicyPrincipal | "*"; Condition?: PolicyConditions } {
  if ("organizationId" in sources) {
    return { Principal: "*", Condition: { StringEquals: { "aws:PrincipalOrgID": sources.organizationId } } };
  }
  return { Principal: { AWS: sources.accountIds.map((a) => accountRoot(partition, a)) } };
}

/**
 * Key-policy statements the DR vault's key needs so that AWS Backup in the source accounts can copy into the
 * vault (the copy is re-encrypted with this key). The AWS Backup guide does not list the actions; these are the
 * ones AWS's cross-account copy troubleshooting names for the key side that writes the copy.
 */
export function backupVaultKeyStatements(partition: string, sources: CopySources): PolicyStatement[] {
  const who = copySourcePrincipal(partition, sources);
  return [
    {
      Sid: "CopySourcesEncryptCopies",
      Effect: "Allow",
      Principal: who.Principal,
      // ReEncrypt* covers ReEncryptFrom and ReEncryptTo, GenerateDataKey* its plaintext-less and pair forms: the
      // copy re-encrypts the snapshot's data keys under this key, and AWS does not document which form it calls.
      Action: ["kms:DescribeKey", "kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*"],
      Resource: "*",
      ...(who.Condition ? { Condition: who.Condition } : {}),
    },
    {
      Sid: "CopySourcesGrantToAwsBackup",
      Effect: "Allow",
      Principal: who.Principal,
      Action: "kms:CreateGrant",
      Resource: "*",
      Condition: { ...(who.Condition ?? {}), Bool: { "kms:GrantIsForAWSResource": "true" } },
    },
  ];
}

/** A backup vault that accepts cross-account copies, refuses deletion, and is locked. */
export class LockedBackupVault extends Construct {
  public readonly vault: BackupVault;
  public readonly policy: BackupVaultPolicy;
  public readonly lock?: BackupVaultLockConfiguration;
  public readonly vaultName: string;
  public readonly vaultArn: string;
  /** The rendered vault access policy (JSON). */
  public readonly policyJson: string;
  public readonly eventBus?: CloudwatchEventBus;
  public readonly alertTopic?: AlertTopic;
  public readonly failedCopiesAlarm?: CloudwatchMetricAlarm;

  constructor(scope: Construct, id: string, props: LockedBackupVaultProps) {
    super(scope, id);
    const check = new PropChecks("LockedBackupVault", this);
    check.pattern("vaultName", props.vaultName, BACKUP_VAULT_NAME, "2-50 letters, digits, hyphens and underscores");
    check.pattern("accountId", props.accountId, ACCOUNT_ID, "a 12-digit AWS account id");
    check.pattern("kmsKeyArn", props.kmsKeyArn, KMS_KEY_ARN, "a customer-managed KMS key ARN (copies of Redshift recovery points cannot use aws/backup)");
    check.pattern("breakGlassPrincipalArn", props.breakGlassPrincipalArn, IAM_ROLE_OR_USER_ARN, "an IAM role or user ARN");
    const sources = props.copySources;
    if ("organizationId" in sources) {
      check.pattern("copySources.organizationId", sources.organizationId, ORGANIZATION_ID, "an AWS Organizations id: o- and 10-32 lowercase letters or digits");
    } else {
      check.uniqueList("copySources.accountIds", sources.accountIds, "account id");
      sources.accountIds.forEach((a, i) => {
        check.pattern(`copySources.accountIds[${i}]`, a, ACCOUNT_ID, "a 12-digit AWS account id");
        if (a === props.accountId) check.fail(`copySources.accountIds[${i}]`, a, "an account other than the vault's own");
      });
    }
    const lock = props.lock;
    if (lock) {
      check.intRange("lock.changeableForDays", lock.changeableForDays, 3, MAX_BACKUP_LIFECYCLE_DAYS);
      check.intRange("lock.minRetentionDays", lock.minRetentionDays, 1, MAX_BACKUP_LIFECYCLE_DAYS);
      check.intRange("lock.maxRetentionDays", lock.maxRetentionDays, lock.minRetentionDays ?? 1, MAX_BACKUP_LIFECYCLE_DAYS);
    }
    const partition = props.partition ?? "aws";
    const tags = { ...(props.tags ?? {}) };

    this.vault = new BackupVault(this, "vault", { name: props.vaultName, kmsKeyArn: props.kmsKeyArn, tags });
    this.vaultName = this.vault.name;
    this.vaultArn = this.vault.arn;

    const who = copySourcePrincipal(partition, sources);
    const statements: PolicyStatement[] = [
      {
        // Cross-account access for any other action is refused by AWS Backup whatever this policy says.
        Sid: "CopySourcesCopyIn",
        Principal: who.Principal,
        Action: "backup:CopyIntoBackupVault",
        Resource: "*",
        ...(who.Condition ? { Condition: who.Condition } : {}),
      },
      {
        // Principal "*": the deny holds for every principal of this account too, root included, except the
        // break-glass one. Expiry by lifecycle is AWS Backup's own and is not affected. The policy itself is not
        // protected here (Terraform must be able to update it): restrict backup:PutBackupVaultAccessPolicy in IAM.
        Sid: props.breakGlassPrincipalArn ? "NoDeletionButBreakGlass" : "NoDeletion",
        Effect: "Deny",
        Principal: "*",
        Action: ["backup:DeleteRecoveryPoint", "backup:UpdateRecoveryPointLifecycle"],
        Resource: "*",
        ...(props.breakGlassPrincipalArn ? { Condition: { ArnNotEquals: { "aws:PrincipalArn": props.breakGlassPrincipalArn } } } : {}),
      },
    ];
    this.policyJson = policyDocument(statements);
    this.policy = new BackupVaultPolicy(this, "policy", { backupVaultName: this.vault.name, policy: this.policyJson });

    if (lock) {
      this.lock = new BackupVaultLockConfiguration(this, "lock", {
        backupVaultName: this.vault.name,
        changeableForDays: lock.changeableForDays,
        minRetentionDays: lock.minRetentionDays,
        maxRetentionDays: lock.maxRetentionDays,
      });
    }

    const events = props.failedCopyEvents;
    if (events) {
      check.pattern("failedCopyEvents.eventBusName", events.eventBusName, /^(?!default$)(?!aws\.)[A-Za-z0-9._-]{1,256}$/, "1-256 letters, digits and . _ -, not default and not starting with aws.");
      this.eventBus = new CloudwatchEventBus(this, "event-bus", { name: events.eventBusName, tags });
      new CloudwatchEventBusPolicy(this, "event-bus-policy", {
        eventBusName: this.eventBus.name,
        policy: policyDocument([
          {
            Sid: "CopySourcesPutEvents",
            Principal: who.Principal,
            Action: "events:PutEvents",
            Resource: this.eventBus.arn,
            ...(who.Condition ? { Condition: who.Condition } : {}),
          },
        ]),
      });
      this.alertTopic = new AlertTopic(this, "alerts", {
        topicName: `${props.vaultName}-copy-alerts`,
        kmsKeyArn: events.alertKmsKeyArn,
        emails: events.alertEmails,
        allowEventBridgeRules: true,
        accountId: props.accountId,
        region: props.region,
        partition,
        tags,
      });
      const rule = new CloudwatchEventRule(this, "failed-copies", {
        name: `${props.vaultName}-copies-failed`,
        description: `Failed AWS Backup copy jobs into ${props.vaultName}, forwarded by the source accounts`,
        eventBusName: this.eventBus.name,
        eventPattern: JSON.stringify(failedJobsPattern(["Copy Job State Change"], "accountIds" in sources ? sources.accountIds : undefined)),
        tags,
      });
      new CloudwatchEventTarget(this, "failed-copies-to-alerts", {
        rule: rule.name,
        eventBusName: this.eventBus.name,
        targetId: "alert-topic",
        arn: this.alertTopic.topicArn,
      });
      this.failedCopiesAlarm = failedJobsAlarm(this, "failed-copies-alarm", {
        alarmName: `${props.vaultName}-copies-failed`,
        ruleName: rule.name,
        eventBusName: this.eventBus.name,
        topicArn: this.alertTopic.topicArn,
        description: `A source account's AWS Backup copy job into ${props.vaultName} failed: see the copy job in that account's AWS Backup console`,
        tags,
      });
    }
  }
}
