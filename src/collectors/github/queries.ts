import { createHash } from "node:crypto";

/**
 * Every GraphQL document the collector sends. Each is validated against GitHub's published schema
 * in the tests (test/collectors/github/queries.test.ts) and by the fake GitHub on every request.
 * Every query asks for `rateLimit`, so each answer reports its own cost and the budget left.
 */

const RATE = "rateLimit { cost remaining resetAt limit }";

/**
 * Nested page sizes inside a page of pull requests; longer lists are followed separately. A
 * commit's `authors` list is not asked for: GitHub charges one request per commit for that nested
 * list (about 9 of every 10 points of a page); co-authors are read from the message's
 * Co-authored-by trailers instead, which is what GitHub's list is made from.
 */
export const NESTED = { reviews: 30, events: 30, commits: 30 } as const;

const ACTOR = "__typename login";

const REVIEW = `fragment ReviewFields on PullRequestReview {
  id databaseId author { ${ACTOR} } authorAssociation state submittedAt commit { oid }
}`;

const EVENT_TYPES = "[HEAD_REF_FORCE_PUSHED_EVENT, BASE_REF_FORCE_PUSHED_EVENT, REVIEW_DISMISSED_EVENT, MERGED_EVENT]";

const EVENT = `fragment EventFields on PullRequestTimelineItems {
  __typename
  ... on HeadRefForcePushedEvent { id createdAt actor { ${ACTOR} } beforeCommit { oid } afterCommit { oid } }
  ... on BaseRefForcePushedEvent { id createdAt actor { ${ACTOR} } beforeCommit { oid } afterCommit { oid } }
  ... on ReviewDismissedEvent { id createdAt actor { ${ACTOR} } review { databaseId } dismissalMessage previousReviewState }
  ... on MergedEvent { id createdAt actor { ${ACTOR} } commit { oid } mergeRefName }
}`;

const COMMIT = `fragment CommitFields on Commit {
  oid authoredDate committedDate
  author { name email user { login } }
  committer { name email user { login } }
  message
  signature { __typename isValid state signer { login } }
}`;

const PAGE_INFO = "pageInfo { hasNextPage endCursor }";

const PULL_REQUEST = `fragment PullRequestFields on PullRequest {
  id number title url state createdAt updatedAt mergedAt
  author { ${ACTOR} }
  mergedBy { ${ACTOR} }
  mergeCommit { oid }
  baseRefName headRefName headRefOid reviewDecision
  reviews(first: ${NESTED.reviews}) { ${PAGE_INFO} nodes { ...ReviewFields } }
  timelineItems(first: ${NESTED.events}, itemTypes: ${EVENT_TYPES}) { ${PAGE_INFO} nodes { ...EventFields } }
  commits(first: ${NESTED.commits}) { totalCount ${PAGE_INFO} nodes { commit { ...CommitFields } } }
}`;

const ALLOWANCE_ACTOR = `actor { __typename ... on User { login } ... on Team { slug } ... on App { slug name } }`;

const PROTECTION = `fragment ProtectionFields on BranchProtectionRule {
  id pattern
  requiresApprovingReviews requiredApprovingReviewCount dismissesStaleReviews requireLastPushApproval
  requiresCodeOwnerReviews isAdminEnforced allowsForcePushes allowsDeletions requiresCommitSignatures
  requiresStatusChecks requiresStrictStatusChecks requiredStatusCheckContexts requiresLinearHistory
  requiresConversationResolution restrictsPushes restrictsReviewDismissals lockBranch blocksCreations
  bypassPullRequestAllowances(first: 100) { totalCount nodes { ${ALLOWANCE_ACTOR} } }
  bypassForcePushAllowances(first: 100) { totalCount nodes { ${ALLOWANCE_ACTOR} } }
  pushAllowances(first: 100) { totalCount nodes { ${ALLOWANCE_ACTOR} } }
}`;

