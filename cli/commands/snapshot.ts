// `snapshot`: the snapshot manager's work, by hand, through the same core (functions/lib): list our snapshots or
// what the DR account sees shared, create the window's snapshot, share within the manager's budget, revoke, and
// apply retention. Only snapshots that are ours (ownership.ts isOurs) are ever changed.
import { InvalidArgumentError, type Command } from "commander";
import type { Snapshot } from "@aws-sdk/client-redshift";
import type { SourceConfig } from "../../config/estate";
import { parseSchedule } from "../../config/schedule";
import { errorMessage } from "../../functions/lib/errors";
import { ageHours, describeAllSnapshots, listOurSnapshots, listSharedSnapshots, type RedshiftContext } from "../../functions/lib/listing";
import { windowSnapshotId, windowStart } from "../../functions/lib/naming";
import { authorizedAccounts, isOurs, ownershipTags, snapshotTime, type Owner } from "../../functions/lib/ownership";
import { newestFirst, planRetention } from "../../functions/lib/retention";
import { snapshotManagerSettings, type SnapshotManagerSettings } from "../../functions/lib/settings";
import { assertWithinShareLimit, missingAuthorizations } from "../../functions/lib/share";
import { newestToShare } from "../../functions/lib/sharing";
import { authorizeAccount, createSnapshot, deleteSnapshot, revokeAccount, waitForAvailable } from "../../functions/lib/snapshot-actions";
import type { AccountTarget, CliContext } from "../context";
import { AwsCallError, call, EXIT, UsageError, type CallSite } from "../exit";
import { progress, table, type CliIO } from "../io";
import type { CommandAction, Registrar } from "../main";
import type { RegisterCommands } from "./index";

/** The command cannot do what was asked, for a reason the operator has to act on (exit 1). */
class Refused extends Error {}

interface Scope {
  readonly cluster?: string;
  readonly source?: string;
}

/** One source account, the configured clusters acted on there, and the manager's settings for them. */
interface Selection {
  readonly source: SourceConfig;
  readonly target: AccountTarget;
  readonly clusters: readonly string[];
  readonly settings: SnapshotManagerSettings;
  readonly rs: RedshiftContext;
  readonly now: Date;
}

/** The snapshot manager's settings, as the source stack gives them to it. */
function managerSettings(ctx: CliContext, source: SourceConfig, clusters: readonly string[]): SnapshotManagerSettings {
  const { retentionDays, keepLatest, shareLatest, schedule, tiers } = source.native;
  const project = ctx.estate.project;
  return snapshotManagerSettings({
    clusterIdentifiers: clusters,
    drAccountIds: [ctx.estate.dr.accountId],
    windowMinutes: parseSchedule(schedule).minGapMinutes,
    retentionDays,
    ...(tiers ? { retentionTiers: tiers } : {}),
    keepLatest,
    shareLatest,
    snapshotPrefix: project,
    managedBy: project,
  });
}

/** --cluster (one configured cluster) or --source (all its clusters; the only source when not given). */
function select(ctx: CliContext, scope: Scope): Selection {
  let source: SourceConfig;
  let clusters: string[];
  if (scope.cluster !== undefined) {
    source = ctx.cluster(scope.cluster).source;
    if (scope.source !== undefined && scope.source !== source.name) {
      throw new UsageError(`--cluster ${JSON.stringify(scope.cluster)} belongs to source ${JSON.stringify(source.name)}, not ${JSON.stringify(scope.source)}`);
    }
    clusters = [scope.cluster];
  } else {
    source = ctx.source(scope.source);
    clusters = source.clusters.map((c) => c.identifier);
  }
  const target = ctx.sourceTarget(source);
  const settings = managerSettings(ctx, source, clusters);
  return { source, target, clusters, settings, rs: { redshift: ctx.clients.redshift(target) }, now: ctx.io.now() };
}

const site = (target: AccountTarget, action: string): CallSite => ({
  account: target.accountId,
  region: target.region,
  identity: target.identity,
  action: `redshift:${action}`,
});

const ownerOf = (sel: Selection, clusterIdentifier: string): Owner => ({
  managedBy: sel.settings.managedBy,
  clusterIdentifier,
  snapshotPrefix: sel.settings.snapshotPrefix,
});

