/**
 * The organisation a fake GitHub serves: plain data that test code (and the demo) builds, so a
 * reader sees the case. Names and enum values are GitHub's own (GraphQL schema), so resolvers
 * map them one to one. Logins refer to `users`; a null login is a deleted ("ghost") account.
 */

export type UserKind = "User" | "Bot";

export interface FakeUser {
  login: string;
  /** GitHub's numeric id (databaseId); defaults to a stable number derived from the login. */
  databaseId?: number;
  kind?: UserKind;
  name?: string;
  /** Public email; commits resolve to this account when their email matches one of `emails`. */
  emails?: string[];
}

export type OrgRole = "ADMIN" | "MEMBER";
export type RepoPermission = "ADMIN" | "MAINTAIN" | "WRITE" | "TRIAGE" | "READ";

export interface FakeMember {
  login: string;
  role: OrgRole;
  /** Visible to organisation owners only; null when the viewer may not see it. */
  hasTwoFactorEnabled?: boolean | null;
}

export interface FakeTeam {
  slug: string;
  name: string;
  /** Defaults to a stable number derived from the slug. */
  databaseId?: number;
  parent?: string;
  members: { login: string; role: "MAINTAINER" | "MEMBER" }[];
  repositories: { name: string; permission: RepoPermission }[];
}

export interface FakeCollaborator {
  login: string;
  permission: RepoPermission;
  /** OUTSIDE for collaborators who are not organisation members. */
  affiliation: "DIRECT" | "OUTSIDE";
  /** Where the permission comes from: the organisation's base permission, a team, the repo. */
  permissionSources: {
    source: { kind: "Organization" | "Team" | "Repository"; name: string };
    permission: RepoPermission;
  }[];
}

/** A bypass actor, in the shape of the schema's union: a user, a team or an app. */
export type FakeActor =
  | { kind: "User"; login: string }
  | { kind: "Team"; slug: string }
  | { kind: "App"; slug: string; name?: string };

export interface FakeBranchProtectionRule {
  id?: string;
  pattern: string;
  requiresApprovingReviews: boolean;
  requiredApprovingReviewCount: number | null;
  dismissesStaleReviews: boolean;
  requireLastPushApproval: boolean;
  requiresCodeOwnerReviews: boolean;
  isAdminEnforced: boolean;
  allowsForcePushes: boolean;
  allowsDeletions?: boolean;
  requiresCommitSignatures: boolean;
  requiresStatusChecks?: boolean;
  requiresStrictStatusChecks?: boolean;
  requiredStatusCheckContexts?: string[];
  requiresLinearHistory?: boolean;
  requiresConversationResolution?: boolean;
  requiresDeployments?: boolean;
  restrictsReviewDismissals?: boolean;
  blocksCreations?: boolean;
  lockBranch?: boolean;
  /** Who may bypass the pull-request requirement. */
  bypassPullRequestAllowances?: FakeActor[];
  /** Who may force-push despite the rule. */
  bypassForcePushAllowances?: FakeActor[];
  /** Who may push to matching branches at all (restricts pushes when non-empty). */
  pushAllowances?: FakeActor[];
}

export type RulesetEnforcement = "ACTIVE" | "EVALUATE" | "DISABLED";

export interface FakeRuleset {
  databaseId?: number;
  name: string;
  target: "BRANCH" | "TAG" | "PUSH";
  enforcement: RulesetEnforcement;
  /** refName conditions, e.g. include ["~DEFAULT_BRANCH"] or ["refs/heads/main"]. */
  conditions: { include: string[]; exclude: string[] };
  /** Rule type (the schema's RepositoryRuleType, e.g. PULL_REQUEST) and its parameters. */
  rules: { type: string; parameters?: Record<string, unknown> }[];
  bypassActors: {
    actor: FakeActor | { kind: "OrganizationAdmin" } | { kind: "RepositoryRole"; name: string };
    bypassMode: "ALWAYS" | "PULL_REQUEST";
  }[];
  createdAt?: string;
  updatedAt?: string;
}

export type SignatureState =
  | "VALID"
  | "INVALID"
  | "UNSIGNED"
  | "UNKNOWN_KEY"
  | "UNVERIFIED_EMAIL"
  | "NO_USER"
  | "UNKNOWN_SIG_TYPE"
  | "BAD_EMAIL"
  | "EXPIRED_KEY"
  | "NOT_SIGNING_KEY"
  | "MALFORMED_SIG"
  | "GPGVERIFY_ERROR"
  | "GPGVERIFY_UNAVAILABLE"
  | "OCSP_PENDING"
  | "OCSP_ERROR"
  | "OCSP_REVOKED";

