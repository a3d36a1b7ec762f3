/**
 * Reconcile cost for a large estate with tiered retention, against the in-memory MOCK of Redshift
 * (testing/fake-redshift.ts). Prints, per Redshift request, the calls made next to the least the work needs, and
 * the wall time. It is a script that prints figures, not a timed test; it exits non-zero when a cluster failed,
 * when a run made more (or fewer) calls than the least the work needs, or when Redshift's state after a run is not
 * the state the rules give, and says why.
 *
 *   npm run bench:reconcile -- [--clusters 100] [--months 14] [--latency-ms 2] [--concurrency 4]
 *                              [--throttle-every 0] [--clusters-per-key 1]
 *
 * Estate: `--clusters` clusters (`--clusters-per-key` to a KMS key: 1, each its own key, by default), an hourly
 * schedule (windowMinutes 60, runs at :05), tiers { hourly: 24, daily: 35, monthly: 12 }, retentionDays 0,
 * keepLatest 3, shareLatest 2, one DR account. Each cluster is seeded with what `--months` of hourly runs leave
 * standing just before the 22:05 UTC run of 2026-11-26: the snapshots the rules still claim, the newest two shared
 * (each run waited for its snapshot and shared it, as the Lambda does when the snapshot is ready in time). That
 * history comes from bench/tier-model.ts, a model written from the documented rules, not from the manager's code;
 * the same model gives each run's least work and the state it must leave, which is compared with the fake's after
 * every run. Each cluster also has snapshots that are not ours (automated ones, another tool's manual ones): the
 * listing must not pay for them.
 *
 * Runs (the fake makes a new snapshot available at once, so the wait is one DescribeClusterSnapshots; the Lambda is
 * given 14 minutes of remaining time):
 *  1. 22:05, the steady state: per cluster one create, one share of the new snapshot, one unshare of the oldest
 *     shared, and the delete of the snapshot that just left every tier (22:05 yesterday);
 *     then 23:05 (compact, no latency: it only brings the estate to the day boundary);
 *  2. 00:05, a day boundary: the hourly tier releases 00:05 yesterday and the daily tier the day 35 days back;
 *  3. a snapshot event for one cluster (clusterIdentifiers = that cluster, createSnapshots false) at 00:20, as if
 *     run 2 had not seen its snapshot become available: share it, unshare the oldest shared; no other cluster
 *     is touched;
 *  4. a catch-up run after a 3-day outage (72 hourly runs missed): everything no rule claims any more goes in one run.
 */
import { SNSClient } from "@aws-sdk/client-sns";
import { retainedSnapshotsBound, snapshotsInFlight, TAG_MANAGED_BY } from "../contract";
import { PAGE_SIZE } from "../functions/lib/listing";
import { windowSnapshotId, windowStart } from "../functions/lib/naming";
import { ownershipTags } from "../functions/lib/ownership";
import { reconcile } from "../functions/lib/reconcile";
import type { ReconcileReport } from "../functions/lib/report";
import type { Logger } from "../functions/lib/runtime";
import { snapshotManagerSettings, type SnapshotManagerSettings } from "../functions/lib/settings";
import { FakeRedshift } from "../testing/fake-redshift";
import { ManualClock } from "../testing/manual-clock";
import { claimsByRule, modelRun, noWork, simulateHistory, WORK_KINDS, type ClusterModel, type ModelRules, type RunWork } from "./tier-model";

const FLAGS = ["clusters", "months", "latency-ms", "concurrency", "throttle-every", "clusters-per-key"];

function usage(message: string): never {
  console.error(`reconcile-bench: ${message}`);
  process.exit(2);
}

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const raw = i >= 0 ? process.argv[i + 1] : process.env[`BENCH_${name.toUpperCase().replace(/-/g, "_")}`];
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) usage(`--${name}: ${JSON.stringify(raw)} is not a non-negative integer`);
  return n;
}

for (const a of process.argv.slice(2)) {
  if (!a.startsWith("--")) continue;
  const name = a.slice(2);
  if (name === "snapshots") usage("--snapshots is gone: each cluster holds what --months of hourly runs under the tiers leave");
  if (!FLAGS.includes(name)) usage(`unknown flag ${a}; the flags are ${FLAGS.map((f) => `--${f}`).join(", ")}`);
}

