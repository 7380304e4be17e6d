import { Octokit } from "@octokit/core";
import { paginateGraphQL } from "@octokit/plugin-paginate-graphql";
import { afterEach, describe, expect, it } from "vitest";
import {
  buildOrganization,
  type FakeGitHub,
  type FakeOrganization,
  startFakeGitHub,
} from "../../../src/demo/fake-github/index.js";
import { gql, smallOrg, TOKENS } from "./helpers.js";

let fake: FakeGitHub | undefined;
afterEach(async () => {
  await fake?.close({ allowInvalid: true });
  fake = undefined;
});

/** Three repositories of 12 pull requests; #5 of service-02 has 250 reviews. */
function orgWithLongReview(): FakeOrganization {
  return buildOrganization({
    login: "acme",
    repositories: 3,
    pullRequestsPerRepository: 12,
    reviewsPerPullRequest: (i) => (i === 4 ? 250 : 2),
    commitsPerPullRequest: 3,
    members: 5,
  });
}

const REVIEWS_PAGE = `
query Reviews($owner: String!, $name: String!, $number: Int!, $after: String) {
  repository(owner: $owner, name: $name) {
    pullRequest(number: $number) {
      reviews(first: 100, after: $after) {
        totalCount
        pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
        nodes { databaseId state }
      }
    }
  }
}`;

