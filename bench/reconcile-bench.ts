/**
 * Reconcile cost for a large estate, against the in-memory MOCK of Redshift (__tests__/functions/fake-redshift.ts).
 * Prints the API calls made per command next to the minimum the work requires, and the wall time.
 * It is a script that prints figures, not a timed test.
 *
 *   node --require ts-node/register/transpile-only bench/reconcile-bench.ts \
 *     [--clusters 200] [--snapshots 300] [--latency-ms 2] [--concurrency 4] [--throttle-every 0]
 *
 * Estate: every cluster has `--snapshots` of our snapshots, one per 12-hour window going back in time, and
 * its own KMS key (Redshift allows 100 share authorizations per key). Of the newest four, three are shared
 * (the second newest is not: a missed share); older ones are not shared, except the three oldest. Those
 * older than the retention (145 days: the oldest 11 per cluster) are expired (the shared ones need their
 * revokes, then a delete). Two runs are measured: the first catches up (create, share the newest
 * `shareLatest`, unshare the rest, revoke + delete the expired), the second is the steady state one window later.
 */
import { SNSClient } from "@aws-sdk/client-sns";
import { FakeRedshift } from "../testing/fake-redshift";
import { ManualClock } from "../testing/manual-clock";
import { PAGE_SIZE } from "../functions/lib/listing";
import { windowSnapshotId, windowStart } from "../functions/lib/naming";
import { ownershipTags } from "../functions/lib/ownership";
import { reconcile } from "../functions/lib/reconcile";
import type { ReconcileReport } from "../functions/lib/report";
import type { Logger } from "../functions/lib/runtime";
import { snapshotManagerSettings, type SnapshotManagerSettings } from "../functions/lib/settings";

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const raw = i >= 0 ? process.argv[i + 1] : process.env[`BENCH_${name.toUpperCase().replace(/-/g, "_")}`];
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) throw new Error(`--${name}: ${JSON.stringify(raw)} is not a non-negative number`);
  return n;
}

const CLUSTERS = arg("clusters", 200);
const SNAPSHOTS = arg("snapshots", 300);
const LATENCY_MS = arg("latency-ms", 2);
const CONCURRENCY = arg("concurrency", 4);
const THROTTLE_EVERY = arg("throttle-every", 0);

const SOURCE = "111111111111";
const DR = "222222222222";
const WINDOW_MIN = 720;
const RETENTION_DAYS = 145;
const KEEP_LATEST = 3;
const SHARE_LATEST = 2;
const MANAGED_BY = "rsdr-bench";
const HOUR = 3_600_000;

/** A client whose every call is counted and answered locally (no network). */
function stubClient<T extends object>(client: T, counter: Record<string, number>, name: string): T {
  (client as unknown as { send: () => Promise<unknown> }).send = () => {
    counter[name] = (counter[name] ?? 0) + 1;
    return Promise.resolve({});
  };
  return client;
}

const quietLog: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };

interface Expected {
  describePages: number;
  create: number;
  authorize: number;
  /** Revokes before deletion, and revokes from kept snapshots beyond the newest shareLatest. */
  revoke: number;
  delete: number;
}

function expectedWork(fake: FakeRedshift, clusters: string[], now: Date, s: SnapshotManagerSettings): Expected {
  const cutoff = now.getTime() - s.retentionDays * 24 * HOUR;
  const e: Expected = { describePages: 0, create: 0, authorize: 0, revoke: 0, delete: 0 };
  const windowIso = windowStart(now, s.windowMinutes).toISOString();
  for (const cluster of clusters) {
    const ours = [...fake.snapshots.values()].filter((x) => x.cluster === cluster);
    e.describePages += Math.max(1, Math.ceil(ours.length / PAGE_SIZE));
    if (!ours.some((x) => x.tags.find((t) => t.Key === "rsdr:window")?.Value === windowIso)) e.create++;
    const available = ours.filter((x) => fake.statusOf(x) === "available").sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
    const expired = available.slice(s.keepLatest).filter((x) => x.createdAt.getTime() < cutoff);
    const expiredIds = new Set(expired.map((x) => x.id));
    for (const x of expired) {
      e.revoke += x.accounts.length;
      e.delete++;
    }
    const kept = available.filter((x) => !expiredIds.has(x.id));
    kept.forEach((x, rank) => {
      if (rank < s.shareLatest && !x.accounts.includes(DR)) e.authorize++;
      if (rank >= s.shareLatest && x.accounts.includes(DR)) e.revoke++;
    });
  }
  return e;
}

