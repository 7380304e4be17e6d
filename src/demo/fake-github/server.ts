import type { IncomingMessage, ServerResponse } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import {
  type DocumentNode,
  type ExecutionResult,
  execute,
  type GraphQLError,
  type GraphQLFieldResolver,
  type GraphQLResolveInfo,
  type GraphQLTypeResolver,
  getArgumentValues,
  getOperationAST,
  getVariableValues,
  Kind,
  type OperationDefinitionNode,
  parse,
  validate,
} from "graphql";
// One loopback listener for every fake: port 0, sockets cut on close.
import { listen } from "../fake-cluster/http.js";
import { type FakeApp, type InstallationToken, InstallationTokens, isRefusal, verifyAppJwt } from "./app-auth.js";
import { analyzeQuery, nodeLimitMessage, type QueryAnalysis } from "./cost.js";
import {
  DOCS,
  formatExecutionError,
  formatParseError,
  formatValidationError,
  formatVariableError,
  GitHubFieldError,
  type GitHubGraphQLError,
  TIMEOUT_MESSAGE,
} from "./errors.js";
import { dropPath, type Fault, type FaultKind, FaultQueue } from "./faults.js";
import { nextRequestId, stableNumber } from "./ids.js";
import type { FakeOrganization } from "./model.js";
import { lower, ModelIndexCache } from "./model-index.js";
import {
  type Budget,
  installationLimit,
  PrimaryRateLimits,
  type RateLimitOptions,
  type SecondaryLimitOptions,
  SecondaryRateLimits,
} from "./rate-limit.js";
import { GraphBuilder, type Viewer } from "./resolvers.js";
import { githubSchema } from "./schema.js";
import { scopeErrors } from "./scopes.js";

/**
 * A GitHub GraphQL API on loopback that serves a FakeOrganization model and behaves as GitHub
 * documents it: schema validation, connection limits, point costs and budgets, node limits, error
 * shapes, GitHub App installation tokens, and queued faults. Every query a test sends is checked
 * against GitHub's real schema, and close() fails when one was invalid or selected data the model
 * does not provide, so a collector cannot pass its tests with a query GitHub would refuse.
 */

export interface FakeToken {
  login: string;
  /** A classic token's scopes, sent back in x-oauth-scopes; a missing scope gives INSUFFICIENT_SCOPES. Fine-grained tokens: leave out. */
  scopes?: string[];
}

export interface FakeGitHubOptions {
  orgs: FakeOrganization[];
  /** Accepted tokens: `Authorization: bearer <t>` or `token <t>`. The record is read on each request. */
  tokens: Record<string, FakeToken>;
  /** GitHub Apps for @octokit/auth-app: the RS256 JWT is verified with publicKeyPem. */
  apps?: FakeApp[];
  /** "" for the api.github.com layout (/graphql, REST at /), "/api" for GHES (/api/graphql, REST at /api/v3). */
  pathPrefix?: string;
  /**
   * The starting budget of every identity (default: 5,000 per user; GitHub's formula per
   * installation). false: rate limiting disabled, as on a default GHES (no x-ratelimit headers,
   * rateLimit answers null).
   */
  rateLimit?: RateLimitOptions | false;
  /** Enforce GitHub's secondary limits (2,000 points a minute, 100 concurrent requests). Off unless given. */
  secondaryLimits?: SecondaryLimitOptions;
  /** Requests whose node count exceeds this answer 502 after charging the points, as heavy queries that time out do on github.com. */
  timeoutAboveNodes?: number;
  /**
   * How a request over the primary limit is refused: "RATE_LIMITED" (the documented, long-standing
   * answer) or "RATE_LIMIT" with code graphql_rate_limit (seen from api.github.com since 2026).
   */
  primaryLimitError?: "RATE_LIMITED" | "RATE_LIMIT";
  /** Base of web `url` fields (default https://github.com, or the server itself for GHES). */
  webUrl?: string;
  now?: () => Date;
}

