// `drill run`: one restore drill of a configured cluster, on demand, through the same core as the scheduled drill
// function (functions/lib/drill.ts): it starts a drill now (or advances the one running), and with --wait moves it on
// every --poll-seconds until it has its report and the drill cluster is deleted, then prints the report. It acts in
// the DR account (the restore operator role holds the drill's permissions) and writes the report to the same bucket.
import { InvalidArgumentError, type Command } from "commander";
import { sharedSnapshotKeyArn } from "../../config/cross-region-rules";
import { drillTargetOf } from "../../config/drill-rules";
import { drBackupVaultName, drillReportBucketName } from "../../config/names";
import { runDrills, type DrillOutcome, type DrillReport } from "../../functions/lib/drill";
import { partitionOf } from "../../functions/lib/restore";
import { memoryLogger } from "../../functions/lib/runtime";
import { SettingsError } from "../../functions/lib/settings";
import { drDataKeyAliasArn, drRestoreNetworkName } from "../../stacks/names";
import type { CliContext } from "../context";
import { EXIT, UsageError } from "../exit";
import type { RegisterCommands } from "./index";

interface DrillRunOptions {
  readonly cluster: string;
  readonly wait?: boolean;
  readonly pollSeconds: number;
  readonly timeoutMinutes: number;
  readonly json?: boolean;
}

const positive = (what: string) => (value: string) => {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`${what} must be a number above 0`);
  return n;
};

/** How --wait sleeps between steps; tests replace it. */
export const DRILL_POLLING = { sleep: (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms)) };

/** Actions after which a drill needs another step (and --wait keeps going). */
const IN_PROGRESS = new Set<DrillOutcome["action"]>(["started", "waiting", "copying", "deleting"]);

function describeOutcome(o: DrillOutcome): string {
  const where = o.drillCluster ? ` ${o.drillCluster}` : "";
  switch (o.action) {
    case "started":
      return `drill started: restoring${where}`;
    case "waiting":
      return `drill${where}: ${o.step ?? "in progress"}`;
    case "copying":
      return `drill${where}: taking the DR-owned copy`;
    case "recorded":
      return `drill recorded: ${o.report?.result ?? "?"}${o.report?.failure ? ` at ${o.report.failure.step}: ${o.report.failure.message}` : ""}`;
    case "deleted":
      return `drill cluster${where} deleted${o.report ? ` (result ${o.report.result})` : ""}`;
    case "not-due":
      return "no drill running";
    default:
      return `drill${where}: ${o.action}${o.error ? `: ${o.error}` : ""}`;
  }
}

