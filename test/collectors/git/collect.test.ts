import { execFileSync } from "node:child_process";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { makeGpgSigningKey, makeSshSigningKey, RepoFactory } from "../../../src/demo/repo-factory.js";
import { GitError } from "../../../src/errors/index.js";
import { openStore } from "../../../src/store/db.js";
import { verifyLedger } from "../../../src/store/ledger.js";
import { tempDir } from "../../helpers/tmp.js";
import { collect, git, members, repoEntry, storedShas } from "./helpers.js";

const alice = { name: "Alice", email: "alice@acme.example" };
const bob = { name: "Bob", email: "bob@acme.example" };
const at = (iso: string): Date => new Date(iso);

/** main with a merged PR (merge commit), a direct push, and an unmerged feature branch. */
function prAndDirectPush(dir: string): { repo: RepoFactory; merge: string; feature: string[]; direct: string } {
  const repo = RepoFactory.init(dir, { author: alice, start: at("2026-07-01T00:00:00Z") });
  repo.commit("init", { files: { a: "1" } });
  repo.checkout("pr-1", { create: true });
  const f1 = repo.commit("feature part 1", { files: { b: "1" } });
  const f2 = repo.commit("feature part 2", { files: { b: "2" } });
  repo.checkout("main");
  const merge = repo.mergeCommit("pr-1", "Merge pull request #1 from acme/pr-1", { author: bob });
  const direct = repo.commit("direct push", { author: bob, files: { a: "2" } });
  repo.checkout("wip", { create: true });
  repo.commit("unmerged work", { files: { c: "1" } });
  repo.checkout("main");
  return { repo, merge, feature: [f1, f2], direct };
}

describe("git collector on a real repository", () => {
  const dir = tempDir();
  let fx: ReturnType<typeof prAndDirectPush>;
  beforeAll(() => {
    fx = prAndDirectPush(path.join(dir, "repo"));
  });

  it("stores exactly the commits reachable from the protected branch", async () => {
    const db = openStore(path.join(dir, "a.db"));
    const r = await collect(db, repoEntry(dir, fx.repo.dir), path.join(dir, "cache"));
    const expected = Number(git(fx.repo.dir, ["rev-list", "--count", "main"]));
    expect(r.commitsAdded).toBe(expected);
    expect(storedShas(db).size).toBe(expected);
    expect(storedShas(db).has(fx.repo.head("wip"))).toBe(false);
    db.close();
  });

  it("records first-parent membership: merges and direct pushes are on the branch, PR commits are not", async () => {
    const db = openStore(path.join(dir, "b.db"));
    await collect(db, repoEntry(dir, fx.repo.dir), path.join(dir, "cache"));
    const onMain = members(db);
    const fp = git(fx.repo.dir, ["rev-list", "--first-parent", "main"]).split("\n");
    expect(onMain).toEqual(new Set(fp));
    expect(onMain.has(fx.merge)).toBe(true);
    expect(onMain.has(fx.direct)).toBe(true);
    for (const f of fx.feature) expect(onMain.has(f)).toBe(false);
    db.close();
  });

  it("with allBranches, also stores every other branch's commits", async () => {
    const db = openStore(path.join(dir, "c.db"));
    await collect(db, repoEntry(dir, fx.repo.dir, "    allBranches: true\n"), path.join(dir, "cache"));
    expect(storedShas(db).size).toBe(Number(git(fx.repo.dir, ["rev-list", "--count", "--branches"])));
    db.close();
  });

  it("reads nothing on a second run with nothing new, and only new commits after that", async () => {
    const db = openStore(path.join(dir, "d.db"));
    const repo = repoEntry(dir, fx.repo.dir);
    await collect(db, repo, path.join(dir, "cache"));
    const again = await collect(db, repo, path.join(dir, "cache"));
    expect(again.commitsRead).toBe(0);
    expect(again.branchMembersAdded).toBe(0);
    const next = fx.repo.commit("one more", { files: { d: "1" } });
    const third = await collect(db, repo, path.join(dir, "cache"));
    expect(third.commitsRead).toBe(1);
    expect(members(db).has(next)).toBe(true);
    expect(verifyLedger(db).intact).toBe(true);
    db.close();
  });

  it("refuses a missing protected branch: the run is recorded failed and earlier data stays", async () => {
    const db = openStore(path.join(dir, "e.db"));
    await collect(db, repoEntry(dir, fx.repo.dir), path.join(dir, "cache"));
    const before = storedShas(db).size;
    const bad = repoEntry(dir, fx.repo.dir, "    protectedBranches: [release]\n");
    await expect(collect(db, bad, path.join(dir, "cache"))).rejects.toThrow(
      /protected branch "release" does not exist/,
    );
    const last = db.prepare("SELECT status, error FROM collection_runs ORDER BY id DESC LIMIT 1").get() as {
      status: string;
      error: string;
    };
    expect(last.status).toBe("failed");
    expect(last.error).toMatch(/release/);
    expect(storedShas(db).size).toBe(before);
    expect(verifyLedger(db).intact).toBe(true);
    db.close();
  });
});

