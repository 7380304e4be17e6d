import { createHash, randomBytes } from "node:crypto";
import {
  accessSync,
  closeSync,
  constants,
  copyFileSync,
  existsSync,
  linkSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readSync,
  rmSync,
  statSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { messageOf, StoreError } from "../errors/index.js";
import { oneLine } from "../util/visible.js";
import { type Migration, migrations } from "./migrations/index.js";

/**
 * Write transactions that read before they write are BEGIN IMMEDIATE
 * (`db.transaction(fn).immediate()`): they take SQLite's write lock at their start, waiting up
 * to the busy timeout. A deferred one that reads first fails at once with "database is locked"
 * when it upgrades while another writer holds the lock, without waiting at all. (The git merge
 * from the attached stage stays deferred: it writes first, so it waits anyway, and IMMEDIATE
 * would also lock the stage file the reader thread is writing.)
 */
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
    const verb = doing.includes("reading") ? "read" : "write";
    return new StoreError("E_STORE_ACCESS", `cannot ${verb} database ${file} (${doing}): ${messageOf(e)}`, {
      cause: e,
    });
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
    if (existsSync(file)) accessSync(file, constants.R_OK | constants.W_OK);
    accessSync(dir, constants.W_OK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === "EACCES" || code === "EPERM" ? "permission denied" : messageOf(e);
    throw new StoreError("E_STORE_ACCESS", `cannot write database ${file}: ${why}`, { cause: e });
  }
}

const SQLITE_HEADER = Buffer.from("SQLite format 3\0", "latin1");

/**
 * An existing path given as the store must be a SQLite file before SQLite sees it: SQLite takes
 * an empty file as a new database (a truncated store would silently start again at run 1) and
 * says "disk I/O error" for a directory. Returns false when nothing is there yet.
 */
