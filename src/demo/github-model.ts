import { fakeOid, protectionRule } from "./fake-github/build.js";
import type {
  FakeCommit,
  FakeOrganization,
  FakePullRequest,
  FakeRepository,
  FakeReview,
  FakeTimelineItem,
} from "./fake-github/model.js";
import { type DemoOrg, people } from "./org.js";
import type { RepoFactory } from "./repo-factory.js";

/**
 * The demo organisation as GitHub knows it, derived from the demo's real repositories (the same
 * commit ids the git collector reads): who opened, reviewed and merged each pull request, the
 * members, teams, collaborators and branch protection. The story gives every evidence rule work:
 *
 * acme/payments-api (no branch protection during the quarter; a rule requiring one approval is
 * added after it, so the second collection sees it and the first does not):
 *   #1  merge commit, approved by Bob on its head: reviewed.
 *   #2  squash, co-authored by Dave (an outside collaborator): Bob approved the first cut, then
 *       Dave's review fixes were pushed, their dates set before the approval: stale, not reviewed.
 *   #3  rebase merge, approved by Carol on its head: reviewed (the replayed commits are unsigned).
 *   #4  merge commit of Bob's SSH-signed commit, opened by Alice, approved by Bob: self-approved.
 *   #5  squash, Bob named as co-author (Co-authored-by) and approving it: self-approved.
 *   #6  squash of Renovate's dependency bump, approved only by renovate-approve[bot]: not reviewed.
 *   #7  merge commit, approved by Bob on its head, but a commit's author email (Alice's laptop)
 *       maps to no account: blocked, and an unknown author.
 *   #8  squash: Bob's approval dismissed by Carol after new commits, then Bob approved the head.
 *   #9  merge commit: Bob's approval dismissed by Carol and never replaced; merged anyway.
 *   #10 squash: Carol's approval carries no commit (GitHub gives none): stale.
 *   #11 merge commit by Alice, an owner, with no review, on the quarter's last afternoon: no
 *       protection was in force then (the first collection's snapshot), though it is today.
 *   Direct push: Carol's hotfix, SSH-signed with the key on her account: verified.
 * acme/platform-gitops (two approvals required throughout, Alice may bypass; force pushes
 * allowed after the quarter):
 *   #11 merge commit, approved by Carol and Bob on its head: reviewed.
 *   #12 squash: approved by Bob alone, force-pushed by Alice, merged by her past the required
 *       review: stale, force-pushed after approval, merged without the required review.
 *   Direct pushes: the image-automation bot's two (one deploys a build of #2, whose approval went
 *   stale: C12 unexplained; one a build after #3: traced), and Carol's during an incident, signed with a key
 *   GitHub does not know (unverified). Between the collections main is rewritten (C8).
 * Access: an outside collaborator (Dave), an owner, a member without two-factor authentication.
 */

const LOGINS: Record<string, string> = {
  "alice@acme.example": "alice",
  "bob@acme.example": "bob",
  "carol@acme.example": "carol",
  "dave@contractor.example": "dave",
};

interface ReviewStory {
  author: string;
  /** GitHub's submittedAt. */
  at: string;
  /**
   * The commit GitHub says it was given on: the final head, the branch's first commit (stale
   * once more were pushed), or none (GitHub gives none, as on some old reviews).
   */
  on: "head" | "first" | "none";
  /** The approval was dismissed: by whom, when, why. */
  dismissed?: { by: string; at: string; message: string };
}

interface PullRequestStory {
  number: number;
  title: string;
  branch: string;
  author: string;
  mergedBy: string;
  /** Finds the commit the merge put on main, by its subject on the first-parent chain. */
  mergeSubject: (subject: string) => boolean;
  /** A rebase merge: how many commits it replayed onto main, ending at the merge commit. */
  rebased?: number;
  /** Approvals, each on its commit. */
  reviews: ReviewStory[];
  /** The head branch was force-pushed at this time: the commit approved before it is gone. */
  forcePushedAt?: string;
  /** GitHub's review decision; null where no rule required a review. */
  reviewDecision: "APPROVED" | "REVIEW_REQUIRED" | null;
}

