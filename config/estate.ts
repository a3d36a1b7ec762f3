// The one typed description of the estate. Every rule a config must satisfy lives here, so
// that a bad config is refused before any construct exists. Messages are written to follow
// `<path>: <value> ` (see format.ts): "is not ..., allowed ...".
import { z } from "zod";
import {
  BACKUP_VAULT_NAME,
  CLUSTER_IDENTIFIER,
  CLUSTER_IDENTIFIER_RULE,
  DATABASE_NAME,
  DRILL_TABLE_NAME,
  IAM_ROLE_OR_USER_ARN,
  KMS_KEY_ARN,
  MAX_BACKUP_LIFECYCLE_DAYS,
  ORGANIZATION_ID,
  hasTiers,
  RETENTION_TIER_LIMITS,
  type RetentionTier,
  redshiftIdentifierPattern,
} from "../contract";
import { isNetworkAddress, overlaps, parseCidr } from "../contract/cidr";
import { derivedNameProblems } from "./names";
import { checkDrill, checkDrillsFit } from "./drill-rules";
import { checkCrossRegion } from "./cross-region-rules";
import { checkBackupSource, checkBackupVault } from "./backup-rules";
import { checkManualSnapshotQuotas, DEFAULT_MANUAL_SNAPSHOT_QUOTA } from "./snapshot-quota";
import {
  checkAccountOf,
  checkRetentionCovers,
  checkShareBudget,
  checkStalenessAlarmCovers,
  checkZonesInRegion,
  safeSchedule,
} from "./rules";
import { parseSchedule, ScheduleError } from "./schedule";

/** Node types Redshift provisioned clusters offer, with the smallest node count each allows. */
export const NODE_TYPES = {
  "ra3.large": 1,
  "ra3.xlplus": 1,
  "ra3.4xlarge": 2,
  "ra3.16xlarge": 2,
  "dc2.large": 1,
  "dc2.8xlarge": 2,
} as const;
export type NodeType = keyof typeof NODE_TYPES;

const MAX_NODES = 128;

/** A strict object: an unknown key (a typo) is an error that lists the allowed keys. */
function strict<T extends z.ZodRawShape>(shape: T) {
  return z.strictObject(shape, {
    error: (issue) =>
      issue.code === "unrecognized_keys"
        ? `has unknown key(s) ${issue.keys.map((k) => JSON.stringify(k)).join(", ")}; allowed keys: ${Object.keys(shape).join(", ")}`
        : undefined,
  });
}

const accountId = z.string().regex(/^\d{12}$/, "is not a valid AWS account id: exactly 12 digits");

const region = z
  .string()
  .regex(/^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/, "is not a valid AWS region name, e.g. eu-west-2");

const roleArn = z
  .string()
  .regex(
    /^arn:aws(-[a-z]+)*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/,
    "is not a valid IAM role ARN: arn:aws:iam::<12-digit account>:role/<name>",
  );

const email = z.string().regex(/^[^\s@]+@[^\s@]+\.[^\s@]+$/, "is not a valid e-mail address");

const cidr = z.string().superRefine((value, ctx) => {
  const parsed = parseCidr(value);
  if (!parsed) return void ctx.addIssue({ code: "custom", message: "is not an IPv4 CIDR block like 10.0.0.0/16" });
  if (!isNetworkAddress(parsed)) {
    ctx.addIssue({ code: "custom", message: "has host bits set: use the network address of the block" });
  }
  if (parsed.prefix < 16 || parsed.prefix > 24) {
    ctx.addIssue({ code: "custom", message: "must have a prefix length from /16 to /24 (AWS VPC limits, room for subnets)" });
  }
});

const scheduleExpression = z.string().superRefine((value, ctx) => {
  try {
    parseSchedule(value);
  } catch (e) {
    if (!(e instanceof ScheduleError)) throw e;
    ctx.addIssue({ code: "custom", message: e.message });
  }
});

const ianaTimezone = z.string().regex(/^(UTC|[A-Za-z_]+(\/[A-Za-z0-9_+-]+)+)$/, "is not an IANA time zone like Europe/London or UTC");

const zoneName = z.string().regex(/^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d[a-z]$/, "is not an availability zone name like eu-west-2a");

const ZONES_HELP = "must be 2 or 3, or a list of 2 or 3 zone names of the region like eu-west-2a (Redshift subnet groups span zones)";

