import { describeGap, type HistoryGap } from "../collectors/reconciler/history-gaps.js";
import type { Period } from "../period.js";
import type { LedgerCheck, RunRow } from "../store/ledger.js";
import { clusterReadAt } from "../store/reconciler-store.js";

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

/** A string field of a run's scope ({ repo }, { org }, { cluster }), or undefined. */
function scopeField(run: RunRow, key: "repo" | "org" | "cluster"): string | undefined {
  try {
    const v = (JSON.parse(run.scope) as Record<string, unknown>)[key];
    return typeof v === "string" ? v : undefined;
  } catch {
    return undefined;
  }
}

const scopeRepo = (run: RunRow): string | undefined => scopeField(run, "repo");
const scopeOrg = (run: RunRow): string | undefined => scopeField(run, "org");
export const scopeCluster = (run: RunRow): string | undefined => scopeField(run, "cluster");

/** Deployment records: runs per cluster (collected or imported), and history the clusters dropped. */
export interface ClusterRuns {
  runs: readonly RunRow[];
  /** Clusters the config names: a gap even when no run for them was ever recorded. */
  clusters: readonly string[];
  /** Every history gap in the store; those that touch the period are the report's. */
  historyGaps: readonly HistoryGap[];
}

/** What a report's population draws on besides git: GitHub runs, when GitHub is collected. */
export interface GitHubRuns {
  /** Per repository (scope.repo): pull requests, access and protection. */
  repoRuns: readonly RunRow[];
  /** The organisation's members and teams. */
  orgRuns: readonly RunRow[];
  /** Organisations the config names: a gap even when no run for them was ever recorded. */
  orgs?: readonly string[];
}

/**
 * Gaps of one source for one subject (a repository, the organisation): never collected, the
 * latest run did not succeed, the last good run stopped before the period's end. Returns the
 * first good run at or after the period's end, which the report uses to show nothing is missing.
 */
function sourceGaps(
  subject: string,
  what: { name: string; data: string; git?: boolean },
  runs: readonly RunRow[],
  period: Period,
  now: Date,
  gaps: string[],
  /** When a run's data was read; a run's start, unless it brought in an older read (an import). */
  readAtOf: (r: RunRow) => string = (r) => r.started_at,
): RunRow | undefined {
  // Each run's read time once: for imports it is parsed from the run's parameters.
  const times = new Map(runs.map((r) => [r, readAtOf(r)]));
  const readAt = (r: RunRow): string => times.get(r) ?? r.started_at;
  const ok = runs.filter((r) => r.status === "succeeded");
  // The freshest read, whenever it was stored: imports may arrive in any order.
  const latest = (rows: readonly RunRow[]) =>
    rows.reduce<RunRow | undefined>((best, r) => (!best || readAt(r) >= readAt(best) ? r : best), undefined);
  const lastOk = latest(ok);
  const last = latest(runs);
  if (!lastOk) {
    gaps.push(`${subject}: ${what.data} was never collected successfully`);
    return undefined;
  }
  if (last && last.status !== "succeeded") {
    gaps.push(
      `${subject}: the latest ${what.name} collection (run ${last.id}) ${last.status}: ${last.error ?? "no reason recorded"}`,
    );
  } else if (lastOk.error) {
    // A run that succeeded with a recorded gap (e.g. a list the credentials could not read).
    gaps.push(`${subject}: the latest ${what.name} collection (run ${lastOk.id}) is partial: ${lastOk.error}`);
  }
  const reach = readAt(lastOk);
  const ended = period.to.getTime() < now.getTime();
  const needed = (ended ? period.to : now).toISOString();
  if (reach < needed) {
    gaps.push(
      `${subject}: ${what.git ? "" : `${what.name} `}last collected ${reach}, before ${ended ? "the period ends" : "now"} (${needed}); later changes are missing`,
    );
  }
  return ok.find((r) => readAt(r) >= period.to.toISOString());
}

/** Objects a cluster run skipped as malformed (its counts' `warnings`). */
function skippedObjects(run: RunRow): number {
  try {
    const n = (JSON.parse(run.counts ?? "{}") as { warnings?: unknown }).warnings;
    return typeof n === "number" ? n : 0;
  } catch {
    return 0;
  }
}