async function measure(label: string, fake: FakeRedshift, clock: ManualClock, s: SnapshotManagerSettings): Promise<ReconcileReport> {
  const expected = expectedWork(fake, [...s.clusterIdentifiers], clock.now(), s);
  fake.resetCounters();
  const other: Record<string, number> = {};
  const started = process.hrtime.bigint();
  const report = await reconcile(
    {
      redshift: fake.client({ latencyMs: LATENCY_MS }),
      sns: stubClient(new SNSClient({ region: "eu-west-1" }), other, "Publish"),
      metrics: (points) => {
        other.metricPoints = (other.metricPoints ?? 0) + points.length;
      },
      clock,
      log: quietLog,
    },
    s,
  );
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  const rows: Array<[string, number, number | string]> = [
    ["DescribeClusterSnapshots", fake.calls.DescribeClusterSnapshots ?? 0, expected.describePages],
    ["CreateClusterSnapshot", fake.calls.CreateClusterSnapshot ?? 0, expected.create],
    ["AuthorizeSnapshotAccess", fake.calls.AuthorizeSnapshotAccess ?? 0, expected.authorize],
    ["RevokeSnapshotAccess", fake.calls.RevokeSnapshotAccess ?? 0, expected.revoke],
    ["DeleteClusterSnapshot", fake.calls.DeleteClusterSnapshot ?? 0, expected.delete],
    ["metric points (EMF, no call)", other.metricPoints ?? 0, "-"],
    ["Publish (SNS)", other.Publish ?? 0, "-"],
  ];
  const redshiftCalls = rows.slice(0, 5).reduce((n, r) => n + r[1], 0);
  const minimum = rows.slice(0, 5).reduce((n, r) => n + (r[2] as number), 0);
  console.log(`\n== ${label} ==`);
  console.log(`${"command".padEnd(28)} ${"calls".padStart(8)} ${"minimum".padStart(8)} ${"extra".padStart(7)}`);
  for (const [name, calls, min] of rows) {
    const extra = typeof min === "number" ? String(calls - min) : "-";
    console.log(`${name.padEnd(28)} ${String(calls).padStart(8)} ${String(min).padStart(8)} ${extra.padStart(7)}`);
  }
  console.log(`${"Redshift total".padEnd(28)} ${String(redshiftCalls).padStart(8)} ${String(minimum).padStart(8)} ${String(redshiftCalls - minimum).padStart(7)}`);
  console.log(
    `wall time ${(wallMs / 1000).toFixed(2)} s; ${Math.round((redshiftCalls / wallMs) * 1000)} Redshift calls/s;` +
      ` failed clusters ${report.failedClusters.length}; created ${sum(report, (c) => c.created.length)},` +
      ` shared ${sum(report, (c) => c.shared.length)}, unshared ${sum(report, (c) => c.unshared.length)},` +
      ` revoked ${sum(report, (c) => c.revoked.length)}, deleted ${sum(report, (c) => c.deleted.length)}`,
  );
  if (report.failedClusters.length > 0) console.log(`first failure: ${report.clusters.find((c) => c.failed)?.error}`);
  return report;
}

function sum(report: ReconcileReport, f: (c: ReconcileReport["clusters"][number]) => number): number {
  return report.clusters.reduce((n, c) => n + f(c), 0);
}

async function main(): Promise<void> {
  const clock = new ManualClock("2026-11-26T12:05:00Z");
  const fake = new FakeRedshift({ clock, ownerAccountId: SOURCE, creationDelayMs: 0, manualSnapshotQuota: CLUSTERS * SNAPSHOTS + 10 * CLUSTERS });
  fake.keepLog = false;
  const clusters = Array.from({ length: CLUSTERS }, (_, i) => `cluster-${String(i).padStart(3, "0")}`);
  const seedStarted = Date.now();
  const firstWindow = windowStart(clock.now(), WINDOW_MIN).getTime();
  for (const cluster of clusters) {
    fake.addCluster(cluster, { kmsKeyId: `key-of-${cluster}` });
    for (let k = 1; k <= SNAPSHOTS; k++) {
      const start = new Date(firstWindow - k * WINDOW_MIN * 60_000);
      fake.seed({
        id: windowSnapshotId("rsdr", cluster, start),
        cluster,
        createdAt: new Date(start.getTime() + 60_000),
        tags: ownershipTags({ managedBy: MANAGED_BY, clusterIdentifier: cluster, windowStart: start, drAccountIds: [DR] }),
        accounts: (k <= 4 && k !== 2) || k > SNAPSHOTS - 3 ? [DR] : [],
      });
    }
  }
  const settings = snapshotManagerSettings({
    clusterIdentifiers: clusters,
    drAccountIds: [DR],
    windowMinutes: WINDOW_MIN,
    retentionDays: RETENTION_DAYS,
    keepLatest: KEEP_LATEST,
    shareLatest: SHARE_LATEST,
    snapshotPrefix: "rsdr",
    managedBy: MANAGED_BY,
    alertTopicArn: "arn:aws:sns:eu-west-1:111111111111:bench",
    metricNamespace: "RedshiftDRBench",
    concurrency: CONCURRENCY,
  });
  fake.throttleEvery = THROTTLE_EVERY;
  console.log(
    `estate: ${CLUSTERS} clusters x ${SNAPSHOTS} snapshots (${CLUSTERS * SNAPSHOTS} in the fake, seeded in ${Date.now() - seedStarted} ms);` +
      ` ${LATENCY_MS} ms per Redshift call; concurrency ${CONCURRENCY}; page size ${PAGE_SIZE};` +
      ` retention ${RETENTION_DAYS} d, keep ${KEEP_LATEST}, share ${SHARE_LATEST}; throttle every ${THROTTLE_EVERY || "never"}` +
      `\nminimum: ceil(snapshots/${PAGE_SIZE}) DescribeClusterSnapshots pages per cluster, one create per cluster and window,` +
      ` one AuthorizeSnapshotAccess per missing (snapshot, account) among the newest ${SHARE_LATEST} kept, one RevokeSnapshotAccess` +
      ` per authorization of an expired snapshot or of a kept one beyond the newest ${SHARE_LATEST}, one DeleteClusterSnapshot per expired snapshot`,
  );
  await measure("run 1: catch-up (create, share backlog, revoke + delete expired)", fake, clock, settings);
  clock.advance(WINDOW_MIN * 60_000);
  await measure("run 2: steady state, next window", fake, clock, settings);
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
