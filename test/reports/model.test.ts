import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { parsePeriod } from "../../src/period.js";
import { buildEvidence } from "../../src/pipeline/evidence.js";
import { openStore } from "../../src/store/db.js";
import { finishRun, startRun } from "../../src/store/ledger.js";
import { collect, repoEntry } from "../collectors/git/helpers.js";
import { buildHeldReport } from "../helpers/report.js";
import { tempDir } from "../helpers/tmp.js";

/*
 * The report model over a store filled by the real git collector: what a damaged store and a
 * commit on several protected branches do to the population.
 */

const root = tempDir("changeproof-model-");
const PERIOD = parsePeriod("2026Q3");
const NOW = new Date("2026-10-02T00:00:00Z");
let n = 0;

function git(cwd: string, args: string[], date = "2026-07-15T10:00:00Z"): string {
  return execFileSync("git", args, {
    cwd,
    encoding: "utf8",
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: "Alice",
      GIT_AUTHOR_EMAIL: "alice@acme.example",
      GIT_COMMITTER_NAME: "Alice",
      GIT_COMMITTER_EMAIL: "alice@acme.example",
      GIT_AUTHOR_DATE: date,
      GIT_COMMITTER_DATE: date,
    },
  }).trim();
}

/** A repository whose main, release and hotfix all hold one commit with a co-author, collected. */
async function threeBranchStore(): Promise<{ db: string; sha: string }> {
  const dir = path.join(root, `case-${++n}`);
  const repo = path.join(dir, "repo");
  mkdirSync(repo, { recursive: true });
  git(repo, ["init", "-q", "-b", "main"]);
  writeFileSync(path.join(repo, "a.txt"), "a\n");
  git(repo, ["add", "a.txt"]);
  git(repo, ["commit", "-q", "-m", "Base"], "2026-06-01T10:00:00Z");
  writeFileSync(path.join(repo, "b.txt"), "b\n");
  git(repo, ["add", "b.txt"]);
  // An email may hold ">" (RFC 5322 allows it quoted): the identity must keep it whole.
  const message =
    "Add b\n\nCo-authored-by: Dave Contractor <dave>x@contractor.example>\nSigned-off-by: Alice <alice@acme.example>";
  git(repo, ["commit", "-q", "-m", message]);
  const sha = git(repo, ["rev-parse", "HEAD"]);
  git(repo, ["branch", "release"]);
  git(repo, ["branch", "hotfix"]);
  const db = path.join(dir, "changeproof.db");
  const store = openStore(db);
  try {
    await collect(
      store,
      repoEntry(dir, repo, "    protectedBranches: [main, release, hotfix]\n"),
      path.join(dir, "cache"),
    );
  } finally {
    store.close();
  }
  return { db, sha };
}

function report(db: string) {
  const store = openStore(db, { readonly: true });
  try {
    return buildHeldReport(store, PERIOD, ["acme/test"], NOW);
  } finally {
    store.close();
  }
}

describe("a commit on several protected branches", () => {
  it("is one change (its id is its sha) naming the other branches, with its co-author's email holding '>'", async () => {
    const { db, sha } = await threeBranchStore();
    const r = report(db);
    const mine = r.changes.filter((c) => c.commits.includes(sha));
    expect(mine.map((c) => [c.id, c.branch, c.alsoOn])).toEqual([[`acme/test@${sha}`, "hotfix", ["main", "release"]]]);
    const store = openStore(db, { readonly: true });
    try {
      const pop = buildEvidence(store, PERIOD, { people: [], exceptions: [], now: NOW }).population;
      const change = pop.changes.find((c) => c.id === `acme/test@${sha}`);
      expect(change?.commits[0]?.authors).toEqual([
        { name: "Alice", email: "alice@acme.example", login: null },
        { name: "Dave Contractor", email: "dave>x@contractor.example", login: null },
      ]);
    } finally {
      store.close();
    }
    // Without GitHub's data a push cannot be told from a squash merge: blocked, and said on the cover.
    expect(mine[0]?.verdicts.find((v) => v.rule === "C7")?.verdict).toBe("blocked");
    expect(mine[0]?.verdicts.find((v) => v.rule === "C1")?.verdict).toBe("blocked");
    expect(r.coverage.gaps).toEqual([
      "1 change in acme/test cannot be judged: GitHub's data on it is missing (GitHub not collected for the repository, or not since it landed), so its verdicts are blocked",
    ]);
  });
});

