// DR-account side of every copy approach: the dr-monitor Lambda lists the snapshots each source account shares
// with this account (native sharing), the recovery points the sources' AWS Backup plans copy into the DR vault, and
// the DR-owned copies the restore drills keep (this account's own snapshots), and publishes
// NewestSharedSnapshotAgeHours, NewestRecoveryPointAgeHours and NewestDrOwnedCopyAgeHours per (source account,
// cluster); one alarm per pair and approach fires when that age exceeds the RPO or when the monitor stops reporting.
//
// Reusable from any CDKTF app: everything comes from props, nothing from the project config.
import { Fn, Token } from "cdktf";
import { Construct } from "constructs";
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import {
  ACCOUNT_ID,
  AWS_REGION_NAME,
  BACKUP_VAULT_NAME,
  CLUSTER_IDENTIFIER_RULE,
  clusterIdentifierProblem,
  DEFAULT_PROJECT,
  DR_MONITOR_ENV,
  DR_MONITOR_METRICS,
  METRIC_DIMENSIONS,
  type MonitoredSource,
} from "../../contract";
import { checkAlarmWindow, checkCommonProps, ScheduledFunction, ScheduledFunctionCommonProps } from "./scheduled-function";
import { PropChecks } from "./validation";


/** One source account whose shared snapshots (in `sources`) or DR-owned copies (in `drOwnedCopies`) are watched. */
export interface DrMonitorSource {
  /** 12-digit id of the source account (owning the shared snapshots, or the clusters the copies are of). */
  readonly accountId: string;
  /** Clusters of that account whose snapshots are shared with this account, or whose DR-owned copies it keeps. */
  readonly clusterIdentifiers: readonly string[];
  /** Alarm when the newest shared snapshot of a cluster (the data of its newest DR-owned copy) is older than this many hours. */
  readonly rpoHours: number;
}

/** One source account whose AWS Backup plans copy its clusters' recovery points into the DR vault. */
export interface DrBackupSource {
  /** 12-digit id of the account owning the clusters. */
  readonly accountId: string;
  /** Region of the clusters: their ARNs, which their recovery points (and the copies) carry, name it. */
  readonly region: string;
  /** Clusters of that account whose recovery points are copied into the DR vault. */
  readonly clusterIdentifiers: readonly string[];
  /** Alarm when the newest completed recovery point of a cluster in the DR vault is older than this many hours. */
  readonly rpoHours: number;
}

/** The DR account's backup vault the sources' AWS Backup plans copy into, and those sources. */
export interface DrBackupMonitoring {
  /** Name of the vault, in this (the DR) account and region. */
  readonly vaultName: string;
  /** ARN of the same vault: the monitor may list the recovery points of this vault and no other. */
  readonly vaultArn: string;
  /** Source accounts (at least one) and their clusters. */
  readonly sources: readonly DrBackupSource[];
}

export interface DrSnapshotMonitorProps extends ScheduledFunctionCommonProps {
  /** Source accounts sharing snapshots natively, and their clusters; may be empty when `backup` or `drOwnedCopies` list sources. */
  readonly sources: readonly DrMonitorSource[];
  /** AWS Backup copies into the DR vault to watch as well. @default none: native sharing only */
  readonly backup?: DrBackupMonitoring;
  /**
   * Source clusters whose DR-owned copies (snapshots of restore-drill clusters, owned by this account) to watch:
   * alarm when the DATA of the newest available copy of a cluster is older than `rpoHours`. @default none
   */
  readonly drOwnedCopies?: readonly DrMonitorSource[];
  /** How often the monitor runs. @default "rate(1 hour)" */
  readonly scheduleExpression?: string;
  /** IANA time zone of the schedule expression. @default "UTC" */
  readonly scheduleTimezone?: string;
  /**
   * First part of the snapshot ids the source side gives its snapshots (`<prefix>-<cluster>-<stamp>`): with the
   * owner account, the cluster identifier and the type, this is how the monitor knows a shared snapshot is one of
   * ours (the owner's tags may not be visible to this account). Must match the source side. @default "rsdr"
   */
  readonly snapshotPrefix?: string;
  /**
   * managed-by tag value of the source side. Used only to exclude a snapshot whose visible tags say it is another
   * deployment's; a snapshot without visible tags is judged by its id. @default "rsdr"
   */
  readonly managedBy?: string;
  /** Function timeout, seconds. @default 120 */
  readonly timeoutSeconds?: number;
  /**
   * Period of the staleness alarms, seconds (multiple of 60, 60-86400); must cover the interval between runs.
   * @default 3600
   */
  readonly alarmPeriodSeconds?: number;
  /** Consecutive breaching periods before a staleness alarm fires (absorbs one late run). @default 2 */
  readonly alarmEvaluationPeriods?: number;
}

