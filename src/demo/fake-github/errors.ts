import {
  type ASTNode,
  type DocumentNode,
  type GraphQLError,
  Kind,
  type OperationDefinitionNode,
  print,
  type SelectionSetNode,
} from "graphql";

/**
 * Error bodies in GitHub's shapes. GitHub runs graphql-ruby, so validation messages differ from
 * graphql-js's; the common ones are rewritten to graphql-ruby's wording (and its `extensions.code`),
 * which is what a client's error handling and a test's expectations meet in production.
 */

export interface GitHubErrorLocation {
  line: number;
  column: number;
}

export interface GitHubGraphQLError {
  type?: string;
  path?: (string | number)[];
  extensions?: Record<string, unknown>;
  locations?: GitHubErrorLocation[];
  message: string;
}

/** Thrown by resolvers for errors GitHub reports with a `type` (NOT_FOUND, EXCESSIVE_PAGINATION, ...). */
export class GitHubFieldError extends Error {
  readonly type: string | undefined;
  /** The client's fault (pagination bounds, cursors): recorded as an invalid query. */
  readonly clientFault: boolean;
  constructor(type: string | undefined, message: string, clientFault = false) {
    super(message);
    this.name = "GitHubFieldError";
    this.type = type;
    this.clientFault = clientFault;
  }
}

export const DOCS = {
  graphql: "https://docs.github.com/graphql",
  rest: "https://docs.github.com/rest",
  authenticating: "https://docs.github.com/graphql/guides/forming-calls-with-graphql#authenticating-with-graphql",
  secondaryRateLimits:
    "https://docs.github.com/free-pro-team@latest/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits",
  installationToken: "https://docs.github.com/rest/apps/apps#create-an-installation-access-token-for-an-app",
} as const;

export const TIMEOUT_MESSAGE =
  "We couldn't respond to your request in time. Sorry about that. Please try resubmitting your request and contact us if the problem persists.";

function locationsOf(error: GraphQLError): GitHubErrorLocation[] | undefined {
  return error.locations?.map((l) => ({ line: l.line, column: l.column }));
}

/** An error from execution (resolver throws, non-null violations) in GitHub's key order. */
export function formatExecutionError(error: GraphQLError): GitHubGraphQLError {
  const original = error.originalError;
  const type = original instanceof GitHubFieldError ? original.type : undefined;
  const locations = locationsOf(error);
  return {
    ...(type ? { type } : {}),
    ...(error.path ? { path: [...error.path] } : {}),
    ...(locations ? { locations } : {}),
    message: error.message,
  };
}

const PUNCTUATORS: Record<string, string> = {
  "{": "LCURLY",
  "}": "RCURLY",
  "(": "LPAREN",
  ")": "RPAREN",
  "[": "LBRACKET",
  "]": "RBRACKET",
  ":": "COLON",
  $: "VAR_SIGN",
  "@": "DIR_SIGN",
  "...": "ELLIPSIS",
  "=": "EQUALS",
  "!": "BANG",
  "|": "PIPE",
  "&": "AMP",
};

function rubyToken(jsToken: string): string {
  if (jsToken === "<EOF>") return '(none) ("")';
  const punct = /^"(.+)"$/.exec(jsToken);
  if (punct?.[1] && PUNCTUATORS[punct[1]]) return `${PUNCTUATORS[punct[1]]} ("${punct[1]}")`;
  const valued = /^(Name|String|Int|Float|BlockString) "(.*)"$/.exec(jsToken);
  if (valued) {
    const kind = valued[1] === "Name" ? "IDENTIFIER" : (valued[1] ?? "").toUpperCase();
    return `${kind} ("${valued[2] ?? ""}")`;
  }
  return jsToken;
}

function rubyExpected(jsExpected: string): string {
  const punct = /^"(.+)"$/.exec(jsExpected);
  if (punct?.[1] && PUNCTUATORS[punct[1]]) return PUNCTUATORS[punct[1]] ?? jsExpected;
  return jsExpected.toUpperCase();
}