export interface FakeRequest {
  /** As sent, or else the name of the document's only operation. */
  operationName?: string;
  query: string;
  variables: Record<string, unknown>;
  /** Login the token acts as. */
  viewer?: string;
  /** Points the query costs by GitHub's formula (0 when it was not analysed). */
  cost: number;
  nodeCount: number;
  /** Points deducted from the budget (0 when refused before execution). */
  charged: number;
  status: number;
  fault?: FaultKind;
  /** False when GitHub would reject the query itself (validation, pagination bounds, node limit). */
  valid: boolean;
  errors?: string[];
}

export interface FakeRestRequest {
  method: string;
  path: string;
  status: number;
}

export interface FakeGitHub {
  /** http://127.0.0.1:<port> */
  url: string;
  /** url + prefix + /graphql */
  graphqlUrl: string;
  /** What an Octokit baseUrl should be: url (github.com layout) or url + "/api/v3". */
  restBaseUrl: string;
  /** Mutable: tests change the model between collection runs. */
  orgs: FakeOrganization[];
  /** Every request to the GraphQL endpoint, refused ones (401, 403, ...) included. */
  requests: FakeRequest[];
  restRequests: FakeRestRequest[];
  invalidQueries: { query: string; errors: string[] }[];
  /** "Type.field" selected by a query but not provided by the model or resolvers. */
  unmodelled: string[];
  /** Queue a fault for the next matching GraphQL requests. */
  inject(fault: Fault): void;
  stats(): { requests: number; points: number };
  /** Rejects, listing them, if a query was invalid or selected unmodelled fields, unless allowInvalid. */
  close(options?: { allowInvalid?: boolean }): Promise<void>;
}

interface Reply {
  status: number;
  headers: Record<string, string>;
  body: unknown;
  /** Send only this many bytes of the body, then cut the connection. */
  truncateAt?: number;
  /** Send nothing: close the connection. */
  drop?: boolean;
}

/** A function-valued field of a model object, called as graphql-js's default resolver would. */
type FieldFunction = (args: Record<string, unknown>, context: unknown, info: GraphQLResolveInfo) => unknown;

type Identity =
  | { kind: "user"; login: string; scopes?: string[]; budgetKey: string; accountId: number }
  | {
      kind: "installation";
      login: string;
      installationId: number;
      org: string;
      /** The installation's permissions; absent: the default set (administration included). */
      permissions?: Record<string, "read" | "write">;
      budgetKey: string;
      accountId: number;
    };

/** The permissions an installation was configured with, if the test gave any. */
function permissionsOf(t: InstallationToken): { permissions?: Record<string, "read" | "write"> } {
  const permissions = t.app.installations.find((i) => i.id === t.installationId)?.permissions;
  return permissions ? { permissions } : {};
}

const JSON_TYPE = "application/json; charset=utf-8";
const MAX_BODY = 10 * 1024 * 1024;
const PARSE_CACHE_LIMIT = 1_000;

interface ParsedQuery {
  document?: DocumentNode;
  errors: GitHubGraphQLError[];
}

class FakeGitHubServer {
  readonly requests: FakeRequest[] = [];
  readonly restRequests: FakeRestRequest[] = [];
  readonly invalidQueries: { query: string; errors: string[] }[] = [];
  readonly unmodelled: string[] = [];
  private readonly unmodelledSeen = new Set<string>();
  private readonly internalErrors: string[] = [];
  private readonly faults = new FaultQueue();
  private readonly primary: PrimaryRateLimits | undefined;
  private readonly secondary: SecondaryRateLimits | undefined;
  private readonly installations = new InstallationTokens();
  private readonly indexes = new ModelIndexCache();
  private readonly parsed = new Map<string, ParsedQuery>();
  private readonly now: () => Date;
  private readonly schema = githubSchema();
  private readonly prefix: string;
  private webUrl = "https://github.com";
  orgs: FakeOrganization[];