async function drillRun(ctx: CliContext, o: DrillRunOptions): Promise<number> {
  const estate = ctx.estate;
  const { source, cluster } = ctx.cluster(o.cluster);
  if (!cluster.drill) throw new UsageError(`--cluster ${o.cluster}: no drill is configured (sources[].clusters[].drill in ${ctx.configFile})`);
  const dr = ctx.drTarget();
  const io = ctx.io;
  ctx.announce(dr, `restore drill of ${cluster.identifier} (source ${source.name}, account ${source.accountId})`);
  const vaultName = estate.dr.backup && source.backup.enabled ? drBackupVaultName(estate.project, estate.dr.backup.vaultName) : undefined;
  const settings = {
    drills: [drillTargetOf(source, cluster, partitionOf(dr.region), sharedSnapshotKeyArn(source, cluster))],
    drAccountId: dr.accountId,
    region: dr.region,
    snapshotPrefix: estate.project,
    managedBy: estate.project,
    subnetGroupName: drRestoreNetworkName(estate),
    securityGroupName: drRestoreNetworkName(estate),
    kmsKeyArn: drDataKeyAliasArn(estate, partitionOf(dr.region)),
    reportBucket: drillReportBucketName(estate.project, estate.dr.accountId, estate.dr.region),
    ...(vaultName ? { backupVaultName: vaultName } : {}),
  };
  const deps = {
    redshift: ctx.clients.redshift(dr),
    data: ctx.clients.redshiftData(dr),
    s3: ctx.clients.s3(dr),
    ec2: ctx.clients.ec2(dr),
    kms: ctx.clients.kms(dr),
    ...(vaultName ? { backup: ctx.clients.backup(dr) } : {}),
    clock: { now: () => io.now() },
    log: memoryLogger(),
  };
  const startedAt = io.now();
  let report: DrillReport | undefined;
  let last: DrillOutcome | undefined;
  // The first run may start a drill (force); later ones only move it on, so a finished drill is not started again.
  for (let first = true; ; first = false) {
    let outcome: DrillOutcome | undefined;
    try {
      outcome = (await runDrills(deps, settings, { only: cluster.identifier, force: first })).drills[0];
    } catch (e) {
      if (e instanceof SettingsError) throw new UsageError(e.message);
      throw e;
    }
    if (outcome && (outcome.action !== last?.action || outcome.step !== last?.step)) io.err(describeOutcome(outcome));
    last = outcome;
    report ??= outcome?.report;
    if (!outcome || outcome.action === "error" || outcome.action === "blocked") {
      io.err(`error: drill of ${cluster.identifier} in account ${dr.accountId} (${dr.region}) as ${dr.identity}: ${outcome?.error ?? "no outcome"}`);
      return EXIT.failed;
    }
    if (!o.wait || !IN_PROGRESS.has(outcome.action)) break;
    if (io.now().getTime() - startedAt.getTime() > o.timeoutMinutes * 60_000) {
      io.err(`still ${outcome.step ?? outcome.action} after ${o.timeoutMinutes} minutes: the drill goes on; run this again, or let the scheduled drill function finish it`);
      return EXIT.failed;
    }
    await DRILL_POLLING.sleep(o.pollSeconds * 1000);
  }
  if (report) {
    io.out(o.json ? JSON.stringify(report, null, 2) : formatReport(report, settings.reportBucket));
    return report.result === "passed" ? EXIT.ok : EXIT.failed;
  }
  if (!o.wait && last) {
    const note = "run with --wait to follow it to its report, or let the scheduled drill function move it on";
    io.out(o.json ? JSON.stringify({ action: last.action, step: last.step ?? null, drillCluster: last.drillCluster ?? null, note }, null, 2) : `${describeOutcome(last)}; ${note}`);
  }
  return EXIT.ok;
}

function formatReport(r: DrillReport, bucket: string): string {
  const minutes = (s: number | null) => (s === null ? "-" : `${(s / 60).toFixed(1)} min`);
  return [
    `result: ${r.result}${r.failure ? ` (${r.failure.step}: ${r.failure.message})` : ""}`,
    `recovery point: ${r.recoveryPoint ? `${r.recoveryPoint.kind} ${r.recoveryPoint.ref}, data from ${r.recoveryPoint.dataTime ?? "?"}` : "-"}`,
    `drill cluster: ${r.drillCluster ?? "-"}`,
    `to available: ${minutes(r.measured.secondsToAvailable)}; RTO (to validated): ${minutes(r.measured.totalSeconds)}`,
    ...(r.validation?.tables.length ? [`rows: ${r.validation.tables.map((t) => `${t.table} ${t.rowCount}`).join(", ")}`] : []),
    ...(r.drOwnedCopy ? [`DR-owned copy: ${r.drOwnedCopy.snapshotIdentifier}`] : []),
    `report: s3://${bucket}/drills/${r.source.accountId}/${r.source.clusterIdentifier}/`,
  ].join("\n");
}

export const registerDrillCommands: RegisterCommands = (program: Command, registrar) => {
  const drill = program.command("drill").description("Restore drills in the DR account");
  const run = drill
    .command("run")
    .description(
      "Run a restore drill of a cluster now: restore its newest recovery point into <project>-drill-<cluster>-<stamp>, validate it with the Data API, " +
        "write the report, keep a DR-owned copy when configured, delete the drill cluster",
    )
    .requiredOption("--cluster <id>", "the source cluster, as the config names it (it needs sources[].clusters[].drill)")
    .option("--wait", "move the drill on until it has its report and the drill cluster is deleted; print the report")
    .option("--poll-seconds <n>", "with --wait: seconds between steps", positive("--poll-seconds"), 30)
    .option("--timeout-minutes <n>", "with --wait: give up waiting after this long (the drill goes on)", positive("--timeout-minutes"), 240)
    .option("--json", "print the report as JSON on stdout")
    .addHelpText("after", ["", "Examples:", "  $ redshift-backup --use-config-roles drill run --cluster analytics-prod --wait"].join("\n"));
  registrar.action<DrillRunOptions>(run, (ctx, options) => drillRun(ctx, options));
};
