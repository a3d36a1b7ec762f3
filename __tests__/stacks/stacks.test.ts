import * as fs from "fs";
import * as path from "path";
import { Testing } from "cdktf";
import { estateOf, rawExample, rawMultiSource, resources, synthEstate } from "../helpers";

Testing.setupJest();

// Whole-app synth, as `cdktf synth` does it; cached per estate by the helper.
const example = () => synthEstate(estateOf(rawExample()));
const multi = () => synthEstate(estateOf(rawMultiSource()));
/** The example with a DynamoDB lock table instead of S3 lock files. */
const withLockTable = () =>
  synthEstate(estateOf({ ...rawExample(), state: { ...rawExample().state, locking: "dynamodb", lockTable: "example-bank-rsdr-tflock" } }));

/** Statements of a JSON policy rendered by the stack (tokens stay as `${...}` strings). */
const statements = (policy: string): any[] => JSON.parse(policy).Statement;

describe("every stack", () => {
  it("assumes its account's deploy role, pins the account, tags everything and constrains the provider", () => {
    const stacks = example();
    const expected = [
      ["111111111111", "state"],
      ["222222222222", "source-analytics"],
      ["999999999999", "dr"],
    ] as const;
    for (const [account, name] of expected) {
      const json = stacks[name];
      const provider = json.provider.aws[0];
      expect(provider.allowed_account_ids).toEqual([account]);
      expect(provider.assume_role[0].role_arn).toBe(`arn:aws:iam::${account}:role/terraform-deploy`);
      expect(provider.region).toBe("eu-west-2");
      expect(provider.default_tags[0].tags).toEqual({
        owner: "platform-team",
        "data-classification": "confidential",
        "rsdr:project": "rsdr",
        "rsdr:stack": name,
      });
      expect(json.terraform.required_providers.aws.version).toBe(">= 5.100.0, < 7.0.0");
    }
  });

  it("keeps the state stack local and puts every other stack in the S3 backend under its own key, locked with S3 lock files", () => {
    const stacks = example();
    // cdktf's default local backend keeps the state file in the project folder, outside cdktf.out.
    expect(Object.keys(stacks.state.terraform.backend)).toEqual(["local"]);
    expect(stacks.state.terraform.backend.local.path).toMatch(/\/terraform\.state\.tfstate$/);
    const keys = [stacks["source-analytics"], stacks.dr].map((json) => {
      const backend = json.terraform.backend.s3;
      expect(backend).toMatchObject({
        bucket: "example-bank-rsdr-tfstate",
        region: "eu-west-2",
        encrypt: true,
        use_lockfile: true,
        assume_role: { role_arn: "arn:aws:iam::111111111111:role/terraform-deploy" },
      });
      expect(backend.dynamodb_table).toBeUndefined();
      return backend.key;
    });
    expect(keys).toEqual(["redshift-dr/source-analytics.tfstate", "redshift-dr/dr.tfstate"]);
    // The DR stack reads the sources' state without the deprecated dynamodb_table (Terraform 1.11 warns on it).
    const remote = Object.values<{ config: Record<string, unknown> }>(stacks.dr.data.terraform_remote_state);
    expect(remote.length).toBeGreaterThan(0);
    for (const r of remote) expect(r.config.dynamodb_table).toBeUndefined();
  });

  it("uses a DynamoDB lock table when locking is dynamodb", () => {
    const backend = withLockTable()["source-analytics"].terraform.backend.s3;
    expect(backend.dynamodb_table).toBe("example-bank-rsdr-tflock");
    expect(backend.use_lockfile).toBeUndefined();
  });
});