/** A syntax error, worded as graphql-ruby's parser words it. */
export function formatParseError(error: GraphQLError): GitHubGraphQLError {
  const loc = error.locations?.[0];
  const at = loc ? ` at [${loc.line}, ${loc.column}]` : "";
  const text = error.message.replace(/^Syntax Error: /, "");
  let message: string;
  const expected = /^Expected (.+?), found (.+)\.$/.exec(text);
  const unexpected = /^Unexpected (.+)\.$/.exec(text);
  if (expected?.[1] && expected[2]) {
    message = `Expected ${rubyExpected(expected[1])}, actual: ${rubyToken(expected[2])}${at}`;
  } else if (unexpected?.[1]) {
    message = `Parse error on ${rubyToken(unexpected[1])}${at}`;
  } else {
    message = `Parse error: ${text}${at}`;
  }
  const locations = locationsOf(error);
  return { message, ...(locations ? { locations } : {}) };
}

/** graphql-ruby's document path of an AST node: ["query Name", "repository", "pullRequests"]. */
function documentPaths(document: DocumentNode): Map<ASTNode, string[]> {
  const paths = new Map<ASTNode, string[]>();
  const walk = (set: SelectionSetNode | undefined, prefix: string[]): void => {
    if (!set) return;
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        const here = [...prefix, selection.alias?.value ?? selection.name.value];
        paths.set(selection, here);
        for (const arg of selection.arguments ?? []) paths.set(arg, [...here, arg.name.value]);
        walk(selection.selectionSet, here);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const here = [...prefix, `... on ${selection.typeCondition?.name.value ?? ""}`.trimEnd()];
        paths.set(selection, here);
        walk(selection.selectionSet, here);
      } else {
        paths.set(selection, [...prefix, `... ${selection.name.value}`]);
      }
    }
  };
  for (const def of document.definitions) {
    if (def.kind === Kind.OPERATION_DEFINITION) {
      const root = def.name ? `${def.operation} ${def.name.value}` : def.operation;
      paths.set(def, [root]);
      for (const v of def.variableDefinitions ?? []) paths.set(v, [root]);
      walk(def.selectionSet, [root]);
    } else if (def.kind === Kind.FRAGMENT_DEFINITION) {
      const root = `fragment ${def.name.value}`;
      paths.set(def, [root]);
      walk(def.selectionSet, [root]);
    }
  }
  return paths;
}

function operationLabel(document: DocumentNode, node: ASTNode | undefined): string {
  const ops = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  const op = ops.find((o) => node && o.loc && node.loc && o.loc.start <= node.loc.start && node.loc.end <= o.loc.end);
  const chosen = op ?? ops[0];
  if (!chosen) return "query";
  return chosen.name ? chosen.name.value : "anonymous query";
}

interface Rewrite {
  pattern: RegExp;
  /** The captured groups (without the whole match) to graphql-ruby's message and extensions. */
  rewrite: (
    groups: string[],
    context: { node: ASTNode | undefined; document: DocumentNode },
  ) => { message: string; extensions: Record<string, unknown> };
}