  constructor(private readonly options: FakeGitHubOptions) {
    this.orgs = options.orgs;
    this.now = options.now ?? (() => new Date());
    this.prefix = (options.pathPrefix ?? "").replace(/\/+$/, "");
    this.primary = options.rateLimit === false ? undefined : new PrimaryRateLimits(options.rateLimit ?? {}, this.now);
    this.secondary = options.secondaryLimits ? new SecondaryRateLimits(options.secondaryLimits, this.now) : undefined;
  }

  get restBase(): string {
    return this.prefix === "" ? "" : `${this.prefix}/v3`;
  }

  setOrigin(origin: string): void {
    this.webUrl = this.options.webUrl ?? (this.prefix === "" ? "https://github.com" : origin);
  }

  inject(fault: Fault): void {
    this.faults.push(fault);
  }

  stats(): { requests: number; points: number } {
    return { requests: this.requests.length, points: this.requests.reduce((sum, r) => sum + r.charged, 0) };
  }

  problems(allowInvalid: boolean): string[] {
    const out: string[] = [];
    if (!allowInvalid) {
      for (const q of this.invalidQueries) {
        out.push(`invalid query: ${q.errors.join("; ")}\n    ${q.query.replace(/\s+/g, " ").slice(0, 300)}`);
      }
      if (this.unmodelled.length > 0) out.push(`fields the model does not provide: ${this.unmodelled.join(", ")}`);
    }
    for (const e of this.internalErrors) out.push(`fake GitHub failed: ${e}`);
    return out;
  }

