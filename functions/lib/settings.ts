/**
 * Settings of the snapshot manager and the DR monitor, their defaults (filled in here, in one place),
 * and their validation. The Lambda handlers read them from environment variables; the CLI can build
 * them directly. Every error names the setting (or variable), the value received and what is allowed.
 */
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from "./retry";
import { clusterIdentifierProblem, windowSnapshotId } from "./naming";
import { MAX_ACCOUNTS_PER_SNAPSHOT } from "./share";
import { TARGETS_SEPARATOR } from "./ownership";

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
  readonly retentionDays: number;
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
  /** Where failures are published; no alert is sent when absent (e.g. from the CLI). */
  readonly alertTopicArn?: string;
  /** CloudWatch namespace for metrics; no metrics are published when absent. */
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
  /** @default DEFAULT_RETRY_POLICY */
  readonly retry: RetryPolicy;
}

export const SNAPSHOT_MANAGER_DEFAULTS = {
  dryRun: false,
  createSnapshots: true,
  waitMarginSeconds: 60,
  waiter: { minDelaySeconds: 15, maxDelaySeconds: 60 },
  concurrency: 4,
  retry: DEFAULT_RETRY_POLICY,
} as const;

/** Anything an operator has to fix in configuration. `problems` lists every problem found, not just the first. */
export class SettingsError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n  - ${problems.join("\n  - ")}`);
    this.name = "SettingsError";
  }
}

const ACCOUNT_ID = /^\d{12}$/;
const SNS_TOPIC_ARN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$/;
/** Characters allowed in tag values across AWS services. */
const TAG_VALUE = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;
const METRIC_NAMESPACE = /^[A-Za-z0-9.\-_/#: ]+$/;
const MAX_TAG_VALUE_LENGTH = 256;

export const LIMITS = {
  windowMinutes: { min: 15, max: 10_080 },
  retentionDays: { min: 1, max: 3653 },
  keepLatest: { min: 1, max: 100 },
  shareLatest: { min: 1, max: 20 },
  waitMarginSeconds: { min: 0, max: 900 },
  concurrency: { min: 1, max: 50 },
} as const;

function q(value: unknown): string {
  return JSON.stringify(value);
}

function checkIntRange(problems: string[], name: string, value: number, range: { min: number; max: number }, unit: string): void {
  if (!Number.isInteger(value) || value < range.min || value > range.max) {
    problems.push(`${name}: ${q(value)} is not allowed: an integer number of ${unit} from ${range.min} to ${range.max}`);
  }
}

/** All problems with `s` (empty when valid). `names` maps a setting to how the caller calls it (env var names). */
export function snapshotManagerProblems(
  s: SnapshotManagerSettings,
  names: Partial<Record<keyof SnapshotManagerSettings, string>> = {},
): string[] {
  const n = (key: keyof SnapshotManagerSettings) => names[key] ?? key;
  const problems: string[] = [];

  if (s.clusterIdentifiers.length === 0) problems.push(`${n("clusterIdentifiers")}: at least one cluster identifier is required`);
  s.clusterIdentifiers.forEach((id, i) => {
    const problem = clusterIdentifierProblem(id);
    if (problem) {
      problems.push(
        `${n("clusterIdentifiers")}[${i}]: ${q(id)} is not a valid cluster identifier: it ${problem}` +
          ` (lowercase letters, digits and hyphens, 1-63 characters, starting with a letter)`,
      );
    }
  });
  const dupClusters = duplicates(s.clusterIdentifiers);
  if (dupClusters.length) problems.push(`${n("clusterIdentifiers")}: duplicate cluster identifier(s) ${q(dupClusters)}`);

  if (s.drAccountIds.length === 0) problems.push(`${n("drAccountIds")}: at least one DR account id is required`);
  s.drAccountIds.forEach((id, i) => {
    if (!ACCOUNT_ID.test(id)) problems.push(`${n("drAccountIds")}[${i}]: ${q(id)} is not an AWS account id: exactly 12 digits`);
  });
  const dupAccounts = duplicates(s.drAccountIds);
  if (dupAccounts.length) problems.push(`${n("drAccountIds")}: duplicate account id(s) ${q(dupAccounts)}`);
  if (s.drAccountIds.length > MAX_ACCOUNTS_PER_SNAPSHOT) {
    problems.push(
      `${n("drAccountIds")}: ${s.drAccountIds.length} accounts given; Redshift allows at most ${MAX_ACCOUNTS_PER_SNAPSHOT} accounts per snapshot`,
    );
  } else if (s.drAccountIds.join(TARGETS_SEPARATOR).length > MAX_TAG_VALUE_LENGTH) {
    problems.push(
      `${n("drAccountIds")}: ${s.drAccountIds.length} accounts do not fit in the rsdr:targets tag ` +
        `(${s.drAccountIds.join(TARGETS_SEPARATOR).length} characters, tag values hold at most ${MAX_TAG_VALUE_LENGTH}): at most 19 DR accounts`,
    );
  }

  checkIntRange(problems, n("windowMinutes"), s.windowMinutes, LIMITS.windowMinutes, "minutes");
  checkIntRange(problems, n("retentionDays"), s.retentionDays, LIMITS.retentionDays, "days");
  checkIntRange(problems, n("keepLatest"), s.keepLatest, LIMITS.keepLatest, "snapshots");
  checkIntRange(problems, n("shareLatest"), s.shareLatest, LIMITS.shareLatest, "snapshots");
  if (Number.isInteger(s.windowMinutes) && Number.isInteger(s.retentionDays) && s.retentionDays * 1440 <= s.windowMinutes) {
    problems.push(
      `${n("retentionDays")}: ${s.retentionDays} day(s) is not longer than the schedule window of ${s.windowMinutes} minutes: ` +
        `retention must be longer than the window, or every snapshot would expire before the next one exists`,
    );
  }

  const prefixProblem = clusterIdentifierProblem(s.snapshotPrefix);
  if (prefixProblem) {
    problems.push(
      `${n("snapshotPrefix")}: ${q(s.snapshotPrefix)} is not allowed: it ${prefixProblem}` +
        ` (lowercase letters, digits and hyphens, 1-63 characters, starting with a letter)`,
    );
  } else {
    for (const cluster of s.clusterIdentifiers) {
      if (clusterIdentifierProblem(cluster)) continue;
      try {
        windowSnapshotId(s.snapshotPrefix, cluster, new Date(Date.UTC(2000, 0, 1)));
      } catch (err) {
        problems.push(`${n("snapshotPrefix")}: ${(err as Error).message}`);
      }
    }
  }

  if (s.managedBy.length === 0 || s.managedBy.length > MAX_TAG_VALUE_LENGTH || !TAG_VALUE.test(s.managedBy)) {
    problems.push(
      `${n("managedBy")}: ${q(s.managedBy)} is not a valid tag value: 1-${MAX_TAG_VALUE_LENGTH} characters,` +
        ` letters, digits, spaces and _ . : / = + - @`,
    );
  }
  if (s.alertTopicArn !== undefined && !SNS_TOPIC_ARN.test(s.alertTopicArn)) {
    problems.push(`${n("alertTopicArn")}: ${q(s.alertTopicArn)} is not an SNS topic ARN (arn:aws:sns:REGION:ACCOUNT:NAME)`);
  }
  if (s.metricNamespace !== undefined) problems.push(...metricNamespaceProblems(n("metricNamespace"), s.metricNamespace));

  checkIntRange(problems, n("waitMarginSeconds"), s.waitMarginSeconds, LIMITS.waitMarginSeconds, "seconds");
  checkIntRange(problems, n("concurrency"), s.concurrency, LIMITS.concurrency, "clusters");
  if (!(s.waiter.minDelaySeconds > 0) || !(s.waiter.maxDelaySeconds >= s.waiter.minDelaySeconds)) {
    problems.push(`${n("waiter")}: ${q(s.waiter)} is not allowed: minDelaySeconds > 0 and maxDelaySeconds >= minDelaySeconds`);
  }
  if (!Number.isInteger(s.retry.maxAttempts) || s.retry.maxAttempts < 1 || !(s.retry.baseDelayMs >= 0) || !(s.retry.maxDelayMs >= 0)) {
    problems.push(`${n("retry")}: ${q(s.retry)} is not allowed: maxAttempts an integer >= 1, delays >= 0`);
  }
  return problems;
}

function metricNamespaceProblems(name: string, ns: string): string[] {
  if (ns.length === 0 || ns.length > 255 || !METRIC_NAMESPACE.test(ns) || ns.trim().length === 0 || ns.startsWith("AWS/")) {
    return [
      `${name}: ${q(ns)} is not a valid CloudWatch namespace: 1-255 characters, letters, digits and . - _ / # : space,` +
        ` not starting with "AWS/"`,
    ];
  }
  return [];
}

