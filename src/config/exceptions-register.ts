import { z } from "zod";
import { ConfigError } from "../errors/index.js";
import { readConfigText } from "./limits.js";
import { type KnownFields, parseYamlFile, shownFile } from "./yaml-file.js";

/**
 * The accepted-exceptions register (SPEC §3): changes an organisation knowingly let through (an
 * emergency fix merged before review), each with why, who approved it, the ticket, and when its
 * after-the-fact review is due. It lives in a reviewed repository, so adding an exception is
 * itself a reviewed change. A matched finding keeps its verdict and is shown `accepted`, never
 * hidden; an entry that matches nothing is reported, so a typo cannot hide a finding.
 *
 * ```yaml
 * exceptions:
 *   - change: acme/payments#412          # or acme/payments@<40-hex sha> for a direct push
 *     rule: C1                            # optional: only this rule's finding; else all of the change's
 *     reason: Emergency fix for INC-2031, reviewed after the fact
 *     approvedBy: cto@acme.example
 *     ticket: INC-2031
 *     reviewDue: 2026-08-15
 *     reviewedOn: 2026-08-10              # optional: when the after-the-fact review took place
 * ```
 */

/** A calendar date as people write it, checked to exist (no 2026-02-30). */
const day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "must be a date, YYYY-MM-DD")
  .refine((d) => new Date(`${d}T00:00:00Z`).toISOString().startsWith(d), { message: "is not a calendar date" });

/** `owner/repo#123` (a merged pull request) or `owner/repo@<sha>` (a direct push), as SPEC §4 names changes. */
export const CHANGE_ID = /^[A-Za-z0-9-]{1,39}\/[A-Za-z0-9._-]{1,100}(#[1-9][0-9]{0,9}|@[0-9a-f]{40}([0-9a-f]{24})?)$/;

export const RULE_IDS = [
  "C1",
  "C2",
  "C3",
  "C4",
  "C5",
  "C6",
  "C7",
  "C8",
  "C9",
  "C10",
  "C11",
  "C12",
  "A1",
  "A2",
  "A3",
  "A4",
  "S1",
  "P1",
] as const;

const entrySchema = z.strictObject({
  change: z.string().regex(CHANGE_ID, "must be owner/repo#<number> or owner/repo@<40-hex sha>"),
  rule: z.enum(RULE_IDS).optional(),
  reason: z.string().trim().min(1).max(2000),
  approvedBy: z.string().trim().min(1).max(200),
  ticket: z.string().trim().min(1).max(200),
  reviewDue: day,
  reviewedOn: day.optional(),
});

const registerSchema = z.strictObject({ exceptions: z.array(entrySchema) });

const known: KnownFields = {
  "": Object.keys(registerSchema.shape),
  exceptions: Object.keys(entrySchema.shape),
};

export type ExceptionEntry = z.infer<typeof entrySchema> & {
  /** Where it stands, for "matches nothing" and every other message about it. */
  at: string;
};

/**
 * `repos`: the tracked repositories; an entry naming another refers to nothing and is refused
 * with its file, line and field (a change id's repository part is where typos hide).
 */
export function parseExceptionsRegister(text: string, file: string, repos?: readonly string[]): ExceptionEntry[] {
  const parsed = parseYamlFile(text, file, registerSchema, known, "exceptions register");
  const tracked = repos ? new Set(repos.map((r) => r.toLowerCase())) : null;
  const problems: string[] = [];
  const entries = parsed.data.exceptions.map((e, i) => {
    const line = parsed.line(["exceptions", i]);
    const repo = e.change.replace(/[#@].*$/, "");
    if (tracked && !tracked.has(repo.toLowerCase())) {
      const at = parsed.line(["exceptions", i, "change"]) ?? line;
      problems.push(
        `${parsed.shown}${at ? `:${at}` : ""}: field "exceptions[${i}].change" names ${repo}, which is not a tracked repository`,
      );
    }
    return { ...e, at: `${parsed.shown}${line ? `:${line}` : ""}` };
  });
  if (problems.length > 0) throw new ConfigError(problems.slice(0, 10).join("\n"));
  return entries;
}

/** Reads the register named by the config's `exceptions` (bounded like the config itself). */
export function loadExceptionsRegister(file: string, repos?: readonly string[]): ExceptionEntry[] {
  return parseExceptionsRegister(readConfigText(file, shownFile(file), "exceptions register"), file, repos);
}
