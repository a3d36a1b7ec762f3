// Restore drills as the DR stack wires them from the config: the drill function, the operator role's drill policy,
// the outputs, the DR-owned-copy alarm of the DR monitor and the dashboard; the example (analytics-prod drilled with
// a DR-owned copy), the AWS Backup example (a drill from "backup") and an estate without drills. One synth each.
import { estateOf, rawBackupExample, rawExample, resources, synthEstate, type RawConfig } from "../helpers";

interface Statement {
  Sid: string;
  Effect: string;
  Action: string | string[];
  Resource: string | string[];
  Condition?: unknown;
}
const statements = (policy: string): Statement[] => JSON.parse(policy).Statement;
const sids = (policy: string) => statements(policy).map((s) => s.Sid);
const bySid = (policy: string) => Object.fromEntries(statements(policy).map((s) => [s.Sid, s]));
const SOURCE_KEY_FROM_STATE = /^\$\{data\.terraform_remote_state\.cross-stack-reference-input-source-analytics\.outputs\.(cross-stack-output-aws_kms_keydata-key_\w+arn)\}$/;

const drillFunction = (dr: any) => resources(dr, "aws_lambda_function").find((f) => f.function_name === "rsdr-restore-drill");
const functionPolicy = (dr: any) => resources(dr, "aws_iam_role_policy").find((p) => p.role.includes("restore-drill_function_role") && p.name === "least-privilege").policy;
const operatorDrillPolicy = (dr: any) => resources(dr, "aws_iam_role_policy").find((p) => p.name === "restore-drills");
const operatorRoleId = (dr: any) => "${aws_iam_role." + Object.keys(dr.resource.aws_iam_role).find((k) => dr.resource.aws_iam_role[k].name === "rsdr-dr-restore-operator") + ".id}";
const alarm = (dr: any, name: string) => resources(dr, "aws_cloudwatch_metric_alarm").find((a) => a.alarm_name === name);
/** What the function's role has that a drill does not need: logs, X-Ray, its DLQ and its alert topic. */
const FUNCTION_ONLY = ["WriteOwnLogGroup", "XRayNoResourceLevelPermissions", "SendToDeadLetterQueue", "PublishAlerts", "UseOperationsKeyViaSnsAndSqs"];

