// The package's public API as its source says it, read with the TypeScript parser (no type checking, so it takes
// milliseconds): the names index.ts exports, the modules they come from, and every exported interface's props with
// their TSDoc and @default. docs/constructs.md's props tables are generated from it (npm run docs:constructs
// rewrites them between their markers); __tests__/reuse/ checks the docs, the exports and the defaults with it.
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";

export const ROOT = path.resolve(__dirname, "..");
export const ENTRY = path.join(ROOT, "index.ts");
export const CONSTRUCTS_DOC = path.join(ROOT, "docs/constructs.md");

export interface EntryExport {
  readonly name: string;
  /** Exported with `type`: no value at run time. */
  readonly typeOnly: boolean;
  /** Absolute path of the module it comes from. */
  readonly from: string;
}

function parse(file: string): ts.SourceFile {
  return ts.createSourceFile(file, fs.readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true);
}

/** A relative module specifier of `from`, resolved to its .ts file (`./x` -> x.ts or x/index.ts). */
function resolveModule(from: string, specifier: string): string {
  const base = path.resolve(path.dirname(from), specifier);
  const found = [`${base}.ts`, path.join(base, "index.ts")].find((f) => fs.existsSync(f));
  if (!found) throw new Error(`${path.relative(ROOT, from)}: cannot resolve "${specifier}"`);
  return found;
}

/**
 * The names the entry point exports. Only `export { a, type B } from "./module"` is allowed there: anything else
 * (`export *`, local declarations) would hide from this list what the package exports.
 */
export function entryExports(entry: string = ENTRY): EntryExport[] {
  const source = parse(entry);
  const out: EntryExport[] = [];
  for (const statement of source.statements) {
    const at = `${path.relative(ROOT, entry)}:${source.getLineAndCharacterOfPosition(statement.getStart()).line + 1}`;
    if (!ts.isExportDeclaration(statement) || !statement.moduleSpecifier || !statement.exportClause || !ts.isNamedExports(statement.exportClause)) {
      throw new Error(`${at}: only named re-exports (export { a, type B } from "./module") belong in the entry point`);
    }
    const from = resolveModule(entry, (statement.moduleSpecifier as ts.StringLiteral).text);
    for (const element of statement.exportClause.elements) {
      out.push({ name: element.name.text, typeOnly: statement.isTypeOnly || element.isTypeOnly, from });
    }
  }
  return out;
}

/** Every module reachable from `entry` through relative imports and re-exports (package imports are not followed). */
export function reachableModules(entry: string = ENTRY): string[] {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const statement of parse(file).statements) {
      const specifier =
        (ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement)) && statement.moduleSpecifier && ts.isStringLiteral(statement.moduleSpecifier)
          ? statement.moduleSpecifier.text
          : undefined;
      if (specifier?.startsWith(".")) visit(resolveModule(file, specifier));
    }
  };
  visit(entry);
  return [...seen].sort();
}

export interface PropDoc {
  /** Dotted for a member of an inline object type: `failedCopyEvents.alertEmails`. */
  readonly name: string;
  readonly optional: boolean;
  /** The declared type, comments removed, on one line; "object" for an inline object type (its members follow). */
  readonly type: string;
  readonly description: string;
  /** The @default tag's text; undefined when there is none. */
  readonly default?: string;
}

export interface InterfaceDoc {
  readonly name: string;
  readonly file: string;
  /** Interfaces it extends, by name. */
  readonly extends: string[];
  readonly props: PropDoc[];
}

const printer = ts.createPrinter({ removeComments: true });

function oneLine(node: ts.Node, source: ts.SourceFile): string {
  return printer.printNode(ts.EmitHint.Unspecified, node, source).replace(/\s+/g, " ").trim();
}

/** The TSDoc of a node: its text (links reduced to their names) and its @default, if any. */
function tsdoc(node: ts.Node): { description: string; default?: string } {
  const docs = ts.getJSDocCommentsAndTags(node).filter(ts.isJSDoc);
  const text = (comment: string | ts.NodeArray<ts.JSDocComment> | undefined) =>
    (ts.getTextOfJSDocComment(comment) ?? "")
      .replace(/\{@link\s+([^}\s|]+)[^}]*\}/g, "`$1`")
      // `*\/` is how a comment writes `*/` without ending itself.
      .replace(/\*\\\//g, "*/")
      .replace(/\s+/g, " ")
      .trim();
  const description = docs.map((d) => text(d.comment)).filter(Boolean).join(" ");
  const tag = docs.flatMap((d) => d.tags ?? []).find((t) => t.tagName.text === "default");
  return tag ? { description, default: text(tag.comment) } : { description };
}

