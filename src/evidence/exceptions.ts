import type { ExceptionEntry } from "../config/exceptions-register.js";
import type { Finding } from "./finding.js";

/**
 * Accepted exceptions (SPEC §3): a register entry accepts the findings of its change (of one rule
 * when it names one). An accepted finding keeps its verdict, and says `accepted` with the entry;
 * it is `overdue` when its after-the-fact review is past its date without being recorded as done.
 * An entry that accepts no finding is returned, to be reported: a typo in a change id must not
 * look like an exception that holds.
 */

export interface ExceptionsApplied {
  findings: Finding[];
  /** Entries that matched no finding, in register order. */
  unmatched: ExceptionEntry[];
}

/** `today` is the report's date, YYYY-MM-DD (UTC): a review due today is not late yet. */
export function applyExceptions(
  findings: readonly Finding[],
  entries: readonly ExceptionEntry[],
  today: string,
): ExceptionsApplied {
  const used = new Set<ExceptionEntry>();
  const out = findings.map((f) => {
    const entry = entries.find(
      (e) => e.change === f.subject.id && f.subject.kind === "change" && (e.rule === undefined || e.rule === f.rule),
    );
    if (!entry) return f;
    used.add(entry);
    const reviewedOn = entry.reviewedOn ?? null;
    return {
      ...f,
      accepted: {
        at: entry.at,
        reason: entry.reason,
        approvedBy: entry.approvedBy,
        ticket: entry.ticket,
        reviewDue: entry.reviewDue,
        reviewedOn,
        overdue: reviewedOn === null && entry.reviewDue < today,
      },
    };
  });
  return { findings: out, unmatched: entries.filter((e) => !used.has(e)) };
}
