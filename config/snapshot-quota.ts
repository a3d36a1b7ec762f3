// The quota of manual snapshots. Redshift counts every manual snapshot of an account in a region against one
// adjustable quota (20 by default): the snapshot manager's, AWS Backup's recovery points (manual snapshots too),
// cross-region copies, the DR vault's copies and the drills' DR-owned copies. Validation adds up the worst case per
// account and region and refuses a config that could reach the quota less its headroom. Sources of the AWS facts:
// docs/aws-behaviour.md, "Quotas"; the arithmetic: docs/native-automation.md, "Tiered retention".
import { retainedSnapshotsBound, runsWithin, snapshotsInFlight } from "../contract";
import { copyRetentionDays } from "./backup-rules";
import type { Estate, SourceConfig } from "./estate";
import { safeSchedule, type AddIssue } from "./rules";

/**
 * Redshift's default quota of manual ("user") snapshots per account and region, per the Redshift quotas page
 * (adjustable; an estate with a raised quota says so in `manualSnapshotQuota`).
 */
export const DEFAULT_MANUAL_SNAPSHOT_QUOTA = 20;

/**
 * Left free below the quota for what no config knows of: an operator's one-off snapshot, the final snapshot of a
 * cluster being deleted, a retention run that failed once. A tenth of the quota, at least 1.
 */
export function quotaHeadroom(quota: number): number {
  return Math.max(1, Math.ceil(quota / 10));
}

/** What a config may use of a quota: the quota less its headroom. */
export const usableQuota = (quota: number): number => quota - quotaHeadroom(quota);

/** The smallest quota whose usable part holds `count` snapshots. */
export function quotaNeeded(count: number): number {
  let quota = count;
  while (usableQuota(quota) < count) quota++;
  return quota;
}

/** Schedule windows within `days`, plus the one being made: how many snapshots a daily cleanup can leave standing. */
export function pointsWithin(days: number, schedule: string): number {
  const gap = safeSchedule(schedule)?.minGapMinutes;
  return gap === undefined ? 0 : runsWithin(days * 24 * 60, gap);
}

/** The snapshot manager's worst case for one cluster: what retention keeps (tiers included) plus those in flight. */
export function nativeSnapshotsPerCluster(native: SourceConfig["native"]): number {
  const gap = safeSchedule(native.schedule)?.minGapMinutes;
  if (gap === undefined) return 0;
  return retainedSnapshotsBound({ retentionDays: native.retentionDays, keepLatest: native.keepLatest, retentionTiers: native.tiers }, gap) + snapshotsInFlight(gap);
}

/** Worst-case manual snapshots of one source's account in its own region: the snapshot manager's plus AWS Backup's. */
export function sourceManualSnapshots(src: SourceConfig): { total: number; native: number; backup: number } {
  const native = src.native.enabled ? src.clusters.length * nativeSnapshotsPerCluster(src.native) : 0;
  const backup = src.backup.enabled ? src.clusters.length * pointsWithin(src.backup.retentionDays, src.backup.schedule) : 0;
  return { total: native + backup, native, backup };
}

/** Worst-case copies (manual snapshots of the DR account) the DR vault holds for every source with backup on. */
export function drManualSnapshots(estate: Estate): number {
  const vaultCopies = estate.sources
    .filter((s) => s.backup.enabled)
    .reduce((sum, s) => sum + s.clusters.length * pointsWithin(copyRetentionDays(s.backup.copyRetentionDays), s.backup.schedule), 0);
  return vaultCopies + drOwnedCopies(estate);
}

/**
 * The most DR-owned copies the drills can hold at once: per cluster, the newest keepLatest plus one per drill
 * within retentionDays (a drill starts every everyHours), plus the one being taken.
 */
export function drOwnedCopies(estate: Estate): number {
  return estate.sources
    .flatMap((s) => s.clusters)
    .reduce((sum, c) => {
      const copy = c.drill?.drOwnedCopy;
      if (!c.drill || !copy) return sum;
      return sum + Math.max(copy.keepLatest, Math.ceil((copy.retentionDays * 24) / c.drill.everyHours)) + 1;
    }, 0);
}

/** How much of a quota a config may use, in words. */
export const quotaText = (quota: number, field?: string): string =>
  `${usableQuota(quota)} (the quota of ${quota}${field ? ` in ${field}` : ""}, less ${quotaHeadroom(quota)} kept free)`;

/** How a quota field's value reads after "missing" or the number the message follows. */
const quotaField = (quota: number, whose: string) =>
  `(${whose}'s quota of manual snapshots, ${DEFAULT_MANUAL_SNAPSHOT_QUOTA} when not set) leaves ${quotaText(quota)}`;

export function checkManualSnapshotQuotas(estate: Estate, add: AddIssue) {
  estate.sources.forEach((src, i) => {
    const count = sourceManualSnapshots(src);
    if (count.total <= usableQuota(src.manualSnapshotQuota)) return;
    const parts = [
      ...(count.native ? [`${count.native} of the snapshot manager (${src.clusters.length} cluster${src.clusters.length === 1 ? "" : "s"} x ${nativeSnapshotsPerCluster(src.native)})`] : []),
      ...(count.backup ? [`${count.backup} of AWS Backup`] : []),
    ];
    add(
      ["sources", i, "manualSnapshotQuota"],
      `${quotaField(src.manualSnapshotQuota, `account ${src.accountId} in ${src.region}`)} for this config, but it can keep up to ` +
        `${count.total} manual snapshots there (${parts.join(" + ")}): keep fewer (native.tiers, native.retentionDays, native.keepLatest` +
        `${src.backup.enabled ? ", backup.retentionDays" : ""}), or raise the account's Redshift snapshot quota in that region with AWS ` +
        `to at least ${quotaNeeded(count.total)} and set manualSnapshotQuota to match`,
    );
  });
  const inDr = drManualSnapshots(estate);
  if (inDr > usableQuota(estate.dr.manualSnapshotQuota)) {
    add(
      ["dr", "manualSnapshotQuota"],
      `${quotaField(estate.dr.manualSnapshotQuota, `the DR account ${estate.dr.accountId} in ${estate.dr.region}`)}, but the DR account can hold up to ${inDr}: ` +
        `${inDr - drOwnedCopies(estate)} copies in the DR vault over the sources' copyRetentionDays and ${drOwnedCopies(estate)} ` +
        "DR-owned copies of the drills (keepLatest, or one per drill over retentionDays, plus the one being taken): keep copies for fewer " +
        `days, or raise the Redshift snapshot quota of the DR account with AWS to at least ${quotaNeeded(inDr)} and set dr.manualSnapshotQuota to match`,
    );
  }
}