const listOurs = (sel: Selection, cluster: string): Promise<Snapshot[]> =>
  call(site(sel.target, "DescribeClusterSnapshots"), () => listOurSnapshots(sel.rs, ownerOf(sel, cluster)));

/** Runs `fn` for each cluster; one cluster's failure is reported and the others still run. */
async function eachCluster(io: CliIO, clusters: readonly string[], fn: (cluster: string) => Promise<void>): Promise<number> {
  let code: number = EXIT.ok;
  for (const cluster of clusters) {
    try {
      await fn(cluster);
    } catch (e) {
      if (!(e instanceof AwsCallError || e instanceof Refused)) throw e;
      io.err(`error: ${cluster}: ${e.message}`);
      code = EXIT.failed;
    }
  }
  return code;
}

/** A refusal ends the command with exit 1 and its reason. */
function guarded<O>(fn: CommandAction<O>): CommandAction<O> {
  return async (ctx, options, args) => {
    try {
      return await fn(ctx, options, args);
    } catch (e) {
      if (!(e instanceof Refused)) throw e;
      ctx.io.err(`error: ${e.message}`);
      return EXIT.failed;
    }
  };
}

/** The snapshot by id, refused unless it is ours and of a selected cluster. */
async function findOurs(sel: Selection, id: string): Promise<Snapshot> {
  const found = await call(site(sel.target, "DescribeClusterSnapshots"), () => describeAllSnapshots(sel.rs, { SnapshotIdentifier: id }));
  const snapshot = found.find((s) => s.SnapshotIdentifier === id);
  if (!snapshot) throw new Refused(`no snapshot ${id} in account ${sel.target.accountId} (${sel.target.region}): check the id with \`snapshot list\``);
  const cluster = snapshot.ClusterIdentifier ?? "";
  if (!sel.clusters.includes(cluster) || !isOurs(snapshot, ownerOf(sel, cluster))) {
    throw new Refused(
      `${id} (cluster ${cluster || "unknown"}, ${snapshot.SnapshotType ?? "unknown"} snapshot) is not ours, so it is left alone: ` +
        `only manual snapshots of ${sel.clusters.join(", ")} tagged managed-by=${sel.settings.managedBy} with an id ` +
        `${sel.settings.snapshotPrefix}-<cluster>-YYYYMMDDtHHMMz are managed here`,
    );
  }
  return snapshot;
}

// ---------------------------------------------------------------------------------------------------
// list

interface ListOptions extends Scope {
  readonly sharedWithMe?: boolean;
  readonly json?: boolean;
}

interface Listing {
  readonly headers: readonly string[];
  readonly rows: readonly { readonly cells: readonly string[]; readonly json: object }[];
}

function age(at: Date, now: Date): string {
  const hours = ageHours(at, now);
  return hours >= 24 ? `${Math.floor(hours / 24)}d ${Math.floor(hours % 24)}h` : `${Math.floor(hours)}h ${Math.floor((hours * 60) % 60)}m`;
}

/** A table on a terminal, tab-separated lines without a header otherwise, or a JSON array. */
function print(io: CliIO, listing: Listing, json?: boolean): void {
  if (json) return io.out(JSON.stringify(listing.rows.map((r) => r.json), null, 2));
  const lines = io.isTTY ? table(listing.headers, listing.rows.map((r) => r.cells)) : listing.rows.map((r) => r.cells.join("\t"));
  for (const line of lines) io.out(line);
}

async function ourListing(ctx: CliContext, options: ListOptions): Promise<Listing> {
  const sel = select(ctx, options);
  ctx.announce(sel.target, "Listing our snapshots");
  const ours: Snapshot[] = [];
  for (const cluster of sel.clusters) ours.push(...(await listOurs(sel, cluster)));
  const rows = newestFirst(ours).map((s) => {
    const created = snapshotTime(s)!;
    const sharedWith = authorizedAccounts(s);
    const json = { snapshotId: s.SnapshotIdentifier, clusterIdentifier: s.ClusterIdentifier, status: s.Status, createdAt: created.toISOString(), ageHours: ageHours(created, sel.now), sharedWith };
    return { json, cells: [s.SnapshotIdentifier ?? "", s.ClusterIdentifier ?? "", s.Status ?? "", created.toISOString(), age(created, sel.now), sharedWith.join(",") || "-"] };
  });
  return { headers: ["SNAPSHOT", "CLUSTER", "STATUS", "CREATED", "AGE", "SHARED WITH"], rows };
}

