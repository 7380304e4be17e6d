import { generateKeyPairSync } from "node:crypto";
import { createAppAuth } from "@octokit/auth-app";
import { Octokit } from "@octokit/core";
import { request } from "@octokit/request";
import { afterEach, describe, expect, it } from "vitest";
import { type FakeGitHub, startFakeGitHub } from "../../../src/demo/fake-github/index.js";
import { gql, smallOrg, TOKENS } from "./helpers.js";

let fake: FakeGitHub | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

const keys = () => generateKeyPairSync("rsa", { modulusLength: 2048 });
const pem = (k: ReturnType<typeof keys>) => ({
  privateKey: k.privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
  publicKey: k.publicKey.export({ type: "spki", format: "pem" }).toString(),
});

describe("authentication and access as GitHub answers them", () => {
  it("401 without a token and with a bad one", async () => {
    fake = await startFakeGitHub({ orgs: [smallOrg()], tokens: TOKENS });
    const none = await gql(fake, undefined, `{ viewer { login } }`);
    expect(none.status).toBe(401);
    expect(none.body).toEqual({
      message: "This endpoint requires you to be authenticated.",
      documentation_url:
        "https://docs.github.com/graphql/guides/forming-calls-with-graphql#authenticating-with-graphql",
    });
    const bad = await gql(fake, "nope", `{ viewer { login } }`);
    expect(bad.status).toBe(401);
    expect(bad.body).toEqual({
      message: "Bad credentials",
      documentation_url: "https://docs.github.com/graphql",
      status: "401",
    });
    const tokenScheme = await gql(fake, undefined, `{ viewer { login } }`, {}, { authorization: "token bob" });
    expect(tokenScheme.body.data.viewer.login).toBe("bob");
    expect(fake.requests.map((r) => [r.status, r.viewer])).toEqual([
      [401, undefined],
      [401, undefined],
      [200, "bob"],
    ]);
  });

  it("NOT_FOUND for an unknown organisation or repository, and for a private one the viewer cannot see", async () => {
    fake = await startFakeGitHub({ orgs: [smallOrg()], tokens: TOKENS });
    const { status, body } = await gql(fake, "alice", `{ organization(login: "nope") { login } }`);
    expect(status).toBe(200);
    expect(body).toEqual({
      data: { organization: null },
      errors: [
        {
          type: "NOT_FOUND",
          path: ["organization"],
          locations: [{ line: 1, column: 3 }],
          message: "Could not resolve to an Organization with the login of 'nope'.",
        },
      ],
    });
    const query = `{ repository(owner: "acme", name: "api") { name } }`;
    const stranger = await gql(fake, "stranger", query);
    expect(stranger.body.errors[0]).toMatchObject({
      type: "NOT_FOUND",
      message: "Could not resolve to a Repository with the name 'acme/api'.",
    });
    const pr = await gql(
      fake,
      "alice",
      `{ repository(owner: "acme", name: "api") { name pullRequest(number: 99) { title } } }`,
    );
    expect(pr.body.data).toEqual({ repository: { name: "api", pullRequest: null } });
    expect(pr.body.errors[0]).toMatchObject({
      type: "NOT_FOUND",
      path: ["repository", "pullRequest"],
      message: "Could not resolve to a PullRequest with the number of 99.",
    });
  });

  it("FORBIDDEN collaborators to a member who cannot push, as GitHub answers it", async () => {
    const org = smallOrg();
    org.users.push({ login: "rita" });
    org.members.push({ login: "rita", role: "MEMBER" });
    org.repositories[0]?.collaborators.push({
      login: "rita",
      permission: "READ",
      affiliation: "DIRECT",
      permissionSources: [{ source: { kind: "Organization", name: "acme" }, permission: "READ" }],
    });
    fake = await startFakeGitHub({ orgs: [org], tokens: { ...TOKENS, rita: { login: "rita" } } });
    const query = `{ repository(owner: "acme", name: "api") { name collaborators(first: 10) { totalCount } } }`;
    const { body } = await gql(fake, "rita", query);
    expect(body).toEqual({
      data: { repository: { name: "api", collaborators: null } },
      errors: [
        {
          type: "FORBIDDEN",
          path: ["repository", "collaborators"],
          locations: [{ line: 1, column: 49 }],
          message: "Must have push access to view repository collaborators.",
        },
      ],
    });
    expect((await gql(fake, "bob", query)).body.data.repository.collaborators.totalCount).toBe(4);
  });

  it("INSUFFICIENT_SCOPES for org data without read:org (classic tokens), x-oauth-scopes on every answer", async () => {
    fake = await startFakeGitHub({ orgs: [smallOrg()], tokens: TOKENS });
    const query = `{ organization(login: "acme") { login membersWithRole(first: 10) { edges { role } } } }`;
    const refused = await gql(fake, "repoOnly", query);
    expect(refused.status).toBe(200);
    expect(refused.headers.get("x-oauth-scopes")).toBe("repo");
    expect(refused.body.data).toBeNull();
    expect(refused.body.errors).toEqual([
      {
        type: "INSUFFICIENT_SCOPES",
        locations: [{ line: 1, column: 68 }],
        message:
          "Your token has not been granted the required scopes to execute this query. The 'edges' field requires one of the following scopes: ['read:org'], but your token has only been granted the: ['repo'] scopes. Please modify your token's scopes at: https://github.com/settings/tokens.",
      },
      {
        type: "INSUFFICIENT_SCOPES",
        locations: [{ line: 1, column: 76 }],
        message:
          "Your token has not been granted the required scopes to execute this query. The 'role' field requires one of the following scopes: ['read:org'], but your token has only been granted the: ['repo'] scopes. Please modify your token's scopes at: https://github.com/settings/tokens.",
      },
    ]);
    expect(fake.requests[0]?.charged).toBe(0);
    const granted = await gql(fake, "classic", query);
    expect(granted.headers.get("x-oauth-scopes")).toBe("repo, read:org");
    expect(granted.body.data.organization.membersWithRole.edges).toHaveLength(2);
    // Fine-grained tokens send no x-oauth-scopes.
    expect((await gql(fake, "alice", query)).headers.get("x-oauth-scopes")).toBeNull();
  });

  it("serves the GHES layout under /api", async () => {
    fake = await startFakeGitHub({ orgs: [smallOrg()], tokens: TOKENS, pathPrefix: "/api" });
    expect(fake.graphqlUrl).toBe(`${fake.url}/api/graphql`);
    expect(fake.restBaseUrl).toBe(`${fake.url}/api/v3`);
    const { body } = await gql(fake, "alice", `{ repository(owner: "acme", name: "api") { url } }`);
    expect(body.data.repository.url).toBe(`${fake.url}/acme/api`);
    const rest = await fetch(`${fake.restBaseUrl}/rate_limit`, { headers: { authorization: "token alice" } });
    expect(((await rest.json()) as { resources: { graphql: { used: number } } }).resources.graphql.used).toBe(1);
    const wrong = await fetch(`${fake.url}/graphql`, { method: "POST", body: "{}" });
    expect(wrong.status).toBe(404);
    // Octokit derives /api/graphql from a GHES baseUrl ending in /api/v3.
    const octokit = new Octokit({ auth: "alice", baseUrl: fake.restBaseUrl });
    const viaOctokit = await octokit.graphql<{ viewer: { login: string } }>(`{ viewer { login } }`);
    expect(viaOctokit.viewer.login).toBe("alice");
  });

  it("mints an installation token for @octokit/auth-app that then works for GraphQL as the installation", async () => {
    const app = pem(keys());
    fake = await startFakeGitHub({
      orgs: [smallOrg()],
      tokens: {},
      apps: [
        { appId: 4242, slug: "changeproof", publicKeyPem: app.publicKey, installations: [{ id: 77, org: "acme" }] },
      ],
    });
    const auth = createAppAuth({
      appId: 4242,
      privateKey: app.privateKey,
      installationId: 77,
      request: request.defaults({ baseUrl: fake.restBaseUrl }),
    });
    const installation = await auth({ type: "installation" });
    expect(installation.token).toMatch(/^ghs_[0-9A-Za-z]{36}$/);
    expect(installation.expiresAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const { body, headers } = await gql(
      fake,
      installation.token,
      `{ viewer { login } repository(owner: "acme", name: "api") { isPrivate }
         organization(login: "acme") { membersWithRole(first: 5) { edges { hasTwoFactorEnabled } } }
         rateLimit { limit } }`,
    );
    expect(body.errors).toBeUndefined();
    expect(body.data.viewer.login).toBe("changeproof[bot]");
    expect(body.data.repository.isPrivate).toBe(true);
    expect(body.data.organization.membersWithRole.edges).toEqual([
      { hasTwoFactorEnabled: true },
      { hasTwoFactorEnabled: false },
    ]);
    expect(body.data.rateLimit.limit).toBe(5000);
    expect(headers.get("x-oauth-scopes")).toBeNull();
    expect(fake.restRequests).toEqual([{ method: "POST", path: "/app/installations/77/access_tokens", status: 201 }]);
  });

  it("refuses a JWT from a skewed clock with GitHub's message; auth-app then corrects by the date header", async () => {
    const app = pem(keys());
    const serverNow = Date.now() + 20 * 60_000;
    fake = await startFakeGitHub({
      orgs: [smallOrg()],
      tokens: {},
      apps: [{ appId: 9, publicKeyPem: app.publicKey, installations: [{ id: 3, org: "acme" }] }],
      now: () => new Date(serverNow + (Date.now() % 1000)),
    });
    const warnings: string[] = [];
    const octokit = new Octokit({
      authStrategy: createAppAuth,
      auth: { appId: 9, privateKey: app.privateKey },
      baseUrl: fake.restBaseUrl,
      log: { debug: () => {}, info: () => {}, warn: (message: string) => warnings.push(message), error: () => {} },
    });
    const minted = await octokit.request("POST /app/installations/{installation_id}/access_tokens", {
      installation_id: 3,
    });
    expect(minted.status).toBe(201);
    expect(minted.data.token).toMatch(/^ghs_/);
    expect(warnings[0]).toMatch(
      /'Expiration time' claim \('exp'\) must be a numeric value representing the future time/,
    );
    expect(fake.restRequests.map((r) => r.status)).toEqual([401, 201]);
  });

  it("refuses a JWT signed by another key, an unknown App and an unknown installation as GitHub does", async () => {
    const app = pem(keys());
    const other = pem(keys());
    fake = await startFakeGitHub({
      orgs: [smallOrg()],
      tokens: {},
      apps: [{ appId: 1, publicKeyPem: app.publicKey, installations: [{ id: 5, org: "acme" }] }],
    });
    const baseRequest = request.defaults({ baseUrl: fake.restBaseUrl });
    const forged = createAppAuth({ appId: 1, privateKey: other.privateKey, installationId: 5, request: baseRequest });
    await expect(forged({ type: "installation" })).rejects.toMatchObject({
      status: 401,
      message: expect.stringContaining("A JSON web token could not be decoded"),
    });
    const unknownApp = createAppAuth({ appId: 2, privateKey: app.privateKey, installationId: 5, request: baseRequest });
    await expect(unknownApp({ type: "installation" })).rejects.toMatchObject({ status: 404 });
    const unknownInstallation = createAppAuth({
      appId: 1,
      privateKey: app.privateKey,
      installationId: 6,
      request: baseRequest,
    });
    await expect(unknownInstallation({ type: "installation" })).rejects.toMatchObject({ status: 404 });
    const raw = await fetch(`${fake.restBaseUrl}/app/installations/5/access_tokens`, {
      method: "POST",
      headers: { authorization: "bearer not.a.jwt" },
    });
    expect(raw.status).toBe(401);
    expect(await raw.json()).toEqual({
      message: "A JSON web token could not be decoded",
      documentation_url: "https://docs.github.com/rest",
      status: "401",
    });
  });
});
