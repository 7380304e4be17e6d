import type {
  BaseForcePushRecord,
  CollaboratorRecord,
  MemberRecord,
  ProtectionRecord,
  PullRequestRecord,
  RulesetRecord,
  TeamRecord,
} from "../collectors/github/records.js";
import type { DB } from "./db.js";
import { canonical } from "./ledger.js";

/** Writes and reads of GitHub data. Each page of pull requests is one transaction. */

export interface Watermark {
  /** Every merged PR updated at or after this is stored (null: none collected yet). */
  updatedAt: string | null;
  /** A walk cut short: where to continue, and the newest update that walk started from. */
  pending: { cursor: string; top: string } | null;
}

export function readWatermark(db: DB, repoId: number, base: string): Watermark {
  const row = db
    .prepare("SELECT updated_at, pending_cursor, pending_top FROM gh_pr_watermarks WHERE repo_id = ? AND base_ref = ?")
    .get(repoId, base) as
    | { updated_at: string | null; pending_cursor: string | null; pending_top: string | null }
    | undefined;
  if (!row) return { updatedAt: null, pending: null };
  return {
    updatedAt: row.updated_at,
    pending: row.pending_cursor && row.pending_top ? { cursor: row.pending_cursor, top: row.pending_top } : null,
  };
}

/** Moves the watermark; also written by storePullRequestPage with its page. */
export function storeWatermark(db: DB, repoId: number, base: string, runId: number, w: Watermark): void {
  db.prepare(
    `INSERT INTO gh_pr_watermarks (repo_id, base_ref, updated_at, pending_cursor, pending_top, run_id)
     VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (repo_id, base_ref) DO UPDATE SET updated_at = excluded.updated_at,
       pending_cursor = excluded.pending_cursor, pending_top = excluded.pending_top, run_id = excluded.run_id`,
  ).run(repoId, base, w.updatedAt, w.pending?.cursor ?? null, w.pending?.top ?? null, runId);
}

/**
 * Stores a page of complete pull requests (nested lists followed to the end) and moves the
 * watermark in the same transaction: a crash after it loses nothing, a crash before it repeats
 * the page.
 */
