/**
 * What every rule produces (SPEC §3a): a verdict on one subject, with a one-line reason, the
 * evidence an auditor can follow (ids, links, timestamps) and the SOC 2 criteria it bears on.
 * Renderers read findings and the rules' documentation only; they never judge.
 */

export type Criterion = "CC6.1" | "CC6.2" | "CC6.3" | "CC7.1" | "CC8.1";

export type SubjectKind = "change" | "branch" | "deployment" | "person" | "repo" | "org" | "source";

export interface Evidence {
  /** What this is: "old tip", "observed at", "force-pushed by". */
  label: string;
  value: string;
  url?: string;
}

export interface Finding {
  rule: string;
  /** A change is `owner/repo#123` or `owner/repo@<sha>`; a branch `owner/repo:branch` (SPEC §4). */
  subject: { kind: SubjectKind; id: string };
  /** One of the rule's verdict words (§3a). */
  verdict: string;
  /** One line, for people. */
  reason: string;
  criteria: readonly Criterion[];
  /** What supports it; empty for pass and n/a, which need none (they are most verdicts). */
  evidence: Evidence[];
  /** A register entry accepted it (SPEC §3a: the verdict stays; `accepted`, and `overdue` when late). */
  accepted?: Acceptance;
}

export interface Acceptance {
  /** Where the register entry stands (file:line). */
  at: string;
  reason: string;
  approvedBy: string;
  ticket: string;
  reviewDue: string;
  reviewedOn: string | null;
  /** The after-the-fact review is past its date and not recorded as done. */
  overdue: boolean;
}

/** A rule's documentation: what the auditor reads in the report, generated into docs/rules.md. */
export interface RuleDoc {
  id: string;
  title: string;
  criteria: readonly Criterion[];
  subject: SubjectKind;
  /** Every verdict the rule gives; "pass" and "n/a" are not findings. */
  verdicts: readonly string[];
  /** What it checks, from which data, how it is judged, and what it cannot see. */
  checks: string;
  data: string;
  judged: string;
  limits: string;
}

export interface Rule<Input> {
  doc: RuleDoc;
  evaluate(input: Input): Finding[];
}

/**
 * Verdicts that are not findings (SPEC §4: findings are every verdict other than pass and n/a):
 * "reviewed" (C1) and "traced" (C12) are those rules' words for pass.
 */
export const NOT_FINDINGS: ReadonlySet<string> = new Set(["pass", "n/a", "reviewed", "traced"]);

/** Whether a verdict is a finding (outputs list it; the register can accept it). */
export const isFinding = (f: Pick<Finding, "verdict">): boolean => !NOT_FINDINGS.has(f.verdict);
