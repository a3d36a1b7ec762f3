// The cost model behind `redshift-backup cost`: monthly cost per backup approach, from the snapshot size, its daily
// change, the schedule, the retention and a price table. A pure function of its inputs: no AWS calls, no files.
// How it counts, and what it leaves out, is docs/cost.md.
import { parseSchedule, SCHEDULE_HELP } from "../config/schedule";
import { CostInputError } from "./errors";
import type { Price, PriceTable, RegionPrices, ScalarPriceKey } from "./prices";

export { CostInputError } from "./errors";

/** manual: the operator CLI (approach 1); lambda: the snapshot manager (approach 2); backup: AWS Backup (approach 3). */
export const APPROACHES = ["manual", "lambda", "backup"] as const;
export type ApproachId = (typeof APPROACHES)[number];

export const APPROACH_LABELS: Record<ApproachId, string> = {
  manual: "native manual (CLI)",
  lambda: "native with Lambda (approach 2)",
  backup: "AWS Backup (approach 3)",
};

export interface DrillInputs {
  /** Restore drills a month. */
  readonly perMonth: number;
  /** Hours a drill cluster lives (restore to deletion). */
  readonly hours: number;
  readonly nodeType: string;
  readonly nodes: number;
  /** DR-owned copies kept (each a full copy in the DR account). */
  readonly drOwnedCopies: number;
}

export interface CostInputs {
  /** Size of one full snapshot, GB. */
  readonly sizeGb: number;
  /** Share of the data that changes a day, percent (0-100). */
  readonly dailyChangePercent: number;
  /** Snapshot schedule (EventBridge/AWS Backup expression): how many snapshots are kept and how often functions run. */
  readonly schedule: string;
  readonly retentionDays: number;
  readonly approaches: readonly ApproachId[];
  readonly region: string;
  /** Add a row "+ drills, DR-owned copy" per approach; null for none. */
  readonly drills: DrillInputs | null;
  /** The sample's assumptions: one full copy at list price, no incremental, no requests, its stated extras. */
  readonly sample?: boolean;
}

export type Component = "sourceStorage" | "drStorage" | "requests" | "compute";

/** One priced quantity. */
export interface CostLine {
  readonly component: Component;
  readonly item: string;
  readonly quantity: number;
  readonly unit: string;
  /** The price table key (or "sample" for the sample's stated figures). */
  readonly price: string;
  readonly unitPrice: number;
  readonly cost: number;
}

export interface ApproachCost {
  readonly id: string;
  readonly approach: ApproachId;
  readonly label: string;
  readonly withDrills: boolean;
  /** Monthly USD, rounded to cents. */
  readonly sourceStorage: number;
  readonly drStorage: number;
  readonly requests: number;
  readonly compute: number;
  /** The unrounded sum, rounded to cents. */
  readonly total: number;
  readonly lines: readonly CostLine[];
}

export interface UnverifiedPrice {
  readonly key: string;
  readonly value: number;
  readonly unit: string;
  readonly reason: string;
}

export interface CostEstimate {
  readonly region: string;
  readonly currency: string;
  readonly sample: boolean;
  readonly inputs: CostInputs;
  /** GB one retained chain of snapshots holds: full size + daily change x retention days, at most every snapshot full. */
  readonly retainedGb: number;
  readonly snapshotsRetained: number;
  readonly approaches: readonly ApproachCost[];
  /** Prices used that no AWS page confirmed. */
  readonly unverified: readonly UnverifiedPrice[];
  readonly notes: readonly string[];
}

/** The sample's published table (1 TB, us-east-1 list price, "as of 2025"), and what it added to storage. */
export const SAMPLE_TABLE: Record<ApproachId, number> = { manual: 24.58, lambda: 24.81, backup: 51.25 };
/**
 * The sample's stated extras beyond storage (its cost comparison analysis document): Lambda "~$0.20/month" and EventBridge
 * "~$0.03/month"; AWS Backup "backup operations ~$0.05/month" (from "$0.05 per 1,000 requests").
 */
export const SAMPLE_EXTRAS: Record<ApproachId, readonly { item: string; cost: number }[]> = {
  manual: [],
  lambda: [
    { item: "the sample's stated Lambda cost (~$0.20/month)", cost: 0.2 },
    { item: "the sample's stated EventBridge cost (~$0.03/month)", cost: 0.03 },
  ],
  backup: [{ item: "the sample's stated AWS Backup operations (~$0.05/month)", cost: 0.05 }],
};

