import { createHmac } from "node:crypto";
import { type ClientRequest, request } from "node:http";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { DeploymentRecord, ReconcilerEventRecord } from "../../../src/collectors/reconciler/deployment.js";
import { type FluxReceiverOptions, startFluxReceiver } from "../../../src/collectors/reconciler/flux-webhook.js";
import { readExport, writeExport } from "../../../src/collectors/reconciler/ndjson.js";
import { MAX_TEXT } from "../../../src/collectors/reconciler/record-schema.js";
import { createLogger } from "../../../src/log/logger.js";
import { tempDir } from "../../helpers/tmp.js";

/**
 * The receiver over real HTTP on 127.0.0.1 (ephemeral port), with bodies signed as
 * notification-controller's generic-hmac provider signs them (docs/reference/reconcilers.md §6).
 */

const KEY = Buffer.from("hmac-key-4b1d0c9e7f2a");
const TOKEN = "bearer-token-8e3f61a2c9d7";
const SHA = "d11dc3159634606cafccb94cb9c2a22d3fbe90e7";

const EVENT = {
  involvedObject: {
    kind: "Kustomization",
    namespace: "flux-system",
    name: "apps",
    uid: "7d0cdc51-ddcf-4743-b223-83ca5c699632",
    apiVersion: "kustomize.toolkit.fluxcd.io/v1",
    resourceVersion: "50060406",
  },
  severity: "info",
  timestamp: "2025-09-06T16:47:10Z",
  message: "Reconciliation finished in 154.143224ms, next run in 10m0s",
  reason: "ReconciliationSucceeded",
  metadata: { commit_status: "update", revision: `main@sha1:${SHA}` },
  reportingController: "kustomize-controller",
  reportingInstance: "kustomize-controller-7bcf986f97-mn7gg",
};
const BODY = Buffer.from(JSON.stringify(EVENT));

const sign = (body: Buffer, algo = "sha256", key = KEY) =>
  `${algo}=${createHmac(algo, key).update(body).digest("hex")}`;

interface Stored {
  event: ReconcilerEventRecord;
  deployment: DeploymentRecord | null;
}

/** A store keyed by event key, as the real one dedupes. */
function sink() {
  const byKey = new Map<string, Stored>();
  let calls = 0;
  return {
    byKey,
    calls: () => calls,
    accept: (r: Stored): "stored" | "duplicate" => {
      calls++;
      if (byKey.has(r.event.key)) return "duplicate";
      byKey.set(r.event.key, r);
      return "stored";
    },
  };
}

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((r) => r.close()));
});

async function start(overrides: Partial<FluxReceiverOptions> = {}, { hmac = true } = {}) {
  const lines: string[] = [];
  const store = sink();
  const receiver = await startFluxReceiver({
    host: "127.0.0.1",
    port: 0,
    path: "/flux",
    cluster: "prod",
    ...(hmac ? { hmacKey: KEY } : {}),
    accept: store.accept,
    log: createLogger({ level: "debug", write: (c) => lines.push(c) }),
    ...overrides,
  });
  open.push(receiver);
  return { receiver, store, lines, log: () => lines.join("") };
}

interface Response {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  json: unknown;
}

/** One request on its own connection; the body is sent with Content-Length. */
function send(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: Buffer | string } = {},
): Promise<Response> {
  return new Promise((resolve, reject) => {
    const body = options.body === undefined ? undefined : Buffer.from(options.body);
    const req = request(
      url,
      {
        method: options.method ?? "POST",
        agent: false,
        headers: {
          ...(body ? { "content-length": String(body.length) } : {}),
          ...options.headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          resolve({ status: res.statusCode ?? 0, headers: res.headers, json: JSON.parse(text) });
        });
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

/**
 * Starts an upload and never finishes it: the response can only come from a server that refuses
 * without waiting for the rest. Chunked unless headers declare a length.
 */
function unfinishedUpload(url: string, headers: Record<string, string>, chunks: Buffer[]): Promise<Response> {
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = request(url, { method: "POST", agent: false, headers }, (res) => {
      answered = true;
      const parts: Buffer[] = [];
      res.on("data", (c: Buffer) => parts.push(c));
      res.on("end", () => {
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          json: JSON.parse(Buffer.concat(parts).toString("utf8")),
        });
        req.destroy();
      });
    });
    req.on("error", (err) => {
      if (!answered) reject(err);
    });
    req.flushHeaders();
    for (const c of chunks) req.write(c);
  });
}

