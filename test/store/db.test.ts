import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { StoreError } from "../../src/errors/index.js";
import { openStore } from "../../src/store/db.js";
import { type Migration, migrations } from "../../src/store/migrations/index.js";
import { tempDir } from "../helpers/tmp.js";

const APPLICATION_ID = 0x43505246;
const dir = tempDir("changeproof-db-");
let n = 0;
const fresh = (): string => path.join(dir, `store-${++n}.db`);

interface MigrationRow {
  version: number;
  name: string;
  checksum: string;
  applied_at: string;
}

function migrationRows(file: string): MigrationRow[] {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare("SELECT * FROM schema_migrations ORDER BY version").all() as MigrationRow[];
  } finally {
    db.close();
  }
}

/** Runs `f`, expecting a StoreError, and returns it. */
function storeErrorOf(f: () => unknown): StoreError {
  try {
    f();
  } catch (e) {
    if (e instanceof StoreError) return e;
    throw new Error(`expected a StoreError, got ${String(e)}`);
  }
  throw new Error("expected a StoreError, nothing was thrown");
}

/** A SQLite file made by someone else: no changeproof application id, its own table. */
function foreignSqlite(file: string): void {
  const db = new Database(file);
  db.exec("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO customers (name) VALUES ('x')");
  db.close();
}

