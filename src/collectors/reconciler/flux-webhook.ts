import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Logger } from "../../log/logger.js";
import { registerSecret } from "../../util/redact.js";
import type { DeploymentRecord, ReconcilerEventRecord } from "./deployment.js";
import { webhookEventRecords } from "./flux.js";
import { BodyBudget, capPeerConnections, peerOf, type ReceiverLimits, receiverLimits } from "./receiver-limits.js";
import { recordProblem } from "./record-schema.js";

/**
 * An HTTP receiver for notification-controller's `generic` and `generic-hmac` providers
 * (docs/reference/reconcilers.md §6). notification-controller POSTs one JSON Event per request,
 * `Content-Type: application/json`; `generic-hmac` adds `X-Signature: sha256=<hex>`, an HMAC of
 * the exact body bytes keyed with the Provider secret's token. A Provider secret's `headers` can
 * add `Authorization: Bearer <token>` for the plain `generic` provider.
 *
 * Order of checks: route (404/405), bearer token (401, before reading any body), content type
 * (415), declared length (413), body read with a running limit (413), a deadline (408) and a
 * budget of bytes held (503, receiver-limits.ts), signature (401, over the raw bytes, before
 * parsing), JSON (400), mapping (422), the limits `import` applies to a record (422: an event the
 * receiver stored but its export could not carry would make the report machine refuse the whole
 * file), store (202/200, 500). Secrets and bodies are never logged.
 */

export interface FluxReceiverRecords {
  event: ReconcilerEventRecord;
  deployment: DeploymentRecord | null;
}

export type AcceptResult = "stored" | "duplicate";

export interface FluxReceiverOptions {
  host: string;
  /** 0: an ephemeral port (see the returned url). */
  port: number;
  /** The path notification-controller posts to (default "/"). */
  path?: string;
  /** The cluster the events come from, as configured. */
  cluster: string;
  /** generic-hmac: the Provider secret's token, as bytes. */
  hmacKey?: Buffer;
  /** generic with an `Authorization: Bearer <token>` header from the Provider secret. */
  bearerToken?: string;
  /** Refuse bodies larger than this (default 1 MiB). */
  maxBodyBytes?: number;
  /** What any one sender may hold (defaults: receiverLimits); tests shorten the deadline. */
  limits?: Partial<ReceiverLimits>;
  /** Without hmacKey or bearerToken the receiver refuses to start unless this is true. */
  allowUnauthenticated?: boolean;
  /** Store the records; "duplicate" when the event key was stored before. May be async. */
  accept(records: FluxReceiverRecords): AcceptResult | Promise<AcceptResult>;
  log: Logger;
}

export interface FluxReceiver {
  /** The endpoint to give the Provider: `http://<host>:<real port><path>`. */
  url: string;
  close(): Promise<void>;
}

const DEFAULT_MAX_BODY = 1024 * 1024;
/** Headers alone: a sender dribbling them holds a connection this long at most (one of its peer's few). */
const HEADERS_TIMEOUT_MS = 10_000;
/**
 * How often node enforces the headers and request timeouts: its default (30 s) let a slow
 * sender keep a connection for up to 30 s past them.
 */
const TIMEOUT_CHECK_MS = 1_000;
/** After refusing an oversized body, how long the rest may still drain (discarded) before the socket is cut. */
const DRAIN_GRACE_MS = 2_000;
const RETRY = { "retry-after": "1" };

/** Algorithms notification-controller's docs accept in `X-Signature: <algo>=<hex>`; digest sizes in bytes. */
const SIGNATURE_ALGORITHMS: Record<string, number> = { sha224: 28, sha256: 32, sha384: 48, sha512: 64 };

interface Reply {
  status: number;
  body: Record<string, unknown>;
  /** Short, fixed text for the log line (never request data). */
  reason: string;
  headers?: Record<string, string>;
  /** Close the connection as soon as the answer is out, reading nothing more (a too-slow sender). */
  cut?: true;
}

