import type { DrillTarget } from "../../contract";
import { validationSql } from "../../functions/lib/drill";
import { drillSettingsFromEnv, TABLE_NAME } from "../../functions/lib/drill-settings";
import { SettingsError } from "../../functions/lib/settings";
import { CLUSTER, DR, DR_KEY, SRC } from "../fixtures/restore-points";

const TOPIC = `arn:aws:sns:eu-west-2:${DR}:rsdr-dr-alerts`;

const drill = (over: { [K in keyof DrillTarget]?: unknown } = {}): Record<string, unknown> => ({
  accountId: SRC,
  region: "eu-west-2",
  partition: "aws",
  clusterIdentifier: CLUSTER,
  everyHours: 168,
  maxLifetimeHours: 12,
  from: "newest",
  nodeType: "ra3.xlplus",
  numberOfNodes: 2,
  database: "dev",
  tables: ["sales.orders", "customers"],
  drOwnedCopy: { retentionDays: 35, keepLatest: 2 },
  ...over,
});

/** The restore drill Lambda's environment, every variable set (RESTORE_DRILL_ENV). */
const env = (over: Record<string, string | undefined> = {}, drills: unknown[] = [drill()]): Record<string, string | undefined> => ({
  DRILLS: JSON.stringify(drills),
  DR_ACCOUNT_ID: DR,
  AWS_REGION: "eu-west-2",
  SNAPSHOT_PREFIX: "rsdr",
  MANAGED_BY: "rsdr",
  SUBNET_GROUP_NAME: "rsdr-dr-redshift",
  SECURITY_GROUP_NAME: "rsdr-dr-restore",
  KMS_KEY_ARN: DR_KEY,
  REPORT_BUCKET: "rsdr-drill-reports-999999999999",
  BACKUP_VAULT_NAME: "rsdr-dr",
  ALERT_TOPIC_ARN: TOPIC,
  METRIC_NAMESPACE: "RedshiftDR",
  ...over,
});

/** The problems drillSettingsFromEnv throws (a SettingsError, nothing else), or [] when it accepts. */
function problemsOf(e: Record<string, string | undefined>): readonly string[] {
  try {
    drillSettingsFromEnv(e);
    return [];
  } catch (err) {
    if (err instanceof SettingsError) return err.problems;
    throw err;
  }
}

