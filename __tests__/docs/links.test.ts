// Every relative link of README.md and docs/*.md leads somewhere: the file (or folder) exists, and a `#anchor` is a
// heading of the Markdown file it points into (GitHub's anchors: see `slug`). __tests__/repository.test.ts checks
// only that linked docs/*.md files exist; this checks every relative target and every anchor.
// Links inside code (fenced blocks and `code` spans) are not links; web addresses are not checked here.
import * as fs from "fs";
import * as path from "path";
import { anchors, documents, proseLines, read, root, slug } from "./markdown";

interface Link {
  readonly from: string;
  readonly line: number;
  readonly target: string;
}

/** Inline links and images `[text](target "title")`, and reference definitions `[label]: target`. */
function links(file: string): Link[] {
  return proseLines(read(file)).flatMap(({ number, text }) => {
    const prose = text.replace(/`+[^`]*`+/g, "");
    const inline = [...prose.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1]);
    const reference = [...prose.matchAll(/^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)/g)].map((m) => m[1]);
    return [...inline, ...reference].map((target) => ({ from: file, line: number, target }));
  });
}

const isExternal = (target: string) => /^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith("//");

/** The anchors of a Markdown file: its headings', and any explicit `<a name>` / `id`. */
function anchorsOf(file: string): Set<string> {
  const text = read(file);
  const out = anchors(text);
  for (const m of text.matchAll(/<a\s+(?:name|id)="([^"]+)"/g)) out.add(m[1]);
  return out;
}

describe("links in README.md and docs/", () => {
  const all = documents().flatMap(links);
  const relative = all.filter((l) => !isExternal(l.target));

  it("applies GitHub's heading anchors", () => {
    expect(slug("The KMS key budget")).toBe("the-kms-key-budget");
    expect(slug("`dr.network`, `sources[].network`")).toBe("drnetwork-sourcesnetwork");
    expect(slug("Restore drills: what AWS does (and why)")).toBe("restore-drills-what-aws-does-and-why");
    expect(slug("snake_case and co-op")).toBe("snake_case-and-co-op");
    expect(anchors("# A\n## A\n```\n# not a heading\n```\n## A\n")).toEqual(new Set(["a", "a-1", "a-2"]));
  });

  it("finds the links it checks (so a pass means something)", () => {
    expect(relative.length).toBeGreaterThan(10);
    expect(relative.some((l) => l.target.includes("#"))).toBe(true);
  });

  it("every relative link names a file or folder of the repository", () => {
    const broken = relative.flatMap((l) => {
      const file = decodeURIComponent(l.target.split("#")[0]);
      if (file === "") return [];
      const target = path.resolve(root, path.dirname(l.from), file);
      return target.startsWith(root) && fs.existsSync(target) ? [] : [`${l.from}:${l.line}: ${l.target}`];
    });
    expect(broken).toEqual([]);
  });

  it("every #anchor is a heading of the Markdown file it points into", () => {
    const broken = relative.flatMap((l) => {
      const [file, anchor] = l.target.split("#", 2);
      if (anchor === undefined) return [];
      const into = file === "" ? l.from : path.relative(root, path.resolve(root, path.dirname(l.from), decodeURIComponent(file)));
      if (!into.endsWith(".md") || !fs.existsSync(path.join(root, into))) return [];
      return anchorsOf(into).has(decodeURIComponent(anchor)) ? [] : [`${l.from}:${l.line}: ${l.target} (no heading #${anchor} in ${into})`];
    });
    expect(broken).toEqual([]);
  });
});
