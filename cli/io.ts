// Where the CLI writes, and how it shows long waits: a spinner line with the elapsed time and the current state
// on a terminal, plain timestamped lines elsewhere (pipelines, logs). Commands write only through this, so tests
// capture everything.
export interface CliIO {
  /** One line of the command's result (stdout). */
  out(line: string): void;
  /** One line of diagnostics: what the command is doing, warnings, errors (stderr). */
  err(line: string): void;
  /** stdout is a terminal: tables and a live progress line instead of plain lines. */
  readonly isTTY: boolean;
  now(): Date;
}

export const processIO: CliIO = {
  out: (line) => void process.stdout.write(`${line}\n`),
  err: (line) => void process.stderr.write(`${line}\n`),
  isTTY: Boolean(process.stderr.isTTY),
  now: () => new Date(),
};

export interface Progress {
  /** The state being waited on changed (or is still the same: the elapsed time moves on). */
  update(state: string): void;
  /** The wait ended; prints the final line with the total time. */
  done(result: string): void;
}

const FRAMES = ["|", "/", "-", "\\"];

/** Progress of one wait, on stderr. On a terminal one line redrawn in place; otherwise one line per change. */
export function progress(io: CliIO, label: string): Progress {
  const started = io.now().getTime();
  const elapsed = () => `${Math.round((io.now().getTime() - started) / 1000)}s`;
  let last = "";
  let frame = 0;
  return {
    update(state) {
      if (io.isTTY) {
        process.stderr.write(`\r${FRAMES[frame++ % FRAMES.length]} ${label}: ${state} (${elapsed()})\x1b[K`);
      } else if (state !== last) {
        io.err(`${io.now().toISOString()} ${label}: ${state} (${elapsed()})`);
      }
      last = state;
    },
    done(result) {
      if (io.isTTY) process.stderr.write("\r\x1b[K");
      io.err(`${label}: ${result} after ${elapsed()}`);
    },
  };
}

/** A plain-text table: columns padded to their widest cell. */
export function table(headers: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => (c ?? "").padEnd(widths[i])).join("  ").trimEnd();
  return [line(headers), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)];
}
