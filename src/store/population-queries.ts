import type { Statement } from "better-sqlite3";
import type { DB } from "./db.js";

/**
 * The rows the change population is built from (SPEC §1, §3): plain rows, one query per kind,
 * each read once for the whole period. Evidence joins and judges them; nothing here decides.
 */

export interface PopulationRepoRow {
  id: number;
  name: string;
  role: "app" | "gitops";
  /** owner/name on GitHub, from the latest GitHub run of the repository; null: never collected. */
  github: string | null;
  /** 1 when a GitHub run of the repository succeeded: its pull requests and commits were read. */
  github_succeeded: number;
  /** The git collector's protected-branch setting, "(default branch)" when it was defaulted. */
  git_branches: string | null;
}

export interface PopulationCommitRow {
  repo: string;
  branch: string;
  sha: string;
  parents: string;
  author_name: string;
  author_email: string;
  committer_name: string;
  committer_email: string;
  committer_time: number;
  subject: string;
  signature: string | null;
  /** JSON [[key, value], ...] or null. */
  trailers: string | null;
  first_seen_run: number;
  first_seen_at: string;
  removed_run: number | null;
  removed_at: string | null;
  /**
   * The stored merged pull request into this branch that landed the commit: whose merge commit it
   * is, else that lists it among its own commits, else that GitHub associates it with.
   */
  landed_by: number | null;
  /** GitHub's answer for the commit (JSON array of PR numbers), or null when never asked. */
  lookup_prs: string | null;
  lookup_read: number | null;
  gh_author_login: string | null;
  gh_committer_login: string | null;
  gh_signature_kind: string | null;
  gh_signature_state: string | null;
  gh_signature_valid: number | null;
  gh_signer_login: string | null;
  /** JSON [[name, email, login], ...]: GitHub's authors of the commit, co-authors included. */
  gh_authors: string | null;
}

export interface PopulationPullRow {
  repo: string;
  number: number;
  title: string;
  url: string;
  author_login: string | null;
  author_kind: string | null;
  merged_at: string;
  merged_by: string | null;
  merge_commit: string | null;
  base_ref: string;
  head_oid: string;
  review_decision: string | null;
}

export interface PopulationReviewRow {
  repo: string;
  pr_number: number;
  node_id: string;
  database_id: number | null;
  author_login: string | null;
  author_kind: string | null;
  state: string;
  submitted_at: string | null;
  commit_oid: string | null;
  /** The commit the review was first seen given on (GitHub may re-point it later). */
  first_commit_oid: string | null;
}

export interface PopulationEventRow {
  repo: string;
  pr_number: number;
  kind: string;
  actor_login: string | null;
  created_at: string;
  before_oid: string | null;
  after_oid: string | null;
  review_database_id: number | null;
  previous_review_state: string | null;
}

export interface PopulationPrCommitRow {
  repo: string;
  pr_number: number;
  position: number;
  oid: string;
  author_name: string | null;
  author_email: string | null;
  author_login: string | null;
  committer_name: string | null;
  committer_email: string | null;
  committer_login: string | null;
  authors: string;
  signature_kind: string | null;
  signature_state: string | null;
  signature_valid: number | null;
  signer_login: string | null;
}

export interface GitRunRow {
  id: number;
  repo: string;
  started_at: string;
}

export interface SnapshotRow {
  id: number;
  taken_at: string;
  repo: string;
  /** The repository's default branch as GitHub named it at the snapshot; null or absent: not recorded. */
  default_branch?: string | null;
}

export interface ProtectionRow {
  snapshot_id: number;
  repo: string;
  pattern: string;
  settings: string;
}

export interface RulesetRow {
  snapshot_id: number;
  scope: string;
  ruleset_id: number;
  name: string;
  target: string | null;
  enforcement: string;
  settings: string;
}

export interface MemberRow {
  login: string;
}

export interface PopulationRows {
  repos: PopulationRepoRow[];
  commits: PopulationCommitRow[];
  pulls: PopulationPullRow[];
  reviews: PopulationReviewRow[];
  events: PopulationEventRow[];
  prCommits: PopulationPrCommitRow[];
  gitRuns: GitRunRow[];
  snapshots: SnapshotRow[];
  protection: ProtectionRow[];
  rulesets: RulesetRow[];
  /** Organisation members in the period's last snapshot that listed any (else the first after it); null: none did. */
  members: string[] | null;
}

/**
 * A statement's rows as objects of its columns, read as arrays: better-sqlite3 builds each named
 * row slowly, and at 800,000 rows the difference is seconds (and garbage). A `repo` column holds
 * the repository's id and becomes its name, one string for all its rows.
 */
