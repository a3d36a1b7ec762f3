import { Construct } from "constructs";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { accountRoot, keyUseThroughRedshift, policyDocument, PolicyStatement, principalTrustPolicy } from "./iam";
import { REDSHIFT_SERVICE_PRINCIPAL, redshiftServiceLinkedRoleArn } from "./redshift-principal";
import { ACCOUNT_ID, CLUSTER_IDENTIFIER, CLUSTER_IDENTIFIER_RULE, IAM_ROLE_OR_USER_ARN } from "../../contract";
import { PropChecks } from "./validation";

export interface RestoreSource {
  /** The source account that shares the snapshots. */
  readonly accountId: string;
  /** Its clusters whose snapshots the role may restore. */
  readonly clusterIdentifiers: readonly string[];
  /** ARNs of the KMS keys that encrypt those clusters' snapshots. */
  readonly kmsKeyArns: readonly string[];
}

export interface RestoreOperatorRoleProps {
  /** Name of the role: 1-64 letters, digits and + = , . @ _ -. */
  readonly roleName: string;
  /** Partition of the ARNs. @default "aws" */
  readonly partition?: string;
  /** Region of the restores (a shared snapshot is restorable in its own region only). */
  readonly region: string;
  /** The DR account, where restored clusters are created. */
  readonly accountId: string;
  /** Principals allowed to assume the role. @default the DR account root */
  readonly trustedPrincipals?: readonly string[];
  /** Prefix of the identifiers of restored clusters; the role may only create and delete those. */
  readonly restoredClusterPrefix: string;
  /** Key the restored clusters are re-encrypted with (pass it as KmsKeyId when restoring). */
  readonly drKmsKeyArn: string;
  /** Source accounts, their clusters and keys: the role restores only those clusters' snapshots. */
  readonly sources: readonly RestoreSource[];
  /**
   * The DR account's AWS Backup vault, when copies of the sources' recovery points land there: the role may list
   * it and restore its copies (Redshift snapshots of this account named `<cluster>/awsbackup:...`) of these clusters.
   * @default none
   */
  readonly backupVault?: {
    /** ARN of the DR vault. */
    readonly vaultArn: string;
    /** The vault's key: its copies are encrypted with it. */
    readonly kmsKeyArn: string;
    /** Source clusters whose copies the role may restore. */
    readonly clusterIdentifiers: readonly string[];
  };
  /**
   * ARN patterns of this account's own snapshots the role may restore too: the DR-owned copies restore drills keep
   * (`snapshot:<prefix>-drill-*\/<prefix>-drcopy-*`), encrypted with the DR key. @default none
   */
  readonly ownSnapshotArns?: readonly string[];
}

/**
 * The role an operator (or a restore drill) assumes in the DR account to restore a snapshot shared
 * by a source account: it may see snapshots, restore those of the configured clusters into clusters
 * named with the restore prefix, re-encrypted with the DR key, and delete what it restored (keeping a
 * final snapshot if it wants). Every key use goes through Redshift (kms:ViaService).
 * Sources of each permission: docs/aws-behaviour.md, "Restoring in the DR account".
 */
export class RestoreOperatorRole extends Construct {
  public readonly role: IamRole;
  public readonly arn: string;

