import { Construct } from "constructs";
import { TerraformOutput } from "cdktf";
import type { Estate } from "../config/estate";
import { AccountStack } from "./account-stack";
import { remoteState, stackTags } from "./common";
import { logsKeyStatement, ManagedKey } from "./constructs/kms-key";
import { RedshiftNetwork } from "./constructs/network";
import { RestoreOperatorRole } from "./constructs/restore-operator-role";
import { DR_STACK, drPrefix, restoredClusterPrefix } from "./names";
import type { SourceStack } from "./source-stack";

/**
 * The DR account: its own key for restored clusters, the restore network, and the operator role.
 * Source key and cluster ARNs come from the source stacks' state (cdktf cross-stack references),
 * so the DR stack deploys after them.
 */
export class DrStack extends AccountStack {
  public readonly dataKey: ManagedKey;
  public readonly network: RedshiftNetwork;
  public readonly operatorRole: RestoreOperatorRole;

  constructor(scope: Construct, estate: Estate, sources: readonly SourceStack[]) {
    super(scope, DR_STACK, { target: estate.dr, tags: stackTags(estate, DR_STACK), remoteState: remoteState(estate, DR_STACK) });
    const prefix = drPrefix(estate);

    this.dataKey = new ManagedKey(this, "data-key", {
      alias: `${prefix}-redshift`,
      description: `Encrypts Redshift clusters restored in the DR account of ${estate.project}`,
      accountId: this.accountId,
    });
    const operationsKey = new ManagedKey(this, "operations-key", {
      alias: `${prefix}-operations`,
      description: `Encrypts logs and messages of the DR account of ${estate.project}`,
      accountId: this.accountId,
      serviceStatements: [logsKeyStatement(this.partition, this.region, this.accountId)],
    });

    this.network = new RedshiftNetwork(this, "network", {
      name: prefix,
      create: estate.dr.network.create && { ...estate.dr.network.create, flowLogKmsKeyArn: operationsKey.arn },
      existing: estate.dr.network.existing,
    });

    this.operatorRole = new RestoreOperatorRole(this, "restore-operator", {
      roleName: `${prefix}-restore-operator`,
      region: this.region,
      accountId: this.accountId,
      trustedPrincipals: estate.dr.operatorPrincipals,
      restoredClusterPrefix: restoredClusterPrefix(estate),
      drKmsKeyArn: this.dataKey.arn,
      sources: sources.map((s) => ({
        accountId: s.accountId,
        clusterIdentifiers: s.clusters.map((c) => c.identifier),
        kmsKeyArns: [...new Set(s.clusters.map((c) => c.kmsKeyArn))],
      })),
    });

    new TerraformOutput(this, "kms_key_arn", { value: this.dataKey.arn, description: "Key for clusters restored in the DR account" });
    new TerraformOutput(this, "restore_subnet_group_name", { value: this.network.subnetGroupName });
    new TerraformOutput(this, "restore_security_group_id", { value: this.network.securityGroupId });
    new TerraformOutput(this, "restore_operator_role_arn", { value: this.operatorRole.arn });
    new TerraformOutput(this, "protected_cluster_arns", {
      value: sources.flatMap((s) => s.clusters.map((c) => c.arn)),
      description: "Source clusters whose snapshots this account can restore (read from the source stacks' state)",
    });
  }
}
