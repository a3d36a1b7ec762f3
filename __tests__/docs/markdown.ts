// Just enough Markdown for the docs tests: headings, GitHub's anchors for them, tables and links, outside code.
import * as fs from "fs";
import * as path from "path";

export const root = path.resolve(__dirname, "../..");

export function read(file: string): string {
  return fs.readFileSync(path.join(root, file), "utf8");
}

/** README.md and every docs/*.md, as repository paths. */
export function documents(): string[] {
  const docs = fs.readdirSync(path.join(root, "docs")).filter((f) => f.endsWith(".md")).sort();
  return ["README.md", ...docs.map((f) => `docs/${f}`)];
}

export interface Line {
  readonly number: number;
  readonly text: string;
}

/** The lines outside fenced code blocks (``` or ~~~), numbered from 1. */
export function proseLines(markdown: string): Line[] {
  const lines: Line[] = [];
  let fence: string | undefined;
  markdown.split("\n").forEach((text, i) => {
    const marker = /^\s*(`{3,}|~{3,})/.exec(text)?.[1];
    if (marker && (fence === undefined || marker.startsWith(fence))) {
      fence = fence === undefined ? marker : undefined;
      return;
    }
    if (fence === undefined) lines.push({ number: i + 1, text });
  });
  return lines;
}

export interface Heading extends Line {
  readonly level: number;
  /** The heading's text as written (with its `code` spans). */
  readonly title: string;
}

export function headings(markdown: string): Heading[] {
  return proseLines(markdown).flatMap((line) => {
    const m = /^(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line.text);
    return m ? [{ ...line, level: m[1].length, title: m[2] }] : [];
  });
}

/**
 * GitHub's anchor for a heading: the rendered text (links reduced to their text, emphasis and code marks gone),
 * lowercased, every character that is not a letter, digit, space, hyphen or underscore removed, spaces to hyphens.
 * A repeated anchor gets -1, -2, ... (see `anchors`).
 */
export function slug(title: string): string {
  return title
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/<[^>]+>/g, "")
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, "")
    .replace(/\s/g, "-");
}

/** Every anchor a document's headings have, duplicates numbered as GitHub numbers them. */
export function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const h of headings(markdown)) {
    const base = slug(h.title);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  return out;
}

/** Cells of a table row `| a | b |`, escaped pipes (`\|`) kept inside their cell. */
export function cells(row: string): string[] {
  const inner = row.trim().replace(/^\|/, "").replace(/\|$/, "");
  return inner.split(/(?<!\\)\|/).map((c) => c.trim().replace(/\\\|/g, "|"));
}

export interface Table {
  readonly line: number;
  readonly header: string[];
  readonly rows: { readonly line: number; readonly cells: string[] }[];
}

/** Tables (a header row, a |---| separator, rows) outside code blocks, each with the headings above it. */
export function tables(markdown: string): { table: Table; under: Heading[] }[] {
  const lines = proseLines(markdown);
  const out: { table: Table; under: Heading[] }[] = [];
  const under: Heading[] = [];
  for (let i = 0; i < lines.length; i++) {
    const h = headings(lines[i].text)[0];
    if (h) {
      while (under.length && under[under.length - 1].level >= h.level) under.pop();
      under.push({ ...h, number: lines[i].number });
      continue;
    }
    const isRow = (k: number) => k < lines.length && lines[k].text.trim().startsWith("|") && lines[k].number === lines[i].number + (k - i);
    if (isRow(i) && isRow(i + 1) && /^\|?\s*:?-{3,}/.test(lines[i + 1].text.trim())) {
      const rows: Table["rows"][number][] = [];
      let k = i + 2;
      for (; isRow(k); k++) rows.push({ line: lines[k].number, cells: cells(lines[k].text) });
      out.push({ table: { line: lines[i].number, header: cells(lines[i].text), rows }, under: [...under] });
      i = k - 1;
    }
  }
  return out;
}

/** The `code` spans of a piece of Markdown. */
export function codeSpans(text: string): string[] {
  return [...text.matchAll(/`([^`]+)`/g)].map((m) => m[1]);
}
