/**
 * The judgements behind the operator CLI's `preflight`: each cross-account prerequisite of docs/aws-backup.md and
 * docs/aws-behaviour.md, read from what AWS answers, as PASS, FAIL (with what to do) or CANNOT-CHECK (the answer
 * could not be read). Pure functions over AWS's answers, so each verdict is tested without AWS; the CLI does the
 * reading. IAM policy documents are parsed as JSON; only what a statement says plainly is credited (a condition on a
 * wildcard principal, NotAction or NotPrincipal is never taken as a grant).
 */
import type { CopyJob } from "@aws-sdk/client-backup";
import type { Snapshot } from "@aws-sdk/client-redshift";
import { authorizedAccounts } from "./ownership";

export type CheckStatus = "PASS" | "FAIL" | "CANNOT-CHECK";

export interface CheckResult {
  /** What is checked, e.g. "cluster analytics-prod: exists and is encrypted". */
  readonly check: string;
  readonly status: CheckStatus;
  /** What was found. */
  readonly detail: string;
  /** What to do: for FAIL, how to fix it; for CANNOT-CHECK, how to make it readable or check it by hand. */
  readonly advice?: string;
  /** The account the answer came from. */
  readonly account?: string;
}

/** Redshift's limit of share authorizations per KMS key (docs/aws-behaviour.md, "Sharing snapshots"). */
export const SHARE_AUTHORIZATIONS_PER_KEY = 100;

/** What a cross-account restore (or copy) needs from the source key, granted to the DR account root. */
export const DR_KEY_ACTIONS = ["kms:Decrypt", "kms:DescribeKey", "kms:CreateGrant"] as const;

/** The one action a vault access policy may grant another account (docs/aws-behaviour.md, "The DR vault's access policy"). */
export const COPY_INTO_VAULT_ACTION = "backup:CopyIntoBackupVault";

interface Statement {
  Effect?: unknown;
  Principal?: unknown;
  Action?: unknown;
  Condition?: unknown;
}

function statementsOf(policy: string): Statement[] {
  const doc = JSON.parse(policy) as { Statement?: unknown };
  const s = doc.Statement;
  if (Array.isArray(s)) return s as Statement[];
  return s && typeof s === "object" ? [s] : [];
}

const list = (v: unknown): string[] => (typeof v === "string" ? [v] : Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : []);

/** Whether an IAM action pattern (`kms:*`, `kms:Re*`, `*`) covers `action`; IAM matches actions case-insensitively. */
export function actionMatches(pattern: string, action: string): boolean {
  const source = pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
  return new RegExp(`^${source}$`, "i").test(action);
}

const ACCOUNT_ROOT = /^arn:aws[a-z-]*:iam::(\d{12}):root$/;

/** Whether the statement's principal names `accountId` (its root ARN or the bare id), or is an unconditioned "*". */
function namesAccount(s: Statement, accountId: string): boolean {
  if (s.Principal === "*") return s.Condition === undefined;
  if (!s.Principal || typeof s.Principal !== "object") return false;
  const aws = list((s.Principal as { AWS?: unknown }).AWS);
  return aws.some((p) => p === "*" ? s.Condition === undefined : p === accountId || ACCOUNT_ROOT.exec(p)?.[1] === accountId);
}

function covers(s: Statement, action: string): boolean {
  return list(s.Action).some((a) => actionMatches(a, action));
}

/**
 * Which of `actions` a key policy does not give `accountId` (its root): missing ones are not allowed, or are denied.
 * A malformed policy is an error (the caller reports it).
 */
export function keyPolicyGaps(policy: string, accountId: string, actions: readonly string[] = DR_KEY_ACTIONS): { missing: string[]; denied: string[] } {
  const statements = statementsOf(policy);
  const forAccount = statements.filter((s) => namesAccount(s, accountId));
  const allowed = (a: string) => forAccount.some((s) => s.Effect === "Allow" && covers(s, a));
  // A Deny binds whatever its condition or principal form; any Deny naming the action is reported.
  const denied = actions.filter((a) => statements.some((s) => s.Effect === "Deny" && covers(s, a)));
  return { missing: actions.filter((a) => !allowed(a)), denied };
}

/**
 * Whether a vault access policy lets `sourceAccountId` copy into the vault: an Allow of backup:CopyIntoBackupVault
 * naming the account's root, or `*` limited by `aws:PrincipalOrgID` to `organizationId`; and no Deny of it.
 */
