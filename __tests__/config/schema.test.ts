import { parseConfig } from "../../config/load";
import { rawExample, rawMultiSource, RawConfig, configProblems } from "../helpers";

/** The problems parseConfig reports for a config, or [] when it is accepted. */
const problems = configProblems;

function withChange(change: (c: RawConfig) => void, base: () => RawConfig = rawExample): RawConfig {
  const c = base();
  change(c);
  return c;
}

describe("valid configs", () => {
  it("accepts the embedded example and fills defaults", () => {
    const estate = parseConfig(rawExample());
    expect(estate.sources).toHaveLength(1);
    expect(estate.sources[0].native).toMatchObject({ enabled: true, timezone: "UTC", dryRun: false });
    expect(estate.sources[0].backup.enabled).toBe(false);
    expect(estate.state.locking).toBe("s3-lockfile");
    expect(estate.sources[0].native.shareLatest).toBe(2);
    expect(estate.sources[0].dataKeys).toBe("per-source");
    expect(estate.dr.createRedshiftServiceLinkedRole).toBe(false);
    expect(estate.sources[0].clusters[0].create?.masterUsername).toBe("admin_user");
    expect(estate.sources[0].clusters[0].create?.preventDestroy).toBe(true);
  });

  it("accepts several sources with created and existing clusters and networks", () => {
    const estate = parseConfig(rawMultiSource());
    expect(estate.sources.map((s) => s.name)).toEqual(["payments", "risk", "treasury"]);
    expect(estate.sources.flatMap((s) => s.clusters)).toHaveLength(5);
    expect(estate.sources[1].clusters[0]).toMatchObject({ existing: true });
  });
});

