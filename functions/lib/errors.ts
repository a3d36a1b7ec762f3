/**
 * AWS errors treated by kind, not by message text. Every decision the core takes on an error
 * (retry it, count it as success, report it, alert with a quota name) goes through {@link classifyError}.
 */

export type ErrorKind =
  /** Request rate exceeded: retried with backoff (see retry.ts); reported only when retries run out. */
  | "throttling"
  /** Server-side or network failure that may pass: retried like throttling. */
  | "transient"
  | "cluster-not-found"
  | "snapshot-not-found"
  /** A service quota was hit; `quota` names it so the alert can say which one. */
  | "quota"
  /** The resource is in a state that does not allow the call (snapshot creating, cluster paused, ...). */
  | "invalid-state"
  | "already-exists"
  | "authorization-already-exists"
  | "authorization-not-found"
  | "access-denied"
  /** Our own guard: sharing would exceed the 20-accounts-per-snapshot limit. */
  | "share-limit"
  | "invalid-input"
  | "other";

export interface ClassifiedError {
  readonly kind: ErrorKind;
  /** The AWS error code without the Fault/Exception suffix, e.g. "ClusterSnapshotQuotaExceeded". */
  readonly code: string;
  readonly message: string;
  /** For kind "quota": which quota, in words an operator can look up in Service Quotas. */
  readonly quota?: string;
}

/** Error raised by the core itself with a kind attached (e.g. the share-limit guard). */
export class ReconcileError extends Error {
  constructor(
    readonly kind: ErrorKind,
    message: string,
    readonly quota?: string,
  ) {
    super(message);
    this.name = "ReconcileError";
  }
}

const THROTTLING_CODES = new Set([
  "Throttling",
  "ThrottlingException",
  "ThrottledException",
  "RequestLimitExceeded",
  "RequestThrottled",
  "RequestThrottledException",
  "TooManyRequestsException",
  "SlowDown",
]);

const TRANSIENT_CODES = new Set([
  "InternalFailure",
  "InternalError",
  "InternalServerError",
  "ServiceUnavailable",
  "ServiceUnavailableException",
  "RequestTimeout",
  "RequestTimeoutException",
  "TimeoutError",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
]);

/** Quota-type errors Redshift returns, with the quota each one means. */
const QUOTAS: Record<string, string> = {
  ClusterSnapshotQuotaExceeded:
    "manual snapshots per account and region (Redshift quota 'Manual snapshots'; ClusterSnapshotQuotaExceeded)",
  AuthorizationQuotaExceeded:
    "accounts authorized per snapshot (20) or per KMS key (100) (AuthorizationQuotaExceeded)",
  TagLimitExceeded: "tags per resource (50) (TagLimitExceeded)",
  // AuthorizeSnapshotAccess answers LimitExceededFault "The encryption key has exceeded its grant limit in
  // AWS KMS" when the key's 100 share authorizations are used up (API reference, Errors).
  LimitExceeded:
    "a Redshift limit (LimitExceeded); from AuthorizeSnapshotAccess: share authorizations per KMS key (100), lower shareLatest or use a key per cluster",
  SnapshotCopyGrantQuotaExceeded: "snapshot copy grants per account and region (SnapshotCopyGrantQuotaExceeded)",
  NumberOfNodesQuotaExceeded: "nodes per account and region (NumberOfNodesQuotaExceeded)",
  ClusterQuotaExceeded: "clusters per account and region (ClusterQuotaExceeded)",
};

const KIND_BY_CODE: Record<string, ErrorKind> = {
  ClusterNotFound: "cluster-not-found",
  ClusterSnapshotNotFound: "snapshot-not-found",
  InvalidClusterSnapshotState: "invalid-state",
  InvalidClusterState: "invalid-state",
  ClusterSnapshotAlreadyExists: "already-exists",
  AuthorizationAlreadyExists: "authorization-already-exists",
  AuthorizationNotFound: "authorization-not-found",
  AccessDenied: "access-denied",
  AccessDeniedException: "access-denied",
  UnauthorizedOperation: "access-denied",
  DependentServiceAccessDenied: "access-denied",
  InvalidParameterValue: "invalid-input",
  InvalidParameterCombination: "invalid-input",
  InvalidTagFault: "invalid-input",
  InvalidTag: "invalid-input",
  ValidationError: "invalid-input",
};

interface AwsLikeError {
  name?: unknown;
  Code?: unknown;
  code?: unknown;
  message?: unknown;
  $metadata?: { httpStatusCode?: number };
  $retryable?: unknown;
}

/** The AWS error code of `err`, with a trailing "Fault" stripped (SDK v3 names faults "XxxFault"). */
export function errorCode(err: unknown): string {
  const e = (err ?? {}) as AwsLikeError;
  const raw = [e.name, e.Code, e.code].find((v) => typeof v === "string" && v !== "Error" && v !== "") as
    | string
    | undefined;
  const code = raw ?? "Error";
  return code.endsWith("Fault") ? code.slice(0, -"Fault".length) : code;
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message || err.name;
  if (typeof err === "string") return err;
  try {
    return JSON.stringify(err);
  } catch {
    return String(err);
  }
}

export function classifyError(err: unknown): ClassifiedError {
  const message = errorMessage(err);
  if (err instanceof ReconcileError) {
    return { kind: err.kind, code: err.kind, message, ...(err.quota ? { quota: err.quota } : {}) };
  }
  const code = errorCode(err);
  const status = ((err ?? {}) as AwsLikeError).$metadata?.httpStatusCode;
  if (THROTTLING_CODES.has(code) || status === 429) return { kind: "throttling", code, message };
  const quota = QUOTAS[code];
  if (quota) return { kind: "quota", code, message, quota };
  const kind = KIND_BY_CODE[code];
  if (kind) return { kind, code, message };
  // 5xx is worth retrying, except 501 Not Implemented: the operation will not start working on retry.
  if (TRANSIENT_CODES.has(code) || (status !== undefined && status >= 500 && status !== 501)) return { kind: "transient", code, message };
  return { kind: "other", code, message };
}
