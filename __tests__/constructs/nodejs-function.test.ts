import * as fs from "fs";
import * as path from "path";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function";
import { LambdaFunctionEventInvokeConfig } from "@cdktf/provider-aws/lib/lambda-function-event-invoke-config";
import { SchedulerSchedule } from "@cdktf/provider-aws/lib/scheduler-schedule";
import { SqsQueue } from "@cdktf/provider-aws/lib/sqs-queue";
import { resolveAwsEnvironment } from "../../stacks/constructs/aws-environment";
import { DeadLetterQueue } from "../../stacks/constructs/dead-letter-queue";
import { FunctionAlarms } from "../../stacks/constructs/function-alarms";
import { FunctionSchedule } from "../../stacks/constructs/function-schedule";
import { NodejsFunction, NodejsFunctionProps } from "../../stacks/constructs/nodejs-function";
import {
  ACCOUNT,
  ENV,
  FIXTURE_ENTRY,
  KMS_KEY,
  REGION,
  list,
  policy,
  statement,
  synth,
  wildcardSids,
} from "./fixtures/nodejs-function-helpers";

const BASE: NodejsFunctionProps = {
  functionName: "test-fn",
  entry: FIXTURE_ENTRY,
  policyStatements: [{ Sid: "ReadOneBucket", Action: "s3:GetObject", Resource: "arn:aws:s3:::bucket/*" }],
  environmentOf: { ...ENV, dnsSuffix: "amazonaws.com" },
};

