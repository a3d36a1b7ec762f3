// Parses the schedule expressions the config accepts and derives the figures the rest of the
// app needs: the shortest gap between two runs (the snapshot window, so that each run gets its
// own snapshot id) and the longest gap (what retention and the RPO must cover).
//
// Accepted: EventBridge Scheduler / AWS Backup forms
//   rate(N minutes|hours|days)
//   cron(M H DOM MON DOW YEAR) where M is one minute, H is *, a number, a list, a range or a step,
//   DOM is * or ?, MON is *, DOW is ?, * or a list/range of days, YEAR is *.
// Cron with a day of month or month restriction is refused: its gaps run to weeks or months,
// which is no snapshot schedule a DR plan should rest on.
//
// Why no cron library (croner, cron-parser): they read Unix cron (5 fields, or 6 with seconds), not the
// EventBridge form with its year field and `?`, so every expression would need translating first; and the
// gaps would have to be found by walking a week of fire times. The grammar accepted here is small enough that
// both gaps are computed exactly from it, and anything outside it is refused rather than half-understood.

export interface Schedule {
  readonly expression: string;
  readonly kind: "rate" | "cron";
  /** Shortest gap between two runs, in minutes. */
  readonly minGapMinutes: number;
  /** Longest gap between two runs, in minutes. */
  readonly maxGapMinutes: number;
}

export const SCHEDULE_HELP =
  'rate(N minutes|hours|days) or cron(minute hour * * ? *) / cron(minute hour ? * days-of-week *), ' +
  "one run an hour at most often and one a week at least";

const MINUTES_PER_DAY = 24 * 60;
const MINUTES_PER_WEEK = 7 * MINUTES_PER_DAY;
export const MIN_PERIOD_MINUTES = 60;
export const MAX_PERIOD_MINUTES = MINUTES_PER_WEEK;

const DAY_NAMES = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

export class ScheduleError extends Error {}

export function parseSchedule(expression: string): Schedule {
  const rate = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(expression);
  if (rate) return checkBounds(expression, "rate", rateGap(Number(rate[1]), rate[2]));
  const cron = /^cron\((.+)\)$/.exec(expression);
  if (cron) return checkBounds(expression, "cron", cronGaps(cron[1]));
  throw new ScheduleError(`is not a supported schedule expression: ${SCHEDULE_HELP}`);
}

function rateGap(value: number, unit: string): [number, number] {
  if (value < 1) throw new ScheduleError("is not a valid rate: the value must be 1 or more");
  const singular = unit.endsWith("s") ? unit.slice(0, -1) : unit;
  if ((value === 1) !== (unit === singular)) {
    throw new ScheduleError(`is not a valid rate: use "1 ${singular}" or "N ${singular}s"`);
  }
  const minutes = value * ({ minute: 1, hour: 60, day: MINUTES_PER_DAY } as const)[singular as "minute"];
  return [minutes, minutes];
}

function cronGaps(body: string): [number, number] {
  const fields = body.trim().split(/\s+/);
  if (fields.length !== 6) {
    throw new ScheduleError(`is not a valid cron expression: it needs 6 fields, it has ${fields.length}`);
  }
  const [minute, hour, dayOfMonth, month, dayOfWeek, year] = fields;
  if (!/^\d{1,2}$/.test(minute) || Number(minute) > 59) {
    throw new ScheduleError(`is not a supported cron expression: the minute field must be one number 0-59, not "${minute}"`);
  }
  if (month !== "*" || year !== "*") {
    throw new ScheduleError("is not a supported cron expression: month and year must be *");
  }
  if (!((dayOfMonth === "?") !== (dayOfWeek === "?"))) {
    throw new ScheduleError("is not a valid cron expression: exactly one of day-of-month and day-of-week must be ?");
  }
  if (dayOfMonth !== "?" && dayOfMonth !== "*") {
    throw new ScheduleError(`is not a supported cron expression: day-of-month must be * or ?, not "${dayOfMonth}"`);
  }
  const hours = expandField(hour, 0, 23, "hour", (s) => parseNumber(s, 0, 23, "hour"));
  const days = dayOfWeek === "?" || dayOfWeek === "*"
    ? [0, 1, 2, 3, 4, 5, 6]
    : expandField(dayOfWeek, 0, 6, "day-of-week", parseDay);
  const runs: number[] = [];
  for (const d of days) for (const h of hours) runs.push(d * MINUTES_PER_DAY + h * 60 + Number(minute));
  runs.sort((a, b) => a - b);
  const gaps = runs.map((run, i) => (i + 1 < runs.length ? runs[i + 1] : runs[0] + MINUTES_PER_WEEK) - run);
  return [Math.min(...gaps), Math.max(...gaps)];
}

/** Expands `*`, `a`, `a,b`, `a-b`, `* /n`, `a/n`, `a-b/n` into the sorted, distinct values. */
function expandField(field: string, low: number, high: number, name: string, parse: (s: string) => number): number[] {
  const values = new Set<number>();
  for (const part of field.split(",")) {
    const [range, stepText] = part.split("/");
    const step = stepText === undefined ? 1 : parseNumber(stepText, 1, high - low + 1, `${name} step`);
    let from = low;
    let to = high;
    if (range !== "*") {
      const [a, b] = range.split("-");
      from = parse(a);
      to = b === undefined ? (stepText === undefined ? from : high) : parse(b);
      if (to < from) throw new ScheduleError(`is not a valid cron expression: ${name} range "${range}" runs backwards`);
    }
    for (let v = from; v <= to; v += step) values.add(v);
  }
  return [...values].sort((a, b) => a - b);
}

function parseNumber(text: string, low: number, high: number, name: string): number {
  if (!/^\d+$/.test(text) || Number(text) < low || Number(text) > high) {
    throw new ScheduleError(`is not a valid cron expression: ${name} "${text}" must be a number ${low}-${high}`);
  }
  return Number(text);
}

/** AWS cron numbers days 1 (SUN) to 7 (SAT); names are SUN..SAT. Returns 0 (SUN) to 6 (SAT). */
function parseDay(text: string): number {
  const byName = DAY_NAMES.indexOf(text.toUpperCase());
  if (byName >= 0) return byName;
  return parseNumber(text, 1, 7, "day-of-week") - 1;
}

function checkBounds(expression: string, kind: "rate" | "cron", [minGap, maxGap]: [number, number]): Schedule {
  if (minGap < MIN_PERIOD_MINUTES) {
    throw new ScheduleError(`runs every ${minGap} minutes; the shortest allowed period is ${MIN_PERIOD_MINUTES} minutes (${SCHEDULE_HELP})`);
  }
  if (maxGap > MAX_PERIOD_MINUTES) {
    throw new ScheduleError(`leaves ${maxGap} minutes between runs; the longest allowed period is ${MAX_PERIOD_MINUTES} minutes (one week)`);
  }
  return { expression, kind, minGapMinutes: minGap, maxGapMinutes: maxGap };
}
