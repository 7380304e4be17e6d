import {
  argoApplication,
  argoHistoryEntry,
  argoOperationState,
  coreEvent,
  fakeDigest,
  fluxGitRevision,
  fluxSnapshot,
  gitRepository,
  helmRelease,
  helmSnapshot,
  KUSTOMIZE_REVISION_ANNOTATION,
  type KubeObject,
  type KubeResource,
  kustomization,
  objectRef,
  readyCondition,
} from "./fake-cluster/index.js";
import { type DemoOrg, EXPERIMENT_BRANCH } from "./org.js";

/**
 * The demo organisation's production cluster, as its reconcilers would show it: Argo CD syncing
 * acme/platform-gitops (automated, plus a manual sync during the incident and a rollback after
 * the force push), Flux reconciling the same repository (one health-check failure), and a Helm
 * release whose history rolls over between the two collections, so the report shows a gap the
 * collector detected. Revisions are the gitops repository's real commits.
 */

export type KubeObjects = Partial<Record<KubeResource, KubeObject[]>>;

export interface MainCommit {
  sha: string;
  /** Committer time, ISO. */
  at: string;
}

export const DEMO_GITOPS_URL = "https://github.com/acme/platform-gitops.git";
const SRC = { repoURL: DEMO_GITOPS_URL, path: "clusters/prod/payments", targetRevision: "main" };

/** main's first-parent commits, oldest first. */
export function mainCommits(org: DemoOrg): MainCommit[] {
  return org.gitops
    .git(["log", "--first-parent", "--reverse", "--format=%H %cI", "main"])
    .trim()
    .split("\n")
    .map((line) => {
      const [sha = "", at = ""] = line.split(" ");
      return { sha, at: new Date(at).toISOString().replace(".000Z", "Z") };
    });
}

const plus = (at: string, minutes: number) =>
  new Date(Date.parse(at) + minutes * 60_000).toISOString().replace(".000Z", "Z");

/** The tip of the GitOps branch no one merged (see org.ts). */
export function experimentCommit(org: DemoOrg): MainCommit {
  const [sha = "", at = ""] = org.gitops.git(["log", "-1", "--format=%H %cI", EXPERIMENT_BRANCH]).trim().split(" ");
  return { sha, at: new Date(at).toISOString().replace(".000Z", "Z") };
}

/**
 * The canary Application: synced to the bootstrap commit, then (automated) to the image
 * automation's commit, two changes later (#11 and the bot's push), then by hand to the unmerged
 * experiment branch.
 */
function canary(commits: readonly MainCommit[], experiment: MainCommit | undefined): KubeObject {
  const src = { ...SRC, path: "clusters/prod/payments-canary" };
  const at = (c: MainCommit, id: number, initiatedBy: { username: string } | { automated: true }) =>
    argoHistoryEntry({
      id,
      revision: c.sha,
      deployStartedAt: plus(c.at, 20),
      deployedAt: plus(c.at, 21),
      source: src,
      initiatedBy,
    });
  const first = commits[0];
  const bot = commits[2];
  const history = [
    ...(first ? [at(first, 0, { automated: true })] : []),
    ...(bot ? [at(bot, 1, { automated: true })] : []),
    ...(experiment ? [at(experiment, 2, { username: "carol@acme.example" })] : []),
  ];
  return argoApplication({ name: "payments-canary", project: "payments", source: src, history });
}

/**
 * The objects the fake API server serves: before the force push (`before` is main then), or after
 * it (`after` is main once rewritten: Argo CD synced the new tip, then alice rolled back).
 */
