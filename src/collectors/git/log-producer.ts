import { ChangeproofError, GitError, messageOf } from "../../errors/index.js";
import { encodeBatch } from "./commit-batch.js";
import type { CommitRecord } from "./raw-commit.js";
import { rawLog } from "./raw-log.js";

/**
 * Reads and parses git's history on its own thread and sends it on in batches, so that git,
 * parsing and the store's inserts run at the same time. The consumer grants credits; the
 * producer never has more than its credits' worth of batches in flight, so memory stays flat
 * however long the history.
 */

export interface ProducerParams {
  gitDir: string;
  include: readonly string[];
  exclude: readonly string[];
  what: string;
  batchSize: number;
  /** Batches that may be in flight before the consumer grants more. */
  window: number;
}

export type ToConsumer =
  | { type: "batch"; data: string; count: number }
  | { type: "done" }
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
  const log = rawLog(params.gitDir, params.include, params.exclude, params.what);
  try {
    let batch: CommitRecord[] = [];
    const send = async (): Promise<void> => {
      while (credits === 0 && !stopped) await new Promise<void>((r) => (wake = r));
      if (stopped) return;
      credits--;
      port.postMessage({ type: "batch", data: encodeBatch(batch), count: batch.length } satisfies ToConsumer);
      batch = [];
    };
    for await (const c of log) {
      batch.push(c);
      if (batch.length >= params.batchSize) await send();
      if (stopped) break;
    }
    if (!stopped && batch.length > 0) await send();
    if (!stopped) port.postMessage({ type: "done" } satisfies ToConsumer);
  } catch (e) {
    const code = e instanceof ChangeproofError ? e.code : "E_GIT_PARSE";
    const message = e instanceof GitError ? e.message : `${params.what}: reading git history failed: ${messageOf(e)}`;
    port.postMessage({ type: "error", message, code } satisfies ToConsumer);
  } finally {
    port.off("message", listener);
    // Ends git if the consumer stopped early.
    await log.return(undefined).catch(() => undefined);
  }
}
