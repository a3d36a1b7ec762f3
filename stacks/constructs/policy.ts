// IAM and key policy documents as typed data, rendered with JSON.stringify (cdktf tokens inside
// strings render as Terraform references, so the plan shows the final document).

export interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect: "Allow" | "Deny";
  readonly Principal?: Record<string, string | string[]> | "*";
  readonly Action: string | string[];
  /** Absent only in trust policies. */
  readonly Resource?: string | string[];
  readonly Condition?: Record<string, Record<string, string | string[] | boolean>>;
}

export function policyDocument(statements: readonly PolicyStatement[]): string {
  return JSON.stringify({ Version: "2012-10-17", Statement: statements });
}

/** Trust policy letting the named service (or AWS principals) assume a role. */
export function assumeRolePolicy(principal: { Service: string } | { AWS: string | string[] }, condition?: PolicyStatement["Condition"]): string {
  return policyDocument([{ Effect: "Allow", Principal: principal, Action: "sts:AssumeRole", ...(condition ? { Condition: condition } : {}) }]);
}

export function accountRoot(partition: string, accountId: string): string {
  return `arn:${partition}:iam::${accountId}:root`;
}