const APP_STORY: PullRequestStory[] = [
  {
    number: 1,
    title: "Add ledger table",
    branch: "feature/ledger",
    author: "alice",
    mergedBy: "bob",
    mergeSubject: (s) => s.startsWith("Merge pull request #1 "),
    reviews: [{ author: "bob", on: "head", at: "2026-07-02T11:30:00Z" }],
    reviewDecision: null,
  },
  {
    number: 2,
    title: "Add idempotency keys",
    branch: "feature/idempotency",
    author: "alice",
    mergedBy: "alice",
    mergeSubject: (s) => s.endsWith("(#2)"),
    // Approved on the first cut on 21 July; Dave's review fixes, dated 20 July, came after it.
    reviews: [{ author: "bob", on: "first", at: "2026-07-21T10:00:00Z" }],
    reviewDecision: null,
  },
  {
    number: 3,
    title: "Expose request metrics",
    branch: "feature/metrics",
    author: "alice",
    mergedBy: "alice",
    mergeSubject: (s) => s === "Document metrics",
    rebased: 2,
    reviews: [{ author: "carol", on: "head", at: "2026-08-05T11:00:00Z" }],
    reviewDecision: null,
  },
  {
    number: 4,
    title: "Fix rounding of refunds",
    branch: "fix/rounding",
    // Alice opened it with Bob's commit, and Bob approved: he approved his own work.
    author: "alice",
    mergedBy: "alice",
    mergeSubject: (s) => s.startsWith("Merge pull request #4 "),
    reviews: [{ author: "bob", on: "head", at: "2026-09-02T10:45:00Z" }],
    reviewDecision: null,
  },
  {
    number: 5,
    title: "Retry failed webhooks",
    branch: "feature/webhook-retries",
    // Bob paired on it (Co-authored-by) and approved it: a co-author is an author.
    author: "alice",
    mergedBy: "alice",
    mergeSubject: (s) => s.endsWith("(#5)"),
    reviews: [{ author: "bob", on: "head", at: "2026-09-07T11:00:00Z" }],
    reviewDecision: null,
  },
  {
    number: 6,
    title: "fix(deps): update module golang.org/x/net to v0.33.0",
    branch: "renovate/golang.org-x-net-0.x",
    // Renovate opened it, its approver app approved it, and Renovate's automerge merged it.
    author: "renovate[bot]",
    mergedBy: "renovate[bot]",
    mergeSubject: (s) => s.endsWith("(#6)"),
    reviews: [{ author: "renovate-approve[bot]", on: "head", at: "2026-09-10T03:05:00Z" }],
    reviewDecision: null,
  },
  {
    number: 7,
    title: "Add refund webhook",
    branch: "feature/refund-webhook",
    author: "alice",
    mergedBy: "alice",
    mergeSubject: (s) => s.startsWith("Merge pull request #7 "),
    reviews: [{ author: "bob", on: "head", at: "2026-09-15T09:00:00Z" }],
    reviewDecision: null,
  },
  {
    number: 8,
    title: "Encrypt card tokens at rest",
    branch: "feature/token-encryption",
    author: "alice",
    mergedBy: "alice",
    mergeSubject: (s) => s.endsWith("(#8)"),
    reviews: [
      {
        author: "bob",
        on: "first",
        at: "2026-09-16T11:00:00Z",
        dismissed: {
          by: "carol",
          at: "2026-09-16T15:00:00Z",
          message: "Key rotation was added after this approval: please review again.",
        },
      },
      { author: "bob", on: "head", at: "2026-09-17T10:00:00Z" },
    ],
    reviewDecision: null,
  },
  {
    number: 9,
    title: "Tune database connection pool",
    branch: "feature/pool-tuning",
    author: "alice",
    mergedBy: "alice",
    mergeSubject: (s) => s.startsWith("Merge pull request #9 "),
    reviews: [
      {
        author: "bob",
        on: "head",
        at: "2026-09-21T10:00:00Z",
        dismissed: { by: "carol", at: "2026-09-21T12:00:00Z", message: "Hold until the load test has run." },
      },
    ],
    reviewDecision: null,
  },
  {
    number: 10,
    title: "Archive settled ledger entries",
    branch: "chore/archive-ledger",
    author: "alice",
    mergedBy: "alice",
    mergeSubject: (s) => s.endsWith("(#10)"),
    reviews: [{ author: "carol", on: "none", at: "2026-09-23T11:00:00Z" }],
    reviewDecision: null,
  },
  {
    number: 11,
    title: "Disable refund retries",
    branch: "hotfix/disable-refund-retries",
    // Merged by an owner with no review while main had no protection rule.
    author: "alice",
    mergedBy: "alice",
    mergeSubject: (s) => s.startsWith("Merge pull request #11 "),
    reviews: [],
    reviewDecision: null,
  },
];

