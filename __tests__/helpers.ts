// Shared test inputs: the embedded example config and the multi-source fixture, as raw JSON
// (tests mutate copies to build bad configs) and as validated estates.
import * as fs from "fs";
import * as path from "path";
import { Testing } from "cdktf";
import { ConfigError, EXAMPLE_CONFIG, parseConfig } from "../config/load";
import type { Estate } from "../config/estate";
import { buildStacks } from "../stacks";

export const MULTI_SOURCE_CONFIG = path.resolve(__dirname, "fixtures/multi-source.json");
/** The second example: AWS Backup on, with a locked DR vault and the organization's management account. */
export const AWS_BACKUP_EXAMPLE = path.resolve(__dirname, "../config/example-aws-backup.json");

export type RawConfig = any;

export const rawExample = (): RawConfig => JSON.parse(fs.readFileSync(EXAMPLE_CONFIG, "utf8"));
export const rawMultiSource = (): RawConfig => JSON.parse(fs.readFileSync(MULTI_SOURCE_CONFIG, "utf8"));
export const rawBackupExample = (): RawConfig => JSON.parse(fs.readFileSync(AWS_BACKUP_EXAMPLE, "utf8"));

export const estateOf = (raw: RawConfig): Estate => parseConfig(raw);

/** The config's refusals of `raw` (each "field: value reason"), or [] when it parses. */
export function configProblems(raw: RawConfig): string[] {
  try {
    parseConfig(raw);
    return [];
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    return e.problems;
  }
}

/**
 * Synthesizes the whole app, as `cdktf synth` does (cross-stack references are only resolved
 * then), and returns each stack's Terraform JSON by stack name.
 */
const synthCache = new Map<string, Record<string, any>>();

export function synthEstate(estate: Estate): Record<string, any> {
  // Synthesis is deterministic, so one synth per distinct estate serves every test of a file.
  const key = JSON.stringify(estate);
  if (!synthCache.has(key)) synthCache.set(key, synthEstateUncached(estate));
  return structuredClone(synthCache.get(key)!);
}

function synthEstateUncached(estate: Estate): Record<string, any> {
  const app = Testing.app();
  buildStacks(app, estate);
  app.synth();
  const dir = path.join(app.outdir, "stacks");
  return Object.fromEntries(
    fs.readdirSync(dir).map((name) => [name, JSON.parse(fs.readFileSync(path.join(dir, name, "cdk.tf.json"), "utf8"))]),
  );
}

/** Resources of one type in a synthesized stack, as a list of their bodies. */
export function resources(synth: any, type: string): any[] {
  return Object.values(synth.resource?.[type] ?? {});
}