function assertStoreFile(file: string): boolean {
  let st: ReturnType<typeof statSync>;
  try {
    st = statSync(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw new StoreError("E_STORE_ACCESS", `cannot read database ${file}: ${messageOf(e)}`, { cause: e });
  }
  if (st.isDirectory()) {
    throw new StoreError(
      "E_STORE_NOT_FILE",
      `database ${file} is a directory: give the store's file (--db or \`database\`)`,
    );
  }
  if (!st.isFile()) throw new StoreError("E_STORE_NOT_FILE", `database ${file} is not a regular file`);
  if (st.size === 0) {
    throw new StoreError(
      "E_STORE_CORRUPT",
      `database ${file} is empty (0 bytes), not a changeproof store: restore it from a backup or give another path; it was left as it is`,
    );
  }
  const head = Buffer.alloc(SQLITE_HEADER.length);
  let fd: number | undefined;
  try {
    fd = openSync(file, "r");
    readSync(fd, head, 0, head.length, 0);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === "EACCES" || code === "EPERM" ? "permission denied" : messageOf(e);
    throw new StoreError("E_STORE_ACCESS", `cannot read database ${file}: ${why}`, { cause: e });
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  if (!head.equals(SQLITE_HEADER)) {
    throw new StoreError(
      "E_STORE_CORRUPT",
      `database ${file} is not a SQLite database (or is corrupted); it was left as it is`,
    );
  }
  return true;
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

/**
 * SQLite's structural check (every page, record and free list; not index-to-table agreement):
 * a store that fails it is never written to, so no run is sealed into a damaged ledger.
 */
export function assertIntact(db: DB, file: string): void {
  const rows = db.pragma("quick_check(5)") as { quick_check: string }[];
  const problems = rows.map((r) => r.quick_check).filter((p) => p !== "ok");
  if (problems.length > 0) {
    throw new StoreError(
      "E_STORE_CORRUPT",
      `database ${file} is corrupted (SQLite's quick_check: ${problems.map((p) => oneLine(p, 160)).join("; ")}); nothing was written: restore it from a backup`,
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
    }).immediate();
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

/**
 * Open (creating and migrating if needed) the store. Never rewrites a file that isn't ours, and
 * creates one only where nothing is: an emptied or foreign file is refused, never replaced.
 */
export function openStore(file: string, options: OpenOptions = {}): DB {
  const abs = path.resolve(file);
  const exists = assertStoreFile(abs);
  if (options.readonly) {
    if (!exists) {
      throw new StoreError("E_STORE_MISSING", `database ${abs} does not exist: run \`changeproof collect\` first`);
    }
    return openForReading(abs);
  }
  checkWritable(abs);
  if (!exists) createStore(abs, options.migrations ?? migrations);
  return openForWriting(abs, options.migrations ?? migrations);
}

/**
 * SQLite may create -wal and -shm beside the file just by opening it: the ones not there yet, to
 * remove if the open fails, so the folder is left as it was.
 */
function newSidecars(abs: string): string[] {
  return [`${abs}-wal`, `${abs}-shm`].filter((f) => !existsSync(f));
}

/**
 * Removes the sidecars a failed open created, unless the WAL holds frames: then another process
 * opened the store meanwhile and is using them.
 */
function removeSidecars(abs: string, created: readonly string[]): void {
  const wal = statSync(`${abs}-wal`, { throwIfNoEntry: false });
  if (wal && wal.size > 0) return;
  for (const f of created) rmSync(f, { force: true });
}

/** Sets up a connection that writes, and checks the file is ours and sound before anything is written. */
function openForWriting(abs: string, list: readonly Migration[]): DB {
  const sidecars = newSidecars(abs);
  let db: DB | undefined;
  try {
    db = new Database(abs, { fileMustExist: true });
    db.pragma("busy_timeout = 10000");
    // Reading the header is the first thing: a file that isn't ours must not even switch to WAL.
    assertOurs(db, abs);
    assertIntact(db, abs);
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = NORMAL");
    db.pragma("foreign_keys = ON");
    // A bounded page cache (16 MiB): commits are merged in one INSERT ... SELECT per chunk, and a
    // bigger cache bought no speed in `npm run bench`; a fixed cap keeps memory flat with history.
    db.pragma("cache_size = -16384");
    // Staging tables spill to a temp file past the cache rather than grow memory with history.
    db.pragma("temp_store = FILE");
    migrate(db, list, abs);
    return db;
  } catch (e) {
    db?.close();
    removeSidecars(abs, sidecars);
    throw storeFailure(abs, e, "opening");
  }
}

/**
 * A new store is built under a temporary name and linked into place whole: a process killed
 * while creating it leaves no empty file behind that a later run would have to refuse, and two
 * processes creating the same store at once end up with one.
 */
function createStore(abs: string, list: readonly Migration[]): void {
  const tmp = `${abs}.new-${process.pid}-${randomBytes(4).toString("hex")}`;
  try {
    const db = new Database(tmp);
    try {
      db.pragma("journal_mode = WAL");
      migrate(db, list, abs);
    } finally {
      db.close();
    }
    try {
      placeNew(tmp, abs);
    } catch (e) {
      // Another process created it meanwhile: theirs is used, as if it had been there first.
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    }
  } catch (e) {
    throw storeFailure(abs, e, "creating");
  } finally {
    for (const f of [tmp, `${tmp}-wal`, `${tmp}-shm`]) rmSync(f, { force: true });
  }
}

/**
 * Puts the new store in place only where nothing is (EEXIST otherwise): a hard link, or on a
 * filesystem without them (vfat, many FUSE and SMB mounts) an exclusive copy.
 */
function placeNew(tmp: string, abs: string): void {
  try {
    linkSync(tmp, abs);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== "EPERM" && code !== "ENOTSUP" && code !== "EOPNOTSUPP" && code !== "ENOSYS") throw e;
    copyFileSync(tmp, abs, constants.COPYFILE_EXCL);
  }
}

/**
 * A read-only connection. A store in WAL mode needs its folder writable even to be read (SQLite
 * keeps a shared-memory index beside it), so an archived copy in a read-only folder or mount is
 * read through a private copy instead: the same bytes, its WAL included, nothing written where
 * the store lies.
 */
function openForReading(abs: string): DB {
  const sidecars = newSidecars(abs);
  let db: DB | undefined;
  try {
    db = new Database(abs, { readonly: true, fileMustExist: true });
    return configureReader(db, abs);
  } catch (e) {
    db?.close();
    removeSidecars(abs, sidecars);
    const code = sqliteCode(e) ?? "";
    if (code.startsWith("SQLITE_READONLY") || code.startsWith("SQLITE_CANTOPEN")) return openPrivateCopy(abs);
    throw storeFailure(abs, e, "opening for reading");
  }
}

function configureReader(db: DB, abs: string): DB {
  db.pragma("busy_timeout = 10000");
  const appId = db.pragma("application_id", { simple: true }) as number;
  if (appId !== APPLICATION_ID) {
    throw new StoreError("E_STORE_FOREIGN", `database ${abs} is not a changeproof store`);
  }
  return db;
}

function openPrivateCopy(abs: string): DB {
  let dir: string | undefined;
  let db: DB | undefined;
  try {
    dir = mkdtempSync(path.join(tmpdir(), "changeproof-read-"));
    const copy = path.join(dir, "store.db");
    copyConsistently(abs, copy);
    // Folds the WAL into the copy, so the read-only connection needs no file beside it.
    const writer = new Database(copy, { fileMustExist: true });
    try {
      writer.pragma("journal_mode = DELETE");
    } finally {
      writer.close();
    }
    db = new Database(copy, { readonly: true, fileMustExist: true });
    return configureReader(db, abs);
  } catch (e) {
    db?.close();
    throw storeFailure(abs, e, "opening a private copy for reading");
  } finally {
    // The open connection keeps the copy's bytes until it closes; nothing is left behind.
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The store and its WAL copied as one state: a writer (the folder may be another user's live
 * store) that changed either while they were copied means copying again.
 */
function copyConsistently(abs: string, copy: string): void {
  const stamp = (): string =>
    [abs, `${abs}-wal`]
      .map((f) => statSync(f, { throwIfNoEntry: false }))
      .map((st) => (st ? `${st.size}:${st.mtimeMs}` : "-"))
      .join("|");
  for (let attempt = 0; attempt < 5; attempt++) {
    const before = stamp();
    copyFileSync(abs, copy);
    rmSync(`${copy}-wal`, { force: true });
    if (existsSync(`${abs}-wal`)) copyFileSync(`${abs}-wal`, `${copy}-wal`);
    if (stamp() === before) return;
  }
  throw new StoreError("E_STORE_BUSY", `database ${abs} kept changing while it was copied for reading; try again`);
}