const CLUSTERS = Math.max(1, arg("clusters", 100));
const MONTHS = arg("months", 14);
const LATENCY_MS = arg("latency-ms", 2);
const CONCURRENCY = arg("concurrency", 4);
const THROTTLE_EVERY = arg("throttle-every", 0);
const CLUSTERS_PER_KEY = Math.max(1, arg("clusters-per-key", 1));

const SOURCE = "111111111111";
const DR = "222222222222";
const PREFIX = "rsdr";
const MANAGED_BY = "rsdr-bench";
const WINDOW_MIN = 60;
const RETENTION_DAYS = 0;
const TIERS = { hourly: 24, daily: 35, monthly: 12 } as const;
const KEEP_LATEST = 3;
const SHARE_LATEST = 2;
/** What the Lambda has left when it comes to wait for the new snapshots (15-minute timeout, a minute in). */
const REMAINING_MS = 14 * 60_000;
const MAX_AUTHORIZATIONS_PER_KEY = 100;
/**
 * Snapshots per cluster that are not ours: automated ones (every 8 hours, kept 35 days) and manual ones another tool
 * tags as its own (one a day for 35 days). With them a cluster's listing would be 3 pages, not 1, if the manager did
 * not filter by type and tag on the server.
 */
const FOREIGN_AUTOMATED = 105;
const FOREIGN_MANUAL = 35;

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const RUN_1 = Date.UTC(2026, 10, 26, 22, 5);
const RUN_2 = Date.UTC(2026, 10, 27, 0, 5);
const EVENT = Date.UTC(2026, 10, 27, 0, 20);
const OUTAGE_RUNS = 72;
const RUN_3 = RUN_2 + (OUTAGE_RUNS + 1) * HOUR;

const RULES: ModelRules = { windowMinutes: WINDOW_MIN, retentionDays: RETENTION_DAYS, keepLatest: KEEP_LATEST, shareLatest: SHARE_LATEST, tiers: TIERS };
const BOUND = retainedSnapshotsBound({ retentionDays: RETENTION_DAYS, keepLatest: KEEP_LATEST, retentionTiers: TIERS }, WINDOW_MIN);
const IN_FLIGHT = snapshotsInFlight(WINDOW_MIN);
/** Authorizations a key can hold at once: its clusters x (shareLatest + 1: a new share before the oldest is revoked) x DR accounts. */
const KEY_BUDGET = Math.min(CLUSTERS_PER_KEY, CLUSTERS) * (SHARE_LATEST + 1);

const quietLog: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };
const utc = (t: number): string => new Date(t).toISOString().replace("T", " ").replace(/:00\.000Z$/, " UTC");
const pad = (s: string | number, n: number): string => String(s).padStart(n);

/** A client whose every call is counted and answered locally (no network). */
function stubClient<T extends object>(client: T, counter: Record<string, number>, name: string): T {
  (client as unknown as { send: () => Promise<unknown> }).send = () => {
    counter[name] = (counter[name] ?? 0) + 1;
    return Promise.resolve({});
  };
  return client;
}

const clusters = Array.from({ length: CLUSTERS }, (_, i) => `cluster-${String(i).padStart(3, "0")}`);
const clock = new ManualClock(new Date(RUN_1));
const fake = new FakeRedshift({
  clock,
  ownerAccountId: SOURCE,
  creationDelayMs: 0,
  manualSnapshotQuota: CLUSTERS * (BOUND + IN_FLIGHT + FOREIGN_MANUAL) + 10,
  maxAuthorizationsPerKey: MAX_AUTHORIZATIONS_PER_KEY,
});
/** The model's state of each cluster: what must stand in the fake. */
const model = new Map<string, ClusterModel>();
/** Everything that makes the exit code non-zero. */
const problems: string[] = [];
/** Requests the fake answered before the current count began (the throttle counts every request). */
let requestsBefore = 0;

const snapshotId = (cluster: string, t: number): string => windowSnapshotId(PREFIX, cluster, windowStart(new Date(t), WINDOW_MIN));

