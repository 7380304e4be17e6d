import { readFileSync } from "node:fs";
import { setTimeout as delay } from "node:timers/promises";
import { createAppAuth } from "@octokit/auth-app";
import { Octokit } from "@octokit/core";
import { paginateGraphQL } from "@octokit/plugin-paginate-graphql";
import { retry } from "@octokit/plugin-retry";
import { throttling } from "@octokit/plugin-throttling";
import Bottleneck from "bottleneck";
import { ConfigError, GitHubError, messageOf } from "../../errors/index.js";
import type { Logger } from "../../log/logger.js";
import { registerSecret } from "../../util/redact.js";
import { describeFailure, isTimeoutLike, type RequestContext } from "./errors.js";
import { fetchWithTimeout } from "./fetch.js";

/**
 * One authenticated GitHub GraphQL client per run, on @octokit/core with the throttling, retry and
 * GraphQL pagination plugins. Every answer is counted (requests, cost points) and every failure
 * becomes a GitHubError that says what was being asked and why it failed; request objects and
 * tokens never leave this module.
 */

export type GitHubAuth =
  | { kind: "token"; token: string; from: string }
  | { kind: "app"; appId: number; privateKeyFile: string; installationId: number };

export interface GitHubClientOptions {
  /** REST base: https://api.github.com, or GHES https://host/api/v3 (GraphQL is derived from it). */
  baseUrl?: string | undefined;
  auth: GitHubAuth;
  timeoutMs: number;
  maxRetries: number;
  log: Logger;
  /** Multiplies every wait (retry-after, backoff): 1 in production, small in tests. */
  waitScale?: number;
  /** Longest wait for a primary rate-limit reset before the run gives up (incomplete). */
  maxRateLimitWaitMs?: number;
  /** Time as the rate-limit waits see it: tests pass a virtual clock. */
  clock?: Clock;
}

export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

const realClock: Clock = { now: () => Date.now(), sleep: (ms) => delay(Math.max(0, ms)) };

export interface RequestStats {
  requests: number;
  points: number;
  retries: number;
  pageShrinks: number;
  /** Waits a rate limit asked for (primary or secondary). */
  rateWaits: number;
}

export interface RateState {
  limit?: number;
  remaining?: number;
  resetAt?: Date;
}

type Variables = Record<string, unknown>;

const GitHubOctokit = Octokit.plugin(throttling, retry, paginateGraphQL);
type Client = InstanceType<typeof GitHubOctokit>;

/** Points kept in reserve: below this, wait for the reset instead of spending the last ones. */
const RESERVE_POINTS = 50;

export class GitHubClient {
  readonly stats: RequestStats = { requests: 0, points: 0, retries: 0, pageShrinks: 0, rateWaits: 0 };
  readonly rate: RateState = {};
  readonly endpoint: string;
  private readonly context: RequestContext;
  /** The last answer's status and headers: what a rate-limit refusal asked for. */
  private last: { status: number; headers: Headers } | undefined;
  private readonly octokit: Client;
  private readonly log: Logger;
  private readonly waitScale: number;
  private readonly maxRetries: number;
  private readonly maxRateLimitWaitMs: number;
  private readonly clock: Clock;

