import type { HistoryObservation, ReconcilerKind } from "./deployment.js";

/**
 * Whether a target's history was truncated between two runs (SPEC P1). Reconcilers drop their
 * oldest entries (Argo CD keeps revisionHistoryLimit, Kustomizations 5, HelmReleases down to the
 * previous success), and an entry can only be dropped once every kept entry is at least as new.
 * So an entry nobody saw was lost only if the oldest kept entry is newer than the previous run:
 *   - with sequence numbers (Argo CD ids, Helm versions), exactly: ids between the last one seen
 *     and the first one kept are missing;
 *   - otherwise, possibly: the history is at capacity and even its oldest entry is newer than the
 *     newest one the previous run saw (in the history's own clock, never the reads').
 * The first run of a target whose history is already full cannot know what came before it.
 */

export type HistoryGapKind = "missed" | "possibly-missed" | "before-first-collection" | "no-history";

export interface HistoryGap {
  kind: HistoryGapKind;
  reconciler: ReconcilerKind;
  cluster: string;
  namespace: string;
  name: string;
  /**
   * The window the lost entries fall in: after the newest entry the previous read saw (or the
   * read itself, when entries are not numbered), before the oldest kept entry.
   */
  after: string | null;
  before: string;
  /** How many entries were lost, when the history numbers them. */
  lost: number | null;
  /** The run's read that found it. */
  foundAt: string;
}

/** The end of a window that has not closed: a target that still keeps no history. */
export const STILL_OPEN = "9999-12-31T23:59:59.999Z";

/** Where numbered histories start: Argo CD's first history id is 0, Helm's first release 1. */
const FIRST_SEQ: Partial<Record<ReconcilerKind, number>> = { argocd: 0, "flux-helmrelease": 1 };

const targetOf = (o: HistoryObservation) => [o.reconciler, o.cluster, o.namespace, o.name].join("\u0000");
const ms = (t: string) => Date.parse(t);

function between(prev: HistoryObservation, cur: HistoryObservation): HistoryGap | null {
  // The previous state was last seen then: nothing after it had been lost yet.
  const lastRead = prev.seenUntil ?? prev.observedAt;
  const base = {
    reconciler: cur.reconciler,
    cluster: cur.cluster,
    namespace: cur.namespace,
    name: cur.name,
    after: lastRead,
    foundAt: cur.observedAt,
  };
  // A target without history shows one state per read; that it keeps none is said once, below.
  if (cur.capacity === 0) return null;
  // Numbers that went backwards mean the object was recreated: fall back to times.
  if (cur.seqMin !== null && prev.seqMax !== null && cur.seqMax !== null && cur.seqMax >= prev.seqMax) {
    if (cur.seqMin <= prev.seqMax + 1) return null;
    // The lost entries are newer than every entry the previous read saw.
    return {
      ...base,
      after: prev.newest ?? lastRead,
      kind: "missed",
      before: cur.horizon ?? cur.observedAt,
      lost: cur.seqMin - prev.seqMax - 1,
    };
  }
  // Unnumbered (a Kustomization): an entry is evicted only once every kept entry was reconciled
  // after it, and one nobody saw came after the newest entry the previous read saw. So entries may
  // be lost only if even the oldest kept entry was reconciled after that one. Compared in the
  // history's own clock, never the reads': reads can come months after the history's times (an
  // export imported late, a cluster's clock apart), and a full history sharing an entry the
  // previous read saw unchanged lost nothing.
  const full = cur.capacity !== null && cur.entries >= cur.capacity;
  if (!full || cur.horizon === null) return null;
  // A previous read that saw no entry at all: every entry since is new, and a full history may
  // have dropped some of them.
  if (prev.newest === null) return { ...base, kind: "possibly-missed", before: cur.horizon, lost: null };
  if (ms(cur.horizon) > ms(prev.newest)) {
    return { ...base, after: prev.newest, kind: "possibly-missed", before: cur.horizon, lost: null };
  }
  return null;
}

/** What a target's first read cannot know: a history kept nowhere, or begun before the read. */
function atFirstRead(first: HistoryObservation): HistoryGap | null {
  const gap = (kind: HistoryGapKind, before: string, lost: number | null): HistoryGap => ({
    kind,
    reconciler: first.reconciler,
    cluster: first.cluster,
    namespace: first.namespace,
    name: first.name,
    after: null,
    before,
    lost,
    foundAt: first.observedAt,
  });
  if (first.capacity === 0) return gap("no-history", first.observedAt, null);
  const start = FIRST_SEQ[first.reconciler];
  if (first.seqMin !== null && start !== undefined) {
    // Numbered: exactly how many entries came before the first read's oldest.
    return first.seqMin > start
      ? gap("before-first-collection", first.horizon ?? first.observedAt, first.seqMin - start)
      : null;
  }
  if (first.capacity !== null && first.entries >= first.capacity && first.horizon !== null) {
    return gap("before-first-collection", first.horizon, null);
  }
  return null;
}

/** Gaps in the given observations (any order, any targets), oldest first per target. */
export function historyGaps(observations: readonly HistoryObservation[]): HistoryGap[] {
  const byTarget = new Map<string, HistoryObservation[]>();
  for (const o of observations) {
    const list = byTarget.get(targetOf(o));
    if (list) list.push(o);
    else byTarget.set(targetOf(o), [o]);
  }
  const gaps: HistoryGap[] = [];
  for (const key of [...byTarget.keys()].sort()) {
    const list = (byTarget.get(key) ?? []).sort((a, b) => ms(a.observedAt) - ms(b.observedAt));
    const first = list[0];
    const gap = first ? atFirstRead(first) : null;
    if (gap?.kind === "no-history") {
      // Deployments may be missed from the first read until a read shows the target keeping history.
      gap.after = first?.observedAt ?? null;
      gap.before = list.find((o) => o.capacity !== 0)?.observedAt ?? STILL_OPEN;
    }
    if (gap) gaps.push(gap);
    for (let i = 1; i < list.length; i++) {
      const prev = list[i - 1];
      const cur = list[i];
      if (!prev || !cur) continue;
      const gap = between(prev, cur);
      if (gap) gaps.push(gap);
    }
  }
  return gaps;
}

/** One line for a run's record, a log or a report's cover. */
export function describeGap(g: HistoryGap): string {
  const target = `${g.reconciler} ${g.cluster}/${g.namespace ? `${g.namespace}/` : ""}${g.name}`;
  switch (g.kind) {
    case "missed":
      return `${target}: ${g.lost} history ${g.lost === 1 ? "entry was" : "entries were"} dropped by the cluster before the read at ${g.foundAt} (deployed between ${g.after} and ${g.before}); collect more often`;
    case "possibly-missed":
      return `${target}: the history was full at the read at ${g.foundAt} and its oldest entry (${g.before}) is newer than the newest one the previous read saw (${g.after}): deployments in between may be missing; collect more often`;
    case "no-history":
      return `${target}: keeps no deployment history (Flux before 2.7, or a HelmRelease without status.history): only the revision applied at each read is known, so other deployments between reads may be missing (controller events fill in part)`;
    case "before-first-collection":
      return g.lost !== null
        ? `${target}: ${g.lost} history ${g.lost === 1 ? "entry was" : "entries were"} gone already at the first read (${g.foundAt}); deployments before ${g.before} are not known`
        : `${target}: the history was already full at the first read (${g.foundAt}); deployments before ${g.before} are not known`;
  }
}