const RULESET = `fragment RulesetFields on RepositoryRuleset {
  databaseId name target enforcement createdAt updatedAt
  source { __typename ... on Repository { nameWithOwner } ... on Organization { login } }
  conditions { refName { include exclude } repositoryName { include exclude } }
  rules(first: 100) {
    totalCount
    nodes {
      type
      parameters {
        __typename
        ... on PullRequestParameters {
          requiredApprovingReviewCount dismissStaleReviewsOnPush requireCodeOwnerReview requireLastPushApproval
          requiredReviewThreadResolution
        }
        ... on RequiredStatusChecksParameters {
          strictRequiredStatusChecksPolicy requiredStatusChecks { context integrationId }
        }
      }
    }
  }
  bypassActors(first: 100) {
    totalCount
    nodes { bypassMode organizationAdmin repositoryRoleName deployKey actor { __typename ... on App { slug name } ... on Team { slug } } }
  }
}`;

// A source's `permission` is GitHub's base level (no MAINTAIN or TRIAGE); `roleName` is the role.
const COLLABORATOR = `fragment CollaboratorFields on RepositoryCollaboratorEdge {
  permission
  permissionSources {
    permission roleName
    source { __typename ... on Organization { login } ... on Team { slug } ... on Repository { nameWithOwner } }
  }
  node { login }
}`;

/**
 * An open pull request's base-branch force pushes: GitHub records a force push to a branch only
 * on the timelines of pull requests targeting it, and the walk reads merged ones only.
 */
const OPEN_PULL_REQUEST = `fragment OpenPullRequestFields on PullRequest {
  id number
  timelineItems(first: 10, itemTypes: [BASE_REF_FORCE_PUSHED_EVENT]) { ${PAGE_INFO} nodes { ...EventFields } }
}`;

/** Open pull requests carried by the first page of a walk; more are read by OPEN_BASE_FORCE_PUSHES. */
const OPEN_INLINE = 25;

/**
 * A page of merged pull requests into one base branch, newest update first. The first page of a
 * repository's walk also carries the repository's access and protection settings
 * (`withSnapshot`), and the first page of each base branch carries the base-branch force pushes
 * of the open pull requests into it (`withOpen`), so a run with nothing new costs one request per
 * repository and branch.
 */
export const PULL_REQUEST_PAGE = `query PullRequestPage($owner: String!, $name: String!, $base: String!, $pageSize: Int!, $cursor: String, $withSnapshot: Boolean!, $withOpen: Boolean!) {
  ${RATE}
  repository(owner: $owner, name: $name) {
    nameWithOwner
    defaultBranchRef { name }
    pullRequests(states: MERGED, baseRefName: $base, orderBy: { field: UPDATED_AT, direction: DESC }, first: $pageSize, after: $cursor) {
      totalCount
      ${PAGE_INFO}
      nodes { ...PullRequestFields }
    }
    collaborators(first: 100) @include(if: $withSnapshot) { ${PAGE_INFO} edges { ...CollaboratorFields } }
    branchProtectionRules(first: 100) @include(if: $withSnapshot) { ${PAGE_INFO} nodes { ...ProtectionFields } }
    rulesets(first: 100, includeParents: true) @include(if: $withSnapshot) { ${PAGE_INFO} nodes { ...RulesetFields } }
    openPullRequests: pullRequests(states: OPEN, baseRefName: $base, first: ${OPEN_INLINE}) @include(if: $withOpen) {
      ${PAGE_INFO}
      nodes { ...OpenPullRequestFields }
    }
  }
}
${OPEN_PULL_REQUEST}
${PULL_REQUEST}
${REVIEW}
${EVENT}
${COMMIT}
${COLLABORATOR}
${PROTECTION}
${RULESET}`;

/** The next merged pull request's key only: to step over one GitHub times out on. */
export const PULL_REQUEST_KEYS = `query PullRequestKeys($owner: String!, $name: String!, $base: String!, $cursor: String) {
  ${RATE}
  repository(owner: $owner, name: $name) {
    pullRequests(states: MERGED, baseRefName: $base, orderBy: { field: UPDATED_AT, direction: DESC }, first: 1, after: $cursor) {
      ${PAGE_INFO}
      nodes { number updatedAt }
    }
  }
}`;

