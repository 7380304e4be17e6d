import type { LinkedDeployment } from "../deployments/linkage.js";
import type { Evidence, Finding, Rule } from "../finding.js";

/** What the deployment rules judge: the period's deployments, linked to the changes they introduced. */
export interface DeploymentInput {
  deployments: readonly LinkedDeployment[];
}

/** The evidence every deployment verdict carries. */
export function deploymentEvidence(d: LinkedDeployment): Evidence[] {
  return [
    { label: "deployment", value: `${d.id} at ${d.at}` },
    { label: "outcome", value: d.outcome },
    { label: "initiated by", value: d.automated === false ? (d.initiatedBy ?? "?") : "the reconciler's automation" },
    { label: "introduced", value: d.linkage },
    ...(d.previous ? [{ label: "previous deployment", value: `${d.previous.id} at ${d.previous.at}` }] : []),
  ];
}

/** The subject of a deployment's verdicts: its SPEC §4 id and when it started. */
export const deploymentSubject = (d: LinkedDeployment) => ({ kind: "deployment" as const, id: `${d.id} ${d.at}` });

/**
 * C9: what ran in production that no reviewed change explains: a revision that is not on a
 * protected branch of its GitOps repository, or one that introduced a change with a C1, C2, C6, C7
 * (unless C12 traced it) or C12 finding.
 */
export const c9DeployedUnexplained: Rule<DeploymentInput> = {
  doc: {
    id: "C9",
    title: "Deployed but unexplained",
    criteria: ["CC8.1"],
    subject: "deployment",
    verdicts: ["unexplained", "pass", "n/a", "blocked"],
    checks:
      "Whether everything a reconciler applied in the period came from a protected branch of its GitOps repository through changes that passed review.",
    data: "Every sync record the store kept (Argo CD history and operation state, Flux Kustomization and HelmRelease history and events, Flux v1), the GitOps repository's commit graph as git harvested it, the protected branches' tips every run saw, the reconciler history gaps, and the period's change population with its verdicts.",
    judged:
      "A deployed revision the GitOps repository (as collected) does not contain, or that no protected branch ever reached, is unexplained. Otherwise the commits it introduced (git rev-list <revision> ^<previous revision deployed to the same target>; after a history gap, since the previous observed deployment, marked afterGap) are mapped to the changes that landed them; one not reviewed (C1), self-approved (C2), merged without required review (C6), pushed directly (C7; an automation's push whose images C12 traced to reviewed changes is explained by them) or an automation's change C12 found unexplained makes it unexplained. Else a pass. A revision that is not a commit (a Helm chart version) is n/a; a deployment whose source is not a tracked GitOps repository, or whose introduced changes cannot be shown (a target's first observed deployment, a previous revision the repository does not hold), is blocked.",
    limits:
      "Changes that landed before the period are listed by commit but not judged here (their own period's report judges them). The first deployment observed for a target has no previous revision to compare with: it is blocked, its reachability stated. Image automation's pushes are explained only as far as C12 can trace their images (see C12's limits).",
  },
  evaluate({ deployments }) {
    return deployments.map((d): Finding => {
      const verdict = judge(d);
      return {
        rule: "C9",
        subject: deploymentSubject(d),
        verdict: verdict.verdict,
        reason: verdict.reason,
        criteria: c9DeployedUnexplained.doc.criteria,
        evidence:
          verdict.verdict === "pass" || verdict.verdict === "n/a"
            ? []
            : [
                ...deploymentEvidence(d),
                ...(d.introduced?.changes ?? [])
                  .filter((c) => c.concerns.length > 0)
                  .map((c) => ({ label: "change", value: `${c.id}: ${c.concerns.join(", ")}` })),
              ],
      };
    });
  },
};

function judge(d: LinkedDeployment): { verdict: string; reason: string } {
  if (d.commit === null) return { verdict: "n/a", reason: d.linkage };
  if (d.inRepository === null) return { verdict: "blocked", reason: d.linkage };
  if (!d.inRepository) return { verdict: "unexplained", reason: `deployed ${d.commit.slice(0, 12)}: ${d.linkage}` };
  if (!d.onProtectedBranch) {
    return {
      verdict: "unexplained",
      reason: `deployed ${d.commit.slice(0, 12)}, which no protected branch of ${d.source} reached (an unreviewed branch)`,
    };
  }
  const changes = d.introduced?.changes ?? [];
  const concerning = changes.filter((c) => c.concerns.length > 0);
  if (concerning.length > 0) {
    return {
      verdict: "unexplained",
      reason: `introduced ${changes.length === 1 ? "1 change" : `${changes.length} changes (${changes.map((c) => c.id).join(", ")})`}, ${concerning.map((c) => `${c.id} with ${c.concerns.join(", ")}`).join("; ")}`,
    };
  }
  // On a protected branch, but what it put in production cannot be shown: never a pass.
  if (!d.introduced) return { verdict: "blocked", reason: `on a protected branch of ${d.source}, but ${d.linkage}` };
  const n = d.introduced.changes.length;
  return {
    verdict: "pass",
    reason: `on a protected branch of ${d.source}; introduced ${n === 0 ? "no change of this period" : d.introduced.changes.map((c) => c.id).join(", ")}${d.introduced.outsidePeriod.length > 0 ? ` and ${d.introduced.outsidePeriod.length} commit(s) no change of this period landed` : ""}`,
  };
}
