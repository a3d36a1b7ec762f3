/**
 * Restore drills in the DR account, as a reconciler: each run moves every configured drill one or more steps and
 * stops where it would have to wait. The state lives in AWS, so runs are short, repeatable and resumable:
 * - on the drill cluster, in its tags (contract: TAG_DRILL_*): which source cluster, when it started, what was
 *   restored, the step, the Data API statement, the result;
 * - in the report bucket: one report per finished drill, `drills/<account>/<cluster>/<stamp>-<result>.json`; the
 *   newest says when the last drill started, so whether the next is due.
 *
 * The steps of one drill:
 *   start      choose the newest recovery point (restore.ts, as the CLI), restore it into `<prefix>-drill-<cluster>-
 *              <stamp>` in the DR subnet group under the DR key, tag it                      -> restoring
 *   restoring  wait for `available`; then run the validation SQL through the Data API          -> validating
 *   validating wait for the statement; row counts of the configured tables (none empty), or `select 1`
 *   result     write the report, metrics and an SNS message; tag the result; then, when the drill passed and keeps a
 *              DR-owned copy, snapshot the drill cluster                                        -> copying
 *   copying    wait for the copy to be available
 *   delete     delete the drill cluster (no final snapshot)
 * A failure at any step records a failed result and still deletes the cluster. A drill cluster older than its
 * limit is always deleted. A cluster that is not tagged as our drill is never touched, even with a drill name.
 */