  constructor(opts: GitHubClientOptions) {
    this.clock = opts.clock ?? realClock;
    this.log = opts.log;
    this.waitScale = opts.waitScale ?? 1;
    this.maxRetries = opts.maxRetries;
    this.maxRateLimitWaitMs = opts.maxRateLimitWaitMs ?? 15 * 60_000;
    const baseUrl = (opts.baseUrl ?? "https://api.github.com").replace(/\/+$/, "");
    this.endpoint = /\/api\/v3$/.test(baseUrl) ? baseUrl.replace(/\/api\/v3$/, "/api/graphql") : `${baseUrl}/graphql`;
    const auth = authOptions(opts.auth);
    this.context = {
      endpoint: this.endpoint,
      credentials:
        opts.auth.kind === "token"
          ? `the token in $${opts.auth.from}`
          : `GitHub App ${opts.auth.appId} (installation ${opts.auth.installationId})`,
    };
    const canRetry = (what: string, retryCount: number): boolean => {
      if (retryCount >= this.maxRetries) return false;
      this.stats.retries++;
      this.log.warn(`GitHub ${what}; waiting before retry ${retryCount + 1} of ${this.maxRetries}`);
      return true;
    };
    this.octokit = new GitHubOctokit({
      ...auth,
      baseUrl,
      userAgent: "changeproof",
      log: {
        debug: () => {},
        info: () => {},
        warn: (m: string) => this.log.debug(m),
        error: (m: string) => this.log.debug(m),
      },
      request: {
        fetch: fetchWithTimeout(opts.timeoutMs, {
          sending: (authorization) => {
            this.stats.requests++;
            // Installation tokens are refreshed hourly by auth-app: each one is masked as it is used.
            if (authorization) registerSecret(authorization.replace(/^(token|bearer)\s+/i, ""));
          },
          answered: (status, headers) => {
            this.last = { status, headers };
            this.readRateHeaders(headers);
          },
        }),
      },
      retry: { retries: opts.maxRetries, retryAfterBaseValue: 1000 * this.waitScale },
      throttle: {
        // GraphQL reads go through the plugin's "write" queue (one at a time, 1 s apart): GitHub
        // asks for serial requests, but the 1 s gap is for mutations, so reads keep the queue
        // serial without it.
        write: new Bottleneck.Group({ maxConcurrent: 1, minTime: 0 }),
        retryAfterBaseValue: 1000 * this.waitScale,
        // Secondary limits are waited out by request() itself: it also knows GitHub's other wordings,
        // falls back to x-ratelimit-reset, and backs off; the plugin only recognises one message.
        onSecondaryRateLimit: () => false,
        onRateLimit: (after: number, _o: unknown, _k: unknown, n: number) => {
          if (after * 1000 > this.maxRateLimitWaitMs) return false;
          return canRetry(`rate limit exhausted (resets in ${after} s)`, n);
        },
      },
    });
  }

  /** Mints the installation token up front (so a bad key fails first) and masks it everywhere. */
  async authenticate(): Promise<void> {
    try {
      const a = (await this.octokit.auth({ type: "installation" })) as { token?: string } | undefined;
      if (a?.token) registerSecret(a.token);
    } catch (e) {
      throw describeFailure(e, "authenticating as the GitHub App installation", this.context);
    }
  }

  /** One query; any error GitHub reports fails it. */
  async query<T>(what: string, query: string, variables: Variables = {}): Promise<T> {
    return (await this.request<T>(what, query, variables)).data;
  }

  /**
   * One query. `heavy` queries (pages of pull requests with nested connections) are not retried
   * by the plugin: `heavy()` retries them with a smaller page. With `partial`, errors whose path
   * it accepts (say, a list the credentials may not see) come back beside the data instead of
   * failing the whole answer.
   */
  async request<T>(
    what: string,
    query: string,
    variables: Variables = {},
    opts: { heavy?: boolean; partial?: (path: readonly (string | number)[]) => boolean } = {},
  ): Promise<{ data: T; errors: PartialError[] }> {
    for (let attempt = 0; ; attempt++) {
      await this.waitForBudget(what);
      try {
        const data = await this.octokit.graphql<T>(query, {
          ...variables,
          ...(opts.heavy ? { request: { retries: 0 } } : {}),
        });
        this.countCost(data);
        return { data, errors: [] };
      } catch (e) {
        const partial = opts.partial && partialAnswer<T>(e, opts.partial);
        if (partial) {
          this.countCost(partial.data);
          return partial;
        }
        const failure = describeFailure(e, what, this.context);
        if (await this.backOff(failure, what, attempt)) continue;
        throw failure;
      }
    }
  }

  /**
   * Pages of a single top-level connection (members, teams, collaborators...), via the
   * paginate-graphql plugin: the query takes `$cursor` and selects `pageInfo`.
   */
  async *pages<T>(what: string, query: string, variables: Variables = {}): AsyncGenerator<T> {
    const it = this.octokit.graphql.paginate.iterator<T>(query, variables)[Symbol.asyncIterator]();
    for (let attempt = 0; ; ) {
      await this.waitForBudget(what);
      let step: IteratorResult<T>;
      try {
        // A failed step leaves the iterator's cursor where it was: the same page is asked again.
        step = await it.next();
        attempt = 0;
      } catch (e) {
        const failure = describeFailure(e, what, this.context);
        if (await this.backOff(failure, what, attempt++)) continue;
        throw failure;
      }
      if (step.done) return;
      this.countCost(step.value);
      yield step.value;
    }
  }

