import type { DeploymentRow, GraphCommitRow, HistoryGapRow } from "../../store/deployment-queries.js";
import { compareText } from "../../util/compare.js";
import { getOrInsert } from "../../util/get-or-insert.js";

/**
 * Deployment linkage (SPEC §3a): what each deployment put in production. The commits a
 * deployment introduced are `git rev-list <revision> ^<previous revision deployed to the same
 * target>` over the GitOps repository's commit graph as the store holds it (git's parents, never
 * dates), mapped to the changes that landed them. After a history gap the previous *observed*
 * deployment is used and the deployment is marked `afterGap`.
 */

/** A GitOps repository's commit graph, and what any protected branch ever reached. */
export interface CommitGraph {
  parents: ReadonlyMap<string, readonly string[]>;
  /** Commits reachable from a tip of a protected branch some run saw (rewritten-away tips too). */
  protectedReach: ReadonlySet<string>;
}

export function commitGraph(rows: readonly GraphCommitRow[], protectedTips: readonly string[]): CommitGraph {
  const parents = new Map<string, string[]>();
  for (const r of rows) parents.set(r.sha, r.parents.split(" ").filter(Boolean));
  return { parents, protectedReach: ancestors(parents, protectedTips) };
}

/** Every commit reachable from `from` (themselves included), not crossing `stop`. */
function ancestors(
  parents: ReadonlyMap<string, readonly string[]>,
  from: readonly string[],
  stop: ReadonlySet<string> = new Set(),
): Set<string> {
  const seen = new Set<string>();
  const todo = from.filter((s) => !stop.has(s));
  while (todo.length > 0) {
    const s = todo.pop() as string;
    if (seen.has(s)) continue;
    seen.add(s);
    for (const p of parents.get(s) ?? []) if (!seen.has(p) && !stop.has(p)) todo.push(p);
  }
  return seen;
}

/** `git rev-list <rev> ^<previous>`: the commits `rev` has that `previous` does not. */
export function revList(graph: CommitGraph, rev: string, previous: string | null): string[] {
  const stop = previous ? ancestors(graph.parents, [previous]) : new Set<string>();
  return [...ancestors(graph.parents, [rev], stop)].sort();
}

/** A change of the period that landed commits on a GitOps repository's protected branch. */
export interface LandedChange {
  id: string;
  /** Its findings that make a deployment of it unexplained (C2, C6, C7), e.g. "C6 merged-without-required-review". */
  concerns: string[];
}

export interface LinkedDeployment {
  /** `<cluster>/<namespace>/<name>@<revision>` (SPEC §4), with `at` its start time. */
  id: string;
  at: string;
  reconciler: string;
  target: string;
  /** The tracked GitOps repository it syncs from, or the source as recorded when none matches. */
  source: string | null;
  sourcePath: string | null;
  revision: string;
  commit: string | null;
  startedAt: string | null;
  finishedAt: string;
  initiatedBy: string | null;
  /** The reconciler's own automation; false: a person; null: not recorded. */
  automated: boolean | null;
  outcome: string;
  /** The reconciler marked it a rollback, or it moved the target back to an ancestor of what ran. */
  rollback: boolean;
  previous: { id: string; at: string } | null;
  /** History was lost between the previous observed deployment and this one. */
  afterGap: boolean;
  /** The revision is a commit of the tracked repository as collected; null: not a git revision, or no tracked repository. */
  inRepository: boolean | null;
  /** Reachable from a protected branch; null when that cannot be told. */
  onProtectedBranch: boolean | null;
  /** What it introduced; null when it cannot be shown (`linkage` says why). */
  introduced: { commits: string[]; changes: LandedChange[]; outsidePeriod: string[] } | null;
  /** How `introduced` was found, or why not, for people. */
  linkage: string;
}

export interface LinkageInput {
  period: { from: string; to: string };
  deployments: readonly DeploymentRow[];
  gaps: readonly HistoryGapRow[];
  /** Tracked GitOps repositories by name (owner/name), with their graphs. */
  repos: ReadonlyMap<string, CommitGraph>;
  /** Commit sha (of a GitOps repository) -> the change of the period that landed it. */
  landedBy: ReadonlyMap<string, LandedChange>;
}

