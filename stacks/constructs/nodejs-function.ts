// A TypeScript Lambda function bundled with esbuild at synth time, plus the plumbing every scheduled
// function in this project needs: an encrypted dead-letter queue, an EventBridge Scheduler schedule with its
// own execution role, and health alarms. Usable from any CDKTF app: nothing here reads the project config.
import * as fs from "fs";
import * as path from "path";
import { buildSync } from "esbuild";
import { App, AssetType, TerraformAsset, Token } from "cdktf";
import { Construct } from "constructs";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { CloudwatchMetricAlarm, CloudwatchMetricAlarmConfig } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import { DataAwsRegion } from "@cdktf/provider-aws/lib/data-aws-region";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function";
import { LambdaFunctionEventInvokeConfig } from "@cdktf/provider-aws/lib/lambda-function-event-invoke-config";
import { SchedulerSchedule } from "@cdktf/provider-aws/lib/scheduler-schedule";
import { SqsQueue } from "@cdktf/provider-aws/lib/sqs-queue";
import { SqsQueuePolicy } from "@cdktf/provider-aws/lib/sqs-queue-policy";
import {
  PolicyStatement,
  denyInsecureTransportStatement,
  dnsSuffixFor,
  kmsViaServiceStatement,
  logWriteStatement,
  policyDocument,
  serviceTrustPolicy,
} from "./iam";

/** CloudWatch Logs retention values the API accepts. */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

// ---------------------------------------------------------------------------------------------------------
// Account, region and partition
// ---------------------------------------------------------------------------------------------------------

/** Where a construct deploys; literal strings, or tokens read from data sources. */
export interface AwsEnvironment {
  readonly accountId: string;
  readonly region: string;
  readonly partition: string;
  /** DNS suffix of service principals and endpoints, e.g. "amazonaws.com". */
  readonly dnsSuffix: string;
}

/** Optional literal account, region and partition; whatever is missing is read from data sources. */
export interface AwsEnvironmentProps {
  /** @default read from `aws_caller_identity` */
  readonly accountId?: string;
  /** @default read from `aws_region` */
  readonly region?: string;
  /** @default read from `aws_partition` */
  readonly partition?: string;
}

/**
 * Returns the account, region and partition a construct deploys to. Literal values are preferred (they make
 * ARNs readable in the plan and let validation run at synth); missing ones come from data sources created
 * under `scope`.
 */
export function resolveAwsEnvironment(scope: Construct, props: AwsEnvironmentProps): AwsEnvironment {
  const accountId = props.accountId ?? new DataAwsCallerIdentity(scope, "caller-identity").accountId;
  // `name` is the region attribute in provider 5.x (still readable, deprecated, in 6.x).
  const region = props.region ?? new DataAwsRegion(scope, "region").name;
  if (props.partition !== undefined) {
    return { accountId, region, partition: props.partition, dnsSuffix: dnsSuffixFor(props.partition) };
  }
  const partition = new DataAwsPartition(scope, "partition");
  return { accountId, region, partition: partition.partition, dnsSuffix: partition.dnsSuffix };
}

/** Throws the error every construct here uses: `<Construct>: <field>: <value as JSON> is not valid: <allowed>`. */
export function fail(construct: string, field: string, value: unknown, allowed: string): never {
  throw new Error(`${construct}: ${field}: ${JSON.stringify(value)} is not valid: ${allowed}`);
}

/** Refuses a literal number outside min..max or not whole; undefined and tokens pass. */
export function checkIntRange(construct: string, field: string, value: number | undefined, min: number, max: number) {
  if (value === undefined || Token.isUnresolved(value)) return;
  if (!Number.isInteger(value) || value < min || value > max) {
    fail(construct, field, value, `an integer from ${min} to ${max}`);
  }
}

/** Refuses a literal string not matching `pattern`; tokens pass. */
export function checkPattern(construct: string, field: string, value: string, pattern: RegExp, allowed: string) {
  if (!Token.isUnresolved(value) && !pattern.test(value)) fail(construct, field, value, allowed);
}

