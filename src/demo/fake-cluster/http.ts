/**
 * Plumbing shared by the fake Kubernetes and Argo CD servers: listening on loopback, replies,
 * socket-level faults, and a close() that does not wait for slow answers or idle keep-alives.
 */

import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import type { FaultAction } from "./faults.js";

export interface Reply {
  status: number;
  contentType: string;
  text: string;
  headers: Record<string, string>;
}

export const JSON_TYPE = "application/json";

export function jsonReply(status: number, body: unknown, headers: Record<string, string> = {}): Reply {
  return { status, contentType: JSON_TYPE, text: JSON.stringify(body), headers };
}

export function textReply(
  status: number,
  text: string,
  contentType: string,
  headers: Record<string, string> = {},
): Reply {
  return { status, contentType, text, headers };
}

/** What a misrouted or failing proxy puts in front of an API: HTML, not JSON. */
export const MALFORMED_BODY =
  "<html>\r\n<head><title>200 OK</title></head>\r\n<body>\r\n<center><h1>Welcome</h1></center>\r\n</body>\r\n</html>\r\n";

export function malformedReply(fault: Extract<FaultAction, { kind: "malformed" }>): Reply {
  return textReply(200, fault.body ?? MALFORMED_BODY, fault.contentType ?? "text/html");
}

/** Query parameters, each name to every value it was given. */
export function queryOf(url: URL): Record<string, string[]> {
  const query: Record<string, string[]> = {};
  for (const [k, v] of url.searchParams) {
    const values = query[k] ?? [];
    values.push(v);
    query[k] = values;
  }
  return query;
}

/** The bearer token of a request, if it sent one. */
export function bearerToken(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  if (!header) return undefined;
  const match = /^bearer\s+(.+)$/i.exec(header.trim());
  return match?.[1]?.trim();
}

/**
 * Sends a reply. With truncateAt, writes the headers (full content-length) and that many bytes of
 * the body, then destroys the socket, as a connection cut mid-answer looks to the client.
 */
export function send(res: ServerResponse, reply: Reply, truncateAt?: number): void {
  if (res.destroyed || res.socket?.destroyed) return;
  const bytes = Buffer.from(reply.text, "utf8");
  res.writeHead(reply.status, {
    "content-type": reply.contentType,
    "content-length": String(bytes.length),
    "cache-control": "no-cache, private",
    ...reply.headers,
  });
  if (truncateAt !== undefined) {
    const cut = Math.min(Math.max(bytes.length - 1, 0), Math.max(0, truncateAt));
    res.write(bytes.subarray(0, cut), () => res.socket?.destroy());
    return;
  }
  res.end(bytes);
}

/** Where a truncated fault cuts a body by default: half way. */
export function truncatePoint(reply: Reply, bytes: number | undefined): number {
  return bytes ?? Math.floor(Buffer.byteLength(reply.text, "utf8") / 2);
}

export interface Listening {
  url: string;
  /** Aborted by close(): slow answers waiting on it give up. */
  signal: AbortSignal;
  close(): Promise<void>;
}

/** Waits delayMs unless the server closes first; false when it closed. */
export async function delay(ms: number, signal: AbortSignal): Promise<boolean> {
  try {
    await sleep(ms, undefined, { signal });
    return true;
  } catch {
    return false;
  }
}

/** Listens on 127.0.0.1, port 0 (plain http). */
export async function listen(handle: (req: IncomingMessage, res: ServerResponse) => Promise<void>): Promise<Listening> {
  const sockets = new Set<Socket>();
  const aborter = new AbortController();
  const server = createServer((req, res) => {
    res.on("error", () => {});
    handle(req, res).catch((err: unknown) => {
      if (res.headersSent || res.destroyed) return;
      send(res, jsonReply(500, { message: `fake server error: ${String(err)}` }));
    });
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  server.on("clientError", (_err, socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  let closed: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}`,
    signal: aborter.signal,
    close() {
      closed ??= new Promise<void>((resolve) => {
        aborter.abort();
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
      return closed;
    },
  };
}
