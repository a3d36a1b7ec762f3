/**
 * Settings of the snapshot manager and the DR monitor: their types, their defaults (filled in here, in one
 * place), and their rules as zod schemas. The same field rules check a settings object built in code (the planned operator CLI,
 * tests) and the Lambda environment (environment.ts). Every problem names the setting (or variable), the value
 * received and what is allowed. zod/mini, not zod: the same library, tree-shakable, so the Lambda bundles carry
 * 14 KiB of it instead of 440.
 */
import * as z from "zod/mini";
import type { $ZodIssue, $ZodType } from "zod/v4/core";
import {
  ACCOUNT_ID,
  AWS_PARTITION,
  AWS_REGION_NAME,
  BACKUP_VAULT_NAME,
  clusterIdentifierProblem,
  DR_APPROACHES,
  drAccountsProblem,
  MAX_TAG_VALUE_LENGTH,
  RETENTION_TIER_LIMITS,
  RETENTION_TIERS,
  retentionWindowProblem,
  SNAPSHOT_MANAGER_LIMITS,
  type RetentionTiers,
  usesApproach,
  type MonitoredSource,
} from "../../contract";
import { windowSnapshotId } from "./naming";

/** Polling of the SDK waiter while a new snapshot is being created. */
export interface WaiterDelays {
  /** @default 15 (the SDK's own default for this waiter) */
  readonly minDelaySeconds: number;
  /** @default 60 */
  readonly maxDelaySeconds: number;
}

export interface SnapshotManagerSettings {
  readonly clusterIdentifiers: readonly string[];
  readonly drAccountIds: readonly string[];
  /** Length of a schedule window; one snapshot per cluster and window. */
  readonly windowMinutes: number;
  /** Our snapshots older than this expire, unless a tier or keepLatest keeps them (0 only with tiers). */
  readonly retentionDays: number;
  /**
   * Tiers of retention: a tier of N keeps the newest available snapshot of each of its last N periods (UTC hours,
   * days, ISO weeks, months). @default none
   */
  readonly retentionTiers?: RetentionTiers;
  /** Newest available snapshots kept regardless of age. */
  readonly keepLatest: number;
  /**
   * Newest available snapshots that stay shared with the DR accounts; older ones retention keeps lose their
   * authorization, so the authorizations on a KMS key stay bounded (Redshift allows 100 per key).
   */
  readonly shareLatest: number;
  readonly snapshotPrefix: string;
  /** Value of the managed-by tag that marks our snapshots. */
  readonly managedBy: string;
  /** Where failures are published; no alert is sent when absent (e.g. from the planned operator CLI). */
  readonly alertTopicArn?: string;
  /** CloudWatch namespace of the metrics: the handler writes them there (the core does not read it). */
  readonly metricNamespace?: string;
  /** Report what would be created/shared/revoked/deleted; change nothing, publish no metrics. @default false */
  readonly dryRun: boolean;
  /** false: share + retention only (the snapshot-event trigger). @default true */
  readonly createSnapshots: boolean;
  /** Time kept back from the Lambda's remaining time when waiting for a new snapshot. @default 60 */
  readonly waitMarginSeconds: number;
  /** @default { minDelaySeconds: 15, maxDelaySeconds: 60 } */
  readonly waiter: WaiterDelays;
  /** Clusters reconciled at the same time. @default 4 */
  readonly concurrency: number;
  /**
   * The region Redshift copies the clusters' snapshots to (cross-region snapshot copy, same account). The manager
   * then also shares our copies there, bounded as in the source region, and never deletes one (Redshift's manual
   * retention expires them). Requires ReconcileDeps.copyRedshift, a client for this region. @default none
   */
  readonly copyRegion?: string;
}

export const SNAPSHOT_MANAGER_DEFAULTS = {
  dryRun: false,
  createSnapshots: true,
  waitMarginSeconds: 60,
  waiter: { minDelaySeconds: 15, maxDelaySeconds: 60 },
  concurrency: 4,
} as const;

export const LIMITS = { ...SNAPSHOT_MANAGER_LIMITS, concurrency: { min: 1, max: 50 } } as const;

export interface DrMonitorSettings {
  /**
   * Which clusters of which source accounts are watched, and how: shared snapshots, AWS Backup copies in the DR
   * vault, DR-owned copies of the restore drills ("drcopy"), or several of them.
   */
  readonly sources: readonly MonitoredSource[];
  /** First part of the source side's snapshot ids: with owner, cluster and type, it identifies our snapshots. */
  readonly snapshotPrefix: string;
  /** The source side's managed-by value; a snapshot whose visible tags name another value is excluded. */
  readonly managedBy: string;
  readonly metricNamespace: string;
  /** @default undefined: failures are logged and fail the invocation, but no SNS message is sent */
  readonly alertTopicArn?: string;
  /** The DR account's backup vault the sources' AWS Backup plans copy into; required when a source uses "backup". */
  readonly backupVaultName?: string;
}