function checkLogRetention(construct: string, field: string, value: number) {
  if (Token.isUnresolved(value)) return;
  if (!(LOG_RETENTION_DAYS as readonly number[]).includes(value)) {
    fail(construct, field, value, `one of ${LOG_RETENTION_DAYS.join(", ")}`);
  }
}

/**
 * A role `service` assumes (only for `sourceAccount`'s resources, when given) with one inline policy, as
 * children "role" and "role-policy" of `scope`.
 */
function serviceRole(
  scope: Construct,
  props: {
    name: string;
    description: string;
    service: string;
    sourceAccount?: string;
    policyName: string;
    statements: readonly PolicyStatement[];
    tags: Record<string, string>;
  },
): { role: IamRole; rolePolicy: IamRolePolicy; policyJson: string } {
  const role = new IamRole(scope, "role", {
    name: props.name,
    description: props.description,
    assumeRolePolicy: serviceTrustPolicy(props.service, props.sourceAccount),
    tags: props.tags,
  });
  const policyJson = policyDocument(props.statements);
  const rolePolicy = new IamRolePolicy(scope, "role-policy", {
    name: props.policyName,
    role: role.id,
    policy: policyJson,
  });
  return { role, rolePolicy, policyJson };
}

// ---------------------------------------------------------------------------------------------------------
// NodejsFunction
// ---------------------------------------------------------------------------------------------------------

export interface NodejsFunctionProps {
  /** Lambda function name (1-64 letters, digits, hyphens, underscores); also names the role and log group. */
  readonly functionName: string;
  /** Path of the TypeScript/JavaScript entry file exporting `handler`; resolved with `path.resolve`. */
  readonly entry: string;
  /** @default no description */
  readonly description?: string;
  /** Environment variables; NODE_OPTIONS=--enable-source-maps is always added. @default {} */
  readonly environment?: Readonly<Record<string, string>>;
  /** @default 256 */
  readonly memorySize?: number;
  /** Seconds. @default 60 */
  readonly timeout?: number;
  /** Reserved concurrent executions; 1 serialises all invocations. @default no reservation */
  readonly reservedConcurrentExecutions?: number;
  /** @default "arm64" */
  readonly architecture?: "arm64" | "x86_64";
  /** X-Ray tracing mode. @default "Active" */
  readonly tracing?: "Active" | "PassThrough";
  /** @default "JSON" */
  readonly logFormat?: "JSON" | "Text";
  /** Retention of the function's log group, in days (a CloudWatch Logs retention value). @default 365 */
  readonly logRetentionDays?: number;
  /** KMS key ARN encrypting the log group; its key policy must allow logs.<region>.amazonaws.com. @default no CMK */
  readonly logKmsKeyArn?: string;
  /**
   * KMS key ARN encrypting the environment variables at rest (Lambda decrypts them through a grant it
   * creates at deploy time). @default the AWS-managed aws/lambda key
   */
  readonly environmentKmsKeyArn?: string;
  /** Least-privilege statements of the function's inline role policy (logs, X-Ray and DLQ are added). */
  readonly policyStatements: readonly PolicyStatement[];
  /**
   * SQS queue ARN receiving asynchronous invocations that failed every retry. `sqs:SendMessage` on it is
   * added to the role; KMS permissions for an encrypted queue must come with `policyStatements`.
   * @default no dead-letter queue
   */
  readonly deadLetterQueueArn?: string;
  /** Retries of failed asynchronous invocations (0-2). @default 2 */
  readonly maxAsyncRetries?: number;
  /** Maximum age of an asynchronous event before it is dropped (dead-lettered), seconds (60-21600). @default 21600 */
  readonly maxEventAgeSeconds?: number;
  /** Modules left out of the bundle. @default [] (everything, AWS SDK included, is bundled and pinned) */
  readonly externalModules?: readonly string[];
  /**
   * Directory the bundle is written to (emptied first). Must not be committed.
   * @default `<app outdir>/bundles/<construct address>`
   */
  readonly bundleDir?: string;
  /**
   * Directory the source map's paths are made relative to, so that the bundle (and its hash, hence the
   * function's code version) does not depend on where the bundle was written. @default process.cwd()
   */
  readonly sourceRoot?: string;
  /** Tags for the function, role and log group. @default {} */
  readonly tags?: Readonly<Record<string, string>>;
  /** Account/region/partition used in ARNs. @default read from data sources */
  readonly environmentOf?: AwsEnvironment;
}

