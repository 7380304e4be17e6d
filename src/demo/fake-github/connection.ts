import {
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLResolveInfo,
  Kind,
  type SelectionSetNode,
} from "graphql";
import { GitHubFieldError } from "./errors.js";
import { decodeCursor, encodeCursor } from "./ids.js";

/**
 * Relay connections with GitHub's pagination rules: `first` or `last` is required as soon as the
 * query asks for `edges` or `nodes` (a bare `totalCount` needs neither), at most 100, and cursors
 * are opaque. Cursors carry the item's key rather than its position, so a page boundary stays put
 * when the model grows between two requests, as GitHub's keyset cursors do.
 */

export const MAX_PAGE_SIZE = 100;

export type GqlObject = Record<string, unknown>;

export interface ConnectionSpec<T> {
  items: readonly T[];
  key: (item: T) => string;
  /** The edge for an item: `node` plus any edge fields (role, permission, ...). */
  edge: (item: T) => GqlObject;
  args: Record<string, unknown>;
  info: GraphQLResolveInfo;
  /** Further connection fields (filteredCount, updatedAt, ...). */
  extra?: GqlObject;
  /** The count to report when GitHub counts more than it lists (a pull request's commits). */
  totalCount?: number;
}

function selectsItems(
  sets: readonly (SelectionSetNode | undefined)[],
  fragments: Record<string, FragmentDefinitionNode>,
): boolean {
  const stack = [...sets];
  const seen = new Set<string>();
  while (stack.length > 0) {
    const set = stack.pop();
    if (!set) continue;
    for (const s of set.selections) {
      if (s.kind === Kind.FIELD) {
        if (s.name.value === "edges" || s.name.value === "nodes") return true;
      } else if (s.kind === Kind.INLINE_FRAGMENT) {
        stack.push(s.selectionSet);
      } else if (!seen.has(s.name.value)) {
        seen.add(s.name.value);
        stack.push(fragments[s.name.value]?.selectionSet);
      }
    }
  }
  return false;
}

function intArg(args: Record<string, unknown>, name: string): number | undefined {
  const v = args[name];
  return typeof v === "number" ? v : undefined;
}

function stringArg(args: Record<string, unknown>, name: string): string | undefined {
  const v = args[name];
  return typeof v === "string" ? v : undefined;
}

export function connection<T>(spec: ConnectionSpec<T>): GqlObject {
  const { items, key, args, info } = spec;
  const name = info.fieldName;
  const first = intArg(args, "first");
  const last = intArg(args, "last");
  const fieldNodes: readonly FieldNode[] = info.fieldNodes;
  if (first === undefined && last === undefined) {
    if (
      selectsItems(
        fieldNodes.map((f) => f.selectionSet),
        info.fragments,
      )
    ) {
      throw new GitHubFieldError(
        "MISSING_PAGINATION_BOUNDARIES",
        `You must provide a \`first\` or \`last\` value to properly paginate the \`${name}\` connection.`,
        true,
      );
    }
  }
  if (first !== undefined && last !== undefined) {
    throw new GitHubFieldError(
      undefined,
      `Passing both \`first\` and \`last\` to paginate the \`${name}\` connection is not supported.`,
      true,
    );
  }
  for (const [label, value] of [
    ["first", first],
    ["last", last],
  ] as const) {
    if (value === undefined) continue;
    if (value > MAX_PAGE_SIZE) {
      throw new GitHubFieldError(
        "EXCESSIVE_PAGINATION",
        `Requesting ${value} records on the \`${name}\` connection exceeds the \`${label}\` limit of ${MAX_PAGE_SIZE} records.`,
        true,
      );
    }
    if (value < 0) {
      throw new GitHubFieldError(
        undefined,
        `\`${label}\` on the \`${name}\` connection cannot be less than zero.`,
        true,
      );
    }
  }

  const position = (cursor: string): number => {
    const k = decodeCursor(cursor);
    if (k === undefined) {
      throw new GitHubFieldError(
        "INVALID_CURSOR_ARGUMENTS",
        `\`${cursor}\` does not appear to be a valid cursor.`,
        true,
      );
    }
    return items.findIndex((item) => key(item) === k);
  };
  let lo = 0;
  let hi = items.length;
  const after = stringArg(args, "after");
  const before = stringArg(args, "before");
  if (after !== undefined) {
    const at = position(after);
    // The item behind the cursor is gone: nothing is known to follow it.
    lo = at === -1 ? items.length : at + 1;
  }
  if (before !== undefined) {
    const at = position(before);
    if (at !== -1) hi = at;
  }
  const skip = intArg(args, "skip");
  if (skip !== undefined && skip > 0) lo = Math.min(hi, lo + skip);
  let start = lo;
  let end = Math.max(lo, hi);
  if (first !== undefined) end = Math.min(end, start + first);
  if (last !== undefined) start = Math.max(start, end - last);
  const slice = items.slice(start, end);

  let edges: GqlObject[] | undefined;
  const buildEdges = (): GqlObject[] => {
    edges ??= slice.map((item) => ({ cursor: encodeCursor(key(item)), ...spec.edge(item) }));
    return edges;
  };
  const firstItem = slice[0];
  const lastItem = slice[slice.length - 1];
  return {
    totalCount: spec.totalCount ?? items.length,
    pageInfo: {
      startCursor: firstItem === undefined ? null : encodeCursor(key(firstItem)),
      endCursor: lastItem === undefined ? null : encodeCursor(key(lastItem)),
      hasNextPage: end < items.length,
      hasPreviousPage: start > 0,
    },
    edges: () => buildEdges(),
    nodes: () => buildEdges().map((e) => e.node ?? null),
    ...spec.extra,
  };
}
