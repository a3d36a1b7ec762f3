/**
 * The restore drill's settings: from its Lambda environment (contract: RESTORE_DRILL_ENV), or built by the CLI from
 * the config. Both go through {@link drillSettingsProblems}, so a drill never starts on settings the construct would
 * have refused. Every problem names the variable (or field), the value and what is allowed.
 */
import {
  ACCOUNT_ID,
  AWS_PARTITION,
  AWS_REGION_NAME,
  BACKUP_VAULT_NAME,
  CLUSTER_IDENTIFIER,
  CLUSTER_IDENTIFIER_RULE,
  DATABASE_NAME,
  DRILL_TABLE_NAME,
  KMS_KEY_ARN,
  RESTORE_DRILL_ENV,
  type DrillTarget,
} from "../../contract";
import type { DrillSettings } from "./drill";
import { q, SettingsError } from "./settings";

export const DRILL_LIMITS = {
  everyHours: { min: 1, max: 8760 },
  maxLifetimeHours: { min: 1, max: 72 },
  tables: 20,
  retentionDays: { min: 1, max: 3653 },
  keepLatest: { min: 1, max: 20 },
} as const;

/** `schema.table` or `table`, unquoted lowercase identifiers: the only form put into SQL (no quoting, no injection). */
export const TABLE_NAME = DRILL_TABLE_NAME;

const intIn = (v: unknown, r: { min: number; max: number }) => Number.isInteger(v) && (v as number) >= r.min && (v as number) <= r.max;

/** Problems of one DRILLS entry, each prefixed with `where`. */
function targetProblems(t: Partial<DrillTarget> & Record<string, unknown>, where: string): string[] {
  const p: string[] = [];
  const bad = (field: string, allowed: string) => p.push(`${where}.${field}: ${q(t[field])} is not allowed: ${allowed}`);
  if (!ACCOUNT_ID.test(String(t.accountId))) bad("accountId", "a 12-digit AWS account id");
  if (!AWS_REGION_NAME.test(String(t.region))) bad("region", "an AWS region name, e.g. eu-west-1");
  if (!AWS_PARTITION.test(String(t.partition))) bad("partition", "an AWS partition, e.g. aws");
  if (!CLUSTER_IDENTIFIER.test(String(t.clusterIdentifier))) bad("clusterIdentifier", CLUSTER_IDENTIFIER_RULE);
  if (t.kmsKeyArn !== undefined && !KMS_KEY_ARN.test(String(t.kmsKeyArn))) bad("kmsKeyArn", "a KMS key ARN");
  if (!intIn(t.everyHours, DRILL_LIMITS.everyHours)) bad("everyHours", `an integer ${DRILL_LIMITS.everyHours.min}-${DRILL_LIMITS.everyHours.max}`);
  if (!intIn(t.maxLifetimeHours, DRILL_LIMITS.maxLifetimeHours)) bad("maxLifetimeHours", `an integer ${DRILL_LIMITS.maxLifetimeHours.min}-${DRILL_LIMITS.maxLifetimeHours.max}`);
  if (!["newest", "shared", "backup"].includes(String(t.from))) bad("from", '"newest", "shared" or "backup"');
  if (t.nodeType !== undefined && !/^(ra3|dc2)\.[a-z0-9]+$/.test(String(t.nodeType))) bad("nodeType", "a Redshift node type, e.g. ra3.xlplus");
  if (t.numberOfNodes !== undefined && !intIn(t.numberOfNodes, { min: 1, max: 128 })) bad("numberOfNodes", "an integer 1-128");
  if (!DATABASE_NAME.test(String(t.database))) bad("database", "a database name: lowercase letters, digits, _ and $, starting with a letter or _");
  if (!Array.isArray(t.tables) || t.tables.length > DRILL_LIMITS.tables || t.tables.some((x) => !TABLE_NAME.test(String(x)))) {
    bad("tables", `a list of at most ${DRILL_LIMITS.tables} unquoted lowercase schema.table names`);
  }
  const copy = t.drOwnedCopy as Record<string, unknown> | null | undefined;
  if (copy !== undefined && (copy === null || typeof copy !== "object")) {
    p.push(`${where}.drOwnedCopy: ${q(copy)} is not allowed: an object with retentionDays and keepLatest, or no drOwnedCopy`);
  } else if (copy !== undefined) {
    if (!intIn(copy.retentionDays, DRILL_LIMITS.retentionDays)) p.push(`${where}.drOwnedCopy.retentionDays: ${q(copy.retentionDays)} is not allowed: an integer 1-3653`);
    if (!intIn(copy.keepLatest, DRILL_LIMITS.keepLatest)) p.push(`${where}.drOwnedCopy.keepLatest: ${q(copy.keepLatest)} is not allowed: an integer 1-20 (the newest copy is always kept)`);
  }
  if (Number.isInteger(t.everyHours) && Number.isInteger(t.maxLifetimeHours) && (t.maxLifetimeHours as number) > (t.everyHours as number)) {
    p.push(`${where}.maxLifetimeHours: ${q(t.maxLifetimeHours)} is not allowed: at most everyHours (${t.everyHours}), or a drill could still run when the next is due`);
  }
  return p;
}