describe("restore drill settings: drillSettingsFromEnv", () => {
  it("reads a full valid environment", () => {
    expect(drillSettingsFromEnv(env())).toEqual({
      drills: [drill()],
      drAccountId: DR,
      region: "eu-west-2",
      snapshotPrefix: "rsdr",
      managedBy: "rsdr",
      subnetGroupName: "rsdr-dr-redshift",
      securityGroupName: "rsdr-dr-restore",
      kmsKeyArn: DR_KEY,
      reportBucket: "rsdr-drill-reports-999999999999",
      backupVaultName: "rsdr-dr",
      alertTopicArn: TOPIC,
      metricNamespace: "RedshiftDR",
    });
  });

  it("leaves out the optional ones when unset or empty; no drills at all is valid", () => {
    const s = drillSettingsFromEnv(env({ SECURITY_GROUP_NAME: "", BACKUP_VAULT_NAME: undefined, ALERT_TOPIC_ARN: "" }, [drill({ from: "shared" })]));
    expect(s).not.toHaveProperty("securityGroupName");
    expect(s).not.toHaveProperty("backupVaultName");
    expect(s).not.toHaveProperty("alertTopicArn");
    expect(drillSettingsFromEnv(env({}, [])).drills).toEqual([]);
  });

  it.each<[string, Record<string, string | undefined>, unknown[] | undefined, string]>([
    ["DRILLS not JSON", { DRILLS: "[{" }, undefined, 'DRILLS: "[{" is not allowed: a JSON array of drill targets'],
    ["DRILLS unset", { DRILLS: undefined }, undefined, "DRILLS: undefined is not allowed: a JSON array of drill targets"],
    ["DRILLS not an array", { DRILLS: '{"accountId":"1"}' }, undefined, 'DRILLS: {"accountId":"1"} is not allowed: a JSON array of drill targets'],
    [
      "a table name with a quote",
      {},
      [drill({ tables: ["sales.orders'; drop table x; --"] })],
      `DRILLS[0].tables: ["sales.orders'; drop table x; --"] is not allowed: a list of at most 20 unquoted lowercase schema.table names`,
    ],
    [
      "a table name with a semicolon",
      {},
      [drill({ tables: ["sales.orders", "x;select 1"] })],
      'DRILLS[0].tables: ["sales.orders","x;select 1"] is not allowed: a list of at most 20 unquoted lowercase schema.table names',
    ],
    [
      "more than 20 tables",
      {},
      [drill({ tables: Array.from({ length: 21 }, (_, i) => `t${i}`) })],
      `DRILLS[0].tables: ${JSON.stringify(Array.from({ length: 21 }, (_, i) => `t${i}`))} is not allowed: a list of at most 20 unquoted lowercase schema.table names`,
    ],
    [
      "maxLifetimeHours above everyHours",
      {},
      [drill({ everyHours: 6, maxLifetimeHours: 12 })],
      "DRILLS[0].maxLifetimeHours: 12 is not allowed: at most everyHours (6), or a drill could still run when the next is due",
    ],
    ["maxLifetimeHours out of range", {}, [drill({ maxLifetimeHours: 100 })], "DRILLS[0].maxLifetimeHours: 100 is not allowed: an integer 1-72"],
    ["everyHours not an integer", {}, [drill({ everyHours: 1.5, maxLifetimeHours: 1 })], "DRILLS[0].everyHours: 1.5 is not allowed: an integer 1-8760"],
    ['from "backup" without a vault', { BACKUP_VAULT_NAME: undefined }, [drill({ from: "backup" })], 'BACKUP_VAULT_NAME: undefined is not allowed: required when a drill restores from "backup"'],
    ["an unknown from", {}, [drill({ from: "latest" })], 'DRILLS[0].from: "latest" is not allowed: "newest", "shared" or "backup"'],
    [
      "the same source twice",
      {},
      [drill(), drill({ tables: [] })],
      `DRILLS[1]: cluster "${CLUSTER}" is listed twice: one drill per source cluster`,
    ],
    ["a bad source account", {}, [drill({ accountId: "12345" })], 'DRILLS[0].accountId: "12345" is not allowed: a 12-digit AWS account id'],
    ["a database in capitals", {}, [drill({ database: "Dev" })], 'DRILLS[0].database: "Dev" is not allowed: a database name: lowercase letters, digits, _ and $, starting with a letter or _'],
    ["a node type of another family", {}, [drill({ nodeType: "m5.large" })], 'DRILLS[0].nodeType: "m5.large" is not allowed: a Redshift node type, e.g. ra3.xlplus'],
    ["a source key that is an alias", {}, [drill({ kmsKeyArn: "alias/sales" })], 'DRILLS[0].kmsKeyArn: "alias/sales" is not allowed: a KMS key ARN'],
    ["a copy retention of 0 days", {}, [drill({ drOwnedCopy: { retentionDays: 0, keepLatest: 1 } })], "DRILLS[0].drOwnedCopy.retentionDays: 0 is not allowed: an integer 1-3653"],
    [
      "keeping no copy",
      {},
      [drill({ drOwnedCopy: { retentionDays: 7, keepLatest: 0 } })],
      "DRILLS[0].drOwnedCopy.keepLatest: 0 is not allowed: an integer 1-20 (the newest copy is always kept)",
    ],
    ["a bad DR account", { DR_ACCOUNT_ID: "dr" }, undefined, 'DR_ACCOUNT_ID: "dr" is not allowed: a 12-digit AWS account id'],
    ["a bucket name with capitals", { REPORT_BUCKET: "Drill_Reports" }, undefined, 'REPORT_BUCKET: "Drill_Reports" is not allowed: an S3 bucket name'],
    ["no DR key", { KMS_KEY_ARN: "" }, undefined, `KMS_KEY_ARN: "" is not allowed: the DR key's ARN (or its alias, where a KMS client resolves it)`],
    ["a bad vault name", { BACKUP_VAULT_NAME: "my vault" }, undefined, 'BACKUP_VAULT_NAME: "my vault" is not allowed: a backup vault name'],
    ["no metric namespace", { METRIC_NAMESPACE: undefined }, undefined, 'METRIC_NAMESPACE: "" is not allowed: a CloudWatch metric namespace'],
  ])("%s: one problem naming the variable, the value and what is allowed", (_label, over, drills, problem) => {
    expect(problemsOf(env(over, drills))).toEqual([problem]);
  });

  it("lists every problem of the entries at once", () => {
    expect(problemsOf(env({}, [drill({ region: "Europe", tables: "sales.orders" }), drill({ clusterIdentifier: "Sales--Prod" })]))).toEqual([
      'DRILLS[0].region: "Europe" is not allowed: an AWS region name, e.g. eu-west-1',
      'DRILLS[0].tables: "sales.orders" is not allowed: a list of at most 20 unquoted lowercase schema.table names',
      expect.stringMatching(/^DRILLS\[1\]\.clusterIdentifier: "Sales--Prod" is not allowed: /),
    ]);
  });

  // BUG (functions/lib/drill-settings.ts, targetProblems / drillSettingsProblems): an entry that is JSON null, or a
  // drOwnedCopy that is null, is read as an object (`t.accountId`, `copy.retentionDays`): a TypeError comes out
  // instead of the SettingsError naming DRILLS[i], so the Lambda's error says nothing about the variable.
  test("a null entry in DRILLS is a problem naming it, not a TypeError", () => {
    expect(problemsOf(env({}, [drill(), null]))).toEqual([expect.stringMatching(/^DRILLS\[1\]: null is not allowed: /)]);
  });

  test("a null drOwnedCopy is a problem naming it, not a TypeError", () => {
    expect(problemsOf(env({}, [drill({ drOwnedCopy: null })]))).toEqual([expect.stringMatching(/^DRILLS\[0\]\.drOwnedCopy: null is not allowed: /)]);
  });

  // BUG (functions/lib/drill-settings.ts, drillSettingsFromEnv): the module says it throws "listing every problem", but a
  // bad DRILLS JSON or a missing METRIC_NAMESPACE skips drillSettingsProblems: the other variables' problems appear only
  // after that one is fixed and deployed.
  test("a missing METRIC_NAMESPACE does not hide the other variables' problems", () => {
    const problems = problemsOf(env({ METRIC_NAMESPACE: "", DR_ACCOUNT_ID: "dr" }));
    expect([...problems].sort()).toEqual(['DR_ACCOUNT_ID: "dr" is not allowed: a 12-digit AWS account id', 'METRIC_NAMESPACE: "" is not allowed: a CloudWatch metric namespace']);
  });
});