/**
 * esbuild writes source paths relative to the map's own folder; rewrite them relative to `sourceRoot`, so
 * that stack traces show project paths (functions/lib/x.ts:12) wherever the bundle was built.
 */
// One esbuild run per entry and options in a process: an app with one function per source account
// (or a test suite synthesizing many apps) bundles the same handler once, then copies it. The zip is
// cached too: cdktf's ARCHIVE assets start one `node` process per asset to zip it (about half a second),
// which made synth of a 20-source estate take 12 s instead of 1.
const bundleCache = new Map<string, { js: Buffer; map: Buffer; zip: Buffer; hash: string }>();

// cdktf 0.21 (its last release) keeps its zip and hash helpers in a private module; using them keeps the
// archive and the asset hash exactly what an ARCHIVE asset of the bundle folder would give.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const cdktfFs = require("cdktf/lib/private/fs") as {
  archiveSync(src: string, dest: string): void;
  hashPath(src: string): string;
};

interface Bundle {
  /** The zipped bundle, named archive.zip as an ARCHIVE asset's would be. */
  readonly zipFile: string;
  /** cdktf's hash of the bundle folder (what an ARCHIVE asset of it would carry). */
  readonly hash: string;
}

function writeBundle(bundleDir: string, entry: string, external: readonly string[], sourceRoot: string): Bundle {
  fs.rmSync(bundleDir, { recursive: true, force: true });
  fs.mkdirSync(bundleDir, { recursive: true });
  const js = path.join(bundleDir, "index.js");
  const map = path.join(bundleDir, "index.js.map");
  const zipDir = `${bundleDir}.zip`;
  fs.rmSync(zipDir, { recursive: true, force: true });
  fs.mkdirSync(zipDir, { recursive: true });
  const zipFile = path.join(zipDir, "archive.zip");
  const key = JSON.stringify([entry, external, sourceRoot]);
  const cached = bundleCache.get(key);
  if (cached) {
    fs.writeFileSync(js, cached.js);
    fs.writeFileSync(map, cached.map);
    fs.writeFileSync(zipFile, cached.zip);
    return { zipFile, hash: cached.hash };
  }
  buildSync({
    entryPoints: [entry],
    outfile: js,
    bundle: true,
    platform: "node",
    target: "node22",
    format: "cjs",
    sourcemap: true,
    // Stack traces need only the mappings; leaving the sources out keeps the map (parsed at cold start) small.
    sourcesContent: false,
    minify: true,
    external: [...external],
    logLevel: "silent",
  });
  normaliseSourceMap(map, sourceRoot);
  cdktfFs.archiveSync(bundleDir, zipFile);
  const hash = cdktfFs.hashPath(bundleDir);
  bundleCache.set(key, { js: fs.readFileSync(js), map: fs.readFileSync(map), zip: fs.readFileSync(zipFile), hash });
  return { zipFile, hash };
}

function normaliseSourceMap(mapFile: string, sourceRoot: string): void {
  const map = JSON.parse(fs.readFileSync(mapFile, "utf8")) as { sources: string[] };
  map.sources = map.sources.map((s) =>
    path.relative(sourceRoot, path.resolve(path.dirname(mapFile), s)).split(path.sep).join("/"),
  );
  fs.writeFileSync(mapFile, JSON.stringify(map));
}

/**
 * A Node.js 22 Lambda function bundled by esbuild at synth time (bundle, cjs, node22, minified, source maps),
 * deployed as a TerraformAsset archive, with its own role (inline least-privilege policy), log group (retention,
 * optional CMK), X-Ray tracing, optional reserved concurrency and dead-letter queue.
 */
