// The constructs without a Lambda refuse bad props the same way: construct, path, field, value, what is allowed.
import { TerraformStack, Testing } from "cdktf";
import { ManagedKey } from "../../stacks/constructs/kms-key";
import { RedshiftNetwork } from "../../stacks/constructs/network";
import { SecureRedshiftCluster } from "../../stacks/constructs/redshift-cluster";
import { RestoreOperatorRole } from "../../stacks/constructs/restore-operator-role";
import { StateBucket } from "../../stacks/constructs/state-bucket";
import { ValidationError } from "../../stacks/constructs/validation";

const KEY = "arn:aws:kms:eu-west-2:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab";

function inStack(build: (stack: TerraformStack) => void): () => void {
  return () => {
    const app = Testing.app();
    build(new TerraformStack(app, "stack"));
  };
}

const cluster = {
  identifier: "sales",
  nodeType: "ra3.xlplus",
  numberOfNodes: 2,
  databaseName: "sales",
  masterUsername: "admin_user",
  kmsKeyArn: KEY,
  operationsKmsKeyArn: KEY,
  subnetGroupName: "net",
  securityGroupIds: ["sg-1"],
};
const role = {
  roleName: "dr-restore",
  region: "eu-west-2",
  accountId: "999999999999",
  trustedPrincipals: ["arn:aws:iam::999999999999:role/ops"],
  restoredClusterPrefix: "rsdr-restore-",
  drKmsKeyArn: KEY,
  sources: [{ accountId: "111111111111", clusterIdentifiers: ["sales"], kmsKeyArns: [KEY] }],
};

describe("prop validation of the other constructs", () => {
  it.each<[string, (stack: TerraformStack) => void, RegExp]>([
    ["a cluster identifier Redshift refuses", (s) => new SecureRedshiftCluster(s, "c", { ...cluster, identifier: "Sales_DW" }),
      /^SecureRedshiftCluster at stack\/c: identifier: "Sales_DW" is not valid: lowercase letters/],
    ["a KMS alias instead of a key ARN", (s) => new SecureRedshiftCluster(s, "c", { ...cluster, kmsKeyArn: "alias/aws/redshift" }),
      /^SecureRedshiftCluster at stack\/c: kmsKeyArn: "alias\/aws\/redshift" is not valid: a KMS key ARN/],
    ["automated snapshots off (RA3 cannot)", (s) => new SecureRedshiftCluster(s, "c", { ...cluster, automatedSnapshotRetentionDays: 0 }),
      /automatedSnapshotRetentionDays: 0 is not valid: an integer from 1 to 35/],
    ["an account root trusted to restore", (s) => new RestoreOperatorRole(s, "r", { ...role, trustedPrincipals: ["arn:aws:iam::999999999999:root"] }),
      /^RestoreOperatorRole at stack\/r: trustedPrincipals\[0\]: ".*:root" is not valid: an IAM role or user ARN/],
    ["a source that is the DR account", (s) => new RestoreOperatorRole(s, "r", { ...role, sources: [{ ...role.sources[0], accountId: "999999999999" }] }),
      /sources\[0\]\.accountId: "999999999999" is not valid: a source account other than the DR account/],
    ["a restore prefix that cannot start a cluster identifier", (s) => new RestoreOperatorRole(s, "r", { ...role, restoredClusterPrefix: "Restore-" }),
      /restoredClusterPrefix: "Restore-" is not valid/],
    ["a key shared with its own account", (s) => new ManagedKey(s, "k", { alias: "x", description: "d", accountId: "111111111111", crossAccountRestoreAccountIds: ["111111111111"] }),
      /^ManagedKey at stack\/k: crossAccountRestoreAccountIds\[0\]: "111111111111" is not valid: an account other than the key's own$/],
    ["an alias in the AWS namespace", (s) => new ManagedKey(s, "k", { alias: "aws/redshift", description: "d", accountId: "111111111111" }),
      /alias: "aws\/redshift" is not valid/],
    ["a bucket name S3 refuses", (s) => new StateBucket(s, "b", { bucketName: "My_Bucket", kmsKeyArn: KEY }),
      /^StateBucket at stack\/b: bucketName: "My_Bucket" is not valid/],
    ["a network with both create and existing", (s) => new RedshiftNetwork(s, "n", { name: "n", existing: { vpcId: "vpc-01234567", subnetIds: ["subnet-01234567", "subnet-89abcdef"] }, create: { cidr: "10.0.0.0/16", availabilityZones: ["a", "b"], flowLogKmsKeyArn: KEY, accountId: "111111111111" } }),
      /^RedshiftNetwork at stack\/n: create: .* is not valid: exactly one of "create" and "existing"$/],
    ["a network CIDR that is not one", (s) => new RedshiftNetwork(s, "n", { name: "n", create: { cidr: "10.0.0/16", availabilityZones: ["a", "b"], flowLogKmsKeyArn: KEY, accountId: "111111111111" } }),
      /create\.cidr: "10\.0\.0\/16" is not valid: an IPv4 CIDR block/],
  ])("refuses %s", (_name, build, message) => {
    expect(inStack(build)).toThrow(ValidationError);
    expect(inStack(build)).toThrow(message);
  });

  it("accepts the props the stacks give them", () => {
    expect(inStack((s) => new SecureRedshiftCluster(s, "c", cluster))).not.toThrow();
    expect(inStack((s) => new RestoreOperatorRole(s, "r", role))).not.toThrow();
  });
});
