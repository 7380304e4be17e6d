import { MessageChannel, Worker } from "node:worker_threads";
import { GitError } from "../../errors/index.js";
import { type Port, type ProducerParams, produce, type ToConsumer } from "./log-producer.js";

/** Batches the reading thread may stage ahead of the merges: bounds how far it runs ahead. */
const WINDOW = 4;

interface Channel {
  port: Port & { on(event: "message", listener: (m: ToConsumer) => void): unknown };
  /** Resolves when the producer side has ended. */
  close(): Promise<void>;
  failed: Promise<never>;
}

/**
 * The producer runs on a worker thread in the built tool. Run from TypeScript sources (the test
 * runner), Node 20 cannot load a .ts worker, so the same producer runs on a MessageChannel in this
 * thread: the protocol, the stage file and flow control are the same either way.
 */
function startProducer(params: ProducerParams): Channel {
  if (import.meta.url.endsWith(".js")) {
    // The reader holds a batch at a time; a small old generation makes V8 collect instead of
    // growing the heap with history.
    const worker = new Worker(new URL("./log-worker.js", import.meta.url), {
      workerData: params,
      resourceLimits: { maxOldGenerationSizeMb: 64 },
    });
    const failed = new Promise<never>((_, reject) => {
      worker.on("error", (e) =>
        reject(new GitError("E_GIT_WORKER", `${params.what}: the git reader failed: ${e.message}`)),
      );
      worker.on("exit", (code) => {
        if (code !== 0) reject(new GitError("E_GIT_WORKER", `${params.what}: the git reader stopped (exit ${code})`));
      });
    });
    failed.catch(() => undefined);
    return {
      port: worker as unknown as Channel["port"],
      failed,
      close: async () => {
        await worker.terminate();
      },
    };
  }
  const { port1, port2 } = new MessageChannel();
  const running = produce(params, port2 as unknown as Port);
  return {
    port: port1 as unknown as Channel["port"],
    failed: new Promise<never>(() => {}),
    close: async () => {
      await running;
      port1.close();
      port2.close();
    },
  };
}

export type StageEvent =
  | { kind: "staged"; upto: number; count: number }
  | { kind: "done"; complete: Record<string, boolean> };

/**
 * Reads the commits reachable from `include` and not from `exclude` into `stageFile` on another
 * thread, yielding as each batch is staged (the highest row id so far), then once when done.
 */
export async function* stageCommits(params: Omit<ProducerParams, "window">): AsyncGenerator<StageEvent> {
  if (params.include.length === 0) return;
  const ch = startProducer({ ...params, include: [...params.include], exclude: [...params.exclude], window: WINDOW });
  const queue: ToConsumer[] = [];
  let wake: (() => void) | undefined;
  let failure: unknown;
  ch.port.on("message", (m: ToConsumer) => {
    queue.push(m);
    wake?.();
  });
  ch.failed.catch((e: unknown) => {
    failure = e;
    wake?.();
  });
  let finished = false;
  try {
    for (;;) {
      while (queue.length === 0 && failure === undefined) await new Promise<void>((r) => (wake = r));
      if (queue.length === 0) throw failure;
      const m = queue.shift();
      if (!m) continue;
      if (m.type === "error") throw new GitError(m.code, m.message);
      if (m.type === "done") {
        yield { kind: "done", complete: m.complete };
        break;
      }
      yield { kind: "staged", upto: m.upto, count: m.count };
      ch.port.postMessage({ type: "credit" });
    }
    finished = true;
  } finally {
    if (!finished) ch.port.postMessage({ type: "stop" });
    await ch.close();
  }
}
