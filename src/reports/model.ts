import { type BranchLog, changeLog, type Rewrite, rewrites } from "../evidence/change-log.js";
import { type Coverage, coverage } from "../evidence/coverage.js";
import type { Period } from "../period.js";
import type { DB } from "../store/db.js";
import { verifyLedger } from "../store/ledger.js";
import { branchCommitsIn, listRepos, rewritesIn, runsFor, trailersOf } from "../store/report-queries.js";
import { toolVersion } from "../version.js";

/** Everything a report shows, already sorted; builders only render it. */
export interface ChangeLogReport {
  title: string;
  period: { label: string; from: string; to: string };
  generatedAt: string;
  toolVersion: string;
  repos: { name: string; role: string; source: string }[];
  branches: BranchLog[];
  rewrites: Rewrite[];
  coverage: Coverage;
  totals: { changes: number; merges: number; singleParent: number; removed: number; rewrites: number };
  method: string[];
}

export function buildChangeLogReport(
  db: DB,
  period: Period,
  configuredRepos: readonly string[],
  now: Date,
): ChangeLogReport {
  const fromSec = Math.floor(period.from.getTime() / 1000);
  const toSec = Math.floor(period.to.getTime() / 1000);
  const rows = branchCommitsIn(db, fromSec, toSec);
  const byRepo = new Map<string, string[]>();
  for (const r of rows) byRepo.set(r.repo, [...(byRepo.get(r.repo) ?? []), r.sha]);
  const trailers = [...byRepo].flatMap(([repo, shas]) => trailersOf(db, repo, shas));
  const branches = changeLog(rows, trailers);
  const rw = rewrites(rewritesIn(db, period.from.toISOString(), period.to.toISOString(), fromSec, toSec));
  const stored = listRepos(db);
  const names = [...new Set([...configuredRepos, ...stored.map((r) => r.name)])];
  const cov = coverage(names, runsFor(db, "git"), verifyLedger(db), period, now);
  const sum = (f: (b: BranchLog) => number): number => branches.reduce((n, b) => n + f(b), 0);
  return {
    title: `Change log ${period.label}`,
    period: { label: period.label, from: period.from.toISOString(), to: period.to.toISOString() },
    generatedAt: now.toISOString(),
    toolVersion,
    repos: stored.map((r) => ({ name: r.name, role: r.role, source: r.source })),
    branches,
    rewrites: rw,
    coverage: cov,
    totals: {
      changes: sum((b) => b.changes.length),
      merges: sum((b) => b.merges),
      singleParent: sum((b) => b.singleParent),
      removed: sum((b) => b.removed),
      rewrites: rw.length,
    },
    method: [
      "Source: git history of each tracked repository, read with `git log --pretty=raw -z` (raw commit objects, signatures not verified).",
      "Population: first-parent commits of each protected branch whose committer date falls in the period [from, to) UTC.",
      "A commit with two or more parents is a merge; one with a single parent is a direct push unless GitHub data ties it to a pull request (squash and rebase merges look the same in git).",
      "Committer dates are set by whoever commits and can be backdated; 'first seen' is when changeproof first observed the commit on the branch.",
      "History rewrites: a protected branch whose new tip does not contain the tip seen by the previous successful run.",
    ],
  };
}
