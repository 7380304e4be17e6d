import { execFileSync } from "node:child_process";
import path from "node:path";
import { beforeEach, describe, expect, it, vi } from "vitest";
import * as gitProcess from "../../../src/collectors/git/git-process.js";
import { deploymentKey, revisionsAt } from "../../../src/collectors/reconciler/deployment.js";
import { readFluxV1 } from "../../../src/collectors/reconciler/flux-v1.js";
import { type Person, RepoFactory } from "../../../src/demo/repo-factory.js";
import { ConfigError } from "../../../src/errors/index.js";
import { tempDir } from "../../helpers/tmp.js";

/**
 * Flux v1 read from real repositories (docs/reference/reconcilers.md §7): the `flux-sync` tag
 * fluxd moves to each synced commit, and the JSON notes it writes under refs/notes/flux. Every
 * git process the reader starts goes through git-process.ts, so wrapping its two exports counts
 * them.
 */
vi.mock("../../../src/collectors/git/git-process.js", async (importOriginal) => {
  const original = await importOriginal<typeof import("../../../src/collectors/git/git-process.js")>();
  return { ...original, runGit: vi.fn(original.runGit), streamGit: vi.fn(original.streamGit) };
});

function gitProcesses(): number {
  return vi.mocked(gitProcess.runGit).mock.calls.length + vi.mocked(gitProcess.streamGit).mock.calls.length;
}

beforeEach(() => {
  vi.mocked(gitProcess.runGit).mockClear();
  vi.mocked(gitProcess.streamGit).mockClear();
});

const DEV: Person = { name: "Dana Dev", email: "dana@example.com" };
const FLUX: Person = { name: "Weave Flux", email: "support@weave.works" };
const START = new Date("2026-07-01T00:00:00Z");
const OBSERVED = "2026-07-20T00:00:00Z";
const OPTS = { repo: "acme/gitops", cluster: "prod", observedAt: OBSERVED };
const HEX = /^[0-9a-f]{40}$/;

const cleanEnv: NodeJS.ProcessEnv = {
  PATH: process.env.PATH,
  HOME: process.env.HOME,
  GIT_CONFIG_NOSYSTEM: "1",
  GIT_CONFIG_GLOBAL: "/dev/null",
  LC_ALL: "C",
};

function git(dir: string, args: string[], input?: string): string {
  return execFileSync("git", args, { cwd: dir, env: cleanEnv, encoding: "utf8", input, maxBuffer: 1 << 28 }).trim();
}

/** The environment that makes `who` the tagger / notes committer at `at` (seconds, offset). */
function as(who: Person, at: Date, tz = "+0000"): NodeJS.ProcessEnv {
  const date = `${Math.floor(at.getTime() / 1000)} ${tz}`;
  return {
    GIT_AUTHOR_NAME: who.name,
    GIT_AUTHOR_EMAIL: who.email,
    GIT_AUTHOR_DATE: date,
    GIT_COMMITTER_NAME: who.name,
    GIT_COMMITTER_EMAIL: who.email,
    GIT_COMMITTER_DATE: date,
  };
}

/** What fluxd does after a sync: `git tag --force -a -m "Sync pointer" flux-sync <rev>`. */
function moveTag(repo: RepoFactory, rev: string, at: Date, tz = "+0000", tag = "flux-sync"): void {
  repo.git(["tag", "--force", "--annotate", "--message", "Sync pointer", tag, rev], as(FLUX, at, tz));
}

function addNote(repo: RepoFactory, commit: string, body: string, ref = "flux"): void {
  repo.git(["notes", `--ref=${ref}`, "add", "--force", "--file=-", commit], as(FLUX, START), body);
}

function note(jobID: string, user: string, result: Record<string, unknown> | null, type = "image"): string {
  return JSON.stringify({
    jobID,
    spec: {
      type,
      cause: { Message: "", User: user },
      spec: { ServiceSpecs: ["<all>"], ImageSpec: "<all latest>", Kind: "execute", Excludes: null, Force: false },
    },
    result,
  });
}

