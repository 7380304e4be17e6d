import { afterEach, describe, expect, it } from "vitest";
import { type FakeGitHub, startFakeGitHub } from "../../../src/demo/fake-github/index.js";
import { gql, smallOrg, TOKENS } from "./helpers.js";

let fake: FakeGitHub | undefined;
afterEach(async () => {
  await fake?.close({ allowInvalid: true });
  fake = undefined;
});

describe("fake GitHub validates every query against GitHub's schema", () => {
  it("rejects an unknown field as GitHub (graphql-ruby) words it, records it, and fails close()", async () => {
    const server = await startFakeGitHub({ orgs: [smallOrg()], tokens: TOKENS });
    const query = `query Repo {\n  repository(owner: "acme", name: "api") {\n    pullRequests(first: 1) { nodes { number mergedByLogin } }\n  }\n}`;
    const { status, body, headers } = await gql(server, "alice", query);
    expect(status).toBe(200);
    expect(body).toEqual({
      errors: [
        {
          path: ["query Repo", "repository", "pullRequests", "nodes", "mergedByLogin"],
          extensions: { code: "undefinedField", typeName: "PullRequest", fieldName: "mergedByLogin" },
          locations: [{ line: 3, column: 45 }],
          message: "Field 'mergedByLogin' doesn't exist on type 'PullRequest'",
        },
      ],
    });
    // Nothing ran, so nothing was charged.
    expect(headers.get("x-ratelimit-used")).toBe("0");
    expect(server.invalidQueries).toEqual([
      { query, errors: ["Field 'mergedByLogin' doesn't exist on type 'PullRequest'"] },
    ]);
    expect(server.requests[0]).toMatchObject({ valid: false, charged: 0 });
    await expect(server.close()).rejects.toThrow(/mergedByLogin/);
  });

  it("reports syntax errors, missing arguments and bad variables", async () => {
    fake = await startFakeGitHub({ orgs: [smallOrg()], tokens: TOKENS });
    const syntax = await gql(fake, "alice", '{ repository(owner: "acme", name: "api") { name }');
    expect(syntax.body.errors[0]).toEqual({
      message: 'Expected NAME, actual: (none) ("") at [1, 50]',
      locations: [{ line: 1, column: 50 }],
    });
    const missing = await gql(fake, "alice", `{ repository(owner: "acme") { name } }`);
    expect(missing.body.errors[0].message).toBe("Field 'repository' is missing required arguments: name");
    const variable = await gql(fake, "alice", `query($login: String!) { organization(login: $login) { login } }`, {});
    expect(variable.body.errors[0]).toMatchObject({
      message: "Variable $login of type String! was provided invalid value",
      extensions: { value: null, problems: [{ path: [], explanation: "Expected value to not be null" }] },
    });
    expect(fake.invalidQueries).toHaveLength(3);
  });

  it("passes a valid query and leaves close() clean", async () => {
    const server = await startFakeGitHub({ orgs: [smallOrg()], tokens: TOKENS });
    const { body } = await gql(server, "alice", `{ viewer { login } }`);
    expect(body).toEqual({ data: { viewer: { login: "alice" } } });
    await expect(server.close()).resolves.toBeUndefined();
  });
});
