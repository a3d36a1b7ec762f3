// The repository stands alone: a user who clones it can follow every pointer in its code and docs.
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

const root = path.resolve(__dirname, "..");

/** Files git tracks, plus new ones it does not ignore (so the check also holds before a commit). */
function repositoryFiles(): string[] {
  const out = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard", "-z"], { cwd: root, encoding: "utf8" });
  return out.split("\0").filter((f) => f !== "" && f !== "package-lock.json" && fs.existsSync(path.join(root, f)));
}

describe("the repository", () => {
  it("names no Markdown note that is not in it, and no relative path that climbs out of it", () => {
    const files = repositoryFiles();
    expect(files.length).toBeGreaterThan(50);
    const notes = new Set(files.filter((f) => f.endsWith(".md")).map((f) => path.basename(f)));
    const offenders: string[] = [];
    for (const f of files) {
      // Web addresses are not repository paths; what they name is checked by following them, not here.
      const text = fs.readFileSync(path.join(root, f), "utf8").replace(/https?:\/\/\S+/g, "");
      for (const [name] of text.matchAll(/[\w./-]*\w\.md\b/g)) {
        if (!notes.has(path.basename(name))) offenders.push(`${f}: ${name}`);
      }
      for (const [rel] of text.matchAll(/(?:\.\.\/)+[\w.-]+/g)) {
        const target = path.resolve(root, path.dirname(f), rel);
        if (target !== root && !target.startsWith(root + path.sep)) offenders.push(`${f}: ${rel}`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it("every docs/ file a document links to exists", () => {
    const broken: string[] = [];
    for (const f of repositoryFiles().filter((x) => x.endsWith(".md"))) {
      const text = fs.readFileSync(path.join(root, f), "utf8");
      for (const [, target] of text.matchAll(/\]\(((?:\.\.\/|\.\/)?(?:docs\/)?[\w-]+\.md)(?:#[\w-]+)?\)/g)) {
        if (!fs.existsSync(path.resolve(root, path.dirname(f), target))) broken.push(`${f} -> ${target}`);
      }
    }
    expect(broken).toEqual([]);
  });
  it("reaches into cdktf's private modules only through stacks/cdktf-internals.ts", () => {
    // cdktf/lib/testing/adapters/jest is cdktf's documented jest setup, not a private module.
    const allowed = new Set(["stacks/cdktf-internals.ts"]);
    const offenders: string[] = [];
    for (const f of repositoryFiles().filter((x) => /\.(ts|js|mjs)$/.test(x))) {
      const text = fs.readFileSync(path.join(root, f), "utf8");
      for (const [spec] of text.matchAll(/["'](?:cdktf|cdktn)\/lib\/[\w/.-]+["']/g)) {
        if (spec.includes("/lib/testing/adapters/jest")) continue;
        if (!allowed.has(f)) offenders.push(`${f}: ${spec}`);
      }
    }
    expect(offenders).toEqual([]);
    expect(fs.readFileSync(path.join(root, "stacks/cdktf-internals.ts"), "utf8")).toMatch(/"cdktf\/lib\/private\/fs"/);
  });
  it("declares in engines the Node versions it is tested on: this run's Node and scripts/node22.sh's", () => {
    const engines = (JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as { engines: { node: string } }).engines.node;
    const ranges = engines.split("||").map((r) => r.trim().match(/^\^(\d+)\.(\d+)\.(\d+)$/)!.slice(1).map(Number));
    const satisfies = (v: string) => {
      const [major, minor, patch] = v.replace(/^v/, "").split(".").map(Number);
      return ranges.some(([M, m, p]) => major === M && (minor > m || (minor === m && patch >= p)));
    };
    const node22 = fs.readFileSync(path.join(root, "scripts/node22.sh"), "utf8").match(/NODE22_VERSION:-([\d.]+)/)![1];
    expect(ranges.map((r) => r[0])).toEqual([20, 22]);
    expect(satisfies(process.version)).toBe(true);
    expect(satisfies(node22)).toBe(true);
    expect(satisfies("20.10.0")).toBe(false); // --disable-warning, which the app's command uses, came in 20.11
  });
});
