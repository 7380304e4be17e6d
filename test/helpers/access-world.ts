import type { AccessInput, TrackedRepo } from "../../src/evidence/access/input.js";
import { accessHistory } from "../../src/evidence/access/snapshots.js";
import { parsePeriod } from "../../src/period.js";
import type { AccessRows } from "../../src/store/access-queries.js";

/**
 * Access worlds for the A1-A4 tests, built by code: each snapshot says what its run read, so a
 * reader sees the case. Rows are what the store would hold (src/store/access-queries.ts).
 */

export interface SnapshotSpec {
  takenAt: string;
  org?: string;
  twoFactorVisible?: boolean;
  /** login -> [role, two-factor]; absent: the run did not read the members. */
  members?: Record<string, [string, boolean | null]>;
  /** slug -> members (login -> role) and repositories (owner/name -> permission). */
  teams?: Record<string, { members?: Record<string, string>; repos?: Record<string, string> }>;
  /** owner/name -> login -> [permission, outside]; a repository listed here was read. */
  collaborators?: Record<string, Record<string, [string, boolean | null]>>;
  /** owner/name -> pattern -> settings. The repository is read even with no rule. */
  protection?: Record<string, Record<string, Record<string, unknown>>>;
  rulesets?: { scope: string; id: number; name: string; enforcement?: string; settings: Record<string, unknown> }[];
  /** Every read repository's default branch as GitHub named it then; absent: not recorded. */
  defaultBranch?: string;
}

export function accessRowsOf(specs: readonly SnapshotSpec[]): AccessRows {
  const rows: AccessRows = {
    snapshots: [],
    snapshotRepos: [],
    members: [],
    teamMembers: [],
    teamRepos: [],
    collaborators: [],
    protection: [],
    rulesets: [],
  };
  specs.forEach((s, i) => {
    const id = i + 1;
    rows.snapshots.push({
      id,
      org: s.org ?? "acme",
      taken_at: s.takenAt,
      two_factor_visible: s.twoFactorVisible === false ? 0 : 1,
    });
    for (const [login, [role, tf]] of Object.entries(s.members ?? {})) {
      rows.members.push({ snapshot_id: id, login, role, two_factor: tf === null ? null : tf ? 1 : 0 });
    }
    for (const [slug, t] of Object.entries(s.teams ?? {})) {
      for (const [login, role] of Object.entries(t.members ?? {}))
        rows.teamMembers.push({ snapshot_id: id, team_slug: slug, login, role });
      for (const [repo, permission] of Object.entries(t.repos ?? {}))
        rows.teamRepos.push({ snapshot_id: id, team_slug: slug, repo, permission });
    }
    const repos = new Set([...Object.keys(s.collaborators ?? {}), ...Object.keys(s.protection ?? {})]);
    for (const repo of [...repos].sort()) {
      rows.snapshotRepos.push({ snapshot_id: id, repo, default_branch: s.defaultBranch ?? null });
    }
    for (const [repo, cs] of Object.entries(s.collaborators ?? {})) {
      for (const [login, [permission, outside]] of Object.entries(cs)) {
        rows.collaborators.push({
          snapshot_id: id,
          repo,
          login,
          permission,
          outside: outside === null ? null : outside ? 1 : 0,
          sources: "[]",
        });
      }
    }
    for (const [repo, rules] of Object.entries(s.protection ?? {})) {
      for (const [pattern, settings] of Object.entries(rules)) {
        rows.protection.push({ snapshot_id: id, repo, pattern, settings: JSON.stringify(settings) });
      }
    }
    for (const r of s.rulesets ?? []) {
      rows.rulesets.push({
        snapshot_id: id,
        scope: r.scope,
        ruleset_id: r.id,
        name: r.name,
        target: "BRANCH",
        enforcement: r.enforcement ?? "ACTIVE",
        settings: JSON.stringify(r.settings),
      });
    }
  });
  return rows;
}

export const REPO = "acme/payments-api";

export const tracked = (over: Partial<TrackedRepo> = {}): TrackedRepo => ({
  github: REPO,
  role: "app",
  branches: ["main"],
  ...over,
});

/** The input of the access rules for 2026Q3 over these snapshots. */
export function accessInput(specs: readonly SnapshotSpec[], repos: readonly TrackedRepo[] = [tracked()]): AccessInput {
  return { period: parsePeriod("2026Q3"), history: accessHistory(accessRowsOf(specs)), repos };
}

/** A branch protection rule's settings: one approval required, admins included, unless told. */
export const rule = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
  requiresApprovingReviews: true,
  requiredApprovingReviewCount: 1,
  isAdminEnforced: true,
  allowsForcePushes: false,
  allowsDeletions: false,
  dismissesStaleReviews: false,
  bypassPullRequestAllowances: [],
  ...over,
});
