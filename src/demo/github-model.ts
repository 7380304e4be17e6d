import { fakeOid, protectionRule } from "./fake-github/build.js";
import type {
  FakeCommit,
  FakeOrganization,
  FakePullRequest,
  FakeRepository,
  FakeReview,
  FakeTimelineItem,
} from "./fake-github/model.js";
import type { DemoOrg } from "./org.js";
import type { RepoFactory } from "./repo-factory.js";

/**
 * The demo organisation as GitHub knows it, derived from the demo's real repositories (the same
 * commit ids the git collector reads): who opened, reviewed and merged each pull request, the
 * members, teams, collaborators and branch protection. The story gives the evidence rules work:
 * a clean review, a stale approval, a self-approval, a force push after approval merged by an
 * admin, direct pushes, an outside collaborator, a member without two-factor authentication.
 */

const LOGINS: Record<string, string> = {
  "alice@acme.example": "alice",
  "bob@acme.example": "bob",
  "carol@acme.example": "carol",
  "dave@contractor.example": "dave",
};

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
  /** Reviews: `on` = "head", "first" (the branch's first commit: stale once more were pushed). */
  reviews: { author: string; state: FakeReview["state"]; on: "head" | "first"; minutesAfterOpen: number }[];
  /** A force push of the head branch after the reviews. */
  forcePushedAfterReview?: boolean;
  reviewDecision: "APPROVED" | "REVIEW_REQUIRED";
}

const APP_STORY: PullRequestStory[] = [
  {
    number: 1,
    title: "Add ledger table",
    branch: "feature/ledger",
    author: "alice",
    mergedBy: "bob",
    mergeSubject: (s) => s.startsWith("Merge pull request #1 "),
    reviews: [{ author: "bob", state: "APPROVED", on: "head", minutesAfterOpen: 90 }],
    reviewDecision: "APPROVED",
  },
  {
    number: 2,
    title: "Add idempotency keys",
    branch: "feature/idempotency",
    author: "alice",
    mergedBy: "alice",
    mergeSubject: (s) => s.endsWith("(#2)"),
    // Approved on the first cut; the review fixes came after: a stale approval.
    reviews: [{ author: "bob", state: "APPROVED", on: "first", minutesAfterOpen: 30 }],
    reviewDecision: "APPROVED",
  },
  {
    number: 3,
    title: "Expose request metrics",
    branch: "feature/metrics",
    author: "alice",
    mergedBy: "alice",
    mergeSubject: (s) => s === "Document metrics",
    rebased: 2,
    reviews: [{ author: "carol", state: "APPROVED", on: "head", minutesAfterOpen: 120 }],
    reviewDecision: "APPROVED",
  },
  {
    number: 4,
    title: "Fix rounding of refunds",
    branch: "fix/rounding",
    // Alice opened it with Bob's commit, and Bob approved: he approved his own work.
    author: "alice",
    mergedBy: "alice",
    mergeSubject: (s) => s.startsWith("Merge pull request #4 "),
    reviews: [{ author: "bob", state: "APPROVED", on: "head", minutesAfterOpen: 45 }],
    reviewDecision: "APPROVED",
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
    reviews: [{ author: "carol", state: "APPROVED", on: "head", minutesAfterOpen: 60 }],
    reviewDecision: "APPROVED",
  },
  {
    number: 12,
    title: "payments-api 1.3.0",
    branch: "release/1.3.0",
    author: "alice",
    mergedBy: "alice",
    mergeSubject: (s) => s === "payments-api 1.3.0 (#12)",
    reviews: [{ author: "bob", state: "APPROVED", on: "head", minutesAfterOpen: 60 }],
    // Force-pushed after the approval, then merged by an admin past the required review.
    forcePushedAfterReview: true,
    reviewDecision: "REVIEW_REQUIRED",
  },
];

const iso = (d: Date): string => d.toISOString().replace(/\.\d{3}Z$/, "Z");