const network = strict({
  /** Create a VPC with one private subnet per availability zone. */
  create: strict({
    cidr,
    /**
     * The zones of the subnets: a count (2 or 3: the region's zones "a", "b", "c"), or their names.
     * Named, not looked up, so that a zone AWS adds later never moves a subnet.
     */
    availabilityZones: z
      .union([
        z.number().int().min(2, ZONES_HELP).max(3, ZONES_HELP),
        z.array(zoneName).min(2, ZONES_HELP).max(3, ZONES_HELP),
      ], {
        error: ZONES_HELP,
      })
      .default(2),
  }).optional(),
  /** Use a VPC and subnets that exist already. */
  existing: strict({
    vpcId: z.string().regex(/^vpc-[0-9a-f]{8,17}$/, "is not a VPC id like vpc-0123456789abcdef0"),
    subnetIds: z
      .array(z.string().regex(/^subnet-[0-9a-f]{8,17}$/, "is not a subnet id like subnet-0123456789abcdef0"))
      .min(2, "needs at least 2 subnets in different availability zones"),
  }).optional(),
}).superRefine((value, ctx) => {
  if (!value.create === !value.existing) {
    ctx.addIssue({ code: "custom", message: 'must have exactly one of "create" or "existing"' });
  }
  const zones = value.create?.availabilityZones;
  if (Array.isArray(zones) && new Set(zones).size !== zones.length) {
    ctx.addIssue({ code: "custom", path: ["create", "availabilityZones"], message: "lists a zone twice: each subnet needs its own zone" });
  }
});

const clusterIdentifier = z
  .string()
  .regex(CLUSTER_IDENTIFIER, `is not a valid cluster identifier: ${CLUSTER_IDENTIFIER_RULE}`);

const nodeType = z.string().refine((v) => v in NODE_TYPES, {
  message: `is not a supported node type: one of ${Object.keys(NODE_TYPES).join(", ")}`,
});

/**
 * A restore drill of the cluster in the DR account: restore the newest recovery point into a drill cluster, check it
 * with SQL through the Data API, record the measured RTO, delete it (docs/restore-drills.md).
 */
const drill = strict({
  /** Start a drill when the last one started this many hours ago (168: weekly). */
  everyHours: z.number().int().min(1, "must be at least 1").max(8760, "must be at most 8760 (a year)").default(168),
  /** A drill cluster older than this is deleted whatever its step, and the drill fails. */
  maxLifetimeHours: z.number().int().min(1, "must be at least 1").max(72, "must be at most 72").default(8),
  /** What to restore: the newest of both kinds, or only shared snapshots, or only copies in the DR vault. */
  from: z.enum(["newest", "shared", "backup"], { error: 'must be "newest", "shared" or "backup"' }).default("newest"),
  /** Node type of the drill cluster. @default the snapshot's */
  nodeType: nodeType.optional(),
  /** Nodes of the drill cluster. @default the snapshot's */
  numberOfNodes: z.number().int().min(1, "must be at least 1").max(MAX_NODES, `must be at most ${MAX_NODES}`).optional(),
  /** Database the validation runs in. @default the created cluster's databaseName, else "dev" */
  database: z
    .string()
    .regex(DATABASE_NAME, "is not a valid database name: lowercase letters, digits, _ and $, 1-64 characters, starting with a letter or _")
    .optional(),
  /** Tables whose rows the validation counts (`schema.table`, unquoted lowercase); an empty one fails the drill. None: `select 1`. */
  tables: z
    .array(z.string().regex(DRILL_TABLE_NAME, "is not an unquoted lowercase table name: table or schema.table, letters, digits, _ and $"))
    .max(20, "must list at most 20 tables")
    .default([]),
  /**
   * Keep a DR-owned copy: a snapshot of the drill cluster, owned by the DR account, that survives the loss of the
   * source account. Counts against the DR account's manual snapshot quota.
   */
  drOwnedCopy: strict({
    /** Copies whose data is older than this are deleted, beyond the newest keepLatest. */
    retentionDays: z.number().int().min(1, "must be at least 1").max(3653, "must be at most 3653").default(35),
    /** The newest N copies are kept whatever their age. */
    keepLatest: z.number().int().min(1, "must be at least 1: the newest copy is always kept").max(20, "must be at most 20").default(2),
    /** Alarm when the newest copy's data is older than this. @default everyHours + maxLifetimeHours + the RPO of what the drill restores */
    rpoHours: z.number().int().min(1, "must be at least 1").max(8760 + 74, "must be at most 8834").optional(),
  }).optional(),
});

