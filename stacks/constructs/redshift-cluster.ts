import { Construct } from "constructs";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { RedshiftCluster } from "@cdktf/provider-aws/lib/redshift-cluster";
import { RedshiftLogging } from "@cdktf/provider-aws/lib/redshift-logging";
import { RedshiftParameterGroup } from "@cdktf/provider-aws/lib/redshift-parameter-group";
import { CLUSTER_IDENTIFIER, CLUSTER_IDENTIFIER_RULE, KMS_KEY_ARN } from "../../contract";
import { PropChecks } from "./validation";

export const AUDIT_LOG_TYPES = ["connectionlog", "useractivitylog", "userlog"] as const;

export interface SecureRedshiftClusterProps {
  /** Cluster identifier: lowercase letters, digits and hyphens, 1-63, starting with a letter. */
  readonly identifier: string;
  /** An RA3 or DC2 node type, e.g. "ra3.xlplus". */
  readonly nodeType: string;
  /** 1-128; one node makes a single-node cluster. */
  readonly numberOfNodes: number;
  /** The database created with the cluster. */
  readonly databaseName: string;
  /** Master user; its password is generated and kept by Secrets Manager. */
  readonly masterUsername: string;
  /** Customer-managed key that encrypts the cluster and so its snapshots (shareable across accounts). */
  readonly kmsKeyArn: string;
  /** Key that encrypts the Secrets Manager secret of the master password and the audit log groups. */
  readonly operationsKmsKeyArn: string;
  /** Redshift subnet group of private subnets, e.g. `RedshiftNetwork.subnetGroupName`. */
  readonly subnetGroupName: string;
  /** At least one security group. */
  readonly securityGroupIds: readonly string[];
  /** Days Redshift keeps its automated snapshots (1-35). @default 7 */
  readonly automatedSnapshotRetentionDays?: number;
  /** Retention of the audit log groups, days (a CloudWatch Logs retention value). @default 365 */
  readonly auditLogRetentionDays?: number;
  /**
   * Refuse `terraform destroy` of the cluster (lifecycle prevent_destroy).
   * @default true
   */
  readonly preventDestroy?: boolean;
  /** Tags of the cluster (the provider's default tags are added). @default {} */
  readonly tags?: Readonly<Record<string, string>>;
}

/**
 * A provisioned Redshift cluster as a regulated firm needs it: encrypted with a customer-managed key,
 * private, enhanced VPC routing, master password held by Secrets Manager, SSL required, audit logs
 * to CloudWatch Logs groups that this construct creates with retention and encryption, and a final
 * snapshot when deleted.
 */
export class SecureRedshiftCluster extends Construct {
  public readonly cluster: RedshiftCluster;
  public readonly arn: string;
  public readonly identifier: string;

  constructor(scope: Construct, id: string, props: SecureRedshiftClusterProps) {
    super(scope, id);
    const check = new PropChecks("SecureRedshiftCluster", this);
    check.pattern("identifier", props.identifier, CLUSTER_IDENTIFIER, CLUSTER_IDENTIFIER_RULE);
    check.pattern("nodeType", props.nodeType, /^(ra3|dc2)\.[a-z0-9]+$/, "an RA3 or DC2 node type, e.g. ra3.xlplus");
    check.intRange("numberOfNodes", props.numberOfNodes, 1, 128);
    check.pattern("databaseName", props.databaseName, /^[a-z_][a-z0-9_$]{0,63}$/, "lowercase letters, digits, _ and $, 1-64 characters, starting with a letter or _");
    check.pattern("masterUsername", props.masterUsername, /^[a-z][a-z0-9_]{0,127}$/, "lowercase letters, digits and _, starting with a letter");
    // A customer-managed key, given by ARN: an alias or the AWS-managed aws/redshift key cannot be shared.
    check.pattern("kmsKeyArn", props.kmsKeyArn, KMS_KEY_ARN, "a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>)");
    check.intRange("automatedSnapshotRetentionDays", props.automatedSnapshotRetentionDays, 1, 35);
    check.logRetentionDays("auditLogRetentionDays", props.auditLogRetentionDays);
    if (props.securityGroupIds.length === 0) check.fail("securityGroupIds", props.securityGroupIds, "at least one security group");
    const parameters = new RedshiftParameterGroup(this, "parameters", {
      name: `${props.identifier}-params`,
      family: "redshift-1.0",
      description: `Parameters of ${props.identifier}: SSL required, user activity logged`,
      parameter: [
        { name: "require_ssl", value: "true" },
        { name: "enable_user_activity_logging", value: "true" },
      ],
    });

    this.cluster = new RedshiftCluster(this, "cluster", {
      clusterIdentifier: props.identifier,
      nodeType: props.nodeType,
      numberOfNodes: props.numberOfNodes,
      clusterType: props.numberOfNodes > 1 ? "multi-node" : "single-node",
      databaseName: props.databaseName,
      masterUsername: props.masterUsername,
      manageMasterPassword: true,
      masterPasswordSecretKmsKeyId: props.operationsKmsKeyArn,
      encrypted: true,
      kmsKeyId: props.kmsKeyArn,
      publiclyAccessible: false,
      enhancedVpcRouting: true,
      clusterSubnetGroupName: props.subnetGroupName,
      vpcSecurityGroupIds: [...props.securityGroupIds],
      clusterParameterGroupName: parameters.name,
      automatedSnapshotRetentionPeriod: props.automatedSnapshotRetentionDays ?? 7,
      allowVersionUpgrade: true,
      skipFinalSnapshot: false,
      finalSnapshotIdentifier: `${props.identifier}-final`,
      lifecycle: { preventDestroy: props.preventDestroy ?? true },
      ...(props.tags && Object.keys(props.tags).length > 0 ? { tags: { ...props.tags } } : {}),
    });
    this.arn = this.cluster.arn;
    this.identifier = this.cluster.clusterIdentifier;

    // Redshift writes to /aws/redshift/cluster/<id>/<type>; creating the groups first gives them a
    // retention and a key instead of the never-expiring, unencrypted groups Redshift would create.
    const groups = AUDIT_LOG_TYPES.map(
      (type) =>
        new CloudwatchLogGroup(this, `audit-${type}`, {
          name: `/aws/redshift/cluster/${props.identifier}/${type}`,
          retentionInDays: props.auditLogRetentionDays ?? 365,
          kmsKeyId: props.operationsKmsKeyArn,
        }),
    );
    new RedshiftLogging(this, "audit-logging", {
      clusterIdentifier: this.cluster.clusterIdentifier,
      logDestinationType: "cloudwatch",
      logExports: [...AUDIT_LOG_TYPES],
      dependsOn: groups,
    });
  }
}
