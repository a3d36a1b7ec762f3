// Small helpers for IAM policy documents, shared by the constructs in this folder.
//
// Policies are plain objects rendered with JSON.stringify: cdktf string tokens (ARNs of resources created in
// the same stack) survive as "${aws_x.y.arn}" interpolations, and tests can JSON.parse the synthesized policy
// and assert exact action and resource sets.

/** Values of a condition operator: one string or a list of strings. */
export type ConditionValues = string | readonly string[];

/** A condition block: operator -> condition key -> value(s), as in IAM JSON. */
export type PolicyConditions = Readonly<Record<string, Readonly<Record<string, ConditionValues>>>>;

/** Principal block of a resource or trust policy. */
export interface PolicyPrincipal {
  /** Service principals, e.g. "lambda.amazonaws.com". @default none */
  readonly Service?: string | readonly string[];
  /** Account roots, roles or users, by ARN. @default none */
  readonly AWS?: string | readonly string[];
}

/** One statement of an IAM policy document, with the JSON field names IAM uses. */
export interface PolicyStatement {
  /** Statement id. @default none */
  readonly Sid?: string;
  /** Allow or Deny. @default "Allow" when rendered by {@link policyDocument} */
  readonly Effect?: "Allow" | "Deny";
  /** Only in resource, key and trust policies. @default none */
  readonly Principal?: PolicyPrincipal | "*";
  /** Actions, e.g. "redshift:DescribeClusters". */
  readonly Action: string | readonly string[];
  /** Omitted only in trust policies. @default none */
  readonly Resource?: string | readonly string[];
  /** Conditions: operator, condition key, value(s). @default none */
  readonly Condition?: PolicyConditions;
}

/** Renders statements as an IAM policy document (JSON string). Effect defaults to Allow. */
export function policyDocument(statements: readonly PolicyStatement[]): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: statements.map((s) => ({ Effect: "Allow", ...s })),
  });
}

/** A trust policy that lets the given service principal assume a role, optionally limited to one account. */
export function serviceTrustPolicy(service: string, sourceAccount?: string): string {
  return policyDocument([
    {
      Sid: "AssumeByService",
      Principal: { Service: service },
      Action: "sts:AssumeRole",
      ...(sourceAccount ? { Condition: { StringEquals: { "aws:SourceAccount": sourceAccount } } } : {}),
    },
  ]);
}

/** DNS suffix of service endpoints and principals for a literal partition name; "amazonaws.com" otherwise. */
export function dnsSuffixFor(partition: string): string {
  if (partition === "aws-cn") return "amazonaws.com.cn";
  return "amazonaws.com";
}

/** A service's regional endpoint, as kms:ViaService names it: `<service>.<region>.<dns suffix of the partition>`. */
export function serviceEndpoint(service: string, region: string, partition: string): string {
  return `${service}.${region}.${dnsSuffixFor(partition)}`;
}

/**
 * Statement letting a role write to its own log group only. Log streams are addressed as
 * `log-group:<name>:log-stream:<stream>`, hence the trailing `:*`.
 */
export function logWriteStatement(logGroupArn: string): PolicyStatement {
  return {
    Sid: "WriteOwnLogGroup",
    Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
    Resource: `${logGroupArn}:*`,
  };
}

/**
 * kms:GenerateDataKey and kms:Decrypt on one key, only when called through the given services
 * (e.g. SNS Publish or SQS SendMessage to a queue or topic encrypted with that key).
 */
export function kmsViaServiceStatement(sid: string, keyArn: string, viaServices: readonly string[]): PolicyStatement {
  return {
    Sid: sid,
    Action: ["kms:GenerateDataKey", "kms:Decrypt"],
    Resource: keyArn,
    Condition: { StringEquals: { "kms:ViaService": viaServices } },
  };
}

/**
 * Use of `keys` only through Redshift: `actions` for the caller, and kms:CreateGrant for the cluster Redshift creates
 * (only a grant for an AWS resource). What a restore needs of the snapshot's key and of the new cluster's key.
 */
export function keyUseThroughRedshift(
  sids: { readonly use: string; readonly grant: string },
  actions: readonly string[],
  keys: string | readonly string[],
  region: string,
  partition: string,
): PolicyStatement[] {
  const viaRedshift = { "kms:ViaService": serviceEndpoint("redshift", region, partition) };
  return [
    { Sid: sids.use, Effect: "Allow", Action: actions, Resource: keys, Condition: { StringEquals: viaRedshift } },
    {
      Sid: sids.grant,
      Effect: "Allow",
      Action: "kms:CreateGrant",
      Resource: keys,
      Condition: { StringEquals: viaRedshift, Bool: { "kms:GrantIsForAWSResource": "true" } },
    },
  ];
}

/** Statement that denies any request to the resource not sent over TLS. */
export function denyInsecureTransportStatement(resourceArn: string | readonly string[], action: string): PolicyStatement {
  return {
    Sid: "DenyInsecureTransport",
    Effect: "Deny",
    Principal: "*",
    Action: action,
    Resource: resourceArn,
    Condition: { Bool: { "aws:SecureTransport": "false" } },
  };
}

/** The account root principal: the whole account, as far as its own IAM policies allow. */
export function accountRoot(partition: string, accountId: string): string {
  return `arn:${partition}:iam::${accountId}:root`;
}

/** A trust policy letting the given AWS principals (roles, users, account roots) assume a role. */
export function principalTrustPolicy(principals: readonly string[]): string {
  return policyDocument([{ Sid: "AssumeByPrincipals", Principal: { AWS: principals }, Action: "sts:AssumeRole" }]);
}
