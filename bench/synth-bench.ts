// Synth at scale (issue 14): prints, in one run, for a 20-source, 100-cluster estate
//   (a) the whole app run as a pipeline runs it: cdktf.json's app command in a child process (Node start-up, loading,
//       config validation, construct tree, bundles, writing cdktf.out), median wall time of --runs runs and the
//       child's peak RSS; once with an empty cache (every file transpiled, every handler bundled and zipped) and then
//       with the cache that run filled (what every later synth of unchanged sources sees);
//   (b) the yardstick: bench/bare-app.js, a bare cdktf app in plain JavaScript synthesizing as many stacks, resources
//       and data sources as (a) wrote, run the same way, interleaved with (a)'s runs so both see the same machine;
//   (c) the ratio (a)/(b), and whether each target of the issue holds: under 5 s, under 512 MiB, ratio at most 3.
// Then the example estate the same way, and both estates synthesized in this process (after a warm-up, so these
// figures are synth itself: config validation, construct tree, cdktf's synth), split into their phases.
// A script that prints figures, not a timed test: nothing fails on a slow machine.
// Usage: npm run bench:synth [-- --runs 5] [-- --ts-node] (--ts-node also times the app run by ts-node, as before)
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { App } from "cdktf";
import { EXAMPLE_CONFIG, parseConfig } from "../config/load";
import { buildStacks } from "../stacks";
import { largeEstate } from "./large-estate";

const runs = Number(process.argv[process.argv.indexOf("--runs") + 1]) || 5;
const withTsNode = process.argv.includes("--ts-node");
const root = path.resolve(__dirname, "..");
const work = fs.mkdtempSync(path.join(os.tmpdir(), "rsdr-bench-"));

const TARGET_MS = 5000;
const TARGET_MIB = 512;
const TARGET_RATIO = 3;

// The app command exactly as cdktf.json has it, with this process's node for `node`.
const appCommand = (JSON.parse(fs.readFileSync(path.join(root, "cdktf.json"), "utf8")) as { app: string }).app.split(" ");
if (appCommand[0] !== "node") throw new Error(`cdktf.json's app command does not start with node: ${appCommand.join(" ")}`);
const TS_NODE_COMMAND = ["node", "--disable-warning=DEP0044", "--require", "ts-node/register/transpile-only", "main.ts"];

// Peak RSS and CPU time of a child, reported by the child itself at exit (process.resourceUsage), so that the figure
// is the node process's own and the same on every platform. Loaded with --require ahead of the command's own flags.
// Processes the app starts (esbuild, cdktf's zip) are not counted: with the cache filled there are none.
const probe = path.join(work, "usage-probe.js");
fs.writeFileSync(
  probe,
  `process.on("exit", () => { const u = process.resourceUsage();
  require("fs").writeFileSync(process.env.RSDR_BENCH_USAGE, JSON.stringify({ maxRSS: u.maxRSS, cpu: u.userCPUTime + u.systemCPUTime })); });`,
);

interface Run {
  readonly ms: number;
  readonly mib: number;
  readonly cpuMs: number;
  readonly outdir: string;
}

