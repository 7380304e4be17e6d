import { afterEach, describe, expect, it } from "vitest";
import { type FakeGitHub, fakeOid, startFakeGitHub } from "../../../src/demo/fake-github/index.js";
import { gql, smallOrg, TOKENS } from "./helpers.js";

let fake: FakeGitHub | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

const PR_QUERY = `
query PullRequests($owner: String!, $name: String!, $after: String) {
  repository(owner: $owner, name: $name) {
    nameWithOwner isPrivate databaseId
    defaultBranchRef { name target { oid } }
    pullRequests(first: 10, after: $after, states: MERGED, baseRefName: "main", orderBy: {field: UPDATED_AT, direction: DESC}) {
      totalCount
      pageInfo { hasNextPage endCursor }
      nodes {
        id number title url state createdAt mergedAt baseRefName headRefName headRefOid reviewDecision
        author { login __typename }
        mergedBy { login }
        mergeCommit { oid associatedPullRequests(first: 5) { nodes { number } } }
        reviews(first: 20) {
          totalCount
          nodes { id databaseId state submittedAt authorAssociation author { login __typename } commit { oid } }
        }
        timelineItems(first: 50, itemTypes: [HEAD_REF_FORCE_PUSHED_EVENT, BASE_REF_FORCE_PUSHED_EVENT, REVIEW_DISMISSED_EVENT, MERGED_EVENT]) {
          nodes {
            __typename
            ... on HeadRefForcePushedEvent { actor { login } createdAt beforeCommit { oid } afterCommit { oid } }
            ... on ReviewDismissedEvent { actor { login } createdAt review { databaseId } dismissalMessage previousReviewState }
            ... on MergedEvent { actor { login } createdAt commit { oid } mergeRefName }
          }
        }
        commits(first: 100) {
          totalCount
          nodes {
            commit {
              oid message authoredDate committedDate
              author { name email date user { login } }
              committer { name email user { login } }
              authors(first: 10) { nodes { name email user { login } } }
              signature {
                __typename isValid state signer { login }
                ... on GpgSignature { keyId }
                ... on SshSignature { keyFingerprint }
              }
            }
          }
        }
      }
    }
  }
}`;