// Each case: a change that makes the example invalid, and what the message must say.
// Every message names the field path and the value received.
const refusals: [string, (c: RawConfig) => void, RegExp][] = [
  ["a malformed source account id", (c) => (c.sources[0].accountId = "22222222222"),
    /^sources\[0\]\.accountId: "22222222222" is not a valid AWS account id: exactly 12 digits$/],
  ["a DR account id with letters", (c) => (c.dr.accountId = "99999999999x"),
    /^dr\.accountId: "99999999999x" is not a valid AWS account id/],
  ["the DR account equal to a source account", (c) => {
    c.dr.accountId = "222222222222";
    c.dr.deployRoleArn = "arn:aws:iam::222222222222:role/terraform-deploy";
  }, /^sources\[0\]\.accountId: "222222222222" is also the DR account: the DR account must be a different account$/],
  ["duplicate source names", (c) => {
    c.sources.push({ ...structuredClone(c.sources[0]), accountId: "333333333333", deployRoleArn: "arn:aws:iam::333333333333:role/d", clusters: [{ identifier: "other", existing: true, kmsKeyArn: "arn:aws:kms:eu-west-2:333333333333:key/1234abcd-12ab-34cd-56ef-1234567890ab" }] });
  }, /^sources\[1\]\.name: "analytics" is already the name of sources\[0\]: source names must be unique$/],
  ["duplicate cluster identifiers in one source", (c) => c.sources[0].clusters.push(structuredClone(c.sources[0].clusters[0])),
    /^sources\[0\]\.clusters\[1\]\.identifier: "analytics-prod" is already used at sources\[0\]\.clusters\[0\]/],
  ["an invalid cluster identifier", (c) => (c.sources[0].clusters[0].identifier = "Prod_DB"),
    /^sources\[0\]\.clusters\[0\]\.identifier: "Prod_DB" is not a valid cluster identifier: lowercase letters, digits and hyphens, 1-63 characters/],
  ["a cluster identifier ending in a hyphen", (c) => (c.sources[0].clusters[0].identifier = "prod-"),
    /identifier: "prod-" is not a valid cluster identifier/],
  ["an unknown node type", (c) => (c.sources[0].clusters[0].create.nodeType = "ra3.huge"),
    /^sources\[0\]\.clusters\[0\]\.create\.nodeType: "ra3\.huge" is not a supported node type: one of ra3\.large, ra3\.xlplus/],
  ["too few nodes for the node type", (c) => Object.assign(c.sources[0].clusters[0].create, { nodeType: "ra3.4xlarge", numberOfNodes: 1 }),
    /^sources\[0\]\.clusters\[0\]\.create\.numberOfNodes: 1 is too few for ra3\.4xlarge: it needs at least 2 nodes$/],
  ["a source network overlapping the DR network", (c) => (c.sources[0].network.create.cidr = "10.100.128.0/17"),
    /^sources\[0\]\.network\.create\.cidr: "10\.100\.128\.0\/17" overlaps the DR network 10\.100\.0\.0\/16/],
  ["a CIDR with host bits set", (c) => (c.dr.network.create.cidr = "10.100.1.0/16"),
    /^dr\.network\.create\.cidr: "10\.100\.1\.0\/16" has host bits set/],
  ["retention not longer than the schedule period", (c) => Object.assign(c.sources[0].native, { schedule: "rate(3 days)", retentionDays: 2 }),
    /^sources\[0\]\.native\.retentionDays: 2 is not longer than the schedule period \(72 hours between runs of rate\(3 days\)\)/],
  // Equal is refused too: the snapshot manager refuses a retention that is not longer than its window, so this
  // estate would deploy a function that fails every run.
  ["retention equal to the schedule period", (c) => Object.assign(c.sources[0].native, { schedule: "rate(1 day)", retentionDays: 1 }),
    /^sources\[0\]\.native\.retentionDays: 1 is not longer than the schedule period \(24 hours between runs of rate\(1 day\)\)/],
  ["retention shorter than a weekday cron's weekend gap", (c) => Object.assign(c.sources[0].native, { schedule: "cron(0 2 ? * MON-FRI *)", retentionDays: 2 }),
    /^sources\[0\]\.native\.retentionDays: 2 is not longer than the schedule period \(72 hours/],
  ["a schedule that is not an expression", (c) => (c.sources[0].native.schedule = "every 12 hours"),
    /^sources\[0\]\.native\.schedule: "every 12 hours" is not a supported schedule expression: rate\(N minutes\|hours\|days\) or cron/],
  ["a cron with an impossible hour", (c) => (c.sources[0].native.schedule = "cron(0 25 * * ? *)"),
    /^sources\[0\]\.native\.schedule: "cron\(0 25 \* \* \? \*\)" is not a valid cron expression: hour "25" must be a number 0-23$/],
  ["a cron with five fields", (c) => (c.sources[0].native.schedule = "cron(0 2 * * ?)"),
    /schedule: "cron\(0 2 \* \* \?\)" is not a valid cron expression: it needs 6 fields, it has 5$/],
  ["a schedule more often than hourly", (c) => (c.sources[0].native.schedule = "rate(15 minutes)"),
    /schedule: "rate\(15 minutes\)" runs every 15 minutes; the shortest allowed period is 60 minutes/],
  ["a rate with the wrong unit number", (c) => (c.sources[0].native.schedule = "rate(1 hours)"),
    /schedule: "rate\(1 hours\)" is not a valid rate: use "1 hour" or "N hours"$/],
  ["an unknown key at the top level", (c) => (c.sourcess = []),
    /^sourcess: \[\] is not a known key; allowed keys: \$schema, project, tags, state, dr, sources, organization$/],
  ["a misspelt nested key", (c) => (c.sources[0].native.retentionDay = 3),
    /^sources\[0\]\.native\.retentionDay: 3 is not a known key; allowed keys: enabled, schedule, timezone, retentionDays, tiers, keepLatest, shareLatest, rpoHours, dryRun$/],
  ["a cluster with both create and existing", (c) => (c.sources[0].clusters[0].existing = true),
    /^sources\[0\]\.clusters\[0\]: .* must have exactly one of "create" or "existing": true$/],
  ["an existing cluster without its key", (c) => (c.sources[0].clusters[0] = { identifier: "legacy", existing: true }),
    /^sources\[0\]\.clusters\[0\]\.kmsKeyArn: missing is required for an existing cluster/],
  ["an existing cluster's key from another account", (c) => (c.sources[0].clusters[0] = { identifier: "legacy", existing: true, kmsKeyArn: "arn:aws:kms:eu-west-2:333333333333:key/1234abcd-12ab-34cd-56ef-1234567890ab" }),
    /^sources\[0\]\.clusters\[0\]\.kmsKeyArn: ".*" belongs to 333333333333\/eu-west-2, not to the source's account and region 222222222222\/eu-west-2$/],
  ["a KMS alias instead of a key ARN", (c) => (c.sources[0].clusters[0] = { identifier: "legacy", existing: true, kmsKeyArn: "arn:aws:kms:eu-west-2:222222222222:alias/aws/redshift" }),
    /kmsKeyArn: ".*alias\/aws\/redshift" is not a KMS key ARN/],
  ["a deploy role in another account", (c) => (c.sources[0].deployRoleArn = "arn:aws:iam::333333333333:role/deploy"),
    /^sources\[0\]\.deployRoleArn: ".*" is a role in account 333333333333, but the accountId is 222222222222/],
  ["a source in another region than DR with native sharing", (c) => {
    c.sources[0].region = "eu-west-1";
  }, /^sources\[0\]\.region: "eu-west-1" is not the DR region eu-west-2: a shared snapshot is only visible in its own region, so native sharing from another region needs crossRegionCopy/],
  ["an RPO shorter than the schedule gap", (c) => (c.sources[0].native.rpoHours = 6),
    /^sources\[0\]\.native\.rpoHours: 6 is shorter than the schedule's longest gap of 12 hours/],
  ["keepLatest of zero", (c) => (c.sources[0].native.keepLatest = 0),
    /^sources\[0\]\.native\.keepLatest: 0 must be at least 1: retention never deletes the newest snapshot$/],
  ["a tag key reserved for ownership marks", (c) => (c.tags["managed-by"] = "me"),
    /^tags\.managed-by: the key "managed-by" is not a valid tag key: 1-128 characters, not starting with aws: or rsdr:, and not managed-by/],
  ["a wrong type", (c) => (c.sources[0].clusters[0].create.numberOfNodes = "2"),
    /^sources\[0\]\.clusters\[0\]\.create\.numberOfNodes: "2" is not allowed: expected number$/],
  ["a missing required field", (c) => delete c.dr.deployRoleArn,
    /^dr\.deployRoleArn: missing is not allowed: expected string$/],
  ["AWS Backup on without a DR vault", (c) => (c.sources[0].backup.enabled = true),
    /^sources\[0\]\.backup\.enabled: true needs a vault in the DR account to copy into, but dr\.backup is not set/],
  ["a zone outside the region", (c) => (c.sources[0].network.create.availabilityZones = ["eu-west-2a", "eu-west-1b"]),
    /^sources\[0\]\.network\.create\.availabilityZones\[1\]: "eu-west-1b" is not a zone of the region eu-west-2$/],
  ["one zone only", (c) => (c.dr.network.create.availabilityZones = 1),
    /^dr\.network\.create\.availabilityZones: 1 must be 2 or 3, or a list of 2 or 3 zone names/],
  ["a zone listed twice", (c) => (c.dr.network.create.availabilityZones = ["eu-west-2a", "eu-west-2a"]),
    /^dr\.network\.create\.availabilityZones: \["eu-west-2a","eu-west-2a"\] lists a zone twice/],
  ["an account root as restore operator", (c) => (c.dr.operatorPrincipals = ["arn:aws:iam::999999999999:root"]),
    /^dr\.operatorPrincipals\[0\]: "arn:aws:iam::999999999999:root" is not an IAM role or user ARN \(an account root would let every principal/],
  ["no restore operators", (c) => (c.dr.operatorPrincipals = []),
    /^dr\.operatorPrincipals: \[\] must name at least one role or user allowed to restore in the DR account$/],
  ["no sources", (c) => (c.sources = []),
    /^sources: \[\] must list at least one source account$/],
  // Names that the stacks would build and AWS would reject (issue: names the config accepts must build and apply)
  ["a source name with two hyphens in a row (Redshift event subscription names allow none)", (c) => (c.sources[0].name = "ana--lytics"),
    /^sources\[0\]\.name: "ana--lytics" is not a valid source name: .*no two hyphens in a row/],
  ["a source name ending with a hyphen", (c) => (c.sources[0].name = "analytics-"),
    /^sources\[0\]\.name: "analytics-" is not a valid source name: .*not ending with a hyphen/],
  ["a project name with two hyphens in a row (snapshot ids allow none)", (c) => (c.project = "rs--dr"),
    /^project: "rs--dr" is not a valid project name: .*no two hyphens in a row/],
  ["a 16-character project with a 24-character source (names over IAM's 64)", (c) => {
    c.project = "abcdefghijklmnop";
    c.sources[0].name = "abcdefghijklmnopqrstuvwx";
  }, /^sources\[0\]\.name: "abcdefghijklmnopqrstuvwx" gives the IAM role name "abcdefghijklmnop-abcdefghijklmnopqrstuvwx-snapshot-manager-scheduler" \(snapshot manager scheduler role\), which is 68 characters long; allowed: 1-64 .*\(shorten the project or the source name\)$/],
  ["a weekly cron (its staleness alarm would need more than CloudWatch's 7 days)", (c) => Object.assign(c.sources[0].native, { schedule: "cron(0 3 ? * SUN *)", retentionDays: 14 }),
    /^sources\[0\]\.native\.schedule: "cron\(0 3 \? \* SUN \*\)" leaves up to 168 hours between runs; native sharing allows at most 144 .*CloudWatch alarms look back at most 7 days/],
  ["more share authorizations on one key than Redshift's 100", (c) => {
    c.sources[0].clusters = Array.from({ length: 34 }, (_, i) => ({ identifier: `dw-${i}`, create: { nodeType: "ra3.large", numberOfNodes: 1, databaseName: "dw" } }));
  }, /^sources\[0\]\.native\.shareLatest: 2 lets up to 102 share authorizations stand on one KMS key \(the source's data key: 34 clusters x \(2 \+ 1 while a new snapshot replaces the oldest\) x 1 DR account\), over Redshift's limit of 100 per key: share fewer snapshots per cluster \(shareLatest\), or give each created cluster its own key \(dataKeys "per-cluster"\)/],
  ["existing clusters that share one key past 100 authorizations", (c) => {
    const key = "arn:aws:kms:eu-west-2:222222222222:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    c.sources[0].native.shareLatest = 20;
    c.sources[0].dataKeys = "per-cluster";
    c.sources[0].clusters = Array.from({ length: 5 }, (_, i) => ({ identifier: `legacy-${i}`, existing: true, kmsKeyArn: key }));
  }, /^sources\[0\]\.native\.shareLatest: 20 lets up to 105 share authorizations stand on one KMS key \(arn:aws:kms:eu-west-2:222222222222:key\/1234abcd-12ab-34cd-56ef-1234567890ab: 5 clusters/],
  ["shareLatest above 20", (c) => (c.sources[0].native.shareLatest = 21),
    /^sources\[0\]\.native\.shareLatest: 21 must be at most 20$/],
  ["an unknown key mode", (c) => (c.sources[0].dataKeys = "per-account"),
    /^sources\[0\]\.dataKeys: "per-account" must be "per-source" or "per-cluster"$/],
];

describe("invalid configs are refused with the field, the value and what is allowed", () => {
  it.each(refusals)("refuses %s", (_name, change, expected) => {
    const found = problems(withChange(change));
    expect(found).toEqual(expect.arrayContaining([expect.stringMatching(expected)]));
  });

  it("accepts a key per cluster for estates with many clusters in one account", () => {
    const many = withChange((c) => {
      c.sources[0].dataKeys = "per-cluster";
      c.sources[0].clusters = Array.from({ length: 40 }, (_, i) => ({ identifier: `dw-${i}`, create: { nodeType: "ra3.large", numberOfNodes: 1, databaseName: "dw" } }));
      c.sources[0].manualSnapshotQuota = 1000; // 40 clusters x 16 snapshots need a raised quota
    });
    expect(problems(many)).toEqual([]);
  });

  it("accepts the longest project and source names whose derived names all fit (16 + 20 characters)", () => {
    expect(problems(withChange((c) => {
      c.project = "abcdefghijklmnop";
      c.sources[0].name = "abcdefghijklmnopqrst";
    }))).toEqual([]);
  });

  it("reports every problem of a config at once, not only the first", () => {
    const found = problems(withChange((c) => {
      c.sources[0].accountId = "1";
      c.sources[0].clusters[0].identifier = "Bad";
    }));
    expect(found).toHaveLength(2);
  });

  it("names the file in the error", () => {
    expect(() => parseConfig({}, "/tmp/estate.json")).toThrow(/^\/tmp\/estate\.json is not a valid estate config:/);
  });
});
