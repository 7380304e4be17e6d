import { schema as published } from "@octokit/graphql-schema";
import { buildClientSchema, type GraphQLSchema, type IntrospectionQuery, parse, validate } from "graphql";
import { describe, expect, it } from "vitest";
import * as queries from "../../../src/collectors/github/queries.js";

let schema: GraphQLSchema | undefined;
function githubSchema(): GraphQLSchema {
  schema ??= buildClientSchema(published.json as unknown as IntrospectionQuery);
  return schema;
}

const documents = Object.entries(queries).filter(
  (e): e is [string, string] => typeof e[1] === "string" && e[1].startsWith("query "),
);

describe("the collector's GraphQL documents", () => {
  it("are all found", () => {
    expect(documents.map(([k]) => k).sort()).toEqual(
      expect.arrayContaining(["ORG_MEMBERS", "ORG_TEAMS", "PULL_REQUEST_PAGE", "REPO_RULESETS"]),
    );
  });

  it.each(documents)("%s validates against GitHub's published schema", (_name, doc) => {
    expect(validate(githubSchema(), parse(doc)).map((e) => e.message)).toEqual([]);
  });

  it.each([1, 7, 50])("the commit lookup for %i commits validates", (n) => {
    expect(validate(githubSchema(), parse(queries.commitPullRequestsQuery(n))).map((e) => e.message)).toEqual([]);
  });
});
