// What the operations key's policy must allow so that AWS services can use it for this project's logs and
// messages. Kept next to the key construct (kms-key.ts), which takes these as `serviceStatements`.
import { REDSHIFT_SERVICE_PRINCIPAL } from "./redshift-principal";
import { dnsSuffixFor, PolicyStatement } from "./iam";

/** What the operations key policy must allow; see {@link operationsKeyPolicyStatements}. */
export interface OperationsKeyPolicyProps {
  /** The key's account: only its services' uses are allowed. */
  readonly accountId: string;
  /** The key's region. */
  readonly region: string;
  /** Partition of the ARNs. @default "aws" */
  readonly partition?: string;
  /** DNS suffix of the service principals. @default derived from partition ("amazonaws.com", or "amazonaws.com.cn" for aws-cn) */
  readonly dnsSuffix?: string;
  /** Include the statement for Redshift event notifications to an encrypted topic. @default true */
  readonly redshiftEvents?: boolean;
  /** Include the CloudWatch Logs statement (leave out if the key policy already has one). @default true */
  readonly logs?: boolean;
  /** Include the statement for AWS Backup vault notifications to an encrypted topic. @default false */
  readonly backupNotifications?: boolean;
  /** Include the statement for EventBridge rules delivering to an encrypted topic. @default false */
  readonly eventBridgeRules?: boolean;
}

/**
 * Service statements the operations KMS key (the `kmsKeyArn` of SnapshotAutomation and DrSnapshotMonitor)
 * needs in its key policy. In a key policy, `Resource: "*"` means "this key".
 *
 * The stack author adds these to a key policy that also has the account-root statement
 * (`Principal: {AWS: arn:<partition>:iam::<account>:root}`, `kms:*`) so that IAM policies take effect: the
 * Lambda roles (SNS Publish to the encrypted alert topic, SQS SendMessage to the encrypted DLQ) and the
 * Scheduler execution role (dead-letter delivery to the encrypted DLQ) get kms:GenerateDataKey/kms:Decrypt
 * from their own IAM policies, limited with kms:ViaService, so they need no key-policy statement of their own.
 *
 * - CloudWatch Logs (log groups encrypted with the key): logs.<region>.<suffix>, limited by
 *   kms:EncryptionContext:aws:logs:arn to this account's log groups in this region.
 * - CloudWatch alarms publishing to the encrypted alert topic: cloudwatch.amazonaws.com, limited by
 *   aws:SourceAccount and aws:SourceArn (this account's alarms in this region).
 * - Redshift event notifications publishing to the encrypted events topic: redshift.amazonaws.com with
 *   aws:SourceAccount (the principal the SNS Developer Guide lists for Redshift, see REDSHIFT_SERVICE_PRINCIPAL).
 * - AWS Backup vault notifications to an encrypted topic: backup.amazonaws.com with aws:SourceAccount.
 * - EventBridge rules with an encrypted topic as target: events.amazonaws.com with aws:SourceAccount.
 * - Lambda subscribed to an encrypted topic: nothing; SNS decrypts before invoking the function.
 */
export function operationsKeyPolicyStatements(props: OperationsKeyPolicyProps): PolicyStatement[] {
  const partition = props.partition ?? "aws";
  const suffix = props.dnsSuffix ?? dnsSuffixFor(partition);
  const { accountId, region } = props;
  const statements: PolicyStatement[] = [];
  if (props.logs ?? true) {
    statements.push({
      Sid: "CloudWatchLogsOfThisAccount",
      Effect: "Allow",
      Principal: { Service: `logs.${region}.${suffix}` },
      Action: ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
      Resource: "*",
      Condition: {
        ArnLike: { "kms:EncryptionContext:aws:logs:arn": `arn:${partition}:logs:${region}:${accountId}:log-group:*` },
      },
    });
  }
  statements.push(
    {
      Sid: "CloudWatchAlarmsToEncryptedTopics",
      Effect: "Allow",
      Principal: { Service: "cloudwatch.amazonaws.com" },
      Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
      Resource: "*",
      Condition: {
        StringEquals: { "aws:SourceAccount": accountId },
        ArnLike: { "aws:SourceArn": `arn:${partition}:cloudwatch:${region}:${accountId}:alarm:*` },
      },
    },
  );
  // Services that publish to encrypted topics of this account, each limited to it by aws:SourceAccount.
  const publishers: [boolean, string, string][] = [
    [props.redshiftEvents ?? true, "RedshiftEventsToEncryptedTopics", REDSHIFT_SERVICE_PRINCIPAL],
    [props.backupNotifications ?? false, "BackupNotificationsToEncryptedTopics", "backup.amazonaws.com"],
    [props.eventBridgeRules ?? false, "EventBridgeRulesToEncryptedTopics", "events.amazonaws.com"],
  ];
  for (const [wanted, sid, service] of publishers) {
    if (!wanted) continue;
    statements.push({
      Sid: sid,
      Effect: "Allow",
      Principal: { Service: service },
      Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
      Resource: "*",
      Condition: { StringEquals: { "aws:SourceAccount": accountId } },
    });
  }
  return statements;
}
