/**
 * A deployment as SPEC §1 defines it: a reconciler's sync record. The mapping functions for each
 * reconciler kind produce these; the store keeps every one it has ever seen, keyed by `key`.
 */

export type ReconcilerKind = "argocd" | "flux-kustomization" | "flux-helmrelease" | "flux-v1";

export type DeploymentOutcome = "succeeded" | "failed" | "error";

export interface DeploymentRecord {
  reconciler: ReconcilerKind;
  /** The cluster as configured (a name: the API server's URL may change). */
  cluster: string;
  namespace: string;
  name: string;
  /** The first (or only) source's repository URL and path. */
  sourceRepo: string | null;
  sourcePath: string | null;
  /** Every revision applied, as written (one per source). */
  revisions: string[];
  /** The git commit of the first revision that is one, lower case. */
  commit: string | null;
  startedAt: string | null;
  finishedAt: string;
  /** Who started it: a username, or null when automated or not recorded. */
  initiatedBy: string | null;
  /** True: the reconciler's automation; false: a person; null: the record does not say. */
  automated: boolean | null;
  outcome: DeploymentOutcome;
  /** A rollback to an earlier revision (Argo CD's rollback operation). */
  rollback: boolean;
  /** Where in the object the record was read (`status.history[3]`, `status.operationState`). */
  evidence: string;
}

/**
 * Same target, same revisions, same finish time: one deployment, however many runs saw it. The
 * finish time is second-precision as Kubernetes serializes it.
 */
export function deploymentKey(d: DeploymentRecord): string {
  return [d.reconciler, d.cluster, d.namespace, d.name, d.revisions.join(","), d.finishedAt].join("\u0000");
}
