// Real-Terraform tier: a stack holding both constructs must pass `terraform init -backend=false` and
// `terraform validate` with the real AWS provider (offline, from the filesystem mirror; TF_PROVIDER_MIRROR
// overrides its root). Provider-side validation catches what the TypeScript types do not. Without Terraform
// on the PATH this test fails, saying what to install; it never skips.
import * as fs from "fs";
import * as path from "path";
import { TerraformStack, Testing } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { DrSnapshotMonitor } from "../../stacks/constructs/dr-snapshot-monitor";
import { SnapshotAutomation } from "../../stacks/constructs/snapshot-automation";
import { requireTerraform, tempDir, terraformEnv, validateStack, writeCliConfig } from "../../scripts/terraform";
import { ACCOUNT, AUTOMATION_PROPS, DR_KMS_KEY, FIXTURE_ENTRY, REGION } from "./fixtures/nodejs-function-helpers";

jest.setTimeout(180_000);

test("a stack with SnapshotAutomation and DrSnapshotMonitor passes terraform init and validate", async () => {
  requireTerraform();

  const outdir = tempDir("constructs-tf-");
  try {
    await synthAndValidate(outdir);
  } finally {
    // Kept for debugging when asked; otherwise the temp dir (and its provider links) goes.
    if (!process.env.KEEP_TF_OUTDIR) fs.rmSync(outdir, { recursive: true, force: true });
  }
});

async function synthAndValidate(outdir: string): Promise<void> {
  const app = Testing.app({ outdir });
  const stack = new TerraformStack(app, "constructs");
  new AwsProvider(stack, "aws", { region: REGION });
  // Literal account/region/partition here ...
  new SnapshotAutomation(stack, "source", { ...AUTOMATION_PROPS, namePrefix: "tfv" });
  // ... and read from data sources here, so that both paths meet the provider schema.
  new DrSnapshotMonitor(stack, "dr", {
    namePrefix: "tfv",
    sources: [{ accountId: ACCOUNT, clusterIdentifiers: ["sales", "finance-dw"], rpoHours: 8 }],
    alertEmails: ["dr-oncall@example.com"],
    kmsKeyArn: DR_KMS_KEY,
    entry: FIXTURE_ENTRY,
  });
  app.synth();

  // Both constructs in one account and region must not collide on names Terraform cannot check.
  const names = new Map<string, string>();
  const synthesized = JSON.parse(Testing.synth(stack)) as { resource: Record<string, Record<string, Record<string, unknown>>> };
  for (const [type, attr] of [["aws_iam_role", "name"], ["aws_cloudwatch_metric_alarm", "alarm_name"], ["aws_sqs_queue", "name"], ["aws_sns_topic", "name"]]) {
    for (const [id, r] of Object.entries(synthesized.resource[type])) {
      const key = `${type}:${String(r[attr])}`;
      expect(names.get(key) ?? id).toBe(id);
      names.set(key, id);
    }
  }

  const stackDir = path.join(outdir, "stacks", "constructs");
  const config = JSON.parse(fs.readFileSync(path.join(stackDir, "cdk.tf.json"), "utf8")) as {
    resource: { aws_lambda_function: Record<string, { filename: string }> };
  };
  // The function archives were written next to the stack, where `filename` points.
  for (const fn of Object.values(config.resource.aws_lambda_function)) {
    expect(fs.existsSync(path.join(stackDir, fn.filename))).toBe(true);
  }

  const env = terraformEnv(writeCliConfig(path.join(outdir, ".terraform-cli")));
  const result = await validateStack(stackDir, env);
  expect(result.errors).toEqual([]);
  expect(result.warnings).toEqual([]);
  expect(result.valid).toBe(true);
}