const cluster = strict({
  identifier: clusterIdentifier,
  /** A restore drill of this cluster in the DR account. @default none */
  drill: drill.optional(),
  /** A cluster this app creates and manages. */
  create: strict({
    nodeType,
    numberOfNodes: z.number().int().min(1, "must be at least 1").max(MAX_NODES, `must be at most ${MAX_NODES}`).default(2),
    databaseName: z
      .string()
      .regex(DATABASE_NAME, "is not a valid database name: lowercase letters, digits, _ and $, 1-64 characters, starting with a letter or _"),
    masterUsername: z
      .string()
      .regex(/^[a-z][a-z0-9_]{0,127}$/, "is not a valid user name: lowercase letters, digits and _, starting with a letter")
      .default("admin_user"),
    automatedSnapshotRetentionDays: z.number().int().min(1, "must be at least 1 (RA3 clusters cannot turn automated snapshots off)").max(35, "must be at most 35").default(7),
    /** Make `terraform destroy` of the cluster fail (lifecycle prevent_destroy). */
    preventDestroy: z.boolean().default(true),
  }).optional(),
  /** A cluster that exists already and that Terraform does not manage. */
  existing: z.literal(true, { error: "must be true when given (omit it for a created cluster)" }).optional(),
  /** ARN of the customer-managed KMS key of an existing cluster. */
  kmsKeyArn: z
    .string()
    .regex(
      KMS_KEY_ARN,
      "is not a KMS key ARN: arn:aws:kms:<region>:<account>:key/<key id> (an alias or the AWS-managed aws/redshift key cannot be shared across accounts)",
    )
    .optional(),
}).superRefine((value, ctx) => {
  if (!value.create === !value.existing) {
    ctx.addIssue({ code: "custom", message: 'must have exactly one of "create" or "existing": true' });
  }
  if (value.existing && !value.kmsKeyArn) {
    ctx.addIssue({ code: "custom", path: ["kmsKeyArn"], message: "is required for an existing cluster: the ARN of its customer-managed KMS key" });
  }
  if (value.create && value.kmsKeyArn) {
    ctx.addIssue({ code: "custom", path: ["kmsKeyArn"], message: "is only for existing clusters: a created cluster uses the source stack's key" });
  }
  const drillType = (value.drill?.nodeType ?? (value.drill?.numberOfNodes ? value.create?.nodeType : undefined)) as NodeType | undefined;
  if (value.drill?.numberOfNodes !== undefined && drillType && drillType in NODE_TYPES && value.drill.numberOfNodes < NODE_TYPES[drillType]) {
    ctx.addIssue({ code: "custom", path: ["drill", "numberOfNodes"], message: `is too few for ${drillType}: it needs at least ${NODE_TYPES[drillType]} nodes` });
  }
  if (value.drill?.nodeType && value.drill.numberOfNodes === undefined) {
    ctx.addIssue({ code: "custom", path: ["drill", "numberOfNodes"], message: "is required with drill.nodeType: Redshift restores to another node type only with a node count" });
  }
  const type = value.create?.nodeType as NodeType | undefined;
  if (type && type in NODE_TYPES && value.create!.numberOfNodes < NODE_TYPES[type]) {
    ctx.addIssue({
      code: "custom",
      path: ["create", "numberOfNodes"],
      message: `is too few for ${type}: it needs at least ${NODE_TYPES[type]} nodes`,
    });
  }
});

/** Retention tiers: each keeps the newest snapshot of each of its last N periods (UTC). */
const tierCount = (tier: RetentionTier, unit: string) =>
  z
    .number()
    .int()
    .min(RETENTION_TIER_LIMITS[tier].min, "must be at least 1")
    .max(RETENTION_TIER_LIMITS[tier].max, `must be at most ${RETENTION_TIER_LIMITS[tier].max} ${unit} (10 years, Redshift's longest manual snapshot retention)`);

const tiers = strict({
  /** The newest snapshot of each of the last N UTC hours (the current one included). */
  hourly: tierCount("hourly", "hours").optional(),
  /** The newest snapshot of each of the last N UTC days. */
  daily: tierCount("daily", "days").optional(),
  /** The newest snapshot of each of the last N ISO weeks (Monday to Sunday, UTC). */
  weekly: tierCount("weekly", "weeks").optional(),
  /** The newest snapshot of each of the last N calendar months (UTC). */
  monthly: tierCount("monthly", "months").optional(),
}).refine((t) => hasTiers(t), "names no tier: give at least one of hourly, daily, weekly, monthly, or leave tiers out");