describe("state stack", () => {
  const json = () => example().state;

  it("creates a versioned, KMS-encrypted, private, TLS-only bucket that refuses destroy", () => {
    const j = json();
    const [bucket] = resources(j, "aws_s3_bucket");
    expect(bucket).toMatchObject({ bucket: "example-bank-rsdr-tfstate", force_destroy: false, lifecycle: { prevent_destroy: true } });
    expect(resources(j, "aws_s3_bucket_versioning")[0].versioning_configuration.status).toBe("Enabled");
    const sse = resources(j, "aws_s3_bucket_server_side_encryption_configuration")[0].rule[0];
    expect(sse.apply_server_side_encryption_by_default.sse_algorithm).toBe("aws:kms");
    expect(sse.apply_server_side_encryption_by_default.kms_master_key_id).toMatch(/aws_kms_key\.state-key_[0-9A-F]+\.arn/);
    expect(resources(j, "aws_s3_bucket_public_access_block")[0]).toMatchObject({
      block_public_acls: true, block_public_policy: true, ignore_public_acls: true, restrict_public_buckets: true,
    });
    const [deny] = statements(resources(j, "aws_s3_bucket_policy")[0].policy);
    expect(deny).toMatchObject({ Effect: "Deny", Principal: "*", Action: "s3:*", Condition: { Bool: { "aws:SecureTransport": "false" } } });
    expect(deny.Resource).toHaveLength(2);
  });

  it("creates the lock table, encrypted, with point-in-time recovery, when locking is dynamodb", () => {
    const [table] = resources(withLockTable().state, "aws_dynamodb_table");
    expect(table).toMatchObject({
      name: "example-bank-rsdr-tflock",
      hash_key: "LockID",
      attribute: [{ name: "LockID", type: "S" }],
      billing_mode: "PAY_PER_REQUEST",
      point_in_time_recovery: { enabled: true },
      server_side_encryption: { enabled: true },
      deletion_protection_enabled: true,
    });
  });

  it("sends server access logs to the configured log bucket", () => {
    const [logging] = resources(json(), "aws_s3_bucket_logging");
    expect(logging).toMatchObject({ target_bucket: "example-bank-s3-access-logs", target_prefix: "s3-access/example-bank-rsdr-tfstate/" });
  });

  it("creates no lock table with S3 lock files (the default)", () => {
    expect(resources(json(), "aws_dynamodb_table")).toHaveLength(0);
    expect(resources(multi().state, "aws_dynamodb_table")).toHaveLength(0);
  });
});

