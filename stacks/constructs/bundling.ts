// esbuild bundling of a Lambda handler at synth time, and the zip cdktf deploys. Bundles are written under the
// app's outdir and never committed.
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { archiveFolder, hashFolder } from "../cdktf-internals";

// esbuild is loaded only to build a bundle: a synth whose bundles all come from the store below needs none of it.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const esbuild = () => require("esbuild") as typeof import("esbuild");

// One esbuild run per entry and options in a process: an app with one function per source account
// (or a test suite synthesizing many apps) bundles the same handler once, then copies it. The zip is
// cached too: cdktf's ARCHIVE assets start one `node` process per asset to zip it (about half a second),
// which made synth of a 20-source estate take 12 s instead of 1.
const bundleCache = new Map<string, CachedBundle>();

interface CachedBundle {
  readonly js: Buffer;
  readonly map: Buffer;
  readonly zip: Buffer;
  readonly hash: string;
}

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
  const cached = bundleCache.get(key) ?? readStoredBundle(key);
  if (cached) {
    bundleCache.set(key, cached);
    fs.writeFileSync(js, cached.js);
    fs.writeFileSync(map, cached.map);
    fs.writeFileSync(zipFile, cached.zip);
    return { zipFile, hash: cached.hash };
  }
  const started = Date.now();
  const { metafile } = esbuild().buildSync({
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
    metafile: true,
  });
  normaliseSourceMap(map, sourceRoot);
  archiveFolder(bundleDir, zipFile);
  const hash = hashFolder(bundleDir);
  const built = { js: fs.readFileSync(js), map: fs.readFileSync(map), zip: fs.readFileSync(zipFile), hash };
  bundleCache.set(key, built);
  storeBundle(key, built, Object.keys(metafile.inputs).map((f) => path.resolve(f)), started);
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

// The bundle store: bundles kept between runs, so that a synth whose handlers and their dependencies did not
// change runs neither esbuild nor cdktf's zip process (together about 2 s per distinct handler on a small
// machine). An entry is used only while everything that decided the bundle is as it was when it was built: the
// content of every file esbuild read (metafile inputs), the package.json and tsconfig.json that applied to them,
// and the names in each folder holding an input (a new file there could change what an import resolves to).
// The esbuild and cdktf versions and these options are part of the entry's key. One file per entry, replaced by a
// rename, so a parallel run (jest workers) reads a whole entry or none.

/** Bumped when what is stored, or how it is built, changes. */
const STORE_FORMAT = 1;

interface StoredManifest {
  readonly format: number;
  readonly hash: string;
  readonly sizes: [js: number, map: number, zip: number];
  /** Absolute path and sha256 of each file the bundle depends on ("" for a file that did not exist). */
  readonly files: [string, string][];
  /** Absolute path and sha256 of the sorted names in each folder holding an input. */
  readonly dirs: [string, string][];
}

/**
 * The folder that keeps bundles between runs, or undefined for none: REDSHIFT_BACKUP_CACHE_DIR/bundles when that
 * is set ("off" for no store), else node_modules/.cache/redshift-cross-account-dr/bundles in the working folder
 * when it has a node_modules folder.
 */
export function bundleStoreDir(env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): string | undefined {
  const setting = env.REDSHIFT_BACKUP_CACHE_DIR;
  if (setting === "off") return undefined;
  if (setting) return path.join(path.resolve(cwd, setting), "bundles");
  const modules = path.join(cwd, "node_modules");
  return fs.existsSync(modules) ? path.join(modules, ".cache", "redshift-cross-account-dr", "bundles") : undefined;
}

function storeFile(key: string): string | undefined {
  const dir = bundleStoreDir();
  if (dir === undefined) return undefined;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const versions = ["esbuild", "cdktf"].map((p) => (require(`${p}/package.json`) as { version: string }).version);
  const id = crypto.createHash("sha256").update(JSON.stringify([STORE_FORMAT, ...versions, key])).digest("hex");
  return path.join(dir, `${id}.bundle`);
}

// Hashes of the files and folders read in this process, so that many entries sharing the AWS SDK hash it once.
const fileHashes = new Map<string, string>();
const dirHashes = new Map<string, string>();

function sha256(data: string | Buffer): string {
  return crypto.createHash("sha256").update(data).digest("hex");
}

function fileHash(file: string): string {
  let h = fileHashes.get(file);
  if (h === undefined) {
    try {
      h = sha256(fs.readFileSync(file));
    } catch {
      h = "";
    }
    fileHashes.set(file, h);
  }
  return h;
}