export function storePullRequestPage(
  db: DB,
  repoId: number,
  runId: number,
  prs: readonly PullRequestRecord[],
  base: string,
  watermark: Watermark,
): void {
  const pr = db.prepare(
    `INSERT INTO gh_pull_requests (repo_id, number, node_id, title, url, author_login, author_kind, state, created_at,
       updated_at, merged_at, merged_by, merge_commit, base_ref, head_ref, head_oid, review_decision, run_id)
     VALUES (@repo, @number, @nodeId, @title, @url, @author, @authorKind, @state, @createdAt, @updatedAt, @mergedAt,
       @mergedBy, @mergeCommit, @baseRef, @headRef, @headOid, @reviewDecision, @run)
     ON CONFLICT (repo_id, number) DO UPDATE SET node_id = excluded.node_id, title = excluded.title, url = excluded.url,
       author_login = excluded.author_login, author_kind = excluded.author_kind, state = excluded.state,
       created_at = excluded.created_at, updated_at = excluded.updated_at, merged_at = excluded.merged_at,
       merged_by = excluded.merged_by, merge_commit = excluded.merge_commit, base_ref = excluded.base_ref,
       head_ref = excluded.head_ref, head_oid = excluded.head_oid, review_decision = excluded.review_decision,
       run_id = excluded.run_id`,
  );
  const clear = ["gh_reviews", "gh_pr_events", "gh_pr_commits"].map((t) =>
    db.prepare(`DELETE FROM ${t} WHERE repo_id = ? AND pr_number = ?`),
  );
  const review = db.prepare(
    `INSERT OR REPLACE INTO gh_reviews (repo_id, pr_number, node_id, database_id, author_login, author_kind,
       author_association, state, submitted_at, commit_oid) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const seenOn = db.prepare(
    `INSERT INTO gh_review_commits (repo_id, pr_number, node_id, commit_oid, first_run_id) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT DO NOTHING`,
  );
  const event = db.prepare(
    `INSERT OR REPLACE INTO gh_pr_events (repo_id, pr_number, node_id, kind, actor_login, created_at, before_oid,
       after_oid, review_database_id, previous_review_state, message, commit_oid, ref_name)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const commit = db.prepare(
    `INSERT OR REPLACE INTO gh_pr_commits (repo_id, pr_number, position, oid, authored_date, committed_date,
       author_name, author_email, author_login, committer_name, committer_email, committer_login, authors,
       signature_kind, signature_state, signature_valid, signer_login)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const identity = identityWriter(db);
  db.transaction(() => {
    for (const p of prs) {
      const { reviews, events, commits, ...fields } = p;
      pr.run({ ...fields, repo: repoId, run: runId });
      if (p.state === "MERGED" && p.mergedAt) {
        const seen = identity("pr", p.mergedAt);
        seen(null, p.author, p.authorKind);
        seen(null, p.mergedBy, null);
        for (const r of reviews) seen(null, r.author, r.authorKind);
        for (const c of commits) {
          for (const [, email, login] of c.authors) seen(email, login, null);
          seen(c.committerEmail, c.committerLogin, null);
          seen(null, c.signer, null);
        }
      }
      for (const c of clear) c.run(repoId, p.number);
      for (const r of reviews) {
        review.run(
          repoId,
          p.number,
          r.nodeId,
          r.databaseId,
          r.author,
          r.authorKind,
          r.authorAssociation,
          r.state,
          r.submittedAt,
          r.commit,
        );
        if (r.commit !== null) seenOn.run(repoId, p.number, r.nodeId, r.commit, runId);
      }
      for (const e of events) {
        event.run(
          repoId,
          p.number,
          e.nodeId,
          e.kind,
          e.actor,
          e.createdAt,
          e.beforeOid,
          e.afterOid,
          e.reviewDatabaseId,
          e.previousReviewState,
          e.message,
          e.commit,
          e.refName,
        );
      }
      commits.forEach((c, i) => {
        commit.run(
          repoId,
          p.number,
          i,
          c.oid,
          c.authoredDate,
          c.committedDate,
          c.authorName,
          c.authorEmail,
          c.authorLogin,
          c.committerName,
          c.committerEmail,
          c.committerLogin,
          JSON.stringify(c.authors),
          c.signatureKind,
          c.signatureState,
          c.signatureValid === null ? null : c.signatureValid ? 1 : 0,
          c.signer,
        );
      });
    }
    storeWatermark(db, repoId, base, runId, watermark);
  }).immediate();
}

/**
 * Force pushes to `base` seen on open pull requests' timelines. An event is immutable: one seen
 * again (the pull request still open in the next run) keeps the run that first read it.
 */
export function storeBaseForcePushes(
  db: DB,
  repoId: number,
  runId: number,
  base: string,
  pushes: readonly BaseForcePushRecord[],
): void {
  const stmt = db.prepare(
    `INSERT INTO gh_base_force_pushes (repo_id, node_id, base_ref, pr_number, actor_login, created_at, before_oid,
       after_oid, run_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (repo_id, node_id) DO NOTHING`,
  );
  db.transaction(() => {
    for (const p of pushes) {
      stmt.run(repoId, p.nodeId, base, p.pullRequest, p.actor, p.createdAt, p.beforeOid, p.afterOid, runId);
    }
  }).immediate();
}

/**
 * Whether the store holds a given version of a repository's pull request (same update time):
 * asked for every pull request a walk reads, so the statement is prepared once per walk.
 */
export function storedVersions(db: DB, repoId: number): (number: number, updatedAt: string) => boolean {
  const stmt = db.prepare("SELECT 1 FROM gh_pull_requests WHERE repo_id = ? AND number = ? AND updated_at = ?");
  return (number, updatedAt) => stmt.get(repoId, number, updatedAt) !== undefined;
}

/** Merged pull requests into `base` the store holds for a repository. */
export function storedPullRequests(db: DB, repoId: number, base: string): number {
  return (
    db
      .prepare("SELECT count(*) AS n FROM gh_pull_requests WHERE repo_id = ? AND base_ref = ? AND state = 'MERGED'")
      .get(repoId, base) as { n: number }
  ).n;
}

export interface Snapshot {
  org: string;
  takenAt: Date;
  twoFactorVisible: boolean;
  members: MemberRecord[];
  teams: TeamRecord[];
  /** Repositories (owner/name) whose collaborators, protection and rulesets were read. */
  repos: string[];
  /** Each repository's default branch as GitHub named it then (~DEFAULT_BRANCH in rulesets). */
  defaultBranches?: Readonly<Record<string, string | null>>;
  collaborators: CollaboratorRecord[];
  protection: ProtectionRecord[];
  rulesets: RulesetRecord[];
  /** The organisation's members, to tell outside collaborators; null when unknown. */
  memberLogins: ReadonlySet<string> | null;
}

/** One run's access and protection snapshot, in one transaction. */
export function storeSnapshot(db: DB, runId: number, s: Snapshot): number {
  return db
    .transaction((): number => {
      const id = Number(
        db
          .prepare("INSERT INTO gh_snapshots (run_id, org, taken_at, two_factor_visible) VALUES (?, ?, ?, ?)")
          .run(runId, s.org, s.takenAt.toISOString(), s.twoFactorVisible ? 1 : 0).lastInsertRowid,
      );
      const member = db.prepare(
        "INSERT OR REPLACE INTO gh_members (snapshot_id, login, role, two_factor) VALUES (?, ?, ?, ?)",
      );
      for (const m of s.members) member.run(id, m.login, m.role, m.twoFactor === null ? null : m.twoFactor ? 1 : 0);
      const team = db.prepare(
        "INSERT OR REPLACE INTO gh_teams (snapshot_id, slug, name, parent_slug) VALUES (?, ?, ?, ?)",
      );
      const teamMember = db.prepare(
        "INSERT OR REPLACE INTO gh_team_members (snapshot_id, team_slug, login, role) VALUES (?, ?, ?, ?)",
      );
      const teamRepo = db.prepare(
        "INSERT OR REPLACE INTO gh_team_repos (snapshot_id, team_slug, repo, permission) VALUES (?, ?, ?, ?)",
      );
      for (const t of s.teams) {
        team.run(id, t.slug, t.name, t.parent);
        for (const m of t.members) teamMember.run(id, t.slug, m.login, m.role);
        for (const r of t.repositories) teamRepo.run(id, t.slug, r.repo, r.permission);
      }
      const collaborator = db.prepare(
        "INSERT OR REPLACE INTO gh_collaborators (snapshot_id, repo, login, permission, outside, sources) VALUES (?, ?, ?, ?, ?, ?)",
      );
      for (const c of s.collaborators) {
        // An outside collaborator is, by GitHub's definition, a collaborator who is not a member.
        const outside = s.memberLogins ? (s.memberLogins.has(c.login) ? 0 : 1) : null;
        collaborator.run(id, c.repo, c.login, c.permission, outside, canonical(c.sources));
      }
      const rule = db.prepare(
        "INSERT OR REPLACE INTO gh_protection_rules (snapshot_id, repo, pattern, settings) VALUES (?, ?, ?, ?)",
      );
      for (const p of s.protection) rule.run(id, p.repo, p.pattern, canonical(p.settings));
      const ruleset = db.prepare(
        `INSERT OR REPLACE INTO gh_rulesets (snapshot_id, scope, ruleset_id, name, target, enforcement, settings)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
      );
      for (const r of s.rulesets)
        ruleset.run(id, r.scope, r.id, r.name, r.target, r.enforcement, canonical(r.settings));
      const repo = db.prepare(
        "INSERT OR REPLACE INTO gh_snapshot_repos (snapshot_id, repo, default_branch) VALUES (?, ?, ?)",
      );
      for (const r of s.repos) repo.run(id, r, s.defaultBranches?.[r] ?? null);
      return id;
    })
    .immediate();
}

