// A role an AWS service assumes, with one inline least-privilege policy.
import { Construct } from "constructs";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { PolicyStatement, policyDocument, serviceTrustPolicy } from "./iam";

export interface ServiceRoleProps {
  readonly name: string;
  readonly description: string;
  /** Service principal, e.g. "lambda.amazonaws.com". */
  readonly service: string;
  /** Only this account's resources may make the service assume the role (aws:SourceAccount). @default any */
  readonly sourceAccount?: string;
  readonly policyName: string;
  readonly statements: readonly PolicyStatement[];
  readonly tags: Record<string, string>;
}

/** Creates the role and its policy as children "role" and "role-policy" of `scope`. */
export function serviceRole(scope: Construct, props: ServiceRoleProps): { role: IamRole; rolePolicy: IamRolePolicy; policyJson: string } {
  const role = new IamRole(scope, "role", {
    name: props.name,
    description: props.description,
    assumeRolePolicy: serviceTrustPolicy(props.service, props.sourceAccount),
    tags: props.tags,
  });
  const policyJson = policyDocument(props.statements);
  const rolePolicy = new IamRolePolicy(scope, "role-policy", { name: props.policyName, role: role.id, policy: policyJson });
  return { role, rolePolicy, policyJson };
}