export class NodejsFunction extends Construct {
  public readonly lambda: LambdaFunction;
  public readonly role: IamRole;
  public readonly rolePolicy: IamRolePolicy;
  public readonly logGroup: CloudwatchLogGroup;
  public readonly asset: TerraformAsset;
  public readonly eventInvokeConfig: LambdaFunctionEventInvokeConfig;
  /** Function name (literal, as given). */
  public readonly functionName: string;
  public readonly functionArn: string;
  public readonly roleArn: string;
  public readonly logGroupName: string;
  /** Absolute path of the directory holding the bundle (index.js, index.js.map). */
  public readonly bundleDir: string;
  /** The rendered inline role policy (JSON). */
  public readonly policyJson: string;

  constructor(scope: Construct, id: string, props: NodejsFunctionProps) {
    super(scope, id);
    const name = "NodejsFunction";
    checkPattern(name, "functionName", props.functionName, /^[A-Za-z0-9_-]{1,64}$/,
      "1-64 letters, digits, hyphens or underscores");
    checkIntRange(name, "memorySize", props.memorySize, 128, 10240);
    checkIntRange(name, "timeout", props.timeout, 1, 900);
    checkIntRange(name, "reservedConcurrentExecutions", props.reservedConcurrentExecutions, 0, 1000000);
    checkIntRange(name, "maxAsyncRetries", props.maxAsyncRetries, 0, 2);
    checkIntRange(name, "maxEventAgeSeconds", props.maxEventAgeSeconds, 60, 21600);
    const logRetentionDays = props.logRetentionDays ?? 365;
    checkLogRetention(name, "logRetentionDays", logRetentionDays);

    const entry = path.resolve(props.entry);
    if (!fs.existsSync(entry) || !fs.statSync(entry).isFile()) {
      fail(name, "entry", props.entry, `an existing file (resolved to ${entry})`);
    }
    const env = props.environmentOf ?? resolveAwsEnvironment(this, {});
    const tags = { ...(props.tags ?? {}) };
    this.functionName = props.functionName;

    // Bundle at synth time. The default location is under the app's outdir, keyed by the construct
    // address, so parallel apps (tests) never share a folder and the bundle is never committed.
    this.bundleDir = path.resolve(
      props.bundleDir ?? path.join(App.of(this).outdir, "bundles", this.node.addr),
    );
    const bundle = writeBundle(this.bundleDir, entry, props.externalModules ?? [], path.resolve(props.sourceRoot ?? process.cwd()));
    this.asset = new TerraformAsset(this, "asset", { path: bundle.zipFile, type: AssetType.FILE, assetHash: bundle.hash });

    this.logGroup = new CloudwatchLogGroup(this, "log-group", {
      name: `/aws/lambda/${props.functionName}`,
      retentionInDays: logRetentionDays,
      kmsKeyId: props.logKmsKeyArn,
      tags,
    });
    this.logGroupName = this.logGroup.name;

    const tracing = props.tracing ?? "Active";
    const statements: PolicyStatement[] = [
      logWriteStatement(
        `arn:${env.partition}:logs:${env.region}:${env.accountId}:log-group:/aws/lambda/${props.functionName}`,
      ),
    ];
    if (tracing === "Active") {
      // WILDCARD: xray:PutTraceSegments and xray:PutTelemetryRecords support no resource-level permissions.
      statements.push({
        Sid: "XRayNoResourceLevelPermissions",
        Action: ["xray:PutTraceSegments", "xray:PutTelemetryRecords"],
        Resource: "*",
      });
    }
    if (props.deadLetterQueueArn !== undefined) {
      statements.push({ Sid: "SendToDeadLetterQueue", Action: "sqs:SendMessage", Resource: props.deadLetterQueueArn });
    }
    statements.push(...props.policyStatements);
    ({ role: this.role, rolePolicy: this.rolePolicy, policyJson: this.policyJson } = serviceRole(this, {
      name: props.functionName,
      description: `Execution role of Lambda function ${props.functionName}`,
      service: "lambda.amazonaws.com",
      policyName: "least-privilege",
      statements,
      tags,
    }));
    this.roleArn = this.role.arn;

    this.lambda = new LambdaFunction(this, "function", {
      functionName: props.functionName,
      description: props.description,
      role: this.role.arn,
      runtime: "nodejs22.x",
      handler: "index.handler",
      architectures: [props.architecture ?? "arm64"],
      filename: this.asset.path,
      sourceCodeHash: this.asset.assetHash,
      memorySize: props.memorySize ?? 256,
      timeout: props.timeout ?? 60,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      environment: {
        variables: { ...(props.environment ?? {}), NODE_OPTIONS: "--enable-source-maps" },
      },
      kmsKeyArn: props.environmentKmsKeyArn,
      tracingConfig: { mode: tracing },
      loggingConfig: { logFormat: props.logFormat ?? "JSON", logGroup: this.logGroup.name },
      deadLetterConfig: props.deadLetterQueueArn !== undefined ? { targetArn: props.deadLetterQueueArn } : undefined,
      tags,
      // The role must be able to write logs (and reach its DLQ) before the first invocation.
      dependsOn: [this.rolePolicy],
    });
    this.functionArn = this.lambda.arn;

    this.eventInvokeConfig = new LambdaFunctionEventInvokeConfig(this, "async-config", {
      functionName: this.lambda.functionName,
      maximumRetryAttempts: props.maxAsyncRetries ?? 2,
      maximumEventAgeInSeconds: props.maxEventAgeSeconds ?? 21600,
    });
  }
}

