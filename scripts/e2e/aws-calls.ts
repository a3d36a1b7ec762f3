// STS, SQS and EventBridge calls the emulator tests need, made against moto with a small SigV4-signed HTTP
// client: no JS SDK clients for STS, SQS or EventBridge are dependencies of this project. moto does not check
// signatures, but they are valid.
import * as crypto from "crypto";
import * as http from "http";
import { sha256, type Credentials } from "./functions";

function hmac(key: Buffer | string, data: string): Buffer {
  return crypto.createHmac("sha256", key).update(data, "utf8").digest();
}

/** AWS Signature Version 4 headers for a POST to `endpoint`/ with `body`. */
export function signV4(args: {
  endpoint: string;
  region: string;
  service: string;
  body: string;
  headers: Record<string, string>;
  creds: Credentials;
  now?: Date;
}): Record<string, string> {
  const url = new URL(args.endpoint);
  const amzDate = (args.now ?? new Date()).toISOString().replace(/[:-]|\.\d{3}/g, "");
  const date = amzDate.slice(0, 8);
  const headers: Record<string, string> = {
    ...Object.fromEntries(Object.entries(args.headers).map(([k, v]) => [k.toLowerCase(), v])),
    host: url.host,
    "x-amz-date": amzDate,
    ...(args.creds.sessionToken ? { "x-amz-security-token": args.creds.sessionToken } : {}),
  };
  const names = Object.keys(headers).sort();
  const canonicalHeaders = names.map((k) => `${k}:${headers[k].trim()}\n`).join("");
  const signedHeaders = names.join(";");
  const canonicalRequest = ["POST", url.pathname || "/", "", canonicalHeaders, signedHeaders, sha256(args.body)].join("\n");
  const scope = `${date}/${args.region}/${args.service}/aws4_request`;
  const stringToSign = ["AWS4-HMAC-SHA256", amzDate, scope, sha256(canonicalRequest)].join("\n");
  let key = hmac(`AWS4${args.creds.secretAccessKey}`, date);
  for (const part of [args.region, args.service, "aws4_request"]) key = hmac(key, part);
  const signature = crypto.createHmac("sha256", key).update(stringToSign, "utf8").digest("hex");
  return {
    ...headers,
    authorization: `AWS4-HMAC-SHA256 Credential=${args.creds.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`,
  };
}

function post(endpoint: string, headers: Record<string, string>, body: string): Promise<{ status: number; body: string }> {
  const url = new URL(endpoint);
  if (url.hostname !== "127.0.0.1" && url.hostname !== "localhost") {
    return Promise.reject(new Error(`refusing to send a request to ${url.hostname}: the e2e helpers talk to loopback only`));
  }
  return new Promise((resolve, reject) => {
    const req = http.request(
      { hostname: url.hostname, port: url.port, path: url.pathname || "/", method: "POST", headers: { ...headers, "content-length": Buffer.byteLength(body) }, agent: false, timeout: 15_000 },
      (res) => {
        let text = "";
        res.on("data", (c: Buffer) => (text += c.toString()));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on("timeout", () => req.destroy(new Error("request timed out")));
    req.on("error", reject);
    req.end(body);
  });
}

const BASE_CREDS: Credentials = { accessKeyId: "test", secretAccessKey: "test" };

function xmlValue(xml: string, tag: string): string | undefined {
  return new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(xml)?.[1];
}

/** STS AssumeRole against moto; moto puts everything done with the returned keys in the role's account. */
export async function assumeRole(endpoint: string, roleArn: string, region = "us-east-1", sessionName = "e2e-functions"): Promise<Credentials> {
  const body = new URLSearchParams({ Action: "AssumeRole", Version: "2011-06-15", RoleArn: roleArn, RoleSessionName: sessionName }).toString();
  const headers = signV4({ endpoint, region, service: "sts", body, creds: BASE_CREDS, headers: { "content-type": "application/x-www-form-urlencoded; charset=utf-8" } });
  const res = await post(endpoint, headers, body);
  const accessKeyId = xmlValue(res.body, "AccessKeyId");
  const secretAccessKey = xmlValue(res.body, "SecretAccessKey");
  const sessionToken = xmlValue(res.body, "SessionToken");
  if (res.status !== 200 || !accessKeyId || !secretAccessKey) throw new Error(`AssumeRole ${roleArn}: HTTP ${res.status}: ${res.body.slice(0, 500)}`);
  return { accessKeyId, secretAccessKey, sessionToken };
}

/** One call of an AWS JSON-protocol service (`X-Amz-Target: <targetPrefix>.<action>`) against moto. */
export async function awsJson<T = Record<string, unknown>>(
  endpoint: string,
  creds: Credentials,
  region: string,
  api: { service: string; targetPrefix: string; jsonVersion: "1.0" | "1.1" },
  action: string,
  input: Record<string, unknown>,
): Promise<T> {
  const body = JSON.stringify(input);
  const headers = signV4({
    endpoint,
    region,
    service: api.service,
    body,
    creds,
    headers: { "content-type": `application/x-amz-json-${api.jsonVersion}`, "x-amz-target": `${api.targetPrefix}.${action}` },
  });
  const res = await post(endpoint, headers, body);
  if (res.status !== 200) throw new Error(`${api.service} ${action}: HTTP ${res.status}: ${res.body.slice(0, 500)}`);
  return (res.body ? JSON.parse(res.body) : {}) as T;
}

/** A caller of one JSON-protocol API against moto: `(endpoint, creds, region, action, input)`. */
function jsonApi(api: { service: string; targetPrefix: string; jsonVersion: "1.0" | "1.1" }) {
  return <T = Record<string, unknown>>(endpoint: string, creds: Credentials, region: string, action: string, input: Record<string, unknown>): Promise<T> =>
    awsJson<T>(endpoint, creds, region, api, action, input);
}

/** One SQS JSON-protocol call (AmazonSQS.<action>) against moto. */
export const sqs = jsonApi({ service: "sqs", targetPrefix: "AmazonSQS", jsonVersion: "1.0" });

/** One EventBridge call (AWSEvents.<action>, JSON 1.1) against moto: the project has no EventBridge SDK client. */
export const eventBridge = jsonApi({ service: "events", targetPrefix: "AWSEvents", jsonVersion: "1.1" });

/** Every message currently in the queue (received until an empty receive), bodies parsed as SNS envelopes when they are. */
export async function drainQueue(
  endpoint: string,
  creds: Credentials,
  region: string,
  queueUrl: string,
): Promise<Array<{ Subject?: string; Message?: string; TopicArn?: string; raw: string }>> {
  const out: Array<{ Subject?: string; Message?: string; TopicArn?: string; raw: string }> = [];
  for (;;) {
    const res = await sqs<{ Messages?: Array<{ Body: string; ReceiptHandle: string }> }>(endpoint, creds, region, "ReceiveMessage", {
      QueueUrl: queueUrl,
      MaxNumberOfMessages: 10,
      WaitTimeSeconds: 0,
    });
    const messages = res.Messages ?? [];
    if (messages.length === 0) return out;
    for (const m of messages) {
      let parsed: { Subject?: string; Message?: string; TopicArn?: string } = {};
      try {
        parsed = JSON.parse(m.Body) as typeof parsed;
      } catch {
        /* not an SNS envelope */
      }
      out.push({ ...parsed, raw: m.Body });
      await sqs(endpoint, creds, region, "DeleteMessage", { QueueUrl: queueUrl, ReceiptHandle: m.ReceiptHandle });
    }
  }
}
