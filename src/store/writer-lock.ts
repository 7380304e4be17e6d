import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import path from "node:path";
import lockfile from "proper-lockfile";
import { messageOf, StoreError, StoreLockedError } from "../errors/index.js";
import { processAlive } from "../util/process.js";
import { oneLine } from "../util/visible.js";

/**
 * One writing command at a time per store. Two collects interleaving their runs would each judge
 * "new since the last run" against the other's half-written state, and the one that lost
 * SQLite's write lock mid-run could not even seal its run. The lock is proper-lockfile's
 * directory beside the store (atomic mkdir, its mtime refreshed while held); a holder file says
 * who holds it. A lock left by a killed process is taken over at once when the holder ran on this
 * host and is gone, and by proper-lockfile's staleness rule (no refresh for STALE_MS) otherwise.
 */

const STALE_MS = 10 * 60_000;
const UPDATE_MS = 30_000;

interface Holder {
  command: string;
  host: string;
  pid: number;
  since: string;
}

export interface WriterLock {
  release(): void;
}

/** Stores this process holds the lock of. */
const heldHere = new Set<string>();

const lockDir = (db: string): string => `${db}.lock`;
const holderFile = (db: string): string => `${db}.lock-holder`;

function readHolder(db: string): Holder | undefined {
  try {
    const h = JSON.parse(readFileSync(holderFile(db), "utf8")) as Partial<Holder>;
    if (typeof h.host === "string" && typeof h.pid === "number") {
      return {
        command: typeof h.command === "string" ? h.command : "changeproof",
        host: h.host,
        pid: h.pid,
        since: typeof h.since === "string" ? h.since : "?",
      };
    }
  } catch {
    // No holder file (a holder between mkdir and writing it) or an unreadable one: unknown holder.
  }
  return undefined;
}

/**
 * Takes the store's writer lock for `command` ("collect", "import"), or fails with E_STORE_LOCKED
 * naming the holder. `onCompromised` hears if the lock was lost while held (its refresh failed).
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
  const take = (): (() => void) =>
    lockfile.lockSync(db, {
      lockfilePath: lockDir(db),
      realpath: false,
      stale: STALE_MS,
      update: UPDATE_MS,
      onCompromised: (e) => onCompromised(`the store's writer lock was lost while held: ${messageOf(e)}`),
    });
  const locked = (holder: Holder | undefined): StoreError => {
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
    const holder = readHolder(db);
    // A holder on this host that no longer runs died holding it: safe to take over now. Moving its
    // holder file away first is the claim: of two processes taking over, one rename succeeds.
    // (The same pid as ours is another process's: a restarted container numbers its processes anew.)
    const dead =
      holder !== undefined &&
      holder.host === hostname() &&
      (holder.pid === process.pid ? !heldHere.has(db) : !processAlive(holder.pid));
    if (!dead) throw locked(holder);
    const claimed = `${holderFile(db)}.${process.pid}`;
    try {
      renameSync(holderFile(db), claimed);
    } catch {
      throw locked(undefined);
    }
    rmSync(claimed, { force: true });
    rmSync(lockDir(db), { recursive: true, force: true });
    release = attempt();
    if (!release) throw locked(readHolder(db));
  }
  const unlock = release;
  heldHere.add(db);
  const holder: Holder = { command, host: hostname(), pid: process.pid, since: now.toISOString() };
  writeFileSync(holderFile(db), `${JSON.stringify(holder)}\n`);
  return {
    release: () => {
      heldHere.delete(db);
      rmSync(holderFile(db), { force: true });
      try {
        unlock();
      } catch {
        // Already released (a compromised lock): nothing is left to remove.
      }
    },
  };
}
