// The rules of the AWS Backup approach that need more than one field: a copy needs a DR vault, its lifecycle
// must fit the vault's lock, the lock's own consistency, and where copies may come from. Sources of the AWS
// facts: docs/aws-behaviour.md, "AWS Backup (approach 3)".
import { MAX_BACKUP_LIFECYCLE_DAYS } from "../contract";
import type { Estate } from "./estate";
import { checkAccountOf, safeSchedule, type AddIssue } from "./rules";

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
