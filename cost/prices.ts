// The price table of the cost model: list prices per region, each with the page it was read from, the date, and
// whether an AWS page confirmed it. The checked-in table is price-table.json; `--prices <file>` overrides any part of it
// (same shape; a bare number replaces a price's value and marks it as the operator's own).
import embedded from "./price-table.json";
import { CostInputError } from "./errors";

export interface Price {
  readonly value: number;
  readonly unit: string;
  readonly what?: string;
  /** The page it was read from. */
  readonly source: string;
  /** YYYY-MM-DD. */
  readonly readOn: string;
  /** True only when an AWS page (or whitepaper) stated the figure. */
  readonly verified: boolean;
  /** Why it is not verified: what was found instead. */
  readonly reason?: string;
}

/** Every price the model uses, for one region. */
export interface RegionPrices {
  readonly redshiftBackupStorageGbMonth: Price;
  readonly awsBackupRedshiftGbMonth: Price;
  readonly lambdaRequest: Price;
  readonly lambdaGbSecond: Price;
  readonly schedulerInvocation: Price;
  readonly snsPublish: Price;
  readonly snsEmail: Price;
  readonly cloudwatchAlarm: Price;
  readonly cloudwatchMetric: Price;
  readonly cloudwatchDashboard: Price;
  /** On-demand price per node-hour, by node type. */
  readonly nodeHour: Readonly<Record<string, Price>>;
}

export type ScalarPriceKey = Exclude<keyof RegionPrices, "nodeHour">;

export const SCALAR_PRICE_KEYS: readonly ScalarPriceKey[] = [
  "redshiftBackupStorageGbMonth",
  "awsBackupRedshiftGbMonth",
  "lambdaRequest",
  "lambdaGbSecond",
  "schedulerInvocation",
  "snsPublish",
  "snsEmail",
  "cloudwatchAlarm",
  "cloudwatchMetric",
  "cloudwatchDashboard",
];

export interface PriceTable {
  readonly description?: string;
  readonly currency: string;
  readonly readOn: string;
  readonly regions: Readonly<Record<string, RegionPrices>>;
}

/** The checked-in table (cost/price-table.json). */
export const PRICE_TABLE: PriceTable = embedded;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** One price of an override: a number (the operator's own figure) or a (partial) price object over the base. */
function mergePrice(base: Price | undefined, over: unknown, where: string, file: string): Price {
  if (typeof over === "number") {
    if (!Number.isFinite(over) || over < 0) throw new CostInputError("--prices", `${where}: ${over}`, `a price of 0 or more (in ${file})`);
    return {
      value: over,
      unit: base?.unit ?? "USD",
      ...(base?.what ? { what: base.what } : {}),
      source: `override ${file}`,
      readOn: "as given",
      verified: false,
      reason: `the operator's own figure from ${file}`,
    };
  }
  if (!isObject(over)) throw new CostInputError("--prices", `${where}: ${JSON.stringify(over)}`, `a number or a price object {value, unit, source, readOn, verified} (in ${file})`);
  const value = over.value ?? base?.value;
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    throw new CostInputError("--prices", `${where}.value: ${JSON.stringify(over.value)}`, `a price of 0 or more (in ${file})`);
  }
  const text = (k: string, fallback: string | undefined) => (typeof over[k] === "string" ? (over[k]) : fallback);
  const verified = typeof over.verified === "boolean" ? over.verified : false;
  const reason = text("reason", verified ? undefined : `given in ${file} without "verified": true`);
  const what = text("what", base?.what);
  return {
    value,
    unit: text("unit", base?.unit) ?? "USD",
    ...(what ? { what } : {}),
    source: text("source", `override ${file}`)!,
    readOn: text("readOn", "as given")!,
    verified,
    ...(reason && !verified ? { reason } : {}),
  };
}

/**
 * The table with an override merged in: regions and prices it names replace or extend the base; the rest stays.
 * A new region must give every price. Pure: `override` is the parsed JSON of the file, `file` its name for messages.
 */
export function mergePriceTable(base: PriceTable, override: unknown, file: string): PriceTable {
  if (!isObject(override)) throw new CostInputError("--prices", file, "a JSON object like cost/price-table.json: {\"regions\": {\"<region>\": {\"<price>\": ...}}}");
  const regionsOver = override.regions;
  if (regionsOver === undefined) return base;
  if (!isObject(regionsOver)) throw new CostInputError("--prices", `${file}: regions`, "an object of regions");
  const regions: Record<string, RegionPrices> = { ...base.regions };
  for (const [region, pricesOver] of Object.entries(regionsOver)) {
    if (!isObject(pricesOver)) throw new CostInputError("--prices", `${file}: regions.${region}`, "an object of prices");
    const prior = base.regions[region];
    const allowed = [...SCALAR_PRICE_KEYS, "nodeHour"];
    for (const key of Object.keys(pricesOver)) {
      if (!allowed.includes(key)) throw new CostInputError("--prices", `${file}: regions.${region}.${key}`, `one of ${allowed.join(", ")}`);
    }
    const merged: Record<string, unknown> = {};
    for (const key of SCALAR_PRICE_KEYS) {
      const over = pricesOver[key];
      if (over === undefined) {
        if (!prior) throw new CostInputError("--prices", `${file}: regions.${region}`, `every price for a region not in the built-in table; missing ${key}`);
        merged[key] = prior[key];
      } else {
        merged[key] = mergePrice(prior?.[key], over, `regions.${region}.${key}`, file);
      }
    }
    const nodeOver = pricesOver.nodeHour;
    if (nodeOver !== undefined && !isObject(nodeOver)) throw new CostInputError("--prices", `${file}: regions.${region}.nodeHour`, "an object of node types");
    const nodeHour: Record<string, Price> = { ...(prior?.nodeHour ?? {}) };
    for (const [type, over] of Object.entries(nodeOver ?? {})) nodeHour[type] = mergePrice(prior?.nodeHour[type], over, `regions.${region}.nodeHour.${type}`, file);
    merged.nodeHour = nodeHour;
    regions[region] = merged as unknown as RegionPrices;
  }
  return { ...base, regions };
}
