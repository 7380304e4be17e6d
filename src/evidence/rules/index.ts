import type { RuleDoc } from "../finding.js";
import { a1AccessReview } from "./a1-access-review.js";
import { a2AdminsAndBypass } from "./a2-admins-and-bypass.js";
import { a3OutsideAndTwoFactor } from "./a3-outside-and-two-factor.js";
import { a4ProtectionChanged } from "./a4-protection-changed.js";
import { c1Reviewed } from "./c1-reviewed.js";
import { c2SelfApproved } from "./c2-self-approved.js";
import { c3StaleApproval } from "./c3-stale-approval.js";
import { c4ForcePushedAfterApproval } from "./c4-force-pushed-after-approval.js";
import { c5DismissedReview } from "./c5-dismissed-review.js";
import { c6MergedWithoutRequiredReview } from "./c6-merged-without-required-review.js";
import { c7DirectPush } from "./c7-direct-push.js";
import { c8HistoryRewrite } from "./c8-history-rewrite.js";
import { c9DeployedUnexplained } from "./c9-deployed-unexplained.js";
import { c10ManualSync } from "./c10-manual-sync.js";
import { c11CommitIdentity } from "./c11-commit-identity.js";
import { c12ImageProvenance } from "./c12-image-provenance.js";
import { p1Completeness } from "./p1-completeness.js";
import { s1SeparationOfDuties } from "./s1-separation-of-duties.js";

/**
 * The rule registry: one line per rule. Its documentation reaches docs/rules.md (generated; a
 * test fails when it is stale) and the reports, so what an auditor reads is what the code does.
 */
export const changeRules = [
  c1Reviewed,
  c2SelfApproved,
  c3StaleApproval,
  c4ForcePushedAfterApproval,
  c5DismissedReview,
  c6MergedWithoutRequiredReview,
  c7DirectPush,
  c11CommitIdentity,
  c12ImageProvenance,
] as const;

/** The access rules: each judges the period's access and protection snapshots. */
export const accessRules = [a1AccessReview, a2AdminsAndBypass, a3OutsideAndTwoFactor, a4ProtectionChanged] as const;

export const rules = {
  C1: c1Reviewed,
  C2: c2SelfApproved,
  C3: c3StaleApproval,
  C4: c4ForcePushedAfterApproval,
  C5: c5DismissedReview,
  C6: c6MergedWithoutRequiredReview,
  C7: c7DirectPush,
  C8: c8HistoryRewrite,
  C9: c9DeployedUnexplained,
  C10: c10ManualSync,
  C11: c11CommitIdentity,
  C12: c12ImageProvenance,
  A1: a1AccessReview,
  A2: a2AdminsAndBypass,
  A3: a3OutsideAndTwoFactor,
  A4: a4ProtectionChanged,
  S1: s1SeparationOfDuties,
  P1: p1Completeness,
} as const;

export const ruleDocs: readonly RuleDoc[] = Object.values(rules).map((r) => r.doc);
