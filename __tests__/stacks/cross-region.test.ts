// A source in another region than the DR account, with cross-region snapshot copy: the source stack gets a provider
// for the DR region (same account, role, guard and tags), the copy key and the snapshot copy grant THERE, the copy
// configuration per cluster, and a snapshot manager that shares (never deletes) the copies in the DR region; the
// DR stack's roles may use the copy key. The same estate without a copy has none of it.
import { parseConfig } from "../../config/load";
import { rawBackupExample, rawExample, resources, synthEstate, type RawConfig } from "../helpers";

const DR_REGION = "eu-west-2";
const ALIAS = "aws.aws_eu_west_2";

function crossRegion(change: (c: RawConfig) => void = () => {}): Record<string, any> {
  const raw = rawExample();
  raw.sources[0].region = "eu-west-1";
  raw.sources[0].crossRegionCopy = { manualRetentionDays: 5 };
  change(raw);
  return synthEstate(parseConfig(raw));
}

const statements = (policy: string) => (JSON.parse(policy) as { Statement: any[] }).Statement;
/** The snapshot manager's own policy: the one that creates our snapshots. */
const managerPolicy = (stack: any): string =>
  resources(stack, "aws_iam_role_policy").find((p) => typeof p.policy === "string" && p.policy.includes("CreateOwnSnapshotsOfConfiguredClusters")).policy;

describe("source stack with cross-region copy", () => {
  const synth = crossRegion();
  const source = synth["source-analytics"];

  it("has a second provider for the DR region with the same role, account guard and tags", () => {
    const providers: any[] = source.provider.aws;
    expect(providers).toHaveLength(2);
    const [main, other] = [providers.find((p) => !p.alias), providers.find((p) => p.alias)];
    expect(main.region).toBe("eu-west-1");
    expect(other).toEqual({ ...main, alias: "aws_eu_west_2", region: DR_REGION });
  });

  it("creates the copy key and the snapshot copy grant in the DR region; the key lets the DR account use it through Redshift there", () => {
    const keys = resources(source, "aws_kms_key").filter((k) => k.provider === ALIAS);
    expect(keys).toHaveLength(1);
    const policy = statements(keys[0].policy);
    const restore = policy.find((s) => s.Sid === "CrossAccountRestoreUse");
    expect(restore.Principal).toEqual({ AWS: ["arn:aws:iam::999999999999:root"] });
    expect(restore.Condition).toEqual({ StringEquals: { "kms:ViaService": [`redshift.${DR_REGION}.amazonaws.com`] } });
    expect(resources(source, "aws_kms_alias").filter((a) => a.provider === ALIAS).map((a) => a.name)).toEqual(["alias/rsdr-analytics-copies"]);
    const [grant] = resources(source, "aws_redshift_snapshot_copy_grant");
    expect(grant).toMatchObject({ provider: ALIAS, snapshot_copy_grant_name: "rsdr-analytics-copies" });
    expect(grant.kms_key_id).toMatch(/^\$\{aws_kms_key\.cross-region-copy_key_.*\.arn\}$/);
  });

  it("enables the copy of each cluster into the DR region, after the cluster exists, with the configured retention", () => {
    const copies = resources(source, "aws_redshift_snapshot_copy");
    expect(copies).toHaveLength(1);
    expect(copies[0]).toMatchObject({ cluster_identifier: "analytics-prod", destination_region: DR_REGION, retention_period: 7, manual_snapshot_retention_period: 5 });
    expect(copies[0].provider).toBeUndefined(); // configured on the cluster, in its own region
    expect(copies[0].snapshot_copy_grant_name).toMatch(/aws_redshift_snapshot_copy_grant\..*\.snapshot_copy_grant_name/);
    expect(copies[0].depends_on.some((d: string) => d.startsWith("aws_redshift_cluster."))).toBe(true);
  });

  it("tells the snapshot manager the copy region, and lets it share and revoke (not delete) only our copies there", () => {
    const [fn] = resources(source, "aws_lambda_function").filter((f) => f.function_name === "rsdr-analytics-snapshot-manager");
    expect(fn.environment.variables.COPY_REGION).toBe(DR_REGION);
    const all = JSON.stringify(source);
    const copyStatement = statements(managerPolicy(source)).find((s) => s.Sid === "ShareRevokeOwnCopiesInCopyRegion");
    expect(copyStatement).toEqual({
      Sid: "ShareRevokeOwnCopiesInCopyRegion",
      Effect: "Allow",
      Action: ["redshift:AuthorizeSnapshotAccess", "redshift:RevokeSnapshotAccess"],
      Resource: [
        `arn:aws:redshift:${DR_REGION}:222222222222:cluster:analytics-prod`,
        `arn:aws:redshift:${DR_REGION}:222222222222:snapshot:analytics-prod/rsdr-*`,
      ],
    });
    // No statement lets it delete anything in the DR region.
    const deletes = statements(managerPolicy(source)).filter((s) => [s.Action].flat().includes("redshift:DeleteClusterSnapshot"));
    expect(deletes.flatMap((s) => s.Resource).filter((r: string) => r.includes(`:${DR_REGION}:`))).toEqual([]);
    expect(all).toContain('"copy_kms_key_arn"');
  });

  it("runs the manager a second time, hourly, to share and expire only, so that a finished copy is shared within the hour", () => {
    const schedules = resources(source, "aws_scheduler_schedule");
    const copies = schedules.find((x) => x.name === "rsdr-analytics-snapshot-manager-copies");
    expect(copies).toMatchObject({ schedule_expression: "rate(1 hour)" });
    expect(JSON.parse(copies.target.input)).toEqual({ trigger: "share" });
    expect(copies.target.arn).toBe(schedules.find((x) => x.name === "rsdr-analytics-snapshot-manager").target.arn);
    expect(resources(source, "aws_iam_role").map((r) => r.name)).toContain("rsdr-analytics-snapshot-manager-copies");
  });

  it("gives the DR monitor the copies' RPO: the native default plus the share gap and the copy time", () => {
    const alarm = resources(synth.dr, "aws_cloudwatch_metric_alarm").find((a) => a.alarm_name === "rsdr-dr-monitor-222222222222-analytics-prod-rpo-exceeded");
    expect(alarm.threshold).toBe(14 + 1 + 2);
  });

  it("lets the DR stack's restore operator role and drill use the copy key", () => {
    const dr = synth.dr;
    const copyKeyRef = /remote_state\.[\w-]+\.outputs\.cross-stack-output-aws_kms_keycross-region-copy_key_/;
    const operatorPolicies = JSON.stringify(resources(dr, "aws_iam_role_policy").filter((p) => String(p.role).includes("restore-operator") || String(p.name).includes("restore")));
    expect(operatorPolicies).toMatch(copyKeyRef);
    const [drill] = resources(dr, "aws_lambda_function").filter((f) => f.function_name === "rsdr-restore-drill");
    expect(drill.environment.variables.DRILLS).toMatch(copyKeyRef);
  });
});

