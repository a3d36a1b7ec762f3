import { estimateCost, FOOTPRINT, HOURS_PER_MONTH, retainedGb, SAMPLE_TABLE, scheduleCounts, type CostInputs } from "../../cost/model";
import { mergePriceTable, PRICE_TABLE } from "../../cost/prices";

const P = PRICE_TABLE.regions["us-east-1"];
const base: CostInputs = {
  sizeGb: 1024,
  dailyChangePercent: 2,
  schedule: "rate(12 hours)",
  retentionDays: 7,
  approaches: ["manual", "lambda", "backup"],
  region: "us-east-1",
  drills: { perMonth: 4, hours: 1.5, nodeType: "ra3.xlplus", nodes: 1, drOwnedCopies: 2 },
};
const byId = (inputs: Partial<CostInputs>) => new Map(estimateCost({ ...base, ...inputs }, PRICE_TABLE).approaches.map((a) => [a.id, a]));
const cents = (n: number) => Math.round(n * 100) / 100;

describe("the price table", () => {
  it("names a source and a date for every price, and a reason for every unverified one", () => {
    for (const region of Object.values(PRICE_TABLE.regions)) {
      const prices = [...Object.entries(region).filter(([k]) => k !== "nodeHour"), ...Object.entries(region.nodeHour)];
      for (const [, p] of prices as [string, { source: string; readOn: string; verified: boolean; reason?: string; value: number }][]) {
        expect(p.source).toMatch(/\S/);
        expect(p.readOn).toMatch(/^\d{4}-\d{2}-\d{2}$/);
        expect(typeof p.value).toBe("number");
        if (!p.verified) expect(p.reason).toMatch(/\S/);
      }
    }
  });
});

describe("reproduction of the sample's table (1 TB, one copy, us-east-1 list price)", () => {
  const sample = byId({ sample: true });

  it("reproduces $24.58, $24.81 and $51.25 exactly, storage as list price x size", () => {
    expect([...sample.keys()]).toEqual(["manual", "lambda", "backup"]);
    expect(sample.get("manual")!.total).toBe(SAMPLE_TABLE.manual);
    expect(sample.get("lambda")!.total).toBe(SAMPLE_TABLE.lambda);
    expect(sample.get("backup")!.total).toBe(SAMPLE_TABLE.backup);
    expect(sample.get("manual")!.sourceStorage).toBe(24.58); // 1024 x 0.024 = 24.576
    expect(sample.get("backup")!.sourceStorage).toBe(51.2); // 1024 x 0.05
  });

  it("the cents beyond storage are the sample's stated extras: Lambda $0.20 + EventBridge $0.03, AWS Backup operations $0.05", () => {
    expect(sample.get("lambda")!.compute).toBe(0.23);
    expect(sample.get("backup")!.compute).toBe(0.05);
    for (const a of sample.values()) {
      expect(a.requests).toBe(0);
      expect(a.drStorage).toBe(0);
    }
  });
});

describe("arithmetic of each component", () => {
  it("counts runs and retained snapshots from the schedule's shortest gap", () => {
    expect(scheduleCounts("rate(12 hours)", 7)).toEqual({ runsPerMonth: 60.833333333333336, snapshotsRetained: 14 });
    expect(scheduleCounts("cron(0 3 * * ? *)", 35).snapshotsRetained).toBe(35);
  });

  it("incremental chain: size + daily change x retention, bounded by every snapshot full", () => {
    expect(retainedGb(1024, 2, 7, 14)).toBeCloseTo(1024 + 1024 * 0.02 * 7, 9);
    expect(retainedGb(100, 100, 30, 3)).toBe(300);
    expect(retainedGb(100, 0, 30, 30)).toBe(100);
  });

  it("source storage of native snapshots, and no DR storage: a shared snapshot stays in the source", () => {
    const m = byId({}).get("manual")!;
    expect(m.sourceStorage).toBe(cents(1167.36 * 0.024));
    expect(m.drStorage).toBe(0);
    expect(m.requests).toBe(0);
    expect(m.compute).toBe(0);
  });

  it("AWS Backup: the cross-account copy is a second full copy in the DR vault", () => {
    const b = byId({}).get("backup")!;
    expect(b.sourceStorage).toBe(cents(1167.36 * 0.05));
    expect(b.drStorage).toBe(b.sourceStorage);
  });

  it("Lambda approach: requests (Lambda, Scheduler, SNS) and compute (GB-seconds, alarms, metrics)", () => {
    const l = byId({}).get("lambda")!;
    const runs = (HOURS_PER_MONTH * 60) / 720;
    const invocations = 2 * runs + HOURS_PER_MONTH;
    const scheduled = runs + HOURS_PER_MONTH;
    const requests =
      invocations * P.lambdaRequest.value +
      scheduled * P.schedulerInvocation.value +
      FOOTPRINT.snsPublishesPerMonth * (P.snsPublish.value + FOOTPRINT.emailSubscriptions * P.snsEmail.value);
    const compute =
      invocations * FOOTPRINT.lambdaMemoryGb * FOOTPRINT.lambdaSeconds * P.lambdaGbSecond.value +
      FOOTPRINT.lambda.alarms * P.cloudwatchAlarm.value +
      FOOTPRINT.lambda.metrics * P.cloudwatchMetric.value;
    expect(l.requests).toBe(cents(requests));
    expect(l.compute).toBe(cents(compute));
    expect(l.total).toBe(cents(l.lines.reduce((s, x) => s + x.cost, 0)));
  });

  it("drills: node-hours x node price per drill x drills a month; each DR-owned copy a full copy", () => {
    const rows = byId({});
    const manual = rows.get("manual")!;
    const drilled = rows.get("manual+drills")!;
    expect(drilled.drStorage).toBe(cents(2 * 1024 * 0.024));
    expect(drilled.compute).toBe(cents(4 * 1.5 * 1 * 1.086));
    expect(drilled.sourceStorage).toBe(manual.sourceStorage);
    const lambdaDrilled = rows.get("lambda+drills")!;
    const lambda = rows.get("lambda")!;
    // The drill function, its alarms, metrics and the dashboard come on top of the node-hours.
    const extra = FOOTPRINT.drills.alarms * 0.1 + FOOTPRINT.drills.metrics * 0.3 + FOOTPRINT.drills.dashboards * 3 + 4 * 1.5 * 1.086;
    expect(lambdaDrilled.compute - lambda.compute).toBeGreaterThan(extra - 0.02);
  });

  it("lists the unverified prices it used", () => {
    const e = estimateCost({ ...base, approaches: ["manual"], drills: null }, PRICE_TABLE);
    expect(e.unverified.map((u) => u.key)).toEqual(["redshiftBackupStorageGbMonth"]);
  });
});