/** Runs `command` (a node command line) in the repository as a pipeline would, with its own output folder. */
function runChild(command: string[], env: NodeJS.ProcessEnv): Run {
  const outdir = fs.mkdtempSync(path.join(work, "out-"));
  const usage = path.join(work, `usage-${path.basename(outdir)}.json`);
  const [, ...args] = command;
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, ["--require", probe, ...args], {
    cwd: root,
    env: { ...process.env, ...env, CDKTF_OUTDIR: outdir, RSDR_BENCH_USAGE: usage },
    encoding: "utf8",
  });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${command.join(" ")} failed:\n${r.stderr}`);
  if (r.stderr !== "") throw new Error(`${command.join(" ")} wrote to stderr:\n${r.stderr}`);
  const u = JSON.parse(fs.readFileSync(usage, "utf8")) as { maxRSS: number; cpu: number };
  return { ms, mib: u.maxRSS / 1024, cpuMs: u.cpu / 1000, outdir };
}

const runApp = (configFile: string, cacheDir: string) => runChild(appCommand, { REDSHIFT_BACKUP_CONFIG: configFile, REDSHIFT_BACKUP_CACHE_DIR: cacheDir });

interface StackShape {
  readonly name: string;
  readonly resources: number;
  readonly data: number;
}

/** Stacks, resources and data sources a synthesized app wrote. */
function shapeOf(outdir: string): StackShape[] {
  const stacks = path.join(outdir, "stacks");
  return fs.readdirSync(stacks).sort().map((name) => {
    const tf = JSON.parse(fs.readFileSync(path.join(stacks, name, "cdk.tf.json"), "utf8")) as {
      resource?: Record<string, Record<string, unknown>>;
      data?: Record<string, Record<string, unknown>>;
    };
    const count = (blocks: Record<string, Record<string, unknown>> = {}) => Object.values(blocks).reduce((n, b) => n + Object.keys(b).length, 0);
    return { name, resources: count(tf.resource), data: count(tf.data) };
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (x: number) => `${(x / 1000).toFixed(2)} s`;
const mib = (x: number) => `${x.toFixed(0)} MiB`;
const holds = (ok: boolean) => (ok ? "holds" : "MISSED");

interface Figures {
  readonly ms: number;
  readonly mib: number;
  readonly cpuMs: number;
}
const summary = (rs: Run[]): Figures => ({ ms: median(rs.map((r) => r.ms)), mib: Math.max(...rs.map((r) => r.mib)), cpuMs: median(rs.map((r) => r.cpuMs)) });
const line = (f: Figures, n: number) => `${ms(f.ms)} wall (median of ${n}), peak RSS ${mib(f.mib)}, CPU ${ms(f.cpuMs)}`;

/** Whole-run figures for one estate: cold, then warm interleaved with the bare app. */
function wholeRuns(slug: string, name: string, configFile: string): { warm: Figures; bare: Figures; cold: Figures } {
  const cache = fs.mkdtempSync(path.join(work, "cache-"));
  const coldRun = runApp(configFile, cache);
  const shape = shapeOf(coldRun.outdir);
  const shapeFile = path.join(work, `${slug}-shape.json`);
  fs.writeFileSync(shapeFile, JSON.stringify(shape));
  const warm: Run[] = [];
  const bare: Run[] = [];
  for (let i = 0; i < runs; i++) {
    warm.push(runApp(configFile, cache));
    bare.push(runChild(["node", "--disable-warning=DEP0044", path.join("bench", "bare-app.js"), shapeFile], {}));
  }
  const totals = `${shape.length} stacks, ${shape.reduce((n, s) => n + s.resources, 0)} resources, ${shape.reduce((n, s) => n + s.data, 0)} data sources`;
  const cold = summary([coldRun]);
  const w = summary(warm);
  const b = summary(bare);
  console.log(`\n${name}: ${totals}`);
  console.log(`  (a) app, cache filled:   ${line(w, runs)}`);
  console.log(`      app, empty cache:    ${line(cold, 1)}`);
  console.log(`  (b) bare app (plain JS): ${line(b, runs)}`);
  console.log(`  (c) ratio (a)/(b): ${(w.ms / b.ms).toFixed(2)}x wall, ${(w.cpuMs / b.cpuMs).toFixed(2)}x CPU; empty cache ${(cold.ms / b.ms).toFixed(2)}x wall`);
  if (withTsNode) {
    const tsNode = summary(Array.from({ length: runs }, () => runChild(TS_NODE_COMMAND, { REDSHIFT_BACKUP_CONFIG: configFile, REDSHIFT_BACKUP_CACHE_DIR: "off" })));
    console.log(`      ts-node (before):    ${line(tsNode, runs)}; ${(tsNode.ms / b.ms).toFixed(2)}x the bare app`);
  }
  return { warm: w, bare: b, cold };
}

type Phase = "config" | "tree" | "synth";
/** In this process: validate the config, build the tree, synthesize (milliseconds each). */
function inProcess(raw: unknown): Record<Phase, number> {
  const outdir = fs.mkdtempSync(path.join(work, "out-"));
  const t0 = performance.now();
  const estate = parseConfig(raw);
  const t1 = performance.now();
  const app = new App({ outdir });
  buildStacks(app, estate);
  const t2 = performance.now();
  app.synth();
  const t3 = performance.now();
  return { config: t1 - t0, tree: t2 - t1, synth: t3 - t2 };
}

const large = largeEstate(20, 5);
const largeFile = path.join(work, "large.json");
fs.writeFileSync(largeFile, JSON.stringify(large));

console.log(`synth benchmark (node ${process.version}, ${os.cpus().length} CPUs, load average ${os.loadavg()[0].toFixed(1)})`);
console.log(`app command (cdktf.json): ${appCommand.join(" ")}`);
const big = wholeRuns("large", "large estate (20 sources, 100 clusters)", largeFile);
wholeRuns("example", "example estate (config/example.json)", EXAMPLE_CONFIG);

console.log(`\nin this process (after a warm-up; median of ${runs}):`);
for (const [name, raw] of [["large", large], ["example", JSON.parse(fs.readFileSync(EXAMPLE_CONFIG, "utf8"))]] as const) {
  inProcess(raw);
  const r = Array.from({ length: runs }, () => inProcess(raw));
  const m = (p: Phase) => median(r.map((x) => x[p]));
  console.log(`  ${name}: config ${m("config").toFixed(0)} ms, construct tree ${m("tree").toFixed(0)} ms, cdktf synth ${m("synth").toFixed(0)} ms`);
}

const ratio = big.warm.ms / big.bare.ms;
console.log(`\ntargets (large estate, app with its cache filled):`);
console.log(`  wall time under ${TARGET_MS / 1000} s: ${ms(big.warm.ms)}: ${holds(big.warm.ms < TARGET_MS)} (empty cache ${ms(big.cold.ms)}: ${holds(big.cold.ms < TARGET_MS)})`);
console.log(`  peak RSS under ${TARGET_MIB} MiB: ${mib(Math.max(big.warm.mib, big.cold.mib))}: ${holds(Math.max(big.warm.mib, big.cold.mib) < TARGET_MIB)}`);
console.log(`  within ${TARGET_RATIO}x of the bare app: ${ratio.toFixed(2)}x: ${holds(ratio <= TARGET_RATIO)}`);
fs.rmSync(work, { recursive: true, force: true });
