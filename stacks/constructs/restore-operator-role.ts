import { Construct } from "constructs";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { accountRoot, policyDocument, PolicyStatement, principalTrustPolicy } from "./iam";

export interface RestoreSource {
  readonly accountId: string;
  readonly clusterIdentifiers: readonly string[];
  /** ARNs of the KMS keys that encrypt those clusters' snapshots. */
  readonly kmsKeyArns: readonly string[];
}

export interface RestoreOperatorRoleProps {
  readonly roleName: string;
  readonly partition?: string;
  readonly region: string;
  /** The DR account, where restored clusters are created. */
  readonly accountId: string;
  /** Principals allowed to assume the role. @default the DR account root */
  readonly trustedPrincipals?: readonly string[];
  /** Prefix of the identifiers of restored clusters; the role may only create and delete those. */
  readonly restoredClusterPrefix: string;
  /** Key the restored clusters are re-encrypted with. */
  readonly drKmsKeyArn: string;
  readonly sources: readonly RestoreSource[];
}

/**
 * The role an operator (or a restore drill) assumes in the DR account to restore a snapshot shared
 * by a source account: it may see snapshots, restore those of the configured clusters into clusters
 * named with the restore prefix, use the source and DR keys for that, and delete what it restored.
 */
export class RestoreOperatorRole extends Construct {
  public readonly role: IamRole;
  public readonly arn: string;

  constructor(scope: Construct, id: string, props: RestoreOperatorRoleProps) {
    super(scope, id);
    const p = props.partition ?? "aws";
    const restored = `arn:${p}:redshift:${props.region}:${props.accountId}:cluster:${props.restoredClusterPrefix}*`;
    const sourceSnapshots = props.sources.flatMap((s) =>
      s.clusterIdentifiers.map((c) => `arn:${p}:redshift:${props.region}:${s.accountId}:snapshot:${c}/*`),
    );
    const keys = [...props.sources.flatMap((s) => s.kmsKeyArns), props.drKmsKeyArn];

    const statements: PolicyStatement[] = [
      {
        Sid: "SeeClustersAndSnapshots",
        Effect: "Allow",
        // Describe calls list across clusters and across snapshots of other owners; Redshift does
        // not accept a resource ARN for listing them, so they cannot be narrowed. They change nothing.
        Action: ["redshift:DescribeClusterSnapshots", "redshift:DescribeClusters", "redshift:DescribeClusterSubnetGroups"],
        Resource: "*",
      },
      {
        Sid: "RestoreSharedSnapshots",
        Effect: "Allow",
        Action: "redshift:RestoreFromClusterSnapshot",
        Resource: [...sourceSnapshots, restored],
      },
      {
        Sid: "ManageRestoredClusters",
        Effect: "Allow",
        Action: ["redshift:DeleteCluster", "redshift:CreateTags", "redshift:ModifyCluster"],
        Resource: restored,
      },
      {
        Sid: "UseSnapshotKeys",
        Effect: "Allow",
        Action: ["kms:Decrypt", "kms:DescribeKey"],
        Resource: keys,
      },
      {
        Sid: "LetRedshiftUseSnapshotKeys",
        Effect: "Allow",
        Action: "kms:CreateGrant",
        Resource: keys,
        Condition: { Bool: { "kms:GrantIsForAWSResource": "true" } },
      },
    ];

    this.role = new IamRole(this, "role", {
      name: props.roleName,
      description: "Restores Redshift snapshots shared by the source accounts into the DR account",
      assumeRolePolicy: principalTrustPolicy(props.trustedPrincipals ?? [accountRoot(p, props.accountId)]),
      maxSessionDuration: 3600 * 4,
    });
    new IamRolePolicy(this, "policy", { role: this.role.id, name: "restore-shared-snapshots", policy: policyDocument(statements) });
    this.arn = this.role.arn;
  }
}
