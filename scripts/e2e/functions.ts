// Helpers of the emulator tier for the Lambda functions (approach 2): the bundles exactly as `cdktf synth`
// ships them, run in child Node processes against moto.
//
//   const synth = synthesizeFunctions(outdir, estate);            // esbuild bundles + cdk.tf.json
//   const manager = synth.functions.find((f) => f.functionName.endsWith("-snapshot-manager"))!;
//   const creds = await assumeRole(moto.endpoint, "arn:aws:iam::222222222222:role/x");
//   const run = await invokeBundle(manager, { env: functionEnv(moto, creds, region, {...manager.environment}), event });
//   const load = await measureColdLoad(manager, env, 5);          // require() time in fresh processes
//
// Only loopback traffic: the child gets moto's environment (AWS_ENDPOINT_URL, dead proxy) and a guard that
// refuses any socket to a host other than 127.0.0.1/localhost (each refusal is reported in the result).
// The STS and SQS calls the tests need are in aws-calls.ts.
import { spawn } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import * as zlib from "zlib";
import { childEnv } from "./moto";

// ---------------------------------------------------------------------------------------------------
// Synthesis: where the shipped bundles are

export interface SynthesizedFunction {
  /** Terraform stack folder name, e.g. "source-analytics". */
  readonly stack: string;
  /** `function_name` of the aws_lambda_function. */
  readonly functionName: string;
  /** Environment variables as synthesized (Terraform references left as `${...}` strings). */
  readonly environment: Readonly<Record<string, string>>;
  readonly timeoutSeconds: number;
  readonly handler: string;
  /** The TerraformAsset archive (what `terraform apply` uploads). */
  readonly archive: string;
  /** `<outdir>/bundles/<construct address>/index.js`: the esbuild output the archive was made from. */
  readonly bundle: string;
  readonly bundleBytes: number;
  readonly sourceMapBytes: number;
  readonly archiveBytes: number;
}

/**
 * Every aws_lambda_function in `<outdir>/stacks/<stack>/cdk.tf.json`, with its asset archive and the
 * bundle in `<outdir>/bundles/` whose index.js is byte-identical to the archive's (checked, not assumed).
 */
export function findSynthesizedFunctions(outdir: string): SynthesizedFunction[] {
  const stacksDir = path.join(outdir, "stacks");
  const bundlesDir = path.join(outdir, "bundles");
  const bundleByHash = new Map<string, string>();
  for (const addr of fs.existsSync(bundlesDir) ? fs.readdirSync(bundlesDir) : []) {
    const js = path.join(bundlesDir, addr, "index.js");
    if (fs.existsSync(js)) bundleByHash.set(sha256(fs.readFileSync(js)), js);
  }
  const out: SynthesizedFunction[] = [];
  for (const stack of fs.readdirSync(stacksDir).sort()) {
    const tf = JSON.parse(fs.readFileSync(path.join(stacksDir, stack, "cdk.tf.json"), "utf8")) as {
      resource?: { aws_lambda_function?: Record<string, LambdaJson> };
    };
    for (const fn of Object.values(tf.resource?.aws_lambda_function ?? {})) {
      const archive = path.join(stacksDir, stack, fn.filename);
      const entries = readZip(fs.readFileSync(archive));
      const index = entries.get("index.js");
      if (!index) throw new Error(`${archive} has no index.js (entries: ${[...entries.keys()].join(", ")})`);
      const bundle = bundleByHash.get(sha256(index));
      if (!bundle) throw new Error(`no bundle under ${bundlesDir} matches index.js of ${archive}`);
      const map = `${bundle}.map`;
      out.push({
        stack,
        functionName: fn.function_name,
        environment: { ...(fn.environment?.variables ?? {}) },
        timeoutSeconds: fn.timeout ?? 3,
        handler: fn.handler,
        archive,
        bundle,
        bundleBytes: fs.statSync(bundle).size,
        sourceMapBytes: fs.existsSync(map) ? fs.statSync(map).size : 0,
        archiveBytes: fs.statSync(archive).size,
      });
    }
  }
  return out;
}

interface LambdaJson {
  function_name: string;
  filename: string;
  handler: string;
  timeout?: number;
  environment?: { variables?: Record<string, string> };
}

export function sha256(data: Buffer | string): string {
  return crypto.createHash("sha256").update(data).digest("hex");
}