describe("first-parent chain when commit dates lie", () => {
  const dir = tempDir();

  it("still finds the whole chain when git shows a parent before its backdated child", async () => {
    const repo = RepoFactory.init(path.join(dir, "skew"), { author: alice, start: at("2026-07-01T00:00:00Z") });
    const a = repo.commit("A", { files: { a: "1" }, at: at("2026-07-10T00:00:00Z") });
    repo.checkout("side", { create: true });
    const x = repo.commit("X, newest", { files: { x: "1" }, at: at("2026-07-20T00:00:00Z") });
    repo.checkout("main");
    // Backdated before its own parent: git's date-ordered walk shows A before B.
    const b = repo.commit("B, backdated", { files: { b: "1" }, at: at("2026-07-05T00:00:00Z") });
    const m = repo.mergeCommit("side", "Merge pull request #9 from acme/side", { at: at("2026-07-21T00:00:00Z") });
    const order = git(repo.dir, ["log", "--format=%H", "main"]).split("\n");
    expect(order.indexOf(a)).toBeLessThan(order.indexOf(b));
    const db = openStore(path.join(dir, "k.db"));
    await collect(db, repoEntry(dir, repo.dir), path.join(dir, "cache"));
    expect(members(db)).toEqual(new Set([m, b, a]));
    expect(members(db).has(x)).toBe(false);
    db.close();
  });
});

describe("signatures read from the raw commit object", () => {
  const dir = tempDir();

  it("detects SSH and GPG signatures and unsigned commits", async () => {
    const repo = RepoFactory.init(path.join(dir, "signed"), { author: alice, start: at("2026-07-01T00:00:00Z") });
    const plain = repo.commit("unsigned", { files: { a: "1" } });
    const ssh = repo.commit("ssh signed", { files: { a: "2" }, sign: makeSshSigningKey(path.join(dir, "ssh"), "a") });
    const gpg = repo.commit("gpg signed", { files: { a: "3" }, sign: makeGpgSigningKey(path.join(dir, "gpg"), alice) });
    const db = openStore(path.join(dir, "s.db"));
    await collect(db, repoEntry(dir, repo.dir), path.join(dir, "cache"));
    const sig = (sha: string): string | null =>
      (db.prepare("SELECT signature FROM commits WHERE sha = ?").get(sha) as { signature: string | null }).signature;
    expect(sig(plain)).toBeNull();
    expect(sig(ssh)).toBe("ssh");
    expect(sig(gpg)).toBe("gpg");
    db.close();
  });

  it("detects an X.509 (gpgsm) signature header", async () => {
    const repo = RepoFactory.init(path.join(dir, "x509"), { author: alice, start: at("2026-07-01T00:00:00Z") });
    const parent = repo.commit("base", { files: { a: "1" } });
    const tree = git(repo.dir, ["rev-parse", "HEAD^{tree}"]);
    // git writes this header when gpg.format=x509; gpgsm isn't needed to write the object itself.
    const raw = [
      `tree ${tree}`,
      `parent ${parent}`,
      "author Alice <alice@acme.example> 1751400000 +0000",
      "committer Alice <alice@acme.example> 1751400000 +0000",
      "gpgsig -----BEGIN SIGNED MESSAGE-----",
      " MIAGCSqGSIb3DQEHAqCAMIACAQExDzANBglghkgBZQMEAgEFADCABgkqhkiG9w0B",
      " -----END SIGNED MESSAGE-----",
      "",
      "x509 signed",
      "",
    ].join("\n");
    const sha = execFileSync("git", ["hash-object", "-t", "commit", "-w", "--stdin"], { cwd: repo.dir, input: raw })
      .toString()
      .trim();
    git(repo.dir, ["update-ref", "refs/heads/main", sha]);
    const db = openStore(path.join(dir, "x.db"));
    await collect(db, repoEntry(dir, repo.dir), path.join(dir, "cache"));
    expect(
      (db.prepare("SELECT signature FROM commits WHERE sha = ?").get(sha) as { signature: string }).signature,
    ).toBe("x509");
    db.close();
  });
});