/** Anything an operator has to fix in configuration. `problems` lists every problem found, not just the first. */
export class SettingsError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n  - ${problems.join("\n  - ")}`);
    this.name = "SettingsError";
  }
}

// ---------------------------------------------------------------------------------------------------
// Field rules. Messages start with the value: the path is put in front by formatIssues.

export const q = (value: unknown): string => JSON.stringify(value);

const SNS_TOPIC_ARN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$/;
/** Characters allowed in tag values across AWS services. */
const TAG_VALUE = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;
const METRIC_NAMESPACE = /^[A-Za-z0-9.\-_/#: ]+$/;

/** A field rule: the problem with a value (worded after the value), or null. */
type Rule<T> = (value: T) => string | null;

function ruled<S extends z.ZodMiniType>(schema: S, rule: Rule<z.output<S>>): S {
  return schema.check(
    z.superRefine((value: z.output<S>, ctx) => {
      const problem = rule(value);
      if (problem) ctx.addIssue({ code: "custom", message: problem, input: value });
    }),
  );
}

const intIn = (range: { min: number; max: number }, unit: string) =>
  ruled(z.number(), (v) =>
    Number.isInteger(v) && v >= range.min && v <= range.max ? null : `${q(v)} is not allowed: an integer number of ${unit} from ${range.min} to ${range.max}`,
  );

const clusterId = ruled(z.string(), (id) => {
  const problem = clusterIdentifierProblem(id);
  return problem && `${q(id)} is not a valid cluster identifier: it ${problem} (lowercase letters, digits and hyphens, 1-63 characters, starting with a letter)`;
});

const accountId = ruled(z.string(), (id) => (ACCOUNT_ID.test(id) ? null : `${q(id)} is not an AWS account id: exactly 12 digits`));

function uniqueList<S extends z.ZodMiniType<string>>(item: S, what: string, min: string) {
  return ruled(z.array(item), (list) => {
    if (list.length === 0) return `at least one ${min} is required`;
    const dup = duplicates(list);
    return dup.length ? `duplicate ${what}(s) ${q(dup)}` : null;
  });
}

const prefixRule = ruled(z.string(), (p) => {
  const problem = clusterIdentifierProblem(p);
  return problem && `${q(p)} is not allowed: it ${problem} (lowercase letters, digits and hyphens, 1-63 characters, starting with a letter)`;
});

const tagValue = ruled(z.string(), (v) =>
  v.length === 0 || v.length > MAX_TAG_VALUE_LENGTH || !TAG_VALUE.test(v)
    ? `${q(v)} is not a valid tag value: 1-${MAX_TAG_VALUE_LENGTH} characters, letters, digits, spaces and _ . : / = + - @`
    : null,
);

const topicArn = ruled(z.string(), (v) => (SNS_TOPIC_ARN.test(v) ? null : `${q(v)} is not an SNS topic ARN (arn:aws:sns:REGION:ACCOUNT:NAME)`));

const regionName = ruled(z.string(), (r) => (AWS_REGION_NAME.test(r) ? null : `${q(r)} is not an AWS region name, e.g. "eu-west-1"`));

const metricNamespace = ruled(z.string(), (ns) =>
  ns.length === 0 || ns.length > 255 || !METRIC_NAMESPACE.test(ns) || ns.trim().length === 0 || ns.startsWith("AWS/")
    ? `${q(ns)} is not a valid CloudWatch namespace: 1-255 characters, letters, digits and . - _ / # : space, not starting with "AWS/"`
    : null,
);

