/**
 * The records the reconciler collectors produce. A deployment is SPEC §1's: a reconciler's sync
 * record. The mapping functions for each reconciler kind produce these from raw objects; the
 * store keeps every one it has ever seen, keyed by `deploymentKey`, and never deletes one when the
 * cluster forgets it.
 */

export type ReconcilerKind = "argocd" | "flux-kustomization" | "flux-helmrelease" | "flux-v1";

export type DeploymentOutcome = "succeeded" | "failed" | "error";

/**
 * Where in the reconciler's data a record was read. The same sync may be seen through several
 * (a Kustomization history entry and the controller's event for it); they stay separate records
 * and the evidence layer decides which one speaks for the deployment.
 */
export type DeploymentBasis =
  | "history" // status.history (Argo CD, Kustomization ≥ 2.7, HelmRelease)
  | "operation" // Argo CD status.operationState (the only trace of a failed sync)
  | "status" // lastAppliedRevision / lastAttemptedRevision and conditions, as observed
  | "event" // a controller's Kubernetes Event
  | "webhook" // an event posted by notification-controller
  | "tag" // Flux v1: the flux-sync tag's position
  | "note"; // Flux v1: a note under refs/notes/flux

/** Reconciler-specific facts kept with a record (digest, Ready reason, Helm release version...). */
export type DeploymentDetail = Record<string, string | number | boolean | null>;

export interface DeploymentRecord {
  reconciler: ReconcilerKind;
  /** The cluster as configured (a name: the API server's URL may change). */
  cluster: string;
  namespace: string;
  name: string;
  basis: DeploymentBasis;
  /**
   * What makes this record one deployment of its target, stable across runs that see it again:
   * usually revisions and finish time; for a Kustomization history entry (digest, status,
   * firstReconciled), because Flux moves its revision and last-reconciled time in place.
   */
  identity: string;
  /** The first (or only) source's repository URL and path. */
  sourceRepo: string | null;
  sourcePath: string | null;
  /** Every revision applied, as written (one per source). */
  revisions: string[];
  /** The git commit of the first revision that is one, lower case. */
  commit: string | null;
  startedAt: string | null;
  /** When it finished; for records Flux updates in place, the latest time it was seen applied. */
  finishedAt: string;
  /** Who started it: a username, or null when automated or not recorded. */
  initiatedBy: string | null;
  /** True: the reconciler's automation; false: a person; null: the record does not say. */
  automated: boolean | null;
  outcome: DeploymentOutcome;
  /** A rollback to an earlier revision (Argo CD's rollback, Helm remediation). */
  rollback: boolean;
  /** Where in the object the record was read (`status.history[3]`, `status.operationState`). */
  evidence: string;
  detail: DeploymentDetail;
}

/** One target's history as one run saw it: how far back the cluster still remembered (SPEC P1). */
export interface HistoryObservation {
  reconciler: ReconcilerKind;
  cluster: string;
  namespace: string;
  name: string;
  /** When the object was read. */
  observedAt: string;
  /** As stored: the last read that found the same history (reads in between changed nothing). */
  seenUntil?: string;
  /** Entries in the history. */
  entries: number;
  /**
   * The most entries the reconciler keeps for this target; null when it has no fixed cap; 0 when
   * it keeps no history at all (Flux before 2.7: only the revision applied now is known).
   */
  capacity: number | null;
  /** The oldest time from which the history is still complete (its oldest entry's time). */
  horizon: string | null;
  /** The newest entry's time: entries a later read finds missing came after it. */
  newest: string | null;
  /**
   * Sequence numbers the history carries, when it has them (Argo CD history ids, Helm release
   * versions): consecutive, so a hole between two runs is exact rather than possible.
   */
  seqMin: number | null;
  seqMax: number | null;
  /**
   * What the reconciler said of the target at the read, in its words: Argo CD's sync and health
   * status and revision, Flux's Ready condition, applied revision and its source's revision.
   */
  state: string | null;
}

/** A controller event about a reconciled object, from the Kubernetes API or a webhook. */
export interface ReconcilerEventRecord {
  cluster: string;
  via: "api" | "webhook";
  /** Stable across runs and redeliveries: the Event's uid, or a digest of a webhook body's fields. */
  key: string;
  kind: string;
  namespace: string;
  name: string;
  reason: string;
  /** Normal/Warning (Kubernetes) or info/error (webhook). */
  severity: string;
  message: string;
  revision: string | null;
  controller: string;
  firstAt: string;
  lastAt: string;
  count: number;
}

/** What mapping one raw object gives. */
export interface Mapped {
  deployments: DeploymentRecord[];
  /** Null when the object keeps no history (or none could be read). */
  observation: HistoryObservation | null;
  /** Parts skipped, each naming the object and why. */
  warnings: string[];
}

/** Same target, same basis and identity: one deployment, however many runs saw it. */
export function deploymentKey(d: DeploymentRecord): string {
  return [d.reconciler, d.cluster, d.namespace, d.name, d.basis, d.identity].join("\u0000");
}

/** Identity of a record that is one sync: its revisions and finish time. */
export function revisionsAt(revisions: readonly string[], at: string): string {
  return `${revisions.join(",")}@${at}`;
}

/** Smallest and largest of some numbers, without spreading them onto the stack (hostile sizes). */
export function minMax(values: readonly number[]): { min: number | null; max: number | null } {
  let min: number | null = null;
  let max: number | null = null;
  for (const v of values) {
    if (min === null || v < min) min = v;
    if (max === null || v > max) max = v;
  }
  return { min, max };
}

/**
 * An observation's horizon (oldest entry) and newest entry, from the entries' times, compared as
 * instants whatever their precision.
 */
export function spanOf(times: readonly string[]): { horizon: string | null; newest: string | null } {
  let horizon: string | null = null;
  let newest: string | null = null;
  for (const t of times) {
    if (horizon === null || Date.parse(t) < Date.parse(horizon)) horizon = t;
    if (newest === null || Date.parse(t) > Date.parse(newest)) newest = t;
  }
  return { horizon, newest };
}
