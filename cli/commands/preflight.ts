// `preflight`: reads every cross-account prerequisite of docs/aws-backup.md and docs/aws-behaviour.md that an API
// answers, and says PASS, FAIL (with what to do) or CANNOT-CHECK (with how to check it by hand) for each. Read-only.
// Exit 1 when any check fails; CANNOT-CHECK is listed but does not fail. A read that AWS refuses (access denied,
// throttling) makes its check CANNOT-CHECK, naming the action and the identity, never FAIL.
import {
  DescribeBackupVaultCommand,
  DescribeGlobalSettingsCommand,
  DescribeRegionSettingsCommand,
  GetBackupVaultAccessPolicyCommand,
  ListCopyJobsCommand,
  paginateListBackupPlans,
  paginateListCopyJobs,
  type BackupPlansListMember,
  type CopyJob,
  type ListCopyJobsCommandInput,
} from "@aws-sdk/client-backup";
import { DescribeClustersCommand, type Cluster, type Snapshot } from "@aws-sdk/client-redshift";
import type { Command } from "commander";
import { drBackupVaultName, sourcePrefix } from "../../config/names";
import type { SourceConfig } from "../../config/estate";
import { sourceManualSnapshots } from "../../config/snapshot-quota";
import { windowSnapshotIdMatcher } from "../../contract";
import { drBackupVaultArn } from "../../stacks/names";
import { classifyError } from "../../functions/lib/errors";
import { ageHours, describeAllSnapshots, listSharedSnapshots, newestByCluster } from "../../functions/lib/listing";
import {
  copyJobVerdict,
  DR_KEY_ACTIONS,
  formatCheck,
  keyIdOf,
  keyPolicyGaps,
  SHARE_AUTHORIZATIONS_PER_KEY,
  shareUseByKey,
  summarize,
  vaultPolicyAllowsCopy,
  type CheckResult,
} from "../../functions/lib/preflight";
import { GetRoleCommand } from "@aws-sdk/client-iam";
import { DescribeKeyCommand, GetKeyPolicyCommand } from "@aws-sdk/client-kms";
import type { Registrar } from "../main";
import { backupPlanNames } from "../../stacks/constructs/backup-names";
import type { AccountTarget, CliContext } from "../context";
import { describeAwsFailure, EXIT, type CallSite } from "../exit";
import type { RegisterCommands } from "./index";

/** Reads a KMS key in the account that owns it. */
export interface KeyReader {
  /** DescribeKey's KeyManager: "CUSTOMER" or "AWS". */
  keyManager(keyId: string): Promise<string | undefined>;
  /** GetKeyPolicy (policy "default"), the JSON text. */
  keyPolicy(keyId: string): Promise<string>;
}

/** Reads IAM roles of an account. */
export interface RoleReader {
  /** GetRole: false when IAM answers NoSuchEntity. */
  roleExists(roleName: string): Promise<boolean>;
}

/**
 * Where preflight reads KMS and IAM: the CLI's own clients ({@link sdkReaders}), or test doubles. A reader that
 * is missing makes those checks CANNOT-CHECK, with the AWS CLI command that checks them.
 */
export interface PreflightReaders {
  keys?(ctx: CliContext, target: AccountTarget): KeyReader | undefined;
  roles?(ctx: CliContext, target: AccountTarget): RoleReader | undefined;
}

interface PreflightOptions {
  readonly source?: string;
  readonly json?: boolean;
  readonly managementProfile?: string;
}

const REDSHIFT_SERVICE_LINKED_ROLE = "AWSServiceRoleForRedshift";

type Read<T> = { ok: true; value: T } | { ok: false; failure: string; kind: string; code: string };

/** One read of a check: its answer, or why it could not be read (the CLI's one-line AWS failure). */
async function read<T>(site: CallSite, fn: () => Promise<T>): Promise<Read<T>> {
  try {
    return { ok: true, value: await fn() };
  } catch (err) {
    const c = classifyError(err);
    return { ok: false, failure: describeAwsFailure(site, err), kind: c.kind, code: c.code };
  }
}

const siteOf = (t: AccountTarget, action: string): CallSite => ({ account: t.accountId, region: t.region, action, identity: t.identity });

class Checks {
  readonly results: CheckResult[] = [];
  constructor(private readonly ctx: CliContext, private readonly readers: PreflightReaders) {}

