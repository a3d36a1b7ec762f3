import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function";
import { LambdaPermission } from "@cdktf/provider-aws/lib/lambda-permission";
import { RedshiftEventSubscription } from "@cdktf/provider-aws/lib/redshift-event-subscription";
import { SchedulerSchedule } from "@cdktf/provider-aws/lib/scheduler-schedule";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { SnsTopicSubscription } from "@cdktf/provider-aws/lib/sns-topic-subscription";
import { SqsQueue } from "@cdktf/provider-aws/lib/sqs-queue";
import { SNAPSHOT_TAG_KEYS } from "../../contract";
import { snapshotManagerSettingsFromEnv } from "../../functions/lib/environment";
import { operationsKeyPolicyStatements } from "../../stacks/constructs/key-policies";
import { SnapshotAutomation, SnapshotAutomationProps } from "../../stacks/constructs/snapshot-automation";
import {
  ACCOUNT,
  AUTOMATION_PROPS,
  DR_ACCOUNT,
  KMS_KEY,
  REGION,
  Synthesized,
  allowedActions,
  functionPolicy,
  list,
  policy,
  statement,
  synth,
  synthBundle,
  wildcardSids,
} from "./fixtures/nodejs-function-helpers";

const PROPS: SnapshotAutomationProps = {
  ...AUTOMATION_PROPS,
  scheduleTimezone: "Europe/Zurich",
  logRetentionDays: 400,
};

const ARN = `arn:aws:redshift:${REGION}:${ACCOUNT}`;
const SNAPSHOTS = [`${ARN}:snapshot:finance-dw/rsdr-*`, `${ARN}:snapshot:sales/rsdr-*`];
const CLUSTERS = [`${ARN}:cluster:finance-dw`, `${ARN}:cluster:sales`];

function build(overrides: Partial<SnapshotAutomationProps> = {}): Synthesized {
  return synth((stack) => new SnapshotAutomation(stack, "automation", { ...PROPS, ...overrides }));
}

