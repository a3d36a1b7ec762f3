/**
 * The Lambda environment as zod schemas: each variable is read (set, not empty, of the right form) and then
 * checked with the same field rules as a settings object (settings.ts). The variable names are the contract
 * with the constructs that set them (contract/). Throws {@link SettingsError} listing every problem, each
 * naming the variable, the value and what is allowed.
 */
import * as z from "zod/mini";
import { DR_MONITOR_ENV, SNAPSHOT_MANAGER_ENV } from "../../contract";
import {
  DR_MONITOR_FIELDS,
  drMonitorCrossChecks,
  formatIssues,
  LIMITS,
  q,
  SettingsError,
  SNAPSHOT_MANAGER_DEFAULTS,
  SNAPSHOT_MANAGER_FIELDS,
  snapshotManagerCrossChecks,
  type DrMonitorSettings,
  type SnapshotManagerSettings,
} from "./settings";

export type Env = Readonly<Record<string, string | undefined>>;

/** Where a transform reports a problem (the part of zod's parse context used here). */
interface IssueSink {
  issues: Array<{ code: "custom"; message: string; input: unknown }>;
}

const problem = (ctx: IssueSink, input: unknown, message: string) => ctx.issues.push({ code: "custom", message, input });

/** Where a cross check reports a problem of one setting (formatIssues names its variable). */
const settingProblem = (ctx: IssueSink, settings: unknown) => (field: string, message: string) =>
  ctx.issues.push({ code: "custom", message, input: settings, path: [field] } as never);

/** `schema` followed by `fn`, which may report problems (zod/mini's pipe into a transform). */
const then = <I, O>(schema: z.ZodMiniType<I>, fn: (value: I, ctx: IssueSink) => O) =>
  z.pipe(schema, z.transform((value: I, ctx) => fn(value, ctx as unknown as IssueSink)));

/** A variable that must be set and not blank; trimmed. */
const required = (allowed: string) =>
  then(
    z.string({ error: (iss) => (iss.input === undefined ? `is not set; required: ${allowed}` : `${q(iss.input)} is not a string`) }),
    (v, ctx) => {
      if (v.trim() === "") problem(ctx, v, `${q(v)} is empty; required: ${allowed}`);
      return v.trim();
    },
  );

/** A variable that may be unset or blank (then undefined); trimmed. */
const optional = then(z.optional(z.string()), (v) => (v === undefined || v.trim() === "" ? undefined : v.trim()));

/** Comma-separated values, none empty. */
const list = (allowed: string) =>
  then(required(allowed), (raw, ctx) => {
    const items = raw.split(",").map((s) => s.trim());
    if (items.some((s) => s === "")) problem(ctx, raw, `${q(raw)} has an empty entry; allowed: ${allowed}`);
    return items.filter((s) => s !== "");
  });

/** An optional JSON object; undefined when unset or blank. */
const json = (allowed: string) =>
  then(optional, (raw, ctx): Record<string, number> | undefined => {
    if (raw === undefined) return undefined;
    try {
      const value: unknown = JSON.parse(raw);
      if (value !== null && typeof value === "object" && !Array.isArray(value)) return value as Record<string, number>;
    } catch {
      // reported below
    }
    problem(ctx, raw, `${q(raw)} is not a JSON object; allowed: ${allowed}`);
    return z.NEVER;
  });

const toInt = (allowed: string) => (raw: string, ctx: IssueSink): number => {
  if (!/^-?\d+$/.test(raw)) {
    problem(ctx, raw, `${q(raw)} is not an integer; allowed: ${allowed}`);
    return z.NEVER;
  }
  return Number(raw);
};

/** A required integer. */
const int = (allowed: string) => then(required(allowed), toInt(allowed));

/** An integer with a default when unset. */
const intOr = (fallback: number, allowed: string) => then(optional, (raw, ctx) => (raw === undefined ? fallback : toInt(allowed)(raw, ctx)));

/** "true" or "false", with a default when unset. */
const bool = (fallback: boolean) =>
  then(optional, (raw, ctx): boolean => {
    if (raw === undefined) return fallback;
    if (raw === "true" || raw === "false") return raw === "true";
    problem(ctx, raw, `${q(raw)} is not allowed: "true" or "false" (default "${fallback}")`);
    return z.NEVER;
  });

const E = SNAPSHOT_MANAGER_ENV;
const F = SNAPSHOT_MANAGER_FIELDS;
const L = LIMITS;