/**
 * First-parent commits of a protected branch that no stored pull request into that branch lists
 * among its commits (a commit reviewed in a pull request into another branch and pushed here
 * directly is not explained) and that were never read from GitHub: merge, squash and rebased
 * commits and direct pushes. GitHub maps them to their pull request and says who made them and
 * whether their signature is verified.
 */
export function commitsToLookUp(db: DB, repoId: number, branch: string, limit: number): string[] {
  return (
    db
      .prepare(
        `SELECT bc.sha FROM branch_commits bc
         WHERE bc.repo_id = :repo AND bc.branch = :branch AND bc.removed_run IS NULL
           AND NOT EXISTS (SELECT 1 FROM gh_pr_commits c JOIN gh_pull_requests p
                             ON p.repo_id = c.repo_id AND p.number = c.pr_number AND p.base_ref = :branch
                           WHERE c.repo_id = :repo AND c.oid = bc.sha)
           AND NOT EXISTS (SELECT 1 FROM gh_commit_lookups l
                           WHERE l.repo_id = :repo AND l.oid = bc.sha AND l.commit_read > 0)
         ORDER BY bc.sha LIMIT :limit`,
      )
      .all({ repo: repoId, branch, limit }) as { sha: string }[]
  ).map((r) => r.sha);
}