const OWNER = "DrSnapshotMonitor";
/** The function is named `<namePrefix>-dr-monitor`. */
const FUNCTION_SUFFIX = "-dr-monitor";

/** A backup vault ARN (any partition): partition, region, account and name. */
const BACKUP_VAULT_ARN = /^arn:(aws(?:-[a-z]+)*):backup:([a-z0-9-]+):(\d{12}):backup-vault:([A-Za-z0-9_-]{2,50})$/;

/** Checks one list of sources: account ids (each once, none the DR account), clusters and RPOs. */
function checkSources(check: PropChecks, field: string, sources: readonly DrMonitorSource[], drAccountId: string | undefined): void {
  const seen = new Set<string>();
  sources.forEach((s, i) => {
    check.pattern(`${field}[${i}].accountId`, s.accountId, ACCOUNT_ID, "a 12-digit AWS account id");
    if (seen.has(s.accountId)) check.fail(`${field}[${i}].accountId`, s.accountId, "listed once");
    seen.add(s.accountId);
    if (drAccountId !== undefined && s.accountId === drAccountId) {
      check.fail(`${field}[${i}].accountId`, s.accountId, "an account other than the DR account (accountId)");
    }
    check.uniqueList(`${field}[${i}].clusterIdentifiers`, s.clusterIdentifiers, "cluster");
    s.clusterIdentifiers.forEach((c, j) => {
      if (clusterIdentifierProblem(c)) check.fail(`${field}[${i}].clusterIdentifiers[${j}]`, c, CLUSTER_IDENTIFIER_RULE);
    });
    if (!(s.rpoHours > 0)) check.fail(`${field}[${i}].rpoHours`, s.rpoHours, "a positive number of hours");
  });
}

function checkBackup(check: PropChecks, backup: DrBackupMonitoring, props: DrSnapshotMonitorProps): void {
  check.pattern("backup.vaultName", backup.vaultName, BACKUP_VAULT_NAME, "a backup vault name: 2-50 letters, digits, hyphens and underscores");
  check.pattern("backup.vaultArn", backup.vaultArn, BACKUP_VAULT_ARN, "a backup vault ARN (arn:aws:backup:REGION:ACCOUNT:backup-vault:NAME)");
  // The monitor lists the vault of its own account and region by name: the ARN must be that vault's. (A token
  // does not match the pattern: nothing is compared then.)
  const [, , region, account, name] = BACKUP_VAULT_ARN.exec(backup.vaultArn) ?? [];
  const differs = (fromArn: string | undefined, expected: string | undefined) =>
    fromArn !== undefined && expected !== undefined && !Token.isUnresolved(expected) && fromArn !== expected;
  if (differs(name, backup.vaultName)) check.fail("backup.vaultArn", backup.vaultArn, `the ARN of the vault backup.vaultName names ("${backup.vaultName}")`);
  if (differs(account, props.accountId)) check.fail("backup.vaultArn", backup.vaultArn, `a vault of the DR account (accountId ${props.accountId})`);
  if (differs(region, props.region)) check.fail("backup.vaultArn", backup.vaultArn, `a vault in the monitor's region (${props.region})`);
  if (backup.sources.length === 0) check.fail("backup.sources", backup.sources, "at least one source account (leave backup out otherwise)");
  checkSources(check, "backup.sources", backup.sources, props.accountId);
  backup.sources.forEach((s, i) => check.pattern(`backup.sources[${i}].region`, s.region, AWS_REGION_NAME, 'an AWS region name, e.g. "eu-west-1"'));
}

function validate(scope: Construct, id: string, props: DrSnapshotMonitorProps): DrSnapshotMonitorProps {
  const check = new PropChecks(OWNER, { scope, id });
  checkCommonProps(check, props, FUNCTION_SUFFIX);
  if (props.sources.length === 0 && props.backup === undefined && props.drOwnedCopies === undefined) {
    check.fail("sources", props.sources, "at least one source account (or sources in backup.sources or drOwnedCopies)");
  }
  checkSources(check, "sources", props.sources, props.accountId);
  if (props.backup !== undefined) checkBackup(check, props.backup, props);
  if (props.drOwnedCopies !== undefined) {
    if (props.drOwnedCopies.length === 0) check.fail("drOwnedCopies", props.drOwnedCopies, "at least one source account (leave drOwnedCopies out otherwise)");
    checkSources(check, "drOwnedCopies", props.drOwnedCopies, props.accountId);
  }
  checkAlarmWindow(check, props.alarmPeriodSeconds ?? 3600, props.alarmEvaluationPeriods ?? 2);
  return props;
}

