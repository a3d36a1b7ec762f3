// Locations shared by the e2e helpers. Everything generated goes under the git-ignored `.e2e/`.
import * as fs from "fs";
import * as path from "path";

/** Repository root (this file lives in `<root>/scripts/e2e/`). */
export const repoRoot = path.resolve(__dirname, "..", "..");

/** Scratch and state directory for e2e runs; override with `E2E_WORK_DIR`. */
export function e2eWorkDir(): string {
  const dir = process.env.E2E_WORK_DIR ? path.resolve(process.env.E2E_WORK_DIR) : path.join(repoRoot, ".e2e");
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

/** The virtualenv made by `scripts/e2e/setup-venv.sh`; override with `E2E_VENV`. */
export function venvDir(): string {
  return process.env.E2E_VENV ? path.resolve(process.env.E2E_VENV) : path.join(repoRoot, ".venv");
}

/** Absolute path of an executable inside the venv; throws a message that says how to create it. */
export function venvBin(name: string): string {
  const bin = path.join(venvDir(), "bin", name);
  if (!fs.existsSync(bin)) {
    throw new Error(
      `${bin} not found: create the e2e virtualenv first with 'bash scripts/e2e/setup-venv.sh'` +
        ` (or point E2E_VENV at an existing one)`,
    );
  }
  return bin;
}
