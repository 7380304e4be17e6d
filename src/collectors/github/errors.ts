import { GitHubError, isChangeproofError, messageOf } from "../../errors/index.js";
import { redact } from "../../util/redact.js";
import { oneLine } from "../../util/visible.js";

/**
 * Octokit's failures (RequestError with a status, GraphqlResponseError with GitHub's typed
 * errors, network and timeout causes) mapped to one GitHubError each: a code a cron job can act
 * on, and a message that names what was being asked and GitHub's reason, shown as untrusted text.
 * Request objects, headers and tokens are never copied into it.
 */

interface GraphQLErrorLike {
  type?: string;
  message?: string;
  path?: (string | number)[];
}

interface RequestErrorLike {
  status: number;
  message: string;
  cause?: unknown;
  response?: { headers?: Record<string, string | undefined>; data?: unknown };
}

const TRANSIENT = new Set([
  "E_GITHUB_TIMEOUT",
  "E_GITHUB_UNAVAILABLE",
  "E_GITHUB_BROKEN_BODY",
  "E_GITHUB_DROPPED",
  "E_GITHUB_UNREACHABLE",
  "E_GITHUB_RATE_LIMIT",
]);

/**
 * Failures that a smaller page may avoid: GitHub gave up on the query, or the answer broke off or
 * never came because the connection was closed (proxies in front of GitHub drop long queries).
 */
export function isTimeoutLike(e: GitHubError): boolean {
  return (
    e.code === "E_GITHUB_TIMEOUT" ||
    e.code === "E_GITHUB_UNAVAILABLE" ||
    e.code === "E_GITHUB_BROKEN_BODY" ||
    e.code === "E_GITHUB_DROPPED"
  );
}

/**
 * A connection that was open and then closed by the other side (undici's "other side closed", a
 * reset): GitHub was reached, so it is not "unreachable", and the same request may well succeed.
 */
const DROPPED = new Set(["UND_ERR_SOCKET", "ECONNRESET", "EPIPE"]);

const shown = (text: string): string => oneLine(redact(text));

function fail(code: string, message: string, cause: unknown): GitHubError {
  return new GitHubError(code, message, { cause, transient: TRANSIENT.has(code) });
}

/** Where a request went and with which credentials, in words (never the secret itself). */
export interface RequestContext {
  endpoint: string;
  /** "the token in $GITHUB_TOKEN", "GitHub App 12 (installation 34)". */
  credentials: string;
}

export function describeFailure(e: unknown, what: string, ctx: RequestContext): GitHubError {
  if (e instanceof GitHubError) return e;
  if (isChangeproofError(e)) return fail("E_GITHUB_REQUEST", e.message, e);
  const errors = (e as { errors?: unknown }).errors;
  if ((e as Error).name === "GraphqlResponseError" && Array.isArray(errors)) {
    return fromGraphQLErrors(errors as GraphQLErrorLike[], what, e);
  }
  // The throttling plugin throws its own error for a RATE_LIMITED answer, carrying GitHub's data.
  const dataErrors = (e as { data?: { errors?: unknown } }).data?.errors;
  if (Array.isArray(dataErrors) && dataErrors.length > 0)
    return fromGraphQLErrors(dataErrors as GraphQLErrorLike[], what, e);
  const status = (e as { status?: unknown }).status;
  if (typeof status === "number") return fromStatus(e as RequestErrorLike, what, ctx);
  return fail("E_GITHUB_REQUEST", `${what}: ${shown(messageOf(e))}`, e);
}

function fromGraphQLErrors(errors: GraphQLErrorLike[], what: string, cause: unknown): GitHubError {
  const first = errors[0] ?? {};
  const text = errors.map((x) => shown(x.message ?? x.type ?? "unknown error")).join("; ");
  switch (first.type) {
    case "NOT_FOUND":
      return fail("E_GITHUB_NOT_FOUND", `${what}: not found on GitHub: ${text}`, cause);
    case "INSUFFICIENT_SCOPES":
      return fail("E_GITHUB_SCOPES", `${what}: the token lacks a scope: ${text}`, cause);
    case "FORBIDDEN":
      return fail("E_GITHUB_FORBIDDEN", `${what}: GitHub forbids it for these credentials: ${text}`, cause);
    case "RATE_LIMITED":
    case "RATE_LIMIT":
      return fail("E_GITHUB_RATE_LIMIT", `${what}: GitHub rate limit exhausted: ${text}`, cause);
    default:
      if (errors.some((x) => /Something went wrong while executing your query/i.test(x.message ?? ""))) {
        return fail("E_GITHUB_TIMEOUT", `${what}: GitHub gave up on the query (${text})`, cause);
      }
      return fail("E_GITHUB_QUERY", `${what}: GitHub refused the query: ${text}`, cause);
  }
}

