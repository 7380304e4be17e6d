import { randomBytes } from "node:crypto";
import { mkdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import type { Finding } from "../evidence/finding.js";
import { sortFindings } from "../evidence/judge.js";
import type { ChangeRow } from "./change-rows.js";

/**
 * A period's change rows and findings, kept on disk while a report is written: at 100,000 changes
 * they are ~2 GB of objects once parsed, and every output reads them once, in order, or a
 * change's own. Renderers read them through `ReportPopulations`; the spool is a scratch SQLite
 * file deleted when the report is written (nothing in it outlives the run, nothing is trusted
 * from it across runs).
 */
export interface ReportPopulations {
  /** The change population in its order (repository, branch, landing). */
  changes(): IterableIterator<ChangeRow>;
  /** Every finding, sorted as every output lists them (rule, subject, verdict). */
  findings(): IterableIterator<Finding>;
  /** The findings of one subject (a change's, a deployment's, a person's), sorted. */
  findingsOf(kind: Finding["subject"]["kind"], id: string): Finding[];
}

interface SortKey {
  seq: number;
  rule: string;
  subject: { id: string };
  verdict: string;
}

export class ReportSpool implements ReportPopulations {
  /** A spool in `dir` (default: the system's temporary folder), under a name nobody else picks. */
  static create(dir: string = tmpdir()): ReportSpool {
    mkdirSync(dir, { recursive: true });
    return new ReportSpool(
      path.join(dir, `.changeproof-spool-${process.pid}-${randomBytes(6).toString("hex")}.db`),
      true,
    );
  }

  /** A spool another process filled and kept (the benchmark renders apart from judging). */
  static reopen(file: string): ReportSpool {
    return new ReportSpool(file, false);
  }

  readonly #file: string;
  readonly #db: Database.Database;
  readonly #addChange: Database.Statement;
  readonly #addFinding: Database.Statement;
  readonly #findingsOf: Database.Statement;
  #findings = 0;
  /** The findings' sequence numbers in output order, once sorted (4 bytes each; null: not yet). */
  #order: Int32Array | null = null;
  #changes = 0;

  private constructor(file: string, fresh: boolean) {
    this.#file = file;
    this.#db = new Database(file, { fileMustExist: !fresh });
    // Scratch: nothing survives a crash, so nothing needs a journal or a sync.
    this.#db.pragma("journal_mode = OFF");
    this.#db.pragma("synchronous = OFF");
    if (fresh) {
      this.#db.exec(`
        CREATE TABLE changes (seq INTEGER PRIMARY KEY, json TEXT NOT NULL);
        CREATE TABLE findings (seq INTEGER PRIMARY KEY, rule TEXT NOT NULL, verdict TEXT NOT NULL,
          kind TEXT NOT NULL, subject TEXT NOT NULL, json TEXT NOT NULL);
        CREATE INDEX findings_subject ON findings (kind, subject);`);
    } else {
      this.#changes = this.#db.prepare("SELECT count(*) FROM changes").pluck().get() as number;
      this.#findings = this.#db.prepare("SELECT count(*) FROM findings").pluck().get() as number;
    }
    this.#addChange = this.#db.prepare("INSERT INTO changes (seq, json) VALUES (?, ?)");
    this.#addFinding = this.#db.prepare(
      "INSERT INTO findings (seq, rule, verdict, kind, subject, json) VALUES (?, ?, ?, ?, ?, ?)",
    );
    this.#findingsOf = this.#db
      .prepare("SELECT json FROM findings WHERE kind = ? AND subject = ? ORDER BY seq")
      .pluck();
  }

  /** Where the spool lives (deleted by `dispose`). */
  get file(): string {
    return this.#file;
  }

  /** How many change rows and findings it holds. */
  get counts(): { changes: number; findings: number } {
    return { changes: this.#changes, findings: this.#findings };
  }

  addChanges(rows: readonly ChangeRow[]): void {
    this.#db.transaction(() => {
      for (const r of rows) this.#addChange.run(this.#changes++, JSON.stringify(r));
    })();
  }

  addFindings(findings: readonly Finding[]): void {
    this.#db.transaction(() => {
      for (const f of findings) {
        this.#addFinding.run(this.#findings++, f.rule, f.verdict, f.subject.kind, f.subject.id, JSON.stringify(f));
      }
    })();
    this.#order = null;
  }

  *changes(): IterableIterator<ChangeRow> {
    for (const r of this.#db.prepare("SELECT json FROM changes ORDER BY seq").pluck().iterate()) {
      yield JSON.parse(r as string) as ChangeRow;
    }
  }

  *findings(): IterableIterator<Finding> {
    const order = this.#sortedOrder();
    const one = this.#db.prepare("SELECT json FROM findings WHERE seq = ?").pluck();
    for (const seq of order) yield JSON.parse(one.get(seq) as string) as Finding;
  }

  /**
   * The output order, by the one comparator every output sorts findings by (SQLite's byte order
   * differs from it): the keys are read for the sort and dropped, only the order is kept, so a
   * spool of 160,000 findings holds 640 KB rather than their keys.
   */
  #sortedOrder(): Int32Array {
    if (this.#order) return this.#order;
    const keys: SortKey[] = [];
    for (const k of this.#db.prepare("SELECT seq, rule, verdict, subject FROM findings").iterate() as IterableIterator<{
      seq: number;
      rule: string;
      verdict: string;
      subject: string;
    }>) {
      keys.push({ seq: k.seq, rule: k.rule, verdict: k.verdict, subject: { id: k.subject } });
    }
    this.#order = Int32Array.from(sortFindings(keys), (k) => k.seq);
    return this.#order;
  }

  findingsOf(kind: Finding["subject"]["kind"], id: string): Finding[] {
    const rows = this.#findingsOf.all(kind, id) as string[];
    return sortFindings(rows.map((r) => JSON.parse(r) as Finding));
  }

  /** Closes the spool and keeps its file. */
  close(): void {
    if (this.#db.open) this.#db.close();
  }

  /** Closes and deletes the spool. */
  dispose(): void {
    if (this.#db.open) this.#db.close();
    rmSync(this.#file, { force: true });
  }
}
