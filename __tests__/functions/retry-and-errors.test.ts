import { ClusterSnapshotQuotaExceededFault, RedshiftServiceException } from "@aws-sdk/client-redshift";
import { classifyError, ReconcileError } from "../../functions/lib/errors";
import { clustersNamedIn, parseTrigger } from "../../functions/lib/events";
import { backoffDelayMs, isRetryable, withRetry, type RetryPolicy } from "../../functions/lib/retry";

const err = (name: string, status?: number) => Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status } });

describe("error kinds", () => {
  it.each(["ThrottlingException", "Throttling", "RequestLimitExceeded", "TooManyRequestsException"])("%s is throttling and retried", (name) => {
    expect(classifyError(err(name)).kind).toBe("throttling");
    expect(isRetryable(err(name))).toBe(true);
  });

  it("any HTTP 429 is throttling; 5xx is transient; both retried", () => {
    expect(classifyError(err("SomethingNew", 429)).kind).toBe("throttling");
    expect(classifyError(err("SomethingElse", 503)).kind).toBe("transient");
    expect(isRetryable(err("SomethingElse", 503))).toBe(true);
  });

  it("501 Not Implemented is not retried: the operation will not appear on a retry", () => {
    expect(classifyError(err("NotImplemented", 501)).kind).toBe("other");
    expect(isRetryable(err("NotImplemented", 501))).toBe(false);
  });

  it("quota errors name the quota; other errors are not retried", () => {
    const quota = classifyError(new ClusterSnapshotQuotaExceededFault({ message: "too many", $metadata: {} }));
    expect(quota).toMatchObject({ kind: "quota", code: "ClusterSnapshotQuotaExceeded", quota: expect.stringContaining("manual snapshots") });
    expect(isRetryable(new ClusterSnapshotQuotaExceededFault({ message: "too many", $metadata: {} }))).toBe(false);
    expect(classifyError(new RedshiftServiceException({ name: "ClusterNotFoundFault", $fault: "client", $metadata: {} })).kind).toBe("cluster-not-found");
    expect(classifyError(new ReconcileError("share-limit", "x", "q"))).toMatchObject({ kind: "share-limit", quota: "q" });
    expect(classifyError(new Error("plain")).kind).toBe("other");
  });
});

describe("retry policy", () => {
  const policy: RetryPolicy = { maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 500 };

  it("backs off exponentially with full jitter, capped", () => {
    expect([1, 2, 3, 4, 5].map((n) => backoffDelayMs(n, policy, () => 0.999999))).toEqual([99, 199, 399, 499, 499]);
    expect(backoffDelayMs(3, policy, () => 0)).toBe(0);
  });

  it("retries throttling until success, sleeping between attempts", async () => {
    const sleep = jest.fn(async () => undefined);
    let calls = 0;
    const value = await withRetry("op", { policy, sleep, random: () => 0.5 }, async () => {
      if (++calls < 3) throw err("Throttling");
      return "ok";
    });
    expect(value).toBe("ok");
    expect(sleep.mock.calls).toEqual([[50], [100]]);
  });

  it("stops after maxAttempts and rethrows the last error; never retries other errors", async () => {
    const sleep = jest.fn(async () => undefined);
    const always = jest.fn(async () => {
      throw err("ThrottlingException");
    });
    await expect(withRetry("op", { policy, sleep }, always)).rejects.toThrow("ThrottlingException");
    expect(always).toHaveBeenCalledTimes(5);
    const denied = jest.fn(async () => {
      throw err("AccessDenied");
    });
    await expect(withRetry("op", { policy, sleep }, denied)).rejects.toThrow("AccessDenied");
    expect(denied).toHaveBeenCalledTimes(1);
  });
});

describe("triggers", () => {
  const config = { snapshotPrefix: "rsdr", clusterIdentifiers: ["sales", "sales-prod", "hr"] };

  it("the schedule payload runs every cluster with creation", () => {
    expect(parseTrigger({ trigger: "schedule" }, config)).toEqual({ kind: "schedule", createSnapshots: true, clusterIdentifiers: ["sales", "sales-prod", "hr"] });
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
  });
});
