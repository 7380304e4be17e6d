import { type Acceptance, type Criterion, type Finding, isFinding } from "../evidence/finding.js";
import { identText } from "../evidence/ident.js";
import type { Change, ChangeKind, Population } from "../evidence/population.js";
import { ruleOrder } from "../evidence/rule-order.js";
import { ruleDocs } from "../evidence/rules/index.js";
import { getOrInsert } from "../util/get-or-insert.js";

/**
 * The change population as every output shows it (SPEC §4): one row per change with each change
 * rule's verdict, renderer-neutral, already sorted. The JSON and CSV populations, the HTML and
 * the PDF all read these rows, so they cannot disagree.
 */

export interface VerdictCell {
  rule: string;
  verdict: string;
  reason: string;
  accepted?: Acceptance;
}

export interface ChangeRow {
  id: string;
  repo: string;
  branch: string;
  /** Other protected branches the same pushed commit landed on. */
  alsoOn: string[];
  kind: ChangeKind;
  kindLabel: string;
  title: string;
  url: string | null;
  landedAt: string;
  landedBy: string;
  /** The pull request's author, or the pushed commit's author. */
  author: string;
  /** Who merged it (GitHub login), or who committed the push. */
  mergedBy: string;
  commits: string[];
  /** When a history rewrite dropped its commits from the branch. */
  droppedAt: string | null;
  pullRequest: {
    number: number;
    headOid: string;
    reviewDecision: string | null;
    approvals: {
      author: string | null;
      state: string;
      submittedAt: string | null;
      commit: string | null;
      counts: boolean;
      why: string | null;
    }[];
  } | null;
  protection: {
    snapshotTakenAt: string;
    asFirstSeenAfter: boolean;
    requiredApprovals: number | null;
    sources: string[];
  } | null;
  /** Every change rule's verdict, in registry order. */
  verdicts: VerdictCell[];
  /** The verdicts that are findings (not pass, not n/a). */
  exceptions: string[];
}

export interface BranchChanges {
  repo: string;
  branch: string;
  changes: ChangeRow[];
  counts: Partial<Record<ChangeKind, number>>;
}

export interface RuleSummary {
  id: string;
  title: string;
  criteria: readonly Criterion[];
  /** Verdict word -> how many subjects got it; every word the rule gives is listed, zero too. */
  counts: Record<string, number>;
  accepted: number;
}

const KIND_LABEL: Record<ChangeKind, string> = {
  "merge-commit": "pull request (merge commit)",
  squash: "pull request (squash)",
  rebase: "pull request (rebase)",
  "not-on-branch": "pull request (merge commit not on the branch as read)",
  "direct-push": "direct push",
  unknown: "unknown (GitHub's data missing)",
};

/** What a change's kind is called in every output. */
export const kindLabel = (k: ChangeKind): string => KIND_LABEL[k];

/**
 * One object per distinct cell and protection summary across a period's rows: most verdicts are a
 * pass with a fixed reason and a branch's changes share a few protections, so at 100,000 changes
 * sharing them keeps ~100 MB less. Shared objects are never changed in place (the register's
 * acceptance makes a cell of its own).
 */
export class RowInterner {
  // rule -> verdict -> reason -> cell: nested, so a lookup builds no key.
  readonly #cells = new Map<string, Map<string, Map<string, VerdictCell>>>();
  readonly #protections = new Map<string, NonNullable<ChangeRow["protection"]>>();