describe("fake GitHub paginates connections as GitHub does", () => {
  it("walks 250 reviews nested in a pull-request page with opaque cursors", async () => {
    const org = orgWithLongReview();
    fake = await startFakeGitHub({ orgs: [org], tokens: { t: { login: "dev1" } } });
    const list = await gql(
      fake,
      "t",
      `{ repository(owner: "acme", name: "service-02") { pullRequests(first: 10) { nodes { number
        reviews(first: 100) { totalCount pageInfo { hasNextPage endCursor } nodes { databaseId } } } } } }`,
    );
    expect(list.body.errors).toBeUndefined();
    const pr5 = list.body.data.repository.pullRequests.nodes.find((n: { number: number }) => n.number === 5);
    expect(pr5.reviews.totalCount).toBe(250);
    expect(pr5.reviews.nodes).toHaveLength(100);
    expect(pr5.reviews.pageInfo.hasNextPage).toBe(true);
    expect(pr5.reviews.pageInfo.endCursor).not.toContain(String(pr5.reviews.nodes[99].databaseId));

    const ids: number[] = pr5.reviews.nodes.map((n: { databaseId: number }) => n.databaseId);
    let after: string | null = pr5.reviews.pageInfo.endCursor;
    let pages = 1;
    while (after) {
      const page = await gql(fake, "t", REVIEWS_PAGE, { owner: "acme", name: "service-02", number: 5, after });
      const reviews = page.body.data.repository.pullRequest.reviews;
      expect(reviews.pageInfo.hasPreviousPage).toBe(true);
      ids.push(...reviews.nodes.map((n: { databaseId: number }) => n.databaseId));
      after = reviews.pageInfo.hasNextPage ? reviews.pageInfo.endCursor : null;
      pages++;
    }
    expect(pages).toBe(3);
    expect(ids).toEqual(org.repositories[1]?.pullRequests[4]?.reviews.map((r) => r.databaseId));
    expect(new Set(ids).size).toBe(250);
  });

  it("serves @octokit/plugin-paginate-graphql's cursor walk", async () => {
    const org = orgWithLongReview();
    fake = await startFakeGitHub({ orgs: [org], tokens: { t: { login: "dev1" } } });
    const octokit = new (Octokit.plugin(paginateGraphQL))({ auth: "t", baseUrl: fake.restBaseUrl });
    const all = await octokit.graphql.paginate<{
      repository: { pullRequest: { reviews: { nodes: { databaseId: number }[] } } };
    }>(
      `query($cursor: String) { repository(owner: "acme", name: "service-02") { pullRequest(number: 5) {
        reviews(first: 100, after: $cursor) { nodes { databaseId } pageInfo { hasNextPage endCursor } } } } }`,
    );
    expect(all.repository.pullRequest.reviews.nodes).toHaveLength(250);
    expect(fake.stats().requests).toBe(3);
  });

  it("pages backwards with last/before", async () => {
    fake = await startFakeGitHub({ orgs: [orgWithLongReview()], tokens: { t: { login: "dev1" } } });
    const q = `query($before: String) { repository(owner: "acme", name: "service-01") {
      pullRequests(last: 5, before: $before) { pageInfo { hasPreviousPage startCursor } nodes { number } } } }`;
    const last = await gql(fake, "t", q);
    expect(last.body.data.repository.pullRequests.nodes.map((n: { number: number }) => n.number)).toEqual([
      8, 9, 10, 11, 12,
    ]);
    const before = await gql(fake, "t", q, { before: last.body.data.repository.pullRequests.pageInfo.startCursor });
    expect(before.body.data.repository.pullRequests.nodes.map((n: { number: number }) => n.number)).toEqual([
      3, 4, 5, 6, 7,
    ]);
  });

  it("honours states, baseRefName and orderBy on pullRequests", async () => {
    const org = orgWithLongReview();
    const repo = org.repositories[0];
    if (!repo) throw new Error("no repository");
    const [p1, p2, p3] = repo.pullRequests;
    if (!p1 || !p2 || !p3) throw new Error("too few pull requests");
    p1.updatedAt = "2026-09-30T00:00:00Z"; // touched long after merging
    p2.state = "CLOSED";
    p3.baseRefName = "release";
    fake = await startFakeGitHub({ orgs: [org], tokens: { t: { login: "dev1" } } });
    const { body } = await gql(
      fake,
      "t",
      `{ repository(owner: "acme", name: "service-01") {
        pullRequests(first: 3, states: [MERGED], baseRefName: "main", orderBy: {field: UPDATED_AT, direction: DESC}) {
          totalCount nodes { number updatedAt } } } }`,
    );
    const prs = body.data.repository.pullRequests;
    expect(prs.totalCount).toBe(10);
    // #5's 250 reviews kept it open for 21 hours, so it was updated after #12.
    expect(prs.nodes.map((n: { number: number }) => n.number)).toEqual([1, 5, 12]);
  });

  it("refuses first > 100 and a missing first with GitHub's errors, but not for totalCount alone", async () => {
    fake = await startFakeGitHub({ orgs: [smallOrg()], tokens: TOKENS });
    const tooMany = await gql(
      fake,
      "alice",
      `{ organization(login: "acme") { login teams(first: 101) { nodes { slug } } } }`,
    );
    expect(tooMany.body).toEqual({
      data: { organization: null },
      errors: [
        {
          type: "EXCESSIVE_PAGINATION",
          path: ["organization", "teams"],
          locations: [{ line: 1, column: 39 }],
          message: "Requesting 101 records on the `teams` connection exceeds the `first` limit of 100 records.",
        },
      ],
    });
    const missing = await gql(
      fake,
      "alice",
      `{ repository(owner: "acme", name: "api") { pullRequests { nodes { number } } } }`,
    );
    expect(missing.body.errors[0]).toMatchObject({
      type: "MISSING_PAGINATION_BOUNDARIES",
      path: ["repository", "pullRequests"],
      message: "You must provide a `first` or `last` value to properly paginate the `pullRequests` connection.",
    });
    expect(fake.invalidQueries).toHaveLength(2);
    const count = await gql(
      fake,
      "alice",
      `{ repository(owner: "acme", name: "api") { pullRequests(states: OPEN) { totalCount } } }`,
    );
    expect(count.body).toEqual({ data: { repository: { pullRequests: { totalCount: 1 } } } });
    const badCursor = await gql(
      fake,
      "alice",
      `{ repository(owner: "acme", name: "api") { pullRequests(first: 1, after: "bm9wZQ==") { totalCount } } }`,
    );
    expect(badCursor.body.errors[0]).toMatchObject({
      type: "INVALID_CURSOR_ARGUMENTS",
      message: "`bm9wZQ==` does not appear to be a valid cursor.",
    });
  });
});