export interface CommitLookup {
  oid: string;
  /** Merged pull requests into the branch that contain the commit. */
  pullRequests: number[];
  /** False: GitHub does not have the commit (pushed away, or never pushed). */
  found: boolean;
  authorLogin: string | null;
  committerLogin: string | null;
  /** Every author GitHub lists, co-authors included: [name, email, login]. */
  authors: [string | null, string | null, string | null][];
  signature: { kind: string; state: string; valid: boolean; signer: string | null } | null;
}

/**
 * Records an identity GitHub showed (gh_identities): a function per piece of evidence, taking
 * (email, login, kind); one without a login says nothing and is skipped.
 */
function identityWriter(
  db: DB,
): (source: "pr" | "lookup", at: string) => (email: string | null, login: string | null, kind: string | null) => void {
  const ins = db.prepare(
    "INSERT OR IGNORE INTO gh_identities (source, day, email, login, kind) VALUES (?, ?, ?, ?, ?)",
  );
  return (source, at) => {
    const day = at.slice(0, 10);
    return (email, login, kind) => {
      if (login) ins.run(source, day, email ?? "", login, kind ?? "");
    };
  };
}

export function storeCommitLookups(db: DB, repoId: number, runId: number, lookups: readonly CommitLookup[]): void {
  const ins = db.prepare(
    `INSERT OR REPLACE INTO gh_commit_lookups (repo_id, oid, run_id, pull_requests, commit_read, author_login,
       committer_login, signature_kind, signature_state, signature_valid, signer_login, authors)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const identity = identityWriter(db);
  const emails = db.prepare("SELECT author_email, committer_email FROM commits WHERE repo_id = ? AND sha = ?");
  const startedAt = (
    db.prepare("SELECT started_at FROM collection_runs WHERE id = ?").get(runId) as { started_at: string } | undefined
  )?.started_at;
  db.transaction(() => {
    for (const l of lookups) {
      if (startedAt && l.found) {
        const seen = identity("lookup", startedAt);
        for (const [, email, login] of l.authors) seen(email, login, null);
        const git = emails.get(repoId, l.oid) as { author_email: string; committer_email: string } | undefined;
        seen(git?.author_email ?? null, l.authorLogin, null);
        seen(git?.committer_email ?? null, l.committerLogin, null);
      }
      ins.run(
        repoId,
        l.oid,
        runId,
        JSON.stringify([...l.pullRequests].sort((a, b) => a - b)),
        // 2: asked, and GitHub does not have the commit: said, never asked again in a loop.
        l.found ? 1 : 2,
        l.authorLogin,
        l.committerLogin,
        l.signature?.kind ?? null,
        l.signature?.state ?? null,
        l.signature === null ? null : l.signature.valid ? 1 : 0,
        l.signature?.signer ?? null,
        JSON.stringify(l.authors),
      );
    }
  }).immediate();
}