describe("the same source in the DR region", () => {
  it("has one provider, no copy resources, no copy-share schedule and no COPY_REGION", () => {
    const source = synthEstate(parseConfig(rawExample()))["source-analytics"];
    expect(source.provider.aws).toHaveLength(1);
    expect(resources(source, "aws_redshift_snapshot_copy")).toEqual([]);
    expect(resources(source, "aws_redshift_snapshot_copy_grant")).toEqual([]);
    expect(resources(source, "aws_scheduler_schedule").map((x) => x.name)).toEqual(["rsdr-analytics-snapshot-manager"]);
    const [fn] = resources(source, "aws_lambda_function").filter((f) => f.function_name === "rsdr-analytics-snapshot-manager");
    expect(fn.environment.variables.COPY_REGION).toBeUndefined();
  });
});

describe("a given copy key", () => {
  it("is named by the grant; no key is created in the DR region", () => {
    const arn = `arn:aws:kms:${DR_REGION}:222222222222:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
    const source = crossRegion((c) => (c.sources[0].crossRegionCopy.kmsKeyArn = arn))["source-analytics"];
    expect(resources(source, "aws_kms_key").filter((k) => k.provider === ALIAS)).toEqual([]);
    expect(resources(source, "aws_redshift_snapshot_copy_grant")[0].kms_key_id).toBe(arn);
  });
});

describe("AWS Backup from a source in another region", () => {
  it("copies across accounts and regions in one copy action into the DR vault in the DR region, and forwards failed copies to the DR bus there", () => {
    const raw = rawBackupExample();
    raw.sources[0].region = "eu-west-1";
    raw.sources[0].crossRegionCopy = {};
    const synth = synthEstate(parseConfig(raw));
    const source = synth["source-analytics"];
    const [plan] = resources(source, "aws_backup_plan");
    const destination: string = plan.rule[0].copy_action[0].destination_vault_arn;
    expect(destination).toMatch(/^arn:aws:backup:eu-west-2:999999999999:backup-vault:/);
    expect(resources(synth.dr, "aws_backup_vault")[0].name).toBe(destination.split(":").pop());
    const bus = resources(source, "aws_cloudwatch_event_target").find((t) => t.target_id === "dr-event-bus");
    expect(bus.arn).toMatch(/^arn:aws:events:eu-west-2:999999999999:event-bus\//);
    // The plan itself and the source vault stay in the source region (the default provider).
    expect(plan.provider).toBeUndefined();
    expect(source.provider.aws.find((p: any) => !p.alias).region).toBe("eu-west-1");
  });
});