describe("SnapshotAutomation", () => {
  const s = build();
  const alertTopic = s.ref("aws_sns_topic", "alert-topic", "arn");
  const dlqArn = s.ref("aws_sqs_queue", "dlq", "arn");

  test("deploys the snapshot manager on nodejs22.x with reserved concurrency 1 and the env contract", () => {
    expect(s.json).toHaveResourceWithProperties(LambdaFunction, {
      function_name: "prod-snapshot-manager",
      runtime: "nodejs22.x",
      reserved_concurrent_executions: 1,
      timeout: 900,
      tracing_config: { mode: "Active" },
      dead_letter_config: { target_arn: dlqArn },
    });
    expect(s.resource("aws_lambda_function").environment).toEqual({
      variables: {
        CLUSTER_IDENTIFIERS: "sales,finance-dw",
        DR_ACCOUNT_IDS: DR_ACCOUNT,
        WINDOW_MINUTES: "240",
        RETENTION_DAYS: "14",
        KEEP_LATEST: "3",
        SHARE_LATEST: "2",
        SNAPSHOT_PREFIX: "rsdr",
        MANAGED_BY: "rsdr",
        ALERT_TOPIC_ARN: alertTopic,
        METRIC_NAMESPACE: "RedshiftDR",
        DRY_RUN: "false",
        NODE_OPTIONS: "--enable-source-maps",
      },
    });
  });

  test("passes retention tiers to the function as JSON, and allows 0 days by age with them", () => {
    const s = build({ retentionDays: 0, retentionTiers: { hourly: 24, daily: 35, monthly: 12 } });
    const variables = (s.resource("aws_lambda_function") as { environment: { variables: Record<string, string> } }).environment.variables;
    expect(variables.RETENTION_DAYS).toBe("0");
    expect(JSON.parse(variables.RETENTION_TIERS)).toEqual({ hourly: 24, daily: 35, monthly: 12 });
    // and the function reads them back as its settings
    expect(snapshotManagerSettingsFromEnv({ ...variables, ALERT_TOPIC_ARN: "arn:aws:sns:eu-west-1:111111111111:alerts" }).retentionTiers).toEqual({ hourly: 24, daily: 35, monthly: 12 });
  });

  test("by default bundles the repo's snapshot-manager handler, which loads and exports handler", () => {
    const bundle = synthBundle(
      (stack) => new SnapshotAutomation(stack, "automation", { ...PROPS, entry: undefined }).function,
    );
    expect(bundle.sources).toContain("functions/snapshot-manager/handler.ts");
    expect(typeof bundle.exports.handler).toBe("function");
  });

  test("every account-unique name (roles, functions, alarms, queues, topics, schedules) is used once", () => {
    expect(s.duplicateNames()).toEqual({});
    expect(Object.keys(s.resources("aws_iam_role"))).toHaveLength(2);
  });

  test("WAIT_MARGIN_SECONDS and DRY_RUN follow their props", () => {
    const vars = (build({ dryRun: true, waitMarginSeconds: 90 }).resource("aws_lambda_function").environment as {
      variables: Record<string, string>;
    }).variables;
    expect(vars.DRY_RUN).toBe("true");
    expect(vars.WAIT_MARGIN_SECONDS).toBe("90");
  });

  test("role: exactly these actions (no cloudwatch:PutMetricData: metrics are embedded metric format in its logs)", () => {
    expect(allowedActions(functionPolicy(s))).toEqual([
      "kms:Decrypt",
      "kms:GenerateDataKey",
      "logs:CreateLogStream",
      "logs:PutLogEvents",
      "redshift:AuthorizeSnapshotAccess",
      "redshift:CreateClusterSnapshot",
      "redshift:CreateTags",
      "redshift:DeleteClusterSnapshot",
      "redshift:DescribeClusterSnapshots",
      "redshift:DescribeClusters",
      "redshift:RevokeSnapshotAccess",
      "sns:Publish",
      "sqs:SendMessage",
      "xray:PutTelemetryRecords",
      "xray:PutTraceSegments",
    ]);
  });

  test("role: snapshot writes are scoped to the clusters and to our snapshot names, tagged as ours", () => {
    const doc = functionPolicy(s);
    const create = statement(doc, "CreateOwnSnapshotsOfConfiguredClusters");
    expect(list(create.Action)).toEqual(["redshift:CreateClusterSnapshot"]);
    expect(list(create.Resource)).toEqual([...CLUSTERS, ...SNAPSHOTS].sort());
    expect(create.Condition).toBeUndefined();

    const tag = statement(doc, "TagOwnSnapshotsWithOurKeys");
    expect(list(tag.Action)).toEqual(["redshift:CreateTags"]);
    expect(list(tag.Resource)).toEqual(SNAPSHOTS);
    expect(tag.Condition).toEqual({ "ForAllValues:StringEquals": { "aws:TagKeys": [...SNAPSHOT_TAG_KEYS] } });

    const manage = statement(doc, "ShareRevokeDeleteOwnSnapshots");
    expect(list(manage.Action)).toEqual([
      "redshift:AuthorizeSnapshotAccess",
      "redshift:DeleteClusterSnapshot",
      "redshift:RevokeSnapshotAccess",
    ]);
    // The snapshot pattern is the required resource; the cluster is an optional one named too (see the comment).
    expect(list(manage.Resource)).toEqual([...CLUSTERS, ...SNAPSHOTS].sort());
  });

  test("role: '*' only for the commented no-resource-level actions and X-Ray", () => {
    const doc = functionPolicy(s);
    expect(wildcardSids(doc)).toEqual(["DescribeNoResourceLevelPermissions", "XRayNoResourceLevelPermissions"]);
    expect(list(statement(doc, "DescribeNoResourceLevelPermissions").Action)).toEqual([
      "redshift:DescribeClusterSnapshots",
      "redshift:DescribeClusters",
    ]);
  });

  test("role: publish to the alert topic only; the key only through SNS and SQS", () => {
    const doc = functionPolicy(s);
    expect(statement(doc, "PublishAlerts").Resource).toBe(alertTopic);
    expect(statement(doc, "SendToDeadLetterQueue").Resource).toBe(dlqArn);
    expect(statement(doc, "UseOperationsKeyViaSnsAndSqs")).toEqual({
      Sid: "UseOperationsKeyViaSnsAndSqs",
      Effect: "Allow",
      Action: ["kms:GenerateDataKey", "kms:Decrypt"],
      Resource: KMS_KEY,
      Condition: { StringEquals: { "kms:ViaService": [`sns.${REGION}.amazonaws.com`, `sqs.${REGION}.amazonaws.com`] } },
    });
  });

  test("schedule: expression, time zone, flexible window off, input, retries, DLQ", () => {
    expect(s.json).toHaveResourceWithProperties(SchedulerSchedule, {
      name: "prod-snapshot-manager",
      schedule_expression: "cron(0 0/4 * * ? *)",
      schedule_expression_timezone: "Europe/Zurich",
      flexible_time_window: { mode: "OFF" },
      target: {
        arn: s.ref("aws_lambda_function", "automation", "arn"),
        role_arn: s.ref("aws_iam_role", "schedule", "arn"),
        input: '{"trigger":"schedule"}',
        retry_policy: { maximum_retry_attempts: 3, maximum_event_age_in_seconds: 3600 },
        dead_letter_config: { arn: dlqArn },
      },
    });
  });

  test("schedule role: invoke this function, send to the DLQ, nothing else", () => {
    const doc = policy(s.resource("aws_iam_role_policy", "schedule").policy);
    expect(allowedActions(doc)).toEqual(["kms:Decrypt", "kms:GenerateDataKey", "lambda:InvokeFunction", "sqs:SendMessage"]);
    expect(statement(doc, "InvokeTargetFunction").Resource).toBe(s.ref("aws_lambda_function", "automation", "arn"));
    expect(wildcardSids(doc)).toEqual([]);
  });

  test("DLQ, alert topic and events topic are encrypted with the operations key", () => {
    expect(s.json).toHaveResourceWithProperties(SqsQueue, { name: "prod-snapshot-manager-dlq", kms_master_key_id: KMS_KEY });
    expect(s.json).toHaveResourceWithProperties(SnsTopic, { name: "prod-snapshot-alerts", kms_master_key_id: KMS_KEY });
    expect(s.json).toHaveResourceWithProperties(SnsTopic, { name: "prod-snapshot-events", kms_master_key_id: KMS_KEY });
    expect(s.json).toHaveResourceWithProperties(SnsTopicSubscription, { protocol: "email", endpoint: "oncall@example.com" });
  });

  test("log group keeps logs logRetentionDays, encrypted", () => {
    expect(s.json).toHaveResourceWithProperties(CloudwatchLogGroup, {
      name: "/aws/lambda/prod-snapshot-manager",
      retention_in_days: 400,
      kms_key_id: KMS_KEY,
    });
  });

  test("Redshift cluster-snapshot events reach the function through SNS", () => {
    const eventsTopic = s.ref("aws_sns_topic", "events-topic", "arn");
    expect(s.json).toHaveResourceWithProperties(RedshiftEventSubscription, {
      name: "prod-snapshot-events",
      sns_topic_arn: eventsTopic,
      source_type: "cluster-snapshot",
      event_categories: ["monitoring"],
      enabled: true,
    });
    // Source ids of cluster-snapshot subscriptions are snapshot ids: none are set.
    expect(s.resource("aws_redshift_event_subscription").source_ids).toBeUndefined();
    expect(s.json).toHaveResourceWithProperties(SnsTopicSubscription, {
      topic_arn: eventsTopic,
      protocol: "lambda",
      endpoint: s.ref("aws_lambda_function", "automation", "arn"),
    });
    expect(s.json).toHaveResourceWithProperties(LambdaPermission, {
      action: "lambda:InvokeFunction",
      principal: "sns.amazonaws.com",
      source_arn: eventsTopic,
    });
    const eventsPolicy = Object.values(s.resources("aws_sns_topic_policy")).find((p) =>
      String(p.arn).includes("events-topic"),
    )!;
    expect(policy(eventsPolicy.policy).Statement.map((st) => st.Sid)).toEqual([
      "DenyInsecureTransport",
      "RedshiftEventsOfThisAccount",
    ]);
  });

  test("no event path when eventTrigger is false", () => {
    const off = build({ eventTrigger: false });
    expect(off.resources("aws_redshift_event_subscription")).toEqual({});
    expect(off.resources("aws_lambda_permission")).toEqual({});
  });

  test("alarms: Errors, Throttles, DLQ, and per cluster failures and RPO staleness (missing data breaching)", () => {
    const actions = { alarm_actions: [alertTopic], ok_actions: [alertTopic] };
    expect(s.json).toHaveResourceWithProperties(CloudwatchMetricAlarm, {
      ...actions,
      alarm_name: "prod-snapshot-manager-errors",
      metric_name: "Errors",
      threshold: 0,
      comparison_operator: "GreaterThanThreshold",
    });
    expect(s.json).toHaveResourceWithProperties(CloudwatchMetricAlarm, {
      ...actions,
      alarm_name: "prod-snapshot-manager-throttles",
      metric_name: "Throttles",
      period: 3600,
      threshold: 5,
    });
    expect(s.json).toHaveResourceWithProperties(CloudwatchMetricAlarm, {
      ...actions,
      alarm_name: "prod-snapshot-manager-dlq-not-empty",
      metric_name: "ApproximateNumberOfMessagesVisible",
      threshold: 0,
    });
    for (const cluster of ["sales", "finance-dw"]) {
      expect(s.json).toHaveResourceWithProperties(CloudwatchMetricAlarm, {
        ...actions,
        alarm_name: `prod-snapshot-manager-${cluster}-failures`,
        namespace: "RedshiftDR",
        metric_name: "ClusterFailures",
        dimensions: { ClusterIdentifier: cluster },
        statistic: "Sum",
        period: 14400,
        threshold: 0,
        comparison_operator: "GreaterThanThreshold",
        treat_missing_data: "notBreaching",
      });
      expect(s.json).toHaveResourceWithProperties(CloudwatchMetricAlarm, {
        ...actions,
        alarm_name: `prod-snapshot-manager-${cluster}-rpo-exceeded`,
        namespace: "RedshiftDR",
        metric_name: "NewestSharedSnapshotAgeHours",
        dimensions: { ClusterIdentifier: cluster },
        statistic: "Maximum",
        period: 14400,
        evaluation_periods: 2,
        datapoints_to_alarm: 2,
        threshold: 8,
        comparison_operator: "GreaterThanThreshold",
        treat_missing_data: "breaching",
      });
    }
    expect(Object.keys(s.resources("aws_cloudwatch_metric_alarm"))).toHaveLength(7);
  });

  test("uses an existing alert topic (and its key) instead of creating one", () => {
    const topic = `arn:aws:sns:${REGION}:${ACCOUNT}:shared-alerts`;
    const otherKey = `arn:aws:kms:${REGION}:${ACCOUNT}:key/other`;
    const x = build({ alertEmails: [], alertTopicArn: topic, alertTopicKmsKeyArn: otherKey });
    expect(Object.values(x.resources("aws_sns_topic")).map((t) => t.name)).toEqual(["prod-snapshot-events"]);
    const doc = functionPolicy(x);
    expect(statement(doc, "PublishAlerts").Resource).toBe(topic);
    expect(statement(doc, "UseAlertTopicKeyViaSns").Resource).toBe(otherKey);
    expect(statement(doc, "UseOperationsKeyViaSqs").Resource).toBe(KMS_KEY);
    expect(x.resource("aws_cloudwatch_metric_alarm", "errors").alarm_actions).toEqual([topic]);
  });

  test.each<[Partial<SnapshotAutomationProps>, string]>([
    [{ clusterIdentifiers: ["sales", "Prod_DB"] }, 'clusterIdentifiers[1]: "Prod_DB" is not valid: lowercase letters'],
    [{ clusterIdentifiers: [] }, "clusterIdentifiers: [] is not valid: at least one cluster"],
    [{ drAccountIds: ["12345"] }, 'drAccountIds[0]: "12345" is not valid: a 12-digit AWS account id'],
    [{ drAccountIds: [ACCOUNT] }, `drAccountIds[0]: "${ACCOUNT}" is not valid: an account other than the source account`],
    [{ drAccountIds: Array.from({ length: 21 }, (_, i) => String(300000000000 + i)) }, "at most 20 accounts"],
    [{ rpoHours: 2 }, "rpoHours: 2 is not valid: a number of hours not shorter than one window (windowMinutes 240)"],
    [{ retentionDays: 0 }, "retentionDays: 0 is not valid: 0 days keeps nothing by age: 0 is allowed only with retention tiers"],
    [{ retentionDays: -1 }, "retentionDays: -1 is not valid: an integer from 0 to 3653"],
    [{ retentionTiers: { daily: 0 } }, "retentionTiers.daily: 0 is not valid: an integer from 1 to 3653"],
    [{ retentionTiers: { monthly: 121 } }, "retentionTiers.monthly: 121 is not valid: an integer from 1 to 120"],
    [{ retentionTiers: {} }, "retentionTiers: {} is not valid: at least one tier (hourly, daily, weekly, monthly), or leave it out"],
    [{ alertTopicArn: "arn:aws:sns:eu-west-1:111111111111:x" }, "alertEmails: [\"oncall@example.com\"] is not valid: empty when alertTopicArn is given"],
    [{ eventCategories: ["backup"] }, 'eventCategories[0]: "backup" is not valid: one of management, monitoring'],
    [{ namePrefix: "Prod" }, 'namePrefix: "Prod" is not valid'],
    // Redshift rejects an event subscription name ending with a hyphen or with two in a row
    [{ namePrefix: "prod-" }, 'namePrefix: "prod-" is not valid: a lowercase letter, then lowercase letters, digits and single hyphens, not ending with a hyphen'],
    [{ namePrefix: "pr--od" }, 'namePrefix: "pr--od" is not valid'],
    // "<prefix>-snapshot-manager-scheduler" is an IAM role name: 37 + 27 = 64 fits, 38 does not
    [{ namePrefix: "p".repeat(38) }, `at most 37 characters ("${"p".repeat(38)}-snapshot-manager-scheduler" must fit IAM's 64)`],
    [{ shareLatest: 0 }, "shareLatest: 0 is not valid: an integer from 1 to 20"],
    // What the function refuses when it starts (contract/) is refused here, so no deploy ships a function that cannot run
    [{ windowMinutes: 10, rpoHours: 1 }, "windowMinutes: 10 is not valid: an integer from 15 to 10080"],
    [{ windowMinutes: 1440, retentionDays: 1, rpoHours: 24 }, "retentionDays: 1 is not valid: 1 day(s) is not longer than the schedule window of 1440 minutes"],
    [{ drAccountIds: Array.from({ length: 20 }, (_, i) => String(300000000000 + i)) }, "do not fit in the rsdr:targets tag"],
    // CloudWatch: period x evaluation periods at most 7 days (1 day below an hour's period)
    [{ alarmPeriodSeconds: 86400, alarmEvaluationPeriods: 8 }, "alarmEvaluationPeriods: 8 is not valid: an integer from 1 to 7 (CloudWatch: period 86400 s x evaluation periods may not exceed 604800 s)"],
    [{ alarmPeriodSeconds: 1800, alarmEvaluationPeriods: 49 }, "alarmEvaluationPeriods: 49 is not valid: an integer from 1 to 48 (CloudWatch: period 1800 s x evaluation periods may not exceed 86400 s)"],
  ])("refuses %j", (override, message) => {
    // Every message starts with the construct and the field path, then quotes the value received.
    expect(() => build(override)).toThrow(/^SnapshotAutomation at \S*\/automation: [a-zA-Z]+(\[\d+\]|\.[a-z]+)?: /);
    expect(() => build(override)).toThrow(message);
  });
});