/**
 * `contributing` are the runs that stored something the report shows (a change first seen, a
 * change dropped, a rewrite observed). The runs used are those, plus, per repository and source,
 * the first successful run at or after the period's end: the one that shows nothing later is
 * missing.
 */
export function coverage(
  configured: readonly string[],
  gitRuns: readonly RunRow[],
  ledger: LedgerCheck,
  period: Period,
  now: Date,
  contributing: readonly number[] = [],
  github?: GitHubRuns,
  clusters?: ClusterRuns,
): Coverage {
  const gaps: string[] = [];
  const repos: RepoCoverage[] = [];
  const runsUsed = new Set<number>(contributing);
  const inPeriod = (r: RunRow): boolean =>
    r.started_at >= period.from.toISOString() && r.started_at < period.to.toISOString();
  for (const name of [...configured].sort()) {
    const runs = gitRuns.filter((r) => scopeRepo(r) === name);
    const lastOk = runs.filter((r) => r.status === "succeeded").at(-1);
    const last = runs.at(-1);
    repos.push({
      repo: name,
      lastSucceeded: lastOk?.finished_at ? { id: lastOk.id, finishedAt: lastOk.finished_at } : null,
      lastRun: last ? { id: last.id, status: last.status, finishedAt: last.finished_at, error: last.error } : null,
      runsInPeriod: runs.filter(inPeriod).length,
    });
    const after = sourceGaps(name, { name: "git", data: "git history", git: true }, runs, period, now, gaps);
    if (after) runsUsed.add(after.id);
    if (github) {
      const gh = sourceGaps(
        name,
        { name: "GitHub", data: "GitHub" },
        github.repoRuns.filter((r) => scopeRepo(r) === name),
        period,
        now,
        gaps,
      );
      if (gh) runsUsed.add(gh.id);
    }
  }
  if (github) {
    const fromRuns = github.orgRuns.map(scopeOrg).filter((o): o is string => o !== undefined);
    const orgs = [...new Set([...(github.orgs ?? []), ...fromRuns])].sort();
    for (const org of orgs) {
      const runs = github.orgRuns.filter((r) => scopeOrg(r) === org);
      const after = sourceGaps(
        `organisation ${org}`,
        { name: "members and teams", data: "members and teams" },
        runs,
        period,
        now,
        gaps,
      );
      if (after) runsUsed.add(after.id);
    }
  }
  if (clusters) {
    const names = [
      ...new Set([...clusters.clusters, ...clusters.runs.map(scopeCluster).filter((c) => c !== undefined)]),
    ];
    for (const cluster of names.sort()) {
      const runs = clusters.runs.filter((r) => scopeCluster(r) === cluster);
      const after = sourceGaps(
        `cluster ${cluster}`,
        { name: "reconciler", data: "deployment history" },
        runs,
        period,
        now,
        gaps,
        clusterReadAt,
      );
      if (after) runsUsed.add(after.id);
      // Objects skipped as malformed are records the population may lack.
      const inPeriodRuns = runs.filter((r) => clusterReadAt(r) >= period.from.toISOString());
      const skipped = inPeriodRuns.filter((r) => skippedObjects(r) > 0);
      if (skipped.length > 0) {
        const ids = skipped.map((r) => r.id);
        gaps.push(
          `cluster ${cluster}: ${ids.length === 1 ? "a run" : `${ids.length} runs`} skipped objects or lists it could not read (run ${ids.slice(0, 5).join(", ")}${ids.length > 5 ? ", …" : ""}; see their warnings); their deployments may be missing`,
        );
      }
    }
    const from = period.from.getTime();
    const to = period.to.getTime();
    for (const g of clusters.historyGaps) {
      // A window of lost history that overlaps the period: deployments in it may be missing.
      const lostFrom = g.after === null ? Number.NEGATIVE_INFINITY : Date.parse(g.after);
      if (Date.parse(g.before) > from && lostFrom < to) gaps.push(describeGap(g));
    }
  }
  if (!ledger.intact) gaps.push(`the collection-run ledger is not intact: ${ledger.problems.join("; ")}`);
  if (period.to.getTime() > now.getTime())
    gaps.push(`the period has not ended: it runs until ${period.to.toISOString()}`);
  return { repos, gaps, ledger, runsUsed: [...runsUsed].sort((a, b) => a - b) };
}
