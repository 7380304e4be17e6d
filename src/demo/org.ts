import path from "node:path";
import { GITHUB_WEB, makeSshSigningKey, type Person, RepoFactory } from "./repo-factory.js";

/**
 * The demo organisation "acme": an application repository and the GitOps repository a reconciler
 * applies, with a quarter (2026Q3) of realistic history: pull requests merged by merge commit,
 * squash and rebase; an SSH-signed direct push; an SSH-signed PR commit; an image-automation bot commit. After
 * the first collection, `forcePushGitops` rewrites the GitOps main branch, as a careless or
 * malicious admin might.
 */

export const people = {
  alice: { name: "Alice Developer", email: "alice@acme.example" },
  bob: { name: "Bob Reviewer", email: "bob@acme.example" },
  carol: { name: "Carol Platform", email: "carol@acme.example" },
  dave: { name: "Dave Contractor", email: "dave@contractor.example" },
  bot: { name: "flux-image-automation", email: "fluxcdbot@users.noreply.github.com" },
} satisfies Record<string, Person>;

export const DEMO_PERIOD = "2026Q3";

export interface DemoOrg {
  root: string;
  app: RepoFactory;
  gitops: RepoFactory;
}

const d = (iso: string): Date => new Date(iso);

function buildApp(dir: string, keysDir: string): RepoFactory {
  const app = RepoFactory.init(dir, { author: people.alice, start: d("2026-06-20T09:00:00Z") });
  app.commit("Initial service skeleton", {
    files: { "README.md": "# payments-api\n", "src/main.go": "package main\n" },
  });

  // PR #1, merged with a merge commit.
  app.checkout("feature/ledger", { create: true });
  app.commit("Add ledger table", {
    files: { "src/ledger.go": "package main // ledger\n" },
    at: d("2026-07-02T10:00:00Z"),
  });
  app.commit("Test ledger rounding", { files: { "src/ledger_test.go": "package main\n" } });
  app.checkout("main");
  app.mergeCommit("feature/ledger", "Merge pull request #1 from acme/feature/ledger\n\nAdd ledger table", {
    author: people.bob,
    at: d("2026-07-03T15:00:00Z"),
  });

  // PR #2, squash-merged, with a co-author.
  app.checkout("feature/idempotency", { create: true });
  app.commit("Idempotency keys, first cut", {
    files: { "src/idem.go": "package main // v1\n" },
    at: d("2026-07-20T08:00:00Z"),
  });
  app.commit("Idempotency keys, review fixes", { files: { "src/idem.go": "package main // v2\n" } });
  app.checkout("main");
  app.squashMerge(
    "feature/idempotency",
    `Add idempotency keys (#2)\n\nCo-authored-by: ${people.dave.name} <${people.dave.email}>`,
    { author: people.alice, at: d("2026-07-22T11:00:00Z") },
  );

  // PR #3, rebase-merged: two commits replayed onto main.
  app.checkout("feature/metrics", { create: true, from: "main" });
  app.commit("Expose request metrics", {
    files: { "src/metrics.go": "package main // metrics\n" },
    at: d("2026-08-05T09:00:00Z"),
  });
  app.commit("Document metrics", { files: { "docs/metrics.md": "# Metrics\n" } });
  app.checkout("main");
  app.rebaseMerge("feature/metrics", { at: d("2026-08-06T16:00:00Z") });

  // A direct push to main by the platform engineer, SSH-signed with her key: no pull request at all.
  app.commit("hotfix: raise upstream timeout", {
    author: people.carol,
    files: { "src/main.go": "package main // timeout 30s\n" },
    at: d("2026-08-14T23:40:00Z"),
    sign: makeSshSigningKey(path.join(keysDir, "carol"), people.carol.email),
  });

  // PR #4: Bob signs his commit with an SSH key made on the spot; merged with a merge commit.
  const key = makeSshSigningKey(path.join(keysDir, "bob"), people.bob.email);
  app.checkout("fix/rounding", { create: true });
  app.commit("Fix rounding of refunds\n\nSigned-off-by: Bob Reviewer <bob@acme.example>", {
    author: people.bob,
    files: { "src/ledger.go": "package main // ledger v2\n" },
    at: d("2026-09-02T10:00:00Z"),
    sign: key,
  });
  app.checkout("main");
  app.mergeCommit("fix/rounding", "Merge pull request #4 from acme/fix/rounding\n\nFix rounding of refunds", {
    author: people.alice,
    at: d("2026-09-03T09:30:00Z"),
  });
  return app;
}

