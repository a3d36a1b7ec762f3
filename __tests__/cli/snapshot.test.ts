import {
  AuthorizeSnapshotAccessCommand,
  CreateClusterSnapshotCommand,
  DeleteClusterSnapshotCommand,
  DescribeClusterSnapshotsCommand,
  RedshiftClient,
  RevokeSnapshotAccessCommand,
  type Snapshot,
} from "@aws-sdk/client-redshift";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { mockClient } from "aws-sdk-client-mock";
import { registerSnapshotCommands } from "../../cli/commands/snapshot";
import { windowStamp } from "../../contract";
import { windowSnapshotId, windowStart } from "../../functions/lib/naming";
import { awsError, throttlingError } from "../../testing/aws-errors";
import { ours as managerSnapshot } from "../functions/helpers";
import { captureIO, cli as runCli, recordingClients } from "./helpers";

// config/example.json: project rsdr, source "analytics" (222222222222, eu-west-2), cluster analytics-prod,
// rate(12 hours), retentionDays 7, keepLatest 3, shareLatest 2; DR account 999999999999.
const SOURCE = "222222222222";
const DR = "999999999999";
const CLUSTER = "analytics-prod";
const NOW = new Date("2026-11-27T12:00:00Z");
const DAY = 24 * 3_600_000;
const daysAgo = (d: number) => new Date(NOW.getTime() - d * DAY);

const redshift = mockClient(RedshiftClient);
beforeEach(() => redshift.reset());

const cli = (argv: string[], opts: Parameters<typeof runCli>[2] = {}) => runCli(argv, [registerSnapshotCommands], opts);

const idAt = (at: Date) => `rsdr-${CLUSTER}-${windowStamp(at)}`;

/** A snapshot as the snapshot manager makes it (the function tests' builder, with this config's names). */
const ours = (at: Date, opts: { status?: string; accounts?: string[] } = {}): Snapshot => managerSnapshot(idAt(at), at, { ...opts, cluster: CLUSTER, managedBy: "rsdr" });

/** AWS Backup's snapshot of the same cluster: it copies the cluster's tags, so only the id tells it apart. */
const awsBackupSnapshot: Snapshot = { ...ours(daysAgo(30), { accounts: [DR] }), SnapshotIdentifier: "awsbackup:job-0123abcd" };
/** A hand-made manual snapshot with our id form but without our tags. */
const untagged: Snapshot = { ...ours(daysAgo(31)), SnapshotIdentifier: idAt(daysAgo(31)), Tags: [] };

const listedAs = (snapshots: Snapshot[]) => redshift.on(DescribeClusterSnapshotsCommand).resolves({ Snapshots: snapshots });
const sent = (command: Parameters<typeof redshift.commandCalls>[0]) => redshift.commandCalls(command).map((c) => c.args[0].input as Record<string, unknown>);

