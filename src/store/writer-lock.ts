import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, readlinkSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import path from "node:path";
import lockfile from "proper-lockfile";
import { messageOf, StoreError, StoreLockedError } from "../errors/index.js";
import { processAlive } from "../util/process.js";
import { oneLine } from "../util/visible.js";
import { type DB, openStore } from "./db.js";

/**
 * One writing command at a time per store. Two collects interleaving their runs would each judge
 * "new since the last run" against the other's half-written state, and the one that lost
 * SQLite's write lock mid-run could not even seal its run. The lock is proper-lockfile's
 * directory beside the store (atomic mkdir, its mtime refreshed while held); a holder file says
 * who holds it. A lock left by a killed process is taken over at once when the holder ran in
 * this very process namespace since this boot (same host, PID namespace and boot id) and its
 * process is gone; otherwise (another machine, another container sharing the hostname) only by
 * proper-lockfile's staleness rule: no refresh for STALE_MS.
 *
 * `receive flux` does not take it: it runs for days and writes one small transaction per event,
 * which waits on SQLite's own lock (busy timeout) like any reader's.
 */

const STALE_MS = 10 * 60_000;
const UPDATE_MS = 30_000;

interface Holder {
  command: string;
  host: string;
  pid: number;
  since: string;
  /** Where `pid` means something: the PID namespace and the boot it ran in (Linux; null elsewhere). */
  pidNamespace: string | null;
  bootId: string | null;
  /** This holding's own id: a claim checks it took over the very holder it judged dead. */
  nonce: string;
}

export interface WriterLock {
  /** Throws E_STORE_LOCK_LOST when the lock was taken away while held (its refresh failed). */
  assertHeld(): void;
  release(): void;
}

/** Stores this process holds the lock of. */
const heldHere = new Set<string>();

const lockDir = (db: string): string => `${db}.lock`;
const holderFile = (db: string): string => `${db}.lock-holder`;

function readOr(read: () => string): string | null {
  try {
    return read().trim();
  } catch {
    return null;
  }
}

const pidNamespace = readOr(() => readlinkSync("/proc/self/ns/pid"));
const bootId = readOr(() => readFileSync("/proc/sys/kernel/random/boot_id", "utf8"));

function readHolder(file: string): Holder | undefined {
  try {
    const h = JSON.parse(readFileSync(file, "utf8")) as Partial<Holder>;
    if (typeof h.host === "string" && typeof h.pid === "number") {
      const str = (v: unknown): string | null => (typeof v === "string" ? v : null);
      return {
        command: str(h.command) ?? "changeproof",
        host: h.host,
        pid: h.pid,
        since: str(h.since) ?? "?",
        pidNamespace: str(h.pidNamespace),
        bootId: str(h.bootId),
        nonce: str(h.nonce) ?? "",
      };
    }
  } catch {
    // No holder file (a holder between mkdir and writing it) or an unreadable one: unknown holder.
  }
  return undefined;
}

/** Whether the holder's process is certainly gone: it ran where its pid can be looked up here. */
function certainlyDead(db: string, h: Holder): boolean {
  const here = h.host === hostname() && pidNamespace !== null && h.pidNamespace === pidNamespace && h.bootId === bootId;
  if (!here) return false;
  // The same pid as ours in our namespace is a process that ended before we began.
  return h.pid === process.pid ? !heldHere.has(db) : !processAlive(h.pid);
}

const sameHolding = (a: Holder | undefined, b: Holder): boolean =>
  a !== undefined && a.nonce === b.nonce && a.pid === b.pid && a.host === b.host && a.since === b.since;

/**
 * Takes the store's writer lock for `command` ("collect", "import"), or fails with E_STORE_LOCKED
 * naming the holder. `onCompromised` hears if the lock was lost while held.
 */
export function acquireWriterLock(
  db: string,
  command: string,
  now: Date = new Date(),
  onCompromised: (message: string) => void = () => {},
): WriterLock {
  try {
    mkdirSync(path.dirname(db), { recursive: true });
  } catch (e) {
    throw new StoreError("E_STORE_ACCESS", `cannot write database ${db}: ${messageOf(e)}`, { cause: e });
  }
  let lost: string | null = null;
  const take = (): (() => void) =>
    lockfile.lockSync(db, {
      lockfilePath: lockDir(db),
      realpath: false,
      stale: STALE_MS,
      update: UPDATE_MS,
      onCompromised: (e) => {
        lost = `the store's writer lock was taken away while held: ${messageOf(e)}`;
        onCompromised(lost);
      },
    });
  const locked = (holder: Holder | undefined): StoreLockedError => {
    const who = holder
      ? `\`changeproof ${oneLine(holder.command, 40)}\` (pid ${holder.pid} on host ${oneLine(holder.host, 80)}, since ${oneLine(holder.since, 40)})`
      : "another changeproof process";
    return new StoreLockedError(
      `database ${db} is being written by ${who}; nothing was done: try again when it has finished`,
    );
  };
  const attempt = (): (() => void) | undefined => {
    try {
      return take();
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ELOCKED") return undefined;
      throw new StoreError("E_STORE_ACCESS", `cannot lock database ${db} for writing: ${messageOf(e)}`, { cause: e });
    }
  };
  let release = attempt();
  if (!release) {
    const holder = readHolder(holderFile(db));
    if (!holder || !certainlyDead(db, holder)) throw locked(holder);
    // Moving the holder file away is the claim: of two processes taking over, one rename wins.
    // What was moved must be the holding judged dead; a newer one (a faster taker) goes back.
    const claimed = `${holderFile(db)}.${process.pid}`;
    try {
      renameSync(holderFile(db), claimed);
    } catch {
      throw locked(undefined);
    }
    const moved = readHolder(claimed);
    if (!sameHolding(moved, holder)) {
      renameSync(claimed, holderFile(db));
      throw locked(moved);
    }
    rmSync(claimed, { force: true });
    rmSync(lockDir(db), { recursive: true, force: true });
    release = attempt();
    if (!release) throw locked(readHolder(holderFile(db)));
  }
  const unlock = release;
  heldHere.add(db);
  const mine: Holder = {
    command,
    host: hostname(),
    pid: process.pid,
    since: now.toISOString(),
    pidNamespace,
    bootId,
    nonce: randomBytes(8).toString("hex"),
  };
  writeFileSync(holderFile(db), `${JSON.stringify(mine)}\n`);
  return {
    assertHeld: () => {
      if (lost) throw new StoreError("E_STORE_LOCK_LOST", `database ${db}: ${lost}; stopped writing`);
    },
    release: () => {
      heldHere.delete(db);
      // Only our own holder file: after a takeover it names the new holder.
      if (sameHolding(readHolder(holderFile(db)), mine)) rmSync(holderFile(db), { force: true });
      try {
        unlock();
      } catch {
        // Already released (a compromised lock): nothing is left to remove.
      }
    },
  };
}

/**
 * The store opened for a writing command, under its writer lock: taken first, so a second
 * writer is refused before it opens (and could start a run in) the store; released if the open
 * fails. The caller closes the store, then releases the lock.
 */
export function openStoreLocked(
  file: string,
  command: string,
  now: Date,
  onCompromised: (message: string) => void,
): { db: DB; lock: WriterLock } {
  const lock = acquireWriterLock(path.resolve(file), command, now, onCompromised);
  try {
    return { db: openStore(file), lock };
  } catch (e) {
    lock.release();
    throw e;
  }
}
