// Helpers of the emulator test that applies the real synthesized stacks in moto
// (__tests__/e2e/stacks.e2e.test.ts):
//
//   synthesizeEstate(estate, outdir)       in-process `cdktf synth` (new App({ outdir }), buildStacks)
//   excludeResourceTypes(config, types)    a copy of a stack's cdk.tf.json without resources moto lacks;
//                                          throws if anything left still refers to a removed resource
//   backendTargets(stateConfig)            `-target`s of the state stack without its slow lifecycle rule: the part
//                                          the other stacks' backend needs, applied first
//   prepareEmulatorDir(...)                that copy + the stack's assets + override files, in a folder
//   localBackendOverride(path)             moves a local-backend stack's state file (never the project's)
//   stateResources(statePull)              the resources of `terraform state pull` (no provider start, unlike show -json)
//   plannedChanges(planJson)               what a `terraform show -json <plan>` would change, per attribute
//   expectedAddresses(config)              the resource addresses a stack's config declares, sorted
//   fileFingerprint(file)                  a file's size and mtime: whether something rewrote it
//   trimTerraformOutput(text)              the error blocks of terraform's output, for test failures
//
// Nothing here talks to the emulator: the test owns moto and the terraform runs.
import * as fs from "fs";
import * as path from "path";
import { App } from "cdktf";
import type { Estate } from "../../config/estate";
import { changedAttributes } from "../../plan/summary";
import { buildStacks } from "../../stacks";

/**
 * Resource types that moto 5.2.5 cannot create (see FINDINGS.md, "Per resource type"). They are
 * left out of the emulator copy of a stack only; the unmodified stack is still validated by the
 * real-Terraform tier and planned against the emulator's state by the stacks test.
 */
export const MOTO_UNSUPPORTED_RESOURCE_TYPES: Readonly<Record<string, string>> = {
  aws_redshift_event_subscription: "Redshift CreateEventSubscription is not implemented in moto 5.2.5 (501 with the launcher patch)",
  aws_redshift_snapshot_schedule: "Redshift CreateSnapshotSchedule is not implemented in moto 5.2.5",
  aws_redshift_snapshot_schedule_association: "Redshift ModifyClusterSnapshotSchedule is not implemented in moto 5.2.5 (and its schedule cannot exist)",
  aws_backup_vault_policy: "Backup PutBackupVaultAccessPolicy has no route in moto 5.2.5 (HTTP 404)",
  aws_backup_selection: "Backup CreateBackupSelection is not implemented in moto 5.2.5 (501 with the launcher patch)",
  aws_backup_vault_notifications:
    "Backup PutBackupVaultNotifications (PUT /backup-vaults/<name>/notification-configuration) has no route in moto 5.2.5 (HTTP 404)",
  aws_backup_region_settings: "Backup UpdateRegionSettings (PUT /account-settings) has no route in moto 5.2.5 (HTTP 404)",
  aws_backup_global_settings: "Backup UpdateGlobalSettings (PUT /global-settings) has no route in moto 5.2.5 (HTTP 404)",
};

export type TerraformJson = Record<string, any>;

export interface SynthesizedEstate {
  /** The App's outdir. */
  readonly outdir: string;
  /** Stack name -> directory that holds its cdk.tf.json (and assets/). */
  readonly stackDirs: Readonly<Record<string, string>>;
}

/** Synthesizes the app into `outdir` (emptied first), exactly as `cdktf synth` would from main.ts. */
export function synthesizeEstate(estate: Estate, outdir: string): SynthesizedEstate {
  fs.rmSync(outdir, { recursive: true, force: true });
  const app = new App({ outdir });
  buildStacks(app, estate);
  app.synth();
  const stacksDir = path.join(outdir, "stacks");
  const stackDirs = Object.fromEntries(
    fs
      .readdirSync(stacksDir)
      .sort()
      .map((name) => [name, path.join(stacksDir, name)]),
  );
  return { outdir, stackDirs };
}

