import { UTCDate } from "@date-fns/utc";
import { format, isEqual, startOfDay, subDays } from "date-fns";
import { historyGaps } from "../collectors/reconciler/history-gaps.js";
import { type Coverage, coverage } from "../evidence/coverage.js";
import type { PersonDuties } from "../evidence/duties.js";
import type { Finding } from "../evidence/finding.js";
import { isFinding } from "../evidence/finding.js";
import { sortFindings } from "../evidence/judge.js";
import type { UnresolvedIdentity } from "../evidence/population.js";
import type { BranchReconciliation } from "../evidence/reconciliation.js";
import type { Rewrite } from "../evidence/rewrites.js";
import { p1Completeness } from "../evidence/rules/p1-completeness.js";
import type { Period } from "../period.js";
import type { AccessEvidence } from "../pipeline/access.js";
import type { DeploymentEvidence } from "../pipeline/deployments.js";
import { type EvidenceOptions, judgePeriod } from "../pipeline/evidence.js";
import type { DB } from "../store/db.js";
import { verifyLedger } from "../store/ledger.js";
import { readObservations } from "../store/reconciler-store.js";
import { branchRunsIn, integrityProblems, listRepos, runsFor, unjoinedBranchCommits } from "../store/report-queries.js";
import { plural } from "../util/plural.js";
import { toolVersion } from "../version.js";
import { type BranchChanges, byBranch, type ChangeRow, type RuleSummary, RuleTally } from "./change-rows.js";
import { type WeekCounts, weeklyReview } from "./charts/weekly-review.js";

/** Everything a report shows, already sorted; builders only render it. */
export interface ChangeLogReport {
  title: string;
  /** The pictures' data, drawn the same in the HTML (SVG) and the PDF (vectors). */
  charts: { weeklyReview: WeekCounts[] };
  /** `display` reads "1 Jul 2026 – 30 Sep 2026 (UTC)": the last day included, for people. */
  period: { label: string; from: string; to: string; display: string };
  generatedAt: string;
  toolVersion: string;
  repos: { name: string; role: string; source: string }[];
  /** The change population, one row per change with every verdict, per repository and branch. */
  branches: BranchChanges[];
  changes: ChangeRow[];
  /** The change rules' ids, in registry order: the verdict columns. */
  changeRules: string[];
  rules: RuleSummary[];
  /** Every verdict other than pass and n/a (SPEC §4), accepted ones marked. */
  findings: Finding[];
  unresolved: UnresolvedIdentity[];
  /** Emails two parties claim: they resolve to neither. */
  identityConflicts: { email: string; claimedBy: string[] }[];
  rewrites: Rewrite[];
  /** The access review (A1-A4): every verdict, pass included, and the snapshots it read. */
  access: AccessEvidence;
  /** The separation-of-duties matrix (S1), one row per person. */
  people: PersonDuties[];
  /** The period's deployments, what each introduced, C9 and C10. */
  deployments: DeploymentEvidence;
  /** Per protected branch, the population reconciled with git's count (P1). */
  reconciliation: BranchReconciliation[];
  coverage: Coverage;
  totals: {
    changes: number;
    pullRequests: number;
    directPushes: number;
    unknown: number;
    dropped: number;
    rewrites: number;
    findings: number;
  };
  method: string[];
}

const day = (d: Date): string => format(new UTCDate(d.getTime()), "d MMM yyyy");

