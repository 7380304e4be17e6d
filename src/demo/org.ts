import path from "node:path";
import { GITHUB_WEB, makeSshSigningKey, type Person, RepoFactory } from "./repo-factory.js";

/**
 * The demo organisation "acme": an application repository and the GitOps repository a reconciler
 * applies, with a quarter (2026Q3) of realistic history: pull requests merged by merge commit,
 * squash and rebase; commits backdated, co-authored, made on a laptop whose git email was never
 * set, SSH-signed with a key GitHub knows and with one it does not; a Renovate pull request;
 * direct pushes by people and by the image-automation bot. After the first collection,
 * `forcePushGitops` rewrites the GitOps main branch, as a careless or malicious admin might.
 * What GitHub says about these commits (reviews, dismissals, protection) is in github-model.ts.
 */

export const people = {
  alice: { name: "Alice Developer", email: "alice@acme.example" },
  // Alice's new laptop: git's email was never configured, so it made one up from the host name.
  aliceLaptop: { name: "Alice Developer", email: "alice@alice-mbp.local" },
  bob: { name: "Bob Reviewer", email: "bob@acme.example" },
  carol: { name: "Carol Platform", email: "carol@acme.example" },
  dave: { name: "Dave Contractor", email: "dave@contractor.example" },
  bot: { name: "flux-image-automation", email: "fluxcdbot@users.noreply.github.com" },
  renovate: { name: "renovate[bot]", email: "29139614+renovate[bot]@users.noreply.github.com" },
} satisfies Record<string, Person>;

export const DEMO_PERIOD = "2026Q3";

/**
 * When the story's collections happen: one mid-quarter (before platform-gitops' protection is
 * weakened: code-owner review stops being required); one on the quarter's last morning, before
 * the emergency merge of payments-api #11 that afternoon; one after the quarter, once the GitOps
 * branch was rewritten and payments-api's main given its branch protection rule. Each GitHub
 * collection takes a protection snapshot, so #11 is judged by the last morning's: no protection.
 */
export const DEMO_COLLECTIONS = {
  early: "2026-08-20T12:00:00Z",
  first: "2026-09-30T12:00:00Z",
  second: "2026-10-02T09:00:00Z",
} as const;

export interface DemoOrg {
  root: string;
  app: RepoFactory;
  gitops: RepoFactory;
  /** Signed commits whose key no GitHub account holds: GitHub cannot verify them (UNKNOWN_KEY). */
  unknownKeyCommits: Set<string>;
}

const d = (iso: string): Date => new Date(iso);

