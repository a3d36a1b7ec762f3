// What README.md and docs/*.md tell an operator to run exists: every `npm run <script>` is a package.json script,
// every `redshift-backup <command> [<subcommand>]` is a command of the CLI, and every `--option` written after such a
// command is an option of that command (or a global one). The command tree comes from the CLI itself.
import * as fs from "fs";
import * as path from "path";
import type { Command } from "commander";
import { buildProgram } from "../../cli/main";
import { read } from "./markdown";

const ROOT = path.resolve(__dirname, "../..");
const files = ["README.md", ...fs.readdirSync(path.join(ROOT, "docs")).filter((f) => f.endsWith(".md")).map((f) => `docs/${f}`)];
const scripts = new Set(Object.keys((JSON.parse(read("package.json")) as { scripts: Record<string, string> }).scripts));

const program = buildProgram({ io: { out: () => undefined, err: () => undefined, isTTY: false, now: () => new Date() } }, { code: 0 });
const globalOptions = new Set(program.options.map((o) => o.long ?? ""));
/** Global options that take a value (`--config <file>`), unlike flags (`--use-config-roles`). */
const globalWithValue = new Set(program.options.filter((o) => o.required || o.optional).map((o) => o.long ?? ""));
const commands = new Map<string, Command>();
for (const c of program.commands) {
  commands.set(c.name(), c);
  for (const sub of c.commands) commands.set(`${c.name()} ${sub.name()}`, sub);
}
const groups = new Set(program.commands.filter((c) => c.commands.length > 0).map((c) => c.name()));

interface Use {
  readonly where: string;
  readonly words: string[];
  readonly options: string[];
}

/**
 * Each `redshift-backup ...` (or `npm run cli -- ...`) invocation in a file, up to the end of its line or code span:
 * its command words (before the first option, placeholder or punctuation) and the options written after them.
 */
function invocations(file: string, text: string): Use[] {
  const uses: Use[] = [];
  text.split("\n").forEach((line, i) => {
    for (const m of line.matchAll(/(?:redshift-backup|npm run cli --)((?:\s+[^\s`|]+)*)/g)) {
      const tokens = m[1].trim().split(/\s+/).filter(Boolean);
      const words: string[] = [];
      let j = 0;
      // Global options may come before the command: skip them with their value.
      for (; j < tokens.length && tokens[j].startsWith("--"); j++) if (globalWithValue.has(tokens[j])) j++;
      for (; j < tokens.length && /^[a-z][a-z-]*$/.test(tokens[j]) && words.length < 2; j++) {
        if (words.length === 1 && !groups.has(words[0])) break;
        words.push(tokens[j]);
      }
      const options = tokens.slice(j).filter((t) => /^--[a-z][a-z-]*$/.test(t.replace(/[=,.:;)]+.*$/, ""))).map((t) => t.replace(/[=,.:;)]+.*$/, ""));
      if (words.length > 0) uses.push({ where: `${file}:${i + 1}`, words, options });
    }
  });
  return uses;
}

const uses = files.flatMap((f) => invocations(f, read(f)));

describe("what the docs name exists", () => {
  it("finds invocations to check (so a pass means something)", () => {
    expect(uses.length).toBeGreaterThan(20);
    expect(uses.some((u) => u.words.join(" ") === "drill run")).toBe(true);
  });

  it("reads an invocation as the CLI would: global options skipped, command words, then options", () => {
    expect(invocations("f", "run `npx redshift-backup --config estate.json --use-config-roles drill run --cluster a --wait` now")).toEqual([
      { where: "f:1", words: ["drill", "run"], options: ["--cluster", "--wait"] },
    ]);
    expect(invocations("f", "`redshift-backup restor --cluster a`")[0].words).toEqual(["restor"]);
    expect(commands.has("restor")).toBe(false);
  });

  it("every npm script the docs run exists in package.json", () => {
    const missing = files.flatMap((f) =>
      read(f)
        .split("\n")
        .flatMap((line, i) => [...line.matchAll(/npm run ([a-z][a-z0-9:-]*)/g)].filter((m) => !scripts.has(m[1])).map((m) => `${f}:${i + 1}: npm run ${m[1]}`)),
    );
    expect(missing).toEqual([]);
  });

  it("every redshift-backup command the docs name is a command of the CLI", () => {
    const unknown = uses.filter((u) => {
      if (groups.has(u.words[0])) return u.words.length === 2 && !commands.has(u.words.join(" "));
      return !commands.has(u.words[0]);
    });
    expect(unknown.map((u) => `${u.where}: redshift-backup ${u.words.join(" ")}`)).toEqual([]);
  });

  it("every option the docs write after a command is an option of that command, or a global one", () => {
    const wrong = uses.flatMap((u) => {
      const command = commands.get(u.words.join(" "));
      if (!command || (groups.has(u.words[0]) && u.words.length < 2)) return [];
      const own = new Set(command.options.flatMap((o) => [o.long ?? "", o.negate ? (o.long ?? "").replace(/^--no-/, "--") : ""]));
      return u.options.filter((o) => !own.has(o) && !globalOptions.has(o) && o !== "--help").map((o) => `${u.where}: redshift-backup ${u.words.join(" ")} ${o}`);
    });
    expect(wrong).toEqual([]);
  });
});
