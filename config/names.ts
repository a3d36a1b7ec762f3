// Every name the stacks and the snapshot manager derive from the config, with the AWS rule each must meet.
// The config is checked against these rules before any construct exists, so a name AWS would reject is a
// one-line config error, not a failed apply (or a stack trace at synth). A test synthesizes estates and checks
// that this list holds every name the stacks actually write, so the two cannot drift apart.
// Sources of the rules: docs/aws-behaviour.md, "Names".
import { REDSHIFT_IDENTIFIER, SNAPSHOT_STAMP_EXAMPLE, snapshotIdOf } from "../contract";
import type { Estate } from "./estate";

export interface NameRule {
  /** What AWS calls the name, for messages. */
  readonly what: string;
  readonly minLength: number;
  readonly maxLength: number;
  readonly pattern: RegExp;
  /** The rule in words, for messages. */
  readonly allowed: string;
}

/** Redshift's rule for identifiers (clusters, snapshots, parameter groups, event subscriptions). */
const redshiftIdentifier = (what: string, maxLength: number): NameRule => ({
  what,
  minLength: 1,
  maxLength,
  pattern: REDSHIFT_IDENTIFIER,
  allowed: `1-${maxLength} lowercase letters, digits and hyphens, starting with a letter, not ending with a hyphen, no two hyphens in a row`,
});