  add(r: CheckResult): void {
    this.results.push(r);
  }

  /** A check whose read failed: CANNOT-CHECK with the failure, plus how to check by hand. */
  unreadable(check: string, target: AccountTarget, failed: { failure: string }, byHand: string): void {
    this.add({ check, status: "CANNOT-CHECK", detail: failed.failure, advice: byHand, account: target.accountId });
  }

  async source(source: SourceConfig, dr: AccountTarget): Promise<void> {
    const ctx = this.ctx;
    const src = ctx.sourceTarget(source);
    const redshift = ctx.clients.redshift(src);
    const acct = src.accountId;

    // Clusters: exist, encrypted; the key they use.
    const keys = new Map<string, string[]>();
    for (const c of source.clusters) {
      const check = `cluster ${c.identifier} (source ${source.name}) exists and is encrypted`;
      const got = await read(siteOf(src, "redshift:DescribeClusters"), () => redshift.send(new DescribeClustersCommand({ ClusterIdentifier: c.identifier })));
      if (!got.ok) {
        if (got.kind === "cluster-not-found") {
          this.add({
            check,
            status: "FAIL",
            detail: `no cluster ${c.identifier} in account ${acct} (${src.region})`,
            advice: `deploy the source stack (source-${source.name}), or correct the identifier or region in the config`,
            account: acct,
          });
        } else {
          this.unreadable(check, src, got, `aws redshift describe-clusters --cluster-identifier ${c.identifier} (account ${acct}) shows it with "Encrypted": true`);
          // An existing cluster's key is in the config: its checks need no answer from Redshift.
          if (c.kmsKeyArn) keys.set(c.kmsKeyArn, [...(keys.get(c.kmsKeyArn) ?? []), c.identifier]);
          else {
            this.add({
              check: `key of ${c.identifier} is customer managed and grants the DR account`,
              status: "CANNOT-CHECK",
              detail: "the cluster could not be read, so its key is not known",
              advice: "make the cluster readable (see above), then run preflight again",
              account: acct,
            });
          }
        }
        continue;
      }
      const cluster: Cluster | undefined = got.value.Clusters?.[0];
      if (!cluster?.Encrypted || !cluster.KmsKeyId) {
        this.add({
          check,
          status: "FAIL",
          detail: `${c.identifier} is not encrypted with a KMS key`,
          advice: "encrypt it with a customer managed key (Redshift: modify-cluster --encrypted --kms-key-id <key ARN>): neither sharing nor AWS Backup's copy works without one",
          account: acct,
        });
        continue;
      }
      if (c.kmsKeyArn && keyIdOf(c.kmsKeyArn) !== keyIdOf(cluster.KmsKeyId)) {
        this.add({
          check,
          status: "FAIL",
          detail: `encrypted with ${cluster.KmsKeyId}, but the config's kmsKeyArn is ${c.kmsKeyArn}`,
          advice: "set the cluster's kmsKeyArn in the config to the key it uses (the key policies and the restore role name it)",
          account: acct,
        });
      } else {
        this.add({ check, status: "PASS", detail: `encrypted with ${cluster.KmsKeyId}`, account: acct });
      }
      keys.set(cluster.KmsKeyId, [...(keys.get(cluster.KmsKeyId) ?? []), c.identifier]);
    }

    for (const [keyId, clusters] of keys) await this.key(src, dr, keyId, clusters);

    // The account's manual snapshots: the per-key share budget and the manual snapshot quota.
    const owned = await read(siteOf(src, "redshift:DescribeClusterSnapshots"), () => describeAllSnapshots({ redshift }, { SnapshotType: "manual" }));
    this.quota(`manual snapshots in account ${acct} (source ${source.name})`, src, owned, source.manualSnapshotQuota, `sources[${this.index(source)}].manualSnapshotQuota`, {
      // Validation counts the config's worst case against the quota; only here can the snapshots of others be seen.
      worstCase: sourceManualSnapshots(source).total,
      isCounted: (() => {
        const ours = windowSnapshotIdMatcher(this.ctx.estate.project, source.clusters.map((c) => c.identifier));
        return (id: string) => ours(id) !== undefined || (source.backup.enabled && id.startsWith("awsbackup:"));
      })(),
    });
    if (source.native.enabled) {
      this.shareHeadroom(source, src, owned, keys);
      await this.sharedSnapshots(source, dr);
    }
    if (source.backup.enabled && ctx.estate.dr.backup) await this.backupSource(source, src, dr);
  }

