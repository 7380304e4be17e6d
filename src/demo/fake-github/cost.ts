import {
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  GraphQLIncludeDirective,
  type GraphQLSchema,
  GraphQLSkipDirective,
  getArgumentValues,
  getDirectiveValues,
  getNamedType,
  isCompositeType,
  isInterfaceType,
  isObjectType,
  Kind,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from "graphql";

/**
 * GitHub's static query accounting, as documented in "Rate limits and query limits for the GraphQL
 * API": a connection needs one request per parent it hangs off (the product of the `first`/`last`
 * of the connections above it); the requests summed, divided by 100 and rounded give the points,
 * at least 1. The node count is the same products including the connection's own `first`/`last`,
 * summed, and may not exceed 500,000.
 */

export const MAX_NODE_LIMIT = 500_000;

export interface ConnectionCost {
  /** Field path through the document, aliases resolved (e.g. repository.pullRequests.nodes.reviews). */
  path: string;
  name: string;
  requests: number;
  nodes: number;
}

export interface QueryAnalysis {
  requests: number;
  /** Points the query costs (rateLimit.cost). */
  cost: number;
  /** Nodes the query may return (rateLimit.nodeCount). */
  nodeCount: number;
  connections: ConnectionCost[];
}

export function pointsFor(requests: number): number {
  return Math.max(1, Math.round(requests / 100));
}

function isConnectionField(field: GraphQLField<unknown, unknown>): boolean {
  return getNamedType(field.type).name.endsWith("Connection") && field.args.some((a) => a.name === "first");
}

function pageSize(args: Record<string, unknown>): number | undefined {
  for (const name of ["first", "last"]) {
    const v = args[name];
    if (typeof v === "number" && Number.isFinite(v)) return Math.max(0, v);
  }
  return undefined;
}

export function analyzeQuery(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown>,
): QueryAnalysis {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const def of document.definitions) {
    if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
  }
  const connections: ConnectionCost[] = [];
  let requests = 0;
  let nodeCount = 0;

  const skipped = (node: Parameters<typeof getDirectiveValues>[1]): boolean => {
    try {
      if (getDirectiveValues(GraphQLSkipDirective, node, variables)?.if === true) return true;
      if (getDirectiveValues(GraphQLIncludeDirective, node, variables)?.if === false) return true;
    } catch {
      // An invalid directive argument is a validation matter, reported elsewhere.
    }
    return false;
  };

  const walk = (
    set: SelectionSetNode,
    parent: GraphQLCompositeType,
    multiplier: number,
    path: string[],
    seen: ReadonlySet<string>,
  ): void => {
    for (const selection of set.selections) {
      if (skipped(selection)) continue;
      if (selection.kind === Kind.FIELD) {
        if (selection.name.value.startsWith("__")) continue;
        if (!isObjectType(parent) && !isInterfaceType(parent)) continue;
        const field = parent.getFields()[selection.name.value];
        if (!field) continue;
        const here = [...path, selection.alias?.value ?? selection.name.value];
        let childMultiplier = multiplier;
        if (isConnectionField(field)) {
          let args: Record<string, unknown> = {};
          try {
            args = getArgumentValues(field, selection, variables);
          } catch {
            // Invalid argument values fail validation first.
          }
          const size = pageSize(args);
          const nodes = multiplier * (size ?? 0);
          requests += multiplier;
          nodeCount += nodes;
          connections.push({ path: here.join("."), name: field.name, requests: multiplier, nodes });
          childMultiplier = multiplier * (size ?? 1);
        }
        const named = getNamedType(field.type);
        if (selection.selectionSet && isCompositeType(named)) {
          walk(selection.selectionSet, named, childMultiplier, here, seen);
        }
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const condition = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parent;
        if (condition && isCompositeType(condition)) walk(selection.selectionSet, condition, multiplier, path, seen);
      } else {
        const name = selection.name.value;
        const fragment = fragments.get(name);
        // Validation rejects cycles; the guard keeps a broken document from recursing forever.
        if (!fragment || seen.has(name)) continue;
        const condition = schema.getType(fragment.typeCondition.name.value);
        if (condition && isCompositeType(condition)) {
          walk(fragment.selectionSet, condition, multiplier, path, new Set([...seen, name]));
        }
      }
    }
  };

  const root =
    operation.operation === "mutation"
      ? schema.getMutationType()
      : operation.operation === "subscription"
        ? schema.getSubscriptionType()
        : schema.getQueryType();
  if (root) walk(operation.selectionSet, root, 1, [], new Set());
  return { requests, cost: pointsFor(requests), nodeCount, connections };
}

const count = (n: number): string => n.toLocaleString("en-US");

/**
 * GitHub's MAX_NODE_LIMIT_EXCEEDED message: it names the connection when one alone is over the
 * limit, and the total otherwise (both wordings are what api.github.com answers).
 */
export function nodeLimitMessage(analysis: QueryAnalysis, limit = MAX_NODE_LIMIT): string | undefined {
  const single = analysis.connections.find((c) => c.nodes > limit);
  if (single) {
    return `By the time this query traverses to the ${single.name} connection, it is requesting up to ${count(
      single.nodes,
    )} possible nodes which exceeds the maximum limit of ${count(limit)}.`;
  }
  if (analysis.nodeCount > limit) {
    return `This query requests up to ${count(analysis.nodeCount)} possible nodes which exceeds the maximum limit of ${count(limit)}.`;
  }
  return undefined;
}