describe("history rewrites of protected branches", () => {
  const dir = tempDir();

  it("records a force-moved branch with old and new tip, and marks dropped commits", async () => {
    const repo = RepoFactory.init(path.join(dir, "r"), { author: alice, start: at("2026-07-01T00:00:00Z") });
    repo.commit("one", { files: { a: "1" } });
    const keep = repo.commit("two", { files: { a: "2" } });
    const doomed = repo.commit("three", { files: { a: "3" } });
    const db = openStore(path.join(dir, "w.db"));
    const entry = repoEntry(dir, repo.dir);
    await collect(db, entry, path.join(dir, "cache"));
    repo.forceMove("main", keep);
    const replacement = repo.commit("three, rewritten", { files: { a: "3b" } });
    const r = await collect(db, entry, path.join(dir, "cache"));
    expect(r.rewrites).toBe(1);
    const rw = db
      .prepare("SELECT branch, old_tip, new_tip, old_tip_present, dropped_commits FROM history_rewrites")
      .all();
    expect(rw).toEqual([
      { branch: "main", old_tip: doomed, new_tip: replacement, old_tip_present: 1, dropped_commits: 1 },
    ]);
    expect(members(db).has(doomed)).toBe(false);
    expect(members(db).has(replacement)).toBe(true);
    // The dropped commit stays in the store as evidence.
    expect(storedShas(db).has(doomed)).toBe(true);
    // A fast-forward afterwards is not a rewrite.
    repo.commit("four", { files: { a: "4" } });
    expect((await collect(db, entry, path.join(dir, "cache"))).rewrites).toBe(0);
    db.close();
  });

  it("records a rewrite whose old tip no longer exists in the repository", async () => {
    const repo = RepoFactory.init(path.join(dir, "gone"), { author: alice, start: at("2026-07-01T00:00:00Z") });
    const base = repo.commit("one", { files: { a: "1" } });
    const lost = repo.commit("two", { files: { a: "2" } });
    const db = openStore(path.join(dir, "g.db"));
    const entry = repoEntry(dir, repo.dir);
    await collect(db, entry, path.join(dir, "cache"));
    repo.forceMove("main", base);
    repo.commit("two, again", { files: { a: "2b" } });
    repo.git(["reflog", "expire", "--expire=now", "--all"]);
    repo.git(["gc", "--quiet", "--prune=now"]);
    expect(() => repo.git(["cat-file", "-e", lost])).toThrow();
    const r = await collect(db, entry, path.join(dir, "cache"));
    expect(r.rewrites).toBe(1);
    const row = db.prepare("SELECT old_tip, old_tip_present FROM history_rewrites").get();
    expect(row).toEqual({ old_tip: lost, old_tip_present: 0 });
    db.close();
  });
});