  private index(source: SourceConfig): number {
    return this.ctx.estate.sources.indexOf(source);
  }

  private async key(src: AccountTarget, dr: AccountTarget, keyId: string, clusters: string[]): Promise<void> {
    const of = clusters.join(", ");
    const managedCheck = `key of ${of} is customer managed`;
    const policyCheck = `key policy of ${of} grants DR account ${dr.accountId} ${DR_KEY_ACTIONS.join(", ")}`;
    const keys = this.readers.keys?.(this.ctx, src);
    if (!keys) {
      const why = "KMS is not readable: this CLI has no KMS client";
      this.add({
        check: managedCheck,
        status: "CANNOT-CHECK",
        detail: why,
        advice: `in account ${src.accountId}: aws kms describe-key --key-id ${keyId} must show "KeyManager": "CUSTOMER" (an AWS managed aws/redshift key cannot be shared)`,
        account: src.accountId,
      });
      this.add({
        check: policyCheck,
        status: "CANNOT-CHECK",
        detail: why,
        advice: `in account ${src.accountId}: aws kms get-key-policy --key-id ${keyId} --policy-name default must allow arn:aws:iam::${dr.accountId}:root ${DR_KEY_ACTIONS.join(", ")}`,
        account: src.accountId,
      });
      return;
    }
    const manager = await read(siteOf(src, "kms:DescribeKey"), () => keys.keyManager(keyId));
    if (!manager.ok) {
      this.unreadable(managedCheck, src, manager, `aws kms describe-key --key-id ${keyId} must show "KeyManager": "CUSTOMER"`);
    } else if (manager.value === "CUSTOMER") {
      this.add({ check: managedCheck, status: "PASS", detail: `${keyId} is a customer managed key`, account: src.accountId });
    } else {
      this.add({
        check: managedCheck,
        status: "FAIL",
        detail: `${keyId} is managed by ${manager.value ?? "an unknown manager"} (aws/redshift): its policy cannot grant another account`,
        advice: "re-encrypt the cluster with a customer managed key (modify-cluster --kms-key-id); for a created cluster, deploy the source stack",
        account: src.accountId,
      });
      return;
    }
    const policy = await read(siteOf(src, "kms:GetKeyPolicy"), () => keys.keyPolicy(keyId));
    if (!policy.ok) {
      this.unreadable(policyCheck, src, policy, `aws kms get-key-policy --key-id ${keyId} --policy-name default (account ${src.accountId})`);
      return;
    }
    let gaps: { missing: string[]; denied: string[] };
    try {
      gaps = keyPolicyGaps(policy.value, dr.accountId);
    } catch (e) {
      this.add({ check: policyCheck, status: "CANNOT-CHECK", detail: `the key policy is not JSON: ${(e as Error).message}`, account: src.accountId });
      return;
    }
    if (gaps.missing.length === 0 && gaps.denied.length === 0) {
      this.add({ check: policyCheck, status: "PASS", detail: `${keyId} allows arn:aws:iam::${dr.accountId}:root ${DR_KEY_ACTIONS.join(", ")}`, account: src.accountId });
      return;
    }
    const problems = [
      gaps.missing.length ? `does not allow ${gaps.missing.join(", ")} to the DR account root` : "",
      gaps.denied.length ? `denies ${gaps.denied.join(", ")}` : "",
    ].filter(Boolean);
    this.add({
      check: policyCheck,
      status: "FAIL",
      detail: `${keyId} ${problems.join("; ")}`,
      advice:
        `add to the key policy the statements of sourceKeyCopyStatements (stacks/constructs/backup-plan.ts): arn:aws:iam::${dr.accountId}:root with ` +
        "kms:Decrypt, kms:DescribeKey, kms:ReEncryptFrom, kms:GenerateDataKeyWithoutPlaintext, and kms:CreateGrant with kms:GrantIsForAWSResource; remove any Deny of them",
      account: src.accountId,
    });
  }

