import type { Finding, Rule } from "../finding.js";
import { type DeploymentInput, deploymentEvidence, deploymentSubject } from "./c9-deployed-unexplained.js";

/**
 * C10: a deployment a person started rather than the reconciler's automation: to roll back, to
 * run something off the protected branch, or to sync the branch by hand. A note for the auditor,
 * not necessarily an exception; a rollback or an off-branch sync is what to look at.
 */
export const c10ManualSync: Rule<DeploymentInput> = {
  doc: {
    id: "C10",
    title: "Manual sync",
    criteria: ["CC8.1"],
    subject: "deployment",
    verdicts: ["manual-rollback", "manual-off-branch", "manual-tip", "n/a"],
    checks: "Which deployments a person initiated instead of the reconciler's automation, and what they deployed.",
    data: "Each sync record's initiator as the reconciler recorded it (Argo CD's initiatedBy username or automated flag, Flux's records), its rollback marking, and the GitOps repository's commit graph.",
    judged:
      "A deployment the automation ran is n/a. One a person initiated is a manual-rollback when the reconciler marked it a rollback or it moved the target back to an ancestor of the previous revision; a manual-off-branch when its revision is not on a protected branch (or not in the repository as collected); else a manual-tip (a manual sync of the branch).",
    limits:
      "Flux records no initiator: a `flux reconcile` by hand looks like the automation. A record that names no initiator and no automated flag is taken as the automation, and said so.",
  },
  evaluate({ deployments }) {
    return deployments.map((d): Finding => {
      const manual = d.automated === false || (d.automated === null && d.initiatedBy !== null);
      let verdict = "n/a";
      let reason =
        d.automated === null && d.initiatedBy === null
          ? "the reconciler recorded no initiator: taken as its automation"
          : "run by the reconciler's automation";
      if (manual) {
        const who = d.initiatedBy ?? "a person";
        if (d.rollback) {
          verdict = "manual-rollback";
          reason = `${who} rolled ${d.target} back to ${d.revision}${d.previous ? ` (from ${d.previous.id.slice(d.previous.id.indexOf("@") + 1)})` : ""}`;
        } else if (d.onProtectedBranch === false || d.inRepository === false) {
          verdict = "manual-off-branch";
          reason = `${who} synced ${d.target} to ${d.revision}, which is not on a protected branch`;
        } else {
          verdict = "manual-tip";
          reason = `${who} synced ${d.target} to ${d.revision} by hand`;
        }
      }
      return {
        rule: "C10",
        subject: deploymentSubject(d),
        verdict,
        reason,
        criteria: c10ManualSync.doc.criteria,
        evidence: verdict === "n/a" ? [] : deploymentEvidence(d),
      };
    });
  },
};