class Refusal extends Error {
  constructor(readonly reply: Reply) {
    super(reply.reason);
  }
}

const refuse = (status: number, reason: string, error: string, headers?: Record<string, string>): Refusal =>
  new Refusal({ status, reason, body: { error }, ...(headers ? { headers } : {}) });

/** Constant-time comparison of secrets of any length: compare fixed-size digests. */
function sameSecret(given: Buffer, expected: Buffer): boolean {
  const a = createHash("sha256").update(given).digest();
  const b = createHash("sha256").update(expected).digest();
  return timingSafeEqual(a, b) && given.length === expected.length;
}

/**
 * The shape of `X-Signature: <algo>=<hex>`, checked before the body is read: a request that can
 * never verify must not hold the body budget while it uploads.
 */
function signatureShape(header: string | string[] | undefined): { algo: string; given: Buffer } | Refusal {
  if (typeof header !== "string" || header === "") return refuse(401, "missing-signature", "missing X-Signature");
  const eq = header.indexOf("=");
  const algo = eq > 0 ? header.slice(0, eq).trim().toLowerCase() : "";
  const hex = eq > 0 ? header.slice(eq + 1).trim() : "";
  const size = SIGNATURE_ALGORITHMS[algo];
  if (size === undefined) return refuse(401, "bad-signature-algorithm", "unsupported X-Signature algorithm");
  if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== size * 2) {
    return refuse(401, "bad-signature", "invalid X-Signature");
  }
  return { algo, given: Buffer.from(hex, "hex") };
}

/** The HMAC over the raw body, in constant time. */
function verifySignature(sig: { algo: string; given: Buffer }, body: Buffer, key: Buffer): Refusal | null {
  const expected = createHmac(sig.algo, key).update(body).digest();
  if (sig.given.length !== expected.length || !timingSafeEqual(sig.given, expected)) {
    return refuse(401, "bad-signature", "invalid X-Signature");
  }
  return null;
}

function verifyBearer(header: string | undefined, token: string): Refusal | null {
  const m = /^Bearer[ ]+(\S+)\s*$/i.exec(header ?? "");
  if (!m?.[1]) return refuse(401, "missing-token", "missing bearer token", { "www-authenticate": "Bearer" });
  if (!sameSecret(Buffer.from(m[1]), Buffer.from(token))) {
    return refuse(401, "bad-token", "invalid bearer token", { "www-authenticate": "Bearer" });
  }
  return null;
}

function isJson(contentType: string | undefined): boolean {
  const media = (contentType ?? "").split(";")[0]?.trim().toLowerCase();
  return media === "application/json";
}

/**
 * Reads the body up to `max` bytes within `deadlineMs`, holding each chunk with `hold` as it
 * arrives (bytes received, not bytes declared). Crossing the limit (413), a refused hold (503),
 * the deadline (408) or the request closing rejects at once and keeps nothing more: the rest of
 * the upload is discarded as it arrives. The caller gives back what `hold` took, whatever happened.
 */
function readBody(
  req: IncomingMessage,
  max: number,
  deadlineMs: number,
  hold: (bytes: number) => Refusal | null,
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const stop = (err: unknown) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      chunks.length = 0;
      req.off("data", onData);
      req.resume(); // discard whatever else comes
      reject(err);
    };
    const timer = setTimeout(
      () =>
        stop(
          new Refusal({
            status: 408,
            reason: "body-timeout",
            body: { error: `body not received within ${deadlineMs} ms` },
            cut: true,
          }),
        ),
      deadlineMs,
    );
    const onData = (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > max) {
        stop(refuse(413, "body-too-large", `body larger than ${max} bytes`));
        return;
      }
      const refused = hold(chunk.length);
      if (refused) {
        stop(refused);
        return;
      }
      chunks.push(chunk);
    };
    req.on("data", onData);
    req.once("end", () => {
      if (!done) {
        done = true;
        clearTimeout(timer);
        resolve(Buffer.concat(chunks, size));
      }
    });
    req.once("error", stop);
    // A sender gone mid-body: give its share back now, not at the deadline.
    req.once("close", () => stop(new Error("the request closed before its body was complete")));
  });
}