  /**
   * The account's manual snapshots against its quota. With `config`: the snapshots the config does not count
   * (made by hand, by other tools) plus the config's worst case must fit too, or the snapshot manager will hit the
   * quota as its snapshots accumulate.
   */
  private quota(
    check: string,
    target: AccountTarget,
    owned: Read<Snapshot[]>,
    quota: number,
    field: string,
    config?: { worstCase: number; isCounted: (id: string) => boolean },
  ): void {
    if (!owned.ok) {
      this.unreadable(check, target, owned, `aws redshift describe-cluster-snapshots --snapshot-type manual (account ${target.accountId}) and compare the count with ${field}`);
      return;
    }
    const manual = owned.value.filter((s) => s.SnapshotType === "manual" && (s.OwnerAccount ?? target.accountId) === target.accountId);
    const count = manual.length;
    const others = config ? manual.filter((s) => !config.isCounted(s.SnapshotIdentifier ?? "")).length : 0;
    if (config && count < quota && others + config.worstCase > quota) {
      this.add({
        check,
        status: "FAIL",
        detail:
          `${others} manual snapshots the config does not count (made by hand or by other tools) + up to ${config.worstCase} the config keeps ` +
          `= ${others + config.worstCase}, over the quota of ${quota} (${field}): the snapshot manager will hit it as its snapshots accumulate`,
        advice: `delete manual snapshots nothing needs, or raise the Redshift manual snapshot quota in Service Quotas and set ${field} to it`,
        account: target.accountId,
      });
    } else if (count < quota) {
      const room = config ? `; ${others} not counted by the config + up to ${config.worstCase} it keeps fit` : "";
      this.add({ check, status: "PASS", detail: `${count} of the quota of ${quota} (${field})${room}`, account: target.accountId });
    } else {
      this.add({
        check,
        status: "FAIL",
        detail: `${count} manual snapshots, at or over the quota of ${quota} (${field}): the next snapshot or copy fails`,
        advice: `delete manual snapshots nothing needs, or raise the Redshift manual snapshot quota in Service Quotas and set ${field} to it`,
        account: target.accountId,
      });
    }
  }

  private shareHeadroom(source: SourceConfig, src: AccountTarget, owned: Read<Snapshot[]>, keys: Map<string, string[]>): void {
    for (const [keyId, clusters] of keys) {
      const check = `share authorizations on the key of ${clusters.join(", ")}`;
      if (!owned.ok) {
        this.unreadable(check, src, owned, `aws redshift describe-cluster-snapshots --snapshot-type manual (account ${src.accountId}): count AccountsWithRestoreAccess per KmsKeyId, against 100`);
        continue;
      }
      const use = shareUseByKey(owned.value).find((u) => keyIdOf(u.keyId) === keyIdOf(keyId));
      const used = use?.authorizations ?? 0;
      // Each cluster's next snapshot needs one more authorization per DR account before the oldest is revoked.
      const next = clusters.length;
      const detail = `${used} of ${SHARE_AUTHORIZATIONS_PER_KEY} used by ${use?.snapshots ?? 0} manual snapshots; the next round of shares needs ${next}`;
      if (used + next <= SHARE_AUTHORIZATIONS_PER_KEY) {
        this.add({ check, status: "PASS", detail, account: src.accountId });
      } else {
        this.add({
          check,
          status: "FAIL",
          detail,
          advice:
            `revoke shares nothing restores from (aws redshift revoke-snapshot-access), lower sources[${this.index(source)}].native.shareLatest, ` +
            'or give each cluster its own key (dataKeys "per-cluster")',
          account: src.accountId,
        });
      }
    }
  }

  private async sharedSnapshots(source: SourceConfig, dr: AccountTarget): Promise<void> {
    const project = this.ctx.estate.project;
    const clusters = source.clusters.map((c) => c.identifier);
    const shared = await read(siteOf(dr, "redshift:DescribeClusterSnapshots"), () =>
      listSharedSnapshots({ redshift: this.ctx.clients.redshift(dr) }, source.accountId, { snapshotPrefix: project, clusters, managedBy: project }),
    );
    const newest = shared.ok ? newestByCluster(shared.value) : undefined;
    for (const id of clusters) {
      const check = `DR account ${dr.accountId} sees a shared snapshot of ${id}`;
      if (!shared.ok) {
        this.unreadable(check, dr, shared, `in the DR account: aws redshift describe-cluster-snapshots --owner-account ${source.accountId} --snapshot-type manual`);
        continue;
      }
      const s = newest!.get(id);
      if (s) {
        this.add({ check, status: "PASS", detail: `${s.snapshotIdentifier}, ${ageHours(s.createdAt, this.ctx.io.now()).toFixed(1)} hours old`, account: dr.accountId });
      } else {
        this.add({
          check,
          status: "FAIL",
          detail: `no available snapshot of ${id} shared by ${source.accountId} is visible`,
          advice: `let the snapshot manager run (or run it once), then check its log in account ${source.accountId} for share failures; the snapshot must be available and authorized for ${dr.accountId}`,
          account: dr.accountId,
        });
      }
    }
  }

