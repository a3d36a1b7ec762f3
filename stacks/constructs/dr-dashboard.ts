// DR account: one CloudWatch dashboard of what the DR monitor and the restore drills publish. Per source cluster,
// the age of the newest restorable copy of each kind against its RPO line, and each drill's measured RTO over time.
//
// Reusable from any CDKTF app: everything comes from props, nothing from the project config.
import { Construct } from "constructs";
import { CloudwatchDashboard } from "@cdktf/provider-aws/lib/cloudwatch-dashboard";
import { DEFAULT_METRIC_NAMESPACE, DR_MONITOR_METRICS, METRIC_DIMENSIONS, RESTORE_DRILL_METRICS } from "../../contract";
import { PropChecks } from "./validation";

/** One source cluster on the dashboard: the RPO of each kind of copy it has in DR, and whether it is drilled. */
export interface DashboardCluster {
  readonly accountId: string;
  readonly clusterIdentifier: string;
  /** RPO of the snapshots the source shares (approach "native"). @default not shown */
  readonly sharedRpoHours?: number;
  /** RPO of the recovery points in the DR vault (approach "backup"). @default not shown */
  readonly backupRpoHours?: number;
  /** RPO of the DR-owned copies the drills keep. @default not shown */
  readonly drOwnedCopyRpoHours?: number;
  /** The cluster is drilled: show its measured RTO. @default false */
  readonly drilled?: boolean;
}

export interface DrDashboardProps {
  /** 1-255 letters, digits, hyphens and underscores. */
  readonly dashboardName: string;
  /** The region of the metrics (the DR region). */
  readonly region: string;
  readonly clusters: readonly DashboardCluster[];
  /** Namespace of the DR monitor's and drills' metrics. @default "RedshiftDR" */
  readonly metricNamespace?: string;
}

const WIDTH = 12;
const HEIGHT = 6;

/** The dashboard body (CloudWatch dashboard body structure): exported so that tests and docs read the same widgets. */
export function dashboardBody(props: DrDashboardProps): { widgets: Record<string, unknown>[] } {
  const ns = props.metricNamespace ?? DEFAULT_METRIC_NAMESPACE;
  const widgets: Record<string, unknown>[] = [
    {
      type: "text",
      x: 0,
      y: 0,
      width: 24,
      height: 2,
      properties: {
        markdown:
          "## Redshift DR: how old is what DR can restore, and how long a restore takes\n" +
          "Left: age in hours of the newest copy of each kind in the DR account, against its RPO (horizontal line). " +
          "Right: each restore drill's measured times in minutes (restore requested to available, and to validated: the RTO).",
      },
    },
  ];
  let y = 2;
  for (const c of props.clusters) {
    const dims = [METRIC_DIMENSIONS.sourceAccount, c.accountId, METRIC_DIMENSIONS.cluster, c.clusterIdentifier];
    const kinds = [
      { metric: DR_MONITOR_METRICS.newestSharedSnapshotAgeHours, rpo: c.sharedRpoHours, label: "shared snapshot" },
      { metric: DR_MONITOR_METRICS.newestRecoveryPointAgeHours, rpo: c.backupRpoHours, label: "DR vault copy" },
      { metric: DR_MONITOR_METRICS.newestDrOwnedCopyAgeHours, rpo: c.drOwnedCopyRpoHours, label: "DR-owned copy" },
    ].filter((k) => k.rpo !== undefined);
    const title = `${c.clusterIdentifier} (${c.accountId})`;
    if (kinds.length > 0) {
      widgets.push({
        type: "metric",
        x: 0,
        y,
        width: WIDTH,
        height: HEIGHT,
        properties: {
          title: `${title}: age of the newest copy in DR (hours)`,
          region: props.region,
          view: "timeSeries",
          stat: "Maximum",
          period: 3600,
          metrics: kinds.map((k) => [ns, k.metric, ...dims, { label: k.label }]),
          annotations: { horizontal: kinds.map((k) => ({ label: `RPO ${k.label}`, value: k.rpo })) },
          yAxis: { left: { min: 0, label: "hours" } },
        },
      });
    }
    if (c.drilled) {
      widgets.push({
        type: "metric",
        x: WIDTH,
        y,
        width: WIDTH,
        height: HEIGHT,
        properties: {
          title: `${title}: restore drills, measured (minutes)`,
          region: props.region,
          view: "timeSeries",
          stat: "Maximum",
          period: 86400,
          metrics: [
            [{ expression: "m1/60", label: "to available", id: "e1" }],
            [{ expression: "m2/60", label: "RTO (to validated)", id: "e2" }],
            [ns, RESTORE_DRILL_METRICS.secondsToAvailable, ...dims, { id: "m1", visible: false }],
            [ns, RESTORE_DRILL_METRICS.totalSeconds, ...dims, { id: "m2", visible: false }],
            [ns, RESTORE_DRILL_METRICS.failed, ...dims, { id: "m3", stat: "Sum", label: "failed drills", yAxis: "right" }],
          ],
          yAxis: { left: { min: 0, label: "minutes" }, right: { min: 0, label: "failed" } },
        },
      });
    }
    y += HEIGHT;
  }
  return { widgets };
}

/** The DR dashboard (`aws_cloudwatch_dashboard`). */
export class DrDashboard extends Construct {
  public readonly dashboard: CloudwatchDashboard;

  constructor(scope: Construct, id: string, props: DrDashboardProps) {
    super(scope, id);
    const check = new PropChecks("DrDashboard", this);
    check.pattern("dashboardName", props.dashboardName, /^[A-Za-z0-9_-]{1,255}$/, "1-255 letters, digits, hyphens and underscores");
    if (props.clusters.length === 0) check.fail("clusters", props.clusters, "at least one source cluster");
    this.dashboard = new CloudwatchDashboard(this, "dashboard", {
      dashboardName: props.dashboardName,
      dashboardBody: JSON.stringify(dashboardBody(props)),
    });
  }
}
