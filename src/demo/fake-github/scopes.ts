import { type DocumentNode, type GraphQLSchema, getNamedType, Kind, TypeInfo, visit, visitWithTypeInfo } from "graphql";
import type { GitHubGraphQLError } from "./errors.js";

/**
 * OAuth scope checks for classic tokens. GitHub checks them before running the query: each field
 * selected on a type the token may not read gets its own INSUFFICIENT_SCOPES error and nothing is
 * executed. Fine-grained and installation tokens have no scopes; their access is not modelled here.
 */

/** Organisation membership and teams need read:org (or the broader write:org / admin:org). */
const READ_ORG_TYPES = new Set([
  "OrganizationMemberConnection",
  "OrganizationMemberEdge",
  "Team",
  "TeamConnection",
  "TeamEdge",
  "TeamMemberConnection",
  "TeamMemberEdge",
  "TeamRepositoryConnection",
  "TeamRepositoryEdge",
]);
const READ_ORG_GRANTS = ["read:org", "write:org", "admin:org"];

const quoteList = (items: readonly string[]): string =>
  `[${(items.length > 0 ? items : [""]).map((s) => `'${s}'`).join(", ")}]`;

export function scopeErrors(
  schema: GraphQLSchema,
  document: DocumentNode,
  scopes: readonly string[],
  settingsUrl: string,
): GitHubGraphQLError[] {
  if (scopes.some((s) => READ_ORG_GRANTS.includes(s))) return [];
  const errors: GitHubGraphQLError[] = [];
  const typeInfo = new TypeInfo(schema);
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      [Kind.FIELD]: (node) => {
        const parent = typeInfo.getParentType();
        if (!parent || !READ_ORG_TYPES.has(getNamedType(parent).name) || node.name.value === "__typename") return;
        const loc = node.loc?.startToken;
        errors.push({
          type: "INSUFFICIENT_SCOPES",
          ...(loc ? { locations: [{ line: loc.line, column: loc.column }] } : {}),
          message: `Your token has not been granted the required scopes to execute this query. The '${node.name.value}' field requires one of the following scopes: ['read:org'], but your token has only been granted the: ${quoteList(scopes)} scopes. Please modify your token's scopes at: ${settingsUrl}.`,
        });
      },
    }),
  );
  return errors;
}
