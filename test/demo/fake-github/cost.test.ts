import { parse } from "graphql";
import { afterEach, describe, expect, it } from "vitest";
import {
  analyzeQuery,
  buildOrganization,
  type FakeGitHub,
  githubSchema,
  nodeLimitMessage,
  startFakeGitHub,
} from "../../../src/demo/fake-github/index.js";
import { gql } from "./helpers.js";

let fake: FakeGitHub | undefined;
afterEach(async () => {
  await fake?.close({ allowInvalid: true });
  fake = undefined;
});

function analyze(query: string) {
  const document = parse(query);
  const operation = document.definitions[0];
  if (operation?.kind !== "OperationDefinition") throw new Error("no operation");
  return analyzeQuery(githubSchema(), document, operation, {});
}

const org = () =>
  buildOrganization({
    login: "acme",
    repositories: 1,
    pullRequestsPerRepository: 3,
    reviewsPerPullRequest: 2,
    members: 3,
  });

/** The nested query a collector sends per page of merged pull requests. */
const NESTED = `query Page($after: String) {
  repository(owner: "acme", name: "service-01") {
    pullRequests(first: 50, after: $after, states: MERGED) {
      nodes {
        number
        reviews(first: 10) { nodes { state } }
        commits(first: 20) { nodes { commit { oid authors(first: 5) { nodes { email } } } } }
        timelineItems(first: 30, itemTypes: [MERGED_EVENT]) { nodes { __typename } }
      }
    }
  }
  rateLimit { limit cost remaining used resetAt nodeCount }
}`;