/** Minimal zip reader (stored and deflated entries; what cdktf's archiver writes). */
export function readZip(buf: Buffer): Map<string, Buffer> {
  // End of central directory: signature 0x06054b50, within the last 64 KiB + 22 bytes.
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 65_557); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error("not a zip archive (no end of central directory)");
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const files = new Map<string, Buffer>();
  for (let n = 0; n < count; n++) {
    if (buf.readUInt32LE(p) !== 0x02014b50) throw new Error("corrupt zip central directory");
    const method = buf.readUInt16LE(p + 10);
    const compressedSize = buf.readUInt32LE(p + 20);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    const localOffset = buf.readUInt32LE(p + 42);
    const name = buf.toString("utf8", p + 46, p + 46 + nameLen);
    p += 46 + nameLen + extraLen + commentLen;
    if (name.endsWith("/")) continue;
    const dataStart = localOffset + 30 + buf.readUInt16LE(localOffset + 26) + buf.readUInt16LE(localOffset + 28);
    const data = buf.subarray(dataStart, dataStart + compressedSize);
    if (method === 0) files.set(name, Buffer.from(data));
    else if (method === 8) files.set(name, zlib.inflateRawSync(data));
    else throw new Error(`zip entry ${name}: compression method ${method} not supported`);
  }
  return files;
}

// ---------------------------------------------------------------------------------------------------
// Running a bundle in a child process

export interface Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/**
 * The environment of a bundle's child process: moto's confinement variables, the given credentials
 * (their account is the Lambda's account in moto), the region, then the function's own variables.
 */
export function functionEnv(
  motoEnv: Record<string, string>,
  creds: Credentials,
  region: string,
  functionVariables: Readonly<Record<string, string>>,
): Record<string, string> {
  const env: Record<string, string> = childEnv({
    ...motoEnv,
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
    AWS_ACCESS_KEY_ID: creds.accessKeyId,
    AWS_SECRET_ACCESS_KEY: creds.secretAccessKey,
    ...(creds.sessionToken ? { AWS_SESSION_TOKEN: creds.sessionToken } : {}),
    ...functionVariables,
  });
  // Nothing of jest's or the developer's node settings leaks into the "Lambda" process.
  for (const k of Object.keys(env)) {
    if (k.startsWith("JEST_") || k === "NODE_ENV" || k.startsWith("npm_")) delete env[k];
  }
  if (!("NODE_OPTIONS" in functionVariables)) delete env.NODE_OPTIONS;
  return env;
}

export interface InvokeResult {
  readonly ok: boolean;
  /** The handler's resolved value (ok) */
  readonly result?: unknown;
  /** The handler's rejection (not ok) */
  readonly error?: { name: string; message: string; stack?: string };
  /** require() of the bundle in this (fresh) process, ms */
  readonly requireMs: number;
  /** handler(event, context) until settled, ms */
  readonly handlerMs: number;
  /** Sockets the loopback guard refused (must be empty). */
  readonly blockedConnections: string[];
  /** The JSON lines the function logged (stdout and stderr), parsed. */
  readonly logs: Array<Record<string, unknown>>;
  /** Non-JSON output, for failure messages. */
  readonly rawOutput: string;
  readonly exitCode: number | null;
}