const GITOPS_STORY: PullRequestStory[] = [
  {
    number: 11,
    title: "payments-api 1.1.0",
    branch: "release/1.1.0",
    author: "alice",
    mergedBy: "bob",
    mergeSubject: (s) => s.startsWith("Merge pull request #11 "),
    reviews: [
      { author: "carol", on: "head", at: "2026-07-04T11:00:00Z" },
      { author: "bob", on: "head", at: "2026-07-04T11:30:00Z" },
    ],
    reviewDecision: "APPROVED",
  },
  {
    number: 12,
    title: "payments-api 1.3.0",
    branch: "release/1.3.0",
    author: "alice",
    mergedBy: "alice",
    mergeSubject: (s) => s === "payments-api 1.3.0 (#12)",
    // One approval of the two required; force-pushed after it, then merged by Alice, who may
    // bypass the rule, past the required review.
    reviews: [{ author: "bob", on: "head", at: "2026-09-04T11:00:00Z" }],
    forcePushedAt: "2026-09-04T12:30:00Z",
    reviewDecision: "REVIEW_REQUIRED",
  },
];

const iso = (d: Date): string => d.toISOString().replace(/\.\d{3}Z$/, "Z");

const SIGNATURE_KIND: Record<string, NonNullable<FakeCommit["signature"]>["kind"]> = {
  SSH: "SshSignature",
  PGP: "GpgSignature",
  SIGNED: "SmimeSignature",
};

/**
 * The signature each commit object carries, read from the raw object: git's %G? cannot tell an
 * SSH signature from none without a trust setup.
 */
function signatureKinds(repo: RepoFactory): Map<string, NonNullable<FakeCommit["signature"]>["kind"]> {
  const out = new Map<string, NonNullable<FakeCommit["signature"]>["kind"]>();
  let current = "";
  for (const line of repo.git(["log", "--all", "--pretty=raw"]).split("\n")) {
    const commit = /^commit ([0-9a-f]{40})/.exec(line);
    if (commit?.[1]) current = commit[1];
    const sig = /^gpgsig(?:-sha256)? -----BEGIN (SSH|PGP|SIGNED) /.exec(line);
    const kind = sig?.[1] ? SIGNATURE_KIND[sig[1]] : undefined;
    if (kind) out.set(current, kind);
  }
  return out;
}

function commitsOf(repo: RepoFactory, unknownKeys: ReadonlySet<string>): FakeCommit[] {
  const signed = signatureKinds(repo);
  const out = repo.git(["log", "--all", "--format=%H%x00%P%x00%an%x00%ae%x00%aI%x00%cn%x00%ce%x00%cI%x00%B%x1e"]);
  return out
    .split("\x1e")
    .map((r) => r.replace(/^\n/, ""))
    .filter((r) => r.trim() !== "")
    .map((r) => {
      const [oid = "", parents = "", an = "", ae = "", ad = "", cn = "", ce = "", cd = "", ...msg] = r.split("\0");
      const kind = signed.get(oid);
      const signer = LOGINS[ae];
      // The demo's keys are on their owners' GitHub accounts, as GitHub would verify them, except
      // those the story says no account holds.
      const signature: FakeCommit["signature"] | undefined = !kind
        ? undefined
        : unknownKeys.has(oid)
          ? { kind, state: "UNKNOWN_KEY" }
          : { kind, state: "VALID", ...(signer ? { signer } : {}) };
      return {
        oid,
        message: msg.join("\0").trimEnd(),
        author: { name: an, email: ae, date: iso(new Date(ad)) },
        committer: { name: cn, email: ce, date: iso(new Date(cd)) },
        parents: parents.split(" ").filter(Boolean),
        ...(signature ? { signature } : {}),
      };
    });
}

