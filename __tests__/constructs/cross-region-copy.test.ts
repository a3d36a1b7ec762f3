// CrossRegionSnapshotCopy on its own props: what it makes in which region, and each refusal naming the prop, the
// value and what is allowed.
import { TerraformStack } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { CrossRegionSnapshotCopy, type CrossRegionSnapshotCopyProps } from "../../stacks/constructs/cross-region-copy";
import { ValidationError } from "../../stacks/constructs/validation";
import { synth } from "./fixtures/nodejs-function-helpers";

const ACCOUNT = "111111111111";
const base = (stack: TerraformStack): CrossRegionSnapshotCopyProps => ({
  namePrefix: "acme-sales",
  accountId: ACCOUNT,
  sourceRegion: "eu-west-1",
  destinationRegion: "eu-central-1",
  destinationProvider: new AwsProvider(stack, "aws-central", { region: "eu-central-1", alias: "central" }),
  clusterIdentifiers: ["sales-a", "sales-b"],
  manualRetentionDays: 10,
  restoreAccountIds: ["222222222222"],
});

describe("CrossRegionSnapshotCopy", () => {
  it("makes the key and the grant in the destination region and one copy configuration per cluster", () => {
    const s = synth((stack) => new CrossRegionSnapshotCopy(stack, "copy", base(stack)));
    const [key] = Object.values(s.resources("aws_kms_key"));
    expect(key.provider).toBe("aws.central");
    expect(Object.values(s.resources("aws_redshift_snapshot_copy_grant"))[0]).toMatchObject({ provider: "aws.central", snapshot_copy_grant_name: "acme-sales-copies" });
    const copies = Object.values(s.resources("aws_redshift_snapshot_copy"));
    expect(copies.map((c) => [c.cluster_identifier, c.destination_region, c.retention_period, c.manual_snapshot_retention_period])).toEqual([
      ["sales-a", "eu-central-1", 7, 10],
      ["sales-b", "eu-central-1", 7, 10],
    ]);
  });

  it("uses a given key and makes none", () => {
    const arn = `arn:aws:kms:eu-central-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
    const s = synth((stack) => new CrossRegionSnapshotCopy(stack, "copy", { ...base(stack), kmsKeyArn: arn }));
    expect(s.resources("aws_kms_key")).toEqual({});
    expect(Object.values(s.resources("aws_redshift_snapshot_copy_grant"))[0].kms_key_id).toBe(arn);
  });

  it.each<[string, Partial<CrossRegionSnapshotCopyProps>, string]>([
    ["the same region", { destinationRegion: "eu-west-1" }, 'destinationRegion: "eu-west-1" is not valid: a region other than sourceRegion'],
    ["no cluster", { clusterIdentifiers: [] }, "clusterIdentifiers: [] is not valid: at least one cluster"],
    ["automated copies kept 36 days", { retentionDays: 36 }, "retentionDays: 36"],
    ["manual copies kept 0 days", { manualRetentionDays: 0 }, "manualRetentionDays: 0"],
    ["a key in the source region", { kmsKeyArn: `arn:aws:kms:eu-west-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab` }, "a key of account 111111111111 in the destination region eu-central-1"],
  ])("refuses %s", (_name, change, message) => {
    const build = () => synth((stack) => new CrossRegionSnapshotCopy(stack, "copy", { ...base(stack), ...change }));
    expect(build).toThrow(ValidationError);
    expect(build).toThrow(message);
  });
});