function objects<T>(stmt: Statement, params: Record<string, unknown>, repoNames: ReadonlyMap<number, string>): T[] {
  const names = stmt.columns().map((c) => c.name);
  // One literal per row, of one shape, so V8 builds each fast: assigning names in a loop makes
  // every row grow through the same transitions (twice the time, at 800,000 rows). The names are
  // this module's own column aliases, never data.
  const fields = names.map((n, i) => `${JSON.stringify(n)}: ${n === "repo" ? `r.get(v[${i}])` : `v[${i}]`}`);
  const build = new Function("v", "r", `return { ${fields.join(", ")} };`) as (
    values: unknown[],
    repos: ReadonlyMap<number, string>,
  ) => T;
  // Iterated, not read whole: each row's array is dropped as soon as its object is built, so a
  // large read does not hold (and the collector copy) every array and every object at once.
  const out: T[] = [];
  for (const v of stmt.raw().iterate(params) as IterableIterator<unknown[]>) out.push(build(v, repoNames));
  return out;
}

// Pull requests merged in the period (of one repository, when asked), as a subquery every
// per-PR read joins on.
const pullsIn = (one: string): string => `SELECT p.repo_id, p.number FROM gh_pull_requests p
  WHERE p.state = 'MERGED' AND p.merged_at >= :from AND p.merged_at < :to${one.replace("?", "p")}`;

/**
 * Reviews, events and pull request commits come unsorted (sorting 800,000 rows in SQLite costs
 * more than sorting each pull request's few in evidence, which does).
 *
 * Everything the period's change population needs, in one read transaction so a collect running
 * beside it cannot show up part-way. Commits are those committed in the period, first seen by a
 * run that started in it (a backdated push), or landed by a pull request merged in it.
 */
export function populationRows(db: DB, fromIso: string, toIso: string, repoId?: number): PopulationRows {
  return db.transaction((): PopulationRows => {
    const context = periodContextRows(db, toIso);
    return { ...context, ...repoChangeRows(db, context.repos, fromIso, toIso, repoId) };
  })();
}

/** What every repository's population reads the same: the repositories, runs, snapshots, members. */
export type PeriodContextRows = Pick<
  PopulationRows,
  "repos" | "gitRuns" | "snapshots" | "protection" | "rulesets" | "members"
>;

/**
 * SQL: the GitHub name (owner/name) of repository `r`, from its latest GitHub run; null when
 * GitHub was never collected for it.
 */
export const GITHUB_NAME_OF_R = `(SELECT json_extract(g.scope, '$.github') FROM collection_runs g
  WHERE g.source = 'github' AND json_extract(g.scope, '$.repo') = r.name ORDER BY g.id DESC LIMIT 1)`;

export function periodContextRows(db: DB, toIso: string): PeriodContextRows {
  return db.transaction((): PeriodContextRows => {
    const repos = db
      .prepare(
        `SELECT r.id, r.name, r.role,
           ${GITHUB_NAME_OF_R} AS github,
           EXISTS (SELECT 1 FROM collection_runs g WHERE g.source = 'github' AND g.status = 'succeeded'
             AND json_extract(g.scope, '$.repo') = r.name) AS github_succeeded,
           (SELECT json_extract(g.scope, '$.protectedBranches') FROM collection_runs g
             WHERE g.source = 'git' AND json_extract(g.scope, '$.repo') = r.name ORDER BY g.id DESC LIMIT 1) AS git_branches
         FROM repos r ORDER BY r.name`,
      )
      .all() as PopulationRepoRow[];
    const gitRuns = db
      .prepare(
        `SELECT id, json_extract(scope, '$.repo') AS repo, started_at FROM collection_runs
         WHERE source = 'git' AND status = 'succeeded' ORDER BY id`,
      )
      .all() as GitRunRow[];
    const snapshots = db
      .prepare(
        `SELECT s.id, s.taken_at, sr.repo, sr.default_branch FROM gh_snapshots s JOIN gh_snapshot_repos sr ON sr.snapshot_id = s.id
         ORDER BY s.taken_at, s.id, sr.repo`,
      )
      .all() as SnapshotRow[];
    const protection = db
      .prepare(
        "SELECT snapshot_id, repo, pattern, settings FROM gh_protection_rules ORDER BY snapshot_id, repo, pattern",
      )
      .all() as ProtectionRow[];
    const rulesets = db
      .prepare(
        `SELECT snapshot_id, scope, ruleset_id, name, target, enforcement, settings FROM gh_rulesets
         ORDER BY snapshot_id, scope, ruleset_id`,
      )
      .all() as RulesetRow[];
    const latestMembers = db
      .prepare(
        `SELECT s.id FROM gh_snapshots s WHERE EXISTS (SELECT 1 FROM gh_members m WHERE m.snapshot_id = s.id)
         ORDER BY s.taken_at < :to DESC, CASE WHEN s.taken_at < :to THEN s.taken_at END DESC, s.taken_at, s.id DESC
         LIMIT 1`,
      )
      .get({ to: toIso }) as { id: number } | undefined;
    const members = latestMembers
      ? (
          db
            .prepare("SELECT login FROM gh_members WHERE snapshot_id = ? ORDER BY login")
            .all(latestMembers.id) as MemberRow[]
        ).map((m) => m.login)
      : null;
    return { repos, gitRuns, snapshots, protection, rulesets, members };
  })();
}

