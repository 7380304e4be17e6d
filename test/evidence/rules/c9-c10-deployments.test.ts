import { describe, expect, it } from "vitest";
import type { LinkedDeployment } from "../../../src/evidence/deployments/linkage.js";
import { c9DeployedUnexplained } from "../../../src/evidence/rules/c9-deployed-unexplained.js";
import { c10ManualSync } from "../../../src/evidence/rules/c10-manual-sync.js";

const REV = "1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b";
const GITOPS = "acme/platform-gitops";

/** A deployment of the period as linkage hands it to the rules: automated, on main, one reviewed change. */
function deployment(over: Partial<LinkedDeployment> = {}): LinkedDeployment {
  return {
    id: `prod/argocd/payments@${REV}`,
    at: "2026-08-01T10:00:00Z",
    reconciler: "argocd",
    target: "prod/argocd/payments",
    source: GITOPS,
    sourcePath: "apps/payments",
    revision: REV,
    commit: REV,
    startedAt: "2026-08-01T10:00:00Z",
    finishedAt: "2026-08-01T10:00:30Z",
    initiatedBy: null,
    automated: true,
    outcome: "succeeded",
    rollback: false,
    previous: { id: `prod/argocd/payments@${"0".repeat(40)}`, at: "2026-07-20T10:00:00Z" },
    afterGap: false,
    inRepository: true,
    onProtectedBranch: true,
    introduced: { commits: [REV], changes: [{ id: `${GITOPS}#7`, concerns: [] }], outsidePeriod: [] },
    linkage: "git rev-list 1a2b3c4d5e6f ^000000000000: 1 commit",
    ...over,
  };
}

describe("C9 deployed but unexplained", () => {
  it.each<[string, Partial<LinkedDeployment>, string, RegExp]>([
    [
      "a reviewed change from main",
      {},
      "pass",
      /^on a protected branch of acme\/platform-gitops; introduced acme\/platform-gitops#7$/,
    ],
    [
      "a revision no protected branch reached (an unreviewed branch)",
      { onProtectedBranch: false },
      "unexplained",
      /which no protected branch of acme\/platform-gitops reached \(an unreviewed branch\)$/,
    ],
    [
      "a revision the repository does not hold",
      { inRepository: false, linkage: "acme/platform-gitops as collected does not contain 1a2b3c4d5e6f" },
      "unexplained",
      /does not contain/,
    ],
    [
      "it introduced a change merged past the required review, and an automation's untraced push",
      {
        introduced: {
          commits: [REV],
          changes: [
            { id: `${GITOPS}#7`, concerns: ["C6 merged-without-required-review"] },
            { id: `${GITOPS}@${REV}`, concerns: ["C7 direct-push", "C12 unexplained"] },
          ],
          outsidePeriod: [],
        },
      },
      "unexplained",
      /#7 with C6 merged-without-required-review; acme\/platform-gitops@1a2b.* with C7 direct-push, C12 unexplained$/,
    ],
    [
      "what it introduced cannot be shown (the target's first observed deployment)",
      { introduced: null, previous: null, linkage: "the first deployment observed for this target" },
      "blocked",
      /^on a protected branch of acme\/platform-gitops, but the first deployment observed/,
    ],
    [
      "not a source tracked as a GitOps repository",
      { inRepository: null, onProtectedBranch: null, linkage: "its source is not a tracked GitOps repository" },
      "blocked",
      /not a tracked GitOps repository/,
    ],
    [
      "a Helm chart version, not a commit",
      { commit: null, linkage: "chart 6.6.1: not a git revision" },
      "n/a",
      /chart/,
    ],
  ])("%s", (_name, over, verdict, reason) => {
    const [f] = c9DeployedUnexplained.evaluate({ deployments: [deployment(over)] });
    expect(f?.verdict).toBe(verdict);
    expect(f?.reason).toMatch(reason);
    if (verdict !== "pass" && verdict !== "n/a") expect(f?.evidence.length).toBeGreaterThan(0);
  });
});

describe("C10 manual sync", () => {
  const carol = { automated: false, initiatedBy: "carol@acme.example" };
  it.each<[string, Partial<LinkedDeployment>, string, RegExp]>([
    ["the automation", {}, "n/a", /^run by the reconciler's automation$/],
    [
      "no initiator recorded: taken as the automation, and said so",
      { automated: null, initiatedBy: null },
      "n/a",
      /recorded no initiator/,
    ],
    [
      "a person rolled back",
      { ...carol, rollback: true },
      "manual-rollback",
      /^carol@acme\.example rolled prod\/argocd\/payments back to 1a2b/,
    ],
    [
      "a person synced a branch no one merged",
      { ...carol, onProtectedBranch: false },
      "manual-off-branch",
      /not on a protected branch$/,
    ],
    [
      "a person synced the tip",
      carol,
      "manual-tip",
      /^carol@acme\.example synced prod\/argocd\/payments to 1a2b\w+ by hand$/,
    ],
    [
      "an initiator without the automated flag is a person",
      { automated: null, initiatedBy: "bob" },
      "manual-tip",
      /^bob synced/,
    ],
  ])("%s", (_name, over, verdict, reason) => {
    const [f] = c10ManualSync.evaluate({ deployments: [deployment(over)] });
    expect(f?.verdict).toBe(verdict);
    expect(f?.reason).toMatch(reason);
  });
});
