import type { Period } from "../../period.js";
import type { AccessRows } from "../../store/access-queries.js";
import { getOrInsert } from "../../util/get-or-insert.js";
import { indexSnapshots, type SnapshotIndex } from "../protection.js";

/**
 * Access snapshots as access review reads them (SPEC §3 A1-A4): who was a member, in which team,
 * with which permission on which repository, and the protection of each repository, as one
 * GitHub run recorded them. What a run did not read is null, never empty: a snapshot that listed
 * no members (a repository-only run, or credentials that could not) says nothing about who left.
 */

export interface Collaborator {
  permission: string;
  /** Outside collaborator; null when the run did not know the organisation's members. */
  outside: boolean | null;
}

export interface AccessSnapshot {
  id: number;
  org: string;
  takenAt: string;
  twoFactorVisible: boolean;
  /** login -> role and two-factor; null: the run did not read the organisation's members. */
  members: Map<string, { role: string; twoFactor: boolean | null }> | null;
  /** team slug -> its members (login -> role) and repositories (owner/name -> permission); null with members. */
  teams: Map<string, { members: Map<string, string>; repos: Map<string, string> }> | null;
  /** Repositories (owner/name) whose collaborators and protection this run read. */
  repos: Set<string>;
  /** owner/name -> login -> permission: only for `repos`. */
  collaborators: Map<string, Map<string, Collaborator>>;
}

export interface AccessHistory {
  /** Every snapshot, oldest first. */
  snapshots: AccessSnapshot[];
  /** Protection and rulesets by snapshot, for protectionAt. */
  protection: SnapshotIndex;
  rows: AccessRows;
}

export function accessHistory(rows: AccessRows): AccessHistory {
  const byId = new Map<number, AccessSnapshot>();
  const snapshots = rows.snapshots.map((s) => {
    const snap: AccessSnapshot = {
      id: s.id,
      org: s.org,
      takenAt: s.taken_at,
      twoFactorVisible: s.two_factor_visible === 1,
      members: null,
      teams: null,
      repos: new Set(),
      collaborators: new Map(),
    };
    byId.set(s.id, snap);
    return snap;
  });
  for (const m of rows.members) {
    const s = byId.get(m.snapshot_id);
    if (!s) continue;
    s.members ??= new Map();
    s.members.set(m.login, { role: m.role, twoFactor: m.two_factor === null ? null : m.two_factor === 1 });
  }
  // Teams are read with the members: a snapshot that listed members and no team had none.
  for (const s of snapshots) if (s.members) s.teams = new Map();
  const team = (s: AccessSnapshot, slug: string) =>
    getOrInsert(s.teams ?? new Map(), slug, () => ({
      members: new Map<string, string>(),
      repos: new Map<string, string>(),
    }));
  for (const t of rows.teamMembers) {
    const s = byId.get(t.snapshot_id);
    if (s?.teams) team(s, t.team_slug).members.set(t.login, t.role);
  }
  for (const t of rows.teamRepos) {
    const s = byId.get(t.snapshot_id);
    if (s?.teams) team(s, t.team_slug).repos.set(t.repo, t.permission);
  }
  for (const r of rows.snapshotRepos) byId.get(r.snapshot_id)?.repos.add(r.repo);
  for (const c of rows.collaborators) {
    const s = byId.get(c.snapshot_id);
    if (!s) continue;
    getOrInsert(s.collaborators, c.repo, () => new Map<string, Collaborator>()).set(c.login, {
      permission: c.permission,
      outside: c.outside === null ? null : c.outside === 1,
    });
  }
  const repoRows = rows.snapshotRepos.flatMap((r) => {
    const s = byId.get(r.snapshot_id);
    return s ? [{ id: s.id, taken_at: s.takenAt, repo: r.repo, default_branch: r.default_branch }] : [];
  });
  return { snapshots, protection: indexSnapshots(repoRows, rows.protection, rows.rulesets), rows };
}

/**
 * The snapshots that show a period's access: the latest taken at or before its start (the state
 * it opened with), every one taken in it, and the first at or after its end (the state it closed
 * with, when the report runs later). Filtered by `keep` (e.g. those that read the members).
 */
export function periodSnapshots(
  all: readonly AccessSnapshot[],
  period: Period,
  keep: (s: AccessSnapshot) => boolean = () => true,
): AccessSnapshot[] {
  const from = period.from.toISOString();
  const to = period.to.toISOString();
  const kept = all.filter(keep);
  const before = kept.filter((s) => s.takenAt <= from).at(-1);
  const within = kept.filter((s) => s.takenAt > from && s.takenAt < to);
  const after = kept.find((s) => s.takenAt >= to);
  return [...(before ? [before] : []), ...within, ...(after ? [after] : [])];
}

/** Consecutive pairs, oldest first. */
export function pairs<T>(list: readonly T[]): [T, T][] {
  const out: [T, T][] = [];
  for (let i = 1; i < list.length; i++) out.push([list[i - 1] as T, list[i] as T]);
  return out;
}

/** The last snapshot of a period's that satisfies `keep`: the state the period closed with. */
export const closingSnapshot = (
  all: readonly AccessSnapshot[],
  period: Period,
  keep: (s: AccessSnapshot) => boolean = () => true,
): AccessSnapshot | null => periodSnapshots(all, period, keep).at(-1) ?? null;

/** Permissions in increasing power, GitHub's built-in roles; a custom role sits by its base. */
const RANK: Record<string, number> = { NONE: 0, READ: 1, TRIAGE: 2, WRITE: 3, MAINTAIN: 4, ADMIN: 5 };

export function permissionRank(p: string | null | undefined): number {
  if (!p) return 0;
  const direct = RANK[p.toUpperCase()];
  if (direct !== undefined) return direct;
  // A custom role is stored as "name (BASE)".
  const base = /\(([A-Z]+)\)$/.exec(p)?.[1];
  return base ? (RANK[base] ?? 0) : 0;
}

/** "between 2026-09-30T12:00:00Z and 2026-10-02T09:00:00Z" */
export const between = (a: AccessSnapshot, b: AccessSnapshot): string => `between ${a.takenAt} and ${b.takenAt}`;