/** Hours in a month, as AWS prices them. */
export const HOURS_PER_MONTH = 730;

/**
 * What the stacks deploy and how often it runs, counted from the synthesized example stacks (cdktf.out): per
 * approach, functions (invocations a month), CloudWatch alarms, custom metrics and dashboards. Lambda functions use
 * 256 MB; a run is assumed to take 5 seconds on average.
 */
export const FOOTPRINT = {
  lambdaMemoryGb: 0.25,
  lambdaSeconds: 5,
  /** The DR monitor runs hourly (native and AWS Backup). */
  drMonitorRunsPerMonth: HOURS_PER_MONTH,
  /** The drill function runs every 15 minutes (dr.drills.schedule). */
  drillFunctionRunsPerMonth: HOURS_PER_MONTH * 4,
  /** Alarm notifications a month (SNS publishes), each to this many email subscriptions. */
  snsPublishesPerMonth: 4,
  emailSubscriptions: 2,
  /** Snapshot manager (failures, dlq, errors, throttles, rpo) + DR monitor (dlq, errors, throttles, rpo). */
  lambda: { alarms: 9, metrics: 3 },
  /** Failed backup job and failed copy job alarms + the DR monitor's four. */
  backup: { alarms: 6, metrics: 1 },
  /** Drill function (failed, dlq, errors, throttles, overdue) + the DR-owned copy's RPO alarm; one dashboard. */
  drills: { alarms: 6, metrics: 3, dashboards: 1 },
} as const;

const round2 = (n: number) => Math.round((n + Number.EPSILON) * 100) / 100;

function check(ok: boolean, flag: string, value: unknown, allowed: string) {
  if (!ok) throw new CostInputError(flag, String(value), allowed);
}

/** Rejects an input the model cannot use, naming the flag, the value and what is allowed. */
export function validateInputs(inputs: CostInputs, table: PriceTable): RegionPrices {
  const { sizeGb, dailyChangePercent, retentionDays } = inputs;
  check(Number.isFinite(sizeGb) && sizeGb > 0, "--size-gb", sizeGb, "a snapshot size in GB greater than 0, e.g. --size-gb 1024");
  check(Number.isFinite(dailyChangePercent) && dailyChangePercent >= 0 && dailyChangePercent <= 100, "--daily-change", dailyChangePercent, "a percentage from 0 to 100");
  check(Number.isInteger(retentionDays) && retentionDays >= 1 && retentionDays <= 3653, "--retention-days", retentionDays, "whole days from 1 to 3653");
  try {
    parseSchedule(inputs.schedule);
  } catch {
    throw new CostInputError("--schedule", JSON.stringify(inputs.schedule), SCHEDULE_HELP);
  }
  check(inputs.approaches.length > 0 && inputs.approaches.every((a) => (APPROACHES as readonly string[]).includes(a)), "--approaches", inputs.approaches.join(","), `a comma-separated list of ${APPROACHES.join(", ")}`);
  const prices = table.regions[inputs.region];
  check(prices !== undefined, "--region", inputs.region, `a region of the price table: ${Object.keys(table.regions).join(", ")} (or add it with --prices <file>)`);
  const d = inputs.drills;
  if (d && !inputs.sample) {
    check(Number.isFinite(d.perMonth) && d.perMonth >= 0, "--drills-per-month", d.perMonth, "0 or more drills a month");
    check(Number.isFinite(d.hours) && d.hours > 0, "--drill-hours", d.hours, "hours greater than 0");
    check(Number.isInteger(d.nodes) && d.nodes >= 1, "--drill-nodes", d.nodes, "a whole number of nodes, 1 or more");
    check(Number.isInteger(d.drOwnedCopies) && d.drOwnedCopies >= 0, "--dr-copies", d.drOwnedCopies, "a whole number of DR-owned copies, 0 or more");
    check(prices.nodeHour[d.nodeType] !== undefined, "--drill-node-type", d.nodeType, `a node type priced for ${inputs.region}: ${Object.keys(prices.nodeHour).join(", ")}`);
  }
  return prices;
}

/** Snapshots a month and how many a retention keeps, from the schedule's shortest gap (the most runs). */
export function scheduleCounts(schedule: string, retentionDays: number): { runsPerMonth: number; snapshotsRetained: number } {
  const minGap = parseSchedule(schedule).minGapMinutes;
  return {
    runsPerMonth: (HOURS_PER_MONTH * 60) / minGap,
    snapshotsRetained: Math.max(1, Math.ceil((retentionDays * 24 * 60) / minGap)),
  };
}

