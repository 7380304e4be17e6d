import type { RuleDoc } from "../finding.js";
import { c8HistoryRewrite } from "./c8-history-rewrite.js";

/**
 * The rule registry: one line per rule. Its documentation reaches docs/rules.md (generated; a
 * test fails when it is stale) and the reports, so what an auditor reads is what the code does.
 */
export const rules = {
  C8: c8HistoryRewrite,
} as const;

export const ruleDocs: readonly RuleDoc[] = Object.values(rules).map((r) => r.doc);
