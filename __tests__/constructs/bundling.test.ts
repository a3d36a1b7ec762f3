// The bundle store (stacks/constructs/bundling.ts): a bundle built in one process is used by the next one only while
// everything that decided it is unchanged: the content of each file esbuild read, and the names in each folder that
// held one. Each "process" here is a fresh module registry, so the in-process cache starts empty as in a new synth.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

type Bundling = typeof import("../../stacks/constructs/bundling");

let work: string;
let store: string;
let entry: string;
const saved = process.env.REDSHIFT_BACKUP_CACHE_DIR;

/** Writes a source file as an edit a minute ago would have (a file written during a build keeps it out of the store). */
function writeSource(name: string, text: string, secondsAgo = 60): void {
  const file = path.join(work, "src", name);
  fs.writeFileSync(file, text);
  const then = new Date(Date.now() - secondsAgo * 1000);
  fs.utimesSync(file, then, then);
}

beforeEach(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), "rsdr-bundling-"));
  store = path.join(work, "cache");
  process.env.REDSHIFT_BACKUP_CACHE_DIR = store;
  fs.mkdirSync(path.join(work, "src"));
  entry = path.join(work, "src", "handler.ts");
  writeSource("handler.ts", 'import { greeting } from "./dep";\nexport const handler = async (): Promise<string> => greeting;\n');
  writeSource("dep.ts", 'export const greeting: string = "hello from dep.ts";\n');
});

afterEach(() => {
  if (saved === undefined) delete process.env.REDSHIFT_BACKUP_CACHE_DIR;
  else process.env.REDSHIFT_BACKUP_CACHE_DIR = saved;
  fs.rmSync(work, { recursive: true, force: true });
});

/**
 * writeBundle in a fresh module registry (a new process, as far as the module is concerned). With `noEsbuild`,
 * esbuild cannot be loaded, so the bundle must come from the store.
 */
function bundleInNewProcess(name: string, noEsbuild = false): { js: string; hash: string; zip: Buffer } {
  let result: { js: string; hash: string; zip: Buffer } | undefined;
  try {
    jest.isolateModules(() => {
      if (noEsbuild) {
        jest.doMock("esbuild", () => {
          throw new Error("esbuild loaded: the bundle was built, not read from the store");
        });
      }
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { writeBundle } = require("../../stacks/constructs/bundling") as Bundling;
      const dir = path.join(work, "out", name);
      const bundle = writeBundle(dir, entry, [], work);
      result = { js: fs.readFileSync(path.join(dir, "index.js"), "utf8"), hash: bundle.hash, zip: fs.readFileSync(bundle.zipFile) };
    });
  } finally {
    jest.dontMock("esbuild");
  }
  return result!;
}

const storeFiles = () => (fs.existsSync(path.join(store, "bundles")) ? fs.readdirSync(path.join(store, "bundles")) : []);

describe("the bundle store", () => {
  it("serves an unchanged entry to the next process without running esbuild: same files, same hash", () => {
    const first = bundleInNewProcess("first");
    expect(first.js).toContain("hello from dep.ts");
    expect(storeFiles()).toHaveLength(1);
    const second = bundleInNewProcess("second", true);
    expect(second).toEqual(first);
    expect(storeFiles()).toHaveLength(1);
  });

  it("builds again when a file the bundle was built from changed, and keeps the new bundle", () => {
    const first = bundleInNewProcess("first");
    writeSource("dep.ts", 'export const greeting: string = "changed";\n');
    expect(() => bundleInNewProcess("stale", true)).toThrow(/esbuild loaded/);
    const second = bundleInNewProcess("second");
    expect(second.js).toContain("changed");
    expect(second.js).not.toContain("hello from dep.ts");
    expect(second.hash).not.toBe(first.hash);
    // The store now holds the new bundle (one entry per entry file and options).
    expect(bundleInNewProcess("third", true)).toEqual(second);
    expect(storeFiles()).toHaveLength(1);
  });

  it("builds again when a new file beside an input changes what an import resolves to", () => {
    bundleInNewProcess("first");
    // esbuild resolves "./dep" to dep.tsx before dep.ts.
    writeSource("dep.tsx", 'export const greeting: string = "from dep.tsx";\n');
    const second = bundleInNewProcess("second");
    expect(second.js).toContain("from dep.tsx");
  });

  it("does not keep a bundle built while one of its files was being edited", () => {
    writeSource("dep.ts", 'export const greeting: string = "being edited";\n', 0);
    bundleInNewProcess("first");
    expect(storeFiles()).toEqual([]);
    expect(() => bundleInNewProcess("second", true)).toThrow(/esbuild loaded/);
  });

  it("is not used, nor written, with REDSHIFT_BACKUP_CACHE_DIR=off", () => {
    process.env.REDSHIFT_BACKUP_CACHE_DIR = "off";
    bundleInNewProcess("first");
    expect(() => bundleInNewProcess("second", true)).toThrow(/esbuild loaded/);
    expect(fs.existsSync(path.join(work, "off"))).toBe(false);
    expect(fs.readdirSync(work).sort()).toEqual(["out", "src"]);
  });

  it("defaults to node_modules/.cache in the working folder, and to none without node_modules", () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { bundleStoreDir } = require("../../stacks/constructs/bundling") as Bundling;
    const root = path.resolve(__dirname, "../..");
    expect(bundleStoreDir({}, root)).toBe(path.join(root, "node_modules", ".cache", "redshift-cross-account-dr", "bundles"));
    expect(bundleStoreDir({}, work)).toBeUndefined();
    expect(bundleStoreDir({ REDSHIFT_BACKUP_CACHE_DIR: "c" }, work)).toBe(path.join(work, "c", "bundles"));
  });
});