/** The rule of each snapshot-manager field, shared by the settings and the environment schemas. */
export const SNAPSHOT_MANAGER_FIELDS = {
  clusterIdentifiers: uniqueList(clusterId, "cluster identifier", "cluster identifier"),
  drAccountIds: uniqueList(accountId, "account id", "DR account id"),
  windowMinutes: intIn(LIMITS.windowMinutes, "minutes"),
  retentionDays: intIn(LIMITS.retentionDays, "days"),
  retentionTiers: ruled(z.record(z.string(), z.number()), (tiers) => {
    const unknown = Object.keys(tiers).filter((k) => !(RETENTION_TIERS as readonly string[]).includes(k));
    if (unknown.length) return `${q(unknown)} is not allowed: the tiers are ${RETENTION_TIERS.map((t) => q(t)).join(", ")}`;
    if (Object.keys(tiers).length === 0) return "{} names no tier: leave it out, or give at least one tier";
    const bad = RETENTION_TIERS.filter((t) => tiers[t] !== undefined && !(Number.isInteger(tiers[t]) && tiers[t] >= RETENTION_TIER_LIMITS[t].min && tiers[t] <= RETENTION_TIER_LIMITS[t].max));
    return bad.length
      ? `${q(tiers)} is not allowed: ${bad.map((t) => `${t} must be an integer number of periods from ${RETENTION_TIER_LIMITS[t].min} to ${RETENTION_TIER_LIMITS[t].max}`).join("; ")}`
      : null;
  }),
  keepLatest: intIn(LIMITS.keepLatest, "snapshots"),
  shareLatest: intIn(LIMITS.shareLatest, "snapshots"),
  snapshotPrefix: prefixRule,
  managedBy: tagValue,
  alertTopicArn: topicArn,
  metricNamespace,
  dryRun: z.boolean(),
  waitMarginSeconds: intIn(LIMITS.waitMarginSeconds, "seconds"),
  copyRegion: regionName,
};

/** Rules over several snapshot-manager fields; each skips what a field rule already refused. */
export function snapshotManagerCrossChecks(s: Partial<SnapshotManagerSettings>, add: (field: keyof SnapshotManagerSettings, message: string) => void): void {
  const ok = <K extends keyof typeof SNAPSHOT_MANAGER_FIELDS>(key: K) =>
    s[key] !== undefined && (SNAPSHOT_MANAGER_FIELDS[key] as $ZodType & { safeParse(v: unknown): { success: boolean } }).safeParse(s[key]).success;
  const accountsProblem = drAccountsProblem(s.drAccountIds ?? []);
  if (accountsProblem) add("drAccountIds", accountsProblem);
  const tiersOk = s.retentionTiers === undefined || ok("retentionTiers");
  const retentionProblem =
    ok("windowMinutes") && ok("retentionDays") && tiersOk ? retentionWindowProblem(s.retentionDays!, s.windowMinutes!, s.retentionTiers) : null;
  if (retentionProblem) add("retentionDays", retentionProblem);
  if (ok("snapshotPrefix")) {
    for (const cluster of s.clusterIdentifiers ?? []) {
      if (clusterIdentifierProblem(cluster)) continue;
      try {
        windowSnapshotId(s.snapshotPrefix!, cluster, new Date(Date.UTC(2000, 0, 1)));
      } catch (err) {
        add("snapshotPrefix", (err as Error).message);
      }
    }
  }
}

const snapshotManagerSchema = z
  .object({
    ...SNAPSHOT_MANAGER_FIELDS,
    alertTopicArn: z.optional(SNAPSHOT_MANAGER_FIELDS.alertTopicArn),
    metricNamespace: z.optional(SNAPSHOT_MANAGER_FIELDS.metricNamespace),
    copyRegion: z.optional(SNAPSHOT_MANAGER_FIELDS.copyRegion),
    retentionTiers: z.optional(SNAPSHOT_MANAGER_FIELDS.retentionTiers),
    createSnapshots: z.boolean(),
    waiter: ruled(z.object({ minDelaySeconds: z.number(), maxDelaySeconds: z.number() }), (w) =>
      w.minDelaySeconds > 0 && w.maxDelaySeconds >= w.minDelaySeconds
        ? null
        : `${q(w)} is not allowed: minDelaySeconds > 0 and maxDelaySeconds >= minDelaySeconds`,
    ),
    concurrency: intIn(LIMITS.concurrency, "clusters"),
  })
  .check(z.superRefine((s, ctx) => snapshotManagerCrossChecks(s, (field, message) => ctx.addIssue({ code: "custom", path: [field], message, input: s }))));

/** All problems with `s` (empty when valid). */
export function snapshotManagerProblems(s: SnapshotManagerSettings): string[] {
  const result = snapshotManagerSchema.safeParse(s);
  return result.success ? [] : formatIssues(result.error.issues);
}

/** Fills defaults into a partial settings object and validates it; throws {@link SettingsError}. */
export function snapshotManagerSettings(
  input: Omit<SnapshotManagerSettings, keyof typeof SNAPSHOT_MANAGER_DEFAULTS> & Partial<SnapshotManagerSettings>,
): SnapshotManagerSettings {
  const settings: SnapshotManagerSettings = { ...SNAPSHOT_MANAGER_DEFAULTS, ...input };
  const problems = snapshotManagerProblems(settings);
  if (problems.length) throw new SettingsError(problems);
  return settings;
}

