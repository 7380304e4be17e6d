import type { ExceptionEntry } from "../config/exceptions-register.js";
import { compareText as cmp } from "../util/compare.js";
import { applyExceptions } from "./exceptions.js";
import { type Finding, isFinding } from "./finding.js";
import type { Population } from "./population.js";
import type { Rewrite } from "./rewrites.js";
import { ruleOrder } from "./rule-order.js";
import { type BaseForcePush, c8HistoryRewrite } from "./rules/c8-history-rewrite.js";
import { changeRules } from "./rules/index.js";

/**
 * Every rule run once over the population, the register's acceptances applied: the verdicts of
 * each change (pass and n/a included) and the flat list of findings (every other verdict).
 */
export interface Judgement {
  /** Per change id, its verdict of each change rule, in registry order. */
  byChange: Map<string, Finding[]>;
  /** Every verdict other than pass and n/a, accepted ones marked; sorted by rule, subject. */
  findings: Finding[];
  /** Register entries that accepted nothing: reported, so a typo cannot hide a finding. */
  unmatched: ExceptionEntry[];
}

export interface JudgeInput {
  population: Population;
  rewrites: readonly Rewrite[];
  baseForcePushes: readonly BaseForcePush[];
  exceptions: readonly ExceptionEntry[];
  /** The report's date, YYYY-MM-DD (UTC): reviews due before it and not done are overdue. */
  today: string;
}

/** Every change rule's verdict on every change of the population, pass and n/a included. */
export function changeVerdicts(population: Population): Finding[] {
  return changeRules.flatMap((r) => r.evaluate(population));
}

/**
 * The register applied to a period's findings (passes are never accepted: an entry naming only
 * passing verdicts matches nothing), plus a finding for each overdue review and each entry that
 * matched nothing; sorted by rule, subject, verdict.
 */
export function registerFindings(
  findings: readonly Finding[],
  exceptions: readonly ExceptionEntry[],
  today: string,
): { findings: Finding[]; unmatched: ExceptionEntry[]; inOrder: Finding[] } {
  const applied = applyExceptions(findings, exceptions, today);
  const out = sortFindings([...applied.findings, ...registerOwnFindings(applied.findings, applied.unmatched)]);
  // inOrder: the given findings, accepted or not, in the order given.
  return { findings: out, unmatched: applied.unmatched, inOrder: applied.findings };
}

/**
 * The register's own findings: an overdue after-the-fact review (a finding of its own, beside
 * the one it accepted) and an entry that matched nothing.
 */
export function registerOwnFindings(accepted: Iterable<Finding>, unmatched: readonly ExceptionEntry[]): Finding[] {
  const out: Finding[] = [];
  for (const f of accepted) {
    if (!f.accepted?.overdue) continue;
    out.push({
      rule: "register",
      subject: f.subject,
      verdict: "overdue",
      reason: `the after-the-fact review of ${f.rule} (${f.verdict}) was due ${f.accepted.reviewDue} and is not recorded as done (${f.accepted.ticket})`,
      criteria: f.criteria,
      evidence: [
        { label: "register entry", value: f.accepted.at },
        { label: "approved by", value: f.accepted.approvedBy },
        { label: "ticket", value: f.accepted.ticket },
      ],
    });
  }
  for (const e of unmatched) {
    out.push({
      rule: "register",
      subject: { kind: "change", id: e.change },
      verdict: "unmatched",
      reason: `the register entry at ${e.at} accepts ${e.rule ? `${e.rule} of ` : ""}${e.change}, which has no such finding in this period`,
      criteria: ["CC8.1"],
      evidence: [
        { label: "register entry", value: e.at },
        { label: "ticket", value: e.ticket },
      ],
    });
  }
  return out;
}

/** Findings in the order every output lists them: by rule (C before A, numerically), subject, verdict. */
export function sortFindings<T extends Pick<Finding, "rule" | "verdict"> & { subject: { id: string } }>(
  findings: T[],
): T[] {
  return findings.sort(
    (a, b) =>
      ruleOrder(a.rule) - ruleOrder(b.rule) ||
      cmp(a.rule, b.rule) ||
      cmp(a.subject.id, b.subject.id) ||
      cmp(a.verdict, b.verdict),
  );
}

export function c8Findings(rewrites: readonly Rewrite[], baseForcePushes: readonly BaseForcePush[]): Finding[] {
  return c8HistoryRewrite.evaluate({ rewrites, baseForcePushes });
}

export function judge(input: JudgeInput): Judgement {
  const verdicts = [...changeVerdicts(input.population), ...c8Findings(input.rewrites, input.baseForcePushes)];
  const found = verdicts.filter(isFinding);
  const registered = registerFindings(found, input.exceptions, input.today);
  const acceptedOf = new Map(found.map((f, i) => [f, registered.inOrder[i] ?? f]));
  const byChange = new Map<string, Finding[]>();
  for (const v of verdicts) {
    if (v.subject.kind !== "change") continue;
    const f = acceptedOf.get(v) ?? v;
    const list = byChange.get(f.subject.id);
    if (list) list.push(f);
    else byChange.set(f.subject.id, [f]);
  }
  return { byChange, findings: registered.findings, unmatched: registered.unmatched };
}
