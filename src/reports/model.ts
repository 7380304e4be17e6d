import { UTCDate } from "@date-fns/utc";
import { format, isEqual, startOfDay, subDays } from "date-fns";
import { historyGaps } from "../collectors/reconciler/history-gaps.js";
import { type Coverage, coverage, scopeCluster } from "../evidence/coverage.js";
import type { PersonDuties } from "../evidence/duties.js";
import { isFinding } from "../evidence/finding.js";
import type { ChangeKind, UnresolvedIdentity } from "../evidence/population.js";
import type { BranchReconciliation } from "../evidence/reconciliation.js";
import type { Rewrite } from "../evidence/rewrites.js";
import { p1Completeness } from "../evidence/rules/p1-completeness.js";
import type { Period } from "../period.js";
import type { AccessEvidence } from "../pipeline/access.js";
import type { DeploymentEvidence } from "../pipeline/deployments.js";
import { type EvidenceOptions, judgeChanges } from "../pipeline/evidence.js";
import type { DB } from "../store/db.js";
import { verifyLedger } from "../store/ledger.js";
import { readObservations } from "../store/reconciler-store.js";
import {
  branchRunsIn,
  integrityProblems,
  listRepos,
  runsById,
  runsFor,
  unjoinedBranchCommits,
} from "../store/report-queries.js";
import { compareText } from "../util/compare.js";
import { getOrInsert } from "../util/get-or-insert.js";
import { plural } from "../util/plural.js";
import { redact } from "../util/redact.js";
import { toolVersion } from "../version.js";
import { type ChangeRow, type RuleSummary, RuleTally } from "./change-rows.js";
import { collectionTimeline, deploymentTimeline, type Timeline } from "./charts/timeline.js";
import { type WeekCounts, WeeklyReview } from "./charts/weekly-review.js";
import type { ReportPopulations, ReportSpool } from "./spool.js";

/**
 * Everything a report shows except its populations, already sorted: small at any size, and
 * JSON-serialisable. The change rows and findings (hundreds of thousands at a large organisation)
 * live in the report's spool and are read through `ReportPopulations`; renderers read only these two.
 */
export interface ReportModel {
  title: string;
  /** The pictures' data, drawn the same in the HTML (SVG) and the PDF (vectors). */
  charts: {
    weeklyReview: WeekCounts[];
    /** Per deployment target: deployments, manual syncs, rollbacks, history gaps. */
    deployments: Timeline;
    /** Per cluster: collection runs against the deployments its history recorded, and gaps. */
    collection: Timeline;
  };
  /** `display` reads "1 Jul 2026 – 30 Sep 2026 (UTC)": the last day included, for people. */
  period: { label: string; from: string; to: string; display: string };
  generatedAt: string;
  toolVersion: string;
  repos: { name: string; role: string; source: string }[];
  /** What the report covers besides the repositories: the GitHub organisation and the clusters configured. */
  scope: { organisation: string | null; clusters: string[] };
  /** Per repository and protected branch, how many changes of each kind landed (population order). */
  branches: BranchSummary[];
  /** The change rules' ids, in registry order: the verdict columns. */
  changeRules: string[];
  rules: RuleSummary[];
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
  /** Each automated GitOps change's provenance (C12 traced or unexplained): which build it deploys. */
  provenance: { change: string; verdict: string; reason: string }[];
  /** Per protected branch, the population reconciled with git's count (P1). */
  reconciliation: BranchReconciliation[];
  coverage: Coverage;
  /** The runs this report used (P1): what each read, with which parameters, and what it counted. */
  runs: RunSummary[];
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

/** A report: its model, and its populations held in a spool. */
export interface Report {
  model: ReportModel;
  populations: ReportPopulations;
}

export interface RunSummary {
  id: number;
  source: string;
  /** JSON as the run recorded it (what it read: repository, organisation, cluster). */
  scope: string;
  parameters: string;
  startedAt: string;
  finishedAt: string | null;
  status: string;
  counts: string | null;
}

export interface BranchSummary {
  repo: string;
  branch: string;
  changes: number;
  counts: Partial<Record<ChangeKind, number>>;
}

/** What the model keeps of the change rows as they go by to the spool. */
class RowSummary {
  readonly branches = new Map<string, BranchSummary>();
  readonly rules = new Set<string>();
  readonly unknownRepos = new Set<string>();
  readonly provenance: ReportModel["provenance"] = [];
  readonly weekly: WeeklyReview;
  changes = 0;
  pullRequests = 0;
  directPushes = 0;
  unknown = 0;
  dropped = 0;

