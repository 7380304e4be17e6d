import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { createRequire } from "node:module";
import { hostname } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { type DB, openStore } from "../../src/store/db.js";
import {
  abandonDeadRuns,
  canonical,
  finishRun,
  listRuns,
  type RunRow,
  sealFailed,
  startRun,
  verifyLedger,
} from "../../src/store/ledger.js";
import { registerSecret } from "../../src/util/redact.js";
import { tempDir } from "../helpers/tmp.js";

const dir = tempDir("changeproof-ledger-");
const require = createRequire(import.meta.url);
let n = 0;
const freshStore = (): DB => openStore(path.join(dir, `ledger-${++n}.db`));

const t0 = Date.parse("2026-07-01T00:00:00Z");
const at = (hours: number): Date => new Date(t0 + hours * 3600_000);

/** A store with `count` sealed git runs (every third one failed). */
function storeWithRuns(count: number): { db: DB; ids: number[] } {
  const db = freshStore();
  const ids: number[] = [];
  for (let i = 0; i < count; i++) {
    const id = startRun(db, {
      source: "git",
      scope: { repo: `acme/repo-${i % 2}` },
      parameters: { n: i },
      now: at(i),
    });
    const failed = i % 3 === 2;
    finishRun(db, id, {
      status: failed ? "failed" : "succeeded",
      counts: { commitsAdded: i * 10, refs: 1 },
      ...(failed ? { error: `fetch failed ${i}` } : {}),
      now: at(i + 0.5),
    });
    ids.push(id);
  }
  return { db, ids };
}

function run(db: DB, id: number): RunRow {
  const r = db.prepare("SELECT * FROM collection_runs WHERE id = ?").get(id) as RunRow | undefined;
  if (!r) throw new Error(`no run ${id}`);
  return r;
}

/** The ledger's sealing hash, recomputed the way a forger who read the source would. */
function forgedHash(r: RunRow): string {
  const fields = [
    r.id,
    r.source,
    r.scope,
    r.tool_version,
    r.parameters,
    r.started_at,
    r.finished_at,
    r.status,
    r.counts,
    r.error,
    r.seal_seq,
    r.prev_hash,
  ];
  return createHash("sha256").update(JSON.stringify(fields)).digest("hex");
}

/** A pid no process can have: Linux caps pids at 2^22. */
const DEAD_PID = 2 ** 31 - 2;