  private async backupSource(source: SourceConfig, src: AccountTarget, dr: AccountTarget): Promise<void> {
    const estate = this.ctx.estate;
    const backup = this.ctx.clients.backup(src);
    const prefix = sourcePrefix(estate.project, source.name);
    const i = this.index(source);

    const { vault: vaultName, plan: planName } = backupPlanNames(prefix);
    const vaultCheck = `source vault ${vaultName} exists`;
    const vault = await read(siteOf(src, "backup:DescribeBackupVault"), () => backup.send(new DescribeBackupVaultCommand({ BackupVaultName: vaultName })));
    if (vault.ok) this.add({ check: vaultCheck, status: "PASS", detail: vault.value.BackupVaultArn ?? vaultName, account: src.accountId });
    else if (vault.code === "ResourceNotFoundException") {
      this.add({ check: vaultCheck, status: "FAIL", detail: `no vault ${vaultName} in account ${src.accountId}`, advice: `deploy the source stack (source-${source.name})`, account: src.accountId });
    } else this.unreadable(vaultCheck, src, vault, `aws backup describe-backup-vault --backup-vault-name ${vaultName} (account ${src.accountId})`);

    const planCheck = `backup plan ${planName} exists`;
    const plans = await read(siteOf(src, "backup:ListBackupPlans"), async () => {
      const all: BackupPlansListMember[] = [];
      for await (const page of paginateListBackupPlans({ client: backup }, {})) all.push(...(page.BackupPlansList ?? []));
      return all;
    });
    if (!plans.ok) this.unreadable(planCheck, src, plans, `aws backup list-backup-plans (account ${src.accountId}) lists ${planName}`);
    else if (plans.value.some((p) => p.BackupPlanName === planName)) this.add({ check: planCheck, status: "PASS", detail: "found", account: src.accountId });
    else this.add({ check: planCheck, status: "FAIL", detail: `no plan ${planName} in account ${src.accountId}`, advice: `deploy the source stack (source-${source.name})`, account: src.accountId });

    const optInCheck = `Redshift opted in to AWS Backup in account ${src.accountId} (${src.region})`;
    const settings = await read(siteOf(src, "backup:DescribeRegionSettings"), () => backup.send(new DescribeRegionSettingsCommand({})));
    if (!settings.ok) this.unreadable(optInCheck, src, settings, `aws backup describe-region-settings --region ${src.region} shows "Redshift": true`);
    else if (settings.value.ResourceTypeOptInPreference?.Redshift === true) this.add({ check: optInCheck, status: "PASS", detail: '"Redshift": true', account: src.accountId });
    else {
      this.add({
        check: optInCheck,
        status: "FAIL",
        detail: `"Redshift" is ${String(settings.value.ResourceTypeOptInPreference?.Redshift ?? "not set")}: AWS Backup skips the clusters`,
        advice: `turn it on in the AWS Backup console of account ${src.accountId} (Settings, Service opt-in), or set sources[${i}].backup.manageRegionOptIn and deploy (the setting is the whole account's)`,
        account: src.accountId,
      });
    }

    await this.vaultPolicy(source, dr);
    await this.copyJobs(source, src, backup, vaultName);
  }

  private drVaultPolicy?: Read<string | undefined>;

