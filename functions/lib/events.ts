/**
 * What invoked the snapshot manager, and what that run should do.
 *  - EventBridge Scheduler, payload {"trigger":"schedule"}: create + share + retention, every cluster.
 *  - EventBridge Scheduler, payload {"trigger":"share"} (the copy-share schedule, with cross-region copies): share +
 *    retention only, every cluster, so that copies are shared soon after they finish.
 *  - SNS records from a Redshift `cluster-snapshot` event subscription: share + retention only, for the
 *    clusters whose (our) snapshot the messages name. Messages naming none of our snapshots (automated
 *    snapshots, other tools' snapshots) lead to no work at all, so that automated-snapshot events of
 *    many clusters do not each cause a full reconcile.
 */
import * as z from "zod/mini";
import { SCHEDULE_PAYLOAD, SHARE_PAYLOAD, windowSnapshotIdPattern } from "../../contract";

export interface Trigger {
  readonly kind: "schedule" | "share-schedule" | "snapshot-event";
  readonly createSnapshots: boolean;
  /** Clusters to reconcile (a subset of the configured ones). */
  readonly clusterIdentifiers: string[];
}

export class UnsupportedEventError extends Error {
  constructor(event: unknown) {
    let shown: string;
    try {
      shown = JSON.stringify(event)?.slice(0, 300) ?? String(event);
    } catch {
      shown = String(event);
    }
    super(
      `unsupported event ${shown}: expected {"trigger":"schedule"} or {"trigger":"share"} (EventBridge Scheduler) or SNS records` +
        ` (Redshift cluster-snapshot event subscription)`,
    );
    this.name = "UnsupportedEventError";
  }
}

/** The payload EventBridge Scheduler sends (contract: SCHEDULE_PAYLOAD). */
const scheduleEvent = z.object({ trigger: z.literal(SCHEDULE_PAYLOAD.trigger) });
const shareEvent = z.object({ trigger: z.literal(SHARE_PAYLOAD.trigger) });

/** SNS records as Lambda receives them from a topic (only the fields read here). */
const snsEvent = z.object({
  Records: z.array(z.object({ Sns: z.object({ Subject: z.nullish(z.string()), Message: z.nullish(z.string()) }) })).check(z.minLength(1)),
});

/** Configured clusters whose window snapshot id (`prefix-cluster-YYYYMMDDtHHMMz`) occurs in `text`. */
export function clustersNamedIn(text: string, snapshotPrefix: string, clusters: readonly string[]): string[] {
  return clusters.filter((cluster) =>
    new RegExp(`(^|[^a-z0-9-])${windowSnapshotIdPattern(snapshotPrefix, cluster)}($|[^a-z0-9-])`).test(text),
  );
}

export function parseTrigger(event: unknown, config: { snapshotPrefix: string; clusterIdentifiers: readonly string[] }): Trigger {
  if (scheduleEvent.safeParse(event).success) {
    return { kind: "schedule", createSnapshots: true, clusterIdentifiers: [...config.clusterIdentifiers] };
  }
  if (shareEvent.safeParse(event).success) {
    return { kind: "share-schedule", createSnapshots: false, clusterIdentifiers: [...config.clusterIdentifiers] };
  }
  const sns = snsEvent.safeParse(event);
  if (sns.success) {
    const texts = sns.data.Records.map((r) => `${r.Sns.Subject ?? ""}\n${r.Sns.Message ?? ""}`);
    const named = new Set(texts.flatMap((t) => clustersNamedIn(t, config.snapshotPrefix, config.clusterIdentifiers)));
    return {
      kind: "snapshot-event",
      createSnapshots: false,
      clusterIdentifiers: config.clusterIdentifiers.filter((c) => named.has(c)),
    };
  }
  throw new UnsupportedEventError(event);
}
