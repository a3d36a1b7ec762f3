/**
 * Metrics as data points the core produces, and the sinks that write them. In Lambda they are written as
 * CloudWatch embedded metric format (EMF) on stdout by Powertools Metrics: CloudWatch Logs turns them into
 * metrics, so no PutMetricData call (and no IAM permission for it) is needed. The alarms select the metrics by
 * exactly these dimensions, so Powertools' default `service` dimension is removed.
 */
import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";

export interface MetricPoint {
  readonly name: string;
  readonly unit: "Count" | "None";
  readonly value: number;
  /** Exactly the dimensions the alarms select by (contract: METRIC_DIMENSIONS). */
  readonly dimensions: Readonly<Record<string, string>>;
}

/** Writes a run's metric points; throws if they cannot be written. */
export type MetricsSink = (points: readonly MetricPoint[], timestamp: Date) => void;

/** EMF through Powertools Metrics: one EMF document per set of dimension values. */
export function emfSink(namespace: string, metrics: Metrics = new Metrics({ namespace })): MetricsSink {
  metrics.clearDefaultDimensions();
  return (points, timestamp) => {
    const byDimensions = new Map<string, MetricPoint[]>();
    for (const p of points) {
      const key = JSON.stringify(Object.entries(p.dimensions).sort());
      byDimensions.set(key, [...(byDimensions.get(key) ?? []), p]);
    }
    for (const group of byDimensions.values()) {
      metrics.addDimensions({ ...group[0].dimensions });
      for (const p of group) metrics.addMetric(p.name, p.unit === "Count" ? MetricUnit.Count : MetricUnit.NoUnit, p.value);
      metrics.setTimestamp(timestamp);
      metrics.publishStoredMetrics();
    }
  };
}

/** A sink that keeps the points (tests; the planned operator CLI). */
export function memorySink(): MetricsSink & { readonly points: MetricPoint[] } {
  const points: MetricPoint[] = [];
  const sink = (batch: readonly MetricPoint[]) => {
    points.push(...batch);
  };
  return Object.assign(sink, { points });
}
