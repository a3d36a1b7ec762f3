// The app's command (cdktf.json) runs main.ts through scripts/register-ts.js, which keeps the transpiled JavaScript in
// a cache, and the stacks keep bundled Lambda handlers in a store beside it (stacks/constructs/bundling.ts; its own
// test is __tests__/constructs/bundling.test.ts). What must hold: an edited source always runs as edited, what the
// cache holds is what runs otherwise, stack traces name TypeScript lines, and the app synthesizes exactly what it
// did under ts-node, with an empty cache and with a full one. No timing is asserted: npm run bench:synth measures.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const ROOT = path.resolve(__dirname, "..");
const LOADER = path.join(ROOT, "scripts", "register-ts.js");
const [, ...APP_ARGS] = (JSON.parse(fs.readFileSync(path.join(ROOT, "cdktf.json"), "utf8")) as { app: string }).app.split(" ");
const TS_NODE_ARGS = ["--disable-warning=DEP0044", "--require", "ts-node/register/transpile-only", "main.ts"];

function node(args: string[], env: NodeJS.ProcessEnv, cwd = ROOT) {
  const r = spawnSync(process.execPath, args, { cwd, env: { ...process.env, ...env }, encoding: "utf8" });
  return { status: r.status, stdout: r.stdout.trim(), stderr: r.stderr };
}

/** Every file under `dir`, relative, sorted. */
function files(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return (fs.readdirSync(dir, { recursive: true }) as string[]).filter((f) => fs.statSync(path.join(dir, f)).isFile()).sort();
}

let work: string;
beforeEach(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), "rsdr-synth-cache-"));
});
afterEach(() => fs.rmSync(work, { recursive: true, force: true }));

describe("scripts/register-ts.js (the app command's TypeScript loader)", () => {
  const write = (name: string, text: string) => fs.writeFileSync(path.join(work, name), text);
  const answer = (cache: string) =>
    node(["--require", LOADER, "-e", `console.log(require(${JSON.stringify(path.join(work, "a.ts"))}).answer)`], { REDSHIFT_BACKUP_CACHE_DIR: cache });

  beforeEach(() => {
    write("a.ts", 'import { value } from "./b";\n\ninterface Unused {\n  x: number;\n}\nexport const answer: string = `a sees ${value}`;\n');
    write("b.ts", "export const value: number = 1;\n");
  });

  it("runs the sources as they are: an edited file is transpiled again, an unchanged one comes from the cache", () => {
    const cache = path.join(work, "cache");
    expect(answer(cache)).toMatchObject({ status: 0, stdout: "a sees 1", stderr: "" });
    expect(files(cache)).toHaveLength(2);
    write("b.ts", "export const value: number = 2;\n");
    expect(answer(cache).stdout).toBe("a sees 2");
    expect(files(cache)).toHaveLength(3);
    write("b.ts", "export const value: number = 1;\n");
    expect(answer(cache).stdout).toBe("a sees 1");
    expect(files(cache)).toHaveLength(3); // the first b.ts's entry again
  });

  it("runs what the cache holds for an unchanged file", () => {
    const cache = path.join(work, "cache");
    answer(cache);
    const entry = files(cache).find((f) => fs.readFileSync(path.join(cache, f), "utf8").includes("a sees"));
    fs.writeFileSync(path.join(cache, entry!), 'exports.answer = "from the cache";\n');
    expect(answer(cache).stdout).toBe("from the cache");
  });

  it("with REDSHIFT_BACKUP_CACHE_DIR=off transpiles in memory and writes nothing", () => {
    expect(answer("off")).toMatchObject({ status: 0, stdout: "a sees 1" });
    expect(files(work).sort()).toEqual(["a.ts", "b.ts"]);
  });

  it("names TypeScript lines and columns in stack traces, as ts-node did", () => {
    write("c.ts", "type Id = string;\n\ninterface Thing {\n  id: Id;\n}\n\nexport function fail(thing: Thing): never {\n  throw new Error(`no ${thing.id}`);\n}\n\nfail({ id: \"x\" });\n");
    const frames = (requireHook: string) => {
      const r = node(["--require", requireHook, path.join(work, "c.ts")], { REDSHIFT_BACKUP_CACHE_DIR: path.join(work, "cache") });
      expect(r.status).toBe(1);
      return r.stderr.split("\n").filter((l) => l.includes("c.ts:") && l.trim().startsWith("at "));
    };
    const ours = frames(LOADER);
    expect(ours).toEqual([expect.stringContaining(`fail (${path.join(work, "c.ts")}:8:9)`), expect.stringContaining(`(${path.join(work, "c.ts")}:11:1)`)]);
    expect(ours).toEqual(frames("ts-node/register/transpile-only"));
  });
});

describe("the app command with its cache", () => {
  // Child processes of a synth each: ts-node's run alone takes several seconds on a busy machine.
  jest.setTimeout(240_000);

  const synth = (args: string[], outdir: string, cache: string) => {
    const env: NodeJS.ProcessEnv = { CDKTF_OUTDIR: outdir, REDSHIFT_BACKUP_CACHE_DIR: cache };
    const r = node(args, env);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
  };
  /** A cache folder's entries with their modification times. */
  const listing = (cache: string) => files(cache).map((f) => `${f} ${fs.statSync(path.join(cache, f)).mtimeMs}`);

  it("synthesizes the example byte for byte as ts-node did, with an empty cache and with a full one; a full one gains nothing", () => {
    const cache = path.join(work, "cache");
    const outs = { tsNode: path.join(work, "ts-node"), cold: path.join(work, "cold"), warm: path.join(work, "warm") };
    synth(TS_NODE_ARGS, outs.tsNode, "off");
    synth(APP_ARGS, outs.cold, cache);
    const filled = listing(cache);
    expect(filled.filter((f) => f.startsWith("ts/")).length).toBeGreaterThan(40);
    expect(filled.filter((f) => f.startsWith("bundles/"))).toHaveLength(3); // snapshot manager, DR monitor, restore drill
    synth(APP_ARGS, outs.warm, cache);
    expect(listing(cache)).toEqual(filled);

    const expected = files(outs.tsNode);
    expect(expected.filter((f) => f.endsWith("cdk.tf.json"))).toHaveLength(3);
    for (const out of [outs.cold, outs.warm]) {
      expect(files(out)).toEqual(expected);
      // The zips differ in their files' times only; cdk.tf.json carries each bundle's hash (source_code_hash).
      for (const f of expected.filter((x) => !x.endsWith(".zip"))) {
        expect({ f, text: fs.readFileSync(path.join(out, f), "utf8") }).toEqual({ f, text: fs.readFileSync(path.join(outs.tsNode, f), "utf8") });
      }
    }
  });

  it("npm's prepare fills the cache with what a synth of the example uses, and is skipped for npm pack", () => {
    const byPrepare = path.join(work, "prepare");
    const r = node([path.join(ROOT, "scripts", "warm-synth-cache.js")], { REDSHIFT_BACKUP_CACHE_DIR: byPrepare });
    expect(r).toMatchObject({ status: 0, stderr: "" });
    expect(r.stdout).toMatch(/^synth cache filled/);
    const bySynth = path.join(work, "synth");
    synth(APP_ARGS, path.join(work, "out"), bySynth);
    expect(files(byPrepare)).toEqual(files(bySynth));

    const packing = path.join(work, "pack");
    expect(node([path.join(ROOT, "scripts", "warm-synth-cache.js")], { REDSHIFT_BACKUP_CACHE_DIR: packing, npm_command: "pack" })).toMatchObject({ status: 0, stdout: "" });
    expect(fs.existsSync(packing)).toBe(false);
  });
});