  constructor(period: { from: string; to: string }) {
    this.weekly = new WeeklyReview(period);
  }

  add(rows: readonly ChangeRow[]): void {
    this.weekly.add(rows);
    for (const r of rows) {
      this.changes++;
      if (r.pullRequest !== null) this.pullRequests++;
      if (r.kind === "direct-push") this.directPushes++;
      if (r.kind === "unknown") {
        this.unknown++;
        this.unknownRepos.add(r.repo);
      }
      if (r.droppedAt !== null) this.dropped++;
      const b = getOrInsert(
        this.branches,
        `${r.repo}\u0000${r.branch}`,
        (): BranchSummary => ({
          repo: r.repo,
          branch: r.branch,
          changes: 0,
          counts: {},
        }),
      );
      b.changes++;
      b.counts[r.kind] = (b.counts[r.kind] ?? 0) + 1;
      for (const v of r.verdicts) {
        this.rules.add(v.rule);
        if (v.rule === "C12" && v.verdict !== "n/a") {
          this.provenance.push({ change: r.id, verdict: v.verdict, reason: v.reason });
        }
      }
    }
  }
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
 * The period's report, read from the store in one read transaction: a collect writing beside it
 * cannot show up part-way. `now` given as a clock is read once the transaction's snapshot is
 * taken, so every run the report cites finished before the time it says it was generated. The
 * change rows and findings go to `spool` as they are judged; the model keeps what summarises them.
 */
export function buildReport(
  db: DB,
  period: Period,
  configuredRepos: readonly string[],
  now: Date | (() => Date),
  spool: ReportSpool,
  sources: { githubOrg?: string; clusters?: readonly string[] } = {},
  evidence: Omit<EvidenceOptions, "now"> = { people: [], exceptions: [] },
): ReportModel {
  return db.transaction((): ReportModel => {
    // The snapshot begins with the transaction's first read.
    db.prepare("SELECT count(*) FROM collection_runs").get();
    return modelOf(db, period, configuredRepos, typeof now === "function" ? now() : now, spool, sources, evidence);
  })();
}

function modelOf(
  db: DB,
  period: Period,
  configuredRepos: readonly string[],
  now: Date,
  spool: ReportSpool,
  sources: { githubOrg?: string; clusters?: readonly string[] },
  evidence: Omit<EvidenceOptions, "now">,
): ReportModel {
  const fromSec = Math.floor(period.from.getTime() / 1000);
  const toSec = Math.floor(period.to.getTime() / 1000);
  const bounds = { from: period.from.toISOString(), to: period.to.toISOString() };
  const rows = new RowSummary(bounds);
  const judged = judgeChanges(
    db,
    period,
    { ...evidence, now },
    {
      rows: (r) => {
        rows.add(r);
        spool.addChanges(r);
      },
      findings: (f) => spool.addFindings(f),
    },
  );
  const rw = judged.rewrites;
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
  const gapsFound = withClusters ? historyGaps(readObservations(db)) : [];
  const cov = coverage(
    names,
    runsFor(db, "git"),
    verifyLedger(db),
    period,
    now,
    contributing,
    withGitHub ? gh : undefined,
    withClusters ? { runs: clusterRuns, clusters: sources.clusters ?? [], historyGaps: gapsFound } : undefined,
  );
  cov.gaps.push(...storeDamage(db));
  if (rows.unknown > 0) {
    const n = rows.unknown;
    cov.gaps.push(
      `${plural(n, "change")} in ${[...rows.unknownRepos].sort(compareText).join(", ")} cannot be judged: GitHub's data on ${n === 1 ? "it" : "them"} is missing (GitHub not collected for the repository, or not since ${n === 1 ? "it" : "they"} landed), so ${n === 1 ? "its" : "their"} verdicts are blocked`,
    );
  }
  // P1 judges the gaps and the population reconciliation: one truth every output reads.
  const p1 = p1Completeness.evaluate({ gaps: cov.gaps, reconciliation: judged.reconciliation });
  spool.addFindings(p1.filter(isFinding));
  return {
    title: `Change log ${period.label}`,
    charts: {
      weeklyReview: rows.weekly.weeks(),
      deployments: deploymentTimeline(bounds, judged.deployments.deployments, judged.deployments.verdicts, gapsFound),
      collection: collectionTimeline(
        bounds,
        clusterRuns.flatMap((r) => {
          const cluster = scopeCluster(r);
          return cluster ? [{ cluster, startedAt: r.started_at, status: r.status }] : [];
        }),
        judged.deployments.deployments,
        gapsFound,
      ),
    },
    period: { label: period.label, ...bounds, display: displayPeriod(period) },
    generatedAt: now.toISOString(),
    toolVersion,
    repos: stored.map((r) => ({ name: r.name, role: r.role, source: r.source })),
    scope: { organisation: sources.githubOrg ?? null, clusters: [...(sources.clusters ?? [])].sort(compareText) },
    branches: [...rows.branches.values()],
    changeRules: [...rows.rules],
    rules: RuleTally.from(judged.rules).add(p1).summaries(),
    unresolved: judged.unresolved,
    identityConflicts: judged.identityConflicts,
    rewrites: rw,
    access: judged.access,
    people: judged.people,
    deployments: judged.deployments,
    provenance: rows.provenance,
    reconciliation: judged.reconciliation,
    coverage: cov,
    // Masked again: a run's parameters are stored without secrets, and a report must never show one.
    runs: runsById(db, cov.runsUsed).map((r) => ({
      id: r.id,
      source: r.source,
      scope: redact(r.scope),
      parameters: redact(r.parameters),
      startedAt: r.started_at,
      finishedAt: r.finished_at,
      status: r.status,
      counts: r.counts,
    })),
    totals: {
      changes: rows.changes,
      pullRequests: rows.pullRequests,
      directPushes: rows.directPushes,
      unknown: rows.unknown,
      dropped: rows.dropped,
      rewrites: rw.length,
      findings: spool.counts.findings,
    },
    method: METHOD,
  };
}

const METHOD = [
  "Sources: the git history of each tracked repository, read as raw commit objects (git log --pretty=raw); GitHub's GraphQL API for merged pull requests, their reviews (with the commit each was given on), timelines, commits and signature verification, and access and protection snapshots.",
  "Population: every change that landed on a protected branch in the period [from, to), UTC: a pull request merged in it (by GitHub's mergedAt), or a first-parent commit no merged pull request into the branch landed (a direct push, landed by its committer date held within what changeproof saw: not after it was first seen on the branch, not before a read that did not see it).",
  "Kind: a pull request's merge commit with two parents is a merge-commit merge; several commits GitHub associates with one pull request are a rebase merge; one is a squash. Squash and rebase merges map back to their pull request through GitHub's associatedPullRequests, never through a '(#12)' in a subject, which anyone can write.",
  "Verdicts: each rule of the registry (see the rules' documentation) judges every change against the protection and rulesets in force when it merged (the latest snapshot at or before the merge). Freshness comes from the commit each review names and GitHub's timeline, never from commit dates, which anyone can backdate.",
  "Identity: git emails map to GitHub accounts by GitHub's own commit identities and to people by the configured people registry; bots, service accounts and deleted accounts never count as reviewers.",
  "History rewrite: a protected branch whose new tip does not contain the tip the previous successful run saw, or a base-branch force push on GitHub's timeline. Commits it dropped stay in the population, marked as dropped.",
  "Access review: the access and protection snapshots each GitHub run takes (members with role and two-factor status, teams, each tracked repository's collaborators, branch protection rules and rulesets); the latest at or before the period's start, every one in it and the first at or after its end are compared pair by pair. A snapshot that did not read something says nothing about it.",
];