  private async vaultPolicy(source: SourceConfig, dr: AccountTarget): Promise<void> {
    const estate = this.ctx.estate;
    const vaultName = drBackupVaultName(estate.project, estate.dr.backup!.vaultName);
    const check = `DR vault ${vaultName} access policy allows copies from source ${source.name} (${source.accountId})`;
    this.drVaultPolicy ??= await read(siteOf(dr, "backup:GetBackupVaultAccessPolicy"), async () => {
      try {
        return (await this.ctx.clients.backup(dr).send(new GetBackupVaultAccessPolicyCommand({ BackupVaultName: vaultName }))).Policy;
      } catch (err) {
        if (classifyError(err).code === "ResourceNotFoundException") return undefined;
        throw err;
      }
    });
    const policy = this.drVaultPolicy;
    const fix = "deploy the DR stack: its aws_backup_vault_policy allows backup:CopyIntoBackupVault to the sources (copyFrom) and nothing else";
    if (!policy.ok) return this.unreadable(check, dr, policy, `in the DR account: aws backup get-backup-vault-access-policy --backup-vault-name ${vaultName}`);
    if (policy.value === undefined) return this.add({ check, status: "FAIL", detail: `the vault (or its access policy) does not exist`, advice: fix, account: dr.accountId });
    const orgId = estate.dr.backup!.copyFrom === "organization" ? estate.organization?.id : undefined;
    let verdict: { allowed: boolean; why: string };
    try {
      verdict = vaultPolicyAllowsCopy(policy.value, source.accountId, orgId);
    } catch (e) {
      return this.add({ check, status: "CANNOT-CHECK", detail: `the access policy is not JSON: ${(e as Error).message}`, account: dr.accountId });
    }
    this.add({ check, status: verdict.allowed ? "PASS" : "FAIL", detail: verdict.why, ...(verdict.allowed ? {} : { advice: fix }), account: dr.accountId });
  }

  private async copyJobs(source: SourceConfig, src: AccountTarget, backup: ReturnType<CliContext["clients"]["backup"]>, vaultName: string): Promise<void> {
    const estate = this.ctx.estate;
    const drVaultArn = drBackupVaultArn(estate);
    const check = `cross-account copy from source ${source.name} into the DR vault works`;
    const procedure =
      `prove it once (docs/aws-backup.md, prerequisite 4): \`backup start\`, then \`backup copy --recovery-point <arn> --wait\` ` +
      `(aws backup start-copy-job --source-backup-vault-name ${vaultName} --destination-backup-vault-arn ${drVaultArn} ...); a refusal means the region does not offer it: use native sharing`;
    const jobs = await read(siteOf(src, "backup:ListCopyJobs"), async () => {
      const all: CopyJob[] = [];
      const pages = paginateListCopyJobs(
        { client: backup, withCommand: (c) => new ListCopyJobsCommand({ ...(c.input as ListCopyJobsCommandInput) }) },
        { ByDestinationVaultArn: drVaultArn },
      );
      for await (const page of pages) all.push(...(page.CopyJobs ?? []));
      return all;
    });
    if (!jobs.ok) return this.unreadable(check, src, jobs, `aws backup list-copy-jobs --by-destination-vault-arn ${drVaultArn} (account ${src.accountId})`);
    const verdict = copyJobVerdict(jobs.value);
    const job = verdict.job;
    if (verdict.status === "CANNOT-CHECK") {
      return this.add({ check, status: "CANNOT-CHECK", detail: "no copy job into the DR vault has finished yet", advice: procedure, account: src.accountId });
    }
    const when = job?.CreationDate ? ` (${job.CreationDate.toISOString()})` : "";
    if (verdict.status === "PASS") {
      return this.add({ check, status: "PASS", detail: `the newest copy job ${job?.CopyJobId}${when} COMPLETED`, account: src.accountId });
    }
    this.add({
      check,
      status: "FAIL",
      detail: `the newest copy job ${job?.CopyJobId}${when} is ${job?.State}: ${job?.StatusMessage ?? "no status message"}${verdict.earlierCompleted ? " (an earlier one completed)" : ""}`,
      advice: `fix what the message names (key policies, the vault policy, the lock's retention bounds), then ${procedure}`,
      account: src.accountId,
    });
  }