const native = strict({
  enabled: z.boolean().default(true),
  /** When snapshots are taken (EventBridge Scheduler expression). */
  schedule: scheduleExpression.default("rate(12 hours)"),
  /** IANA time zone the cron expression is read in. */
  timezone: ianaTimezone.default("UTC"),
  /**
   * Our snapshots older than this are deleted (after revoking shares), beyond the newest `keepLatest` and what a tier
   * keeps. @default 7, or 0 with tiers (nothing kept by age alone)
   */
  retentionDays: z.number().int().min(0, "must be at least 0 (0 only with tiers)").max(3653, "must be at most 3653 (Redshift's manual snapshot limit)").optional(),
  /**
   * Tiered retention (docs/native-automation.md, "Tiered retention"): a snapshot is also kept while a tier claims it,
   * e.g. { "hourly": 24, "daily": 35, "monthly": 12 }. @default none
   */
  tiers: tiers.optional(),
  /** The newest N snapshots are kept whatever their age. */
  keepLatest: z.number().int().min(1, "must be at least 1: retention never deletes the newest snapshot").max(100, "must be at most 100").default(3),
  /**
   * The newest N available snapshots of each cluster stay shared with the DR account; older ones that
   * retention keeps lose their authorization (Redshift allows 100 share authorizations per KMS key).
   */
  shareLatest: z.number().int().min(1, "must be at least 1: the DR account needs the newest snapshot").max(20, "must be at most 20").default(2),
  /** Alarm when the newest DR-visible snapshot is older than this. @default longest schedule gap + 2 hours */
  rpoHours: z.number().int().min(1, "must be at least 1").max(24 * 14, "must be at most 336").optional(),
  /** Report what retention would do without changing anything. */
  dryRun: z.boolean().default(false),
})
  .superRefine((n, ctx) => {
    if (n.retentionDays === 0 && !n.tiers) {
      ctx.addIssue({ code: "custom", path: ["retentionDays"], message: "is 0, which keeps nothing by age: 0 is allowed only with tiers; give tiers, or keep snapshots for at least 1 day" });
    }
  })
  .transform((n) => ({ ...n, retentionDays: n.retentionDays ?? (n.tiers ? 0 : 7) }));

const backupSchedule = scheduleExpression.superRefine((value, ctx) => {
  if (!value.startsWith("cron(")) ctx.addIssue({ code: "custom", message: "is not a cron expression: AWS Backup plans take cron(minute hour * * ? *) forms only" });
});

const backup = strict({
  enabled: z.boolean().default(false),
  /** When AWS Backup starts a backup of each selected cluster (AWS Backup takes cron only). */
  schedule: backupSchedule.default("cron(0 3 * * ? *)"),
  /** IANA time zone the cron expression is read in. */
  timezone: ianaTimezone.default("UTC"),
  /** A backup that has not started this many minutes after its scheduled time is cancelled (AWS Backup minimum 60). */
  startWindowMinutes: z.number().int().min(60, "must be at least 60 (AWS Backup's minimum start window)").max(43200, "must be at most 43200 (30 days)").default(60),
  /** A backup still running this many minutes after its scheduled time is cancelled. */
  completionWindowMinutes: z.number().int().min(120, "must be at least 120").max(43200, "must be at most 43200 (30 days)").default(480),
  /** Recovery points in the source vault are deleted this many days after creation. */
  retentionDays: z.number().int().min(1, "must be at least 1").max(MAX_BACKUP_LIFECYCLE_DAYS, `must be at most ${MAX_BACKUP_LIFECYCLE_DAYS}`).default(35),
  /**
   * Days the copy in the DR vault is kept, or "never" (written as 100 years: a copy without its own lifecycle
   * would inherit the source's expiry). Must lie within the DR vault lock's bounds.
   */
  copyRetentionDays: z
    .union([z.number().int().min(1, "must be at least 1").max(MAX_BACKUP_LIFECYCLE_DAYS, `must be at most ${MAX_BACKUP_LIFECYCLE_DAYS}`), z.literal("never")], {
      error: `must be a number of days (1-${MAX_BACKUP_LIFECYCLE_DAYS}) or "never"`,
    })
    .default(35),
  /** Select clusters by this tag instead of by their ARNs (clusters must carry it; any tagged cluster of the account is backed up). */
  selectByTag: strict({
    key: z.string().regex(/^(?!aws:)[\w .:/=+@-]{1,128}$/, "is not a valid tag key: 1-128 characters, not starting with aws:"),
    value: z.string().max(256, "is too long: tag values are at most 256 characters"),
  }).optional(),
  /** Tags AWS Backup puts on each recovery point (and its copy). */
  recoveryPointTags: z
    .record(
      z.string().regex(/^(?!aws:)[\w .:/=+@-]{1,128}$/, "is not a valid tag key: 1-128 characters, not starting with aws:"),
      z.string().max(256, "is too long: tag values are at most 256 characters"),
    )
    .default({}),
  /**
   * Opt this account and region in to AWS Backup for Redshift (aws_backup_region_settings). Account-wide: the
   * resource manages the opt-in of every resource type in the region, so leave it off where another team sets it.
   */
  manageRegionOptIn: z.boolean().default(false),
  /** Alarm when the newest recovery point in the DR vault is older than this. @default longest schedule gap + completion window + 2 hours */
  rpoHours: z.number().int().min(1, "must be at least 1").max(24 * 14, "must be at most 336").optional(),
});

