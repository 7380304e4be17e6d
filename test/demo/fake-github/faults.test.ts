import { Octokit } from "@octokit/core";
import { throttling } from "@octokit/plugin-throttling";
import { afterEach, describe, expect, it } from "vitest";
import { type FakeGitHub, startFakeGitHub } from "../../../src/demo/fake-github/index.js";
import { gql, smallOrg, TOKENS } from "./helpers.js";

let fake: FakeGitHub | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

const start = async (extra: Partial<Parameters<typeof startFakeGitHub>[0]> = {}) => {
  fake = await startFakeGitHub({ orgs: [smallOrg()], tokens: TOKENS, ...extra });
  return fake;
};

const PRS = `query Prs { repository(owner: "acme", name: "api") { pullRequests(first: 10) { nodes { number mergedBy { login } } } } }`;

describe("queued faults answer as GitHub and its proxies do", () => {
  it("bad-gateway and gateway-timeout still charge the points; server-error does not", async () => {
    const server = await start();
    server.inject({ kind: "bad-gateway" });
    const badGateway = await gql(server, "alice", PRS);
    expect(badGateway.status).toBe(502);
    expect(badGateway.body.data).toBeNull();
    expect(badGateway.body.errors[0].message).toMatch(/^Something went wrong while executing your query/);
    expect(badGateway.headers.get("x-ratelimit-used")).toBe("1");

    server.inject({ kind: "gateway-timeout" });
    const timeout = await gql(server, "alice", PRS);
    expect(timeout.status).toBe(504);
    expect(timeout.body.message).toMatch(/^We couldn't respond to your request in time/);
    expect(timeout.headers.get("x-ratelimit-used")).toBe("2");

    server.inject({ kind: "server-error" });
    const error = await gql(server, "alice", PRS);
    expect(error.status).toBe(500);
    expect(error.headers.get("x-ratelimit-used")).toBe("2");

    const healthy = await gql(server, "alice", PRS);
    expect(healthy.status).toBe(200);
    expect(server.requests.map((r) => r.fault)).toEqual(["bad-gateway", "gateway-timeout", "server-error", undefined]);
  });

  it("secondary-rate-limit: 403, GitHub's message and documentation_url, retry-after", async () => {
    const server = await start();
    server.inject({ kind: "secondary-rate-limit", retryAfterSeconds: 30, times: 2 });
    for (let i = 0; i < 2; i++) {
      const { status, body, headers } = await gql(server, "alice", PRS);
      expect(status).toBe(403);
      expect(headers.get("retry-after")).toBe("30");
      expect(body.documentation_url).toBe(
        "https://docs.github.com/free-pro-team@latest/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits",
      );
      expect(body.message).toMatch(
        /^You have exceeded a secondary rate limit\. Please wait a few minutes before you try again\. If you reach out to GitHub Support for help, please include the request ID [0-9A-F:]+\.$/,
      );
    }
    server.inject({ kind: "secondary-rate-limit", retryAfterSeconds: null });
    const noHeader = await gql(server, "alice", PRS);
    expect(noHeader.status).toBe(403);
    expect(noHeader.headers.get("retry-after")).toBeNull();
    expect((await gql(server, "alice", PRS)).status).toBe(200);
  });

  it("enforces the documented secondary limit when asked to", async () => {
    const server = await start({ secondaryLimits: { pointsPerMinute: 3 } });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await gql(server, "alice", `{ viewer { login } }`)).status);
    expect(statuses).toEqual([200, 200, 200, 403]);
  });

  it("primary-exhausted: RATE_LIMITED until the reset, which Octokit's throttling plugin recognises", async () => {
    let now = new Date("2026-07-01T10:00:00Z");
    const server = await start({ now: () => now, rateLimit: { resetAt: new Date("2026-07-01T10:00:05Z") } });
    server.inject({ kind: "primary-exhausted" });
    const refused = await gql(server, "bob", `{ viewer { login } }`);
    expect(refused.body).toEqual({
      errors: [{ type: "RATE_LIMITED", message: "API rate limit exceeded for user ID 1002." }],
    });
    expect(refused.headers.get("x-ratelimit-remaining")).toBe("0");

    const ThrottledOctokit = Octokit.plugin(throttling);
    const waits: number[] = [];
    const octokit = new ThrottledOctokit({
      auth: "bob",
      baseUrl: server.restBaseUrl,
      throttle: {
        onRateLimit: (retryAfter) => {
          waits.push(retryAfter);
          now = new Date("2026-07-01T10:00:06Z");
          return true;
        },
        onSecondaryRateLimit: () => false,
        retryAfterBaseValue: 1,
      },
    });
    const answer = await octokit.graphql<{ viewer: { login: string } }>(`{ viewer { login } }`);
    expect(answer.viewer.login).toBe("bob");
    expect(waits).toHaveLength(1);
  });

  it("slow answers after delayMs; match and times pick the requests", async () => {
    const server = await start();
    server.inject({ kind: "slow", delayMs: 300, match: (r) => r.operationName === "Prs" });
    const t0 = Date.now();
    await gql(server, "alice", `{ viewer { login } }`);
    expect(Date.now() - t0).toBeLessThan(250);
    const t1 = Date.now();
    const slow = await gql(server, "alice", PRS, {}, { operationName: "Prs" });
    expect(Date.now() - t1).toBeGreaterThanOrEqual(290);
    expect(slow.body.data.repository.pullRequests.nodes).toHaveLength(2);
  });

  it("truncated sends part of the body, then cuts the connection", async () => {
    const server = await start();
    server.inject({ kind: "truncated" });
    const res = await fetch(server.graphqlUrl, {
      method: "POST",
      headers: { authorization: "bearer alice", "content-type": "application/json" },
      body: JSON.stringify({ query: PRS }),
    });
    expect(res.status).toBe(200);
    await expect(res.text()).rejects.toThrow();
    expect((await gql(server, "alice", PRS)).status).toBe(200);
  });

  it("drop-connection charges the query, then closes the connection without an answer", async () => {
    const server = await start();
    server.inject({ kind: "drop-connection" });
    await expect(gql(server, "alice", PRS)).rejects.toThrow(/fetch failed/);
    expect(server.requests[0]).toMatchObject({ fault: "drop-connection", charged: 1 });
    expect((await gql(server, "alice", PRS)).headers.get("x-ratelimit-used")).toBe("2");
  });

  it("drop-field removes a field from every matching place in data", async () => {
    const server = await start();
    server.inject({ kind: "drop-field", path: "repository.pullRequests.nodes.*.mergedBy" });
    const { body } = await gql(server, "alice", PRS);
    expect(body.data.repository.pullRequests.nodes).toEqual([{ number: 1 }, { number: 2 }]);
  });
});
