// Run checkov (from the e2e venv) over synthesized cdktf stacks and return its counts.
//
//   const r = await runCheckov(path.join("cdktf.out", "stacks", "dr"), { configFile: "checkov.yaml" });
//   expect(r.failed).toEqual([]);   // r.summary = { passed, failed, skipped, parsingErrors }
//   const all = await runCheckovPerStack(path.join("cdktf.out", "stacks"), { configFile: "checkov.yaml" });
//   all.dr.summary                   // the same, every stack in one checkov run
//
// Facts this relies on (checkov 3.3.30):
// - cdk.tf.json is scanned by the `terraform_json` framework; `--framework terraform` finds nothing.
// - that framework ignores inline "checkov:skip=" comments ("//" keys): skips go in a config file
//   (`skip-check:` list, global per check id) passed with --config-file, and such checks are left
//   out of the report entirely (they are not counted as "skipped").
// - checkov downloads guideline metadata from Prisma Cloud unless told not to: always pass
//   --skip-download and BC_SKIP_MAPPING=TRUE (and keep the proxy guard from childEnv).
// - exit code 1 means "some check failed" and still prints the report; other codes are errors.
import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { trackChild } from "./children";
import { childEnv, DEAD_PROXY_ENV } from "./moto";
import { venvBin } from "./paths";

export interface CheckovFailure {
  readonly id: string;
  readonly name: string;
  /** e.g. "resource.cluster_866E53FF" (python checks) or "aws_s3_bucket.bucket_803B4E61" (graph checks). */
  readonly resource: string;
  readonly file: string;
}

export interface CheckovResult {
  readonly summary: { passed: number; failed: number; skipped: number; parsingErrors: number };
  readonly failed: CheckovFailure[];
  readonly exitCode: number;
  readonly stderr: string;
}

export interface RunCheckovOptions {
  /** Checked-in YAML config (long option names as keys, e.g. `skip-check: [CKV_AWS_117]`). */
  readonly configFile?: string;
  /** Extra CLI arguments. */
  readonly args?: readonly string[];
  /** @default 300_000 ms */
  readonly timeoutMs?: number;
}

interface CheckovCheck {
  check_id: string;
  check_name: string;
  resource: string;
  file_path: string;
}

interface CheckovReport {
  check_type?: string;
  summary?: { passed?: number; failed?: number; skipped?: number; parsing_errors?: number };
  results?: {
    failed_checks?: CheckovCheck[];
    passed_checks?: CheckovCheck[];
    skipped_checks?: CheckovCheck[];
    /** Files checkov could not parse. */
    parsing_errors?: string[];
  };
}

/** Parse checkov's `-o json` stdout: one report object, a list of them, or an empty summary. */
export function parseCheckovJson(stdout: string): Omit<CheckovResult, "exitCode" | "stderr"> {
  const parsed: unknown = JSON.parse(stdout);
  const reports: CheckovReport[] = Array.isArray(parsed) ? (parsed as CheckovReport[]) : [parsed as CheckovReport];
  const summary = { passed: 0, failed: 0, skipped: 0, parsingErrors: 0 };
  const failed: CheckovFailure[] = [];
  for (const r of reports) {
    // With no scannable files checkov prints a bare summary object (no `summary` key).
    const s = r.summary ?? (r as CheckovReport["summary"]) ?? {};
    summary.passed += s.passed ?? 0;
    summary.failed += s.failed ?? 0;
    summary.skipped += s.skipped ?? 0;
    summary.parsingErrors += s.parsing_errors ?? 0;
    for (const c of r.results?.failed_checks ?? []) {
      failed.push({ id: c.check_id, name: c.check_name, resource: c.resource, file: c.file_path });
    }
  }
  return { summary, failed };
}

/** Scan a directory (e.g. cdktf.out/stacks/<name>) of cdk.tf.json files. */
export async function runCheckov(dir: string, options: RunCheckovOptions = {}): Promise<CheckovResult> {
  const { stdout, exitCode, stderr } = await checkov(dir, ["--quiet"], options);
  try {
    return { ...parseCheckovJson(stdout), exitCode, stderr };
  } catch (err) {
    throw new Error(`cannot parse checkov output (${(err as Error).message}): ${stdout.slice(0, 500)}`, { cause: err });
  }
}