function pullRequests(
  repo: RepoFactory,
  story: PullRequestStory[],
  commits: Map<string, FakeCommit>,
): FakePullRequest[] {
  const mainline = repo
    .git(["log", "--first-parent", "--format=%H%x00%s", "main"])
    .split("\n")
    .map((l) => l.split("\0") as [string, string]);
  return story.map((s) => {
    const merge = mainline.find(([, subject]) => s.mergeSubject(subject))?.[0];
    if (!merge) throw new Error(`demo: no merge of PR #${s.number} on main`);
    const mergeCommit = commits.get(merge);
    // Before the merge: a rebase merge replayed several commits, the others put one on main.
    const onMainBefore = `${merge}~${s.rebased ?? 1}`;
    const branchCommits = repo
      .git(["rev-list", "--reverse", s.branch, `^${onMainBefore}`])
      .split("\n")
      .filter((c) => c && (commits.get(c)?.parents?.length ?? 0) === 1 && c !== merge);
    const head = repo.head(s.branch);
    const first = branchCommits[0] ?? head;
    // A force push replaced the head the approval was given on: that commit is gone from the branch.
    const approvedHead = s.forcePushedAt ? fakeOid("acme", s.branch, s.number, "before-force-push") : head;
    const firstCommit = commits.get(first);
    const opened = new Date(firstCommit?.author.date ?? mergeCommit?.committer.date ?? "2026-07-01T00:00:00Z");
    const mergedAt = iso(new Date(mergeCommit?.committer.date ?? opened));
    const reviews: FakeReview[] = s.reviews.map((r, i) => ({
      databaseId: s.number * 100 + i,
      author: r.author,
      authorAssociation: r.author.endsWith("[bot]") ? "NONE" : "MEMBER",
      state: r.dismissed ? "DISMISSED" : "APPROVED",
      submittedAt: r.at,
      commit: r.on === "head" ? approvedHead : r.on === "first" ? first : null,
    }));
    const timeline: FakeTimelineItem[] = [];
    s.reviews.forEach((r, i) => {
      if (!r.dismissed) return;
      timeline.push({
        kind: "ReviewDismissedEvent",
        actor: r.dismissed.by,
        createdAt: r.dismissed.at,
        review: s.number * 100 + i,
        dismissalMessage: r.dismissed.message,
        previousReviewState: "APPROVED",
      });
    });
    if (s.forcePushedAt) {
      timeline.push({
        kind: "HeadRefForcePushedEvent",
        actor: s.author,
        createdAt: s.forcePushedAt,
        beforeOid: approvedHead,
        afterOid: head,
      });
    }
    timeline.push({ kind: "MergedEvent", actor: s.mergedBy, createdAt: mergedAt, commit: merge, mergeRefName: "main" });
    timeline.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
    return {
      number: s.number,
      title: s.title,
      author: s.author,
      createdAt: iso(opened),
      updatedAt: mergedAt,
      state: "MERGED",
      mergedAt,
      mergedBy: s.mergedBy,
      mergeCommit: merge,
      ...(s.rebased
        ? {
            landedCommits: repo
              .git(["rev-list", "--first-parent", `-${s.rebased}`, merge])
              .split("\n")
              .filter(Boolean),
          }
        : {}),
      baseRefName: "main",
      headRefName: s.branch,
      headRefOid: head,
      reviewDecision: s.reviewDecision,
      reviews,
      timeline,
      commits: branchCommits,
    };
  });
}

function repository(
  name: string,
  factory: RepoFactory,
  story: PullRequestStory[],
  unknownKeys: ReadonlySet<string>,
): FakeRepository {
  const commits = commitsOf(factory, unknownKeys);
  const byOid = new Map(commits.map((c) => [c.oid, c]));
  return {
    name,
    defaultBranch: "main",
    isPrivate: true,
    commits,
    pullRequests: pullRequests(factory, story, byOid),
    collaborators: [],
    branchProtectionRules: [protectionRule("main")],
    rulesets: [],
  };
}

