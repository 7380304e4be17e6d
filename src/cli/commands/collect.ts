import { collectGitRepo, type GitCollectResult } from "../../collectors/git/collect.js";
import { removeStaleStages } from "../../collectors/git/stage-file.js";
import type { LoadedConfig } from "../../config/load.js";
import { ChangeproofError, CollectionIncompleteError, isChangeproofError, messageOf } from "../../errors/index.js";
import type { Logger } from "../../log/logger.js";
import { openStore, storeFailure } from "../../store/db.js";
import { abandonDeadRuns } from "../../store/ledger.js";
import { plural } from "../../util/plural.js";

export interface CollectSummary {
  results: GitCollectResult[];
  failures: { repo: string; error: string }[];
}

/**
 * Collect every configured source. One repository's failure does not stop the others: it is
 * recorded as a failed run, logged as one line, and makes the whole collection incomplete.
 */
export async function collectAll(cfg: LoadedConfig, log: Logger, now: () => Date): Promise<CollectSummary> {
  const db = openStore(cfg.database);
  try {
    removeStaleStages(cfg.database);
    const abandoned = abandonDeadRuns(db, now());
    if (abandoned > 0) log.warn("earlier runs ended without finishing; recorded as abandoned", { runs: abandoned });
    const summary: CollectSummary = { results: [], failures: [] };
    for (const repo of cfg.repos) {
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
    return summary;
  } finally {
    db.close();
  }
}

/** SQLite failures are the store's (fatal for the whole run); anything else fails this repo only. */
function classify(dbFile: string, e: unknown): ChangeproofError {
  if (isChangeproofError(e)) return e;
  const code = (e as { code?: unknown }).code;
  if (typeof code === "string" && code.startsWith("SQLITE")) return storeFailure(dbFile, e, "writing");
  return new ChangeproofError("internal", "E_INTERNAL", `internal error: ${messageOf(e)}`, { cause: e });
}

export function printSummary(s: CollectSummary, out: (line: string) => void): void {
  for (const r of [...s.results].sort((a, b) => a.repo.localeCompare(b.repo))) {
    out(
      `${r.repo}: run ${r.runId} ok, ${plural(r.commitsAdded, "new commit")} (${r.commitsRead} read), ` +
        `${r.branchMembersAdded} newly on protected branches (first-parent), ${plural(r.rewrites, "rewrite")}`,
    );
  }
  for (const f of s.failures) out(`${f.repo}: FAILED: ${f.error}`);
}

export function throwIfIncomplete(s: CollectSummary): void {
  if (s.failures.length > 0) throw new CollectionIncompleteError(s.failures.map((f) => `${f.repo}: ${f.error}`));
}