/** One repository's (or every one's) changes of the period: commits, pull requests and their facts. */
export function repoChangeRows(
  db: DB,
  repos: readonly PopulationRepoRow[],
  fromIso: string,
  toIso: string,
  repoId?: number,
): Pick<PopulationRows, "commits" | "pulls" | "reviews" | "events" | "prCommits"> {
  const p = {
    from: fromIso,
    to: toIso,
    fromSec: Math.floor(Date.parse(fromIso) / 1000),
    toSec: Math.floor(Date.parse(toIso) / 1000),
    ...(repoId !== undefined ? { repoId } : {}),
  };
  // One repository's rows, when asked: evidence is built a repository at a time to bound memory.
  const one = repoId === undefined ? "" : " AND ?.repo_id = :repoId";
  const PULLS_IN = pullsIn(one);
  const repoNames = new Map(repos.map((r) => [r.id, r.name]));
  return db.transaction(() => {
    const commits = objects<PopulationCommitRow>(
      db.prepare(
        `SELECT b.repo_id AS repo, b.branch, c.sha, c.parents, c.author_name, c.author_email, c.committer_name,
                c.committer_email, c.committer_time, c.subject, c.signature, c.trailers,
                b.first_seen_run, fr.started_at AS first_seen_at, b.removed_run,
                coalesce(h.observed_at, rr.started_at) AS removed_at,
                -- The pull request into this branch that landed the commit: the one whose merge commit
                -- it is, else the one listing it among its own commits, else the one GitHub associates
                -- it with. coalesce() stops at the first answer, so most commits cost one search.
                -- INDEXED BY: left to itself SQLite answers min() by walking the repository's pull
                -- requests in number order, once per commit (minutes at 100,000 changes).
                coalesce(
                  (SELECT min(m.number) FROM gh_pull_requests m INDEXED BY gh_pull_requests_merge_commit
                    WHERE m.repo_id = b.repo_id AND m.merge_commit = b.sha AND m.base_ref = b.branch AND m.state = 'MERGED'),
                  (SELECT min(pc.pr_number) FROM gh_pr_commits pc JOIN gh_pull_requests m
                     ON m.repo_id = pc.repo_id AND m.number = pc.pr_number AND m.base_ref = b.branch AND m.state = 'MERGED'
                    WHERE pc.repo_id = b.repo_id AND pc.oid = b.sha),
                  (SELECT min(j.value) FROM json_each(l.pull_requests) j
                    WHERE EXISTS (SELECT 1 FROM gh_pull_requests m WHERE m.repo_id = b.repo_id AND m.number = j.value
                                    AND m.base_ref = b.branch AND m.state = 'MERGED'))) AS landed_by,
                l.pull_requests AS lookup_prs, l.commit_read AS lookup_read, l.author_login AS gh_author_login,
                l.committer_login AS gh_committer_login, l.signature_kind AS gh_signature_kind,
                l.signature_state AS gh_signature_state, l.signature_valid AS gh_signature_valid,
                l.signer_login AS gh_signer_login, l.authors AS gh_authors
         FROM branch_commits b
         JOIN repos r ON r.id = b.repo_id
         JOIN commits c ON c.repo_id = b.repo_id AND c.sha = b.sha
         JOIN collection_runs fr ON fr.id = b.first_seen_run
         LEFT JOIN collection_runs rr ON rr.id = b.removed_run
         LEFT JOIN history_rewrites h ON h.run_id = b.removed_run AND h.repo_id = b.repo_id AND h.branch = b.branch
         LEFT JOIN gh_commit_lookups l ON l.repo_id = b.repo_id AND l.oid = b.sha
         WHERE ((c.committer_time >= :fromSec AND c.committer_time < :toSec)
            OR (fr.started_at >= :from AND fr.started_at < :to)
            OR EXISTS (SELECT 1 FROM gh_pull_requests m WHERE m.repo_id = b.repo_id AND m.merge_commit = b.sha
                         AND m.state = 'MERGED' AND m.merged_at >= :from AND m.merged_at < :to))${one.replace("?", "b")}
         ORDER BY r.name, b.branch, c.committer_time, c.sha`,
      ),
      p,
      repoNames,
    );

    const pulls = objects<PopulationPullRow>(
      db.prepare(
        `SELECT p.repo_id AS repo, p.number, p.title, p.url, p.author_login, p.author_kind, p.merged_at, p.merged_by,
                p.merge_commit, p.base_ref, p.head_oid, p.review_decision
         FROM gh_pull_requests p JOIN repos r ON r.id = p.repo_id
         WHERE p.state = 'MERGED' AND p.merged_at >= :from AND p.merged_at < :to${one.replace("?", "p")}
         ORDER BY r.name, p.number`,
      ),
      p,
      repoNames,
    );

    const reviews = objects<PopulationReviewRow>(
      db.prepare(
        `SELECT v.repo_id AS repo, v.pr_number, v.node_id, v.database_id, v.author_login, v.author_kind, v.state,
                v.submitted_at, v.commit_oid,
                coalesce((SELECT s.commit_oid FROM gh_review_commits s
                           WHERE s.repo_id = v.repo_id AND s.pr_number = v.pr_number AND s.node_id = v.node_id
                           ORDER BY s.first_run_id, s.commit_oid = v.commit_oid DESC LIMIT 1), v.commit_oid) AS first_commit_oid
         FROM (${PULLS_IN}) q
         JOIN gh_reviews v ON v.repo_id = q.repo_id AND v.pr_number = q.number
`,
      ),
      p,
      repoNames,
    );

    const events = objects<PopulationEventRow>(
      db.prepare(
        `SELECT e.repo_id AS repo, e.pr_number, e.kind, e.actor_login, e.created_at, e.before_oid, e.after_oid,
                e.review_database_id, e.previous_review_state
         FROM (${PULLS_IN}) q
         JOIN gh_pr_events e ON e.repo_id = q.repo_id AND e.pr_number = q.number
`,
      ),
      p,
      repoNames,
    );

    const prCommits = objects<PopulationPrCommitRow>(
      db.prepare(
        `SELECT c.repo_id AS repo, c.pr_number, c.position, c.oid,
                -- GitHub's author list, when it has one, is the whole answer: the rest is not read.
                iif(c.authors = '[]', c.author_name) AS author_name, iif(c.authors = '[]', c.author_email) AS author_email,
                iif(c.authors = '[]', c.author_login) AS author_login,
                c.committer_name, c.committer_email, c.committer_login, c.authors, c.signature_kind,
                c.signature_state, c.signature_valid, c.signer_login
         FROM (${PULLS_IN}) q
         JOIN gh_pr_commits c ON c.repo_id = q.repo_id AND c.pr_number = q.number
`,
      ),
      p,
      repoNames,
    );

    return { commits, pulls, reviews, events, prCommits };
  })();
}