describe("price overrides", () => {
  it("a number replaces a price's value and marks it as the operator's own", () => {
    const table = mergePriceTable(PRICE_TABLE, { regions: { "us-east-1": { redshiftBackupStorageGbMonth: 0.023 } } }, "mine.json");
    const e = estimateCost({ ...base, approaches: ["manual"], drills: null, sample: true }, table);
    expect(e.approaches[0].total).toBe(cents(1024 * 0.023));
    expect(e.unverified[0]).toMatchObject({ key: "redshiftBackupStorageGbMonth", value: 0.023, reason: "the operator's own figure from mine.json" });
    expect(PRICE_TABLE.regions["us-east-1"].redshiftBackupStorageGbMonth.value).toBe(0.024);
  });

  it("a verified price object is not footnoted; a new region needs every price", () => {
    const table = mergePriceTable(
      PRICE_TABLE,
      { regions: { "us-east-1": { redshiftBackupStorageGbMonth: { value: 0.024, source: "https://aws.amazon.com/redshift/pricing/", readOn: "2026-12-01", verified: true } } } },
      "mine.json",
    );
    expect(estimateCost({ ...base, approaches: ["manual"], drills: null }, table).unverified).toEqual([]);
    expect(() => mergePriceTable(PRICE_TABLE, { regions: { "eu-west-2": { lambdaRequest: 0.0000002 } } }, "mine.json")).toThrow(
      "--prices mine.json: regions.eu-west-2: not allowed; every price for a region not in the built-in table; missing redshiftBackupStorageGbMonth",
    );
    const all = Object.fromEntries(Object.entries(PRICE_TABLE.regions["us-east-1"]).map(([k, v]) => [k, v]));
    const withLondon = mergePriceTable(PRICE_TABLE, { regions: { "eu-west-2": all } }, "mine.json");
    expect(estimateCost({ ...base, region: "eu-west-2" }, withLondon).region).toBe("eu-west-2");
  });

  it("refuses unknown keys and negative prices", () => {
    expect(() => mergePriceTable(PRICE_TABLE, { regions: { "us-east-1": { s3: 1 } } }, "f.json")).toThrow(/regions\.us-east-1\.s3: not allowed; one of redshiftBackupStorageGbMonth/);
    expect(() => mergePriceTable(PRICE_TABLE, { regions: { "us-east-1": { lambdaRequest: -1 } } }, "f.json")).toThrow("--prices regions.us-east-1.lambdaRequest: -1: not allowed; a price of 0 or more (in f.json)");
  });
});

describe("bad input names the flag, the value and what is allowed", () => {
  it.each([
    [{ sizeGb: -5 }, "--size-gb -5: not allowed; a snapshot size in GB greater than 0, e.g. --size-gb 1024"],
    [{ sizeGb: 0 }, "--size-gb 0: not allowed"],
    [{ region: "eu-west-2" }, "--region eu-west-2: not allowed; a region of the price table: us-east-1 (or add it with --prices <file>)"],
    [{ schedule: "every day" }, '--schedule "every day": not allowed; rate(N minutes|hours|days)'],
    [{ dailyChangePercent: 150 }, "--daily-change 150: not allowed; a percentage from 0 to 100"],
    [{ retentionDays: 0 }, "--retention-days 0: not allowed; whole days from 1 to 3653"],
    [{ drills: { perMonth: 4, hours: 1, nodeType: "dc2.large", nodes: 1, drOwnedCopies: 1 } }, "--drill-node-type dc2.large: not allowed; a node type priced for us-east-1: ra3.xlplus, ra3.4xlarge, ra3.16xlarge"],
  ] as [Partial<CostInputs>, string][])("%j", (bad, message) => {
    expect(() => estimateCost({ ...base, ...bad }, PRICE_TABLE)).toThrow(message);
  });
});