// ---------------------------------------------------------------------------------------------------------
// Encrypted dead-letter queue
// ---------------------------------------------------------------------------------------------------------

export interface DeadLetterQueueProps {
  /** Queue name (1-80 letters, digits, hyphens, underscores). */
  readonly queueName: string;
  /** KMS key ARN encrypting the queue. Senders need kms:GenerateDataKey and kms:Decrypt on it. */
  readonly kmsKeyArn: string;
  /** @default 1209600 (14 days, the maximum) */
  readonly messageRetentionSeconds?: number;
  /** @default {} */
  readonly tags?: Readonly<Record<string, string>>;
}

/** A standard SQS queue encrypted with a customer-managed KMS key, TLS-only, keeping messages 14 days. */
export class DeadLetterQueue extends Construct {
  public readonly queue: SqsQueue;
  public readonly queueArn: string;
  public readonly queueName: string;
  public readonly queueUrl: string;
  public readonly kmsKeyArn: string;

  constructor(scope: Construct, id: string, props: DeadLetterQueueProps) {
    super(scope, id);
    checkPattern("DeadLetterQueue", "queueName", props.queueName, /^[A-Za-z0-9_-]{1,80}$/,
      "1-80 letters, digits, hyphens or underscores");
    checkIntRange("DeadLetterQueue", "messageRetentionSeconds", props.messageRetentionSeconds, 60, 1209600);
    this.kmsKeyArn = props.kmsKeyArn;
    this.queue = new SqsQueue(this, "queue", {
      name: props.queueName,
      kmsMasterKeyId: props.kmsKeyArn,
      kmsDataKeyReusePeriodSeconds: 300,
      messageRetentionSeconds: props.messageRetentionSeconds ?? 1209600,
      tags: { ...(props.tags ?? {}) },
    });
    this.queueArn = this.queue.arn;
    this.queueName = this.queue.name;
    this.queueUrl = this.queue.url;
    // Same-account senders are authorised by their IAM roles; the queue policy only refuses plain HTTP.
    new SqsQueuePolicy(this, "policy", {
      queueUrl: this.queue.url,
      policy: policyDocument([denyInsecureTransportStatement(this.queue.arn, "sqs:*")]),
    });
  }
}

// ---------------------------------------------------------------------------------------------------------
// EventBridge Scheduler schedule invoking a function
// ---------------------------------------------------------------------------------------------------------

export interface FunctionScheduleProps {
  /** Schedule name (1-64 letters, digits, . - _). */
  readonly scheduleName: string;
  /** Name of the execution role (at most 64 characters). @default `<scheduleName>-scheduler` */
  readonly roleName?: string;
  /** The function to invoke. */
  readonly target: NodejsFunction;
  /** `rate(...)`, `cron(...)` or `at(...)` expression. */
  readonly scheduleExpression: string;
  /** IANA time zone of the expression. @default "UTC" */
  readonly scheduleTimezone?: string;
  /** JSON passed to the function as its event. @default no input */
  readonly input?: string;
  /** Encrypted queue receiving invocations Scheduler could not deliver after its retries. */
  readonly deadLetterQueue: DeadLetterQueue;
  /** Retries of a failed delivery (0-185). @default 3 */
  readonly maximumRetryAttempts?: number;
  /** Maximum age of an undelivered event, seconds (60-86400). @default 3600 */
  readonly maximumEventAgeSeconds?: number;
  /** @default no description */
  readonly description?: string;
  /** @default {} (schedules take no tags; applied to the role) */
  readonly tags?: Readonly<Record<string, string>>;
  /** @default read from data sources */
  readonly environmentOf?: AwsEnvironment;
}

