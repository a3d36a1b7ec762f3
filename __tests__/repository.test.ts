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
  it("points at no notes outside it (design.md, aws-facts.md, ../shared/)", () => {
    const files = repositoryFiles();
    expect(files.length).toBeGreaterThan(50);
    const outside = /\bdesign\.md\b|\baws-facts\.md\b|\.\.\/shared\//;
    const offenders = files.filter((f) => f !== "__tests__/repository.test.ts" && outside.test(fs.readFileSync(path.join(root, f), "utf8")));
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
