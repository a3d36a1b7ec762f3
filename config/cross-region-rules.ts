// The rules of cross-region snapshot copies (`sources[].crossRegionCopy`): which region combinations can work, where
// the copy key must live, how long a copy must outlive its sharing, the copy key's share budget and the quota of
// manual snapshots in the DR region. Sources of the AWS facts: docs/aws-behaviour.md, "Cross-region snapshot copy".
import { KMS_KEY_ARN } from "../contract";
import { pointsWithin, quotaNeeded, quotaText, sourceManualSnapshots, usableQuota } from "./snapshot-quota";
import type { Estate, SourceConfig } from "./estate";
import { MAX_SHARES_PER_KMS_KEY, nativeRpoHours, safeSchedule, type AddIssue } from "./rules";

/**
 * Hours allowed for Redshift to finish copying a snapshot into the DR region. Nothing documents how long a copy takes
 * (it grows with the data changed); 2 hours is a guess the RPO alarm and the copies' lifetime both make room for.
 */
export const COPY_ALLOWANCE_HOURS = 2;

/** How long Redshift keeps a copied manual snapshot in the DR region: as configured, else the source's retention. */
export function copyManualRetentionDays(src: Pick<SourceConfig, "crossRegionCopy" | "native">): number {
  // With tiers, retentionDays may be 0: a copy then lives a day, which the rule below checks against its sharing.
  return src.crossRegionCopy?.manualRetentionDays ?? Math.max(1, src.native.retentionDays);
}

/** Longest gap of the copy-share schedule, in minutes. */
function shareGapMinutes(copy: NonNullable<SourceConfig["crossRegionCopy"]>): number {
  return safeSchedule(copy.shareSchedule)?.maxGapMinutes ?? 60;
}

/**
 * The staleness threshold of what the DR account sees shared: `native.rpoHours` when set, else the native default
 * (longest gap + 2 h), and for a source that copies across regions also the copy-share schedule's gap and the copy
 * time, since the DR account sees the copy, not the snapshot.
 */
export function drSharedRpoHours(src: Pick<SourceConfig, "crossRegionCopy" | "native">): number {
  const base = nativeRpoHours(src.native);
  if (src.native.rpoHours !== undefined || !src.crossRegionCopy) return base;
  return base + Math.ceil(shareGapMinutes(src.crossRegionCopy) / 60) + COPY_ALLOWANCE_HOURS;
}

/**
 * The key a snapshot shared with DR is expected under, when the config knows it: the copy key given in
 * crossRegionCopy for a source that copies across regions (undefined when the stack creates it), else the
 * cluster's own key (existing clusters).
 */
export function sharedSnapshotKeyArn(src: Pick<SourceConfig, "crossRegionCopy">, cluster: { kmsKeyArn?: string }): string | undefined {
  return src.crossRegionCopy ? src.crossRegionCopy.kmsKeyArn : cluster.kmsKeyArn;
}

/**
 * Worst-case copies of one source in the DR region: per cluster, one per schedule window within the copies'
 * retention, plus the one being copied. Redshift expires them; nothing keeps a copy beyond that.
 */
export function copiesInDrRegion(src: SourceConfig): number {
  return src.crossRegionCopy ? src.clusters.length * pointsWithin(copyManualRetentionDays(src), src.native.schedule) : 0;
}

