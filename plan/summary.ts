// Plan review: what a `terraform show -json <planfile>` document will do, per stack, for the people who approve it.
// Counts resources to add, change, replace (delete and create, in either order) and destroy, and calls out every
// destroy or replace of a resource that holds or protects the backups (CRITICAL_TYPES). Pure: reading files and
// running `terraform show` is the CLI's part (cli/commands/plan.ts). The JSON format is Terraform's documented plan
// representation (format_version 1.x): `resource_changes[].change.actions`, `action_reason`, `change.replace_paths`.

export type Action = "add" | "change" | "replace" | "destroy" | "forget";
export const ACTIONS: readonly Action[] = ["add", "change", "replace", "destroy", "forget"];

/** What a destroy or replace of a resource type loses, for the reviewer. */
export interface CriticalType {
  readonly what: string;
  /** Attribute that names the resource to a person (read from the prior state). */
  readonly nameAttribute: string;
  readonly why: string;
}

/** Resource types whose destroy or replace loses backups, the ability to restore them, or the state of every stack. */
export const CRITICAL_TYPES: Readonly<Record<string, CriticalType>> = {
  aws_redshift_cluster: {
    what: "Redshift cluster",
    nameAttribute: "cluster_identifier",
    why: "deleting a cluster deletes its automated snapshots; its data is left only in manual snapshots and copies",
  },
  aws_kms_key: {
    what: "KMS key",
    nameAttribute: "description",
    why: "after the deletion window nothing encrypted with the key can be decrypted: clusters, snapshots, shared snapshots, backups",
  },
  aws_kms_alias: {
    what: "KMS alias",
    nameAttribute: "name",
    why: "restores, the CLI and the functions find keys by alias; a replaced key behind it is a different key",
  },
  aws_backup_vault: {
    what: "AWS Backup vault",
    nameAttribute: "name",
    why: "the vault holds the recovery points; a replaced vault starts empty (one holding recovery points cannot be deleted: the apply fails half-way)",
  },
  aws_backup_vault_lock_configuration: {
    what: "AWS Backup Vault Lock",
    nameAttribute: "backup_vault_name",
    why: "the lock makes the recovery points immutable; without it they can be deleted",
  },
  aws_backup_vault_policy: {
    what: "AWS Backup vault access policy",
    nameAttribute: "backup_vault_name",
    why: "the policy denies deleting recovery points to everyone but the break-glass role; without it that protection is gone",
  },
  aws_s3_bucket: {
    what: "S3 bucket",
    nameAttribute: "bucket",
    why: "it holds Terraform state or restore drill reports; a replaced bucket starts empty",
  },
  aws_dynamodb_table: {
    what: "DynamoDB table",
    nameAttribute: "name",
    why: "the Terraform state lock table: while it is gone, no stack can lock its state",
  },
  aws_redshift_snapshot_copy_grant: {
    what: "Redshift snapshot copy grant",
    nameAttribute: "snapshot_copy_grant_name",
    why: "cross-region copies of encrypted snapshots need the grant; without it they stop",
  },
};

/** The plan JSON cannot be summarized: names the file, the entry and the value. */
export class PlanInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PlanInputError";
  }
}

export interface Change {
  readonly address: string;
  readonly type: string;
  readonly action: Action;
  /** Terraform's `action_reason`, e.g. replace_because_cannot_update. */
  readonly reason?: string;
  /** Replace: which goes first. */
  readonly order?: "delete-first" | "create-first";
  /** Replace: the attributes that force it (`change.replace_paths`, top level). Change: the attributes that differ. */
  readonly attributes?: readonly string[];
  /** Destroy of a deposed object (left over by an earlier create_before_destroy). */
  readonly deposed?: string;
  /** Set for a destroy or replace of a CRITICAL_TYPES resource. */
  readonly critical?: { readonly what: string; readonly name?: string; readonly why: string };
}

