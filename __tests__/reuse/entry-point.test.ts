// The package entry point (index.ts) as another CDKTF app sees it: exactly the names docs/constructs.md lists, the
// same at run time as in the source, built from modules that read nothing of this project's config, every optional
// prop with a documented default, the props tables of the docs current, and package.json pointing at what the build
// writes. The foreign-app test (__tests__/terraform/foreign-app.test.ts) installs the built package and runs it.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import {
  CONSTRUCTS_DOC,
  documentedInterfaces,
  entryExports,
  exportedInterfaces,
  missingDefaults,
  reachableModules,
  renderDocument,
  ROOT,
} from "../../scripts/construct-docs";
import { packagedHandlerEntry } from "../../stacks/constructs/handler-entry";
import { tables } from "../docs/markdown";

const doc = fs.readFileSync(CONSTRUCTS_DOC, "utf8");
const exported = entryExports();
const exportedNames = exported.map((e) => e.name);
const rel = (file: string) => path.relative(ROOT, file).split(path.sep).join("/");

/** The first column of the table under "## What the package exports". */
function documentedExports(): string[] {
  const table = tables(doc).find((t) => t.under.some((h) => h.title === "What the package exports"));
  if (!table) throw new Error('docs/constructs.md has no table under "## What the package exports"');
  expect(table.table.header[0]).toBe("Export");
  return table.table.rows.map((r) => r.cells[0].replace(/^`|`$/g, ""));
}

describe("the package entry point", () => {
  it("exports exactly the names docs/constructs.md lists, each once", () => {
    const documented = documentedExports();
    expect(exportedNames.length).toBeGreaterThan(40);
    expect(new Set(exportedNames).size).toBe(exportedNames.length);
    expect(new Set(documented).size).toBe(documented.length);
    expect([...documented].sort()).toEqual([...exportedNames].sort());
  });

  it("exports at run time exactly the names index.ts exports as values", () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const runtime = Object.keys(require("../../index") as object).sort();
    expect(runtime).toEqual(exported.filter((e) => !e.typeOnly).map((e) => e.name).sort());
    expect(runtime).toEqual(expect.arrayContaining(["SnapshotAutomation", "LockedBackupVault", "CrossAccountBackupPlan", "RestoreOperatorRole"]));
  });

  it("is built from the constructs and the contract alone: nothing of config/, cli/ or the project's stacks", () => {
    const modules = reachableModules().map(rel);
    expect(modules).toEqual(expect.arrayContaining(["index.ts", "stacks/constructs/snapshot-automation.ts", "contract/index.ts"]));
    const allowed = (m: string) => m === "index.ts" || m === "stacks/cdktf-internals.ts" || /^(stacks\/constructs|contract)\/[\w-]+\.ts$/.test(m);
    expect(modules.filter((m) => !allowed(m))).toEqual([]);
  });

  it("refuses an entry point that hides names behind export * or declares its own", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "entry-"));
    fs.writeFileSync(path.join(dir, "a.ts"), "export const a = 1;\n");
    fs.writeFileSync(path.join(dir, "index.ts"), 'export * from "./a";\n');
    expect(() => entryExports(path.join(dir, "index.ts"))).toThrow(/index\.ts:1: only named re-exports/);
    fs.writeFileSync(path.join(dir, "index.ts"), 'export { a } from "./a";\nexport const b = 2;\n');
    expect(() => entryExports(path.join(dir, "index.ts"))).toThrow(/index\.ts:2: only named re-exports/);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe("the exported props", () => {
  const interfaces = exportedInterfaces(reachableModules());
  const exportedInterfaceNames = exported.filter((e) => e.typeOnly && interfaces.has(e.name)).map((e) => e.name);

  it("document the default of every optional prop with @default", () => {
    expect(exportedInterfaceNames.length).toBeGreaterThan(20);
    expect(missingDefaults(exportedInterfaceNames.map((n) => interfaces.get(n)!))).toEqual([]);
  });

  it("finds a missing @default, in an inline object type too (so the check above means something)", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "props-"));
    const file = path.join(dir, "p.ts");
    fs.writeFileSync(file, "export interface P {\n  /** @default 1 */\n  readonly a?: number;\n  readonly b?: { readonly c?: string };\n}\n");
    expect(missingDefaults(exportedInterfaces([file]).values())).toEqual(["P.b", "P.b.c"]);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("extend only interfaces the entry point exports too", () => {
    const parents = exportedInterfaceNames.flatMap((n) => interfaces.get(n)!.extends);
    expect(parents).toEqual(expect.arrayContaining(["ScheduledFunctionCommonProps", "AwsEnvironmentProps"]));
    expect(parents.filter((p) => !exportedNames.includes(p))).toEqual([]);
  });

  it("each have a props table in docs/constructs.md, and the tables are current (npm run docs:constructs)", () => {
    expect([...documentedInterfaces(doc)].sort()).toEqual([...exportedInterfaceNames].sort());
    expect(renderDocument(doc, interfaces)).toBe(doc);
  });
});

