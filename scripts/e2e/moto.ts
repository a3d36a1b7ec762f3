// Start and stop a moto server (the AWS emulator of the e2e tier) from jest or a script.
//
//   const moto = await startMoto();            // 127.0.0.1, port chosen by the OS
//   execFile("terraform", [...], { env: { ...process.env, ...moto.env() } });
//   await moto.reset();                         // optional: forget every resource
//   await moto.stop();                          // always (afterAll); idempotent
//
// The server is `scripts/e2e/moto_server.py` run with the venv's Python. It is started in its own
// process group, which stop() signals as a whole; it is also killed when this Node process exits (in a jest
// file of the tier, when the file ends: e2e/environment.js, scripts/e2e/children.ts), and it exits by itself
// within a second when this process dies without running exit handlers.
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as http from "http";
import * as path from "path";
import { e2eWorkDir, venvBin } from "./paths";
import { trackChild } from "./children";

export interface StartMotoOptions {
  /** Loopback port; 0 (default) lets the OS pick a free one. */
  readonly port?: number;
  /** How long to wait for the server to answer. @default 60_000 ms */
  readonly startTimeoutMs?: number;
  /** File that receives moto's request log. @default `.e2e/moto/moto-<port>.log` */
  readonly logFile?: string;
  /** Start moto without the response patches of `moto_patches.py`. @default false */
  readonly noPatches?: boolean;
  /** Region reported by `env()`. @default "us-east-1" */
  readonly region?: string;
  /** Extra environment of the server process, e.g. `MOTO_RECORDER_FILEPATH` (keep moto's request recording under `.e2e/`). */
  readonly env?: Readonly<Record<string, string>>;
}

export interface MotoServer {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  readonly port: number;
  readonly pid: number;
  /** Names of the moto patches that were applied (see `moto_patches.py`). */
  readonly patches: readonly string[];
  readonly logFile: string;
  /**
   * Environment for a child process (terraform, the AWS SDK, the CLI) that must talk to this
   * server and to nothing else: dummy credentials, the endpoint, no IMDS, no checkpoint calls, and
   * a dead proxy for every non-loopback host so that a missed endpoint fails instead of reaching AWS.
   */
  env(): Record<string, string>;
  /** Forget all emulated resources (POST /moto-api/reset). */
  reset(): Promise<void>;
  /** Stop the server (SIGTERM to its process group, SIGKILL after `graceMs`). Safe to call twice. */
  stop(graceMs?: number): Promise<void>;
}

/** Variables that could point a child at real AWS; `motoEnv` removes or overrides all of them. */
const AWS_VARS_TO_DROP = [
  "AWS_PROFILE",
  "AWS_DEFAULT_PROFILE",
  "AWS_SESSION_TOKEN",
  "AWS_SECURITY_TOKEN",
  "AWS_ROLE_ARN",
  "AWS_WEB_IDENTITY_TOKEN_FILE",
  "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
  "AWS_CONTAINER_CREDENTIALS_FULL_URI",
  "AWS_SHARED_CREDENTIALS_FILE",
  "AWS_CONFIG_FILE",
];

/**
 * The environment overrides that confine AWS clients to `endpoint`. Merge over `process.env` and
 * call `withoutRealAwsVars` on the result (or use `childEnv`).
 */
export function motoEnv(endpoint: string, region = "us-east-1"): Record<string, string> {
  return {
    AWS_ENDPOINT_URL: endpoint,
    AWS_ACCESS_KEY_ID: "test",
    AWS_SECRET_ACCESS_KEY: "test",
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
    AWS_EC2_METADATA_DISABLED: "true",
    // No credential/config files from the developer's home directory.
    AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
    AWS_CONFIG_FILE: "/dev/null",
    CHECKPOINT_DISABLE: "1",
    ...DEAD_PROXY_ENV,
  };
}

/**
 * Go and the AWS SDK for JS (via proxy agents) honour these; loopback is never proxied by Go. Any request
 * that escapes the endpoint settings is sent to a closed port and fails at once.
 */
export const DEAD_PROXY_ENV: Readonly<Record<string, string>> = {
  HTTPS_PROXY: "http://127.0.0.1:9",
  HTTP_PROXY: "http://127.0.0.1:9",
  https_proxy: "http://127.0.0.1:9",
  http_proxy: "http://127.0.0.1:9",
  NO_PROXY: "127.0.0.1,localhost",
  no_proxy: "127.0.0.1,localhost",
};

/** `base` (default process.env) without credentials or profiles, then `overrides` on top. */
export function childEnv(
  overrides: Record<string, string>,
  base: NodeJS.ProcessEnv = process.env,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(base)) {
    if (v !== undefined && !AWS_VARS_TO_DROP.includes(k) && !k.startsWith("AWS_ENDPOINT_URL_")) out[k] = v;
  }
  return { ...out, ...overrides };
}

const running = new Set<ChildProcess>();
let exitHookInstalled = false;

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      /* already gone */
    }
  }
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Synchronous last resort outside jest (a jest test file's copy of `process` never emits "exit": there the tier's
  // environment, e2e/environment.js, kills what is left); the Python side also watches its parent pid.
  process.on("exit", () => {
    for (const child of running) killGroup(child, "SIGKILL");
  });
}

function httpRequest(url: string, method: string, timeoutMs = 5000): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, timeout: timeoutMs, agent: false }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    req.on("timeout", () => req.destroy(new Error(`${method} ${url} timed out`)));
    req.on("error", reject);
    req.end();
  });
}