function baseSettings(over: Partial<SnapshotManagerSettings> = {}): SnapshotManagerSettings {
  return snapshotManagerSettings({
    clusterIdentifiers: clusters,
    drAccountIds: [DR],
    windowMinutes: WINDOW_MIN,
    retentionDays: RETENTION_DAYS,
    retentionTiers: TIERS,
    keepLatest: KEEP_LATEST,
    shareLatest: SHARE_LATEST,
    snapshotPrefix: PREFIX,
    managedBy: MANAGED_BY,
    alertTopicArn: "arn:aws:sns:eu-west-1:111111111111:bench",
    metricNamespace: "RedshiftDRBench",
    concurrency: CONCURRENCY,
    ...over,
  });
}

/** Seeds every cluster with the model's state after `MONTHS` of hourly runs, and snapshots that are not ours. */
function seed(): { ms: number; history: ClusterModel; runs: number } {
  const started = Date.now();
  const first = new Date(RUN_1);
  first.setUTCMonth(first.getUTCMonth() - MONTHS);
  const runs = Math.round((RUN_1 - first.getTime()) / HOUR);
  const history = simulateHistory(first.getTime(), runs, RULES, PAGE_SIZE);
  clusters.forEach((cluster, i) => {
    fake.addCluster(cluster, { kmsKeyId: `key-${String(Math.floor(i / CLUSTERS_PER_KEY)).padStart(3, "0")}` });
    for (const t of history.times) {
      fake.seed({
        id: snapshotId(cluster, t),
        cluster,
        createdAt: new Date(t),
        tags: ownershipTags({ managedBy: MANAGED_BY, clusterIdentifier: cluster, windowStart: windowStart(new Date(t), WINDOW_MIN), drAccountIds: [DR] }),
        accounts: history.shared.has(t) ? [DR] : [],
      });
    }
    for (let k = 1; k <= FOREIGN_AUTOMATED; k++) {
      const at = new Date(RUN_1 - 30 * MINUTE - k * 8 * HOUR);
      fake.seed({ id: `rs:${cluster}-${at.toISOString().slice(0, 16).replace(/[T:]/g, "-")}`, cluster, type: "automated", createdAt: at });
    }
    for (let k = 1; k <= FOREIGN_MANUAL; k++) {
      const at = new Date(RUN_1 - 40 * MINUTE - k * 24 * HOUR);
      fake.seed({ id: `etl-${cluster}-before-load-${k}`, cluster, createdAt: at, tags: [{ Key: TAG_MANAGED_BY, Value: "another-tool" }] });
    }
    model.set(cluster, history);
  });
  return { ms: Date.now() - started, history, runs };
}

interface Tally {
  calls: Record<string, number>;
  throttled: Record<string, number>;
}

type Kind = (typeof WORK_KINDS)[number] | "other";

function kindOf(command: string, input: Record<string, unknown>): Kind {
  switch (command) {
    case "DescribeClusterSnapshots":
      return input.SnapshotIdentifier === undefined ? "list" : "wait";
    case "CreateClusterSnapshot":
      return "create";
    case "AuthorizeSnapshotAccess":
      return "authorize";
    case "RevokeSnapshotAccess":
      return "revoke";
    case "DeleteClusterSnapshot":
      return "delete";
    default:
      return "other";
  }
}

/** Starts a count: the requests so far are remembered (for the throttle's arithmetic) and the counters cleared. */
function startCount(): void {
  requestsBefore += fake.log.length;
  fake.resetCounters();
}

/** The requests since {@link startCount}, per cluster and kind, and which of them the fake throttled. */
function tallyLog(): Map<string, Tally> {
  const perCluster = new Map<string, Tally>();
  fake.log.forEach((entry, i) => {
    const cluster = (entry.input.ClusterIdentifier ?? entry.input.SnapshotClusterIdentifier ?? "?") as string;
    const kind = kindOf(entry.command, entry.input);
    let t = perCluster.get(cluster);
    if (!t) perCluster.set(cluster, (t = { calls: {}, throttled: {} }));
    t.calls[kind] = (t.calls[kind] ?? 0) + 1;
    // The fake throttles its Nth, 2Nth, ... request; the SDK retries it (a retry is a request of its own).
    if (THROTTLE_EVERY > 0 && (requestsBefore + i + 1) % THROTTLE_EVERY === 0) t.throttled[kind] = (t.throttled[kind] ?? 0) + 1;
  });
  const counted = Object.values(fake.calls).reduce((n, c) => n + c, 0);
  if (counted !== fake.log.length) problems.push(`the fake counted ${counted} calls but logged ${fake.log.length}`);
  return perCluster;
}