  /** The DR side of AWS Backup, once: the vault's lock, the DR account's manual snapshots, and the organization setting. */
  async backupDr(dr: AccountTarget, management: AccountTarget | undefined): Promise<void> {
    const estate = this.ctx.estate;
    const config = estate.dr.backup!;
    const vaultName = drBackupVaultName(estate.project, config.vaultName);
    const lockCheck = `DR vault ${vaultName} exists with the configured ${config.lock.mode} lock`;
    const vault = await read(siteOf(dr, "backup:DescribeBackupVault"), () => this.ctx.clients.backup(dr).send(new DescribeBackupVaultCommand({ BackupVaultName: vaultName })));
    const fix = "deploy the DR stack (its aws_backup_vault_lock_configuration sets the lock); a compliance lock past its changeable days cannot be changed: then change dr.backup.lock to match";
    if (!vault.ok) {
      if (vault.code === "ResourceNotFoundException") this.add({ check: lockCheck, status: "FAIL", detail: `no vault ${vaultName} in account ${dr.accountId}`, advice: "deploy the DR stack", account: dr.accountId });
      else this.unreadable(lockCheck, dr, vault, `in the DR account: aws backup describe-backup-vault --backup-vault-name ${vaultName}`);
    } else {
      const v = vault.value;
      const want = config.lock;
      const wrong: string[] = [];
      if (v.Locked !== true) wrong.push("the vault is not locked");
      if (v.MinRetentionDays !== want.minRetentionDays) wrong.push(`MinRetentionDays is ${v.MinRetentionDays ?? "not set"}, the config says ${want.minRetentionDays}`);
      if (v.MaxRetentionDays !== want.maxRetentionDays) wrong.push(`MaxRetentionDays is ${v.MaxRetentionDays ?? "not set"}, the config says ${want.maxRetentionDays ?? "none"}`);
      if (want.mode === "compliance" && !v.LockDate) wrong.push("no LockDate: the lock is not in compliance mode");
      if (want.mode === "governance" && v.LockDate) wrong.push(`LockDate ${v.LockDate.toISOString()}: the lock is in compliance mode, the config says governance`);
      const found = `Locked ${v.Locked}, ${v.MinRetentionDays ?? "-"}..${v.MaxRetentionDays ?? "-"} days${v.LockDate ? `, immutable from ${v.LockDate.toISOString()}` : ""}`;
      if (wrong.length === 0) this.add({ check: lockCheck, status: "PASS", detail: found, account: dr.accountId });
      else this.add({ check: lockCheck, status: "FAIL", detail: wrong.join("; "), advice: fix, account: dr.accountId });
    }

    const owned = await read(siteOf(dr, "redshift:DescribeClusterSnapshots"), () =>
      describeAllSnapshots({ redshift: this.ctx.clients.redshift(dr) }, { SnapshotType: "manual" }),
    );
    this.quota(`manual snapshots in the DR account ${dr.accountId} (copies are manual snapshots)`, dr, owned, estate.dr.manualSnapshotQuota, "dr.manualSnapshotQuota");

    const orgCheck = "cross-account backup is on in the organization";
    const byHand = 'in the management account: aws backup describe-global-settings shows "isCrossAccountBackupEnabled": "true"';
    if (!management) {
      this.add({ check: orgCheck, status: "CANNOT-CHECK", detail: "organization.management is not configured: the setting is readable only there", advice: byHand });
      return;
    }
    const settings = await read(siteOf(management, "backup:DescribeGlobalSettings"), () => this.ctx.clients.backup(management).send(new DescribeGlobalSettingsCommand({})));
    if (!settings.ok) return this.unreadable(orgCheck, management, settings, `${byHand} (use --management-profile, or --use-config-roles for organization.management.deployRoleArn)`);
    const value = settings.value.GlobalSettings?.isCrossAccountBackupEnabled;
    if (value === "true") this.add({ check: orgCheck, status: "PASS", detail: 'isCrossAccountBackupEnabled is "true"', account: management.accountId });
    else {
      this.add({
        check: orgCheck,
        status: "FAIL",
        detail: `isCrossAccountBackupEnabled is ${value === undefined ? "not set" : JSON.stringify(value)}: AWS Backup refuses every cross-account copy`,
        advice: "deploy the org stack, or turn it on in the AWS Backup console of the management account (Settings, Cross-account management)",
        account: management.accountId,
      });
    }
  }

  async serviceLinkedRole(dr: AccountTarget): Promise<void> {
    const check = `Redshift's service-linked role ${REDSHIFT_SERVICE_LINKED_ROLE} exists in the DR account`;
    const create = "set dr.createRedshiftServiceLinkedRole and deploy the DR stack, or: aws iam create-service-linked-role --aws-service-name redshift.amazonaws.com";
    const roles = this.readers.roles?.(this.ctx, dr);
    if (!roles) {
      this.add({
        check,
        status: "CANNOT-CHECK",
        detail: "IAM is not readable: this CLI has no IAM client",
        advice: `in the DR account: aws iam get-role --role-name ${REDSHIFT_SERVICE_LINKED_ROLE}; if it is missing, ${create}`,
        account: dr.accountId,
      });
      return;
    }
    const exists = await read(siteOf(dr, "iam:GetRole"), () => roles.roleExists(REDSHIFT_SERVICE_LINKED_ROLE));
    if (!exists.ok) this.unreadable(check, dr, exists, `in the DR account: aws iam get-role --role-name ${REDSHIFT_SERVICE_LINKED_ROLE}`);
    else if (exists.value) this.add({ check, status: "PASS", detail: "found", account: dr.accountId });
    else this.add({ check, status: "FAIL", detail: "not found: restoring a cluster in the DR account fails until it exists", advice: create, account: dr.accountId });
  }
}

