/**
 * Deterministic snapshot names. One schedule window of one cluster maps to exactly one snapshot id,
 * so a repeated or overlapping run finds (or collides with) the snapshot an earlier run created
 * instead of creating a second one. The id's form is part of the contract with the stacks (contract/).
 */
import { identifierProblem, MAX_SNAPSHOT_ID_LENGTH, snapshotIdOf, windowStamp } from "../../contract";

/** Start of the schedule window containing `at`: floor(epochMinutes / windowMinutes) * windowMinutes, UTC. */
export function windowStart(at: Date, windowMinutes: number): Date {
  if (!Number.isInteger(windowMinutes) || windowMinutes < 1) {
    throw new RangeError(`windowMinutes must be a positive integer, got ${windowMinutes}`);
  }
  const epochMinutes = Math.floor(at.getTime() / 60_000);
  return new Date(Math.floor(epochMinutes / windowMinutes) * windowMinutes * 60_000);
}

/**
 * The snapshot id for one cluster and window: `${prefix}-${cluster}-${YYYYMMDD}t${HHMM}z`, all lowercase.
 * Throws if the combination is not a valid Redshift snapshot identifier.
 */
export function windowSnapshotId(snapshotPrefix: string, clusterIdentifier: string, start: Date): string {
  // Not lowercased here: an uppercase prefix or cluster is a configuration error to report, not to hide.
  const id = snapshotIdOf(snapshotPrefix, clusterIdentifier, windowStamp(start));
  const problem = identifierProblem(id, MAX_SNAPSHOT_ID_LENGTH);
  if (problem) {
    throw new Error(
      `snapshot prefix "${snapshotPrefix}" with cluster "${clusterIdentifier}" gives snapshot id "${id}", which ${problem}` +
        ` (Redshift snapshot ids: 1-${MAX_SNAPSHOT_ID_LENGTH} characters, lowercase letters, digits and hyphens,` +
        ` starting with a letter, no two consecutive hyphens, not ending with a hyphen)`,
    );
  }
  return id;
}