const notifications = strict({
  emails: z.array(email).default([]),
});

const sourceName = z
  .string()
  .regex(
    redshiftIdentifierPattern(1, 24),
    "is not a valid source name: 1-24 lowercase letters, digits and hyphens, starting with a letter, not ending with a hyphen, no two hyphens in a row (Redshift names built from it allow neither)",
  );

/** An account's Redshift quota of manual snapshots in one region (AWS default 20, adjustable). */
const manualSnapshotQuota = z.number().int().min(1, "must be at least 1").max(1000000, "must be at most 1000000").default(DEFAULT_MANUAL_SNAPSHOT_QUOTA);

/**
 * Redshift cross-region snapshot copy of a source whose region is not the DR region: Redshift copies the clusters'
 * snapshots into the DR region (same account) and the snapshot manager shares our copies there, where the DR
 * account sees them (a shared snapshot is visible only in its own region). docs/configuration.md, "Cross-region copies".
 */
const crossRegionCopy = strict({
  /** Days Redshift keeps the copied AUTOMATED snapshots in the DR region (EnableSnapshotCopy: 1-35). */
  retentionDays: z.number().int().min(1, "must be at least 1").max(35, "must be at most 35 (Redshift's limit for copied automated snapshots)").default(7),
  /**
   * Days Redshift keeps each copied MANUAL snapshot (the snapshot manager's) in the DR region; Redshift expires
   * them, the manager never deletes a copy. @default the source's native.retentionDays
   */
  manualRetentionDays: z.number().int().min(1, "must be at least 1").max(3653, "must be at most 3653 (Redshift's limit)").optional(),
  /**
   * Customer-managed key IN THE DR REGION, of the source account, that encrypts the copies (the snapshot copy
   * grant names it). Its policy must let the DR account use it through Redshift. @default a key is created
   */
  kmsKeyArn: z.string().regex(KMS_KEY_ARN, "is not a KMS key ARN: arn:aws:kms:<region>:<account>:key/<key id>").optional(),
  /**
   * When the snapshot manager also runs to share the copies (share and retention only): a copy finishes after its
   * snapshot's event, so without this it would wait a whole native window to be shared.
   */
  shareSchedule: scheduleExpression.default("rate(1 hour)"),
  /** The source account's Redshift quota of manual snapshots in the DR region, where the copies count (AWS default 20). */
  manualSnapshotQuota,
});

const source = strict({
  name: sourceName,
  accountId,
  region,
  deployRoleArn: roleArn,
  network,
  clusters: z.array(cluster).min(1, "must list at least one cluster"),
  /**
   * "per-source": the clusters this app creates share the source's one data key; "per-cluster": each gets its
   * own, so each has its own budget of 100 share authorizations. Changing it replaces created clusters.
   */
  dataKeys: z.enum(["per-source", "per-cluster"], { error: 'must be "per-source" or "per-cluster"' }).default("per-source"),
  native: native.prefault({}),
  backup: backup.prefault({}),
  /** Cross-region snapshot copy into the DR region; required for native sharing when `region` is not dr.region. @default none */
  crossRegionCopy: crossRegionCopy.optional(),
  /**
   * The account's Redshift quota of manual snapshots in this region (AWS default 20, adjustable). The worst case of
   * the snapshot manager's snapshots and AWS Backup's recovery points (manual snapshots too) must fit in it, less a
   * tenth kept free.
   */
  manualSnapshotQuota,
  notifications: notifications.prefault({}),
});