  cell(f: Finding): VerdictCell {
    if (f.accepted) return { rule: f.rule, verdict: f.verdict, reason: f.reason, accepted: f.accepted };
    const byVerdict = getOrInsert(this.#cells, f.rule, () => new Map<string, Map<string, VerdictCell>>());
    const byReason = getOrInsert(byVerdict, f.verdict, () => new Map<string, VerdictCell>());
    return getOrInsert(byReason, f.reason, () => ({ rule: f.rule, verdict: f.verdict, reason: f.reason }));
  }

  protection(p: NonNullable<ChangeRow["protection"]>): NonNullable<ChangeRow["protection"]> {
    return getOrInsert(this.#protections, JSON.stringify(p), () => p);
  }
}

function row(c: Change, verdicts: readonly Finding[], shared: RowInterner): ChangeRow {
  const cells = verdicts.map((f) => shared.cell(f));
  const first = c.commits[0];
  const author = c.pr ? (c.pr.author ?? "(deleted account)") : first?.authors[0] ? identText(first.authors[0]) : "";
  const dropped = c.commits.map((x) => x.droppedAt).find((d) => d !== null) ?? null;
  return {
    id: c.id,
    repo: c.repo,
    branch: c.branch,
    alsoOn: c.alsoOn,
    kind: c.kind,
    kindLabel: KIND_LABEL[c.kind],
    title: c.title,
    url: c.url,
    landedAt: c.landedAt,
    landedBy: c.landedBy,
    author,
    mergedBy: c.pr ? (c.pr.mergedBy ?? "(deleted account)") : c.mergedBy ? identText(c.mergedBy) : "",
    commits: c.commits.map((x) => x.sha),
    droppedAt: dropped,
    pullRequest: c.pr
      ? {
          number: c.pr.number,
          headOid: c.pr.headOid,
          reviewDecision: c.pr.reviewDecision,
          approvals: (c.review?.approvals ?? []).map((a) => ({
            author: a.review.author,
            state: a.review.state,
            submittedAt: a.review.submittedAt,
            commit: a.review.commit,
            counts: a.notCounted === null && !a.dismissed,
            why: a.notCounted,
          })),
        }
      : null,
    protection: c.protection
      ? shared.protection({
          snapshotTakenAt: c.protection.takenAt,
          asFirstSeenAfter: c.protection.basis === "after",
          requiredApprovals: c.protection.requiredApprovals,
          sources: c.protection.sources,
        })
      : null,
    verdicts: cells,
    exceptions: cells.filter(isFinding).map((v) => `${v.rule} ${v.verdict}`),
  };
}

export function changeRows(
  pop: Population,
  byChange: ReadonlyMap<string, readonly Finding[]>,
  shared: RowInterner = new RowInterner(),
): ChangeRow[] {
  return pop.changes.map((c) => row(c, byChange.get(c.id) ?? [], shared));
}

export function byBranch(rows: readonly ChangeRow[]): BranchChanges[] {
  const out = new Map<string, BranchChanges>();
  for (const r of rows) {
    const k = `${r.repo}\u0000${r.branch}`;
    let b = out.get(k);
    if (!b) {
      b = { repo: r.repo, branch: r.branch, changes: [], counts: {} };
      out.set(k, b);
    }
    b.changes.push(r);
    b.counts[r.kind] = (b.counts[r.kind] ?? 0) + 1;
  }
  return [...out.values()];
}

/** Counts per verdict of each rule over every subject it judged (pass and n/a included). */
export function ruleSummaries(
  verdicts: Iterable<{ rule: string; verdict: string; accepted?: unknown }>,
): RuleSummary[] {
  return new RuleTally().add(verdicts).summaries();
}

/** The same counts kept as verdicts come (a period is judged a repository at a time). */
export class RuleTally {
  /** A tally that goes on from counts already made. */
  static from(summaries: readonly RuleSummary[]): RuleTally {
    const t = new RuleTally();
    for (const s of summaries) t.#byId.set(s.id, { ...s, counts: { ...s.counts } });
    return t;
  }

  readonly #byId = new Map<string, RuleSummary>(
    ruleDocs.map((d) => [
      d.id,
      {
        id: d.id,
        title: d.title,
        criteria: d.criteria,
        counts: Object.fromEntries(d.verdicts.map((v) => [v, 0])),
        accepted: 0,
      },
    ]),
  );

  add(verdicts: Iterable<{ rule: string; verdict: string; accepted?: unknown }>): this {
    for (const f of verdicts) {
      const s = this.#byId.get(f.rule);
      // The register's own findings (overdue, unmatched) are not a rule's verdicts.
      if (!s) continue;
      s.counts[f.verdict] = (s.counts[f.verdict] ?? 0) + 1;
      if (f.accepted) s.accepted++;
    }
    return this;
  }

  summaries(): RuleSummary[] {
    return [...this.#byId.values()].sort((a, b) => ruleOrder(a.id) - ruleOrder(b.id));
  }
}
