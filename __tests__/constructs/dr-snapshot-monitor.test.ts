import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function";
import { SchedulerSchedule } from "@cdktf/provider-aws/lib/scheduler-schedule";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { BackupVault } from "@cdktf/provider-aws/lib/backup-vault";
import { drMonitorSettingsFromEnv } from "../../functions/lib/environment";
import { DrBackupMonitoring, DrMonitorSource, DrSnapshotMonitor, DrSnapshotMonitorProps } from "../../stacks/constructs/dr-snapshot-monitor";
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

/** The function's environment variables, as synthesized. */
const environment = (x: Synthesized) => (x.resource("aws_lambda_function").environment as { variables: Record<string, string> }).variables;

/** Every action of the monitor's role with native sources (sorted, as allowedActions gives them). */
const NATIVE_ACTIONS = [
  "kms:Decrypt",
  "kms:GenerateDataKey",
  "logs:CreateLogStream",
  "logs:PutLogEvents",
  "redshift:DescribeClusterSnapshots",
  "sns:Publish",
  "sqs:SendMessage",
  "xray:PutTelemetryRecords",
  "xray:PutTraceSegments",
];

/** Asserts one RPO alarm per [account, cluster, rpoHours]: `metric` > RPO, hourly, two periods, missing data breaching. */
function expectRpoAlarms(s: Synthesized, metric: string, nameSuffix: string, expected: readonly [string, string, number][]): void {
  const alertTopic = s.ref("aws_sns_topic", "alert-topic", "arn");
  for (const [account, cluster, rpo] of expected) {
    expect(s.json).toHaveResourceWithProperties(CloudwatchMetricAlarm, {
      alarm_actions: [alertTopic],
      ok_actions: [alertTopic],
      alarm_name: `prod-dr-monitor-${account}-${cluster}-${nameSuffix}`,
      namespace: "RedshiftDR",
      metric_name: metric,
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
  expect(Object.values(s.resources("aws_cloudwatch_metric_alarm")).filter((a) => a.metric_name === metric)).toHaveLength(expected.length);
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
    const vars = environment(s);
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
    expect(allowedActions(doc)).toEqual(NATIVE_ACTIONS);
    expect(wildcardSids(doc)).toEqual(["DescribeSharedSnapshots", "XRayNoResourceLevelPermissions"]);
    expect(statement(doc, "PublishAlerts").Resource).toBe(alertTopic);
    expect(statement(doc, "UseOperationsKeyViaSnsAndSqs").Resource).toBe(DR_KEY);
    expect(list(statement(doc, "WriteOwnLogGroup").Resource)).toEqual([
      `arn:aws:logs:${REGION}:${DR_ACCOUNT}:log-group:/aws/lambda/prod-dr-monitor:*`,
    ]);
  });

  test("one staleness alarm per (source account, cluster): age > RPO, missing data breaching", () => {
    expectRpoAlarms(s, "NewestSharedSnapshotAgeHours", "rpo-exceeded", [
      ["111111111111", "sales", 8],
      ["111111111111", "finance-dw", 8],
      ["333333333333", "hr", 26],
    ]);
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
    [{ sources: [] }, "sources: [] is not valid: at least one source account (or sources in backup.sources or drOwnedCopies)"],
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
    expect(() => build(override)).toThrow(/^DrSnapshotMonitor at \S*\/monitor: [a-zA-Z]+(\[\d+\])?(\.\w+(\[\d+\])?)*: /);
    expect(() => build(override)).toThrow(message);
  });
});

const VAULT_ARN = `arn:aws:backup:${REGION}:${DR_ACCOUNT}:backup-vault:prod-dr`;
const BACKUP: DrBackupMonitoring = {
  vaultName: "prod-dr",
  vaultArn: VAULT_ARN,
  sources: [
    // sales is watched both ways (native sharing too, see PROPS); 444444444444 uses AWS Backup only
    { accountId: "111111111111", region: REGION, clusterIdentifiers: ["sales"], rpoHours: 30 },
    { accountId: "444444444444", region: REGION, clusterIdentifiers: ["risk", "ledger"], rpoHours: 26 },
  ],
};

