import picomatch from "picomatch";
import type { ProtectionRow, RulesetRow, SnapshotRow } from "../store/population-queries.js";

/**
 * The protection in force on a branch at a moment (SPEC §3: judge every change against the
 * protection and rulesets in force when it merged, not today's), from the stored snapshot
 * history: the latest snapshot of the repository taken at or before the moment; when none
 * precedes it, the earliest later one, said as such, because it may have differed then.
 */

export interface ProtectionInForce {
  snapshotId: number;
  takenAt: string;
  /** "before": the latest snapshot at or before the merge; "after": none preceded it. */
  basis: "before" | "after";
  /** Approvals a pull request needed (0 when a pull request but no approval was required). */
  requiredApprovals: number | null;
  requiresPullRequest: boolean;
  /** Whether admins were bound by the branch protection rule (null: no rule applied). */
  adminEnforced: boolean | null;
  dismissesStaleReviews: boolean;
  /** What applied, for people: "branch protection rule main", "ruleset prod (acme)". */
  sources: string[];
  /** Who could bypass the review requirement, for people. */
  bypass: string[];
  /** The same, for separation of duties to tell who they are. */
  bypassers: Bypasser[];
  /** What could not be judged (a ruleset naming the default branch when it is not known). */
  caveats: string[];
}

/** Who may bypass: a user or team by name, the repository's admins, the organisation's, a role, an app. */
export type Bypasser =
  | { kind: "user" | "team" | "app" | "role"; name: string }
  | { kind: "repo-admins" | "org-admins" | "deploy-key" };

interface RulesetSettings {
  conditions?: {
    refName?: { include?: string[]; exclude?: string[] } | null;
    repositoryName?: { include?: string[]; exclude?: string[] } | null;
  } | null;
  rules?: { type?: string; parameters?: Record<string, unknown> | null }[];
  bypassActors?: {
    bypassMode?: string;
    organizationAdmin?: boolean;
    repositoryRoleName?: string | null;
    actor?: { __typename?: string; slug?: string; name?: string } | null;
  }[];
}

// GitHub's patterns are fnmatch-like: `*` stops at `/`, `**` crosses it.
// Compiled once per pattern: every change of a period asks about the same few.
const matchers = new Map<string, (s: string) => boolean>();
function matcher(pattern: string): (s: string) => boolean {
  let m = matchers.get(pattern);
  if (!m) {
    m = picomatch(pattern, { dot: true, nonegate: true });
    matchers.set(pattern, m);
  }
  return m;
}

function refMatches(pattern: string, branch: string, defaultBranch: string | null): boolean | "unknown-default" {
  if (pattern === "~ALL") return true;
  if (pattern === "~DEFAULT_BRANCH") return defaultBranch === null ? "unknown-default" : branch === defaultBranch;
  return matcher(pattern.replace(/^refs\/heads\//, ""))(branch);
}

function repoMatches(patterns: readonly string[], repo: string): boolean {
  const name = repo.slice(repo.indexOf("/") + 1);
  return patterns.some((p) => p === "~ALL" || matcher(p)(name));
}

const num = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);

export interface SnapshotIndex {
  /** Snapshots of a repository (GitHub owner/name), oldest first. */
  of(repo: string): readonly SnapshotRow[];
  rules(snapshotId: number, repo: string): readonly ProtectionRow[];
  rulesets(snapshotId: number): readonly RulesetRow[];
}

export function indexSnapshots(
  snapshots: readonly SnapshotRow[],
  protection: readonly ProtectionRow[],
  rulesets: readonly RulesetRow[],
): SnapshotIndex {
  const byRepo = new Map<string, SnapshotRow[]>();
  for (const s of snapshots) {
    const list = byRepo.get(s.repo) ?? [];
    list.push(s);
    byRepo.set(s.repo, list);
  }
  for (const list of byRepo.values()) list.sort((a, b) => a.taken_at.localeCompare(b.taken_at) || a.id - b.id);
  const rules = new Map<string, ProtectionRow[]>();
  for (const r of protection) {
    const k = `${r.snapshot_id}\u0000${r.repo}`;
    const list = rules.get(k);
    if (list) list.push(r);
    else rules.set(k, [r]);
  }
  const sets = new Map<number, RulesetRow[]>();
  for (const r of rulesets) {
    const list = sets.get(r.snapshot_id);
    if (list) list.push(r);
    else sets.set(r.snapshot_id, [r]);
  }
  return {
    of: (repo) => byRepo.get(repo) ?? [],
    rules: (id, repo) => rules.get(`${id}\u0000${repo}`) ?? [],
    rulesets: (id) => sets.get(id) ?? [],
  };
}

/** The snapshot in force at `at`: the latest at or before it, else the earliest after it. */
export function snapshotAt(
  list: readonly SnapshotRow[],
  at: string,
): { row: SnapshotRow; basis: "before" | "after" } | null {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((list[mid] as SnapshotRow).taken_at <= at) lo = mid + 1;
    else hi = mid;
  }
  const before = list[lo - 1];
  if (before) return { row: before, basis: "before" };
  const after = list[0];
  return after ? { row: after, basis: "after" } : null;
}

