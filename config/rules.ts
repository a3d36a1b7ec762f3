// The estate-wide rules of the config that need more than one field: accounts of deploy roles, zones of a
// region, schedules against retention and the staleness alarm, and the share budget of each KMS key. The schema
// (estate.ts) applies them; the stacks use the derived figures (zone names, the RPO).
import { hasTiers, type RetentionTiers } from "../contract";
import { parseSchedule } from "./schedule";
import type { SourceConfig } from "./estate";

/** Records a problem at a config path. */
export type AddIssue = (path: (string | number)[], message: string) => void;

export function checkAccountOf(
  arn: string,
  account: string,
  path: (string | number)[],
  add: AddIssue,
  why = "the deploy role must be in the account it deploys to",
) {
  const arnAccount = arn.split(":")[4];
  if (/^\d{12}$/.test(arnAccount ?? "") && /^\d{12}$/.test(account) && arnAccount !== account) {
    add(path, `is a role in account ${arnAccount}, but the accountId is ${account}: ${why}`);
  }
}

export function checkZonesInRegion(network: { create?: { availabilityZones: number | string[] } }, region: string, path: (string | number)[], add: AddIssue) {
  const zones = network.create?.availabilityZones;
  if (!Array.isArray(zones)) return;
  zones.forEach((zone, k) => {
    if (zone.slice(0, -1) !== region) add([...path, "create", "availabilityZones", k], `is not a zone of the region ${region}`);
  });
}

/** The zone names of a created network: as listed, or the region's first zones ("a", "b", "c"). */
export function zoneNames(zones: number | string[], region: string): string[] {
  return Array.isArray(zones) ? zones : ["a", "b", "c"].slice(0, zones).map((letter) => `${region}${letter}`);
}

export function safeSchedule(expression: string) {
  try {
    return parseSchedule(expression);
  } catch {
    return undefined; // already reported by the field's own check
  }
}

/**
 * Refuses a retention that lets every snapshot expire before the next one exists. With tiers, or 0 days (refused on
 * its own without tiers), the tiers and keepLatest keep the newest: nothing to check.
 */
export function checkRetentionCovers(expression: string, retentionDays: number, path: (string | number)[], add: AddIssue, tiers?: RetentionTiers) {
  if (hasTiers(tiers) || retentionDays === 0) return;
  const schedule = safeSchedule(expression);
  // Not equal either: the snapshot manager refuses a retention not longer than its window (contract/).
  if (schedule && retentionDays * 24 * 60 <= schedule.maxGapMinutes) {
    add([...path, "retentionDays"], `is not longer than the schedule period (${schedule.maxGapMinutes / 60} hours between runs of ${expression}): snapshots would expire before the next one exists`);
  }
}

/**
 * CloudWatch: an alarm's period times its evaluation periods may not exceed 7 days (604,800 s). The staleness
 * alarm (missing data breaching) must look back over the schedule's longest gap plus one period of margin, with
 * periods of at most a day: so the longest gap may be at most 6 days.
 */
const MAX_ALARM_WINDOW_MINUTES = 7 * 24 * 60;
export const MAX_NATIVE_GAP_MINUTES = MAX_ALARM_WINDOW_MINUTES - 24 * 60;

export function checkStalenessAlarmCovers(expression: string, path: (string | number)[], add: AddIssue) {
  const schedule = safeSchedule(expression);
  if (schedule && schedule.maxGapMinutes > MAX_NATIVE_GAP_MINUTES) {
    add(
      path,
      `leaves up to ${schedule.maxGapMinutes / 60} hours between runs; native sharing allows at most ${MAX_NATIVE_GAP_MINUTES / 60} ` +
        `(its staleness alarm must look back over the longest gap plus a day, and CloudWatch alarms look back at most 7 days): run at least every 6 days`,
    );
  }
}

/** Redshift: at most 100 accounts authorized across the snapshots encrypted with one KMS key. */
export const MAX_SHARES_PER_KMS_KEY = 100;

/** An estate has one DR account; each shared snapshot is authorized for it once. */
const DR_ACCOUNTS = 1;

/**
 * Worst case of share authorizations on each KMS key of a source: clusters on the key x (shareLatest + 1) x DR
 * accounts. The + 1: a new snapshot is shared before the oldest shared one is revoked, so for a moment a cluster
 * has one more. Created clusters use the source's data key (or their own with dataKeys "per-cluster"); existing
 * ones their kmsKeyArn. With AWS Backup on the same clusters, one more each: AWS does not document how a
 * cross-account copy reaches the other account, so it is counted as if it held an authorization while it runs.
 */
const perCluster = (src: Pick<SourceConfig, "native" | "backup">) => src.native.shareLatest + 1 + (src.backup.enabled ? 1 : 0);

function shareAuthorizationsPerKey(src: Pick<SourceConfig, "clusters" | "dataKeys" | "native" | "backup">): Map<string, { clusters: string[]; worstCase: number }> {
  const byKey = new Map<string, string[]>();
  for (const c of src.clusters) {
    const key = c.kmsKeyArn ?? (src.dataKeys === "per-cluster" ? `data key of ${c.identifier}` : "the source's data key");
    byKey.set(key, [...(byKey.get(key) ?? []), c.identifier]);
  }
  return new Map(
    [...byKey].map(([key, clusters]) => [key, { clusters, worstCase: clusters.length * perCluster(src) * DR_ACCOUNTS }]),
  );
}

export function checkShareBudget(src: SourceConfig, path: (string | number)[], add: AddIssue) {
  for (const [key, { clusters, worstCase }] of shareAuthorizationsPerKey(src)) {
    if (worstCase <= MAX_SHARES_PER_KMS_KEY) continue;
    add(
      [...path, "native", "shareLatest"],
      `lets up to ${worstCase} share authorizations stand on one KMS key (${key}: ${clusters.length} clusters x ` +
        `(${src.native.shareLatest} + 1 while a new snapshot replaces the oldest${src.backup.enabled ? " + 1 for an AWS Backup copy" : ""}) x ${DR_ACCOUNTS} DR account), over Redshift's limit of ` +
        `${MAX_SHARES_PER_KMS_KEY} per key: share fewer snapshots per cluster (shareLatest), or give each created cluster its own key ` +
        `(dataKeys "per-cluster"), or spread existing clusters over more keys`,
    );
  }
}

/** The staleness threshold: as configured, else the longest gap between runs plus two hours. */
export function nativeRpoHours(native: { schedule: string; rpoHours?: number }): number {
  return native.rpoHours ?? Math.ceil(parseSchedule(native.schedule).maxGapMinutes / 60) + 2;
}
