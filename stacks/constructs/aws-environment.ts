// Where a construct deploys: account, region and partition, literal or read from data sources.
import { Construct } from "constructs";
import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import { DataAwsRegion } from "@cdktf/provider-aws/lib/data-aws-region";
import { dnsSuffixFor } from "./iam";

/** Where a construct deploys; literal strings, or tokens read from data sources. */
export interface AwsEnvironment {
  /** Account id. */
  readonly accountId: string;
  /** Region name. */
  readonly region: string;
  /** Partition, e.g. "aws". */
  readonly partition: string;
  /** DNS suffix of service principals and endpoints, e.g. "amazonaws.com". */
  readonly dnsSuffix: string;
}

/** Optional literal account, region and partition; whatever is missing is read from data sources. */
export interface AwsEnvironmentProps {
  /** Account id. @default read from `aws_caller_identity` */
  readonly accountId?: string;
  /** Region name. @default read from `aws_region` */
  readonly region?: string;
  /** Partition, e.g. "aws". @default read from `aws_partition` */
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