/** Our snapshots in the fake per cluster, as the model sees them; and what else stands. */
function fakeState(): { ours: Map<string, ClusterModel & { notAvailable: number; otherAccounts: number }>; foreign: number } {
  const ours = new Map<string, { times: number[]; shared: Set<number>; notAvailable: number; otherAccounts: number }>();
  let foreign = 0;
  for (const s of fake.snapshots.values()) {
    if (s.type !== "manual" || s.tags.find((t) => t.Key === TAG_MANAGED_BY)?.Value !== MANAGED_BY) {
      foreign++;
      continue;
    }
    let c = ours.get(s.cluster);
    if (!c) ours.set(s.cluster, (c = { times: [], shared: new Set(), notAvailable: 0, otherAccounts: 0 }));
    const t = s.createdAt.getTime();
    c.times.push(t);
    if (s.accounts.includes(DR)) c.shared.add(t);
    c.otherAccounts += s.accounts.filter((a) => a !== DR).length;
    if (fake.statusOf(s) !== "available") c.notAvailable++;
  }
  for (const c of ours.values()) c.times.sort((a, b) => a - b);
  return { ours, foreign };
}

/**
 * Compares the fake with the model; returns the differences, described. The model then takes the fake's state, so
 * that the next run is judged on its own work.
 */
function differences(): string[] {
  const { ours } = fakeState();
  const diffs: string[] = [];
  for (const cluster of clusters) {
    const want = model.get(cluster)!;
    const got = ours.get(cluster) ?? { times: [], shared: new Set<number>(), notAvailable: 0, otherAccounts: 0 };
    const gotTimes = new Set(got.times);
    const missing = want.times.filter((t) => !gotTimes.has(t));
    const wantTimes = new Set(want.times);
    const extra = got.times.filter((t) => !wantTimes.has(t));
    const sharedWrong = [...new Set([...want.shared, ...got.shared])].filter((t) => want.shared.has(t) !== got.shared.has(t));
    const parts: string[] = [];
    if (missing.length) parts.push(`missing ${missing.map((t) => snapshotId(cluster, t)).join(", ")}`);
    if (extra.length) parts.push(`should be gone: ${extra.map((t) => snapshotId(cluster, t)).join(", ")}`);
    for (const t of sharedWrong) parts.push(`${snapshotId(cluster, t)} ${want.shared.has(t) ? "not shared" : "still shared"}`);
    if (got.notAvailable) parts.push(`${got.notAvailable} not available`);
    if (got.otherAccounts) parts.push(`${got.otherAccounts} authorizations for other accounts`);
    if (parts.length) {
      diffs.push(`${cluster}: ${parts.join("; ")}`);
      model.set(cluster, { times: got.times, shared: got.shared });
    }
  }
  return diffs;
}

