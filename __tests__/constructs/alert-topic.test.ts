import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { SnsTopicSubscription } from "@cdktf/provider-aws/lib/sns-topic-subscription";
import { AlertTopic } from "../../stacks/constructs/alert-topic";
import { REDSHIFT_SERVICE_PRINCIPAL as REDSHIFT_EVENTS_PRINCIPAL } from "../../stacks/constructs/redshift-principal";
import { ACCOUNT, ENV, KMS_KEY, REGION, policy, synth } from "./fixtures/nodejs-function-helpers";

describe("AlertTopic", () => {
  const synthesized = synth((stack) => {
    new AlertTopic(stack, "alerts", {
      ...ENV,
      topicName: "ops-alerts",
      kmsKeyArn: KMS_KEY,
      emails: ["oncall@example.com", "dba@example.com"],
    });
  });

  test("is encrypted with the given KMS key", () => {
    expect(synthesized.json).toHaveResourceWithProperties(SnsTopic, { name: "ops-alerts", kms_master_key_id: KMS_KEY });
  });

  test("subscribes every e-mail address", () => {
    for (const endpoint of ["oncall@example.com", "dba@example.com"]) {
      expect(synthesized.json).toHaveResourceWithProperties(SnsTopicSubscription, { protocol: "email", endpoint });
    }
    expect(Object.keys(synthesized.resources("aws_sns_topic_subscription"))).toHaveLength(2);
  });

  test("policy: deny non-TLS; allow only CloudWatch alarms of this account and region", () => {
    const topicArn = synthesized.ref("aws_sns_topic", "alerts", "arn");
    expect(policy(synthesized.resource("aws_sns_topic_policy").policy).Statement).toEqual([
      {
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: "*",
        Action: "sns:Publish",
        Resource: topicArn,
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      },
      {
        Sid: "CloudWatchAlarmsOfThisAccount",
        Effect: "Allow",
        Principal: { Service: "cloudwatch.amazonaws.com" },
        Action: "sns:Publish",
        Resource: topicArn,
        Condition: {
          StringEquals: { "aws:SourceAccount": ACCOUNT },
          ArnLike: { "aws:SourceArn": `arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:*` },
        },
      },
    ]);
  });

  test("allows Redshift events only when asked, and CloudWatch can be left out", () => {
    const s = synth((stack) => {
      new AlertTopic(stack, "events", {
        ...ENV,
        topicName: "events",
        kmsKeyArn: KMS_KEY,
        allowCloudWatchAlarms: false,
        allowRedshiftEvents: true,
      });
    });
    const statements = policy(s.resource("aws_sns_topic_policy").policy).Statement;
    expect(statements.map((st) => st.Sid)).toEqual(["DenyInsecureTransport", "RedshiftEventsOfThisAccount"]);
    expect(statements[1]).toMatchObject({
      Principal: { Service: REDSHIFT_EVENTS_PRINCIPAL },
      Condition: { StringEquals: { "aws:SourceAccount": ACCOUNT } },
    });
    expect(s.resources("aws_sns_topic_subscription")).toEqual({});
  });

  test("refuses an e-mail address that is not one, naming its index", () => {
    expect(() =>
      synth((stack) => new AlertTopic(stack, "t", { ...ENV, topicName: "t", kmsKeyArn: KMS_KEY, emails: ["a@b.io", "nope"] })),
    ).toThrow(/^AlertTopic at \S+: emails\[1\]: "nope" is not valid: an e-mail address$/);
  });
});