export interface ObservedIdentityRow {
  email: string | null;
  login: string | null;
  kind: string | null;
}

/**
 * Every identity GitHub tied to an account that the period's evidence can meet, once each: the
 * authors, co-authors, committers and signers of the period's pull requests' commits, their
 * authors, mergers and reviewers, and the protected-branch commits GitHub was asked about since
 * the period began. Identity resolution is built from these once, for all repositories together.
 * The GitHub collector records them as it stores what shows them (gh_identities), so a period's
 * few hundred are read without reading its hundreds of thousands of commits and reviews again.
 */
export function observedIdentityRows(db: DB, fromIso: string, toIso: string): ObservedIdentityRow[] {
  // By day (UTC): a pull request merged on a day the period touches counts, as does a commit read
  // by a run that started on its first day or later.
  const first = fromIso.slice(0, 10);
  const last = new Date(Date.parse(toIso) - 1).toISOString().slice(0, 10);
  return (
    db
      .prepare(
        `SELECT DISTINCT email, login, kind FROM gh_identities
         WHERE (source = 'pr' AND day >= ? AND day <= ?) OR (source = 'lookup' AND day >= ?)
         ORDER BY email, login, kind`,
      )
      .all(first, last, first) as { email: string; login: string; kind: string }[]
  ).map((r) => ({ email: r.email === "" ? null : r.email, login: r.login, kind: r.kind === "" ? null : r.kind }));
}

export interface FirstParentRow {
  repo: string;
  branch: string;
  sha: string;
  /** 1 when a history rewrite later dropped it from the branch. */
  removed: number;
}
