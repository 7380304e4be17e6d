import http from "node:http";
import https from "node:https";
import { ClusterError } from "../../errors/index.js";
import { redact } from "../../util/redact.js";
import { oneLine } from "../../util/visible.js";

/**
 * One GET with a JSON answer, for the Kubernetes API and Argo CD. node:https rather than fetch:
 * kubeconfig credentials are TLS material (CA, client certificate and key) that Node 20's fetch
 * can't take without another HTTP client. The timeout covers the whole exchange, body included;
 * a body cut off or not JSON is a failure, never an empty list.
 */

export interface TlsAndHeaders {
  headers?: Record<string, string>;
  ca?: string | Buffer | (string | Buffer)[];
  cert?: string | Buffer;
  key?: string | Buffer;
  rejectUnauthorized?: boolean;
}

export type HttpFailureKind = "timeout" | "unreachable" | "broken" | "too-large";

export class HttpFailure extends Error {
  override name = "HttpFailure";
  constructor(
    readonly kind: HttpFailureKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface JsonAnswer {
  status: number;
  /** The parsed body; undefined when the body is empty or (for errors) not JSON. */
  json: unknown;
  /** The first part of the body as text, for error messages. */
  excerpt: string;
}

const MAX_BODY = 256 * 1024 * 1024;
/** How much of a body is masked for an excerpt: more than any token it could echo, less than a list. */
const EXCERPT_SCAN = 64 * 1024;

export function getJson(url: URL, tls: TlsAndHeaders, timeoutMs: number): Promise<JsonAnswer> {
  const lib = url.protocol === "https:" ? https : http;
  return new Promise((resolve, reject) => {
    let settled = false;
    // Whatever fails first (the request, the response stream, the clock) settles the promise once.
    const fail = (e: HttpFailure) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(e);
      req.destroy();
    };
    const req = lib.request(
      url,
      {
        method: "GET",
        headers: { accept: "application/json", ...tls.headers },
        ...(tls.ca !== undefined ? { ca: tls.ca } : {}),
        ...(tls.cert !== undefined ? { cert: tls.cert } : {}),
        ...(tls.key !== undefined ? { key: tls.key } : {}),
        ...(tls.rejectUnauthorized !== undefined ? { rejectUnauthorized: tls.rejectUnauthorized } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on("data", (c: Buffer) => {
          size += c.length;
          if (size > MAX_BODY) fail(new HttpFailure("too-large", `the answer is larger than ${MAX_BODY} bytes`));
          else chunks.push(c);
        });
        res.on("aborted", () => fail(new HttpFailure("broken", "the connection broke off mid-answer")));
        res.on("error", (e) => fail(new HttpFailure("broken", `the connection broke off mid-answer (${e.message})`)));
        res.on("close", () => {
          if (!res.complete) fail(new HttpFailure("broken", "the connection broke off mid-answer"));
        });
        res.on("end", () => {
          if (settled) return;
          if (!res.complete) {
            fail(new HttpFailure("broken", "the connection broke off mid-answer"));
            return;
          }
          const text = Buffer.concat(chunks).toString("utf8");
          const status = res.statusCode ?? 0;
          let json: unknown;
          if (text.trim() !== "") {
            try {
              json = JSON.parse(text);
            } catch (e) {
              if (status < 300) {
                fail(new HttpFailure("broken", `the answer is not JSON (${text.length} bytes)`, { cause: e }));
                return;
              }
            }
          }
          settled = true;
          clearTimeout(timer);
          // Masked before it is cut: a cut through an echoed token would leave its start unmasked.
          resolve({ status, json, excerpt: redact(text.slice(0, EXCERPT_SCAN)).slice(0, 500) });
        });
      },
    );
    const timer = setTimeout(
      () => fail(new HttpFailure("timeout", `no complete answer within ${timeoutMs / 1000} s`)),
      timeoutMs,
    );
    req.on("error", (e) => {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === "ECONNRESET") fail(new HttpFailure("broken", "the connection was reset", { cause: e }));
      else fail(new HttpFailure("unreachable", code ?? e.message, { cause: e }));
    });
    req.end();
  });
}

export interface RetryOptions {
  /** What is being fetched, for the message when every attempt failed: "cluster prod: listing …". */
  what: string;
  timeoutMs: number;
  maxRetries: number;
  /** First wait; doubled each retry (tests make it small). */
  retryBaseMs: number;
  /** Called before each retry with what failed. */
  onRetry(failure: string, attempt: number): void;
  /** Counts every attempt. */
  onAttempt(): void;
}

/**
 * getJson, retrying what another attempt may fix (5xx, 429, timeouts, resets, broken bodies) with
 * exponential back-off; any other answer is returned for the caller to judge. When every attempt
 * failed: a transient ClusterError, `<what> failed: <the last failure> (after N attempts)`.
 */
export async function getJsonRetrying(url: URL, tls: TlsAndHeaders, o: RetryOptions): Promise<JsonAnswer> {
  for (let attempt = 0; ; attempt++) {
    o.onAttempt();
    let failure: string;
    let code: "E_CLUSTER_SERVER" | "E_CLUSTER_TIMEOUT" | "E_CLUSTER_UNREACHABLE" | "E_CLUSTER_RESPONSE";
    let last = attempt >= o.maxRetries;
    try {
      const answer = await getJson(url, tls, o.timeoutMs);
      if (answer.status < 500 && answer.status !== 429) return answer;
      failure = `HTTP ${answer.status}`;
      code = "E_CLUSTER_SERVER";
      const said = errorText(answer.json) ?? (answer.json === undefined ? answer.excerpt : undefined);
      if (said) failure += `: ${said}`;
    } catch (e) {
      if (!(e instanceof HttpFailure)) throw e;
      failure = e.kind === "unreachable" ? `cannot connect (${e.message})` : e.message;
      code =
        e.kind === "timeout"
          ? "E_CLUSTER_TIMEOUT"
          : e.kind === "unreachable"
            ? "E_CLUSTER_UNREACHABLE"
            : "E_CLUSTER_RESPONSE";
      if (e.kind === "too-large") last = true;
    }
    if (last) {
      throw new ClusterError(
        code,
        `${o.what} failed: ${oneLine(failure, 300)}${attempt > 0 ? ` (after ${attempt + 1} attempts)` : ""}`,
        { transient: true },
      );
    }
    o.onRetry(failure, attempt);
    await new Promise((r) => setTimeout(r, o.retryBaseMs * 2 ** attempt));
  }
}

/** The message of a Kubernetes Status or a grpc-gateway error body, if the body is one. */
export function errorText(json: unknown): string | undefined {
  if (json === null || typeof json !== "object") return undefined;
  const o = json as { message?: unknown; error?: unknown; reason?: unknown };
  for (const v of [o.message, o.error, o.reason]) if (typeof v === "string" && v !== "") return v;
  return undefined;
}