/** What the sources share with the DR account, recognised as the DR monitor recognises it. */
async function sharedListing(ctx: CliContext, options: ListOptions): Promise<Listing> {
  const only = options.cluster !== undefined ? select(ctx, options) : undefined;
  const sources = only ? [only.source] : options.source !== undefined ? [ctx.source(options.source)] : ctx.estate.sources.filter((s) => s.native.enabled);
  const target = ctx.drTarget();
  const rs = { redshift: ctx.clients.redshift(target) };
  const now = ctx.io.now();
  ctx.announce(target, "Listing snapshots shared with the DR account");
  const rows = [];
  for (const source of sources) {
    const filter = { snapshotPrefix: ctx.estate.project, managedBy: ctx.estate.project, clusters: only?.clusters ?? source.clusters.map((c) => c.identifier) };
    const shared = await call(site(target, "DescribeClusterSnapshots"), () => listSharedSnapshots(rs, source.accountId, filter));
    rows.push(...shared.map((s) => ({ ...s, sourceName: source.name })));
  }
  rows.sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
  return {
    headers: ["SNAPSHOT", "SOURCE", "ACCOUNT", "CLUSTER", "CREATED", "AGE"],
    rows: rows.map((s) => ({
      json: { ...s, createdAt: s.createdAt.toISOString(), ageHours: ageHours(s.createdAt, now) },
      cells: [s.snapshotIdentifier, s.sourceName, s.sourceAccountId, s.clusterIdentifier, s.createdAt.toISOString(), age(s.createdAt, now)],
    })),
  };
}

async function list(ctx: CliContext, options: ListOptions): Promise<void> {
  print(ctx.io, options.sharedWithMe ? await sharedListing(ctx, options) : await ourListing(ctx, options), options.json);
}

// ---------------------------------------------------------------------------------------------------
// create

interface CreateOptions extends Scope {
  readonly wait?: boolean;
  readonly timeout: number;
}

/** Waits with the SDK waiter; on a terminal the progress line moves on every second. */
async function waitAvailable(ctx: CliContext, sel: Selection, cluster: string, id: string, minutes: number): Promise<void> {
  const shown = progress(ctx.io, `waiting for ${id}`);
  shown.update("creating");
  const ticker = ctx.io.isTTY ? setInterval(() => shown.update("creating"), 1000) : undefined;
  const budgetSeconds = minutes * 60;
  try {
    const outcome = await waitForAvailable(sel.rs, { snapshotId: id, clusterIdentifier: cluster, budgetSeconds, delays: sel.settings.waiter });
    shown.done(outcome.state === "available" ? "available" : outcome.state);
    if (outcome.state === "timed-out") throw new Refused(`${id} was still not available after ${minutes} minutes; it is still being created: wait again or check \`snapshot list\``);
    if (outcome.state === "failed") throw new Refused(`${id} did not become available: ${outcome.message}`);
  } finally {
    clearInterval(ticker);
  }
}

async function create(ctx: CliContext, options: CreateOptions): Promise<number> {
  const sel = select(ctx, options);
  const start = windowStart(sel.now, sel.settings.windowMinutes);
  ctx.announce(sel.target, `Creating the snapshots of the window starting ${start.toISOString()}`);
  return eachCluster(ctx.io, sel.clusters, async (cluster) => {
    const snapshotId = windowSnapshotId(sel.settings.snapshotPrefix, cluster, start);
    const tags = ownershipTags({ managedBy: sel.settings.managedBy, clusterIdentifier: cluster, windowStart: start, drAccountIds: sel.settings.drAccountIds });
    const { outcome } = await call(site(sel.target, "CreateClusterSnapshot"), () => createSnapshot(sel.rs, { snapshotId, clusterIdentifier: cluster, tags }));
    ctx.io.out(`${outcome === "created" ? "created" : "already exists"}\t${snapshotId}\t${cluster}`);
    if (options.wait) await waitAvailable(ctx, sel, cluster, snapshotId, options.timeout);
  });
}

// ---------------------------------------------------------------------------------------------------
// share and revoke

interface SnapshotOptions extends Scope {
  readonly snapshot?: string;
}

