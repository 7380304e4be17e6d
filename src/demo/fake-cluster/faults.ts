/**
 * Failures a test switches on at runtime, shared by the fake Kubernetes and Argo CD servers. Each
 * fault affects the next request it matches (`times`, default 1) or every one (`persistent`), until
 * used up or removed.
 */

import type { KubeResource } from "./resources.js";

/** What happens to a matched request. */
export type FaultAction =
  /**
   * An error answer: a Status object (Kubernetes) or grpc-gateway JSON (Argo CD) with this HTTP
   * code; `rawBody` instead sends that text (e.g. a proxy's HTML 502 page).
   */
  | {
      kind: "status";
      code: number;
      message?: string;
      reason?: string;
      retryAfterSeconds?: number;
      rawBody?: string;
    }
  /** The answer comes after delayMs (close() cuts it short). */
  | { kind: "slow"; delayMs: number }
  /** Headers and part of the body (default: half), then the socket is destroyed. */
  | { kind: "truncated"; bytes?: number }
  /** 200 with a body that is not JSON (default: an HTML page, as a misrouted proxy gives). */
  | { kind: "malformed"; body?: string; contentType?: string }
  /** The socket is destroyed without an answer. */
  | { kind: "dropConnection" };

export interface FaultScope {
  /** Matched requests it affects (default 1). Ignored when persistent. */
  times?: number;
  /** Affects every matching request until removed. */
  persistent?: boolean;
  /** Only requests whose path starts with this. */
  path?: string;
}

/** Kubernetes only: a list request carrying `continue` answers 410 Expired. */
export interface ExpireContinueFault {
  kind: "expireContinue";
  /**
   * Default true: the Status carries an "inconsistent" continue token (resourceVersion -1) that
   * continues at the latest state, as etcd3 storage does after compaction.
   */
  inconsistentToken?: boolean;
}

export type KubeFault = (FaultAction | ExpireContinueFault) &
  FaultScope & {
    /** Only requests for this resource (any version of it matches only if named exactly). */
    resource?: KubeResource;
  };

export type ArgoCdFault = FaultAction & FaultScope;

export type FaultKind = KubeFault["kind"];

export interface FaultHandle {
  /** Requests it has affected so far. */
  readonly hits: number;
  /** Whether it can still affect a request. */
  readonly active: boolean;
  remove(): void;
}

interface Entry<F> {
  fault: F;
  left: number;
  hits: number;
  removed: boolean;
}

export class FaultController<F extends FaultScope> {
  private readonly entries: Entry<F>[] = [];

  /** Switch a fault on; the handle tells how often it fired and turns it off. */
  add(fault: F): FaultHandle {
    const entry: Entry<F> = {
      fault,
      left: fault.persistent ? Number.POSITIVE_INFINITY : (fault.times ?? 1),
      hits: 0,
      removed: false,
    };
    this.entries.push(entry);
    const entries = this.entries;
    return {
      get hits() {
        return entry.hits;
      },
      get active() {
        return !entry.removed && entry.left > 0;
      },
      remove() {
        entry.removed = true;
        const at = entries.indexOf(entry);
        if (at >= 0) entries.splice(at, 1);
      },
    };
  }

  /** Remove every fault. */
  clear(): void {
    for (const e of this.entries) e.removed = true;
    this.entries.length = 0;
  }

  /** Faults still able to fire, oldest first. */
  get pending(): readonly F[] {
    return this.entries.map((e) => e.fault);
  }

  /** The first fault that matches, used up by one. */
  take(path: string, matches: (fault: F) => boolean): F | undefined {
    const entry = this.entries.find(
      (e) => e.left > 0 && (e.fault.path === undefined || path.startsWith(e.fault.path)) && matches(e.fault),
    );
    if (!entry) return undefined;
    entry.left--;
    entry.hits++;
    if (entry.left <= 0) {
      entry.removed = true;
      this.entries.splice(this.entries.indexOf(entry), 1);
    }
    return entry.fault;
  }
}