describe("collection-run ledger", () => {
  it("records a run as running with this host and pid, then seals it into a chain", () => {
    const db = freshStore();
    const a = startRun(db, { source: "git", scope: { repo: "acme/app" }, parameters: { x: 1 }, now: at(0) });
    const started = run(db, a);
    expect(started.status).toBe("running");
    expect(started.seal_seq).toBeNull();
    expect(started.hash).toBeNull();
    expect(started.started_at).toBe(at(0).toISOString());
    expect(JSON.parse(started.parameters)).toEqual({ x: 1, host: hostname(), pid: process.pid });
    expect(started.scope).toBe(canonical({ repo: "acme/app" }));

    finishRun(db, a, { status: "succeeded", counts: { refs: 2, commitsAdded: 5 }, now: at(1) });
    const first = run(db, a);
    expect(first).toMatchObject({ status: "succeeded", seal_seq: 1, prev_hash: null, error: null });
    expect(first.finished_at).toBe(at(1).toISOString());
    expect(first.counts).toBe('{"commitsAdded":5,"refs":2}');
    expect(first.hash).toMatch(/^[0-9a-f]{64}$/);

    const b = startRun(db, { source: "git", scope: { repo: "acme/app" }, parameters: {}, now: at(2) });
    finishRun(db, b, { status: "failed", error: "boom", now: at(3) });
    const second = run(db, b);
    expect(second).toMatchObject({ status: "failed", seal_seq: 2, prev_hash: first.hash, error: "boom" });
    expect(second.hash).not.toBe(first.hash);
    expect(() => finishRun(db, b, { status: "succeeded" })).toThrow(/already sealed/);
    expect(run(db, b).hash).toBe(second.hash);
    db.close();
  });

  it("verifies intact after several runs, with the last hash as head", () => {
    const { db, ids } = storeWithRuns(6);
    // A run still in progress is not part of the chain yet and breaks nothing.
    startRun(db, { source: "git", scope: { repo: "acme/repo-0" }, parameters: {} });
    const check = verifyLedger(db);
    expect(check).toEqual({ runs: 7, sealed: 6, intact: true, problems: [], head: run(db, ids[5] ?? 0).hash });
    expect(listRuns(db).map((r) => r.id)).toEqual([7, 6, 5, 4, 3, 2, 1]);
    db.close();
  });

  it("an empty ledger is intact with no head", () => {
    const db = freshStore();
    expect(verifyLedger(db)).toEqual({ runs: 0, sealed: 0, intact: true, problems: [], head: null });
    db.close();
  });

  it("detects a sealed run's status edited with raw SQL", () => {
    const { db } = storeWithRuns(5);
    db.prepare("UPDATE collection_runs SET status = 'succeeded', error = NULL WHERE id = 3").run();
    const check = verifyLedger(db);
    expect(check.intact).toBe(false);
    expect(check.problems).toEqual(["run 3 was altered after it was sealed"]);
    db.close();
  });

  it("detects a sealed run's counts edited with raw SQL", () => {
    const { db } = storeWithRuns(5);
    db.prepare(`UPDATE collection_runs SET counts = '{"commitsAdded":0,"refs":1}' WHERE id = 5`).run();
    expect(verifyLedger(db).problems).toEqual(["run 5 was altered after it was sealed"]);
    db.close();
  });

  it("detects a sealed run's timestamps edited (backdating a collection)", () => {
    const { db } = storeWithRuns(4);
    db.prepare("UPDATE collection_runs SET started_at = '2026-10-02T00:00:00.000Z' WHERE id = 2").run();
    expect(verifyLedger(db).problems).toContain("run 2 was altered after it was sealed");
    db.close();
  });

  it("detects a middle run deleted", () => {
    const { db } = storeWithRuns(5);
    db.prepare("DELETE FROM collection_runs WHERE id = 3").run();
    const check = verifyLedger(db);
    expect(check.intact).toBe(false);
    expect(check.problems).toEqual(
      expect.arrayContaining([
        "sealed run #3 is missing (next is #4, run 4)",
        "run 4 does not follow the run sealed before it",
        "run 3 was deleted",
      ]),
    );
    db.close();
  });

  it("detects the last run deleted, from the gap AUTOINCREMENT leaves", () => {
    const { db } = storeWithRuns(5);
    db.prepare("DELETE FROM collection_runs WHERE id = 5").run();
    const check = verifyLedger(db);
    expect(check.intact).toBe(false);
    expect(check.problems).toEqual(["runs 5..5 were deleted"]);
    // Deleting the two last runs names both.
    db.prepare("DELETE FROM collection_runs WHERE id = 4").run();
    expect(verifyLedger(db).problems).toEqual(["runs 4..5 were deleted"]);
    db.close();
  });

  it("detects a middle run deleted even when every later run is re-sealed to hide it", () => {
    const { db } = storeWithRuns(5);
    db.prepare("DELETE FROM collection_runs WHERE id = 2").run();
    let prev = run(db, 1).hash;
    for (const id of [3, 4, 5]) {
      const r = { ...run(db, id), seal_seq: id - 1, prev_hash: prev };
      const hash = forgedHash(r);
      db.prepare("UPDATE collection_runs SET seal_seq = ?, prev_hash = ?, hash = ? WHERE id = ?").run(
        r.seal_seq,
        r.prev_hash,
        hash,
        id,
      );
      prev = hash;
    }
    const check = verifyLedger(db);
    expect(check.intact).toBe(false);
    expect(check.problems).toEqual(["run 2 was deleted"]);
    db.close();
  });

  it("detects an edited run re-sealed with a forged hash of only itself", () => {
    const { db } = storeWithRuns(5);
    const forged = { ...run(db, 3), status: "succeeded" as const, error: null };
    db.prepare("UPDATE collection_runs SET status = ?, error = ?, hash = ? WHERE id = 3").run(
      forged.status,
      forged.error,
      forgedHash(forged),
    );
    const check = verifyLedger(db);
    expect(check.intact).toBe(false);
    // Its own hash now checks out; the run sealed after it no longer follows it.
    expect(check.problems).toEqual(["run 4 does not follow the run sealed before it"]);
    db.close();
  });

  it("a forged re-seal of the newest run changes the head, so a published head exposes it", () => {
    // Nothing follows the newest run inside the database: only the head recorded outside it
    // (e.g. in a report manifest) can expose this edit.
    const { db } = storeWithRuns(4);
    const published = verifyLedger(db).head;
    const forged = { ...run(db, 4), counts: '{"commitsAdded":0,"refs":0}' };
    db.prepare("UPDATE collection_runs SET counts = ?, hash = ? WHERE id = 4").run(forged.counts, forgedHash(forged));
    const check = verifyLedger(db);
    expect(check.head).not.toBe(published);
    expect(check.head).toBe(forgedHash(forged));
    db.close();
  });

  it("seals a run left running by a dead process as abandoned, and leaves live ones alone", () => {
    const db = freshStore();
    const mine = startRun(db, { source: "git", scope: { repo: "acme/app" }, parameters: {}, now: at(0) });
    const insert = db.prepare(
      "INSERT INTO collection_runs (source, scope, tool_version, parameters, started_at, status) VALUES ('git', ?, '0.0.0', ?, ?, 'running')",
    );
    const dead = Number(
      insert.run(canonical({ repo: "acme/dead" }), canonical({ host: hostname(), pid: DEAD_PID }), at(1).toISOString())
        .lastInsertRowid,
    );
    // The parent of this test process is alive for as long as the test runs.
    const alive = Number(
      insert.run(
        canonical({ repo: "acme/alive" }),
        canonical({ host: hostname(), pid: process.ppid }),
        at(2).toISOString(),
      ).lastInsertRowid,
    );

    expect(abandonDeadRuns(db, at(5))).toBe(1);
    const abandoned = run(db, dead);
    expect(abandoned).toMatchObject({
      status: "abandoned",
      finished_at: at(5).toISOString(),
      seal_seq: 1,
      prev_hash: null,
    });
    expect(abandoned.error).toMatch(/ended before it finished/);
    expect(run(db, mine)).toMatchObject({ status: "running", seal_seq: null });
    expect(run(db, alive)).toMatchObject({ status: "running", seal_seq: null });
    expect(verifyLedger(db)).toMatchObject({ intact: true, sealed: 1, head: abandoned.hash });

    // Idempotent: nothing more to abandon, and this process can still finish its own run.
    expect(abandonDeadRuns(db, at(6))).toBe(0);
    finishRun(db, mine, { status: "succeeded", now: at(7) });
    expect(run(db, mine)).toMatchObject({ status: "succeeded", seal_seq: 2, prev_hash: abandoned.hash });
    expect(verifyLedger(db).intact).toBe(true);
    db.close();
  });
});

