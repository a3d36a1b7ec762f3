// Every name the stacks write is one config/names.ts derives and checks against its AWS rule, and the other way
// round. A resource that gets a new kind of name fails here until the name and its rule are added there.
import { derivedNames, nameProblem, NAME_RULES, type NameRule } from "../../config/names";
import { estateOf, rawBackupExample, rawExample, rawMultiSource, resources, synthEstate, type RawConfig } from "../helpers";

/** Which rule each named attribute of each resource type must meet. */
const RULE_OF: Record<string, NameRule> = {
  "aws_cloudwatch_log_group.name": NAME_RULES.logGroup,
  "aws_cloudwatch_metric_alarm.alarm_name": NAME_RULES.alarm,
  "aws_iam_role.name": NAME_RULES.iamRole,
  "aws_kms_alias.name": NAME_RULES.kmsAlias,
  "aws_lambda_function.function_name": NAME_RULES.lambdaFunction,
  "aws_redshift_cluster.cluster_identifier": NAME_RULES.redshiftCluster,
  "aws_redshift_cluster.final_snapshot_identifier": NAME_RULES.redshiftSnapshot,
  "aws_redshift_event_subscription.name": NAME_RULES.redshiftEventSubscription,
  "aws_redshift_parameter_group.name": NAME_RULES.redshiftParameterGroup,
  "aws_redshift_subnet_group.name": NAME_RULES.redshiftSubnetGroup,
  "aws_scheduler_schedule.name": NAME_RULES.schedule,
  "aws_security_group.name": NAME_RULES.securityGroup,
  "aws_sns_topic.name": NAME_RULES.snsTopic,
  "aws_sqs_queue.name": NAME_RULES.sqsQueue,
  "aws_dynamodb_table.name": NAME_RULES.dynamodbTable,
  "aws_backup_vault.name": NAME_RULES.backupVault,
  "aws_backup_plan.name": NAME_RULES.backupPlan,
  "aws_backup_selection.name": NAME_RULES.backupSelection,
  "aws_cloudwatch_event_rule.name": NAME_RULES.eventRule,
  "aws_cloudwatch_event_bus.name": NAME_RULES.eventBus,
  "aws_s3_bucket.bucket": NAME_RULES.s3Bucket,
  "aws_cloudwatch_dashboard.dashboard_name": NAME_RULES.dashboard,
  "aws_redshift_snapshot_copy_grant.snapshot_copy_grant_name": NAME_RULES.redshiftSnapshotCopyGrant,
};

/** Named attributes that are not derived from the config's names, each with the reason. */
const NOT_DERIVED: Record<string, string> = {
  "aws_cloudwatch_metric_alarm.metric_name": "a metric, not a resource name: constants of the functions' contract",
  "aws_iam_role_policy.name": "inline policy names are constants of the constructs (write-flow-logs, least-privilege, ...)",
  "aws_lambda_permission.statement_id": "a constant statement id",
  "aws_redshift_cluster.database_name": "taken as given from clusters[].create.databaseName, which has its own rule",
  "aws_redshift_snapshot_copy.cluster_identifier": "names an existing or created cluster, whose identifier is checked as such",
};

const isNameAttribute = (key: string) => key === "name" || key === "bucket" || key.endsWith("_name") || key.endsWith("_identifier") || key === "statement_id";

/** Every literal name in every synthesized stack, as "type.attribute" and value. */
function synthesizedNames(raw: RawConfig): Array<{ attribute: string; value: string }> {
  const names: Array<{ attribute: string; value: string }> = [];
  for (const stack of Object.values(synthEstate(estateOf(raw)))) {
    for (const type of Object.keys(stack.resource ?? {})) {
      for (const body of resources(stack, type)) {
        for (const [key, value] of Object.entries(body)) {
          if (isNameAttribute(key) && typeof value === "string" && !value.includes("${")) names.push({ attribute: `${type}.${key}`, value });
        }
      }
    }
  }
  return names;
}