/**
 * An EventBridge Scheduler schedule with flexible window off, a retry policy and a KMS-encrypted dead-letter
 * queue, invoking one function through its own execution role (lambda:InvokeFunction on that function only,
 * sqs:SendMessage on the DLQ, and KMS on the DLQ key through SQS only).
 */
export class FunctionSchedule extends Construct {
  public readonly schedule: SchedulerSchedule;
  public readonly role: IamRole;
  public readonly rolePolicy: IamRolePolicy;
  public readonly scheduleArn: string;
  public readonly roleArn: string;
  /** The rendered inline policy of the execution role (JSON). */
  public readonly policyJson: string;

  constructor(scope: Construct, id: string, props: FunctionScheduleProps) {
    super(scope, id);
    const name = "FunctionSchedule";
    checkPattern(name, "scheduleName", props.scheduleName, /^[0-9A-Za-z_.-]{1,64}$/,
      "1-64 letters, digits, '.', '-' or '_'");
    checkPattern(name, "scheduleExpression", props.scheduleExpression, /^(rate|cron|at)\(.+\)$/,
      "rate(...), cron(...) or at(...)");
    const roleName = props.roleName ?? `${props.scheduleName}-scheduler`;
    checkPattern(name, "roleName", roleName, /^[\w+=,.@-]{1,64}$/,
      "1-64 letters, digits or +=,.@_- (shorten scheduleName or set roleName)");
    checkIntRange(name, "maximumRetryAttempts", props.maximumRetryAttempts, 0, 185);
    checkIntRange(name, "maximumEventAgeSeconds", props.maximumEventAgeSeconds, 60, 86400);
    const env = props.environmentOf ?? resolveAwsEnvironment(this, {});

    ({ role: this.role, rolePolicy: this.rolePolicy, policyJson: this.policyJson } = serviceRole(this, {
      name: roleName,
      description: `EventBridge Scheduler execution role of schedule ${props.scheduleName}`,
      service: "scheduler.amazonaws.com",
      // aws:SourceAccount keeps another account's schedules from using this role (confused deputy).
      sourceAccount: env.accountId,
      policyName: "invoke-target",
      statements: [
        { Sid: "InvokeTargetFunction", Action: "lambda:InvokeFunction", Resource: props.target.functionArn },
        // Scheduler delivers dead-letter events with the execution role (Scheduler user guide, "Configuring a
        // schedule's dead-letter queue"), so the role needs SendMessage and the queue key through SQS.
        { Sid: "SendToDeadLetterQueue", Action: "sqs:SendMessage", Resource: props.deadLetterQueue.queueArn },
        kmsViaServiceStatement("EncryptDeadLetterMessages", props.deadLetterQueue.kmsKeyArn, [
          `sqs.${env.region}.${env.dnsSuffix}`,
        ]),
      ],
      tags: { ...(props.tags ?? {}) },
    }));
    this.roleArn = this.role.arn;

    this.schedule = new SchedulerSchedule(this, "schedule", {
      name: props.scheduleName,
      description: props.description,
      scheduleExpression: props.scheduleExpression,
      scheduleExpressionTimezone: props.scheduleTimezone ?? "UTC",
      state: "ENABLED",
      flexibleTimeWindow: { mode: "OFF" },
      target: {
        arn: props.target.functionArn,
        roleArn: this.role.arn,
        input: props.input,
        retryPolicy: {
          maximumRetryAttempts: props.maximumRetryAttempts ?? 3,
          maximumEventAgeInSeconds: props.maximumEventAgeSeconds ?? 3600,
        },
        deadLetterConfig: { arn: props.deadLetterQueue.queueArn },
      },
      dependsOn: [this.rolePolicy],
    });
    this.scheduleArn = this.schedule.arn;
  }
}