/** What the function and its schedule are described as, by the approaches watched. */
function descriptions(props: DrSnapshotMonitorProps): { readonly function: string; readonly schedule: string } {
  if (props.drOwnedCopies !== undefined) {
    const kinds = [
      ...(props.sources.length > 0 ? ["shared snapshot"] : []),
      ...(props.backup !== undefined ? ["recovery point in the DR backup vault"] : []),
      "DR-owned copy of a restore drill",
    ].join(", ");
    return {
      function: `Reports, per source cluster, the age of the newest restorable Redshift copy in this DR account: ${kinds}`,
      schedule: `Checks the age of the restorable copies in the DR account (${kinds})`,
    };
  }
  // Without DR-owned copies, the descriptions are those from before them (no change to deployed estates).
  if (props.backup === undefined) {
    return {
      function: "Reports the age of the newest Redshift snapshot each source account shares with this DR account",
      schedule: "Checks the age of snapshots shared with the DR account",
    };
  }
  if (props.sources.length === 0) {
    return {
      function: "Reports the age of the newest Redshift recovery point each source account copies into this DR account's backup vault",
      schedule: "Checks the age of recovery points copied into the DR backup vault",
    };
  }
  return {
    function: "Reports the age of the newest Redshift snapshot each source account shares with, and recovery point it copies into, this DR account",
    schedule: "Checks the age of snapshots shared with, and recovery points copied into, the DR account",
  };
}

/**
 * The DR-side monitor: dr-monitor function on an EventBridge Scheduler schedule (retries, encrypted DLQ), a role
 * limited to DescribeClusterSnapshots (native sources and DR-owned copies), ListRecoveryPointsByBackupVault on the
 * DR vault (backup sources) and Publish to the alert topic (metrics are embedded metric format in its logs), and one
 * alarm per (source account, cluster) and approach: NewestSharedSnapshotAgeHours, NewestRecoveryPointAgeHours or
 * NewestDrOwnedCopyAgeHours > rpoHours, missing data breaching.
 */
export class DrSnapshotMonitor extends ScheduledFunction {
  /** Native sharing, on NewestSharedSnapshotAgeHours; keyed `<accountId>/<clusterIdentifier>`. */
  public readonly stalenessAlarms: Readonly<Record<string, CloudwatchMetricAlarm>>;
  /** AWS Backup, on NewestRecoveryPointAgeHours; keyed `<accountId>/<clusterIdentifier>`; empty without `backup`. */
  public readonly backupStalenessAlarms: Readonly<Record<string, CloudwatchMetricAlarm>>;
  /** DR-owned copies, on NewestDrOwnedCopyAgeHours; keyed `<accountId>/<clusterIdentifier>`; empty without `drOwnedCopies`. */
  public readonly drOwnedCopyStalenessAlarms: Readonly<Record<string, CloudwatchMetricAlarm>>;

