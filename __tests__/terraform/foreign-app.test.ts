// Real-Terraform tier: the package as another CDK for Terraform app gets it (scripts/foreign-app.ts: built, packed by
// npm, unpacked into an empty app whose code is docs/constructs.md's "A complete app", which imports only the package
// root). The app and every short example of that page are type-checked against the installed declarations, the app
// is run, and its stacks pass `terraform init -backend=false` and `terraform validate` with the real AWS provider.
// Without Terraform this test fails, saying what to install; it never skips.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { SNAPSHOT_MANAGER_ENV } from "../../contract";
import { buildForeignApp, EXAMPLE_SECTIONS, FOREIGN_PACKAGE as PACKAGE, type ForeignApp } from "../../scripts/foreign-app";
import { hasMirror, inParallel, requireTerraform, tempDir, terraformEnv, validateStack, writeCliConfig, type ValidateResult } from "../../scripts/terraform";

jest.setTimeout(300_000);

// The values of the docs' complete app: its stacks must name these.
const SOURCE = "123456789012";
const DR = "210987654321";
const REGION = "eu-west-1";
const CLUSTER = "acme-warehouse";

const work = tempDir("rsdr-foreign-");

let app: ForeignApp;
let stacks: Record<string, any>;

beforeAll(() => {
  requireTerraform(); // throws with what to install: this tier never skips
  app = buildForeignApp(work, { examples: true });
  stacks = app.stacks;
});

afterAll(() => {
  // Kept for debugging when asked; otherwise the temp dir (and its links) goes.
  if (!process.env.KEEP_TF_OUTDIR) fs.rmSync(work, { recursive: true, force: true });
});

const addresses = (json: any): string[] =>
  [
    ...Object.entries(json.resource ?? {}).flatMap(([type, byName]) => Object.keys(byName as object).map((n) => `${type}.${n}`)),
    ...Object.entries(json.data ?? {}).flatMap(([type, byName]) => Object.keys(byName as object).map((n) => `data.${type}.${n}`)),
  ].sort();
const only = (json: any, type: string): any => {
  const all = Object.values(json.resource?.[type] ?? {});
  expect(all).toHaveLength(1);
  return all[0];
};
const statement = (policy: string, sid: string): any => JSON.parse(policy).Statement.find((s: any) => s.Sid === sid);
const asList = (v: string | string[]) => (Array.isArray(v) ? v : [v]);

