// The AWS Backup part of the config (approach 3), on the second example (config/example-aws-backup.json):
// what it accepts, the defaults it fills, and each refusal with the field, the value and what is allowed.
import { parseConfig } from "../../config/load";
import { backupRpoHours, copyRetentionDays } from "../../config/estate";
import { drManualSnapshots, sourceManualSnapshots } from "../../config/snapshot-quota";
import { rawBackupExample, type RawConfig, configProblems } from "../helpers";

const problems = configProblems;

function changed(change: (c: RawConfig) => void): RawConfig {
  const c = rawBackupExample();
  change(c);
  return c;
}

describe("AWS Backup config", () => {
  it("accepts the AWS Backup example and fills the defaults", () => {
    const estate = parseConfig(rawBackupExample());
    const backup = estate.sources[0].backup;
    expect(backup).toMatchObject({ enabled: true, startWindowMinutes: 60, completionWindowMinutes: 480, manageRegionOptIn: false });
    expect(estate.dr.backup?.lock).toEqual({ mode: "governance", minRetentionDays: 7, maxRetentionDays: 3650 });
    expect(estate.organization?.management?.backupSettings).toEqual({ delegatedAdministrator: false, multiPartyApproval: false });
    // Daily at 03:00, 8-hour completion window: 24 + 8 + 2 hours.
    expect(backupRpoHours(backup)).toBe(34);
  });

  it('writes a copy lifecycle of "never" as 100 years (a copy without one inherits its source\'s expiry)', () => {
    expect(copyRetentionDays("never")).toBe(36500);
    expect(copyRetentionDays(14)).toBe(14);
  });

  it("counts the manual snapshots of both approaches in the source account and the copies in DR", () => {
    const estate = parseConfig(rawBackupExample());
    // rate(12 hours) over 5 days: 10 windows + both ends, + the one being made; AWS Backup daily over 3 days: 3 + 1.
    expect(sourceManualSnapshots(estate.sources[0])).toEqual({ native: 11 + 1, backup: 4, total: 16 });
    // Copies daily over 14 days: 14 + 1.
    expect(drManualSnapshots(estate)).toBe(15);
  });

  const refusals: [string, (c: RawConfig) => void, RegExp][] = [
    ["a copy lifecycle shorter than the lock's minimum", (c) => (c.sources[0].backup.copyRetentionDays = 5),
      /^sources\[0\]\.backup\.copyRetentionDays: 5 is 5 days, outside the DR vault lock's bounds of 7-3650 days: AWS Backup fails a copy into a locked vault/],
    ['a copy kept "never" with a lock maximum', (c) => (c.sources[0].backup.copyRetentionDays = "never"),
      /^sources\[0\]\.backup\.copyRetentionDays: "never" is "never" \(36500 days\), outside the DR vault lock's bounds of 7-3650 days/],
    ["a compliance lock without its cooling-off days", (c) => (c.dr.backup.lock = { mode: "compliance", minRetentionDays: 7 }),
      /^dr\.backup\.lock\.changeableForDays: missing is required in compliance mode: the days \(3 or more\)/],
    ["a compliance lock changeable for less than 3 days", (c) => (c.dr.backup.lock = { mode: "compliance", changeableForDays: 2, minRetentionDays: 7 }),
      /^dr\.backup\.lock\.changeableForDays: 2 must be at least 3 \(AWS Backup's cooling-off minimum\)/],
    ["cooling-off days on a governance lock", (c) => (c.dr.backup.lock.changeableForDays = 3),
      /^dr\.backup\.lock\.changeableForDays: 3 is only for mode "compliance"/],
    ["a lock maximum below its minimum", (c) => Object.assign(c.dr.backup.lock, { minRetentionDays: 30, maxRetentionDays: 10 }),
      /^dr\.backup\.lock\.maxRetentionDays: 10 is less than minRetentionDays \(30\)/],
    ["a malformed organization id", (c) => (c.organization.id = "org-12345"),
      /^organization\.id: "org-12345" is not an AWS Organizations id: o- followed by 10-32 lowercase letters or digits/],
    ["copies from the organization without its id", (c) => {
      c.dr.backup.copyFrom = "organization";
      delete c.organization;
    }, /^dr\.backup\.copyFrom: "organization" is "organization", but organization\.id is not set/],
    ["a rate schedule (AWS Backup takes cron only)", (c) => (c.sources[0].backup.schedule = "rate(1 day)"),
      /^sources\[0\]\.backup\.schedule: "rate\(1 day\)" is not a cron expression: AWS Backup plans take cron/],
    ["a start window under AWS Backup's 60 minutes", (c) => (c.sources[0].backup.startWindowMinutes = 30),
      /^sources\[0\]\.backup\.startWindowMinutes: 30 must be at least 60/],
    ["a completion window that leaves no hour after the start window", (c) => Object.assign(c.sources[0].backup, { startWindowMinutes: 240, completionWindowMinutes: 240 }),
      /^sources\[0\]\.backup\.completionWindowMinutes: 240 is 240, less than the start window \(240\) \+ 60 minutes/],
    ["a break-glass role in another account", (c) => (c.dr.backup.breakGlassRoleArn = "arn:aws:iam::222222222222:role/break-glass"),
      /^dr\.backup\.breakGlassRoleArn: .* is a role in account 222222222222, but the accountId is 999999999999: the break-glass role must be in the DR account/],
    ["a DR vault with no source backing up", (c) => (c.sources[0].backup.enabled = false),
      /^dr\.backup: .* is set, but no source has backup\.enabled/],
    ["more manual snapshots in the source account than its quota", (c) => (c.sources[0].backup.retentionDays = 10),
      /^sources\[0\]\.manualSnapshotQuota: missing \(account 222222222222 in eu-west-2's quota of manual snapshots, 20 when not set\) leaves 18 \(the quota of 20, less 2 kept free\) for this config, but it can keep up to 23 manual snapshots there \(12 of the snapshot manager \(1 cluster x 12\) \+ 11 of AWS Backup\): keep fewer .* to at least 26 and set manualSnapshotQuota to match$/],
    ["more copies in the DR vault than the DR account's quota", (c) => (c.sources[0].backup.copyRetentionDays = 30),
      /^dr\.manualSnapshotQuota: missing \(the DR account 999999999999 in eu-west-2's quota of manual snapshots, 20 when not set\) leaves 18 \(the quota of 20, less 2 kept free\), but the DR account can hold up to 31: 31 copies in the DR vault/],
    ["a vault name AWS Backup refuses", (c) => (c.dr.backup.vaultName = "dr vault"),
      /^dr\.backup\.vaultName: "dr vault" is not a valid backup vault name: 2-50 letters, digits, hyphens and underscores/],
  ];

  it.each(refusals)("refuses %s", (_name, change, expected) => {
    expect(problems(changed(change))).toEqual(expect.arrayContaining([expect.stringMatching(expected)]));
  });

  it("accepts the refused quotas once the config says the quota was raised", () => {
    expect(
      problems(
        changed((c) => {
          c.sources[0].backup.retentionDays = 10;
          c.sources[0].manualSnapshotQuota = 50;
          c.sources[0].backup.copyRetentionDays = 30;
          c.dr.manualSnapshotQuota = 50;
        }),
      ),
    ).toEqual([]);
  });

  it("counts an AWS Backup copy in the share budget of a key when both approaches protect the clusters", () => {
    const many = changed((c) => {
      c.sources[0].manualSnapshotQuota = 100000;
      c.dr.manualSnapshotQuota = 100000;
      c.sources[0].clusters = Array.from({ length: 25 }, (_, i) => ({ identifier: `dw-${i}`, create: { nodeType: "ra3.large", numberOfNodes: 1, databaseName: "dw" } }));
    });
    // 25 x (2 + 1) = 75 without AWS Backup; 25 x (2 + 1 + 1) = 100 with it: still within the limit.
    expect(problems(many)).toEqual([]);
    many.sources[0].clusters.push({ identifier: "dw-25", create: { nodeType: "ra3.large", numberOfNodes: 1, databaseName: "dw" } });
    expect(problems(many)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^sources\[0\]\.native\.shareLatest: 2 lets up to 104 share authorizations .*\+ 1 for an AWS Backup copy/)]),
    );
  });
});
