import type { FakeGitHub, FakeOrganization } from "../../../src/demo/fake-github/index.js";
import { fakeOid, protectionRule } from "../../../src/demo/fake-github/index.js";

export interface Answer {
  status: number;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: response bodies are inspected field by field in assertions
  body: any;
}

/** POST a GraphQL query as a client would, with Node's fetch. */
export async function gql(
  fake: Pick<FakeGitHub, "graphqlUrl">,
  token: string | undefined,
  query: string,
  variables: Record<string, unknown> = {},
  extra: { operationName?: string; authorization?: string } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { "content-type": "application/json" };
  const authorization = extra.authorization ?? (token === undefined ? undefined : `bearer ${token}`);
  if (authorization) headers.authorization = authorization;
  const res = await fetch(fake.graphqlUrl, {
    method: "POST",
    headers,
    body: JSON.stringify({ query, variables, ...(extra.operationName ? { operationName: extra.operationName } : {}) }),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
}

export const T0 = "2026-07-01T10:00:00Z";

/**
 * A small organisation with one of everything the collector reads: an owner, a member, an outside
 * collaborator, a bot, nested teams, a protected default branch, rulesets at both levels, and a
 * merged pull request with a dismissed review, a force push, a co-authored signed commit.
 */
export function smallOrg(): FakeOrganization {
  const c1 = fakeOid("acme", "api", 1);
  const c2 = fakeOid("acme", "api", 2);
  const merge = fakeOid("acme", "api", "merge-1");
  const base = fakeOid("acme", "api", "base");
  const oldHead = fakeOid("acme", "api", "old-head");
  return {
    login: "acme",
    users: [
      { login: "alice", name: "Alice Developer", emails: ["alice@acme.example"], databaseId: 1001 },
      { login: "bob", name: "Bob Reviewer", emails: ["bob@acme.example"], databaseId: 1002 },
      { login: "dave", name: "Dave Contractor", emails: ["dave@contractor.example"] },
      { login: "renovate", kind: "Bot" },
    ],
    members: [
      { login: "alice", role: "ADMIN", hasTwoFactorEnabled: true },
      { login: "bob", role: "MEMBER", hasTwoFactorEnabled: false },
    ],
    teams: [
      {
        slug: "platform",
        name: "Platform",
        members: [{ login: "alice", role: "MAINTAINER" }],
        repositories: [{ name: "api", permission: "ADMIN" }],
      },
      {
        slug: "platform-oncall",
        name: "Platform On-call",
        parent: "platform",
        members: [{ login: "bob", role: "MEMBER" }],
        repositories: [{ name: "api", permission: "MAINTAIN" }],
      },
    ],
    rulesets: [
      {
        databaseId: 77,
        name: "org-default-branch",
        target: "BRANCH",
        enforcement: "ACTIVE",
        conditions: { include: ["~DEFAULT_BRANCH"], exclude: [] },
        rules: [
          { type: "PULL_REQUEST", parameters: { requiredApprovingReviewCount: 2 } },
          { type: "NON_FAST_FORWARD" },
        ],
        bypassActors: [
          { actor: { kind: "OrganizationAdmin" }, bypassMode: "ALWAYS" },
          { actor: { kind: "Team", slug: "platform" }, bypassMode: "PULL_REQUEST" },
        ],
      },
    ],
    repositories: [
      {
        name: "api",
        defaultBranch: "main",
        isPrivate: true,
        commits: [
          {
            oid: base,
            message: "Initial commit",
            author: { name: "Alice Developer", email: "alice@acme.example", date: "2026-06-30T09:00:00Z" },
            committer: { name: "Alice Developer", email: "alice@acme.example", date: "2026-06-30T09:00:00Z" },
          },
          {
            oid: c1,
            message: "Add ledger\n\nCo-authored-by: Dave Contractor <dave@contractor.example>",
            author: { name: "Alice Developer", email: "alice@acme.example", date: "2026-07-01T09:00:00Z" },
            committer: { name: "Alice Developer", email: "alice@acme.example", date: "2026-07-01T09:05:00Z" },
            signature: { kind: "SshSignature", state: "VALID", signer: "alice", keyFingerprint: "SHA256:abc" },
          },
          {
            oid: c2,
            message: "Test ledger",
            author: { name: "Stranger", email: "stranger@elsewhere.example", date: "2026-07-01T09:30:00Z" },
            committer: {
              name: "Alice Developer",
              email: "1001+alice@users.noreply.github.com",
              date: "2026-07-01T09:30:00Z",
            },
          },
          {
            oid: merge,
            message: "Merge pull request #1 from acme/ledger",
            author: { name: "Bob Reviewer", email: "bob@acme.example", date: "2026-07-01T12:00:00Z" },
            committer: { name: "GitHub", email: "noreply@github.com", date: "2026-07-01T12:00:00Z" },
            signature: { kind: "GpgSignature", state: "VALID", keyId: "B5690EEEBB952194" },
          },
        ],
        pullRequests: [
          {
            number: 1,
            title: "Add ledger",
            author: "alice",
            createdAt: T0,
            updatedAt: "2026-07-01T12:00:00Z",
            state: "MERGED",
            mergedAt: "2026-07-01T12:00:00Z",
            mergedBy: "bob",
            mergeCommit: merge,
            baseRefName: "main",
            headRefName: "ledger",
            headRefOid: c2,
            reviewDecision: "APPROVED",
            reviews: [
              {
                databaseId: 501,
                author: "bob",
                state: "DISMISSED",
                submittedAt: "2026-07-01T10:30:00Z",
                commit: oldHead,
              },
              { databaseId: 502, author: "bob", state: "APPROVED", submittedAt: "2026-07-01T11:30:00Z", commit: c2 },
              { databaseId: 503, author: null, state: "COMMENTED", submittedAt: "2026-07-01T11:40:00Z", commit: c2 },
            ],
            timeline: [
              {
                kind: "HeadRefForcePushedEvent",
                actor: "alice",
                createdAt: "2026-07-01T11:00:00Z",
                beforeOid: oldHead,
                afterOid: c2,
              },
              {
                kind: "ReviewDismissedEvent",
                actor: "alice",
                createdAt: "2026-07-01T11:01:00Z",
                review: 501,
                dismissalMessage: "stale",
                previousReviewState: "APPROVED",
              },
              {
                kind: "MergedEvent",
                actor: "bob",
                createdAt: "2026-07-01T12:00:00Z",
                commit: merge,
                mergeRefName: "main",
              },
            ],
            commits: [c1, c2],
          },
          {
            number: 2,
            title: "Bump deps",
            author: "renovate",
            createdAt: "2026-07-02T10:00:00Z",
            updatedAt: "2026-07-03T10:00:00Z",
            state: "OPEN",
            baseRefName: "main",
            headRefName: "renovate/deps",
            headRefOid: c2,
            reviews: [],
            timeline: [],
            commits: [c2],
          },
        ],
        collaborators: [
          {
            login: "alice",
            permission: "ADMIN",
            affiliation: "DIRECT",
            permissionSources: [
              { source: { kind: "Organization", name: "acme" }, permission: "ADMIN" },
              { source: { kind: "Team", name: "platform" }, permission: "ADMIN" },
            ],
          },
          {
            login: "bob",
            permission: "MAINTAIN",
            affiliation: "DIRECT",
            permissionSources: [{ source: { kind: "Team", name: "platform-oncall" }, permission: "MAINTAIN" }],
          },
          {
            login: "dave",
            permission: "WRITE",
            affiliation: "OUTSIDE",
            permissionSources: [{ source: { kind: "Repository", name: "api" }, permission: "WRITE" }],
          },
        ],
        branchProtectionRules: [
          protectionRule("main", {
            dismissesStaleReviews: true,
            requiresCommitSignatures: true,
            bypassPullRequestAllowances: [
              { kind: "User", login: "alice" },
              { kind: "App", slug: "release-bot" },
            ],
            bypassForcePushAllowances: [{ kind: "Team", slug: "platform" }],
            pushAllowances: [],
          }),
        ],
        rulesets: [
          {
            databaseId: 88,
            name: "repo-signed",
            target: "BRANCH",
            enforcement: "EVALUATE",
            conditions: { include: ["refs/heads/main"], exclude: [] },
            rules: [{ type: "REQUIRED_SIGNATURES" }],
            bypassActors: [{ actor: { kind: "RepositoryRole", name: "maintain" }, bypassMode: "ALWAYS" }],
          },
        ],
      },
    ],
  };
}

export const TOKENS = {
  alice: { login: "alice" },
  bob: { login: "bob" },
  classic: { login: "alice", scopes: ["repo", "read:org"] },
  repoOnly: { login: "bob", scopes: ["repo"] },
  stranger: { login: "mallory" },
};
