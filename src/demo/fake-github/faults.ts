/**
 * Failures a test can queue, each as GitHub (or the network in front of it) produces it. A fault
 * applies to the next GraphQL requests it matches, `times` times.
 */

export interface FaultRequest {
  /** As sent, or else the name of the document's only operation. */
  operationName?: string;
  query: string;
  variables: Record<string, unknown>;
}

interface FaultBase {
  /** How many matching requests it affects (default 1). */
  times?: number;
  /** Which requests it affects (default: every GraphQL request). */
  match?: (request: FaultRequest) => boolean;
}

export type Fault =
  /** 502 after charging the points: GitHub's answer to a query that timed out behind its proxy. */
  | (FaultBase & { kind: "bad-gateway" })
  /** 504 after charging the points. */
  | (FaultBase & { kind: "gateway-timeout" })
  /** 500, nothing charged. */
  | (FaultBase & { kind: "server-error" })
  /** 403 with GitHub's secondary-limit message; `retry-after` unless retryAfterSeconds is null. */
  | (FaultBase & { kind: "secondary-rate-limit"; retryAfterSeconds?: number | null })
  /** The budget drops to 0 until its reset: this and later requests get RATE_LIMITED. */
  | (FaultBase & { kind: "primary-exhausted" })
  /** The answer comes after delayMs (default 1,000). */
  | (FaultBase & { kind: "slow"; delayMs?: number })
  /**
   * The query is run and charged, then the connection is closed before any answer: what a proxy
   * in front of GitHub does to a long query (the client sees "other side closed").
   */
  | (FaultBase & { kind: "drop-connection" })
  /** Headers and part of the body (default: half), then the connection is cut. */
  | (FaultBase & { kind: "truncated"; bytes?: number })
  /**
   * The field at `path` is removed from `data` (dot-separated response keys, `*` for every element
   * or key), e.g. "repository.pullRequests.nodes.*.mergeCommit".
   */
  | (FaultBase & { kind: "drop-field"; path: string });

export type FaultKind = Fault["kind"];

export class FaultQueue {
  private readonly queue: { fault: Fault; left: number }[] = [];

  push(fault: Fault): void {
    this.queue.push({ fault, left: fault.times ?? 1 });
  }

  /** The first queued fault that matches, used up by one. */
  take(request: FaultRequest): Fault | undefined {
    const at = this.queue.findIndex((q) => q.left > 0 && (q.fault.match?.(request) ?? true));
    const entry = this.queue[at];
    if (!entry) return undefined;
    entry.left--;
    if (entry.left <= 0) this.queue.splice(at, 1);
    return entry.fault;
  }
}

/** Removes the key a path names, everywhere it matches. */
export function dropPath(data: unknown, path: string): void {
  const segments = path.split(".").filter((s) => s.length > 0);
  const visit = (value: unknown, depth: number): void => {
    if (value === null || typeof value !== "object") return;
    const segment = segments[depth];
    if (segment === undefined) return;
    const container = value as Record<string, unknown>;
    const last = depth === segments.length - 1;
    const keys = segment === "*" ? Object.keys(container) : [segment];
    for (const key of keys) {
      if (!(key in container)) continue;
      if (last) delete container[key];
      else visit(container[key], depth + 1);
    }
  };
  visit(data, 0);
}