export function readStackConfig(stackDir: string): TerraformJson {
  return JSON.parse(fs.readFileSync(path.join(stackDir, "cdk.tf.json"), "utf8"));
}

export interface Exclusion {
  /** The stack config without the excluded resources (a deep copy; the input is untouched). */
  readonly config: TerraformJson;
  /** Addresses (`type.name`) of the removed resources, sorted. */
  readonly removed: string[];
}

/** Thrown when a remaining block refers to a removed resource: the copy would not be the stack minus those resources. */
export class DanglingReferenceError extends Error {
  constructor(readonly references: readonly { from: string; to: string }[]) {
    super(
      "excluding resources would leave references to them:\n" +
        references.map((r) => `  ${r.from} -> ${r.to}`).join("\n") +
        "\nexclude the referring resources too (by type) or cover this stack another way",
    );
    this.name = "DanglingReferenceError";
  }
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * Removes every resource whose type is in `types` from a copy of `config`, and fails if any
 * remaining resource, data source, output, local, module call or check refers to a removed one
 * (in an expression or in `depends_on`). Types not present in the stack are fine.
 */
export function excludeResourceTypes(config: TerraformJson, types: readonly string[]): Exclusion {
  const copy: TerraformJson = structuredClone(config);
  const removed: string[] = [];
  for (const type of types) {
    const block = copy.resource?.[type];
    if (!block) continue;
    for (const name of Object.keys(block)) removed.push(`${type}.${name}`);
    delete copy.resource[type];
  }
  if (copy.resource && Object.keys(copy.resource).length === 0) delete copy.resource;
  removed.sort();
  if (removed.length === 0) return { config: copy, removed };

  // cdktf logical ids use letters, digits, `_` and `-`; a reference is `type.name` not inside a longer
  // name and not after a dot (`data.type.name` is a data source).
  const patterns = removed.map((address) => ({
    address,
    re: new RegExp(`(?<![\\w.-])${escapeRegExp(address)}(?![\\w-])`),
  }));
  const references: { from: string; to: string }[] = [];
  const visit = (value: unknown, where: string, top: string): void => {
    if (typeof value === "string") {
      for (const p of patterns) if (p.re.test(value)) references.push({ from: `${top} (${where})`, to: p.address });
    } else if (Array.isArray(value)) {
      value.forEach((v, i) => visit(v, `${where}[${i}]`, top));
    } else if (value && typeof value === "object") {
      for (const [k, v] of Object.entries(value)) visit(v, where ? `${where}.${k}` : k, top);
    }
  };
  for (const [section, blocks] of Object.entries(copy)) {
    if (section === "terraform" || section === "provider" || section === "//") continue;
    if (section === "resource" || section === "data") {
      for (const [type, byName] of Object.entries(blocks as TerraformJson)) {
        for (const [name, body] of Object.entries(byName as TerraformJson)) {
          visit(body, "", `${section === "data" ? "data." : ""}${type}.${name}`);
        }
      }
    } else {
      for (const [name, body] of Object.entries(blocks as TerraformJson)) visit(body, "", `${section}.${name}`);
    }
  }
  if (references.length > 0) throw new DanglingReferenceError(references);
  return { config: copy, removed };
}

/**
 * Resource types of the `state` stack that no other stack's S3 backend needs, and whose creation is a fixed wait of
 * the AWS provider: for aws_s3_bucket_lifecycle_configuration, provider 5.100 waits 10 s, then until 10 reads in a
 * row, 5 s apart, equal what it put (55 s, on AWS as in moto: FINDINGS.md, "The lifecycle rule's 55 s").
 * The emulator tests apply the rest of the state stack first (`backendTargets`), then the whole stack alongside
 * the stacks that use the bucket, so that this wait is not on their path.
 */
export const STATE_BACKEND_DEFERRED_TYPES: readonly string[] = ["aws_s3_bucket_lifecycle_configuration"];

/**
 * `-target=<address>` arguments for every resource of `config` except those of `deferredTypes`: the first of a
 * two-part apply (the second applies the whole stack). Empty when the stack has none of those types (apply it
 * whole at once). Throws DanglingReferenceError when something else refers to a deferred resource: the first
 * part would then not be the stack without them.
 */
export function backendTargets(config: TerraformJson, deferredTypes: readonly string[] = STATE_BACKEND_DEFERRED_TYPES): string[] {
  const { config: rest, removed } = excludeResourceTypes(config, deferredTypes);
  if (removed.length === 0) return [];
  return Object.entries((rest.resource ?? {}) as TerraformJson)
    .flatMap(([type, byName]) => Object.keys(byName).map((name) => `-target=${type}.${name}`))
    .sort();
}

/** Count of managed resources in a stack config. */
export function resourceCount(config: TerraformJson): number {
  return Object.values((config.resource ?? {}) as TerraformJson).reduce((n, byName) => n + Object.keys(byName).length, 0);
}

/** Override file content that moves a local backend's state to `statePath` (a backend block in an override file replaces the whole backend). */
export function localBackendOverride(statePath: string): TerraformJson {
  return { terraform: { backend: { local: { path: path.resolve(statePath) } } } };
}

/** Name of the override file the helpers write; Terraform merges `*_override.tf.json` over `cdk.tf.json`. */
export const OVERRIDE_FILE = "e2e_override.tf.json";

export interface PrepareDirOptions {
  /** Write this config as cdk.tf.json. @default the stack's own cdk.tf.json */
  readonly config?: TerraformJson;
  /** Override file to write next to it (e.g. `localBackendOverride`). */
  readonly override?: TerraformJson;
}

/**
 * Makes `dir` a runnable copy of the synthesized stack in `stackDir`: cdk.tf.json (or `config`),
 * a link to the stack's assets (Lambda archives are referenced relative to the stack folder) and
 * the override file. A local backend must be overridden: the synthesized path is the project's own
 * state file, which a test run must never touch.
 */
export function prepareStackDir(stackDir: string, dir: string, options: PrepareDirOptions = {}): string {
  const config = options.config ?? readStackConfig(stackDir);
  if (config.terraform?.backend?.local && !options.override?.terraform?.backend?.local) {
    throw new Error(`${stackDir} uses the local backend (${config.terraform.backend.local.path}): pass a localBackendOverride`);
  }
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, "cdk.tf.json"), JSON.stringify(config, null, 2));
  const assets = path.join(stackDir, "assets");
  if (fs.existsSync(assets) && path.resolve(dir) !== path.resolve(stackDir)) {
    fs.rmSync(path.join(dir, "assets"), { recursive: true, force: true });
    fs.symlinkSync(assets, path.join(dir, "assets"), "dir");
  }
  if (options.override) fs.writeFileSync(path.join(dir, OVERRIDE_FILE), JSON.stringify(options.override, null, 2));
  return dir;
}

