// Emulator tier for the operator CLI: `bin/redshift-backup.js` run as a child process, exactly as
// `npx redshift-backup` runs it, against moto on 127.0.0.1, assuming the accounts' roles from the config
// (`--use-config-roles`: STS AssumeRole, which moto answers per account).
//
// moto 5.2.5 runs: CreateClusterSnapshot (with tags), DescribeClusterSnapshots (also the SDK waiter),
// DescribeClusters, RestoreFromClusterSnapshot, and the cluster waiter. It does not share snapshots across
// accounts (AuthorizeSnapshotAccess is 501) nor filter by OwnerAccount, so the DR account cannot see a source's
// snapshot here: `status` reports that (and exits 1), and `restore` restores a snapshot the DR account itself
// holds under the restore naming pattern. Sharing and the DR account's view are covered by __tests__/cli/*.test.ts
// (AWS mocked) and the scenario tests.
//
// Run: npx jest -c e2e/jest.config.js __tests__/e2e/cli.e2e.test.ts
import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import {
  CreateClusterSnapshotCommand,
  DescribeClustersCommand,
  CreateClusterSubnetGroupCommand,
  DescribeClusterSnapshotsCommand,
  RedshiftClient,
} from "@aws-sdk/client-redshift";
import { CreateSecurityGroupCommand, CreateSubnetCommand, CreateVpcCommand, EC2Client } from "@aws-sdk/client-ec2";
import { CreateAliasCommand, CreateKeyCommand, KMSClient } from "@aws-sdk/client-kms";
import { EXAMPLE_CONFIG, parseConfig } from "../../config/load";
import { assumeRole } from "../../scripts/e2e/aws-calls";
import type { Credentials } from "../../scripts/e2e/functions";
import { childEnv, MotoServer, startMoto } from "../../scripts/e2e/moto";
import { createEmulatorCluster } from "../../scripts/e2e/redshift";
import { repoRoot } from "../../scripts/e2e/paths";

const estate = parseConfig(JSON.parse(fs.readFileSync(EXAMPLE_CONFIG, "utf8")));
const source = estate.sources[0];
const REGION = source.region;
const CLUSTER = source.clusters[0].identifier;
const BIN = path.join(repoRoot, "bin", "redshift-backup.js");

let moto: MotoServer | undefined;
let src: Credentials;
let dr: Credentials;

interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

/** The CLI as a pipeline runs it: not a terminal, moto's endpoint and dead proxies in the environment. */
function cli(args: string[]): Promise<CliRun> {
  const t0 = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, "--use-config-roles", ...args], {
      cwd: repoRoot,
      env: childEnv({ ...moto!.env(), REDSHIFT_BACKUP_CONFIG: EXAMPLE_CONFIG }),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => {
      const run = { code, stdout, stderr, ms: Date.now() - t0 };
      console.log(`$ redshift-backup --use-config-roles ${args.join(" ")}   (exit ${code}, ${run.ms} ms)\n${stdout}${stderr}`);
      resolve(run);
    });
  });
}

function client<T>(ctor: new (cfg: object) => T, creds: Credentials): T {
  return new ctor({ endpoint: moto!.endpoint, region: REGION, credentials: creds, maxAttempts: 1 });
}

beforeAll(async () => {
  moto = await startMoto({ region: REGION });
  src = await assumeRole(moto.endpoint, source.deployRoleArn, REGION, "e2e-cli");
  dr = await assumeRole(moto.endpoint, `arn:aws:iam::${estate.dr.accountId}:role/${estate.project}-dr-restore-operator`, REGION, "e2e-cli");
  await createEmulatorCluster(client(RedshiftClient, src), CLUSTER);
}, 120_000);

afterAll(async () => {
  await moto?.stop();
});

