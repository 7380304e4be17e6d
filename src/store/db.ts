import { createHash } from "node:crypto";
import { accessSync, constants, existsSync, mkdirSync, rmSync, statSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { messageOf, StoreError } from "../errors/index.js";
import { type Migration, migrations } from "./migrations/index.js";

export type DB = Database.Database;

/** "CPRF": marks a SQLite file as a changeproof store. */
const APPLICATION_ID = 0x43505246;

export interface OpenOptions {
  readonly?: boolean;
  /** Migrations to apply (tests pass a longer list); default: the shipped ones. */
  migrations?: readonly Migration[];
}

function checksum(m: Migration): string {
  return createHash("sha256").update(m.sql).digest("hex").slice(0, 16);
}

function sqliteCode(e: unknown): string | undefined {
  return typeof e === "object" && e !== null && "code" in e && typeof e.code === "string" ? e.code : undefined;
}

/** Translate SQLite's failures into one line that names the database. */
export function storeFailure(file: string, e: unknown, doing: string): StoreError {
  if (e instanceof StoreError) return e;
  const code = sqliteCode(e) ?? "";
  if (code === "SQLITE_NOTADB" || code.startsWith("SQLITE_CORRUPT")) {
    return new StoreError(
      "E_STORE_CORRUPT",
      `database ${file} is not a valid SQLite database or is corrupted (${doing})${doing.startsWith("opening") ? "; it was left as it is" : ""}`,
      { cause: e },
    );
  }
  if (code.startsWith("SQLITE_READONLY") || code.startsWith("SQLITE_CANTOPEN") || code === "SQLITE_PERM") {
    return new StoreError("E_STORE_ACCESS", `cannot write database ${file} (${doing}): ${messageOf(e)}`, { cause: e });
  }
  if (code.startsWith("SQLITE_BUSY")) {
    return new StoreError("E_STORE_BUSY", `database ${file} is locked by another process (${doing})`, { cause: e });
  }
  if (code === "SQLITE_FULL") {
    return new StoreError("E_STORE_FULL", `disk full writing database ${file} (${doing})`, { cause: e });
  }
  return new StoreError("E_STORE", `database ${file}: ${doing} failed: ${messageOf(e)}`, { cause: e });
}

function checkWritable(file: string): void {
  const dir = path.dirname(file);
  try {
    if (!existsSync(dir)) mkdirSync(dir, { recursive: true });
    if (existsSync(file)) {
      if (!statSync(file).isFile()) throw new Error("not a regular file");
      accessSync(file, constants.R_OK | constants.W_OK);
    }
    accessSync(dir, constants.W_OK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === "EACCES" || code === "EPERM" ? "permission denied" : messageOf(e);
    throw new StoreError("E_STORE_ACCESS", `cannot write database ${file}: ${why}`, { cause: e });
  }
}

/** Refuses a SQLite file someone else owns; called before anything could write to it. */
function assertOurs(db: DB, file: string): void {
  const appId = db.pragma("application_id", { simple: true }) as number;
  const tables = db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'").get() as { n: number };
  if (appId !== APPLICATION_ID && tables.n > 0) {
    throw new StoreError(
      "E_STORE_FOREIGN",
      `database ${file} is a SQLite file but not a changeproof store; it was left as it is`,
    );
  }
}

function migrate(db: DB, list: readonly Migration[], file: string): void {
  db.exec(
    "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, checksum TEXT NOT NULL, applied_at TEXT NOT NULL)",
  );
  const applied = new Map(
    (
      db.prepare("SELECT version, checksum FROM schema_migrations").all() as { version: number; checksum: string }[]
    ).map((r) => [r.version, r.checksum]),
  );
  const newest = Math.max(0, ...applied.keys());
  const known = Math.max(0, ...list.map((m) => m.version));
  if (newest > known) {
    throw new StoreError(
      "E_STORE_NEWER",
      `database ${file} has schema version ${newest}, newer than this changeproof supports (${known}); upgrade changeproof`,
    );
  }
  for (const m of list) {
    const have = applied.get(m.version);
    if (have !== undefined) {
      if (have !== checksum(m)) {
        throw new StoreError(
          "E_STORE_MIGRATION",
          `database ${file}: migration ${m.version} (${m.name}) differs from this build's`,
        );
      }
      continue;
    }
    db.transaction(() => {
      db.exec(m.sql);
      db.prepare("INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (?, ?, ?, ?)").run(
        m.version,
        m.name,
        checksum(m),
        new Date().toISOString(),
      );
      db.pragma(`application_id = ${APPLICATION_ID}`);
    })();
  }
}

/**
 * Opens the store, runs `fn`, and closes it; any SQLite failure inside becomes a StoreError that
 * names the database and what was being done.
 */
export async function withStore<T>(
  file: string,
  options: OpenOptions & { doing: string },
  fn: (db: DB) => T | Promise<T>,
): Promise<T> {
  const db = openStore(file, options);
  try {
    return await fn(db);
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    throw typeof code === "string" && code.startsWith("SQLITE")
      ? storeFailure(path.resolve(file), e, options.doing)
      : e;
  } finally {
    db.close();
  }
}

/** Open (creating and migrating if needed) the store. Never rewrites a file that isn't ours. */
export function openStore(file: string, options: OpenOptions = {}): DB {
  const abs = path.resolve(file);
  if (options.readonly) {
    if (!existsSync(abs)) {
      throw new StoreError("E_STORE_MISSING", `database ${abs} does not exist: run \`changeproof collect\` first`);
    }
  } else {
    checkWritable(abs);
  }
  // SQLite may create -wal and -shm beside the file just by opening it; if the open fails, the
  // folder must be left as it was.
  const sidecars = [`${abs}-wal`, `${abs}-shm`].filter((f) => !existsSync(f));
  let db: DB | undefined;
  try {
    db = new Database(abs, { readonly: options.readonly ?? false, fileMustExist: options.readonly ?? false });
    db.pragma("busy_timeout = 10000");
    if (!options.readonly) {
      // Reading the header is the first thing: a file that isn't ours must not even switch to WAL.
      assertOurs(db, abs);
      db.pragma("journal_mode = WAL");
      db.pragma("synchronous = NORMAL");
      db.pragma("foreign_keys = ON");
      // A bounded page cache (16 MiB): commits are merged in one INSERT ... SELECT per chunk, and a
      // bigger cache bought no speed in `npm run bench`; a fixed cap keeps memory flat with history.
      db.pragma("cache_size = -16384");
      // Staging tables spill to a temp file past the cache rather than grow memory with history.
      db.pragma("temp_store = FILE");
      migrate(db, options.migrations ?? migrations, abs);
    } else {
      const appId = db.pragma("application_id", { simple: true }) as number;
      if (appId !== APPLICATION_ID) {
        throw new StoreError("E_STORE_FOREIGN", `database ${abs} is not a changeproof store`);
      }
    }
    return db;
  } catch (e) {
    db?.close();
    for (const f of sidecars) {
      try {
        rmSync(f, { force: true });
      } catch {
        // nothing was created there
      }
    }
    throw storeFailure(abs, e, options.readonly ? "opening for reading" : "opening");
  }
}
