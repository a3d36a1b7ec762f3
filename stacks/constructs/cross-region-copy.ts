import { Construct } from "constructs";
import type { ITerraformDependable, TerraformProvider } from "cdktf";
import { RedshiftSnapshotCopy } from "@cdktf/provider-aws/lib/redshift-snapshot-copy";
import { RedshiftSnapshotCopyGrant } from "@cdktf/provider-aws/lib/redshift-snapshot-copy-grant";
import { ACCOUNT_ID, AWS_REGION_NAME, KMS_KEY_ARN } from "../../contract";
import { serviceEndpoint } from "./iam";
import { ManagedKey } from "./kms-key";
import { PropChecks } from "./validation";

export interface CrossRegionSnapshotCopyProps {
  /** Names: the snapshot copy grant `<namePrefix>-copies`, and the created key's alias `alias/<namePrefix>-copies`. */
  readonly namePrefix: string;
  /** The account of the clusters (the copy stays in it: Redshift copies across regions, not accounts). */
  readonly accountId: string;
  /** Partition of the ARNs. @default "aws" */
  readonly partition?: string;
  /** The clusters' own region; the copies go elsewhere. */
  readonly sourceRegion: string;
  /** Where Redshift copies the snapshots to. */
  readonly destinationRegion: string;
  /**
   * An AWS provider for the same account in `destinationRegion`: the copy grant (and the created key) must exist in
   * the region the copies go to, not in the clusters' region.
   */
  readonly destinationProvider: TerraformProvider;
  /** Clusters whose snapshots are copied. */
  readonly clusterIdentifiers: readonly string[];
  /** What must exist first, e.g. the clusters when the same stack creates them. @default nothing */
  readonly dependsOn?: readonly ITerraformDependable[];
  /** Days Redshift keeps copied automated snapshots in the destination (1-35). @default 7 */
  readonly retentionDays?: number;
  /** Days Redshift keeps each copied manual snapshot in the destination (1-3653, or -1: for ever). */
  readonly manualRetentionDays: number;
  /** A customer-managed key of the account in `destinationRegion` for the copies. @default a key is created there */
  readonly kmsKeyArn?: string;
  /**
   * Accounts that may restore the copies (shared with them in the destination region): the created key lets them use
   * it through Redshift in that region. Ignored with `kmsKeyArn`, whose policy is the owner's to write. @default none
   */
  readonly restoreAccountIds?: readonly string[];
}

/**
 * Redshift cross-region snapshot copy for some clusters: a KMS key in the destination region (unless one is given),
 * the snapshot copy grant there that lets Redshift encrypt the copies with it, and `aws_redshift_snapshot_copy` per
 * cluster (EnableSnapshotCopy: automated and manual snapshots, same account). Sharing the copies with another account
 * is not done here: the snapshot manager does it in the destination region (SnapshotAutomation `copyRegion`).
 */
export class CrossRegionSnapshotCopy extends Construct {
  /** The key that encrypts the copies in the destination region. */
  public readonly kmsKeyArn: string;
  /** The created key; undefined when `kmsKeyArn` was given. */
  public readonly key?: ManagedKey;
  public readonly grant: RedshiftSnapshotCopyGrant;
  /** Per cluster identifier. */
  public readonly copies: Readonly<Record<string, RedshiftSnapshotCopy>>;

  constructor(scope: Construct, id: string, props: CrossRegionSnapshotCopyProps) {
    super(scope, id);
    const check = new PropChecks("CrossRegionSnapshotCopy", this);
    check.pattern("accountId", props.accountId, ACCOUNT_ID, "a 12-digit AWS account id");
    check.pattern("sourceRegion", props.sourceRegion, AWS_REGION_NAME, "an AWS region name like eu-west-1");
    check.pattern("destinationRegion", props.destinationRegion, AWS_REGION_NAME, "an AWS region name like eu-west-2");
    if (props.destinationRegion === props.sourceRegion) check.fail("destinationRegion", props.destinationRegion, "a region other than sourceRegion");
    if (props.clusterIdentifiers.length === 0) check.fail("clusterIdentifiers", props.clusterIdentifiers, "at least one cluster");
    check.uniqueList("clusterIdentifiers", props.clusterIdentifiers, "cluster");
    check.intRange("retentionDays", props.retentionDays, 1, 35);
    if (props.manualRetentionDays !== -1) check.intRange("manualRetentionDays", props.manualRetentionDays, 1, 3653);
    if (props.kmsKeyArn !== undefined) {
      check.pattern("kmsKeyArn", props.kmsKeyArn, KMS_KEY_ARN, "a KMS key ARN");
      const [, , , region, account] = props.kmsKeyArn.split(":");
      if (region !== props.destinationRegion || account !== props.accountId) {
        check.fail("kmsKeyArn", props.kmsKeyArn, `a key of account ${props.accountId} in the destination region ${props.destinationRegion}`);
      }
    }
    const partition = props.partition ?? "aws";

    if (props.kmsKeyArn === undefined) {
      const restore = props.restoreAccountIds ?? [];
      this.key = new ManagedKey(this, "key", {
        alias: `${props.namePrefix}-copies`,
        description: `Encrypts the copies of Redshift snapshots from ${props.sourceRegion}${restore.length ? "; the DR account may restore with it" : ""}`,
        accountId: props.accountId,
        partition,
        provider: props.destinationProvider,
        crossAccountRestoreAccountIds: restore,
        // Restores and shares happen through Redshift in the destination region.
        crossAccountViaServices: restore.length ? [serviceEndpoint("redshift", props.destinationRegion, partition)] : [],
      });
    }
    this.kmsKeyArn = props.kmsKeyArn ?? this.key!.arn;
    this.grant = new RedshiftSnapshotCopyGrant(this, "grant", {
      provider: props.destinationProvider,
      snapshotCopyGrantName: `${props.namePrefix}-copies`,
      kmsKeyId: this.kmsKeyArn,
    });
    this.copies = Object.fromEntries(
      props.clusterIdentifiers.map((cluster) => [
        cluster,
        new RedshiftSnapshotCopy(this, `copy-${cluster}`, {
          clusterIdentifier: cluster,
          destinationRegion: props.destinationRegion,
          retentionPeriod: props.retentionDays ?? 7,
          manualSnapshotRetentionPeriod: props.manualRetentionDays,
          snapshotCopyGrantName: this.grant.snapshotCopyGrantName,
          ...(props.dependsOn?.length ? { dependsOn: [...props.dependsOn] } : {}),
        }),
      ]),
    );
  }
}
