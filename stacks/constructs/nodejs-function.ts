// A TypeScript Lambda function bundled with esbuild at synth time (bundling.ts), with its own least-privilege
// role, log group and tracing. Usable from any CDKTF app: nothing here reads the project config.
import * as fs from "fs";
import * as path from "path";
import { App, AssetType, TerraformAsset } from "cdktf";
import { Construct } from "constructs";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function";
import { LambdaFunctionEventInvokeConfig } from "@cdktf/provider-aws/lib/lambda-function-event-invoke-config";
import { AwsEnvironment, resolveAwsEnvironment } from "./aws-environment";
import { writeBundle } from "./bundling";
import { PolicyStatement, logWriteStatement } from "./iam";
import { serviceRole } from "./service-role";
import { PropChecks } from "./validation";

export interface NodejsFunctionProps {
  /** Lambda function name (1-64 letters, digits, hyphens, underscores); also names the role and log group. */
  readonly functionName: string;
  /** Path of the TypeScript/JavaScript entry file exporting `handler`; resolved with `path.resolve`. */
  readonly entry: string;
  /** Description of the function. @default no description */
  readonly description?: string;
  /** Environment variables; NODE_OPTIONS=--enable-source-maps is always added. @default {} */
  readonly environment?: Readonly<Record<string, string>>;
  /** Memory, MB (128-10240). @default 256 */
  readonly memorySize?: number;
  /** Seconds. @default 60 */
  readonly timeout?: number;
  /** Reserved concurrent executions; 1 serialises all invocations. @default no reservation */
  readonly reservedConcurrentExecutions?: number;
  /** Instruction set. @default "arm64" */
  readonly architecture?: "arm64" | "x86_64";
  /** X-Ray tracing mode. @default "Active" */
  readonly tracing?: "Active" | "PassThrough";
  /** Format of the function's logs. @default "JSON" */
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
    const check = new PropChecks("NodejsFunction", this);
    check.pattern("functionName", props.functionName, /^[A-Za-z0-9_-]{1,64}$/, "1-64 letters, digits, hyphens or underscores");
    check.intRange("memorySize", props.memorySize, 128, 10240);
    check.intRange("timeout", props.timeout, 1, 900);
    check.intRange("reservedConcurrentExecutions", props.reservedConcurrentExecutions, 0, 1000000);
    check.intRange("maxAsyncRetries", props.maxAsyncRetries, 0, 2);
    check.intRange("maxEventAgeSeconds", props.maxEventAgeSeconds, 60, 21600);
    const logRetentionDays = props.logRetentionDays ?? 365;
    check.logRetentionDays("logRetentionDays", logRetentionDays);

    const entry = path.resolve(props.entry);
    if (!fs.existsSync(entry) || !fs.statSync(entry).isFile()) {
      check.fail("entry", props.entry, `an existing file (resolved to ${entry})`);
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