function estateLine(): string {
  const { ours, foreign } = fakeState();
  const counts = clusters.map((c) => ours.get(c)?.times.length ?? 0);
  const total = counts.reduce((n, c) => n + c, 0);
  const peaks = [...fake.peakAuthorizationsPerKey.values()];
  const standing = new Map<string, number>();
  for (const s of fake.snapshots.values()) if (s.accounts.length) standing.set(s.kmsKeyId, (standing.get(s.kmsKeyId) ?? 0) + s.accounts.length);
  const max = Math.max(...counts);
  const peak = peaks.length ? Math.max(...peaks) : 0;
  if (max > BOUND + IN_FLIGHT) problems.push(`a cluster holds ${max} of our snapshots, more than the bound ${BOUND} + ${IN_FLIGHT}`);
  if (peak > KEY_BUDGET) problems.push(`a KMS key held ${peak} authorizations at once, more than ${KEY_BUDGET} (its clusters x (shareLatest + 1))`);
  return (
    `fake: ${fake.snapshots.size} snapshots (${total} ours, ${foreign} not ours); ours per cluster ${Math.min(...counts)}-${max}` +
    ` (bound: retainedSnapshotsBound ${BOUND} + snapshotsInFlight(${WINDOW_MIN}) ${IN_FLIGHT} = ${BOUND + IN_FLIGHT});` +
    ` authorizations per key: now at most ${standing.size ? Math.max(...standing.values()) : 0}, peak so far ${peaks.length ? peak : "-"}` +
    ` (budget ${KEY_BUDGET}, Redshift's limit ${MAX_AUTHORIZATIONS_PER_KEY}; ${new Set(fake.clusterKeys.values()).size} keys)`
  );
}

const LABELS: Record<Kind, string> = {
  list: "DescribeClusterSnapshots list",
  wait: "DescribeClusterSnapshots wait",
  create: "CreateClusterSnapshot",
  authorize: "AuthorizeSnapshotAccess",
  revoke: "RevokeSnapshotAccess",
  delete: "DeleteClusterSnapshot",
  other: "other Redshift requests",
};