/** The snapshots of the cluster that stay shared under the manager's budget (newest first). */
async function withinBudget(sel: Selection, cluster: string): Promise<Snapshot[]> {
  const ours = await listOurs(sel, cluster);
  const expiring = new Set(planRetention(ours, sel.now, sel.settings).expired.map((s) => s.SnapshotIdentifier!));
  return newestToShare(ours, expiring, sel.settings.shareLatest);
}

/** Authorizes the DR account(s) that cannot restore the snapshot yet, within the 20-accounts limit. */
async function shareOne(ctx: CliContext, sel: Selection, snapshot: Snapshot): Promise<void> {
  const id = snapshot.SnapshotIdentifier!;
  const missing = missingAuthorizations(snapshot, sel.settings.drAccountIds);
  if (missing.length === 0) return ctx.io.out(`already shared\t${id}\t${sel.settings.drAccountIds.join(",")}`);
  try {
    assertWithinShareLimit(snapshot, missing);
  } catch (e) {
    throw new Refused(errorMessage(e));
  }
  for (const accountId of missing) {
    await call(site(sel.target, "AuthorizeSnapshotAccess"), () => authorizeAccount(sel.rs, snapshot, accountId));
    ctx.io.out(`shared\t${id}\t${accountId}`);
  }
}

async function shareGiven(ctx: CliContext, sel: Selection, id: string): Promise<void> {
  const snapshot = await findOurs(sel, id);
  if (snapshot.Status !== "available") throw new Refused(`${id} is ${snapshot.Status ?? "in an unknown state"}, not available: only available snapshots can be shared`);
  const kept = await withinBudget(sel, snapshot.ClusterIdentifier!);
  if (!kept.some((s) => s.SnapshotIdentifier === id)) {
    throw new Refused(
      `${id} is not among the newest ${sel.settings.shareLatest} available snapshots of ${snapshot.ClusterIdentifier} that retention keeps: ` +
        `only those stay shared (Redshift allows 100 share authorizations per KMS key), and the snapshot manager would revoke it`,
    );
  }
  await shareOne(ctx, sel, snapshot);
}

async function share(ctx: CliContext, options: SnapshotOptions): Promise<number | void> {
  const sel = select(ctx, options);
  ctx.announce(sel.target, `Sharing snapshots with the DR account ${sel.settings.drAccountIds.join(", ")}`);
  if (options.snapshot !== undefined) return shareGiven(ctx, sel, options.snapshot);
  return eachCluster(ctx.io, sel.clusters, async (cluster) => {
    const [newest] = await withinBudget(sel, cluster);
    if (!newest) throw new Refused(`no available snapshot of ours to share: create one with \`snapshot create --cluster ${cluster} --wait\``);
    await shareOne(ctx, sel, newest);
  });
}

async function revoke(ctx: CliContext, options: SnapshotOptions & { snapshot: string }): Promise<void> {
  const sel = select(ctx, options);
  ctx.announce(sel.target, `Revoking the DR account's access to ${options.snapshot}`);
  const snapshot = await findOurs(sel, options.snapshot);
  const authorized = sel.settings.drAccountIds.filter((a) => authorizedAccounts(snapshot).includes(a));
  if (authorized.length === 0) return ctx.io.out(`not shared\t${options.snapshot}\t${sel.settings.drAccountIds.join(",")}`);
  for (const accountId of authorized) {
    await call(site(sel.target, "RevokeSnapshotAccess"), () => revokeAccount(sel.rs, snapshot, accountId));
    ctx.io.out(`revoked\t${options.snapshot}\t${accountId}`);
  }
}

// ---------------------------------------------------------------------------------------------------
// cleanup

interface CleanupOptions extends Scope {
  readonly dryRun?: boolean;
}

/** Retention for one expired snapshot: every authorization revoked, then (only if none is left) deleted. */
async function expire(ctx: CliContext, sel: Selection, snapshot: Snapshot, dryRun: boolean): Promise<void> {
  const id = snapshot.SnapshotIdentifier!;
  let remaining = authorizedAccounts(snapshot);
  for (const accountId of authorizedAccounts(snapshot)) {
    if (!dryRun) {
      const after = await call(site(sel.target, "RevokeSnapshotAccess"), () => revokeAccount(sel.rs, snapshot, accountId));
      remaining = after ?? remaining.filter((a) => a !== accountId);
    }
    ctx.io.out(`${dryRun ? "would revoke" : "revoked"}\t${id}\t${accountId}`);
  }
  if (!dryRun && remaining.length > 0) throw new Refused(`${id} is still authorized for ${remaining.join(", ")} after revoking; not deleted`);
  if (!dryRun) await call(site(sel.target, "DeleteClusterSnapshot"), () => deleteSnapshot(sel.rs, snapshot));
  ctx.io.out(`${dryRun ? "would delete" : "deleted"}\t${id}`);
}