/**
 * Scan every stack of a synthesized app at once (`<outdir>/stacks`, one folder per stack) and split the report by
 * stack: the same counts and failures as one `runCheckov` per stack folder (checked on the example, AWS Backup and
 * three-source estates, passed, failed and skipped checks alike, graph checks included), in one checkov process
 * instead of one per stack (~5 s each, most of it checkov starting). The exit code and stderr are the run's.
 */
export async function runCheckovPerStack(stacksDir: string, options: RunCheckovOptions = {}): Promise<Record<string, CheckovResult>> {
  // Without --quiet: the passed checks are listed too, so that they can be counted per stack.
  const { stdout, exitCode, stderr } = await checkov(stacksDir, [], options);
  let reports: CheckovReport[];
  try {
    const parsed: unknown = JSON.parse(stdout);
    reports = Array.isArray(parsed) ? (parsed as CheckovReport[]) : [parsed as CheckovReport];
  } catch (err) {
    throw new Error(`cannot parse checkov output (${(err as Error).message}): ${stdout.slice(0, 500)}`, { cause: err });
  }
  const stacks = fs
    .readdirSync(stacksDir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name);
  const byStack: Record<string, { summary: CheckovResult["summary"]; failed: CheckovFailure[] }> = Object.fromEntries(
    stacks.map((s) => [s, { summary: { passed: 0, failed: 0, skipped: 0, parsingErrors: 0 }, failed: [] }]),
  );
  // A check's file_path is relative to the scanned folder ("/<stack>/cdk.tf.json"); a parsing error may name the file absolutely.
  const root = path.resolve(stacksDir);
  const stackOf = (file: string): (typeof byStack)[string] => {
    const relative = file.startsWith(root + path.sep) ? path.relative(root, file) : file;
    const entry = byStack[relative.split(/[/\\]/).filter(Boolean)[0]];
    if (!entry) throw new Error(`checkov reported ${file}, which is in no stack folder of ${stacksDir}`);
    return entry;
  };
  for (const r of reports) {
    for (const c of r.results?.passed_checks ?? []) stackOf(c.file_path).summary.passed++;
    for (const c of r.results?.skipped_checks ?? []) stackOf(c.file_path).summary.skipped++;
    for (const c of r.results?.failed_checks ?? []) {
      const entry = stackOf(c.file_path);
      entry.summary.failed++;
      entry.failed.push({ id: c.check_id, name: c.check_name, resource: c.resource, file: c.file_path });
    }
    for (const file of r.results?.parsing_errors ?? []) stackOf(file).summary.parsingErrors++;
  }
  // What was counted per stack is what checkov counted in all.
  const total = parseCheckovJson(stdout).summary;
  const sum = (k: keyof CheckovResult["summary"]) => Object.values(byStack).reduce((n, e) => n + e.summary[k], 0);
  for (const k of ["passed", "failed", "skipped", "parsingErrors"] as const) {
    if (sum(k) !== total[k]) throw new Error(`checkov counted ${total[k]} ${k} in ${stacksDir}, the stacks ${sum(k)}`);
  }
  return Object.fromEntries(Object.entries(byStack).map(([s, e]) => [s, { ...e, exitCode, stderr }]));
}

function checkov(dir: string, extraArgs: string[], options: RunCheckovOptions): Promise<{ stdout: string; stderr: string; exitCode: number }> {
  const args = ["-d", dir, "--framework", "terraform_json", "-o", "json", "--skip-download", ...extraArgs];
  if (options.configFile) args.push("--config-file", options.configFile);
  args.push(...(options.args ?? []));
  const timeoutMs = options.timeoutMs ?? 300_000;
  return new Promise((resolve, reject) => {
    const child = spawn(venvBin("checkov"), args, {
      // Not the repository root: checkov would read its .checkov.yaml there even when no config is given.
      cwd: path.resolve(dir),
      // No AWS endpoint here, only the proxy guard, so checkov cannot call home.
      env: childEnv({ BC_SKIP_MAPPING: "TRUE", ...DEAD_PROXY_ENV }),
      stdio: ["ignore", "pipe", "pipe"],
    });
    trackChild(child, { what: `checkov -d ${dir}`, group: false });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      const exitCode = code ?? 1;
      if (exitCode !== 0 && exitCode !== 1) {
        reject(new Error(`checkov exited ${exitCode}: ${stderr.slice(-2000)}`));
        return;
      }
      resolve({ stdout, stderr, exitCode });
    });
  });
}
