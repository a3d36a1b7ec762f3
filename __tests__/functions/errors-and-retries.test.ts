// What an AWS error means for the work (errors.ts), and retries, which are the SDK's: these tests send real
// RedshiftClient requests through the SDK's middleware, retry strategy included, to the in-memory MOCK of
// Redshift (testing/fake-redshift.ts), which answers in place of the HTTP call.
import { ClusterSnapshotQuotaExceededFault, RedshiftClient, RedshiftServiceException } from "@aws-sdk/client-redshift";
import { SNSClient } from "@aws-sdk/client-sns";
import { classifyError, ReconcileError } from "../../functions/lib/errors";
import { clustersNamedIn, parseTrigger } from "../../functions/lib/events";
import { AWS_CLIENT_CONFIG } from "../../functions/lib/lambda";
import { ownershipTags } from "../../functions/lib/ownership";
import { reconcile } from "../../functions/lib/reconcile";
import { memoryLogger } from "../../functions/lib/runtime";
import { awsError, throttlingError } from "../../testing/aws-errors";
import { FAKE_CLIENT_MAX_ATTEMPTS, FakeRedshift } from "../../testing/fake-redshift";
import { ManualClock } from "../../testing/manual-clock";
import { DR1, HOUR, MANAGED_BY, settings, SOURCE } from "./helpers";

const err = (name: string, status?: number) => Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status } });

describe("error kinds", () => {
  it.each(["ThrottlingException", "Throttling", "RequestLimitExceeded", "TooManyRequestsException"])("%s is throttling", (name) => {
    expect(classifyError(err(name)).kind).toBe("throttling");
  });

  it("any HTTP 429 is throttling; 503 is transient; 501 Not Implemented is neither (it will not start working)", () => {
    expect(classifyError(err("SomethingNew", 429)).kind).toBe("throttling");
    expect(classifyError(err("SomethingElse", 503)).kind).toBe("transient");
    expect(classifyError(err("NotImplemented", 501)).kind).toBe("other");
  });

  it("quota errors name the quota; Redshift's LimitExceededFault (a KMS key's share limit) is a quota, not throttling", () => {
    const quota = classifyError(new ClusterSnapshotQuotaExceededFault({ message: "too many", $metadata: {} }));
    expect(quota).toMatchObject({ kind: "quota", code: "ClusterSnapshotQuotaExceeded", quota: expect.stringContaining("manual snapshots") });
    expect(classifyError(awsError("LimitExceededFault", "The encryption key has exceeded its grant limit in AWS KMS."))).toMatchObject({
      kind: "quota",
      quota: expect.stringContaining("share authorizations per KMS key (100)"),
    });
    expect(classifyError(new RedshiftServiceException({ name: "ClusterNotFoundFault", $fault: "client", $metadata: {} })).kind).toBe("cluster-not-found");
    expect(classifyError(new ReconcileError("share-limit", "x", "q"))).toMatchObject({ kind: "share-limit", quota: "q" });
    expect(classifyError(new Error("plain")).kind).toBe("other");
  });
});

