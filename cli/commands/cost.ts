// `cost`: the monthly cost of each backup approach for a snapshot size, from the checked-in price table
// (cost/price-table.json) or an override. No AWS calls: the config is read only for defaults (the first source's schedule,
// retention and region; the first drill's node type, frequency and DR-owned copies). The model is cost/model.ts;
// how it counts is docs/cost.md.
import * as fs from "fs";
import type { Command } from "commander";
import type { Estate } from "../../config/estate";
import { retentionSpanDays } from "../../contract";
import { APPROACHES, CostInputError, estimateCost, type ApproachId, type CostEstimate, type CostInputs, type DrillInputs } from "../../cost/model";
import { mergePriceTable, PRICE_TABLE, type PriceTable } from "../../cost/prices";
import type { CliContext } from "../context";
import { EXIT, UsageError } from "../exit";
import { table } from "../io";
import type { RegisterCommands } from "./index";

interface CostOptions {
  readonly sizeGb: string;
  readonly dailyChange?: string;
  readonly schedule?: string;
  readonly retentionDays?: string;
  readonly approaches?: string;
  readonly region?: string;
  readonly prices?: string;
  readonly drills?: boolean;
  readonly drillsPerMonth?: string;
  readonly drillHours?: string;
  readonly drillNodeType?: string;
  readonly drillNodes?: string;
  readonly drCopies?: string;
  readonly sample?: boolean;
  readonly json?: boolean;
}

/** The region the sample priced (and the built-in table's). */
export const SAMPLE_REGION = "us-east-1";
export const DEFAULT_DAILY_CHANGE_PERCENT = 2;
export const DEFAULT_DRILL_HOURS = 1.5;

function number(flag: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (raw.trim() === "" || !Number.isFinite(n)) throw new CostInputError(flag, JSON.stringify(raw), "a number");
  return n;
}

/** Drill defaults from the first cluster with a drill; else a weekly drill on one ra3.xlplus node keeping one copy. */
function drillDefaults(estate: Estate): { perMonth: number; nodeType: string; nodes: number; drOwnedCopies: number } {
  for (const source of estate.sources) {
    for (const cluster of source.clusters) {
      const d = cluster.drill;
      if (!d) continue;
      const copy = d.drOwnedCopy;
      return {
        perMonth: 730 / d.everyHours,
        nodeType: d.nodeType ?? cluster.create?.nodeType ?? "ra3.xlplus",
        nodes: d.numberOfNodes ?? cluster.create?.numberOfNodes ?? 1,
        // Copies newer than retentionDays, at least keepLatest (docs/restore-drills.md, "Limits and quotas").
        drOwnedCopies: copy ? Math.max(copy.keepLatest, Math.ceil((copy.retentionDays * 24) / d.everyHours)) : 0,
      };
    }
  }
  return { perMonth: 730 / 168, nodeType: "ra3.xlplus", nodes: 1, drOwnedCopies: 1 };
}

/** The model's inputs from the flags, with the config's first source as defaults. Notes on what was assumed. */
export function costInputs(estate: Estate, o: CostOptions, prices: PriceTable): { inputs: CostInputs; notes: string[] } {
  const notes: string[] = [];
  const source = estate.sources[0];
  let region = o.region;
  if (!region) {
    if (o.sample) region = SAMPLE_REGION;
    else if (prices.regions[source.region]) region = source.region;
    else {
      region = SAMPLE_REGION;
      notes.push(`the price table has no ${source.region} (the config's region): priced for ${region}; give --region, or add the region with --prices <file>`);
    }
  }
  const approaches = (o.approaches ?? APPROACHES.join(","))
    .split(",")
    .map((a) => a.trim())
    .filter(Boolean);
  const known = (a: string): a is ApproachId => (APPROACHES as readonly string[]).includes(a);
  const unknown = approaches.filter((a) => !known(a));
  if (unknown.length > 0 || approaches.length === 0) throw new CostInputError("--approaches", JSON.stringify(o.approaches ?? ""), `a comma-separated list of ${APPROACHES.join(", ")}`);
  const defaults = drillDefaults(estate);
  if (source.native.tiers && o.retentionDays === undefined) {
    notes.push(
      `retention: the tiers keep snapshots up to ${retentionSpanDays({ retentionDays: source.native.retentionDays, retentionTiers: source.native.tiers })} days; ` +
        "storage is priced as that many days of changed blocks (incremental snapshots share unchanged blocks), an upper bound",
    );
  }
  const drills: DrillInputs | null =
    o.drills === false
      ? null
      : {
          perMonth: number("--drills-per-month", o.drillsPerMonth, defaults.perMonth),
          hours: number("--drill-hours", o.drillHours, DEFAULT_DRILL_HOURS),
          nodeType: o.drillNodeType ?? defaults.nodeType,
          nodes: number("--drill-nodes", o.drillNodes, defaults.nodes),
          drOwnedCopies: number("--dr-copies", o.drCopies, defaults.drOwnedCopies),
        };
  return {
    inputs: {
      sizeGb: number("--size-gb", o.sizeGb, NaN),
      dailyChangePercent: number("--daily-change", o.dailyChange, DEFAULT_DAILY_CHANGE_PERCENT),
      schedule: o.schedule ?? source.native.schedule,
      retentionDays: number("--retention-days", o.retentionDays, retentionSpanDays({ retentionDays: source.native.retentionDays, retentionTiers: source.native.tiers })),
      approaches: approaches as ApproachId[],
      region,
      drills,
      ...(o.sample ? { sample: true } : {}),
    },
    notes,
  };
}

