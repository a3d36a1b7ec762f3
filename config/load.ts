// Reads the estate config (REDSHIFT_BACKUP_CONFIG, else the embedded example), validates it and
// fills defaults. Nothing else in the app reads the file or the environment variable.
import * as fs from "fs";
import * as path from "path";
import { z } from "zod";
import { Estate, estateSchema } from "./estate";

export const CONFIG_ENV = "REDSHIFT_BACKUP_CONFIG";
export const EXAMPLE_CONFIG = path.resolve(__dirname, "example.json");

/** A config that cannot be used; `problems` holds one line per fault, each naming field and value. */
export class ConfigError extends Error {
  constructor(readonly file: string, readonly problems: string[]) {
    super(`${file} is not a valid estate config:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

export function configPath(env: NodeJS.ProcessEnv = process.env): string {
  return env[CONFIG_ENV] ? path.resolve(env[CONFIG_ENV]) : EXAMPLE_CONFIG;
}

export function loadConfig(file: string = configPath()): Estate {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    throw new ConfigError(file, [`cannot read the file: ${(e as Error).message}`]);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(file, [`is not valid JSON: ${(e as Error).message}`]);
  }
  return parseConfig(raw, file);
}

export function parseConfig(raw: unknown, file = "config"): Estate {
  const result = estateSchema.safeParse(raw);
  if (!result.success) throw new ConfigError(file, formatIssues(result.error.issues, raw));
  return result.data;
}

/** `sources[1].clusters[0].identifier: "Prod_DB" is not a valid cluster identifier: ...` */
export function formatIssues(issues: readonly z.core.$ZodIssue[], raw: unknown): string[] {
  return issues.flatMap((issue) => {
    if (issue.code === "unrecognized_keys") {
      // One line per unknown key, at the key's own path: a typo is easiest to find that way.
      const allowed = issue.message.slice(issue.message.indexOf("allowed keys"));
      return issue.keys.map((key) => {
        const keyPath = [...issue.path, key];
        return `${formatPath(keyPath)}: ${JSON.stringify(valueAt(raw, keyPath))} is not a known key; ${allowed}`;
      });
    }
    if (issue.code === "invalid_key") {
      const key = issue.path[issue.path.length - 1];
      return [`${formatPath(issue.path)}: the key ${JSON.stringify(key)} ${issue.issues[0]?.message ?? "is not allowed"}`];
    }
    const where = formatPath(issue.path) || "(top level)";
    const value = valueAt(raw, issue.path);
    const shown = value === undefined ? "missing" : JSON.stringify(value);
    return [`${where}: ${shown} ${describe(issue)}`];
  });
}

function describe(issue: z.core.$ZodIssue): string {
  if (issue.code === "invalid_type" && !issue.message.startsWith("is ")) return `is not allowed: expected ${issue.expected}`;
  if (issue.code === "invalid_value" && !issue.message.startsWith("is ") && !issue.message.startsWith("must ")) {
    return `is not allowed: expected one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`;
  }
  return issue.message;
}

export function formatPath(p: readonly PropertyKey[]): string {
  return p.map((k, i) => (typeof k === "number" ? `[${k}]` : i === 0 ? String(k) : `.${String(k)}`)).join("");
}

function valueAt(raw: unknown, p: readonly PropertyKey[]): unknown {
  let v: unknown = raw;
  for (const k of p) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<PropertyKey, unknown>)[k];
  }
  return v;
}
