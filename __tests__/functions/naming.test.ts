import { identifierProblem, windowStamp } from "../../contract";
import { windowSnapshotId, windowStart } from "../../functions/lib/naming";

describe("schedule windows and snapshot ids", () => {
  it("floors to the window start in UTC", () => {
    const at = new Date("2026-11-26T17:59:59.999Z");
    expect(windowStart(at, 720).toISOString()).toBe("2026-11-26T12:00:00.000Z");
    expect(windowStart(new Date("2026-11-26T12:00:00.000Z"), 720).toISOString()).toBe("2026-11-26T12:00:00.000Z");
    expect(windowStart(new Date("2026-11-26T11:59:59.000Z"), 720).toISOString()).toBe("2026-11-26T00:00:00.000Z");
    // 90-minute windows count from the epoch, not from midnight
    expect(windowStart(new Date("2026-11-26T01:10:00Z"), 90).toISOString()).toBe(
      new Date(Math.floor(Date.parse("2026-11-26T01:10:00Z") / 60000 / 90) * 90 * 60000).toISOString(),
    );
  });

  it("formats the id exactly as prefix-cluster-YYYYMMDDtHHMMz", () => {
    const start = new Date("2026-11-26T12:00:00Z");
    expect(windowStamp(start)).toBe("20261126t1200z");
    expect(windowSnapshotId("rsdr", "sales-prod", start)).toBe("rsdr-sales-prod-20261126t1200z");
    expect(windowSnapshotId("rsdr", "a", new Date("2027-01-05T03:07:00Z"))).toBe("rsdr-a-20270105t0307z");
  });

  it("gives the same id for every instant of one window (repeated runs collide instead of duplicating)", () => {
    const ids = ["2026-11-26T12:00:00Z", "2026-11-26T15:30:00Z", "2026-11-26T23:59:59Z"].map((t) =>
      windowSnapshotId("rsdr", "c1", windowStart(new Date(t), 720)),
    );
    expect(new Set(ids)).toEqual(new Set(["rsdr-c1-20261126t1200z"]));
  });

  it("refuses a prefix + cluster that is not a valid Redshift snapshot id, saying why", () => {
    const start = new Date("2026-11-26T12:00:00Z");
    expect(() => windowSnapshotId("rsdr-", "c1", start)).toThrow(/two consecutive hyphens/);
    expect(() => windowSnapshotId("1rsdr", "c1", start)).toThrow(/start with a lowercase letter/);
    expect(() => windowSnapshotId("RSDR", "c1", start)).toThrow(/start with a lowercase letter/);
    expect(() => windowSnapshotId("rsdr", "Prod_DB", start)).toThrow(/lowercase letters, digits and hyphens/);
    expect(() => windowSnapshotId("p".repeat(200), "c".repeat(50), start)).toThrow(/characters long, the maximum is 255/);
    // 255 exactly is fine
    const prefix = "p".repeat(255 - "-c-20261126t1200z".length);
    expect(windowSnapshotId(prefix, "c", start)).toHaveLength(255);
  });

  it("checks identifiers by the Redshift rules", () => {
    expect(identifierProblem("ok-id-1", 63)).toBeNull();
    expect(identifierProblem("", 63)).toMatch(/empty/);
    expect(identifierProblem("ends-", 63)).toMatch(/end with a hyphen/);
    expect(identifierProblem("a".repeat(64), 63)).toMatch(/maximum is 63/);
  });
});