const JSON_HEADERS = { "content-type": "application/json" };

describe("startFluxReceiver (generic-hmac)", () => {
  it("stores a correctly signed event (202), and answers a redelivery as a duplicate (200)", async () => {
    const { receiver, store, log } = await start();
    const headers = { ...JSON_HEADERS, "x-signature": sign(BODY) };
    const first = await send(receiver.url, { headers, body: BODY });
    expect(first).toMatchObject({ status: 202, json: { stored: true } });
    expect(first.headers["content-type"]).toBe("application/json");
    const [stored] = [...store.byKey.values()];
    expect(stored?.event).toMatchObject({
      via: "webhook",
      cluster: "prod",
      kind: "Kustomization",
      revision: `main@sha1:${SHA}`,
    });
    expect(stored?.deployment).toMatchObject({ basis: "webhook", commit: SHA, outcome: "succeeded" });

    const again = await send(receiver.url, { headers, body: BODY });
    expect(again).toMatchObject({ status: 200, json: { stored: false, duplicate: true } });
    expect(store.calls()).toBe(2);
    expect(store.byKey.size).toBe(1);
    expect(log()).toContain("debug: flux receiver method=POST status=202 reason=stored");
    expect(log()).toContain("status=200 reason=duplicate");
    expect(log()).not.toContain(KEY.toString());
    expect(log()).not.toContain(EVENT.message);
  });

  it.each(["sha224", "sha384", "sha512"])("accepts a %s signature", async (algo) => {
    const { receiver, store } = await start();
    const r = await send(receiver.url, { headers: { ...JSON_HEADERS, "x-signature": sign(BODY, algo) }, body: BODY });
    expect(r.status).toBe(202);
    expect(store.byKey.size).toBe(1);
  });

  it.each([
    ["a signature made with another key", () => sign(BODY, "sha256", Buffer.from("another-key")), "bad-signature"],
    ["a signature of another body", () => sign(Buffer.from(`${BODY.toString()} `)), "bad-signature"],
    ["a truncated signature", () => sign(BODY).slice(0, -2), "bad-signature"],
    ["a signature that is not hex", () => `sha256=${"zz".repeat(32)}`, "bad-signature"],
    ["an unsupported algorithm", () => sign(BODY, "md5"), "bad-signature-algorithm"],
    ["sha1", () => sign(BODY, "sha1"), "bad-signature-algorithm"],
    ["no algorithm", () => createHmac("sha256", KEY).update(BODY).digest("hex"), "bad-signature-algorithm"],
    ["no signature", () => "", "missing-signature"],
  ])("refuses %s (401) and never stores", async (_, signature, reason) => {
    const { receiver, store, log } = await start();
    const sig = signature();
    const headers: Record<string, string> = { ...JSON_HEADERS, ...(sig ? { "x-signature": sig } : {}) };
    const r = await send(receiver.url, { headers, body: BODY });
    expect(r.status).toBe(401);
    expect(r.headers["content-type"]).toBe("application/json");
    expect(r.json).toEqual({ error: expect.any(String) });
    expect(store.calls()).toBe(0);
    expect(log()).toContain(`warn: flux receiver: refused method=POST status=401 reason=${reason}`);
  });

  it("refuses a body over the limit declared by Content-Length before reading it (413)", async () => {
    const { receiver, store } = await start({ maxBodyBytes: 1024 });
    const r = await unfinishedUpload(
      receiver.url,
      { ...JSON_HEADERS, "content-length": String(10 * 1024 * 1024), "x-signature": sign(BODY) },
      [],
    );
    expect(r).toMatchObject({ status: 413, json: { error: "body larger than 1024 bytes" } });
    expect(r.headers.connection).toBe("close");
    expect(store.calls()).toBe(0);
  });

  it("refuses a chunked body as soon as it crosses the limit, without waiting for the rest (413)", async () => {
    const { receiver, store, log } = await start({ maxBodyBytes: 1024 });
    const r = await unfinishedUpload(receiver.url, { ...JSON_HEADERS, "x-signature": sign(BODY) }, [
      Buffer.alloc(700, 0x20),
      Buffer.alloc(700, 0x20),
    ]);
    expect(r).toMatchObject({ status: 413, json: { error: "body larger than 1024 bytes" } });
    expect(store.calls()).toBe(0);
    expect(log()).toContain("status=413 reason=body-too-large");
  });

  it("accepts a body exactly at the limit", async () => {
    const { receiver } = await start({ maxBodyBytes: BODY.length });
    const r = await send(receiver.url, { headers: { ...JSON_HEADERS, "x-signature": sign(BODY) }, body: BODY });
    expect(r.status).toBe(202);
  });

  it("answers 400 for a correctly signed body that is not JSON", async () => {
    const { receiver, store } = await start();
    const body = Buffer.from('{"involvedObject": ');
    const r = await send(receiver.url, { headers: { ...JSON_HEADERS, "x-signature": sign(body) }, body });
    expect(r).toMatchObject({ status: 400, json: { error: "body is not valid JSON" } });
    expect(store.calls()).toBe(0);
  });

  it("answers 422 with the reason, JSON-escaped, for JSON that is not a Flux event", async () => {
    const { receiver, store, log } = await start();
    const body = Buffer.from(
      JSON.stringify({
        involvedObject: { kind: "Kustomization", namespace: "flux-system", name: 'apps"</script>\n' },
        reason: "ReconciliationSucceeded",
        message: "no timestamp",
      }),
    );
    const r = await send(receiver.url, { headers: { ...JSON_HEADERS, "x-signature": sign(body) }, body });
    expect(r.status).toBe(422);
    expect(r.json).toEqual({
      error: 'webhook event about Kustomization flux-system/apps"</script>\n: skipped, timestamp is required',
    });
    expect(store.calls()).toBe(0);
    expect(log()).toContain("status=422 reason=unmappable");
    expect(log()).not.toContain("</script>");
  });

  it("answers 405 for other methods on the path, 404 elsewhere, 415 for other content types", async () => {
    const { receiver, store } = await start();
    const get = await send(receiver.url, { method: "GET" });
    expect(get.status).toBe(405);
    expect(get.headers.allow).toBe("POST");
    expect(get.headers["content-type"]).toBe("application/json");
    const elsewhere = await send(new URL("/other", receiver.url).href, {
      headers: { ...JSON_HEADERS, "x-signature": sign(BODY) },
      body: BODY,
    });
    expect(elsewhere.status).toBe(404);
    const text = await send(receiver.url, {
      headers: { "content-type": "text/plain", "x-signature": sign(BODY) },
      body: BODY,
    });
    expect(text).toMatchObject({ status: 415, json: { error: "content-type must be application/json" } });
    const charset = await send(receiver.url, {
      headers: { "content-type": "application/json; charset=utf-8", "x-signature": sign(BODY) },
      body: BODY,
    });
    expect(charset.status).toBe(202);
    expect(store.calls()).toBe(1);
  });

  it("answers 500 and logs an error when storing fails, without the key or the body", async () => {
    const { receiver, log } = await start({
      accept: () => {
        throw new Error("database is locked");
      },
    });
    const r = await send(receiver.url, { headers: { ...JSON_HEADERS, "x-signature": sign(BODY) }, body: BODY });
    expect(r).toMatchObject({ status: 500, json: { error: "could not store the event" } });
    expect(log()).toContain('error: flux receiver: storing an event failed error="database is locked"');
    expect(log()).not.toContain(KEY.toString());
    expect(log()).not.toContain(EVENT.message);
  });

  it("refuses a missing or malformed X-Signature (401) before reading the body, so it holds no budget", async () => {
    // A long body deadline: an answer can only come from a refusal that did not wait for the body.
    const { receiver, store } = await start({ limits: { bodyTimeoutMs: 60_000 } });
    for (const signature of [undefined, "md5=abcd", "sha256=zz", `sha256=${"a".repeat(63)}`]) {
      const unsent = await unfinishedUpload(
        receiver.url,
        { ...JSON_HEADERS, "content-length": "1000", ...(signature ? { "x-signature": signature } : {}) },
        [Buffer.from("{")],
      );
      expect(unsent.status).toBe(401);
    }
    expect(store.calls()).toBe(0);
  });

  it("answers GET /healthz without authentication", async () => {
    const { receiver } = await start();
    const r = await send(new URL("/healthz", receiver.url).href, { method: "GET" });
    expect(r).toMatchObject({ status: 200, json: { ok: true } });
    expect(r.headers["content-type"]).toBe("application/json");
  });

  it("reports the real port in its url", async () => {
    const { receiver } = await start();
    expect(receiver.url).toMatch(/^http:\/\/127\.0\.0\.1:[1-9]\d*\/flux$/);
  });
});