function commitsOf(repo: RepoFactory): FakeCommit[] {
  const out = repo.git([
    "log",
    "--all",
    "--format=%H%x00%P%x00%an%x00%ae%x00%aI%x00%cn%x00%ce%x00%cI%x00%G?%x00%B%x1e",
  ]);
  return out
    .split("\x1e")
    .map((r) => r.replace(/^\n/, ""))
    .filter((r) => r.trim() !== "")
    .map((r) => {
      const [oid = "", parents = "", an = "", ae = "", ad = "", cn = "", ce = "", cd = "", sig = "", ...msg] =
        r.split("\0");
      const signer = LOGINS[ae];
      // %G? without a trust setup says "U" or "N" for a good signature; the demo's keys are
      // uploaded to their owners' accounts, as GitHub would verify them.
      const signed = sig !== "N" && sig !== "";
      return {
        oid,
        message: msg.join("\0").trimEnd(),
        author: { name: an, email: ae, date: iso(new Date(ad)) },
        committer: { name: cn, email: ce, date: iso(new Date(cd)) },
        parents: parents.split(" ").filter(Boolean),
        ...(signed
          ? { signature: { kind: "SshSignature" as const, state: "VALID" as const, ...(signer ? { signer } : {}) } }
          : {}),
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
    const approvedHead = s.forcePushedAfterReview ? fakeOid("acme", s.branch, s.number, "before-force-push") : head;
    const firstCommit = commits.get(first);
    const opened = new Date(firstCommit?.author.date ?? mergeCommit?.committer.date ?? "2026-07-01T00:00:00Z");
    const mergedAt = iso(new Date(mergeCommit?.committer.date ?? opened));
    const reviews: FakeReview[] = s.reviews.map((r, i) => ({
      databaseId: s.number * 100 + i,
      author: r.author,
      authorAssociation: "MEMBER",
      state: r.state,
      submittedAt: iso(new Date(opened.getTime() + r.minutesAfterOpen * 60_000)),
      commit: r.on === "head" ? approvedHead : first,
    }));
    const timeline: FakeTimelineItem[] = [];
    if (s.forcePushedAfterReview) {
      timeline.push({
        kind: "HeadRefForcePushedEvent",
        actor: s.author,
        createdAt: iso(new Date(opened.getTime() + 150 * 60_000)),
        beforeOid: approvedHead,
        afterOid: head,
      });
    }
    timeline.push({ kind: "MergedEvent", actor: s.mergedBy, createdAt: mergedAt, commit: merge, mergeRefName: "main" });
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

function repository(name: string, factory: RepoFactory, story: PullRequestStory[]): FakeRepository {
  const commits = commitsOf(factory);
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
  const app = repository("payments-api", demo.app, APP_STORY);
  const gitops = repository("platform-gitops", demo.gitops, GITOPS_STORY);
  app.collaborators = [
    {
      login: "dave",
      permission: "WRITE",
      affiliation: "OUTSIDE",
      permissionSources: [{ source: { kind: "Repository", name: "acme/payments-api" }, permission: "WRITE" }],
    },
  ];
  const gitopsRule = gitops.branchProtectionRules[0];
  if (gitopsRule) gitopsRule.bypassPullRequestAllowances = [{ kind: "User", login: "alice" }];
  return {
    login: "acme",
    users: [
      { login: "alice", name: "Alice Developer", emails: ["alice@acme.example"] },
      { login: "bob", name: "Bob Reviewer", emails: ["bob@acme.example"] },
      { login: "carol", name: "Carol Platform", emails: ["carol@acme.example"] },
      { login: "dave", name: "Dave Contractor", emails: ["dave@contractor.example"] },
      { login: "flux-image-automation[bot]", kind: "Bot", emails: ["fluxcdbot@users.noreply.github.com"] },
    ],
    members: [
      { login: "alice", role: "ADMIN", hasTwoFactorEnabled: true },
      { login: "bob", role: "MEMBER", hasTwoFactorEnabled: true },
      { login: "carol", role: "MEMBER", hasTwoFactorEnabled: false },
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
 * made an owner, and force pushes allowed on the GitOps main branch (protection weakened).
 */
export function afterForcePush(org: FakeOrganization, demo: DemoOrg): void {
  const gitops = org.repositories.find((r) => r.name === "platform-gitops");
  if (gitops) gitops.commits = commitsOf(demo.gitops);
  const carol = org.members.find((m) => m.login === "carol");
  if (carol) carol.role = "ADMIN";
  const rule = gitops?.branchProtectionRules[0];
  if (rule) rule.allowsForcePushes = true;
}