  // ---- HTTP ----------------------------------------------------------------------------------

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://localhost");
    const method = req.method ?? "GET";
    let reply: Reply;
    try {
      const body = await readBody(req);
      if (url.pathname === `${this.prefix}/graphql`) {
        reply =
          method === "POST"
            ? await this.graphql(req, body)
            : this.json(404, { message: "Not Found", documentation_url: DOCS.graphql, status: "404" });
        reply.headers["x-github-media-type"] = "github.v4; format=json";
      } else {
        reply = this.rest(method, url.pathname, req);
        reply.headers["x-github-media-type"] = "github.v3; format=json";
        this.restRequests.push({ method, path: url.pathname, status: reply.status });
      }
    } catch (error) {
      this.internalErrors.push(error instanceof Error ? (error.stack ?? error.message) : String(error));
      reply = this.json(500, { message: "Server Error" });
    }
    this.send(res, reply);
  }

  private json(status: number, body: unknown, headers: Record<string, string> = {}): Reply {
    return { status, body, headers };
  }

  private send(res: ServerResponse, reply: Reply): void {
    if (reply.drop) {
      res.socket?.destroy();
      return;
    }
    const text = JSON.stringify(reply.body);
    const bytes = Buffer.from(text, "utf8");
    res.writeHead(reply.status, {
      "content-type": JSON_TYPE,
      "content-length": String(bytes.length),
      date: this.now().toUTCString(),
      "x-github-request-id": nextRequestId(),
      ...reply.headers,
    });
    if (reply.truncateAt !== undefined) {
      res.write(bytes.subarray(0, Math.min(bytes.length - 1, Math.max(0, reply.truncateAt))), () => {
        res.socket?.destroy();
      });
      return;
    }
    res.end(bytes);
  }

  // ---- REST (GitHub App tokens, rate_limit) --------------------------------------------------

  /** The request body (repository and permission narrowing) is not modelled: tokens cover the installation. */
  private rest(method: string, path: string, req: IncomingMessage): Reply {
    const notFound = this.json(404, { message: "Not Found", documentation_url: DOCS.rest, status: "404" });
    if (!path.startsWith(`${this.restBase}/`)) return notFound;
    const route = path.slice(this.restBase.length);
    const mint = /^\/app\/installations\/(\d+)\/access_tokens$/.exec(route);
    if (mint && method === "POST") {
      const app = verifyAppJwt(this.options.apps ?? [], req.headers.authorization, this.now());
      if (isRefusal(app)) return this.json(app.status, app.body);
      const minted = this.installations.mint(app, Number(mint[1]), this.now());
      return this.json(minted.status, minted.body);
    }
    if (route === "/rate_limit" && method === "GET") {
      const identity = this.identify(req.headers.authorization);
      if ("status" in identity) return identity;
      if (!this.primary)
        return this.json(404, { message: "Rate limiting is not enabled.", documentation_url: DOCS.rest });
      const b = this.budgetOf(identity);
      const graphql = {
        limit: b.limit,
        used: b.used,
        remaining: b.remaining,
        reset: Math.floor(b.resetAt.getTime() / 1000),
      };
      return this.json(200, { resources: { graphql }, rate: graphql });
    }
    return notFound;
  }

  // ---- identities and budgets ----------------------------------------------------------------

  private identify(authorization: string | undefined): Identity | Reply {
    const unauthenticated = (message: string, documentationUrl: string): Reply =>
      this.json(
        401,
        { message, documentation_url: documentationUrl, ...(message === "Bad credentials" ? { status: "401" } : {}) },
        this.primary ? this.anonymousRateHeaders() : {},
      );
    if (!authorization) return unauthenticated("This endpoint requires you to be authenticated.", DOCS.authenticating);
    const match = /^(?:bearer|token)\s+(\S+)\s*$/i.exec(authorization);
    const token = match?.[1];
    if (!token) return unauthenticated("Bad credentials", DOCS.graphql);
    const user = this.options.tokens[token];
    if (user) {
      return {
        kind: "user",
        login: user.login,
        ...(user.scopes ? { scopes: user.scopes } : {}),
        budgetKey: `user:${lower(user.login)}`,
        accountId: this.accountId(user.login),
      };
    }
    const installation = this.installations.lookup(token, this.now());
    if (installation) {
      return {
        kind: "installation",
        login: `${installation.app.slug ?? `app-${installation.app.appId}`}[bot]`,
        installationId: installation.installationId,
        org: installation.org,
        ...permissionsOf(installation),
        budgetKey: `installation:${installation.installationId}`,
        accountId: installation.installationId,
      };
    }
    return unauthenticated("Bad credentials", DOCS.graphql);
  }

  private accountId(login: string): number {
    for (const org of this.orgs) {
      const user = org.users.find((u) => lower(u.login) === lower(login));
      if (user?.databaseId !== undefined) return user.databaseId;
    }
    return stableNumber(`user:${lower(login)}`);
  }

  private budgetOf(identity: Identity): Budget {
    if (!this.primary) throw new Error("rate limiting is disabled");
    let limit = 5_000;
    if (identity.kind === "installation") {
      const org = this.orgs.find((o) => lower(o.login) === lower(identity.org));
      limit = installationLimit(org?.repositories.length ?? 0, org?.members.length ?? 0);
    }
    return this.primary.budget(identity.budgetKey, limit);
  }

  private anonymousRateHeaders(): Record<string, string> {
    return {
      "x-ratelimit-limit": "0",
      "x-ratelimit-remaining": "0",
      "x-ratelimit-used": "0",
      "x-ratelimit-reset": String(Math.floor(this.now().getTime() / 1000) + 3600),
      "x-ratelimit-resource": "graphql",
    };
  }

  // ---- GraphQL -------------------------------------------------------------------------------

  private parseQuery(query: string): ParsedQuery {
    const cached = this.parsed.get(query);
    if (cached) return cached;
    let result: ParsedQuery;
    try {
      const document = parse(query);
      const errors = validate(this.schema, document).map((e) => formatValidationError(e, document));
      result = { document, errors };
    } catch (error) {
      result = { errors: [formatParseError(error as GraphQLError)] };
    }
    if (this.parsed.size >= PARSE_CACHE_LIMIT) this.parsed.clear();
    this.parsed.set(query, result);
    return result;
  }

  private async graphql(req: IncomingMessage, rawBody: string): Promise<Reply> {
    let payload: unknown;
    try {
      payload = JSON.parse(rawBody);
    } catch {
      payload = undefined;
    }
    const body = (payload && typeof payload === "object" ? payload : {}) as Record<string, unknown>;
    const query = typeof body.query === "string" ? body.query : undefined;
    const variables =
      body.variables && typeof body.variables === "object" && !Array.isArray(body.variables)
        ? (body.variables as Record<string, unknown>)
        : {};
    const operationName =
      typeof body.operationName === "string" && body.operationName ? body.operationName : this.soleOperationName(query);
    const record: FakeRequest = {
      ...(operationName ? { operationName } : {}),
      query: query ?? "",
      variables,
      cost: 0,
      nodeCount: 0,
      charged: 0,
      status: 200,
      valid: true,
    };
    this.requests.push(record);
    const reply = await this.graphqlRequest(req, record, payload, query, variables, operationName);
    record.status = reply.status;
    return reply;
  }

  /**
   * Clients such as @octokit/graphql send no operationName; the document's only operation names
   * the request for tests and fault matching (GitHub itself needs no name then either).
   */
  private soleOperationName(query: string | undefined): string | undefined {
    if (query === undefined) return undefined;
    const operations = this.parseQuery(query).document?.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION);
    const only = operations?.length === 1 ? operations[0] : undefined;
    return only?.kind === Kind.OPERATION_DEFINITION ? only.name?.value : undefined;
  }

  private async graphqlRequest(
    req: IncomingMessage,
    record: FakeRequest,
    payload: unknown,
    query: string | undefined,
    variables: Record<string, unknown>,
    operationName: string | undefined,
  ): Promise<Reply> {
    if (payload === undefined) {
      return this.json(400, { message: "Problems parsing JSON", documentation_url: DOCS.graphql, status: "400" });
    }
    const identity = this.identify(req.headers.authorization);
    if ("status" in identity) return identity;
    record.viewer = identity.login;
    const secondaryKey = identity.budgetKey;
    const admitted = this.secondary ? this.secondary.admit(secondaryKey) : true;
    try {
      return await this.graphqlFor(identity, record, query, variables, operationName, admitted);
    } finally {
      if (admitted) this.secondary?.release(secondaryKey);
    }
  }

  private async graphqlFor(
    identity: Identity,
    record: FakeRequest,
    query: string | undefined,
    variables: Record<string, unknown>,
    operationName: string | undefined,
    admitted: boolean,
  ): Promise<Reply> {
    const budget = this.primary ? this.budgetOf(identity) : undefined;
    const headers = (): Record<string, string> => ({
      ...(budget ? PrimaryRateLimits.headers(budget) : {}),
      ...(identity.kind === "user" && identity.scopes
        ? { "x-oauth-scopes": identity.scopes.join(", "), "x-accepted-oauth-scopes": "repo" }
        : {}),
    });
    const invalid = (errors: GitHubGraphQLError[], body: unknown = { errors }): Reply => {
      record.valid = false;
      record.errors = errors.map((e) => e.message);
      this.invalidQueries.push({ query: record.query, errors: record.errors });
      return this.json(200, body, headers());
    };

    const fault = this.faults.take({
      ...(operationName ? { operationName } : {}),
      query: query ?? "",
      variables,
    });
    if (fault) record.fault = fault.kind;

    if (fault?.kind === "secondary-rate-limit" || !admitted) {
      const retryAfter =
        fault?.kind === "secondary-rate-limit"
          ? fault.retryAfterSeconds === undefined
            ? 60
            : fault.retryAfterSeconds
          : (this.secondary?.retryAfterSeconds ?? 60);
      return this.json(
        403,
        {
          documentation_url: DOCS.secondaryRateLimits,
          message: `You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID ${nextRequestId()}.`,
        },
        { ...headers(), ...(retryAfter === null ? {} : { "retry-after": String(retryAfter) }) },
      );
    }
    if (fault?.kind === "slow") await sleep(fault.delayMs ?? 1_000);
    if (fault?.kind === "server-error") return this.json(500, { message: "Server Error" }, headers());
    if (fault?.kind === "primary-exhausted" && budget) PrimaryRateLimits.exhaust(budget);

    if (budget && budget.remaining <= 0) {
      const who = identity.kind === "installation" ? "installation ID" : "user ID";
      const error =
        this.options.primaryLimitError === "RATE_LIMIT"
          ? {
              type: "RATE_LIMIT",
              code: "graphql_rate_limit",
              message: `API rate limit already exceeded for ${who} ${identity.accountId}.`,
            }
          : { type: "RATE_LIMITED", message: `API rate limit exceeded for ${who} ${identity.accountId}.` };
      return this.json(200, { errors: [error] }, headers());
    }

    if (query === undefined) return invalid([{ message: "A query attribute must be specified and must be a string." }]);
    const parsed = this.parseQuery(query);
    if (!parsed.document) return invalid(parsed.errors);
    if (parsed.errors.length > 0) return invalid(parsed.errors);
    const document = parsed.document;

    const operation = getOperationAST(document, operationName);
    if (!operation) {
      const message = operationName ? `No operation named "${operationName}"` : "An operation name is required";
      return invalid([{ message }]);
    }
    const coerced = getVariableValues(this.schema, operation.variableDefinitions ?? [], variables);
    if (coerced.errors) return invalid(coerced.errors.map((e) => formatVariableError(e, document)));

    const analysis = analyzeQuery(this.schema, document, operation, coerced.coerced);
    record.cost = analysis.cost;
    record.nodeCount = analysis.nodeCount;
    const tooBig = nodeLimitMessage(analysis);
    if (tooBig) return invalid([{ type: "MAX_NODE_LIMIT_EXCEEDED", message: tooBig }]);

    if (identity.kind === "user" && identity.scopes) {
      const missing = scopeErrors(this.schema, document, identity.scopes, `${this.webUrl}/settings/tokens`);
      if (missing.length > 0) {
        record.errors = missing.map((e) => e.message);
        return this.json(200, { data: null, errors: missing }, headers());
      }
    }

    if (!this.isDryRun(operation, coerced.coerced)) {
      record.charged = analysis.cost;
      if (budget) PrimaryRateLimits.charge(budget, analysis.cost);
    }

    if (fault?.kind === "drop-connection") return { ...this.json(200, null, headers()), drop: true };
    if (fault?.kind === "bad-gateway") {
      return this.json(
        502,
        {
          data: null,
          errors: [
            {
              message: `Something went wrong while executing your query. This may be the result of a timeout, or it could be a GitHub bug. Please include \`${nextRequestId()}\` when reporting this issue.`,
            },
          ],
        },
        headers(),
      );
    }
    if (fault?.kind === "gateway-timeout") return this.json(504, { message: TIMEOUT_MESSAGE }, headers());
    if (this.options.timeoutAboveNodes !== undefined && analysis.nodeCount > this.options.timeoutAboveNodes) {
      return this.json(502, { message: TIMEOUT_MESSAGE }, headers());
    }

    const result = await this.run(identity, document, operation, coerced.coerced, budget, analysis);
    const errors = (result.errors ?? []).map(formatExecutionError);
    const clientFaults = (result.errors ?? []).filter(
      (e) => e.originalError instanceof GitHubFieldError && e.originalError.clientFault,
    );
    for (const e of result.errors ?? []) {
      // A null for a non-null field follows from an unmodelled field, already recorded as such.
      if (e.originalError instanceof GitHubFieldError || e.message.startsWith("Cannot return null for non-nullable")) {
        continue;
      }
      if (e.originalError) this.internalErrors.push(e.originalError.stack ?? e.message);
    }
    const data = result.data ?? null;
    if (fault?.kind === "drop-field" && data) dropPath(data, fault.path);
    const responseBody = errors.length > 0 ? { data, errors } : { data };
    if (errors.length > 0) record.errors = errors.map((e) => e.message);
    if (clientFaults.length > 0) {
      record.valid = false;
      this.invalidQueries.push({ query: record.query, errors: clientFaults.map((e) => e.message) });
    }
    const reply = this.json(200, responseBody, headers());
    if (fault?.kind === "truncated") {
      reply.truncateAt = fault.bytes ?? Math.floor(Buffer.byteLength(JSON.stringify(responseBody)) / 2);
    }
    return reply;
  }

  private isDryRun(operation: OperationDefinitionNode, variables: Record<string, unknown>): boolean {
    const field = this.schema.getQueryType()?.getFields().rateLimit;
    if (!field) return false;
    return operation.selectionSet.selections.some((s) => {
      if (s.kind !== Kind.FIELD || s.name.value !== "rateLimit") return false;
      try {
        return getArgumentValues(field, s, variables).dryRun === true;
      } catch {
        return false;
      }
    });
  }

  private async run(
    identity: Identity,
    document: DocumentNode,
    operation: OperationDefinitionNode,
    variables: Record<string, unknown>,
    budget: Budget | undefined,
    analysis: QueryAnalysis,
  ): Promise<ExecutionResult> {
    const viewer: Viewer =
      identity.kind === "user"
        ? { kind: "user", login: identity.login, ...(identity.scopes ? { scopes: identity.scopes } : {}) }
        : {
            kind: "installation",
            login: identity.login,
            installationId: identity.installationId,
            org: identity.org,
            ...(identity.permissions ? { permissions: identity.permissions } : {}),
          };
    const builder = new GraphBuilder({
      orgs: this.orgs,
      viewer,
      index: this.indexes.request(),
      webUrl: this.webUrl,
      rateLimit: () =>
        budget
          ? {
              limit: budget.limit,
              cost: analysis.cost,
              remaining: budget.remaining,
              resetAt: budget.resetAt.toISOString().replace(/\.\d{3}Z$/, "Z"),
              used: budget.used,
              nodeCount: analysis.nodeCount,
            }
          : null,
      noteUnmodelled: (field) => this.noteUnmodelled(field),
    });
    const fieldResolver: GraphQLFieldResolver<unknown, unknown> = (source, args, context, info) => {
      if (source === null || typeof source !== "object") return null;
      const object = source as Record<string, unknown>;
      const name = info.fieldName;
      if (!(name in object)) {
        this.noteUnmodelled(`${info.parentType.name}.${name}`);
        return null;
      }
      const value = object[name];
      return typeof value === "function" ? (value as FieldFunction).call(object, args, context, info) : value;
    };
    const typeResolver: GraphQLTypeResolver<unknown, unknown> = (value) =>
      value && typeof value === "object" && "__typename" in value ? String(value.__typename) : undefined;
    return await execute({
      schema: this.schema,
      document,
      rootValue: builder.root(),
      contextValue: {},
      variableValues: variables,
      ...(operation.name ? { operationName: operation.name.value } : {}),
      fieldResolver,
      typeResolver,
    });
  }

  private noteUnmodelled(field: string): void {
    if (this.unmodelledSeen.has(field)) return;
    this.unmodelledSeen.add(field);
    this.unmodelled.push(field);
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        reject(new Error("request body too large"));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

export async function startFakeGitHub(options: FakeGitHubOptions): Promise<FakeGitHub> {
  const fake = new FakeGitHubServer(options);
  const listening = await listen((req, res) => fake.handle(req, res));
  const { url } = listening;
  const prefix = (options.pathPrefix ?? "").replace(/\/+$/, "");
  fake.setOrigin(url);
  return {
    url,
    graphqlUrl: `${url}${prefix}/graphql`,
    restBaseUrl: `${url}${fake.restBase}`,
    get orgs() {
      return fake.orgs;
    },
    set orgs(value: FakeOrganization[]) {
      fake.orgs = value;
    },
    requests: fake.requests,
    restRequests: fake.restRequests,
    invalidQueries: fake.invalidQueries,
    unmodelled: fake.unmodelled,
    inject: (fault) => fake.inject(fault),
    stats: () => fake.stats(),
    close: async (closeOptions) => {
      await listening.close();
      const problems = fake.problems(closeOptions?.allowInvalid ?? false);
      if (problems.length > 0)
        throw new Error(`fake GitHub saw ${problems.length} problem(s):\n  ${problems.join("\n  ")}`);
    },
  };
}
