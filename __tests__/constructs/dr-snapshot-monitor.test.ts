import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function";
import { SchedulerSchedule } from "@cdktf/provider-aws/lib/scheduler-schedule";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { DrSnapshotMonitor, DrSnapshotMonitorProps } from "../../stacks/constructs/dr-snapshot-monitor";
import {
  DR_ACCOUNT,
  DR_KMS_KEY as DR_KEY,
  FIXTURE_ENTRY,
  REGION,
  Synthesized,
  allowedActions,
  functionPolicy,
  list,
  statement,
  synth,
  synthBundle,
  wildcardSids,
} from "./fixtures/nodejs-function-helpers";

const PROPS: DrSnapshotMonitorProps = {
  accountId: DR_ACCOUNT,
  region: REGION,
  partition: "aws",
  namePrefix: "prod",
  sources: [
    { accountId: "111111111111", clusterIdentifiers: ["sales", "finance-dw"], rpoHours: 8 },
    { accountId: "333333333333", clusterIdentifiers: ["hr"], rpoHours: 26 },
  ],
  alertEmails: ["dr-oncall@example.com"],
  kmsKeyArn: DR_KEY,
  entry: FIXTURE_ENTRY,
};

function build(overrides: Partial<DrSnapshotMonitorProps> = {}): Synthesized {
  return synth((stack) => new DrSnapshotMonitor(stack, "monitor", { ...PROPS, ...overrides }));
}