/** "https://github.com/acme/platform-gitops.git", "git@github.com:acme/x" -> "acme/platform-gitops". */
export function repoNameOf(url: string): string | null {
  const path = url
    .trim()
    .replace(/^[a-z+]+:\/\/[^/]*\//i, "")
    .replace(/^[^@/]+@[^:]+:/, "")
    .replace(/\/+$/, "")
    .replace(/\.git$/i, "");
  const parts = path.split("/").filter(Boolean);
  return parts.length >= 2 ? `${parts[parts.length - 2]}/${parts[parts.length - 1]}`.toLowerCase() : null;
}

const timeOf = (d: DeploymentRow): string => d.started_at ?? d.finished_at;
type Target = { reconciler: string; cluster: string; namespace: string; name: string };
const targetOf = (d: Target): string => `${d.reconciler}\u0000${d.cluster}\u0000${d.namespace}\u0000${d.name}`;

/** Every deployment of the period, linked; sorted by time, then target. */
export function linkDeployments(input: LinkageInput): LinkedDeployment[] {
  const byTarget = new Map<string, DeploymentRow[]>();
  for (const d of input.deployments) getOrInsert(byTarget, targetOf(d), () => []).push(d);
  const repoByName = new Map([...input.repos].map(([name, g]) => [name.toLowerCase(), { name, graph: g }]));
  const out: LinkedDeployment[] = [];
  for (const records of byTarget.values()) {
    // A controller event that reports an apply the history also holds is the same deployment.
    const fromHistory = new Set(records.filter((d) => d.basis !== "event").map((d) => d.commit_oid ?? d.revisions));
    const list = records.filter((d) => d.basis !== "event" || !fromHistory.has(d.commit_oid ?? d.revisions));
    // Event records carry no source: the target's other records name it.
    const sourceUrl = list.find((d) => d.source_repo)?.source_repo ?? null;
    const tracked = sourceUrl ? repoByName.get(repoNameOf(sourceUrl) ?? "") : undefined;
    const key = targetOf(records[0] as DeploymentRow);
    const gaps = input.gaps.filter((g) => targetOf(g) === key);
    let previous: DeploymentRow | null = null;
    for (const d of list) {
      const at = timeOf(d);
      const prior = previous;
      if (d.outcome === "succeeded") previous = d;
      if (at < input.period.from || at >= input.period.to) continue;
      out.push(link(d, prior, tracked ?? null, sourceUrl, gaps, input.landedBy));
    }
  }
  return out.sort((a, b) => compareText(a.at, b.at) || compareText(a.target, b.target) || compareText(a.id, b.id));
}

function link(
  d: DeploymentRow,
  prior: DeploymentRow | null,
  tracked: { name: string; graph: CommitGraph } | null,
  sourceUrl: string | null,
  gaps: readonly HistoryGapRow[],
  landedBy: ReadonlyMap<string, LandedChange>,
): LinkedDeployment {
  const revision = (JSON.parse(d.revisions) as string[])[0] ?? d.commit_oid ?? "?";
  const at = timeOf(d);
  const target = `${d.cluster}/${d.namespace}/${d.name}`;
  const prevAt = prior ? timeOf(prior) : null;
  // Lost history whose window reaches between the previous observed deployment and this one.
  const afterGap = gaps.some((g) => g.before > (prevAt ?? "") && (g.after ?? "") < at);
  const base = {
    id: `${target}@${revision}`,
    at,
    reconciler: d.reconciler,
    target,
    source: tracked?.name ?? sourceUrl,
    sourcePath: d.source_path,
    revision,
    commit: d.commit_oid,
    startedAt: d.started_at,
    finishedAt: d.finished_at,
    initiatedBy: d.initiated_by,
    automated: d.automated === null ? null : d.automated === 1,
    outcome: d.outcome,
    previous: prior
      ? {
          id: `${target}@${(JSON.parse(prior.revisions) as string[])[0] ?? prior.commit_oid ?? "?"}`,
          at: timeOf(prior),
        }
      : null,
    afterGap,
  };
  // What could not be linked: said why, with what is known of the revision.
  const unlinked = (
    linkage: string,
    known: Partial<Pick<LinkedDeployment, "rollback" | "inRepository" | "onProtectedBranch">> = {},
  ) => ({
    ...base,
    rollback: d.rollback === 1,
    inRepository: null,
    onProtectedBranch: null,
    ...known,
    introduced: null,
    linkage,
  });
  if (d.commit_oid === null) {
    return unlinked(`revision ${revision} is not a commit (a chart version or an artifact): no GitOps changes to link`);
  }
  if (!tracked) {
    return unlinked(
      sourceUrl
        ? `its source ${sourceUrl} is not a tracked GitOps repository: what it introduced cannot be shown`
        : "the reconciler recorded no source repository: what it introduced cannot be shown",
    );
  }
  const g = tracked.graph;
  const commit = d.commit_oid;
  const inRepository = g.parents.has(commit);
  const onProtectedBranch = g.protectedReach.has(commit);
  const prevCommit = prior?.commit_oid ?? null;
  // Moving back to an ancestor of what ran before is a rollback, whatever the reconciler called it.
  const backwards =
    prevCommit !== null &&
    prevCommit !== commit &&
    g.parents.has(prevCommit) &&
    revList(g, commit, prevCommit).length === 0;
  const known = { rollback: d.rollback === 1 || backwards, inRepository, onProtectedBranch };
  if (!inRepository) {
    return unlinked(
      `${tracked.name} as collected does not contain ${commit.slice(0, 12)} (a deleted branch, or a commit force-pushed away before git read it)`,
      known,
    );
  }
  if (prevCommit === null) {
    return unlinked(
      "the first deployment observed for this target: what it introduced over what ran before cannot be shown",
      known,
    );
  }
  if (!g.parents.has(prevCommit)) {
    return unlinked(
      `the previous deployment's revision ${prevCommit.slice(0, 12)} is not in ${tracked.name} as collected: what this one introduced cannot be shown`,
      known,
    );
  }
  const commits = revList(g, commit, prevCommit);
  const changes = new Map<string, LandedChange>();
  const outsidePeriod: string[] = [];
  for (const c of commits) {
    const ch = landedBy.get(c);
    if (ch) changes.set(ch.id, ch);
    else outsidePeriod.push(c);
  }
  return {
    ...base,
    ...known,
    introduced: { commits, changes: [...changes.values()].sort((a, b) => compareText(a.id, b.id)), outsidePeriod },
    linkage: `git rev-list ${commit.slice(0, 12)} ^${prevCommit.slice(0, 12)} in ${tracked.name}: ${commits.length} commit${commits.length === 1 ? "" : "s"}${afterGap ? " (after a history gap: since the previous observed deployment)" : ""}`,
  };
}