function buildApp(dir: string, keysDir: string): RepoFactory {
  const app = RepoFactory.init(dir, { author: people.alice, start: d("2026-06-20T09:00:00Z") });
  app.commit("Initial service skeleton", {
    files: { "README.md": "# payments-api\n", "src/main.go": "package main\n", "go.mod": "module acme/payments-api\n" },
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

  // PR #2, squash-merged, with a co-author. Bob approved the first cut on 21 July; the contractor's
  // review fixes were pushed after that, dated the day before: a backdated push after approval.
  app.checkout("feature/idempotency", { create: true });
  app.commit("Idempotency keys, first cut", {
    files: { "src/idem.go": "package main // v1\n" },
    at: d("2026-07-20T08:00:00Z"),
  });
  app.commit("Idempotency keys, review fixes", {
    author: people.dave,
    files: { "src/idem.go": "package main // v2\n" },
    at: d("2026-07-20T09:00:00Z"),
  });
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

  // A direct push to main by the platform engineer, SSH-signed with the key on her GitHub account:
  // no pull request at all.
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

  // PR #5, squash-merged: Bob paired on it (a Co-authored-by trailer), then approved it.
  const pairedWithBob = `Co-authored-by: ${people.bob.name} <${people.bob.email}>`;
  app.checkout("feature/webhook-retries", { create: true });
  app.commit(`Retry failed webhooks\n\n${pairedWithBob}`, {
    files: { "src/webhooks.go": "package main // retries\n" },
    at: d("2026-09-07T09:00:00Z"),
  });
  app.checkout("main");
  app.squashMerge("feature/webhook-retries", `Retry failed webhooks (#5)\n\n${pairedWithBob}`, {
    author: people.alice,
    at: d("2026-09-07T15:00:00Z"),
  });

  // PR #6, squash-merged: Renovate bumps a dependency; only a bot approves it.
  app.checkout("renovate/golang.org-x-net-0.x", { create: true });
  app.commit("fix(deps): update module golang.org/x/net to v0.33.0", {
    author: people.renovate,
    files: { "go.mod": "module acme/payments-api\n\nrequire golang.org/x/net v0.33.0\n" },
    at: d("2026-09-10T03:00:00Z"),
  });
  app.checkout("main");
  app.squashMerge("renovate/golang.org-x-net-0.x", "fix(deps): update module golang.org/x/net to v0.33.0 (#6)", {
    author: people.renovate,
    at: d("2026-09-10T03:20:00Z"),
  });

  // PR #7, merged with a merge commit: its second commit comes from Alice's new laptop, under an
  // email no account has.
  app.checkout("feature/refund-webhook", { create: true });
  app.commit("Add refund webhook endpoint", {
    files: { "src/refund_webhook.go": "package main // endpoint\n" },
    at: d("2026-09-14T09:00:00Z"),
  });
  app.commit("Verify the webhook signature header", {
    author: people.aliceLaptop,
    files: { "src/refund_webhook.go": "package main // endpoint, signature checked\n" },
    at: d("2026-09-14T10:30:00Z"),
  });
  app.checkout("main");
  app.mergeCommit(
    "feature/refund-webhook",
    "Merge pull request #7 from acme/feature/refund-webhook\n\nAdd refund webhook",
    { author: people.alice, at: d("2026-09-15T10:00:00Z") },
  );

  // PR #8, squash-merged: approved, changed, the approval dismissed, approved again.
  app.checkout("feature/token-encryption", { create: true });
  app.commit("Encrypt card tokens at rest", {
    files: { "src/tokens.go": "package main // aes-gcm\n" },
    at: d("2026-09-16T09:00:00Z"),
  });
  app.commit("Rotate token encryption keys", {
    files: { "src/tokens.go": "package main // aes-gcm, key rotation\n" },
    at: d("2026-09-16T14:00:00Z"),
  });
  app.checkout("main");
  app.squashMerge("feature/token-encryption", "Encrypt card tokens at rest (#8)", {
    author: people.alice,
    at: d("2026-09-17T11:00:00Z"),
  });

  // PR #9, merged with a merge commit after its only approval was dismissed.
  app.checkout("feature/pool-tuning", { create: true });
  app.commit("Tune database connection pool", {
    files: { "src/db.go": "package main // pool 50\n" },
    at: d("2026-09-21T09:00:00Z"),
  });
  app.checkout("main");
  app.mergeCommit(
    "feature/pool-tuning",
    "Merge pull request #9 from acme/feature/pool-tuning\n\nTune database connection pool",
    {
      author: people.alice,
      at: d("2026-09-21T16:00:00Z"),
    },
  );

  // PR #10, squash-merged: GitHub gives its approval no commit.
  app.checkout("chore/archive-ledger", { create: true });
  app.commit("Archive settled ledger entries", {
    files: { "src/archive.go": "package main // archive\n" },
    at: d("2026-09-23T09:00:00Z"),
  });
  app.checkout("main");
  app.squashMerge("chore/archive-ledger", "Archive settled ledger entries (#10)", {
    author: people.alice,
    at: d("2026-09-24T10:00:00Z"),
  });

  // PR #11, merged with a merge commit by Alice, an owner, with no review at all, on the quarter's
  // last afternoon: main had no branch protection then (see DEMO_COLLECTIONS).
  app.checkout("hotfix/disable-refund-retries", { create: true });
  app.commit("Disable refund retries", {
    files: { "src/webhooks.go": "package main // retries disabled\n" },
    at: d("2026-09-30T15:00:00Z"),
  });
  app.checkout("main");
  app.mergeCommit(
    "hotfix/disable-refund-retries",
    "Merge pull request #11 from acme/hotfix/disable-refund-retries\n\nDisable refund retries",
    { author: people.alice, at: d("2026-09-30T18:00:00Z") },
  );
  return app;
}

/** The image CI builds from acme/payments-api (the demo config says so in repos[].images). */
export const PAYMENTS_IMAGE = "ghcr.io/acme/payments-api";

/** Flux image-automation-controller's default commit message. */
function automationMessage(image: string): string {
  return [
    "Automated image update",
    "",
    "Automation name: flux-system/payments",
    "",
    "Files:",
    "- clusters/prod/payments/deployment.yaml",
    "",
    "Images:",
    `- ${image}`,
    "",
    "Signed-off-by: flux-image-automation <fluxcdbot@users.noreply.github.com>",
  ].join("\n");
}

/** The application commits CI built the images the automation deploys from. */
interface Builds {
  /** #2's squash commit (its approval went stale). */
  stale: string;
  /** main after #3's rebase merge (reviewed). */
  reviewed: string;
}

function buildsOf(app: RepoFactory): Builds {
  const first = (grep: string) =>
    app.git(["log", "--first-parent", "-1", "--format=%H", `--grep=${grep}`, "main"]).trim();
  return { stale: first("^Add idempotency keys"), reviewed: first("^Document metrics") };
}

function buildGitops(dir: string, keysDir: string, unknownKeyCommits: Set<string>, builds: Builds): RepoFactory {
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

  // The image-automation bot commits straight to main, as Flux's image automation does, writing the
  // tag CI gave the image it built from an application commit (docker/metadata-action's
  // type=sha,format=long: the full commit id). First the build of #2's squash
  // commit, whose approval went stale (C12 unexplained); then the build of main after #3, which
  // Carol reviewed (C12 traced).
  g.commit(automationMessage(`${PAYMENTS_IMAGE}:sha-${builds.stale}`), {
    author: people.bot,
    files: { "clusters/prod/payments/deployment.yaml": `image: ${PAYMENTS_IMAGE}:sha-${builds.stale}\n` },
    at: d("2026-07-25T04:00:00Z"),
  });
  g.commit(automationMessage(`${PAYMENTS_IMAGE}:sha-${builds.reviewed}`), {
    author: people.bot,
    files: {
      "clusters/prod/payments/deployment.yaml": `image: ${PAYMENTS_IMAGE}:sha-${builds.reviewed} # {"$imagepolicy": "flux-system:payments"}\n`,
    },
    at: d("2026-08-07T04:00:00Z"),
  });

  // A direct push by a person: raising replicas during an incident, signed on the on-call host
  // with a key Carol never added to her GitHub account.
  unknownKeyCommits.add(
    g.commit("Scale payments to 6 replicas during incident", {
      author: people.carol,
      files: { "clusters/prod/payments/replicas.yaml": "replicas: 6\n" },
      at: d("2026-08-15T00:10:00Z"),
      sign: makeSshSigningKey(path.join(keysDir, "carol-oncall"), people.carol.email),
    }),
  );

  // PR #12, squash-merged.
  g.checkout("release/1.3.0", { create: true });
  g.commit("payments-api 1.3.0", {
    files: { "clusters/prod/payments/deployment.yaml": "image: payments-api:1.3.0\n" },
    author: people.alice,
    at: d("2026-09-04T10:00:00Z"),
  });
  g.checkout("main");
  g.squashMerge("release/1.3.0", "payments-api 1.3.0 (#12)", { author: people.alice, at: d("2026-09-04T14:00:00Z") });

  // A branch nobody reviewed or merged, which Carol synced the canary to by hand: production ran
  // a revision no protected branch holds (and that git, reading main only, never stored).
  g.checkout(EXPERIMENT_BRANCH, { create: true, from: "main" });
  g.commit("Try an HPA on payments", {
    files: { "clusters/prod/payments/hpa.yaml": "maxReplicas: 10\n" },
    author: people.carol,
    at: d("2026-09-12T09:00:00Z"),
  });
  g.checkout("main");
  return g;
}

/** The GitOps branch no one merged; the canary was synced to its tip by hand. */
export const EXPERIMENT_BRANCH = "experiment/hpa";

export function buildDemoOrg(root: string): DemoOrg {
  const keys = path.join(root, "keys");
  const unknownKeyCommits = new Set<string>();
  const app = buildApp(path.join(root, "repos", "payments-api"), keys);
  return {
    root,
    app,
    gitops: buildGitops(path.join(root, "repos", "platform-gitops"), keys, unknownKeyCommits, buildsOf(app)),
    unknownKeyCommits,
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