export interface FakeGitActor {
  name: string;
  email: string;
  /** ISO time as recorded in the commit. */
  date: string;
}

export interface FakeCommit {
  oid: string;
  message: string;
  author: FakeGitActor;
  committer: FakeGitActor;
  /** Absent: unsigned. */
  signature?: {
    kind: "GpgSignature" | "SshSignature" | "SmimeSignature";
    state: SignatureState;
    /** The account whose key made the signature, when GitHub knows it. */
    signer?: string;
    /** GpgSignature.keyId (long key id, hex). */
    keyId?: string;
    /** SshSignature.keyFingerprint ("SHA256:..."). */
    keyFingerprint?: string;
    /** The email the signature vouches for; defaults to the committer's. */
    email?: string;
  };
  /** Parent oids, first parent first (Commit.parents). */
  parents?: string[];
}

export type ReviewState = "APPROVED" | "CHANGES_REQUESTED" | "COMMENTED" | "DISMISSED" | "PENDING";

export interface FakeReview {
  /** Stable id; the node id is derived from it. */
  databaseId: number;
  author: string | null;
  authorAssociation?: "OWNER" | "MEMBER" | "COLLABORATOR" | "CONTRIBUTOR" | "NONE";
  state: ReviewState;
  submittedAt: string;
  /** The head commit the review was given on; null: GitHub gives none (seen on old reviews). */
  commit: string | null;
}

export type FakeTimelineItem =
  | { kind: "HeadRefForcePushedEvent"; actor: string | null; createdAt: string; beforeOid: string; afterOid: string }
  | { kind: "BaseRefForcePushedEvent"; actor: string | null; createdAt: string; beforeOid: string; afterOid: string }
  | {
      kind: "ReviewDismissedEvent";
      actor: string | null;
      createdAt: string;
      /** databaseId of the dismissed review. */
      review: number;
      dismissalMessage?: string;
      previousReviewState: ReviewState;
    }
  | { kind: "MergedEvent"; actor: string | null; createdAt: string; commit: string; mergeRefName: string };

export interface FakePullRequest {
  number: number;
  /** Defaults to a stable number derived from repository and number. */
  databaseId?: number;
  title: string;
  author: string | null;
  createdAt: string;
  updatedAt: string;
  state: "OPEN" | "CLOSED" | "MERGED";
  mergedAt?: string;
  /** For CLOSED pull requests; merged ones are closed when merged. Defaults to updatedAt. */
  closedAt?: string;
  isDraft?: boolean;
  mergedBy?: string | null;
  /** The commit the merge put on the base branch (merge, squash or the last rebased commit). */
  mergeCommit?: string;
  /**
   * Every commit the merge put on the base branch, when more than `mergeCommit` (a rebase merge
   * replays each commit with a new id): GitHub associates them all with the pull request.
   */
  landedCommits?: string[];
  baseRefName: string;
  headRefName: string;
  headRefOid: string;
  reviewDecision?: "APPROVED" | "CHANGES_REQUESTED" | "REVIEW_REQUIRED" | null;
  reviews: FakeReview[];
  timeline: FakeTimelineItem[];
  /** The PR's commits, oldest first (oids of `FakeRepository.commits`). */
  commits: string[];
}

export interface FakeRepository {
  name: string;
  /** Defaults to a stable number derived from owner and name. */
  databaseId?: number;
  defaultBranch: string;
  /** Branch tips (Ref.target, Repository.object(expression)). The default branch's tip defaults
   * to the last entry of `commits`. */
  branches?: { name: string; oid: string }[];
  isPrivate?: boolean;
  isArchived?: boolean;
  /** Every commit GitHub knows in the repository, by oid: PR commits, merge commits, direct pushes. */
  commits: FakeCommit[];
  pullRequests: FakePullRequest[];
  collaborators: FakeCollaborator[];
  branchProtectionRules: FakeBranchProtectionRule[];
  rulesets: FakeRuleset[];
}

export interface FakeOrganization {
  login: string;
  /** Defaults to a stable number derived from the login. */
  databaseId?: number;
  name?: string;
  /** Every account the organisation's data names: members, outside collaborators, bots. */
  users: FakeUser[];
  members: FakeMember[];
  teams: FakeTeam[];
  repositories: FakeRepository[];
  rulesets: FakeRuleset[];
}