/** Runner written next to the bundles: guard, require (timed), invoke with a fake Lambda context. */
const RUNNER = String.raw`"use strict";
// e2e runner (generated by scripts/e2e/functions.ts). argv: bundle, mode (load|invoke), result file,
// event JSON, timeout ms. Writes one JSON object to the result file.
const fs = require("fs");
const net = require("net");
const blocked = [];
const LOOPBACK = new Set(["127.0.0.1", "::1", "localhost", "::ffff:127.0.0.1"]);
const originalConnect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function (...args) {
  let opts = args[0];
  if (Array.isArray(opts)) opts = opts[0];
  let host;
  if (opts !== null && typeof opts === "object") {
    if (opts.path) return originalConnect.apply(this, args);
    host = opts.host;
  } else if (typeof opts === "number" || (typeof opts === "string" && /^\d+$/.test(opts))) {
    host = typeof args[1] === "string" ? args[1] : undefined;
  } else if (typeof opts === "string") {
    return originalConnect.apply(this, args); // unix socket path
  }
  host = host === undefined ? "localhost" : String(host).replace(/^\[|\]$/g, "");
  if (!LOOPBACK.has(host)) {
    blocked.push(host + ":" + (opts && typeof opts === "object" ? opts.port : opts));
    const err = new Error("e2e loopback guard: connection to " + host + " refused (only 127.0.0.1 is allowed)");
    process.nextTick(() => this.destroy(err));
    return this;
  }
  return originalConnect.apply(this, args);
};
const [bundle, mode, resultFile, eventJson, timeoutMs] = process.argv.slice(2);
const write = (o) => fs.writeFileSync(resultFile, JSON.stringify({ ...o, blockedConnections: blocked }));
const t0 = process.hrtime.bigint();
const mod = require(bundle);
const requireMs = Number(process.hrtime.bigint() - t0) / 1e6;
if (mode === "load") {
  write({ ok: typeof mod.handler === "function", requireMs, handlerMs: 0 });
} else {
  const deadline = Date.now() + Number(timeoutMs);
  const context = {
    awsRequestId: "e2e-" + process.pid + "-" + Date.now(),
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
  const t1 = process.hrtime.bigint();
  const ms = () => Number(process.hrtime.bigint() - t1) / 1e6;
  Promise.resolve()
    .then(() => mod.handler(JSON.parse(eventJson), context))
    .then(
      (result) => write({ ok: true, result, requireMs, handlerMs: ms() }),
      (e) => write({ ok: false, error: { name: e && e.name, message: e && e.message, stack: e && e.stack }, requireMs, handlerMs: ms() }),
    );
}
`;

function runnerPath(bundle: string): string {
  // Next to the bundles (outside the bundle folders, so the archives are not affected).
  const file = path.join(path.dirname(path.dirname(bundle)), "e2e-runner.cjs");
  if (!fs.existsSync(file) || fs.readFileSync(file, "utf8") !== RUNNER) fs.writeFileSync(file, RUNNER);
  return file;
}

let resultSeq = 0;

function runChild(
  fn: Pick<SynthesizedFunction, "bundle" | "functionName" | "timeoutSeconds">,
  mode: "load" | "invoke",
  env: Record<string, string>,
  event: unknown,
  killAfterMs: number,
): Promise<InvokeResult> {
  const runner = runnerPath(fn.bundle);
  const resultFile = path.join(path.dirname(runner), `e2e-result-${process.pid}-${++resultSeq}.json`);
  fs.rmSync(resultFile, { force: true });
  const args = [runner, fn.bundle, mode, resultFile, JSON.stringify(event ?? {}), String(fn.timeoutSeconds * 1000)];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      env: { ...env, AWS_LAMBDA_FUNCTION_NAME: fn.functionName },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (c: Buffer) => (out += c.toString()));
    child.stderr.on("data", (c: Buffer) => (out += c.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), killAfterMs);
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      const logs: Array<Record<string, unknown>> = [];
      const raw: string[] = [];
      for (const line of out.split("\n")) {
        if (line.trim() === "") continue;
        try {
          const parsed = JSON.parse(line) as unknown;
          if (parsed && typeof parsed === "object") logs.push(parsed as Record<string, unknown>);
          else raw.push(line);
        } catch {
          raw.push(line);
        }
      }
      if (!fs.existsSync(resultFile)) {
        reject(new Error(`${fn.functionName}: the runner wrote no result (exit ${code}):\n${out.slice(-4000)}`));
        return;
      }
      const r = JSON.parse(fs.readFileSync(resultFile, "utf8")) as Omit<InvokeResult, "logs" | "rawOutput" | "exitCode">;
      fs.rmSync(resultFile, { force: true });
      resolve({ ...r, logs, rawOutput: raw.join("\n"), exitCode: code });
    });
  });
}

/** Loads the bundle in a fresh Node process and calls `handler(event, context)` once. */
export function invokeBundle(
  fn: Pick<SynthesizedFunction, "bundle" | "functionName" | "timeoutSeconds">,
  args: { env: Record<string, string>; event: unknown; killAfterMs?: number },
): Promise<InvokeResult> {
  return runChild(fn, "invoke", args.env, args.event, args.killAfterMs ?? 120_000);
}

/** require() time of the bundle in `runs` fresh processes (one after the other), ms. */
export async function measureColdLoad(
  fn: Pick<SynthesizedFunction, "bundle" | "functionName" | "timeoutSeconds">,
  env: Record<string, string>,
  runs: number,
): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const r = await runChild(fn, "load", env, {}, 30_000);
    if (!r.ok) throw new Error(`${fn.functionName}: the bundle exports no handler function`);
    times.push(r.requireMs);
  }
  return times;
}

export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
