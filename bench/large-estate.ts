// Builds a large estate config for benchmarks: `sources` accounts with `clustersPerSource` each.
import type { EstateInput } from "../config/estate";

export function largeEstate(sources: number, clustersPerSource: number): EstateInput {
  const account = (n: number) => String(200000000000 + n);
  return {
    project: "bench",
    tags: { purpose: "benchmark" },
    state: { accountId: "100000000000", region: "eu-west-2", deployRoleArn: "arn:aws:iam::100000000000:role/deploy", bucket: "bench-tfstate" },
    dr: {
      accountId: "999999999999",
      region: "eu-west-2",
      deployRoleArn: "arn:aws:iam::999999999999:role/deploy",
      network: { create: { cidr: "10.255.0.0/16" } },
      operatorPrincipals: ["arn:aws:iam::999999999999:role/dr-operators"],
    },
    sources: Array.from({ length: sources }, (_, s) => ({
      name: `src${s}`,
      accountId: account(s),
      region: "eu-west-2",
      // Five clusters keep up to 80 manual snapshots: more than the default quota of 20 per account and region.
      manualSnapshotQuota: 100,
      deployRoleArn: `arn:aws:iam::${account(s)}:role/deploy`,
      network: { create: { cidr: `10.${s}.0.0/16` } },
      clusters: Array.from({ length: clustersPerSource }, (_, c) =>
        c % 5 === 4
          ? { identifier: `s${s}-legacy-${c}`, existing: true as const, kmsKeyArn: `arn:aws:kms:eu-west-2:${account(s)}:key/00000000-0000-0000-0000-${String(c).padStart(12, "0")}` }
          : { identifier: `s${s}-cluster-${c}`, create: { nodeType: "ra3.xlplus", numberOfNodes: 2, databaseName: "dw" } },
      ),
    })),
  };
}
