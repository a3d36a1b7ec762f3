// The package as another CDK for Terraform app gets it, shared by the real-Terraform tier
// (__tests__/terraform/foreign-app.test.ts) and the emulator tier (__tests__/e2e/foreign-app.e2e.test.ts). The package
// is built with the command `npm run build` runs (into the work folder, not this checkout's dist/), packed by npm with
// package.json's `files`, and unpacked into an empty app's node_modules; the dependencies are linked from this
// checkout's node_modules, as npm would install them, so nothing is downloaded. The app is docs/constructs.md's
// "A complete app", which imports only the package root; it (and, when asked, every short example of that page) is
// type-checked against the installed declarations, then run, which synthesizes its stacks into cdktf.out/stacks/.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { CONSTRUCTS_DOC, ROOT } from "./construct-docs";

export const FOREIGN_PACKAGE = "redshift-cross-account-dr";

export interface CodeBlock {
  /** The `## ` heading the block is under. */
  readonly section: string;
  readonly line: number;
  readonly code: string;
}

/** The ```ts blocks of a Markdown document, with the second-level heading each is under. */
export function typescriptBlocks(markdown: string): CodeBlock[] {
  const blocks: CodeBlock[] = [];
  let section = "";
  let open: { line: number; lines: string[] } | undefined;
  markdown.split("\n").forEach((text, i) => {
    if (open) {
      if (/^```\s*$/.test(text)) {
        blocks.push({ section, line: open.line, code: open.lines.join("\n") });
        open = undefined;
      } else open.lines.push(text);
    } else if (/^```ts\s*$/.test(text)) open = { line: i + 1, lines: [] };
    else if (text.startsWith("## ")) section = text.slice(3).trim();
  });
  return blocks;
}

/** The sections of docs/constructs.md whose blocks are the short examples. */
export const EXAMPLE_SECTIONS = ["Source account", "DR account", "Either account"];

/** Runs a command to completion; a failure throws with what it printed. */
function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): string {
  const r = spawnSync(command, args, { cwd, env, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`${command} ${args.join(" ")} (in ${cwd}) exited ${r.status}:\n${r.stdout}${r.stderr}`);
  return r.stdout;
}

const tsc = (args: string[], cwd: string) => run(process.execPath, [path.join(ROOT, "node_modules/typescript/bin/tsc"), ...args], cwd);
// npm offline and quiet: packing reads only the folder; nothing may reach a registry.
const npmEnv = { ...process.env, npm_config_offline: "true", npm_config_update_notifier: "false", npm_config_fund: "false", npm_config_audit: "false" };

export interface ForeignApp {
  /** The app: main.ts, node_modules/<package>, out/, cdktf.out/. */
  readonly appDir: string;
  /** cdktf.out/stacks of the app: one folder per stack with its cdk.tf.json. */
  readonly stacksDir: string;
  /** The files npm packed, sorted. */
  readonly packed: string[];
  /** Every ```ts block of docs/constructs.md. */
  readonly blocks: CodeBlock[];
  /** Stack name -> its synthesized cdk.tf.json. */
  readonly stacks: Record<string, any>;
}

export interface ForeignAppOptions {
  /** Also compile every short example of docs/constructs.md against the installed declarations. @default false */
  readonly examples?: boolean;
}

/** Builds, packs and installs the package into an empty app under `work` (an empty folder outside this checkout), compiles and runs the app. */
export function buildForeignApp(work: string, options: ForeignAppOptions = {}): ForeignApp {
  const pkgDir = path.join(work, "package");
  const appDir = path.join(work, "app");
  const installed = path.join(appDir, "node_modules", FOREIGN_PACKAGE);
  const stacksDir = path.join(appDir, "cdktf.out", "stacks");

  // The build, as `npm run build` runs it, into the temp package; then what a git checkout adds to it.
  tsc(["-p", path.join(ROOT, "tsconfig.build.json"), "--outDir", path.join(pkgDir, "dist")], ROOT);
  for (const file of ["package.json", "README.md", ".gitignore", "bin/redshift-backup.js"]) {
    fs.mkdirSync(path.dirname(path.join(pkgDir, file)), { recursive: true });
    fs.copyFileSync(path.join(ROOT, file), path.join(pkgDir, file));
  }
  // Scripts off: the build above is what `prepare` would run.
  const [pack] = JSON.parse(run("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", work], pkgDir, npmEnv));
  const packed = (pack.files as { path: string }[]).map((f) => f.path).sort();

  // The install: the tarball unpacked where npm puts it, the dependencies linked beside it.
  fs.mkdirSync(installed, { recursive: true });
  run("tar", ["-xzf", path.join(work, pack.filename), "-C", installed, "--strip-components=1"], work);
  for (const entry of fs.readdirSync(path.join(ROOT, "node_modules"))) {
    if (entry.startsWith(".") || entry === FOREIGN_PACKAGE) continue;
    fs.symlinkSync(path.join(ROOT, "node_modules", entry), path.join(appDir, "node_modules", entry));
  }

  // The app (and the examples), from the docs.
  const blocks = typescriptBlocks(fs.readFileSync(CONSTRUCTS_DOC, "utf8"));
  const only = (section: string) => {
    const found = blocks.filter((b) => b.section === section);
    if (found.length !== 1) throw new Error(`docs/constructs.md: expected one ts block under "## ${section}", found ${found.length}`);
    return found[0].code;
  };
  const files = ["main.ts"];
  fs.writeFileSync(path.join(appDir, "main.ts"), only("A complete app"));
  if (options.examples) {
    const examples = blocks.filter((b) => EXAMPLE_SECTIONS.includes(b.section));
    fs.writeFileSync(path.join(appDir, "install.ts"), only("Install and import"));
    fs.writeFileSync(
      path.join(appDir, "examples.ts"),
      [only("Conventions of the examples"), ...examples.map((b) => `// docs/constructs.md:${b.line}\n{\n${b.code}\n}`)].join("\n\n"),
    );
    files.push("install.ts", "examples.ts");
  }
  fs.writeFileSync(
    path.join(appDir, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: { target: "ES2022", module: "node16", moduleResolution: "node16", strict: true, outDir: "out", skipLibCheck: false, types: [] },
      files,
    }),
  );
  tsc(["-p", "tsconfig.json"], appDir);

  const env: NodeJS.ProcessEnv = { ...process.env, CHECKPOINT_DISABLE: "1" };
  delete env.CDKTF_OUTDIR;
  run(process.execPath, ["out/main.js"], appDir, env);
  const stacks = Object.fromEntries(
    fs.readdirSync(stacksDir).map((name) => [name, JSON.parse(fs.readFileSync(path.join(stacksDir, name, "cdk.tf.json"), "utf8"))]),
  );
  return { appDir, stacksDir, packed, blocks, stacks };
}