describe("a shallow clone as the source", () => {
  const dir = tempDir();

  it("is refused, saying how to get the whole history, and the run is recorded failed", async () => {
    const origin = RepoFactory.init(path.join(dir, "origin"), { author: alice, start: at("2026-07-01T00:00:00Z") });
    origin.commit("one", { files: { a: "1" } });
    origin.commit("two", { files: { a: "2" } });
    const shallow = path.join(dir, "shallow");
    execFileSync("git", ["clone", "--quiet", "--depth", "1", `file://${origin.dir}`, shallow]);
    const db = openStore(path.join(dir, "s.db"));
    await expect(collect(db, repoEntry(dir, shallow), path.join(dir, "cache"))).rejects.toThrow(
      /is a shallow clone, so its history is incomplete; run `git fetch --unshallow`/,
    );
    expect(storedShas(db).size).toBe(0);
    expect(db.prepare("SELECT status FROM collection_runs").get()).toEqual({ status: "failed" });
    db.close();
  });
});

describe("repositories reached through a clone URL", () => {
  const dir = tempDir();

  it("mirrors a file:// URL, finds its default branch, and fetches new commits incrementally", async () => {
    const origin = RepoFactory.init(path.join(dir, "origin"), {
      author: alice,
      branch: "trunk",
      start: at("2026-07-01T00:00:00Z"),
    });
    origin.commit("one", { files: { a: "1" } });
    const db = openStore(path.join(dir, "u.db"));
    const entry = repoEntry(dir, `file://${origin.dir}`);
    const first = await collect(db, entry, path.join(dir, "cache"));
    expect(first.commitsAdded).toBe(1);
    const second = origin.commit("two", { files: { a: "2" } });
    const r = await collect(db, entry, path.join(dir, "cache"));
    expect(r.commitsRead).toBe(1);
    expect(members(db, "trunk").has(second)).toBe(true);
    db.close();
  });

  it("names the URL, without credentials, when it cannot be cloned", async () => {
    const db = openStore(path.join(dir, "bad.db"));
    const entry = repoEntry(dir, "file:///nonexistent/repo.git");
    await expect(collect(db, entry, path.join(dir, "cache"))).rejects.toThrow(GitError);
    await expect(collect(db, entry, path.join(dir, "cache"))).rejects.toThrow(
      /cannot fetch file:\/\/\/nonexistent\/repo.git/,
    );
    db.close();
  });
});

describe("messages that are not UTF-8 or carry control bytes", () => {
  const dir = tempDir();

  it("stores them without breaking the stream", async () => {
    const repo = RepoFactory.init(path.join(dir, "r"), { author: alice, start: at("2026-07-01T00:00:00Z") });
    repo.commit("first", { files: { a: "1" } });
    repo.commit("record \x1e unit \x1f separators\n\ncommit deadbeef", { files: { a: "2" } });
    // Real Latin-1 bytes with an encoding header (git re-encodes them), and invalid UTF-8 without one.
    const env = {
      ...process.env,
      GIT_AUTHOR_NAME: "Zo\u00eb",
      GIT_AUTHOR_EMAIL: "z@x",
      GIT_COMMITTER_NAME: "Z",
      GIT_COMMITTER_EMAIL: "z@x",
    };
    execFileSync("git", ["-c", "i18n.commitEncoding=ISO-8859-1", "commit", "--allow-empty", "-q", "-F", "-"], {
      cwd: repo.dir,
      env,
      input: Buffer.from([0x63, 0x61, 0x66, 0xe9]),
    });
    execFileSync("git", ["commit", "--allow-empty", "-q", "-F", "-"], {
      cwd: repo.dir,
      env,
      input: Buffer.from([0x62, 0x61, 0x64, 0xff, 0xfe]),
      stdio: ["pipe", "ignore", "ignore"], // git warns, rightly, that the message is not UTF-8
    });
    const last = repo.commit("last", { files: { a: "3" } });
    const db = openStore(path.join(dir, "m.db"));
    const r = await collect(db, repoEntry(dir, repo.dir), path.join(dir, "cache"));
    expect(r.commitsAdded).toBe(5);
    expect(storedShas(db).has(last)).toBe(true);
    const subjects = (
      db.prepare("SELECT subject FROM commits ORDER BY author_time, id").all() as { subject: string }[]
    ).map((s) => s.subject);
    expect(subjects).toContain("record \x1e unit \x1f separators");
    expect(subjects).toContain("caf\u00e9");
    // git re-encodes undeclared non-UTF-8 bytes as Latin-1 on output.
    expect(subjects).toContain("bad\u00ff\u00fe");
    db.close();
  });
});
