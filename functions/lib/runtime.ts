/**
 * The few ambient things the core needs besides AWS clients: time and logging.
 * They are passed in (never read from module state) so tests (and the planned operator CLI) can substitute them.
 */

/** Source of "now". Lambdas use {@link systemClock}; tests and scenarios use a controllable clock. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

export type LogFields = Record<string, unknown>;

/** Structured logger: one JSON object per call (Lambda: lambda.ts, on Powertools Logger). */
export interface Logger {
  info(event: string, fields?: LogFields): void;
  warn(event: string, fields?: LogFields): void;
  error(event: string, fields?: LogFields): void;
}

/** Logger that keeps every entry in memory (tests; dry runs from the planned operator CLI). */
export interface MemoryLogger extends Logger {
  readonly entries: Array<{ level: string; event: string } & LogFields>;
}

export function memoryLogger(): MemoryLogger {
  const entries: Array<{ level: string; event: string } & LogFields> = [];
  const push = (level: string) => (event: string, fields?: LogFields) => {
    entries.push({ level, event, ...fields });
  };
  return { entries, info: push("info"), warn: push("warn"), error: push("error") };
}