const backupVault = strict({
  /** Name of the DR backup vault. @default "<project>-dr" */
  vaultName: z.string().regex(BACKUP_VAULT_NAME, "is not a valid backup vault name: 2-50 letters, digits, hyphens and underscores").optional(),
  /**
   * Who may copy into the vault: "sources", exactly the source accounts of this config that have backup on; or
   * "organization", any account of the AWS Organization `organization.id` (aws:PrincipalOrgID).
   */
  copyFrom: z.enum(["sources", "organization"], { error: 'must be "sources" or "organization"' }).default("sources"),
  /**
   * The only principal the vault's access policy lets delete recovery points or change their lifecycle (a role
   * in the DR account, used in an emergency). @default nobody: deletion only by expiry
   */
  breakGlassRoleArn: roleArn.optional(),
  /**
   * AWS Backup Vault Lock. "governance": users with enough IAM rights can still remove the lock; "compliance":
   * after `changeableForDays` (3 or more) nobody can change or remove it, and the vault cannot be deleted while it
   * holds recovery points.
   */
  lock: strict({
    mode: z.enum(["governance", "compliance"], { error: 'must be "governance" or "compliance"' }).default("governance"),
    /** Days until a compliance lock becomes immutable (at least 3). Only for "compliance". */
    changeableForDays: z.number().int().min(3, "must be at least 3 (AWS Backup's cooling-off minimum)").max(MAX_BACKUP_LIFECYCLE_DAYS, `must be at most ${MAX_BACKUP_LIFECYCLE_DAYS}`).optional(),
    /** Recovery points in the vault must be kept at least this long; a copy with a shorter lifecycle fails. */
    minRetentionDays: z.number().int().min(1, "must be at least 1").max(MAX_BACKUP_LIFECYCLE_DAYS, `must be at most ${MAX_BACKUP_LIFECYCLE_DAYS}`).default(7),
    /** Recovery points in the vault may be kept at most this long. @default no maximum */
    maxRetentionDays: z.number().int().min(1, "must be at least 1").max(MAX_BACKUP_LIFECYCLE_DAYS, `must be at most ${MAX_BACKUP_LIFECYCLE_DAYS}`).optional(),
  }).prefault({}),
});

const dr = strict({
  accountId,
  region,
  deployRoleArn: roleArn,
  network,
  /** Roles or users allowed to assume the DR restore operator role: who may restore production data. */
  operatorPrincipals: z
    .array(z.string().regex(IAM_ROLE_OR_USER_ARN, "is not an IAM role or user ARN (an account root would let every principal of that account restore)"))
    .min(1, "must name at least one role or user allowed to restore in the DR account"),
  notifications: notifications.prefault({}),
  /**
   * Create Redshift's service-linked role (AWSServiceRoleForRedshift) with Terraform. Leave false when the
   * account has (or had) a Redshift cluster: creating a role that exists fails. Either way the restore
   * operator role may create it on the first restore.
   */
  createRedshiftServiceLinkedRole: z.boolean().default(false),
  /** The restore-drill function, when any cluster has a drill. */
  drills: strict({
    /** How often a run moves the drills on: the resolution of the measured times. */
    schedule: scheduleExpression.default("rate(15 minutes)"),
    /** Make `terraform destroy` of the report bucket fail (the reports are evidence). */
    preventReportDestroy: z.boolean().default(true),
    /** Existing bucket (DR account and region) that receives the report bucket's server access logs. @default none */
    accessLogBucket: z
      .string()
      .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, "is not a valid bucket name")
      .optional(),
  }).prefault({}),
  /**
   * The account's Redshift quota of manual snapshots in this region (AWS default 20, adjustable). The DR vault's
   * copies and the drills' DR-owned copies (manual snapshots of this account) must fit in it, less a tenth kept free.
   */
  manualSnapshotQuota,
  /** The backup vault AWS Backup copies into (approach 3); required when any source has backup on. */
  backup: backupVault.optional(),
});

