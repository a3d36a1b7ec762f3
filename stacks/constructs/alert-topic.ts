// A KMS-encrypted SNS topic for alerts (or service events), with e-mail subscriptions and a topic policy that
// lets in only the AWS services that must publish to it, each limited to this account.
import { Construct } from "constructs";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { SnsTopicPolicy } from "@cdktf/provider-aws/lib/sns-topic-policy";
import { SnsTopicSubscription } from "@cdktf/provider-aws/lib/sns-topic-subscription";
import { PolicyStatement, denyInsecureTransportStatement, policyDocument } from "./iam";
import { AwsEnvironment, AwsEnvironmentProps, resolveAwsEnvironment } from "./aws-environment";
import { REDSHIFT_SERVICE_PRINCIPAL } from "./redshift-principal";
import { PropChecks } from "./validation";

export interface AlertTopicProps extends AwsEnvironmentProps {
  /** Topic name (1-256 letters, digits, hyphens, underscores). */
  readonly topicName: string;
  /**
   * KMS key ARN encrypting the topic. Its key policy must let each allowed publisher service use it
   * (see `operationsKeyPolicyStatements` in key-policies.ts).
   */
  readonly kmsKeyArn: string;
  /** E-mail addresses subscribed to the topic (each must confirm). @default [] */
  readonly emails?: readonly string[];
  /** Let CloudWatch alarms of this account publish. @default true */
  readonly allowCloudWatchAlarms?: boolean;
  /** Let Amazon Redshift event subscriptions of this account publish. @default false */
  readonly allowRedshiftEvents?: boolean;
  /** Let AWS Backup vault notifications of this account publish. @default false */
  readonly allowBackupNotifications?: boolean;
  /** Let EventBridge rules of this account publish (rules with this topic as target). @default false */
  readonly allowEventBridgeRules?: boolean;
  /**
   * SNS filter policy (on message attributes) of the e-mail subscriptions, e.g. to pass only AWS Backup
   * notifications whose `State` is not COMPLETED. Messages without the attribute are then not delivered, so
   * use it only on a topic that receives nothing else. @default none: every message
   */
  readonly emailFilterPolicy?: Readonly<Record<string, unknown>>;
  /** Tags of the topic. @default {} */
  readonly tags?: Readonly<Record<string, string>>;
  /** Resolved account/region/partition; takes precedence over accountId/region/partition. @default from props or data sources */
  readonly environmentOf?: AwsEnvironment;
}

const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

/**
 * KMS-encrypted SNS topic with e-mail subscriptions. The topic policy allows only the selected services, each
 * with an aws:SourceAccount condition, and denies non-TLS requests. Principals of this account publish through
 * their IAM policies (same-account access needs no topic-policy grant).
 */
export class AlertTopic extends Construct {
  public readonly topic: SnsTopic;
  public readonly topicPolicy: SnsTopicPolicy;
  public readonly subscriptions: SnsTopicSubscription[];
  public readonly topicArn: string;
  public readonly topicName: string;
  public readonly kmsKeyArn: string;
  /** The rendered topic policy (JSON). */
  public readonly policyJson: string;

  constructor(scope: Construct, id: string, props: AlertTopicProps) {
    super(scope, id);
    const check = new PropChecks("AlertTopic", this);
    check.pattern("topicName", props.topicName, /^[A-Za-z0-9_-]{1,256}$/, "1-256 letters, digits, hyphens or underscores");
    const emails = props.emails ?? [];
    emails.forEach((email, i) => check.pattern(`emails[${i}]`, email, EMAIL, "an e-mail address"));
    const env = props.environmentOf ?? resolveAwsEnvironment(this, props);

    this.kmsKeyArn = props.kmsKeyArn;
    this.topic = new SnsTopic(this, "topic", {
      name: props.topicName,
      kmsMasterKeyId: props.kmsKeyArn,
      tags: { ...(props.tags ?? {}) },
    });
    this.topicArn = this.topic.arn;
    this.topicName = this.topic.name;

    const statements: PolicyStatement[] = [denyInsecureTransportStatement(this.topic.arn, "sns:Publish")];
    // Services of this account that may publish, in policy order; each limited by aws:SourceAccount, and alarms and
    // rules also by the ARNs of this account's alarms and rules.
    const own = `${env.region}:${env.accountId}`;
    const publishers: [boolean, string, string, string?][] = [
      [props.allowCloudWatchAlarms ?? true, "CloudWatchAlarmsOfThisAccount", "cloudwatch.amazonaws.com", `arn:${env.partition}:cloudwatch:${own}:alarm:*`],
      [props.allowRedshiftEvents ?? false, "RedshiftEventsOfThisAccount", REDSHIFT_SERVICE_PRINCIPAL],
      [props.allowBackupNotifications ?? false, "BackupNotificationsOfThisAccount", "backup.amazonaws.com"],
      [props.allowEventBridgeRules ?? false, "EventBridgeRulesOfThisAccount", "events.amazonaws.com", `arn:${env.partition}:events:${own}:rule/*`],
    ];
    for (const [wanted, sid, service, sourceArn] of publishers) {
      if (!wanted) continue;
      statements.push({
        Sid: sid,
        Principal: { Service: service },
        Action: "sns:Publish",
        Resource: this.topic.arn,
        Condition: {
          StringEquals: { "aws:SourceAccount": env.accountId },
          ...(sourceArn ? { ArnLike: { "aws:SourceArn": sourceArn } } : {}),
        },
      });
    }
    this.policyJson = policyDocument(statements);
    this.topicPolicy = new SnsTopicPolicy(this, "policy", { arn: this.topic.arn, policy: this.policyJson });

    this.subscriptions = emails.map(
      (email, i) =>
        new SnsTopicSubscription(this, `email-${i}`, {
          topicArn: this.topic.arn,
          protocol: "email",
          endpoint: email,
          ...(props.emailFilterPolicy ? { filterPolicy: JSON.stringify(props.emailFilterPolicy), filterPolicyScope: "MessageAttributes" } : {}),
        }),
    );
  }
}
