import { collectGitRepo, type GitCollectResult } from "../../collectors/git/collect.js";
import { removeStaleStages } from "../../collectors/git/stage-file.js";
import type { GitHubOrgResult, GitHubRepoResult } from "../../collectors/github/collect.js";
import type { ClusterRunResult, FluxV1RunResult } from "../../collectors/reconciler/collect.js";
import type { LoadedConfig } from "../../config/load.js";
import { ChangeproofError, CollectionIncompleteError, isChangeproofError, messageOf } from "../../errors/index.js";
import type { Logger } from "../../log/logger.js";
import { type DB, storeFailure } from "../../store/db.js";
import { abandonDeadRuns, getRun } from "../../store/ledger.js";
import { openStoreLocked, type WriterLock } from "../../store/writer-lock.js";
import { plural } from "../../util/plural.js";
import { oneLine } from "../../util/visible.js";

export interface CollectSummary {
  results: GitCollectResult[];
  github: GitHubRepoResult[];
  org?: GitHubOrgResult;
  clusters: ClusterRunResult[];
  fluxV1: FluxV1RunResult[];
  /** NDJSON files written for --export-dir. */
  exports: string[];
  failures: { repo: string; error: string }[];
}

export interface CollectEnv {
  env: NodeJS.ProcessEnv;
  /** Scales GitHub retry waits (tests). */
  waitScale?: number;
  /** Write each cluster run's records there as NDJSON, for `changeproof import` elsewhere. */
  exportDir?: string;
  /** First retry wait against clusters (tests make it small). */
  clusterRetryBaseMs?: number;
}

/**
 * Collect every configured source. One repository's failure does not stop the others: it is
 * recorded as a failed run, logged as one line, and makes the whole collection incomplete.
 */
export async function collectAll(
  cfg: LoadedConfig,
  log: Logger,
  now: () => Date,
  runtime: CollectEnv = { env: process.env },
): Promise<CollectSummary> {
  // The GitHub collector (octokit and its plugins) is loaded only when the config asks for it: a
  // cron job collecting git alone does not pay for it at every start. A missing token is a config
  // error, found before anything is collected.
  const github = cfg.github ? await loadGitHub() : undefined;
  const client =
    cfg.github && github
      ? github.clientFromConfig(
          cfg.github,
          runtime.env,
          log,
          runtime.waitScale !== undefined ? { waitScale: runtime.waitScale } : {},
        )
      : undefined;
  // One writer at a time: a second collect or import is refused before it starts a run.
  const { db, lock } = openStoreLocked(cfg.database, "collect", now(), (m) => log.error(m));
  try {
    removeStaleStages(cfg.database);
    const abandoned = abandonDeadRuns(db, now());
    if (abandoned > 0) log.warn("earlier runs ended without finishing; recorded as abandoned", { runs: abandoned });
    const summary: CollectSummary = { results: [], github: [], clusters: [], fluxV1: [], exports: [], failures: [] };
    for (const repo of cfg.repos) {
      lock.assertHeld();
      try {
        summary.results.push(await collectGitRepo(db, repo, { cacheDir: cfg.cache, log, now }));
      } catch (e) {
        const err = classify(cfg.database, e);
        if (err.kind === "store") throw err;
        log.error(err.message, { repo: repo.name, code: err.code });
        // Messages name their repository already; the summary puts the name first once.
        summary.failures.push({ repo: repo.name, error: err.message.replace(`repo ${repo.name}: `, "") });
      }
    }
    // Loaded only when the config names clusters or Flux v1 repositories.
    const reconciler = cfg.clusters?.length || cfg.repos.some((r) => r.fluxV1) ? await loadReconciler() : undefined;
    if (reconciler) {
      for (const repo of cfg.repos) {
        lock.assertHeld();
        const gitDir = summary.results.find((r) => r.repo === repo.name)?.gitDir;
        if (!repo.fluxV1 || !gitDir) continue;
        try {
          summary.fluxV1.push(await reconciler.collectFluxV1(db, repo.name, gitDir, repo.fluxV1, { log, now }));
        } catch (e) {
          const err = classify(cfg.database, e);
          if (err.kind === "store") throw err;
          log.error(err.message, { repo: repo.name, code: err.code });
          summary.failures.push({ repo: `${repo.name} (Flux v1)`, error: err.message });
        }
      }
    }
    if (reconciler && cfg.clusters) {
      await collectClusters(db, cfg, reconciler, summary, { log, now, runtime, lock });
    }
    if (cfg.github && client && github) {
      const { collectGitHubOrg, collectGitHubRepo } = github;
      // After git: GitHub's commit lookups start from the protected branches git just stored.
      const gh = cfg.github;
      const opts = { log, now, pageSize: gh.pageSize };
      try {
        lock.assertHeld();
        summary.org = await collectGitHubOrg(db, client, gh.org, opts);
      } catch (e) {
        const err = classify(cfg.database, e);
        if (err.kind === "store") throw err;
        log.error(err.message, { code: err.code });
        summary.failures.push({
          repo: `organisation ${gh.org}`,
          error: err.message.replace(`organisation ${gh.org}: `, ""),
        });
        // Refused credentials or an unreachable GitHub fail every other request the same way: say it once.
        if (err.code === "E_GITHUB_AUTH" || err.code === "E_GITHUB_UNREACHABLE") return summary;
      }
      for (const repo of cfg.repos) {
        lock.assertHeld();
        try {
          summary.github.push(
            await collectGitHubRepo(
              db,
              client,
              repo,
              { name: gh.org, memberLogins: summary.org?.memberLogins ?? null },
              opts,
            ),
          );
        } catch (e) {
          const err = classify(cfg.database, e);
          if (err.kind === "store") throw err;
          log.error(err.message, { repo: repo.name, code: err.code });
          summary.failures.push({
            repo: `${repo.name} (GitHub)`,
            error: err.message.replace(`repo ${repo.name}: `, ""),
          });
        }
      }
      log.info("GitHub requests", { ...client.stats });
    }
    return summary;
  } finally {
    db.close();
    lock.release();
  }
}