/**
 * Open pull requests into one base branch with their base-branch force pushes: the pages after
 * the first page's, or all of them when the walk's first page did not carry them. All open ones
 * are read every run: no order puts the one with a new timeline event first.
 */
export const OPEN_BASE_FORCE_PUSHES = `query OpenBaseForcePushes($owner: String!, $name: String!, $base: String!, $cursor: String) {
  ${RATE}
  repository(owner: $owner, name: $name) {
    pullRequests(states: OPEN, baseRefName: $base, first: 50, after: $cursor) { ${PAGE_INFO} nodes { ...OpenPullRequestFields } }
  }
}
${OPEN_PULL_REQUEST}
${EVENT}`;

/** Further base-branch force pushes of one open pull request (rare: over 10). */
export const PULL_REQUEST_BASE_FORCE_PUSHES = `query PullRequestBaseForcePushes($id: ID!, $cursor: String) {
  ${RATE}
  node(id: $id) {
    ... on PullRequest {
      timelineItems(first: 100, after: $cursor, itemTypes: [BASE_REF_FORCE_PUSHED_EVENT]) { ${PAGE_INFO} nodes { ...EventFields } }
    }
  }
}
${EVENT}`;

/** The repository's default branch, when no protected branch is configured. */
export const DEFAULT_BRANCH = `query DefaultBranch($owner: String!, $name: String!) {
  ${RATE}
  repository(owner: $owner, name: $name) { nameWithOwner defaultBranchRef { name } }
}`;

/** Follow-up pages of one pull request's nested lists, sized like the pages of pull requests. */
export const PULL_REQUEST_REVIEWS = `query PullRequestReviews($id: ID!, $pageSize: Int!, $cursor: String) {
  ${RATE}
  node(id: $id) { ... on PullRequest { reviews(first: $pageSize, after: $cursor) { ${PAGE_INFO} nodes { ...ReviewFields } } } }
}
${REVIEW}`;

export const PULL_REQUEST_EVENTS = `query PullRequestEvents($id: ID!, $pageSize: Int!, $cursor: String) {
  ${RATE}
  node(id: $id) {
    ... on PullRequest { timelineItems(first: $pageSize, after: $cursor, itemTypes: ${EVENT_TYPES}) { ${PAGE_INFO} nodes { ...EventFields } } }
  }
}
${EVENT}`;

export const PULL_REQUEST_COMMITS = `query PullRequestCommits($id: ID!, $pageSize: Int!, $cursor: String) {
  ${RATE}
  node(id: $id) { ... on PullRequest { commits(first: $pageSize, after: $cursor) { ${PAGE_INFO} nodes { commit { ...CommitFields } } } } }
}
${COMMIT}`;

/** Further pages of a repository's access and protection lists (rare: over 100 entries). */
export const REPO_COLLABORATORS = `query RepoCollaborators($owner: String!, $name: String!, $cursor: String) {
  ${RATE}
  repository(owner: $owner, name: $name) { collaborators(first: 100, after: $cursor) { ${PAGE_INFO} edges { ...CollaboratorFields } } }
}
${COLLABORATOR}`;

export const REPO_PROTECTION = `query RepoProtection($owner: String!, $name: String!, $cursor: String) {
  ${RATE}
  repository(owner: $owner, name: $name) { branchProtectionRules(first: 100, after: $cursor) { ${PAGE_INFO} nodes { ...ProtectionFields } } }
}
${PROTECTION}`;

export const REPO_RULESETS = `query RepoRulesets($owner: String!, $name: String!, $cursor: String) {
  ${RATE}
  repository(owner: $owner, name: $name) { rulesets(first: 100, after: $cursor, includeParents: true) { ${PAGE_INFO} nodes { ...RulesetFields } } }
}
${RULESET}`;

/** Organisation members with their role and, for an owner's credentials, two-factor status. */
export const ORG_MEMBERS = `query OrgMembers($org: String!, $cursor: String) {
  ${RATE}
  organization(login: $org) {
    login
    membersWithRole(first: 100, after: $cursor) { ${PAGE_INFO} edges { role hasTwoFactorEnabled node { login } } }
  }
}`;

