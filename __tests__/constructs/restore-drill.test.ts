// The RestoreDrill and DrDashboard constructs on their own, as another CDKTF app would use them (props only, no
// project config): the drill function's environment and least-privilege role, the report bucket, the alarms, the
// schedule, prop refusals; and the dashboard body.
import { TerraformStack, Testing } from "cdktf";
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import type { DrillTarget } from "../../contract";
import { drillSettingsFromEnv } from "../../functions/lib/drill-settings";
import { dashboardBody, DrDashboard, type DrDashboardProps } from "../../stacks/constructs/dr-dashboard";
import { drillStatements, RestoreDrill, type RestoreDrillProps } from "../../stacks/constructs/restore-drill";
import { ValidationError } from "../../stacks/constructs/validation";
import {
  ACCOUNT,
  DR_ACCOUNT,
  FIXTURE_ENTRY,
  KMS_KEY as SALES_KEY,
  REGION,
  Synthesized,
  functionPolicy,
  list,
  policy,
  synth,
  wildcardSids,
  type Statement,
} from "./fixtures/nodejs-function-helpers";

const OTHER = "333333333333";
const RISK_KEY = `arn:aws:kms:${REGION}:${OTHER}:key/9999abcd-12ab-34cd-56ef-1234567890ab`;
const drKey = (n: number) => `arn:aws:kms:${REGION}:${DR_ACCOUNT}:key/${n}000abcd-12ab-34cd-56ef-1234567890ab`;
const [OPS_KEY, DR_DATA_KEY, VAULT_KEY] = [drKey(1), drKey(2), drKey(3)];
const VAULT_ARN = `arn:aws:backup:${REGION}:${DR_ACCOUNT}:backup-vault:prod-dr`;
const rs = (account: string, resource: string) => `arn:aws:redshift:${REGION}:${account}:${resource}`;

/** sales: newest, keeps DR-owned copies; hr: only vault copies; risk: only shared snapshots. */
const DRILLS: DrillTarget[] = [
  {
    accountId: ACCOUNT,
    region: REGION,
    partition: "aws",
    clusterIdentifier: "sales",
    kmsKeyArn: SALES_KEY,
    everyHours: 168,
    maxLifetimeHours: 8,
    from: "newest",
    nodeType: "ra3.xlplus",
    numberOfNodes: 2,
    database: "sales",
    tables: ["public.orders", "customers"],
    drOwnedCopy: { retentionDays: 35, keepLatest: 2 },
  },
  { accountId: OTHER, region: REGION, partition: "aws", clusterIdentifier: "hr", everyHours: 24, maxLifetimeHours: 4, from: "backup", database: "dev", tables: [] },
  { accountId: OTHER, region: REGION, partition: "aws", clusterIdentifier: "risk", kmsKeyArn: RISK_KEY, everyHours: 72, maxLifetimeHours: 12, from: "shared", database: "dev", tables: [] },
];

const PROPS: RestoreDrillProps = {
  accountId: DR_ACCOUNT,
  region: REGION,
  partition: "aws",
  namePrefix: "prod",
  drills: DRILLS,
  sourceKmsKeyArns: [SALES_KEY, RISK_KEY],
  snapshotPrefix: "prod",
  managedBy: "prod-dr",
  subnetGroupName: "prod-dr-redshift",
  securityGroupName: "prod-dr-restore",
  drKmsKeyArn: DR_DATA_KEY,
  backupVault: { vaultName: "prod-dr", vaultArn: VAULT_ARN, kmsKeyArn: VAULT_KEY },
  alertEmails: ["dr-oncall@example.com"],
  kmsKeyArn: OPS_KEY,
  entry: FIXTURE_ENTRY,
};

