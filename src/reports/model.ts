import { historyGaps } from "../collectors/reconciler/history-gaps.js";
import { type BranchLog, changeLog, type Rewrite, rewrites } from "../evidence/change-log.js";
import { type Coverage, coverage } from "../evidence/coverage.js";
import type { Period } from "../period.js";
import type { DB } from "../store/db.js";
import { verifyLedger } from "../store/ledger.js";
import { readObservations } from "../store/reconciler-store.js";
import {
  branchCommitsIn,
  integrityProblems,
  listRepos,
  rewritesIn,
  runsFor,
  trailersOf,
  unjoinedBranchCommits,
} from "../store/report-queries.js";
import { plural } from "../util/plural.js";
import { toolVersion } from "../version.js";

/** Everything a report shows, already sorted; builders only render it. */
export interface ChangeLogReport {
  title: string;
  /** `display` reads "1 Jul 2026 – 30 Sep 2026 (UTC)": the last day included, for people. */
  period: { label: string; from: string; to: string; display: string };
  generatedAt: string;
  toolVersion: string;
  repos: { name: string; role: string; source: string }[];
  branches: BranchLog[];
  rewrites: Rewrite[];
  coverage: Coverage;
  totals: { changes: number; merges: number; singleParent: number; removed: number; rewrites: number };
  method: string[];
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const day = (d: Date): string => `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}`;

export function displayPeriod(p: Period): string {
  const last = new Date(p.to.getTime() - 1);
  const whole = (d: Date): boolean => d.getTime() % 86_400_000 === 0;
  if (whole(p.from) && whole(p.to)) return `${day(p.from)} – ${day(last)} (UTC)`;
  return `${p.from.toISOString()} – ${p.to.toISOString()} (UTC, end excluded)`;
}

/**
 * A damaged store must show on the cover: SQLite's integrity check, and protected-branch rows the
 * population's joins would otherwise drop without a word.
 */
function storeDamage(db: DB): string[] {
  const gaps: string[] = [];
  const problems = integrityProblems(db);
  if (problems.length > 0) {
    gaps.push(
      `the store fails SQLite's integrity check (${problems.slice(0, 3).join("; ")}): evidence may be missing or wrong; restore the store from a backup`,
    );
  }
  const unjoined = unjoinedBranchCommits(db);
  if (unjoined.length > 0) {
    const shown = unjoined
      .slice(0, 10)
      .map(
        (u) =>
          `${u.repo} ${u.branch} ${u.sha} (no ${u.missing === "commit" ? "commit record" : u.missing === "repo" ? "repository record" : "collection run"})`,
      );
    gaps.push(
      `the store is damaged: ${plural(unjoined.length, "protected-branch commit")} cannot be joined to ${unjoined.length === 1 ? "its" : "their"} repository, commit record or run and ${unjoined.length === 1 ? "is" : "are"} missing from this report: ${shown.join("; ")}${unjoined.length > 10 ? "; …" : ""}`,
    );
  }
  return gaps;
}

export function buildChangeLogReport(
  db: DB,
  period: Period,
  configuredRepos: readonly string[],
  now: Date,
  sources: { githubOrg?: string; clusters?: readonly string[] } = {},
): ChangeLogReport {
  const fromSec = Math.floor(period.from.getTime() / 1000);
  const toSec = Math.floor(period.to.getTime() / 1000);
  const rows = branchCommitsIn(db, fromSec, toSec);
  // A commit on several protected branches is one commit: its trailers are read once.
  const byRepo = new Map<string, Set<string>>();
  for (const r of rows) byRepo.set(r.repo, (byRepo.get(r.repo) ?? new Set()).add(r.sha));
  const trailers = [...byRepo].flatMap(([repo, shas]) => trailersOf(db, repo, [...shas]));
  const branches = changeLog(rows, trailers);
  const rw = rewrites(rewritesIn(db, period.from.toISOString(), period.to.toISOString(), fromSec, toSec));
  const stored = listRepos(db);
  const names = [...new Set([...configuredRepos, ...stored.map((r) => r.name)])];
  const contributing = [
    ...branches.flatMap((b) =>
      b.changes.flatMap((c) => (c.removedRun === null ? [c.firstSeenRun] : [c.firstSeenRun, c.removedRun])),
    ),
    ...rw.map((r) => r.runId),
  ];
  // GitHub's coverage counts when GitHub is configured, or was collected into this store before.
  const gh = {
    repoRuns: runsFor(db, "github"),
    orgRuns: runsFor(db, "github-org"),
    ...(sources.githubOrg ? { orgs: [sources.githubOrg] } : {}),
  };
  const withGitHub = sources.githubOrg !== undefined || gh.repoRuns.length + gh.orgRuns.length > 0;
  // Reconciler coverage counts when clusters are configured, or were collected or imported here.
  // Flux v1 runs (scope { repo, cluster }) count for their cluster like any reconciler run.
  const clusterRuns = [...runsFor(db, "reconciler"), ...runsFor(db, "flux-v1")].sort((a, b) => a.id - b.id);
  const withClusters = (sources.clusters?.length ?? 0) > 0 || clusterRuns.length > 0;
  const cov = coverage(
    names,
    runsFor(db, "git"),
    verifyLedger(db),
    period,
    now,
    contributing,
    withGitHub ? gh : undefined,
    withClusters
      ? { runs: clusterRuns, clusters: sources.clusters ?? [], historyGaps: historyGaps(readObservations(db)) }
      : undefined,
  );
  cov.gaps.push(...storeDamage(db));
  const sum = (f: (b: BranchLog) => number): number => branches.reduce((n, b) => n + f(b), 0);
  return {
    title: `Change log ${period.label}`,
    period: {
      label: period.label,
      from: period.from.toISOString(),
      to: period.to.toISOString(),
      display: displayPeriod(period),
    },
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
      "Source: the git history of each tracked repository, read as raw commit objects (git log --pretty=raw); which kind of signature a commit carries is read from the object, not verified.",
      "Population: the first-parent commits of each protected branch whose committer date falls in the period [from, to), UTC.",
      "Kind: a merge commit has two or more parents (a pull request merged with a merge commit, as far as git can tell). A single-parent commit is a direct push unless GitHub data ties it to a pull request: squash and rebase merges look the same in git, and GitHub's data is not part of this report yet.",
      "A pull request number in a subject ('Merge pull request #12', '(#12)') is shown as cited, unverified: anyone pushing directly can write it.",
      "Committer dates are set by whoever commits and can be backdated; 'first seen' is when changeproof first observed the commit on the branch, the latest it can have landed there.",
      "History rewrite: a protected branch whose new tip does not contain the tip the previous successful run saw. Commits it dropped stay in the population, marked as dropped.",
    ],
  };
}