describe("DrSnapshotMonitor with AWS Backup copies", () => {
  const s = build({ backup: BACKUP });

  test("SOURCES lists the native entries as before, then each backup source with its region and partition; BACKUP_VAULT_NAME names the vault; the function reads them back", () => {
    const vars = environment(s);
    const backupEntries = [
      { accountId: "111111111111", clusters: ["sales"], approaches: ["backup"], region: REGION, partition: "aws" },
      { accountId: "444444444444", clusters: ["risk", "ledger"], approaches: ["backup"], region: REGION, partition: "aws" },
    ];
    expect(JSON.parse(vars.SOURCES)).toEqual([
      { accountId: "111111111111", clusters: ["sales", "finance-dw"] },
      { accountId: "333333333333", clusters: ["hr"] },
      ...backupEntries,
    ]);
    expect(vars.BACKUP_VAULT_NAME).toBe("prod-dr");
    const settings = drMonitorSettingsFromEnv({ ...vars, ALERT_TOPIC_ARN: `arn:aws:sns:${REGION}:${DR_ACCOUNT}:alerts` });
    expect(settings.backupVaultName).toBe("prod-dr");
    expect(settings.sources.slice(2)).toEqual(backupEntries);
  });

  test("role: ListRecoveryPointsByBackupVault on exactly the DR vault, next to the native statements", () => {
    const doc = functionPolicy(s);
    expect(statement(doc, "ListDrVaultRecoveryPoints")).toEqual({
      Sid: "ListDrVaultRecoveryPoints",
      Effect: "Allow",
      Action: "backup:ListRecoveryPointsByBackupVault",
      Resource: VAULT_ARN,
    });
    expect(allowedActions(doc)).toEqual(["backup:ListRecoveryPointsByBackupVault", ...NATIVE_ACTIONS]);
    expect(wildcardSids(doc)).toEqual(["DescribeSharedSnapshots", "XRayNoResourceLevelPermissions"]);
  });

  test("one recovery-point alarm per backup (source account, cluster): age > its RPO, missing data breaching; the native alarms stay", () => {
    expectRpoAlarms(s, "NewestRecoveryPointAgeHours", "backup-rpo-exceeded", [
      ["111111111111", "sales", 30],
      ["444444444444", "risk", 26],
      ["444444444444", "ledger", 26],
    ]);
    expect(Object.values(s.resources("aws_cloudwatch_metric_alarm")).filter((a) => a.metric_name === "NewestSharedSnapshotAgeHours")).toHaveLength(3);
    expect(s.duplicateNames()).toEqual({});
  });

  test("exposes the recovery-point alarms, keyed <account>/<cluster>, apart from the native ones", () => {
    let monitor: DrSnapshotMonitor | undefined;
    synth((stack) => {
      monitor = new DrSnapshotMonitor(stack, "monitor", { ...PROPS, backup: BACKUP });
    });
    expect(Object.keys(monitor!.backupStalenessAlarms)).toEqual(["111111111111/sales", "444444444444/risk", "444444444444/ledger"]);
    expect(Object.keys(monitor!.stalenessAlarms)).toEqual(["111111111111/sales", "111111111111/finance-dw", "333333333333/hr"]);
  });

  test("without backup: no Backup permission, no BACKUP_VAULT_NAME, no recovery-point alarm, and no recovery-point alarm field entries", () => {
    const plain = build();
    expect(allowedActions(functionPolicy(plain)).filter((a) => a.startsWith("backup:"))).toEqual([]);
    expect(environment(plain)).not.toHaveProperty("BACKUP_VAULT_NAME");
    expect(Object.values(plain.resources("aws_cloudwatch_metric_alarm")).filter((a) => a.metric_name === "NewestRecoveryPointAgeHours")).toEqual([]);
  });

  test("backup only (no native sources): no DescribeClusterSnapshots at all, and only recovery-point alarms", () => {
    const x = build({ sources: [], backup: BACKUP });
    const doc = functionPolicy(x);
    expect(allowedActions(doc).filter((a) => a.startsWith("redshift:") || a.startsWith("backup:"))).toEqual(["backup:ListRecoveryPointsByBackupVault"]);
    expect(wildcardSids(doc)).toEqual(["XRayNoResourceLevelPermissions"]);
    expect(JSON.parse(environment(x).SOURCES)).toHaveLength(2);
    expect(Object.values(x.resources("aws_cloudwatch_metric_alarm")).map((a) => a.metric_name).filter((m) => String(m).startsWith("Newest"))).toEqual([
      "NewestRecoveryPointAgeHours",
      "NewestRecoveryPointAgeHours",
      "NewestRecoveryPointAgeHours",
    ]);
    expect(x.resource("aws_lambda_function").description).toBe(
      "Reports the age of the newest Redshift recovery point each source account copies into this DR account's backup vault",
    );
  });

  test("a vault created in the same stack: the statement names its ARN, and the partition comes from that ARN when not given", () => {
    const x = synth((stack) => {
      const vault = new BackupVault(stack, "vault", { name: "prod-dr" });
      new DrSnapshotMonitor(stack, "monitor", { ...PROPS, partition: undefined, backup: { ...BACKUP, vaultName: vault.name, vaultArn: vault.arn } });
    });
    const vaultArn = x.ref("aws_backup_vault", "vault", "arn");
    expect(statement(functionPolicy(x), "ListDrVaultRecoveryPoints").Resource).toBe(vaultArn);
    const vars = environment(x);
    expect(vars.BACKUP_VAULT_NAME).toBe(x.ref("aws_backup_vault", "vault", "name"));
    expect(vars.SOURCES).toContain(`"partition":"\${element(split(":", ${vaultArn.slice(2, -1)}), 1)}"`);
  });

  test("alarm names stay within CloudWatch's 255 characters at the longest prefix and cluster identifier", () => {
    const longest = "p".repeat(43);
    const cluster = `c${"-x".repeat(31)}`; // 63 characters
    const x = build({ namePrefix: longest, backup: { ...BACKUP, sources: [{ accountId: "444444444444", region: REGION, clusterIdentifiers: [cluster], rpoHours: 1 }] } });
    const names = Object.values(x.resources("aws_cloudwatch_metric_alarm")).map((a) => String(a.alarm_name));
    expect(names).toContain(`${longest}-dr-monitor-444444444444-${cluster}-backup-rpo-exceeded`);
    expect(Math.max(...names.map((n) => n.length))).toBeLessThanOrEqual(255);
  });

  test.each<[string, Partial<DrSnapshotMonitorProps>, string]>([
    ["backup with no sources", { sources: [], backup: { ...BACKUP, sources: [] } }, "backup.sources: [] is not valid: at least one source account (leave backup out otherwise)"],
    ["a vault name AWS Backup refuses", { backup: { ...BACKUP, vaultName: "x" } }, 'backup.vaultName: "x" is not valid: a backup vault name'],
    ["an ARN that is not a vault's", { backup: { ...BACKUP, vaultArn: "arn:aws:s3:::prod-dr" } }, 'backup.vaultArn: "arn:aws:s3:::prod-dr" is not valid: a backup vault ARN'],
    [
      "the ARN of another vault",
      { backup: { ...BACKUP, vaultArn: `arn:aws:backup:${REGION}:${DR_ACCOUNT}:backup-vault:other` } },
      'backup.vaultArn: "arn:aws:backup:eu-west-1:222222222222:backup-vault:other" is not valid: the ARN of the vault backup.vaultName names ("prod-dr")',
    ],
    ["a vault of another account", { backup: { ...BACKUP, vaultArn: `arn:aws:backup:${REGION}:111111111111:backup-vault:prod-dr` } }, `is not valid: a vault of the DR account (accountId ${DR_ACCOUNT})`],
    ["a vault in another region", { backup: { ...BACKUP, vaultArn: `arn:aws:backup:us-east-1:${DR_ACCOUNT}:backup-vault:prod-dr` } }, `is not valid: a vault in the monitor's region (${REGION})`],
    ["a source region that is not one", { backup: { ...BACKUP, sources: [{ ...BACKUP.sources[0], region: "Ireland" }] } }, 'backup.sources[0].region: "Ireland" is not valid: an AWS region name'],
    ["a source account id that is not one", { backup: { ...BACKUP, sources: [{ ...BACKUP.sources[0], accountId: "1111" }] } }, 'backup.sources[0].accountId: "1111" is not valid: a 12-digit AWS account id'],
    ["the DR account as a source", { backup: { ...BACKUP, sources: [{ ...BACKUP.sources[0], accountId: DR_ACCOUNT }] } }, `backup.sources[0].accountId: "${DR_ACCOUNT}" is not valid: an account other than the DR account`],
    ["a source account twice", { backup: { ...BACKUP, sources: [BACKUP.sources[0], BACKUP.sources[0]] } }, 'backup.sources[1].accountId: "111111111111" is not valid: listed once'],
    ["a source without clusters", { backup: { ...BACKUP, sources: [{ ...BACKUP.sources[0], clusterIdentifiers: [] }] } }, "backup.sources[0].clusterIdentifiers: [] is not valid: at least one cluster"],
    ["an invalid cluster identifier", { backup: { ...BACKUP, sources: [{ ...BACKUP.sources[0], clusterIdentifiers: ["Bad_Id"] }] } }, 'backup.sources[0].clusterIdentifiers[0]: "Bad_Id" is not valid'],
    ["a non-positive RPO", { backup: { ...BACKUP, sources: [{ ...BACKUP.sources[0], rpoHours: -1 }] } }, "backup.sources[0].rpoHours: -1 is not valid: a positive number of hours"],
  ])("refuses %s", (_label, override, message) => {
    expect(() => build(override)).toThrow(/^DrSnapshotMonitor at \S*\/monitor: [a-zA-Z]+(\[\d+\])?(\.\w+(\[\d+\])?)*: /);
    expect(() => build(override)).toThrow(message);
  });
});

