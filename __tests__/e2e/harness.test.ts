// The e2e harness itself: moto launcher, Terraform CLI config, and one terraform run against moto
// with an assumed cross-account role. Run with `npx jest -c e2e/jest.config.js`.
import { spawn } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as http from "http";
import * as path from "path";
import { parseCheckovJson, runCheckov } from "../../scripts/e2e/checkov";
import { childEnv, MotoServer, startMoto } from "../../scripts/e2e/moto";
import { e2eWorkDir, repoRoot } from "../../scripts/e2e/paths";
import { renderTerraformCliConfig, runTerraform, writeTerraformCliConfig } from "../../scripts/e2e/terraform";
import { requireTerraform } from "../../scripts/terraform";

function get(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent: false }, (res) => {
        let body = "";
        res.on("data", (c) => (body += c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on("error", reject);
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitUntil(cond: () => boolean, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return cond();
}

describe("moto launcher", () => {
  let moto: MotoServer | undefined;
  afterEach(async () => {
    await moto?.stop();
    moto = undefined;
  });

  it("starts on a free loopback port, answers, resets and stops its process group", async () => {
    moto = await startMoto();
    expect(moto.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect((await get(`${moto.endpoint}/moto-api/data.json`)).status).toBe(200);
    await expect(moto.reset()).resolves.toBeUndefined();
    expect(moto.env()).toMatchObject({ AWS_ENDPOINT_URL: moto.endpoint, AWS_ACCESS_KEY_ID: "test" });
    const pid = moto.pid;
    await moto.stop();
    await moto.stop(); // idempotent
    expect(alive(pid)).toBe(false);
    await expect(get(`${moto.endpoint}/moto-api/data.json`)).rejects.toThrow();
  });

  it("runs two servers side by side on different ports", async () => {
    const [a, b] = await Promise.all([startMoto(), startMoto()]);
    try {
      expect(a.port).not.toBe(b.port);
      expect((await get(`${b.endpoint}/moto-api/data.json`)).status).toBe(200);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });

  it("starts even when the caller blocks the event loop and the thread pool right after calling it", async () => {
    // Regression: functions.e2e starts moto, then synthesizes synchronously; a log file opened
    // asynchronously was not there yet when "ready" arrived, and the rename failed (ENOENT).
    for (let i = 0; i < 4; i++) crypto.pbkdf2("x", "y", 2_000_000, 64, "sha512", () => undefined);
    const starting = startMoto();
    const until = Date.now() + 3000;
    while (Date.now() < until) {
      /* busy, like a synth */
    }
    moto = await starting;
    expect(fs.existsSync(moto.logFile)).toBe(true);
  });

  it("server exits by itself when the process that started it is killed", async () => {
    // A separate Node process starts moto, prints its pid, then is SIGKILLed (no exit handlers).
    const script = `
      require("ts-node").register({ transpileOnly: true });
      require(${JSON.stringify(path.join(repoRoot, "scripts/e2e/moto.ts"))})
        .startMoto().then((m) => { console.log("PID " + m.pid); setInterval(() => {}, 1000); });`;
    const child = spawn(process.execPath, ["-e", script], { cwd: repoRoot, stdio: ["ignore", "pipe", "inherit"] });
    const motoPid = await new Promise<number>((resolve, reject) => {
      let out = "";
      child.stdout.on("data", (c) => {
        out += c;
        const m = /PID (\d+)/.exec(out);
        if (m) resolve(Number(m[1]));
      });
      child.on("exit", () => reject(new Error(`child exited: ${out}`)));
    });
    expect(alive(motoPid)).toBe(true);
    child.kill("SIGKILL");
    expect(await waitUntil(() => !alive(motoPid), 10_000)).toBe(true);
  });

  it("childEnv drops profiles and session tokens from the parent environment", () => {
    const env = childEnv({ AWS_ACCESS_KEY_ID: "test" }, { AWS_PROFILE: "prod", AWS_SESSION_TOKEN: "x", PATH: "/bin" });
    expect(env).toEqual({ AWS_ACCESS_KEY_ID: "test", PATH: "/bin" });
  });
});

describe("terraform CLI config", () => {
  it("mirrors only hashicorp/aws and installs nothing else directly", () => {
    const text = renderTerraformCliConfig("/opt/tf-plugins", "/tmp/cache");
    expect(text).toContain('path    = "/opt/tf-plugins"');
    expect(text).toContain('include = ["registry.terraform.io/hashicorp/aws"]');
    expect(text).toContain('exclude = ["registry.terraform.io/hashicorp/aws"]');
    expect(text).toContain('plugin_cache_dir   = "/tmp/cache"');
  });

  it("honours TF_PROVIDER_MIRROR and fails clearly when the mirror is missing", () => {
    const saved = process.env.TF_PROVIDER_MIRROR;
    process.env.TF_PROVIDER_MIRROR = path.join(e2eWorkDir(), "no-such-mirror");
    try {
      expect(() => writeTerraformCliConfig({ dir: path.join(e2eWorkDir(), "cfg-test") })).toThrow(/TF_PROVIDER_MIRROR/);
    } finally {
      if (saved === undefined) delete process.env.TF_PROVIDER_MIRROR;
      else process.env.TF_PROVIDER_MIRROR = saved;
    }
  });
});

// No Terraform: this fails with what to install (requireTerraform), it never skips.
describe("terraform against moto", () => {
  let moto: MotoServer;
  beforeAll(async () => {
    requireTerraform();
    moto = await startMoto();
  });
  afterAll(async () => {
    await moto?.stop();
  });

  it("assumes a deploy role in another account and passes allowed_account_ids", async () => {
    const cli = writeTerraformCliConfig();
    const dir = fs.mkdtempSync(path.join(e2eWorkDir(), "harness-"));
    fs.writeFileSync(
      path.join(dir, "main.tf.json"),
      JSON.stringify({
        terraform: { required_providers: { aws: { source: "hashicorp/aws", version: ">= 5.100.0, < 7.0.0" } } },
        provider: {
          aws: [
            {
              region: "us-east-1",
              allowed_account_ids: ["222222222222"],
              assume_role: [{ role_arn: "arn:aws:iam::222222222222:role/deploy", session_name: "e2e" }],
            },
          ],
        },
        data: { aws_caller_identity: { me: {} } },
        output: { account: { value: "${data.aws_caller_identity.me.account_id}" } },
      }),
    );
    const env = childEnv({ ...cli.env, ...moto.env() });
    const init = await runTerraform(["init", "-input=false"], { cwd: dir, env });
    expect(init.stderr).toBe("");
    expect(init.code).toBe(0);
    const apply = await runTerraform(["apply", "-auto-approve", "-input=false"], { cwd: dir, env });
    expect(apply.stderr).toBe("");
    expect(apply.stdout).toContain('account = "222222222222"');
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe("checkov", () => {
  // A cdktf-shaped stack: a bare bucket fails several checks (e.g. CKV_AWS_18 access logging).
  const stack = {
    "//": { metadata: { stackName: "probe", version: "0.21.0" } },
    provider: { aws: [{ region: "us-east-1" }] },
    resource: { aws_s3_bucket: { bucket_0A1B2C3D: { bucket: "probe-bucket" } } },
  };

  it("scans cdk.tf.json with the terraform_json framework and reports counts", async () => {
    const dir = fs.mkdtempSync(path.join(e2eWorkDir(), "checkov-"));
    fs.writeFileSync(path.join(dir, "cdk.tf.json"), JSON.stringify(stack, null, 2));
    // Outside the scanned folder: checkov must not take the config for something to scan.
    const config = path.join(dir, "..", `${path.basename(dir)}.checkov.yaml`);
    fs.writeFileSync(config, "skip-check:\n  - CKV_AWS_18 # access logs: justified here\n");
    // Both scans at once (2 cores; most of a run is checkov starting).
    const [plain, skipped] = await Promise.all([runCheckov(dir), runCheckov(dir, { configFile: config })]);
    expect(plain.exitCode).toBe(1);
    expect(plain.summary.failed).toBeGreaterThan(0);
    expect(plain.failed.map((f) => f.id)).toContain("CKV_AWS_18");
    expect(plain.stderr).not.toMatch(/prismacloud|bridgecrew\.cloud/);

    expect(skipped.failed.map((f) => f.id)).not.toContain("CKV_AWS_18");
    expect(skipped.summary.failed).toBe(plain.summary.failed - 1);
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(config, { force: true });
  });

  it("parses the bare summary checkov prints when nothing was scanned", () => {
    const r = parseCheckovJson('{"passed": 0, "failed": 0, "skipped": 0, "parsing_errors": 0, "resource_count": 0}');
    expect(r).toEqual({ summary: { passed: 0, failed: 0, skipped: 0, parsingErrors: 0 }, failed: [] });
  });
});

describe("BackgroundSuite and the tier's jest environment (a jest of their own on __tests__/e2e/fixtures/background-suite.fixture.ts)", () => {
  interface JestReport {
    numPassedTests: number;
    numFailedTests: number;
    numPendingTests: number;
    testResults: { message: string; assertionResults: { fullName: string; status: string; failureMessages: string[] }[] }[];
  }

  /** Runs the fixture in a jest of its own (the tier's environment and transform); its exit code and JSON report. */
  function runFixture(mode: string, extraArgs: string[] = [], env: Record<string, string> = {}): Promise<{ code: number | null; report: JestReport; output: string }> {
    const dir = fs.mkdtempSync(path.join(e2eWorkDir(), "background-fixture-"));
    const outputFile = path.join(dir, "report.json");
    const config = {
      rootDir: repoRoot,
      roots: ["<rootDir>/__tests__/e2e/fixtures"],
      testMatch: ["**/background-suite.fixture.ts"],
      transform: { "^.+\\.ts$": "ts-jest" },
      testEnvironment: "<rootDir>/e2e/environment.js",
    };
    const args = [path.join(repoRoot, "node_modules", "jest", "bin", "jest.js"), "--config", JSON.stringify(config), "--ci", "--json", `--outputFile=${outputFile}`, ...extraArgs];
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, args, { cwd: repoRoot, env: { ...process.env, ...env, BACKGROUND_FIXTURE: mode }, stdio: ["ignore", "pipe", "pipe"] });
      let output = "";
      child.stdout.on("data", (c: Buffer) => (output += c.toString()));
      child.stderr.on("data", (c: Buffer) => (output += c.toString()));
      child.on("error", reject);
      child.on("close", (code) => {
        try {
          resolve({ code, report: JSON.parse(fs.readFileSync(outputFile, "utf8")) as JestReport, output });
        } catch (e) {
          reject(new Error(`no jest report (exit ${code}): ${(e as Error).message}\n${output}`));
        } finally {
          fs.rmSync(dir, { recursive: true, force: true });
        }
      });
    });
  }

  const statuses = (report: JestReport) => Object.fromEntries(report.testResults.flatMap((f) => f.assertionResults.map((a) => [a.fullName, a.status])));

  it("reports every background test as a test of the host file, run alongside the host's tests", async () => {
    const { code, report, output } = await runFixture("pass");
    expect({ code, output: code === 0 ? "" : output }).toEqual({ code: 0, output: "" });
    expect(statuses(report)).toEqual({
      "host host test runs while the background suite does": "passed",
      "background first passes": "passed",
      "background second fails in fail mode": "passed",
      "background third passes after it": "passed",
      "background a block fourth needs the block's beforeAll": "passed",
    });
  }, 120_000);

  it("fails the host file loudly when a background test or hook fails, also when `jest -t` did not select the background tests", async () => {
    const [all, filtered] = await Promise.all([runFixture("fail"), runFixture("fail", ["-t", "host test runs"])]);
    expect(all.code).toBe(1);
    expect(statuses(all.report)).toEqual({
      "host host test runs while the background suite does": "passed",
      "background first passes": "passed",
      "background second fails in fail mode": "failed",
      "background third passes after it": "passed",
      "background a block fourth needs the block's beforeAll": "failed",
    });
    const failures = all.report.testResults[0].assertionResults.filter((a) => a.status === "failed").map((a) => a.failureMessages.join("\n"));
    expect(failures[0]).toMatch(/Expected: "pass"/);
    expect(failures[1]).toMatch(/the block's beforeAll failed/);

    // Only the host's test selected: the background tests are skipped, but their failures fail the file.
    expect(filtered.code).toBe(1);
    expect(statuses(filtered.report)["host host test runs while the background suite does"]).toBe("passed");
    expect(filtered.report.numPendingTests).toBe(4);
    expect(filtered.report.testResults[0].message).toMatch(/background test "background › second fails in fail mode" failed, and its jest test did not run to report it/);
    expect(filtered.report.testResults[0].message).toMatch(/background test "background › a block › fourth needs the block's beforeAll" failed/);
  }, 120_000);

  it("kills a child process of the harness still running when the file ends, and fails the file naming it", async () => {
    const pidFile = path.join(e2eWorkDir(), `background-fixture-${process.pid}.pid`);
    const { code, report } = await runFixture("leak", [], { BACKGROUND_FIXTURE_PID: pidFile });
    const pid = Number(fs.readFileSync(pidFile, "utf8"));
    fs.rmSync(pidFile, { force: true });
    expect(code).toBe(1);
    expect(report.numFailedTests).toBe(0); // every test passed: the file fails for the process it left
    expect(report.testResults[0].message).toMatch(new RegExp(`still running when the test file ended, and were killed:\\s+pid ${pid}: sleep 300`));
    expect(await waitUntil(() => !alive(pid), 5000)).toBe(true);
  }, 120_000);
});