const ok = (image: string) => ({
  Status: "success",
  PerContainer: [{ Container: "app", Current: `${image}:1`, Target: `${image}:2` }],
});

function newRepo(dir: string, name: string): RepoFactory {
  return RepoFactory.init(path.join(dir, name), { author: DEV, start: START });
}

describe("the flux-sync tag", () => {
  const dir = tempDir();

  it("records the tag's position and time, the same on every read until fluxd moves it", async () => {
    const repo = newRepo(dir, "moved");
    const first = repo.commit("deploy v1", { files: { "app.yaml": "v1" } });
    const second = repo.commit("deploy v2", { files: { "app.yaml": "v2" } });
    // fluxd ran in +02:00: the record holds UTC.
    moveTag(repo, first, new Date("2026-07-02T10:00:00Z"), "+0200");

    const a = await readFluxV1(repo.dir, OPTS);
    expect(a.warnings).toEqual([]);
    expect(a.observation).toBeNull();
    expect(a.deployments).toHaveLength(1);
    const tagObject = repo.git(["rev-parse", "refs/tags/flux-sync"]);
    expect(a.deployments[0]).toEqual({
      reconciler: "flux-v1",
      cluster: "prod",
      namespace: "",
      name: "acme/gitops",
      basis: "tag",
      identity: revisionsAt([first], "2026-07-02T10:00:00Z"),
      sourceRepo: "acme/gitops",
      sourcePath: null,
      revisions: [first],
      commit: first,
      startedAt: null,
      finishedAt: "2026-07-02T10:00:00Z",
      initiatedBy: null,
      automated: true,
      outcome: "succeeded",
      rollback: false,
      evidence: `refs/tags/flux-sync (tag ${tagObject})`,
      detail: { tagObject, tagger: "Weave Flux <support@weave.works>" },
    });

    // Another run, through the checkout's .git this time, later: the same deployment.
    const again = await readFluxV1(path.join(repo.dir, ".git"), { ...OPTS, observedAt: "2026-07-21T00:00:00Z" });
    expect(again.deployments.map(deploymentKey)).toEqual(a.deployments.map(deploymentKey));

    moveTag(repo, second, new Date("2026-07-03T08:30:00Z"));
    const b = await readFluxV1(repo.dir, OPTS);
    expect(b.deployments).toHaveLength(1);
    expect(b.deployments[0]?.commit).toBe(second);
    expect(b.deployments[0]?.finishedAt).toBe("2026-07-03T08:30:00Z");
    expect(deploymentKey(b.deployments[0] as never)).not.toBe(deploymentKey(a.deployments[0] as never));
    expect(b.deployments[0]?.detail.tagObject).not.toBe(tagObject);
  });

  it("records a lightweight tag at the time it was observed, with an identity that does not change per run", async () => {
    const repo = newRepo(dir, "lightweight");
    const c = repo.commit("deploy", { files: { "app.yaml": "v1" } });
    repo.git(["tag", "flux-sync", c]);
    const a = await readFluxV1(repo.dir, OPTS);
    expect(a.warnings).toEqual([]);
    expect(a.deployments).toHaveLength(1);
    expect(a.deployments[0]).toMatchObject({
      basis: "tag",
      commit: c,
      revisions: [c],
      finishedAt: OBSERVED,
      automated: true,
      evidence: "refs/tags/flux-sync (lightweight)",
      detail: { tagObject: null, tagger: null, lightweight: true },
    });
    const b = await readFluxV1(repo.dir, { ...OPTS, observedAt: "2026-07-21T00:00:00Z" });
    expect(b.deployments[0]?.finishedAt).toBe("2026-07-21T00:00:00Z");
    expect(b.deployments[0]?.identity).toBe(a.deployments[0]?.identity);
  });

  it("peels a tag of a tag, and warns about a tag on something other than a commit", async () => {
    const repo = newRepo(dir, "odd-tags");
    const c = repo.commit("deploy", { files: { "app.yaml": "v1" } });
    moveTag(repo, c, new Date("2026-07-02T00:00:00Z"), "+0000", "inner");
    moveTag(repo, "refs/tags/inner", new Date("2026-07-02T01:00:00Z"));
    const nested = await readFluxV1(repo.dir, OPTS);
    expect(nested.warnings).toEqual([]);
    expect(nested.deployments[0]).toMatchObject({ commit: c, finishedAt: "2026-07-02T01:00:00Z" });

    moveTag(repo, `${c}^{tree}`, new Date("2026-07-03T00:00:00Z"));
    const onTree = await readFluxV1(repo.dir, OPTS);
    expect(onTree.deployments).toEqual([]);
    expect(onTree.warnings).toEqual([
      "Flux v1 acme/gitops refs/tags/flux-sync: skipped, it points to a tree, not a commit",
    ]);
  });

  it("gives nothing, and no warning, for a repository fluxd never touched, in one git process", async () => {
    const repo = newRepo(dir, "plain");
    repo.commit("init", { files: { "README.md": "hi" } });
    repo.git(["tag", "-a", "-m", "release", "v1.0.0"], as(DEV, START));
    const r = await readFluxV1(repo.dir, OPTS);
    expect(r).toEqual({ deployments: [], observation: null, warnings: [] });
    expect(gitProcesses()).toBe(1);
  });

  it("reads a bare mirror, with the tag and notes names fluxd's --git-label gave", async () => {
    const repo = newRepo(dir, "labelled");
    const c = repo.commit("deploy", { files: { "app.yaml": "v1" } });
    moveTag(repo, c, new Date("2026-07-04T00:00:00Z"), "+0000", "fleet/prod");
    addNote(repo, c, note("job-1", "<automated>", { "default:deployment/app": ok("app") }), "fleet/prod");
    const bare = path.join(dir, "labelled-mirror.git");
    git(dir, ["clone", "--quiet", "--mirror", repo.dir, bare]);
    expect(git(bare, ["rev-parse", "--is-bare-repository"])).toBe("true");

    const r = await readFluxV1(bare, { ...OPTS, tag: "fleet/prod", notesRef: "refs/notes/fleet/prod" });
    expect(r.warnings).toEqual([]);
    expect(r.deployments.map((d) => [d.basis, d.commit, d.evidence])).toEqual([
      ["tag", c, expect.stringMatching(/^refs\/tags\/fleet\/prod \(tag [0-9a-f]{40}\)$/)],
      ["note", c, `refs/notes/fleet/prod on ${c}`],
    ]);
    // The default names find nothing there.
    expect((await readFluxV1(bare, OPTS)).deployments).toEqual([]);
  });

  it("rejects tag and notes ref options that are not safe git ref names, before running git", async () => {
    const bad = [
      "",
      "-x",
      "--upload-pack=evil",
      "../up",
      "a..b",
      "flux sync",
      "a:b",
      "x.lock",
      "a/",
      "/a",
      "@",
      "x@{1}",
    ];
    for (const tag of [...bad, "*", "fl[ux", "a\\b", "a\nb", ".hidden", "a//b", "tag~1", "tag^"]) {
      await expect(readFluxV1(dir, { ...OPTS, tag }), `tag ${JSON.stringify(tag)}`).rejects.toBeInstanceOf(ConfigError);
    }
    for (const notesRef of bad) {
      await expect(readFluxV1(dir, { ...OPTS, notesRef }), `notesRef ${JSON.stringify(notesRef)}`).rejects.toThrow(
        /notesRef .* is not a valid git ref name/,
      );
    }
    expect(gitProcesses()).toBe(0);
  });
});

