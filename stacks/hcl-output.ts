// HCL output (`npm run synth:hcl`, i.e. SYNTH_HCL_OUTPUT=true): every stack as native Terraform syntax, cdk.tf,
// for reviewers who read HCL. cdktf 0.21's own HCL renderer cannot be used: it writes a string that holds both an
// interpolation and quotes without escaping the quotes (every IAM policy with a reference), and `depends_on` as
// quoted strings, so `terraform init` refuses its output for every stack here. Instead the JSON cdktf synthesizes
// (the configuration every other tier checks) is rendered as HCL one to one. The one thing the JSON does not say
// is which object-valued keys are nested blocks rather than attributes; that comes from each element's own HCL
// description (`toHclTerraform()`, public cdktf API), which the provider bindings mark with `isBlock`.
import * as fs from "fs";
import * as path from "path";
import { App, TerraformElement, TerraformStack } from "cdktf";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

/** The JSON can be rendered as HCL only partly: names what and where. */
export class HclOutputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "HclOutputError";
  }
}

/** Names of the nested blocks under one block, recursively; every other key is an attribute. */
export interface BlockSchema {
  readonly blocks: Map<string, BlockSchema>;
}

/** Block schemas by "resource <type>", "data <type>" and "provider <name>". */
export type BlockSchemas = Map<string, BlockSchema>;

const newSchema = (): BlockSchema => ({ blocks: new Map() });
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Adds the blocks of one element body as cdktf describes it for HCL: `{ value, isBlock | is_block, ... }` per key. */
function learnBlocks(schema: BlockSchema, body: unknown): void {
  if (!isObject(body)) return;
  for (const [key, described] of Object.entries(body)) {
    if (!isObject(described) || (described.isBlock !== true && described.is_block !== true)) continue;
    const child = schema.blocks.get(key) ?? newSchema();
    schema.blocks.set(key, child);
    for (const item of [described.value].flat()) learnBlocks(child, item);
  }
}

/** Which keys are blocks, for every resource, data source and provider type of the stack. */
export function blockSchemas(stack: TerraformStack): BlockSchemas {
  const schemas: BlockSchemas = new Map();
  const learn = (key: string, body: unknown) => {
    const schema = schemas.get(key) ?? newSchema();
    schemas.set(key, schema);
    learnBlocks(schema, body);
  };
  for (const node of stack.node.findAll()) {
    if (!TerraformElement.isTerraformElement(node)) continue;
    const fragment = node.toHclTerraform() as Record<string, Record<string, unknown>>;
    for (const section of ["resource", "data"] as const) {
      for (const [type, byName] of Object.entries(fragment[section] ?? {})) {
        for (const body of Object.values(byName as Record<string, unknown>)) learn(`${section} ${type}`, body);
      }
    }
    for (const [name, configs] of Object.entries(fragment.provider ?? {})) {
      for (const body of [configs].flat()) learn(`provider ${name}`, body);
    }
  }
  return schemas;
}

// ------------------------------------------------------------------------------------------------
// Expressions
// ------------------------------------------------------------------------------------------------

/** Index just past the `}` that closes the interpolation or directive whose body starts at `i`. */
function endOfSequence(s: string, i: number): number {
  let depth = 1;
  while (i < s.length) {
    const c = s[i];
    if (c === '"') {
      i = endOfQuoted(s, i + 1);
      continue;
    }
    if (c === "{") depth++;
    if (c === "}" && --depth === 0) return i + 1;
    i++;
  }
  throw new HclOutputError(`unterminated interpolation in ${JSON.stringify(s)}`);
}

/** Index just past the closing quote of a string literal inside an interpolation, whose body starts at `i`. */
function endOfQuoted(s: string, i: number): number {
  while (i < s.length) {
    if (s[i] === "\\") i += 2;
    else if (s[i] === '"') return i + 1;
    else if ((s.startsWith("${", i) || s.startsWith("%{", i)) && s[i - 1] !== s[i]) i = endOfSequence(s, i + 2);
    else i++;
  }
  throw new HclOutputError(`unterminated string in the interpolation of ${JSON.stringify(s)}`);
}

const ESCAPES: Record<string, string> = { "\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t" };