describe("DR stack of the example (analytics-prod drilled weekly, keeping a DR-owned copy)", () => {
  let stacks: Record<string, any>;
  let dr: any;
  beforeAll(() => {
    stacks = synthEstate(estateOf(rawExample()));
    dr = stacks.dr;
  });

  it("deploys the drill function with the drill of the config, the DR subnet group and key, and the report bucket", () => {
    const fn = drillFunction(dr);
    expect(fn).toBeDefined();
    const vars = fn.environment.variables;
    const [target] = JSON.parse(vars.DRILLS);
    expect(target).toEqual({
      accountId: "222222222222",
      region: "eu-west-2",
      partition: "aws",
      clusterIdentifier: "analytics-prod",
      kmsKeyArn: expect.stringMatching(SOURCE_KEY_FROM_STATE),
      everyHours: 168,
      maxLifetimeHours: 8,
      from: "newest",
      nodeType: "ra3.xlplus",
      numberOfNodes: 1,
      database: "analytics",
      tables: ["public.orders"],
      drOwnedCopy: { retentionDays: 35, keepLatest: 2 },
    });
    expect(vars).toMatchObject({
      DR_ACCOUNT_ID: "999999999999",
      SNAPSHOT_PREFIX: "rsdr",
      MANAGED_BY: "rsdr",
      SECURITY_GROUP_NAME: "rsdr-dr-redshift",
      REPORT_BUCKET: "rsdr-drill-reports-999999999999-eu-west-2",
      SUBNET_GROUP_NAME: expect.stringMatching(/^\$\{aws_redshift_subnet_group\.network_subnet-group_\w+\.name\}$/),
      KMS_KEY_ARN: expect.stringMatching(/^\$\{aws_kms_key\.data-key_\w+\.arn\}$/),
    });
    expect(vars).not.toHaveProperty("BACKUP_VAULT_NAME");
    expect(resources(dr, "aws_s3_bucket").find((b) => b.bucket === "rsdr-drill-reports-999999999999-eu-west-2")).toMatchObject({ lifecycle: { prevent_destroy: true } });
  });

  it("takes the drilled cluster's key from the source stack's state (its data key's cross-stack output)", () => {
    const key = JSON.parse(drillFunction(dr).environment.variables.DRILLS)[0].kmsKeyArn;
    const output = SOURCE_KEY_FROM_STATE.exec(key)![1];
    expect(stacks["source-analytics"].output[output].value).toMatch(/^\$\{aws_kms_key\.data-key_\w+\.arn\}$/);
    expect(bySid(functionPolicy(dr)).ReadSourceKeysThroughRedshift.Resource).toEqual([key]);
  });

  it("gives the operator role a restore-drills policy with exactly the function's drill statements", () => {
    const policy = operatorDrillPolicy(dr);
    expect(policy).toBeDefined();
    expect(policy.role).toBe(operatorRoleId(dr));
    const fn = statements(functionPolicy(dr)).filter((s) => !FUNCTION_ONLY.includes(s.Sid));
    expect(statements(policy.policy)).toEqual(fn);
    const drill = bySid(policy.policy);
    expect(drill.RestoreIntoDrillClusters.Resource).toEqual(["arn:aws:redshift:eu-west-2:222222222222:snapshot:analytics-prod/*", "arn:aws:redshift:eu-west-2:999999999999:cluster:rsdr-drill-*"]);
    expect(drill.KeepDrOwnedCopies.Resource).toContain("arn:aws:redshift:eu-west-2:999999999999:snapshot:rsdr-drill-*/rsdr-drcopy-*");
    expect(drill.DeleteOurDrillClusters.Condition).toEqual({ StringEquals: { "aws:ResourceTag/managed-by": "rsdr" } });
    // Terraform would read a bare ${aws:userid} as its own interpolation: the policy variable must be escaped.
    expect(drill.ReadOwnStatements.Condition).toEqual({ StringEquals: { "redshift-data:statement-owner-iam-userid": "$${aws:userid}" } });
    expect(JSON.stringify(dr)).not.toMatch(/(?<!\$)\$\{aws:/);
    // the operator's own policy is untouched: no drill statement is added to it
    const own = resources(dr, "aws_iam_role_policy").filter((p) => p.role === operatorRoleId(dr) && p !== policy);
    expect(own.flatMap((p) => sids(p.policy))).not.toContain("RestoreIntoDrillClusters");
  });

  it("outputs the report bucket and the dashboard name", () => {
    expect(dr.output.drill_report_bucket.value).toBe("rsdr-drill-reports-999999999999-eu-west-2");
    expect(dr.output.dashboard_name.value).toBe("rsdr-dr");
    expect(resources(dr, "aws_cloudwatch_dashboard").map((d) => d.dashboard_name)).toEqual(["rsdr-dr"]);
  });

  // The documented default (docs/restore-drills.md); see the BUG test in __tests__/config/drill.test.ts for why it is too tight.
  it("has the DR monitor alarm on the DR-owned copy at everyHours + maxLifetimeHours + the shared snapshot's RPO = 168 + 8 + 14 = 190 h, and the drill alarms", () => {
    expect(alarm(dr, "rsdr-dr-monitor-222222222222-analytics-prod-drcopy-rpo-exceeded")).toMatchObject({ metric_name: "NewestDrOwnedCopyAgeHours", threshold: 190 });
    expect(alarm(dr, "rsdr-restore-drill-222222222222-analytics-prod-overdue")).toMatchObject({ metric_name: "HoursSinceLastPassedDrill", threshold: 176 });
    expect(alarm(dr, "rsdr-restore-drill-222222222222-analytics-prod-failed")).toMatchObject({ metric_name: "DrillsFailed", threshold: 0 });
    const monitorSources = JSON.parse(resources(dr, "aws_lambda_function").find((f) => f.function_name === "rsdr-dr-monitor").environment.variables.SOURCES);
    expect(monitorSources).toContainEqual({ accountId: "222222222222", clusters: ["analytics-prod"], approaches: ["drcopy"] });
  });

  it("draws the shared-snapshot and DR-owned-copy ages against their RPOs (14 h, 190 h), and the drill's times", () => {
    const body = JSON.parse(resources(dr, "aws_cloudwatch_dashboard")[0].dashboard_body);
    const metrics = body.widgets.filter((w: any) => w.type === "metric");
    expect(metrics).toHaveLength(2);
    expect(metrics[0].properties.annotations.horizontal.map((h: any) => h.value)).toEqual([14, 190]);
    expect(JSON.stringify(metrics[1].properties.metrics)).toContain("DrillTotalSeconds");
  });
});

describe("DR stack with other drill settings", () => {
  it("derives both alarm thresholds from everyHours and maxLifetimeHours (copy: 72 + 6 + the native RPO 14), or takes drOwnedCopy.rpoHours", () => {
    const raw: RawConfig = rawExample();
    Object.assign(raw.sources[0].clusters[0].drill, { everyHours: 72, maxLifetimeHours: 6 });
    raw.dr.manualSnapshotQuota = 50;
    let dr = synthEstate(estateOf(raw)).dr;
    expect(alarm(dr, "rsdr-dr-monitor-222222222222-analytics-prod-drcopy-rpo-exceeded").threshold).toBe(92);
    expect(alarm(dr, "rsdr-restore-drill-222222222222-analytics-prod-overdue").threshold).toBe(78);
    raw.sources[0].clusters[0].drill.drOwnedCopy.rpoHours = 100;
    dr = synthEstate(estateOf(raw)).dr;
    expect(alarm(dr, "rsdr-dr-monitor-222222222222-analytics-prod-drcopy-rpo-exceeded").threshold).toBe(100);
  });
});

describe("DR stack of the AWS Backup example (a drill from the DR vault)", () => {
  let dr: any;
  beforeAll(() => {
    dr = synthEstate(estateOf(rawBackupExample())).dr;
  });

  it("restores only the vault's copies of the cluster, names the vault, and keeps no DR-owned copy", () => {
    const vars = drillFunction(dr).environment.variables;
    expect(vars.BACKUP_VAULT_NAME).toMatch(/^\$\{aws_backup_vault\.backup-vault_\w+\.name\}$/);
    expect(JSON.parse(vars.DRILLS)[0]).toMatchObject({ from: "backup", database: "analytics", tables: [] });
    const fn = bySid(functionPolicy(dr));
    expect(fn.RestoreIntoDrillClusters.Resource).toEqual(["arn:aws:redshift:eu-west-2:999999999999:snapshot:analytics-prod/awsbackup:*", "arn:aws:redshift:eu-west-2:999999999999:cluster:rsdr-drill-*"]);
    expect(fn.ListDrVaultRecoveryPoints.Resource).toMatch(/^\$\{aws_backup_vault\.backup-vault_\w+\.arn\}$/);
    expect(fn.ReadVaultKeyThroughRedshift.Resource).toMatch(/^\$\{aws_kms_key\.backup-key_\w+\.arn\}$/);
    expect(fn).not.toHaveProperty("KeepDrOwnedCopies");
    expect(fn).not.toHaveProperty("ExpireOurDrOwnedCopies");
    expect(fn.TagDrillClustersAndCopies.Resource).toBe("arn:aws:redshift:eu-west-2:999999999999:cluster:rsdr-drill-*");
    expect(resources(dr, "aws_cloudwatch_metric_alarm").map((a) => a.alarm_name)).not.toContain("rsdr-dr-monitor-222222222222-analytics-prod-drcopy-rpo-exceeded");
  });

  it("gives the operator role the same drill statements", () => {
    const fn = statements(functionPolicy(dr)).filter((s) => !FUNCTION_ONLY.includes(s.Sid));
    const operator = operatorDrillPolicy(dr);
    expect(operator.role).toBe(operatorRoleId(dr));
    expect(statements(operator.policy)).toEqual(fn);
  });
});

describe("DR stack of an estate without drills", () => {
  let dr: any;
  beforeAll(() => {
    const raw = rawExample();
    delete raw.sources[0].clusters[0].drill;
    dr = synthEstate(estateOf(raw)).dr;
  });

  it("has no drill function, report bucket, drill alarm or output, and no drill policy on the operator role", () => {
    expect(drillFunction(dr)).toBeUndefined();
    expect(resources(dr, "aws_lambda_function").map((f) => f.function_name)).toEqual(["rsdr-dr-monitor"]);
    expect(operatorDrillPolicy(dr)).toBeUndefined();
    const operatorPolicies = resources(dr, "aws_iam_role_policy").filter((p) => p.role === operatorRoleId(dr));
    expect(operatorPolicies).toHaveLength(1);
    expect(operatorPolicies[0].policy).not.toMatch(/drill/);
    expect(resources(dr, "aws_s3_bucket")).toEqual([]);
    expect(resources(dr, "aws_cloudwatch_metric_alarm").map((a) => a.alarm_name).filter((n) => /drill|drcopy/.test(n))).toEqual([]);
    expect(dr.output).not.toHaveProperty("drill_report_bucket");
    // the monitor still publishes: the dashboard stays, without a drill widget
    expect(dr.output.dashboard_name.value).toBe("rsdr-dr");
    expect(resources(dr, "aws_cloudwatch_dashboard")[0].dashboard_body).not.toContain("DrillTotalSeconds");
  });
});
