// Plan review (plan/summary.ts and `redshift-backup plan summary`) on real `terraform show -json` output, checked in
// under __tests__/fixtures/plan/ (see its README.md): the whole text exactly, the JSON, the pipeline gate, and the
// refusals. Binary plan files are read through `terraform show`, replaced here by a stub that records where it ran;
// __tests__/e2e/plan-summary.e2e.test.ts reads real binary plans with the real Terraform.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { readPlan, registerPlanCommands, stackNames, TERRAFORM_SHOW } from "../../cli/commands/plan";
import { CRITICAL_TYPES, PlanInputError, renderReview, review, summarizePlan } from "../../plan/summary";
import { cli } from "../cli/helpers";

const CHANGED = "__tests__/fixtures/plan/changed/state/plan.json";
const FIRST = "__tests__/fixtures/plan/first-deploy/state/plan.json";
const load = (file: string) => JSON.parse(fs.readFileSync(file, "utf8"));
const planSummary = (argv: string[]) => cli(["plan", "summary", ...argv], [registerPlanCommands]);

function tempFile(name: string, content: string | Buffer): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rsdr-plan-"));
  fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
  fs.writeFileSync(path.join(dir, name), content);
  return path.join(dir, name);
}

describe("plan summary of the real plans", () => {
  it("prints the whole review of the changed state stack: counts, the critical destroy and replace LOUDLY, every non-add change", async () => {
    const { code, stdout, stderr } = await planSummary([CHANGED]);
    expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
    expect(stdout).toBe(
      [
        "Plan review: 1 stack: 1 to add, 1 to change, 7 to replace, 1 to destroy",
        "",
        "STACK  ADD  CHANGE  REPLACE  DESTROY  FORGET  PLAN",
        "state    1       1        7        1       0  __tests__/fixtures/plan/changed/state/plan.json",
        "TOTAL    1       1        7        1       0",
        "",
        "!!! CRITICAL: 2 changes destroy or replace what holds or protects the backups !!!",
        '!!! DESTROY state: aws_kms_alias.state-key_alias_63E2A9D5: KMS alias "alias/e2e-tfstate"',
        "!!!     restores, the CLI and the functions find keys by alias; a replaced key behind it is a different key",
        '!!! REPLACE state: aws_s3_bucket.state_bucket_803B4E61: S3 bucket "e2e-rsdr-tfstate"',
        "!!!     it holds Terraform state or restore drill reports; a replaced bucket starts empty",
        "",
        "state (__tests__/fixtures/plan/changed/state/plan.json):",
        "  add      1: aws_kms_alias x1",
        "  destroy  aws_kms_alias.state-key_alias_63E2A9D5 (delete_because_no_resource_config)  <-- CRITICAL",
        "  change   aws_kms_key.state-key_753BFC90 (attributes: description)",
        "  replace  aws_s3_bucket.state_bucket_803B4E61 (destroy before create; forced by: bucket; replace_because_cannot_update)  <-- CRITICAL",
        "  replace  aws_s3_bucket_lifecycle_configuration.state_lifecycle_9EBA48F5 (destroy before create; forced by: bucket; replace_because_cannot_update)",
        "  replace  aws_s3_bucket_ownership_controls.state_ownership_D3E5679B (destroy before create; forced by: bucket; replace_because_cannot_update)",
        "  replace  aws_s3_bucket_policy.state_tls-only_D785DC0D (destroy before create; forced by: bucket; replace_because_cannot_update)",
        "  replace  aws_s3_bucket_public_access_block.state_public-access-block_ADE6B831 (destroy before create; forced by: bucket; replace_because_cannot_update)",
        "  replace  aws_s3_bucket_server_side_encryption_configuration.state_encryption_3FDA0990 (destroy before create; forced by: bucket; replace_because_cannot_update)",
        "  replace  aws_s3_bucket_versioning.state_versioning_27DF9ED5 (destroy before create; forced by: bucket; replace_because_cannot_update)",
      ].join("\n"),
    );
  });

  it("prints the first deploy as adds by type, with nothing critical", async () => {
    const { code, stdout } = await planSummary([FIRST, "--fail-on-critical"]);
    expect(code).toBe(0);
    expect(stdout).toBe(
      [
        "Plan review: 1 stack: 10 to add, 0 to change, 0 to replace, 0 to destroy",
        "",
        "STACK  ADD  CHANGE  REPLACE  DESTROY  FORGET  PLAN",
        "state   10       0        0        0       0  __tests__/fixtures/plan/first-deploy/state/plan.json",
        "TOTAL   10       0        0        0       0",
        "",
        "No destroy or replace of a cluster, key, alias, backup vault, vault lock or policy, bucket, lock table or copy grant.",
        "",
        "state (__tests__/fixtures/plan/first-deploy/state/plan.json):",
        "  add      10: aws_dynamodb_table x1, aws_kms_alias x1, aws_kms_key x1, aws_s3_bucket x1, aws_s3_bucket_lifecycle_configuration x1, " +
          "aws_s3_bucket_ownership_controls x1, aws_s3_bucket_policy x1, aws_s3_bucket_public_access_block x1, " +
          "aws_s3_bucket_server_side_encryption_configuration x1, aws_s3_bucket_versioning x1",
      ].join("\n"),
    );
  });

  it("--fail-on-critical exits 1 when a critical destroy or replace is planned, and says why on stderr", async () => {
    const { code, stderr } = await planSummary([CHANGED, "--fail-on-critical"]);
    expect(code).toBe(1);
    expect(stderr).toBe("--fail-on-critical: 2 destroy or replace of a critical resource: exit 1");
  });

  it("--json: per stack the counts and changes, the totals, and the critical changes with what and why", async () => {
    const { code, stdout } = await planSummary([CHANGED, "--json", "--stack", "state-account"]);
    expect(code).toBe(0);
    const doc = JSON.parse(stdout);
    expect(doc.totals).toEqual({ add: 1, change: 1, replace: 7, destroy: 1, forget: 0 });
    expect(doc.stacks.map((s: { stack: string; source: string }) => [s.stack, s.source])).toEqual([["state-account", CHANGED]]);
    expect(doc.critical).toEqual([
      {
        stack: "state-account",
        address: "aws_kms_alias.state-key_alias_63E2A9D5",
        type: "aws_kms_alias",
        action: "destroy",
        reason: "delete_because_no_resource_config",
        critical: { what: "KMS alias", name: "alias/e2e-tfstate", why: CRITICAL_TYPES.aws_kms_alias.why },
      },
      {
        stack: "state-account",
        address: "aws_s3_bucket.state_bucket_803B4E61",
        type: "aws_s3_bucket",
        action: "replace",
        reason: "replace_because_cannot_update",
        order: "delete-first",
        attributes: ["bucket"],
        critical: { what: "S3 bucket", name: "e2e-rsdr-tfstate", why: CRITICAL_TYPES.aws_s3_bucket.why },
      },
    ]);
  });

  it("sums several stacks, each named by its plan's directory", () => {
    const r = review([summarizePlan("state", CHANGED, load(CHANGED)), summarizePlan("dr", FIRST, load(FIRST))]);
    expect(r.totals).toEqual({ add: 11, change: 1, replace: 7, destroy: 1, forget: 0 });
    expect(renderReview(r).slice(0, 6)).toEqual([
      "Plan review: 2 stacks: 11 to add, 1 to change, 7 to replace, 1 to destroy",
      "",
      "STACK  ADD  CHANGE  REPLACE  DESTROY  FORGET  PLAN",
      `state    1       1        7        1       0  ${CHANGED}`,
      `dr      10       0        0        0       0  ${FIRST}`,
      "TOTAL   11       1        7        1       0",
    ]);
    expect(stackNames(["cdktf.out/stacks/dr/plan.json", "cdktf.out/stacks/source-analytics/tfplan"])).toEqual(["dr", "source-analytics"]);
  });
});