  /** Retries a heavy query with a smaller page whenever GitHub times out on it. */
  async heavy<T>(
    what: string,
    sizer: PageSizer,
    build: (pageSize: number) => { query: string; variables: Variables },
    partial?: (path: readonly (string | number)[]) => boolean,
  ): Promise<{ data: T; errors: PartialError[] }> {
    for (let attempt = 0; ; attempt++) {
      const { query, variables } = build(sizer.size);
      try {
        const answer = await this.request<T>(what, query, variables, { heavy: true, ...(partial ? { partial } : {}) });
        sizer.succeeded();
        return answer;
      } catch (e) {
        if (!(e instanceof GitHubError) || !isTimeoutLike(e) || attempt >= this.maxRetries) throw e;
        const before = sizer.size;
        sizer.timedOut();
        if (sizer.size < before) this.stats.pageShrinks++;
        this.stats.retries++;
        this.log.warn(`${e.message}; retrying with ${sizer.size} per page`, { attempt: attempt + 1 });
        await this.clock.sleep(Math.min(30_000, 1000 * 2 ** attempt) * this.waitScale);
      }
    }
  }

  private countCost(data: unknown): void {
    const cost = (data as { rateLimit?: { cost?: unknown; remaining?: unknown; resetAt?: unknown; limit?: unknown } })
      ?.rateLimit;
    if (cost && typeof cost.cost === "number") {
      this.stats.points += cost.cost;
      if (typeof cost.remaining === "number") this.rate.remaining = cost.remaining;
      if (typeof cost.limit === "number") this.rate.limit = cost.limit;
      if (typeof cost.resetAt === "string") this.rate.resetAt = new Date(cost.resetAt);
    } else {
      this.stats.points += 1;
    }
  }

  private readRateHeaders(headers: Headers): void {
    const num = (k: string): number | undefined => {
      const v = headers.get(k);
      const n = v === null ? Number.NaN : Number(v);
      return Number.isFinite(n) ? n : undefined;
    };
    const remaining = num("x-ratelimit-remaining");
    const limit = num("x-ratelimit-limit");
    const reset = num("x-ratelimit-reset");
    if (remaining !== undefined) this.rate.remaining = remaining;
    if (limit !== undefined) this.rate.limit = limit;
    if (reset !== undefined) this.rate.resetAt = new Date(reset * 1000);
  }

  /**
   * After a rate-limit refusal, waits as GitHub asks: `retry-after` when given, else until
   * `x-ratelimit-reset` when the budget is spent, else a minute, doubling with each attempt. Gives
   * up (a transient error: the next run resumes) after maxRetries, or when the wait would be
   * longer than maxRateLimitWait. Returns whether to try again.
   */
  private async backOff(failure: GitHubError, what: string, attempt: number): Promise<boolean> {
    if (failure.code !== "E_GITHUB_RATE_LIMIT") return false;
    const h = this.last?.headers;
    const retryAfter = Number(h?.get("retry-after") ?? Number.NaN);
    const reset = Number(h?.get("x-ratelimit-reset") ?? Number.NaN);
    const spent = h?.get("x-ratelimit-remaining") === "0";
    const waitMs =
      Number.isFinite(retryAfter) && retryAfter >= 0
        ? retryAfter * 1000
        : spent && Number.isFinite(reset)
          ? Math.max(0, reset * 1000 - this.clock.now()) + 1000
          : 60_000 * 2 ** attempt;
    const until = new Date(this.clock.now() + waitMs).toISOString();
    const kind = spent ? "rate limit exhausted" : "secondary rate limit";
    if (attempt >= this.maxRetries || waitMs > this.maxRateLimitWaitMs) {
      throw new GitHubError(
        "E_GITHUB_RATE_LIMIT",
        `${what}: GitHub ${kind} until ${until}${attempt > 0 ? ` (after ${attempt} waits)` : ""}; stopped there, the next run resumes`,
        { transient: true, cause: failure },
      );
    }
    this.log.warn(`GitHub ${kind}; waiting until ${until}`, { attempt: attempt + 1 });
    this.stats.rateWaits++;
    this.stats.retries++;
    await this.clock.sleep(waitMs * this.waitScale);
    return true;
  }

