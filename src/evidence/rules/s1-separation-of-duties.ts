import { CONFLICT_TEXT, type PersonDuties } from "../duties.js";
import type { Finding, Rule } from "../finding.js";

/**
 * S1: the separation-of-duties matrix judged, one verdict per person: an exception naming each
 * conflict between what they did and what they could do, else a pass.
 */

export interface S1Input {
  people: readonly PersonDuties[];
}

export const s1SeparationOfDuties: Rule<S1Input> = {
  doc: {
    id: "S1",
    title: "Separation of duties",
    criteria: ["CC6.1", "CC6.3", "CC8.1"],
    subject: "person",
    verdicts: ["exception", "pass"],
    checks:
      "Whether anyone both made and approved changes, merged their own unreviewed change, or could change production's desired state (a GitOps protected branch) without another person's review.",
    data: "The period's change population with its verdicts (pull request authors, commit authors and co-authors, approvals, mergers, pushers), the reconciler's manual syncs (who initiated them), and the access snapshot the period closed with (repository permissions, organisation owners, branch protection and rulesets with their bypass actors), all through identity resolution.",
    judged:
      "Per person, counts of changes authored (pull request author or direct-push author), approved (an undismissed approval), approved so that the change was reviewed (C1), merged (merger or pusher) and manual syncs initiated, and the rights they held. Conflicts: authored and sole-approved the same change (every approval came from one of its authors); merged a change they authored that C1 found not reviewed, or pushed one directly (a change C1 could not judge is not counted against anyone); could change a GitOps repository's protected branch without review (no rule requiring a pull request and write access, a bypass allowance, admin when admins are not bound, a ruleset bypass actor); synced by hand a deployment that introduced a GitOps change they authored that was not reviewed (deployment linkage, C9). Any conflict is an exception; none is a pass.",
    limits:
      "'Deployed their own unreviewed change' sees the changes of this period a deployment introduced; one that landed in an earlier period is not judged here. Rights are as the period closed; A1 shows who gained them during it. A team or app named as a bypass actor is expanded only through the teams the snapshot listed. An identity that resolves to nobody is a row of its own.",
  },
  evaluate({ people }) {
    return people.map(
      (p): Finding => ({
        rule: "S1",
        subject: { kind: "person", id: p.name },
        verdict: p.conflicts.length > 0 ? "exception" : "pass",
        reason:
          p.conflicts.length > 0
            ? p.conflicts.map((c) => `${CONFLICT_TEXT[c.kind]} ${c.subject}`).join("; ")
            : `authored ${p.authored}, approved ${p.approved}, merged ${p.merged}, deployed ${p.deployed}: no conflict`,
        criteria: s1SeparationOfDuties.doc.criteria,
        evidence: [
          {
            label: "counts",
            value: `authored ${p.authored}, approved ${p.approved} (${p.approvedCounted} made a change reviewed), merged ${p.merged}, manual syncs ${p.deployed}`,
          },
          ...(p.rights.owner ? [{ label: "organisation", value: "owner" }] : []),
          ...(p.rights.gitopsUnreviewed.length > 0
            ? [{ label: "can change without review", value: p.rights.gitopsUnreviewed.join(", ") }]
            : []),
        ],
      }),
    );
  },
};
