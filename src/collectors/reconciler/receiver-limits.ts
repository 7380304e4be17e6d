import type { Server } from "node:http";
import type { Socket } from "node:net";

/**
 * What the webhook receiver lets any one sender hold. With generic-hmac the body must be read
 * before its signature can be checked, so anyone who can reach the port can make the receiver
 * buffer and wait: these bound that by what was actually received (a declared Content-Length
 * costs nothing until the bytes come), by time (a body must arrive soon after its headers), and
 * per peer (one remote address holds at most a share), so signed deliveries keep getting through.
 */

export interface ReceiverLimits {
  /** Bytes of bodies held at once across all requests, counted as they arrive. */
  bufferBytes: number;
  /** Of those, what the requests of one remote address may hold at once. */
  peerBufferBytes: number;
  /** Connections at once, in all and from one remote address. */
  connections: number;
  peerConnections: number;
  /**
   * Once a request's headers are in, its whole body must arrive within this. notification-controller
   * writes its few-kilobyte body at once; a slower body is cut (408) and gives back what it held.
   */
  bodyTimeoutMs: number;
}

/**
 * Defaults for a body limit of `maxBody`: room for four of the largest bodies at once (16 MiB at
 * the default 1 MiB), a quarter of it per peer (never less than one largest body), 64
 * connections of which one peer may hold 16, and 5 s for a body: ample inside a cluster, short
 * enough that a dribbling sender holds a connection only briefly.
 */
export function receiverLimits(maxBody: number, given: Partial<ReceiverLimits> = {}): ReceiverLimits {
  const bufferBytes = given.bufferBytes ?? Math.max(16 * 1024 * 1024, 4 * maxBody);
  const limits: ReceiverLimits = {
    bufferBytes,
    peerBufferBytes: given.peerBufferBytes ?? Math.max(Math.floor(bufferBytes / 4), maxBody),
    connections: given.connections ?? 64,
    peerConnections: given.peerConnections ?? 16,
    bodyTimeoutMs: given.bodyTimeoutMs ?? 5_000,
  };
  for (const [name, v] of Object.entries(limits)) {
    if (!Number.isSafeInteger(v) || v <= 0) {
      throw new Error(`Flux receiver: limits.${name} must be a positive integer, got ${String(v)}`);
    }
  }
  // Else a largest body could never be taken in: refused 503 for good, which retries would not fix.
  if (limits.peerBufferBytes < maxBody || limits.bufferBytes < limits.peerBufferBytes) {
    throw new Error(
      `Flux receiver: limits must allow one largest body: maxBodyBytes ${maxBody} <= peerBufferBytes ${limits.peerBufferBytes} <= bufferBytes ${limits.bufferBytes}`,
    );
  }
  if (limits.peerConnections > limits.connections) {
    throw new Error(
      `Flux receiver: limits.peerConnections (${limits.peerConnections}) is more than limits.connections (${limits.connections})`,
    );
  }
  return limits;
}

/** The remote address a socket's requests are charged to (an IPv4 peer the same however it arrived). */
export function peerOf(socket: Socket): string {
  const a = socket.remoteAddress ?? "unknown";
  return a.startsWith("::ffff:") ? a.slice("::ffff:".length) : a;
}

/** Body bytes held, in all and per peer. */
export class BodyBudget {
  private used = 0;
  private readonly byPeer = new Map<string, number>();

  constructor(
    private readonly total: number,
    private readonly perPeer: number,
  ) {}

  /** Holds `n` more bytes for `peer`, or says which limit they would cross (and holds nothing). */
  take(peer: string, n: number): "all" | "peer" | null {
    const mine = this.byPeer.get(peer) ?? 0;
    if (this.used + n > this.total) return "all";
    if (mine + n > this.perPeer) return "peer";
    this.used += n;
    this.byPeer.set(peer, mine + n);
    return null;
  }

  give(peer: string, n: number): void {
    if (n <= 0) return;
    this.used -= n;
    const left = (this.byPeer.get(peer) ?? 0) - n;
    if (left > 0) this.byPeer.set(peer, left);
    else this.byPeer.delete(peer);
  }
}

/**
 * Caps the connections one remote address holds at once: a connection past the cap is closed
 * at once, before anything is read (a sender sees a reset and retries, as after node's own
 * `maxConnections`). `onOver` is told once each time a peer reaches its cap, not per connection,
 * so a flood cannot flood the log.
 */
export function capPeerConnections(server: Server, max: number, onOver: (peer: string) => void): void {
  const open = new Map<string, number>();
  const told = new Set<string>();
  server.on("connection", (socket: Socket) => {
    const peer = peerOf(socket);
    const mine = open.get(peer) ?? 0;
    if (mine >= max) {
      if (!told.has(peer)) {
        told.add(peer);
        onOver(peer);
      }
      socket.destroy();
      return;
    }
    open.set(peer, mine + 1);
    socket.once("close", () => {
      const left = (open.get(peer) ?? 1) - 1;
      if (left > 0) open.set(peer, left);
      else open.delete(peer);
      if (left < max) told.delete(peer);
    });
  });
}
