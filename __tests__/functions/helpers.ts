/** Builders shared by the function tests. */
import type { Snapshot } from "@aws-sdk/client-redshift";
import { memoryLogger, type MemoryLogger } from "../../functions/lib/runtime";
import { snapshotManagerSettings, type SnapshotManagerSettings } from "../../functions/lib/settings";

export const MANAGED_BY = "rsdr-test";
export const DR1 = "222222222222";
export const DR2 = "333333333333";
export const SOURCE = "111111111111";
export const TOPIC = "arn:aws:sns:eu-west-1:111111111111:rsdr-alerts";

export function settings(over: Partial<SnapshotManagerSettings> = {}): SnapshotManagerSettings {
  return snapshotManagerSettings({
    clusterIdentifiers: ["sales-prod"],
    drAccountIds: [DR1],
    windowMinutes: 720,
    retentionDays: 7,
    keepLatest: 3,
    shareLatest: 3,
    snapshotPrefix: "rsdr",
    managedBy: MANAGED_BY,
    alertTopicArn: TOPIC,
    metricNamespace: "RedshiftDR",
    // fast waiter polling for tests that wait (the budget is what bounds the real time spent)
    waiter: { minDelaySeconds: 0.02, maxDelaySeconds: 0.05 },
    ...over,
  });
}

/** A complete snapshot-manager environment (the Lambda's variables), without COPY_REGION. */
export const MANAGER_ENV = {
  CLUSTER_IDENTIFIERS: "c-one,c-two,c-three",
  DR_ACCOUNT_IDS: `${DR1},${DR2}`,
  WINDOW_MINUTES: "720",
  RETENTION_DAYS: "7",
  KEEP_LATEST: "3",
  SHARE_LATEST: "2",
  SNAPSHOT_PREFIX: "rsdr",
  MANAGED_BY,
  ALERT_TOPIC_ARN: TOPIC,
  METRIC_NAMESPACE: "RedshiftDR",
};

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

/** A snapshot as our snapshot manager tags it. */
export function ours(
  id: string,
  createdAt: Date,
  opts: { cluster?: string; status?: string; accounts?: string[]; managedBy?: string } = {},
): Snapshot {
  const cluster = opts.cluster ?? "sales-prod";
  return {
    SnapshotIdentifier: id,
    ClusterIdentifier: cluster,
    SnapshotType: "manual",
    Status: opts.status ?? "available",
    SnapshotCreateTime: createdAt,
    OwnerAccount: SOURCE,
    AccountsWithRestoreAccess: (opts.accounts ?? []).map((AccountId) => ({ AccountId })),
    Tags: [
      { Key: "managed-by", Value: opts.managedBy ?? MANAGED_BY },
      { Key: "rsdr:cluster", Value: cluster },
      { Key: "rsdr:window", Value: createdAt.toISOString() },
      { Key: "rsdr:targets", Value: DR1 },
    ],
  };
}

export interface TestDeps {
  log: MemoryLogger;
}

export function testRuntime(): TestDeps {
  return { log: memoryLogger() };
}

/** The CloudWatch embedded-metric-format documents among the lines written to stdout. */
export function emfDocuments(stdout: string[]): any[] {
  return stdout
    .flatMap((s) => s.split("\n"))
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter((d) => "_aws" in d);
}
