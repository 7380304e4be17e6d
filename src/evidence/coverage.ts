import type { Period } from "../period.js";
import type { LedgerCheck, RunRow } from "../store/ledger.js";

/**
 * How complete the evidence is (SPEC P1): for each configured repository, whether git was
 * collected at all, whether its latest run failed, and whether the last good run reaches the
 * period's end. A gap is printed on the report's cover; it is never silently dropped.
 */

export interface RepoCoverage {
  repo: string;
  lastSucceeded: { id: number; finishedAt: string } | null;
  lastRun: { id: number; status: string; finishedAt: string | null; error: string | null } | null;
  runsInPeriod: number;
}

export interface Coverage {
  repos: RepoCoverage[];
  gaps: string[];
  ledger: LedgerCheck;
  runsUsed: number[];
}

function scopeRepo(run: RunRow): string | undefined {
  try {
    const s = JSON.parse(run.scope) as { repo?: unknown };
    return typeof s.repo === "string" ? s.repo : undefined;
  } catch {
    return undefined;
  }
}

/**
 * `contributing` are the runs that stored something the report shows (a change first seen, a
 * change dropped, a rewrite observed). The runs used are those, plus, per repository, the first
 * successful run at or after the period's end: the one that shows nothing later is missing.
 */
export function coverage(
  configured: readonly string[],
  gitRuns: readonly RunRow[],
  ledger: LedgerCheck,
  period: Period,
  now: Date,
  contributing: readonly number[] = [],
): Coverage {
  const gaps: string[] = [];
  const repos: RepoCoverage[] = [];
  const runsUsed = new Set<number>(contributing);
  for (const name of [...configured].sort()) {
    const runs = gitRuns.filter((r) => scopeRepo(r) === name);
    const ok = runs.filter((r) => r.status === "succeeded");
    const lastOk = ok.at(-1);
    const last = runs.at(-1);
    const firstAfter = ok.find((r) => r.started_at >= period.to.toISOString());
    if (firstAfter) runsUsed.add(firstAfter.id);
    repos.push({
      repo: name,
      lastSucceeded: lastOk?.finished_at ? { id: lastOk.id, finishedAt: lastOk.finished_at } : null,
      lastRun: last ? { id: last.id, status: last.status, finishedAt: last.finished_at, error: last.error } : null,
      runsInPeriod: runs.filter(
        (r) => r.started_at >= period.from.toISOString() && r.started_at < period.to.toISOString(),
      ).length,
    });
    if (!lastOk) {
      gaps.push(`${name}: git history was never collected successfully`);
      continue;
    }
    if (last && last.status !== "succeeded") {
      gaps.push(
        `${name}: the latest git collection (run ${last.id}) ${last.status}: ${last.error ?? "no reason recorded"}`,
      );
    }
    const reach = lastOk.started_at;
    const needed = (period.to.getTime() < now.getTime() ? period.to : now).toISOString();
    if (reach < needed) {
      gaps.push(
        `${name}: last collected ${reach}, before ${period.to.getTime() < now.getTime() ? "the period ends" : "now"} (${needed}); later changes are missing`,
      );
    }
  }
  if (!ledger.intact) gaps.push(`the collection-run ledger is not intact: ${ledger.problems.join("; ")}`);
  if (period.to.getTime() > now.getTime())
    gaps.push(`the period has not ended: it runs until ${period.to.toISOString()}`);
  return { repos, gaps, ledger, runsUsed: [...runsUsed].sort((a, b) => a - b) };
}
