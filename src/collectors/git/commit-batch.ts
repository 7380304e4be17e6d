import type { CommitRecord } from "./raw-commit.js";

/**
 * A batch of parsed commits in a flat form that crosses a thread boundary as one string: each
 * commit is FIELDS values joined by NUL (which no commit can contain: git separates its records
 * with it). The consumer binds values straight from the array, without rebuilding objects.
 */
export const FIELDS = 15;

export const F = {
  sha: 0,
  tree: 1,
  parents: 2,
  authorName: 3,
  authorEmail: 4,
  authorTime: 5,
  authorTz: 6,
  committerName: 7,
  committerEmail: 8,
  committerTime: 9,
  committerTz: 10,
  subject: 11,
  message: 12,
  signature: 13,
  trailers: 14,
} as const;

export function encodeBatch(records: readonly CommitRecord[]): string {
  const out: string[] = [];
  for (const c of records) {
    out.push(
      c.sha,
      c.tree,
      c.parents.join(" "),
      c.author.name,
      c.author.email,
      String(c.author.time),
      c.author.tz,
      c.committer.name,
      c.committer.email,
      String(c.committer.time),
      c.committer.tz,
      c.subject,
      c.message,
      c.signature ?? "",
      c.trailers.length > 0 ? JSON.stringify(c.trailers.map((t) => [t.key, t.value])) : "",
    );
  }
  return out.join("\0");
}

export class CommitBatch {
  readonly count: number;

  constructor(readonly fields: readonly string[]) {
    if (fields.length % FIELDS !== 0) throw new Error(`a commit batch of ${fields.length} values is not whole`);
    this.count = fields.length / FIELDS;
  }

  static decode(text: string): CommitBatch {
    return new CommitBatch(text === "" ? [] : text.split("\0"));
  }

  get(i: number, field: number): string {
    return this.fields[i * FIELDS + field] ?? "";
  }

  sha(i: number): string {
    return this.get(i, F.sha);
  }

  /** The first parent's id, or "" for a root commit. */
  firstParent(i: number): string {
    const p = this.get(i, F.parents);
    const sp = p.indexOf(" ");
    return sp < 0 ? p : p.slice(0, sp);
  }
}