// ------------------------------------------------------------------------------------------------
// State
// ------------------------------------------------------------------------------------------------

export interface StateResource {
  /** As `terraform show` and `terraform state list` write it, e.g. `aws_kms_key.key_1A2B3C4D` or `data.aws_region.this`. */
  readonly address: string;
  readonly mode: "managed" | "data";
  readonly type: string;
  /** The instance's attributes (what `terraform show -json` reports as `values`). */
  readonly values: TerraformJson;
}

/**
 * The resource instances of a raw state, the output of `terraform state pull`. That command needs no provider: it
 * takes about 1 s where `terraform show -json` takes 3-4 s (it starts the AWS provider for its schema), which adds up
 * when every apply and destroy of a test is checked against its state.
 */
export function stateResources(state: TerraformJson): StateResource[] {
  const out: StateResource[] = [];
  for (const r of (state.resources ?? []) as TerraformJson[]) {
    const base = `${r.module ? `${r.module}.` : ""}${r.mode === "data" ? "data." : ""}${r.type}.${r.name}`;
    for (const instance of (r.instances ?? []) as TerraformJson[]) {
      const key = instance.index_key === undefined ? "" : `[${JSON.stringify(instance.index_key)}]`;
      out.push({ address: `${base}${key}`, mode: r.mode, type: r.type, values: instance.attributes ?? {} });
    }
  }
  return out;
}