function buildGitops(dir: string): RepoFactory {
  const g = RepoFactory.init(dir, { author: people.carol, start: d("2026-06-21T09:00:00Z") });
  g.commit("Bootstrap cluster config", {
    files: {
      "clusters/prod/payments/kustomization.yaml": "resources: [deployment.yaml]\n",
      "clusters/prod/payments/deployment.yaml": "image: payments-api:1.0.0\n",
    },
  });

  // PR #11: release 1.1.0, merged with a merge commit.
  g.checkout("release/1.1.0", { create: true });
  g.commit("payments-api 1.1.0", {
    files: { "clusters/prod/payments/deployment.yaml": "image: payments-api:1.1.0\n" },
    author: people.alice,
    at: d("2026-07-04T10:00:00Z"),
  });
  g.checkout("main");
  g.mergeCommit("release/1.1.0", "Merge pull request #11 from acme/release/1.1.0\n\npayments-api 1.1.0", {
    author: people.bob,
    at: d("2026-07-04T12:00:00Z"),
  });

  // The image-automation bot commits straight to main, as Flux's image automation does.
  g.commit(
    "Update image payments-api to 1.2.0\n\nSigned-off-by: flux-image-automation <fluxcdbot@users.noreply.github.com>",
    {
      author: people.bot,
      files: { "clusters/prod/payments/deployment.yaml": "image: payments-api:1.2.0\n" },
      at: d("2026-08-07T04:00:00Z"),
    },
  );

  // A direct push by a person: raising replicas during an incident.
  g.commit("Scale payments to 6 replicas during incident", {
    author: people.carol,
    files: { "clusters/prod/payments/replicas.yaml": "replicas: 6\n" },
    at: d("2026-08-15T00:10:00Z"),
  });

  // PR #12, squash-merged.
  g.checkout("release/1.3.0", { create: true });
  g.commit("payments-api 1.3.0", {
    files: { "clusters/prod/payments/deployment.yaml": "image: payments-api:1.3.0\n" },
    author: people.alice,
    at: d("2026-09-04T10:00:00Z"),
  });
  g.checkout("main");
  g.squashMerge("release/1.3.0", "payments-api 1.3.0 (#12)", { author: people.alice, at: d("2026-09-04T14:00:00Z") });
  return g;
}

export function buildDemoOrg(root: string): DemoOrg {
  return {
    root,
    app: buildApp(path.join(root, "repos", "payments-api"), path.join(root, "keys")),
    gitops: buildGitops(path.join(root, "repos", "platform-gitops")),
  };
}

/**
 * Between two collections someone rewrites the GitOps main branch: the last change is replaced by
 * a different commit and force-pushed. The next collection must record a history rewrite.
 */
export function forcePushGitops(org: DemoOrg): { oldTip: string; newTip: string } {
  const oldTip = org.gitops.head("main");
  org.gitops.forceMove("main", org.gitops.head("main~1"));
  org.gitops.commit("payments-api 1.3.0 with debug logging", {
    author: people.carol,
    committer: people.carol,
    files: { "clusters/prod/payments/deployment.yaml": "image: payments-api:1.3.0\nargs: [--debug]\n" },
    at: d("2026-09-04T14:05:00Z"),
  });
  return { oldTip, newTip: org.gitops.head("main") };
}

export { GITHUB_WEB };