async function loadReconciler() {
  const [collect, ndjson] = await Promise.all([
    import("../../collectors/reconciler/collect.js"),
    import("../../collectors/reconciler/ndjson.js"),
  ]);
  return { ...collect, ...ndjson };
}

/** Each cluster entry in turn; one cluster's failure is recorded and the others still run. */
async function collectClusters(
  db: DB,
  cfg: LoadedConfig,
  reconciler: Awaited<ReturnType<typeof loadReconciler>>,
  summary: CollectSummary,
  o: { log: Logger; now: () => Date; runtime: CollectEnv; lock: WriterLock },
): Promise<void> {
  const { exportDir } = o.runtime;
  for (const [index, cluster] of (cfg.clusters ?? []).entries()) {
    o.lock.assertHeld();
    try {
      summary.clusters.push(
        await reconciler.collectCluster(db, cluster, index, {
          log: o.log,
          now: o.now,
          env: o.runtime.env,
          ...(o.runtime.clusterRetryBaseMs !== undefined ? { retryBaseMs: o.runtime.clusterRetryBaseMs } : {}),
          ...(exportDir
            ? {
                onRecords: (runId, records, result) => {
                  const run = getRun(db, runId);
                  if (!run) return;
                  const written = reconciler.exportRun(
                    exportDir,
                    run,
                    cluster.name,
                    {
                      status: result.failed ? "failed" : "succeeded",
                      error: result.error,
                      counts: result.counts,
                      gaps: result.gaps,
                    },
                    records,
                  );
                  // The header counts them too, for the report machine; here the operator hears of each.
                  for (const l of written.leftOut) o.log.warn(l, { cluster: cluster.name });
                  summary.exports.push(written.file);
                },
              }
            : {}),
        }),
      );
    } catch (e) {
      const err = classify(cfg.database, e);
      if (err.kind === "store") throw err;
      o.log.error(err.message, { cluster: cluster.name, code: err.code });
      summary.failures.push({
        repo: `cluster ${cluster.name}`,
        error: err.message.replace(`cluster ${cluster.name}: `, ""),
      });
    }
  }
}