describe("snapshot commands (AWS mocked: aws-sdk-client-mock on RedshiftClient)", () => {
  describe("parsing and exit codes", () => {
    it("refuses an unknown option with exit 2", async () => {
      const r = await cli(["snapshot", "list", "--bogus"]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/unknown option '--bogus'/);
      expect(redshift.calls()).toHaveLength(0);
    });

    it("refuses a cluster not in the config with exit 2, naming the configured ones", async () => {
      const r = await cli(["snapshot", "cleanup", "--cluster", "nope"]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`error: --cluster "nope" is not in`);
      expect(r.stderr).toContain("clusters: analytics-prod");
      expect(redshift.calls()).toHaveLength(0);
    });

    it("refuses an unknown source, a cluster of another source, and revoke without --snapshot", async () => {
      expect((await cli(["snapshot", "list", "--source", "sales"])).code).toBe(2);
      const mismatch = await cli(["snapshot", "list", "--cluster", CLUSTER, "--source", "sales"]);
      expect(mismatch.code).toBe(2);
      expect(mismatch.stderr).toContain('belongs to source "analytics", not "sales"');
      const revoke = await cli(["snapshot", "revoke"]);
      expect(revoke.code).toBe(2);
      expect(revoke.stderr).toMatch(/required option '--snapshot <id>'/);
    });

    it("refuses a --timeout that is not a number of minutes with exit 2", async () => {
      expect((await cli(["snapshot", "create", "--wait", "--timeout", "soon"])).code).toBe(2);
      expect(redshift.calls()).toHaveLength(0);
    });

    it("shows a description and an example in each subcommand's help", async () => {
      for (const sub of ["list", "create", "share", "revoke", "cleanup"]) {
        const r = await cli(["snapshot", sub, "--help"]);
        expect(r.code).toBe(0);
        expect(r.stdout).toMatch(new RegExp(`Examples:\\n  \\$ redshift-backup snapshot ${sub}`));
      }
    });
  });

  describe("list", () => {
    const newest = ours(daysAgo(0.5), { accounts: [DR] });
    const older = ours(daysAgo(2));
    const creating = ours(NOW, { status: "creating" });

    it("prints our snapshots newest first as tab-separated lines when not on a terminal, and nothing not ours", async () => {
      listedAs([older, awsBackupSnapshot, newest, untagged, creating]);
      const r = await cli(["snapshot", "list"]);
      expect(r.code).toBe(0);
      expect(r.io.stdout).toEqual([
        `${idAt(NOW)}\t${CLUSTER}\tcreating\t2026-11-27T12:00:00.000Z\t0h 0m\t-`,
        `${idAt(daysAgo(0.5))}\t${CLUSTER}\tavailable\t2026-11-27T00:00:00.000Z\t12h 0m\t${DR}`,
        `${idAt(daysAgo(2))}\t${CLUSTER}\tavailable\t2026-11-25T12:00:00.000Z\t2d 0h\t-`,
      ]);
      expect(r.stderr).toContain(`account ${SOURCE} (source analytics), region eu-west-2, as the default credential chain`);
      expect(sent(DescribeClusterSnapshotsCommand)[0]).toMatchObject({ ClusterIdentifier: CLUSTER, SnapshotType: "manual", TagKeys: ["managed-by"], TagValues: ["rsdr"] });
    });

    it("prints a table on a terminal", async () => {
      listedAs([older, newest]);
      const r = await cli(["snapshot", "list"], { io: captureIO({ isTTY: true }) });
      expect(r.code).toBe(0);
      expect(r.io.stdout[0]).toMatch(/^SNAPSHOT\s{2,}CLUSTER\s{2,}STATUS\s{2,}CREATED\s{2,}AGE\s{2,}SHARED WITH$/);
      expect(r.io.stdout[1]).toMatch(/^-+ {2}-+/);
      expect(r.io.stdout[2]).toMatch(new RegExp(`^${idAt(daysAgo(0.5))}\\s+${CLUSTER}\\s+available\\s+.*${DR}$`));
      expect(r.io.stdout).toHaveLength(4);
    });

    it("prints a JSON array with --json", async () => {
      listedAs([older, newest]);
      const r = await cli(["snapshot", "list", "--json"], { io: captureIO({ isTTY: true }) });
      const parsed = JSON.parse(r.stdout);
      expect(parsed).toEqual([
        { snapshotId: idAt(daysAgo(0.5)), clusterIdentifier: CLUSTER, status: "available", createdAt: "2026-11-27T00:00:00.000Z", ageHours: 12, sharedWith: [DR] },
        { snapshotId: idAt(daysAgo(2)), clusterIdentifier: CLUSTER, status: "available", createdAt: "2026-11-25T12:00:00.000Z", ageHours: 48, sharedWith: [] },
      ]);
    });

    it("--shared-with-me lists, in the DR account, what the source shares, as the DR monitor recognises it", async () => {
      const shared = { ...newest, OwnerAccount: SOURCE, Tags: undefined };
      const otherTool = { ...shared, SnapshotIdentifier: "nightly-analytics-prod" };
      listedAs([shared, otherTool]);
      const clients = recordingClients();
      const r = await cli(["snapshot", "list", "--shared-with-me", "--dr-profile", "dr-ops"], { clients });
      expect(r.code).toBe(0);
      expect(r.io.stdout).toEqual([`${idAt(daysAgo(0.5))}\tanalytics\t${SOURCE}\t${CLUSTER}\t2026-11-27T00:00:00.000Z\t12h 0m`]);
      expect(clients.targets.map((t) => [t.kind, t.accountId, t.identity])).toEqual([["dr", DR, "profile dr-ops"]]);
      expect(sent(DescribeClusterSnapshotsCommand)[0]).toEqual({ OwnerAccount: SOURCE, SnapshotType: "manual", MaxRecords: 100 });
    });

    it("names the action, account and identity when listing is denied, and exits 1", async () => {
      redshift.on(DescribeClusterSnapshotsCommand).rejects(awsError("AccessDenied", "User is not authorized to perform redshift:DescribeClusterSnapshots"));
      const r = await cli(["snapshot", "list", "--source-profile", "ops"]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`error: redshift:DescribeClusterSnapshots in account ${SOURCE} (eu-west-2) as profile ops failed: AccessDenied`);
      expect(r.stderr).toContain("the identity is not allowed redshift:DescribeClusterSnapshots");
    });
  });

  describe("create", () => {
    const windowId = "rsdr-analytics-prod-20261127t1200z";

    it("creates the window's snapshot with the snapshot manager's id and ownership tags", async () => {
      redshift.on(CreateClusterSnapshotCommand).resolves({ Snapshot: { SnapshotIdentifier: windowId } });
      const r = await cli(["snapshot", "create"]);
      expect(r.code).toBe(0);
      expect(windowSnapshotId("rsdr", CLUSTER, windowStart(NOW, 720))).toBe(windowId);
      expect(sent(CreateClusterSnapshotCommand)).toEqual([
        {
          SnapshotIdentifier: windowId,
          ClusterIdentifier: CLUSTER,
          ManualSnapshotRetentionPeriod: -1,
          Tags: [
            { Key: "managed-by", Value: "rsdr" },
            { Key: "rsdr:cluster", Value: CLUSTER },
            { Key: "rsdr:window", Value: "2026-11-27T12:00:00.000Z" },
            { Key: "rsdr:targets", Value: DR },
          ],
        },
      ]);
      expect(r.io.stdout).toEqual([`created\t${windowId}\t${CLUSTER}`]);
      expect(r.stderr).toMatch(/^Creating the snapshots of the window starting 2026-11-27T12:00:00.000Z: account 222222222222 \(source analytics\)/);
    });

    it("treats ClusterSnapshotAlreadyExists as success", async () => {
      redshift.on(CreateClusterSnapshotCommand).rejects(awsError("ClusterSnapshotAlreadyExistsFault", "Cannot create the snapshot because a snapshot with the identifier already exists"));
      const r = await cli(["snapshot", "create", "--cluster", CLUSTER]);
      expect(r.code).toBe(0);
      expect(r.io.stdout).toEqual([`already exists\t${windowId}\t${CLUSTER}`]);
    });

    it("--wait waits with the SDK waiter until available and prints the time taken", async () => {
      redshift.on(CreateClusterSnapshotCommand).resolves({});
      listedAs([{ ...ours(NOW), SnapshotIdentifier: windowId }]);
      const r = await cli(["snapshot", "create", "--wait"]);
      expect(r.code).toBe(0);
      expect(sent(DescribeClusterSnapshotsCommand)[0]).toMatchObject({ SnapshotIdentifier: windowId, ClusterIdentifier: CLUSTER });
      expect(r.stderr).toContain(`waiting for ${windowId}: available after 0s`);
    });

    it("--wait fails with exit 1 when the snapshot fails", async () => {
      redshift.on(CreateClusterSnapshotCommand).resolves({});
      listedAs([{ ...ours(NOW, { status: "failed" }), SnapshotIdentifier: windowId }]);
      const r = await cli(["snapshot", "create", "--wait"]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`error: ${CLUSTER}: ${windowId} did not become available`);
    });

    it("names the action and the identity when denied, and exits 1", async () => {
      redshift.on(CreateClusterSnapshotCommand).rejects(awsError("AccessDenied", "not authorized"));
      const r = await cli(["snapshot", "create", "--use-config-roles"]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(
        `redshift:CreateClusterSnapshot in account ${SOURCE} (eu-west-2) as role arn:aws:iam::222222222222:role/terraform-deploy failed: AccessDenied`,
      );
    });
  });

  describe("share", () => {
    it("shares the newest available snapshot of ours with the DR account", async () => {
      listedAs([ours(daysAgo(1), { accounts: [DR] }), ours(daysAgo(0.5)), ours(NOW, { status: "creating" })]);
      redshift.on(AuthorizeSnapshotAccessCommand).resolves({});
      const r = await cli(["snapshot", "share"]);
      expect(r.code).toBe(0);
      expect(sent(AuthorizeSnapshotAccessCommand)).toEqual([
        { SnapshotIdentifier: idAt(daysAgo(0.5)), SnapshotClusterIdentifier: CLUSTER, AccountWithRestoreAccess: DR },
      ]);
      expect(r.io.stdout).toEqual([`shared\t${idAt(daysAgo(0.5))}\t${DR}`]);
    });

    it("refuses, with exit 1 and why, a snapshot that is not ours", async () => {
      redshift.on(DescribeClusterSnapshotsCommand, { SnapshotIdentifier: awsBackupSnapshot.SnapshotIdentifier }).resolves({ Snapshots: [awsBackupSnapshot] });
      const r = await cli(["snapshot", "share", "--snapshot", awsBackupSnapshot.SnapshotIdentifier!]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain("error: awsbackup:job-0123abcd (cluster analytics-prod, manual snapshot) is not ours, so it is left alone");
      expect(redshift.commandCalls(AuthorizeSnapshotAccessCommand)).toHaveLength(0);
    });

    it("reports a missing snapshot (ClusterSnapshotNotFound) with exit 1 and where it looked", async () => {
      redshift.on(DescribeClusterSnapshotsCommand).rejects(awsError("ClusterSnapshotNotFoundFault", "Snapshot rsdr-analytics-prod-20200101t0000z not found"));
      const r = await cli(["snapshot", "share", "--snapshot", "rsdr-analytics-prod-20200101t0000z"]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`redshift:DescribeClusterSnapshots in account ${SOURCE} (eu-west-2) as the default credential chain failed: ClusterSnapshotNotFound`);
      expect(r.stderr).toContain("check the id with `snapshot list`");
    });

    it("refuses a snapshot beyond the newest shareLatest (the per-key budget)", async () => {
      const snapshots = [ours(daysAgo(0.5)), ours(daysAgo(1)), ours(daysAgo(1.5))];
      listedAs(snapshots);
      const r = await cli(["snapshot", "share", "--snapshot", idAt(daysAgo(1.5))]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`is not among the newest 2 available snapshots of ${CLUSTER} that retention keeps`);
      expect(redshift.commandCalls(AuthorizeSnapshotAccessCommand)).toHaveLength(0);
    });

    it("shares a given snapshot within the budget", async () => {
      listedAs([ours(daysAgo(0.5), { accounts: [DR] }), ours(daysAgo(1))]);
      redshift.on(AuthorizeSnapshotAccessCommand).resolves({});
      const r = await cli(["snapshot", "share", "--snapshot", idAt(daysAgo(1))]);
      expect(r.code).toBe(0);
      expect(sent(AuthorizeSnapshotAccessCommand)).toEqual([expect.objectContaining({ SnapshotIdentifier: idAt(daysAgo(1)), AccountWithRestoreAccess: DR })]);
    });

    it("refuses to go beyond 20 accounts per snapshot", async () => {
      const others = Array.from({ length: 20 }, (_, i) => String(100000000000 + i));
      listedAs([ours(daysAgo(0.5), { accounts: others })]);
      const r = await cli(["snapshot", "share"]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain("would exceed the Redshift limit of 20 accounts per snapshot");
      expect(redshift.commandCalls(AuthorizeSnapshotAccessCommand)).toHaveLength(0);
    });

    it("says to run again when throttled beyond the SDK's retries", async () => {
      listedAs([ours(daysAgo(0.5))]);
      redshift.on(AuthorizeSnapshotAccessCommand).rejects(throttlingError());
      const r = await cli(["snapshot", "share"]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain("redshift:AuthorizeSnapshotAccess in account 222222222222 (eu-west-2)");
      expect(r.stderr).toContain("run again in a minute");
    });

    it("reports when there is nothing available to share", async () => {
      listedAs([ours(NOW, { status: "creating" })]);
      const r = await cli(["snapshot", "share"]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`error: ${CLUSTER}: no available snapshot of ours to share`);
    });
  });

  describe("revoke", () => {
    it("revokes the DR account from a snapshot of ours", async () => {
      const shared = ours(daysAgo(3), { accounts: [DR, "123456789012"] });
      listedAs([shared]);
      redshift.on(RevokeSnapshotAccessCommand).resolves({});
      const r = await cli(["snapshot", "revoke", "--snapshot", shared.SnapshotIdentifier!]);
      expect(r.code).toBe(0);
      expect(sent(RevokeSnapshotAccessCommand)).toEqual([{ SnapshotIdentifier: shared.SnapshotIdentifier, SnapshotClusterIdentifier: CLUSTER, AccountWithRestoreAccess: DR }]);
      expect(r.io.stdout).toEqual([`revoked\t${shared.SnapshotIdentifier}\t${DR}`]);
    });

    it("revokes nothing from a snapshot that is not ours", async () => {
      listedAs([untagged]);
      const r = await cli(["snapshot", "revoke", "--snapshot", untagged.SnapshotIdentifier!]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain("is not ours");
      expect(redshift.commandCalls(RevokeSnapshotAccessCommand)).toHaveLength(0);
    });

    it("says so when the snapshot is not shared", async () => {
      listedAs([ours(daysAgo(3))]);
      const r = await cli(["snapshot", "revoke", "--snapshot", idAt(daysAgo(3))]);
      expect(r.code).toBe(0);
      expect(r.io.stdout).toEqual([`not shared\t${idAt(daysAgo(3))}\t${DR}`]);
      expect(redshift.commandCalls(RevokeSnapshotAccessCommand)).toHaveLength(0);
    });
  });

  describe("cleanup", () => {
    // All older than retentionDays (7): the newest keepLatest (3) stay anyway; the two oldest of ours expire.
    const estate = [ours(daysAgo(8)), ours(daysAgo(9), { accounts: [DR] }), ours(daysAgo(10)), ours(daysAgo(11), { accounts: [DR] }), ours(daysAgo(12)), awsBackupSnapshot, untagged];

    it("--dry-run prints what it would revoke and delete and sends no Revoke or Delete", async () => {
      listedAs(estate);
      const r = await cli(["snapshot", "cleanup", "--dry-run"]);
      expect(r.code).toBe(0);
      expect(r.io.stdout).toEqual([`would delete\t${idAt(daysAgo(12))}`, `would revoke\t${idAt(daysAgo(11))}\t${DR}`, `would delete\t${idAt(daysAgo(11))}`]);
      expect(r.stderr).toContain(`${CLUSTER}: keeping the newest 3 available (${idAt(daysAgo(8))}, ${idAt(daysAgo(9))}, ${idAt(daysAgo(10))}) whatever their age; 2 older than 7 days`);
      expect(redshift.commandCalls(RevokeSnapshotAccessCommand)).toHaveLength(0);
      expect(redshift.commandCalls(DeleteClusterSnapshotCommand)).toHaveLength(0);
    });

    it("revokes then deletes only our expired snapshots: never another tool's, an untagged one, or the newest keepLatest", async () => {
      listedAs(estate);
      redshift.on(RevokeSnapshotAccessCommand).resolves({ Snapshot: { AccountsWithRestoreAccess: [] } });
      redshift.on(DeleteClusterSnapshotCommand).resolves({});
      const r = await cli(["snapshot", "cleanup"]);
      expect(r.code).toBe(0);
      const changes = redshift
        .calls()
        .map((c) => c.args[0] as { constructor: { name: string }; input: { SnapshotIdentifier?: string } })
        .filter((c) => c.constructor.name !== "DescribeClusterSnapshotsCommand")
        .map((c) => `${c.constructor.name} ${c.input.SnapshotIdentifier}`);
      expect(changes).toEqual([
        `DeleteClusterSnapshotCommand ${idAt(daysAgo(12))}`,
        `RevokeSnapshotAccessCommand ${idAt(daysAgo(11))}`,
        `DeleteClusterSnapshotCommand ${idAt(daysAgo(11))}`,
      ]);
      expect(r.io.stdout).toEqual([`deleted\t${idAt(daysAgo(12))}`, `revoked\t${idAt(daysAgo(11))}\t${DR}`, `deleted\t${idAt(daysAgo(11))}`]);
    });

    it("with tiers, keeps what they claim too, and says so", async () => {
      const raw = JSON.parse(fs.readFileSync(path.resolve(__dirname, "../../config/example.json"), "utf8"));
      raw.sources[0].native = { schedule: "rate(1 day)", tiers: { daily: 10 }, keepLatest: 1 };
      const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "cleanup-")), "estate.json");
      fs.writeFileSync(file, JSON.stringify({ ...raw, $schema: undefined }));
      listedAs(estate);
      const r = await cli(["snapshot", "cleanup", "--dry-run"], { config: file });
      expect(r.code).toBe(0);
      // keepLatest 1 keeps 8 days ago; the daily tier the newest of each of the last 10 days: 8 and 9 days ago.
      expect(r.io.stdout.filter((l) => l.startsWith("would delete"))).toEqual([idAt(daysAgo(12)), idAt(daysAgo(11)), idAt(daysAgo(10))].map((id) => `would delete\t${id}`));
      expect(r.stderr).toContain(
        `${CLUSTER}: keeping the newest 1 available (${idAt(daysAgo(8))}) whatever their age, and what the tiers claim (2 daily); 3 claimed by no tier to revoke and delete`,
      );
    });

    it("does not delete a snapshot whose revoke failed, and exits 1", async () => {
      listedAs(estate);
      redshift.on(RevokeSnapshotAccessCommand).rejects(awsError("AccessDenied", "not authorized"));
      redshift.on(DeleteClusterSnapshotCommand).resolves({});
      const r = await cli(["snapshot", "cleanup", "--cluster", CLUSTER]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain("redshift:RevokeSnapshotAccess in account 222222222222 (eu-west-2) as the default credential chain failed: AccessDenied");
      expect(redshift.commandCalls(DeleteClusterSnapshotCommand).map((c) => c.args[0].input.SnapshotIdentifier)).not.toContain(idAt(daysAgo(11)));
    });
  });
});