export const ORG_TEAMS = `query OrgTeams($org: String!, $cursor: String) {
  ${RATE}
  organization(login: $org) {
    teams(first: 50, after: $cursor) {
      ${PAGE_INFO}
      nodes {
        slug name parentTeam { slug }
        members(first: 100, membership: IMMEDIATE) { ${PAGE_INFO} edges { role node { login } } }
        repositories(first: 100) { ${PAGE_INFO} edges { permission node { nameWithOwner } } }
      }
    }
  }
}`;

export const TEAM_MEMBERS = `query TeamMembers($org: String!, $slug: String!, $cursor: String) {
  ${RATE}
  organization(login: $org) {
    team(slug: $slug) { members(first: 100, after: $cursor, membership: IMMEDIATE) { ${PAGE_INFO} edges { role node { login } } } }
  }
}`;

export const TEAM_REPOSITORIES = `query TeamRepositories($org: String!, $slug: String!, $cursor: String) {
  ${RATE}
  organization(login: $org) {
    team(slug: $slug) { repositories(first: 100, after: $cursor) { ${PAGE_INFO} edges { permission node { nameWithOwner } } } }
  }
}`;

// Who GitHub says made a protected-branch commit and whether it verified the signature (C11), and
// which merged pull requests contain it (squash and rebase merges; none for a direct push).
const LOOKUP_FIELDS = `associatedPullRequests(first: 100) { nodes { number state baseRefName mergedAt } }
      author { user { login } } committer { user { login } }
      authors(first: 20) { nodes { name email user { login } } }
      signature { __typename isValid state signer { login } }`;

/** Pull requests associated with commits, and their GitHub identities, `count` commits per query by alias. */
export function commitPullRequestsQuery(count: number): string {
  const vars = Array.from({ length: count }, (_, i) => `$o${i}: GitObjectID!`).join(", ");
  const fields = Array.from(
    { length: count },
    (_, i) => `c${i}: object(oid: $o${i}) { ... on Commit { oid ${LOOKUP_FIELDS} } }`,
  ).join("\n    ");
  return `query CommitPullRequests($owner: String!, $name: String!, ${vars}) {
  ${RATE}
  repository(owner: $owner, name: $name) {
    ${fields}
  }
}`;
}

/** `config check`: who the credentials are, and what they may see of the organisation. */
export const CHECK_ORG = `query CheckOrganization($org: String!) {
  ${RATE}
  viewer { login }
  organization(login: $org) { login viewerCanAdminister }
}`;

export const CHECK_REPO = `query CheckRepository($owner: String!, $name: String!) {
  ${RATE}
  repository(owner: $owner, name: $name) { nameWithOwner viewerPermission defaultBranchRef { name } }
}`;

/** What a run records about its queries: names and digests of the exact documents sent. */
export function queryDigests(): Record<string, string> {
  const docs: Record<string, string> = {
    PullRequestPage: PULL_REQUEST_PAGE,
    PullRequestKeys: PULL_REQUEST_KEYS,
    PullRequestReviews: PULL_REQUEST_REVIEWS,
    PullRequestEvents: PULL_REQUEST_EVENTS,
    PullRequestCommits: PULL_REQUEST_COMMITS,
    OpenBaseForcePushes: OPEN_BASE_FORCE_PUSHES,
    PullRequestBaseForcePushes: PULL_REQUEST_BASE_FORCE_PUSHES,
    RepoCollaborators: REPO_COLLABORATORS,
    RepoProtection: REPO_PROTECTION,
    RepoRulesets: REPO_RULESETS,
    OrgMembers: ORG_MEMBERS,
    OrgTeams: ORG_TEAMS,
    TeamMembers: TEAM_MEMBERS,
    TeamRepositories: TEAM_REPOSITORIES,
    CommitPullRequests: commitPullRequestsQuery(1),
  };
  return Object.fromEntries(
    Object.entries(docs).map(([k, v]) => [k, createHash("sha256").update(v).digest("hex").slice(0, 16)]),
  );
}