export function checkCrossRegion(estate: Estate, i: number, add: AddIssue) {
  const src = estate.sources[i];
  const copy = src.crossRegionCopy;
  const path = ["sources", i, "crossRegionCopy"];
  const drRegion = estate.dr.region;
  const elsewhere = src.region !== drRegion;
  if (src.native.enabled && elsewhere && !copy) {
    add(
      ["sources", i, "region"],
      `is not the DR region ${drRegion}: a shared snapshot is only visible in its own region, so native sharing from ` +
        `another region needs crossRegionCopy (Redshift copies the snapshots into ${drRegion} and the snapshot manager shares them there)`,
    );
  }
  if (!copy) return;
  if (!elsewhere) {
    add(path, `is set, but the source is already in the DR region ${drRegion}: there is no other region to copy to; remove crossRegionCopy`);
  }
  if (!src.native.enabled) {
    add(
      path,
      "is set, but native sharing is off: the snapshot manager is what shares the copies with the DR account; turn native on, " +
        "or remove crossRegionCopy (AWS Backup copies across regions with its own copy action)",
    );
    return;
  }
  if (copy.kmsKeyArn && KMS_KEY_ARN.test(copy.kmsKeyArn)) {
    const [, , , keyRegion, keyAccount] = copy.kmsKeyArn.split(":");
    if (keyAccount !== src.accountId || keyRegion !== drRegion) {
      add(
        [...path, "kmsKeyArn"],
        `belongs to ${keyAccount}/${keyRegion}, not to the source account in the DR region (${src.accountId}/${drRegion}): ` +
          "the snapshot copy grant must name a key of the account in the region the copies go to",
      );
    }
  }
  // The manager keeps only the newest shareLatest copies shared; a copy must have lost its authorization before
  // Redshift expires it (nothing documents what expiry does to a snapshot that is still shared). A copy's life starts
  // when it finishes, up to the copy time after its snapshot, and it is unshared at the latest one share run after
  // a newer one replaced it.
  const gap = safeSchedule(src.native.schedule)?.maxGapMinutes;
  const days = copyManualRetentionDays(src);
  const shareGap = shareGapMinutes(copy);
  const sharedSpan = gap === undefined ? undefined : (src.native.shareLatest + 1) * gap + shareGap + COPY_ALLOWANCE_HOURS * 60;
  if (sharedSpan !== undefined && days >= 1 && days * 24 * 60 <= sharedSpan) {
    add(
      [...path, "manualRetentionDays"],
      `days are not longer than the ${sharedSpan / 60} hours a copy may stay shared (native.shareLatest + 1 schedule gaps, ` +
        `one copy-share gap and ${COPY_ALLOWANCE_HOURS} h for the copy): Redshift would expire copies the DR account may still restore; keep copies longer`,
    );
  }
  if (src.native.rpoHours !== undefined && gap !== undefined && src.native.rpoHours * 60 < gap + shareGap) {
    add(
      ["sources", i, "native", "rpoHours"],
      `is shorter than the schedule's longest gap plus the copy-share schedule's (${(gap + shareGap) / 60} hours): the DR account sees ` +
        "the copies, which are shared up to one copy-share gap after they finish, so the DR alarm would fire between healthy runs",
    );
  }
  // One key encrypts every cluster's copies: its share authorizations are all the clusters' shared copies.
  const worstCase = src.clusters.length * (src.native.shareLatest + 1);
  if (worstCase > MAX_SHARES_PER_KMS_KEY) {
    add(
      ["sources", i, "native", "shareLatest"],
      `lets up to ${worstCase} share authorizations stand on the copy key in ${drRegion} (${src.clusters.length} clusters x ` +
        `(${src.native.shareLatest} + 1 while a new copy replaces the oldest) x 1 DR account), over Redshift's limit of ` +
        `${MAX_SHARES_PER_KMS_KEY} per key: share fewer snapshots per cluster (shareLatest), or split the clusters over more sources`,
    );
  }
  checkCopyQuota(estate, i, add);
}

/**
 * The source account's manual snapshots in the DR region: the copies of every source of that account copying
 * there, plus what a source of the same account that lives in the DR region keeps itself.
 */
function checkCopyQuota(estate: Estate, i: number, add: AddIssue) {
  const src = estate.sources[i];
  const copy = src.crossRegionCopy!;
  const drRegion = estate.dr.region;
  const sameAccount = estate.sources.filter((s) => s.accountId === src.accountId);
  // Report once per account: at the first source of the account that copies.
  if (sameAccount.find((s) => s.crossRegionCopy && s.region !== drRegion) !== src) return;
  const copies = sameAccount.reduce((n, s) => n + (s.region !== drRegion ? copiesInDrRegion(s) : 0), 0);
  const local = sameAccount.filter((s) => s.region === drRegion).reduce((n, s) => n + sourceManualSnapshots(s).total, 0);
  const count = copies + local;
  if (count > usableQuota(copy.manualSnapshotQuota)) {
    add(
      ["sources", i, "crossRegionCopy", "manualRetentionDays"],
      `lets up to ${count} manual snapshots stand in account ${src.accountId} in ${drRegion} (${copies} copies` +
        `${local > 0 ? ` + ${local} of the account's own source in ${drRegion}` : ""}, each counted over its retention), over the ` +
        `${quotaText(copy.manualSnapshotQuota, `sources[${i}].crossRegionCopy.manualSnapshotQuota`)} that the config may use: keep copies for fewer days (manualRetentionDays), ` +
        `or raise the Redshift snapshot quota in that region with AWS to at least ${quotaNeeded(count)} and set manualSnapshotQuota to match`,
    );
  }
}
