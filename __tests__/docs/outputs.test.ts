// docs/outputs.md lists every output of every stack, and only outputs a stack has: the example estates (both
// examples, the three-source estate, the emulator tier's and a cross-region one, which between them have every optional output) are
// synthesized and their outputs compared with the page, in both directions. Outputs added to the stacks later
// fail here until the page lists them. The page's terraform_remote_state example must use the backend settings the
// stacks really use.
import * as fs from "fs";
import * as path from "path";
import { codeSpans, read, tables } from "./markdown";
import { estateOf, rawBackupExample, rawExample, rawMultiSource, synthEstate } from "../helpers";

const DOC = "docs/outputs.md";
const E2E_ESTATE = path.resolve(__dirname, "../e2e/estate.e2e.json");
/** cdktf's outputs for cross-stack references; the page describes them as a kind, not one by one. */
const CROSS_STACK = /^cross-stack-output-/;

const estates: Record<string, () => any> = {
  example: rawExample,
  "aws-backup example": rawBackupExample,
  "three sources": rawMultiSource,
  "emulator estate": () => JSON.parse(fs.readFileSync(E2E_ESTATE, "utf8")),
  // The example's source moved out of the DR region, copying its snapshots there: the cross-region outputs.
  "cross-region example": () => {
    const raw = rawExample();
    raw.sources[0].region = "eu-west-1";
    raw.sources[0].crossRegionCopy = {};
    return raw;
  },
};
const synthesized = Object.entries(estates).map(([name, raw]) => ({ name, stacks: synthEstate(estateOf(raw())) }));

/** `source-analytics` -> `source-<name>`: the page documents every source stack as one. */
const kindOf = (stack: string) => (stack.startsWith("source-") ? "source-<name>" : stack);

interface Documented {
  readonly present: string;
  readonly line: number;
}

/** The page's outputs by stack kind: output name -> when present. A stack listed with no code span has none. */
function documented(): Map<string, Map<string, Documented>> {
  const found = tables(read(DOC)).find((t) => t.table.header[0] === "Stack" && t.table.header[1] === "Output");
  if (!found) throw new Error(`${DOC} has no table with the columns Stack, Output`);
  const out = new Map<string, Map<string, Documented>>();
  for (const row of found.table.rows) {
    const [stack] = codeSpans(row.cells[0]);
    const outputs = out.get(stack) ?? new Map<string, Documented>();
    out.set(stack, outputs);
    for (const name of codeSpans(row.cells[1])) {
      if (outputs.has(name)) throw new Error(`${DOC}:${row.line}: ${stack} ${name} is listed twice`);
      outputs.set(name, { present: row.cells[2], line: row.line });
    }
  }
  return out;
}

/** Every synthesized stack of every estate: its outputs. */
const stackOutputs = synthesized.flatMap(({ name, stacks }) =>
  Object.entries(stacks).map(([stack, json]) => ({ estate: name, stack, outputs: (json.output ?? {}) as Record<string, { description?: string; value: unknown }> })),
);
const named = (outputs: Record<string, unknown>) => Object.keys(outputs).filter((o) => !CROSS_STACK.test(o));

describe(DOC, () => {
  const docs = documented();

  it("documents each stack kind the estates synthesize, and only those", () => {
    expect([...docs.keys()].sort()).toEqual([...new Set(stackOutputs.map((s) => kindOf(s.stack)))].sort());
    expect([...docs.keys()].sort()).toEqual(["dr", "org", "source-<name>", "state"]);
  });

  it("lists every output a stack has, and no output that no stack has", () => {
    const problems: string[] = [];
    for (const [kind, outputs] of docs) {
      const real = new Set(stackOutputs.filter((s) => kindOf(s.stack) === kind).flatMap((s) => named(s.outputs)));
      for (const name of real) if (!outputs.has(name)) problems.push(`${kind}: output ${name} is not in ${DOC}`);
      for (const [name, d] of outputs) if (!real.has(name)) problems.push(`${DOC}:${d.line}: ${kind} ${name} is in no synthesized stack`);
    }
    expect(problems).toEqual([]);
  });

  it('finds an output listed "always" in every stack of its kind', () => {
    const missing = [...docs].flatMap(([kind, outputs]) =>
      [...outputs]
        .filter(([, d]) => d.present === "always")
        .flatMap(([name]) => stackOutputs.filter((s) => kindOf(s.stack) === kind && !(name in s.outputs)).map((s) => `${s.estate}/${s.stack}: ${name}`)),
    );
    expect(missing).toEqual([]);
  });

  it("has a description on every output of the synthesized stacks", () => {
    const bare = stackOutputs.flatMap((s) => named(s.outputs).filter((o) => !s.outputs[o].description?.trim()).map((o) => `${s.estate}/${s.stack}: ${o}`));
    expect(stackOutputs.flatMap((s) => named(s.outputs)).length).toBeGreaterThan(50);
    expect(bare).toEqual([]);
  });

  it("describes cross-stack-output-* rightly: outputs of the source stacks that the DR stack reads", () => {
    for (const { name, stacks } of synthesized) {
      const cross = Object.entries(stacks).flatMap(([stack, json]) => Object.keys(json.output ?? {}).filter((o) => CROSS_STACK.test(o)).map((o) => ({ stack, o })));
      expect(cross.length).toBeGreaterThan(0);
      const dr = JSON.stringify(stacks.dr);
      for (const { stack, o } of cross) {
        expect(`${name}: ${stack}`).toMatch(/: source-/);
        expect(dr).toContain(`cross-stack-reference-input-${stack}.outputs.${o}`);
      }
    }
  });

  it("reads remote state with the backend settings the stacks use (the example estate)", () => {
    const hcl = /\n```hcl\n([\s\S]*?)\n```/.exec(read(DOC))?.[1] ?? "";
    const blocks = hcl.split(/^data "terraform_remote_state" /m).slice(1);
    expect(blocks.length).toBeGreaterThan(0);
    const example = synthesized.find((s) => s.name === "example")!.stacks;
    for (const block of blocks) {
      const value = (key: string) => new RegExp(`^\\s*${key}\\s*=\\s*"([^"]+)"`, "m").exec(block)?.[1];
      const stack = /^([\w-]+)\.tfstate$/.exec(path.basename(value("key") ?? ""))?.[1];
      expect(stack && stack in example).toBe(true);
      const backend = example[stack!].terraform.backend.s3;
      expect(/^\s*backend\s*=\s*"s3"/m.test(block)).toBe(true);
      expect({ bucket: value("bucket"), key: value("key"), region: value("region"), role_arn: value("role_arn") }).toEqual({
        bucket: backend.bucket,
        key: backend.key,
        region: backend.region,
        role_arn: backend.assume_role.role_arn,
      });
    }
  });
});
