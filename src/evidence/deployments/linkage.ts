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
  /** Each commit's generation: 0 for a root (or a parent the store lacks), else one more than its highest parent's. */
  generation: ReadonlyMap<string, number>;
  /** Commits reachable from a tip of a protected branch some run saw (rewritten-away tips too). */
  protectedReach: ReadonlySet<string>;
}

export function commitGraph(rows: readonly GraphCommitRow[], protectedTips: readonly string[]): CommitGraph {
  const parents = new Map<string, string[]>();
  for (const r of rows) parents.set(r.sha, r.parents.split(" ").filter(Boolean));
  return { parents, generation: generations(parents), protectedReach: ancestors(parents, protectedTips) };
}

/** Generation numbers, computed without recursion (a first-parent chain is as deep as the history). */
function generations(parents: ReadonlyMap<string, readonly string[]>): Map<string, number> {
  const gen = new Map<string, number>();
  for (const start of parents.keys()) {
    if (gen.has(start)) continue;
    const stack: [string, boolean][] = [[start, false]];
    while (stack.length > 0) {
      const top = stack[stack.length - 1] as [string, boolean];
      const [s, expanded] = top;
      if (gen.has(s)) {
        stack.pop();
        continue;
      }
      if (!expanded) {
        top[1] = true;
        for (const p of parents.get(s) ?? []) if (parents.has(p) && !gen.has(p)) stack.push([p, false]);
        continue;
      }
      stack.pop();
      let g = 0;
      for (const p of parents.get(s) ?? []) g = Math.max(g, (gen.get(p) ?? -1) + 1);
      gen.set(s, g);
    }
  }
  return gen;
}

/** Every commit reachable from `from` (themselves included). */
function ancestors(parents: ReadonlyMap<string, readonly string[]>, from: readonly string[]): Set<string> {
  const seen = new Set<string>();
  const todo = [...from];
  while (todo.length > 0) {
    const s = todo.pop() as string;
    if (seen.has(s)) continue;
    seen.add(s);
    for (const p of parents.get(s) ?? []) if (!seen.has(p)) todo.push(p);
  }
  return seen;
}

/**
 * `git rev-list <rev> ^<previous>`: the commits `rev` has that `previous` does not. Walked as git
 * walks it: both sides at once, highest generation first, painting what `previous` reaches, and
 * stopping once every commit left to walk is `previous`'s; so the cost follows the commits
 * between the two revisions, not the repository's whole history.
 */
export function revList(graph: CommitGraph, rev: string, previous: string | null): string[] {
  const FROM_REV = 1;
  const FROM_PREV = 2;
  const paint = new Map<string, number>();
  const heap = new MaxHeap((s: string) => graph.generation.get(s) ?? -1);
  const mark = (s: string, bits: number): void => {
    const had = paint.get(s) ?? 0;
    if ((had | bits) === had) return;
    paint.set(s, had | bits);
    heap.push(s);
  };
  mark(rev, FROM_REV);
  if (previous) mark(previous, FROM_PREV);
  // Entries only `rev` reaches: while any is queued, what lies below may still be rev's alone.
  const revOnly = (s: string) => paint.get(s) === FROM_REV;
  let pending = revOnly(rev) ? 1 : 0;
  const queued = new Set<string>([rev, ...(previous ? [previous] : [])]);
  while (pending > 0 && heap.size > 0) {
    const s = heap.pop() as string;
    if (!queued.delete(s)) continue;
    const bits = paint.get(s) ?? 0;
    if (bits === FROM_REV) pending--;
    for (const p of graph.parents.get(s) ?? []) {
      const before = paint.get(p) ?? 0;
      const after = before | bits;
      if (after === before) continue;
      if (queued.has(p) && before === FROM_REV) pending--;
      paint.set(p, after);
      queued.add(p);
      heap.push(p);
      if (after === FROM_REV) pending++;
    }
  }
  return [...paint]
    .filter(([, b]) => b === FROM_REV)
    .map(([s]) => s)
    .sort();
}

/** A binary max-heap by a key (duplicates allowed: the walk skips what it already took). */
class MaxHeap {
  readonly #items: string[] = [];
  constructor(private readonly key: (s: string) => number) {}
  get size(): number {
    return this.#items.length;
  }
  push(s: string): void {
    const a = this.#items;
    a.push(s);
    let i = a.length - 1;
    while (i > 0) {
      const up = (i - 1) >> 1;
      if (this.key(a[up] as string) >= this.key(a[i] as string)) break;
      [a[up], a[i]] = [a[i] as string, a[up] as string];
      i = up;
    }
  }
  pop(): string | undefined {
    const a = this.#items;
    const top = a[0];
    const last = a.pop();
    if (a.length > 0 && last !== undefined) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && this.key(a[l] as string) > this.key(a[m] as string)) m = l;
        if (r < a.length && this.key(a[r] as string) > this.key(a[m] as string)) m = r;
        if (m === i) break;
        [a[m], a[i]] = [a[i] as string, a[m] as string];
        i = m;
      }
    }
    return top;
  }
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

/**
 * When a deployment ran, for ordering and for the period. A Flux Kustomization history entry is
 * moved in place when a revision it already holds is applied again (revision and lastReconciled
 * move, firstReconciled stays), so its start says nothing of its current revision: it is timed by
 * when it was last seen applied.
 */
const timeOf = (d: DeploymentRow): string =>
  d.reconciler === "flux-kustomization" && d.basis === "history" ? d.finished_at : (d.started_at ?? d.finished_at);
type Target = { reconciler: string; cluster: string; namespace: string; name: string };
const targetOf = (d: Target): string => `${d.reconciler}\u0000${d.cluster}\u0000${d.namespace}\u0000${d.name}`;

/** Every deployment of the period, linked; sorted by time, then target. */
export function linkDeployments(input: LinkageInput): LinkedDeployment[] {
  const byTarget = new Map<string, DeploymentRow[]>();
  for (const d of input.deployments) getOrInsert(byTarget, targetOf(d), () => []).push(d);
  const repoByName = new Map([...input.repos].map(([name, g]) => [name.toLowerCase(), { name, graph: g }]));
  const out: LinkedDeployment[] = [];
  for (const records of byTarget.values()) {
    // A controller event that reports an apply a history record also holds (the same commit within
    // a quarter of an hour) is the same deployment; an event of a later re-apply is its own.
    const others = records.filter((d) => d.basis !== "event");
    const sameApply = (e: DeploymentRow) =>
      others.some(
        (d) =>
          (d.commit_oid ?? d.revisions) === (e.commit_oid ?? e.revisions) &&
          Math.abs(Date.parse(timeOf(d)) - Date.parse(timeOf(e))) <= 15 * 60_000,
      );
    const list = records
      .filter((d) => d.basis !== "event" || !sameApply(d))
      .sort((a, b) => compareText(timeOf(a), timeOf(b)) || a.id - b.id);
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
  const commits =
    inRepository && prevCommit !== null && g.parents.has(prevCommit) ? revList(g, commit, prevCommit) : null;
  const backwards = commits !== null && commits.length === 0 && prevCommit !== commit;
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
  if (commits === null) throw new Error("unreachable: the previous revision is in the repository");
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
