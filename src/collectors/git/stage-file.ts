import { randomUUID } from "node:crypto";
import { readdirSync, rmSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { STAGE_COLUMNS } from "../../store/stage-schema.js";
import { processAlive } from "../../util/process.js";
import type { CommitRecord } from "./raw-commit.js";

/**
 * A scratch SQLite file that the reading thread fills with parsed commits while the store's own
 * connection merges earlier rows out of it: staging and merging run on two threads at once. It
 * holds nothing the store doesn't get, so it needs no durability: a crash loses only rows that
 * the next run reads again from git (ref tips advance only when a run succeeds).
 */
const PREFIX = ".changeproof-stage-";

/**
 * A new stage file beside the database: that volume is writable (a CronJob's root filesystem
 * often is not) and has room for the store's own data. The name carries this process's id.
 */
export function stageFileFor(databaseFile: string): string {
  return path.join(path.dirname(databaseFile), `${PREFIX}${process.pid}-${randomUUID()}.db`);
}

/** Removes stage files that a run killed before its cleanup left beside the database. */
export function removeStaleStages(databaseFile: string): number {
  const dir = path.dirname(databaseFile);
  let removed = 0;
  for (const name of readdirSync(dir)) {
    const pid = name.startsWith(PREFIX) ? Number(name.slice(PREFIX.length).split("-")[0]) : Number.NaN;
    if (!Number.isInteger(pid) || pid === process.pid || processAlive(pid)) continue;
    rmSync(path.join(dir, name), { force: true });
    removed++;
  }
  return removed;
}

export interface StageWriter {
  /** Appends commits in one transaction; `firstParentOf[i]` names the branches commit i is on. */
  write(commits: readonly CommitRecord[], firstParentOf: readonly (readonly string[])[]): number;
  close(): void;
}

/** The reading thread's connection to a stage file made by initStage. */
export function openStage(file: string): StageWriter {
  const db = new Database(file, { fileMustExist: true });
  db.pragma("synchronous = OFF");
  const insert = db.prepare(`INSERT INTO rows (${STAGE_COLUMNS}, fp_branches) VALUES (${"?, ".repeat(15)}?)`);
  const write = db.transaction((commits: readonly CommitRecord[], fp: readonly (readonly string[])[]): number => {
    let last = 0;
    commits.forEach((c, i) => {
      const on = fp[i] ?? [];
      last = Number(
        insert.run(
          c.sha,
          c.tree,
          c.parents.join(" "),
          c.author.name,
          c.author.email,
          c.author.time,
          c.author.tz,
          c.committer.name,
          c.committer.email,
          c.committer.time,
          c.committer.tz,
          c.subject,
          c.message,
          c.signature,
          c.trailers.length > 0 ? JSON.stringify(c.trailers.map((t) => [t.key, t.value])) : null,
          on.length > 0 ? JSON.stringify(on) : null,
        ).lastInsertRowid,
      );
    });
    return last;
  });
  return { write: (commits, fp) => write(commits, fp), close: () => db.close() };
}