/** The management account as a target: its profile from --management-profile, or its deploy role with --use-config-roles. */
function managementTarget(ctx: CliContext, profile: string | undefined): AccountTarget | undefined {
  const m = ctx.estate.organization?.management;
  if (!m) return undefined;
  return ctx.target("source", "organization-management", m, profile, m.deployRoleArn);
}

/** `preflight`, reading KMS and IAM through `readers` (tests and a later client factory supply them). */
export function preflightCommand(readers: PreflightReaders = {}): RegisterCommands {
  return (program: Command, registrar: Registrar) => {
    const command = program
      .command("preflight")
      .description("Check every cross-account prerequisite that AWS lets the CLI read: PASS, FAIL (with what to do) or CANNOT-CHECK. Read-only")
      .option("--source <name>", "check this source only (default: every source)")
      .option("--json", "print the results as JSON")
      .option("--management-profile <profile>", "AWS profile for the organization's management account (reads the cross-account backup setting)")
      .addHelpText(
        "after",
        [
          "",
          "Exit code 1 when any check FAILs; CANNOT-CHECK (a read AWS refused, or no client for it) is listed but does not fail.",
          "",
          "Example:",
          "  $ redshift-backup --source-profile analytics --dr-profile dr preflight --management-profile org",
          "  $ redshift-backup --use-config-roles preflight --source analytics --json",
        ].join("\n"),
      );
    registrar.action<PreflightOptions>(command, async (ctx, opts) => {
      const sources = opts.source !== undefined ? [ctx.source(opts.source)] : ctx.estate.sources;
      const dr = ctx.drTarget();
      const backupInScope = Boolean(ctx.estate.dr.backup) && sources.some((s) => s.backup.enabled);
      const management = backupInScope ? managementTarget(ctx, opts.managementProfile) : undefined;
      for (const s of sources) ctx.announce(ctx.sourceTarget(s), "preflight reads");
      ctx.announce(dr, "preflight reads");
      if (management) ctx.io.err(`preflight reads: account ${management.accountId} (organization management), region ${management.region}, as ${management.identity}`);

      const checks = new Checks(ctx, readers);
      for (const s of sources) await checks.source(s, dr);
      if (backupInScope) await checks.backupDr(dr, management);
      await checks.serviceLinkedRole(dr);

      const results = checks.results;
      if (opts.json) {
        const count = (s: string) => results.filter((r) => r.status === s).length;
        ctx.io.out(JSON.stringify({ results, summary: { pass: count("PASS"), fail: count("FAIL"), cannotCheck: count("CANNOT-CHECK") } }, null, 2));
      } else {
        for (const r of results) for (const line of formatCheck(r)) ctx.io.out(line);
        ctx.io.out(summarize(results));
      }
      return results.some((r) => r.status === "FAIL") ? EXIT.failed : EXIT.ok;
    });
  };
}

export const registerPreflightCommand: RegisterCommands = preflightCommand();

/** The readers on the CLI's own KMS and IAM clients (account by account, with the operator's credentials). */
export const sdkReaders: PreflightReaders = {
  keys: (ctx, target) => {
    const kms = ctx.clients.kms(target);
    return {
      keyManager: async (keyId) => (await kms.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata?.KeyManager,
      keyPolicy: async (keyId) => (await kms.send(new GetKeyPolicyCommand({ KeyId: keyId, PolicyName: "default" }))).Policy ?? "{}",
    };
  },
  roles: (ctx, target) => {
    const iam = ctx.clients.iam(target);
    return {
      roleExists: async (roleName) => {
        try {
          await iam.send(new GetRoleCommand({ RoleName: roleName }));
          return true;
        } catch (e) {
          if ((e as { name?: string }).name === "NoSuchEntityException" || (e as { name?: string }).name === "NoSuchEntity") return false;
          throw e;
        }
      },
    };
  },
};