describe("DrSnapshotMonitor", () => {
  const s = build();
  const alertTopic = s.ref("aws_sns_topic", "alert-topic", "arn");

  test("deploys dr-monitor on nodejs22.x, one run at a time, with the SOURCES contract", () => {
    expect(s.json).toHaveResourceWithProperties(LambdaFunction, {
      function_name: "prod-dr-monitor",
      runtime: "nodejs22.x",
      reserved_concurrent_executions: 1,
    });
    const vars = (s.resource("aws_lambda_function").environment as { variables: Record<string, string> }).variables;
    expect(JSON.parse(vars.SOURCES)).toEqual([
      { accountId: "111111111111", clusters: ["sales", "finance-dw"] },
      { accountId: "333333333333", clusters: ["hr"] },
    ]);
    expect(vars).toMatchObject({ SNAPSHOT_PREFIX: "rsdr", MANAGED_BY: "rsdr", METRIC_NAMESPACE: "RedshiftDR", ALERT_TOPIC_ARN: alertTopic });
  });

  test("by default bundles the repo's dr-monitor handler, which loads and exports handler", () => {
    const bundle = synthBundle(
      (stack) => new DrSnapshotMonitor(stack, "monitor", { ...PROPS, entry: undefined }).function,
    );
    expect(bundle.sources).toContain("functions/dr-monitor/handler.ts");
    expect(typeof bundle.exports.handler).toBe("function");
  });

  test("every account-unique name (roles, functions, alarms, queues, topics, schedules) is used once", () => {
    expect(s.duplicateNames()).toEqual({});
    expect(Object.keys(s.resources("aws_iam_role"))).toHaveLength(2);
  });

  test("runs hourly by default, flexible window off, with retries and an encrypted DLQ", () => {
    expect(s.json).toHaveResourceWithProperties(SchedulerSchedule, {
      name: "prod-dr-monitor",
      schedule_expression: "rate(1 hour)",
      schedule_expression_timezone: "UTC",
      flexible_time_window: { mode: "OFF" },
      target: {
        arn: s.ref("aws_lambda_function", "monitor", "arn"),
        role_arn: s.ref("aws_iam_role", "schedule", "arn"),
        input: '{"trigger":"schedule"}',
        retry_policy: { maximum_retry_attempts: 3, maximum_event_age_in_seconds: 3600 },
        dead_letter_config: { arn: s.ref("aws_sqs_queue", "dlq", "arn") },
      },
    });
  });

  test("role: describe snapshots, publish alerts, and no PutMetricData (metrics are EMF in its logs); '*' only where no resource-level permission exists", () => {
    const doc = functionPolicy(s);
    expect(allowedActions(doc)).toEqual([
      "kms:Decrypt",
      "kms:GenerateDataKey",
      "logs:CreateLogStream",
      "logs:PutLogEvents",
      "redshift:DescribeClusterSnapshots",
      "sns:Publish",
      "sqs:SendMessage",
      "xray:PutTelemetryRecords",
      "xray:PutTraceSegments",
    ]);
    expect(wildcardSids(doc)).toEqual(["DescribeSharedSnapshots", "XRayNoResourceLevelPermissions"]);
    expect(statement(doc, "PublishAlerts").Resource).toBe(alertTopic);
    expect(statement(doc, "UseOperationsKeyViaSnsAndSqs").Resource).toBe(DR_KEY);
    expect(list(statement(doc, "WriteOwnLogGroup").Resource)).toEqual([
      `arn:aws:logs:${REGION}:${DR_ACCOUNT}:log-group:/aws/lambda/prod-dr-monitor:*`,
    ]);
  });

  test("one staleness alarm per (source account, cluster): age > RPO, missing data breaching", () => {
    const actions = { alarm_actions: [alertTopic], ok_actions: [alertTopic] };
    const expected: [string, string, number][] = [
      ["111111111111", "sales", 8],
      ["111111111111", "finance-dw", 8],
      ["333333333333", "hr", 26],
    ];
    for (const [account, cluster, rpo] of expected) {
      expect(s.json).toHaveResourceWithProperties(CloudwatchMetricAlarm, {
        ...actions,
        alarm_name: `prod-dr-monitor-${account}-${cluster}-rpo-exceeded`,
        namespace: "RedshiftDR",
        metric_name: "NewestSharedSnapshotAgeHours",
        dimensions: { SourceAccount: account, ClusterIdentifier: cluster },
        statistic: "Maximum",
        period: 3600,
        evaluation_periods: 2,
        datapoints_to_alarm: 2,
        threshold: rpo,
        comparison_operator: "GreaterThanThreshold",
        treat_missing_data: "breaching",
      });
    }
    const staleness = Object.values(s.resources("aws_cloudwatch_metric_alarm")).filter(
      (a) => a.metric_name === "NewestSharedSnapshotAgeHours",
    );
    expect(staleness).toHaveLength(3);
  });

  test("alarms on the monitor's own Errors, Throttles and DLQ", () => {
    for (const name of ["prod-dr-monitor-errors", "prod-dr-monitor-throttles", "prod-dr-monitor-dlq-not-empty"]) {
      expect(s.json).toHaveResourceWithProperties(CloudwatchMetricAlarm, { alarm_name: name, threshold: 0 });
    }
  });

  test("alert topic and log group are encrypted with the DR operations key", () => {
    expect(s.json).toHaveResourceWithProperties(SnsTopic, { name: "prod-dr-alerts", kms_master_key_id: DR_KEY });
    expect(s.json).toHaveResourceWithProperties(CloudwatchLogGroup, {
      name: "/aws/lambda/prod-dr-monitor",
      retention_in_days: 365,
      kms_key_id: DR_KEY,
    });
  });

  test("schedule expression and alarm period are props", () => {
    const x = build({ scheduleExpression: "rate(6 hours)", alarmPeriodSeconds: 21600, alarmEvaluationPeriods: 1 });
    expect(x.resource("aws_scheduler_schedule").schedule_expression).toBe("rate(6 hours)");
    const alarm = x.resource("aws_cloudwatch_metric_alarm", "staleness-333333333333-hr");
    expect(alarm).toMatchObject({ period: 21600, evaluation_periods: 1, datapoints_to_alarm: 1 });
  });

  test.each<[Partial<DrSnapshotMonitorProps>, string]>([
    [{ sources: [] }, "sources: [] is not valid: at least one source account"],
    [
      { sources: [{ accountId: "1111", clusterIdentifiers: ["a"], rpoHours: 1 }] },
      'sources[0].accountId: "1111" is not valid: a 12-digit AWS account id',
    ],
    [
      { sources: [{ accountId: DR_ACCOUNT, clusterIdentifiers: ["a"], rpoHours: 1 }] },
      `sources[0].accountId: "${DR_ACCOUNT}" is not valid: an account other than the DR account`,
    ],
    [
      { sources: [{ accountId: "111111111111", clusterIdentifiers: ["Bad_Id"], rpoHours: 1 }] },
      'sources[0].clusterIdentifiers[0]: "Bad_Id" is not valid',
    ],
    [
      { sources: [{ accountId: "111111111111", clusterIdentifiers: ["a"], rpoHours: 0 }] },
      "sources[0].rpoHours: 0 is not valid: a positive number of hours",
    ],
    [{ alarmPeriodSeconds: 90 }, "alarmPeriodSeconds: 90 is not valid: a multiple of 60"],
    [{ alarmPeriodSeconds: 3600, alarmEvaluationPeriods: 169 }, "alarmEvaluationPeriods: 169 is not valid: an integer from 1 to 168"],
    [{ namePrefix: "p".repeat(44) }, `namePrefix: "${"p".repeat(44)}" is not valid`],
  ])("refuses %j", (override, message) => {
    // Every message names the construct and its path, then the field, the value and what is allowed.
    expect(() => build(override)).toThrow(/^DrSnapshotMonitor at \S*\/monitor: [a-zA-Z]+(\[\d+\])?(\.\w+(\[\d+\])?)?: /);
    expect(() => build(override)).toThrow(message);
  });
});
