// The `help` file (the one-screen summary) names what exists, and everything there is to run: every package.json
// script on a line of its own, and every command of the CLI (each subcommand of a group) on at least one line.
// The command tree comes from the CLI itself (cli/main.ts with every command group of cli/commands), so a command
// added there is missing here until `help` has a line for it.
import type { Command } from "commander";
import { buildProgram } from "../../cli/main";
import { read } from "./markdown";

const help = read("help").split("\n");
const scripts = Object.keys((JSON.parse(read("package.json")) as { scripts: Record<string, string> }).scripts);

/** The commands a help line runs: `npm test`, `npm run <script>`, `npx redshift-backup <command> [<subcommand>]`. */
const NPM = /^\s*npm (?:run (\S+)|(test|start))(?=\s|$)/;
const CLI = /^\s*npx redshift-backup((?:\s+\S+)*?)(?=\s{2,}|$)/;

/** Every runnable command of the CLI: `snapshot list`, `restore`, ... (a group's subcommands, not the group). */
function cliCommands(): Map<string, Command> {
  const program = buildProgram({ io: { out: () => undefined, err: () => undefined, isTTY: false, now: () => new Date() } }, { code: 0 });
  const out = new Map<string, Command>();
  for (const c of program.commands) {
    if (c.commands.length === 0) out.set(c.name(), c);
    for (const sub of c.commands) out.set(`${c.name()} ${sub.name()}`, sub);
  }
  return out;
}

/** The command words of a CLI help line (up to the first option or placeholder): `["backup", "start"]`. */
function commandWords(args: string): string[] {
  const words: string[] = [];
  for (const w of args.trim().split(/\s+/).filter(Boolean)) {
    if (/^(-|<|\[)/.test(w) || words.length === 2) break;
    words.push(w);
  }
  return words;
}

describe("help", () => {
  const commands = cliCommands();
  const npmLines = help.flatMap((line, i) => {
    const m = NPM.exec(line);
    return m ? [{ line: i + 1, script: m[1] ?? m[2] }] : [];
  });
  const cliLines = help.flatMap((line, i) => {
    const m = CLI.exec(line);
    return m ? [{ line: i + 1, text: line.trim(), words: commandWords(m[1]) }] : [];
  });

  it("finds the commands it checks (so a pass means something)", () => {
    expect(scripts.length).toBeGreaterThan(5);
    expect(npmLines.length).toBeGreaterThan(5);
    expect([...commands.keys()]).toEqual(expect.arrayContaining(["snapshot list", "restore", "backup copy", "drill run", "status"]));
    expect(cliLines.length).toBeGreaterThan(5);
  });

  it("names only npm scripts that package.json has", () => {
    expect(npmLines.filter((l) => !scripts.includes(l.script)).map((l) => `help:${l.line}: npm run ${l.script}`)).toEqual([]);
  });

  it("names every package.json script on one line of its own", () => {
    const wrong = scripts.flatMap((s) => {
      const lines = npmLines.filter((l) => l.script === s);
      return lines.length === 1 ? [] : [`${s}: on ${lines.length} lines${lines.length ? ` (${lines.map((l) => l.line).join(", ")})` : ""}`];
    });
    expect(wrong).toEqual([]);
  });

  it("names only commands the CLI has", () => {
    const groups = new Set([...commands.keys()].filter((k) => k.includes(" ")).map((k) => k.split(" ")[0]));
    const unknown = cliLines.filter(({ words }) => {
      if (words.length === 0) return false; // `npx redshift-backup --help`
      if (groups.has(words[0])) return words.length === 2 && !commands.has(words.join(" "));
      return !commands.has(words[0]);
    });
    expect(unknown.map((l) => `help:${l.line}: ${l.text}`)).toEqual([]);
  });

  it("has a line for every command and subcommand of the CLI", () => {
    const named = new Set(cliLines.map((l) => l.words.join(" ")));
    expect([...commands.keys()].filter((c) => !named.has(c))).toEqual([]);
  });
});