function send(res: ServerResponse, reply: Reply, close: boolean): void {
  if (res.headersSent) return;
  const text = JSON.stringify(reply.body);
  res.writeHead(reply.status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
    "cache-control": "no-store",
    ...(close ? { connection: "close" } : {}),
    ...reply.headers,
  });
  res.end(text);
}

function hostForUrl(host: string): string {
  return host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
}

/** Starts the receiver; resolves once it listens. */
export async function startFluxReceiver(options: FluxReceiverOptions): Promise<FluxReceiver> {
  const { hmacKey, bearerToken, log, cluster } = options;
  if (hmacKey !== undefined && hmacKey.length === 0) throw new Error("Flux receiver: hmacKey is empty");
  if (bearerToken !== undefined && bearerToken === "") throw new Error("Flux receiver: bearerToken is empty");
  if (!hmacKey && !bearerToken && options.allowUnauthenticated !== true) {
    throw new Error(
      "Flux receiver: refusing to start without authentication; set hmacKey (generic-hmac provider) or bearerToken, or allowUnauthenticated: true",
    );
  }
  // Never logged; registered so that no log line or error could show them even by accident.
  if (bearerToken) registerSecret(bearerToken);
  if (hmacKey) registerSecret(hmacKey.toString("utf8"));
  const maxBody = options.maxBodyBytes ?? DEFAULT_MAX_BODY;
  if (!Number.isSafeInteger(maxBody) || maxBody <= 0) {
    throw new Error(`Flux receiver: maxBodyBytes must be a positive integer, got ${String(options.maxBodyBytes)}`);
  }
  const limits = receiverLimits(maxBody, options.limits);
  const path = options.path ?? "/";
  if (!path.startsWith("/")) throw new Error(`Flux receiver: path must start with "/", got ${JSON.stringify(path)}`);

  const budget = new BodyBudget(limits.bufferBytes, limits.peerBufferBytes);
  const handle = async (req: IncomingMessage): Promise<Reply> => {
    const pathname = (req.url ?? "/").split("?")[0] ?? "/";
    if (req.method === "GET" && pathname === "/healthz") return { status: 200, body: { ok: true }, reason: "healthz" };
    if (pathname !== path) throw refuse(404, "not-found", "not found");
    if (req.method !== "POST") throw refuse(405, "method-not-allowed", "method not allowed", { allow: "POST" });
    if (bearerToken) {
      const refused = verifyBearer(req.headers.authorization, bearerToken);
      if (refused) throw refused;
    }
    const signature = hmacKey ? signatureShape(req.headers["x-signature"]) : undefined;
    if (signature instanceof Refusal) throw signature;
    if (!isJson(req.headers["content-type"])) {
      throw refuse(415, "unsupported-media-type", "content-type must be application/json");
    }
    const declared = req.headers["content-length"];
    if (declared !== undefined && Number(declared) > maxBody) {
      throw refuse(413, "body-too-large", `body larger than ${maxBody} bytes`);
    }
    // Bytes are charged as they arrive, so a declared length costs nothing until it is sent, and a
    // slow sender is cut at the deadline; what this request holds is given back however it ends.
    const peer = peerOf(req.socket);
    let held = 0;
    try {
      const body = await readBody(req, maxBody, limits.bodyTimeoutMs, (bytes) => {
        const over = budget.take(peer, bytes);
        if (over === null) {
          held += bytes;
          return null;
        }
        return over === "peer"
          ? refuse(503, "peer-busy", "too much in flight from this sender; retry", RETRY)
          : refuse(503, "busy", "too many requests in flight; retry", RETRY);
      });
      return await afterBody(body, signature);
    } finally {
      budget.give(peer, held);
    }
  };

  const afterBody = async (body: Buffer, signature: { algo: string; given: Buffer } | undefined): Promise<Reply> => {
    if (hmacKey && signature) {
      const refused = verifySignature(signature, body, hmacKey);
      if (refused) throw refused;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString("utf8"));
    } catch {
      throw refuse(400, "malformed-json", "body is not valid JSON");
    }
    const mapped = webhookEventRecords(parsed, cluster);
    if (!mapped.event) throw refuse(422, "unmappable", mapped.warning ?? "body is not a Flux event");
    // Stored is exported: what import would refuse (a 100,001-character message) is refused here.
    const problem =
      recordProblem("event", mapped.event) ??
      (mapped.deployment ? recordProblem("deployment", mapped.deployment) : null);
    if (problem) throw refuse(422, "over-import-limits", `${problem}; changeproof import would refuse it`);
    let result: AcceptResult;
    try {
      result = await options.accept({ event: mapped.event, deployment: mapped.deployment });
    } catch (err) {
      log.error("flux receiver: storing an event failed", {
        error: err instanceof Error ? err.message : String(err),
      });
      return { status: 500, body: { error: "could not store the event" }, reason: "store-failed" };
    }
    return result === "duplicate"
      ? { status: 200, body: { stored: false, duplicate: true }, reason: "duplicate" }
      : { status: 202, body: { stored: true }, reason: "stored" };
  };

  const server = createServer({ connectionsCheckingInterval: TIMEOUT_CHECK_MS }, (req, res) => {
    handle(req).then(
      (reply) => {
        // A failed store was logged as an error already: one line per request.
        if (reply.status < 500)
          log.debug("flux receiver", { method: req.method, status: reply.status, reason: reply.reason });
        send(res, reply, false);
      },
      (err: unknown) => {
        if (!(err instanceof Refusal)) {
          // The request stream failed (client gone) or something unexpected: answer if still possible.
          log.warn("flux receiver: request failed", {
            method: req.method,
            status: 400,
            reason: "request-error",
            error: err instanceof Error ? err.message : String(err),
          });
          send(res, { status: 400, body: { error: "bad request" }, reason: "request-error" }, true);
          return;
        }
        const { reply } = err;
        log.warn("flux receiver: refused", {
          method: req.method,
          status: reply.status,
          reason: reply.reason,
          remote: req.socket.remoteAddress,
        });
        // A refusal before the body was read leaves the upload unread: close rather than reuse.
        const unread = !req.complete;
        send(res, reply, unread);
        if (unread) {
          req.resume();
          res.once("finish", () =>
            reply.cut ? req.socket.destroy() : setTimeout(() => req.socket.destroy(), DRAIN_GRACE_MS).unref(),
          );
        }
      },
    );
  });
  server.maxConnections = limits.connections;
  capPeerConnections(server, limits.peerConnections, (remote) =>
    log.warn("flux receiver: a sender holds its share of connections; more from it are closed", {
      remote,
      max: limits.peerConnections,
    }),
  );
  // node's own backstop for the whole request; the body deadline above is the one that bites.
  server.requestTimeout = HEADERS_TIMEOUT_MS + limits.bodyTimeoutMs;
  server.headersTimeout = HEADERS_TIMEOUT_MS;
  server.keepAliveTimeout = 5_000;

  await new Promise<void>((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    server.once("error", onError);
    server.listen(options.port, options.host, () => {
      server.off("error", onError);
      resolve();
    });
  });
  server.on("error", (err) => log.error("flux receiver: server error", { error: err.message }));
  const port = (server.address() as AddressInfo).port;
  const url = `http://${hostForUrl(options.host)}:${port}${path}`;
  log.info("flux receiver listening", { url, auth: hmacKey ? "hmac" : bearerToken ? "bearer" : "none" });

  return {
    url,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