/**
 * A JSON-syntax string as an HCL quoted template with the same value. Both are templates: `${...}` and `%{...}`
 * keep their meaning (their insides are already native syntax and are copied as they are), and so do the escapes
 * `$${` and `%%{`. Only the literal text needs HCL's backslash escapes.
 */
export function hclString(s: string): string {
  let out = "";
  let i = 0;
  while (i < s.length) {
    if (s.startsWith("$${", i) || s.startsWith("%%{", i)) {
      out += s.slice(i, i + 3);
      i += 3;
    } else if (s.startsWith("${", i) || s.startsWith("%{", i)) {
      const end = endOfSequence(s, i + 2);
      out += s.slice(i, end);
      i = end;
    } else {
      const c = s[i];
      out += ESCAPES[c] ?? (c < " " ? `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}` : c);
      i++;
    }
  }
  return `"${out}"`;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_-]*$/;
const pad = (depth: number) => "  ".repeat(depth);

/** An object key: bare when HCL reads it as the same literal string, else quoted. */
function objectKey(key: string): string {
  return IDENTIFIER.test(key) && !["true", "false", "null"].includes(key) ? key : hclString(key);
}

/** A JSON value as an HCL expression with the same value. */
export function hclExpression(value: Json, depth = 0): string {
  if (value === null) return "null";
  if (typeof value === "string") {
    // A template that is one interpolation has the value of its expression, so the expression alone says the same.
    if (value.startsWith("${") && endOfSequence(value, 2) === value.length) return value.slice(2, -1).trim();
    return hclString(value);
  }
  if (typeof value === "boolean") return String(value);
  if (typeof value === "number") return String(value);
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]";
    return `[\n${value.map((v) => `${pad(depth + 1)}${hclExpression(v, depth + 1)},`).join("\n")}\n${pad(depth)}]`;
  }
  const entries = Object.entries(value);
  if (entries.length === 0) return "{}";
  return `{\n${entries.map(([k, v]) => `${pad(depth + 1)}${objectKey(k)} = ${hclExpression(v, depth + 1)}`).join("\n")}\n${pad(depth)}}`;
}