  constructor(scope: Construct, id: string, props: DrSnapshotMonitorProps) {
    const functionName = `${validate(scope, id, props).namePrefix}${FUNCTION_SUFFIX}`;
    const backup = props.backup;
    const described = descriptions(props);
    super(scope, id, props, {
      ownerName: OWNER,
      functionName,
      defaultHandler: "dr-monitor",
      description: described.function,
      environment: {
        [DR_MONITOR_ENV.sources]: JSON.stringify(monitoredSources(props)),
        [DR_MONITOR_ENV.snapshotPrefix]: props.snapshotPrefix ?? DEFAULT_PROJECT,
        [DR_MONITOR_ENV.managedBy]: props.managedBy ?? DEFAULT_PROJECT,
        ...(backup ? { [DR_MONITOR_ENV.backupVaultName]: backup.vaultName } : {}),
      },
      policyStatements: () => [
        ...(props.sources.length > 0 || props.drOwnedCopies !== undefined
          ? [
              {
                // WILDCARD: listing the snapshots other accounts share with this one, or all of this account's own
                // manual snapshots (the DR-owned copies: no OwnerAccount, no cluster), names no cluster; the Service
                // Authorization Reference gives DescribeClusterSnapshots only an optional cluster resource, so the one
                // statement covers both listings (the copies' tags come back in the same answer). Its Sid stays the
                // native one when there are native sources, so that adding DR-owned copies changes no statement.
                Sid: props.sources.length > 0 ? "DescribeSharedSnapshots" : "DescribeDrOwnedCopies",
                Action: "redshift:DescribeClusterSnapshots",
                Resource: "*",
              },
            ]
          : []),
        // The Service Authorization Reference gives ListRecoveryPointsByBackupVault the resource type backupVault
        // (required): the one vault, no wildcard.
        ...(backup ? [{ Sid: "ListDrVaultRecoveryPoints", Action: "backup:ListRecoveryPointsByBackupVault", Resource: backup.vaultArn }] : []),
      ],
      timeoutSeconds: props.timeoutSeconds ?? 120,
      alertTopicName: `${props.namePrefix}-dr-alerts`,
      scheduleExpression: props.scheduleExpression ?? "rate(1 hour)",
      scheduleTimezone: props.scheduleTimezone,
      scheduleDescription: described.schedule,
    });

    const period = props.alarmPeriodSeconds ?? 3600;
    const evaluationPeriods = props.alarmEvaluationPeriods ?? 2;
    const alarms = (
      sources: readonly DrMonitorSource[],
      kind: { readonly id: string; readonly nameSuffix: string; readonly metricName: string; readonly what: (cluster: string, account: string) => string },
    ): Record<string, CloudwatchMetricAlarm> => {
      const byPair: Record<string, CloudwatchMetricAlarm> = {};
      for (const source of sources) {
        for (const cluster of source.clusterIdentifiers) {
          byPair[`${source.accountId}/${cluster}`] = this.addMetricAlarm(`${kind.id}-${source.accountId}-${cluster}`, {
            alarmName: `${functionName}-${source.accountId}-${cluster}-${kind.nameSuffix}`,
            alarmDescription: `${kind.what(cluster, source.accountId)} is older than the RPO of ${source.rpoHours} h, or the DR monitor stopped reporting.`,
            metricName: kind.metricName,
            dimensions: { [METRIC_DIMENSIONS.sourceAccount]: source.accountId, [METRIC_DIMENSIONS.cluster]: cluster },
            statistic: "Maximum",
            period,
            evaluationPeriods,
            datapointsToAlarm: evaluationPeriods,
            threshold: source.rpoHours,
            treatMissingData: "breaching",
          });
        }
      }
      return byPair;
    };
    this.stalenessAlarms = alarms(props.sources, {
      id: "staleness",
      nameSuffix: "rpo-exceeded",
      metricName: DR_MONITOR_METRICS.newestSharedSnapshotAgeHours,
      what: (cluster, account) => `The newest snapshot of ${cluster} shared by ${account}`,
    });
    this.backupStalenessAlarms = alarms(backup?.sources ?? [], {
      id: "backup-staleness",
      nameSuffix: "backup-rpo-exceeded",
      metricName: DR_MONITOR_METRICS.newestRecoveryPointAgeHours,
      what: (cluster, account) => `The newest completed recovery point of ${cluster} (account ${account}) in the DR backup vault`,
    });
    this.drOwnedCopyStalenessAlarms = alarms(props.drOwnedCopies ?? [], {
      id: "drcopy-staleness",
      nameSuffix: "drcopy-rpo-exceeded",
      metricName: DR_MONITOR_METRICS.newestDrOwnedCopyAgeHours,
      what: (cluster, account) => `The data in the newest DR-owned copy of ${cluster} (account ${account})`,
    });
  }
}

/**
 * The SOURCES entries: one per native source, as before AWS Backup (`{"accountId","clusters"}`), then one per backup
 * source with `"approaches":["backup"]`, its region and partition, then one per DR-owned-copy source with
 * `"approaches":["drcopy"]` (no region or partition: the copies name their source in their tags). A cluster watched
 * several ways is in one entry of each kind. A cross-account copy stays in its partition, so the sources' partition
 * is the DR vault's: the `partition` prop, or else the vault ARN's (read by Terraform when the ARN is only known at
 * apply).
 */
function monitoredSources(props: DrSnapshotMonitorProps): MonitoredSource[] {
  const backup = props.backup;
  const partition =
    backup === undefined
      ? undefined
      : (props.partition ?? BACKUP_VAULT_ARN.exec(backup.vaultArn)?.[1] ?? Token.asString(Fn.element(Fn.split(":", backup.vaultArn), 1)));
  return [
    ...props.sources.map((s) => ({ accountId: s.accountId, clusters: [...s.clusterIdentifiers] })),
    ...(backup?.sources ?? []).map((s) => ({
      accountId: s.accountId,
      clusters: [...s.clusterIdentifiers],
      approaches: ["backup" as const],
      region: s.region,
      partition,
    })),
    ...(props.drOwnedCopies ?? []).map((s) => ({ accountId: s.accountId, clusters: [...s.clusterIdentifiers], approaches: ["drcopy" as const] })),
  ];
}
