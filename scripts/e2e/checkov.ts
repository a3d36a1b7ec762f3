// Run checkov (from the e2e venv) over synthesized cdktf stacks and return its counts.
//
//   const r = await runCheckov(path.join("cdktf.out", "stacks", "dr"), { configFile: "checkov.yaml" });
//   expect(r.failed).toEqual([]);   // r.summary = { passed, failed, skipped, parsingErrors }
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
import * as path from "path";
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

interface CheckovReport {
  check_type?: string;
  summary?: { passed?: number; failed?: number; skipped?: number; parsing_errors?: number };
  results?: { failed_checks?: Array<{ check_id: string; check_name: string; resource: string; file_path: string }> };
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
export function runCheckov(dir: string, options: RunCheckovOptions = {}): Promise<CheckovResult> {
  const args = ["-d", dir, "--framework", "terraform_json", "-o", "json", "--skip-download", "--quiet"];
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
      try {
        resolve({ ...parseCheckovJson(stdout), exitCode, stderr });
      } catch (err) {
        reject(new Error(`cannot parse checkov output (${(err as Error).message}): ${stdout.slice(0, 500)}`));
      }
    });
  });
}
