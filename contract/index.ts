// The contract between the infrastructure (config/, stacks/) and the runtime code (functions/): names both sides
// spell, in one pure module (no cdktf, no AWS SDK), so that they cannot drift apart. The constructs write these
// names into the Lambda environment, the alarms and the IAM policies; the functions read and publish them.

/** Project name and managed-by value when none is given. */
export const DEFAULT_PROJECT = "rsdr";

/** CloudWatch namespace of the functions' metrics when none is given. */
export const DEFAULT_METRIC_NAMESPACE = "RedshiftDR";

// ---------------------------------------------------------------------------------------------------
// Identifiers

/**
 * Redshift's rule for cluster identifiers (and the form of snapshot ids and the other Redshift names built from
 * them): lowercase letters, digits and hyphens, starting with a letter, no trailing hyphen, no two in a row.
 */
export const REDSHIFT_IDENTIFIER = /^[a-z](?!.*--)[a-z0-9-]*(?<!-)$/;
export const MAX_CLUSTER_ID_LENGTH = 63;
export const MAX_SNAPSHOT_ID_LENGTH = 255;

/**
 * Redshift's rule for identifiers, as one regular expression: `minLength`-`maxLength` lowercase letters, digits and
 * hyphens, starting with a letter, no two hyphens in a row, not ending with a hyphen. The config's project and
 * source names use it too, since Redshift names are built from them.
 */
export function redshiftIdentifierPattern(minLength: number, maxLength: number): RegExp {
  return new RegExp(`^(?!.*--)[a-z][a-z0-9-]{${minLength - 1},${maxLength - 1}}(?<!-)$`);
}

/** A valid cluster identifier (the same rule as {@link clusterIdentifierProblem}, as one regular expression). */
export const CLUSTER_IDENTIFIER = redshiftIdentifierPattern(1, 63);

export const CLUSTER_IDENTIFIER_RULE =
  "lowercase letters, digits and hyphens, 1-63 characters, starting with a letter, no two hyphens in a row, not ending with a hyphen";

/** Why `id` is not a valid Redshift identifier of at most `maxLength` characters, or null if it is. */
export function identifierProblem(id: string, maxLength: number): string | null {
  if (id.length === 0) return "must not be empty";
  if (id.length > maxLength) return `is ${id.length} characters long, the maximum is ${maxLength}`;
  if (!/^[a-z]/.test(id)) return "must start with a lowercase letter";
  if (!/^[a-z0-9-]*$/.test(id)) return "may contain only lowercase letters, digits and hyphens";
  if (id.includes("--")) return "must not contain two consecutive hyphens";
  if (id.endsWith("-")) return "must not end with a hyphen";
  return null;
}

export function clusterIdentifierProblem(id: string): string | null {
  return identifierProblem(id, MAX_CLUSTER_ID_LENGTH);
}

export const ACCOUNT_ID = /^\d{12}$/;

/** A KMS key ARN (by key id: an alias cannot be granted to another account). Any partition. */
export const KMS_KEY_ARN = /^arn:aws(-[a-z]+)*:kms:[a-z0-9-]+:\d{12}:key\/[0-9a-f-]{36}$/;

/** An AWS Backup vault name (the API's pattern). */
export const BACKUP_VAULT_NAME = /^[A-Za-z0-9_-]{2,50}$/;
/** AWS Backup's longest lifecycle and lock retention, in days (100 years; "never" is written as this). */
export const MAX_BACKUP_LIFECYCLE_DAYS = 36500;

/** An AWS Organizations id, as aws:PrincipalOrgID compares it. */
export const ORGANIZATION_ID = /^o-[a-z0-9]{10,32}$/;

/** An AWS region name, e.g. eu-west-1, us-gov-west-1. */
export const AWS_REGION_NAME = /^[a-z]{2}(-[a-z]+)+-\d+$/;

/** An AWS partition, e.g. aws, aws-cn, aws-us-gov. */
export const AWS_PARTITION = /^aws(-[a-z]+)*$/;

/** An IAM role or user ARN (never an account root, which would stand for every principal of the account). */
export const IAM_ROLE_OR_USER_ARN = /^arn:aws(-[a-z]+)*:iam::\d{12}:(role|user)\/[\w+=,.@/-]+$/;

