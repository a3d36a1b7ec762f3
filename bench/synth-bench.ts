// Prints synth wall time for the example estate and a 20-source, 100-cluster estate, measured two
// ways: in this process (config validation + construct tree + writing cdktf.out), and as a whole
// `node main.ts` run as a pipeline does it (including Node and module start-up).
// Usage: npm run bench:synth [-- --runs 3]
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { App } from "cdktf";
import { EXAMPLE_CONFIG, parseConfig } from "../config/load";
import { buildStacks } from "../stacks";
import { largeEstate } from "./large-estate";

const runs = Number(process.argv[process.argv.indexOf("--runs") + 1]) || 3;
const root = path.resolve(__dirname, "..");
const work = fs.mkdtempSync(path.join(os.tmpdir(), "rsdr-bench-"));

function inProcess(raw: unknown): { ms: number; stacks: number } {
  const outdir = fs.mkdtempSync(path.join(work, "out-"));
  const t0 = process.hrtime.bigint();
  const app = new App({ outdir });
  buildStacks(app, parseConfig(raw));
  app.synth();
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  return { ms, stacks: fs.readdirSync(path.join(outdir, "stacks")).length };
}

function wholeRun(configFile: string): number {
  const outdir = fs.mkdtempSync(path.join(work, "out-"));
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, ["--require", "ts-node/register/transpile-only", "main.ts"], {
    cwd: root,
    env: { ...process.env, CDKTF_OUTDIR: outdir, REDSHIFT_BACKUP_CONFIG: configFile },
    encoding: "utf8",
  });
  if (r.status !== 0) throw new Error(`synth failed:\n${r.stderr}`);
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const large = largeEstate(20, 5);
const largeFile = path.join(work, "large.json");
fs.writeFileSync(largeFile, JSON.stringify(large));
const cases: [string, unknown, string][] = [
  ["example (1 source, 1 cluster)", JSON.parse(fs.readFileSync(EXAMPLE_CONFIG, "utf8")), EXAMPLE_CONFIG],
  ["large (20 sources, 100 clusters)", large, largeFile],
];

console.log(`synth benchmark, ${runs} runs each, median wall time (node ${process.version}, ${os.cpus().length} CPUs)`);
for (const [name, raw, file] of cases) {
  inProcess(raw); // warm the module cache, so in-process figures measure synth, not loading
  const inside = Array.from({ length: runs }, () => inProcess(raw));
  const whole = Array.from({ length: runs }, () => wholeRun(file));
  const ms = median(inside.map((r) => r.ms));
  console.log(`${name}: ${inside[0].stacks} stacks; in-process synth ${ms.toFixed(0)} ms; whole 'node main.ts' run ${median(whole).toFixed(0)} ms`);
}
console.log(`peak RSS of this process: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
fs.rmSync(work, { recursive: true, force: true });