describe("startFluxReceiver (bearer token)", () => {
  it("stores with the right token, refuses a wrong or missing one (401) before reading the body", async () => {
    const { receiver, store, log } = await start({ bearerToken: TOKEN }, { hmac: false });
    const ok = await send(receiver.url, {
      headers: { ...JSON_HEADERS, authorization: `Bearer ${TOKEN}` },
      body: BODY,
    });
    expect(ok.status).toBe(202);
    const wrong = await send(receiver.url, {
      headers: { ...JSON_HEADERS, authorization: `Bearer ${TOKEN}x` },
      body: BODY,
    });
    expect(wrong.status).toBe(401);
    expect(wrong.headers["www-authenticate"]).toBe("Bearer");
    const missing = await send(receiver.url, { headers: JSON_HEADERS, body: BODY });
    expect(missing.status).toBe(401);
    const unsent = await unfinishedUpload(receiver.url, { ...JSON_HEADERS, authorization: "Bearer nope" }, [
      Buffer.from("{"),
    ]);
    expect(unsent.status).toBe(401);
    expect(store.calls()).toBe(1);
    expect(log()).not.toContain(TOKEN);
  });
});

describe("startFluxReceiver configuration", () => {
  it("refuses to start without a key or token unless told to", async () => {
    const log = createLogger({ write: () => {} });
    const base = { host: "127.0.0.1", port: 0, cluster: "prod", accept: () => "stored" as const, log };
    await expect(startFluxReceiver(base)).rejects.toThrow(/without authentication/);
    await expect(startFluxReceiver({ ...base, hmacKey: Buffer.alloc(0) })).rejects.toThrow(/hmacKey is empty/);
    const open1 = await startFluxReceiver({ ...base, allowUnauthenticated: true });
    open.push(open1);
    expect(open1.url).toMatch(/\/$/);
    const r = await send(open1.url, { headers: JSON_HEADERS, body: BODY });
    expect(r.status).toBe(202);
  });

  it("refuses limits that could never take in one largest body", async () => {
    const log = createLogger({ write: () => {} });
    const base = { host: "127.0.0.1", port: 0, cluster: "prod", hmacKey: KEY, accept: () => "stored" as const, log };
    await expect(startFluxReceiver({ ...base, maxBodyBytes: 2048, limits: { peerBufferBytes: 1024 } })).rejects.toThrow(
      /limits must allow one largest body: maxBodyBytes 2048 <= peerBufferBytes 1024/,
    );
    await expect(startFluxReceiver({ ...base, limits: { bodyTimeoutMs: 0 } })).rejects.toThrow(
      /limits\.bodyTimeoutMs must be a positive integer/,
    );
  });
});