describe("actions in the plan format", () => {
  /** The changed plan with one entry's actions (and extras) replaced. */
  function withEntry(address: string, patch: Record<string, unknown>) {
    const plan = load(CHANGED);
    const rc = plan.resource_changes.find((r: { address: string }) => r.address === address);
    Object.assign(rc, patch, { change: { ...rc.change, ...(patch.change as object) } });
    return plan;
  }

  it("a replace that creates first, a forget, a deposed object and a data read", () => {
    const plan = withEntry("aws_s3_bucket.state_bucket_803B4E61", { change: { actions: ["create", "delete"] } });
    plan.resource_changes.push(
      { address: "aws_dynamodb_table.old", mode: "managed", type: "aws_dynamodb_table", deposed: "00000001", change: { actions: ["delete"], before: { name: "e2e-tfstate-lock" } } },
      { address: "aws_redshift_cluster.gone", mode: "managed", type: "aws_redshift_cluster", change: { actions: ["forget"], before: { cluster_identifier: "x" } } },
      { address: "data.aws_caller_identity.me", mode: "data", type: "aws_caller_identity", change: { actions: ["read"] } },
    );
    const s = summarizePlan("state", "p.json", plan);
    expect(s.counts).toEqual({ add: 1, change: 1, replace: 7, destroy: 2, forget: 1 });
    const lines = renderReview(review([s]));
    expect(lines[0]).toBe("Plan review: 1 stack: 1 to add, 1 to change, 7 to replace, 2 to destroy, 1 to forget");
    expect(lines).toContain('!!! DESTROY state: aws_dynamodb_table.old: DynamoDB table "e2e-tfstate-lock"');
    expect(lines).toContain("  replace  aws_s3_bucket.state_bucket_803B4E61 (create before destroy; forced by: bucket; replace_because_cannot_update)  <-- CRITICAL");
    expect(lines).toContain("  destroy  aws_dynamodb_table.old (deposed object 00000001)  <-- CRITICAL");
    // A forget leaves the cluster alone (only Terraform's state forgets it): listed, not critical.
    expect(lines).toContain("  forget   aws_redshift_cluster.gone");
  });

  it("one critical change is said in the singular", () => {
    const plan = withEntry("aws_kms_alias.state-key_alias_63E2A9D5", { change: { actions: ["no-op"] } });
    expect(renderReview(review([summarizePlan("state", "p.json", plan)]))).toContain("!!! CRITICAL: 1 change destroys or replaces what holds or protects the backups !!!");
  });

  it("never prints a sensitive name", () => {
    const plan = withEntry("aws_s3_bucket.state_bucket_803B4E61", { change: { before_sensitive: { bucket: true } } });
    const critical = review([summarizePlan("state", "p.json", plan)]).critical.find((c) => c.type === "aws_s3_bucket");
    expect(critical?.critical).toEqual({ what: "S3 bucket", why: CRITICAL_TYPES.aws_s3_bucket.why });
  });

  it.each([
    ["an action it does not know", (p: any) => (p.resource_changes[1].change.actions = ["delete", "forget"]),
      'p.json: resource_changes[1] (aws_kms_alias.state-key_alias_63E2A9D5): actions ["delete","forget"] are not known; expected one of [no-op], [read], [create], [update], [delete,create], [create,delete], [delete], [forget]'],
    ["another major format version", (p: any) => (p.format_version = "2.0"), 'p.json: format_version "2.0" is not supported: expected 1.x, as `terraform show -json <planfile>` writes it'],
    ["the JSON of a state", (p: any) => delete p.planned_values, "p.json: not a plan: it has no planned_values (`terraform show -json` of a state rather than of a plan file?)"],
    ["an errored plan", (p: any) => (p.errored = true), "p.json: the plan errored, so it is incomplete and cannot be applied: fix the errors and plan again"],
    ["an entry without actions", (p: any) => (p.resource_changes[0].change.actions = "create"), 'p.json: resource_changes[0] (aws_dynamodb_table.state_lock-table_6543B35D): change.actions "create" is not a list of actions'],
  ])("refuses %s, naming the file, the entry and the value", (_name, change, message) => {
    const plan = load(CHANGED);
    change(plan);
    expect(() => summarizePlan("state", "p.json", plan)).toThrow(new PlanInputError(message));
  });
});