describe("NodejsFunction", () => {
  let fn: NodejsFunction | undefined;
  const synthesized = synth((stack) => {
    fn = new NodejsFunction(stack, "fn", {
      ...BASE,
      environment: { GREETING: "hello" },
      reservedConcurrentExecutions: 1,
      timeout: 30,
      memorySize: 512,
      logRetentionDays: 30,
      logKmsKeyArn: KMS_KEY,
      deadLetterQueueArn: `arn:aws:sqs:${REGION}:${ACCOUNT}:test-dlq`,
    });
  });

  test("bundles the entry with esbuild into a loadable CommonJS file with a source map", async () => {
    const bundle = path.join(fn!.bundleDir, "index.js");
    expect(fs.readdirSync(fn!.bundleDir).sort()).toEqual(["index.js", "index.js.map"]);
    expect(fs.readFileSync(bundle, "utf8")).toContain("sourceMappingURL=index.js.map");
    // The bundle is real code: load it and call the handler.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require(bundle) as { handler: (e: unknown) => Promise<{ received: unknown }> };
    await expect(mod.handler({ ping: 1 })).resolves.toMatchObject({ received: { ping: 1 } });
    // Bundles go under the app's outdir, never into the source tree.
    expect(fn!.bundleDir.startsWith(path.resolve(__dirname, "../.."))).toBe(false);
  });

  test("the bundle does not depend on where it is written: same hash from another outdir, project-relative map", () => {
    let again: NodejsFunction | undefined;
    synth((stack) => {
      again = new NodejsFunction(stack, "fn", {
        ...BASE,
        environment: { GREETING: "hello" },
      });
    });
    expect(again!.bundleDir).not.toBe(fn!.bundleDir);
    expect(again!.asset.assetHash).toBe(fn!.asset.assetHash);
    const map = JSON.parse(fs.readFileSync(path.join(fn!.bundleDir, "index.js.map"), "utf8"));
    expect(map.sources).toEqual(["__tests__/constructs/fixtures/nodejs-function-fixture.ts"]);
    expect(map.sourcesContent).toBeUndefined();
  });

  test("deploys the archive as a nodejs22.x function with source maps, tracing, JSON logs and its props", () => {
    expect(synthesized.json).toHaveResourceWithProperties(LambdaFunction, {
      function_name: "test-fn",
      runtime: "nodejs22.x",
      handler: "index.handler",
      architectures: ["arm64"],
      source_code_hash: fn!.asset.assetHash,
      reserved_concurrent_executions: 1,
      timeout: 30,
      memory_size: 512,
      environment: { variables: { GREETING: "hello", NODE_OPTIONS: "--enable-source-maps" } },
      tracing_config: { mode: "Active" },
      dead_letter_config: { target_arn: `arn:aws:sqs:${REGION}:${ACCOUNT}:test-dlq` },
    });
    const lambda = synthesized.resource("aws_lambda_function");
    expect(lambda.filename).toMatch(/^assets\/.+\/archive\.zip$/);
    expect(lambda.logging_config).toEqual({ log_format: "JSON", log_group: synthesized.ref("aws_cloudwatch_log_group", "fn", "name") });
    expect(lambda.depends_on).toEqual([synthesized.address("aws_iam_role_policy", "fn")]);
  });

  test("creates its log group with retention and KMS key", () => {
    expect(synthesized.json).toHaveResourceWithProperties(CloudwatchLogGroup, {
      name: "/aws/lambda/test-fn",
      retention_in_days: 30,
      kms_key_id: KMS_KEY,
    });
  });

  test("role policy: own log group, X-Ray (the only wildcard), DLQ, then the caller's statements", () => {
    const doc = policy(synthesized.resource("aws_iam_role_policy").policy);
    expect(doc.Statement.map((s) => s.Sid)).toEqual([
      "WriteOwnLogGroup",
      "XRayNoResourceLevelPermissions",
      "SendToDeadLetterQueue",
      "ReadOneBucket",
    ]);
    expect(statement(doc, "WriteOwnLogGroup")).toEqual({
      Sid: "WriteOwnLogGroup",
      Effect: "Allow",
      Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
      Resource: `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws/lambda/test-fn:*`,
    });
    expect(list(statement(doc, "XRayNoResourceLevelPermissions").Action)).toEqual([
      "xray:PutTelemetryRecords",
      "xray:PutTraceSegments",
    ]);
    expect(statement(doc, "SendToDeadLetterQueue").Resource).toBe(`arn:aws:sqs:${REGION}:${ACCOUNT}:test-dlq`);
    expect(wildcardSids(doc)).toEqual(["XRayNoResourceLevelPermissions"]);
  });

  test("trust policy lets only Lambda assume the role", () => {
    const trust = policy(synthesized.resource("aws_iam_role").assume_role_policy);
    expect(trust.Statement).toEqual([
      { Sid: "AssumeByService", Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" },
    ]);
  });

  test("sets asynchronous retries and event age explicitly", () => {
    expect(synthesized.json).toHaveResourceWithProperties(LambdaFunctionEventInvokeConfig, {
      maximum_retry_attempts: 2,
      maximum_event_age_in_seconds: 21600,
    });
  });

  test("without tracing there is no X-Ray statement, hence no wildcard", () => {
    const s = synth((stack) => new NodejsFunction(stack, "fn", { ...BASE, tracing: "PassThrough" }));
    const doc = policy(s.resource("aws_iam_role_policy").policy);
    expect(wildcardSids(doc)).toEqual([]);
    expect(s.resource("aws_lambda_function").tracing_config).toEqual({ mode: "PassThrough" });
  });

  test("reads account, region and partition from data sources when not given", () => {
    const s = synth((stack) => new NodejsFunction(stack, "fn", { ...BASE, environmentOf: undefined }));
    expect(Object.keys(s.dataSources("aws_caller_identity"))).toHaveLength(1);
    const doc = policy(s.resource("aws_iam_role_policy").policy);
    expect(statement(doc, "WriteOwnLogGroup").Resource).toMatch(
      /^arn:\$\{data\.aws_partition\..+\.partition\}:logs:\$\{data\.aws_region\..+\.name\}:\$\{data\.aws_caller_identity\..+\.account_id\}:log-group:\/aws\/lambda\/test-fn:\*$/,
    );
  });

  test.each([
    [{ entry: "does/not/exist.ts" }, /entry: "does\/not\/exist.ts" is not valid: an existing file/],
    [{ functionName: "bad name" }, /functionName: "bad name" is not valid/],
    [{ logRetentionDays: 10 }, /logRetentionDays: 10 is not valid: one of 1, 3, 5/],
    [{ timeout: 901 }, /timeout: 901 is not valid: an integer from 1 to 900/],
  ])("refuses bad props %j", (override, message) => {
    expect(() => synth((stack) => new NodejsFunction(stack, "fn", { ...BASE, ...override }))).toThrow(message);
  });
});

describe("DeadLetterQueue, FunctionSchedule, FunctionAlarms", () => {
  const synthesized = synth((stack) => {
    const env = resolveAwsEnvironment(stack, ENV);
    const fn = new NodejsFunction(stack, "fn", { ...BASE, environmentOf: env });
    const dlq = new DeadLetterQueue(stack, "dlq", { queueName: "test-dlq", kmsKeyArn: KMS_KEY });
    new FunctionSchedule(stack, "schedule", {
      scheduleName: "test-schedule",
      target: fn,
      scheduleExpression: "cron(0 2 * * ? *)",
      scheduleTimezone: "Europe/Zurich",
      input: '{"trigger":"schedule"}',
      deadLetterQueue: dlq,
      environmentOf: env,
    });
    new FunctionAlarms(stack, "alarms", {
      alarmNamePrefix: "test-fn",
      target: fn,
      deadLetterQueues: [dlq],
      alarmTopicArn: `arn:aws:sns:${REGION}:${ACCOUNT}:alerts`,
    });
  });

  test("the DLQ is KMS-encrypted, keeps 14 days and refuses plain HTTP", () => {
    expect(synthesized.json).toHaveResourceWithProperties(SqsQueue, {
      name: "test-dlq",
      kms_master_key_id: KMS_KEY,
      message_retention_seconds: 1209600,
    });
    const doc = policy(synthesized.resource("aws_sqs_queue_policy").policy);
    expect(doc.Statement).toEqual([
      {
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: "*",
        Action: "sqs:*",
        Resource: synthesized.ref("aws_sqs_queue", "dlq", "arn"),
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      },
    ]);
  });

  test("the schedule has flexible window off, the time zone, input, retry policy and DLQ", () => {
    expect(synthesized.json).toHaveResourceWithProperties(SchedulerSchedule, {
      name: "test-schedule",
      schedule_expression: "cron(0 2 * * ? *)",
      schedule_expression_timezone: "Europe/Zurich",
      state: "ENABLED",
      flexible_time_window: { mode: "OFF" },
      target: {
        arn: synthesized.ref("aws_lambda_function", "fn", "arn"),
        role_arn: synthesized.ref("aws_iam_role", "schedule", "arn"),
        input: '{"trigger":"schedule"}',
        retry_policy: { maximum_retry_attempts: 3, maximum_event_age_in_seconds: 3600 },
        dead_letter_config: { arn: synthesized.ref("aws_sqs_queue", "dlq", "arn") },
      },
    });
  });

  test("the schedule's role may invoke this function only, dead-letter to its DLQ, and use the key via SQS", () => {
    const roles = synthesized.resources("aws_iam_role");
    const schedulerRole = Object.values(roles).find((r) => r.name === "test-schedule-scheduler")!;
    expect(policy(schedulerRole.assume_role_policy).Statement).toEqual([
      {
        Sid: "AssumeByService",
        Effect: "Allow",
        Principal: { Service: "scheduler.amazonaws.com" },
        Action: "sts:AssumeRole",
        Condition: { StringEquals: { "aws:SourceAccount": ACCOUNT } },
      },
    ]);
    const doc = policy(synthesized.resource("aws_iam_role_policy", "schedule").policy);
    expect(doc.Statement).toEqual([
      { Sid: "InvokeTargetFunction", Effect: "Allow", Action: "lambda:InvokeFunction", Resource: synthesized.ref("aws_lambda_function", "fn", "arn") },
      { Sid: "SendToDeadLetterQueue", Effect: "Allow", Action: "sqs:SendMessage", Resource: synthesized.ref("aws_sqs_queue", "dlq", "arn") },
      {
        Sid: "EncryptDeadLetterMessages",
        Effect: "Allow",
        Action: ["kms:GenerateDataKey", "kms:Decrypt"],
        Resource: KMS_KEY,
        Condition: { StringEquals: { "kms:ViaService": [`sqs.${REGION}.amazonaws.com`] } },
      },
    ]);
  });

  test("alarms on Errors > 0, Throttles and a non-empty DLQ notify the topic", () => {
    const topic = `arn:aws:sns:${REGION}:${ACCOUNT}:alerts`;
    const common = { comparison_operator: "GreaterThanThreshold", alarm_actions: [topic], ok_actions: [topic] };
    expect(synthesized.json).toHaveResourceWithProperties(CloudwatchMetricAlarm, {
      ...common,
      alarm_name: "test-fn-errors",
      namespace: "AWS/Lambda",
      metric_name: "Errors",
      statistic: "Sum",
      period: 300,
      threshold: 0,
      treat_missing_data: "notBreaching",
    });
    expect(synthesized.json).toHaveResourceWithProperties(CloudwatchMetricAlarm, {
      ...common,
      alarm_name: "test-fn-throttles",
      metric_name: "Throttles",
      threshold: 0,
    });
    expect(synthesized.json).toHaveResourceWithProperties(CloudwatchMetricAlarm, {
      ...common,
      alarm_name: "test-fn-dlq-not-empty",
      namespace: "AWS/SQS",
      metric_name: "ApproximateNumberOfMessagesVisible",
      dimensions: { QueueName: synthesized.ref("aws_sqs_queue", "dlq", "name") },
      threshold: 0,
    });
  });

  test("refuses a malformed schedule expression", () => {
    expect(() =>
      synth((stack) => {
        const fn = new NodejsFunction(stack, "fn", BASE);
        const dlq = new DeadLetterQueue(stack, "dlq", { queueName: "q", kmsKeyArn: KMS_KEY });
        new FunctionSchedule(stack, "s", { scheduleName: "s", target: fn, scheduleExpression: "every day", deadLetterQueue: dlq });
      }),
    ).toThrow(/scheduleExpression: "every day" is not valid: rate\(\.\.\.\), cron\(\.\.\.\) or at\(\.\.\.\)/);
  });
});
