import { Construct } from "constructs";
import { DynamodbTable } from "@cdktf/provider-aws/lib/dynamodb-table";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketLoggingA } from "@cdktf/provider-aws/lib/s3-bucket-logging";
import { S3BucketLifecycleConfiguration } from "@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration";
import { S3BucketOwnershipControls } from "@cdktf/provider-aws/lib/s3-bucket-ownership-controls";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import { S3BucketVersioningA } from "@cdktf/provider-aws/lib/s3-bucket-versioning";
import { denyInsecureTransportStatement, policyDocument } from "./iam";
import { KMS_KEY_ARN } from "../../contract";
import { PropChecks } from "./validation";

export interface StateBucketProps {
  readonly bucketName: string;
  readonly kmsKeyArn: string;
  /** DynamoDB lock table to create. @default none (S3-native lock files) */
  readonly lockTableName?: string;
  /** Days a superseded state version is kept. @default 365 */
  readonly noncurrentVersionDays?: number;
  /** Let `terraform destroy` remove the bucket and table. @default false */
  readonly allowDestroy?: boolean;
  /** Existing bucket receiving server access logs (under `s3-access/<bucket>/`). @default no access logs */
  readonly accessLogBucket?: string;
}

/** Terraform remote state: a versioned, KMS-encrypted, private, TLS-only bucket and a lock table. */
export class StateBucket extends Construct {
  public readonly bucket: S3Bucket;
  public readonly lockTable?: DynamodbTable;

  constructor(scope: Construct, id: string, props: StateBucketProps) {
    super(scope, id);
    const check = new PropChecks("StateBucket", this);
    const bucketName = /^(?!xn--)(?!.*-s3alias$)[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/;
    check.pattern("bucketName", props.bucketName, bucketName, "3-63 lowercase letters, digits and hyphens, starting and ending with a letter or digit");
    check.pattern("kmsKeyArn", props.kmsKeyArn, KMS_KEY_ARN, "a KMS key ARN");
    check.pattern("lockTableName", props.lockTableName, /^[A-Za-z0-9_.-]{3,255}$/, "3-255 letters, digits and _ . -");
    check.intRange("noncurrentVersionDays", props.noncurrentVersionDays, 1, 36500);
    check.pattern("accessLogBucket", props.accessLogBucket, /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, "a bucket name");
    const allowDestroy = props.allowDestroy ?? false;
    this.bucket = new S3Bucket(this, "bucket", {
      bucket: props.bucketName,
      forceDestroy: allowDestroy,
      lifecycle: { preventDestroy: !allowDestroy },
    });
    const bucketId = this.bucket.id;
    new S3BucketVersioningA(this, "versioning", {
      bucket: bucketId,
      versioningConfiguration: { status: "Enabled" },
    });
    new S3BucketServerSideEncryptionConfigurationA(this, "encryption", {
      bucket: bucketId,
      rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: props.kmsKeyArn }, bucketKeyEnabled: true }],
    });
    new S3BucketPublicAccessBlock(this, "public-access-block", {
      bucket: bucketId,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    new S3BucketOwnershipControls(this, "ownership", {
      bucket: bucketId,
      rule: { objectOwnership: "BucketOwnerEnforced" },
    });
    new S3BucketPolicy(this, "tls-only", {
      bucket: bucketId,
      policy: policyDocument([denyInsecureTransportStatement([this.bucket.arn, `${this.bucket.arn}/*`], "s3:*")]),
    });
    new S3BucketLifecycleConfiguration(this, "lifecycle", {
      bucket: bucketId,
      rule: [
        {
          id: "expire-old-state-versions",
          status: "Enabled",
          filter: [{ prefix: "" }],
          noncurrentVersionExpiration: [{ noncurrentDays: props.noncurrentVersionDays ?? 365 }],
          abortIncompleteMultipartUpload: [{ daysAfterInitiation: 7 }],
        },
      ],
    });

    if (props.accessLogBucket) {
      new S3BucketLoggingA(this, "access-logs", {
        bucket: bucketId,
        targetBucket: props.accessLogBucket,
        targetPrefix: `s3-access/${props.bucketName}/`,
      });
    }

    if (props.lockTableName) {
      this.lockTable = new DynamodbTable(this, "lock-table", {
        name: props.lockTableName,
        billingMode: "PAY_PER_REQUEST",
        hashKey: "LockID",
        attribute: [{ name: "LockID", type: "S" }],
        serverSideEncryption: { enabled: true, kmsKeyArn: props.kmsKeyArn },
        pointInTimeRecovery: { enabled: true },
        deletionProtectionEnabled: !allowDestroy,
      });
    }
  }
}