async function measure(
  label: string,
  at: number,
  opts: { clusters?: string[]; createSnapshots?: boolean; latencyMs?: number; compact?: boolean } = {},
): Promise<ReconcileReport> {
  const targets = opts.clusters ?? clusters;
  const createSnapshots = opts.createSnapshots ?? true;
  const latencyMs = opts.latencyMs ?? LATENCY_MS;
  clock.set(new Date(at));

  // The least work, from the model (the run waits for the snapshot it creates, so it shares it too).
  const expected = new Map<string, RunWork>();
  const next = new Map<string, ClusterModel>();
  for (const c of targets) {
    const r = modelRun(model.get(c)!, at, RULES, { createSnapshots, waitForNew: createSnapshots, pageSize: PAGE_SIZE });
    expected.set(c, r.work);
    next.set(c, r.next);
  }

  startCount();
  fake.throttleEvery = THROTTLE_EVERY;
  const other: Record<string, number> = {};
  const started = process.hrtime.bigint();
  const report = await reconcile(
    {
      redshift: fake.client({ latencyMs }),
      sns: stubClient(new SNSClient({ region: "eu-west-1" }), other, "Publish"),
      metrics: (points) => {
        other.metricPoints = (other.metricPoints ?? 0) + points.length;
      },
      clock,
      log: quietLog,
      remainingTimeMs: () => REMAINING_MS,
    },
    baseSettings({ clusterIdentifiers: targets, createSnapshots }),
  );
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  fake.throttleEvery = 0;
  for (const [c, m] of next) model.set(c, m);

  // Calls per kind over all clusters, and each cluster against its own least work.
  const perCluster = tallyLog();
  const rows = new Map<Kind, { calls: number; throttled: number; min: number }>();
  for (const k of [...WORK_KINDS, "other"] as Kind[]) rows.set(k, { calls: 0, throttled: 0, min: 0 });
  const offClusters: string[] = [];
  const untargeted = [...perCluster.keys()].filter((c) => !expected.has(c));
  for (const c of new Set([...expected.keys(), ...perCluster.keys()])) {
    const want = expected.get(c) ?? noWork();
    const got = perCluster.get(c) ?? { calls: {}, throttled: {} };
    const off: string[] = [];
    for (const k of [...WORK_KINDS, "other"] as Kind[]) {
      const row = rows.get(k)!;
      const calls = got.calls[k] ?? 0;
      const throttled = got.throttled[k] ?? 0;
      const min = k === "other" ? 0 : want[k];
      row.calls += calls;
      row.throttled += throttled;
      row.min += min;
      if (calls - throttled !== min) off.push(`${LABELS[k]} ${calls - throttled} (least ${min})`);
    }
    if (off.length) offClusters.push(`${c}: ${off.join(", ")}`);
  }
  const total = [...rows.values()].reduce((a, r) => ({ calls: a.calls + r.calls, throttled: a.throttled + r.throttled, min: a.min + r.min }), {
    calls: 0,
    throttled: 0,
    min: 0,
  });
  const diffs = differences();
  const failed = report.failedClusters.length;
  const sum = (f: (c: ReconcileReport["clusters"][number]) => number): number => report.clusters.reduce((n, c) => n + f(c), 0);
  const done =
    `created ${sum((c) => c.created.length)}, shared ${sum((c) => c.shared.length)}, unshared ${sum((c) => c.unshared.length)},` +
    ` revoked ${sum((c) => c.revoked.length)}, deleted ${sum((c) => c.deleted.length)}; failed clusters ${failed}`;

  if (opts.compact) {
    console.log(
      `\n-- ${label} (${latencyMs} ms per call): Redshift calls ${total.calls} (throttled ${total.throttled}), least ${total.min},` +
        ` extra ${total.calls - total.throttled - total.min}; ${done}; ${(wallMs / 1000).toFixed(2)} s`,
    );
  } else {
    console.log(`\n== ${label} ==`);
    console.log(`${"request".padEnd(30)} ${pad("calls", 7)} ${pad("throttled", 9)} ${pad("least", 7)} ${pad("extra", 6)}`);
    for (const [k, r] of rows) {
      if (k === "other" && r.calls === 0) continue;
      console.log(`${LABELS[k].padEnd(30)} ${pad(r.calls, 7)} ${pad(r.throttled, 9)} ${pad(r.min, 7)} ${pad(r.calls - r.throttled - r.min, 6)}`);
    }
    console.log(`${"Redshift total".padEnd(30)} ${pad(total.calls, 7)} ${pad(total.throttled, 9)} ${pad(total.min, 7)} ${pad(total.calls - total.throttled - total.min, 6)}`);
    console.log(`${"metric points (EMF, no call)".padEnd(30)} ${pad(other.metricPoints ?? 0, 7)}`);
    console.log(`${"SNS Publish".padEnd(30)} ${pad(other.Publish ?? 0, 7)}`);
    console.log(
      `wall time ${(wallMs / 1000).toFixed(2)} s (${latencyMs} ms per call, concurrency ${CONCURRENCY});` +
        ` ${Math.round((total.calls / wallMs) * 1000)} Redshift calls/s; ${done}`,
    );
    console.log(
      `clusters reconciled ${targets.length}, clusters touched ${perCluster.size}` +
        `${perCluster.size <= 3 ? ` (${[...perCluster.keys()].join(", ")})` : ""}; clusters off their least work ${offClusters.length};` +
        ` fake = model after the run: ${diffs.length === 0 ? "yes" : `NO, ${diffs.length} clusters differ`}`,
    );
    console.log(estateLine());
  }

  const why = (s: string) => problems.push(`${label}: ${s}`);
  if (failed) why(`${failed} cluster(s) failed; first: ${report.clusters.find((c) => c.failed)?.error}`);
  if (untargeted.length) why(`requests for clusters not reconciled: ${untargeted.slice(0, 5).join(", ")}`);
  for (const line of offClusters.slice(0, 5)) why(`calls other than the least work: ${line}`);
  if (offClusters.length > 5) why(`... and ${offClusters.length - 5} more clusters off their least work`);
  for (const line of diffs.slice(0, 5)) why(`Redshift's state is not the model's: ${line}`);
  if (diffs.length > 5) why(`... and ${diffs.length - 5} more clusters differ from the model`);
  return report;
}

/**
 * Run 2's wait did not see the event cluster's snapshot become available (so it stayed unshared and the oldest
 * shared one stayed shared). Done through the fake's request handler, not measured.
 */
function asIfTheWaitTimedOut(cluster: string): void {
  const state = model.get(cluster)!;
  const [third, second, newest] = state.times.slice(-3);
  const request = (command: string, t: number) =>
    fake.handle(command, { SnapshotIdentifier: snapshotId(cluster, t), SnapshotClusterIdentifier: cluster, AccountWithRestoreAccess: DR }, SOURCE);
  request("RevokeSnapshotAccess", newest);
  request("AuthorizeSnapshotAccess", third);
  model.set(cluster, { times: state.times, shared: new Set([second, third]) });
}

