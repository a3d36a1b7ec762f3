// Runs the app's TypeScript as cdktf.json's command does (`node --require ./scripts/register-ts.js main.ts`): a
// require hook that transpiles each .ts file with esbuild (types stripped, nothing checked: `npm run typecheck` does
// that) and keeps the JavaScript in a cache keyed on a hash of the file's path and content, the esbuild version,
// tsconfig.json and this file. An edited file is transpiled again on its next load, so the cache can never run old
// code; an unchanged one is read from the cache, so a synth neither loads TypeScript's compiler nor transpiles.
// It replaces ts-node's transpile-only mode, which loaded the compiler and transpiled the app's 49 files on every
// run (about 2.5 s), and whose source-map-support mapped every frame of the thousands of stack traces cdktf takes
// while building the tree, cdktf's own frames through cdktf's source maps included (over a second for 20 sources).
// Stack traces still show TypeScript positions: frames in the files this hook compiled are mapped through their
// inline source maps (decoded on first use); other frames are formatted as Node formats them. (Only the
// `file:line` header Node prints above an uncaught exception's stack names the line of the transpiled code.)
// Plain JavaScript, so it needs no loader itself.
//
// Cache folder: $REDSHIFT_BACKUP_CACHE_DIR/ts when that is set, else node_modules/.cache/redshift-cross-account-dr/ts
// in this repository; REDSHIFT_BACKUP_CACHE_DIR=off transpiles in memory and writes nothing.
"use strict";
const crypto = require("crypto");
const fs = require("fs");
const path = require("path");

const root = path.resolve(__dirname, "..");

/** The folder of the transpiled files, or undefined when caching is off. */
function cacheDir() {
  const setting = process.env.REDSHIFT_BACKUP_CACHE_DIR;
  if (setting === "off") return undefined;
  return path.join(setting ? path.resolve(setting) : path.join(root, "node_modules", ".cache", "redshift-cross-account-dr"), "ts");
}

let tsconfig;
/** tsconfig.json's text: esbuild reads the options that change the JavaScript (target, class fields, ...). */
function tsconfigText() {
  if (tsconfig === undefined) {
    const file = path.join(root, "tsconfig.json");
    tsconfig = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "{}";
  }
  return tsconfig;
}

let salt;
/** What, besides a file's own path and content, decides its JavaScript: the transpiler, its settings, this file. */
function cacheSalt() {
  salt ??= [require("esbuild/package.json").version, tsconfigText(), fs.readFileSync(__filename, "utf8")].join("\0");
  return salt;
}

let esbuild;
/** TypeScript to CommonJS, as tsc would with tsconfig.json (ES2022 class fields, esModuleInterop). */
function transpile(source, filename) {
  esbuild ??= require("esbuild");
  return esbuild.transformSync(source, {
    loader: "ts",
    format: "cjs",
    platform: "node",
    target: "es2022",
    sourcefile: filename,
    sourcemap: "inline",
    sourcesContent: false,
    tsconfigRaw: tsconfigText(),
    logLevel: "silent",
  }).code;
}

/** The JavaScript of `filename` (source `source`): from the cache when it has this content, else transpiled and stored. */
function compiled(source, filename) {
  const dir = cacheDir();
  if (dir === undefined) return transpile(source, filename);
  const key = crypto.createHash("sha256").update(cacheSalt()).update("\0").update(filename).update("\0").update(source).digest("hex");
  const file = path.join(dir, `${key}.js`);
  try {
    return fs.readFileSync(file, "utf8");
  } catch {
    // not cached yet
  }
  const code = transpile(source, filename);
  try {
    // Written under a name of its own, then renamed: a parallel run sees the whole file or none.
    fs.mkdirSync(dir, { recursive: true });
    prune(dir);
    const tmp = `${file}.${process.pid}.${crypto.randomBytes(4).toString("hex")}.tmp`;
    fs.writeFileSync(tmp, code);
    fs.renameSync(tmp, file);
  } catch {
    // a read-only tree: run from memory
  }
  return code;
}

// Stack traces. The inline source map of each file this hook compiled, by file name: base64 until a frame needs
// it, then the decoded mappings.
const sourceMaps = new Map();
const INLINE_MAP = "//# sourceMappingURL=data:application/json;base64,";