describe("restore drill settings: validationSql never puts an unsafe table name into SQL", () => {
  it("row counts of the tables, one select each, or select 1", () => {
    expect(validationSql([])).toBe("select 1");
    expect(validationSql(["sales.orders", "customers", "_stage.t$1"])).toBe(
      "select 'sales.orders' as table_name, count(*) as row_count from sales.orders union all " +
        "select 'customers' as table_name, count(*) as row_count from customers union all " +
        "select '_stage.t$1' as table_name, count(*) as row_count from _stage.t$1",
    );
  });

  it.each([
    "sales.orders'",
    "sales.orders; drop table sales.orders",
    "x;select 1",
    '"Sales"."Orders"',
    "Sales.Orders",
    "sales orders",
    "sales.orders--",
    "sales.orders/*",
    "a.b.c",
    "1sales.orders",
    "sales.1orders",
    "$1",
    "sales.$1",
    "sales.",
    ".orders",
    "",
    "sales.orders\n",
    "sales\u00a0orders",
    "s".repeat(128),
  ])("refuses %j, alone or after a valid one", (name) => {
    expect(TABLE_NAME.test(name)).toBe(false);
    expect(() => validationSql([name])).toThrow(`validation table ${JSON.stringify(name)} is not a schema.table name`);
    expect(() => validationSql(["sales.orders", name])).toThrow(/is not a schema\.table name/);
  });

  it("accepts a character in a name only if it is a lowercase letter, digit, _ or $ (every printable ASCII character tried)", () => {
    for (let code = 0x20; code < 0x7f; code++) {
      const ch = String.fromCharCode(code);
      const safe = /[a-z0-9_$]/.test(ch);
      expect([ch, TABLE_NAME.test(`sales.or${ch}ders`)]).toEqual([ch, safe]);
      // one dot is the schema separator
      expect([ch, TABLE_NAME.test(`sa${ch}les`)]).toEqual([ch, safe || ch === "."]);
    }
  });
});