function duplicates(values: readonly string[]): string[] {
  const seen = new Set<string>();
  const dup = new Set<string>();
  for (const v of values) (seen.has(v) ? dup : seen).add(v);
  return [...dup];
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

// ---------------------------------------------------------------------------------------------------
// Environment variables of the snapshot-manager Lambda

export const SNAPSHOT_MANAGER_ENV: Record<
  Exclude<keyof SnapshotManagerSettings, "createSnapshots" | "waiter" | "concurrency" | "retry">,
  string
> = {
  clusterIdentifiers: "CLUSTER_IDENTIFIERS",
  drAccountIds: "DR_ACCOUNT_IDS",
  windowMinutes: "WINDOW_MINUTES",
  retentionDays: "RETENTION_DAYS",
  keepLatest: "KEEP_LATEST",
  shareLatest: "SHARE_LATEST",
  snapshotPrefix: "SNAPSHOT_PREFIX",
  managedBy: "MANAGED_BY",
  alertTopicArn: "ALERT_TOPIC_ARN",
  metricNamespace: "METRIC_NAMESPACE",
  dryRun: "DRY_RUN",
  waitMarginSeconds: "WAIT_MARGIN_SECONDS",
};

export type Env = Readonly<Record<string, string | undefined>>;

class EnvReader {
  readonly problems: string[] = [];
  constructor(private readonly env: Env) {}

  required(name: string, allowed: string): string {
    const value = this.env[name];
    if (value === undefined || value.trim() === "") {
      this.problems.push(`${name}: ${value === undefined ? "is not set" : q(value) + " is empty"}; required: ${allowed}`);
      return "";
    }
    return value.trim();
  }

  optional(name: string): string | undefined {
    const value = this.env[name];
    return value === undefined || value.trim() === "" ? undefined : value.trim();
  }

  list(name: string, allowed: string): string[] {
    const raw = this.required(name, allowed);
    if (raw === "") return [];
    const items = raw.split(",").map((s) => s.trim());
    if (items.some((s) => s === "")) this.problems.push(`${name}: ${q(raw)} has an empty entry; allowed: ${allowed}`);
    return items.filter((s) => s !== "");
  }

  int(name: string, allowed: string, fallback?: number): number {
    const raw = fallback === undefined ? this.required(name, allowed) : this.optional(name);
    if (raw === undefined) return fallback!;
    if (raw === "") return NaN; // already reported as missing
    if (!/^-?\d+$/.test(raw)) {
      this.problems.push(`${name}: ${q(raw)} is not an integer; allowed: ${allowed}`);
      return NaN;
    }
    return Number(raw);
  }

  bool(name: string, fallback: boolean): boolean {
    const raw = this.optional(name);
    if (raw === undefined) return fallback;
    if (raw === "true") return true;
    if (raw === "false") return false;
    this.problems.push(`${name}: ${q(raw)} is not allowed: "true" or "false" (default "${fallback}")`);
    return fallback;
  }
}

/**
 * Settings of the snapshot-manager Lambda from its environment. Throws {@link SettingsError} listing
 * every problem, each naming the variable, the value and what is allowed. `createSnapshots` is true
 * here; the handler turns it off for snapshot-event invocations.
 */
export function snapshotManagerSettingsFromEnv(env: Env): SnapshotManagerSettings {
  const r = new EnvReader(env);
  const E = SNAPSHOT_MANAGER_ENV;
  const L = LIMITS;
  const settings: SnapshotManagerSettings = {
    ...SNAPSHOT_MANAGER_DEFAULTS,
    clusterIdentifiers: r.list(E.clusterIdentifiers, "comma-separated Redshift cluster identifiers"),
    drAccountIds: r.list(E.drAccountIds, "comma-separated 12-digit AWS account ids"),
    windowMinutes: r.int(E.windowMinutes, `integer minutes ${L.windowMinutes.min}-${L.windowMinutes.max}`),
    retentionDays: r.int(E.retentionDays, `integer days ${L.retentionDays.min}-${L.retentionDays.max}`),
    keepLatest: r.int(E.keepLatest, `integer ${L.keepLatest.min}-${L.keepLatest.max}`),
    shareLatest: r.int(E.shareLatest, `integer ${L.shareLatest.min}-${L.shareLatest.max}`),
    snapshotPrefix: r.required(E.snapshotPrefix, "lowercase letters, digits and hyphens, starting with a letter"),
    managedBy: r.required(E.managedBy, "a tag value identifying this deployment"),
    alertTopicArn: r.required(E.alertTopicArn, "an SNS topic ARN"),
    metricNamespace: r.required(E.metricNamespace, "a CloudWatch metric namespace"),
    dryRun: r.bool(E.dryRun, SNAPSHOT_MANAGER_DEFAULTS.dryRun),
    waitMarginSeconds: r.int(
      E.waitMarginSeconds,
      `integer seconds ${L.waitMarginSeconds.min}-${L.waitMarginSeconds.max}`,
      SNAPSHOT_MANAGER_DEFAULTS.waitMarginSeconds,
    ),
  };
  // Values already reported as missing or malformed are not reported a second time by the range checks.
  const reported = new Set(r.problems.map((p) => p.slice(0, p.indexOf(":"))));
  const problems = [
    ...r.problems,
    ...snapshotManagerProblems(settings, E).filter((p) => !reported.has(p.slice(0, p.indexOf(":")).replace(/\[\d+\]$/, ""))),
  ];
  if (problems.length) throw new SettingsError(problems);
  return settings;
}

// ---------------------------------------------------------------------------------------------------
// DR monitor

export interface SourceAccount {
  readonly accountId: string;
  readonly clusters: readonly string[];
}

export interface DrMonitorSettings {
  readonly sources: readonly SourceAccount[];
  /** First part of the source side's snapshot ids: with owner, cluster and type, it identifies our snapshots. */
  readonly snapshotPrefix: string;
  /** The source side's managed-by value; a snapshot whose visible tags name another value is excluded. */
  readonly managedBy: string;
  readonly metricNamespace: string;
  /** @default undefined: failures are logged and fail the invocation, but no SNS message is sent */
  readonly alertTopicArn?: string;
  /** @default DEFAULT_RETRY_POLICY */
  readonly retry: RetryPolicy;
}

export function drMonitorProblems(s: DrMonitorSettings, names: Partial<Record<keyof DrMonitorSettings, string>> = {}): string[] {
  const n = (key: keyof DrMonitorSettings) => names[key] ?? key;
  const problems: string[] = [];
  if (s.sources.length === 0) problems.push(`${n("sources")}: at least one source account is required`);
  s.sources.forEach((src, i) => {
    if (!ACCOUNT_ID.test(src.accountId)) {
      problems.push(`${n("sources")}[${i}].accountId: ${q(src.accountId)} is not an AWS account id: exactly 12 digits`);
    }
    if (src.clusters.length === 0) problems.push(`${n("sources")}[${i}].clusters: at least one cluster identifier is required`);
    src.clusters.forEach((c, j) => {
      const problem = clusterIdentifierProblem(c);
      if (problem) problems.push(`${n("sources")}[${i}].clusters[${j}]: ${q(c)} is not a valid cluster identifier: it ${problem}`);
    });
    const dup = duplicates(src.clusters);
    if (dup.length) problems.push(`${n("sources")}[${i}].clusters: duplicate cluster identifier(s) ${q(dup)}`);
  });
  const dupAccounts = duplicates(s.sources.map((x) => x.accountId));
  if (dupAccounts.length) problems.push(`${n("sources")}: account(s) listed more than once ${q(dupAccounts)}`);
  const prefixProblem = clusterIdentifierProblem(s.snapshotPrefix);
  if (prefixProblem) {
    problems.push(`${n("snapshotPrefix")}: ${q(s.snapshotPrefix)} is not allowed: it ${prefixProblem} (the source side's snapshot prefix)`);
  }
  if (s.managedBy.length === 0 || s.managedBy.length > MAX_TAG_VALUE_LENGTH || !TAG_VALUE.test(s.managedBy)) {
    problems.push(`${n("managedBy")}: ${q(s.managedBy)} is not a valid tag value: 1-${MAX_TAG_VALUE_LENGTH} characters`);
  }
  problems.push(...metricNamespaceProblems(n("metricNamespace"), s.metricNamespace));
  if (s.alertTopicArn !== undefined && !SNS_TOPIC_ARN.test(s.alertTopicArn)) {
    problems.push(`${n("alertTopicArn")}: ${q(s.alertTopicArn)} is not an SNS topic ARN (arn:aws:sns:REGION:ACCOUNT:NAME)`);
  }
  return problems;
}

export const DR_MONITOR_ENV = {
  sources: "SOURCES",
  snapshotPrefix: "SNAPSHOT_PREFIX",
  managedBy: "MANAGED_BY",
  metricNamespace: "METRIC_NAMESPACE",
  alertTopicArn: "ALERT_TOPIC_ARN",
} as const;

/** Settings of the DR-monitor Lambda from its environment; throws {@link SettingsError}. */
export function drMonitorSettingsFromEnv(env: Env): DrMonitorSettings {
  const r = new EnvReader(env);
  const E = DR_MONITOR_ENV;
  const sourcesHelp = `JSON [{"accountId":"111111111111","clusters":["a","b"]}]`;
  const rawSources = r.required(E.sources, sourcesHelp);
  let sources: SourceAccount[] = [];
  let sourcesParsed = rawSources === "";
  if (rawSources !== "") {
    try {
      const parsed: unknown = JSON.parse(rawSources);
      if (
        Array.isArray(parsed) &&
        parsed.every(
          (x) =>
            x !== null &&
            typeof x === "object" &&
            typeof (x as { accountId?: unknown }).accountId === "string" &&
            Array.isArray((x as { clusters?: unknown }).clusters) &&
            ((x as { clusters: unknown[] }).clusters).every((c) => typeof c === "string"),
        )
      ) {
        sources = (parsed as SourceAccount[]).map((x) => ({ accountId: x.accountId, clusters: [...x.clusters] }));
        sourcesParsed = true;
      }
    } catch {
      // reported below
    }
    if (!sourcesParsed) r.problems.push(`${E.sources}: ${q(rawSources)} is not allowed: ${sourcesHelp}`);
  }
  const settings: DrMonitorSettings = {
    sources,
    snapshotPrefix: r.required(E.snapshotPrefix, "the snapshot prefix of the source accounts' snapshot manager"),
    managedBy: r.required(E.managedBy, "the managed-by tag value used by the source accounts' snapshot manager"),
    metricNamespace: r.required(E.metricNamespace, "a CloudWatch metric namespace"),
    alertTopicArn: r.optional(E.alertTopicArn),
    retry: DEFAULT_RETRY_POLICY,
  };
  const reported = new Set(r.problems.map((p) => p.slice(0, p.indexOf(":"))));
  const problems = [
    ...r.problems,
    ...drMonitorProblems(settings, E).filter((p) => !reported.has(p.slice(0, p.indexOf(":")).replace(/\[.*$/, ""))),
  ];
  if (problems.length) throw new SettingsError(problems);
  return settings;
}
