// An EventBridge Scheduler schedule invoking a function, with its own execution role and a dead-letter queue.
import { Construct } from "constructs";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { SchedulerSchedule } from "@cdktf/provider-aws/lib/scheduler-schedule";
import { AwsEnvironment, resolveAwsEnvironment } from "./aws-environment";
import { DeadLetterQueue } from "./dead-letter-queue";
import { kmsViaServiceStatement } from "./iam";
import { NodejsFunction } from "./nodejs-function";
import { serviceRole } from "./service-role";
import { PropChecks } from "./validation";

/** Appended to the schedule name to name its execution role, unless a role name is given. */
export const SCHEDULER_ROLE_SUFFIX = "-scheduler";

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
    const check = new PropChecks("FunctionSchedule", this);
    check.pattern("scheduleName", props.scheduleName, /^[0-9A-Za-z_.-]{1,64}$/, "1-64 letters, digits, '.', '-' or '_'");
    check.pattern("scheduleExpression", props.scheduleExpression, /^(rate|cron|at)\(.+\)$/, "rate(...), cron(...) or at(...)");
    const roleName = props.roleName ?? `${props.scheduleName}${SCHEDULER_ROLE_SUFFIX}`;
    check.pattern("roleName", roleName, /^[\w+=,.@-]{1,64}$/, "1-64 letters, digits or +=,.@_- (shorten scheduleName or set roleName)");
    check.intRange("maximumRetryAttempts", props.maximumRetryAttempts, 0, 185);
    check.intRange("maximumEventAgeSeconds", props.maximumEventAgeSeconds, 60, 86400);
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