function causeCodes(cause: unknown): string[] {
  const codes: string[] = [];
  for (let c: unknown = cause, depth = 0; c && depth < 4; c = (c as { cause?: unknown }).cause, depth++) {
    const code = (c as { code?: unknown }).code;
    if (typeof code === "string") codes.push(code);
  }
  return codes;
}

function networkCode(cause: unknown): string | undefined {
  return causeCodes(cause).find((code) => /^E[A-Z_]+$/.test(code));
}

function fromStatus(e: RequestErrorLike, what: string, ctx: RequestContext): GitHubError {
  const endpoint = ctx.endpoint;
  const headers = e.response?.headers ?? {};
  const reason = shown(e.message);
  switch (e.status) {
    case 401:
      return fail(
        "E_GITHUB_AUTH",
        `${what}: GitHub rejected the credentials, ${ctx.credentials} (401 ${reason}): wrong, expired or revoked`,
        e,
      );
    case 403:
    case 429:
      if (/secondary rate/i.test(e.message) || headers["retry-after"] !== undefined) {
        return fail("E_GITHUB_RATE_LIMIT", `${what}: GitHub's secondary rate limit (${status403(headers)})`, e);
      }
      if (headers["x-ratelimit-remaining"] === "0") {
        return fail("E_GITHUB_RATE_LIMIT", `${what}: GitHub rate limit exhausted until ${resetOf(headers)}`, e);
      }
      return fail(
        "E_GITHUB_FORBIDDEN",
        `${what}: GitHub forbids it for ${ctx.credentials} (403 ${reason})${headers["x-github-sso"] ? "; the organisation requires SAML SSO authorisation of the token" : ""}`,
        e,
      );
    case 404:
      return fail("E_GITHUB_NOT_FOUND", `${what}: ${endpoint} answered 404 (is github.baseUrl right?)`, e);
    case 502:
    case 504:
      return fail("E_GITHUB_TIMEOUT", `${what}: GitHub timed out on the query (${e.status})`, e);
    case 500: {
      const causeName = (e.cause as { name?: unknown } | undefined)?.name;
      if (causeName === "TimeoutError" || causeName === "AbortError") {
        return fail("E_GITHUB_TIMEOUT", `${what}: no answer from ${endpoint} in time`, e);
      }
      if (causeName === "BrokenBodyError") {
        return fail("E_GITHUB_BROKEN_BODY", `${what}: ${reason}`, e);
      }
      const dropped = causeCodes(e.cause).find((code) => DROPPED.has(code));
      if (dropped) {
        return fail(
          "E_GITHUB_DROPPED",
          `${what}: the connection to ${endpoint} was closed before the answer came (${reason})`,
          e,
        );
      }
      const net = networkCode(e.cause);
      if (net) return fail("E_GITHUB_UNREACHABLE", `${what}: cannot reach GitHub at ${endpoint} (${net})`, e);
      // fetch's own refusals (a blocked port, a bad URL) and dropped connections are TypeErrors.
      if (causeName === "TypeError" || /fetch failed|terminated|socket/i.test(e.message)) {
        return fail("E_GITHUB_UNREACHABLE", `${what}: the connection to ${endpoint} failed (${reason})`, e);
      }
      return fail("E_GITHUB_UNAVAILABLE", `${what}: GitHub failed (500 ${reason})`, e);
    }
    default:
      if (e.status >= 500) return fail("E_GITHUB_UNAVAILABLE", `${what}: GitHub failed (${e.status} ${reason})`, e);
      return fail("E_GITHUB_REQUEST", `${what}: GitHub answered ${e.status}: ${reason}`, e);
  }
}

function status403(headers: Record<string, string | undefined>): string {
  const after = headers["retry-after"];
  return after !== undefined ? `retry after ${shown(after)} s` : "no retry-after given";
}

function resetOf(headers: Record<string, string | undefined>): string {
  const reset = Number(headers["x-ratelimit-reset"]);
  return Number.isFinite(reset) ? new Date(reset * 1000).toISOString() : "the reset";
}
