import { Construct } from "constructs";
import { TerraformOutput } from "cdktf";
import type { Estate } from "../config/estate";
import { AccountStack } from "./account-stack";
import { stackTags } from "./common";
import { ManagedKey } from "./constructs/kms-key";
import { StateBucket } from "./constructs/state-bucket";
import { lockTableName, STATE_STACK } from "./names";

/**
 * Bootstrap: the bucket and lock table that hold every other stack's state. It keeps its own
 * state locally (it cannot live in the bucket it creates); see docs/deployment.md for moving it.
 */
export class StateStack extends AccountStack {
  public readonly stateBucket: StateBucket;

  constructor(scope: Construct, estate: Estate) {
    super(scope, STATE_STACK, { target: estate.state, tags: stackTags(estate, STATE_STACK) });
    const key = new ManagedKey(this, "state-key", {
      alias: `${estate.project}-tfstate`,
      description: `Encrypts the Terraform state of ${estate.project}`,
      accountId: this.accountId,
    });
    this.stateBucket = new StateBucket(this, "state", {
      bucketName: estate.state.bucket,
      kmsKeyArn: key.arn,
      lockTableName: estate.state.locking === "dynamodb" ? lockTableName(estate) : undefined,
      allowDestroy: !estate.state.preventDestroy,
      accessLogBucket: estate.state.accessLogBucket,
    });
    new TerraformOutput(this, "state_bucket", { value: this.stateBucket.bucket.bucket, description: "Bucket of every other stack's Terraform state" });
    new TerraformOutput(this, "state_kms_key_arn", { value: key.arn, description: "Key encrypting the state bucket" });
    if (this.stateBucket.lockTable) {
      new TerraformOutput(this, "lock_table", { value: this.stateBucket.lockTable.name, description: "DynamoDB lock table (locking dynamodb)" });
    }
  }
}