export const NAME_RULES = {
  iamRole: { what: "IAM role name", minLength: 1, maxLength: 64, pattern: /^[\w+=,.@-]+$/, allowed: "1-64 letters, digits and + = , . @ _ -" },
  lambdaFunction: { what: "Lambda function name", minLength: 1, maxLength: 64, pattern: /^[A-Za-z0-9_-]+$/, allowed: "1-64 letters, digits, hyphens and underscores" },
  schedule: { what: "EventBridge Scheduler schedule name", minLength: 1, maxLength: 64, pattern: /^[0-9A-Za-z_.-]+$/, allowed: "1-64 letters, digits and . _ -" },
  sqsQueue: { what: "SQS queue name", minLength: 1, maxLength: 80, pattern: /^[A-Za-z0-9_-]+$/, allowed: "1-80 letters, digits, hyphens and underscores" },
  snsTopic: { what: "SNS topic name", minLength: 1, maxLength: 256, pattern: /^[A-Za-z0-9_-]+$/, allowed: "1-256 letters, digits, hyphens and underscores" },
  alarm: { what: "CloudWatch alarm name", minLength: 1, maxLength: 255, pattern: /^[\x20-\x7e]+$/, allowed: "1-255 printable ASCII characters" },
  logGroup: { what: "CloudWatch Logs log group name", minLength: 1, maxLength: 512, pattern: /^[A-Za-z0-9_./#-]+$/, allowed: "1-512 letters, digits and _ . / # -" },
  kmsAlias: {
    what: "KMS alias name",
    minLength: 7,
    maxLength: 256,
    pattern: /^alias\/(?!aws\/)[A-Za-z0-9/_-]+$/,
    allowed: "alias/ followed by letters, digits and / _ -, 256 characters in all, not starting alias/aws/",
  },
  securityGroup: { what: "security group name", minLength: 1, maxLength: 255, pattern: /^(?!sg-)[\x20-\x7e]+$/, allowed: "1-255 ASCII characters, not starting sg-" },
  dynamodbTable: { what: "DynamoDB table name", minLength: 3, maxLength: 255, pattern: /^[A-Za-z0-9_.-]+$/, allowed: "3-255 letters, digits and _ . -" },
  backupVault: { what: "AWS Backup vault name", minLength: 2, maxLength: 50, pattern: /^[A-Za-z0-9_-]+$/, allowed: "2-50 letters, digits, hyphens and underscores" },
  backupPlan: { what: "AWS Backup plan name", minLength: 1, maxLength: 50, pattern: /^[A-Za-z0-9_.-]+$/, allowed: "1-50 letters, digits and - _ ." },
  backupSelection: { what: "AWS Backup selection name", minLength: 1, maxLength: 50, pattern: /^[A-Za-z0-9_.-]+$/, allowed: "1-50 letters, digits and - _ ." },
  eventRule: { what: "EventBridge rule name", minLength: 1, maxLength: 64, pattern: /^[A-Za-z0-9_.-]+$/, allowed: "1-64 letters, digits and . _ -" },
  eventBus: { what: "EventBridge event bus name", minLength: 1, maxLength: 256, pattern: /^(?!aws\.)[A-Za-z0-9_.-]+$/, allowed: "1-256 letters, digits and . _ -, not starting with aws." },
  s3Bucket: {
    what: "S3 bucket name",
    minLength: 3,
    maxLength: 63,
    pattern: /^(?!xn--)(?!.*-s3alias$)[a-z0-9][a-z0-9-]*[a-z0-9]$/,
    allowed: "3-63 lowercase letters, digits and hyphens, starting and ending with a letter or digit",
  },
  dashboard: { what: "CloudWatch dashboard name", minLength: 1, maxLength: 255, pattern: /^[A-Za-z0-9_-]+$/, allowed: "1-255 letters, digits, hyphens and underscores" },
  redshiftCluster: redshiftIdentifier("Redshift cluster identifier", 63),
  redshiftSnapshot: redshiftIdentifier("Redshift snapshot identifier", 255),
  redshiftParameterGroup: redshiftIdentifier("Redshift parameter group name", 255),
  redshiftEventSubscription: redshiftIdentifier("Redshift event subscription name", 255),
  redshiftSnapshotCopyGrant: redshiftIdentifier("Redshift snapshot copy grant name", 63),
  redshiftSubnetGroup: {
    what: "Redshift subnet group name",
    minLength: 1,
    maxLength: 255,
    pattern: /^(?!default$)[a-z0-9-]+$/,
    allowed: "1-255 lowercase letters, digits and hyphens, not \"default\"",
  },
} as const satisfies Record<string, NameRule>;

/** Why `value` breaks `rule`, or null when it does not. */
export function nameProblem(value: string, rule: NameRule): string | null {
  if (value.length < rule.minLength || value.length > rule.maxLength) return `is ${value.length} characters long`;
  if (!rule.pattern.test(value)) return "has a character or form that is not allowed";
  return null;
}

// ---------------------------------------------------------------------------------------------------
// The names themselves. Stacks build their prefixes with these functions; the constructs add their own suffixes,
// which the list below repeats (names.test.ts synthesizes estates and fails when the two differ).

/** Prefix of the resources of one source account, e.g. `rsdr-analytics`. */
export const sourcePrefix = (project: string, sourceName: string) => `${project}-${sourceName}`;
export const drPrefix = (project: string) => `${project}-dr`;
export const defaultLockTableName = (project: string) => `${project}-tfstate-lock`;
export const drBackupVaultName = (project: string, configured?: string) => configured ?? `${project}-dr`;
export const drBackupEventBusName = (project: string) => `${project}-dr-backup-events`;
/** The restore drills' report bucket (bucket names are global: the DR account and region make it unique). */
export const drillReportBucketName = (project: string, drAccountId: string, drRegion: string) => `${project}-drill-reports-${drAccountId}-${drRegion}`;

/** Where a name comes from, for the message when it breaks its rule. */
export interface DerivedName {
  readonly value: string;
  readonly rule: NameRule;
  /** The config field blamed when the name breaks its rule: the most specific field that shapes it. */
  readonly field: readonly (string | number)[];
  /** What the name is, e.g. "scheduler role of the snapshot manager". */
  readonly purpose: string;
}

/** Names of a function with its role, log group, schedule, scheduler role, dead-letter queue and health alarms. */
function scheduledFunctionNames(fn: string, field: DerivedName["field"], purpose: string): DerivedName[] {
  const R = NAME_RULES;
  return [
    { value: fn, rule: R.lambdaFunction, field, purpose: `${purpose} function` },
    { value: fn, rule: R.iamRole, field, purpose: `${purpose} role` },
    { value: `/aws/lambda/${fn}`, rule: R.logGroup, field, purpose: `${purpose} log group` },
    { value: fn, rule: R.schedule, field, purpose: `${purpose} schedule` },
    { value: `${fn}-scheduler`, rule: R.iamRole, field, purpose: `${purpose} scheduler role` },
    { value: `${fn}-dlq`, rule: R.sqsQueue, field, purpose: `${purpose} dead-letter queue` },
    { value: `${fn}-errors`, rule: R.alarm, field, purpose: `${purpose} errors alarm` },
    { value: `${fn}-throttles`, rule: R.alarm, field, purpose: `${purpose} throttles alarm` },
    { value: `${fn}-dlq-not-empty`, rule: R.alarm, field, purpose: `${purpose} dead-letter alarm` },
  ];
}

function networkNames(prefix: string, created: boolean, field: DerivedName["field"]): DerivedName[] {
  const R = NAME_RULES;
  const names: DerivedName[] = [
    { value: `${prefix}-redshift`, rule: R.redshiftSubnetGroup, field, purpose: "Redshift subnet group" },
    { value: `${prefix}-redshift`, rule: R.securityGroup, field, purpose: "Redshift security group" },
  ];
  if (created) {
    names.push(
      { value: `/${prefix}/vpc-flow-logs`, rule: R.logGroup, field, purpose: "VPC flow log group" },
      { value: `${prefix}-vpc-flow-logs`, rule: R.iamRole, field, purpose: "VPC flow log role" },
    );
  }
  return names;
}

/**
 * Every name the app derives from `estate`: the names in the synthesized stacks, and the snapshot ids the
 * snapshot manager creates at run time.
 */
export function derivedNames(estate: Estate): DerivedName[] {
  const R = NAME_RULES;
  const project = estate.project;
  const projectField = ["project"];
  const names: DerivedName[] = [
    { value: `alias/${project}-tfstate`, rule: R.kmsAlias, field: projectField, purpose: "state key alias" },
    { value: estate.state.bucket, rule: R.s3Bucket, field: ["state", "bucket"], purpose: "state bucket" },
  ];
  if (estate.state.locking === "dynamodb" && !estate.state.lockTable) {
    names.push({ value: defaultLockTableName(project), rule: R.dynamodbTable, field: projectField, purpose: "state lock table" });
  }

  estate.sources.forEach((source, i) => {
    const field = ["sources", i, "name"];
    const prefix = sourcePrefix(project, source.name);
    if (source.dataKeys === "per-source") {
      names.push({ value: `alias/${prefix}-redshift`, rule: R.kmsAlias, field, purpose: "data key alias" });
    }
    names.push(
      { value: `alias/${prefix}-operations`, rule: R.kmsAlias, field, purpose: "operations key alias" },
      ...networkNames(prefix, source.network.create !== undefined, field),
    );
    source.clusters.forEach((cluster, j) => {
      const clusterField = ["sources", i, "clusters", j, "identifier"];
      const id = cluster.identifier;
      if (cluster.create) {
        names.push(
          { value: id, rule: R.redshiftCluster, field: clusterField, purpose: "cluster identifier" },
          { value: `${id}-params`, rule: R.redshiftParameterGroup, field: clusterField, purpose: "cluster parameter group" },
          { value: `${id}-final`, rule: R.redshiftSnapshot, field: clusterField, purpose: "final snapshot of the cluster" },
          ...["connectionlog", "useractivitylog", "userlog"].map((log) => ({
            value: `/aws/redshift/cluster/${id}/${log}`,
            rule: R.logGroup,
            field: clusterField,
            purpose: `audit log group (${log})`,
          })),
        );
        if (source.dataKeys === "per-cluster") {
          names.push({ value: `alias/${prefix}-${id}-redshift`, rule: R.kmsAlias, field: clusterField, purpose: "the cluster's data key alias" });
        }
      }
    });
    if (source.native.enabled) {
      const fn = `${prefix}-snapshot-manager`;
      names.push(
        ...scheduledFunctionNames(fn, field, "snapshot manager"),
        { value: `${prefix}-snapshot-alerts`, rule: R.snsTopic, field, purpose: "alert topic" },
        { value: `${prefix}-snapshot-events`, rule: R.snsTopic, field, purpose: "snapshot events topic" },
        { value: `${prefix}-snapshot-events`, rule: R.redshiftEventSubscription, field, purpose: "Redshift event subscription" },
      );
      source.clusters.forEach((cluster, j) => {
        const clusterField = ["sources", i, "clusters", j, "identifier"];
        const id = cluster.identifier;
        names.push(
          { value: `${fn}-${id}-failures`, rule: R.alarm, field: clusterField, purpose: "cluster failures alarm" },
          { value: `${fn}-${id}-rpo-exceeded`, rule: R.alarm, field: clusterField, purpose: "staleness alarm" },
          {
            value: snapshotIdOf(project, id, SNAPSHOT_STAMP_EXAMPLE),
            rule: R.redshiftSnapshot,
            field: clusterField,
            purpose: "snapshot id the snapshot manager creates (runtime, not in the stack)",
          },
        );
      });
    }
    if (source.crossRegionCopy) {
      if (!source.crossRegionCopy.kmsKeyArn) {
        names.push({ value: `alias/${prefix}-copies`, rule: R.kmsAlias, field, purpose: "copy key alias (DR region)" });
      }
      const fn = `${prefix}-snapshot-manager`;
      names.push(
        { value: `${prefix}-copies`, rule: R.redshiftSnapshotCopyGrant, field, purpose: "snapshot copy grant (DR region)" },
        { value: `${fn}-copies`, rule: R.schedule, field, purpose: "copy-share schedule" },
        { value: `${fn}-copies`, rule: R.iamRole, field, purpose: "copy-share scheduler role" },
      );
    }
    if (source.backup.enabled) {
      names.push(
        { value: `${prefix}-backup`, rule: R.backupVault, field, purpose: "source backup vault" },
        { value: `${prefix}-backup`, rule: R.iamRole, field, purpose: "AWS Backup role" },
        { value: `${prefix}-redshift`, rule: R.backupPlan, field, purpose: "backup plan" },
        { value: `${prefix}-clusters`, rule: R.backupSelection, field, purpose: "backup selection" },
        { value: `${prefix}-backup-alerts`, rule: R.snsTopic, field, purpose: "backup alert topic" },
        { value: `${prefix}-backup-notifications`, rule: R.snsTopic, field, purpose: "backup vault notification topic" },
        { value: `${prefix}-backup-jobs-failed`, rule: R.eventRule, field, purpose: "failed backup jobs rule" },
        { value: `${prefix}-backup-jobs-failed`, rule: R.alarm, field, purpose: "failed backup jobs alarm" },
        { value: `${prefix}-copy-failed-to-dr`, rule: R.eventRule, field, purpose: "rule forwarding failed copies to DR" },
        { value: `${prefix}-backup-events-to-dr`, rule: R.iamRole, field, purpose: "role forwarding failed copies to DR" },
      );
    }
  });

  const dr = drPrefix(project);
  names.push(
    { value: `alias/${dr}-redshift`, rule: R.kmsAlias, field: projectField, purpose: "DR data key alias" },
    { value: `alias/${dr}-operations`, rule: R.kmsAlias, field: projectField, purpose: "DR operations key alias" },
    ...networkNames(dr, estate.dr.network.create !== undefined, projectField),
    { value: `${dr}-restore-operator`, rule: R.iamRole, field: projectField, purpose: "restore operator role" },
  );
  if (estate.dr.backup) {
    const vaultField = estate.dr.backup.vaultName ? ["dr", "backup", "vaultName"] : projectField;
    const vault = drBackupVaultName(project, estate.dr.backup.vaultName);
    names.push(
      { value: `alias/${dr}-backup`, rule: R.kmsAlias, field: projectField, purpose: "DR backup vault key alias" },
      { value: vault, rule: R.backupVault, field: vaultField, purpose: "DR backup vault" },
      { value: drBackupEventBusName(project), rule: R.eventBus, field: projectField, purpose: "DR event bus of failed copies" },
      { value: `${vault}-copy-alerts`, rule: R.snsTopic, field: vaultField, purpose: "DR copy alert topic" },
      { value: `${vault}-copies-failed`, rule: R.eventRule, field: vaultField, purpose: "DR failed copies rule" },
      { value: `${vault}-copies-failed`, rule: R.alarm, field: vaultField, purpose: "DR failed copies alarm" },
    );
  }
  const nativeSources = estate.sources.map((s, i) => ({ s, i })).filter(({ s }) => s.native.enabled);
  const backupSources = estate.dr.backup ? estate.sources.map((s, i) => ({ s, i })).filter(({ s }) => s.backup.enabled) : [];
  const drilled = estate.sources.flatMap((s, i) => s.clusters.map((c, j) => ({ s, i, c, j }))).filter(({ c }) => c.drill);
  const copying = drilled.filter(({ c }) => c.drill?.drOwnedCopy);
  if (drilled.length > 0) {
    const fn = `${project}-restore-drill`;
    names.push(
      ...scheduledFunctionNames(fn, projectField, "restore drill"),
      { value: `${project}-drill-alerts`, rule: R.snsTopic, field: projectField, purpose: "drill alert topic" },
      { value: drillReportBucketName(project, estate.dr.accountId, estate.dr.region), rule: R.s3Bucket, field: projectField, purpose: "drill report bucket" },
    );
    for (const { s, i, c, j } of drilled) {
      const field = ["sources", i, "clusters", j, "identifier"];
      names.push(
        { value: `${fn}-${s.accountId}-${c.identifier}-failed`, rule: R.alarm, field, purpose: "failed drill alarm" },
        { value: `${fn}-${s.accountId}-${c.identifier}-overdue`, rule: R.alarm, field, purpose: "overdue drill alarm" },
        {
          value: snapshotIdOf(`${project}-drcopy`, c.identifier, SNAPSHOT_STAMP_EXAMPLE),
          rule: R.redshiftSnapshot,
          field,
          purpose: "DR-owned copy id the drill creates (runtime, not in the stack)",
        },
      );
    }
  }
  if (nativeSources.length > 0 || backupSources.length > 0 || drilled.length > 0) {
    names.push({ value: drPrefix(project), rule: R.dashboard, field: projectField, purpose: "DR dashboard" });
  }
  if (nativeSources.length > 0 || backupSources.length > 0 || copying.length > 0) {
    const fn = `${project}-dr-monitor`;
    names.push(
      ...scheduledFunctionNames(fn, projectField, "DR monitor"),
      { value: `${project}-dr-alerts`, rule: R.snsTopic, field: projectField, purpose: "DR alert topic" },
    );
    for (const { s, i } of nativeSources) {
      s.clusters.forEach((cluster, j) => {
        names.push({
          value: `${fn}-${s.accountId}-${cluster.identifier}-rpo-exceeded`,
          rule: R.alarm,
          field: ["sources", i, "clusters", j, "identifier"],
          purpose: "DR staleness alarm",
        });
      });
    }
    for (const { s, i } of backupSources) {
      s.clusters.forEach((cluster, j) => {
        names.push({
          value: `${fn}-${s.accountId}-${cluster.identifier}-backup-rpo-exceeded`,
          rule: R.alarm,
          field: ["sources", i, "clusters", j, "identifier"],
          purpose: "DR recovery point staleness alarm",
        });
      });
    }
    for (const { s, i, c, j } of copying) {
      names.push({
        value: `${fn}-${s.accountId}-${c.identifier}-drcopy-rpo-exceeded`,
        rule: R.alarm,
        field: ["sources", i, "clusters", j, "identifier"],
        purpose: "DR-owned copy staleness alarm",
      });
    }
  }
  return names;
}

/**
 * One problem per config field whose derived names break an AWS rule (the first such name), worded
 * `<value> gives the <what> "<name>" (<purpose>), which <problem>; allowed: <rule>`.
 */
export function derivedNameProblems(
  estate: Estate,
  /** Whether the config value at `path` is valid on its own; names of invalid fields are not checked again. */
  validPart: (path: readonly (string | number)[], value: unknown) => boolean = () => true,
): Array<{ path: (string | number)[]; message: string }> {
  const seen = new Set<string>();
  const problems: Array<{ path: (string | number)[]; message: string }> = [];
  const valueAt = (path: readonly (string | number)[]): unknown =>
    path.reduce<unknown>((v, k) => (v === null || typeof v !== "object" ? undefined : (v as Record<string | number, unknown>)[k]), estate);
  for (const name of derivedNames(estate)) {
    const key = name.field.join(".");
    if (seen.has(key)) continue;
    const problem = nameProblem(name.value, name.rule);
    if (!problem) continue;
    if (!validPart(name.field, valueAt(name.field))) {
      seen.add(key);
      continue;
    }
    seen.add(key);
    problems.push({
      path: [...name.field],
      message:
        `gives the ${name.rule.what} "${name.value}" (${name.purpose}), which ${problem}; allowed: ${name.rule.allowed}` +
        (name.field[0] === "sources" && name.field.length === 3 ? ` (shorten the project or the source name)` : ""),
    });
  }
  return problems;
}