describe("another CDKTF app using the installed package", () => {
  it("gets dist/ (JavaScript, declarations, the compiled handlers) and no TypeScript source", () => {
    const packed = app.packed;
    expect(packed).toEqual(
      expect.arrayContaining(["package.json", "dist/index.js", "dist/index.d.ts", "dist/stacks/constructs/snapshot-automation.js", "dist/functions/snapshot-manager/handler.js"]),
    );
    expect(packed.filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"))).toEqual([]);
    // npm adds the README, package.json and the bin file to `files`; nothing else outside dist/.
    expect(packed.filter((f) => !f.startsWith("dist/"))).toEqual(["README.md", "bin/redshift-backup.js", "package.json"]);
  });

  it("may import the package root only: exports closes every deeper path", () => {
    const resolve = (spec: string) =>
      spawnSync(process.execPath, ["-e", `require.resolve(${JSON.stringify(spec)})`], { cwd: app.appDir, encoding: "utf8" });
    expect(resolve(PACKAGE).status).toBe(0);
    const deep = resolve(`${PACKAGE}/dist/stacks/constructs/kms-key.js`);
    expect(deep.status).not.toBe(0);
    expect(deep.stderr).toContain("ERR_PACKAGE_PATH_NOT_EXPORTED");
  });

  it("compiles the docs' app and every short example against the package's declarations", () => {
    // tsc ran in beforeAll (strict, skipLibCheck off, so the installed .d.ts files are checked too); here: that it had
    // something to check.
    expect(app.blocks.filter((b) => EXAMPLE_SECTIONS.includes(b.section)).length).toBeGreaterThanOrEqual(10);
    expect(fs.readFileSync(path.join(app.appDir, "main.ts"), "utf8")).toMatch(/from "redshift-cross-account-dr";/);
    expect(fs.existsSync(path.join(app.appDir, "out/main.js"))).toBe(true);
  });

  it("synthesizes a source and a DR stack", () => {
    expect(Object.keys(stacks).sort()).toEqual(["dr", "source"]);
    for (const [name, json] of Object.entries(stacks)) console.log(`foreign app, stack ${name}:\n  ${addresses(json).join("\n  ")}`);
  });

  it("bundles the snapshot manager from the handler compiled in the installed package", () => {
    const fn = only(stacks.source, "aws_lambda_function");
    expect(fs.existsSync(path.join(app.stacksDir, "source", fn.filename))).toBe(true);
    const bundles = path.join(app.appDir, "cdktf.out", "bundles");
    const maps = fs.readdirSync(bundles).map((d) => path.join(bundles, d, "index.js.map")).filter((f) => fs.existsSync(f));
    expect(maps).toHaveLength(1);
    const sources = JSON.parse(fs.readFileSync(maps[0], "utf8")).sources as string[];
    expect(sources).toContain(`node_modules/${PACKAGE}/dist/functions/snapshot-manager/handler.js`);
  });

  it("snapshots and shares the cluster it is given with the DR account it is given, and nothing else", () => {
    const fn = only(stacks.source, "aws_lambda_function");
    expect(fn.function_name).toBe("acme-dw-snapshot-manager");
    expect(fn.environment.variables[SNAPSHOT_MANAGER_ENV.clusterIdentifiers]).toBe(CLUSTER);
    expect(fn.environment.variables[SNAPSHOT_MANAGER_ENV.drAccountIds]).toBe(DR);
    const policy = Object.values(stacks.source.resource.aws_iam_role_policy as Record<string, any>).find((p) =>
      statement(p.policy, "CreateOwnSnapshotsOfConfiguredClusters"),
    );
    const cluster = `arn:aws:redshift:${REGION}:${SOURCE}:cluster:${CLUSTER}`;
    expect(asList(statement(policy.policy, "CreateOwnSnapshotsOfConfiguredClusters").Resource)).toEqual([cluster, `arn:aws:redshift:${REGION}:${SOURCE}:snapshot:${CLUSTER}/rsdr-*`]);
    expect(asList(statement(policy.policy, "ShareRevokeDeleteOwnSnapshots").Resource)).toContain(cluster);
  });

  it("locks the DR vault and lets only the source account copy in", () => {
    expect(only(stacks.dr, "aws_backup_vault").name).toBe("acme-dr-vault");
    const lock = only(stacks.dr, "aws_backup_vault_lock_configuration");
    expect(lock).toMatchObject({ min_retention_days: 7, max_retention_days: 35 });
    expect(lock.changeable_for_days).toBeUndefined(); // governance mode
    const policy = only(stacks.dr, "aws_backup_vault_policy").policy as string;
    expect(statement(policy, "CopySourcesCopyIn").Principal).toEqual({ AWS: [`arn:aws:iam::${SOURCE}:root`] });
    expect(statement(policy, "NoDeletion")).toMatchObject({ Effect: "Deny", Principal: "*" });
  });

  it("lets the restore operator restore the given cluster's snapshots and vault copies, into its own clusters only", () => {
    const policy = only(stacks.dr, "aws_iam_role_policy").policy as string;
    expect(asList(statement(policy, "RestoreSharedSnapshots").Resource)).toEqual([
      `arn:aws:redshift:${REGION}:${SOURCE}:snapshot:${CLUSTER}/*`,
      `arn:aws:redshift:${REGION}:${DR}:cluster:acme-restore-*`,
    ]);
    expect(asList(statement(policy, "RestoreVaultCopies").Resource)).toEqual([`arn:aws:redshift:${REGION}:${DR}:snapshot:${CLUSTER}/awsbackup:*`]);
  });

  it("passes terraform init and validate with the real AWS provider", async () => {
    const env = terraformEnv(writeCliConfig(path.join(work, "cli")));
    const names = Object.keys(stacks).sort();
    const results: ValidateResult[] = await inParallel(names, hasMirror() ? 2 : 1, (s) => validateStack(path.join(app.stacksDir, s), env));
    const report = names.map((stack, i) => ({ stack, ...results[i] }));
    for (const r of report) console.log(`terraform validate foreign app / ${r.stack}: ${r.valid ? "valid" : "INVALID"}${r.errors.length ? "\n  " + r.errors.join("\n  ") : ""}`);
    expect(report.filter((r) => !r.valid || r.errors.length > 0 || r.warnings.length > 0)).toEqual([]);
  });
});
