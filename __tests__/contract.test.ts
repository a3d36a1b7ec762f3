// The contract between the stacks and the functions (contract/): what a construct writes, the function reads.
import { clusterIdentifierProblem, CLUSTER_IDENTIFIER, COMMON_ENV, METRIC_DIMENSIONS } from "../contract";
import { drMonitorSettingsFromEnv, snapshotManagerSettingsFromEnv } from "../functions/lib/environment";
import { clusterMetricPoints } from "../functions/lib/report";
import { DrSnapshotMonitor } from "../stacks/constructs/dr-snapshot-monitor";
import { SnapshotAutomation } from "../stacks/constructs/snapshot-automation";
import { AUTOMATION_PROPS, DR_ACCOUNT, KMS_KEY, REGION, synth, type Synthesized } from "./constructs/fixtures/nodejs-function-helpers";

/** The function's environment as synthesized, with the tokens a deploy fills in replaced by sample values. */
function deployedEnvironment(s: Synthesized): Record<string, string> {
  const vars = (s.resource("aws_lambda_function").environment as { variables: Record<string, string> }).variables;
  return {
    ...vars,
    [COMMON_ENV.alertTopicArn]: `arn:aws:sns:${REGION}:${DR_ACCOUNT}:alerts`,
  };
}

describe("the contract between stacks and functions", () => {
  it("the cluster identifier rule is the same as one regular expression (config, JSON Schema) and as a function (runtime)", () => {
    // mulberry32: a small seeded generator, so that the samples are the same on every run
    let seed = 7;
    const next = () => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
    };
    const alphabet = "abcab-12-Z_";
    const samples = ["a", "a-b", "a--b", "a-", "-a", "1a", "A", "", "a".repeat(63), "a".repeat(64)];
    for (let i = 0; i < 3000; i++) {
      samples.push(Array.from({ length: Math.floor(next() * 9) }, () => alphabet[Math.floor(next() * alphabet.length)]).join(""));
    }
    const disagreements = samples.filter((id) => CLUSTER_IDENTIFIER.test(id) !== (clusterIdentifierProblem(id) === null));
    expect(disagreements).toEqual([]);
    expect(samples.filter((id) => CLUSTER_IDENTIFIER.test(id)).length).toBeGreaterThan(100); // both kinds were tried
  });

  it("the snapshot manager reads back exactly the settings SnapshotAutomation wrote into its environment", () => {
    const props = { ...AUTOMATION_PROPS, shareLatest: 4, dryRun: true, waitMarginSeconds: 30, snapshotPrefix: "bank", managedBy: "bank" };
    const env = deployedEnvironment(synth((stack) => new SnapshotAutomation(stack, "automation", props)));
    expect(snapshotManagerSettingsFromEnv(env)).toMatchObject({
      clusterIdentifiers: props.clusterIdentifiers,
      drAccountIds: props.drAccountIds,
      windowMinutes: props.windowMinutes,
      retentionDays: props.retentionDays,
      keepLatest: props.keepLatest,
      shareLatest: 4,
      snapshotPrefix: "bank",
      managedBy: "bank",
      dryRun: true,
      waitMarginSeconds: 30,
      metricNamespace: "RedshiftDR",
    });
  });

  it("the DR monitor reads back exactly the sources DrSnapshotMonitor wrote into its environment", () => {
    const sources = [
      { accountId: "111111111111", clusterIdentifiers: ["sales", "finance-dw"], rpoHours: 8 },
      { accountId: "333333333333", clusterIdentifiers: ["hr"], rpoHours: 26 },
    ];
    const s = synth((stack) => new DrSnapshotMonitor(stack, "monitor", { accountId: DR_ACCOUNT, region: REGION, partition: "aws", namePrefix: "prod", sources, kmsKeyArn: KMS_KEY }));
    expect(drMonitorSettingsFromEnv(deployedEnvironment(s))).toEqual({
      sources: [
        { accountId: "111111111111", clusters: ["sales", "finance-dw"] },
        { accountId: "333333333333", clusters: ["hr"] },
      ],
      snapshotPrefix: "rsdr",
      managedBy: "rsdr",
      metricNamespace: "RedshiftDR",
      alertTopicArn: `arn:aws:sns:${REGION}:${DR_ACCOUNT}:alerts`,
    });
  });

  it("every per-cluster alarm selects a metric the snapshot manager writes, with exactly its dimensions", () => {
    const s = synth((stack) => new SnapshotAutomation(stack, "automation", AUTOMATION_PROPS));
    const written = clusterMetricPoints({
      clusterIdentifier: "sales",
      created: ["x"],
      shared: [],
      unshared: [],
      revoked: [],
      deleted: [],
      failed: false,
      errors: [],
      newestSharedSnapshotAgeHours: 1,
    } as never).map((p) => `${p.name} ${JSON.stringify(p.dimensions)}`);
    const alarms = Object.values(s.resources("aws_cloudwatch_metric_alarm")).filter((a) => a.namespace === "RedshiftDR");
    expect(alarms.length).toBe(2 * AUTOMATION_PROPS.clusterIdentifiers.length);
    const selected = alarms
      .filter((a) => (a.dimensions as Record<string, string>)[METRIC_DIMENSIONS.cluster] === "sales")
      .map((a) => `${String(a.metric_name)} ${JSON.stringify(a.dimensions)}`);
    expect(selected.length).toBe(2);
    for (const alarm of selected) expect(written).toContain(alarm);
  });
});
