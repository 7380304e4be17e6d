import { statSync } from "node:fs";
import type { ClusterConfig, FluxV1Config } from "../../config/schema.js";
import type { DB } from "../../store/db.js";
import { finishRun, sealFailed, startRun } from "../../store/ledger.js";
import { storeDeployments } from "../../store/reconciler-store.js";
import { append } from "../../util/append.js";
import { argoDeployments } from "./argocd.js";
import type { DeploymentRecord, HistoryObservation, Mapped, ReconcilerEventRecord } from "./deployment.js";
import { coreEventRecords, helmReleaseDeployments, kustomizationDeployments, sourceIndex } from "./flux.js";
import { readFluxV1 } from "./flux-v1.js";
import { objectLabel } from "./malformed.js";
import { type ClusterRead, type ReadContext, readCluster } from "./read-cluster.js";
import { storeClusterRecords } from "./store-records.js";

/**
 * One cluster entry, one run: read its objects, map them to records, store them (deduplicated,
 * kept for good), and check each target's history against the previous read (SPEC P1). What
 * was read is stored even when another list failed; the failure makes the run failed, so the
 * report shows the gap.
 */

export interface ClusterRecords {
  deployments: DeploymentRecord[];
  observations: HistoryObservation[];
  events: ReconcilerEventRecord[];
  warnings: string[];
}

export interface ClusterRunResult {
  cluster: string;
  runId: number;
  records: ClusterRecords;
  counts: Record<string, number>;
  /** History truncated between reads, and lists that failed: one line each. */
  gaps: string[];
  notes: string[];
  /** The run ended failed (a list failed): the records read are stored all the same. */
  failed: boolean;
  /** When the run failed, why: the failures joined. */
  error: string | null;
}

function oldestFileTime(files: readonly string[]): string | null {
  const times = files.map((f) => statSync(f, { throwIfNoEntry: false })?.mtime.getTime() ?? Number.NaN);
  return times.some(Number.isNaN) ? null : new Date(Math.min(...times)).toISOString();
}

/** Pure: what the raw objects of one read say. */
export function mapClusterRead(read: ClusterRead, cluster: string): ClusterRecords {
  const out: ClusterRecords = { deployments: [], observations: [], events: [], warnings: [...read.warnings] };
  // One object that breaks its mapper (a shape nobody foresaw) is skipped and named, never the cluster.
  const guarded = (kind: string, raw: unknown, map: () => Mapped): Mapped => {
    try {
      return map();
    } catch (e) {
      return {
        deployments: [],
        observation: null,
        warnings: [
          `${objectLabel(kind, raw)}: skipped, it could not be read (${e instanceof Error ? e.message : String(e)})`,
        ],
      };
    }
  };
  const take = (m: Mapped) => {
    append(out.deployments, m.deployments);
    if (m.observation) out.observations.push(m.observation);
    append(out.warnings, m.warnings);
  };
  for (const a of read.applications)
    take(guarded("Application", a.raw, () => argoDeployments(a.raw, cluster, a.observedAt)));
  const sources = sourceIndex(read.sources);
  append(out.warnings, sources.warnings);
  for (const k of read.kustomizations) {
    take(guarded("Kustomization", k.raw, () => kustomizationDeployments(k.raw, cluster, k.observedAt, sources.index)));
  }
  for (const h of read.helmReleases) {
    take(guarded("HelmRelease", h.raw, () => helmReleaseDeployments(h.raw, cluster, h.observedAt, sources.index)));
  }
  for (const raw of read.events) {
    const r = coreEventRecords(raw, cluster);
    if (r.event) out.events.push(r.event);
    if (r.deployment) out.deployments.push(r.deployment);
    if (r.warning) out.warnings.push(r.warning);
  }
  return out;
}

export interface CollectClusterContext extends ReadContext {
  /** Called with the records once the run is sealed, failed or not (an NDJSON export). */
  onRecords?: (runId: number, records: ClusterRecords, result: ClusterRunResult) => void;
}

