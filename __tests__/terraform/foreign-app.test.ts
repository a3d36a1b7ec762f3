// Real-Terraform tier: the package as another CDK for Terraform app gets it. The package is built with the command
// `npm run build` runs (into a temp folder, not this checkout's dist/), packed by npm with package.json's `files`,
// and unpacked into an empty app's node_modules; the dependencies are linked from this checkout's node_modules, as
// npm would install them, so nothing is downloaded. The app is docs/constructs.md's "A complete app", which imports
// only the package root; it and every short example of that page are type-checked against the installed
// declarations, the app is run, and its stacks pass `terraform init -backend=false` and `terraform validate` with
// the real AWS provider. Without Terraform this test fails, saying what to install; it never skips.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { SNAPSHOT_MANAGER_ENV } from "../../contract";
import { CONSTRUCTS_DOC, ROOT } from "../../scripts/construct-docs";
import { hasMirror, inParallel, requireTerraform, tempDir, terraformEnv, validateStack, writeCliConfig, type ValidateResult } from "../../scripts/terraform";

jest.setTimeout(300_000);

const PACKAGE = "redshift-cross-account-dr";
// The values of the docs' complete app: its stacks must name these.
const SOURCE = "123456789012";
const DR = "210987654321";
const REGION = "eu-west-1";
const CLUSTER = "acme-warehouse";

const work = tempDir("rsdr-foreign-");
const pkgDir = path.join(work, "package");
const appDir = path.join(work, "app");
const installed = path.join(appDir, "node_modules", PACKAGE);
const stacksDir = path.join(appDir, "cdktf.out", "stacks");

interface CodeBlock {
  /** The `## ` heading the block is under. */
  readonly section: string;
  readonly line: number;
  readonly code: string;
}