  constructor(scope: Construct, id: string, props: RestoreOperatorRoleProps) {
    super(scope, id);
    const check = new PropChecks("RestoreOperatorRole", this);
    check.pattern("roleName", props.roleName, /^[\w+=,.@-]{1,64}$/, "1-64 letters, digits and + = , . @ _ -");
    check.pattern("accountId", props.accountId, ACCOUNT_ID, "a 12-digit AWS account id");
    (props.trustedPrincipals ?? []).forEach((p, i) =>
      check.pattern(`trustedPrincipals[${i}]`, p, IAM_ROLE_OR_USER_ARN, "an IAM role or user ARN (an account root would let every principal of it restore)"),
    );
    // Restored clusters are named <prefix><something>: the prefix must start a valid cluster identifier and leave room.
    check.pattern("restoredClusterPrefix", props.restoredClusterPrefix, /^[a-z](?!.*--)[a-z0-9-]{0,39}$/, "a lowercase letter, then lowercase letters, digits and single hyphens, at most 40");
    props.sources.forEach((s, i) => {
      check.pattern(`sources[${i}].accountId`, s.accountId, ACCOUNT_ID, "a 12-digit AWS account id");
      if (s.accountId === props.accountId) check.fail(`sources[${i}].accountId`, s.accountId, "a source account other than the DR account");
      s.clusterIdentifiers.forEach((c, j) => check.pattern(`sources[${i}].clusterIdentifiers[${j}]`, c, CLUSTER_IDENTIFIER, CLUSTER_IDENTIFIER_RULE));
    });
    const p = props.partition ?? "aws";
    const restored = `arn:${p}:redshift:${props.region}:${props.accountId}:cluster:${props.restoredClusterPrefix}*`;
    // Final snapshots of restored clusters: snapshot:<cluster>/<snapshot>.
    const restoredSnapshots = `arn:${p}:redshift:${props.region}:${props.accountId}:snapshot:${props.restoredClusterPrefix}*/*`;
    const keyUse = (useSid: string, grantSid: string, actions: string[], keys: string | string[]): PolicyStatement[] =>
      keyUseThroughRedshift({ use: useSid, grant: grantSid }, actions, keys, props.region, p);
    const sourceSnapshots = props.sources.flatMap((s) =>
      s.clusterIdentifiers.map((c) => `arn:${p}:redshift:${props.region}:${s.accountId}:snapshot:${c}/*`),
    );
    const sourceKeys = [...new Set(props.sources.flatMap((s) => s.kmsKeyArns))];

    const statements: PolicyStatement[] = [
      {
        Sid: "SeeClustersAndSnapshots",
        Effect: "Allow",
        // WILDCARD: these list across clusters and across snapshots other accounts own. The Service Authorization
        // Reference gives DescribeClusterSnapshots and DescribeClusters only an optional cluster resource (of this
        // account) and DescribeClusterSubnetGroups none. They change nothing.
        Action: ["redshift:DescribeClusterSnapshots", "redshift:DescribeClusters", "redshift:DescribeClusterSubnetGroups"],
        Resource: "*",
      },
      {
        Sid: "RestoreSharedSnapshots",
        Effect: "Allow",
        Action: "redshift:RestoreFromClusterSnapshot",
        Resource: [...sourceSnapshots, ...(props.ownSnapshotArns ?? []), restored],
      },
      {
        Sid: "ManageRestoredClusters",
        Effect: "Allow",
        Action: ["redshift:DeleteCluster", "redshift:CreateTags", "redshift:ModifyCluster"],
        Resource: restored,
      },
      {
        // DeleteCluster with a final snapshot also authorizes redshift:CreateClusterSnapshot (snapshot required,
        // cluster optional), so removing a restored cluster can keep its data.
        Sid: "FinalSnapshotsOfRestoredClusters",
        Effect: "Allow",
        Action: "redshift:CreateClusterSnapshot",
        Resource: [restored, restoredSnapshots],
      },
      // The shared snapshot's key, read through Redshift while it restores. Nothing here encrypts with it: the
      // restored cluster is re-encrypted with the DR key.
      ...keyUse("ReadSourceKeysThroughRedshift", "LetRedshiftUseSourceKeys", ["kms:Decrypt", "kms:DescribeKey"], sourceKeys),
      // What the Redshift Management Guide lists for a cluster encrypted with a customer managed key.
      ...keyUse(
        "EncryptRestoredClustersWithDrKey",
        "LetRedshiftUseDrKey",
        ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey"],
        props.drKmsKeyArn,
      ),
      {
        // WILDCARD: EC2 Describe* calls take no resource. Read-only: the restore finds the DR stack's closed restore
        // security group by name in the subnet group's VPC, so a restored cluster is not left in the default group.
        Sid: "FindRestoreSecurityGroup",
        Effect: "Allow",
        Action: "ec2:DescribeSecurityGroups",
        Resource: "*",
      },
      {
        // Metadata only (no cryptographic use): lets the CLI resolve the DR key's alias to the ARN it restores with.
        Sid: "DescribeDrKey",
        Effect: "Allow",
        Action: "kms:DescribeKey",
        Resource: props.drKmsKeyArn,
      },
      ...(props.backupVault ? vaultCopyStatements(p, props.region, props.accountId, props.backupVault, keyUse) : []),
      {
        // Redshift creates its service-linked role with the first cluster of an account, as the caller; this is
        // the statement the Redshift Management Guide gives for that, and nothing else of IAM.
        Sid: "CreateRedshiftServiceLinkedRole",
        Effect: "Allow",
        Action: "iam:CreateServiceLinkedRole",
        Resource: redshiftServiceLinkedRoleArn(p, props.accountId),
        Condition: { StringLike: { "iam:AWSServiceName": REDSHIFT_SERVICE_PRINCIPAL } },
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

/** Listing the DR vault and restoring its copies: the copies are this account's snapshots under the vault's key. */
function vaultCopyStatements(
  p: string,
  region: string,
  accountId: string,
  vault: NonNullable<RestoreOperatorRoleProps["backupVault"]>,
  keyUseThroughRedshift: (useSid: string, grantSid: string, actions: string[], keys: string | string[]) => PolicyStatement[],
): PolicyStatement[] {
  return [
    { Sid: "ListDrVaultRecoveryPoints", Effect: "Allow", Action: "backup:ListRecoveryPointsByBackupVault", Resource: vault.vaultArn },
    {
      Sid: "RestoreVaultCopies",
      Effect: "Allow",
      Action: "redshift:RestoreFromClusterSnapshot",
      Resource: vault.clusterIdentifiers.map((c) => `arn:${p}:redshift:${region}:${accountId}:snapshot:${c}/awsbackup:*`),
    },
    ...keyUseThroughRedshift("ReadVaultKeyThroughRedshift", "LetRedshiftUseVaultKey", ["kms:Decrypt", "kms:DescribeKey"], vault.kmsKeyArn),
  ];
}
