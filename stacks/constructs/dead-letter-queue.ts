// An encrypted SQS dead-letter queue.
import { Construct } from "constructs";
import { SqsQueue } from "@cdktf/provider-aws/lib/sqs-queue";
import { SqsQueuePolicy } from "@cdktf/provider-aws/lib/sqs-queue-policy";
import { denyInsecureTransportStatement, policyDocument } from "./iam";
import { PropChecks } from "./validation";

export interface DeadLetterQueueProps {
  /** Queue name (1-80 letters, digits, hyphens, underscores). */
  readonly queueName: string;
  /** KMS key ARN encrypting the queue. Senders need kms:GenerateDataKey and kms:Decrypt on it. */
  readonly kmsKeyArn: string;
  /** @default 1209600 (14 days, the maximum) */
  readonly messageRetentionSeconds?: number;
  /** @default {} */
  readonly tags?: Readonly<Record<string, string>>;
}

/** A standard SQS queue encrypted with a customer-managed KMS key, TLS-only, keeping messages 14 days. */
export class DeadLetterQueue extends Construct {
  public readonly queue: SqsQueue;
  public readonly queueArn: string;
  public readonly queueName: string;
  public readonly queueUrl: string;
  public readonly kmsKeyArn: string;

  constructor(scope: Construct, id: string, props: DeadLetterQueueProps) {
    super(scope, id);
    const check = new PropChecks("DeadLetterQueue", this);
    check.pattern("queueName", props.queueName, /^[A-Za-z0-9_-]{1,80}$/, "1-80 letters, digits, hyphens or underscores");
    check.intRange("messageRetentionSeconds", props.messageRetentionSeconds, 60, 1209600);
    this.kmsKeyArn = props.kmsKeyArn;
    this.queue = new SqsQueue(this, "queue", {
      name: props.queueName,
      kmsMasterKeyId: props.kmsKeyArn,
      kmsDataKeyReusePeriodSeconds: 300,
      messageRetentionSeconds: props.messageRetentionSeconds ?? 1209600,
      tags: { ...(props.tags ?? {}) },
    });
    this.queueArn = this.queue.arn;
    this.queueName = this.queue.name;
    this.queueUrl = this.queue.url;
    // Same-account senders are authorised by their IAM roles; the queue policy only refuses plain HTTP.
    new SqsQueuePolicy(this, "policy", {
      queueUrl: this.queue.url,
      policy: policyDocument([denyInsecureTransportStatement(this.queue.arn, "sqs:*")]),
    });
  }
}
