/**
 * Deterministic snapshot names. One schedule window of one cluster maps to exactly one snapshot id,
 * so a repeated or overlapping run finds (or collides with) the snapshot an earlier run created
 * instead of creating a second one.
 */

/** Redshift snapshot identifier rules (CreateClusterSnapshot API reference). */
export const MAX_SNAPSHOT_ID_LENGTH = 255;
/** Redshift cluster identifier rules (CreateCluster API reference). */
export const MAX_CLUSTER_ID_LENGTH = 63;

const IDENTIFIER_SHAPE = /^[a-z][a-z0-9-]*$/;

/** Why `id` is not a valid Redshift identifier of at most `maxLength` characters, or null if it is. */
export function identifierProblem(id: string, maxLength: number): string | null {
  if (id.length === 0) return "must not be empty";
  if (id.length > maxLength) return `is ${id.length} characters long, the maximum is ${maxLength}`;
  if (!/^[a-z]/.test(id)) return "must start with a lowercase letter";
  if (!IDENTIFIER_SHAPE.test(id)) return "may contain only lowercase letters, digits and hyphens";
  if (id.includes("--")) return "must not contain two consecutive hyphens";
  if (id.endsWith("-")) return "must not end with a hyphen";
  return null;
}

export function clusterIdentifierProblem(id: string): string | null {
  return identifierProblem(id, MAX_CLUSTER_ID_LENGTH);
}

/** Start of the schedule window containing `at`: floor(epochMinutes / windowMinutes) * windowMinutes, UTC. */
export function windowStart(at: Date, windowMinutes: number): Date {
  if (!Number.isInteger(windowMinutes) || windowMinutes < 1) {
    throw new RangeError(`windowMinutes must be a positive integer, got ${windowMinutes}`);
  }
  const epochMinutes = Math.floor(at.getTime() / 60_000);
  return new Date(Math.floor(epochMinutes / windowMinutes) * windowMinutes * 60_000);
}

/** `YYYYMMDDtHHMMz` (UTC, lowercase) for a window start, e.g. 20261126t1200z. */
export function windowStamp(start: Date): string {
  const pad = (n: number, width = 2) => String(n).padStart(width, "0");
  return (
    `${pad(start.getUTCFullYear(), 4)}${pad(start.getUTCMonth() + 1)}${pad(start.getUTCDate())}` +
    `t${pad(start.getUTCHours())}${pad(start.getUTCMinutes())}z`
  );
}

/**
 * The snapshot id for one cluster and window: `${prefix}-${cluster}-${YYYYMMDD}t${HHMM}z`, all lowercase.
 * Throws if the combination is not a valid Redshift snapshot identifier.
 */
export function windowSnapshotId(snapshotPrefix: string, clusterIdentifier: string, start: Date): string {
  // Not lowercased here: an uppercase prefix or cluster is a configuration error to report, not to hide.
  const id = `${snapshotPrefix}-${clusterIdentifier}-${windowStamp(start)}`;
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

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Regular-expression source matching the window snapshot ids of one cluster (no anchors). */
export function windowSnapshotIdPattern(snapshotPrefix: string, clusterIdentifier: string): string {
  return `${escapeRegExp(snapshotPrefix)}-${escapeRegExp(clusterIdentifier)}-\\d{8}t\\d{4}z`;
}

/**
 * A function giving the configured cluster whose window snapshot id `id` is (`<prefix>-<cluster>-YYYYMMDDtHHMMz`),
 * or undefined. Unambiguous even when cluster identifiers contain hyphens: the stamp closes the id.
 */
export function windowSnapshotIdMatcher(snapshotPrefix: string, clusters: readonly string[]): (id: string) => string | undefined {
  const known = new Set(clusters);
  const shape = new RegExp(`^${escapeRegExp(snapshotPrefix)}-(.+)-\\d{8}t\\d{4}z$`);
  return (id) => {
    const cluster = shape.exec(id)?.[1];
    return cluster !== undefined && known.has(cluster) ? cluster : undefined;
  };
}