export function vaultPolicyAllowsCopy(policy: string, sourceAccountId: string, organizationId?: string): { allowed: boolean; why: string } {
  const statements = statementsOf(policy);
  const copy = statements.filter((s) => covers(s, COPY_INTO_VAULT_ACTION));
  const deny = copy.find((s) => s.Effect === "Deny");
  if (deny) return { allowed: false, why: `a Deny statement covers ${COPY_INTO_VAULT_ACTION}` };
  const byAccount = copy.find((s) => s.Effect === "Allow" && namesAccount(s, sourceAccountId));
  if (byAccount) return { allowed: true, why: `allows ${COPY_INTO_VAULT_ACTION} to account ${sourceAccountId}` };
  if (organizationId) {
    const byOrg = copy.find((s) => s.Effect === "Allow" && isWildcardPrincipal(s.Principal) && orgIdsOf(s.Condition).includes(organizationId));
    if (byOrg) return { allowed: true, why: `allows ${COPY_INTO_VAULT_ACTION} to the organization ${organizationId}` };
  }
  return {
    allowed: false,
    why: `no Allow of ${COPY_INTO_VAULT_ACTION} names account ${sourceAccountId}${organizationId ? ` or the organization ${organizationId}` : ""}`,
  };
}

function isWildcardPrincipal(p: unknown): boolean {
  return p === "*" || (typeof p === "object" && p !== null && list((p as { AWS?: unknown }).AWS).includes("*"));
}

/** The aws:PrincipalOrgID values of a condition block (StringEquals and its variants, any key case). */
function orgIdsOf(condition: unknown): string[] {
  if (!condition || typeof condition !== "object") return [];
  return Object.entries(condition as Record<string, unknown>)
    .filter(([op]) => /^StringEquals(IgnoreCase)?$|^StringLike$|^ForAnyValue:StringEquals$/.test(op))
    .flatMap(([, block]) =>
      block && typeof block === "object"
        ? Object.entries(block as Record<string, unknown>).filter(([k]) => k.toLowerCase() === "aws:principalorgid").flatMap(([, v]) => list(v))
        : [],
    );
}

/** Copy-job states after which the job will not change. */
const FINISHED_COPY_STATES = new Set(["COMPLETED", "FAILED", "PARTIAL"]);

/**
 * The cross-account copy feature check from the newest finished copy job: PASS when it completed, FAIL when it did
 * not (its StatusMessage says why), CANNOT-CHECK when no copy has finished yet.
 */
export function copyJobVerdict(jobs: readonly CopyJob[]): { status: CheckStatus; job?: CopyJob; earlierCompleted: boolean } {
  const finished = jobs
    .filter((j) => j.State && FINISHED_COPY_STATES.has(j.State))
    .sort((a, b) => (b.CreationDate?.getTime() ?? 0) - (a.CreationDate?.getTime() ?? 0));
  const newest = finished[0];
  if (!newest) return { status: "CANNOT-CHECK", earlierCompleted: false };
  const earlierCompleted = finished.slice(1).some((j) => j.State === "COMPLETED");
  return { status: newest.State === "COMPLETED" ? "PASS" : "FAIL", job: newest, earlierCompleted };
}

export interface KeyShareUse {
  readonly keyId: string;
  /** Authorizations held by the account's manual snapshots on this key. */
  readonly authorizations: number;
  readonly snapshots: number;
}

/**
 * Share authorizations per KMS key, over every manual snapshot the account owns (all of them count against the
 * key's 100, not only the snapshot manager's). Unencrypted snapshots and those without a key id are skipped.
 */
export function shareUseByKey(snapshots: readonly Snapshot[]): KeyShareUse[] {
  const byKey = new Map<string, { authorizations: number; snapshots: number }>();
  for (const s of snapshots) {
    if (s.SnapshotType !== "manual" || !s.KmsKeyId) continue;
    const use = byKey.get(s.KmsKeyId) ?? { authorizations: 0, snapshots: 0 };
    use.authorizations += authorizedAccounts(s).length;
    use.snapshots += 1;
    byKey.set(s.KmsKeyId, use);
  }
  return [...byKey].map(([keyId, u]) => ({ keyId, ...u }));
}

/** The key id at the end of a key ARN (or the id itself), for comparing what Redshift and KMS answer. */
export function keyIdOf(keyArnOrId: string): string {
  return keyArnOrId.split("/").pop() ?? keyArnOrId;
}

/** One line per result for a terminal or a log: the status padded, then an indented advice line for FAIL and CANNOT-CHECK. */
export function formatCheck(r: CheckResult): string[] {
  const lines = [`${r.status.padEnd(12)} ${r.check}: ${r.detail}`];
  if (r.advice && r.status !== "PASS") lines.push(`${" ".repeat(13)}-> ${r.advice}`);
  return lines;
}

export function summarize(results: readonly CheckResult[]): string {
  const count = (s: CheckStatus) => results.filter((r) => r.status === s).length;
  return `preflight: ${results.length} checks: ${count("PASS")} PASS, ${count("FAIL")} FAIL, ${count("CANNOT-CHECK")} CANNOT-CHECK`;
}