async function main(): Promise<void> {
  fake.keepLog = true;
  const started = Date.now();
  const seeded = seed();
  const claims = claimsByRule(seeded.history.times, RUN_1, RULES);
  console.log(
    `estate: ${CLUSTERS} clusters, ${CLUSTERS_PER_KEY === 1 ? "each with its own KMS key" : `${CLUSTERS_PER_KEY} per KMS key`};` +
      ` hourly runs at :05 (windowMinutes ${WINDOW_MIN}); tiers ${JSON.stringify(TIERS)}, retentionDays ${RETENTION_DAYS},` +
      ` keepLatest ${KEEP_LATEST}, shareLatest ${SHARE_LATEST}, 1 DR account; ${LATENCY_MS} ms per Redshift call; concurrency ${CONCURRENCY};` +
      ` throttle every ${THROTTLE_EVERY || "never"}` +
      `\nseeded: what ${MONTHS} months of hourly runs (${seeded.runs}, from ${utc(RUN_1 - seeded.runs * HOUR)}) leave before the run of ${utc(RUN_1)}:` +
      ` ${seeded.history.times.length} of ours per cluster (the last run's new one, and those claimed at ${utc(RUN_1 - HOUR)} by` +
      ` ${Object.entries(claims)
        .map(([k, v]) => `${k} ${v}`)
        .join(", ")}, overlapping), the newest ${SHARE_LATEST} shared; plus ${FOREIGN_AUTOMATED} automated and ${FOREIGN_MANUAL}` +
      ` of another tool's manual snapshots per cluster; ${fake.snapshots.size} snapshots in the fake, seeded in ${seeded.ms} ms` +
      `\nleast work per cluster: ceil(ours / ${PAGE_SIZE}) DescribeClusterSnapshots pages (the listing filters by our tag on the server,` +
      ` so only ours count), one CreateClusterSnapshot per window, one DescribeClusterSnapshots to see it available, one` +
      ` AuthorizeSnapshotAccess per share the run must add and one RevokeSnapshotAccess per share it must remove (deleted or` +
      ` beyond the newest ${SHARE_LATEST}), one DeleteClusterSnapshot per snapshot no rule claims; all from bench/tier-model.ts.` +
      ` A throttled request is retried by the SDK: both are counted, the throttled one is not extra.`,
  );
  console.log(estateLine());

  await measure(`run 1: steady state, hourly run at ${utc(RUN_1)}`, RUN_1);
  await measure(`${utc(RUN_1 + HOUR)}, to reach the day boundary`, RUN_1 + HOUR, { latencyMs: 0, compact: true });
  await measure(`run 2: day boundary, ${utc(RUN_2)} (hourly and daily tiers release)`, RUN_2);

  const eventCluster = clusters[Math.floor(CLUSTERS / 2)];
  clock.set(new Date(EVENT));
  asIfTheWaitTimedOut(eventCluster);
  const before = differences();
  if (before.length) problems.push(`setting up the snapshot event: ${before[0]}`);
  await measure(`snapshot event for ${eventCluster} at ${utc(EVENT)} (createSnapshots false; run 2 had not shared its snapshot)`, EVENT, {
    clusters: [eventCluster],
    createSnapshots: false,
  });

  await measure(`run 3: catch-up at ${utc(RUN_3)} after a 3-day outage (${OUTAGE_RUNS} hourly runs missed)`, RUN_3);

  const notOurs = fake.deletions.filter((d) => d.tags.find((t) => t.Key === TAG_MANAGED_BY)?.Value !== MANAGED_BY);
  if (notOurs.length) problems.push(`deleted snapshots that are not ours: ${notOurs.map((d) => d.id).join(", ")}`);
  console.log(`\ntotal ${((Date.now() - started) / 1000).toFixed(1)} s`);
  if (problems.length) {
    console.log(`FAILED (${problems.length}):\n  - ${problems.join("\n  - ")}`);
    process.exitCode = 1;
  } else {
    console.log("OK: no cluster failed, every run made exactly the least calls, and Redshift's state is the model's after each run");
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
