// esbuild bundling of a Lambda handler at synth time, and the zip cdktf deploys. Bundles are written under the
// app's outdir and never committed.
import * as fs from "fs";
import * as path from "path";
import { buildSync } from "esbuild";
import { archiveFolder, hashFolder } from "../cdktf-internals";

// One esbuild run per entry and options in a process: an app with one function per source account
// (or a test suite synthesizing many apps) bundles the same handler once, then copies it. The zip is
// cached too: cdktf's ARCHIVE assets start one `node` process per asset to zip it (about half a second),
// which made synth of a 20-source estate take 12 s instead of 1.
const bundleCache = new Map<string, { js: Buffer; map: Buffer; zip: Buffer; hash: string }>();

export interface Bundle {
  /** The zipped bundle, named archive.zip as an ARCHIVE asset's would be. */
  readonly zipFile: string;
  /** cdktf's hash of the bundle folder (what an ARCHIVE asset of it would carry). */
  readonly hash: string;
}

/**
 * Bundles `entry` into `bundleDir` (index.js and its source map; emptied first) and zips it next to it, as
 * `<bundleDir>.zip/archive.zip`. Returns the zip and cdktf's hash of the folder.
 */
export function writeBundle(bundleDir: string, entry: string, external: readonly string[], sourceRoot: string): Bundle {
  fs.rmSync(bundleDir, { recursive: true, force: true });
  fs.mkdirSync(bundleDir, { recursive: true });
  const js = path.join(bundleDir, "index.js");
  const map = path.join(bundleDir, "index.js.map");
  const zipDir = `${bundleDir}.zip`;
  fs.rmSync(zipDir, { recursive: true, force: true });
  fs.mkdirSync(zipDir, { recursive: true });
  const zipFile = path.join(zipDir, "archive.zip");
  const key = JSON.stringify([entry, external, sourceRoot]);
  const cached = bundleCache.get(key);
  if (cached) {
    fs.writeFileSync(js, cached.js);
    fs.writeFileSync(map, cached.map);
    fs.writeFileSync(zipFile, cached.zip);
    return { zipFile, hash: cached.hash };
  }
  buildSync({
    entryPoints: [entry],
    outfile: js,
    bundle: true,
    platform: "node",
    target: "node22",
    format: "cjs",
    sourcemap: true,
    // Stack traces need only the mappings; leaving the sources out keeps the map (parsed at cold start) small.
    sourcesContent: false,
    minify: true,
    external: [...external],
    logLevel: "silent",
  });
  normaliseSourceMap(map, sourceRoot);
  archiveFolder(bundleDir, zipFile);
  const hash = hashFolder(bundleDir);
  bundleCache.set(key, { js: fs.readFileSync(js), map: fs.readFileSync(map), zip: fs.readFileSync(zipFile), hash });
  return { zipFile, hash };
}

/**
 * esbuild writes source paths relative to the map's own folder; rewrite them relative to `sourceRoot`, so
 * that stack traces show project paths (functions/lib/x.ts:12) wherever the bundle was built.
 */
function normaliseSourceMap(mapFile: string, sourceRoot: string): void {
  const map = JSON.parse(fs.readFileSync(mapFile, "utf8")) as { sources: string[] };
  map.sources = map.sources.map((s) =>
    path.relative(sourceRoot, path.resolve(path.dirname(mapFile), s)).split(path.sep).join("/"),
  );
  fs.writeFileSync(mapFile, JSON.stringify(map));
}
