// Every ```mermaid block of README.md and docs/*.md parses with Mermaid's own parser (`mermaid.parse`), the code that
// GitHub's renderer runs before it draws: a diagram that fails here would show as an error box on GitHub.
// Mermaid is ESM-only and needs a DOM (DOMPurify, for flowchart labels), and jest runs tests as CommonJS, so the
// parser runs in one plain Node process with jsdom providing `window`; the blocks go in on stdin, the verdicts come
// back as JSON on stdout. Mermaid's console output stays in that process.
import { spawnSync } from "child_process";
import { documents, read, root } from "./markdown";

interface Block {
  readonly file: string;
  /** Line of the opening fence, from 1. */
  readonly line: number;
  readonly text: string;
}

type Verdict = { readonly ok: true; readonly type: string } | { readonly ok: false; readonly error: string };

/** The fenced blocks whose info string is `mermaid` (``` or ~~~ fences, closed by a fence of the same kind). */
function mermaidBlocks(file: string, markdown: string): Block[] {
  const blocks: Block[] = [];
  let open: { fence: string; line: number; mermaid: boolean; body: string[] } | undefined;
  markdown.split("\n").forEach((text, i) => {
    if (open === undefined) {
      const m = /^ {0,3}(`{3,}|~{3,})\s*([^`\s]*)/.exec(text);
      if (m) open = { fence: m[1], line: i + 1, mermaid: m[2].toLowerCase() === "mermaid", body: [] };
      return;
    }
    const close = /^ {0,3}(`{3,}|~{3,})\s*$/.exec(text);
    if (close && close[1][0] === open.fence[0] && close[1].length >= open.fence.length) {
      if (open.mermaid) blocks.push({ file, line: open.line, text: open.body.join("\n") });
      open = undefined;
      return;
    }
    open.body.push(text);
  });
  return blocks;
}

const PARSER = `
import jsdom from "jsdom";
const { window } = new jsdom.JSDOM("<!doctype html><html><body></body></html>");
globalThis.window = window;
globalThis.document = window.document;
for (const level of ["log", "info", "warn", "error", "debug", "trace"]) console[level] = () => {};
const { default: mermaid } = await import("mermaid");
mermaid.initialize({ startOnLoad: false, logLevel: "fatal" });
let input = "";
for await (const chunk of process.stdin) input += chunk;
const verdicts = [];
for (const text of JSON.parse(input)) {
  try {
    const parsed = await mermaid.parse(text);
    verdicts.push({ ok: true, type: parsed.diagramType });
  } catch (err) {
    verdicts.push({ ok: false, error: String(err && err.message ? err.message : err) });
  }
}
process.stdout.write(JSON.stringify(verdicts));
`;

/** Parses each diagram with mermaid.parse in one Node process (ESM, jsdom for the DOM). */
function parseDiagrams(texts: readonly string[]): Verdict[] {
  const run = spawnSync(process.execPath, ["--input-type=module", "--eval", PARSER], {
    cwd: root,
    input: JSON.stringify(texts),
    encoding: "utf8",
    timeout: 60_000,
  });
  if (run.error || run.status !== 0) {
    throw new Error(`the Mermaid parser process failed (status ${run.status}): ${run.error?.message ?? ""}\n${run.stderr}`);
  }
  const verdicts = JSON.parse(run.stdout) as Verdict[];
  if (verdicts.length !== texts.length) throw new Error(`expected ${texts.length} verdicts, got ${verdicts.length}`);
  return verdicts;
}

// Deliberately broken diagrams: the parser must refuse each, or the check proves nothing.
const BROKEN: Record<string, string> = {
  "a flowchart node whose label is never closed": "flowchart LR\n  a[state stack --> b[source stack]",
  "a flowchart edge with no target": "flowchart TB\n  a --> ",
  "a sequence message with no receiver": "sequenceDiagram\n  participant M as snapshot manager\n  M->>: CreateClusterSnapshot",
  "a sequence block that is never ended": "sequenceDiagram\n  participant A\n  participant B\n  loop every run\n    A->>B: hi\n  end\n  end",
  "an unknown diagram type": "flowchat LR\n  a --> b",
};

// A correct diagram of each kind the docs use, so that a parser refusing everything fails too.
const VALID: Record<string, string> = {
  flowchart: 'flowchart LR\n  subgraph s["Source account"]\n    m["#lt;project#gt;-snapshot-manager<br/>Lambda"]\n  end\n  m -. "shared" .-> d[(DR)]',
  sequence: "sequenceDiagram\n  autonumber\n  actor O as Operator\n  O->>C: restore --wait\n  alt ok\n    C-->>O: endpoint\n  else failed\n    C-->>O: error\n  end",
};

describe("Mermaid diagrams in README.md and docs/", () => {
  const blocks = documents().flatMap((file) => mermaidBlocks(file, read(file)));
  const brokenNames = Object.keys(BROKEN);
  const validNames = Object.keys(VALID);
  let verdicts: Verdict[] = [];

  beforeAll(() => {
    verdicts = parseDiagrams([...blocks.map((b) => b.text), ...brokenNames.map((n) => BROKEN[n]), ...validNames.map((n) => VALID[n])]);
  }, 60_000);

  const docVerdict = (i: number) => verdicts[i];
  const brokenVerdict = (name: string) => verdicts[blocks.length + brokenNames.indexOf(name)];
  const validVerdict = (name: string) => verdicts[blocks.length + brokenNames.length + validNames.indexOf(name)];

  it("finds the diagrams, among them the architecture page's", () => {
    expect(blocks.filter((b) => b.file === "docs/architecture.md").length).toBeGreaterThanOrEqual(8);
  });

  it.each(blocks.map((b, i) => [`${b.file}:${b.line}`, i] as const))("%s parses", (_where, i) => {
    const v = docVerdict(i);
    // The parser's message (line, position, what it expected) is the failure message.
    expect(v.ok ? "parsed" : v.error).toBe("parsed");
  });

  it.each(validNames)("parses a correct %s", (name) => {
    expect(validVerdict(name)).toEqual({ ok: true, type: expect.stringMatching(name) });
  });

  it.each(brokenNames)("refuses %s", (name) => {
    const v = brokenVerdict(name);
    expect(v.ok).toBe(false);
    if (!v.ok) expect(v.error).toMatch(/Parse error|No diagram type detected|Lexical error/);
  });

  it("reads only fenced mermaid blocks", () => {
    const md = ["```mermaid", "flowchart LR", "  a --> b", "```", "````md", "```mermaid", "not a block", "```", "````", "~~~mermaid", "sequenceDiagram", "~~~"].join("\n");
    expect(mermaidBlocks("example-file", md)).toEqual([
      { file: "example-file", line: 1, text: "flowchart LR\n  a --> b" },
      { file: "example-file", line: 10, text: "sequenceDiagram" },
    ]);
  });
});