describe("fake GitHub resolves the model", () => {
  it("answers a collector's pull-request query with the model's data", async () => {
    fake = await startFakeGitHub({ orgs: [smallOrg()], tokens: TOKENS });
    const { status, body } = await gql(fake, "alice", PR_QUERY, { owner: "acme", name: "api" });
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    const repo = body.data.repository;
    expect(repo.nameWithOwner).toBe("acme/api");
    expect(repo.isPrivate).toBe(true);
    expect(repo.defaultBranchRef).toEqual({ name: "main", target: { oid: fakeOid("acme", "api", "merge-1") } });
    expect(repo.pullRequests.totalCount).toBe(1);
    const pr = repo.pullRequests.nodes[0];
    expect(pr).toMatchObject({
      number: 1,
      state: "MERGED",
      url: "https://github.com/acme/api/pull/1",
      author: { login: "alice", __typename: "User" },
      mergedBy: { login: "bob" },
      mergeCommit: { oid: fakeOid("acme", "api", "merge-1"), associatedPullRequests: { nodes: [{ number: 1 }] } },
      reviewDecision: "APPROVED",
    });
    expect(pr.id).toMatch(/^PR_/);
    expect(pr.reviews.totalCount).toBe(3);
    expect(pr.reviews.nodes.map((r: { state: string }) => r.state)).toEqual(["DISMISSED", "APPROVED", "COMMENTED"]);
    // A deleted account answers null, as GitHub's ghost does.
    expect(pr.reviews.nodes[2].author).toBeNull();
    expect(pr.reviews.nodes[1]).toMatchObject({
      authorAssociation: "MEMBER",
      commit: { oid: fakeOid("acme", "api", 2) },
    });
    expect(pr.timelineItems.nodes.map((n: { __typename: string }) => n.__typename)).toEqual([
      "HeadRefForcePushedEvent",
      "ReviewDismissedEvent",
      "MergedEvent",
    ]);
    expect(pr.timelineItems.nodes[1]).toMatchObject({ review: { databaseId: 501 }, previousReviewState: "APPROVED" });
    const [first, second] = pr.commits.nodes.map((n: { commit: unknown }) => n.commit);
    expect(first.authors.nodes).toEqual([
      { name: "Alice Developer", email: "alice@acme.example", user: { login: "alice" } },
      { name: "Dave Contractor", email: "dave@contractor.example", user: { login: "dave" } },
    ]);
    expect(first.signature).toEqual({
      __typename: "SshSignature",
      isValid: true,
      state: "VALID",
      signer: { login: "alice" },
      keyFingerprint: "SHA256:abc",
    });
    // An unknown email has no user; GitHub's noreply address resolves to its account.
    expect(second.author.user).toBeNull();
    expect(second.committer.user).toEqual({ login: "alice" });
    expect(second.signature).toBeNull();
  });

  it("answers RBAC: members with 2FA for an owner, teams, collaborators, protection, rulesets", async () => {
    fake = await startFakeGitHub({ orgs: [smallOrg()], tokens: TOKENS });
    const query = `{
      organization(login: "acme") {
        login databaseId
        membersWithRole(first: 100) { edges { role hasTwoFactorEnabled node { login databaseId name } } }
        teams(first: 100) { nodes { slug name databaseId parentTeam { slug }
          members(first: 100) { edges { role node { login } } }
          repositories(first: 100) { edges { permission node { name nameWithOwner } } } } }
        rulesets(first: 10) { nodes { databaseId name enforcement } }
      }
      repository(owner: "acme", name: "api") {
        collaborators(first: 100, affiliation: ALL) { edges { permission node { login }
          permissionSources { permission source { __typename ... on Organization { login } ... on Team { slug } ... on Repository { nameWithOwner } } } } }
        outside: collaborators(first: 100, affiliation: OUTSIDE) { nodes { login } }
        branchProtectionRules(first: 10) { nodes { pattern requiresApprovingReviews requiredApprovingReviewCount dismissesStaleReviews
          requireLastPushApproval requiresCodeOwnerReviews isAdminEnforced allowsForcePushes allowsDeletions requiresCommitSignatures
          bypassPullRequestAllowances(first: 10) { nodes { actor { __typename ... on User { login } ... on Team { slug } ... on App { slug } } } }
          bypassForcePushAllowances(first: 10) { nodes { actor { __typename ... on Team { slug } } } }
          pushAllowances(first: 10) { totalCount } } }
        rulesets(first: 10, includeParents: true) { nodes { databaseId name target enforcement source { __typename }
          conditions { refName { include exclude } }
          rules(first: 10) { nodes { type parameters { __typename ... on PullRequestParameters { requiredApprovingReviewCount dismissStaleReviewsOnPush requireLastPushApproval } } } }
          bypassActors(first: 10) { nodes { bypassMode organizationAdmin repositoryRoleName actor { __typename ... on Team { slug } ... on App { slug } } } } } }
      }
    }`;
    const asOwner = await gql(fake, "alice", query);
    expect(asOwner.body.errors).toBeUndefined();
    const org = asOwner.body.data.organization;
    expect(org.membersWithRole.edges).toEqual([
      { role: "ADMIN", hasTwoFactorEnabled: true, node: { login: "alice", databaseId: 1001, name: "Alice Developer" } },
      { role: "MEMBER", hasTwoFactorEnabled: false, node: { login: "bob", databaseId: 1002, name: "Bob Reviewer" } },
    ]);
    const [platform, oncall] = org.teams.nodes;
    expect(oncall.parentTeam).toEqual({ slug: "platform" });
    // Team.members defaults to membership ALL: child-team members belong to the parent too.
    expect(platform.members.edges).toEqual([
      { role: "MAINTAINER", node: { login: "alice" } },
      { role: "MEMBER", node: { login: "bob" } },
    ]);
    expect(oncall.repositories.edges).toEqual([
      { permission: "MAINTAIN", node: { name: "api", nameWithOwner: "acme/api" } },
    ]);
    const repo = asOwner.body.data.repository;
    expect(repo.collaborators.edges[1]).toEqual({
      permission: "MAINTAIN",
      node: { login: "bob" },
      permissionSources: [{ permission: "WRITE", source: { __typename: "Team", slug: "platform-oncall" } }],
    });
    expect(repo.collaborators.edges[2].permissionSources[0].source).toEqual({
      __typename: "Repository",
      nameWithOwner: "acme/api",
    });
    expect(repo.outside.nodes).toEqual([{ login: "dave" }]);
    const rule = repo.branchProtectionRules.nodes[0];
    expect(rule).toMatchObject({ pattern: "main", requiresCommitSignatures: true, allowsDeletions: false });
    expect(rule.bypassPullRequestAllowances.nodes).toEqual([
      { actor: { __typename: "User", login: "alice" } },
      { actor: { __typename: "App", slug: "release-bot" } },
    ]);
    expect(rule.bypassForcePushAllowances.nodes).toEqual([{ actor: { __typename: "Team", slug: "platform" } }]);
    expect(repo.rulesets.nodes.map((r: { name: string }) => r.name)).toEqual(["repo-signed", "org-default-branch"]);
    const orgRuleset = repo.rulesets.nodes[1];
    expect(orgRuleset.source.__typename).toBe("Organization");
    expect(orgRuleset.rules.nodes[0]).toEqual({
      type: "PULL_REQUEST",
      parameters: {
        __typename: "PullRequestParameters",
        requiredApprovingReviewCount: 2,
        dismissStaleReviewsOnPush: false,
        requireLastPushApproval: false,
      },
    });
    expect(orgRuleset.rules.nodes[1]).toEqual({ type: "NON_FAST_FORWARD", parameters: null });
    expect(orgRuleset.bypassActors.nodes).toEqual([
      { bypassMode: "ALWAYS", organizationAdmin: true, repositoryRoleName: null, actor: null },
      {
        bypassMode: "PULL_REQUEST",
        organizationAdmin: false,
        repositoryRoleName: null,
        actor: { __typename: "Team", slug: "platform" },
      },
    ]);
    expect(repo.rulesets.nodes[0].bypassActors.nodes[0]).toMatchObject({ repositoryRoleName: "maintain" });

    // Only owners see 2FA.
    const asMember = await gql(
      fake,
      "bob",
      `{ organization(login: "acme") { membersWithRole(first: 10) { edges { hasTwoFactorEnabled } } } }`,
    );
    expect(asMember.body.data.organization.membersWithRole.edges).toEqual([
      { hasTwoFactorEnabled: null },
      { hasTwoFactorEnabled: null },
    ]);
  });

  it("resolves commits by oid and by expression, and global node ids", async () => {
    fake = await startFakeGitHub({ orgs: [smallOrg()], tokens: TOKENS });
    const c1 = fakeOid("acme", "api", 1);
    const { body } = await gql(
      fake,
      "alice",
      `query($oid: GitObjectID!) { repository(owner: "acme", name: "api") {
        byOid: object(oid: $oid) { ... on Commit { oid associatedPullRequests(first: 5) { nodes { number } } } }
        head: object(expression: "main") { ... on Commit { oid messageHeadline } }
        missing: object(expression: "nope") { oid }
        pullRequest(number: 1) { id title }
      } }`,
      { oid: c1 },
    );
    expect(body.errors).toBeUndefined();
    const repo = body.data.repository;
    expect(repo.byOid).toEqual({ oid: c1, associatedPullRequests: { nodes: [{ number: 1 }] } });
    expect(repo.head.messageHeadline).toBe("Merge pull request #1 from acme/ledger");
    expect(repo.missing).toBeNull();
    const again = await gql(fake, "alice", `query($id: ID!) { node(id: $id) { ... on PullRequest { number } } }`, {
      id: repo.pullRequest.id,
    });
    expect(again.body.data.node).toEqual({ number: 1 });
  });

  it("sees the model change between two runs", async () => {
    const org = smallOrg();
    fake = await startFakeGitHub({ orgs: [org], tokens: TOKENS });
    const query = `query($oid: GitObjectID!) { repository(owner: "acme", name: "api") {
      pullRequests(first: 10) { totalCount }
      object(oid: $oid) { ... on Commit { associatedPullRequests(first: 5) { nodes { number state } } } } } }`;
    const oid = fakeOid("acme", "api", 3);
    const before = await gql(fake, "alice", query, { oid });
    expect(before.body.data.repository).toEqual({ pullRequests: { totalCount: 2 }, object: null });
    const repo = org.repositories[0];
    if (!repo) throw new Error("no repository");
    const author = { name: "Bob Reviewer", email: "bob@acme.example", date: "2026-07-04T09:00:00Z" };
    repo.commits.push({ oid, message: "Fix", author, committer: author });
    repo.pullRequests.push({
      number: 3,
      title: "Fix",
      author: "bob",
      createdAt: "2026-07-04T09:00:00Z",
      updatedAt: "2026-07-04T09:00:00Z",
      state: "OPEN",
      baseRefName: "main",
      headRefName: "fix",
      headRefOid: oid,
      reviews: [],
      timeline: [],
      commits: [oid],
    });
    const after = await gql(fake, "alice", query, { oid });
    expect(after.body.data.repository).toEqual({
      pullRequests: { totalCount: 3 },
      object: { associatedPullRequests: { nodes: [{ number: 3, state: "OPEN" }] } },
    });
    const pr = repo.pullRequests[2];
    if (!pr) throw new Error("no pull request");
    pr.state = "MERGED";
    const merged = await gql(fake, "alice", query, { oid });
    expect(merged.body.data.repository.object.associatedPullRequests.nodes).toEqual([{ number: 3, state: "MERGED" }]);
  });

  it("records a selected field the model does not provide, and close() fails on it", async () => {
    fake = await startFakeGitHub({ orgs: [smallOrg()], tokens: TOKENS });
    const { body } = await gql(fake, "alice", `{ repository(owner: "acme", name: "api") { name diskUsage } }`);
    expect(body.data.repository).toEqual({ name: "api", diskUsage: null });
    expect(fake.unmodelled).toEqual(["Repository.diskUsage"]);
    await expect(fake.close()).rejects.toThrow(/Repository\.diskUsage/);
    fake = undefined;
  });

  it("flags a model value outside GitHub's enums as a failure of the fake, even with allowInvalid", async () => {
    const org = smallOrg();
    const collaborator = org.repositories[0]?.collaborators[0];
    if (!collaborator) throw new Error("no collaborator");
    (collaborator as { permission: string }).permission = "write";
    const server = await startFakeGitHub({ orgs: [org], tokens: TOKENS });
    // An unmodelled non-null field nulls its parent, as GitHub's own errors would: no failure of the fake.
    const unmodelled = await gql(server, "bob", `{ repository(owner: "acme", name: "api") { createdAt } }`);
    expect(unmodelled.body.data).toEqual({ repository: null });
    expect(server.unmodelled).toEqual(["Repository.createdAt"]);
    const bad = await gql(
      server,
      "bob",
      `{ repository(owner: "acme", name: "api") { collaborators(first: 5) { edges { permission } } } }`,
    );
    expect(bad.body.errors[0].message).toMatch(/RepositoryPermission/);
    await expect(server.close({ allowInvalid: true })).rejects.toThrow(/fake GitHub failed: .*RepositoryPermission/s);
  });
});