export function demoClusterObjects(
  before: readonly MainCommit[],
  after?: readonly MainCommit[],
  experiment?: MainCommit,
): KubeObjects {
  const phase = after ? "second" : "first";
  const commits = before;
  // The incident's direct push was synced by hand; everything else by Argo CD's automation.
  const incident = commits.findIndex((_, i) => i === commits.length - 2);
  const history = commits.map((c, id) =>
    argoHistoryEntry({
      id,
      revision: c.sha,
      deployStartedAt: plus(c.at, 3),
      deployedAt: plus(c.at, 4),
      source: SRC,
      initiatedBy: id === incident ? { username: "carol@acme.example" } : { automated: true },
    }),
  );
  const last = (after ?? commits).at(-1) ?? { sha: "", at: "2026-09-04T14:00:00Z" };
  const previous = commits.at(-2) ?? last;
  const operationState =
    phase === "second"
      ? // After the force push, alice rolled back to the revision before it.
        argoOperationState({
          phase: "Succeeded",
          startedAt: plus(last.at, 30),
          finishedAt: plus(last.at, 31),
          operation: { sync: { revision: previous.sha, source: SRC }, initiatedBy: { username: "alice@acme.example" } },
          syncResult: { revision: previous.sha, source: SRC },
        })
      : argoOperationState({
          phase: "Succeeded",
          startedAt: plus(last.at, 3),
          finishedAt: plus(last.at, 4),
          operation: { sync: { revision: last.sha }, initiatedBy: { automated: true } },
          syncResult: { revision: last.sha, source: SRC },
        });
  if (phase === "second") {
    history.push(
      argoHistoryEntry({
        id: history.length,
        revision: last.sha,
        deployStartedAt: plus(last.at, 3),
        deployedAt: plus(last.at, 4),
        source: SRC,
        initiatedBy: { automated: true },
      }),
    );
    history.push(
      argoHistoryEntry({
        id: history.length,
        revision: previous.sha,
        deployStartedAt: plus(last.at, 30),
        deployedAt: plus(last.at, 31),
        source: SRC,
        initiatedBy: { username: "alice@acme.example" },
      }),
    );
  }
  const payments = argoApplication({ name: "payments", project: "payments", source: SRC, history, operationState });

  const rev = (c: MainCommit) => fluxGitRevision("main", c.sha);
  // Flux reconciled the tip, after an earlier revision failed its health checks.
  const platform = kustomization({
    name: "platform",
    path: "./clusters/prod",
    sourceRef: { kind: "GitRepository", name: "flux-system" },
    lastAppliedRevision: rev(last),
    lastAttemptedRevision: rev(last),
    conditions: [
      readyCondition({
        status: "True",
        reason: "ReconciliationSucceeded",
        message: `Applied revision: ${rev(last)}`,
        lastTransitionTime: plus(last.at, 6),
      }),
    ],
    history: [
      fluxSnapshot({
        digest: fakeDigest(last.sha),
        firstReconciled: plus(last.at, 5),
        lastReconciled: plus(last.at, 6),
        lastReconciledStatus: "ReconciliationSucceeded",
        totalReconciliations: 12,
        metadata: { revision: rev(last) },
      }),
      fluxSnapshot({
        digest: fakeDigest(previous.sha),
        firstReconciled: plus(previous.at, 5),
        lastReconciled: plus(previous.at, 15),
        lastReconciledStatus: "HealthCheckFailed",
        totalReconciliations: 3,
        metadata: { revision: rev(previous) },
      }),
    ],
  });
  const event = coreEvent({
    namespace: "flux-system",
    involvedObject: objectRef(platform),
    reason: "ReconciliationSucceeded",
    message: "Reconciliation finished in 1.2s, next run in 10m0s",
    type: "Normal",
    annotations: { [KUSTOMIZE_REVISION_ANNOTATION]: rev(last) },
    firstTimestamp: plus(last.at, 6),
    source: { component: "kustomize-controller" },
  });

  // Helm release versions are consecutive: 3 and 4 came and went between the two collections.
  const versions = phase === "first" ? [1, 2] : [5, 6];
  const deployed: Record<number, string> = {
    1: "2026-07-02T08:00:00Z",
    2: "2026-07-20T08:00:00Z",
    5: "2026-09-10T08:00:00Z",
    6: "2026-09-20T08:00:00Z",
  };
  const ingress = helmRelease({
    name: "ingress-nginx",
    namespace: "ingress",
    chart: {
      spec: { chart: "ingress-nginx", version: "4.x", sourceRef: { kind: "HelmRepository", name: "ingress-nginx" } },
    },
    history: versions
      .slice()
      .reverse()
      .map((v, i) =>
        helmSnapshot({
          name: "ingress-nginx",
          namespace: "ingress",
          version: v,
          status: i === 0 ? "deployed" : "superseded",
          chartName: "ingress-nginx",
          chartVersion: `4.11.${v}`,
          firstDeployed: "2026-07-02T08:00:00Z",
          lastDeployed: deployed[v] ?? "2026-07-02T08:00:00Z",
        }),
      ),
  });
  return {
    "applications.argoproj.io/v1alpha1": [payments, canary(before, experiment)],
    "kustomizations.kustomize.toolkit.fluxcd.io/v1": [platform],
    "helmreleases.helm.toolkit.fluxcd.io/v2": [ingress],
    "gitrepositories.source.toolkit.fluxcd.io/v1": [
      gitRepository({
        name: "flux-system",
        url: DEMO_GITOPS_URL,
        artifact: { revision: rev(last), lastUpdateTime: plus(last.at, 2) },
      }),
    ],
    events: [event],
  };
}
