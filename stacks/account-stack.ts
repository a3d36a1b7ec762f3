import { Construct } from "constructs";
import { S3Backend, TerraformStack } from "cdktf";
import { AwsProvider, type AwsProviderConfig } from "@cdktf/provider-aws/lib/provider";

/** The provider versions this app's Terraform is valid for (5.100 bindings, nothing removed in 6.x used). */
export const AWS_PROVIDER_CONSTRAINT = ">= 5.100.0, < 7.0.0";

export interface AccountTarget {
  readonly accountId: string;
  readonly region: string;
  readonly deployRoleArn: string;
}

export interface RemoteStateSettings extends AccountTarget {
  readonly bucket: string;
  readonly key: string;
  /** DynamoDB lock table; absent means S3-native lock files. */
  readonly lockTable?: string;
}

export interface AccountStackProps {
  readonly target: AccountTarget;
  readonly tags: Record<string, string>;
  /** Remote state; absent keeps the local backend (the state bootstrap stack). */
  readonly remoteState?: RemoteStateSettings;
}

/**
 * A stack bound to one AWS account: its provider assumes that account's deploy role and refuses
 * to run against any other account; every resource carries the default tags.
 */
export class AccountStack extends TerraformStack {
  public readonly accountId: string;
  public readonly region: string;
  public readonly partition = "aws";

  private readonly providerSettings: Omit<AwsProviderConfig, "region" | "alias">;
  private readonly regionProviders = new Map<string, AwsProvider>();

  constructor(scope: Construct, id: string, props: AccountStackProps) {
    super(scope, id);
    this.accountId = props.target.accountId;
    this.region = props.target.region;
    this.providerSettings = {
      assumeRole: [{ roleArn: props.target.deployRoleArn, sessionName: `cdktf-${id}` }],
      allowedAccountIds: [props.target.accountId],
      defaultTags: [{ tags: props.tags }],
    };
    new AwsProvider(this, "aws", { region: props.target.region, ...this.providerSettings });
    this.addOverride("terraform.required_providers.aws.version", AWS_PROVIDER_CONSTRAINT);

    const remote = props.remoteState;
    if (remote) {
      new S3Backend(this, {
        bucket: remote.bucket,
        key: remote.key,
        region: remote.region,
        encrypt: true,
        dynamodbTable: remote.lockTable,
        assumeRole: { roleArn: remote.deployRoleArn },
      });
      // cdktf 0.21's S3Backend has no use_lockfile field; Terraform >= 1.10 reads it from here.
      if (!remote.lockTable) this.addOverride("terraform.backend.s3.use_lockfile", true);
    }
  }

  /**
   * A provider for the same account, deploy role, guard and tags in another region (alias `aws_<region>` with
   * underscores), made once per region: for what must exist there, like a snapshot copy grant.
   */
  providerIn(region: string): AwsProvider {
    let provider = this.regionProviders.get(region);
    if (!provider) {
      provider = new AwsProvider(this, `aws-${region}`, { alias: `aws_${region.replace(/-/g, "_")}`, region, ...this.providerSettings });
      this.regionProviders.set(region, provider);
    }
    return provider;
  }
}
