import { Construct } from "constructs";
import type { TerraformProvider } from "cdktf";
import { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { accountRoot, policyDocument, PolicyConditions, PolicyStatement } from "./iam";
import { ACCOUNT_ID } from "../../contract";
import { PropChecks } from "./validation";

export interface ManagedKeyProps {
  /** Alias without the `alias/` prefix. */
  readonly alias: string;
  /** Description of the key. */
  readonly description: string;
  /** The key's account: its root administers the key. */
  readonly accountId: string;
  /** Partition of the ARNs. @default "aws" */
  readonly partition?: string;
  /**
   * Accounts that may restore, from another account, what this key encrypts (shared Redshift
   * snapshots). They get exactly kms:Decrypt and kms:DescribeKey, and kms:CreateGrant only for AWS
   * services acting for them (kms:GrantIsForAWSResource).
   * @default none
   */
  readonly crossAccountRestoreAccountIds?: readonly string[];
  /**
   * Services through which the cross-account grantees may use the key (kms:ViaService), e.g.
   * `redshift.<region>.amazonaws.com`: a restore works, direct use of the key from the other account does not.
   * @default no condition (any use the grantee's own IAM allows)
   */
  readonly crossAccountViaServices?: readonly string[];
  /** Further statements, e.g. for AWS services that encrypt logs or messages with this key. @default none */
  readonly serviceStatements?: readonly PolicyStatement[];
  /** Days between a scheduled deletion and the key's deletion (7-30). @default 30 */
  readonly deletionWindowDays?: number;
  /** The provider (account and region) the key is made with, e.g. one for another region. @default the stack's default provider */
  readonly provider?: TerraformProvider;
}

/** A customer-managed KMS key with rotation on, an alias, and an explicit key policy. */
export class ManagedKey extends Construct {
  public readonly key: KmsKey;
  public readonly arn: string;
  public readonly aliasName: string;

  constructor(scope: Construct, id: string, props: ManagedKeyProps) {
    super(scope, id);
    const check = new PropChecks("ManagedKey", this);
    check.pattern("alias", props.alias, /^(?!aws\/)[A-Za-z0-9/_-]{1,250}$/, "1-250 letters, digits and / _ -, not starting with aws/ (without the alias/ prefix)");
    check.pattern("accountId", props.accountId, ACCOUNT_ID, "a 12-digit AWS account id");
    (props.crossAccountRestoreAccountIds ?? []).forEach((a, i) => {
      check.pattern(`crossAccountRestoreAccountIds[${i}]`, a, ACCOUNT_ID, "a 12-digit AWS account id");
      if (a === props.accountId) check.fail(`crossAccountRestoreAccountIds[${i}]`, a, "an account other than the key's own");
    });
    (props.crossAccountViaServices ?? []).forEach((v, i) =>
      check.pattern(`crossAccountViaServices[${i}]`, v, /^[a-z0-9-]+\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$/, "a service endpoint like redshift.eu-west-2.amazonaws.com"),
    );
    check.intRange("deletionWindowDays", props.deletionWindowDays, 7, 30);
    const partition = props.partition ?? "aws";
    const statements: PolicyStatement[] = [
      {
        // The account root must keep full control, or the key becomes unmanageable; IAM policies
        // in the account then decide who administers it. This is the only kms:* in the policy.
        Sid: "AccountAdministers",
        Effect: "Allow",
        Principal: { AWS: accountRoot(partition, props.accountId) },
        Action: "kms:*",
        Resource: "*",
      },
    ];
    const grantees = props.crossAccountRestoreAccountIds ?? [];
    if (grantees.length > 0) {
      // The account roots, not roles: source stacks deploy before the DR stack, and a key policy
      // naming a role that does not exist yet is refused. The DR account's IAM narrows it further.
      const principal = { AWS: grantees.map((a) => accountRoot(partition, a)) };
      const via = props.crossAccountViaServices ?? [];
      const viaCondition: PolicyConditions = via.length > 0 ? { StringEquals: { "kms:ViaService": [...via] } } : {};
      statements.push(
        {
          Sid: "CrossAccountRestoreUse",
          Effect: "Allow",
          Principal: principal,
          Action: ["kms:Decrypt", "kms:DescribeKey"],
          Resource: "*",
          ...(via.length > 0 ? { Condition: viaCondition } : {}),
        },
        {
          Sid: "CrossAccountRestoreGrants",
          Effect: "Allow",
          Principal: principal,
          Action: "kms:CreateGrant",
          Resource: "*",
          Condition: { ...viaCondition, Bool: { "kms:GrantIsForAWSResource": "true" } },
        },
      );
    }
    statements.push(...(props.serviceStatements ?? []));

    this.key = new KmsKey(this, "key", {
      description: props.description,
      enableKeyRotation: true,
      deletionWindowInDays: props.deletionWindowDays ?? 30,
      policy: policyDocument(statements),
      ...(props.provider ? { provider: props.provider } : {}),
    });
    this.arn = this.key.arn;
    this.aliasName = `alias/${props.alias}`;
    new KmsAlias(this, "alias", { name: this.aliasName, targetKeyId: this.key.keyId, ...(props.provider ? { provider: props.provider } : {}) });
  }
}