/** `"${aws_x.y}"` or `"aws_x.y"` (JSON syntax) as the bare reference HCL needs in depends_on, provider, lifecycle. */
function reference(value: Json, where: string): string {
  const text = typeof value === "string" ? (/^\$\{([^{}]+)\}$/.exec(value)?.[1] ?? value) : undefined;
  if (text === undefined || !/^[A-Za-z_][\w.\-[\]"*]*$/.test(text)) {
    throw new HclOutputError(`${where}: ${JSON.stringify(value)} is not a reference`);
  }
  return text;
}

function references(value: Json, where: string): string {
  if (!Array.isArray(value)) throw new HclOutputError(`${where}: ${JSON.stringify(value)} is not a list of references`);
  return `[${value.map((v, i) => reference(v, `${where}[${i}]`)).join(", ")}]`;
}

// ------------------------------------------------------------------------------------------------
// Blocks
// ------------------------------------------------------------------------------------------------

const asObject = (value: Json, where: string): JsonObject => {
  if (!isObject(value)) throw new HclOutputError(`${where}: expected a block body (an object), found ${JSON.stringify(value)}`);
  return value;
};

function block(header: string, lines: string[], depth: number): string {
  return [`${pad(depth)}${header} {`, ...lines, `${pad(depth)}}`].join("\n");
}

/** A nested block body: keys the schema names are blocks (one per list item), the rest attributes. */
function body(value: JsonObject, schema: BlockSchema | undefined, depth: number, where: string): string[] {
  const lines: string[] = [];
  for (const [key, v] of Object.entries(value)) {
    if (key === "//") continue; // cdktf's metadata comment; kept in metadata.json
    if (!IDENTIFIER.test(key)) throw new HclOutputError(`${where}: "${key}" is not a valid argument name`);
    const nested = schema?.blocks.get(key);
    if (nested) {
      for (const [i, item] of [v].flat().entries()) lines.push(block(key, body(asObject(item, `${where}.${key}[${i}]`), nested, depth + 1, `${where}.${key}`), depth));
    } else {
      lines.push(`${pad(depth)}${key} = ${hclExpression(v, depth)}`);
    }
  }
  return lines;
}

/** Meta-arguments of resources, data sources and outputs that take references, not values. */
function metaArguments(value: JsonObject, depth: number, where: string): { lines: string[]; rest: JsonObject } {
  const lines: string[] = [];
  const rest: JsonObject = {};
  for (const [key, v] of Object.entries(value)) {
    if (key === "depends_on") lines.push(`${pad(depth)}depends_on = ${references(v, `${where}.depends_on`)}`);
    else if (key === "provider") lines.push(`${pad(depth)}provider = ${reference(v, `${where}.provider`)}`);
    else if (key === "lifecycle") lines.push(block("lifecycle", lifecycle(asObject(v, `${where}.lifecycle`), depth + 1, `${where}.lifecycle`), depth));
    else if (["provisioner", "connection", "dynamic", "precondition", "postcondition"].includes(key)) {
      throw new HclOutputError(`${where}: "${key}" is not rendered as HCL by stacks/hcl-output.ts; add it there`);
    } else rest[key] = v;
  }
  return { lines, rest };
}

function lifecycle(value: JsonObject, depth: number, where: string): string[] {
  return Object.entries(value).map(([key, v]) => {
    if (key === "ignore_changes" && v === "all") return `${pad(depth)}ignore_changes = all`;
    if (key === "ignore_changes" || key === "replace_triggered_by") return `${pad(depth)}${key} = ${references(v, `${where}.${key}`)}`;
    if (key === "create_before_destroy" || key === "prevent_destroy") return `${pad(depth)}${key} = ${hclExpression(v, depth)}`;
    throw new HclOutputError(`${where}: "${key}" is not rendered as HCL by stacks/hcl-output.ts; add it there`);
  });
}

function labelled(kind: string, labels: string[], value: JsonObject, schema: BlockSchema | undefined, where: string): string {
  const { lines, rest } = metaArguments(value, 1, where);
  return block(`${kind} ${labels.map((l) => hclString(l)).join(" ")}`, [...body(rest, schema, 1, where), ...lines], 0);
}

function terraformBlock(value: JsonObject): string {
  const lines: string[] = [];
  for (const [key, v] of Object.entries(value)) {
    if (key === "required_providers") {
      lines.push(block("required_providers", Object.entries(asObject(v, "terraform.required_providers")).map(([p, req]) => `${pad(2)}${p} = ${hclExpression(req, 2)}`), 1));
    } else if (key === "backend") {
      for (const [type, config] of Object.entries(asObject(v, "terraform.backend"))) {
        lines.push(block(`backend ${hclString(type)}`, body(asObject(config, `terraform.backend.${type}`), undefined, 2, `terraform.backend.${type}`), 1));
      }
    } else if (key === "required_version") {
      lines.push(`${pad(1)}required_version = ${hclExpression(v, 1)}`);
    } else {
      throw new HclOutputError(`terraform.${key} is not rendered as HCL by stacks/hcl-output.ts; add it there`);
    }
  }
  return block("terraform", lines, 0);
}

/** One stack's Terraform JSON (cdk.tf.json) as HCL. */
export function renderHcl(config: JsonObject, schemas: BlockSchemas): string {
  const out: string[] = [];
  const known = ["terraform", "provider", "data", "resource", "output"];
  const unknown = Object.keys(config).filter((k) => k !== "//" && !known.includes(k));
  if (unknown.length > 0) throw new HclOutputError(`the top-level "${unknown[0]}" is not rendered as HCL by stacks/hcl-output.ts; add it there`);
  // The order a reader expects (the JSON's keys are sorted): settings, providers, inputs, resources, outputs.
  for (const section of known.filter((k) => config[k] !== undefined)) {
    const v = asObject(config[section], section);
    if (section === "terraform") out.push(terraformBlock(v));
    else if (section === "provider") {
      for (const [name, configs] of Object.entries(v)) {
        for (const [i, c] of [configs].flat().entries()) {
          out.push(block(`provider ${hclString(name)}`, body(asObject(c, `provider.${name}[${i}]`), schemas.get(`provider ${name}`), 1, `provider.${name}`), 0));
        }
      }
    } else if (section === "resource" || section === "data") {
      for (const [type, byName] of Object.entries(v)) {
        for (const [name, b] of Object.entries(asObject(byName, `${section}.${type}`))) {
          const where = `${section === "data" ? "data." : ""}${type}.${name}`;
          out.push(labelled(section, [type, name], asObject(b, where), schemas.get(`${section} ${type}`), where));
        }
      }
    } else {
      for (const [name, b] of Object.entries(v)) out.push(labelled("output", [name], asObject(b, `output.${name}`), undefined, `output.${name}`));
    }
  }
  return `# Generated by stacks/hcl-output.ts (npm run synth:hcl) from this stack's Terraform JSON; do not edit.\n\n${out.join("\n\n")}\n`;
}

/**
 * metadata.json as cdktf's HCL mode writes it: the "//" comments of the stack's JSON (top level, per resource and data
 * source) and the terraform block (the cdktf CLI reads its required_providers from there).
 */
function metadataOf(config: JsonObject): JsonObject {
  const out: JsonObject = {};
  if (config["//"] !== undefined) out["//"] = config["//"];
  if (config.terraform !== undefined) out.terraform = config.terraform;
  for (const section of ["resource", "data"]) {
    for (const [type, byName] of Object.entries((config[section] ?? {}) as JsonObject)) {
      for (const [name, b] of Object.entries(byName as JsonObject)) {
        const comment = (b as JsonObject)["//"];
        if (comment === undefined) continue;
        const byType = ((out[section] ??= {}) as JsonObject);
        ((byType[type] ??= {}) as JsonObject)[name] = { "//": comment };
      }
    }
  }
  return out;
}

/** Reads SYNTH_HCL_OUTPUT, cdktf's own switch: "true" or "1" is HCL, unset, "", "false" or "0" is JSON. */
export function hclRequested(env: NodeJS.ProcessEnv): boolean {
  const value = env.SYNTH_HCL_OUTPUT;
  if (value === undefined || ["", "false", "0"].includes(value)) return false;
  if (["true", "1"].includes(value)) return true;
  throw new HclOutputError(`SYNTH_HCL_OUTPUT=${JSON.stringify(value)}: use true (HCL, cdk.tf) or false (JSON, cdk.tf.json)`);
}

interface ManifestStack {
  synthesizedStackPath: string;
  workingDirectory: string;
  stackMetadataPath?: string;
}

/**
 * After `app.synth()` (which wrote JSON): with `hcl`, renders every stack's cdk.tf.json as cdk.tf, writes its
 * metadata.json, removes the JSON and points manifest.json at the HCL. Either way removes the other format's file
 * left by an earlier synth: Terraform reads every .tf and .tf.json in a folder, so both would declare everything twice.
 * Returns the stack files written.
 */
export function finishSynth(app: App, hcl: boolean): string[] {
  const manifestFile = path.join(app.outdir, "manifest.json");
  const manifest = JSON.parse(fs.readFileSync(manifestFile, "utf8")) as { stacks: Record<string, ManifestStack> };
  const written: string[] = [];
  for (const [name, entry] of Object.entries(manifest.stacks)) {
    const dir = path.join(app.outdir, entry.workingDirectory);
    const jsonFile = path.join(dir, "cdk.tf.json");
    const hclFile = path.join(dir, "cdk.tf");
    if (!hcl) {
      fs.rmSync(hclFile, { force: true });
      written.push(jsonFile);
      continue;
    }
    const stack = app.node.findChild(name);
    if (!TerraformStack.isStack(stack)) throw new HclOutputError(`manifest.json names stack ${name}, which is not in the app`);
    const config = JSON.parse(fs.readFileSync(jsonFile, "utf8")) as JsonObject;
    try {
      fs.writeFileSync(hclFile, renderHcl(config, blockSchemas(stack)));
    } catch (e) {
      if (e instanceof HclOutputError) throw new HclOutputError(`stack ${name} (${jsonFile}): ${e.message}`);
      throw e;
    }
    entry.stackMetadataPath = path.join(entry.workingDirectory, "metadata.json");
    fs.writeFileSync(path.join(app.outdir, entry.stackMetadataPath), JSON.stringify(metadataOf(config), null, 2));
    fs.rmSync(jsonFile);
    entry.synthesizedStackPath = path.join(entry.workingDirectory, "cdk.tf");
    written.push(hclFile);
  }
  if (hcl) fs.writeFileSync(manifestFile, JSON.stringify(manifest, null, 2));
  return written;
}