/**
 * The protection of `branch` in `repo` (GitHub owner/name) as the snapshot in force at `at`
 * recorded it; null when no snapshot of the repository was ever taken.
 */
export function protectionAt(
  index: SnapshotIndex,
  repo: string,
  branch: string,
  at: string,
  defaultBranch: string | null,
): ProtectionInForce | null {
  const snap = snapshotAt(index.of(repo), at);
  if (!snap) return null;
  // ~DEFAULT_BRANCH means the branch GitHub named default when the snapshot was taken; a snapshot
  // from before that was recorded falls back to what the caller knows (git's defaulted branch).
  defaultBranch = snap.row.default_branch ?? defaultBranch;
  const out: ProtectionInForce = {
    snapshotId: snap.row.id,
    takenAt: snap.row.taken_at,
    basis: snap.basis,
    requiredApprovals: null,
    requiresPullRequest: false,
    adminEnforced: null,
    dismissesStaleReviews: false,
    sources: [],
    bypass: [],
    bypassers: [],
    caveats: [],
  };
  const need = (n: number): void => {
    out.requiresPullRequest = true;
    out.requiredApprovals = Math.max(out.requiredApprovals ?? 0, n);
  };
  // GitHub applies the most specific matching rule: an exact name beats a pattern.
  const rules = index.rules(snap.row.id, repo).filter((r) => refMatches(r.pattern, branch, defaultBranch) === true);
  const rule = rules.find((r) => r.pattern === branch) ?? rules[0];
  if (rule) {
    const s = JSON.parse(rule.settings) as Record<string, unknown>;
    out.sources.push(`branch protection rule ${rule.pattern}`);
    out.adminEnforced = s.isAdminEnforced === true;
    out.dismissesStaleReviews = s.dismissesStaleReviews === true;
    if (s.requiresApprovingReviews === true) need(num(s.requiredApprovingReviewCount) ?? 1);
    const allowances = Array.isArray(s.bypassPullRequestAllowances) ? s.bypassPullRequestAllowances : [];
    out.bypass.push(...allowances.map((a) => `bypass allowance ${String(a)}`));
    for (const a of allowances) {
      // Stored as "<Type>:<login or slug>" (src/collectors/github/records.ts).
      const [type = "", name = ""] = String(a).split(":", 2);
      out.bypassers.push({ kind: type === "User" ? "user" : type === "Team" ? "team" : "app", name });
    }
    if (!out.adminEnforced && out.requiresPullRequest) {
      out.bypass.push("repository admins (admins not enforced)");
      out.bypassers.push({ kind: "repo-admins" });
    }
  }
  for (const r of index.rulesets(snap.row.id)) {
    if (r.target !== null && r.target !== "BRANCH") continue;
    if (r.enforcement !== "ACTIVE") continue;
    const s = JSON.parse(r.settings) as RulesetSettings;
    // A repository's own rulesets are stored under its name; an organisation's say which repositories.
    if (r.scope.includes("/")) {
      if (r.scope.toLowerCase() !== repo.toLowerCase()) continue;
    } else {
      const names = s.conditions?.repositoryName;
      if (names && !repoMatches(names.include ?? [], repo)) continue;
      if (names && repoMatches(names.exclude ?? [], repo)) continue;
    }
    const ref = s.conditions?.refName;
    const inc = (ref?.include ?? []).map((p) => refMatches(p, branch, defaultBranch));
    const exc = (ref?.exclude ?? []).map((p) => refMatches(p, branch, defaultBranch));
    if (exc.includes(true)) continue;
    if (!inc.includes(true)) {
      if (inc.includes("unknown-default")) {
        out.caveats.push(
          `ruleset ${r.name} applies to the default branch, which is not known for this repository: not counted`,
        );
      }
      continue;
    }
    const pr = (s.rules ?? []).find((x) => x.type === "PULL_REQUEST");
    if (!pr) continue;
    out.sources.push(`ruleset ${r.name} (${r.scope})`);
    need(num(pr.parameters?.requiredApprovingReviewCount) ?? 0);
    if (pr.parameters?.dismissStaleReviewsOnPush === true) out.dismissesStaleReviews = true;
    for (const b of s.bypassActors ?? []) {
      const who = b.organizationAdmin
        ? "organisation admins"
        : b.repositoryRoleName
          ? `repository role ${b.repositoryRoleName}`
          : b.actor
            ? `${b.actor.__typename ?? "actor"} ${b.actor.slug ?? b.actor.name ?? "?"}`
            : "a deploy key";
      out.bypass.push(`ruleset ${r.name} bypass: ${who} (${b.bypassMode ?? "ALWAYS"})`);
      out.bypassers.push(
        b.organizationAdmin
          ? { kind: "org-admins" }
          : b.repositoryRoleName
            ? { kind: "role", name: b.repositoryRoleName }
            : b.actor
              ? { kind: b.actor.__typename === "Team" ? "team" : "app", name: b.actor.slug ?? b.actor.name ?? "?" }
              : { kind: "deploy-key" },
      );
    }
  }
  out.bypass.sort();
  return out;
}
