import { Construct } from "constructs";
import { BackupGlobalSettings } from "@cdktf/provider-aws/lib/backup-global-settings";
import type { Estate, OrganizationConfig } from "../config/estate";
import { AccountStack } from "./account-stack";
import { remoteState, stackTags } from "./common";
import { ORG_STACK } from "./names";

/**
 * The organization's management account: turns on cross-account backup for the whole organization, which
 * AWS Backup copies into the DR vault need. Only the management account may change the setting. Every key of
 * the setting is written: the provider shows a permanent diff for any key left out. Destroying the stack leaves
 * the setting as it is (the resource's delete does nothing).
 */
export class OrgStack extends AccountStack {
  public readonly globalSettings: BackupGlobalSettings;

  constructor(scope: Construct, estate: Estate, management: NonNullable<OrganizationConfig["management"]>) {
    super(scope, ORG_STACK, {
      target: management,
      tags: stackTags(estate, ORG_STACK),
      remoteState: remoteState(estate, ORG_STACK),
    });
    const settings = management.backupSettings;
    this.globalSettings = new BackupGlobalSettings(this, "backup-global-settings", {
      globalSettings: {
        isCrossAccountBackupEnabled: "true",
        isDelegatedAdministratorEnabled: String(settings.delegatedAdministrator),
        isMpaEnabled: String(settings.multiPartyApproval),
      },
    });
  }
}
