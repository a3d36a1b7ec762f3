/**
 * AWS errors treated by kind, not by message text. Retrying is the SDK's job (its retry strategy, configured in
 * lambda.ts); the core decides only what an error means for the work: "already exists" is success, a quota
 * error alerts with the quota's name, everything else is reported by kind. Throttling and transient errors are
 * recognised with the SDK's own classification, so a throttling error seen here is one the SDK gave up on.
 */
import { isThrottlingError, isTransientError } from "@smithy/core/retry";

export type ErrorKind =
  /** Request rate exceeded, and the SDK's retries ran out. */
  | "throttling"
  /** Server-side or network failure that may pass (the SDK retried it as far as its strategy allows). */
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
  ClusterAlreadyExists: "already-exists",
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
  $metadata?: { httpStatusCode?: number; attempts?: number };
}

/** How many attempts the SDK made before this error (1 when it was not retried), when it says. */
export function attemptsOf(err: unknown): number | undefined {
  const attempts = ((err ?? {}) as AwsLikeError).$metadata?.attempts;
  return typeof attempts === "number" ? attempts : undefined;
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
  const e = (err ?? {}) as Parameters<typeof isThrottlingError>[0];
  if (err !== null && typeof err === "object" && isThrottlingError(e)) return { kind: "throttling", code, message };
  const quota = QUOTAS[code];
  if (quota) return { kind: "quota", code, message, quota };
  const kind = KIND_BY_CODE[code];
  if (kind) return { kind, code, message };
  // 501 Not Implemented is not transient for the SDK either: the operation will not start working on retry.
  if (err !== null && typeof err === "object" && isTransientError(e)) return { kind: "transient", code, message };
  return { kind: "other", code, message };
}