/** "1 Jul 2026 – 30 Sep 2026 (UTC)": whole days as people read them, else the exact instants. */
export function displayPeriod(p: Period): string {
  const from = new UTCDate(p.from.getTime());
  const to = new UTCDate(p.to.getTime());
  if (isEqual(from, startOfDay(from)) && isEqual(to, startOfDay(to))) {
    return `${day(p.from)} – ${day(subDays(to, 1))} (UTC)`;
  }
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

/**
 * The period's report model, read from the store in one read transaction: a collect writing beside
 * it cannot show up part-way. `now` given as a clock is read once the transaction's snapshot is
 * taken, so every run the report cites finished before the time it says it was generated.
 */
export function buildChangeLogReport(
  db: DB,
  period: Period,
  configuredRepos: readonly string[],
  now: Date | (() => Date),
  sources: { githubOrg?: string; clusters?: readonly string[] } = {},
  evidence: Omit<EvidenceOptions, "now"> = { people: [], exceptions: [] },
): ChangeLogReport {
  return db.transaction((): ChangeLogReport => {
    // The snapshot begins with the transaction's first read.
    db.prepare("SELECT count(*) FROM collection_runs").get();
    return modelOf(db, period, configuredRepos, typeof now === "function" ? now() : now, sources, evidence);
  })();
}

function modelOf(
  db: DB,
  period: Period,
  configuredRepos: readonly string[],
  now: Date,
  sources: { githubOrg?: string; clusters?: readonly string[] },
  evidence: Omit<EvidenceOptions, "now">,
): ChangeLogReport {
  const fromSec = Math.floor(period.from.getTime() / 1000);
  const toSec = Math.floor(period.to.getTime() / 1000);
  const judged = judgePeriod(db, period, { ...evidence, now });
  const rw = judged.rewrites;
  const changes = judged.changes;
  const stored = listRepos(db);
  const names = [...new Set([...configuredRepos, ...stored.map((r) => r.name)])];
  const contributing = [...branchRunsIn(db, fromSec, toSec), ...rw.map((r) => r.runId)];
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
  const unknown = changes.filter((c) => c.kind === "unknown");
  if (unknown.length > 0) {
    const repos = [...new Set(unknown.map((c) => c.repo))].sort();
    cov.gaps.push(
      `${plural(unknown.length, "change")} in ${repos.join(", ")} cannot be judged: GitHub's data on ${unknown.length === 1 ? "it" : "them"} is missing (GitHub not collected for the repository, or not since ${unknown.length === 1 ? "it" : "they"} landed), so ${unknown.length === 1 ? "its" : "their"} verdicts are blocked`,
    );
  }
  // P1 judges the gaps and the population reconciliation: one truth every output reads.
  const p1 = p1Completeness.evaluate({ gaps: cov.gaps, reconciliation: judged.reconciliation });
  const findings = sortFindings([...judged.findings, ...p1.filter(isFinding)]);
  const count = (k: ChangeRow["kind"] | ((c: ChangeRow) => boolean)): number =>
    changes.filter(typeof k === "function" ? k : (c) => c.kind === k).length;
  return {
    title: `Change log ${period.label}`,
    charts: { weeklyReview: weeklyReview(changes, { from: period.from.toISOString(), to: period.to.toISOString() }) },
    period: {
      label: period.label,
      from: period.from.toISOString(),
      to: period.to.toISOString(),
      display: displayPeriod(period),
    },
    generatedAt: now.toISOString(),
    toolVersion,
    repos: stored.map((r) => ({ name: r.name, role: r.role, source: r.source })),
    branches: byBranch(changes),
    changes,
    changeRules: [...new Set(changes.flatMap((c) => c.verdicts.map((v) => v.rule)))],
    rules: RuleTally.from(judged.rules).add(p1).summaries(),
    findings,
    unresolved: judged.unresolved,
    identityConflicts: judged.identityConflicts,
    rewrites: rw,
    access: judged.access,
    people: judged.people,
    deployments: judged.deployments,
    reconciliation: judged.reconciliation,
    coverage: cov,
    totals: {
      changes: changes.length,
      pullRequests: count((c) => c.pullRequest !== null),
      directPushes: count("direct-push"),
      unknown: unknown.length,
      dropped: count((c) => c.droppedAt !== null),
      rewrites: rw.length,
      findings: findings.length,
    },
    method: [
      "Sources: the git history of each tracked repository, read as raw commit objects (git log --pretty=raw); GitHub's GraphQL API for merged pull requests, their reviews (with the commit each was given on), timelines, commits and signature verification, and access and protection snapshots.",
      "Population: every change that landed on a protected branch in the period [from, to), UTC: a pull request merged in it (by GitHub's mergedAt), or a first-parent commit no merged pull request into the branch landed (a direct push, landed by its committer date held within what changeproof saw: not after it was first seen on the branch, not before a read that did not see it).",
      "Kind: a pull request's merge commit with two parents is a merge-commit merge; several commits GitHub associates with one pull request are a rebase merge; one is a squash. Squash and rebase merges map back to their pull request through GitHub's associatedPullRequests, never through a '(#12)' in a subject, which anyone can write.",
      "Verdicts: each rule of the registry (see the rules' documentation) judges every change against the protection and rulesets in force when it merged (the latest snapshot at or before the merge). Freshness comes from the commit each review names and GitHub's timeline, never from commit dates, which anyone can backdate.",
      "Identity: git emails map to GitHub accounts by GitHub's own commit identities and to people by the configured people registry; bots, service accounts and deleted accounts never count as reviewers.",
      "History rewrite: a protected branch whose new tip does not contain the tip the previous successful run saw, or a base-branch force push on GitHub's timeline. Commits it dropped stay in the population, marked as dropped.",
      "Access review: the access and protection snapshots each GitHub run takes (members with role and two-factor status, teams, each tracked repository's collaborators, branch protection rules and rulesets); the latest at or before the period's start, every one in it and the first at or after its end are compared pair by pair. A snapshot that did not read something says nothing about it.",
    ],
  };
}
