import { type Evidence, type Finding, isFinding, type Rule, type RuleDoc } from "./finding.js";
import type { Change, Population, PullRequestFacts } from "./population.js";
import type { JudgedApproval, ReviewFacts } from "./review-facts.js";

/**
 * What the change rules share: one verdict per change of the population (pass and n/a included,
 * so every output can show every verdict of every change), and the same handling of a change
 * GitHub's data cannot judge (blocked, with why) and of a direct push (n/a for review rules).
 */

export interface Verdict {
  verdict: string;
  reason: string;
  /** Built only for a finding: a period's passes are most of its verdicts, and need none. */
  evidence?: () => Evidence[];
}

export const short = (sha: string | null): string => (sha ? sha.slice(0, 12) : "(none)");

const commonEvidence = new WeakMap<Change, readonly Evidence[]>();

/**
 * The evidence every change verdict carries: what it is and where to see it. Built once per
 * change and its items shared by the change's findings (a period's findings keep them all).
 */
export function changeEvidence(c: Change): readonly Evidence[] {
  const known = commonEvidence.get(c);
  if (known) return known;
  const ev = changeEvidenceOf(c);
  commonEvidence.set(c, ev);
  return ev;
}

function changeEvidenceOf(c: Change): Evidence[] {
  const ev: Evidence[] = [
    { label: "change", value: c.id, ...(c.url ? { url: c.url } : {}) },
    { label: "landed", value: `${c.landedAt} (${c.landedBy})` },
  ];
  if (c.pr) {
    ev.push({ label: "final head commit", value: c.pr.headOid });
    ev.push({ label: "merged by", value: c.pr.mergedBy ?? "(deleted account)" });
  }
  return ev;
}

export function approvalEvidence(a: JudgedApproval): Evidence {
  const r = a.review;
  const state = a.dismissed
    ? `approval dismissed${r.dismissal ? ` by ${r.dismissal.by ?? "a deleted account"} at ${r.dismissal.at}` : ""}`
    : "approval";
  const counted = a.notCounted ? `does not count: ${a.notCounted}` : "counts";
  const on = r.commit
    ? `on ${short(r.commit)}${a.onHead ? " (the final head)" : " (not the final head)"}${r.repointedTo ? `; GitHub now names ${short(r.repointedTo)}` : ""}`
    : "with no commit recorded";
  return { label: state, value: `${r.author ?? "(deleted account)"} at ${r.submittedAt ?? "?"} ${on}; ${counted}` };
}

/** A rule judging each change; `judge` sees only pull requests GitHub's data can judge. */
export function changeRule(doc: RuleDoc, judge: (change: Change, pop: Population) => Verdict): Rule<Population> {
  return {
    doc,
    evaluate(pop): Finding[] {
      return pop.changes.map((c) => {
        const v = judge(c, pop);
        return {
          rule: doc.id,
          subject: { kind: "change", id: c.id },
          verdict: v.verdict,
          reason: v.reason,
          criteria: doc.criteria,
          evidence: isFinding(v) ? [...changeEvidence(c), ...(v.evidence?.() ?? [])] : [],
        };
      });
    },
  };
}

/**
 * A review rule: blocked when GitHub cannot tell what landed the change, n/a for a direct push
 * (C7 judges it), else `judge` on the pull request and its review facts.
 */
export function reviewRule(
  doc: RuleDoc,
  judge: (change: Change, pr: PullRequestFacts, facts: ReviewFacts) => Verdict,
): Rule<Population> {
  return changeRule(doc, (c) => {
    if (c.kind === "unknown") return { verdict: "blocked", reason: c.blocked ?? "GitHub's data cannot judge it" };
    if (!c.pr || !c.review) return { verdict: "n/a", reason: "a direct push, not a pull request (judged by C7)" };
    return judge(c, c.pr, c.review);
  });
}

export const BLOCKED_NOTE =
  "blocked: GitHub's data for the change is missing (GitHub not collected for the repository, or the commit not yet read), so the rule cannot be judged; the reason says which.";