describe("fluxd's notes", () => {
  const dir = tempDir();

  it("records each note's job, cause and outcome at its commit's committer time, and skips malformed ones", async () => {
    const repo = newRepo(dir, "notes");
    repo.commit("init", { files: { "app.yaml": "v0" } });
    // fluxd's own commits: authored earlier than committed, the record takes the committer time.
    const auto = repo.commit("Auto-release app:2", {
      files: { "app.yaml": "v2" },
      author: FLUX,
      at: new Date("2026-07-05T00:00:00Z"),
      committedAt: new Date("2026-07-05T00:10:00Z"),
    });
    const byUser = repo.commit("Release api:3", { files: { "api.yaml": "v3" }, author: FLUX });
    const policy = repo.commit("Automate app", { files: { "app.yaml": "v2 automated" }, author: FLUX });
    const notJson = repo.commit("odd 1", { files: { "x.yaml": "1" } });
    const wrongShape = repo.commit("odd 2", { files: { "x.yaml": "2" } });
    const hostile = repo.commit("odd 3", { files: { "x.yaml": "3" } });

    addNote(repo, auto, note("job-auto", "<automated>", { "default:deployment/app": ok("app") }));
    addNote(
      repo,
      byUser,
      note("job-user", "alice", {
        "default:deployment/api": { Status: "failed", Error: "image not found", PerContainer: null },
        "default:deployment/web": ok("web"),
        "default:deployment/old": { Status: "skipped", Error: "not in repo", PerContainer: null },
      }),
    );
    addNote(repo, policy, note("job-policy", "bob", null, "policy"));
    const secret = `SECRET-${"x".repeat(5000)}`;
    addNote(repo, notJson, `not json at all ${secret}`);
    addNote(repo, wrongShape, JSON.stringify({ jobID: "job-bad", spec: { cause: { User: "eve" } } }));
    addNote(
      repo,
      hostile,
      JSON.stringify({ jobID: "job-hostile", spec: { type: "image" }, result: { [`k\n${secret}`]: { Status: 1 } } }),
    );

    const r = await readFluxV1(repo.dir, OPTS);
    expect(r.observation).toBeNull();
    expect(gitProcesses()).toBe(3);

    const byCommit = new Map(r.deployments.map((d) => [d.commit, d]));
    expect(r.deployments.map((d) => d.basis)).toEqual(["note", "note", "note"]);
    expect(byCommit.get(auto)).toEqual({
      reconciler: "flux-v1",
      cluster: "prod",
      namespace: "",
      name: "acme/gitops",
      basis: "note",
      identity: auto,
      sourceRepo: "acme/gitops",
      sourcePath: null,
      revisions: [auto],
      commit: auto,
      startedAt: null,
      finishedAt: "2026-07-05T00:10:00Z",
      initiatedBy: null,
      automated: true,
      outcome: "succeeded",
      rollback: false,
      evidence: `refs/notes/flux on ${auto}`,
      detail: { jobID: "job-auto", type: "image", workloads: 1, failed: 0 },
    });
    expect(byCommit.get(byUser)).toMatchObject({
      identity: byUser,
      initiatedBy: "alice",
      automated: false,
      outcome: "failed",
      detail: { jobID: "job-user", type: "image", workloads: 3, failed: 1 },
    });
    expect(byCommit.get(policy)).toMatchObject({
      identity: policy,
      initiatedBy: "bob",
      automated: false,
      outcome: "succeeded",
      detail: { type: "policy", workloads: 0, failed: 0 },
    });
    // Oldest first, by the commit's committer time.
    expect(r.deployments.map((d) => d.commit)).toEqual([auto, byUser, policy]);

    expect(r.warnings).toHaveLength(3);
    expect(r.warnings.find((w) => w.includes(notJson))).toMatch(
      new RegExp(
        `^Flux v1 acme/gitops refs/notes/flux on ${notJson}: skipped, the note is not JSON \\("not json at all SECRET-x+…"\\)$`,
      ),
    );
    expect(r.warnings.find((w) => w.includes(wrongShape))).toMatch(/: skipped, spec\.type /);
    expect(r.warnings.find((w) => w.includes(hostile))).toMatch(/: skipped, result\..*/);
    for (const w of r.warnings) {
      expect(w.length).toBeLessThan(400);
      expect(w).not.toContain("x".repeat(201));
      expect(w).not.toContain("\n");
    }
  });

  it("identifies a note without a job id by its commit, and one without a user as not saying who", async () => {
    const repo = newRepo(dir, "no-job");
    const c = repo.commit("release", { files: { "app.yaml": "v1" }, author: FLUX });
    addNote(
      repo,
      c,
      JSON.stringify({ jobID: "", spec: { type: "image", cause: { Message: "", User: "" } }, result: {} }),
    );
    const r = await readFluxV1(repo.dir, OPTS);
    expect(r.warnings).toEqual([]);
    expect(r.deployments[0]).toMatchObject({
      identity: c,
      initiatedBy: null,
      automated: null,
      detail: { jobID: null },
    });
  });

  it("warns about notes on objects the repository lacks or that are not commits, and about empty notes", async () => {
    const repo = newRepo(dir, "crafted");
    const c = repo.commit("release", { files: { "app.yaml": "v1" }, author: FLUX });
    const tree = repo.git(["rev-parse", `${c}^{tree}`]);
    const gone = "0123456789abcdef0123456789abcdef01234567";
    const good = repo.git(["hash-object", "-w", "--stdin"], {}, note("job-ok", "<automated>", {}));
    const empty = repo.git(["hash-object", "-w", "--stdin"], {}, "");
    // A notes tree written by hand, as a hostile push could: notes on a missing commit and a tree.
    const notesTree = repo.git(
      ["mktree"],
      {},
      `100644 blob ${good}\t${c}\n100644 blob ${good}\t${gone}\n100644 blob ${good}\t${tree}\n`,
    );
    const notesCommit = repo.git(["commit-tree", "-m", "Notes added by 'git notes add'", notesTree], as(FLUX, START));
    repo.git(["update-ref", "refs/notes/flux", notesCommit]);

    const r = await readFluxV1(repo.dir, OPTS);
    expect(r.deployments.map((d) => d.commit)).toEqual([c]);
    expect(r.warnings).toHaveLength(2);
    expect(r.warnings).toEqual(
      expect.arrayContaining([
        `Flux v1 acme/gitops refs/notes/flux on ${gone}: skipped, the commit is not in the repository`,
        `Flux v1 acme/gitops refs/notes/flux on ${tree}: skipped, the note is on a tree, not a commit`,
      ]),
    );

    // An empty note (size 0 in the batch) on the same commit: not JSON, and nothing else breaks.
    const emptyTree = repo.git(["mktree"], {}, `100644 blob ${empty}\t${c}\n`);
    repo.git(["update-ref", "refs/notes/flux", repo.git(["commit-tree", "-m", "n", emptyTree], as(FLUX, START))]);
    const e = await readFluxV1(repo.dir, OPTS);
    expect(e.deployments).toEqual([]);
    expect(e.warnings).toEqual([`Flux v1 acme/gitops refs/notes/flux on ${c}: skipped, the note is not JSON ("")`]);
  });
  it("skips a note too large to be fluxd's, and a notes ref git cannot list, keeping the tag", async () => {
    const repo = newRepo(dir, "oversized");
    const c = repo.commit("release", { files: { "app.yaml": "v1" }, author: FLUX });
    moveTag(repo, c, new Date("2026-07-06T00:00:00Z"));
    addNote(repo, c, `{"jobID": "${"j".repeat(2 << 20)}", "spec": {"type": "image"}}`);
    const big = await readFluxV1(repo.dir, OPTS);
    expect(big.deployments.map((d) => d.basis)).toEqual(["tag"]);
    expect(big.warnings).toEqual([
      expect.stringMatching(new RegExp(`on ${c}: skipped, the note is too large \\(\\d+ bytes\\)$`)),
    ]);

    // A notes ref that is not a commit (update-ref takes any object): a warning, the tag still read.
    repo.git(["update-ref", "refs/notes/flux", repo.git(["hash-object", "-w", "--stdin"], {}, "not a notes tree")]);
    const broken = await readFluxV1(repo.dir, OPTS);
    expect(broken.deployments.map((d) => d.basis)).toEqual(["tag"]);
    expect(broken.warnings).toHaveLength(1);
    expect(broken.warnings[0]).toMatch(/^Flux v1 acme\/gitops refs\/notes\/flux: skipped, git cannot list its notes/);
  });
});