describe("the operator CLI against moto (bin/redshift-backup.js, --use-config-roles)", () => {
  let created: string;

  it("snapshot create --wait: creates the current window's snapshot, tagged as ours, and waits for it", async () => {
    const r = await cli(["snapshot", "create", "--wait"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`account ${source.accountId} (source ${source.name}), region ${REGION}, as role ${source.deployRoleArn}`);
    const snaps = (await client(RedshiftClient, src).send(new DescribeClusterSnapshotsCommand({ ClusterIdentifier: CLUSTER }))).Snapshots ?? [];
    const ours = snaps.filter((s) => (s.Tags ?? []).some((t) => t.Key === "managed-by" && t.Value === estate.project));
    expect(ours).toHaveLength(1);
    created = ours[0].SnapshotIdentifier!;
    expect(created).toMatch(new RegExp(`^${estate.project}-${CLUSTER}-\\d{8}t\\d{4}z$`));
    expect(r.stdout + r.stderr).toContain(created);
  });

  it("snapshot list: lists it (plain tab-separated lines, not a terminal)", async () => {
    const r = await cli(["snapshot", "list"]);
    expect(r.code).toBe(0);
    const line = r.stdout.split("\n").find((l) => l.startsWith(created));
    expect(line?.split("\t")).toEqual(expect.arrayContaining([created, CLUSTER, "available"]));
  });

  it("snapshot cleanup --dry-run: changes nothing (the new snapshot is within retention and among the newest kept)", async () => {
    const r = await cli(["snapshot", "cleanup", "--dry-run"]);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toMatch(/would delete/);
    const snaps = (await client(RedshiftClient, src).send(new DescribeClusterSnapshotsCommand({ ClusterIdentifier: CLUSTER }))).Snapshots ?? [];
    expect(snaps.map((s) => s.SnapshotIdentifier)).toContain(created);
  });

  it("status --json: sees the source's newest snapshot; DR sees nothing shared (moto cannot share), so it exits 1 and says why", async () => {
    const r = await cli(["status", "--json"]);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout);
    expect(JSON.stringify(report)).toContain(created);
    expect(r.stderr).toMatch(/DR/);
  });

  it("preflight: one line per check, PASS / FAIL / CANNOT-CHECK with what to do; the emulator's cluster is not encrypted, so it fails", async () => {
    const r = await cli(["preflight"]);
    expect(r.code).toBe(1);
    const lines = r.stdout.split("\n").filter((l) => /^(PASS|FAIL|CANNOT-CHECK)\s/.test(l));
    expect(lines.length).toBeGreaterThan(3);
    expect(r.stdout).toMatch(new RegExp(`^FAIL\\s+cluster ${CLUSTER} .*`, "m"));
    expect(r.stdout).toMatch(/^preflight: \d+ checks: /m);
  });

  it("restore --wait: restores into the restore naming pattern, the DR subnet group and restore security group (found by name), resolving the DR key's alias, and prints the endpoint and the time to available", async () => {
    // A snapshot the DR account holds, named as the source names them (moto ignores OwnerAccount).
    const rsDr = client(RedshiftClient, dr);
    await createEmulatorCluster(rsDr, CLUSTER);
    await rsDr.send(new CreateClusterSnapshotCommand({ ClusterIdentifier: CLUSTER, SnapshotIdentifier: created }));
    const kms = client(KMSClient, dr);
    const key = (await kms.send(new CreateKeyCommand({ Description: "DR key" }))).KeyMetadata!;
    await kms.send(new CreateAliasCommand({ AliasName: `alias/${estate.project}-dr-redshift`, TargetKeyId: key.KeyId }));

    // The DR stack's restore network as the stacks name it: subnet group and closed security group <project>-dr-redshift.
    const ec2 = client(EC2Client, dr);
    const vpc = (await ec2.send(new CreateVpcCommand({ CidrBlock: "10.100.0.0/16" }))).Vpc!.VpcId!;
    const subnet = (await ec2.send(new CreateSubnetCommand({ VpcId: vpc, CidrBlock: "10.100.0.0/20", AvailabilityZone: `${REGION}a` }))).Subnet!.SubnetId!;
    const group = `${estate.project}-dr-redshift`;
    const sg = (await ec2.send(new CreateSecurityGroupCommand({ VpcId: vpc, GroupName: group, Description: "restore" }))).GroupId!;
    await rsDr.send(new CreateClusterSubnetGroupCommand({ ClusterSubnetGroupName: group, Description: "restore", SubnetIds: [subnet] }));

    const r = await cli(["restore", "--cluster", CLUSTER, "--snapshot", created, "--wait", "--poll-seconds", "1"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`account ${estate.dr.accountId} (DR), region ${REGION}, as role arn:aws:iam::${estate.dr.accountId}:role/${estate.project}-dr-restore-operator`);
    const name = /new cluster: (\S+)/.exec(r.stdout)?.[1];
    expect(name).toMatch(new RegExp(`^${estate.project}-restore-${CLUSTER}-\\d{8}t\\d{4}z$`));
    expect(r.stdout).toMatch(/endpoint: \S+/);
    expect(r.stdout).toMatch(/available after \d+ s/);
    const restored = (await rsDr.send(new DescribeClustersCommand({ ClusterIdentifier: name }))).Clusters![0];
    expect(restored.ClusterStatus).toBe("available");
    expect(restored.ClusterSubnetGroupName).toBe(group);
    expect(restored.VpcSecurityGroups?.map((g) => g.VpcSecurityGroupId)).toEqual([sg]);
    expect(r.stderr).not.toMatch(/warning: .*security group/);
    // moto does not keep the KmsKeyId of a restored cluster; the request's KmsKeyId (the DR key's ARN, resolved from
    // its alias) is asserted in __tests__/cli/restore.test.ts. Here: the alias resolved, or the restore would have failed.
    expect(key.Arn).toMatch(/^arn:aws:kms:/);
  });
});
