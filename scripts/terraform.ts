// Runs the real Terraform CLI against synthesized stacks, offline: the AWS provider comes from a
// filesystem mirror (TF_PROVIDER_MIRROR, default /opt/tf-plugins) when one exists, else from the
// registry as usual. Shared by the real-Terraform test tier and the emulator tier.
import { execFile, execFileSync, spawnSync, SpawnSyncReturns } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

export const DEFAULT_MIRROR = "/opt/tf-plugins";
export const AWS_PROVIDER_VERSION = "5.100.0";

export function providerMirror(env: NodeJS.ProcessEnv = process.env): string {
  return env.TF_PROVIDER_MIRROR ?? DEFAULT_MIRROR;
}

/**
 * Checks that Terraform and the provider are there, and says what to install when they are not.
 * Throws: a tier that needs Terraform must fail, never pass by skipping.
 */
export function requireTerraform(env: NodeJS.ProcessEnv = process.env): string {
  let version: string;
  try {
    version = execFileSync("terraform", ["version", "-json"], { encoding: "utf8", env: { ...env, TF_CLI_CONFIG_FILE: "/dev/null" } });
  } catch {
    throw new Error(
      "Terraform CLI not found on PATH: install Terraform >= 1.5 (https://developer.hashicorp.com/terraform/install). " +
        "The real-Terraform tier validates every synthesized stack with it and cannot run without it.",
    );
  }
  const mirror = providerMirror(env);
  const providerDir = path.join(mirror, "registry.terraform.io/hashicorp/aws");
  if (env.TF_PROVIDER_MIRROR && !fs.existsSync(providerDir)) {
    throw new Error(`TF_PROVIDER_MIRROR=${mirror} has no registry.terraform.io/hashicorp/aws provider in it`);
  }
  return JSON.parse(version).terraform_version as string;
}

/**
 * A Terraform CLI config that installs hashicorp/aws from the mirror when there is one (init then
 * links the mirror's provider, nothing is copied). Without a mirror, providers download into a
 * shared plugin cache; run inits one at a time then, as Terraform's cache is not safe for
 * concurrent inits.
 */
export function writeCliConfig(dir: string, env: NodeJS.ProcessEnv = process.env): string {
  fs.mkdirSync(dir, { recursive: true });
  const mirror = providerMirror(env);
  let body: string;
  if (hasMirror(env)) {
    body = `provider_installation {
  filesystem_mirror {
    path    = ${JSON.stringify(mirror)}
    include = ["registry.terraform.io/hashicorp/aws"]
  }
  direct {
    exclude = ["registry.terraform.io/hashicorp/aws"]
  }
}
`;
  } else {
    const cache = path.join(dir, "plugin-cache");
    fs.mkdirSync(cache, { recursive: true });
    body = `plugin_cache_dir = ${JSON.stringify(cache)}\n`;
  }
  const file = path.join(dir, "terraformrc");
  fs.writeFileSync(file, body);
  return file;
}

export function hasMirror(env: NodeJS.ProcessEnv = process.env): boolean {
  return fs.existsSync(path.join(providerMirror(env), "registry.terraform.io/hashicorp/aws"));
}

/** Environment for terraform child processes: our CLI config, no prompts, no checkpoint calls. */
export function terraformEnv(cliConfig: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    TF_CLI_CONFIG_FILE: cliConfig,
    TF_IN_AUTOMATION: "1",
    TF_INPUT: "0",
    CHECKPOINT_DISABLE: "1",
    ...extra,
  };
}

export interface TerraformResult {
  readonly ok: boolean;
  readonly status: number | null;
  readonly output: string;
}

export function terraform(args: string[], cwd: string, env: NodeJS.ProcessEnv): TerraformResult {
  const r: SpawnSyncReturns<string> = spawnSync("terraform", ["-chdir=" + cwd, ...args], {
    env,
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  return { ok: r.status === 0, status: r.status, output: `${r.stdout ?? ""}${r.stderr ?? ""}` };
}

/** Like `terraform`, without blocking, so that stacks can be validated side by side. */
export function terraformAsync(args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<TerraformResult> {
  return new Promise((resolve) => {
    execFile("terraform", ["-chdir=" + cwd, ...args], { env, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const status = error ? (typeof error.code === "number" ? error.code : 1) : 0;
      resolve({ ok: status === 0, status, output: `${stdout ?? ""}${stderr ?? ""}` });
    });
  });
}

export interface ValidateResult {
  readonly valid: boolean;
  readonly errors: string[];
  readonly warnings: string[];
}

/** `terraform init -backend=false` + `terraform validate -json` of one synthesized stack directory. */
export async function validateStack(stackDir: string, env: NodeJS.ProcessEnv): Promise<ValidateResult> {
  const init = await terraformAsync(["init", "-backend=false", "-no-color", "-input=false"], stackDir, env);
  if (!init.ok) return { valid: false, errors: [`terraform init failed in ${stackDir}:\n${init.output}`], warnings: [] };
  const validate = await terraformAsync(["validate", "-no-color", "-json"], stackDir, env);
  let report: { valid: boolean; diagnostics: { severity: string; summary: string; detail?: string; address?: string }[] };
  try {
    report = JSON.parse(validate.output);
  } catch {
    return { valid: false, errors: [`terraform validate printed no JSON in ${stackDir}:\n${validate.output}`], warnings: [] };
  }
  const describe = (d: (typeof report.diagnostics)[number]) => `${d.address ?? ""} ${d.summary}: ${d.detail ?? ""}`.trim();
  return {
    valid: report.valid && validate.ok,
    errors: report.diagnostics.filter((d) => d.severity === "error").map(describe),
    warnings: report.diagnostics.filter((d) => d.severity === "warning").map(describe),
  };
}

/** Runs `work` over `items`, at most `limit` at a time. */
export async function inParallel<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const runners = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]);
    }
  });
  await Promise.all(runners);
  return results;
}

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}
