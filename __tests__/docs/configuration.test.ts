// docs/configuration.md documents every field of the config schema (config/estate.ts), and only fields it has.
//
// The rule for "documented", as the reference is written:
// - A heading names the object its section describes with `code` spans, relative to the nearest enclosing heading
//   that names one (`## \`sources[]\`` then `### \`native\`` is sources[].native; `## \`dr.backup\`` under the page
//   title is dr.backup). `[]` marks the items of an array. A heading may name several objects that share their fields
//   (`## \`dr.network\`, \`sources[].network\``). A heading without a `code` span (`## Top level`, `#### Existing
//   clusters`) describes the same object as the heading it is under; the page title describes the top level.
// - A field table is a table whose first header cell ends in "field": "Field", or "`create` field", the fields of
//   `create` within the section's object ("`drill` field" under a `drill` heading: that object itself). Every `code`
//   span in the first cell of its rows is a field name, relative to that object; dotted names reach into nested
//   objects (`drills.schedule` in the `dr` table is dr.drills.schedule).
// - A field is documented when a field table names it. An object (or array of objects) is documented as well when a
//   field below it is named: `drills.schedule` documents dr.drills. Every other field, a leaf, needs a row of its own.
// - The row says what the schema says: the default (in the Default column; in the row when the table has none), both
//   bounds of a bounded integer, and every allowed value of an enum.
// The walk is over the JSON Schema generated from the zod schema (as `npm run schema` writes config/schema.json).
import { estateJsonSchema } from "../../config/json-schema";
import { codeSpans, headings, read, tables } from "./markdown";

interface JsonSchema {
  type?: string;
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  enum?: unknown[];
  default?: unknown;
  minimum?: number;
  maximum?: number;
}

const DOC = "docs/configuration.md";

/** Every field of the schema by path (`sources[].clusters[].drill.everyHours`), parents before children. */
function schemaFields(): Map<string, JsonSchema> {
  const fields = new Map<string, JsonSchema>();
  const walk = (node: JsonSchema, prefix: string) => {
    for (const [name, child] of Object.entries(node.properties ?? {})) {
      const at = prefix === "" ? name : `${prefix}.${name}`;
      fields.set(at, child);
      if (child.properties) walk(child, at);
      if (child.items?.properties) walk(child.items, `${at}[]`);
    }
  };
  walk(JSON.parse(estateJsonSchema()) as JsonSchema, "");
  return fields;
}

const isContainer = (s: JsonSchema) => s.properties !== undefined || s.items?.properties !== undefined;

/** `a.b[]` under `x[]` is `x[].a.b[]`; the field it names is `x[].a.b`. */
const join = (parent: string, name: string) => (parent === "" ? name : `${parent}.${name}`);
const fieldOf = (at: string) => at.replace(/\[\]$/, "");
const FIELD_NAME = /^\$?[A-Za-z]\w*(\[\])?(\.[A-Za-z]\w*(\[\])?)*$/;

interface Row {
  readonly line: number;
  readonly text: string;
  /** The Default column, or the whole row when the table has none. */
  readonly defaultCell: string;
}