// ---------------------------------------------------------------------------------------------------
// Snapshot ids: `<prefix>-<cluster>-<YYYYMMDD>t<HHMM>z`, one per cluster and schedule window

/** `YYYYMMDDtHHMMz` (UTC, lowercase) for a window start, e.g. 20261126t1200z. */
export function windowStamp(start: Date): string {
  const pad = (n: number, width = 2) => String(n).padStart(width, "0");
  return (
    `${pad(start.getUTCFullYear(), 4)}${pad(start.getUTCMonth() + 1)}${pad(start.getUTCDate())}` +
    `t${pad(start.getUTCHours())}${pad(start.getUTCMinutes())}z`
  );
}

/** An example stamp, for checking the length and form of the ids a prefix and cluster give. */
export const SNAPSHOT_STAMP_EXAMPLE = windowStamp(new Date(Date.UTC(2026, 10, 26, 12, 0)));

/** The id of a window's snapshot, unchecked (see functions/lib/naming.ts for the checked form). */
export function snapshotIdOf(snapshotPrefix: string, clusterIdentifier: string, stamp: string): string {
  return `${snapshotPrefix}-${clusterIdentifier}-${stamp}`;
}

/** The start of the snapshot ids of one cluster, for IAM resource patterns: `<prefix>-` then anything. */
export function snapshotIdPrefixPattern(snapshotPrefix: string): string {
  return `${snapshotPrefix}-*`;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Regular-expression source of the stamp that closes a window snapshot id (yyyymmddThhmmZ, lowercase). */
const STAMP_PATTERN = "\\d{8}t\\d{4}z";

/** Regular-expression source matching the window snapshot ids of one cluster (no anchors). */
export function windowSnapshotIdPattern(snapshotPrefix: string, clusterIdentifier: string): string {
  return `${escapeRegExp(snapshotPrefix)}-${escapeRegExp(clusterIdentifier)}-${STAMP_PATTERN}`;
}

/**
 * A function giving the configured cluster whose window snapshot id `id` is, or undefined. Unambiguous even when
 * cluster identifiers contain hyphens: the stamp closes the id.
 */
export function windowSnapshotIdMatcher(snapshotPrefix: string, clusters: readonly string[]): (id: string) => string | undefined {
  const known = new Set(clusters);
  const shape = new RegExp(`^${escapeRegExp(snapshotPrefix)}-(.+)-${STAMP_PATTERN}$`);
  return (id) => {
    const cluster = shape.exec(id)?.[1];
    return cluster !== undefined && known.has(cluster) ? cluster : undefined;
  };
}

// ---------------------------------------------------------------------------------------------------
// Tags the snapshot manager puts on its snapshots (and nothing else may use)

export const TAG_MANAGED_BY = "managed-by";
export const TAG_CLUSTER = "rsdr:cluster";
export const TAG_WINDOW = "rsdr:window";
export const TAG_TARGETS = "rsdr:targets";
/** The snapshot manager may create tags with these keys only. */
export const SNAPSHOT_TAG_KEYS = [TAG_MANAGED_BY, TAG_CLUSTER, TAG_WINDOW, TAG_TARGETS] as const;
/** Separator of account ids in the rsdr:targets tag (tag values may not contain commas in every service). */
export const TARGETS_SEPARATOR = "+";

// ---------------------------------------------------------------------------------------------------
// Snapshot manager settings both sides refuse: the construct at synth, the function when it starts

/** Ranges of the snapshot manager's numeric settings. */
export const SNAPSHOT_MANAGER_LIMITS = {
  windowMinutes: { min: 15, max: 10_080 },
  /** 0 only with retention tiers (then nothing is kept by age alone). */
  retentionDays: { min: 0, max: 3653 },
  keepLatest: { min: 1, max: 100 },
  shareLatest: { min: 1, max: 20 },
  waitMarginSeconds: { min: 0, max: 900 },
} as const;

/** Redshift: at most 20 accounts may be authorized to restore one snapshot (not adjustable). */
export const MAX_ACCOUNTS_PER_SNAPSHOT = 20;

/** Tag values hold at most 256 characters. */
export const MAX_TAG_VALUE_LENGTH = 256;

/** Why one snapshot cannot be shared with all of `accounts` (Redshift's limit, or the rsdr:targets tag), or null. */
export function drAccountsProblem(accounts: readonly string[]): string | null {
  if (accounts.length > MAX_ACCOUNTS_PER_SNAPSHOT) {
    return `${accounts.length} accounts given; Redshift allows at most ${MAX_ACCOUNTS_PER_SNAPSHOT} accounts per snapshot`;
  }
  const tagLength = accounts.join(TARGETS_SEPARATOR).length;
  if (tagLength > MAX_TAG_VALUE_LENGTH) {
    return (
      `${accounts.length} accounts do not fit in the rsdr:targets tag (${tagLength} characters, ` +
      `tag values hold at most ${MAX_TAG_VALUE_LENGTH}): at most 19 DR accounts`
    );
  }
  return null;
}

/**
 * Tiers of retention (docs/native-automation.md, "Tiered retention"): a tier of N keeps the newest available snapshot
 * of each of the last N periods, the current one included. Periods are UTC hours, days, ISO weeks (from Monday) and
 * calendar months.
 */
export const RETENTION_TIERS = ["hourly", "daily", "weekly", "monthly"] as const;
export type RetentionTier = (typeof RETENTION_TIERS)[number];
export type RetentionTiers = Readonly<Partial<Record<RetentionTier, number>>>;

/** How many periods each tier may keep: up to 10 years, Redshift's longest manual snapshot retention. */
export const RETENTION_TIER_LIMITS: Readonly<Record<RetentionTier, { min: number; max: number }>> = {
  hourly: { min: 1, max: 24 * 366 },
  daily: { min: 1, max: 3653 },
  weekly: { min: 1, max: 522 },
  monthly: { min: 1, max: 120 },
};

/** The longest a period of each tier lasts, in minutes (a month: 31 days). Used for worst-case counts. */
export const RETENTION_TIER_MINUTES: Readonly<Record<RetentionTier, number>> = {
  hourly: 60,
  daily: 1440,
  weekly: 7 * 1440,
  monthly: 31 * 1440,
};

/** The longest a snapshot may be kept, in days: by age, or by the longest-reaching tier (a month counted as 31 days). */
export function retentionSpanDays(rules: { retentionDays: number; retentionTiers?: RetentionTiers }): number {
  const byTier = RETENTION_TIERS.map((tier) => Math.ceil(((rules.retentionTiers?.[tier] ?? 0) * RETENTION_TIER_MINUTES[tier]) / 1440));
  return Math.max(rules.retentionDays, ...byTier);
}

/** True when `tiers` names at least one tier. */
export const hasTiers = (tiers: RetentionTiers | undefined): boolean => tiers !== undefined && RETENTION_TIERS.some((t) => tiers[t] !== undefined);

/** Runs (and so snapshots) that fit in `minutes` when runs are at least `minGapMinutes` apart, both ends included. */
export function runsWithin(minutes: number, minGapMinutes: number): number {
  return Math.ceil(minutes / minGapMinutes) + 1;
}

/**
 * The most available snapshots of one cluster that retention can keep at once, when runs are at least
 * `minGapMinutes` apart: the newest `keepLatest` and those within `retentionDays` are both the newest few, so
 * together they are the larger of the two; each tier adds at most one per period, and no more than the runs in its
 * periods. Snapshots still being created come on top ({@link snapshotsInFlight}).
 */
export function retainedSnapshotsBound(rules: { retentionDays: number; keepLatest: number; retentionTiers?: RetentionTiers }, minGapMinutes: number): number {
  const byAge = rules.retentionDays > 0 ? runsWithin(rules.retentionDays * 1440, minGapMinutes) : 0;
  const byTier = RETENTION_TIERS.reduce((sum, tier) => {
    const periods = rules.retentionTiers?.[tier];
    return periods === undefined ? sum : sum + Math.min(periods, runsWithin(periods * RETENTION_TIER_MINUTES[tier], minGapMinutes));
  }, 0);
  return Math.max(rules.keepLatest, byAge) + byTier;
}

/**
 * Minutes a new snapshot is allowed to take to become available, for the worst-case counts. Nothing documents how
 * long Redshift takes (an incremental snapshot is usually minutes); an hour is the allowance.
 */
export const SNAPSHOT_CREATE_ALLOWANCE_MINUTES = 60;

/** Snapshots of one cluster being created at once: the new one, and those of earlier runs within the allowance. */
export function snapshotsInFlight(minGapMinutes: number): number {
  return Math.max(1, Math.ceil(SNAPSHOT_CREATE_ALLOWANCE_MINUTES / minGapMinutes));
}

/**
 * Why `retentionDays` (with or without tiers) could let every snapshot expire before the next one exists, or null.
 * With tiers, 0 days is allowed: the tiers and the newest `keepLatest` keep what is needed.
 */
export function retentionWindowProblem(retentionDays: number, windowMinutes: number, tiers?: RetentionTiers): string | null {
  if (hasTiers(tiers)) return null;
  if (retentionDays === 0) return "0 days keeps nothing by age: 0 is allowed only with retention tiers";
  return retentionDays * 1440 <= windowMinutes
    ? `${retentionDays} day(s) is not longer than the schedule window of ${windowMinutes} minutes: ` +
        `retention must be longer than the window, or every snapshot would expire before the next one exists`
    : null;
}

// ---------------------------------------------------------------------------------------------------
// Lambda environment

/** Variables every scheduled function gets. */
export const COMMON_ENV = {
  alertTopicArn: "ALERT_TOPIC_ARN",
  metricNamespace: "METRIC_NAMESPACE",
} as const;

export const SNAPSHOT_MANAGER_ENV = {
  clusterIdentifiers: "CLUSTER_IDENTIFIERS",
  drAccountIds: "DR_ACCOUNT_IDS",
  windowMinutes: "WINDOW_MINUTES",
  retentionDays: "RETENTION_DAYS",
  /** Retention tiers as JSON, e.g. {"hourly":24,"daily":35,"monthly":12}. Absent: no tiers. */
  retentionTiers: "RETENTION_TIERS",
  keepLatest: "KEEP_LATEST",
  shareLatest: "SHARE_LATEST",
  snapshotPrefix: "SNAPSHOT_PREFIX",
  managedBy: "MANAGED_BY",
  dryRun: "DRY_RUN",
  waitMarginSeconds: "WAIT_MARGIN_SECONDS",
  /**
   * The region Redshift copies the clusters' snapshots to (cross-region snapshot copy, same account): the manager
   * also shares our copies there, where the DR account sees them. Absent: no cross-region copy.
   */
  copyRegion: "COPY_REGION",
  ...COMMON_ENV,
} as const;

export const DR_MONITOR_ENV = {
  sources: "SOURCES",
  snapshotPrefix: "SNAPSHOT_PREFIX",
  managedBy: "MANAGED_BY",
  /** The DR account's backup vault the sources' AWS Backup plans copy into; required when a source uses "backup". */
  backupVaultName: "BACKUP_VAULT_NAME",
  ...COMMON_ENV,
} as const;

/**
 * How a source's clusters reach the DR account: "native", snapshots the source shares with it (Redshift snapshot
 * sharing); "backup", recovery points its AWS Backup plans copy into the DR vault; "drcopy", DR-owned copies the
 * restore drills keep (snapshots owned by the DR account, tagged with the source account and cluster).
 */
export const DR_APPROACHES = ["native", "backup", "drcopy"] as const;
export type DrApproach = (typeof DR_APPROACHES)[number];

/**
 * One entry of the DR monitor's SOURCES variable (JSON array): clusters of one source account and how they reach
 * the DR account. An account may have several entries (e.g. one per approach), but each approach watches a
 * cluster of an account once. `{"accountId","clusters"}` alone is a native-only entry.
 */
export interface MonitoredSource {
  readonly accountId: string;
  readonly clusters: readonly string[];
  /** @default ["native"] */
  readonly approaches?: readonly DrApproach[];
  /** Region of the clusters; required with "backup" (a recovery point names its cluster by ARN). */
  readonly region?: string;
  /** Partition of the clusters, e.g. "aws"; required with "backup". */
  readonly partition?: string;
}

/** Whether a SOURCES entry watches its clusters by `approach` (an entry without `approaches` is native only). */
export function usesApproach(source: { readonly approaches?: readonly string[] }, approach: DrApproach): boolean {
  return (source.approaches ?? ["native"]).includes(approach);
}

/** The payload the schedule sends to a scheduled function. */
export const SCHEDULE_PAYLOAD = { trigger: "schedule" } as const;
/**
 * The payload of the snapshot manager's second schedule, when its snapshots are copied to another region: share and
 * retention only (no new snapshot), so that copies, which finish after the snapshot's own event, are shared within
 * that schedule's period rather than a whole window later.
 */
export const SHARE_PAYLOAD = { trigger: "share" } as const;

// ---------------------------------------------------------------------------------------------------
// Metrics (namespace: METRIC_NAMESPACE), and the dimensions the alarms select them by

export const SNAPSHOT_MANAGER_METRICS = {
  created: "SnapshotsCreated",
  shared: "SnapshotsShared",
  deleted: "SnapshotsDeleted",
  clusterFailures: "ClusterFailures",
  newestSharedSnapshotAgeHours: "NewestSharedSnapshotAgeHours",
  /** With COPY_REGION: age of the newest of our copies in that region shared with every DR account. */
  newestSharedCopyAgeHours: "NewestSharedCopyAgeHours",
} as const;

export const DR_MONITOR_METRICS = {
  /** Approach "native": age of the newest snapshot the source shares with the DR account. */
  newestSharedSnapshotAgeHours: "NewestSharedSnapshotAgeHours",
  /** Approach "backup": age of the newest completed recovery point of the cluster in the DR vault. */
  newestRecoveryPointAgeHours: "NewestRecoveryPointAgeHours",
  /** Approach "drcopy": age of the data in the newest available DR-owned copy (its rsdr:data-time tag). */
  newestDrOwnedCopyAgeHours: "NewestDrOwnedCopyAgeHours",
} as const;

export const METRIC_DIMENSIONS = {
  cluster: "ClusterIdentifier",
  sourceAccount: "SourceAccount",
} as const;

// ---------------------------------------------------------------------------------------------------
// Restore drills and DR-owned copies (DR account)

/**
 * Drill clusters are `<prefix>-drill-<cluster>-<yyyymmddthhmmz>`; the drill role may restore, tag, snapshot and
 * delete only clusters whose identifier starts `<prefix>-drill-`.
 */
export const drillClusterPrefix = (snapshotPrefix: string) => `${snapshotPrefix}-drill-`;
/** DR-owned copies are `<prefix>-drcopy-<cluster>-<yyyymmddthhmmz>`, snapshots of a drill cluster, owned by DR. */
export const drOwnedCopyPrefix = (snapshotPrefix: string) => `${snapshotPrefix}-drcopy-`;

/** Tags of a drill cluster: its state lives here (and in the report bucket), not in the function. */
export const TAG_SOURCE_ACCOUNT = "rsdr:source-account";
/** The drill's step: restoring, validating, copying (a DR-owned copy is being taken), deleting. */
export const TAG_DRILL_STEP = "rsdr:drill-step";
/** When the restore was requested (ISO 8601): the measured RTO counts from here. */
export const TAG_DRILL_STARTED = "rsdr:drill-started";
/** When a run first saw the drill cluster available (ISO 8601). */
export const TAG_DRILL_AVAILABLE = "rsdr:drill-available";
/** The recovery point restored: its kind, then a shared snapshot's id or a vault copy's ARN. */
export const TAG_DRILL_POINT = "rsdr:drill-point";
/** When the data restored was taken (ISO 8601): the age of a DR-owned copy is the age of this data. */
export const TAG_DATA_TIME = "rsdr:data-time";
/** The Redshift Data API statement that validates the drill cluster. */
export const TAG_DRILL_STATEMENT = "rsdr:drill-statement";
/** "passed" or "failed", once the drill has a result (then the report is written). */
export const TAG_DRILL_RESULT = "rsdr:drill-result";

/** A Redshift database name: lowercase letters, digits, _ and $, 1-64 characters, starting with a letter or _. */
export const DATABASE_NAME = /^[a-z_][a-z0-9_$]{0,63}$/;

/** A validation table: `schema.table` or `table`, unquoted lowercase identifiers (the only form put into SQL). */
export const DRILL_TABLE_NAME = /^[a-z_][a-z0-9_$]{0,126}(\.[a-z_][a-z0-9_$]{0,126})?$/;

export const DRILL_STEPS = ["restoring", "validating", "copying", "deleting"] as const;
export type DrillStep = (typeof DRILL_STEPS)[number];

/** Reports are `drills/<source account>/<cluster>/<yyyymmddthhmmz>-<passed|failed>.json` in the report bucket. */
export const DRILL_REPORT_PREFIX = "drills/";
export const drillReportKeyPrefix = (accountId: string, clusterIdentifier: string) => `${DRILL_REPORT_PREFIX}${accountId}/${clusterIdentifier}/`;

/**
 * One entry of the restore drill's DRILLS variable (JSON array): a source cluster to drill, and how. Validation
 * and defaults: functions/lib/drill-settings.ts; config: sources[].clusters[].drill.
 */
export interface DrillTarget {
  /** The source account. */
  readonly accountId: string;
  /** Region of the source cluster (a shared snapshot is restorable in its own region only). */
  readonly region: string;
  /** Partition of the ARNs, e.g. "aws". */
  readonly partition: string;
  /** The source cluster to drill. */
  readonly clusterIdentifier: string;
  /**
   * The customer-managed key of the source cluster, when known (a snapshot under another key is suspect).
   * @default none: the snapshot's key is not compared
   */
  readonly kmsKeyArn?: string;
  /** Start a drill when the last one started this long ago. */
  readonly everyHours: number;
  /** A drill cluster older than this is deleted, whatever its step, and the drill fails. */
  readonly maxLifetimeHours: number;
  /** What to restore: "newest" of both kinds, or only "shared" snapshots or only "backup" copies in the DR vault. */
  readonly from: "newest" | "shared" | "backup";
  /** Node type of the drill cluster. @default that of the snapshot */
  readonly nodeType?: string;
  /** Node count of the drill cluster. @default that of the snapshot */
  readonly numberOfNodes?: number;
  /** Database the validation runs in. */
  readonly database: string;
  /** `schema.table` names: the validation counts their rows, and fails on an empty one. None: `select 1`. */
  readonly tables: readonly string[];
  /** Keep a DR-owned copy (a snapshot of the drill cluster) of a passed drill, with its own retention. @default none kept */
  readonly drOwnedCopy?: {
    /** Days a DR-owned copy is kept. */
    readonly retentionDays: number;
    /** Newest DR-owned copies kept whatever their age. */
    readonly keepLatest: number;
  };
}

/** Lambda refuses a function whose environment passes 4 KB; DRILLS must leave room for the other variables. */
export const MAX_DRILLS_VARIABLE = 3072;

/**
 * How long the DRILLS variable will be once Terraform fills in the key ARNs (at synth a target's kmsKeyArn may be a
 * reference to another stack's state): each key ARN counted as 100 characters.
 */
export function drillsVariableLength(targets: readonly DrillTarget[]): number {
  return JSON.stringify(targets.map((t) => ({ ...t, ...(t.kmsKeyArn !== undefined ? { kmsKeyArn: "k".repeat(100) } : {}) }))).length;
}

export const RESTORE_DRILL_ENV = {
  drills: "DRILLS",
  /** The DR account (drill clusters' ARNs, for tagging them). Region: Lambda's own AWS_REGION. */
  drAccountId: "DR_ACCOUNT_ID",
  snapshotPrefix: "SNAPSHOT_PREFIX",
  managedBy: "MANAGED_BY",
  subnetGroupName: "SUBNET_GROUP_NAME",
  /** Name of the DR restore security group, found in the subnet group's VPC. */
  securityGroupName: "SECURITY_GROUP_NAME",
  kmsKeyArn: "KMS_KEY_ARN",
  reportBucket: "REPORT_BUCKET",
  /** The DR vault; with a drill from "backup" or "newest" that may pick a copy. Optional. */
  backupVaultName: "BACKUP_VAULT_NAME",
  ...COMMON_ENV,
} as const;

export const RESTORE_DRILL_METRICS = {
  /** 1 for each drill that passed (at the run that recorded it). */
  passed: "DrillsPassed",
  /** 1 for each drill that failed (any step, or too old). */
  failed: "DrillsFailed",
  /** From the restore request to the first run that saw the cluster available. */
  secondsToAvailable: "DrillSecondsToAvailable",
  /** From the restore request to the validation's end: the measured RTO. */
  totalSeconds: "DrillTotalSeconds",
  /** Hours since the last passed drill started (not published before the first: missing data breaches). */
  hoursSinceLastPassed: "HoursSinceLastPassedDrill",
} as const;