const organization = strict({
  /** The AWS Organization the source and DR accounts belong to. */
  id: z.string().regex(ORGANIZATION_ID, "is not an AWS Organizations id: o- followed by 10-32 lowercase letters or digits"),
  /**
   * The management account, where the `org` stack turns on cross-account backup for the organization
   * (aws_backup_global_settings applies only there). Omit it when that setting is managed elsewhere.
   */
  management: strict({
    accountId,
    region,
    deployRoleArn: roleArn,
    /**
     * The other keys of AWS Backup's organization settings. Terraform writes every key (a partial setting shows a
     * diff on every plan), so set these to what the organization uses today.
     */
    backupSettings: strict({
      /** isDelegatedAdministratorEnabled: a delegated administrator account may manage AWS Backup. */
      delegatedAdministrator: z.boolean().default(false),
      /** isMpaEnabled: multi-party approval for logically air-gapped vaults. */
      multiPartyApproval: z.boolean().default(false),
    }).prefault({}),
  }).optional(),
});

const state = strict({
  accountId,
  region,
  deployRoleArn: roleArn,
  bucket: z
    .string()
    .regex(/^(?!xn--)(?!.*-s3alias$)[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/, "is not a valid bucket name: 3-63 lowercase letters, digits and hyphens (no dots), starting and ending with a letter or digit"),
  /** "s3-lockfile": S3-native locking (Terraform >= 1.10); "dynamodb": a lock table (deprecated by Terraform 1.11). */
  locking: z.enum(["dynamodb", "s3-lockfile"], { error: 'must be "dynamodb" or "s3-lockfile"' }).default("s3-lockfile"),
  lockTable: z.string().regex(/^[a-zA-Z0-9_.-]{3,255}$/, "is not a valid DynamoDB table name: 3-255 letters, digits, _ . -").optional(),
  keyPrefix: z.string().regex(/^[a-z0-9][a-z0-9/_-]{0,99}$/, "is not a valid key prefix: lowercase letters, digits, / _ -").default("redshift-dr"),
  /** Make `terraform destroy` of the state bucket and lock table fail. */
  preventDestroy: z.boolean().default(true),
  /** Existing bucket (same account and region) that receives the state bucket's server access logs. */
  accessLogBucket: z
    .string()
    .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, "is not a valid bucket name")
    .optional(),
});

const tags = z.record(
  z
    .string()
    .regex(
      /^(?!aws:)(?!rsdr:)(?!managed-by$)[\w .:/=+@-]{1,128}$/,
      "is not a valid tag key: 1-128 characters, not starting with aws: or rsdr:, and not managed-by (those mark what this app owns)",
    ),
  z.string().max(256, "is too long: tag values are at most 256 characters"),
);

const projectName = z
  .string()
  .regex(
    redshiftIdentifierPattern(3, 16),
    "is not a valid project name: 3-16 lowercase letters, digits and hyphens, starting with a letter, not ending with a hyphen, no two hyphens in a row (Redshift names built from it allow neither)",
  );

