import { ChangeproofError, GitError, messageOf } from "../../errors/index.js";
import { FirstParentTracker } from "./first-parent-tracker.js";
import type { CommitRecord } from "./raw-commit.js";
import { rawLog } from "./raw-log.js";
import { openStage } from "./stage-file.js";

/**
 * Reads and parses git's history on its own thread, follows the protected branches' first-parent
 * chains as commits pass, and appends them to a scratch stage file, so that git, parsing, staging
 * and the store's merges run at the same time. The consumer grants credits: the producer is never
 * more than its credits' worth of batches ahead of the merges.
 */

export interface TrackedBranch {
  branch: string;
  tip: string;
  /** The previous tip (exclusive), or "" to follow the chain to the root. */
  stop: string;
}

export interface ProducerParams {
  gitDir: string;
  include: readonly string[];
  exclude: readonly string[];
  what: string;
  batchSize: number;
  /** Batches that may be staged ahead of the consumer. */
  window: number;
  stageFile: string;
  branches: readonly TrackedBranch[];
}

export type ToConsumer =
  | { type: "staged"; upto: number; count: number }
  /** `complete[branch]`: whether the stream carried that branch's whole chain down to its stop. */
  | { type: "done"; complete: Record<string, boolean> }
  | { type: "error"; message: string; code: string };

export type ToProducer = { type: "credit" } | { type: "stop" };

/** The part of a MessagePort (or a Worker's parentPort) the protocol uses. */
export interface Port {
  postMessage(message: unknown): void;
  on(event: "message", listener: (message: ToProducer) => void): unknown;
  off(event: "message", listener: (message: ToProducer) => void): unknown;
}

export async function produce(params: ProducerParams, port: Port): Promise<void> {
  let credits = params.window;
  let stopped = false;
  let wake: (() => void) | undefined;
  const listener = (m: ToProducer): void => {
    if (m.type === "credit") credits++;
    else stopped = true;
    wake?.();
  };
  port.on("message", listener);
  const trackers = params.branches.map((b) => new FirstParentTracker(b.branch, b.tip, b.stop));
  const log = rawLog(params.gitDir, params.include, params.exclude, params.what);
  const stage = openStage(params.stageFile);
  try {
    let batch: CommitRecord[] = [];
    const send = async (): Promise<void> => {
      while (credits === 0 && !stopped) await new Promise<void>((r) => (wake = r));
      if (stopped) return;
      credits--;
      const fp = batch.map((c) => trackers.filter((t) => t.see(c.sha, c.parents[0] ?? "")).map((t) => t.branch));
      const upto = stage.write(batch, fp);
      port.postMessage({ type: "staged", upto, count: batch.length } satisfies ToConsumer);
      batch = [];
    };
    for await (const c of log) {
      batch.push(c);
      if (batch.length >= params.batchSize) await send();
      if (stopped) break;
    }
    if (!stopped && batch.length > 0) await send();
    if (!stopped) {
      const complete = Object.fromEntries(trackers.map((t) => [t.branch, t.complete]));
      port.postMessage({ type: "done", complete } satisfies ToConsumer);
    }
  } catch (e) {
    const code = e instanceof ChangeproofError ? e.code : "E_GIT_PARSE";
    const message = e instanceof GitError ? e.message : `${params.what}: reading git history failed: ${messageOf(e)}`;
    port.postMessage({ type: "error", message, code } satisfies ToConsumer);
  } finally {
    port.off("message", listener);
    stage.close();
    // Ends git if the consumer stopped early.
    await log.return(undefined).catch(() => undefined);
  }
}