describe("the package", () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));
  const build = JSON.parse(fs.readFileSync(path.join(ROOT, "tsconfig.build.json"), "utf8"));

  it("points main, types and exports at what the build writes for index.ts, and ships only that", () => {
    expect(pkg.scripts.build).toBe("tsc -p tsconfig.build.json");
    // prepare builds first, then fills the synth cache of this checkout (docs/testing.md, How synth runs).
    expect(pkg.scripts.prepare).toBe("npm run build && node scripts/warm-synth-cache.js");
    expect(build.compilerOptions).toMatchObject({ outDir: "dist", rootDir: ".", declaration: true, noEmit: false });
    expect(build.include).toEqual(["index.ts", "functions/*/handler.ts"]);
    expect(pkg.main).toBe("dist/index.js");
    expect(pkg.types).toBe("dist/index.d.ts");
    expect(pkg.exports["."]).toEqual({ types: "./dist/index.d.ts", default: "./dist/index.js" });
    expect(pkg.files).toEqual(["dist"]);
  });

  it("main.ts, the project's own app, synthesizes when run and not when imported", () => {
    const cwd = fs.mkdtempSync(path.join(os.tmpdir(), "import-main-"));
    const r = spawnSync(process.execPath, ["--require", require.resolve("ts-node/register/transpile-only"), "-e", `require(${JSON.stringify(path.join(ROOT, "main.ts"))})`], {
      cwd,
      env: { ...process.env, TS_NODE_PROJECT: path.join(ROOT, "tsconfig.json") },
      encoding: "utf8",
    });
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: "" });
    expect(fs.readdirSync(cwd)).toEqual([]); // no cdktf.out: nothing was synthesized
    fs.rmSync(cwd, { recursive: true, force: true });
  });

  it("has what synth needs in an installed copy as dependencies, not devDependencies", () => {
    for (const name of ["esbuild", "cdktf", "constructs", "@cdktf/provider-aws"]) {
      expect(pkg.dependencies[name]).toBeDefined();
      expect(pkg.devDependencies[name]).toBeUndefined();
    }
  });

  it("finds a packaged handler as TypeScript in the repository and as the build's JavaScript in an installed copy", () => {
    expect(packagedHandlerEntry("snapshot-manager")).toBe(path.join(ROOT, "functions/snapshot-manager/handler.ts"));
    const installed = fs.mkdtempSync(path.join(os.tmpdir(), "installed-"));
    const constructs = path.join(installed, "dist/stacks/constructs");
    fs.mkdirSync(constructs, { recursive: true });
    fs.mkdirSync(path.join(installed, "dist/functions/dr-monitor"), { recursive: true });
    fs.writeFileSync(path.join(installed, "dist/functions/dr-monitor/handler.js"), "exports.handler = async () => undefined;\n");
    expect(packagedHandlerEntry("dr-monitor", constructs)).toBe(path.join(installed, "dist/functions/dr-monitor/handler.js"));
    expect(() => packagedHandlerEntry("restore-drill", constructs)).toThrow(
      `handler restore-drill: none of ${path.join(installed, "dist/functions/restore-drill/handler.ts")}, ${path.join(installed, "dist/functions/restore-drill/handler.js")} exists`,
    );
    fs.rmSync(installed, { recursive: true, force: true });
  });
});