export function demoGitHubOrg(demo: DemoOrg): FakeOrganization {
  const app = repository("payments-api", demo.app, APP_STORY, demo.unknownKeyCommits);
  const gitops = repository("platform-gitops", demo.gitops, GITOPS_STORY, demo.unknownKeyCommits);
  // payments-api's main had no branch protection rule during the quarter (afterForcePush adds one).
  app.branchProtectionRules = [];
  app.collaborators = [
    {
      login: "dave",
      permission: "WRITE",
      affiliation: "OUTSIDE",
      permissionSources: [{ source: { kind: "Repository", name: "acme/payments-api" }, permission: "WRITE" }],
    },
  ];
  // Production's desired state needs two approvals, one a code owner's (until weakenGitopsProtection);
  // Alice may bypass the rule.
  gitops.branchProtectionRules = [
    protectionRule("main", {
      requiredApprovingReviewCount: 2,
      requiresCodeOwnerReviews: true,
      bypassPullRequestAllowances: [{ kind: "User", login: "alice" }],
    }),
  ];
  return {
    login: "acme",
    users: [
      { login: "alice", name: "Alice Developer", emails: ["alice@acme.example"] },
      { login: "bob", name: "Bob Reviewer", emails: ["bob@acme.example"] },
      { login: "carol", name: "Carol Platform", emails: ["carol@acme.example"] },
      { login: "dave", name: "Dave Contractor", emails: ["dave@contractor.example"] },
      { login: "erin", name: "Erin Newhire", emails: ["erin@acme.example"] },
      { login: "frank", name: "Frank Leaver", emails: ["frank@acme.example"] },
      { login: "flux-image-automation[bot]", kind: "Bot", emails: ["fluxcdbot@users.noreply.github.com"] },
      { login: "renovate[bot]", kind: "Bot", databaseId: 29139614, emails: [people.renovate.email] },
      { login: "renovate-approve[bot]", kind: "Bot" },
    ],
    members: [
      { login: "alice", role: "ADMIN", hasTwoFactorEnabled: true },
      { login: "bob", role: "MEMBER", hasTwoFactorEnabled: true },
      { login: "carol", role: "MEMBER", hasTwoFactorEnabled: false },
      { login: "frank", role: "MEMBER", hasTwoFactorEnabled: true },
    ],
    teams: [
      {
        slug: "developers",
        name: "Developers",
        members: [
          { login: "alice", role: "MAINTAINER" },
          { login: "bob", role: "MEMBER" },
        ],
        repositories: [{ name: "payments-api", permission: "WRITE" }],
      },
      {
        slug: "platform",
        name: "Platform",
        members: [{ login: "carol", role: "MAINTAINER" }],
        repositories: [{ name: "platform-gitops", permission: "ADMIN" }],
      },
    ],
    repositories: [app, gitops],
    rulesets: [],
  };
}

/**
 * What GitHub sees between the demo's two collections: the force-pushed GitOps commits, carol
 * made an owner, Erin joining and Frank leaving the organisation, force pushes allowed on the
 * GitOps main branch (protection weakened), and
 * payments-api's main given a rule requiring one approval (after the quarter's unreviewed merge).
 */
/** Mid-quarter, someone stops requiring a code owner's review on platform-gitops' main (A4). */
export function weakenGitopsProtection(org: FakeOrganization): void {
  const rule = org.repositories.find((r) => r.name === "platform-gitops")?.branchProtectionRules[0];
  if (rule) rule.requiresCodeOwnerReviews = false;
}

export function afterForcePush(org: FakeOrganization, demo: DemoOrg): void {
  const gitops = org.repositories.find((r) => r.name === "platform-gitops");
  if (gitops) gitops.commits = commitsOf(demo.gitops, demo.unknownKeyCommits);
  const carol = org.members.find((m) => m.login === "carol");
  if (carol) carol.role = "ADMIN";
  // A joiner and a leaver: Erin joins the organisation, Frank leaves it.
  org.members = [
    ...org.members.filter((m) => m.login !== "frank"),
    { login: "erin", role: "MEMBER", hasTwoFactorEnabled: true },
  ];
  const rule = gitops?.branchProtectionRules[0];
  if (rule) rule.allowsForcePushes = true;
  const app = org.repositories.find((r) => r.name === "payments-api");
  if (app) app.branchProtectionRules = [protectionRule("main")];
}