describe("retries are the SDK's (real client middleware against the in-memory MOCK of Redshift)", () => {
  const NOW = new Date("2026-11-26T12:05:00Z");

  function world(snapshots = 0) {
    const clock = new ManualClock(NOW);
    const fake = new FakeRedshift({ clock, ownerAccountId: SOURCE }).addCluster("sales-prod");
    for (let i = 1; i <= snapshots; i++) {
      const start = new Date(NOW.getTime() - (i * 12 + 1) * HOUR);
      fake.seed({
        id: `rsdr-sales-prod-${String(100 + i)}`.replace(/-(\d+)$/, (_, n) => `-2026${String(n).padStart(4, "0")}t0000z`),
        cluster: "sales-prod",
        createdAt: start,
        tags: ownershipTags({ managedBy: MANAGED_BY, clusterIdentifier: "sales-prod", windowStart: start, drAccountIds: [DR1] }),
      });
    }
    const run = () =>
      reconcile({ redshift: fake.client(), sns: new SNSClient({ region: "eu-west-1" }), clock, log: memoryLogger() }, settings({ retentionDays: 3653 }));
    return { fake, run };
  }

  it("a throttled second page is asked again by the SDK, with the same marker; the first page is not read twice", async () => {
    const { fake, run } = world(150);
    fake.failNext("DescribeClusterSnapshots", throttlingError, 2, 1);
    const report = await run();
    expect(report.failedClusters).toEqual([]);
    const markers = fake.log.filter((l) => l.command === "DescribeClusterSnapshots").map((l) => l.input.Marker);
    expect(markers).toEqual([undefined, "m100", "m100", "m100"]);
  });

  it("a throttled share is retried and succeeds", async () => {
    const { fake, run } = world(3);
    fake.failNext("AuthorizeSnapshotAccess", throttlingError, 1);
    const report = await run();
    expect(report.clusters[0].failed).toBe(false);
    expect(report.clusters[0].shared).toHaveLength(3);
    expect(fake.calls.AuthorizeSnapshotAccess).toBe(4);
  });

  it(`gives up after ${FAKE_CLIENT_MAX_ATTEMPTS} attempts and reports the cluster as throttled, with the attempts made`, async () => {
    const { fake, run } = world(1);
    fake.failNext("DescribeClusterSnapshots", throttlingError, 100);
    const report = await run();
    expect(fake.calls.DescribeClusterSnapshots).toBe(FAKE_CLIENT_MAX_ATTEMPTS);
    expect(report.clusters[0]).toMatchObject({ failed: true, errors: [{ step: "list", kind: "throttling", attempts: FAKE_CLIENT_MAX_ATTEMPTS }] });
    expect(fake.calls.CreateClusterSnapshot).toBeUndefined();
  });

  it("501 Not Implemented is not retried", async () => {
    const { fake, run } = world(1);
    fake.failNext("AuthorizeSnapshotAccess", () => awsError("NotImplemented", "not implemented", 501), 100);
    const report = await run();
    expect(fake.calls.AuthorizeSnapshotAccess).toBe(1);
    expect(report.clusters[0].errors).toEqual([expect.objectContaining({ step: "share", code: "NotImplemented", attempts: 1 })]);
  });

  it("the Lambda clients use the SDK's adaptive retry strategy, with as many attempts as the test clients", async () => {
    const client = new RedshiftClient({ ...AWS_CLIENT_CONFIG, region: "eu-west-1" });
    const strategy = (await client.config.retryStrategy()) as { mode?: string; maxAttemptsProvider?: () => Promise<number> };
    expect(strategy.mode).toBe("adaptive");
    expect(await strategy.maxAttemptsProvider!()).toBe(FAKE_CLIENT_MAX_ATTEMPTS);
  });
});

describe("triggers", () => {
  const config = { snapshotPrefix: "rsdr", clusterIdentifiers: ["sales", "sales-prod", "hr"] };

  it("the schedule payload runs every cluster with creation", () => {
    expect(parseTrigger({ trigger: "schedule" }, config)).toEqual({ kind: "schedule", createSnapshots: true, clusterIdentifiers: ["sales", "sales-prod", "hr"] });
  });

  it("the copy-share schedule runs every cluster without creating snapshots", () => {
    expect(parseTrigger({ trigger: "share" }, config)).toEqual({ kind: "share-schedule", createSnapshots: false, clusterIdentifiers: ["sales", "sales-prod", "hr"] });
  });

  it("a snapshot event runs only the clusters whose snapshot it names, exactly (sales is not sales-prod)", () => {
    expect(clustersNamedIn("Manual snapshot rsdr-sales-prod-20261126t1200z created", "rsdr", config.clusterIdentifiers)).toEqual(["sales-prod"]);
    const t = parseTrigger({ Records: [{ Sns: { Message: '{"Source ID":"rsdr-sales-20261126t1200z"}' } }, { Sns: { Message: "rsdr-hr-20261126t0000z" } }] }, config);
    expect(t).toEqual({ kind: "snapshot-event", createSnapshots: false, clusterIdentifiers: ["sales", "hr"] });
  });

  it("refuses anything else", () => {
    expect(() => parseTrigger({}, config)).toThrow(/unsupported event/);
    expect(() => parseTrigger({ trigger: "now" }, config)).toThrow(/unsupported event/);
    expect(() => parseTrigger(null, config)).toThrow(/unsupported event/);
    expect(() => parseTrigger({ Records: [] }, config)).toThrow(/unsupported event/);
    expect(() => parseTrigger({ Records: [{ Sns: { Message: 42 } }] }, config)).toThrow(/unsupported event/);
  });
});
