// The service principal of Amazon Redshift: the principal that publishes Redshift event notifications to SNS
// (the SNS Developer Guide's table of services publishing to encrypted topics lists Amazon Redshift as
// `redshift.amazonaws.com`), and the service name of Redshift's service-linked role. docs/aws-behaviour.md.
export const REDSHIFT_SERVICE_PRINCIPAL = "redshift.amazonaws.com";

/** ARN of Redshift's service-linked role (AWSServiceRoleForRedshift) in `accountId`. */
export function redshiftServiceLinkedRoleArn(partition: string, accountId: string): string {
  return `arn:${partition}:iam::${accountId}:role/aws-service-role/${REDSHIFT_SERVICE_PRINCIPAL}/AWSServiceRoleForRedshift`;
}