/** Start a moto server; resolves when it answers HTTP. Rejects (and cleans up) otherwise. */
export async function startMoto(options: StartMotoOptions = {}): Promise<MotoServer> {
  const python = venvBin("python");
  const script = path.join(__dirname, "moto_server.py");
  const startTimeoutMs = options.startTimeoutMs ?? 60_000;
  const region = options.region ?? "us-east-1";
  const args = [script, "--host", "127.0.0.1", "--port", String(options.port ?? 0), "--parent-pid", String(process.pid)];
  if (options.noPatches) args.push("--no-patches");

  const child = spawn(python, args, {
    detached: true, // own process group: stop() signals moto and anything it started
    stdio: ["ignore", "pipe", "pipe"],
    env: childEnv({ ...options.env, PYTHONUNBUFFERED: "1" }),
  });
  running.add(child);
  installExitHook();
  trackChild(child, { what: `moto server (${script})`, group: true });

  const workDir = path.join(e2eWorkDir(), "moto");
  fs.mkdirSync(workDir, { recursive: true });
  const tmpLog = path.join(workDir, `moto-starting-${process.pid}-${Date.now()}.log`);
  // Opened synchronously: a caller that blocks the event loop right after calling startMoto (a synth)
  // would otherwise let "ready" arrive before the stream's asynchronous open created the file.
  const log = fs.createWriteStream("", { fd: fs.openSync(tmpLog, "w") });
  let stderrTail = "";
  child.stderr.on("data", (chunk: Buffer) => {
    log.write(chunk);
    stderrTail = (stderrTail + chunk.toString()).slice(-4000);
  });

  let exited = false;
  const exitPromise = new Promise<void>((resolve) => {
    child.once("exit", () => {
      exited = true;
      running.delete(child);
      resolve();
    });
  });

  const ready = await new Promise<{ port: number; patches: string[] }>((resolve, reject) => {
    let buf = "";
    const timer = setTimeout(() => fail(new Error(`moto did not start within ${startTimeoutMs} ms`)), startTimeoutMs);
    const onError = (err: Error): void => fail(err);
    const onEarlyExit = (code: number | null, signal: string | null): void =>
      fail(new Error(`moto exited early (code ${code}, signal ${signal})`));
    function done(): void {
      clearTimeout(timer);
      child.removeListener("error", onError);
      child.removeListener("exit", onEarlyExit);
      child.stdout.removeListener("data", onData);
      child.stdout.resume(); // keep draining stdout
    }
    function fail(err: Error): void {
      done();
      killGroup(child, "SIGKILL");
      reject(new Error(`${err.message}\n--- moto stderr (tail) ---\n${stderrTail}`));
    }
    function onData(chunk: Buffer): void {
      buf += chunk.toString();
      let nl: number;
      while ((nl = buf.indexOf("\n")) >= 0) {
        const line = buf.slice(0, nl).trim();
        buf = buf.slice(nl + 1);
        if (!line.startsWith("{")) continue;
        let msg: { event?: string; port?: number; patches?: string[] };
        try {
          msg = JSON.parse(line);
        } catch {
          continue;
        }
        if (msg.event === "ready" && typeof msg.port === "number") {
          done();
          resolve({ port: msg.port, patches: msg.patches ?? [] });
          return;
        }
      }
    }
    child.on("error", onError);
    child.on("exit", onEarlyExit);
    child.stdout.on("data", onData);
  }).catch(async (err) => {
    await new Promise<void>((r) => log.end(r)); // the full log stays in tmpLog for debugging
    throw err;
  });

  const endpoint = `http://127.0.0.1:${ready.port}`;
  const logFile = options.logFile ?? path.join(workDir, `moto-${ready.port}.log`);
  fs.renameSync(tmpLog, logFile);

  // The socket is bound before "ready" is printed; one request proves the app answers.
  const deadline = Date.now() + startTimeoutMs;
  for (;;) {
    try {
      await httpRequest(`${endpoint}/moto-api/data.json`, "GET");
      break;
    } catch (err) {
      if (exited || Date.now() > deadline) {
        killGroup(child, "SIGKILL");
        log.end();
        throw new Error(`moto at ${endpoint} does not answer: ${(err as Error).message}\n${stderrTail}`, { cause: err });
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  // Do not keep the event loop (or jest) alive because of the server; the exit hook kills it.
  child.unref();
  (child.stdout as unknown as { unref?: () => void }).unref?.();
  (child.stderr as unknown as { unref?: () => void }).unref?.();

  let stopping: Promise<void> | undefined;
  return {
    endpoint,
    port: ready.port,
    pid: child.pid!,
    patches: ready.patches,
    logFile,
    env: () => motoEnv(endpoint, region),
    async reset() {
      const status = await httpRequest(`${endpoint}/moto-api/reset`, "POST");
      if (status >= 300) throw new Error(`moto reset answered HTTP ${status}`);
    },
    stop(graceMs = 5000) {
      if (stopping) return stopping;
      stopping = (async () => {
        if (!exited) {
          killGroup(child, "SIGTERM");
          const timer = setTimeout(() => killGroup(child, "SIGKILL"), graceMs);
          await exitPromise;
          clearTimeout(timer);
        }
        running.delete(child);
        await new Promise<void>((r) => log.end(r));
      })();
      return stopping;
    },
  };
}

/**
 * Aborts `gone` when the moto process exits, so that running terraform commands are killed instead of hanging.
 * Returns the interval, to clear when the run ends.
 */
export function watchMoto(moto: Pick<MotoServer, "pid">, gone: AbortController): NodeJS.Timeout {
  const pid = moto.pid;
  const watchdog: NodeJS.Timeout = setInterval(() => {
    try {
      process.kill(pid, 0);
    } catch {
      clearInterval(watchdog);
      gone.abort(new Error(`moto (pid ${pid}) exited during the run; running terraform commands were killed`));
    }
  }, 1000);
  watchdog.unref();
  return watchdog;
}
