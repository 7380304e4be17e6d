import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { RepoFactory } from "../../src/demo/repo-factory.js";
import { runCli } from "../helpers/cli.js";
import { tempDir } from "../helpers/tmp.js";

const alice = { name: "Alice", email: "alice@acme.example" };

/** A repository with commits in 2026Q3 and a config pointing at it (plus `extra` YAML lines per repo). */
function setup(dir: string, extraRepoYaml = ""): { cfg: string; repo: RepoFactory } {
  const repo = RepoFactory.init(path.join(dir, "app"), { author: alice, start: new Date("2026-07-01T00:00:00Z") });
  repo.commit("one", { files: { a: "1" }, at: new Date("2026-07-02T00:00:00Z") });
  repo.commit("two", { files: { a: "2" }, at: new Date("2026-08-02T00:00:00Z") });
  repo.git(["branch", "release"]);
  const cfg = path.join(dir, "changeproof.yaml");
  writeFileSync(
    cfg,
    `database: store.db\noutput: out\nrepos:\n  - name: acme/app\n    source: ${JSON.stringify(repo.dir)}\n    role: app\n${extraRepoYaml}`,
  );
  return { cfg, repo };
}

describe("config check", () => {
  const dir = tempDir();

  it("passes when every protected branch exists, naming them", () => {
    const { cfg } = setup(path.join(dir, "ok"), "    protectedBranches: [main, release]\n");
    const r = runCli(["config", "check", "-c", cfg]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain("repo acme/app (app):");
    expect(r.stdout).toContain("protected: main, release");
  });

  it("fails on a mistyped protected branch, listing the branches that exist", () => {
    const { cfg } = setup(path.join(dir, "typo"), "    protectedBranches: [mian]\n");
    const r = runCli(["config", "check", "-c", cfg]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('protected branch "mian" does not exist (branches: main, release)');
  });
});

describe("report exit codes", () => {
  const dir = tempDir();
  let cfg: string;
  beforeAll(() => {
    cfg = setup(dir).cfg;
    expect(runCli(["collect", "-c", cfg, "-q"]).status).toBe(0);
  });

  it("exits 0 with no gaps", () => {
    // A quarter before the repository's first commit: nothing to judge, nothing missing.
    const r = runCli(["report", "-c", cfg, "--period", "2026Q2", "-q"]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain(path.join(dir, "out", "2026Q2", "report.pdf"));
  });

  it("exits 3 when GitHub was not collected: the changes cannot be judged, and the report says why", () => {
    const r = runCli(["report", "-c", cfg, "--period", "2026Q3", "-q"]);
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(
      /^changeproof: report written, but its evidence is incomplete: 2 changes in acme\/app cannot be judged: GitHub's data on them is missing/m,
    );
    const changes = JSON.parse(readFileSync(path.join(dir, "out", "2026Q3", "changes.json"), "utf8")) as {
      changes: { verdicts: { rule: string; verdict: string }[] }[];
    };
    expect(changes.changes).toHaveLength(2);
    for (const c of changes.changes) {
      expect(c.verdicts.map((v) => `${v.rule} ${v.verdict}`)).toEqual([
        "C1 blocked",
        "C2 blocked",
        "C3 blocked",
        "C4 blocked",
        "C5 blocked",
        "C6 blocked",
        "C7 blocked",
        "C11 exception",
        "C12 n/a",
      ]);
    }
  });

  it("exits 3 when the report has gaps, after writing it", () => {
    const r = runCli(["report", "-c", cfg, "--period", "2099Q1", "-q"]);
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(
      /^changeproof: report written, but its evidence is incomplete: .*the period has not ended/m,
    );
    expect(existsSync(path.join(dir, "out", "2099Q1", "index.html"))).toBe(true);
  });

  it("suggests the option a typo meant, and keeps period options to report", () => {
    const typo = runCli(["report", "-c", cfg, "--perod", "2026Q3"]);
    expect(typo.status).toBe(2);
    expect(typo.stderr).toContain("unknown option --perod (did you mean --period?)");
    const misplaced = runCli(["collect", "-c", cfg, "--period", "2026Q3"]);
    expect(misplaced.status).toBe(2);
    expect(misplaced.stderr).toContain("unknown option --period");
    // Hints come from the command's own options: collect has no --period to suggest.
    expect(misplaced.stderr).not.toContain("did you mean");
  });

  it("lists runs as JSON lines ending with the ledger's verdict", () => {
    const r = runCli(["runs", "-c", cfg, "--json"]);
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines[0]).toMatchObject({ id: 1, source: "git", status: "succeeded", scope: { repo: "acme/app" } });
    expect(lines.at(-1)).toMatchObject({ ledger: { intact: true, sealed: 1 } });
  });
});

describe("collect's scratch files", () => {
  const dir = tempDir();

  it("leaves none behind, and removes those a killed run left", () => {
    const { cfg } = setup(dir);
    // A pid no process can have: Linux caps pids at 2^22.
    const stale = path.join(dir, `.changeproof-stage-${2 ** 31 - 2}-dead.db`);
    writeFileSync(stale, "");
    const r = runCli(["collect", "-c", cfg, "-q"]);
    expect(r.status, r.stderr).toBe(0);
    expect(existsSync(stale)).toBe(false);
    expect(readdirSync(dir).filter((f) => f.startsWith(".changeproof-stage-"))).toEqual([]);
  });
});

describe("--json-logs", () => {
  const dir = tempDir();

  it("makes every stderr line a JSON object, and stdout still carries the summary", () => {
    const { cfg } = setup(dir);
    writeFileSync(cfg, `${readFileSync(cfg, "utf8")}  - name: acme/missing\n    source: ./missing\n    role: app\n`);
    const r = runCli(["collect", "-c", cfg, "--json-logs"]);
    expect(r.status).toBe(3);
    const logs = r.stderr
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(logs.some((l) => l.level === "error" && l.repo === "acme/missing" && l.code === "E_REPO_MISSING")).toBe(
      true,
    );
    // The verdict is the last line, JSON too, with the exit code a cron job acts on.
    expect(logs.at(-1)).toMatchObject({ level: "fatal", code: "E_INCOMPLETE", exitCode: 3 });
    expect(r.stdout).toMatch(/^acme\/app: run \d+ ok/m);
  });
});