describe("startFluxReceiver under load from unsigned senders", () => {
  /**
   * Uploads that declare `declared` bytes and send one every `everyMs`, `slots` at a time, each
   * starting over as soon as it is cut, until stopped: a sender without the key holding what it can.
   */
  function slowSenders(url: string, slots: number, declared: number, everyMs: number) {
    const live = new Set<ClientRequest>();
    const cuts: { how: string; livedMs: number }[] = [];
    let stopped = false;
    const open = () => {
      if (stopped) return;
      const began = Date.now();
      const req = request(url, {
        method: "POST",
        agent: false,
        headers: { ...JSON_HEADERS, "content-length": String(declared), "x-signature": sign(BODY) },
      });
      live.add(req);
      const tick = setInterval(() => req.write(" "), everyMs);
      let ended = false;
      const end = (how: string) => {
        if (ended) return;
        ended = true;
        clearInterval(tick);
        live.delete(req);
        req.destroy();
        if (stopped) return;
        cuts.push({ how, livedMs: Date.now() - began });
        open();
      };
      req.on("response", (res) => {
        res.resume();
        end(String(res.statusCode));
      });
      req.on("error", () => end("reset"));
      req.on("close", () => end("closed"));
      req.flushHeaders();
      req.write(" ");
    };
    for (let i = 0; i < slots; i++) open();
    return {
      cuts,
      stop: () => {
        stopped = true;
        for (const req of live) req.destroy();
      },
    };
  }

  const signed = (i: number) => {
    const body = Buffer.from(
      JSON.stringify({ ...EVENT, timestamp: `2025-09-06T16:48:${String(i).padStart(2, "0")}Z` }),
    );
    return { headers: { ...JSON_HEADERS, "x-signature": sign(body) }, body };
  };
  const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  it("slow uploads declaring large bodies hold only what they sent and are cut: signed deliveries keep getting 202", async () => {
    // Four senders declare 4 MiB each (16 MiB, the whole buffer budget) and send a byte every 50 ms.
    const maxBodyBytes = 4 * 1024 * 1024;
    const { receiver, store, log } = await start({ maxBodyBytes, limits: { bodyTimeoutMs: 300 } });
    const attack = slowSenders(receiver.url, 4, maxBodyBytes, 50);
    try {
      await pause(100);
      const statuses: number[] = [];
      // Long enough for every slow sender to be cut and come back more than once.
      for (let i = 0; i < 12; i++) {
        statuses.push((await send(receiver.url, signed(i))).status);
        await pause(100);
      }
      expect(statuses).toEqual(Array(12).fill(202));
      expect(store.byKey.size).toBe(12);
      await pause(400);
    } finally {
      attack.stop();
    }
    // Each slow upload was cut near its deadline (the bound is generous: 300 ms asked), and answered 408.
    expect(attack.cuts.length).toBeGreaterThanOrEqual(8);
    for (const cut of attack.cuts) {
      expect(["408", "reset", "closed"]).toContain(cut.how);
      expect(cut.livedMs).toBeLessThan(5_000);
    }
    expect(attack.cuts.some((c) => c.how === "408")).toBe(true);
    expect(log()).toContain("status=408 reason=body-timeout");
    expect(log()).not.toContain("reason=busy");
  });

  it("caps the connections one sender holds; past the cap its connections are closed until it holds fewer", async () => {
    const { receiver, log } = await start({ limits: { peerConnections: 3, bodyTimeoutMs: 10_000 } });
    const attack = slowSenders(receiver.url, 3, 1024, 1_000);
    let refused: unknown;
    try {
      await pause(100);
      refused = await send(receiver.url, signed(0)).catch((e: unknown) => e);
    } finally {
      attack.stop();
    }
    expect(refused).toBeInstanceOf(Error);
    expect(log()).toContain(
      "warn: flux receiver: a sender holds its share of connections; more from it are closed remote=127.0.0.1 max=3",
    );
    // Once the sender's connections are gone, it is served again (notification-controller retries).
    let status = 0;
    for (let attempt = 0; attempt < 50 && status !== 202; attempt++) {
      status = await send(receiver.url, signed(1)).then(
        (r) => r.status,
        () => 0,
      );
      if (status !== 202) await pause(50);
    }
    expect(status).toBe(202);
  });

  it.each([
    ["all senders", { bufferBytes: 16 * 1024, peerBufferBytes: 16 * 1024 }, "busy"],
    ["one sender", { bufferBytes: 64 * 1024, peerBufferBytes: 16 * 1024 }, "peer-busy"],
  ])(
    "answers 503 to a body whose bytes received take %s past the budget, and gives them back",
    async (_, limits, reason) => {
      const { receiver, store, log } = await start({
        maxBodyBytes: 10 * 1024,
        limits: { ...limits, bodyTimeoutMs: 10_000 },
      });
      const headers = { ...JSON_HEADERS, "content-length": String(10 * 1024), "x-signature": sign(BODY) };
      // Two uploads send 9 KiB each and stop: whichever the server reads second crosses 16 KiB.
      const first = unfinishedUpload(receiver.url, headers, [Buffer.alloc(9 * 1024, 32)]);
      const second = unfinishedUpload(receiver.url, headers, [Buffer.alloc(9 * 1024, 32)]);
      const answered = await Promise.race([first, second]);
      expect(answered.status).toBe(503);
      expect(answered.headers["retry-after"]).toBe("1");
      expect(log()).toContain(`status=503 reason=${reason}`);
      expect(store.calls()).toBe(0);
      // The refused upload's bytes were given back: a delivery fits beside the one still held.
      expect((await send(receiver.url, signed(2))).status).toBe(202);
    },
  );
});

