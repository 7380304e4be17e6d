import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { buildClientSchema, type GraphQLSchema, type IntrospectionQuery } from "graphql";

/**
 * GitHub's public schema, from @octokit/graphql-schema's introspection JSON. Its SDL does not
 * build with graphql-js (GitHub's directives), the introspection does. Building takes ~200 ms,
 * so it happens once per process.
 */

let cached: GraphQLSchema | undefined;

export function githubSchema(): GraphQLSchema {
  if (!cached) {
    const json = JSON.parse(readFileSync(schemaJsonPath(), "utf8")) as { __schema?: unknown; data?: unknown };
    const introspection = (json.data ?? json) as IntrospectionQuery;
    cached = buildClientSchema(introspection);
  }
  return cached;
}

/**
 * The package exports only its entry module, which loads the JSON relative to itself; bundled
 * into the CLI that relative path would point into dist/. Resolving the package at run time keeps
 * the 5 MB schema out of the bundle and finds it wherever npm put it.
 */
function schemaJsonPath(): string {
  try {
    const entry = import.meta.resolve("@octokit/graphql-schema");
    const candidate = fileURLToPath(new URL("./schema.json", entry));
    if (existsSync(candidate)) return candidate;
  } catch {
    // Some loaders (test transformers) lack import.meta.resolve: walk up to node_modules instead.
  }
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = path.join(dir, "node_modules", "@octokit", "graphql-schema", "schema.json");
    if (existsSync(candidate)) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error("@octokit/graphql-schema/schema.json not found");
    dir = parent;
  }
}
