import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { registerCostCommand } from "../../cli/commands/cost";
import { BACKUP_EXAMPLE, cli, recordingClients } from "./helpers";

const cost = (argv: string[], opts: Parameters<typeof cli>[2] = {}) => cli(["cost", ...argv], [registerCostCommand], opts);

describe("cost (no AWS calls)", () => {
  it("--sample prints the sample's table: $24.58, $24.81, $51.25", async () => {
    const clients = recordingClients();
    const { code, io, stderr } = await cost(["--size-gb", "1024", "--sample"], { clients });
    expect(code).toBe(0);
    expect(stderr).toBe("");
    expect(clients.targets).toEqual([]);
    expect(io.stdout.slice(0, 5)).toEqual([
      "APPROACH                         SOURCE STORAGE  DR STORAGE  REQUESTS  COMPUTE  TOTAL / MONTH",
      "-------------------------------  --------------  ----------  --------  -------  -------------",
      "native manual (CLI)              $24.58          $0.00       $0.00     $0.00    $24.58",
      "native with Lambda (approach 2)  $24.58          $0.00       $0.00     $0.23    $24.81",
      "AWS Backup (approach 3)          $51.20          $0.00       $0.00     $0.05    $51.25",
    ]);
    expect(io.stdout).toContain("Monthly cost in USD: 1024 GB, one full copy, us-east-1 list price (the sample's assumptions).");
    expect(io.stdout).toContain("  awsBackupRedshiftGbMonth: 0.05 USD per GB-month");
  });

  it("--size-gb alone: every approach with and without drills, defaults from the embedded example config", async () => {
    const { code, io, stderr } = await cost(["--size-gb", "1024"]);
    expect(code).toBe(0);
    expect(io.stdout.slice(2, 8).map((l) => l.split(/\s{2,}/)[0])).toEqual([
      "native manual (CLI)",
      "native manual (CLI) + drills, DR-owned copy",
      "native with Lambda (approach 2)",
      "native with Lambda (approach 2) + drills, DR-owned copy",
      "AWS Backup (approach 3)",
      "AWS Backup (approach 3) + drills, DR-owned copy",
    ]);
    // rate(12 hours) and 7 days from the example's native settings; 1024 + 2%/day x 7 = 1167.36 GB x $0.024.
    expect(io.stdout[2]).toBe("native manual (CLI)                                      $28.02          $0.00       $0.00     $0.00    $28.02");
    expect(io.stdout.join("\n")).toContain("rate(12 hours), 7 days retention: 1167.36 GB retained (14 snapshots), us-east-1 list price");
    // The example's drill: weekly, ra3.xlplus x1, drOwnedCopy 35 days / keepLatest 2 -> 5 copies.
    expect(io.stdout.join("\n")).toContain("1 ra3.xlplus, 5 DR-owned copies");
    expect(stderr).toBe("note: the price table has no eu-west-2 (the config's region): priced for us-east-1; give --region, or add the region with --prices <file>");
  });

  it("with tiers, prices the longest tier's reach (12 months = 372 days of changed blocks) and says so", async () => {
    const hourly = path.resolve(__dirname, "../../config/example-hourly.json");
    const { code, io, stderr } = await cost(["--size-gb", "1024", "--approaches", "lambda", "--no-drills"], { config: hourly });
    expect(code).toBe(0);
    expect(io.stdout.join("\n")).toContain("rate(1 hour), 372 days retention");
    expect(stderr).toContain(
      "note: retention: the tiers keep snapshots up to 372 days; storage is priced as that many days of changed blocks (incremental snapshots share unchanged blocks), an upper bound",
    );
  });

  it("--json: one document with the lines, the unverified prices and the notes", async () => {
    const { code, stdout } = await cost(["--size-gb", "1024", "--sample", "--json", "--approaches", "lambda"], { config: BACKUP_EXAMPLE });
    expect(code).toBe(0);
    const doc = JSON.parse(stdout);
    expect(doc.region).toBe("us-east-1");
    expect(doc.approaches).toHaveLength(1);
    expect(doc.approaches[0]).toMatchObject({ id: "lambda", sourceStorage: 24.58, compute: 0.23, total: 24.81 });
    expect(doc.approaches[0].lines.map((l: { price: string }) => l.price)).toEqual(["redshiftBackupStorageGbMonth", "sample", "sample"]);
    expect(doc.unverified.map((u: { key: string }) => u.key)).toEqual(["redshiftBackupStorageGbMonth"]);
    expect(doc.priceTable.file).toBe("cost/price-table.json");
  });

  it("--prices overrides the table, and a region it adds can be chosen", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cost-"));
    const file = path.join(dir, "prices.json");
    fs.writeFileSync(file, JSON.stringify({ regions: { "us-east-1": { redshiftBackupStorageGbMonth: 0.03 } } }));
    const { code, io } = await cost(["--size-gb", "1000", "--sample", "--approaches", "manual", "--prices", file]);
    expect(code).toBe(0);
    expect(io.stdout[2]).toBe("native manual (CLI)  $30.00          $0.00       $0.00     $0.00    $30.00");
    expect(io.stdout).toContain("  redshiftBackupStorageGbMonth: 0.03 USD per GB-month");
  });

  it.each([
    [["--size-gb", "-1"], "error: --size-gb -1: not allowed; a snapshot size in GB greater than 0, e.g. --size-gb 1024"],
    [["--size-gb", "lots"], 'error: --size-gb "lots": not allowed; a number'],
    [["--size-gb", "10", "--region", "mars-1"], "error: --region mars-1: not allowed; a region of the price table: us-east-1 (or add it with --prices <file>)"],
    [["--size-gb", "10", "--schedule", "hourly"], 'error: --schedule "hourly": not allowed; rate(N minutes|hours|days)'],
    [["--size-gb", "10", "--approaches", "manual,tape"], 'error: --approaches "manual,tape": not allowed; a comma-separated list of manual, lambda, backup'],
    [["--size-gb", "10", "--prices", "/nonexistent/p.json"], "error: --prices /nonexistent/p.json: not allowed; a readable JSON file"],
  ])("bad usage %j exits 2 naming the flag", async (argv, message) => {
    const { code, stderr } = await cost(argv);
    expect(code).toBe(2);
    expect(stderr).toContain(message);
  });

  it("--size-gb is required", async () => {
    const { code, stderr } = await cost([]);
    expect(code).toBe(2);
    expect(stderr).toContain("required option '--size-gb <gb>' not specified");
  });
});
