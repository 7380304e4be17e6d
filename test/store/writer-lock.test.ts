import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readlinkSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { StoreLockedError } from "../../src/errors/index.js";
import { acquireWriterLock } from "../../src/store/writer-lock.js";
import { thrown } from "../helpers/thrown.js";
import { tempDir } from "../helpers/tmp.js";

const dir = tempDir("changeproof-lock-");
let n = 0;
const fresh = (): string => path.join(dir, `store-${++n}.db`);

const lockedError = (f: () => unknown): StoreLockedError => thrown(StoreLockedError, f);

/** Where this process's pids mean something, as the lock records it. */
const here = {
  host: hostname(),
  pidNamespace: readlinkSync("/proc/self/ns/pid"),
  bootId: readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim(),
};

/** A process id that was just used and has ended. */
const deadPid = (): number => {
  const pid = spawnSync(process.execPath, ["-e", "0"]).pid;
  if (pid === undefined) throw new Error("no child pid");
  return pid;
};

describe("the store's writer lock", () => {
  it("is held by one writer at a time, names its holder, and is free again once released", () => {
    const db = fresh();
    const lock = acquireWriterLock(db, "collect", new Date("2026-12-01T10:00:00Z"));
    expect(JSON.parse(readFileSync(`${db}.lock-holder`, "utf8"))).toEqual({
      command: "collect",
      ...here,
      pid: process.pid,
      since: "2026-12-01T10:00:00.000Z",
      nonce: expect.stringMatching(/^[0-9a-f]{16}$/),
    });
    const e = lockedError(() => acquireWriterLock(db, "import"));
    expect(e.exitCode).toBe(4);
    expect(e.message).toBe(
      `database ${db} is being written by \`changeproof collect\` (pid ${process.pid} on host ${hostname()}, since 2026-12-01T10:00:00.000Z); nothing was done: try again when it has finished`,
    );
    lock.release();
    expect(existsSync(`${db}.lock`)).toBe(false);
    expect(existsSync(`${db}.lock-holder`)).toBe(false);
    acquireWriterLock(db, "import").release();
  });

  it("takes over at once a lock whose holder on this host has died", () => {
    const db = fresh();
    mkdirSync(`${db}.lock`);
    writeFileSync(
      `${db}.lock-holder`,
      JSON.stringify({ command: "collect", ...here, pid: deadPid(), since: "x", nonce: "n1" }),
    );
    const lock = acquireWriterLock(db, "collect");
    expect(JSON.parse(readFileSync(`${db}.lock-holder`, "utf8")).pid).toBe(process.pid);
    lock.release();
  });

  it("does not judge a holder dead by a pid from another PID namespace (a container sharing the hostname)", () => {
    const db = fresh();
    mkdirSync(`${db}.lock`);
    writeFileSync(
      `${db}.lock-holder`,
      JSON.stringify({ command: "collect", ...here, pidNamespace: "pid:[1]", pid: deadPid(), since: "x", nonce: "n2" }),
    );
    expect(lockedError(() => acquireWriterLock(db, "collect")).message).toContain("`changeproof collect`");
    // Nor one that names no namespace at all (written by an older changeproof or another system).
    writeFileSync(
      `${db}.lock-holder`,
      JSON.stringify({ command: "collect", host: hostname(), pid: deadPid(), since: "x" }),
    );
    expect(lockedError(() => acquireWriterLock(db, "collect")).message).toContain("`changeproof collect`");
  });

  it("refuses, and puts back, a holder file that changed between judging it dead and claiming it", () => {
    // The claim is checked against the very holding judged dead: a faster taker's file goes back.
    const db = fresh();
    mkdirSync(`${db}.lock`);
    const dead = JSON.stringify({ command: "collect", ...here, pid: deadPid(), since: "x", nonce: "dead" });
    writeFileSync(`${db}.lock-holder`, dead);
    const first = acquireWriterLock(db, "collect");
    // The lock is held again now (by `first`): a second taker reading the new holder is refused.
    const e = lockedError(() => acquireWriterLock(db, "import"));
    expect(e.message).toContain(`pid ${process.pid}`);
    expect(JSON.parse(readFileSync(`${db}.lock-holder`, "utf8")).nonce).not.toBe("dead");
    first.release();
  });

  it("leaves a live holder's lock alone, and one held from another host until it goes stale", () => {
    const db = fresh();
    mkdirSync(`${db}.lock`);
    writeFileSync(
      `${db}.lock-holder`,
      JSON.stringify({ command: "collect", host: "other-host", pid: deadPid(), since: "2026-12-01T10:00:00.000Z" }),
    );
    expect(lockedError(() => acquireWriterLock(db, "collect")).message).toContain("on host other-host");
    // A lock directory without a holder file (a holder between the two steps): still refused.
    const bare = fresh();
    mkdirSync(`${bare}.lock`);
    expect(lockedError(() => acquireWriterLock(bare, "collect")).message).toContain(
      "is being written by another changeproof process",
    );
  });

  it("treats a holder with this very pid as a previous process (a restarted container), unless this process holds it", () => {
    const db = fresh();
    mkdirSync(`${db}.lock`);
    writeFileSync(
      `${db}.lock-holder`,
      JSON.stringify({ command: "collect", ...here, pid: process.pid, since: "x", nonce: "n3" }),
    );
    const lock = acquireWriterLock(db, "collect");
    expect(lockedError(() => acquireWriterLock(db, "collect")).message).toContain(`pid ${process.pid}`);
    lock.release();
  });

  it("leaves a holder file it does not own when it releases (after its lock was taken over)", () => {
    const db = fresh();
    const lock = acquireWriterLock(db, "collect");
    const other = JSON.stringify({ command: "import", host: "elsewhere", pid: 1, since: "y", nonce: "other" });
    writeFileSync(`${db}.lock-holder`, other);
    lock.release();
    expect(readFileSync(`${db}.lock-holder`, "utf8")).toBe(other);
  });
});
