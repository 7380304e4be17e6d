import type { DB } from "./db.js";
import type { DeploymentRow as StoredDeploymentRow } from "./reconciler-store.js";

/**
 * The rows deployment linkage (SPEC §3a "changes introduced by a deployment", C9, C10) reads:
 * every sync record the store kept, the GitOps repositories' commit graphs, the protected tips
 * git saw, and the history gaps the reconciler collector found. Plain rows; evidence links them.
 */

/** A sync record as linkage reads it: the store's own row without its bookkeeping. */
export type DeploymentRow = Omit<
  StoredDeploymentRow,
  "key" | "identity" | "evidence" | "detail" | "first_run_id" | "changed_run_id"
>;

export interface GraphCommitRow {
  sha: string;
  /** Space-separated parent shas. */
  parents: string;
}

export interface HistoryGapRow {
  kind: string;
  reconciler: string;
  cluster: string;
  namespace: string;
  name: string;
  after: string | null;
  before: string;
}

/** Every deployment record, by target then time. */
export function deploymentRows(db: DB): DeploymentRow[] {
  return db
    .prepare(
      `SELECT id, reconciler, cluster, namespace, name, basis, source_repo, source_path, revisions, commit_oid,
              started_at, finished_at, initiated_by, automated, outcome, rollback
       FROM deployments ORDER BY reconciler, cluster, namespace, name, coalesce(started_at, finished_at), id`,
    )
    .all() as DeploymentRow[];
}

/** One repository's stored commits (every one git harvested) with their parents. */
export function commitGraphRows(db: DB, repoId: number): GraphCommitRow[] {
  return db
    .prepare("SELECT sha, parents FROM commits WHERE repo_id = ?")
    .raw()
    .all(repoId)
    .map((r) => {
      const [sha, parents] = r as [string, string];
      return { sha, parents };
    });
}

/** Every tip of a protected branch any run saw for the repository (rewritten ones too). */
export function protectedTipRows(db: DB, repoId: number): string[] {
  return (
    db.prepare("SELECT DISTINCT sha FROM ref_tips WHERE repo_id = ? AND protected = 1 ORDER BY sha").all(repoId) as {
      sha: string;
    }[]
  ).map((r) => r.sha);
}

export function historyGapRows(db: DB): HistoryGapRow[] {
  return db
    .prepare(
      `SELECT kind, reconciler, cluster, namespace, name, after, before FROM reconciler_history_gaps
       ORDER BY reconciler, cluster, namespace, name, before`,
    )
    .all() as HistoryGapRow[];
}
