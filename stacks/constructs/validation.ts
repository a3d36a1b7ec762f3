// Prop validation shared by every construct here. An error names the construct, its path in the app (so the
// stack and construct are found at once), the prop, the value received and what is allowed, as aws-cdk's
// ValidationError does. Tokens (values only known at apply) pass: Terraform and AWS check those.
import { Token } from "cdktf";
import type { Construct } from "constructs";

/** A prop a construct refuses. */
export class ValidationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ValidationError";
  }
}

/** Where a construct is: the construct itself, or the scope and id it is about to be created with. */
export type ConstructAt = Construct | { readonly scope: Construct; readonly id: string };

function pathOf(at: ConstructAt): string {
  const node = "node" in at ? at.node : undefined;
  if (node) return node.path;
  const { scope, id } = at as { scope: Construct; id: string };
  return scope.node.path ? `${scope.node.path}/${id}` : id;
}

/** Validation of one construct's props: `check.fail("field", value, "what is allowed")`. */
export class PropChecks {
  constructor(
    private readonly owner: string,
    private readonly at: ConstructAt,
  ) {}

  /** Throws `<Construct> at <path>: <field>: <value as JSON> is not valid: <allowed>`. */
  fail(field: string, value: unknown, allowed: string): never {
    throw new ValidationError(`${this.owner} at ${pathOf(this.at)}: ${field}: ${JSON.stringify(value)} is not valid: ${allowed}`);
  }

  /** Refuses a literal number outside min..max or not whole; undefined and tokens pass. */
  intRange(field: string, value: number | undefined, min: number, max: number): void {
    if (value === undefined || Token.isUnresolved(value)) return;
    if (!Number.isInteger(value) || value < min || value > max) this.fail(field, value, `an integer from ${min} to ${max}`);
  }

  /** Refuses a literal string not matching `pattern`; undefined and tokens pass. */
  pattern(field: string, value: string | undefined, pattern: RegExp, allowed: string): void {
    if (value !== undefined && !Token.isUnresolved(value) && !pattern.test(value)) this.fail(field, value, allowed);
  }

  /** Refuses a retention that CloudWatch Logs does not offer. */
  logRetentionDays(field: string, value: number | undefined): void {
    if (value === undefined || Token.isUnresolved(value)) return;
    if (!(LOG_RETENTION_DAYS as readonly number[]).includes(value)) this.fail(field, value, `one of ${LOG_RETENTION_DAYS.join(", ")}`);
  }

  /** Refuses an empty list, and a value listed twice. */
  uniqueList(field: string, values: readonly string[], what: string): void {
    if (values.length === 0) this.fail(field, values, `at least one ${what}`);
    values.forEach((v, i) => {
      if (values.indexOf(v) !== i) this.fail(`${field}[${i}]`, v, "listed once");
    });
  }
}

/** CloudWatch Logs retention values the API accepts. */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