describe("openStore", () => {
  it("creates a new store, migrates it and marks it as changeproof's", () => {
    const file = fresh();
    expect(existsSync(file)).toBe(false);
    const db = openStore(file);
    try {
      expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
      expect(db.pragma("application_id", { simple: true })).toBe(APPLICATION_ID);
      expect(db.pragma("foreign_keys", { simple: true })).toBe(1);
      const tables = (
        db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]
      ).map((t) => t.name);
      expect(tables).toEqual(
        expect.arrayContaining([
          "schema_migrations",
          "collection_runs",
          "repos",
          "commits",
          "ref_tips",
          "branch_commits",
          "history_rewrites",
        ]),
      );
    } finally {
      db.close();
    }
    const rows = migrationRows(file);
    expect(rows.map((r) => r.version)).toEqual(migrations.map((m) => m.version));
    for (const r of rows) {
      expect(r.checksum).toMatch(/^[0-9a-f]{16}$/);
      expect(Number.isNaN(Date.parse(r.applied_at))).toBe(false);
    }
    expect(rows[0]?.name).toBe(migrations[0]?.name);
  });

  it("re-opens an existing store without re-applying migrations or losing data", () => {
    const file = fresh();
    const first = openStore(file);
    first.prepare("INSERT INTO repos (name, role, source) VALUES ('acme/app', 'app', '/src/app')").run();
    first.close();
    const before = migrationRows(file);
    for (let i = 0; i < 2; i++) {
      const again = openStore(file);
      expect(again.prepare("SELECT name FROM repos").all()).toEqual([{ name: "acme/app" }]);
      again.close();
    }
    expect(migrationRows(file)).toEqual(before);
  });

  it("applies only the migrations a store lacks, each recorded once", () => {
    const file = fresh();
    openStore(file).close();
    const next = Math.max(...migrations.map((m) => m.version)) + 1;
    const extra: Migration = { version: next, name: "test addition", sql: "CREATE TABLE extra_things (id INTEGER);" };
    const db = openStore(file, { migrations: [...migrations, extra] });
    expect(db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'extra_things'").get()).toEqual({ n: 1 });
    db.close();
    const rows = migrationRows(file);
    expect(rows.map((r) => [r.version, r.name])).toEqual([
      ...migrations.map((m) => [m.version, m.name]),
      [next, "test addition"],
    ]);
    // A build that knows both opens it again without touching it.
    openStore(file, { migrations: [...migrations, extra] }).close();
    expect(migrationRows(file)).toEqual(rows);
  });

  it("refuses a SQLite file that is not a changeproof store, adding nothing to it", () => {
    const file = fresh();
    foreignSqlite(file);
    const e = storeErrorOf(() => openStore(file));
    expect(e.code).toBe("E_STORE_FOREIGN");
    expect(e.message).toContain(file);
    expect(e.message).toMatch(/not a changeproof store; it was left as it is/);
    expect(existsSync(`${file}-wal`)).toBe(false);
    // Its own data is intact and none of ours was added.
    const db = new Database(file, { readonly: true });
    expect(db.prepare("SELECT name FROM customers").all()).toEqual([{ name: "x" }]);
    expect(db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'schema_migrations'").get()).toEqual({
      n: 0,
    });
    expect(db.pragma("application_id", { simple: true })).toBe(0);
    db.close();
  });

  // Switching to WAL would change header bytes 18/19 (and the change counter): the ownership check
  // must come before anything that writes.
  it("leaves a foreign SQLite file byte-for-byte identical (journal mode included)", () => {
    const file = fresh();
    foreignSqlite(file);
    const before = readFileSync(file);
    expect(storeErrorOf(() => openStore(file)).code).toBe("E_STORE_FOREIGN");
    const after = readFileSync(file);
    expect(after.subarray(0, 100).toString("hex")).toBe(before.subarray(0, 100).toString("hex"));
    expect(after.equals(before)).toBe(true);
    const db = new Database(file, { readonly: true });
    expect(db.pragma("journal_mode", { simple: true })).toBe("delete");
    db.close();
  });

  it("refuses a foreign SQLite file when opened read-only too", () => {
    const file = fresh();
    foreignSqlite(file);
    const before = readFileSync(file);
    expect(storeErrorOf(() => openStore(file, { readonly: true })).code).toBe("E_STORE_FOREIGN");
    expect(readFileSync(file).equals(before)).toBe(true);
  });

  it("refuses to open a missing store read-only, without creating it", () => {
    const file = fresh();
    const e = storeErrorOf(() => openStore(file, { readonly: true }));
    expect(e.code).toBe("E_STORE_MISSING");
    expect(e.message).toMatch(/changeproof collect/);
    expect(existsSync(file)).toBe(false);
  });

  it("refuses a store migrated by a newer changeproof (E_STORE_NEWER)", () => {
    const file = fresh();
    const db = openStore(file);
    db.prepare(
      "INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (99, 'from the future', 'ffff', '2030-01-01T00:00:00.000Z')",
    ).run();
    db.close();
    const e = storeErrorOf(() => openStore(file));
    expect(e.code).toBe("E_STORE_NEWER");
    const known = Math.max(...migrations.map((m) => m.version));
    expect(e.message).toContain(`schema version 99, newer than this changeproof supports (${known})`);
    expect(migrationRows(file).map((r) => r.version)).toEqual([...migrations.map((m) => m.version), 99]);
  });

  it("refuses a store whose recorded migration checksum differs from this build's (E_STORE_MIGRATION)", () => {
    const file = fresh();
    const db = openStore(file);
    db.prepare("UPDATE schema_migrations SET checksum = '0000000000000000' WHERE version = 1").run();
    db.close();
    const e = storeErrorOf(() => openStore(file));
    expect(e.code).toBe("E_STORE_MIGRATION");
    expect(e.message).toMatch(/migration 1 .* differs from this build's/);
  });

  it("refuses a store when this build's migration text differs from the one applied", () => {
    const file = fresh();
    openStore(file).close();
    const first = migrations[0];
    if (!first) throw new Error("no migrations shipped");
    const edited: Migration = { ...first, sql: `${first.sql}\n-- edited after release\n` };
    expect(storeErrorOf(() => openStore(file, { migrations: [edited, ...migrations.slice(1)] })).code).toBe(
      "E_STORE_MIGRATION",
    );
  });

  it("reports a file of random bytes as E_STORE_CORRUPT and leaves it untouched", () => {
    const file = fresh();
    const junk = randomBytes(16 * 1024);
    writeFileSync(file, junk);
    const e = storeErrorOf(() => openStore(file));
    expect(e).toBeInstanceOf(StoreError);
    expect(e.code).toBe("E_STORE_CORRUPT");
    expect(e.message).toContain(file);
    expect(e.message).toMatch(/left as it is/);
    expect(readFileSync(file).equals(junk)).toBe(true);
    expect(existsSync(`${file}-wal`)).toBe(false);
    // Read-only: the same verdict.
    const ro = storeErrorOf(() => openStore(file, { readonly: true }));
    expect(ro.code).toBe("E_STORE_CORRUPT");
    expect(readFileSync(file).equals(junk)).toBe(true);
  });

  it("refuses an emptied store instead of starting a new one, for writing and reading", () => {
    const file = fresh();
    openStore(file).close();
    writeFileSync(file, "");
    for (const readonly of [false, true]) {
      const e = storeErrorOf(() => openStore(file, { readonly }));
      expect(e.code).toBe("E_STORE_CORRUPT");
      expect(e.exitCode).toBe(1);
      expect(e.message).toBe(
        `database ${file} is empty (0 bytes), not a changeproof store: restore it from a backup or give another path; it was left as it is`,
      );
    }
    expect(readFileSync(file).length).toBe(0);
    expect(existsSync(`${file}-wal`)).toBe(false);
  });

  it("refuses a text file and names a directory as a directory", () => {
    const text = fresh();
    writeFileSync(text, "notes\n");
    expect(storeErrorOf(() => openStore(text)).message).toMatch(
      /is not a SQLite database \(or is corrupted\); it was left as it is$/,
    );
    expect(readFileSync(text, "utf8")).toBe("notes\n");
    const folder = fresh();
    mkdirSync(folder);
    for (const readonly of [false, true]) {
      const e = storeErrorOf(() => openStore(folder, { readonly }));
      expect(e.code).toBe("E_STORE_NOT_FILE");
      expect(e.message).toMatch(/is a directory/);
    }
  });

  it("creates a new store whole, under a temporary name linked into place, leaving nothing else", () => {
    const sub = path.join(dir, `created-${++n}`);
    const file = path.join(sub, "changeproof.db");
    openStore(file).close();
    expect(readdirSync(sub)).toEqual(["changeproof.db"]);
    expect(readFileSync(file).subarray(0, 16).toString("latin1")).toBe("SQLite format 3\u0000");
  });

  it("refuses to open a store for writing when SQLite's quick_check fails, changing no byte", () => {
    const file = fresh();
    const db = openStore(file);
    const insert = db.prepare("INSERT INTO repos (name, role, source) VALUES (?, 'app', ?)");
    db.transaction(() => {
      for (let i = 0; i < 500; i++) insert.run(`acme/repo-${i}`, `/src/${"x".repeat(100)}-${i}`);
    })();
    db.pragma("wal_checkpoint(TRUNCATE)");
    const pageSize = db.pragma("page_size", { simple: true }) as number;
    const leaf = db
      .prepare("SELECT pageno FROM dbstat WHERE name = 'repos' AND pagetype = 'leaf'")
      .pluck()
      .get() as number;
    db.close();
    const bytes = readFileSync(file);
    for (let i = 0; i < 16; i++) {
      const at = (leaf - 1) * pageSize + 8 + i;
      bytes[at] = (bytes[at] ?? 0) ^ 0xff;
    }
    writeFileSync(file, bytes);
    const e = storeErrorOf(() => openStore(file));
    expect(e.code).toBe("E_STORE_CORRUPT");
    expect(e.message).toMatch(
      /is corrupted \(SQLite's quick_check: .+\); nothing was written: restore it from a backup$/,
    );
    expect(readFileSync(file).equals(bytes)).toBe(true);
  });
});