describe("startFluxReceiver and the limits import applies", () => {
  const dir = tempDir("changeproof-webhook-export-");

  it("refuses (422) an event import would refuse, and what it stores always exports and imports", async () => {
    const { receiver, store, log } = await start();
    const deliver = (message: string) => {
      const body = Buffer.from(JSON.stringify({ ...EVENT, message }));
      return send(receiver.url, { headers: { ...JSON_HEADERS, "x-signature": sign(body) }, body });
    };
    const tooLong = await deliver("m".repeat(MAX_TEXT + 1));
    expect(tooLong).toMatchObject({
      status: 422,
      json: {
        error: "event.message Too big: expected string to have <=100000 characters; changeproof import would refuse it",
      },
    });
    expect(store.calls()).toBe(0);
    expect(log()).toContain("status=422 reason=over-import-limits");
    expect((await deliver("m".repeat(MAX_TEXT))).status).toBe(202);
    expect((await deliver("short")).status).toBe(202);

    // The receiver's export of what it stored: nothing left out, everything imports.
    const stored = [...store.byKey.values()];
    const written = writeExport(
      path.join(dir, "exports"),
      {
        cluster: "prod",
        runId: 1,
        startedAt: "2026-07-04T00:00:00.000Z",
        status: "succeeded",
        error: null,
        counts: {},
        gaps: [],
        parameters: {},
      },
      {
        deployments: stored.flatMap((s) => (s.deployment ? [s.deployment] : [])),
        observations: [],
        events: stored.map((s) => s.event),
      },
    );
    expect(written.leftOut).toEqual([]);
    const parsed = readExport(written.file);
    expect(parsed.events).toEqual(stored.map((s) => s.event));
    expect(parsed.deployments).toHaveLength(2);
  });
});