describe("source stack", () => {
  const json = () => example()["source-analytics"];

  it("creates a rotating data key whose policy lets the DR account restore through Redshift, and nothing more", () => {
    const keys = resources(json(), "aws_kms_key");
    const data = keys.find((k) => k.description.startsWith("Encrypts the Redshift clusters"));
    expect(data.enable_key_rotation).toBe(true);
    const policy = statements(data.policy);
    const dr = policy.filter((s) => JSON.stringify(s.Principal).includes("999999999999"));
    const viaRedshift = { "kms:ViaService": ["redshift.eu-west-2.amazonaws.com"] };
    expect(dr).toEqual([
      {
        Sid: "CrossAccountRestoreUse", Effect: "Allow", Principal: { AWS: ["arn:aws:iam::999999999999:root"] }, Action: ["kms:Decrypt", "kms:DescribeKey"], Resource: "*",
        Condition: { StringEquals: viaRedshift },
      },
      {
        Sid: "CrossAccountRestoreGrants", Effect: "Allow", Principal: { AWS: ["arn:aws:iam::999999999999:root"] }, Action: "kms:CreateGrant", Resource: "*",
        Condition: { StringEquals: viaRedshift, Bool: { "kms:GrantIsForAWSResource": "true" } },
      },
    ]);
    // The only other statement keeps the owning account in control of its key.
    expect(policy.filter((s) => !dr.includes(s))).toEqual([
      { Sid: "AccountAdministers", Effect: "Allow", Principal: { AWS: "arn:aws:iam::222222222222:root" }, Action: "kms:*", Resource: "*" },
    ]);
    expect(resources(json(), "aws_kms_alias").map((a) => a.name).sort()).toEqual(["alias/rsdr-analytics-operations", "alias/rsdr-analytics-redshift"]);
  });

  it("with dataKeys per-cluster gives each created cluster its own restore key, and the DR role reads each", () => {
    const raw = rawExample();
    raw.sources[0].dataKeys = "per-cluster";
    raw.sources[0].clusters.push({ identifier: "analytics-dev", create: { nodeType: "ra3.large", numberOfNodes: 1, databaseName: "dev" } });
    raw.sources[0].manualSnapshotQuota = 40; // two clusters' snapshots need more than the default 20
    const stacks = synthEstate(estateOf(raw));
    const source = stacks["source-analytics"];
    expect(resources(source, "aws_kms_alias").map((a) => a.name).sort()).toEqual([
      "alias/rsdr-analytics-analytics-dev-redshift",
      "alias/rsdr-analytics-analytics-prod-redshift",
      "alias/rsdr-analytics-operations",
    ]);
    const keyOf = (cluster: string) => resources(source, "aws_redshift_cluster").find((c) => c.cluster_identifier === cluster).kms_key_id;
    expect(keyOf("analytics-prod")).not.toBe(keyOf("analytics-dev"));
    for (const key of resources(source, "aws_kms_key").filter((k) => k.description.startsWith("Encrypts the Redshift cluster "))) {
      expect(statements(key.policy).find((st) => st.Sid === "CrossAccountRestoreGrants").Condition.StringEquals).toEqual({
        "kms:ViaService": ["redshift.eu-west-2.amazonaws.com"],
      });
    }
    expect(Object.keys(source.output)).not.toContain("data_kms_key_arn");
    expect(Object.keys(source.output)).toContain("cluster_kms_key_arns");
    const policy = resources(stacks.dr, "aws_iam_role_policy").find((p) => p.name === "restore-shared-snapshots").policy;
    expect(statements(policy).find((st) => st.Sid === "ReadSourceKeysThroughRedshift").Resource).toHaveLength(2);
  });

  it("does not share the operations key with the DR account", () => {
    const ops = resources(json(), "aws_kms_key").find((k) => k.description.startsWith("Encrypts logs"));
    expect(ops.enable_key_rotation).toBe(true);
    expect(ops.policy).not.toContain("999999999999");
    const logs = statements(ops.policy).find((s) => s.Sid === "CloudWatchLogsOfThisAccount");
    expect(logs.Principal).toEqual({ Service: "logs.eu-west-2.amazonaws.com" });
    expect(logs.Condition.ArnLike["kms:EncryptionContext:aws:logs:arn"]).toBe("arn:aws:logs:eu-west-2:222222222222:log-group:*");
  });

  it("creates the cluster encrypted with the data key, private, with enhanced VPC routing and a managed password", () => {
    const [cluster] = resources(json(), "aws_redshift_cluster");
    expect(cluster).toMatchObject({
      cluster_identifier: "analytics-prod",
      node_type: "ra3.xlplus",
      number_of_nodes: 2,
      cluster_type: "multi-node",
      database_name: "analytics",
      encrypted: true,
      publicly_accessible: false,
      enhanced_vpc_routing: true,
      manage_master_password: true,
      skip_final_snapshot: false,
      final_snapshot_identifier: "analytics-prod-final",
      automated_snapshot_retention_period: 7,
      lifecycle: { prevent_destroy: true },
    });
    expect(cluster.master_password).toBeUndefined();
    expect(cluster.kms_key_id).toMatch(/aws_kms_key\.data-key_[0-9A-F]+\.arn/);
    expect(cluster.master_password_secret_kms_key_id).toMatch(/aws_kms_key\.operations-key_[0-9A-F]+\.arn/);
    // The provider-6-removed blocks are not used.
    expect(cluster.logging).toBeUndefined();
    expect(cluster.snapshot_copy).toBeUndefined();
  });

  it("requires SSL and logs audit events to encrypted log groups with retention", () => {
    const j = json();
    const [params] = resources(j, "aws_redshift_parameter_group");
    expect(params.parameter).toEqual(expect.arrayContaining([
      { name: "require_ssl", value: "true" },
      { name: "enable_user_activity_logging", value: "true" },
    ]));
    const [logging] = resources(j, "aws_redshift_logging");
    expect(logging).toMatchObject({ log_destination_type: "cloudwatch", log_exports: ["connectionlog", "useractivitylog", "userlog"] });
    const audit = resources(j, "aws_cloudwatch_log_group").filter((g) => g.name.startsWith("/aws/redshift/cluster/analytics-prod/"));
    expect(audit).toHaveLength(3);
    for (const g of audit) {
      expect(g.retention_in_days).toBe(365);
      expect(g.kms_key_id).toMatch(/operations-key/);
    }
  });

  it("creates private subnets in two zones, a subnet group, a closed security group and flow logs", () => {
    const j = json();
    const subnets = resources(j, "aws_subnet");
    expect(subnets.map((s) => s.cidr_block)).toEqual(["10.10.0.0/20", "10.10.16.0/20"]);
    expect(subnets.every((s) => s.map_public_ip_on_launch === false)).toBe(true);
    // Zones by name, not from a lookup whose result could grow and move subnets.
    expect(subnets.map((s) => s.availability_zone)).toEqual(["eu-west-2a", "eu-west-2b"]);
    expect(j.data?.aws_availability_zones).toBeUndefined();
    expect(resources(j, "aws_internet_gateway")).toHaveLength(0);
    const [sg] = resources(j, "aws_security_group");
    expect(sg.ingress).toBeUndefined();
    expect(sg.egress).toBeUndefined();
    expect(resources(j, "aws_security_group_rule")).toHaveLength(0);
    const [defaultSg] = resources(j, "aws_default_security_group");
    expect(defaultSg.ingress).toBeUndefined();
    expect(defaultSg.egress).toBeUndefined();
    expect(resources(j, "aws_redshift_subnet_group")[0].name).toBe("rsdr-analytics-redshift");
    expect(resources(j, "aws_flow_log")[0]).toMatchObject({ traffic_type: "ALL", log_destination_type: "cloud-watch-logs" });
  });

  it("reads existing clusters and networks instead of creating them", () => {
    const risk = multi()["source-risk"];
    expect(resources(risk, "aws_vpc")).toHaveLength(0);
    expect(resources(risk, "aws_redshift_subnet_group")[0].subnet_ids).toEqual(["subnet-0123456789abcdef0", "subnet-0fedcba9876543210"]);
    expect(risk.data.aws_redshift_cluster).toBeDefined();
    expect(Object.values<{ cluster_identifier: string }>(risk.data.aws_redshift_cluster).map((d) => d.cluster_identifier)).toEqual(["risk-warehouse"]);
    expect(resources(risk, "aws_redshift_cluster").map((c) => c.cluster_identifier)).toEqual(["risk-sandbox"]);
    expect(resources(risk, "aws_redshift_cluster")[0]).toMatchObject({ cluster_type: "single-node", lifecycle: { prevent_destroy: false } });
  });

  it("gives the snapshot manager the hourly example's window, tiers and 0 days by age (config/example-hourly.json)", () => {
    const raw = JSON.parse(fs.readFileSync(path.resolve(__dirname, "../../config/example-hourly.json"), "utf8"));
    const source = synthEstate(estateOf(raw))["source-trading"];
    const manager = resources(source, "aws_lambda_function").find((f) => f.function_name === "rsdr-trading-snapshot-manager");
    expect(manager.environment.variables).toMatchObject({
      WINDOW_MINUTES: "60",
      RETENTION_DAYS: "0",
      RETENTION_TIERS: JSON.stringify({ hourly: 24, daily: 35, monthly: 12 }),
      KEEP_LATEST: "3",
      SHARE_LATEST: "2",
      CLUSTER_IDENTIFIERS: "trading-positions,trading-risk,trading-ledger",
    });
  });

  it("outputs the key, the clusters and the network for pipelines and other estates", () => {
    const outputs = Object.keys(json().output);
    expect(outputs).toEqual(expect.arrayContaining(["data_kms_key_arn", "cluster_arns", "subnet_group_name", "security_group_id"]));
  });
});