import type { BackupClient } from "@aws-sdk/client-backup";
import type { EC2Client } from "@aws-sdk/client-ec2";
import type { KMSClient } from "@aws-sdk/client-kms";
import {
  CreateClusterSnapshotCommand,
  CreateTagsCommand,
  DeleteClusterCommand,
  DeleteClusterSnapshotCommand,
  DescribeClusterSnapshotsCommand,
  paginateDescribeClusters,
  type Cluster,
  type RedshiftClient,
  type Tag,
} from "@aws-sdk/client-redshift";
import { DescribeStatementCommand, ExecuteStatementCommand, GetStatementResultCommand, type RedshiftDataClient } from "@aws-sdk/client-redshift-data";
import { GetObjectCommand, paginateListObjectsV2, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import type { SNSClient } from "@aws-sdk/client-sns";
import {
  drillClusterPrefix,
  drillReportKeyPrefix,
  DRILL_STEPS,
  drOwnedCopyPrefix,
  METRIC_DIMENSIONS,
  RESTORE_DRILL_METRICS,
  TAG_CLUSTER,
  TAG_DATA_TIME,
  TAG_DRILL_AVAILABLE,
  TAG_DRILL_POINT,
  TAG_DRILL_RESULT,
  TAG_DRILL_STARTED,
  TAG_DRILL_STATEMENT,
  TAG_DRILL_STEP,
  TAG_MANAGED_BY,
  TAG_SOURCE_ACCOUNT,
  windowStamp,
  type DrillStep,
  type DrillTarget,
} from "../../contract";
import { drillSettingsProblems, TABLE_NAME } from "./drill-settings";
import { classifyError, errorCode, errorMessage } from "./errors";
import type { MetricPoint, MetricsSink } from "./metrics";
import { listDrOwnedCopies, type DrOwnedCopy } from "./dr-owned-copies";
import { attemptReport, publishAlert, round } from "./report";
import {
  chooseRecoveryPoint,
  findRestoreSecurityGroup,
  partitionOf,
  resolveKmsKeyArn,
  RESTORE_FAILED_STATES,
  RestoreCallError,
  sharedKeyProblem,
  stampedClusterName,
  startRestore,
  type RecoveryPoint,
} from "./restore";
import type { Clock, Logger } from "./runtime";
import { SettingsError } from "./settings";

export interface DrillDeps {
  readonly redshift: RedshiftClient;
  readonly data: RedshiftDataClient;
  readonly s3: S3Client;
  /** Reads the DR vault; needed when a drill may restore a copy from it. */
  readonly backup?: BackupClient;
  /** Finds the DR restore security group; without it the drill cluster gets the VPC's default group. */
  readonly ec2?: EC2Client;
  /** Resolves the DR key when it is given as an alias. */
  readonly kms?: KMSClient;
  readonly sns?: SNSClient;
  readonly metrics?: MetricsSink;
  readonly clock: Clock;
  readonly log: Logger;
}

export interface DrillSettings {
  readonly drills: readonly DrillTarget[];
  readonly drAccountId: string;
  /** The DR region: drill clusters' ARNs. */
  readonly region: string;
  /** Project prefix: drill clusters `<prefix>-drill-...`, copies `<prefix>-drcopy-...`, source snapshot ids. */
  readonly snapshotPrefix: string;
  readonly managedBy: string;
  readonly subnetGroupName: string;
  /** The DR restore security group's name, looked up in the subnet group's VPC. @default none: the VPC default */
  readonly securityGroupName?: string;
  /** The DR key (ARN, or an alias resolved with KMS). */
  readonly kmsKeyArn: string;
  readonly reportBucket: string;
  /** The DR vault; without it only shared snapshots are drilled. */
  readonly backupVaultName?: string;
  readonly alertTopicArn?: string;
}

export interface RunOptions {
  /** Only this source cluster (the CLI's `drill run --cluster`). */
  readonly only?: string;
  /** Start a drill for `only` now, due or not (never while one is running). */
  readonly force?: boolean;
}

/** One validated table. */
export interface TableCount {
  readonly table: string;
  readonly rowCount: number;
}

/** The JSON report of one drill, written to `drills/<account>/<cluster>/<stamp>-<result>.json`. */
export interface DrillReport {
  readonly drillCluster: string | null;
  readonly source: { readonly accountId: string; readonly region: string; readonly clusterIdentifier: string };
  readonly result: "passed" | "failed";
  /** The step that failed and why (failed drills). */
  readonly failure?: { readonly step: DrillStep | "start"; readonly message: string };
  readonly recoveryPoint: { readonly kind: string; readonly ref: string; readonly dataTime: string | null; readonly ageHoursAtStart: number | null } | null;
  readonly target: { readonly nodeType: string | null; readonly numberOfNodes: number | null; readonly subnetGroupName: string };
  /** The measured steps: when each happened, and seconds since the restore was requested. */
  readonly steps: readonly { readonly step: string; readonly at: string; readonly secondsFromStart: number }[];
  readonly measured: {
    /** From the restore request to the first check that saw the cluster available. */
    readonly secondsToAvailable: number | null;
    /** Redshift's own figure for the restore (RestoreStatus.ElapsedTimeInSeconds), when it gives one. */
    readonly restoreElapsedSeconds: number | null;
    /** From the restore request to the end of the validation: the measured RTO (passed drills). */
    readonly totalSeconds: number | null;
  };
  readonly validation: { readonly database: string; readonly sql: string; readonly statementId: string | null; readonly tables: readonly TableCount[] } | null;
  /** The DR-owned copy this drill keeps (passed drills with drOwnedCopy). */
  readonly drOwnedCopy: { readonly snapshotIdentifier: string; readonly retentionDays: number } | null;
  readonly recordedAt: string;
}

export type DrillAction =
  | "not-due"
  | "started"
  | "waiting"
  | "recorded"
  | "copying"
  | "deleted"
  | "deleting"
  /** A cluster with this drill's name but not our tags exists: nothing is started until someone removes it. */
  | "blocked"
  | "error";

export interface DrillOutcome {
  readonly accountId: string;
  readonly clusterIdentifier: string;
  readonly action: DrillAction;
  readonly drillCluster?: string;
  readonly step?: DrillStep;
  /** The report written by this run, if the drill got its result now. */
  readonly report?: DrillReport;
  /** An AWS call that failed (the invocation fails; the next run retries). */
  readonly error?: string;
}

export interface DrillRunReport {
  readonly drills: DrillOutcome[];
  /** Clusters with the drill prefix but without our tags: never touched, reported. */
  readonly untouched: string[];
  /** Our drill clusters of a source that is no longer configured: deleted. */
  readonly orphansDeleted: string[];
  /** DR-owned copies deleted by their retention. */
  readonly copiesDeleted: string[];
  readonly metrics: "published" | "skipped" | "failed";
  readonly reportingErrors: string[];
}

// ---------------------------------------------------------------------------------------------------
// Naming and validation SQL

/** A drill cluster's id: `<prefix>-drill-<cluster>-<yyyymmddthhmmz>`. */
export const drillClusterName = (snapshotPrefix: string, sourceCluster: string, at: Date) =>
  stampedClusterName(drillClusterPrefix(snapshotPrefix), sourceCluster, at);

/** The DR-owned copy a drill started at `startedAt` keeps: deterministic, so a repeated run finds it. */
export const drOwnedCopyName = (snapshotPrefix: string, sourceCluster: string, startedAt: Date) =>
  `${drOwnedCopyPrefix(snapshotPrefix)}${sourceCluster}-${windowStamp(startedAt)}`;

/** The validation statement: row counts of `tables`, one row each, or `select 1`. */
export function validationSql(tables: readonly string[]): string {
  if (tables.length === 0) return "select 1";
  for (const t of tables) if (!TABLE_NAME.test(t)) throw new Error(`validation table ${JSON.stringify(t)} is not a schema.table name`);
  return tables.map((t) => `select '${t}' as table_name, count(*) as row_count from ${t}`).join(" union all ");
}

const HOUR_MS = 3_600_000;
const tagOf = (tags: readonly Tag[] | undefined, key: string) => tags?.find((t) => t.Key === key)?.Value;
const parseTime = (v: string | undefined) => {
  const t = v ? new Date(v) : undefined;
  return t && !Number.isNaN(t.getTime()) ? t : undefined;
};
const secondsBetween = (from: Date, to: Date) => Math.round((to.getTime() - from.getTime()) / 1000);
const describe = (err: unknown) => {
  const c = classifyError(err);
  return `${c.kind}/${c.code}: ${errorMessage(err)}`;
};
const targetKey = (accountId: string, cluster: string) => `${accountId}/${cluster}`;

/** A drill cluster as its tags describe it. */
interface DrillCluster {
  readonly cluster: Cluster;
  readonly id: string;
  readonly accountId: string;
  readonly sourceCluster: string;
  readonly startedAt: Date;
  step: DrillStep;
  availableAt?: Date;
  readonly point?: string;
  readonly dataTime?: Date;
  statementId?: string;
  result?: "passed" | "failed";
}

/** Our drill cluster, or undefined: the drill prefix AND our managed-by tag AND the source and start tags. */
export function asOurDrill(cluster: Cluster, settings: Pick<DrillSettings, "snapshotPrefix" | "managedBy">): DrillCluster | undefined {
  const id = cluster.ClusterIdentifier ?? "";
  const tags = cluster.Tags;
  const accountId = tagOf(tags, TAG_SOURCE_ACCOUNT);
  const sourceCluster = tagOf(tags, TAG_CLUSTER);
  const startedAt = parseTime(tagOf(tags, TAG_DRILL_STARTED));
  if (!id.startsWith(drillClusterPrefix(settings.snapshotPrefix)) || tagOf(tags, TAG_MANAGED_BY) !== settings.managedBy) return undefined;
  if (!accountId || !sourceCluster || !startedAt) return undefined;
  const step = tagOf(tags, TAG_DRILL_STEP) as DrillStep | undefined;
  const result = tagOf(tags, TAG_DRILL_RESULT);
  return {
    cluster,
    id,
    accountId,
    sourceCluster,
    startedAt,
    step: step && (DRILL_STEPS as readonly string[]).includes(step) ? step : "restoring",
    availableAt: parseTime(tagOf(tags, TAG_DRILL_AVAILABLE)),
    point: tagOf(tags, TAG_DRILL_POINT),
    dataTime: parseTime(tagOf(tags, TAG_DATA_TIME)),
    statementId: tagOf(tags, TAG_DRILL_STATEMENT),
    result: result === "passed" || result === "failed" ? result : undefined,
  };
}

// ---------------------------------------------------------------------------------------------------
// The run

/** One run over every configured drill (or only `options.only`). */
export async function runDrills(deps: DrillDeps, settings: DrillSettings, options: RunOptions = {}): Promise<DrillRunReport> {
  const problems = drillSettingsProblems(settings);
  if (problems.length) throw new SettingsError(problems);
  if (options.only && !settings.drills.some((t) => t.clusterIdentifier === options.only)) {
    throw new SettingsError([`cluster ${JSON.stringify(options.only)} has no drill configured: one of ${settings.drills.map((t) => t.clusterIdentifier).join(", ") || "(none)"}`]);
  }
  const prefix = drillClusterPrefix(settings.snapshotPrefix);
  const clusters: Cluster[] = [];
  for await (const page of paginateDescribeClusters({ client: deps.redshift, pageSize: 100 }, {})) clusters.push(...(page.Clusters ?? []));
  const named = clusters.filter((c) => c.ClusterIdentifier?.startsWith(prefix));
  const ours = new Map<string, DrillCluster[]>();
  const untouched: string[] = [];
  const untouchedClusters: Cluster[] = [];
  for (const c of named) {
    const drill = asOurDrill(c, settings);
    if (!drill) {
      untouched.push(c.ClusterIdentifier!);
      untouchedClusters.push(c);
      deps.log.warn("drill-cluster-not-ours", { cluster: c.ClusterIdentifier, note: "named like a drill but not tagged as ours: never touched" });
      continue;
    }
    const key = targetKey(drill.accountId, drill.sourceCluster);
    ours.set(key, [...(ours.get(key) ?? []), drill]);
  }

  const points: MetricPoint[] = [];
  const run = new DrillRun(deps, settings, points);
  const targets = settings.drills.filter((t) => !options.only || t.clusterIdentifier === options.only);
  const outcomes: DrillOutcome[] = [];
  for (const target of targets) {
    const live = (ours.get(targetKey(target.accountId, target.clusterIdentifier)) ?? []).filter((d) => d.cluster.ClusterStatus !== "deleting");
    // This target's drill names (the cluster part may be cut to fit 63), each followed by exactly a stamp.
    const stem = drillClusterName(settings.snapshotPrefix, target.clusterIdentifier, new Date(0)).slice(0, -"-19700101t0000z".length);
    const blockedBy = untouchedClusters.find((c) => {
      const id = c.ClusterIdentifier!;
      return id.startsWith(`${stem}-`) && /^\d{8}t\d{4}z$/.test(id.slice(stem.length + 1));
    });
    outcomes.push(await run.reconcile(target, live, blockedBy, options.force === true && options.only === target.clusterIdentifier));
  }

  // A drill of a source no longer configured: nothing judges it any more, so it goes (it is ours: tagged so).
  const configured = new Set(settings.drills.map((t) => targetKey(t.accountId, t.clusterIdentifier)));
  const orphansDeleted: string[] = [];
  if (!options.only) {
    for (const [key, drills] of ours) {
      if (configured.has(key)) continue;
      for (const d of drills.filter((x) => x.cluster.ClusterStatus !== "deleting")) {
        try {
          await run.deleteDrillCluster(d);
          orphansDeleted.push(d.id);
        } catch (err) {
          outcomes.push({ accountId: d.accountId, clusterIdentifier: d.sourceCluster, action: "error", drillCluster: d.id, error: `delete orphan: ${describe(err)}` });
        }
      }
    }
  }

  const copiesDeleted = await run.enforceCopyRetention(targets, outcomes);

  const reportingErrors: string[] = [];
  let metrics: DrillRunReport["metrics"] = "skipped";
  if (points.length > 0 && deps.metrics) {
    const sink = deps.metrics;
    metrics = await attemptReport("metrics", reportingErrors, () => sink(points, deps.clock.now()), { log: deps.log, event: "metrics-not-published" });
  }
  reportingErrors.push(...run.reportingErrors);
  return { drills: outcomes, untouched, orphansDeleted, copiesDeleted, metrics, reportingErrors };
}

class DrillRun {
  readonly reportingErrors: string[] = [];

  constructor(
    private readonly deps: DrillDeps,
    private readonly settings: DrillSettings,
    private readonly points: MetricPoint[],
  ) {}

  private now(): Date {
    return this.deps.clock.now();
  }

  private dimensions(t: Pick<DrillTarget, "accountId" | "clusterIdentifier">) {
    return { [METRIC_DIMENSIONS.sourceAccount]: t.accountId, [METRIC_DIMENSIONS.cluster]: t.clusterIdentifier };
  }

  private clusterArn(id: string): string {
    const s = this.settings;
    return `arn:${partitionOf(s.region)}:redshift:${s.region}:${s.drAccountId}:cluster:${id}`;
  }

  private async tag(id: string, tags: Record<string, string>): Promise<void> {
    await this.deps.redshift.send(new CreateTagsCommand({ ResourceName: this.clusterArn(id), Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) }));
  }

  /** One target: advance its live drill, or start one when due. AWS errors end this target's turn, not the run. */
  async reconcile(target: DrillTarget, live: DrillCluster[], blockedBy: Cluster | undefined, force: boolean): Promise<DrillOutcome> {
    const base = { accountId: target.accountId, clusterIdentifier: target.clusterIdentifier };
    try {
      const { reports, pending } = await this.listReports(target);
      const lastPassed = reports.filter((r) => r.result === "passed").at(-1);
      if (lastPassed) {
        this.points.push({
          name: RESTORE_DRILL_METRICS.hoursSinceLastPassed,
          unit: "None",
          value: round((this.now().getTime() - lastPassed.startedAt.getTime()) / HOUR_MS, 3),
          dimensions: this.dimensions(target),
        });
      }
      if (live.length > 0) {
        // One drill per target at a time; a second (from an overlapping manual run) is advanced the same way.
        let outcome: DrillOutcome | undefined;
        for (const d of live) outcome = await this.advance(target, d, reports);
        return outcome!;
      }
      if (blockedBy) {
        const adopted = await this.adopt(target, blockedBy, pending);
        if (adopted) return await this.advance(target, adopted, reports);
        const id = blockedBy.ClusterIdentifier!;
        this.deps.log.error("drill-blocked", { ...base, cluster: id, note: "a cluster with this drill's name is not tagged as ours; remove or tag it" });
        return { ...base, action: "blocked", drillCluster: id, error: `cluster ${id} is named like this drill but not tagged as ours: not touched; no drill starts until it is gone` };
      }
      const last = reports.at(-1);
      const due = !last || this.now().getTime() - last.startedAt.getTime() >= target.everyHours * HOUR_MS;
      if (!due && !force) return { ...base, action: "not-due" };
      return await this.start(target);
    } catch (err) {
      const error = describe(err);
      this.deps.log.error("drill-error", { ...base, error });
      return { ...base, action: "error", error };
    }
  }

  /**
   * Reports of this target, oldest first, read from their keys (`<stamp>-<result>.json`), and the keys of its
   * restore markers (`pending/<stamp>.json`, written just before each restore).
   */
  private async listReports(target: DrillTarget): Promise<{ reports: { startedAt: Date; result: "passed" | "failed" }[]; pending: string[] }> {
    const reports: { startedAt: Date; result: "passed" | "failed" }[] = [];
    const pending: string[] = [];
    const prefix = drillReportKeyPrefix(target.accountId, target.clusterIdentifier);
    for await (const page of paginateListObjectsV2({ client: this.deps.s3 }, { Bucket: this.settings.reportBucket, Prefix: prefix })) {
      for (const o of page.Contents ?? []) {
        const rest = (o.Key ?? "").slice(prefix.length);
        const m = /^(\d{4})(\d{2})(\d{2})t(\d{2})(\d{2})z-(passed|failed)\.json$/.exec(rest);
        if (m) reports.push({ startedAt: new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5])), result: m[6] as "passed" | "failed" });
        if (/^pending\/\d{8}t\d{4}z\.json$/.test(rest)) pending.push(o.Key!);
      }
    }
    return { reports: reports.sort((a, b) => a.startedAt.getTime() - b.startedAt.getTime()), pending };
  }

  /**
   * A cluster of ours whose tags never came (the run died, or the tagging failed, right after the restore): it has
   * exactly the drill name a restore marker of ours names, no managed-by tag of anyone, and it was created after the
   * marker. Then it is tagged as the marker says and the drill goes on. Anything else stays untouched.
   */
  private async adopt(target: DrillTarget, cluster: Cluster, pending: readonly string[]): Promise<DrillCluster | undefined> {
    const id = cluster.ClusterIdentifier!;
    if (tagOf(cluster.Tags, TAG_MANAGED_BY) !== undefined) return undefined;
    const key = pending.find((k) => k.endsWith(`pending/${id.slice(-windowStamp(new Date(0)).length)}.json`));
    if (!key) return undefined;
    const body = await (await this.deps.s3.send(new GetObjectCommand({ Bucket: this.settings.reportBucket, Key: key }))).Body?.transformToString();
    const marker = JSON.parse(body ?? "{}") as Partial<Record<"drillCluster" | "requestedAt" | "point" | "dataTime", string>>;
    const requestedAt = parseTime(marker.requestedAt);
    const created = cluster.ClusterCreateTime;
    if (marker.drillCluster !== id || !requestedAt || !marker.point || (created && created.getTime() < requestedAt.getTime() - 5 * 60_000)) return undefined;
    const tags = this.startTags(target, requestedAt, marker.point, parseTime(marker.dataTime) ?? requestedAt);
    await this.tag(id, tags);
    this.deps.log.warn("drill-cluster-adopted", { accountId: target.accountId, clusterIdentifier: target.clusterIdentifier, drillCluster: id, marker: key });
    return asOurDrill({ ...cluster, Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) }, this.settings);
  }

  private startTags(target: DrillTarget, startedAt: Date, pointRef: string, dataTime: Date): Record<string, string> {
    return {
      [TAG_MANAGED_BY]: this.settings.managedBy,
      [TAG_CLUSTER]: target.clusterIdentifier,
      [TAG_SOURCE_ACCOUNT]: target.accountId,
      [TAG_DRILL_STARTED]: startedAt.toISOString(),
      [TAG_DRILL_STEP]: "restoring",
      [TAG_DRILL_POINT]: pointRef,
      [TAG_DATA_TIME]: dataTime.toISOString(),
    };
  }

  /** Chooses, restores and tags. A drill that cannot start is a failed drill: it is reported like any other. */
  private async start(target: DrillTarget): Promise<DrillOutcome> {
    const s = this.settings;
    const base = { accountId: target.accountId, clusterIdentifier: target.clusterIdentifier };
    const startedAt = this.now();
    const name = drillClusterName(s.snapshotPrefix, target.clusterIdentifier, startedAt);
    const source = {
      accountId: target.accountId,
      region: target.region,
      clusterIdentifier: target.clusterIdentifier,
      partition: target.partition,
      ...(target.kmsKeyArn ? { kmsKeyArn: target.kmsKeyArn } : {}),
    };
    let point: RecoveryPoint;
    try {
      point = await chooseRecoveryPoint(this.deps, {
        source,
        drAccountId: s.drAccountId,
        snapshotPrefix: s.snapshotPrefix,
        managedBy: s.managedBy,
        ...(target.from !== "shared" && s.backupVaultName ? { vaultName: s.backupVaultName } : {}),
        ...(target.from === "newest" ? {} : { from: target.from }),
      });
      const keyProblem = sharedKeyProblem(point, source);
      if (keyProblem?.certain) throw new Error(keyProblem.message);
    } catch (err) {
      return { ...base, action: "recorded", report: await this.record(target, undefined, startedAt, { result: "failed", failure: { step: "start", message: errorMessage(err) } }) };
    }
    const pointRef = `${point.kind}:${point.snapshotArn ?? point.snapshotIdentifier}`;
    // The marker first: if the run dies between the restore and its tags, the next run knows the cluster is ours.
    await this.deps.s3.send(
      new PutObjectCommand({
        Bucket: s.reportBucket,
        Key: `${drillReportKeyPrefix(target.accountId, target.clusterIdentifier)}pending/${windowStamp(startedAt)}.json`,
        Body: JSON.stringify({ drillCluster: name, requestedAt: startedAt.toISOString(), point: pointRef, dataTime: point.createdAt.toISOString() }),
        ContentType: "application/json",
      }),
    );
    let restoreError: unknown;
    try {
      const kmsKeyArn = await resolveKmsKeyArn(this.deps, s.kmsKeyArn);
      const securityGroup = s.securityGroupName && this.deps.ec2 ? await findRestoreSecurityGroup({ redshift: this.deps.redshift, ec2: this.deps.ec2 }, s.subnetGroupName, s.securityGroupName) : undefined;
      await startRestore(
        this.deps,
        point,
        {
          clusterIdentifier: name,
          subnetGroupName: s.subnetGroupName,
          kmsKeyArn,
          ...(securityGroup ? { vpcSecurityGroupIds: [securityGroup] } : {}),
          ...(target.nodeType ? { nodeType: target.nodeType } : {}),
          ...(target.numberOfNodes ? { numberOfNodes: target.numberOfNodes } : {}),
        },
        source,
      );
    } catch (err) {
      restoreError = err;
    }
    if (restoreError !== undefined) {
      // The restore may have been made after all (an answer lost, the SDK's retry then told "already exists"): not a
      // failed drill; the next run finds the cluster and adopts it through the marker.
      const cause = restoreError instanceof RestoreCallError ? restoreError.cause : restoreError;
      if (errorCode(cause) === "ClusterAlreadyExists") throw restoreError instanceof Error ? restoreError : new Error(errorMessage(restoreError));
      const pseudo = { id: name, accountId: target.accountId, sourceCluster: target.clusterIdentifier, startedAt, step: "restoring" as DrillStep, point: pointRef, dataTime: point.createdAt };
      return { ...base, action: "recorded", report: await this.record(target, pseudo, startedAt, { result: "failed", failure: { step: "start", message: errorMessage(restoreError) } }) };
    }
    // RestoreFromClusterSnapshot takes no tags: they follow at once. If this fails, the next run adopts the cluster
    // through the marker; until then it is not ours to touch.
    await this.tag(name, this.startTags(target, startedAt, pointRef, point.createdAt));
    this.deps.log.info("drill-started", { ...base, drillCluster: name, recoveryPoint: pointRef });
    return { ...base, action: "started", drillCluster: name, step: "restoring" };
  }

  /** Moves one live drill as far as it goes without waiting. */
  private async advance(target: DrillTarget, d: DrillCluster, reports: readonly { startedAt: Date; result: "passed" | "failed" }[]): Promise<DrillOutcome> {
    const base = { accountId: target.accountId, clusterIdentifier: target.clusterIdentifier, drillCluster: d.id };
    // A report of this drill exists but its result tag was lost: the report is the result (never a second one).
    const reported = !d.result && reports.find((r) => windowStamp(r.startedAt) === windowStamp(d.startedAt));
    if (reported) {
      d.result = reported.result;
      await this.tag(d.id, { [TAG_DRILL_RESULT]: reported.result });
    }
    const limitMs = target.maxLifetimeHours * HOUR_MS;
    if (this.now().getTime() - d.startedAt.getTime() > limitMs) {
      let report: DrillReport | undefined;
      let recordError: unknown;
      if (!d.result) {
        try {
          report = await this.record(target, d, d.startedAt, {
            result: "failed",
            failure: { step: d.step, message: `the drill cluster is older than its limit of ${target.maxLifetimeHours} h (still ${d.step}, cluster ${d.cluster.ClusterStatus})` },
          });
        } catch (err) {
          recordError = err; // the limit holds all the same: the cluster goes, and the run fails
        }
      }
      await this.deleteDrillCluster(d);
      if (recordError !== undefined) throw recordError instanceof Error ? recordError : new Error(errorMessage(recordError));
      return { ...base, action: "deleted", step: d.step, ...(report ? { report } : {}) };
    }
    if (d.result) return this.afterResult(target, d);

    if (d.step === "restoring") {
      const c = d.cluster;
      const status = c.ClusterStatus ?? "";
      if (RESTORE_FAILED_STATES.has(status) || c.RestoreStatus?.Status === "failed") {
        const report = await this.record(target, d, d.startedAt, { result: "failed", failure: { step: "restoring", message: `the restore failed: cluster ${status}, restore ${c.RestoreStatus?.Status ?? "-"}` } });
        return this.afterResult(target, { ...d, result: "failed" }, report);
      }
      if (status !== "available" || !c.Endpoint?.Address) return { ...base, action: "waiting", step: "restoring" };
      // Recorded before the statement, so that a failure in between does not move the measured time.
      if (!d.availableAt) {
        d.availableAt = this.now();
        await this.tag(d.id, { [TAG_DRILL_AVAILABLE]: d.availableAt.toISOString() });
      }
      const sql = validationSql(target.tables);
      const out = await this.deps.data.send(
        new ExecuteStatementCommand({ ClusterIdentifier: d.id, Database: target.database, DbUser: c.MasterUsername, Sql: sql, StatementName: d.id }),
      );
      d.statementId = out.Id;
      d.step = "validating";
      await this.tag(d.id, { [TAG_DRILL_STATEMENT]: d.statementId ?? "", [TAG_DRILL_STEP]: "validating" });
    }

    if (d.step === "validating") {
      if (!d.statementId) {
        const report = await this.record(target, d, d.startedAt, { result: "failed", failure: { step: "validating", message: "the drill cluster has no validation statement id (tag removed?)" } });
        return this.afterResult(target, { ...d, result: "failed" }, report);
      }
      const st = await this.deps.data.send(new DescribeStatementCommand({ Id: d.statementId }));
      if (st.Status === "FAILED" || st.Status === "ABORTED") {
        const report = await this.record(target, d, d.startedAt, { result: "failed", failure: { step: "validating", message: `the validation statement ${st.Status}: ${st.Error ?? "no error given"}` }, finishedAt: st.UpdatedAt });
        return this.afterResult(target, { ...d, result: "failed" }, report);
      }
      if (st.Status !== "FINISHED") return { ...base, action: "waiting", step: "validating" };
      const tables = target.tables.length > 0 ? await this.tableCounts(d.statementId) : [];
      const empty = tables.filter((t) => t.rowCount === 0).map((t) => t.table);
      const missing = target.tables.filter((t) => !tables.some((x) => x.table === t));
      const problem = [
        ...(missing.length ? [`no count returned for ${missing.join(", ")}`] : []),
        ...(empty.length ? [`empty table(s): ${empty.join(", ")}`] : []),
      ].join("; ");
      const report = await this.record(target, d, d.startedAt, {
        result: problem ? "failed" : "passed",
        ...(problem ? { failure: { step: "validating" as const, message: problem } } : {}),
        finishedAt: st.UpdatedAt ?? this.now(),
        tables,
      });
      return this.afterResult(target, { ...d, result: report.result }, report);
    }
    return this.afterResult(target, d);
  }

  private async tableCounts(statementId: string): Promise<TableCount[]> {
    const counts: TableCount[] = [];
    let next: string | undefined;
    do {
      const page = await this.deps.data.send(new GetStatementResultCommand({ Id: statementId, ...(next ? { NextToken: next } : {}) }));
      for (const row of page.Records ?? []) {
        const table = row[0]?.stringValue;
        const count = row[1]?.longValue ?? (row[1]?.stringValue !== undefined ? Number(row[1].stringValue) : undefined);
        if (table !== undefined && count !== undefined) counts.push({ table, rowCount: Number(count) });
      }
      next = page.NextToken;
    } while (next);
    return counts;
  }

  /** After the result: keep a DR-owned copy of a passed drill when configured, then delete the drill cluster. */
  private async afterResult(target: DrillTarget, d: DrillCluster, report?: DrillReport): Promise<DrillOutcome> {
    const base = { accountId: target.accountId, clusterIdentifier: target.clusterIdentifier, drillCluster: d.id, ...(report ? { report } : {}) };
    const copy = target.drOwnedCopy;
    if (d.result === "passed" && copy && d.step !== "deleting") {
      const copyId = drOwnedCopyName(this.settings.snapshotPrefix, target.clusterIdentifier, d.startedAt);
      const found = await this.deps.redshift
        .send(new DescribeClusterSnapshotsCommand({ SnapshotIdentifier: copyId, ClusterIdentifier: d.id }))
        .then((o) => o.Snapshots?.find((x) => x.SnapshotIdentifier === copyId))
        .catch((err: unknown) => {
          if (classifyError(err).kind === "snapshot-not-found") return undefined;
          throw err;
        });
      if (!found) {
        await this.deps.redshift
          .send(
            new CreateClusterSnapshotCommand({
            SnapshotIdentifier: copyId,
            ClusterIdentifier: d.id,
            // Kept until our retention deletes it (-1: no expiry by Redshift), so the newest copy never lapses.
            ManualSnapshotRetentionPeriod: -1,
            Tags: [
              { Key: TAG_MANAGED_BY, Value: this.settings.managedBy },
              { Key: TAG_CLUSTER, Value: target.clusterIdentifier },
              { Key: TAG_SOURCE_ACCOUNT, Value: target.accountId },
              { Key: TAG_DATA_TIME, Value: (d.dataTime ?? d.startedAt).toISOString() },
            ],
          }),
          )
          .catch((err: unknown) => {
            if (classifyError(err).kind !== "already-exists") throw err; // made by an earlier run: what we wanted
          });
        if (d.step !== "copying") await this.tag(d.id, { [TAG_DRILL_STEP]: "copying" });
        return { ...base, action: "copying", step: "copying" };
      }
      if (found.Status !== "available" && found.Status !== "failed") return { ...base, action: "copying", step: "copying" };
      if (found.Status === "failed") this.deps.log.error("drill-copy-failed", { ...base, snapshot: copyId, note: "the DR-owned copy failed; the drill cluster is deleted all the same" });
    }
    await this.deleteDrillCluster(d);
    return { ...base, action: "deleted", step: "deleting" };
  }

  /** Deletes one of OUR drill clusters (the caller has checked the tags): no final snapshot, that is the copy's job. */
  async deleteDrillCluster(d: DrillCluster): Promise<void> {
    try {
      await this.deps.redshift.send(new DeleteClusterCommand({ ClusterIdentifier: d.id, SkipFinalClusterSnapshot: true }));
      this.deps.log.info("drill-cluster-deleted", { drillCluster: d.id, accountId: d.accountId, clusterIdentifier: d.sourceCluster });
    } catch (err) {
      if (classifyError(err).kind === "cluster-not-found") return; // gone already: what we wanted
      throw err;
    }
  }

  /** Writes the report, adds the metrics and publishes the SNS message; tags the cluster with the result. */
  private async record(
    target: DrillTarget,
    d: Omit<DrillCluster, "cluster"> & { cluster?: Cluster } | undefined,
    startedAt: Date,
    outcome: { result: "passed" | "failed"; failure?: DrillReport["failure"]; finishedAt?: Date; tables?: TableCount[] },
  ): Promise<DrillReport> {
    const s = this.settings;
    const now = this.now();
    const steps: { step: string; at: Date }[] = [{ step: "restore-requested", at: startedAt }];
    if (d?.availableAt) steps.push({ step: "available", at: d.availableAt });
    if (outcome.finishedAt) steps.push({ step: outcome.result === "passed" ? "validated" : "validation-ended", at: outcome.finishedAt });
    steps.push({ step: `recorded-${outcome.result}`, at: now });
    const [kind, ...ref] = (d?.point ?? "").split(":");
    const report: DrillReport = {
      drillCluster: d?.id ?? null,
      source: { accountId: target.accountId, region: target.region, clusterIdentifier: target.clusterIdentifier },
      result: outcome.result,
      ...(outcome.failure ? { failure: outcome.failure } : {}),
      recoveryPoint: d?.point
        ? { kind, ref: ref.join(":"), dataTime: d.dataTime?.toISOString() ?? null, ageHoursAtStart: d.dataTime ? round((startedAt.getTime() - d.dataTime.getTime()) / HOUR_MS, 3) : null }
        : null,
      target: {
        nodeType: d?.cluster?.NodeType ?? target.nodeType ?? null,
        numberOfNodes: d?.cluster?.NumberOfNodes ?? target.numberOfNodes ?? null,
        subnetGroupName: s.subnetGroupName,
      },
      steps: steps.map((x) => ({ step: x.step, at: x.at.toISOString(), secondsFromStart: secondsBetween(startedAt, x.at) })),
      measured: {
        secondsToAvailable: d?.availableAt ? secondsBetween(startedAt, d.availableAt) : null,
        restoreElapsedSeconds: d?.cluster?.RestoreStatus?.ElapsedTimeInSeconds ?? null,
        totalSeconds: outcome.result === "passed" && outcome.finishedAt ? secondsBetween(startedAt, outcome.finishedAt) : null,
      },
      validation: d?.statementId || outcome.tables
        ? { database: target.database, sql: validationSql(target.tables), statementId: d?.statementId ?? null, tables: outcome.tables ?? [] }
        : null,
      drOwnedCopy:
        outcome.result === "passed" && target.drOwnedCopy && d
          ? { snapshotIdentifier: drOwnedCopyName(s.snapshotPrefix, target.clusterIdentifier, startedAt), retentionDays: target.drOwnedCopy.retentionDays }
          : null,
      recordedAt: now.toISOString(),
    };
    const key = `${drillReportKeyPrefix(target.accountId, target.clusterIdentifier)}${windowStamp(startedAt)}-${outcome.result}.json`;
    // The report first: it is what makes the drill count as done (the next one's due time reads it).
    await this.deps.s3.send(new PutObjectCommand({ Bucket: s.reportBucket, Key: key, Body: JSON.stringify(report, null, 2), ContentType: "application/json" }));
    if (d?.cluster) await this.tag(d.id, { [TAG_DRILL_RESULT]: outcome.result });

    const dims = this.dimensions(target);
    this.points.push({ name: outcome.result === "passed" ? RESTORE_DRILL_METRICS.passed : RESTORE_DRILL_METRICS.failed, unit: "Count", value: 1, dimensions: dims });
    if (report.measured.secondsToAvailable !== null) this.points.push({ name: RESTORE_DRILL_METRICS.secondsToAvailable, unit: "None", value: report.measured.secondsToAvailable, dimensions: dims });
    if (report.measured.totalSeconds !== null) this.points.push({ name: RESTORE_DRILL_METRICS.totalSeconds, unit: "None", value: report.measured.totalSeconds, dimensions: dims });

    const level = outcome.result === "passed" ? "info" : "error";
    this.deps.log[level]("drill-recorded", { accountId: target.accountId, clusterIdentifier: target.clusterIdentifier, result: outcome.result, reportKey: key, measured: report.measured, failure: report.failure });
    if (s.alertTopicArn && this.deps.sns) {
      const [sns, topic] = [this.deps.sns, s.alertTopicArn];
      const what = `${target.clusterIdentifier} (account ${target.accountId})`;
      const subject = `Redshift restore drill ${outcome.result.toUpperCase()}: ${what}`.slice(0, 99);
      await attemptReport("SNS Publish", this.reportingErrors, () =>
        publishAlert(sns, topic, { subject, message: `${subject}\n\nReport: s3://${s.reportBucket}/${key}\n\n${JSON.stringify(report, null, 2)}` }),
      );
    }
    return report;
  }

  /** Retention of the DR-owned copies of each target that keeps them: the newest `keepLatest` always stay. */
  async enforceCopyRetention(targets: readonly DrillTarget[], outcomes: DrillOutcome[]): Promise<string[]> {
    const keeping = targets.filter((t) => t.drOwnedCopy);
    if (keeping.length === 0) return [];
    const deleted: string[] = [];
    let copies: DrOwnedCopy[];
    try {
      copies = await listDrOwnedCopies({ redshift: this.deps.redshift }, { snapshotPrefix: this.settings.snapshotPrefix, managedBy: this.settings.managedBy });
    } catch (err) {
      for (const t of keeping) outcomes.push({ accountId: t.accountId, clusterIdentifier: t.clusterIdentifier, action: "error", error: `list DR-owned copies: ${describe(err)}` });
      return deleted;
    }
    for (const t of keeping) {
      for (const copy of expiredCopies(copies, t, this.now())) {
        try {
          await this.deps.redshift.send(new DeleteClusterSnapshotCommand({ SnapshotIdentifier: copy.snapshotIdentifier, SnapshotClusterIdentifier: copy.drillClusterIdentifier }));
          deleted.push(copy.snapshotIdentifier);
          this.deps.log.info("dr-owned-copy-deleted", { accountId: t.accountId, clusterIdentifier: t.clusterIdentifier, snapshot: copy.snapshotIdentifier });
        } catch (err) {
          if (classifyError(err).kind === "snapshot-not-found") continue;
          outcomes.push({ accountId: t.accountId, clusterIdentifier: t.clusterIdentifier, action: "error", error: `delete DR-owned copy ${copy.snapshotIdentifier}: ${describe(err)}` });
        }
      }
    }
    return deleted;
  }
}

/**
 * The DR-owned copies of `target` that may go: available ones beyond the newest `keepLatest` whose data is older
 * than `retentionDays`. Copies of other sources, and copies not available, are never in it.
 */
export function expiredCopies(copies: readonly DrOwnedCopy[], target: DrillTarget, now: Date): DrOwnedCopy[] {
  const rules = target.drOwnedCopy;
  if (!rules) return [];
  const mine = copies
    .filter((c) => c.sourceAccountId === target.accountId && c.clusterIdentifier === target.clusterIdentifier && c.status === "available")
    .sort((a, b) => b.dataTime.getTime() - a.dataTime.getTime());
  const cutoff = now.getTime() - rules.retentionDays * 24 * HOUR_MS;
  return mine.slice(Math.max(1, rules.keepLatest)).filter((c) => c.dataTime.getTime() < cutoff);
}
