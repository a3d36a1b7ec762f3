/**
 * The Lambda plumbing both handlers share, from kept libraries: AWS SDK clients with the SDK's own retry
 * strategy, and Powertools Logger behind the core's Logger port. Metrics: see metrics.ts (Powertools Metrics).
 */
import { Logger as PowertoolsLogger } from "@aws-lambda-powertools/logger";
import type { Logger } from "./runtime";

/**
 * Retries are the SDK's: adaptive mode (standard retries of throttling and transient errors, with exponential
 * backoff and jitter, plus client-side rate limiting when throttled), at most this many attempts per request.
 * What is not retried (501 Not Implemented, client errors) surfaces at once; errors.ts decides what it means.
 */
export const AWS_CLIENT_CONFIG = { retryMode: "adaptive", maxAttempts: 6 } as const;

/**
 * The core's Logger on Powertools Logger: one JSON line per call with Powertools' fields (level, message,
 * timestamp, service, xray_trace_id, ...), the event name again as `event`, and the fields given.
 */
export function lambdaLogger(serviceName: string, requestId?: string): Logger {
  const logger = new PowertoolsLogger({ serviceName, persistentKeys: requestId ? { requestId } : {} });
  return {
    info: (event, fields) => logger.info(event, { event, ...fields }),
    warn: (event, fields) => logger.warn(event, { event, ...fields }),
    error: (event, fields) => logger.error(event, { event, ...fields }),
  };
}