const VLQ = new Map([..."ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"].map((c, i) => [c, i]));

/** A source map's mappings as, per generated line, its segments [column, source line, source column] (0-based). */
function decodeMappings(mappings) {
  const lines = [];
  let sourceLine = 0;
  let sourceColumn = 0;
  for (const line of mappings.split(";")) {
    const segments = [];
    let column = 0;
    for (const segment of line.split(",")) {
      if (segment === "") continue;
      const values = [];
      let value = 0;
      let shift = 0;
      for (const c of segment) {
        const digit = VLQ.get(c);
        value += (digit & 31) << shift;
        if (digit & 32) {
          shift += 5;
        } else {
          values.push(value & 1 ? -(value >>> 1) : value >>> 1);
          value = 0;
          shift = 0;
        }
      }
      column += values[0];
      if (values.length < 4) continue;
      sourceLine += values[2];
      sourceColumn += values[3];
      segments.push([column, sourceLine, sourceColumn]);
    }
    lines.push(segments);
  }
  return lines;
}

/**
 * The TypeScript position ("line:column", 1-based) of a position in a compiled file, or undefined when not mapped.
 * Remembered per position: cdktf takes thousands of stack traces through the same few call sites.
 */
function originalPosition(filename, line, column) {
  let entry = sourceMaps.get(filename);
  if (typeof entry === "string") {
    entry = { lines: decodeMappings(JSON.parse(Buffer.from(entry, "base64").toString("utf8")).mappings), seen: new Map() };
    sourceMaps.set(filename, entry);
  }
  const key = line * 100000 + column;
  let position = entry.seen.get(key);
  if (position === undefined) {
    const segments = entry.lines[line - 1];
    if (segments !== undefined && segments.length > 0) {
      let found = segments[0];
      for (const segment of segments) {
        if (segment[0] > column - 1) break;
        found = segment;
      }
      position = `${found[1] + 1}:${found[2] + 1}`;
    } else {
      position = null;
    }
    entry.seen.set(key, position);
  }
  return position ?? undefined;
}

/** One frame as Node prints it, with the TypeScript position when the frame is in a file this hook compiled. */
function formatFrame(frame) {
  const text = String(frame);
  const filename = frame.getFileName();
  if (!sourceMaps.has(filename)) return text;
  const line = frame.getLineNumber();
  const column = frame.getColumnNumber();
  const original = originalPosition(filename, line, column);
  if (original === undefined) return text;
  const position = `${filename}:${line}:${column}`;
  const at = text.lastIndexOf(position);
  if (at < 0) return text;
  return `${text.slice(0, at)}${filename}:${original}${text.slice(at + position.length)}`;
}

/** Node's own format (the error's toString, then one "at" line per frame), with TypeScript positions. */
function prepareStackTrace(error, frames) {
  let head;
  try {
    head = Error.prototype.toString.call(error);
  } catch {
    head = "<error>";
  }
  return frames.length === 0 ? head : `${head}\n    at ${frames.map(formatFrame).join("\n    at ")}`;
}

let pruned = false;
/**
 * Once per process that adds to the cache: removes entries written more than two weeks ago, so that the versions of
 * edited files do not pile up. An entry still in use is transpiled and written again on its next load.
 */
function prune(dir) {
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

/** Installs the hook for .ts files (Node's own type stripping, on by default from Node 22.18, is replaced). */
function register() {
  require.extensions[".ts"] = function loadTs(module, filename) {
    const code = compiled(fs.readFileSync(filename, "utf8"), filename);
    const map = code.lastIndexOf(INLINE_MAP);
    if (map >= 0) sourceMaps.set(filename, code.slice(map + INLINE_MAP.length).trim());
    module._compile(code, filename);
  };
  // With --enable-source-maps, Node maps every frame itself (slowly: see the top of this file).
  if (!process.sourceMapsEnabled) Error.prepareStackTrace = prepareStackTrace;
}

module.exports = { register, compiled, cacheDir };

// `--require ./scripts/register-ts.js` installs the hook; requiring this file from code does too.
register();
