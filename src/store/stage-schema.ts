import Database from "better-sqlite3";

/**
 * The scratch stage file's table: commits as the reading thread appends them, before the store's
 * connection merges them into `commits` (see stageMerger in git-store.ts). Its columns are the
 * commits table's own, so the merge is a plain INSERT ... SELECT.
 */
export const STAGE_COLUMNS =
  "sha, tree, parents, author_name, author_email, author_time, author_tz, committer_name, committer_email, committer_time, committer_tz, subject, message, signature, trailers";

/** Creates the stage file and its table, before either side opens it. */
export function initStage(file: string): void {
  const db = new Database(file);
  try {
    db.pragma("journal_mode = WAL");
    db.exec(`CREATE TABLE rows (${STAGE_COLUMNS}, fp_branches)`);
  } finally {
    db.close();
  }
}