/** Sorted addresses of the managed resource instances of a raw state (`terraform state pull`). */
export const managedStateAddresses = (state: TerraformJson): string[] =>
  stateResources(state)
    .filter((r) => r.mode === "managed")
    .map((r) => r.address)
    .sort();

// ------------------------------------------------------------------------------------------------
// Plans
// ------------------------------------------------------------------------------------------------

export interface PlannedChange {
  readonly address: string;
  readonly mode: "managed" | "data";
  readonly actions: readonly string[];
  /** Top-level attributes whose planned value differs from the prior one (or becomes unknown). */
  readonly attributes: readonly string[];
}

/** Non-trivial changes of a `terraform show -json <planfile>` document (no-op and data reads left out). */
export function plannedChanges(plan: TerraformJson): { resources: PlannedChange[]; outputs: string[] } {
  const resources: PlannedChange[] = [];
  for (const rc of plan.resource_changes ?? []) {
    const actions: string[] = rc.change?.actions ?? [];
    if (actions.every((a) => a === "no-op" || a === "read")) continue;
    resources.push({ address: rc.address, mode: rc.mode, actions, attributes: changedAttributes(rc.change) });
  }
  const outputs = Object.entries((plan.output_changes ?? {}) as TerraformJson)
    .filter(([, c]) => !(c.actions ?? []).every((a: string) => a === "no-op"))
    .map(([name]) => name)
    .sort();
  return { resources, outputs };
}

// ------------------------------------------------------------------------------------------------
// Output
// ------------------------------------------------------------------------------------------------

/**
 * The part of terraform's output that explains a failure: every `Error:` block (the boxed
 * diagnostics), else the tail. Bounded so that a test failure stays readable.
 */
export function trimTerraformOutput(text: string, maxChars = 6000): string {
  const lines = text.split("\n");
  const blocks: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!/^\s*│?\s*Error:/.test(lines[i])) continue;
    const start = i > 0 && lines[i - 1].trim() === "╷" ? i - 1 : i;
    let end = i;
    while (end < lines.length - 1 && lines[end].trim() !== "╵") end++;
    blocks.push(lines.slice(start, end + 1).join("\n"));
    i = end;
  }
  const out = blocks.length > 0 ? blocks.join("\n") : text.trim().split("\n").slice(-40).join("\n");
  return out.length > maxChars ? `${out.slice(0, maxChars)}\n… (${out.length - maxChars} more characters)` : out;
}

/** Runs `fn` over `items` with at most `limit` at once; results in input order; rejects with the first failure after all started ones end. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  const errors: unknown[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length && errors.length === 0) {
      const i = next++;
      try {
        results[i] = await fn(items[i]);
      } catch (e) {
        errors.push(e);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (errors.length > 0) throw errors[0];
  return results;
}

/** `12.3 s` */
export const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

/** The resource addresses a stack's config declares (`type.name`), sorted. */
export function expectedAddresses(config: TerraformJson): string[] {
  return Object.entries((config.resource ?? {}) as TerraformJson)
    .flatMap(([type, byName]) => Object.keys(byName as object).map((name) => `${type}.${name}`))
    .sort();
}

/** A file's size and modification time ("absent" when missing): whether something rewrote it. */
export function fileFingerprint(file: string): string {
  if (!fs.existsSync(file)) return "absent";
  const st = fs.statSync(file);
  return `size=${st.size} mtime=${st.mtimeMs}`;
}