/** No vault, no DR-owned copy, no source keys, no security group name; the defaults, and a destroyable bucket. */
const MINIMAL: RestoreDrillProps = {
  ...PROPS,
  drills: [DRILLS[2], { ...DRILLS[0], from: "newest", drOwnedCopy: undefined }],
  sourceKmsKeyArns: [],
  snapshotPrefix: undefined,
  managedBy: undefined,
  securityGroupName: undefined,
  backupVault: undefined,
  reportBucketName: "my-drill-reports",
  allowReportBucketDestroy: true,
  scheduleExpression: "rate(30 minutes)",
};

const environment = (x: Synthesized) => (x.resource("aws_lambda_function").environment as { variables: Record<string, string> }).variables;
const bySid = (statements: readonly Statement[]): Record<string, Statement> => {
  const map = Object.fromEntries(statements.map((s) => [s.Sid, s]));
  expect(Object.keys(map)).toHaveLength(statements.length); // no Sid twice
  return map;
};
const viaRedshift = { "kms:ViaService": `redshift.${REGION}.amazonaws.com` };

describe("RestoreDrill with a vault and a DR-owned copy", () => {
  let s: Synthesized;
  beforeAll(() => {
    s = synth((stack) => new RestoreDrill(stack, "drill", PROPS));
  });

  test("environment: DRILLS round-trips to the targets, the DR account, subnet group, group name, DR key, report bucket and vault; the function reads it back", () => {
    const vars = environment(s);
    expect(JSON.parse(vars.DRILLS)).toEqual(DRILLS);
    expect(vars).toMatchObject({
      DR_ACCOUNT_ID: DR_ACCOUNT,
      SNAPSHOT_PREFIX: "prod",
      MANAGED_BY: "prod-dr",
      SUBNET_GROUP_NAME: "prod-dr-redshift",
      SECURITY_GROUP_NAME: "prod-dr-restore",
      KMS_KEY_ARN: DR_DATA_KEY,
      REPORT_BUCKET: `prod-drill-reports-${DR_ACCOUNT}-${REGION}`,
      BACKUP_VAULT_NAME: "prod-dr",
      ALERT_TOPIC_ARN: s.ref("aws_sns_topic", "alert-topic", "arn"),
    });
    const settings = drillSettingsFromEnv({ ...vars, AWS_REGION: REGION });
    expect(settings).toMatchObject({ drills: DRILLS, drAccountId: DR_ACCOUNT, region: REGION, backupVaultName: "prod-dr", reportBucket: vars.REPORT_BUCKET });
    expect(s.resource("aws_lambda_function")).toMatchObject({ function_name: "prod-restore-drill", timeout: 300, reserved_concurrent_executions: 1 });
  });

  test("role: exactly the drill statements (Sids, actions, resources, conditions) besides logs, X-Ray, the DLQ and the alert topic", () => {
    const drillCluster = rs(DR_ACCOUNT, "cluster:prod-drill-*");
    const copies = rs(DR_ACCOUNT, "snapshot:prod-drill-*/prod-drcopy-*");
    const ours = { StringEquals: { "aws:ResourceTag/managed-by": "prod-dr" } };
    const bucket = `arn:aws:s3:::prod-drill-reports-${DR_ACCOUNT}-${REGION}`;
    const allow = (x: Omit<Statement, "Effect">): Statement => ({ Effect: "Allow", ...x });
    const expected = [
      allow({ Sid: "WriteOwnLogGroup", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: `arn:aws:logs:${REGION}:${DR_ACCOUNT}:log-group:/aws/lambda/prod-restore-drill:*` }),
      allow({ Sid: "XRayNoResourceLevelPermissions", Action: ["xray:PutTraceSegments", "xray:PutTelemetryRecords"], Resource: "*" }),
      allow({ Sid: "SendToDeadLetterQueue", Action: "sqs:SendMessage", Resource: s.ref("aws_sqs_queue", "dlq", "arn") }),
      allow({ Sid: "SeeClustersAndSnapshots", Action: ["redshift:DescribeClusters", "redshift:DescribeClusterSnapshots", "redshift:DescribeClusterSubnetGroups"], Resource: "*" }),
      allow({
        Sid: "RestoreIntoDrillClusters",
        Action: "redshift:RestoreFromClusterSnapshot",
        // shared snapshots of the sources not "backup"; vault copies of the sources not "shared"; only into drill clusters
        Resource: [rs(ACCOUNT, "snapshot:sales/*"), rs(OTHER, "snapshot:risk/*"), rs(DR_ACCOUNT, "snapshot:sales/awsbackup:*"), rs(DR_ACCOUNT, "snapshot:hr/awsbackup:*"), drillCluster],
      }),
      allow({ Sid: "TagDrillClustersAndCopies", Action: "redshift:CreateTags", Resource: [drillCluster, copies] }),
      allow({ Sid: "DeleteOurDrillClusters", Action: "redshift:DeleteCluster", Resource: drillCluster, Condition: ours }),
      allow({ Sid: "KeepDrOwnedCopies", Action: "redshift:CreateClusterSnapshot", Resource: [drillCluster, copies] }),
      allow({ Sid: "ExpireOurDrOwnedCopies", Action: "redshift:DeleteClusterSnapshot", Resource: copies, Condition: ours }),
      allow({ Sid: "ValidateDrillClusters", Action: "redshift-data:ExecuteStatement", Resource: drillCluster }),
      allow({
        Sid: "ReadOwnStatements",
        Action: ["redshift-data:DescribeStatement", "redshift-data:GetStatementResult"],
        Resource: "*",
        // Terraform's escape of "${": the policy AWS receives holds the IAM policy variable ${aws:userid}.
        Condition: { StringEquals: { "redshift-data:statement-owner-iam-userid": "$${aws:userid}" } },
      }),
      allow({
        Sid: "TemporaryCredentialsOnDrillClusters",
        Action: "redshift:GetClusterCredentials",
        Resource: [rs(DR_ACCOUNT, "dbuser:prod-drill-*/*"), rs(DR_ACCOUNT, "dbname:prod-drill-*/*")],
      }),
      allow({ Sid: "ReadSourceKeysThroughRedshift", Action: ["kms:Decrypt", "kms:DescribeKey"], Resource: [SALES_KEY, RISK_KEY], Condition: { StringEquals: viaRedshift } }),
      allow({ Sid: "LetRedshiftUseSourceKeys", Action: "kms:CreateGrant", Resource: [SALES_KEY, RISK_KEY], Condition: { StringEquals: viaRedshift, Bool: { "kms:GrantIsForAWSResource": "true" } } }),
      allow({ Sid: "EncryptDrillClustersWithDrKey", Action: ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey"], Resource: DR_DATA_KEY, Condition: { StringEquals: viaRedshift } }),
      allow({ Sid: "LetRedshiftUseDrKey", Action: "kms:CreateGrant", Resource: DR_DATA_KEY, Condition: { StringEquals: viaRedshift, Bool: { "kms:GrantIsForAWSResource": "true" } } }),
      allow({ Sid: "ListDrVaultRecoveryPoints", Action: "backup:ListRecoveryPointsByBackupVault", Resource: VAULT_ARN }),
      allow({ Sid: "ReadVaultKeyThroughRedshift", Action: ["kms:Decrypt", "kms:DescribeKey"], Resource: VAULT_KEY, Condition: { StringEquals: viaRedshift } }),
      allow({ Sid: "LetRedshiftUseVaultKey", Action: "kms:CreateGrant", Resource: VAULT_KEY, Condition: { StringEquals: viaRedshift, Bool: { "kms:GrantIsForAWSResource": "true" } } }),
      allow({ Sid: "FindRestoreSecurityGroup", Action: "ec2:DescribeSecurityGroups", Resource: "*" }),
      allow({ Sid: "WriteAndReadDrillReports", Action: ["s3:PutObject", "s3:GetObject"], Resource: `${bucket}/drills/*` }),
      allow({ Sid: "ListDrillReports", Action: "s3:ListBucket", Resource: bucket, Condition: { StringLike: { "s3:prefix": "drills/*" } } }),
      allow({ Sid: "EncryptReportsViaS3", Action: ["kms:GenerateDataKey", "kms:Decrypt"], Resource: OPS_KEY, Condition: { StringEquals: { "kms:ViaService": [`s3.${REGION}.amazonaws.com`] } } }),
      allow({
        Sid: "CreateRedshiftServiceLinkedRole",
        Action: "iam:CreateServiceLinkedRole",
        Resource: `arn:aws:iam::${DR_ACCOUNT}:role/aws-service-role/redshift.amazonaws.com/AWSServiceRoleForRedshift`,
        Condition: { StringLike: { "iam:AWSServiceName": "redshift.amazonaws.com" } },
      }),
      allow({ Sid: "PublishAlerts", Action: "sns:Publish", Resource: s.ref("aws_sns_topic", "alert-topic", "arn") }),
      allow({
        Sid: "UseOperationsKeyViaSnsAndSqs",
        Action: ["kms:GenerateDataKey", "kms:Decrypt"],
        Resource: OPS_KEY,
        Condition: { StringEquals: { "kms:ViaService": [`sns.${REGION}.amazonaws.com`, `sqs.${REGION}.amazonaws.com`] } },
      }),
    ];
    expect(bySid(functionPolicy(s).Statement)).toEqual(bySid(expected));
  });

  test("'*' only in statements that cannot name a resource; every other resource is a drill cluster, copy, source snapshot, key, vault or the bucket", () => {
    const doc = functionPolicy(s);
    expect(wildcardSids(doc)).toEqual(["FindRestoreSecurityGroup", "ReadOwnStatements", "SeeClustersAndSnapshots", "XRayNoResourceLevelPermissions"]);
    const mutating = doc.Statement.filter((x) => list(x.Action).some((a) => /^redshift:(Restore|Delete|Create)|^redshift-data:Execute|^s3:Put/.test(a)));
    for (const x of mutating) for (const r of list(x.Resource)) expect(r).toMatch(/prod-drill-\*|\/\*$|awsbackup:\*$|\/drills\/\*$/);
  });

  test("report bucket: versioned, SSE-KMS with the operations key, public access blocked, TLS only, kept on destroy by default", () => {
    const bucket = s.resource("aws_s3_bucket", "reports");
    expect(bucket).toMatchObject({ bucket: `prod-drill-reports-${DR_ACCOUNT}-${REGION}`, force_destroy: false, lifecycle: { prevent_destroy: true } });
    const id = s.ref("aws_s3_bucket", "reports", "id");
    const arn = s.ref("aws_s3_bucket", "reports", "arn");
    expect(s.resource("aws_s3_bucket_versioning", "reports")).toMatchObject({ bucket: id, versioning_configuration: { status: "Enabled" } });
    expect(s.resource("aws_s3_bucket_server_side_encryption_configuration", "reports")).toMatchObject({
      bucket: id,
      rule: [{ apply_server_side_encryption_by_default: { sse_algorithm: "aws:kms", kms_master_key_id: OPS_KEY } }],
    });
    expect(s.resource("aws_s3_bucket_public_access_block", "reports")).toMatchObject({
      bucket: id,
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
    const tls = policy(s.resource("aws_s3_bucket_policy", "reports").policy);
    expect(tls.Statement).toEqual([
      { Sid: "DenyInsecureTransport", Effect: "Deny", Principal: "*", Action: "s3:*", Resource: [arn, `${arn}/*`], Condition: { Bool: { "aws:SecureTransport": "false" } } },
    ]);
  });

  test("per drill a failed alarm (DrillsFailed Sum > 0) and an overdue alarm (HoursSinceLastPassedDrill Maximum > everyHours + maxLifetimeHours, missing data breaching), to the drill alert topic", () => {
    const topic = s.ref("aws_sns_topic", "alert-topic", "arn");
    expect(s.resource("aws_sns_topic", "alert-topic").name).toBe("prod-drill-alerts");
    for (const d of DRILLS) {
      const name = `prod-restore-drill-${d.accountId}-${d.clusterIdentifier}`;
      const dimensions = { SourceAccount: d.accountId, ClusterIdentifier: d.clusterIdentifier };
      expect(s.json).toHaveResourceWithProperties(CloudwatchMetricAlarm, {
        alarm_name: `${name}-failed`,
        namespace: "RedshiftDR",
        metric_name: "DrillsFailed",
        dimensions,
        statistic: "Sum",
        period: 3600,
        threshold: 0,
        comparison_operator: "GreaterThanThreshold",
        treat_missing_data: "notBreaching",
        alarm_actions: [topic],
        ok_actions: [topic],
      });
      expect(s.json).toHaveResourceWithProperties(CloudwatchMetricAlarm, {
        alarm_name: `${name}-overdue`,
        namespace: "RedshiftDR",
        metric_name: "HoursSinceLastPassedDrill",
        dimensions,
        statistic: "Maximum",
        period: 3600,
        threshold: d.everyHours + d.maxLifetimeHours,
        comparison_operator: "GreaterThanThreshold",
        treat_missing_data: "breaching",
        alarm_actions: [topic],
        ok_actions: [topic],
      });
    }
    const drillAlarms = Object.values(s.resources("aws_cloudwatch_metric_alarm")).filter((a) => String(a.metric_name).startsWith("Drill") || a.metric_name === "HoursSinceLastPassedDrill");
    expect(drillAlarms.map((a) => a.threshold).sort((a, b) => Number(a) - Number(b))).toEqual([0, 0, 0, 28, 84, 176]);
    expect(s.duplicateNames()).toEqual({});
  });

  test("runs every 15 minutes by default", () => {
    expect(s.resource("aws_scheduler_schedule")).toMatchObject({ name: "prod-restore-drill", schedule_expression: "rate(15 minutes)" });
  });
});

describe("RestoreDrill without a vault or DR-owned copies", () => {
  let s: Synthesized;
  beforeAll(() => {
    s = synth((stack) => new RestoreDrill(stack, "drill", MINIMAL));
  });

  test("no BACKUP_VAULT_NAME nor SECURITY_GROUP_NAME; prefix and managed-by default to rsdr; the given bucket name", () => {
    const vars = environment(s);
    expect(vars).not.toHaveProperty("BACKUP_VAULT_NAME");
    expect(vars).not.toHaveProperty("SECURITY_GROUP_NAME");
    expect(vars).toMatchObject({ SNAPSHOT_PREFIX: "rsdr", MANAGED_BY: "rsdr", REPORT_BUCKET: "my-drill-reports" });
    expect(JSON.parse(vars.DRILLS)).toEqual(MINIMAL.drills.map((d) => JSON.parse(JSON.stringify(d))));
  });

  test("role: shared snapshots only (even for a newest drill), no copies, no vault, no source keys", () => {
    const doc = bySid(functionPolicy(s).Statement);
    expect(doc.RestoreIntoDrillClusters.Resource).toEqual([rs(OTHER, "snapshot:risk/*"), rs(ACCOUNT, "snapshot:sales/*"), rs(DR_ACCOUNT, "cluster:rsdr-drill-*")]);
    expect(doc.TagDrillClustersAndCopies.Resource).toBe(rs(DR_ACCOUNT, "cluster:rsdr-drill-*"));
    expect(doc.DeleteOurDrillClusters.Condition).toEqual({ StringEquals: { "aws:ResourceTag/managed-by": "rsdr" } });
    for (const sid of ["KeepDrOwnedCopies", "ExpireOurDrOwnedCopies", "ListDrVaultRecoveryPoints", "ReadVaultKeyThroughRedshift", "LetRedshiftUseVaultKey", "ReadSourceKeysThroughRedshift", "LetRedshiftUseSourceKeys"]) {
      expect(doc).not.toHaveProperty(sid);
    }
    const actions = Object.values(doc).flatMap((x) => list(x.Action));
    expect(actions).not.toContain("redshift:CreateClusterSnapshot");
    expect(actions).not.toContain("redshift:DeleteClusterSnapshot");
    expect(doc.WriteAndReadDrillReports.Resource).toBe("arn:aws:s3:::my-drill-reports/drills/*");
  });

  test("allowReportBucketDestroy lets destroy remove the bucket; the schedule expression is a prop", () => {
    expect(s.resource("aws_s3_bucket", "reports")).toMatchObject({ bucket: "my-drill-reports", force_destroy: true, lifecycle: { prevent_destroy: false } });
    expect(s.resource("aws_scheduler_schedule").schedule_expression).toBe("rate(30 minutes)");
  });
});

describe("drillStatements", () => {
  test("follows the partition and region (aws-cn: its ARNs and endpoints)", () => {
    const st = bySid(
      drillStatements({
        env: { accountId: DR_ACCOUNT, region: "cn-north-1", partition: "aws-cn" },
        snapshotPrefix: "p",
        managedBy: "p",
        drills: [{ accountId: ACCOUNT, clusterIdentifier: "sales", from: "newest" }],
        sourceKmsKeyArns: [],
        drKmsKeyArn: DR_DATA_KEY,
        reportBucketArn: "arn:aws-cn:s3:::b",
        reportKmsKeyArn: OPS_KEY,
      }) as Statement[],
    );
    expect(st.RestoreIntoDrillClusters.Resource).toEqual([`arn:aws-cn:redshift:cn-north-1:${ACCOUNT}:snapshot:sales/*`, `arn:aws-cn:redshift:cn-north-1:${DR_ACCOUNT}:cluster:p-drill-*`]);
    expect(st.EncryptDrillClustersWithDrKey.Condition).toEqual({ StringEquals: { "kms:ViaService": "redshift.cn-north-1.amazonaws.com.cn" } });
    expect(st.EncryptReportsViaS3.Condition).toEqual({ StringEquals: { "kms:ViaService": ["s3.cn-north-1.amazonaws.com.cn"] } });
  });
});

describe("RestoreDrill refusals", () => {
  const build = (change: Partial<RestoreDrillProps>) => () => new RestoreDrill(new TerraformStack(Testing.app(), "stack"), "drill", { ...PROPS, ...change });

  test.each<[string, Partial<RestoreDrillProps>, string]>([
    ["a source cluster twice", { drills: [DRILLS[0], DRILLS[1], { ...DRILLS[0], from: "shared" }] }, `drills[2]: "${ACCOUNT}/sales" is not valid: each source cluster once`],
    ["a drill living longer than its interval", { drills: [{ ...DRILLS[1], everyHours: 6, maxLifetimeHours: 10 }] }, "drills[0].maxLifetimeHours: 10 is not valid: an integer from 1 to 6"],
    ["from backup without a vault", { backupVault: undefined }, 'drills[1].from: "backup" is not valid: "newest" or "shared" (no backupVault is given)'],
    ["no drills", { drills: [] }, "drills: [] is not valid: at least one source cluster to drill"],
  ])("refuses %s, naming the construct, the prop and the value", (_name, change, message) => {
    expect(build(change)).toThrow(ValidationError);
    expect(build(change)).toThrow(`RestoreDrill at stack/drill: ${message}`);
  });

  // Found as a bug: DRILLS is one environment variable, and Lambda refuses a
  // function whose variables total more than 4 KB. Four drills the config accepts (20 tables each) already pass it:
  // synth succeeds and `terraform apply` fails. The construct should refuse, naming drills.
  test("refuses drills whose DRILLS variable alone passes Lambda's 4 KB environment limit", () => {
    const tables = Array.from({ length: 20 }, (_, i) => `analytics_mart.fact_orders_by_day_${i}`);
    const drills = ["a", "b", "c", "d"].map((c) => ({ ...DRILLS[2], clusterIdentifier: `warehouse-${c}`, tables }));
    expect(JSON.stringify(drills).length).toBeGreaterThan(4096);
    expect(build({ drills })).toThrow(/drills/);
  });
});

const CLUSTERS: DrDashboardProps["clusters"] = [
  { accountId: ACCOUNT, clusterIdentifier: "sales", sharedRpoHours: 14, backupRpoHours: 34, drOwnedCopyRpoHours: 178, drilled: true },
  { accountId: OTHER, clusterIdentifier: "hr", sharedRpoHours: 26 },
  { accountId: OTHER, clusterIdentifier: "risk", backupRpoHours: 30, drilled: true },
];

describe("DrDashboard", () => {
  const props: DrDashboardProps = { dashboardName: "prod-dr", region: REGION, clusters: CLUSTERS };
  type Widget = { type: string; x: number; y: number; properties: { title?: string; metrics?: unknown[][]; annotations?: { horizontal: { label: string; value: number }[] } } };
  const widgets = dashboardBody(props).widgets as Widget[];
  const metricNames = (w: Widget) => (w.properties.metrics ?? []).map((m) => m.find((x) => typeof x === "string" && x !== "RedshiftDR")).filter(Boolean);
  const ofCluster = (c: string, what: RegExp) => widgets.filter((w) => w.properties.title?.startsWith(`${c} (`) && what.test(w.properties.title));

  test("per cluster an age widget with one metric per kind it has and the RPO of each as a horizontal line", () => {
    const expected: [string, string[], number[]][] = [
      ["sales", ["NewestSharedSnapshotAgeHours", "NewestRecoveryPointAgeHours", "NewestDrOwnedCopyAgeHours"], [14, 34, 178]],
      ["hr", ["NewestSharedSnapshotAgeHours"], [26]],
      ["risk", ["NewestRecoveryPointAgeHours"], [30]],
    ];
    for (const [cluster, metrics, rpos] of expected) {
      const [age, ...more] = ofCluster(cluster, /age of the newest copy/);
      expect(more).toEqual([]);
      expect(metricNames(age)).toEqual(metrics);
      for (const m of age.properties.metrics!) expect(m.slice(2, 6)).toEqual(["SourceAccount", cluster === "sales" ? ACCOUNT : OTHER, "ClusterIdentifier", cluster]);
      expect(age.properties.annotations!.horizontal.map((h) => h.value)).toEqual(rpos);
    }
  });

  test("a drill widget only for drilled clusters, with the measured seconds to available and total, beside its age widget", () => {
    expect(ofCluster("hr", /restore drills/)).toEqual([]);
    for (const cluster of ["sales", "risk"]) {
      const [drill, ...more] = ofCluster(cluster, /restore drills/);
      expect(more).toEqual([]);
      expect(metricNames(drill)).toEqual(expect.arrayContaining(["DrillSecondsToAvailable", "DrillTotalSeconds"]));
      const [age] = ofCluster(cluster, /age of the newest copy/);
      expect({ x: drill.x, y: drill.y }).toEqual({ x: 12, y: age.y });
    }
    expect(new Set(widgets.map((w) => `${w.x},${w.y}`)).size).toBe(widgets.length); // no two widgets in one place
  });

  test("the synthesized aws_cloudwatch_dashboard body parses as JSON and is the body above; bad props are refused", () => {
    const s = synth((stack) => new DrDashboard(stack, "dashboard", props));
    const d = s.resource("aws_cloudwatch_dashboard");
    expect(d.dashboard_name).toBe("prod-dr");
    expect(JSON.parse(String(d.dashboard_body))).toEqual(dashboardBody(props));
    const make = (p: Partial<DrDashboardProps>) => () => new DrDashboard(new TerraformStack(Testing.app(), "stack"), "dashboard", { ...props, ...p });
    expect(make({ dashboardName: "prod dr" })).toThrow('DrDashboard at stack/dashboard: dashboardName: "prod dr" is not valid');
    expect(make({ clusters: [] })).toThrow("DrDashboard at stack/dashboard: clusters: [] is not valid: at least one source cluster");
  });
});
