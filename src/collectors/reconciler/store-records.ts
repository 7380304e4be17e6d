import type { DB } from "../../store/db.js";
import {
  markArgoRollbacks,
  storeDeployments,
  storeEvents,
  storeHistoryGaps,
  storeObservations,
} from "../../store/reconciler-store.js";
import type { DeploymentRecord, HistoryObservation, ReconcilerEventRecord } from "./deployment.js";
import { describeGap, historyGaps } from "./history-gaps.js";

/**
 * One cluster's records into the store, in the caller's transaction, and the history its new
 * observations show was dropped since the previous read (recorded with the run). Shared by a
 * collection run and an import: both store what one read of the cluster saw.
 */
export function storeClusterRecords(
  db: DB,
  runId: number,
  records: {
    deployments: readonly DeploymentRecord[];
    observations: readonly HistoryObservation[];
    events: readonly ReconcilerEventRecord[];
  },
): { counts: Record<string, number>; gaps: string[] } {
  const deployments = storeDeployments(db, runId, records.deployments);
  const events = storeEvents(db, runId, records.events);
  // An Argo CD rollback older than the current operation is known from its event (which may come
  // in another read than its history entry): marked across everything stored for the cluster.
  const clusters = new Set([...records.deployments, ...records.events].map((r) => r.cluster));
  let rollbacksMarked = 0;
  for (const c of clusters) rollbacksMarked += markArgoRollbacks(db, runId, c);
  // Only a read that changed a target's history can show entries lost since the read before it.
  const found = storeObservations(db, runId, records.observations).flatMap(({ observation, previous }) =>
    historyGaps(previous ? [previous, observation] : [observation]).filter((g) => g.foundAt === observation.observedAt),
  );
  storeHistoryGaps(db, runId, found);
  return {
    counts: {
      deploymentsRead: records.deployments.length,
      deploymentsAdded: deployments.added,
      deploymentsUpdated: deployments.updated,
      eventsAdded: events.added,
      rollbacksMarked,
      observations: records.observations.length,
      historyGaps: found.length,
    },
    gaps: found.map(describeGap),
  };
}
