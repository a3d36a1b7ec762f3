import { Construct } from "constructs";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { DefaultSecurityGroup } from "@cdktf/provider-aws/lib/default-security-group";
import { FlowLog } from "@cdktf/provider-aws/lib/flow-log";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { RedshiftSubnetGroup } from "@cdktf/provider-aws/lib/redshift-subnet-group";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { Subnet } from "@cdktf/provider-aws/lib/subnet";
import { Vpc } from "@cdktf/provider-aws/lib/vpc";
import { parseCidr, subnetCidr } from "../../contract/cidr";
import { policyDocument, serviceTrustPolicy } from "./iam";
import { PropChecks } from "./validation";

export interface CreatedNetworkProps {
  /** IPv4 CIDR of the VPC; each subnet gets a sixteenth of it. */
  readonly cidr: string;
  /**
   * One private subnet per zone, in this order. Names, not a lookup: a zone AWS adds later must not
   * move an existing subnet (and with it the Redshift subnet group).
   */
  readonly availabilityZones: readonly string[];
  /** Key for the flow log group (its policy must let CloudWatch Logs use it). */
  readonly flowLogKmsKeyArn: string;
  /** Retention of the flow log group, days (a CloudWatch Logs retention value). @default 365 */
  readonly flowLogRetentionDays?: number;
  /** Account of the VPC: only its flow-log deliveries may use the flow-log role. */
  readonly accountId: string;
}

export interface ExistingNetworkProps {
  /** The VPC, e.g. "vpc-0123456789abcdef0". */
  readonly vpcId: string;
  /** At least two of its subnets, in different availability zones. */
  readonly subnetIds: readonly string[];
}

export interface RedshiftNetworkProps {
  /** Prefix of resource names. */
  readonly name: string;
  /** A new VPC with private subnets and flow logs. Exactly one of `create` and `existing`. @default none: `existing` */
  readonly create?: CreatedNetworkProps;
  /** A VPC and subnets that exist already. Exactly one of `create` and `existing`. @default none: `create` */
  readonly existing?: ExistingNetworkProps;
}

/**
 * Where Redshift clusters live: private subnets (no internet gateway, no public IPs), a Redshift
 * subnet group over them, and a security group that admits nothing until the owner adds rules.
 * Created networks also lock down the default security group and log all traffic.
 */
export class RedshiftNetwork extends Construct {
  public readonly vpcId: string;
  public readonly subnetIds: string[];
  public readonly subnetGroupName: string;
  public readonly securityGroupId: string;

  constructor(scope: Construct, id: string, props: RedshiftNetworkProps) {
    super(scope, id);
    const check = new PropChecks("RedshiftNetwork", this);
    // The subnet group is `<name>-redshift`: lowercase letters, digits and hyphens (Redshift subnet group names).
    check.pattern("name", props.name, /^[a-z0-9-]{1,246}$/, "1-246 lowercase letters, digits and hyphens");
    if (!props.create === !props.existing) check.fail("create", props.create ?? null, 'exactly one of "create" and "existing"');
    if (props.existing) {
      check.pattern("existing.vpcId", props.existing.vpcId, /^vpc-[0-9a-f]{8,17}$/, "a VPC id like vpc-0123456789abcdef0");
      if (props.existing.subnetIds.length < 2) check.fail("existing.subnetIds", props.existing.subnetIds, "at least 2 subnets in different zones");
      props.existing.subnetIds.forEach((s, i) => check.pattern(`existing.subnetIds[${i}]`, s, /^subnet-[0-9a-f]{8,17}$/, "a subnet id like subnet-0123456789abcdef0"));
    }
    if (props.create) {
      if (!parseCidr(props.create.cidr)) check.fail("create.cidr", props.create.cidr, "an IPv4 CIDR block like 10.0.0.0/16");
      if (props.create.availabilityZones.length < 2 || props.create.availabilityZones.length > 16) {
        check.fail("create.availabilityZones", props.create.availabilityZones, "2 to 16 zone names (one subnet each, a sixteenth of the CIDR)");
      }
      check.logRetentionDays("create.flowLogRetentionDays", props.create.flowLogRetentionDays);
      const created = this.createVpc(props.name, props.create);
      this.vpcId = created.vpcId;
      this.subnetIds = created.subnetIds;
    } else {
      this.vpcId = props.existing!.vpcId;
      this.subnetIds = [...props.existing!.subnetIds];
    }

    const group = new SecurityGroup(this, "redshift-sg", {
      name: `${props.name}-redshift`,
      description: `Redshift clusters of ${props.name}: no ingress or egress until rules are added`,
      vpcId: this.vpcId,
      // No ingress and no egress blocks: Terraform then also removes AWS's default allow-all egress.
      tags: { Name: `${props.name}-redshift` },
    });
    this.securityGroupId = group.id;

    const subnetGroup = new RedshiftSubnetGroup(this, "subnet-group", {
      name: `${props.name}-redshift`,
      description: `Private subnets for Redshift in ${props.name}`,
      subnetIds: this.subnetIds,
    });
    this.subnetGroupName = subnetGroup.name;
  }

  private createVpc(name: string, props: CreatedNetworkProps): { vpcId: string; subnetIds: string[] } {
    const cidr = parseCidr(props.cidr)!; // checked in the constructor
    const vpc = new Vpc(this, "vpc", {
      cidrBlock: props.cidr,
      enableDnsHostnames: true,
      enableDnsSupport: true,
      tags: { Name: name },
    });
    // The default security group is attached to anything created without one: make it deny all.
    new DefaultSecurityGroup(this, "default-sg", { vpcId: vpc.id, tags: { Name: `${name}-default-deny` } });

    const subnetIds: string[] = [];
    for (const [i, zone] of props.availabilityZones.entries()) {
      const subnet = new Subnet(this, `private-${i}`, {
        vpcId: vpc.id,
        cidrBlock: subnetCidr(cidr, 4, i),
        availabilityZone: zone,
        mapPublicIpOnLaunch: false,
        tags: { Name: `${name}-private-${i}` },
      });
      subnetIds.push(subnet.id);
    }

    const logGroup = new CloudwatchLogGroup(this, "flow-logs", {
      name: `/${name}/vpc-flow-logs`,
      retentionInDays: props.flowLogRetentionDays ?? 365,
      kmsKeyId: props.flowLogKmsKeyArn,
    });
    const role = new IamRole(this, "flow-logs-role", {
      name: `${name}-vpc-flow-logs`,
      assumeRolePolicy: serviceTrustPolicy("vpc-flow-logs.amazonaws.com", props.accountId),
    });
    new IamRolePolicy(this, "flow-logs-policy", {
      role: role.id,
      name: "write-flow-logs",
      policy: policyDocument([
        {
          Effect: "Allow",
          Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
          Resource: [logGroup.arn, `${logGroup.arn}:*`],
        },
      ]),
    });
    new FlowLog(this, "flow-log", {
      vpcId: vpc.id,
      trafficType: "ALL",
      logDestinationType: "cloud-watch-logs",
      logDestination: logGroup.arn,
      iamRoleArn: role.arn,
    });
    return { vpcId: vpc.id, subnetIds };
  }
}