function membersOf(members: ts.NodeArray<ts.TypeElement>, source: ts.SourceFile, prefix: string): PropDoc[] {
  return members.filter(ts.isPropertySignature).flatMap((member) => {
    const name = `${prefix}${member.name.getText(source)}`;
    const literal = member.type && ts.isTypeLiteralNode(member.type) ? member.type : undefined;
    const prop: PropDoc = {
      name,
      optional: member.questionToken !== undefined,
      type: literal ? "object" : member.type ? oneLine(member.type, source) : "unknown",
      ...tsdoc(member),
    };
    return [prop, ...(literal ? membersOf(literal.members, source, `${name}.`) : [])];
  });
}

/** The exported interfaces of `files`, by name (a name declared twice is refused: docs could not tell them apart). */
export function exportedInterfaces(files: readonly string[]): Map<string, InterfaceDoc> {
  const out = new Map<string, InterfaceDoc>();
  for (const file of files) {
    const source = parse(file);
    for (const statement of source.statements) {
      if (!ts.isInterfaceDeclaration(statement) || !statement.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)) continue;
      const name = statement.name.text;
      const previous = out.get(name);
      if (previous) throw new Error(`interface ${name} is declared in both ${path.relative(ROOT, previous.file)} and ${path.relative(ROOT, file)}`);
      const heritage = (statement.heritageClauses ?? []).flatMap((h) => h.types.map((t) => t.expression.getText(source)));
      out.set(name, { name, file, extends: heritage, props: membersOf(statement.members, source, "") });
    }
  }
  return out;
}

/** `Interface.prop` of every optional prop without an @default. */
export function missingDefaults(interfaces: Iterable<InterfaceDoc>): string[] {
  return [...interfaces].flatMap((i) => i.props.filter((p) => p.optional && p.default === undefined).map((p) => `${i.name}.${p.name}`));
}

/** A table cell: pipes escaped, and `<` outside code spans too (`<name>` would be read as an HTML tag). */
const cell = (text: string) =>
  text
    .split(/(`[^`]*`)/)
    .map((part, i) => (i % 2 === 1 ? part : part.replace(/</g, "&lt;")))
    .join("")
    .replace(/\|/g, "\\|");
const code = (text: string) => (text.includes("`") ? `\`\` ${text} \`\`` : `\`${text}\``);

/** The Markdown of one interface's props: a table, and the interfaces it extends. */
export function renderProps(doc: InterfaceDoc): string {
  const rows = doc.props.map(
    (p) => `| ${code(p.name)} | ${cell(code(p.type))} | ${p.optional ? cell(p.default ?? "") : "required"} | ${cell(p.description)} |`,
  );
  const inherited = doc.extends.length > 0 ? [``, `Also every prop of ${doc.extends.map((e) => `\`${e}\``).join(" and ")}.`] : [];
  return [`**\`${doc.name}\`**`, "", "| Prop | Type | Default | Meaning |", "|---|---|---|---|", ...rows, ...inherited].join("\n");
}

/** `<!-- props: Name -->` ... `<!-- end props -->`: where the props table of interface Name is written. */
const BLOCK = /(<!-- props: (\w+) -->\n)(?:(?!<!-- props: )[\s\S])*?(<!-- end props -->)/g;

/** The interfaces a document has a generated props block for, in order. */
export function documentedInterfaces(markdown: string): string[] {
  const names = [...markdown.matchAll(BLOCK)].map((m) => m[2]);
  const opened = markdown.split("<!-- props: ").length - 1;
  if (opened !== names.length) throw new Error(`docs/constructs.md: ${opened} props blocks open, ${names.length} end with <!-- end props -->`);
  return names;
}

/** The document with every props block regenerated from the source. Refuses a missing interface or @default. */
export function renderDocument(markdown: string, interfaces: ReadonlyMap<string, InterfaceDoc>): string {
  const documented = documentedInterfaces(markdown).map((name) => {
    const doc = interfaces.get(name);
    if (!doc) throw new Error(`docs/constructs.md names interface ${name}, which no module the entry point reaches exports`);
    return doc;
  });
  const missing = missingDefaults(documented);
  if (missing.length > 0) throw new Error(`optional props without an @default in their TSDoc: ${missing.join(", ")}`);
  return markdown.replace(BLOCK, (_all, open: string, name: string, close: string) => `${open}${renderProps(interfaces.get(name)!)}\n${close}`);
}

if (require.main === module) {
  const before = fs.readFileSync(CONSTRUCTS_DOC, "utf8");
  const after = renderDocument(before, exportedInterfaces(reachableModules()));
  fs.writeFileSync(CONSTRUCTS_DOC, after);
  console.log(`${after === before ? "unchanged" : "wrote"} ${path.relative(process.cwd(), CONSTRUCTS_DOC)}`);
}
