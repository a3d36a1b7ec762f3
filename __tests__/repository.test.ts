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
});
