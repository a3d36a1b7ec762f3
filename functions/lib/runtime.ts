/**
 * The few ambient things the core needs besides AWS clients: time, waiting and logging.
 * They are passed in (never read from module state) so tests and the CLI can substitute them.
 */

/** Source of "now". Lambdas use {@link systemClock}; tests and scenarios use a controllable clock. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** Waits `ms` milliseconds. Injected so that backoff in tests costs no real time. */
export type Sleep = (ms: number) => Promise<void>;

export const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export type LogFields = Record<string, unknown>;

/** Structured logger: one JSON object per call. */
export interface Logger {
  info(event: string, fields?: LogFields): void;
  warn(event: string, fields?: LogFields): void;
  error(event: string, fields?: LogFields): void;
}

/**
 * Logger that writes one JSON line per call to stdout (info) or stderr (warn, error); CloudWatch Logs
 * keeps each line as one event, so Logs Insights can query the fields.
 */
export function jsonLogger(base: LogFields = {}, write: (line: string, level: string) => void = defaultWrite): Logger {
  const emit = (level: string, event: string, fields?: LogFields): void => {
    write(JSON.stringify({ level, event, ...base, ...fields }, errorReplacer), level);
  };
  return {
    info: (event, fields) => emit("info", event, fields),
    warn: (event, fields) => emit("warn", event, fields),
    error: (event, fields) => emit("error", event, fields),
  };
}

function defaultWrite(line: string, level: string): void {
  if (level === "info") process.stdout.write(line + "\n");
  else process.stderr.write(line + "\n");
}

function errorReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) return { name: value.name, message: value.message };
  return value;
}

/** Logger that keeps every entry in memory (tests, dry runs from the CLI). */
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