const usd = (n: number) => `$${n.toFixed(2)}`;
/** A component's cell: "<$0.01" when it costs something that rounds to nothing. */
const cell = (a: CostEstimate["approaches"][number], c: "sourceStorage" | "drStorage" | "requests" | "compute") => {
  const raw = a.lines.filter((l) => l.component === c).reduce((s, l) => s + l.cost, 0);
  return raw > 0 && a[c] === 0 ? "<$0.01" : usd(a[c]);
};

/** The comparison table and its footnotes, as lines. */
export function costTable(e: CostEstimate): string[] {
  const rows = table(
    ["APPROACH", "SOURCE STORAGE", "DR STORAGE", "REQUESTS", "COMPUTE", "TOTAL / MONTH"],
    e.approaches.map((a) => [a.label, cell(a, "sourceStorage"), cell(a, "drStorage"), cell(a, "requests"), cell(a, "compute"), usd(a.total)]),
  );
  const i = e.inputs;
  const assumptions = e.sample
    ? `${i.sizeGb} GB, one full copy, ${e.region} list price (the sample's assumptions)`
    : `${i.sizeGb} GB, ${i.dailyChangePercent}%/day change, ${i.schedule}, ${i.retentionDays} days retention: ${e.retainedGb} GB retained (${e.snapshotsRetained} snapshots), ${e.region} list price` +
      (i.drills ? `; drills ${Math.round(i.drills.perMonth * 100) / 100}/month x ${i.drills.hours} h x ${i.drills.nodes} ${i.drills.nodeType}, ${i.drills.drOwnedCopies} DR-owned copies` : "");
  const foot = [
    "",
    `Monthly cost in ${e.currency}: ${assumptions}.`,
    ...e.notes.map((n) => `- ${n}`),
    ...(e.unverified.length > 0
      ? ["* Unverified prices (no AWS page confirmed them; sources and reasons in cost/price-table.json):", ...e.unverified.map((u) => `  ${u.key}: ${u.value.toLocaleString("en-US", { maximumFractionDigits: 10 })} ${u.unit}`)]
      : []),
  ];
  return [...rows, ...foot];
}

function costAction(ctx: CliContext, o: CostOptions): number {
  try {
    let prices = PRICE_TABLE;
    if (o.prices) {
      let text: string;
      try {
        text = fs.readFileSync(o.prices, "utf8");
      } catch (e) {
        throw new CostInputError("--prices", o.prices, `a readable JSON file (${(e as Error).message})`);
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch (e) {
        throw new CostInputError("--prices", o.prices, `valid JSON (${(e as Error).message})`);
      }
      prices = mergePriceTable(PRICE_TABLE, parsed, o.prices);
    }
    const { inputs, notes } = costInputs(ctx.estate, o, prices);
    const estimate = estimateCost(inputs, prices);
    if (o.json) {
      ctx.io.out(JSON.stringify({ ...estimate, notes: [...notes, ...estimate.notes], priceTable: { readOn: prices.readOn, file: o.prices ?? "cost/price-table.json" } }, null, 2));
    } else {
      for (const n of notes) ctx.io.err(`note: ${n}`);
      for (const line of costTable(estimate)) ctx.io.out(line);
    }
    return EXIT.ok;
  } catch (e) {
    if (e instanceof CostInputError) throw new UsageError(e.message);
    throw e;
  }
}

export const registerCostCommand: RegisterCommands = (program: Command, registrar) => {
  const command = program
    .command("cost")
    .description(
      "Monthly cost of each backup approach (native manual, native with Lambda, AWS Backup; each with restore drills and a DR-owned copy), " +
        "split into source storage, DR storage, requests and compute, from the checked-in price table (cost/price-table.json). No AWS calls.",
    )
    .requiredOption("--size-gb <gb>", "size of one full snapshot, GB")
    .option("--daily-change <percent>", `share of the data that changes a day, percent (default ${DEFAULT_DAILY_CHANGE_PERCENT})`)
    .option("--schedule <expression>", "snapshot schedule (default: the config's first source's native.schedule)")
    .option("--retention-days <days>", "days snapshots are kept (default: the config's first source's native.retentionDays, or with tiers the longest tier's reach)")
    .option("--approaches <list>", `comma-separated: ${APPROACHES.join(",")} (default all)`)
    .option("--region <region>", "region of the price table (default: the config's first source's, else us-east-1)")
    .option("--prices <file>", "JSON overriding the price table (same shape as cost/price-table.json; only the keys you change)")
    .option("--no-drills", "leave out the rows with restore drills and DR-owned copies")
    .option("--drills-per-month <n>", "restore drills a month (default: from the config's first drill's everyHours, else weekly)")
    .option("--drill-hours <h>", `hours a drill cluster lives (default ${DEFAULT_DRILL_HOURS})`)
    .option("--drill-node-type <type>", "node type of the drill cluster (default: the config's drill, else ra3.xlplus)")
    .option("--drill-nodes <n>", "nodes of the drill cluster (default: the config's drill, else 1)")
    .option("--dr-copies <n>", "DR-owned copies kept, each a full copy (default: from the config's drOwnedCopy, else 1)")
    .option("--sample", "the sample's assumptions: one full copy, us-east-1 list price, no incremental, no requests, no drills")
    .option("--json", "one JSON document on stdout, with every priced line")
    .addHelpText(
      "after",
      ["", "Example:", "  $ redshift-backup cost --size-gb 1024", "  $ redshift-backup cost --size-gb 1024 --sample", "  $ redshift-backup cost --size-gb 500 --daily-change 5 --retention-days 35 --json"].join("\n"),
    );
  registrar.action<CostOptions>(command, (ctx, options) => Promise.resolve(costAction(ctx, options)));
};