test("accepts the longest prefix whose names fit, and a day's period over seven periods", () => {
  expect(() => build({ namePrefix: "p".repeat(37) })).not.toThrow();
  expect(() => build({ alarmPeriodSeconds: 86400, alarmEvaluationPeriods: 7 })).not.toThrow();
});

describe("operationsKeyPolicyStatements", () => {
  const statements = operationsKeyPolicyStatements({ accountId: ACCOUNT, region: REGION });

  test("CloudWatch Logs may use the key only for this account's log groups in this region", () => {
    expect(statements.find((s) => s.Sid === "CloudWatchLogsOfThisAccount")).toEqual({
      Sid: "CloudWatchLogsOfThisAccount",
      Effect: "Allow",
      Principal: { Service: `logs.${REGION}.amazonaws.com` },
      Action: ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
      Resource: "*",
      Condition: { ArnLike: { "kms:EncryptionContext:aws:logs:arn": `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:*` } },
    });
  });

  test("CloudWatch alarms and Redshift events may encrypt for topics, on behalf of this account only", () => {
    const alarms = statements.find((s) => s.Sid === "CloudWatchAlarmsToEncryptedTopics")!;
    expect(alarms.Principal).toEqual({ Service: "cloudwatch.amazonaws.com" });
    expect(alarms.Action).toEqual(["kms:Decrypt", "kms:GenerateDataKey*"]);
    expect(alarms.Condition).toEqual({
      StringEquals: { "aws:SourceAccount": ACCOUNT },
      ArnLike: { "aws:SourceArn": `arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:*` },
    });
    const redshift = statements.find((s) => s.Sid === "RedshiftEventsToEncryptedTopics")!;
    expect(redshift.Condition).toEqual({ StringEquals: { "aws:SourceAccount": ACCOUNT } });
  });

  test("every statement allows one service principal, and carries a condition", () => {
    expect(statements.map((s) => s.Sid)).toEqual([
      "CloudWatchLogsOfThisAccount",
      "CloudWatchAlarmsToEncryptedTopics",
      "RedshiftEventsToEncryptedTopics",
    ]);
    for (const s of statements) {
      expect(s.Effect).toBe("Allow");
      expect(s.Principal).toEqual({ Service: expect.any(String) });
      expect(Object.keys(s.Condition ?? {})).not.toHaveLength(0);
    }
  });

  test("DR accounts can leave out the Redshift events statement; aws-cn gets its DNS suffix", () => {
    const cn = operationsKeyPolicyStatements({ accountId: ACCOUNT, region: "cn-north-1", partition: "aws-cn", redshiftEvents: false });
    expect(cn.map((s) => s.Sid)).toEqual(["CloudWatchLogsOfThisAccount", "CloudWatchAlarmsToEncryptedTopics"]);
    expect(cn[0].Principal).toEqual({ Service: "logs.cn-north-1.amazonaws.com.cn" });
    expect(operationsKeyPolicyStatements({ accountId: ACCOUNT, region: REGION, logs: false }).map((s) => s.Sid)).toEqual([
      "CloudWatchAlarmsToEncryptedTopics",
      "RedshiftEventsToEncryptedTopics",
    ]);
  });
});