async function cleanup(ctx: CliContext, options: CleanupOptions): Promise<number> {
  const sel = select(ctx, options);
  const { retentionDays, keepLatest, retentionTiers } = sel.settings;
  ctx.announce(sel.target, options.dryRun ? "Dry run of retention (nothing is changed)" : "Applying retention");
  return eachCluster(ctx.io, sel.clusters, async (cluster) => {
    const plan = planRetention(await listOurs(sel, cluster), sel.now, sel.settings);
    const byTier = Object.entries(plan.keptByTier).map(([tier, ids]) => `${ids.length} ${tier}`);
    ctx.io.err(
      `${cluster}: keeping the newest ${keepLatest} available (${plan.keptAsNewest.join(", ") || "none"}) whatever their age` +
        `${retentionTiers ? `, and what the tiers claim (${byTier.join(", ")})` : ""}; ` +
        `${plan.expired.length} ${!retentionTiers ? `older than ${retentionDays} days` : retentionDays > 0 ? `older than ${retentionDays} days and claimed by no tier` : "claimed by no tier"} to revoke and delete`,
    );
    for (const snapshot of plan.expired) await expire(ctx, sel, snapshot, options.dryRun === true);
  });
}

// ---------------------------------------------------------------------------------------------------

function minutes(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 24 * 60) throw new InvalidArgumentError("a whole number of minutes from 1 to 1440");
  return n;
}

const ALL_CLUSTERS = "only this configured cluster (default: every cluster of the source)";
const SOURCE_HELP = "the source whose clusters to act on (default: the only source of the config)";

export const registerSnapshotCommands: RegisterCommands = (program, registrar: Registrar) => {
  const group = program
    .command("snapshot")
    .description("The snapshot manager's work by hand: list, create, share, revoke, clean up (only our snapshots are changed)");

  /** One subcommand: --cluster and --source, then its own options, examples in its help, and its action. */
  function subcommand<O>(name: string, description: string, examples: string[], fn: CommandAction<O>, options: (c: Command) => Command, cluster = ALL_CLUSTERS) {
    const command = group.command(name).description(description).option("--cluster <id>", cluster).option("--source <name>", SOURCE_HELP);
    const help = `\nExamples:\n${examples.map((l) => `  $ redshift-backup snapshot ${l}`).join("\n")}`;
    registrar.action(options(command).addHelpText("after", help), guarded(fn));
  }

  subcommand("list", "List our snapshots in the source account, newest first, or (--shared-with-me) what the DR account sees shared",
    ["list", "list --cluster analytics-prod --json", "list --shared-with-me"], list, (c) =>
      c.option("--shared-with-me", "list, in the DR account, the snapshots the sources share with it, as the DR monitor sees them").option("--json", "print a JSON array"));
  subcommand("create", "Create the current window's snapshot of each cluster, as the snapshot manager does",
    ["create", "create --cluster analytics-prod --wait"], create, (c) =>
      c.option("--wait", "wait until each snapshot is available, and print how long it took")
        .option("--timeout <minutes>", "with --wait: give up waiting after this many minutes", minutes, 60));
  subcommand("share", "Share with the DR account the given snapshot, or the newest available one of each cluster",
    ["share --cluster analytics-prod", "share --snapshot rsdr-analytics-prod-20261127t0000z"], share,
    (c) => c.option("--snapshot <id>", "share this snapshot (ours, available, and among the newest the manager keeps shared)"));
  subcommand("revoke", "Revoke the DR account's access to one of our snapshots", ["revoke --snapshot rsdr-analytics-prod-20261120t0000z"], revoke,
    (c) => c.requiredOption("--snapshot <id>", "the snapshot (ours)"), "the snapshot's cluster (default: any cluster of the source)");
  subcommand("cleanup", "Apply the snapshot manager's retention: revoke, then delete our expired snapshots", ["cleanup --dry-run", "cleanup --cluster analytics-prod"],
    cleanup, (c) => c.option("--dry-run", "print what would be revoked and deleted; change nothing"));
};
