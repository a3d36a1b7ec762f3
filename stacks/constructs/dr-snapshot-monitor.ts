// DR-account side of native snapshot sharing: the dr-monitor Lambda lists the snapshots each source account
// shares with this account and publishes NewestSharedSnapshotAgeHours per (source account, cluster); one alarm
// per pair fires when that age exceeds the RPO or when the monitor stops reporting.
//
// Reusable from any CDKTF app: everything comes from props, nothing from the project config.
import * as path from "path";
import { Construct } from "constructs";
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import {
  ACCOUNT_ID,
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

const DEFAULT_ENTRY = path.resolve(__dirname, "../../functions/dr-monitor/handler.ts");

/** One source account whose shared snapshots are watched. */
export interface DrMonitorSource {
  /** 12-digit id of the account owning the snapshots. */
  readonly accountId: string;
  /** Clusters of that account whose snapshots are shared with this account. */
  readonly clusterIdentifiers: readonly string[];
  /** Alarm when the newest shared snapshot of a cluster is older than this many hours. */
  readonly rpoHours: number;
}

export interface DrSnapshotMonitorProps extends ScheduledFunctionCommonProps {
  /** Source accounts and their clusters. */
  readonly sources: readonly DrMonitorSource[];
  /** How often the monitor runs. @default "rate(1 hour)" */
  readonly scheduleExpression?: string;
  /** @default "UTC" */
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
  /** @default 120 */
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

function validate(scope: Construct, id: string, props: DrSnapshotMonitorProps): DrSnapshotMonitorProps {
  const check = new PropChecks(OWNER, { scope, id });
  checkCommonProps(check, props, FUNCTION_SUFFIX);
  if (props.sources.length === 0) check.fail("sources", props.sources, "at least one source account");
  const seen = new Set<string>();
  props.sources.forEach((s, i) => {
    check.pattern(`sources[${i}].accountId`, s.accountId, ACCOUNT_ID, "a 12-digit AWS account id");
    if (seen.has(s.accountId)) check.fail(`sources[${i}].accountId`, s.accountId, "listed once");
    seen.add(s.accountId);
    if (props.accountId !== undefined && s.accountId === props.accountId) {
      check.fail(`sources[${i}].accountId`, s.accountId, "an account other than the DR account (accountId)");
    }
    check.uniqueList(`sources[${i}].clusterIdentifiers`, s.clusterIdentifiers, "cluster");
    s.clusterIdentifiers.forEach((c, j) => {
      if (clusterIdentifierProblem(c)) check.fail(`sources[${i}].clusterIdentifiers[${j}]`, c, CLUSTER_IDENTIFIER_RULE);
    });
    if (!(s.rpoHours > 0)) check.fail(`sources[${i}].rpoHours`, s.rpoHours, "a positive number of hours");
  });
  checkAlarmWindow(check, props.alarmPeriodSeconds ?? 3600, props.alarmEvaluationPeriods ?? 2);
  return props;
}

/**
 * The DR-side monitor: dr-monitor function on an EventBridge Scheduler schedule (retries, encrypted DLQ),
 * a role limited to DescribeClusterSnapshots and Publish to the alert topic (metrics are embedded metric format
 * in its logs), and one NewestSharedSnapshotAgeHours > rpoHours alarm per (source account, cluster), missing
 * data breaching.
 */
export class DrSnapshotMonitor extends ScheduledFunction {
  /** Keyed `<accountId>/<clusterIdentifier>`. */
  public readonly stalenessAlarms: Readonly<Record<string, CloudwatchMetricAlarm>>;

  constructor(scope: Construct, id: string, props: DrSnapshotMonitorProps) {
    const functionName = `${validate(scope, id, props).namePrefix}${FUNCTION_SUFFIX}`;
    const sources: MonitoredSource[] = props.sources.map((s) => ({ accountId: s.accountId, clusters: [...s.clusterIdentifiers] }));
    super(scope, id, props, {
      ownerName: OWNER,
      functionName,
      defaultEntry: DEFAULT_ENTRY,
      description: "Reports the age of the newest Redshift snapshot each source account shares with this DR account",
      environment: {
        [DR_MONITOR_ENV.sources]: JSON.stringify(sources),
        [DR_MONITOR_ENV.snapshotPrefix]: props.snapshotPrefix ?? DEFAULT_PROJECT,
        [DR_MONITOR_ENV.managedBy]: props.managedBy ?? DEFAULT_PROJECT,
      },
      policyStatements: () => [
        {
          // WILDCARD: listing the snapshots other accounts share with this one names no cluster of this account;
          // the Service Authorization Reference gives DescribeClusterSnapshots only an optional cluster resource.
          Sid: "DescribeSharedSnapshots",
          Action: "redshift:DescribeClusterSnapshots",
          Resource: "*",
        },
      ],
      timeoutSeconds: props.timeoutSeconds ?? 120,
      alertTopicName: `${props.namePrefix}-dr-alerts`,
      scheduleExpression: props.scheduleExpression ?? "rate(1 hour)",
      scheduleTimezone: props.scheduleTimezone,
      scheduleDescription: "Checks the age of snapshots shared with the DR account",
    });

    const period = props.alarmPeriodSeconds ?? 3600;
    const evaluationPeriods = props.alarmEvaluationPeriods ?? 2;
    const alarms: Record<string, CloudwatchMetricAlarm> = {};
    for (const source of props.sources) {
      for (const cluster of source.clusterIdentifiers) {
        alarms[`${source.accountId}/${cluster}`] = this.addMetricAlarm(`staleness-${source.accountId}-${cluster}`, {
          alarmName: `${functionName}-${source.accountId}-${cluster}-rpo-exceeded`,
          alarmDescription:
            `The newest snapshot of ${cluster} shared by ${source.accountId} is older than the RPO of ` +
            `${source.rpoHours} h, or the DR monitor stopped reporting.`,
          metricName: DR_MONITOR_METRICS.newestSharedSnapshotAgeHours,
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
    this.stalenessAlarms = alarms;
  }
}