const VALIDATION_REWRITES: Rewrite[] = [
  {
    pattern: /^Cannot query field "(.+?)" on type "(.+?)"\./,
    rewrite: ([field = "", type = ""]) => ({
      message: `Field '${field}' doesn't exist on type '${type}'`,
      extensions: { code: "undefinedField", typeName: type, fieldName: field },
    }),
  },
  {
    pattern: /^Unknown argument "(.+?)" on field "(.+?)\.(.+?)"\./,
    rewrite: ([arg = "", , field = ""]) => ({
      message: `Field '${field}' doesn't accept argument '${arg}'`,
      extensions: { code: "argumentNotAccepted", name: field, typeName: "Field", argumentName: arg },
    }),
  },
  {
    pattern: /^Field "(.+?)" argument "(.+?)" of type ".+?" is required, but it was not provided\./,
    rewrite: ([field = "", arg = ""]) => ({
      message: `Field '${field}' is missing required arguments: ${arg}`,
      extensions: { code: "missingRequiredArguments", className: "Field", name: field, arguments: arg },
    }),
  },
  {
    pattern: /^Field "(.+?)" of type "(.+?)" must have a selection of subfields\./,
    rewrite: ([field = "", type = ""]) => ({
      message: `Field must have selections (field '${field}' returns ${type} but has no selections. Did you mean '${field} { ... }'?)`,
      extensions: { code: "selectionMismatch", nodeName: `field '${field}'`, typeName: type },
    }),
  },
  {
    pattern: /^Field "(.+?)" must not have a selection since type "(.+?)" has no subfields\./,
    rewrite: ([field = "", type = ""], { node }) => {
      const subs =
        node?.kind === Kind.FIELD && node.selectionSet
          ? node.selectionSet.selections.map((s) => (s.kind === Kind.FIELD ? s.name.value : print(s))).join(", ")
          : "";
      return {
        message: `Selections can't be made on scalars (field '${field}' returns ${type} but has selections [${subs}])`,
        extensions: { code: "selectionMismatch", nodeName: `field '${field}'`, typeName: type },
      };
    },
  },
  {
    pattern: /^Variable "\$(.+?)" is never used/,
    rewrite: ([variable = ""], { node, document }) => ({
      message: `Variable $${variable} is declared by ${operationLabel(document, node)} but not used`,
      extensions: { code: "variableNotUsed", variableName: variable },
    }),
  },
  {
    pattern: /^Variable "\$(.+?)" is not defined/,
    rewrite: ([variable = ""], { node, document }) => ({
      message: `Variable $${variable} is used by ${operationLabel(document, node)} but not declared`,
      extensions: { code: "variableNotDefined", variableName: variable },
    }),
  },
  {
    pattern: /^Fragment "(.+?)" is never used\./,
    rewrite: ([fragment = ""]) => ({
      message: `Fragment ${fragment} was defined, but not used`,
      extensions: { code: "useAndDefineFragment", fragmentName: fragment },
    }),
  },
  {
    pattern: /^Fragment cannot be spread here as objects of type "(.+?)" can never be of type "(.+?)"\./,
    rewrite: ([parent = "", condition = ""]) => ({
      message: `Fragment on ${condition} can't be spread inside ${parent}`,
      extensions: { code: "fragmentSpreadTypeMismatch", typeName: condition, parentName: parent },
    }),
  },
];

/** A validation error, worded and coded as graphql-ruby (and so GitHub) reports it. */
export function formatValidationError(error: GraphQLError, document: DocumentNode): GitHubGraphQLError {
  const node = error.nodes?.[0];
  const path = node ? documentPaths(document).get(node) : undefined;
  const locations = locationsOf(error);
  let message = error.message;
  let extensions: Record<string, unknown> | undefined;
  for (const { pattern, rewrite } of VALIDATION_REWRITES) {
    const match = pattern.exec(error.message);
    if (!match) continue;
    ({ message, extensions } = rewrite(match.slice(1), { node, document }));
    break;
  }
  return {
    ...(path ? { path } : {}),
    ...(extensions ? { extensions } : {}),
    ...(locations ? { locations } : {}),
    message,
  };
}

/** A variable that does not coerce to its declared type: graphql-ruby's message and `problems`. */
export function formatVariableError(error: GraphQLError, document: DocumentNode): GitHubGraphQLError {
  const locations = locationsOf(error);
  const typeOf = (name: string): string => {
    for (const def of document.definitions) {
      if (def.kind !== Kind.OPERATION_DEFINITION) continue;
      const v = def.variableDefinitions?.find((d) => d.variable.name.value === name);
      if (v) return print(v.type);
    }
    return "unknown";
  };
  const missing = /^Variable "\$(.+?)" of required type "(.+?)" was not provided\./.exec(error.message);
  if (missing) {
    const [, name = "", type = ""] = missing;
    return {
      extensions: { value: null, problems: [{ path: [], explanation: "Expected value to not be null" }] },
      ...(locations ? { locations } : {}),
      message: `Variable $${name} of type ${type} was provided invalid value`,
    };
  }
  const bad = /^Variable "\$(.+?)" got invalid value (.*?); (.*)$/s.exec(error.message);
  if (bad) {
    const [, name = "", value = "", explanation = ""] = bad;
    let parsed: unknown = value;
    try {
      parsed = JSON.parse(value);
    } catch {
      // graphql-js prints the value with inspect(); keep its text when it is not JSON.
    }
    return {
      extensions: { value: parsed, problems: [{ path: [], explanation }] },
      ...(locations ? { locations } : {}),
      message: `Variable $${name} of type ${typeOf(name)} was provided invalid value`,
    };
  }
  return { ...(locations ? { locations } : {}), message: error.message };
}