/** The ```ts blocks of a Markdown document, with the second-level heading each is under. */
function typescriptBlocks(markdown: string): CodeBlock[] {
  const blocks: CodeBlock[] = [];
  let section = "";
  let open: { line: number; lines: string[] } | undefined;
  markdown.split("\n").forEach((text, i) => {
    if (open) {
      if (/^```\s*$/.test(text)) {
        blocks.push({ section, line: open.line, code: open.lines.join("\n") });
        open = undefined;
      } else open.lines.push(text);
    } else if (/^```ts\s*$/.test(text)) open = { line: i + 1, lines: [] };
    else if (text.startsWith("## ")) section = text.slice(3).trim();
  });
  return blocks;
}

/** Runs a command to completion; a failure throws with what it printed. */
function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): string {
  const r = spawnSync(command, args, { cwd, env, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`${command} ${args.join(" ")} (in ${cwd}) exited ${r.status}:\n${r.stdout}${r.stderr}`);
  return r.stdout;
}

const tsc = (args: string[], cwd: string) => run(process.execPath, [path.join(ROOT, "node_modules/typescript/bin/tsc"), ...args], cwd);
// npm offline and quiet: packing reads only the folder; nothing may reach a registry.
const npmEnv = { ...process.env, npm_config_offline: "true", npm_config_update_notifier: "false", npm_config_fund: "false", npm_config_audit: "false" };

let packed: string[];
let blocks: CodeBlock[];
let stacks: Record<string, any>;

beforeAll(() => {
  requireTerraform(); // throws with what to install: this tier never skips

  // The build, as `npm run build` runs it, into the temp package; then what a git checkout adds to it.
  tsc(["-p", path.join(ROOT, "tsconfig.build.json"), "--outDir", path.join(pkgDir, "dist")], ROOT);
  for (const file of ["package.json", "README.md", ".gitignore", "bin/redshift-backup.js"]) {
    fs.mkdirSync(path.dirname(path.join(pkgDir, file)), { recursive: true });
    fs.copyFileSync(path.join(ROOT, file), path.join(pkgDir, file));
  }
  // Scripts off: the build above is what `prepare` would run.
  const [pack] = JSON.parse(run("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", work], pkgDir, npmEnv));
  packed = (pack.files as { path: string }[]).map((f) => f.path).sort();

  // The install: the tarball unpacked where npm puts it, the dependencies linked beside it.
  fs.mkdirSync(installed, { recursive: true });
  run("tar", ["-xzf", path.join(work, pack.filename), "-C", installed, "--strip-components=1"], work);
  for (const entry of fs.readdirSync(path.join(ROOT, "node_modules"))) {
    if (entry.startsWith(".") || entry === PACKAGE) continue;
    fs.symlinkSync(path.join(ROOT, "node_modules", entry), path.join(appDir, "node_modules", entry));
  }

  // The app and the examples, from the docs.
  blocks = typescriptBlocks(fs.readFileSync(CONSTRUCTS_DOC, "utf8"));
  const only = (section: string) => {
    const found = blocks.filter((b) => b.section === section);
    if (found.length !== 1) throw new Error(`docs/constructs.md: expected one ts block under "## ${section}", found ${found.length}`);
    return found[0].code;
  };
  const examples = blocks.filter((b) => ["Source account", "DR account", "Either account"].includes(b.section));
  fs.writeFileSync(path.join(appDir, "main.ts"), only("A complete app"));
  fs.writeFileSync(path.join(appDir, "install.ts"), only("Install and import"));
  fs.writeFileSync(
    path.join(appDir, "examples.ts"),
    [only("Conventions of the examples"), ...examples.map((b) => `// docs/constructs.md:${b.line}\n{\n${b.code}\n}`)].join("\n\n"),
  );
  fs.writeFileSync(
    path.join(appDir, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: { target: "ES2022", module: "node16", moduleResolution: "node16", strict: true, outDir: "out", skipLibCheck: false, types: [] },
      files: ["main.ts", "install.ts", "examples.ts"],
    }),
  );
  tsc(["-p", "tsconfig.json"], appDir);

  const env: NodeJS.ProcessEnv = { ...process.env, CHECKPOINT_DISABLE: "1" };
  delete env.CDKTF_OUTDIR;
  run(process.execPath, ["out/main.js"], appDir, env);
  stacks = Object.fromEntries(
    fs.readdirSync(stacksDir).map((name) => [name, JSON.parse(fs.readFileSync(path.join(stacksDir, name, "cdk.tf.json"), "utf8"))]),
  );
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
    expect(packed).toEqual(
      expect.arrayContaining(["package.json", "dist/index.js", "dist/index.d.ts", "dist/stacks/constructs/snapshot-automation.js", "dist/functions/snapshot-manager/handler.js"]),
    );
    expect(packed.filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"))).toEqual([]);
    // npm adds the README, package.json and the bin file to `files`; nothing else outside dist/.
    expect(packed.filter((f) => !f.startsWith("dist/"))).toEqual(["README.md", "bin/redshift-backup.js", "package.json"]);
  });

  it("may import the package root only: exports closes every deeper path", () => {
    const resolve = (spec: string) =>
      spawnSync(process.execPath, ["-e", `require.resolve(${JSON.stringify(spec)})`], { cwd: appDir, encoding: "utf8" });
    expect(resolve(PACKAGE).status).toBe(0);
    const deep = resolve(`${PACKAGE}/dist/stacks/constructs/kms-key.js`);
    expect(deep.status).not.toBe(0);
    expect(deep.stderr).toContain("ERR_PACKAGE_PATH_NOT_EXPORTED");
  });

  it("compiles the docs' app and every short example against the package's declarations", () => {
    // tsc ran in beforeAll (strict, skipLibCheck off, so the installed .d.ts files are checked too); here: that it had
    // something to check.
    expect(blocks.filter((b) => ["Source account", "DR account", "Either account"].includes(b.section)).length).toBeGreaterThanOrEqual(10);
    expect(fs.readFileSync(path.join(appDir, "main.ts"), "utf8")).toMatch(/from "redshift-cross-account-dr";/);
    expect(fs.existsSync(path.join(appDir, "out/main.js"))).toBe(true);
  });

  it("synthesizes a source and a DR stack", () => {
    expect(Object.keys(stacks).sort()).toEqual(["dr", "source"]);
    for (const [name, json] of Object.entries(stacks)) console.log(`foreign app, stack ${name}:\n  ${addresses(json).join("\n  ")}`);
  });

  it("bundles the snapshot manager from the handler compiled in the installed package", () => {
    const fn = only(stacks.source, "aws_lambda_function");
    expect(fs.existsSync(path.join(stacksDir, "source", fn.filename))).toBe(true);
    const bundles = path.join(appDir, "cdktf.out", "bundles");
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
    const results: ValidateResult[] = await inParallel(names, hasMirror() ? 2 : 1, (s) => validateStack(path.join(stacksDir, s), env));
    const report = names.map((stack, i) => ({ stack, ...results[i] }));
    for (const r of report) console.log(`terraform validate foreign app / ${r.stack}: ${r.valid ? "valid" : "INVALID"}${r.errors.length ? "\n  " + r.errors.join("\n  ") : ""}`);
    expect(report.filter((r) => !r.valid || r.errors.length > 0 || r.warnings.length > 0)).toEqual([]);
  });
});
