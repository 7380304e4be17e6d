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

/**
 * The register applied one finding at a time (a period is judged a repository at a time), with
 * the entries that matched nothing asked for at the end. `today` is the report's date,
 * YYYY-MM-DD (UTC): a review due today is not late yet.
 */
export class RegisterMatcher {
  readonly #byChange = new Map<string, ExceptionEntry[]>();
  readonly #used = new Set<ExceptionEntry>();

  constructor(
    private readonly entries: readonly ExceptionEntry[],
    private readonly today: string,
  ) {
    for (const e of entries) {
      const list = this.#byChange.get(e.change);
      if (list) list.push(e);
      else this.#byChange.set(e.change, [e]);
    }
  }

  /** The finding, marked accepted when an entry names it; else the same finding. */
  accept(f: Finding): Finding {
    if (f.subject.kind !== "change") return f;
    const entry = this.#byChange.get(f.subject.id)?.find((e) => e.rule === undefined || e.rule === f.rule);
    if (!entry) return f;
    this.#used.add(entry);
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
        overdue: reviewedOn === null && entry.reviewDue < this.today,
      },
    };
  }

  /** Entries that accepted no finding so far, in register order. */
  unmatched(): ExceptionEntry[] {
    return this.entries.filter((e) => !this.#used.has(e));
  }
}

export function applyExceptions(
  findings: readonly Finding[],
  entries: readonly ExceptionEntry[],
  today: string,
): ExceptionsApplied {
  const register = new RegisterMatcher(entries, today);
  const out = findings.map((f) => register.accept(f));
  return { findings: out, unmatched: register.unmatched() };
}
