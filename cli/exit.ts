// Exit codes and the errors that carry them. Success 0; a check or an AWS call failed 1; bad usage (unknown
// option, a cluster not in the config, an invalid config) 2.
import { classifyError, errorMessage } from "../functions/lib/errors";

export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/** The command line or the config cannot be used as given. */
export class UsageError extends Error {
  readonly exitCode = EXIT.usage;
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** Where an AWS call was made, for the message when it fails. */
export interface CallSite {
  readonly account: string;
  readonly region: string;
  /** The IAM action, e.g. "redshift:DescribeClusterSnapshots". */
  readonly action: string;
  /** How the CLI authenticated there: a profile, a role ARN, or the default chain. */
  readonly identity: string;
}

/** An AWS call failed: says which, where, as whom, and what to do. */
export class AwsCallError extends Error {
  readonly exitCode = EXIT.failed;
  constructor(readonly site: CallSite, readonly cause: unknown) {
    super(describeAwsFailure(site, cause));
    this.name = "AwsCallError";
  }
}

/** One line an operator can act on. */
export function describeAwsFailure(site: CallSite, err: unknown): string {
  const c = classifyError(err);
  const where = `${site.action} in account ${site.account} (${site.region}) as ${site.identity}`;
  const hint: Record<string, string> = {
    "access-denied": `the identity is not allowed ${site.action}: use the role this project grants it (see docs/deployment.md), or ask for it to be added`,
    throttling: "AWS throttled the calls and the SDK's retries ran out: run again in a minute",
    transient: "a network or service error outlasted the retries: run again",
    "snapshot-not-found": "no such snapshot in that account: check the id with `snapshot list`",
    "cluster-not-found": "no such cluster in that account and region: check the config's identifier and region",
    quota: `a quota was hit${c.quota ? ` (${c.quota})` : ""}: free some or raise it in Service Quotas`,
    "invalid-state": "the resource is busy (e.g. a snapshot still creating): wait and run again",
  };
  return `${where} failed: ${c.code}: ${errorMessage(err)}${hint[c.kind] ? `; ${hint[c.kind]}` : ""}`;
}

/** Runs one AWS call, turning a failure into an AwsCallError that names the call site. */
export async function call<T>(site: CallSite, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw new AwsCallError(site, err);
  }
}