export const estateSchema = strict({
  $schema: z.string().optional(),
  /** Prefix of every resource name. */
  project: projectName,
  tags: tags.default({}),
  state,
  dr,
  sources: z.array(source).min(1, "must list at least one source account"),
  organization: organization.optional(),
}).superRefine((estate, ctx) => {
  const add = (path: (string | number)[], message: string) => ctx.addIssue({ code: "custom", path, message });

  const firstByName = new Map<string, number>();
  const firstByAccountRegion = new Map<string, number>();
  const firstByCluster = new Map<string, string>();
  estate.sources.forEach((src, i) => {
    if (firstByName.has(src.name)) add(["sources", i, "name"], `is already the name of sources[${firstByName.get(src.name)}]: source names must be unique`);
    else firstByName.set(src.name, i);

    const where = `${src.accountId}/${src.region}`;
    if (firstByAccountRegion.has(where)) {
      add(["sources", i, "accountId"], `is already described, with region ${src.region}, by sources[${firstByAccountRegion.get(where)}]: list both sets of clusters in one source`);
    } else firstByAccountRegion.set(where, i);

    if (src.accountId === estate.dr.accountId) {
      add(["sources", i, "accountId"], "is also the DR account: the DR account must be a different account");
    }
    checkCrossRegion(estate, i, add);
    if (src.backup.enabled) checkBackupSource(estate, i, add);
    checkAccountOf(src.deployRoleArn, src.accountId, ["sources", i, "deployRoleArn"], add);

    src.clusters.forEach((c, j) => {
      const path = ["sources", i, "clusters", j];
      if (firstByCluster.has(c.identifier)) {
        add([...path, "identifier"], `is already used at ${firstByCluster.get(c.identifier)}: cluster identifiers must be unique across the estate (DR restores and alarms are named by them)`);
      } else firstByCluster.set(c.identifier, `sources[${i}].clusters[${j}]`);
      if (c.drill) checkDrill(estate, src, c, path, add);
      if (c.kmsKeyArn) {
        const [, , , keyRegion, keyAccount] = c.kmsKeyArn.split(":");
        if (keyAccount !== src.accountId || keyRegion !== src.region) {
          add([...path, "kmsKeyArn"], `belongs to ${keyAccount}/${keyRegion}, not to the source's account and region ${src.accountId}/${src.region}`);
        }
      }
    });

    if (src.native.enabled) {
      checkStalenessAlarmCovers(src.native.schedule, ["sources", i, "native", "schedule"], add);
      checkShareBudget(src, ["sources", i], add);
    }
    checkRetentionCovers(src.native.schedule, src.native.retentionDays, ["sources", i, "native"], add, src.native.tiers);
    if (src.native.rpoHours !== undefined) {
      const gap = safeSchedule(src.native.schedule)?.maxGapMinutes;
      if (gap !== undefined && src.native.rpoHours * 60 < gap) {
        add(["sources", i, "native", "rpoHours"], `is shorter than the schedule's longest gap of ${gap / 60} hours: the staleness alarm would fire between healthy runs`);
      }
    }
    checkRetentionCovers(src.backup.schedule, src.backup.retentionDays, ["sources", i, "backup"], add);

    checkZonesInRegion(src.network, src.region, ["sources", i, "network"], add);
    const srcCidr = src.network.create && parseCidr(src.network.create.cidr);
    const drCidr = estate.dr.network.create && parseCidr(estate.dr.network.create.cidr);
    if (srcCidr && drCidr && overlaps(srcCidr, drCidr)) {
      add(["sources", i, "network", "create", "cidr"], `overlaps the DR network ${estate.dr.network.create!.cidr}: restored clusters and any later peering need distinct ranges`);
    }
  });

  if (estate.dr.backup) checkBackupVault(estate, add);
  checkManualSnapshotQuotas(estate, add);
  checkDrillsFit(estate, add);
  if (estate.organization?.management) {
    checkAccountOf(estate.organization.management.deployRoleArn, estate.organization.management.accountId, ["organization", "management", "deployRoleArn"], add);
  }
  checkZonesInRegion(estate.dr.network, estate.dr.region, ["dr", "network"], add);
  checkAccountOf(estate.dr.deployRoleArn, estate.dr.accountId, ["dr", "deployRoleArn"], add);
  checkAccountOf(estate.state.deployRoleArn, estate.state.accountId, ["state", "deployRoleArn"], add);
  if (estate.state.locking === "s3-lockfile" && estate.state.lockTable) {
    add(["state", "lockTable"], 'is only used with locking "dynamodb"');
  }
  // Only names built from valid parts: a bad part has its own message already.
  const validPart = (path: readonly (string | number)[], value: unknown) =>
    (path[0] === "project" ? projectName : path[0] === "sources" && path.length === 3 ? sourceName : clusterIdentifier).safeParse(value).success;
  for (const problem of derivedNameProblems(estate, validPart)) add(problem.path, problem.message);
});

export { nativeRpoHours, zoneNames } from "./rules";
export { backupRpoHours, copyRetentionDays } from "./backup-rules";
export { copyManualRetentionDays, drSharedRpoHours, sharedSnapshotKeyArn } from "./cross-region-rules";

export type EstateInput = z.input<typeof estateSchema>;
export type Estate = z.output<typeof estateSchema>;
export type SourceConfig = Estate["sources"][number];
export type ClusterConfig = SourceConfig["clusters"][number];
export type NetworkConfig = SourceConfig["network"];
export type DrConfig = Estate["dr"];
export type StateConfig = Estate["state"];
export type BackupConfig = SourceConfig["backup"];
export type BackupVaultConfig = NonNullable<DrConfig["backup"]>;
export type OrganizationConfig = NonNullable<Estate["organization"]>;