describe("GitHub's documented cost and node-limit arithmetic", () => {
  it("prices the documentation's example query at 5,101 requests = 51 points", () => {
    const analysis = analyze(`query {
      viewer { login repositories(first: 100) { edges { node { id
        issues(first: 50) { edges { node { id labels(first: 60) { edges { node { id name } } } } } } } } } }
    }`);
    expect(analysis.requests).toBe(5_101);
    expect(analysis.cost).toBe(51);
  });

  it("counts the documentation's two node examples: 550 and 22,060", () => {
    expect(
      analyze(`query { viewer { repositories(first: 50) { edges { repository: node { name
        issues(first: 10) { totalCount edges { node { title bodyHTML } } } } } } } }`).nodeCount,
    ).toBe(550);
    expect(
      analyze(`query { viewer {
        repositories(first: 50) { edges { repository: node { name
          pullRequests(first: 20) { edges { pullRequest: node { title comments(first: 10) { edges { comment: node { bodyHTML } } } } } }
          issues(first: 20) { totalCount edges { issue: node { title bodyHTML comments(first: 10) { edges { comment: node { bodyHTML } } } } } } } } }
        followers(first: 10) { edges { follower: node { login } } } } }`).nodeCount,
    ).toBe(22_060);
  });

  it("names the connection that alone passes 500,000 nodes, else the total", () => {
    const single = analyze(`{ repository(owner: "a", name: "b") { pullRequests(first: 100) { nodes {
      commits(first: 100) { nodes { commit { authors(first: 100) { nodes { email } } } } } } } } }`);
    expect(nodeLimitMessage(single)).toBe(
      "By the time this query traverses to the authors connection, it is requesting up to 1,000,000 possible nodes which exceeds the maximum limit of 500,000.",
    );
    const total = analyze(`{ repository(owner: "a", name: "b") { pullRequests(first: 50) { nodes {
      commits(first: 100) { nodes { commit { authors(first: 100) { nodes { email } } } } } } } } }`);
    expect(total.nodeCount).toBe(505_050);
    expect(nodeLimitMessage(total)).toBe(
      "This query requests up to 505,050 possible nodes which exceeds the maximum limit of 500,000.",
    );
  });

  it("charges a nested page query its points and answers rateLimit and the headers", async () => {
    fake = await startFakeGitHub({ orgs: [org()], tokens: { t: { login: "dev1" } } });
    // requests: pullRequests 1 + reviews 50 + commits 50 + authors 50*20 + timelineItems 50 = 1,151 -> 12 points
    const first = await gql(fake, "t", NESTED);
    expect(first.body.errors).toBeUndefined();
    expect(first.body.data.rateLimit).toMatchObject({
      limit: 5000,
      cost: 12,
      used: 12,
      remaining: 4988,
      nodeCount: 8_050,
    });
    expect(first.body.data.rateLimit.resetAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(first.headers.get("x-ratelimit-limit")).toBe("5000");
    expect(first.headers.get("x-ratelimit-remaining")).toBe("4988");
    expect(first.headers.get("x-ratelimit-used")).toBe("12");
    expect(first.headers.get("x-ratelimit-resource")).toBe("graphql");
    expect(Number(first.headers.get("x-ratelimit-reset"))).toBe(
      Math.floor(Date.parse(first.body.data.rateLimit.resetAt) / 1000),
    );
    const second = await gql(fake, "t", `{ viewer { login } rateLimit { cost used remaining } }`);
    expect(second.body.data.rateLimit).toEqual({ cost: 1, used: 13, remaining: 4987 });
    expect(fake.stats()).toEqual({ requests: 2, points: 13 });
    expect(fake.requests.map((r) => [r.cost, r.nodeCount])).toEqual([
      [12, 8_050],
      [1, 0],
    ]);
  });

  it("refuses a query over the node limit without charging it", async () => {
    fake = await startFakeGitHub({ orgs: [org()], tokens: { t: { login: "dev1" } } });
    const { status, body, headers } = await gql(
      fake,
      "t",
      `{ repository(owner: "acme", name: "service-01") { pullRequests(first: 100) { nodes {
        commits(first: 100) { nodes { commit { authors(first: 100) { nodes { email } } } } } } } } }`,
    );
    expect(status).toBe(200);
    expect(body).toEqual({
      errors: [
        {
          type: "MAX_NODE_LIMIT_EXCEEDED",
          message:
            "By the time this query traverses to the authors connection, it is requesting up to 1,000,000 possible nodes which exceeds the maximum limit of 500,000.",
        },
      ],
    });
    expect(headers.get("x-ratelimit-used")).toBe("0");
    expect(fake.invalidQueries).toHaveLength(1);
  });

  it("answers 502 for a query above timeoutAboveNodes, after charging it", async () => {
    fake = await startFakeGitHub({ orgs: [org()], tokens: { t: { login: "dev1" } }, timeoutAboveNodes: 5_000 });
    const heavy = await gql(fake, "t", NESTED);
    expect(heavy.status).toBe(502);
    expect(heavy.body.message).toMatch(/^We couldn't respond to your request in time/);
    expect(heavy.headers.get("x-ratelimit-used")).toBe("12");
    const light = await gql(fake, "t", `{ viewer { login } }`);
    expect(light.status).toBe(200);
  });

  it("exhausts the primary budget: the last query runs, the next gets RATE_LIMITED until the reset", async () => {
    let now = new Date("2026-07-01T10:00:00Z");
    fake = await startFakeGitHub({
      orgs: [org()],
      tokens: { t: { login: "dev1" }, other: { login: "dev1" } },
      rateLimit: { limit: 5000, remaining: 5, resetAt: new Date("2026-07-01T10:30:00Z") },
      now: () => now,
    });
    const last = await gql(fake, "t", NESTED);
    expect(last.body.data.rateLimit).toMatchObject({ remaining: 0, used: 5007 });
    // The budget is the user's: another token of the same user is refused too.
    const refused = await gql(fake, "other", `{ viewer { login } }`);
    expect(refused.status).toBe(200);
    expect(refused.body).toEqual({
      errors: [{ type: "RATE_LIMITED", message: "API rate limit exceeded for user ID 100000." }],
    });
    expect(refused.headers.get("x-ratelimit-remaining")).toBe("0");
    expect(refused.headers.get("x-ratelimit-reset")).toBe(String(Date.parse("2026-07-01T10:30:00Z") / 1000));
    now = new Date("2026-07-01T10:30:01Z");
    const after = await gql(fake, "t", `{ rateLimit { remaining used } }`);
    expect(after.body.data.rateLimit).toEqual({ remaining: 4999, used: 1 });
  });

  it("leaves rate limiting out when it is disabled, as a default GHES does", async () => {
    fake = await startFakeGitHub({
      orgs: [org()],
      tokens: { t: { login: "dev1" } },
      rateLimit: false,
      pathPrefix: "/api",
    });
    const { body, headers } = await gql(fake, "t", `{ viewer { login } rateLimit { remaining } }`);
    expect(body).toEqual({ data: { viewer: { login: "dev1" }, rateLimit: null } });
    expect(headers.get("x-ratelimit-limit")).toBeNull();
  });
});