describe("many notes in a bare repository", () => {
  const dir = tempDir();
  const N = 3000;

  it("reads every note with three git processes, however many there are", async () => {
    const bare = path.join(dir, "many.git");
    git(dir, ["init", "--quiet", "--bare", "--initial-branch", "main", bare]);
    const t0 = Math.floor(START.getTime() / 1000);
    const data = (s: string) => `data ${Buffer.byteLength(s)}\n${s}\n`;
    let stream = "";
    for (let i = 1; i <= N; i++) {
      stream += `commit refs/heads/main\nmark :${i}\ncommitter Weave Flux <support@weave.works> ${t0 + i * 60} +0000\n${data(`Auto-release ${i}`)}${i > 1 ? `from :${i - 1}\n` : ""}M 644 inline app.yaml\n${data(`v${i}`)}\n`;
    }
    stream += `commit refs/notes/flux\ncommitter Weave Flux <support@weave.works> ${t0} +0000\n${data("notes")}`;
    for (let i = 1; i <= N; i++) {
      const failed = i % 10 === 0;
      const body = note(`job-${i}`, i % 3 === 0 ? "carol" : "<automated>", {
        "default:deployment/app": failed ? { Status: "failed", Error: "boom", PerContainer: null } : ok("app"),
      });
      stream += `N inline :${i}\n${data(body)}`;
    }
    stream += `\ntag flux-sync\nfrom :${N}\ntagger Weave Flux <support@weave.works> ${t0 + N * 60 + 30} +0000\n${data("Sync pointer")}`;
    git(bare, ["fast-import", "--quiet"], stream);
    expect(git(bare, ["rev-parse", "--is-bare-repository"])).toBe("true");

    const r = await readFluxV1(bare, OPTS);
    expect(gitProcesses()).toBe(3);
    expect(r.warnings).toEqual([]);
    expect(r.deployments).toHaveLength(N + 1);
    const [tag, ...notes] = r.deployments;
    const tip = git(bare, ["rev-parse", "main"]);
    expect(tag).toMatchObject({
      basis: "tag",
      commit: tip,
      finishedAt: new Date((t0 + N * 60 + 30) * 1000).toISOString().replace(".000", ""),
    });
    expect(new Set(notes.map((d) => d.identity)).size).toBe(N);
    expect(notes.every((d) => d.basis === "note" && HEX.test(d.commit ?? ""))).toBe(true);
    expect(notes.filter((d) => d.outcome === "failed")).toHaveLength(N / 10);
    expect(notes.filter((d) => d.initiatedBy === "carol")).toHaveLength(N / 3);
    expect(notes[0]).toMatchObject({
      detail: expect.objectContaining({ jobID: "job-1" }),
      finishedAt: new Date((t0 + 60) * 1000).toISOString().replace(".000", ""),
    });
    expect(notes.at(-1)).toMatchObject({
      identity: tip,
      commit: tip,
      detail: expect.objectContaining({ jobID: `job-${N}` }),
    });
  });
});