const DR_COPIES: readonly DrMonitorSource[] = [
  // sales is watched natively too (see PROPS); 555555555555 by DR-owned copies only
  { accountId: "111111111111", clusterIdentifiers: ["sales"], rpoHours: 170 },
  { accountId: "555555555555", clusterIdentifiers: ["risk", "ledger"], rpoHours: 50 },
];

describe("DrSnapshotMonitor with DR-owned copies", () => {
  const s = build({ drOwnedCopies: DR_COPIES });

  test("SOURCES lists the native entries as before, then each DR-owned-copy source with approaches drcopy and no region; the function reads them back", () => {
    const vars = environment(s);
    const drcopyEntries = [
      { accountId: "111111111111", clusters: ["sales"], approaches: ["drcopy"] },
      { accountId: "555555555555", clusters: ["risk", "ledger"], approaches: ["drcopy"] },
    ];
    expect(JSON.parse(vars.SOURCES)).toEqual([
      { accountId: "111111111111", clusters: ["sales", "finance-dw"] },
      { accountId: "333333333333", clusters: ["hr"] },
      ...drcopyEntries,
    ]);
    expect(vars).not.toHaveProperty("BACKUP_VAULT_NAME");
    const settings = drMonitorSettingsFromEnv({ ...vars, ALERT_TOPIC_ARN: `arn:aws:sns:${REGION}:${DR_ACCOUNT}:alerts` });
    expect(settings.sources.slice(2)).toEqual(drcopyEntries);
  });

  test("with backup too: native, then backup, then drcopy entries", () => {
    const x = build({ backup: BACKUP, drOwnedCopies: DR_COPIES });
    expect(JSON.parse(environment(x).SOURCES).map((e: { approaches?: string[] }) => e.approaches ?? ["native"])).toEqual([
      ["native"],
      ["native"],
      ["backup"],
      ["backup"],
      ["drcopy"],
      ["drcopy"],
    ]);
    expect(x.duplicateNames()).toEqual({});
    expect(x.resource("aws_lambda_function").description).toBe(
      "Reports, per source cluster, the age of the newest restorable Redshift copy in this DR account: shared snapshot, recovery point in the DR backup vault, DR-owned copy of a restore drill",
    );
  });

  test("role: the native statement (DescribeClusterSnapshots on '*') covers the own snapshots too: no new action, no new statement", () => {
    const doc = functionPolicy(s);
    expect(allowedActions(doc)).toEqual(NATIVE_ACTIONS);
    expect(wildcardSids(doc)).toEqual(["DescribeSharedSnapshots", "XRayNoResourceLevelPermissions"]);
    expect(doc.Statement.filter((x) => list(x.Action).includes("redshift:DescribeClusterSnapshots"))).toHaveLength(1);
  });

  test("one DR-owned-copy alarm per (source account, cluster): data age > its RPO, missing data breaching; the native alarms stay", () => {
    expectRpoAlarms(s, "NewestDrOwnedCopyAgeHours", "drcopy-rpo-exceeded", [
      ["111111111111", "sales", 170],
      ["555555555555", "risk", 50],
      ["555555555555", "ledger", 50],
    ]);
    expect(Object.values(s.resources("aws_cloudwatch_metric_alarm")).filter((a) => a.metric_name === "NewestSharedSnapshotAgeHours")).toHaveLength(3);
    expect(s.duplicateNames()).toEqual({});
  });

  test("exposes the DR-owned-copy alarms, keyed <account>/<cluster>, apart from the others; empty without drOwnedCopies", () => {
    let monitor: DrSnapshotMonitor | undefined;
    let plain: DrSnapshotMonitor | undefined;
    synth((stack) => {
      monitor = new DrSnapshotMonitor(stack, "monitor", { ...PROPS, drOwnedCopies: DR_COPIES });
      plain = new DrSnapshotMonitor(stack, "plain", { ...PROPS, namePrefix: "plain" });
    });
    expect(Object.keys(monitor!.drOwnedCopyStalenessAlarms)).toEqual(["111111111111/sales", "555555555555/risk", "555555555555/ledger"]);
    expect(Object.keys(monitor!.stalenessAlarms)).toEqual(["111111111111/sales", "111111111111/finance-dw", "333333333333/hr"]);
    expect(monitor!.backupStalenessAlarms).toEqual({});
    expect(plain!.drOwnedCopyStalenessAlarms).toEqual({});
  });

  test("without drOwnedCopies: no drcopy entry and no DR-owned-copy alarm (the native-only monitor is unchanged)", () => {
    const plain = build();
    expect(JSON.parse(environment(plain).SOURCES).filter((e: { approaches?: string[] }) => e.approaches?.includes("drcopy"))).toEqual([]);
    expect(Object.values(plain.resources("aws_cloudwatch_metric_alarm")).filter((a) => a.metric_name === "NewestDrOwnedCopyAgeHours")).toEqual([]);
    expect(plain.resource("aws_lambda_function").description).toBe("Reports the age of the newest Redshift snapshot each source account shares with this DR account");
  });

  test("DR-owned copies only (no native sources): DescribeClusterSnapshots on '*' under its own Sid, and only DR-owned-copy alarms", () => {
    const x = build({ sources: [], drOwnedCopies: DR_COPIES });
    const doc = functionPolicy(x);
    expect(allowedActions(doc).filter((a) => a.startsWith("redshift:") || a.startsWith("backup:"))).toEqual(["redshift:DescribeClusterSnapshots"]);
    expect(statement(doc, "DescribeDrOwnedCopies")).toEqual({ Sid: "DescribeDrOwnedCopies", Effect: "Allow", Action: "redshift:DescribeClusterSnapshots", Resource: "*" });
    expect(wildcardSids(doc)).toEqual(["DescribeDrOwnedCopies", "XRayNoResourceLevelPermissions"]);
    expect(JSON.parse(environment(x).SOURCES)).toHaveLength(2);
    expect(Object.values(x.resources("aws_cloudwatch_metric_alarm")).map((a) => a.metric_name).filter((m) => String(m).startsWith("Newest"))).toEqual([
      "NewestDrOwnedCopyAgeHours",
      "NewestDrOwnedCopyAgeHours",
      "NewestDrOwnedCopyAgeHours",
    ]);
    expect(x.resource("aws_lambda_function").description).toBe(
      "Reports, per source cluster, the age of the newest restorable Redshift copy in this DR account: DR-owned copy of a restore drill",
    );
  });

  test("alarm names stay within CloudWatch's 255 characters at the longest prefix and cluster identifier", () => {
    const longest = "p".repeat(43);
    const cluster = `c${"-x".repeat(31)}`; // 63 characters
    const x = build({ namePrefix: longest, drOwnedCopies: [{ accountId: "555555555555", clusterIdentifiers: [cluster], rpoHours: 1 }] });
    const names = Object.values(x.resources("aws_cloudwatch_metric_alarm")).map((a) => String(a.alarm_name));
    expect(names).toContain(`${longest}-dr-monitor-555555555555-${cluster}-drcopy-rpo-exceeded`);
    expect(Math.max(...names.map((n) => n.length))).toBeLessThanOrEqual(255);
  });

  test.each<[string, Partial<DrSnapshotMonitorProps>, string]>([
    ["an empty list", { drOwnedCopies: [] }, "drOwnedCopies: [] is not valid: at least one source account (leave drOwnedCopies out otherwise)"],
    ["an account id that is not one", { drOwnedCopies: [{ ...DR_COPIES[0], accountId: "1111" }] }, 'drOwnedCopies[0].accountId: "1111" is not valid: a 12-digit AWS account id'],
    ["the DR account as a source", { drOwnedCopies: [{ ...DR_COPIES[0], accountId: DR_ACCOUNT }] }, `drOwnedCopies[0].accountId: "${DR_ACCOUNT}" is not valid: an account other than the DR account`],
    ["a source account twice", { drOwnedCopies: [DR_COPIES[0], DR_COPIES[0]] }, 'drOwnedCopies[1].accountId: "111111111111" is not valid: listed once'],
    ["a source without clusters", { drOwnedCopies: [{ ...DR_COPIES[0], clusterIdentifiers: [] }] }, "drOwnedCopies[0].clusterIdentifiers: [] is not valid: at least one cluster"],
    ["an invalid cluster identifier", { drOwnedCopies: [{ ...DR_COPIES[0], clusterIdentifiers: ["Bad_Id"] }] }, 'drOwnedCopies[0].clusterIdentifiers[0]: "Bad_Id" is not valid'],
    ["a non-positive RPO", { drOwnedCopies: [{ ...DR_COPIES[0], rpoHours: 0 }] }, "drOwnedCopies[0].rpoHours: 0 is not valid: a positive number of hours"],
  ])("refuses %s", (_label, override, message) => {
    expect(() => build(override)).toThrow(/^DrSnapshotMonitor at \S*\/monitor: [a-zA-Z]+(\[\d+\])?(\.\w+(\[\d+\])?)*: /);
    expect(() => build(override)).toThrow(message);
  });
});
