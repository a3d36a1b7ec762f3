// `plan summary`: the plan review of one or more stacks (plan/summary.ts) from `terraform show -json` output, or from
// binary plan files, which it reads with `terraform show -json` in the directory the plan was made in. No AWS calls.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import type { Command } from "commander";
import { PlanInputError, renderReview, review, summarizePlan, type StackSummary } from "../../plan/summary";
import type { CliIO } from "../io";
import { EXIT, UsageError } from "../exit";
import type { RegisterCommands } from "./index";

interface PlanSummaryOptions {
  readonly stack?: string;
  readonly chdir?: string;
  readonly json?: boolean;
  readonly failOnCritical?: boolean;
}

/** A saved plan file is a zip archive; `terraform show -json` output is JSON. */
const ZIP_MAGIC = Buffer.from([0x50, 0x4b, 0x03, 0x04]);

/** Runs `terraform show -json <plan>` in `dir`; tests replace it. */
export const TERRAFORM_SHOW = {
  run(planFile: string, dir: string): { status: number | null; stdout: string; stderr: string; error?: Error } {
    const r = spawnSync("terraform", [`-chdir=${dir}`, "show", "-json", "-no-color", path.resolve(planFile)], {
      encoding: "utf8",
      maxBuffer: 512 * 1024 * 1024,
      env: { ...process.env, TF_IN_AUTOMATION: "1", CHECKPOINT_DISABLE: "1" },
    });
    return { status: r.status, stdout: r.stdout ?? "", stderr: r.stderr ?? "", error: r.error };
  },
};

/** The plan JSON of `file`: parsed when it is JSON, through `terraform show -json` when it is a binary plan. */
export function readPlan(file: string, chdir?: string): unknown {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (e) {
    throw new UsageError(`${file}: cannot read the plan: ${(e as Error).message}`);
  }
  if (bytes.subarray(0, 4).equals(ZIP_MAGIC)) {
    const dir = chdir ?? path.dirname(file);
    const r = TERRAFORM_SHOW.run(file, dir);
    if (r.error) {
      throw new PlanInputError(
        `${file} is a binary plan file, read with \`terraform show -json\`, and terraform could not be run (${r.error.message}): ` +
          "put Terraform on the PATH, or give the JSON instead (terraform show -json tfplan > plan.json)",
      );
    }
    if (r.status !== 0) {
      throw new PlanInputError(
        `terraform show -json ${file} failed in ${dir} (exit ${r.status}): ${r.stderr.trim() || r.stdout.trim()}\n` +
          `A binary plan is read in the initialized directory it was planned in (terraform init there first); that is the ` +
          `plan file's directory unless --chdir names another.`,
      );
    }
    return parseJson(r.stdout, `terraform show -json ${file}`);
  }
  return parseJson(bytes.toString("utf8"), file);
}

function parseJson(text: string, source: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new PlanInputError(`${source}: neither JSON (${(e as Error).message}) nor a binary plan file`);
  }
}

/** Stack names: --stack for a single plan, else the name of the directory each plan is in. */
export function stackNames(files: readonly string[], stack?: string): string[] {
  if (stack !== undefined) {
    if (files.length !== 1) throw new UsageError(`--stack names the stack of one plan; ${files.length} plans were given (each is named by its directory)`);
    return [stack];
  }
  const names = files.map((f) => path.basename(path.dirname(path.resolve(f))));
  names.forEach((n, i) => {
    const j = names.indexOf(n);
    if (j !== i) throw new UsageError(`${files[j]} and ${files[i]} are both in a directory named ${n}: give each stack's plan in its own directory (cdktf.out/stacks/<stack>/), or one plan with --stack`);
  });
  return names;
}

function planSummary(io: CliIO, options: PlanSummaryOptions, files: string[]): number {
  if (files.length === 0) throw new UsageError("give at least one plan file");
  const names = stackNames(files, options.stack);
  let stacks: StackSummary[];
  try {
    stacks = files.map((file, i) => summarizePlan(names[i], file, readPlan(file, options.chdir)));
  } catch (e) {
    if (!(e instanceof PlanInputError)) throw e;
    io.err(`error: ${e.message}`);
    return EXIT.failed;
  }
  const r = review(stacks);
  if (options.json) io.out(JSON.stringify(r, null, 2));
  else for (const line of renderReview(r)) io.out(line);
  if (options.failOnCritical && r.critical.length > 0) {
    io.err(`--fail-on-critical: ${r.critical.length} destroy or replace of a critical resource: exit ${EXIT.failed}`);
    return EXIT.failed;
  }
  return EXIT.ok;
}

export const registerPlanCommands: RegisterCommands = (program: Command, registrar) => {
  const plan = program.command("plan").description("Review terraform plans of the stacks before they are applied");
  const summary = plan
    .command("summary")
    .description(
      "Per stack, the resources a plan adds, changes, replaces and destroys, and LOUDLY every destroy or replace of a Redshift cluster, " +
        "KMS key or alias, AWS Backup vault, vault lock or vault policy, S3 bucket (state, drill reports), lock table or snapshot copy grant. " +
        "Reads `terraform show -json` output, or a binary plan file (then runs `terraform show -json` in the plan's directory). No AWS calls.",
    )
    .argument("<plan...>", "plan JSON (terraform show -json tfplan > plan.json) or binary plan file; the stack is the directory's name")
    .option("--stack <name>", "the stack's name, for a single plan not in its stack's directory")
    .option("--chdir <dir>", "for binary plan files: the initialized directory they were planned in (default: the plan file's directory)")
    .option("--json", "one JSON document on stdout: per stack the counts and changes, the totals, the critical changes")
    .option("--fail-on-critical", "exit 1 when any destroy or replace of a critical resource is planned (a pipeline gate)")
    .addHelpText(
      "after",
      [
        "",
        "Examples:",
        "  $ (cd cdktf.out/stacks/dr && terraform plan -out=tfplan && terraform show -json tfplan > plan.json)",
        "  $ redshift-backup plan summary cdktf.out/stacks/*/plan.json --fail-on-critical",
        "  $ redshift-backup plan summary cdktf.out/stacks/dr/tfplan --json",
      ].join("\n"),
    );
  registrar.plain<PlanSummaryOptions>(summary, (io, options, files) => Promise.resolve(planSummary(io, options, files)));
};