  /** Slows down before the budget runs out rather than after: waits for the reset, or gives up. */
  private async waitForBudget(what: string): Promise<void> {
    const { remaining, resetAt } = this.rate;
    if (remaining === undefined || remaining >= RESERVE_POINTS || !resetAt) return;
    const wait = resetAt.getTime() - this.clock.now() + 1000;
    if (wait <= 0) return;
    const state = remaining === 0 ? "exhausted" : `nearly used up (${remaining} points left)`;
    if (wait > this.maxRateLimitWaitMs) {
      throw new GitHubError(
        "E_GITHUB_RATE_LIMIT",
        `${what}: GitHub rate limit ${state} until ${resetAt.toISOString()}; stopped there, the next run resumes`,
        { transient: true },
      );
    }
    this.log.warn(`GitHub rate limit ${state}; waiting for the reset`, { resetAt: resetAt.toISOString() });
    this.stats.rateWaits++;
    await this.clock.sleep(wait * this.waitScale);
    // The budget is refilled at the reset; the next answer's headers say by how much.
    delete this.rate.remaining;
  }
}

export interface PartialError {
  path: readonly (string | number)[];
  type: string;
  message: string;
}

/** The data of a GraphQL answer whose every error lies on an accepted path, or undefined. */
function partialAnswer<T>(
  e: unknown,
  accept: (path: readonly (string | number)[]) => boolean,
): { data: T; errors: PartialError[] } | undefined {
  const err = e as { name?: unknown; errors?: unknown; data?: unknown };
  if (err.name !== "GraphqlResponseError" || !Array.isArray(err.errors) || !err.data) return undefined;
  const errors: PartialError[] = [];
  for (const x of err.errors as { path?: unknown; type?: unknown; message?: unknown }[]) {
    const path = Array.isArray(x.path) ? (x.path as (string | number)[]) : [];
    if (path.length === 0 || !accept(path)) return undefined;
    errors.push({ path, type: String(x.type ?? "ERROR"), message: String(x.message ?? "") });
  }
  return { data: err.data as T, errors };
}

/**
 * The page size of one kind of heavy query: starts at the configured maximum, halves when GitHub
 * times out, and doubles back after a run of successes (GitHub's timeouts come in spells).
 */
export class PageSizer {
  size: number;
  private streak = 0;
  constructor(
    readonly max: number,
    readonly min = 1,
    private readonly growAfter = 3,
  ) {
    this.size = max;
  }
  timedOut(): void {
    this.streak = 0;
    this.size = Math.max(this.min, Math.floor(this.size / 2));
  }
  succeeded(): void {
    if (this.size >= this.max) return;
    if (++this.streak >= this.growAfter) {
      this.streak = 0;
      this.size = Math.min(this.max, this.size * 2);
    }
  }
}

function authOptions(auth: GitHubAuth): Record<string, unknown> {
  if (auth.kind === "token") {
    registerSecret(auth.token);
    return { auth: auth.token };
  }
  let privateKey: string;
  try {
    privateKey = readFileSync(auth.privateKeyFile, "utf8");
  } catch (e) {
    throw new ConfigError(`github.app.privateKeyFile: cannot read ${auth.privateKeyFile}: ${messageOf(e)}`, {
      cause: e,
    });
  }
  if (!/-----BEGIN (RSA )?PRIVATE KEY-----/.test(privateKey)) {
    throw new ConfigError(`github.app.privateKeyFile: ${auth.privateKeyFile} is not a PEM private key`);
  }
  registerSecret(privateKey.trim());
  return {
    authStrategy: createAppAuth,
    auth: { appId: auth.appId, privateKey, installationId: auth.installationId },
  };
}