/** Every problem of `s`, or []. */
export function drillSettingsProblems(s: DrillSettings, names: Readonly<Record<string, string>> = RESTORE_DRILL_ENV): string[] {
  const p: string[] = [];
  const n = (k: keyof typeof RESTORE_DRILL_ENV) => names[k] ?? k;
  const drills: unknown = s.drills;
  if (!Array.isArray(drills)) return [`${n("drills")}: ${q(drills)} is not allowed: a JSON array of drill targets`];
  // Drill clusters and copies are named by the source cluster alone: each cluster id once (the config says the same).
  const seen = new Set<string>();
  (drills as unknown[]).forEach((t, i) => {
    if (t === null || typeof t !== "object" || Array.isArray(t)) {
      p.push(`${n("drills")}[${i}]: ${q(t)} is not allowed: a drill target object`);
      return;
    }
    const target = t as DrillTarget & Record<string, unknown>;
    p.push(...targetProblems(target, `${n("drills")}[${i}]`));
    if (seen.has(String(target.clusterIdentifier))) p.push(`${n("drills")}[${i}]: cluster ${q(target.clusterIdentifier)} is listed twice: one drill per source cluster`);
    seen.add(String(target.clusterIdentifier));
  });
  if (!ACCOUNT_ID.test(String(s.drAccountId))) p.push(`${n("drAccountId")}: ${q(s.drAccountId)} is not allowed: a 12-digit AWS account id`);
  if (!AWS_REGION_NAME.test(String(s.region))) p.push(`AWS_REGION: ${q(s.region)} is not allowed: an AWS region name`);
  if (!CLUSTER_IDENTIFIER.test(String(s.snapshotPrefix))) p.push(`${n("snapshotPrefix")}: ${q(s.snapshotPrefix)} is not allowed: ${CLUSTER_IDENTIFIER_RULE}`);
  if (!s.managedBy) p.push(`${n("managedBy")}: ${q(s.managedBy)} is not allowed: a tag value identifying this deployment`);
  if (!s.subnetGroupName) p.push(`${n("subnetGroupName")}: ${q(s.subnetGroupName)} is not allowed: the DR subnet group's name`);
  if (!s.kmsKeyArn) p.push(`${n("kmsKeyArn")}: ${q(s.kmsKeyArn)} is not allowed: the DR key's ARN (or its alias, where a KMS client resolves it)`);
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(String(s.reportBucket))) p.push(`${n("reportBucket")}: ${q(s.reportBucket)} is not allowed: an S3 bucket name`);
  if (s.backupVaultName !== undefined && !BACKUP_VAULT_NAME.test(s.backupVaultName)) p.push(`${n("backupVaultName")}: ${q(s.backupVaultName)} is not allowed: a backup vault name`);
  if ((drills as unknown[]).some((t) => (t as Partial<DrillTarget> | null)?.from === "backup") && !s.backupVaultName) {
    p.push(`${n("backupVaultName")}: ${q(s.backupVaultName)} is not allowed: required when a drill restores from "backup"`);
  }
  return p;
}

/** The drill's settings from its Lambda environment; throws {@link SettingsError} listing every problem. */
export function drillSettingsFromEnv(env: Readonly<Record<string, string | undefined>>): DrillSettings & { readonly metricNamespace: string } {
  const E = RESTORE_DRILL_ENV;
  let drills: unknown = undefined;
  const problems: string[] = [];
  try {
    drills = JSON.parse(env[E.drills] ?? "");
  } catch {
    problems.push(`${E.drills}: ${q(env[E.drills])} is not allowed: a JSON array of drill targets`);
  }
  const opt = (k: string) => (env[k] === undefined || env[k] === "" ? undefined : env[k]);
  const settings = {
    drills: (drills ?? []) as DrillTarget[],
    drAccountId: env[E.drAccountId] ?? "",
    region: env.AWS_REGION ?? "",
    snapshotPrefix: env[E.snapshotPrefix] ?? "",
    managedBy: env[E.managedBy] ?? "",
    subnetGroupName: env[E.subnetGroupName] ?? "",
    kmsKeyArn: env[E.kmsKeyArn] ?? "",
    reportBucket: env[E.reportBucket] ?? "",
    metricNamespace: env[E.metricNamespace] ?? "",
    ...(opt(E.securityGroupName) ? { securityGroupName: opt(E.securityGroupName) } : {}),
    ...(opt(E.backupVaultName) ? { backupVaultName: opt(E.backupVaultName) } : {}),
    ...(opt(E.alertTopicArn) ? { alertTopicArn: opt(E.alertTopicArn) } : {}),
  };
  if (!settings.metricNamespace) problems.push(`${E.metricNamespace}: "" is not allowed: a CloudWatch metric namespace`);
  // The function has no KMS client to resolve an alias: the construct passes the key's ARN.
  if (settings.kmsKeyArn && !KMS_KEY_ARN.test(settings.kmsKeyArn)) problems.push(`${E.kmsKeyArn}: ${q(settings.kmsKeyArn)} is not allowed: a KMS key ARN`);
  problems.push(...drillSettingsProblems(settings));
  if (problems.length) throw new SettingsError(problems);
  return settings;
}
