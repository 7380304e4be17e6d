import type { DB } from "./db.js";
import { GITHUB_NAME_OF_R, type ProtectionRow, type RulesetRow } from "./population-queries.js";

/**
 * The rows access review (A1-A4) is built from: every access and protection snapshot the store
 * holds, with what each recorded. Plain rows; evidence diffs and judges them. A snapshot is
 * small (an organisation's members, teams and the tracked repositories' collaborators and
 * protection), and a quarter holds a few dozen, so they are read whole.
 */

export interface AccessSnapshotRow {
  id: number;
  org: string;
  taken_at: string;
  /** 1 when the credentials could see two-factor status (an organisation owner's). */
  two_factor_visible: number;
}

export interface AccessMemberRow {
  snapshot_id: number;
  login: string;
  role: string;
  two_factor: number | null;
}

export interface AccessTeamMemberRow {
  snapshot_id: number;
  team_slug: string;
  login: string;
  role: string;
}

export interface AccessTeamRepoRow {
  snapshot_id: number;
  team_slug: string;
  repo: string;
  permission: string;
}

export interface AccessCollaboratorRow {
  snapshot_id: number;
  repo: string;
  login: string;
  permission: string;
  outside: number | null;
  sources: string;
}

/** Protection rows are the population's own (src/store/population-queries.ts). */
export type AccessProtectionRow = ProtectionRow;
export type AccessRulesetRow = RulesetRow;

export interface AccessRows {
  snapshots: AccessSnapshotRow[];
  /** Which repositories (owner/name) each snapshot read. */
  snapshotRepos: { snapshot_id: number; repo: string; default_branch: string | null }[];
  members: AccessMemberRow[];
  teamMembers: AccessTeamMemberRow[];
  teamRepos: AccessTeamRepoRow[];
  collaborators: AccessCollaboratorRow[];
  protection: AccessProtectionRow[];
  rulesets: AccessRulesetRow[];
}

/** Every snapshot and what it recorded, in one read transaction, oldest first. */
export function accessRows(db: DB): AccessRows {
  return db.transaction(
    (): AccessRows => ({
      snapshots: db
        .prepare("SELECT id, org, taken_at, two_factor_visible FROM gh_snapshots ORDER BY taken_at, id")
        .all() as AccessSnapshotRow[],
      snapshotRepos: db
        .prepare("SELECT snapshot_id, repo, default_branch FROM gh_snapshot_repos ORDER BY snapshot_id, repo")
        .all() as AccessRows["snapshotRepos"],
      members: db
        .prepare("SELECT snapshot_id, login, role, two_factor FROM gh_members ORDER BY snapshot_id, login")
        .all() as AccessMemberRow[],
      teamMembers: db
        .prepare(
          "SELECT snapshot_id, team_slug, login, role FROM gh_team_members ORDER BY snapshot_id, team_slug, login",
        )
        .all() as AccessTeamMemberRow[],
      teamRepos: db
        .prepare(
          "SELECT snapshot_id, team_slug, repo, permission FROM gh_team_repos ORDER BY snapshot_id, team_slug, repo",
        )
        .all() as AccessTeamRepoRow[],
      collaborators: db
        .prepare(
          `SELECT snapshot_id, repo, login, permission, outside, sources FROM gh_collaborators
           ORDER BY snapshot_id, repo, login`,
        )
        .all() as AccessCollaboratorRow[],
      protection: db
        .prepare(
          "SELECT snapshot_id, repo, pattern, settings FROM gh_protection_rules ORDER BY snapshot_id, repo, pattern",
        )
        .all() as AccessProtectionRow[],
      rulesets: db
        .prepare(
          `SELECT snapshot_id, scope, ruleset_id, name, target, enforcement, settings FROM gh_rulesets
           ORDER BY snapshot_id, scope, ruleset_id`,
        )
        .all() as AccessRulesetRow[],
    }),
  )();
}

export interface TrackedRepoRow {
  name: string;
  role: "app" | "gitops";
  /** owner/name on GitHub, from the latest GitHub run of the repository; null: never collected. */
  github: string | null;
  /** JSON array of the protected branches the git collector has read (refs/heads/ stripped). */
  branches: string;
}

/** The tracked repositories with their GitHub names and the protected branches git has read. */
export function trackedRepoRows(db: DB): TrackedRepoRow[] {
  return db
    .prepare(
      `SELECT r.name, r.role,
         ${GITHUB_NAME_OF_R} AS github,
         (SELECT json_group_array(b.branch) FROM (SELECT DISTINCT substr(t.ref, 12) AS branch FROM ref_tips t
            WHERE t.repo_id = r.id AND t.protected = 1 AND t.ref LIKE 'refs/heads/%' ORDER BY 1) b) AS branches
       FROM repos r ORDER BY r.name`,
    )
    .all() as TrackedRepoRow[];
}

/** Manual syncs in [from, to) by who initiated them (a reconciler username: an email or a login). */
export function manualSyncsBy(db: DB, fromIso: string, toIso: string): { initiatedBy: string; count: number }[] {
  return db
    .prepare(
      `SELECT initiated_by AS initiatedBy, count(*) AS count FROM deployments
       WHERE automated = 0 AND initiated_by IS NOT NULL AND basis <> 'event'
         AND coalesce(started_at, finished_at) >= ? AND coalesce(started_at, finished_at) < ?
       GROUP BY initiated_by ORDER BY initiated_by`,
    )
    .all(fromIso, toIso) as { initiatedBy: string; count: number }[];
}
