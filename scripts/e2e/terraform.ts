// Terraform CLI helpers for the test tiers that run the real `terraform` binary.
//
//   const cli = writeTerraformCliConfig();              // .e2e/terraform/terraformrc
//   const env = childEnv({ ...cli.env, ...moto.env() });
//   const r = await runTerraform(["init", "-input=false"], { cwd: stackDir, env });
//
// No registry is reachable on the test machines: hashicorp/aws comes from a filesystem mirror
// (root from TF_PROVIDER_MIRROR, default /opt/tf-plugins); every other provider would be fetched
// directly as usual. Terraform reads the file named by TF_CLI_CONFIG_FILE in the child's environment.
import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { DEFAULT_MIRROR, MIRRORED_PROVIDERS, renderCliConfig } from "../terraform";
import { trackChild } from "./children";
import { e2eWorkDir } from "./paths";

export const DEFAULT_PROVIDER_MIRROR = DEFAULT_MIRROR;
export { MIRRORED_PROVIDERS };

export interface TerraformCliConfigOptions {
  /** Directory for the config file and the plugin cache. @default `.e2e/terraform` */
  readonly dir?: string;
  /** Filesystem mirror root. @default env TF_PROVIDER_MIRROR, else /opt/tf-plugins */
  readonly mirrorRoot?: string;
  /** Provider plugin cache. @default `<dir>/plugin-cache` */
  readonly pluginCacheDir?: string;
}

export interface TerraformCliConfig {
  /** Path of the written CLI config file. */
  readonly path: string;
  readonly mirrorRoot: string;
  readonly pluginCacheDir: string;
  /** Variables to put in a child's environment (TF_CLI_CONFIG_FILE and non-interactive settings). */
  readonly env: Record<string, string>;
}

/** The text of the CLI configuration file (the same renderer as the real-Terraform tier's). */
export function renderTerraformCliConfig(mirrorRoot: string, pluginCacheDir: string): string {
  return renderCliConfig({ mirrorRoot, pluginCacheDir });
}

/** Write the CLI config (idempotent) and return its path plus the env that selects it. */
export function writeTerraformCliConfig(options: TerraformCliConfigOptions = {}): TerraformCliConfig {
  const dir = path.resolve(options.dir ?? path.join(e2eWorkDir(), "terraform"));
  const mirrorRoot = path.resolve(options.mirrorRoot ?? process.env.TF_PROVIDER_MIRROR ?? DEFAULT_PROVIDER_MIRROR);
  const pluginCacheDir = path.resolve(options.pluginCacheDir ?? path.join(dir, "plugin-cache"));
  const mirrored = path.join(mirrorRoot, ...MIRRORED_PROVIDERS[0].split("/"));
  if (!fs.existsSync(mirrored)) {
    throw new Error(
      `no provider mirror at ${mirrored}: set TF_PROVIDER_MIRROR to the directory that contains registry.terraform.io/`,
    );
  }
  fs.mkdirSync(pluginCacheDir, { recursive: true });
  const file = path.join(dir, "terraformrc");
  const text = renderTerraformCliConfig(mirrorRoot, pluginCacheDir);
  // Parallel jest workers may call this at once: write a temp file and rename (atomic).
  if (!fs.existsSync(file) || fs.readFileSync(file, "utf8") !== text) {
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, text);
    fs.renameSync(tmp, file);
  }
  return {
    path: file,
    mirrorRoot,
    pluginCacheDir,
    env: {
      TF_CLI_CONFIG_FILE: file,
      TF_IN_AUTOMATION: "1",
      TF_INPUT: "0",
      CHECKPOINT_DISABLE: "1",
      // A shared cache plus per-directory lock files that record only the mirror's hashes.
      TF_PLUGIN_CACHE_MAY_BREAK_DEPENDENCY_LOCK_FILE: "1",
    },
  };
}

export interface TerraformResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly durationMs: number;
}

export interface RunTerraformOptions {
  readonly cwd: string;
  readonly env: Record<string, string>;
  /** @default 600_000 ms; the process group is killed after it. */
  readonly timeoutMs?: number;
  /** Terraform binary. @default env TERRAFORM_BIN, else "terraform" on PATH */
  readonly bin?: string;
  /** Aborting it kills the process group, as a timeout does (e.g. when the emulator died). */
  readonly signal?: AbortSignal;
}

/** The last `terraform init` started by this process: the next one waits for it (see runTerraform). */
let lastInit: Promise<unknown> = Promise.resolve();

/**
 * Run terraform (adds -no-color); resolves with the exit code instead of throwing, so that
 * `plan -detailed-exitcode` (2 = changes) can be asserted.
 *
 * `init` commands run one at a time in this process, whoever starts them: they install providers into the shared
 * plugin cache, which is not safe for concurrent installs, and a test file may run several stacks (or scenarios,
 * scripts/e2e/background.ts) side by side. Every other command runs at once.
 */
export function runTerraform(args: readonly string[], options: RunTerraformOptions): Promise<TerraformResult> {
  if (args[0] !== "init") return spawnTerraform(args, options);
  const run = lastInit.then(() => spawnTerraform(args, options));
  lastInit = run.catch(() => undefined);
  return run;
}

function spawnTerraform(args: readonly string[], options: RunTerraformOptions): Promise<TerraformResult> {
  const bin = options.bin ?? process.env.TERRAFORM_BIN ?? "terraform";
  const timeoutMs = options.timeoutMs ?? 600_000;
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(bin, [...args, "-no-color"], {
      cwd: options.cwd,
      env: options.env,
      stdio: ["ignore", "pipe", "pipe"],
      detached: true, // own process group, so a timeout also ends the provider plugins
    });
    trackChild(child, { what: `terraform ${args.join(" ")} in ${options.cwd}`, group: true });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    const kill = (why: string): void => {
      stderr += `\n[runTerraform] ${why}; killing`;
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {
        /* gone */
      }
    };
    const timer = setTimeout(() => kill(`timed out after ${timeoutMs} ms`), timeoutMs);
    const onAbort = (): void => kill(`aborted: ${String(options.signal?.reason?.message ?? options.signal?.reason)}`);
    if (options.signal?.aborted) onAbort();
    else options.signal?.addEventListener("abort", onAbort, { once: true });
    child.on("error", (err) => {
      clearTimeout(timer);
      options.signal?.removeEventListener("abort", onAbort);
      reject(err);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      options.signal?.removeEventListener("abort", onAbort);
      resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr, durationMs: Date.now() - started });
    });
  });
}
