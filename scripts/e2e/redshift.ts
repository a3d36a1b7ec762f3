// Redshift test data the emulator tests create directly in moto (not through the stacks).
import { CreateClusterCommand, type RedshiftClient } from "@aws-sdk/client-redshift";

/** A two-node cluster with a fixed test password, as the example's source cluster is shaped. */
export async function createEmulatorCluster(c: RedshiftClient, clusterIdentifier: string): Promise<void> {
  await c.send(
    new CreateClusterCommand({
      ClusterIdentifier: clusterIdentifier,
      NodeType: "ra3.xlplus",
      ClusterType: "multi-node",
      NumberOfNodes: 2,
      MasterUsername: "admin",
      MasterUserPassword: "Example-Passw0rd",
    }),
  );
}