export async function collectCluster(
  db: DB,
  cluster: ClusterConfig,
  index: number,
  ctx: CollectClusterContext,
): Promise<ClusterRunResult> {
  const source = cluster.kubernetes ? "kubernetes" : cluster.argocdApi ? "argocd-api" : "files";
  const log = ctx.log.child({ cluster: cluster.name });
  const runId = startRun(db, {
    source: "reconciler",
    scope: { cluster: cluster.name },
    parameters: {
      source,
      ...(cluster.kubernetes
        ? {
            reconcilers: cluster.reconcilers,
            namespaces: cluster.namespaces ?? "all",
            events: cluster.events,
            pageSize: cluster.pageSize,
          }
        : {}),
      ...(cluster.argocdApi ? { url: cluster.argocdApi.url, projects: cluster.argocdApi.projects ?? "all" } : {}),
      // An export says what the cluster held when it was written: the oldest file is the read.
      ...(cluster.files ? { files: cluster.files, readAt: oldestFileTime(cluster.files) } : {}),
    },
    now: ctx.now(),
  });
  let read: ClusterRead;
  try {
    read = await readCluster(cluster, index, ctx);
  } catch (e) {
    const error = e instanceof Error ? e.message : String(e);
    sealFailed(db, runId, { error, now: ctx.now() });
    // The report machine must learn of a failed run too: an export with no records says so.
    const none: ClusterRecords = { deployments: [], observations: [], events: [], warnings: [] };
    try {
      ctx.onRecords?.(runId, none, {
        cluster: cluster.name,
        runId,
        records: none,
        counts: {},
        gaps: [],
        notes: [],
        failed: true,
        error,
      });
    } catch (exportError) {
      log.error(exportError instanceof Error ? exportError.message : String(exportError));
    }
    throw e;
  }
  const records = mapClusterRead(read, cluster.name);
  for (const w of records.warnings) log.warn(w);
  const result: ClusterRunResult = {
    cluster: cluster.name,
    runId,
    records,
    counts: {},
    gaps: [],
    notes: read.notes,
    failed: read.failures.length > 0 || read.fatal !== null,
    error: null,
  };
  db.transaction(() => {
    const stored = storeClusterRecords(db, runId, records);
    result.gaps = [...stored.gaps, ...read.failures];
    result.counts = {
      applications: read.applications.length,
      kustomizations: read.kustomizations.length,
      helmReleases: read.helmReleases.length,
      events: read.events.length,
      ...stored.counts,
      warnings: records.warnings.length,
      requests: read.requests,
      retries: read.retries,
    };
    const failures = read.fatal && read.failures.length === 0 ? [read.fatal.message] : read.failures;
    result.error = failures.length > 0 ? failures.join("; ") : null;
    finishRun(db, runId, {
      status: result.failed ? "failed" : "succeeded",
      counts: result.counts,
      // History gaps are recorded apart (reconciler_history_gaps) and judged against a report's
      // period; they do not make the run partial.
      ...(result.failed ? { error: failures.join("; ") } : {}),
      now: ctx.now(),
    });
  }).immediate();
  // A failure that ends the read is said once, by the caller; partial failures and gaps here.
  for (const g of read.fatal ? result.gaps.filter((x) => x !== read.fatal?.message) : result.gaps) log.warn(g);
  ctx.onRecords?.(runId, records, result);
  if (read.fatal) throw read.fatal;
  return result;
}

export interface FluxV1RunResult {
  repo: string;
  cluster: string;
  runId: number;
  counts: Record<string, number>;
  warnings: string[];
}

/** Flux v1's sync tag and notes in a gitops repository the git collector just fetched: one run. */
export async function collectFluxV1(
  db: DB,
  repo: string,
  gitDir: string,
  settings: FluxV1Config,
  ctx: { log: ReadContext["log"]; now: () => Date },
): Promise<FluxV1RunResult> {
  const runId = startRun(db, {
    source: "flux-v1",
    scope: { repo, cluster: settings.cluster },
    parameters: { tag: settings.tag, notesRef: settings.notesRef },
    now: ctx.now(),
  });
  try {
    const mapped = await readFluxV1(gitDir, { repo, ...settings, observedAt: ctx.now().toISOString() });
    for (const w of mapped.warnings) ctx.log.warn(w, { repo });
    const counts: Record<string, number> = {};
    db.transaction(() => {
      const stored = storeDeployments(db, runId, mapped.deployments);
      Object.assign(counts, {
        deploymentsRead: mapped.deployments.length,
        deploymentsAdded: stored.added,
        deploymentsUpdated: stored.updated,
        warnings: mapped.warnings.length,
      });
      finishRun(db, runId, { status: "succeeded", counts, now: ctx.now() });
    }).immediate();
    return { repo, cluster: settings.cluster, runId, counts, warnings: mapped.warnings };
  } catch (e) {
    sealFailed(db, runId, { error: e instanceof Error ? e.message : String(e), now: ctx.now() });
    throw e;
  }
}
