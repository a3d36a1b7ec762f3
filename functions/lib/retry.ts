/**
 * The one place where retrying is configured. Throttling (and transient server/network errors) are
 * retried with capped exponential backoff and full jitter; every other error surfaces at once.
 *
 * The Lambda handlers build their SDK clients with `maxAttempts: 1` so that this policy is the only
 * retry layer (otherwise the SDK's own retries would multiply with these).
 */
import { classifyError } from "./errors";
import type { Logger, Sleep } from "./runtime";

export interface RetryPolicy {
  /** Attempts in total, the first included. */
  readonly maxAttempts: number;
  /** Upper bound of the first backoff; doubles each retry. */
  readonly baseDelayMs: number;
  /** Cap of any single backoff. */
  readonly maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 6, baseDelayMs: 250, maxDelayMs: 20_000 };

export interface RetryContext {
  readonly policy: RetryPolicy;
  readonly sleep: Sleep;
  /** Returns a number in [0, 1); defaults to Math.random. Injected to make jitter deterministic in tests. */
  readonly random?: () => number;
  readonly log?: Logger;
}

/** True for errors worth another attempt: throttling and transient server or network failures. */
export function isRetryable(err: unknown): boolean {
  const { kind } = classifyError(err);
  return kind === "throttling" || kind === "transient";
}

/**
 * Backoff before retry number `retry` (1 for the first retry): "full jitter", i.e. a uniformly random
 * delay in [0, min(maxDelay, base * 2^(retry-1))).
 */
export function backoffDelayMs(retry: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1));
  return Math.floor(random() * ceiling);
}

/** Runs `fn`, retrying retryable errors per the policy. `label` names the call in logs. */
export async function withRetry<T>(label: string, ctx: RetryContext, fn: () => Promise<T>): Promise<T> {
  const { policy } = ctx;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (!isRetryable(err) || attempt >= policy.maxAttempts) throw err;
      const delayMs = backoffDelayMs(attempt, policy, ctx.random);
      ctx.log?.warn("retrying", { call: label, attempt, delayMs, error: classifyError(err).code });
      await ctx.sleep(delayMs);
    }
  }
}