const approach = ruled(z.string(), (a) =>
  (DR_APPROACHES as readonly string[]).includes(a) ? null : `${q(a)} is not allowed: one of ${DR_APPROACHES.map((x) => q(x)).join(", ")}`,
);

const partitionName = ruled(z.string(), (p) => (AWS_PARTITION.test(p) ? null : `${q(p)} is not an AWS partition, e.g. "aws", "aws-cn", "aws-us-gov"`));

/** A SOURCES entry. Strict: a misspelt optional key (say "aproaches") would otherwise quietly mean native only. */
const monitoredSource = z
  .strictObject(
    {
      accountId,
      clusters: uniqueList(clusterId, "cluster identifier", "cluster identifier"),
      approaches: z.optional(uniqueList(approach, "approach", "approach")),
      region: z.optional(regionName),
      partition: z.optional(partitionName),
    },
    {
      error: (iss) =>
        iss.code === "unrecognized_keys"
          ? `${q(iss.keys)} is not allowed: the keys of an entry are "accountId", "clusters", "approaches", "region" and "partition"`
          : undefined,
    },
  )
  .check(
    z.superRefine((source, ctx) => {
      // Only "backup" matches by cluster ARN; "native" matches by owner and id, "drcopy" by the copies' own tags.
      if (!usesApproach(source, "backup")) return;
      for (const key of ["region", "partition"] as const) {
        if (source[key] === undefined) {
          ctx.addIssue({ code: "custom", path: [key], input: source, message: `is not set; required with approach "backup" (the cluster ARNs its recovery points carry are built from it)` });
        }
      }
    }),
  );

export const DR_MONITOR_FIELDS = {
  sources: ruled(z.array(monitoredSource), (list) => {
    if (list.length === 0) return "at least one source account is required";
    // An account may have several entries (one per approach, say); each approach watches a cluster once.
    const dup = DR_APPROACHES.flatMap((a) =>
      duplicates(list.filter((x) => usesApproach(x, a)).flatMap((x) => x.clusters.map((c) => `${x.accountId}/${c}`))).map((d) => `${a}: ${d}`),
    );
    return dup.length ? `cluster(s) listed more than once for the same approach ${q(dup)}` : null;
  }),
  snapshotPrefix: prefixRule,
  managedBy: tagValue,
  metricNamespace,
  alertTopicArn: z.optional(topicArn),
  backupVaultName: z.optional(
    ruled(z.string(), (v) => (BACKUP_VAULT_NAME.test(v) ? null : `${q(v)} is not a backup vault name: 2-50 letters, digits, hyphens and underscores`)),
  ),
};

/** Rules over several DR-monitor fields. */
export function drMonitorCrossChecks(
  s: { readonly sources?: readonly { readonly accountId: string; readonly approaches?: readonly string[] }[]; readonly backupVaultName?: string },
  add: (field: keyof DrMonitorSettings, message: string) => void,
): void {
  const backupAccounts = (s.sources ?? []).filter((x) => usesApproach(x, "backup")).map((x) => x.accountId);
  if (backupAccounts.length > 0 && s.backupVaultName === undefined) {
    add("backupVaultName", `is not set; required: the DR vault the AWS Backup copies of ${q([...new Set(backupAccounts)])} go to`);
  }
}

const drMonitorSchema = z
  .object(DR_MONITOR_FIELDS)
  .check(z.superRefine((s, ctx) => drMonitorCrossChecks(s, (field, message) => ctx.addIssue({ code: "custom", path: [field], message, input: s }))));

export function drMonitorProblems(s: DrMonitorSettings): string[] {
  const result = drMonitorSchema.safeParse(s);
  return result.success ? [] : formatIssues(result.error.issues);
}

// ---------------------------------------------------------------------------------------------------

/** `name[1].field: message`, the first path segment renamed by `names` (settings key -> env var). */
export function formatIssues(issues: readonly $ZodIssue[], names: Readonly<Record<string, string>> = {}): string[] {
  return issues.map((issue) => {
    const [head, ...rest] = issue.path;
    const where =
      (head === undefined ? "" : (names[String(head)] ?? String(head))) +
      rest.map((k) => (typeof k === "number" ? `[${k}]` : `.${String(k)}`)).join("");
    return `${where}: ${issue.message}`;
  });
}

function duplicates(values: readonly string[]): string[] {
  const seen = new Set<string>();
  const dup = new Set<string>();
  for (const v of values) (seen.has(v) ? dup : seen).add(v);
  return [...dup];
}