describe("a damaged store", () => {
  it("names a protected-branch commit whose commit record is gone, instead of dropping the change", async () => {
    const { db, sha } = await threeBranchStore();
    const raw = new Database(db);
    raw.prepare("DELETE FROM commits WHERE sha = ?").run(sha);
    raw.close();
    const r = report(db);
    expect(r.changes.some((c) => c.commits.includes(sha))).toBe(false);
    const gap = r.coverage.gaps.find((g) => g.startsWith("the store is damaged"));
    expect(gap).toContain("3 protected-branch commits cannot be joined");
    for (const branch of ["main", "release", "hotfix"])
      expect(gap).toContain(`acme/test ${branch} ${sha} (no commit record)`);
  });

  it("says so on the cover when bytes flipped inside a table page garble a key", async () => {
    const { db, sha } = await threeBranchStore();
    // Checkpointed into the main file, so the flip lands in the page SQLite reads.
    const w = new Database(db);
    w.pragma("wal_checkpoint(TRUNCATE)");
    const pageSize = w.pragma("page_size", { simple: true }) as number;
    const pages = (
      w.prepare("SELECT pageno FROM dbstat WHERE name = 'branch_commits' ORDER BY pageno").all() as { pageno: number }[]
    ).map((p) => p.pageno);
    w.close();
    const bytes = readFileSync(db);
    const key = Buffer.from(`main${sha}`, "latin1");
    const at = pages
      .map((p) => bytes.subarray((p - 1) * pageSize, p * pageSize).indexOf(key))
      .map((i, k) => (i < 0 ? -1 : ((pages[k] ?? 1) - 1) * pageSize + i))
      .find((i) => i >= 0);
    if (at === undefined) throw new Error("the branch row was not found in branch_commits' pages");
    // 16 bytes of the sha's text: the page's structure stays sound, its key order does not.
    for (let i = 0; i < 16; i++) bytes[at + 4 + i] = 0x7a; // "zzzz…": sorts after every other row
    writeFileSync(db, bytes);
    const r = report(db);
    expect(r.coverage.gaps.some((g) => g.startsWith("the store fails SQLite's integrity check"))).toBe(true);
    expect(
      r.coverage.gaps.some((g) => /the store is damaged: 1 protected-branch commit cannot be joined/.test(g)),
    ).toBe(true);
  });
});

describe("the report model is read in one snapshot of the store", () => {
  it("cites no run that finished after the time it says it was generated, though a collect wrote one meanwhile", async () => {
    const { db } = await threeBranchStore();
    const reader = openStore(db, { readonly: true });
    const writer = openStore(db);
    let written = 0;
    try {
      const model = buildHeldReport(reader, PERIOD, ["acme/test"], () => {
        // A collect finishing a run while the report is being built.
        const at = new Date();
        written = startRun(writer, { source: "git", scope: { repo: "acme/test" }, parameters: {}, now: at });
        finishRun(writer, written, { status: "succeeded", counts: {}, now: new Date(at.getTime() + 1000) });
        return at;
      });
      expect(written).toBeGreaterThan(0);
      expect(model.coverage.runsUsed).not.toContain(written);
      expect(model.coverage.repos.map((r) => r.lastSucceeded?.id)).not.toContain(written);
      for (const r of model.coverage.repos) {
        expect(r.lastSucceeded?.finishedAt ?? "", r.repo).not.toBe("");
        expect(Date.parse(r.lastSucceeded?.finishedAt ?? "")).toBeLessThanOrEqual(Date.parse(model.generatedAt));
      }
      // Read again, the run is there: the first read did not see it only because of its snapshot.
      const again = buildHeldReport(reader, PERIOD, ["acme/test"], NOW);
      expect(again.coverage.repos.map((r) => r.lastSucceeded?.id)).toContain(written);
    } finally {
      reader.close();
      writer.close();
    }
  });
});