describe("DR stack", () => {
  it("reads the source keys and cluster ARNs from the source stacks' state", () => {
    const json = multi().dr;
    const remote = json.data.terraform_remote_state;
    expect(Object.keys(remote).sort()).toEqual([
      "cross-stack-reference-input-source-payments",
      "cross-stack-reference-input-source-risk",
      "cross-stack-reference-input-source-treasury",
    ]);
    expect(remote["cross-stack-reference-input-source-risk"].config).toMatchObject({
      bucket: "bank-dr-tfstate",
      key: "estate/redshift/source-risk.tfstate",
      assume_role: { role_arn: "arn:aws:iam::101010101010:role/pipeline-deploy" },
    });
    expect(json.output.protected_cluster_arns.value).toHaveLength(5);
  });

  it("gives the restore operator role exactly the restore of configured snapshots, into prefixed clusters", () => {
    const json = multi().dr;
    const [role] = resources(json, "aws_iam_role").filter((r) => r.name === "bankdr-dr-restore-operator");
    expect(statements(role.assume_role_policy)).toEqual([
      { Sid: "AssumeByPrincipals", Effect: "Allow", Principal: { AWS: ["arn:aws:iam::999999999999:role/dr-operators"] }, Action: "sts:AssumeRole" },
    ]);
    const [policy] = resources(json, "aws_iam_role_policy").filter((p) => p.name === "restore-shared-snapshots");
    const bySid = Object.fromEntries(statements(policy.policy).map((s) => [s.Sid, s]));
    expect(bySid.RestoreSharedSnapshots.Resource).toEqual([
      "arn:aws:redshift:eu-west-1:222222222222:snapshot:payments-ledger/*",
      "arn:aws:redshift:eu-west-1:222222222222:snapshot:payments-reporting/*",
      "arn:aws:redshift:eu-west-1:333333333333:snapshot:risk-warehouse/*",
      "arn:aws:redshift:eu-west-1:333333333333:snapshot:risk-sandbox/*",
      "arn:aws:redshift:eu-west-1:444444444444:snapshot:treasury-positions/*",
      "arn:aws:redshift:eu-west-1:999999999999:cluster:bankdr-restore-*",
    ]);
    expect(bySid.ManageRestoredClusters.Resource).toBe("arn:aws:redshift:eu-west-1:999999999999:cluster:bankdr-restore-*");
    // Removing a restored cluster may keep a final snapshot (DeleteCluster authorizes CreateClusterSnapshot too).
    expect(bySid.FinalSnapshotsOfRestoredClusters).toEqual({
      Sid: "FinalSnapshotsOfRestoredClusters",
      Effect: "Allow",
      Action: "redshift:CreateClusterSnapshot",
      Resource: ["arn:aws:redshift:eu-west-1:999999999999:cluster:bankdr-restore-*", "arn:aws:redshift:eu-west-1:999999999999:snapshot:bankdr-restore-*/*"],
    });
    const viaRedshift = { "kms:ViaService": "redshift.eu-west-1.amazonaws.com" };
    // Source keys: the created keys (remote state) and the existing cluster's key from config; read only, via Redshift.
    const sourceKeys: string[] = bySid.ReadSourceKeysThroughRedshift.Resource;
    expect(sourceKeys).toContain("arn:aws:kms:eu-west-1:333333333333:key/1234abcd-12ab-34cd-56ef-1234567890ab");
    expect(sourceKeys.filter((k) => k.includes("terraform_remote_state"))).toHaveLength(3);
    expect(bySid.ReadSourceKeysThroughRedshift).toMatchObject({ Action: ["kms:Decrypt", "kms:DescribeKey"], Condition: { StringEquals: viaRedshift } });
    expect(bySid.LetRedshiftUseSourceKeys).toMatchObject({
      Action: "kms:CreateGrant",
      Resource: sourceKeys,
      Condition: { StringEquals: viaRedshift, Bool: { "kms:GrantIsForAWSResource": "true" } },
    });
    // The DR key: what the Management Guide lists for creating a cluster encrypted with a customer managed key.
    const drKey = bySid.EncryptRestoredClustersWithDrKey.Resource;
    expect(drKey).toMatch(/^\$\{aws_kms_key\.data-key_[0-9A-F]+\.arn\}$/);
    expect(sourceKeys).not.toContain(drKey); // the source keys' statements never cover the DR key
    expect(bySid.EncryptRestoredClustersWithDrKey).toMatchObject({
      Action: ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey"],
      Condition: { StringEquals: viaRedshift },
    });
    expect(bySid.LetRedshiftUseDrKey).toMatchObject({
      Action: "kms:CreateGrant",
      Resource: drKey,
      Condition: { StringEquals: viaRedshift, Bool: { "kms:GrantIsForAWSResource": "true" } },
    });
    // Redshift's service-linked role, created on the first restore if the account has none: that role only.
    expect(bySid.CreateRedshiftServiceLinkedRole).toEqual({
      Sid: "CreateRedshiftServiceLinkedRole",
      Effect: "Allow",
      Action: "iam:CreateServiceLinkedRole",
      Resource: "arn:aws:iam::999999999999:role/aws-service-role/redshift.amazonaws.com/AWSServiceRoleForRedshift",
      Condition: { StringLike: { "iam:AWSServiceName": "redshift.amazonaws.com" } },
    });
    // The DR key's metadata without the Redshift condition: the CLI resolves its alias to the ARN it restores with.
    expect(bySid.DescribeDrKey).toEqual({ Sid: "DescribeDrKey", Effect: "Allow", Action: "kms:DescribeKey", Resource: drKey });
    expect(Object.keys(bySid).sort()).toEqual([
      "CreateRedshiftServiceLinkedRole",
      "DescribeDrKey",
      "EncryptRestoredClustersWithDrKey",
      "FinalSnapshotsOfRestoredClusters",
      "FindRestoreSecurityGroup",
      "LetRedshiftUseDrKey",
      "LetRedshiftUseSourceKeys",
      "ManageRestoredClusters",
      "ReadSourceKeysThroughRedshift",
      "RestoreSharedSnapshots",
      "SeeClustersAndSnapshots",
    ]);
    // The only wildcard resources are on read-only Describe calls.
    for (const s of statements(policy.policy)) {
      if (s.Resource === "*") expect([s.Action].flat().every((a: string) => /^(redshift|ec2):Describe/.test(a))).toBe(true);
    }
    expect(bySid.FindRestoreSecurityGroup).toEqual({ Sid: "FindRestoreSecurityGroup", Effect: "Allow", Action: "ec2:DescribeSecurityGroups", Resource: "*" });
  });

  it("creates Redshift's service-linked role only when the config asks for it", () => {
    expect(resources(example().dr, "aws_iam_service_linked_role")).toHaveLength(0);
    const raw = rawExample();
    raw.dr.createRedshiftServiceLinkedRole = true;
    expect(resources(synthEstate(estateOf(raw)).dr, "aws_iam_service_linked_role")).toEqual([
      expect.objectContaining({ aws_service_name: "redshift.amazonaws.com" }),
    ]);
  });

  it("creates its own key, not shared with any source account, and the restore network", () => {
    const json = example().dr;
    for (const key of resources(json, "aws_kms_key")) expect(key.policy).not.toMatch(/222222222222/);
    expect(resources(json, "aws_subnet").map((s) => s.cidr_block)).toEqual(["10.100.0.0/20", "10.100.16.0/20"]);
    expect(resources(multi().dr, "aws_subnet").map((s) => s.availability_zone)).toEqual(["eu-west-1a", "eu-west-1b", "eu-west-1c"]);
    expect(Object.keys(json.output)).toEqual(expect.arrayContaining(["kms_key_arn", "restore_subnet_group_name", "restore_operator_role_arn"]));
  });
});