/** The longest names the config allows: 16-character project, 20-character source, 63-character clusters, a key each. */
function longest(): RawConfig {
  const raw = rawExample();
  raw.project = "p123456789abcdef";
  raw.state.locking = "dynamodb"; // the default lock table name is derived too
  raw.sources[0].name = "s123456789abcdefghij";
  raw.sources[0].dataKeys = "per-cluster";
  raw.sources[0].clusters = [
    { identifier: `c${"1".repeat(62)}`, create: { nodeType: "ra3.large", numberOfNodes: 1, databaseName: "dw" } },
    { identifier: `d${"2".repeat(62)}`, create: { nodeType: "ra3.large", numberOfNodes: 1, databaseName: "dw" } },
  ];
  raw.sources[0].manualSnapshotQuota = 100; // two clusters' snapshots need more than the default 20
  return raw;
}

/** The longest names with AWS Backup on, and the longest vault name. */
function longestWithBackup(): RawConfig {
  const raw = longest();
  const backup = rawBackupExample();
  raw.sources[0].backup = backup.sources[0].backup;
  raw.sources[0].manualSnapshotQuota = 1000;
  raw.dr.manualSnapshotQuota = 1000;
  raw.dr.backup = { ...backup.dr.backup, vaultName: "v".repeat(35) };
  raw.organization = backup.organization;
  return raw;
}

/** The longest names with AWS Backup, the source in another region than DR, copying its snapshots there. */
function longestCrossRegion(): RawConfig {
  const raw = longestWithBackup();
  raw.sources[0].region = "eu-west-1";
  raw.sources[0].crossRegionCopy = { manualSnapshotQuota: 1000 };
  return raw;
}

describe.each([
  ["the example", rawExample],
  ["the longest names with AWS Backup and cross-region copy", longestCrossRegion],
  ["the AWS Backup example", rawBackupExample],
  ["the longest names with AWS Backup", longestWithBackup],
  ["three sources with five clusters", rawMultiSource],
  ["the longest names the config allows", longest],
])("derived names of %s", (_name, raw) => {
  const synthesized = synthesizedNames(raw());
  const derived = derivedNames(estateOf(raw()));

  it("every named attribute the stacks write has a known rule, or a reason it is not derived", () => {
    const unknown = [...new Set(synthesized.map((n) => n.attribute))].filter((a) => !(a in RULE_OF) && !(a in NOT_DERIVED));
    expect(unknown).toEqual([]);
  });

  it("every name the stacks write is in the derived list, under the same rule", () => {
    const missing = synthesized
      .filter((n) => n.attribute in RULE_OF)
      .filter((n) => !derived.some((d) => d.value === n.value && d.rule === RULE_OF[n.attribute]))
      .map((n) => `${n.attribute} = ${n.value}`);
    expect(missing).toEqual([]);
  });

  it("every derived name is written by the stacks (except the snapshot ids the function creates at run time)", () => {
    const written = new Set(synthesized.map((n) => `${n.value} ${RULE_OF[n.attribute]?.what}`));
    const notWritten = derived
      .filter((d) => !d.purpose.includes("runtime"))
      .filter((d) => !written.has(`${d.value} ${d.rule.what}`))
      .map((d) => `${d.rule.what} ${d.value}`);
    expect(notWritten).toEqual([]);
  });

  it("every derived name meets its AWS rule", () => {
    const broken = derived.map((d) => [d.value, d.rule.what, nameProblem(d.value, d.rule)]).filter(([, , p]) => p !== null);
    expect(broken).toEqual([]);
  });
});

describe("the longest names", () => {
  it("reach the limits they are checked against, so the checks have teeth", () => {
    const derived = derivedNames(estateOf(longest()));
    const longestOf = (what: string) => Math.max(...derived.filter((d) => d.rule.what === what).map((d) => d.value.length));
    expect(longestOf(NAME_RULES.iamRole.what)).toBe(64); // the snapshot manager's scheduler role
    expect(longestOf(NAME_RULES.lambdaFunction.what)).toBe(54);
    expect(longestOf(NAME_RULES.redshiftCluster.what)).toBe(63);
  });
});