/** Each name a field table gives, resolved to a path, with the row it is in; and where a name resolves to nothing. */
function documentedNames(markdown: string, fields: Map<string, JsonSchema>) {
  const named = new Map<string, Row[]>();
  const stale: string[] = [];
  const check = (at: string, where: string) => {
    if (!FIELD_NAME.test(at.replace(/^\$/, "")) || !fields.has(fieldOf(at))) stale.push(`${DOC}:${where}: \`${at}\``);
  };

  // The object(s) each heading describes, resolved against the headings above it.
  const contexts = new Map<number, string[]>();
  const stack: { level: number; objects: string[] }[] = [];
  for (const h of headings(markdown)) {
    while (stack.length && stack[stack.length - 1].level >= h.level) stack.pop();
    const parents = stack.length ? stack[stack.length - 1].objects : [""];
    const names = codeSpans(h.title);
    const objects = names.length === 0 ? parents : parents.flatMap((p) => names.map((n) => join(p, n)));
    if (names.length) objects.forEach((o) => check(o, `${h.number} (heading)`));
    stack.push({ level: h.level, objects });
    contexts.set(h.number, objects);
  }

  for (const { table, under } of tables(markdown)) {
    const first = table.header[0] ?? "";
    if (!/field$/i.test(first)) continue;
    const heading = under[under.length - 1];
    let objects = heading ? contexts.get(heading.number)! : [""];
    const sub = codeSpans(first);
    const last = (o: string) => fieldOf(o).split(".").pop();
    if (sub.length) objects = objects.flatMap((o) => sub.map((s) => (last(o) === fieldOf(s) ? o : join(o, s))));
    const defaultColumn = table.header.findIndex((c) => /^default$/i.test(c));
    for (const row of table.rows) {
      const text = row.cells.join(" | ");
      const defaultCell = defaultColumn >= 0 ? (row.cells[defaultColumn] ?? "") : text;
      for (const name of codeSpans(row.cells[0] ?? "")) {
        for (const o of objects) {
          const at = join(o, name);
          check(at, String(row.line));
          const f = fieldOf(at);
          named.set(f, [...(named.get(f) ?? []), { line: row.line, text, defaultCell }]);
        }
      }
    }
  }
  return { named, stale };
}

/** How a default reads in the doc: strings bare, [] and {} as written in JSON. */
function mentions(text: string, value: unknown): boolean {
  const plain = text.replace(/`/g, "");
  if (typeof value === "number") return new RegExp(`(^|[^\\d.])${value}(?![\\d])`).test(plain);
  if (typeof value === "string" || typeof value === "boolean") return plain.includes(String(value));
  return plain.includes(JSON.stringify(value));
}

describe(DOC, () => {
  const fields = schemaFields();
  const { named, stale } = documentedNames(read(DOC), fields);
  const rowsOf = (at: string) => named.get(at) ?? [];
  const isDocumented = (at: string): boolean =>
    named.has(at) || (isContainer(fields.get(at)!) && [...named.keys()].some((n) => n.startsWith(`${at}.`) || n.startsWith(`${at}[].`)));

  it("the walk finds the nested fields (so a pass means something)", () => {
    for (const at of [
      "sources[].clusters[].drill.drOwnedCopy.retentionDays",
      "dr.drills.schedule",
      "dr.backup.lock.mode",
      "organization.management.backupSettings.delegatedAdministrator",
      "sources[].network.create.availabilityZones",
    ]) {
      expect(fields.has(at)).toBe(true);
    }
    expect(fields.size).toBeGreaterThan(90);
  });

  it("documents every field of the schema", () => {
    const undocumented = [...fields.keys()].filter((at) => !isDocumented(at));
    expect(undocumented).toEqual([]);
  });

  it("names no field the schema does not have (no stale rows or headings)", () => {
    expect(stale).toEqual([]);
  });

  it("gives each field's default as the schema has it", () => {
    const wrong: string[] = [];
    for (const [at, s] of fields) {
      if (s.default === undefined || isContainer(s) || !named.has(at)) continue;
      if (!rowsOf(at).some((r) => mentions(r.defaultCell, s.default))) wrong.push(`${at}: default ${JSON.stringify(s.default)} (line ${rowsOf(at)[0].line})`);
    }
    expect(wrong).toEqual([]);
  });

  it("gives both bounds of every bounded integer and every allowed value of an enum", () => {
    const wrong: string[] = [];
    for (const [at, s] of fields) {
      if (isContainer(s) || !named.has(at)) continue;
      const text = rowsOf(at).map((r) => r.text).join(" ");
      for (const branch of [s, ...(s.anyOf ?? [])]) {
        if (branch.type !== "integer") continue;
        for (const bound of [branch.minimum, branch.maximum]) {
          if (bound !== undefined && branch.minimum !== undefined && branch.maximum !== undefined && !mentions(text, bound)) {
            wrong.push(`${at}: bound ${bound} (line ${rowsOf(at)[0].line})`);
          }
        }
      }
      for (const value of s.enum ?? []) {
        if (!codeSpans(text).includes(String(value))) wrong.push(`${at}: value \`${String(value)}\` (line ${rowsOf(at)[0].line})`);
      }
    }
    expect(wrong).toEqual([]);
  });
});