// ---------------------------------------------------------------------------------------------------------
// Health alarms
// ---------------------------------------------------------------------------------------------------------

/** What {@link notifyingAlarm} takes: an alarm's config without the comparison and the actions it sets. */
export type NotifyingAlarmConfig = Omit<
  CloudwatchMetricAlarmConfig,
  "comparisonOperator" | "alarmActions" | "okActions" | "evaluationPeriods"
> & {
  /** @default 1 */
  readonly evaluationPeriods?: number;
};

/**
 * A "metric > threshold" alarm notifying `topicArn` on ALARM and on OK. Missing data is not breaching
 * unless `treatMissingData` says otherwise.
 */
export function notifyingAlarm(
  scope: Construct,
  id: string,
  topicArn: string,
  config: NotifyingAlarmConfig,
): CloudwatchMetricAlarm {
  return new CloudwatchMetricAlarm(scope, id, {
    evaluationPeriods: 1,
    treatMissingData: "notBreaching",
    ...config,
    comparisonOperator: "GreaterThanThreshold",
    alarmActions: [topicArn],
    okActions: [topicArn],
  });
}

export interface FunctionAlarmsProps {
  /** Prefix of the alarm names, e.g. the function name. */
  readonly alarmNamePrefix: string;
  readonly target: NodejsFunction;
  /** Queues whose visible messages mean lost invocations. @default [] */
  readonly deadLetterQueues?: readonly DeadLetterQueue[];
  /** SNS topic ARN notified on ALARM and OK. */
  readonly alarmTopicArn: string;
  /**
   * Throttles tolerated per hour before alarming. Throttled asynchronous invocations are retried by Lambda,
   * so a few are harmless when reserved concurrency serialises overlapping triggers. @default 0
   */
  readonly throttlesPerHourThreshold?: number;
  /** @default {} */
  readonly tags?: Readonly<Record<string, string>>;
}

/** Alarms on a function's Errors (> 0 in 5 minutes), Throttles and on visible messages in its DLQs. */
export class FunctionAlarms extends Construct {
  public readonly errors: CloudwatchMetricAlarm;
  public readonly throttles: CloudwatchMetricAlarm;
  public readonly deadLetterQueues: CloudwatchMetricAlarm[];

  constructor(scope: Construct, id: string, props: FunctionAlarmsProps) {
    super(scope, id);
    const tags = { ...(props.tags ?? {}) };
    const topic = props.alarmTopicArn;
    const lambdaMetric = {
      namespace: "AWS/Lambda",
      dimensions: { FunctionName: props.target.lambda.functionName },
      statistic: "Sum",
    };
    this.errors = notifyingAlarm(this, "errors", topic, {
      alarmName: `${props.alarmNamePrefix}-errors`,
      alarmDescription: `Lambda ${props.target.functionName} failed an invocation (work failed or the code crashed).`,
      ...lambdaMetric,
      metricName: "Errors",
      period: 300,
      threshold: 0,
      tags,
    });
    this.throttles = notifyingAlarm(this, "throttles", topic, {
      alarmName: `${props.alarmNamePrefix}-throttles`,
      alarmDescription: `Lambda ${props.target.functionName} is being throttled.`,
      ...lambdaMetric,
      metricName: "Throttles",
      period: 3600,
      threshold: props.throttlesPerHourThreshold ?? 0,
      tags,
    });
    this.deadLetterQueues = (props.deadLetterQueues ?? []).map((dlq, i) =>
      notifyingAlarm(this, `dlq-${i}`, topic, {
        alarmName: `${props.alarmNamePrefix}-dlq${i === 0 ? "" : `-${i}`}-not-empty`,
        alarmDescription: `Dead-letter queue of ${props.target.functionName} holds undelivered or failed invocations.`,
        namespace: "AWS/SQS",
        metricName: "ApproximateNumberOfMessagesVisible",
        dimensions: { QueueName: dlq.queueName },
        statistic: "Maximum",
        period: 300,
        threshold: 0,
        tags,
      }),
    );
  }
}