export interface StackSummary {
  readonly stack: string;
  /** Where the plan came from (the file as given). */
  readonly source: string;
  readonly counts: Readonly<Record<Action, number>>;
  /** Every change but no-ops and data reads, in the plan's order. */
  readonly changes: readonly Change[];
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

const ACTION_OF: Readonly<Record<string, Action | null>> = {
  "no-op": null,
  read: null,
  create: "add",
  update: "change",
  "delete,create": "replace",
  "create,delete": "replace",
  delete: "destroy",
  forget: "forget",
};

/** Top-level attribute names of `replace_paths` ([["bucket"], ["rule", 0, "id"]] gives bucket, rule). */
function replacePaths(change: Json): string[] {
  const paths = Array.isArray(change.replace_paths) ? change.replace_paths : [];
  return [...new Set(paths.map((p) => (Array.isArray(p) ? String(p[0]) : String(p))))].sort();
}

/** Top-level attributes a change (`resource_changes[].change`) alters: the planned value differs, or becomes unknown. */
export function changedAttributes(change: Json): string[] {
  const before = isObject(change.before) ? change.before : {};
  const after = isObject(change.after) ? change.after : {};
  const unknown = isObject(change.after_unknown) ? change.after_unknown : {};
  const keys = new Set([...Object.keys(before), ...Object.keys(after), ...Object.keys(unknown)]);
  return [...keys].filter((k) => unknown[k] === true || JSON.stringify(before[k]) !== JSON.stringify(after[k])).sort();
}

/** The name a person knows the resource by, from its prior state; never a sensitive value. */
function nameOf(change: Json, attribute: string): string | undefined {
  const before = isObject(change.before) ? change.before : {};
  const sensitive = isObject(change.before_sensitive) ? change.before_sensitive : {};
  const value = before[attribute];
  return typeof value === "string" && value !== "" && sensitive[attribute] !== true ? value : undefined;
}

/**
 * The summary of one stack's plan. `plan` is the parsed output of `terraform show -json <planfile>`; `source`
 * names it in errors.
 */
export function summarizePlan(stack: string, source: string, plan: unknown): StackSummary {
  if (!isObject(plan)) throw new PlanInputError(`${source}: not a Terraform plan: the JSON is not an object`);
  const version = plan.format_version;
  if (typeof version !== "string" || !/^1\.\d+$/.test(version)) {
    throw new PlanInputError(`${source}: format_version ${JSON.stringify(version)} is not supported: expected 1.x, as \`terraform show -json <planfile>\` writes it`);
  }
  if (!isObject(plan.planned_values)) {
    throw new PlanInputError(`${source}: not a plan: it has no planned_values (\`terraform show -json\` of a state rather than of a plan file?)`);
  }
  if (plan.errored === true) throw new PlanInputError(`${source}: the plan errored, so it is incomplete and cannot be applied: fix the errors and plan again`);
  const entries = plan.resource_changes ?? [];
  if (!Array.isArray(entries)) throw new PlanInputError(`${source}: resource_changes is not a list`);

  const counts = Object.fromEntries(ACTIONS.map((a) => [a, 0])) as Record<Action, number>;
  const changes: Change[] = [];
  entries.forEach((rc: unknown, i) => {
    const where = `${source}: resource_changes[${i}]`;
    if (!isObject(rc) || typeof rc.address !== "string" || typeof rc.type !== "string" || !isObject(rc.change)) {
      throw new PlanInputError(`${where}: expected an object with address, type and change`);
    }
    const actions = rc.change.actions;
    if (!Array.isArray(actions) || !actions.every((a) => typeof a === "string")) {
      throw new PlanInputError(`${where} (${rc.address}): change.actions ${JSON.stringify(actions)} is not a list of actions`);
    }
    const key = actions.join(",");
    if (!(key in ACTION_OF)) {
      throw new PlanInputError(
        `${where} (${rc.address}): actions ${JSON.stringify(actions)} are not known; expected one of ${Object.keys(ACTION_OF).map((k) => `[${k}]`).join(", ")}`,
      );
    }
    const action = ACTION_OF[key];
    if (action === null || rc.mode === "data") return;
    counts[action]++;
    const criticalType = action === "replace" || action === "destroy" ? CRITICAL_TYPES[rc.type] : undefined;
    const name = criticalType && nameOf(rc.change, criticalType.nameAttribute);
    changes.push({
      address: rc.address,
      type: rc.type,
      action,
      ...(typeof rc.action_reason === "string" ? { reason: rc.action_reason } : {}),
      ...(action === "replace" ? { order: key === "delete,create" ? ("delete-first" as const) : ("create-first" as const), attributes: replacePaths(rc.change) } : {}),
      ...(action === "change" ? { attributes: changedAttributes(rc.change) } : {}),
      ...(typeof rc.deposed === "string" ? { deposed: rc.deposed } : {}),
      ...(criticalType ? { critical: { what: criticalType.what, ...(name ? { name } : {}), why: criticalType.why } } : {}),
    });
  });
  return { stack, source, counts, changes };
}

export interface PlanReview {
  readonly stacks: readonly StackSummary[];
  readonly totals: Readonly<Record<Action, number>>;
  /** Every destroy or replace of a CRITICAL_TYPES resource, across the stacks. */
  readonly critical: readonly (Change & { readonly stack: string })[];
}

export function review(stacks: readonly StackSummary[]): PlanReview {
  const totals = Object.fromEntries(ACTIONS.map((a) => [a, stacks.reduce((n, s) => n + s.counts[a], 0)])) as Record<Action, number>;
  const critical = stacks.flatMap((s) => s.changes.filter((c) => c.critical).map((c) => ({ stack: s.stack, ...c })));
  return { stacks, totals, critical };
}

function pluralize(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

function detail(c: Change): string {
  const notes: string[] = [];
  if (c.action === "replace") notes.push(c.order === "create-first" ? "create before destroy" : "destroy before create");
  if (c.attributes && c.attributes.length > 0) notes.push(`${c.action === "replace" ? "forced by" : "attributes"}: ${c.attributes.join(", ")}`);
  if (c.reason) notes.push(c.reason);
  if (c.deposed) notes.push(`deposed object ${c.deposed}`);
  return notes.length > 0 ? ` (${notes.join("; ")})` : "";
}

/** The review as text: the totals, a row per stack, the critical changes LOUDLY, then every non-add change per stack. */
export function renderReview(r: PlanReview): string[] {
  const t = r.totals;
  const lines = [
    `Plan review: ${pluralize(r.stacks.length, "stack")}: ${t.add} to add, ${t.change} to change, ${t.replace} to replace, ${t.destroy} to destroy` +
      (t.forget > 0 ? `, ${t.forget} to forget` : ""),
    "",
  ];
  const rows = [...r.stacks.map((s) => [s.stack, ...ACTIONS.map((a) => String(s.counts[a])), s.source]), ["TOTAL", ...ACTIONS.map((a) => String(t[a])), ""]];
  const headers = ["STACK", "ADD", "CHANGE", "REPLACE", "DESTROY", "FORGET", "PLAN"];
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  // Names and paths left-aligned, counts right-aligned.
  const row = (cells: string[]) => cells.map((c, i) => (i === 0 || i === cells.length - 1 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ").trimEnd();
  lines.push(row(headers), ...rows.map(row), "");

  if (r.critical.length === 0) {
    lines.push("No destroy or replace of a cluster, key, alias, backup vault, vault lock or policy, bucket, lock table or copy grant.");
  } else {
    const n = r.critical.length;
    lines.push(`!!! CRITICAL: ${n} ${n === 1 ? "change destroys or replaces" : "changes destroy or replace"} what holds or protects the backups !!!`);
    for (const c of r.critical) {
      lines.push(`!!! ${c.action.toUpperCase()} ${c.stack}: ${c.address}: ${c.critical!.what}${c.critical!.name ? ` ${JSON.stringify(c.critical!.name)}` : ""}`);
      lines.push(`!!!     ${c.critical!.why}`);
    }
  }
  for (const s of r.stacks) {
    lines.push("", `${s.stack} (${s.source}):`);
    const added = s.changes.filter((c) => c.action === "add");
    if (added.length > 0) {
      const byType = new Map<string, number>();
      for (const c of added) byType.set(c.type, (byType.get(c.type) ?? 0) + 1);
      lines.push(`  add      ${added.length}: ${[...byType].sort(([a], [b]) => a.localeCompare(b)).map(([type, n]) => `${type} x${n}`).join(", ")}`);
    }
    for (const c of s.changes.filter((x) => x.action !== "add")) lines.push(`  ${c.action.padEnd(8)} ${c.address}${detail(c)}${c.critical ? "  <-- CRITICAL" : ""}`);
    if (s.changes.length === 0) lines.push("  no changes");
  }
  return lines;
}