function dirHash(dir: string): string {
  let h = dirHashes.get(dir);
  if (h === undefined) {
    try {
      h = sha256(fs.readdirSync(dir).sort().join("\0"));
    } catch {
      h = "";
    }
    dirHashes.set(dir, h);
  }
  return h;
}

/** The input files and, for each folder holding one, the nearest package.json and tsconfig.json above it. */
function dependencies(inputs: readonly string[]): { files: string[]; dirs: string[] } {
  const files = new Set<string>();
  const dirs = new Set<string>();
  for (const input of inputs) {
    if (!path.isAbsolute(input) || !fs.existsSync(input)) continue; // esbuild's virtual inputs
    files.add(input);
    dirs.add(path.dirname(input));
  }
  for (const dir of [...dirs]) {
    for (const name of ["package.json", "tsconfig.json"]) {
      for (let d = dir; ; d = path.dirname(d)) {
        const candidate = path.join(d, name);
        if (fs.existsSync(candidate)) {
          files.add(candidate);
          break;
        }
        if (path.dirname(d) === d) break;
      }
    }
  }
  return { files: [...files].sort(), dirs: [...dirs].sort() };
}

/**
 * Keeps a bundle built from `inputs` (esbuild started at `started`, epoch ms). Not when an input was written during
 * the build, or just before it (file times can be as coarse as 2 s): the hashes taken now could then be of a newer
 * content than the bundle's, and a later run would take the bundle for current.
 */
function storeBundle(key: string, bundle: CachedBundle, inputs: readonly string[], started: number): void {
  const file = storeFile(key);
  if (file === undefined) return;
  try {
    const deps = dependencies(inputs);
    if (deps.files.some((f) => fs.statSync(f).mtimeMs > started - 2000)) return;
    const manifest: StoredManifest = {
      format: STORE_FORMAT,
      hash: bundle.hash,
      sizes: [bundle.js.length, bundle.map.length, bundle.zip.length],
      files: deps.files.map((f) => [f, fileHash(f)]),
      dirs: deps.dirs.map((d) => [d, dirHash(d)]),
    };
    const header = Buffer.from(JSON.stringify(manifest));
    const length = Buffer.alloc(4);
    length.writeUInt32BE(header.length);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    pruneStore(path.dirname(file));
    const tmp = `${file}.${process.pid}.${crypto.randomBytes(4).toString("hex")}.tmp`;
    fs.writeFileSync(tmp, Buffer.concat([length, header, bundle.js, bundle.map, bundle.zip]));
    fs.renameSync(tmp, file);
  } catch {
    // A store that cannot be written (read-only, full) only costs the next run a rebuild.
  }
}

let pruned = false;
/**
 * Once per process that adds to the store: removes entries written more than two weeks ago (bundles of handlers
 * since edited, of entries that no longer exist, left-over temporary files). One still in use is built again.
 */
function pruneStore(dir: string): void {
  if (pruned) return;
  pruned = true;
  const before = Date.now() - 14 * 24 * 3600 * 1000;
  for (const name of fs.readdirSync(dir)) {
    try {
      const file = path.join(dir, name);
      if (fs.statSync(file).mtimeMs < before) fs.rmSync(file, { force: true });
    } catch {
      // removed by a parallel run
    }
  }
}

function readStoredBundle(key: string): CachedBundle | undefined {
  const file = storeFile(key);
  if (file === undefined) return undefined;
  let data: Buffer;
  try {
    data = fs.readFileSync(file);
  } catch {
    return undefined;
  }
  try {
    const headerLength = data.readUInt32BE(0);
    const manifest = JSON.parse(data.subarray(4, 4 + headerLength).toString("utf8")) as StoredManifest;
    const [jsLength, mapLength, zipLength] = manifest.sizes;
    if (manifest.format !== STORE_FORMAT || data.length !== 4 + headerLength + jsLength + mapLength + zipLength) return undefined;
    if (!manifest.files.every(([f, h]) => fileHash(f) === h)) return undefined;
    if (!manifest.dirs.every(([d, h]) => dirHash(d) === h)) return undefined;
    let at = 4 + headerLength;
    const take = (n: number) => data.subarray(at, (at += n));
    return { js: take(jsLength), map: take(mapLength), zip: take(zipLength), hash: manifest.hash };
  } catch {
    return undefined;
  }
}