describe("errors kept in the ledger", () => {
  it("are masked, shown and capped on the way in, whoever seals the run", () => {
    const db = freshStore();
    registerSecret("kube-token-from-an-exec-plugin-0123");
    const id = startRun(db, { source: "reconciler", scope: { cluster: "prod" }, parameters: {} });
    finishRun(db, id, {
      status: "failed",
      error: `HTTP 500: echo: Authorization: Bearer kube-token-from-an-exec-plugin-0123\n\u001b[2J${"x".repeat(10_000)}`,
    });
    const error = listRuns(db, 1)[0]?.error ?? "";
    expect(error.startsWith("HTTP 500: echo: Authorization: Bearer *** ⟨U+001B⟩[2J")).toBe(true);
    expect(error).not.toContain("kube-token");
    expect(error.length).toBeLessThanOrEqual(4001);
    expect(verifyLedger(db).intact).toBe(true);
  });
});

describe("sealFailed", () => {
  it("seals a failed run even when another writer holds SQLite's lock past the busy timeout", () => {
    const file = path.join(dir, `busy-${++n}.db`);
    const db = openStore(file);
    const id = startRun(db, { source: "git", scope: { repo: "acme/app" }, parameters: {} });
    db.pragma("busy_timeout = 250");
    // Another process holds the write lock for twice the busy timeout; three more timeouts outlast it.
    const holder = spawn(
      process.execPath,
      [
        "-e",
        `const D = require(${JSON.stringify(require.resolve("better-sqlite3"))});
         const d = new D(${JSON.stringify(file)}); d.exec("BEGIN IMMEDIATE"); process.stdout.write("held\\n");
         Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 500); d.exec("COMMIT"); d.close();`,
      ],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    return new Promise<void>((resolve, reject) => {
      holder.stdout.once("data", () => {
        try {
          expect(() => finishRun(db, id, { status: "failed", error: "x" })).toThrow(/database is locked/);
          sealFailed(db, id, { error: "the lock was lost" });
          expect(listRuns(db, 1)[0]).toMatchObject({ status: "failed", error: "the lock was lost" });
          db.close();
          resolve();
        } catch (e) {
          reject(e);
        }
      });
    });
  });
});
