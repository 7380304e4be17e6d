import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  buildOrganization,
  type FakeGitHub,
  type FakeOrganization,
  startFakeGitHub,
} from "../../../src/demo/fake-github/index.js";
import { gql } from "./helpers.js";

const PAGE = `query Page($name: String!, $after: String) {
  repository(owner: "big", name: $name) {
    pullRequests(first: 50, after: $after, states: MERGED, orderBy: {field: UPDATED_AT, direction: DESC}) {
      pageInfo { hasNextPage endCursor }
      nodes {
        number mergedAt mergeCommit { oid } author { login }
        reviews(first: 10) { totalCount nodes { databaseId state author { login } commit { oid } } }
        commits(first: 20) { totalCount nodes { commit { oid committedDate author { email user { login } } signature { state } } } }
        timelineItems(first: 10, itemTypes: [MERGED_EVENT, REVIEW_DISMISSED_EVENT]) { nodes { __typename } }
      }
    }
  }
}`;

describe("a large organisation (20 repositories x 500 pull requests) is served quickly", () => {
  let org: FakeOrganization;
  let fake: FakeGitHub;
  let buildMs = 0;

  beforeAll(async () => {
    const t0 = performance.now();
    org = buildOrganization({
      login: "big",
      repositories: 20,
      pullRequestsPerRepository: 500,
      reviewsPerPullRequest: (i) => 1 + (i % 10),
      commitsPerPullRequest: (i) => 1 + ((i * 7) % 20),
      members: 40,
    });
    buildMs = performance.now() - t0;
    fake = await startFakeGitHub({ orgs: [org], tokens: { t: { login: "dev1" } }, rateLimit: { limit: 12_500 } });
  });
  afterAll(async () => {
    await fake.close();
  });

  it("builds deterministically", () => {
    expect(buildMs).toBeLessThan(10_000);
    const again = buildOrganization({ login: "big", repositories: 1, pullRequestsPerRepository: 3 });
    const first = buildOrganization({ login: "big", repositories: 1, pullRequestsPerRepository: 3 });
    expect(JSON.stringify(again)).toBe(JSON.stringify(first));
    expect(org.repositories[0]?.commits.length).toBeGreaterThan(5_000);
  });

  it("pages every merged pull request of every repository with nested reviews and commits", async () => {
    const t0 = performance.now();
    let prs = 0;
    let reviews = 0;
    let commits = 0;
    for (const repo of org.repositories) {
      let after: string | null = null;
      do {
        const page = await gql(fake, "t", PAGE, { name: repo.name, after });
        expect(page.body.errors).toBeUndefined();
        const conn = page.body.data.repository.pullRequests;
        for (const pr of conn.nodes) {
          prs++;
          reviews += pr.reviews.nodes.length;
          commits += pr.commits.nodes.length;
        }
        after = conn.pageInfo.hasNextPage ? conn.pageInfo.endCursor : null;
      } while (after);
    }
    const elapsed = performance.now() - t0;
    expect(prs).toBe(10_000);
    expect(reviews).toBe(
      org.repositories.reduce((n, r) => n + r.pullRequests.reduce((m, p) => m + p.reviews.length, 0), 0),
    );
    expect(commits).toBe(
      org.repositories.reduce((n, r) => n + r.pullRequests.reduce((m, p) => m + p.commits.length, 0), 0),
    );
    expect(fake.stats().requests).toBe(200);
    // 200 pages of ~1,500 nodes each; generous bound for a loaded CI machine.
    expect(elapsed).toBeLessThan(30_000);
    // The documented formula: 1 + 50 (reviews) + 50 (commits) + 50 (timeline) = 151 requests -> 2 points a page.
    expect(fake.stats().points).toBe(400);
  });
});
