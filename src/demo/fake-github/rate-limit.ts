/**
 * Primary and (opt-in) secondary rate limits. GitHub keeps one GraphQL budget per user (every token
 * of the user shares it) and one per App installation; the hour-long window starts with the first
 * request and refills all at once at `resetAt`.
 */

export interface RateLimitOptions {
  limit?: number;
  remaining?: number;
  resetAt?: Date;
}

export interface Budget {
  limit: number;
  remaining: number;
  used: number;
  resetAt: Date;
}

const HOUR_MS = 3_600_000;

/** GitHub's documented installation limit: 5,000, +50 per repository and per user above 20, at most 12,500. */
export function installationLimit(repositories: number, users: number): number {
  return Math.min(12_500, 5_000 + 50 * Math.max(0, repositories - 20) + 50 * Math.max(0, users - 20));
}

export class PrimaryRateLimits {
  private readonly budgets = new Map<string, Budget>();

  constructor(
    private readonly options: RateLimitOptions,
    private readonly now: () => Date,
  ) {}

  /** The identity's budget, refilled if its window has passed. */
  budget(key: string, defaultLimit: number): Budget {
    const now = this.now();
    let budget = this.budgets.get(key);
    if (!budget) {
      const limit = this.options.limit ?? defaultLimit;
      const remaining = Math.min(limit, this.options.remaining ?? limit);
      budget = {
        limit,
        remaining,
        used: limit - remaining,
        resetAt: this.options.resetAt ?? new Date(now.getTime() + HOUR_MS),
      };
      this.budgets.set(key, budget);
    } else if (now.getTime() >= budget.resetAt.getTime()) {
      budget.remaining = budget.limit;
      budget.used = 0;
      budget.resetAt = new Date(now.getTime() + HOUR_MS);
    }
    return budget;
  }

  /** The query runs if any point is left; its full cost is then deducted (used may pass limit). */
  static charge(budget: Budget, points: number): void {
    budget.used += points;
    budget.remaining = Math.max(0, budget.remaining - points);
  }

  static exhaust(budget: Budget): void {
    budget.used = Math.max(budget.used, budget.limit);
    budget.remaining = 0;
  }

  static headers(budget: Budget): Record<string, string> {
    return {
      "x-ratelimit-limit": String(budget.limit),
      "x-ratelimit-remaining": String(budget.remaining),
      "x-ratelimit-used": String(budget.used),
      "x-ratelimit-reset": String(Math.floor(budget.resetAt.getTime() / 1000)),
      "x-ratelimit-resource": "graphql",
    };
  }
}

export interface SecondaryLimitOptions {
  /** GitHub: 2,000 points per minute for the GraphQL endpoint (a query without mutations is 1 point). */
  pointsPerMinute?: number;
  /** GitHub: 100 concurrent requests. */
  concurrentRequests?: number;
  /** retry-after sent with the refusal; GitHub's is typically 60. */
  retryAfterSeconds?: number;
}

/** GitHub's documented secondary limits, enforced per identity when the options ask for them. */
export class SecondaryRateLimits {
  private readonly inFlight = new Map<string, number>();
  private readonly recent = new Map<string, number[]>();
  private readonly pointsPerMinute: number;
  private readonly concurrent: number;
  readonly retryAfterSeconds: number;

  constructor(
    options: SecondaryLimitOptions,
    private readonly now: () => Date,
  ) {
    this.pointsPerMinute = options.pointsPerMinute ?? 2_000;
    this.concurrent = options.concurrentRequests ?? 100;
    this.retryAfterSeconds = options.retryAfterSeconds ?? 60;
  }

  /** Admits the request (true) and counts it, or refuses it. */
  admit(key: string): boolean {
    const now = this.now().getTime();
    const window = (this.recent.get(key) ?? []).filter((t) => now - t < 60_000);
    this.recent.set(key, window);
    const active = this.inFlight.get(key) ?? 0;
    if (active >= this.concurrent || window.length >= this.pointsPerMinute) return false;
    window.push(now);
    this.inFlight.set(key, active + 1);
    return true;
  }

  release(key: string): void {
    this.inFlight.set(key, Math.max(0, (this.inFlight.get(key) ?? 1) - 1));
  }
}