describe("native snapshot automation wiring", () => {
  const lambdaEnv = (json: any, namePart: string) =>
    resources(json, "aws_lambda_function").find((f) => f.function_name.includes(namePart)).environment.variables;

  it("deploys the snapshot manager with the source's clusters, DR account, schedule and retention", () => {
    const stacks = multi();
    const payments = stacks["source-payments"];
    expect(lambdaEnv(payments, "snapshot-manager")).toMatchObject({
      CLUSTER_IDENTIFIERS: "payments-ledger,payments-reporting",
      DR_ACCOUNT_IDS: "999999999999",
      WINDOW_MINUTES: "360",
      RETENTION_DAYS: "7",
      KEEP_LATEST: "4",
      SNAPSHOT_PREFIX: "bankdr",
      MANAGED_BY: "bankdr",
      DRY_RUN: "false",
    });
    const [schedule] = resources(payments, "aws_scheduler_schedule");
    expect(schedule).toMatchObject({ schedule_expression: "rate(6 hours)", schedule_expression_timezone: "UTC" });
    const [fn] = resources(payments, "aws_lambda_function");
    expect(fn).toMatchObject({ runtime: "nodejs22.x", reserved_concurrent_executions: 1 });
  });

  it("sizes the staleness alarm to the longest gap of a weekday schedule, so weekends do not alarm", () => {
    const treasury = multi()["source-treasury"];
    const stale = resources(treasury, "aws_cloudwatch_metric_alarm").find((a) => a.metric_name === "NewestSharedSnapshotAgeHours");
    // cron(30 2 ? * MON-FRI *): 24 h between weekday runs, 72 h over the weekend.
    expect(stale).toMatchObject({ threshold: 80, period: 86400, evaluation_periods: 4, datapoints_to_alarm: 4, treat_missing_data: "breaching" });
    expect(lambdaEnv(treasury, "snapshot-manager").WINDOW_MINUTES).toBe("1440");
  });

  it("builds the longest gap native sharing allows (6 days) within CloudWatch's 7-day alarm window", () => {
    const raw = rawExample();
    Object.assign(raw.sources[0].native, { schedule: "rate(6 days)", retentionDays: 14 });
    const source = synthEstate(estateOf(raw))["source-analytics"];
    const stale = resources(source, "aws_cloudwatch_metric_alarm").find((a) => a.metric_name === "NewestSharedSnapshotAgeHours");
    expect(stale).toMatchObject({ period: 86400, evaluation_periods: 7 });
    expect(stale.period * stale.evaluation_periods).toBeLessThanOrEqual(604800);
  });

  it("tells the DR monitor the snapshot prefix it recognises the sources' snapshots by", () => {
    expect(lambdaEnv(multi().dr, "monitor")).toMatchObject({ SNAPSHOT_PREFIX: "bankdr", MANAGED_BY: "bankdr" });
    expect(lambdaEnv(multi()["source-payments"], "snapshot-manager")).toMatchObject({ SNAPSHOT_PREFIX: "bankdr", SHARE_LATEST: "2" });
  });

  it("monitors every native source from the DR account with each source's RPO", () => {
    const dr = multi().dr;
    expect(JSON.parse(lambdaEnv(dr, "monitor").SOURCES)).toEqual([
      { accountId: "222222222222", clusters: ["payments-ledger", "payments-reporting"] },
      { accountId: "333333333333", clusters: ["risk-warehouse", "risk-sandbox"] },
      { accountId: "444444444444", clusters: ["treasury-positions"] },
    ]);
    const thresholds = resources(dr, "aws_cloudwatch_metric_alarm")
      .filter((a) => a.metric_name === "NewestSharedSnapshotAgeHours")
      .map((a) => [a.dimensions.SourceAccount, a.dimensions.ClusterIdentifier, a.threshold]);
    expect(thresholds).toEqual(expect.arrayContaining([
      ["222222222222", "payments-ledger", 8],
      ["333333333333", "risk-warehouse", 14],
      ["444444444444", "treasury-positions", 80],
    ]));
  });

  it("deploys no function, schedule or monitor when native sharing is off", () => {
    const raw = rawExample();
    raw.sources[0].native.enabled = false;
    delete raw.sources[0].clusters[0].drill; // a drill needs something to restore
    const stacks = synthEstate(estateOf(raw));
    expect(resources(stacks["source-analytics"], "aws_lambda_function")).toHaveLength(0);
    expect(resources(stacks["source-analytics"], "aws_scheduler_schedule")).toHaveLength(0);
    expect(resources(stacks.dr, "aws_lambda_function")).toHaveLength(0);
    // The operations key then has no statement for Redshift event notifications.
    const ops = resources(stacks["source-analytics"], "aws_kms_key").find((k) => k.description.startsWith("Encrypts logs"));
    expect(ops.policy).not.toContain("redshift.amazonaws.com");
  });
});