const snapshotManagerVariables = z.object({
  [E.clusterIdentifiers]: z.pipe(list("comma-separated Redshift cluster identifiers"), F.clusterIdentifiers),
  [E.drAccountIds]: z.pipe(list("comma-separated 12-digit AWS account ids"), F.drAccountIds),
  [E.windowMinutes]: z.pipe(int(`integer minutes ${L.windowMinutes.min}-${L.windowMinutes.max}`), F.windowMinutes),
  [E.retentionDays]: z.pipe(int(`integer days ${L.retentionDays.min}-${L.retentionDays.max}`), F.retentionDays),
  [E.retentionTiers]: z.pipe(json(`a JSON object such as {"hourly":24,"daily":35,"monthly":12}`), z.optional(F.retentionTiers)),
  [E.keepLatest]: z.pipe(int(`integer ${L.keepLatest.min}-${L.keepLatest.max}`), F.keepLatest),
  [E.shareLatest]: z.pipe(int(`integer ${L.shareLatest.min}-${L.shareLatest.max}`), F.shareLatest),
  [E.snapshotPrefix]: z.pipe(required("lowercase letters, digits and hyphens, starting with a letter"), F.snapshotPrefix),
  [E.managedBy]: z.pipe(required("a tag value identifying this deployment"), F.managedBy),
  [E.alertTopicArn]: z.pipe(required("an SNS topic ARN"), F.alertTopicArn),
  [E.metricNamespace]: z.pipe(required("a CloudWatch metric namespace"), F.metricNamespace),
  [E.dryRun]: bool(SNAPSHOT_MANAGER_DEFAULTS.dryRun),
  [E.waitMarginSeconds]: z.pipe(
    intOr(SNAPSHOT_MANAGER_DEFAULTS.waitMarginSeconds, `integer seconds ${L.waitMarginSeconds.min}-${L.waitMarginSeconds.max}`),
    F.waitMarginSeconds,
  ),
  [E.copyRegion]: z.pipe(optional, z.optional(F.copyRegion)),
});

/** Checked by the compiler: every key of A is a key of B (a variable without a setting cannot compile). */
type KeysWithin<A, B> = Exclude<keyof A, keyof B> extends never ? true : false;
const managerVariablesAreSettings: KeysWithin<typeof E, SnapshotManagerSettings> = true;
const monitorVariablesAreSettings: KeysWithin<typeof D, DrMonitorSettings> = true;
const monitorSettingsAreVariables: KeysWithin<DrMonitorSettings, typeof D> = true;
void [managerVariablesAreSettings, monitorVariablesAreSettings, monitorSettingsAreVariables];

/** The settings named by `names` (setting -> variable), read from the parsed variables. */
function byVariable<K extends string>(names: Readonly<Record<K, string>>, variables: Readonly<Record<string, unknown>>): Record<K, unknown> {
  return Object.fromEntries(Object.entries<string>(names).map(([setting, variable]) => [setting, variables[variable]])) as Record<K, unknown>;
}

const snapshotManagerEnv = then(snapshotManagerVariables, (v, ctx): SnapshotManagerSettings => {
  // Every variable was checked by its field rule above; the contract names each setting's variable.
  const settings = { ...SNAPSHOT_MANAGER_DEFAULTS, ...byVariable(E, v) } as SnapshotManagerSettings;
  snapshotManagerCrossChecks(settings, settingProblem(ctx, settings));
  return settings;
});

/**
 * Settings of the snapshot-manager Lambda from its environment. `createSnapshots` is true here; the handler
 * turns it off for snapshot-event invocations.
 */
export function snapshotManagerSettingsFromEnv(env: Env): SnapshotManagerSettings & { readonly metricNamespace: string } {
  // METRIC_NAMESPACE is required above, so the namespace is always set here.
  return parseEnv(snapshotManagerEnv, env, E) as SnapshotManagerSettings & { readonly metricNamespace: string };
}

const D = DR_MONITOR_ENV;
const SOURCES_HELP =
  `JSON [{"accountId":"111111111111","clusters":["a","b"]}], an entry optionally with ` +
  `"approaches":["native","backup","drcopy"] (default ["native"]) and, with "backup", "region" and "partition"`;

const drMonitorVariables = z.object({
  [D.sources]: z.pipe(
    then(required(SOURCES_HELP), (raw, ctx): unknown => {
      try {
        return JSON.parse(raw) as unknown;
      } catch {
        problem(ctx, raw, `${q(raw)} is not allowed: ${SOURCES_HELP}`);
        return z.NEVER;
      }
    }),
    DR_MONITOR_FIELDS.sources,
  ),
  [D.snapshotPrefix]: z.pipe(required("the snapshot prefix of the source accounts' snapshot manager"), DR_MONITOR_FIELDS.snapshotPrefix),
  [D.managedBy]: z.pipe(required("the managed-by tag value used by the source accounts' snapshot manager"), DR_MONITOR_FIELDS.managedBy),
  [D.metricNamespace]: z.pipe(required("a CloudWatch metric namespace"), DR_MONITOR_FIELDS.metricNamespace),
  [D.alertTopicArn]: z.pipe(optional, DR_MONITOR_FIELDS.alertTopicArn),
  [D.backupVaultName]: z.pipe(optional, DR_MONITOR_FIELDS.backupVaultName),
});

const drMonitorEnv = then(drMonitorVariables, (v, ctx): DrMonitorSettings => {
  const settings = byVariable(D, v) as unknown as DrMonitorSettings;
  drMonitorCrossChecks(settings, settingProblem(ctx, settings));
  return settings;
});

/** Settings of the DR-monitor Lambda from its environment. */
export function drMonitorSettingsFromEnv(env: Env): DrMonitorSettings {
  return parseEnv(drMonitorEnv, env, D);
}

/** Parses `env`; a problem's path is a variable, or a setting, which `names` turns into its variable. */
function parseEnv<T>(schema: z.ZodMiniType<T>, env: Env, names: Readonly<Record<string, string>>): T {
  const result = schema.safeParse(env);
  if (!result.success) throw new SettingsError(formatIssues(result.error.issues, names));
  return result.data;
}
