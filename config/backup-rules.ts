// The rules of the AWS Backup approach that need more than one field: a copy needs a DR vault, its lifecycle
// must fit the vault's lock, the lock's own consistency, and where copies may come from. Sources of the AWS
// facts: docs/aws-behaviour.md, "AWS Backup (approach 3)".
import { MAX_BACKUP_LIFECYCLE_DAYS } from "../contract";
import type { Estate } from "./estate";
import { checkAccountOf, safeSchedule, type AddIssue } from "./rules";

/**
 * Redshift's default quota of manual ("user") snapshots per account and region, per the Redshift quotas page
 * (adjustable; an estate with a raised quota says so in `manualSnapshotQuota`).
 */
export const DEFAULT_MANUAL_SNAPSHOT_QUOTA = 20;

/** The copy's lifecycle in days: "never" is written as 100 years (a copy without one inherits its source's expiry). */
export function copyRetentionDays(copy: number | "never"): number {
  return copy === "never" ? MAX_BACKUP_LIFECYCLE_DAYS : copy;
}

/** The staleness threshold of DR recovery points: as configured, else the longest gap + completion window + 2 hours. */
export function backupRpoHours(backup: { schedule: string; completionWindowMinutes: number; rpoHours?: number }): number {
  if (backup.rpoHours !== undefined) return backup.rpoHours;
  const gap = safeSchedule(backup.schedule)?.maxGapMinutes ?? 24 * 60;
  return Math.ceil((gap + backup.completionWindowMinutes) / 60) + 2;
}

export function checkBackupSource(estate: Estate, i: number, add: AddIssue) {
  const src = estate.sources[i];
  const path = ["sources", i, "backup"];
  const vault = estate.dr.backup;
  if (!vault) {
    add([...path, "enabled"], "needs a vault in the DR account to copy into, but dr.backup is not set: add dr.backup (its lock at least)");
  }
  const b = src.backup;
  if (b.completionWindowMinutes < b.startWindowMinutes + 60) {
    add([...path, "completionWindowMinutes"], `is ${b.completionWindowMinutes}, less than the start window (${b.startWindowMinutes}) + 60 minutes: a job started late would be cancelled before it could finish`);
  }
  if (vault) {
    const days = copyRetentionDays(b.copyRetentionDays);
    const { minRetentionDays: min, maxRetentionDays: max } = vault.lock;
    const shown = b.copyRetentionDays === "never" ? `"never" (${days} days)` : `${days} days`;
    if (days < min || (max !== undefined && days > max)) {
      add(
        [...path, "copyRetentionDays"],
        `is ${shown}, outside the DR vault lock's bounds of ${min}${max !== undefined ? `-${max}` : " or more"} days: AWS Backup fails a copy ` +
          "into a locked vault whose lifecycle the lock does not allow; change copyRetentionDays or dr.backup.lock",
      );
    }
  }
  if (b.rpoHours !== undefined) {
    const gap = safeSchedule(b.schedule)?.maxGapMinutes;
    if (gap !== undefined && b.rpoHours * 60 < gap + b.completionWindowMinutes) {
      add([...path, "rpoHours"], `is shorter than the schedule's longest gap plus the completion window (${(gap + b.completionWindowMinutes) / 60} hours): the DR alarm would fire between healthy backups`);
    }
  }
}

export function checkBackupVault(estate: Estate, add: AddIssue) {
  const vault = estate.dr.backup!;
  const path = ["dr", "backup"];
  const lock = vault.lock;
  if (lock.mode === "compliance" && lock.changeableForDays === undefined) {
    add([...path, "lock", "changeableForDays"], "is required in compliance mode: the days (3 or more) before the lock becomes immutable");
  }
  if (lock.mode === "governance" && lock.changeableForDays !== undefined) {
    add([...path, "lock", "changeableForDays"], 'is only for mode "compliance": a governance lock has no cooling-off period');
  }
  if (lock.maxRetentionDays !== undefined && lock.maxRetentionDays < lock.minRetentionDays) {
    add([...path, "lock", "maxRetentionDays"], `is less than minRetentionDays (${lock.minRetentionDays}): no lifecycle could satisfy the lock`);
  }
  if (vault.copyFrom === "organization" && !estate.organization) {
    add([...path, "copyFrom"], 'is "organization", but organization.id is not set: the vault policy names the organization by its id');
  }
  if (vault.breakGlassRoleArn) checkAccountOf(vault.breakGlassRoleArn, estate.dr.accountId, [...path, "breakGlassRoleArn"], add, "the break-glass role must be in the DR account");
  if (!estate.sources.some((s) => s.backup.enabled)) {
    add([...path], "is set, but no source has backup.enabled: remove dr.backup or turn backup on for a source");
  }
}

/** Schedule windows within `days`, plus the one being made: how many snapshots a daily cleanup can leave standing. */
export function pointsWithin(days: number, schedule: string): number {
  const gap = safeSchedule(schedule)?.minGapMinutes;
  return gap === undefined ? 0 : Math.ceil((days * 24 * 60) / gap) + 1;
}

/**
 * Worst-case manual snapshots of one source account and region when AWS Backup is on: the snapshot manager's
 * (the retention window's, or the newest `keepLatest` if more) plus AWS Backup's recovery points (manual
 * snapshots too, named `awsbackup:job-...`), per configured cluster.
 */
export function sourceManualSnapshots(src: Estate["sources"][number]): number {
  const native = src.native.enabled ? Math.max(pointsWithin(src.native.retentionDays, src.native.schedule), src.native.keepLatest) : 0;
  const backup = src.backup.enabled ? pointsWithin(src.backup.retentionDays, src.backup.schedule) : 0;
  return src.clusters.length * (native + backup);
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

export function checkManualSnapshotQuotas(estate: Estate, add: AddIssue) {
  estate.sources.forEach((src, i) => {
    if (!src.backup.enabled) return;
    const count = sourceManualSnapshots(src);
    if (count > src.manualSnapshotQuota) {
      add(
        ["sources", i, "backup", "retentionDays"],
        `lets up to ${count} manual snapshots stand in account ${src.accountId} (${src.clusters.length} clusters x (snapshot manager + AWS Backup), ` +
          `each counted over its retention), over the account's quota of ${src.manualSnapshotQuota} (sources[${i}].manualSnapshotQuota): ` +
          "keep fewer (retentionDays, native.retentionDays, keepLatest), or raise the Redshift snapshot quota with AWS and set manualSnapshotQuota",
      );
    }
  });
  const inDr = drManualSnapshots(estate);
  if (inDr > estate.dr.manualSnapshotQuota) {
    add(
      ["dr", "manualSnapshotQuota"],
      `(the DR account's quota of manual snapshots: ${estate.dr.manualSnapshotQuota}) is less than the ${inDr} manual snapshots the DR account ` +
        `can hold: ${inDr - drOwnedCopies(estate)} copies in the DR vault over the sources' copyRetentionDays and ${drOwnedCopies(estate)} ` +
        "DR-owned copies of the drills (keepLatest, or one per drill over retentionDays, plus the one being taken): keep copies for fewer " +
        "days, or raise the Redshift snapshot quota of the DR account with AWS and set dr.manualSnapshotQuota to match",
    );
  }
}