async function loadGitHub() {
  const [collect, fromConfig] = await Promise.all([
    import("../../collectors/github/collect.js"),
    import("../../collectors/github/from-config.js"),
  ]);
  return { ...collect, ...fromConfig };
}

/** SQLite failures are the store's (fatal for the whole run); anything else fails this repo only. */
function classify(dbFile: string, e: unknown): ChangeproofError {
  if (isChangeproofError(e)) return e;
  const code = (e as { code?: unknown }).code;
  if (typeof code === "string" && code.startsWith("SQLITE")) return storeFailure(dbFile, e, "writing");
  return new ChangeproofError("internal", "E_INTERNAL", `internal error: ${messageOf(e)}`, { cause: e });
}

/** Text from a source in a summary line: one line, secrets masked, controls shown, capped. */
const shown = (text: string): string => oneLine(text, 2000);

export function printSummary(s: CollectSummary, out: (line: string) => void): void {
  for (const r of [...s.results].sort((a, b) => a.repo.localeCompare(b.repo))) {
    out(
      `${r.repo}: run ${r.runId} ok, ${plural(r.commitsAdded, "new commit")} (${r.commitsRead} read), ` +
        `${r.branchMembersAdded} newly on protected branches (first-parent), ${plural(r.rewrites, "rewrite")}`,
    );
  }
  if (s.org)
    out(
      `organisation ${s.org.org}: run ${s.org.runId} ok, ${plural(s.org.members, "member")}, ${plural(s.org.teams, "team")}`,
    );
  for (const g of [...s.github].sort((a, b) => a.repo.localeCompare(b.repo))) {
    out(
      `${g.repo} (GitHub): run ${g.runId} ok, ${plural(g.pullRequests, "merged pull request")} stored, ` +
        `${plural(g.lookups, "commit")} looked up${g.gaps.length > 0 ? `, gaps: ${g.gaps.join(", ")}` : ""}`,
    );
  }
  for (const f of s.fluxV1) {
    out(
      `${f.repo} (Flux v1, cluster ${f.cluster}): run ${f.runId} ok, ${plural(f.counts.deploymentsAdded ?? 0, "new sync record")}` +
        `${f.warnings.length > 0 ? `, ${plural(f.warnings.length, "warning")}` : ""}`,
    );
  }
  for (const c of [...s.clusters].sort((a, b) => a.cluster.localeCompare(b.cluster))) {
    const n = c.counts;
    out(
      `cluster ${c.cluster}: run ${c.runId} ${c.failed ? "INCOMPLETE" : "ok"}, ` +
        `${plural(n.deploymentsAdded ?? 0, "new deployment record")} (${n.deploymentsRead ?? 0} read, ${n.deploymentsUpdated ?? 0} updated), ` +
        `${plural(n.eventsAdded ?? 0, "new event")}` +
        `${c.records.warnings.length > 0 ? `, ${plural(c.records.warnings.length, "object")} skipped or warned` : ""}` +
        `${c.gaps.length > 0 ? `; gaps: ${shown(c.gaps.join("; "))}` : ""}` +
        `${c.notes.length > 0 ? `; ${shown(c.notes.join("; "))}` : ""}`,
    );
  }
  for (const e of s.exports) out(`exported ${e}`);
  for (const f of s.failures) out(`${f.repo}: FAILED: ${shown(f.error)}`);
}

export function throwIfIncomplete(s: CollectSummary): void {
  // A cluster that stored what it could read but failed a list is incomplete too.
  const partial = s.clusters
    .filter((c) => c.failed)
    .map((c) => ({ repo: `cluster ${c.cluster}`, error: c.error ?? "a list failed" }));
  if (partial.length > 0) s = { ...s, failures: [...s.failures, ...partial] };
  if (s.failures.length > 0) throw new CollectionIncompleteError(s.failures.map((f) => `${f.repo}: ${f.error}`));
}