describe("plan summary inputs", () => {
  afterEach(() => jest.restoreAllMocks());

  it("needs no config: a missing estate config does not stop a plan review", async () => {
    const { code, stdout } = await cli(["plan", "summary", CHANGED, "--json"], [registerPlanCommands], { config: "/nonexistent/estate.json" });
    expect(code).toBe(0);
    expect(JSON.parse(stdout).stacks[0]).toMatchObject({ stack: "state", counts: { replace: 7 } });
  });

  it("reads a binary plan file with `terraform show -json` in the plan's directory, or in --chdir", async () => {
    const planFile = tempFile("source-analytics/tfplan", Buffer.from([0x50, 0x4b, 0x03, 0x04, 0, 0]));
    const show = jest.spyOn(TERRAFORM_SHOW, "run").mockReturnValue({ status: 0, stdout: fs.readFileSync(CHANGED, "utf8"), stderr: "" });
    const { code, stdout } = await planSummary([planFile, "--json"]);
    expect(code).toBe(0);
    expect(JSON.parse(stdout).stacks[0]).toMatchObject({ stack: "source-analytics", source: planFile, counts: { replace: 7 } });
    expect(show).toHaveBeenLastCalledWith(planFile, path.dirname(planFile));
    readPlan(planFile, "/elsewhere");
    expect(show).toHaveBeenLastCalledWith(planFile, "/elsewhere");
  });

  it("says where a binary plan must be read when `terraform show` fails, and what to do without Terraform", async () => {
    const planFile = tempFile("dr/tfplan", Buffer.from([0x50, 0x4b, 0x03, 0x04]));
    jest.spyOn(TERRAFORM_SHOW, "run").mockReturnValueOnce({ status: 1, stdout: "", stderr: "Error: Required plugins are not installed\n" });
    const failed = await planSummary([planFile]);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toBe(
      `error: terraform show -json ${planFile} failed in ${path.dirname(planFile)} (exit 1): Error: Required plugins are not installed\n` +
        "A binary plan is read in the initialized directory it was planned in (terraform init there first); that is the plan file's directory unless --chdir names another.",
    );
    jest.spyOn(TERRAFORM_SHOW, "run").mockReturnValueOnce({ status: null, stdout: "", stderr: "", error: new Error("spawnSync terraform ENOENT") });
    expect(() => readPlan(planFile)).toThrow(
      `${planFile} is a binary plan file, read with \`terraform show -json\`, and terraform could not be run (spawnSync terraform ENOENT): ` +
        "put Terraform on the PATH, or give the JSON instead (terraform show -json tfplan > plan.json)",
    );
  });

  it.each([
    ["a file that does not exist", 2, ["/nonexistent/dr/plan.json"], /^error: \/nonexistent\/dr\/plan\.json: cannot read the plan: ENOENT/],
    ["--stack with two plans", 2, [CHANGED, FIRST, "--stack", "x"], /^error: --stack names the stack of one plan; 2 plans were given/],
    ["two plans in directories of the same name", 2, [CHANGED, FIRST], new RegExp(`^error: ${CHANGED} and ${FIRST} are both in a directory named state: give each stack's plan in its own directory`)],
    ["a file that is not JSON", 1, [tempFile("dr/plan.json", "Terraform will perform the following actions:")], /^error: .*dr\/plan\.json: neither JSON \(.*\) nor a binary plan file$/],
  ])("refuses %s: exit %d", async (_name, exit, argv, message) => {
    const { code, stdout, stderr } = await planSummary(argv);
    expect({ code, stdout }).toEqual({ code: exit, stdout: "" });
    expect(stderr).toMatch(message);
  });
});

describe("docs/plan-review.md", () => {
  it("lists exactly the resource types the summary calls out", () => {
    const text = fs.readFileSync(path.join(__dirname, "../../docs/plan-review.md"), "utf8");
    const rows = [...text.matchAll(/^\| `(aws_[a-z0-9_]+)` \|/gm)].map((m) => m[1]);
    expect(rows).toEqual(Object.keys(CRITICAL_TYPES));
  });
});
