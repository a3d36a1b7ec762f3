// Part of npm's `prepare` (so of `npm ci` and `npm install`): runs the app once, as cdktf.json runs it, on the
// embedded example estate into a temporary folder, which fills the synth cache (scripts/register-ts.js: the
// transpiled app; stacks/constructs/bundling.ts: the bundled and zipped Lambda handlers). The first synth after an
// install, a pipeline's, is then as fast as every later one. Nothing is kept but the cache: the cache is keyed on
// the content of the sources, so a source edited after the install is transpiled or bundled again when next used.
// Never fails the install: if the app cannot run, it says so and the first synth fills the cache instead.
// Skipped with REDSHIFT_BACKUP_CACHE_DIR=off, and when npm runs `prepare` for `npm pack` or `npm publish`.
"use strict";
const { spawnSync } = require("child_process");
const fs = require("fs");
const os = require("os");
const path = require("path");

const root = path.resolve(__dirname, "..");
if (process.env.REDSHIFT_BACKUP_CACHE_DIR === "off" || ["pack", "publish"].includes(process.env.npm_command)) process.exit(0);

const [node, ...args] = JSON.parse(fs.readFileSync(path.join(root, "cdktf.json"), "utf8")).app.split(" ");
if (node !== "node") process.exit(0);
const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "rsdr-warm-"));
const env = { ...process.env, CDKTF_OUTDIR: outdir };
delete env.REDSHIFT_BACKUP_CONFIG;
delete env.SYNTH_HCL_OUTPUT;
const t0 = Date.now();
const r = spawnSync(process.execPath, args, { cwd: root, env, encoding: "utf8" });
fs.rmSync(outdir, { recursive: true, force: true });
if (r.status === 0) {
  console.log(`synth cache filled (the example estate synthesized in ${((Date.now() - t0) / 1000).toFixed(1)} s)`);
} else {
  console.log(`synth cache not filled: the example estate did not synthesize (the first synth fills it):\n${(r.stderr || String(r.error)).trim()}`);
}