/** GB a retained chain of incremental snapshots holds: size + daily change x retention, bounded by every snapshot full. */
export function retainedGb(sizeGb: number, dailyChangePercent: number, retentionDays: number, snapshotsRetained: number): number {
  return Math.min(sizeGb + sizeGb * (dailyChangePercent / 100) * retentionDays, sizeGb * snapshotsRetained);
}

/** Monthly cost per approach (and per approach with drills), with every priced line. */
export function estimateCost(inputs: CostInputs, table: PriceTable): CostEstimate {
  const prices = validateInputs(inputs, table);
  const sample = inputs.sample === true;
  const { runsPerMonth, snapshotsRetained } = scheduleCounts(inputs.schedule, inputs.retentionDays);
  const chainGb = sample ? inputs.sizeGb : retainedGb(inputs.sizeGb, inputs.dailyChangePercent, inputs.retentionDays, snapshotsRetained);
  const used = new Map<string, Price>();

  const line = (component: Component, item: string, quantity: number, key: ScalarPriceKey): CostLine => {
    const p = prices[key];
    used.set(key, p);
    return { component, item, quantity, unit: p.unit, price: key, unitPrice: p.value, cost: quantity * p.value };
  };
  const storageItem = sample ? `one full copy, ${inputs.sizeGb} GB` : `${round2(chainGb)} GB (${inputs.sizeGb} GB + ${inputs.dailyChangePercent}%/day x ${inputs.retentionDays} days, at most ${snapshotsRetained} full snapshots)`;

  /** Function runs a month: invocations, Scheduler invocations and Lambda GB-seconds. */
  const functionLines = (name: string, invocations: number, scheduled: number): CostLine[] => [
    line("requests", `${name}: Lambda requests`, invocations, "lambdaRequest"),
    line("requests", `${name}: EventBridge Scheduler invocations`, scheduled, "schedulerInvocation"),
    line("compute", `${name}: Lambda duration (${FOOTPRINT.lambdaMemoryGb * 1024} MB x ${FOOTPRINT.lambdaSeconds} s a run)`, invocations * FOOTPRINT.lambdaMemoryGb * FOOTPRINT.lambdaSeconds, "lambdaGbSecond"),
  ];
  const monitoring = (what: string, f: { alarms: number; metrics: number; dashboards?: number }, publishes: number): CostLine[] => [
    line("compute", `${what}: CloudWatch alarms`, f.alarms, "cloudwatchAlarm"),
    line("compute", `${what}: CloudWatch custom metrics`, f.metrics, "cloudwatchMetric"),
    ...(f.dashboards ? [line("compute", `${what}: CloudWatch dashboard`, f.dashboards, "cloudwatchDashboard")] : []),
    line("requests", `${what}: SNS publishes`, publishes, "snsPublish"),
    line("requests", `${what}: SNS email deliveries`, publishes * FOOTPRINT.emailSubscriptions, "snsEmail"),
  ];

  const base = (approach: ApproachId): CostLine[] => {
    if (sample) {
      const key: ScalarPriceKey = approach === "backup" ? "awsBackupRedshiftGbMonth" : "redshiftBackupStorageGbMonth";
      return [
        line("sourceStorage", storageItem, inputs.sizeGb, key),
        ...SAMPLE_EXTRAS[approach].map((e): CostLine => ({ component: "compute", item: e.item, quantity: 1, unit: "USD per month", price: "sample", unitPrice: e.cost, cost: e.cost })),
      ];
    }
    switch (approach) {
      case "manual":
        return [line("sourceStorage", `manual snapshots, ${storageItem}`, chainGb, "redshiftBackupStorageGbMonth")];
      case "lambda":
        return [
          line("sourceStorage", `manual snapshots, ${storageItem}`, chainGb, "redshiftBackupStorageGbMonth"),
          ...functionLines("snapshot manager", 2 * runsPerMonth, runsPerMonth),
          ...functionLines("DR monitor", FOOTPRINT.drMonitorRunsPerMonth, FOOTPRINT.drMonitorRunsPerMonth),
          ...monitoring("snapshot manager and DR monitor", FOOTPRINT.lambda, FOOTPRINT.snsPublishesPerMonth),
        ];
      case "backup":
        return [
          line("sourceStorage", `source vault, ${storageItem}`, chainGb, "awsBackupRedshiftGbMonth"),
          line("drStorage", `cross-account copy in the DR vault (a second full copy), ${storageItem}`, chainGb, "awsBackupRedshiftGbMonth"),
          ...functionLines("DR monitor", FOOTPRINT.drMonitorRunsPerMonth, FOOTPRINT.drMonitorRunsPerMonth),
          ...monitoring("backup and copy job alarms, DR monitor", FOOTPRINT.backup, FOOTPRINT.snsPublishesPerMonth),
        ];
    }
  };

  const drillLines = (approach: ApproachId, d: DrillInputs): CostLine[] => {
    const node = prices.nodeHour[d.nodeType];
    used.set(`nodeHour.${d.nodeType}`, node);
    const nodeHours = d.perMonth * d.hours * d.nodes;
    return [
      line("drStorage", `DR-owned copies: ${d.drOwnedCopies} full copies of ${inputs.sizeGb} GB`, d.drOwnedCopies * inputs.sizeGb, "redshiftBackupStorageGbMonth"),
      {
        component: "compute",
        item: `drills: ${round2(d.perMonth)} a month x ${d.hours} h x ${d.nodes} ${d.nodeType}`,
        quantity: nodeHours,
        unit: node.unit,
        price: `nodeHour.${d.nodeType}`,
        unitPrice: node.value,
        cost: nodeHours * node.value,
      },
      // The CLI's `drill run` needs no function; approaches 2 and 3 deploy the drill function with its alarms.
      ...(approach === "manual"
        ? []
        : [...functionLines("drill function", FOOTPRINT.drillFunctionRunsPerMonth, FOOTPRINT.drillFunctionRunsPerMonth), ...monitoring("drills", FOOTPRINT.drills, d.perMonth)]),
    ];
  };

  const sum = (lines: readonly CostLine[], c?: Component) => lines.filter((l) => !c || l.component === c).reduce((a, l) => a + l.cost, 0);
  const row = (approach: ApproachId, lines: CostLine[], withDrills: boolean): ApproachCost => ({
    id: withDrills ? `${approach}+drills` : approach,
    approach,
    label: withDrills ? `${APPROACH_LABELS[approach]} + drills, DR-owned copy` : APPROACH_LABELS[approach],
    withDrills,
    sourceStorage: round2(sum(lines, "sourceStorage")),
    drStorage: round2(sum(lines, "drStorage")),
    requests: round2(sum(lines, "requests")),
    compute: round2(sum(lines, "compute")),
    total: round2(sum(lines)),
    lines,
  });

  const approaches: ApproachCost[] = [];
  for (const a of APPROACHES.filter((x) => inputs.approaches.includes(x))) {
    const lines = base(a);
    approaches.push(row(a, lines, false));
    if (inputs.drills && !sample) approaches.push(row(a, [...lines, ...drillLines(a, inputs.drills)], true));
  }

  const unverified: UnverifiedPrice[] = [...used]
    .filter(([, p]) => !p.verified)
    .map(([key, p]) => ({ key, value: p.value, unit: p.unit, reason: p.reason ?? "not marked verified" }));

  const notes: string[] = [];
  if (sample) {
    notes.push(
      "sample mode: one full copy at list price, no incremental chain, no DR copy, no requests; compute is the sample's own stated extras",
      ...approaches.map((r) => `${r.label}: $${r.total.toFixed(2)} against the sample's $${SAMPLE_TABLE[r.approach].toFixed(2)} (storage ${inputs.sizeGb} GB x $${(r.lines[0].unitPrice).toString()} = $${r.sourceStorage.toFixed(2)})`),
      "the extras are the sample's own figures (its cost comparison analysis document): at list price its daily Lambda runs cost well under a cent a month, and AWS Backup charges for storage, transfer, restores and evaluations, not per request; see docs/cost.md",
    );
  } else {
    notes.push(
      "native: a shared snapshot stays in the source account (no DR storage); AWS Backup: the DR vault holds a second full copy",
      "free tiers (Lambda, EventBridge Scheduler, CloudWatch) are not applied; on-demand list prices, no tax",
    );
  }
  return { region: inputs.region, currency: table.currency, sample, inputs, retainedGb: round2(chainGb), snapshotsRetained, approaches, unverified, notes };
}
