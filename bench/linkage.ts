import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { DeploymentRecord } from "../src/collectors/reconciler/deployment.js";
import { openStore } from "../src/store/db.js";
import { type Snapshot, storeSnapshot } from "../src/store/github-store.js";
import { finishRun, startRun } from "../src/store/ledger.js";
import { migrations } from "../src/store/migrations/index.js";
import { storeDeployments } from "../src/store/reconciler-store.js";
import { cachedStore } from "./cached-store.js";

/**
 * `npm run bench` (fifth part): deployment linkage (C9, C10) and access review (A1-A4) for a
 * quarter of 5,000 deployments over 200 targets of one GitOps repository (20,000 commits, with
 * merges), and 40 access snapshots of a 2,000-member organisation (100 teams, 20 repositories with
 * collaborators and protection), beside a raw read of the same rows, in a process per
 * measurement (time and peak RSS), at two sizes (BENCH_LINKAGE_SCALES=1,2 multiplies deployments,
 * commits, members and snapshots). Stores are cached in bench/.cache.
 */

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "../..");
const cache = path.join(root, "bench/.cache");
const child = path.join(root, "dist/bench/linkage-child.js");
const scales = (process.env.BENCH_LINKAGE_SCALES ?? "1,2").split(",").map(Number);
const REPEAT = Number(process.env.BENCH_LINKAGE_REPEAT ?? 3);
const GENERATOR = 1;
const SCHEMA = createHash("sha256")
  .update(migrations.map((m) => m.sql).join("\n"))
  .digest("hex")
  .slice(0, 8);

const P0 = Date.parse("2026-07-01T00:00:00Z");
const QUARTER = Date.parse("2026-10-01T00:00:00Z") - P0;
const sha = (s: string) => createHash("sha1").update(s).digest("hex");
const iso = (ms: number) => new Date(ms).toISOString().replace(".000Z", "Z");

function fill(file: string, scale: number): void {
  const db = openStore(file);
  const COMMITS = 20_000 * scale;
  const TARGETS = 200;
  const DEPLOYMENTS = 5_000 * scale;
  const SNAPSHOTS = 40 * scale;
  const MEMBERS = 2_000 * scale;
  const REPOS = 20;
  db.prepare(
    "INSERT INTO repos (name, role, source) VALUES ('acme/gitops', 'gitops', 'https://github.com/acme/gitops.git')",
  ).run();
  const git = startRun(db, {
    source: "git",
    scope: { repo: "acme/gitops" },
    parameters: { bench: "linkage" },
    now: new Date(P0),
  });
  // A first-parent chain over the quarter; every tenth commit merges a one-commit branch.
  const insert = db.prepare(
    `INSERT INTO commits (repo_id, sha, tree, parents, author_name, author_email, author_time, author_tz, committer_name,
       committer_email, committer_time, committer_tz, subject, message, signature, trailers, run_id)
     VALUES (1, ?, ?, ?, 'Dev', 'dev@acme.example', ?, '+0000', 'Dev', 'dev@acme.example', ?, '+0000', ?, ?, NULL, NULL, ?)`,
  );
  const main: string[] = [];
  db.transaction(() => {
    let prev: string | null = null;
    for (let i = 0; i < COMMITS; i++) {
      const t = Math.floor((P0 - 86_400_000 + (i / COMMITS) * (QUARTER + 86_400_000)) / 1000);
      let parents = prev ? [prev] : [];
      if (prev && i % 10 === 0) {
        const side = sha(`side ${i}`);
        insert.run(side, sha(`tree side ${i}`), prev, t - 60, t - 60, `side ${i}`, `side ${i}`, git);
        parents = [prev, side];
      }
      const s = sha(`main ${i}`);
      insert.run(s, sha(`tree ${i}`), parents.join(" "), t, t, `change ${i}`, `change ${i}`, git);
      main.push(s);
      prev = s;
    }
    db.prepare(
      "INSERT INTO ref_tips (run_id, repo_id, ref, sha, protected) VALUES (?, 1, 'refs/heads/main', ?, 1)",
    ).run(git, main.at(-1) ?? "");
  })();
  finishRun(db, git, { status: "succeeded", counts: {}, now: new Date(P0 + 60_000) });

  // Deployments: each target moves forward along main; one in 50 is a manual rollback.
  const cluster = startRun(db, {
    source: "reconciler",
    scope: { cluster: "prod" },
    parameters: { bench: "linkage" },
    now: new Date(P0),
  });
  const records: DeploymentRecord[] = [];
  const perTarget = Math.ceil(DEPLOYMENTS / TARGETS);
  for (let t = 0; t < TARGETS; t++) {
    for (let k = 0; k < perTarget; k++) {
      const frac = (k + 1) / (perTarget + 1);
      const back = k % 50 === 49;
      const index = Math.floor(frac * (COMMITS - 1)) - (back ? 200 : 0);
      const commit = main[Math.max(0, index)] ?? "";
      const at = iso(P0 + frac * QUARTER + t * 1000);
      records.push({
        reconciler: "argocd",
        cluster: "prod",
        namespace: "argocd",
        name: `app-${t}`,
        basis: "history",
        identity: `${k}|${commit}|${at}`,
        sourceRepo: "https://github.com/acme/gitops.git",
        sourcePath: `apps/app-${t}`,
        revisions: [commit],
        commit,
        startedAt: at,
        finishedAt: at,
        initiatedBy: back ? "oncall@acme.example" : null,
        automated: !back,
        outcome: "succeeded",
        rollback: back,
        evidence: `status.history[${k}]`,
        detail: {},
      });
    }
  }
  storeDeployments(db, cluster, records);
  finishRun(db, cluster, { status: "succeeded", counts: {}, now: new Date(P0 + 120_000) });

  // Access snapshots: members churn a little between snapshots; protection changes now and then.
  const repos = Array.from({ length: REPOS }, (_, r) => `acme/app-${r}`);
  for (let s = 0; s < SNAPSHOTS; s++) {
    const at = new Date(P0 - 86_400_000 + (s / (SNAPSHOTS - 1)) * (QUARTER + 2 * 86_400_000));
    const run = startRun(db, {
      source: "github-org",
      scope: { org: "acme" },
      parameters: { bench: "linkage" },
      now: at,
    });
    const logins = Array.from({ length: MEMBERS }, (_, m) => `dev${(m + s * 3) % (MEMBERS + 200)}`);
    const snapshot: Snapshot = {
      org: "acme",
      takenAt: at,
      twoFactorVisible: true,
      members: logins.map((login, m) => ({ login, role: m < 10 ? "ADMIN" : "MEMBER", twoFactor: m % 97 !== 0 })),
      teams: Array.from({ length: 100 }, (_, t) => ({
        slug: `team-${t}`,
        name: `Team ${t}`,
        parent: null,
        members: logins.slice(t * 20, t * 20 + 20).map((login) => ({ login, role: "MEMBER" })),
        repositories: [{ repo: repos[t % REPOS] ?? "", permission: (s + t) % 13 === 0 ? "ADMIN" : "WRITE" }],
      })),
      repos,
      collaborators: repos.flatMap((repo, r) =>
        logins.slice(r * 50, r * 50 + 50).map((login, c) => ({
          repo,
          login,
          permission: c % 25 === 0 ? "ADMIN" : "WRITE",
          sources: [],
        })),
      ),
      protection: repos.map((repo, r) => ({
        repo,
        pattern: "main",
        settings: {
          requiresApprovingReviews: true,
          requiredApprovingReviewCount: (s + r) % 11 === 0 ? 1 : 2,
          isAdminEnforced: r % 3 !== 0,
          allowsForcePushes: (s + r) % 17 === 0,
          bypassPullRequestAllowances: [],
        },
      })),
      rulesets: [],
      memberLogins: new Set(logins),
    };
    storeSnapshot(db, run, snapshot);
    finishRun(db, run, { status: "succeeded", counts: {}, now: new Date(at.getTime() + 30_000) });
  }
  // Repositories tracked so access review reads them: a GitHub run per repository names it.
  for (const repo of repos) {
    db.prepare("INSERT INTO repos (name, role, source) VALUES (?, 'app', ?)").run(
      repo,
      `https://github.com/${repo}.git`,
    );
    const g = startRun(db, { source: "git", scope: { repo }, parameters: { bench: "linkage" }, now: new Date(P0) });
    db.prepare(
      "INSERT INTO ref_tips (run_id, repo_id, ref, sha, protected) SELECT ?, id, 'refs/heads/main', ?, 1 FROM repos WHERE name = ?",
    ).run(g, sha(repo), repo);
    finishRun(db, g, { status: "succeeded", counts: {}, now: new Date(P0 + 1000) });
    const h = startRun(db, {
      source: "github",
      scope: { repo, github: repo },
      parameters: { bench: "linkage" },
      now: new Date(P0),
    });
    finishRun(db, h, { status: "succeeded", counts: {}, now: new Date(P0 + 1000) });
  }
  db.close();
}

function ensureStore(scale: number): string {
  return cachedStore(
    cache,
    { prefix: "linkage", version: `g${GENERATOR}-s${SCHEMA}`, size: `x${scale}`, label: `the x${scale} store` },
    (file) => fill(file, scale),
  );
}

interface Measured {
  ms: number;
  maxRssMb: number;
  rows?: number;
  deployments?: number;
  verdicts?: number;
}

const measure = (mode: string, db: string): Measured =>
  JSON.parse(execFileSync(process.execPath, [child, mode, db], { encoding: "utf8" }).trim()) as Measured;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
}

function main(): void {
  console.log(
    `\nchangeproof bench: deployment linkage and access review for 2026Q3 vs a raw read, median of ${REPEAT}\n`,
  );
  const stores = scales.map((x) => ({ x, file: ensureStore(x) }));
  console.log(`\n  scale  ${"timed".padEnd(18)}     time   raw read    x raw   peak RSS   verdicts`);
  const times = new Map<string, number>();
  for (const { x, file } of stores) {
    const raw: number[] = [];
    const runs = new Map<string, { ms: number[]; rss: number; verdicts: number }>();
    for (let i = 0; i < REPEAT; i++) {
      raw.push(measure("raw", file).ms);
      for (const mode of ["linkage", "access"]) {
        const m = measure(mode, file);
        const r = runs.get(mode) ?? { ms: [], rss: 0, verdicts: 0 };
        r.ms.push(m.ms);
        r.rss = Math.max(r.rss, m.maxRssMb);
        r.verdicts = m.verdicts ?? 0;
        runs.set(mode, r);
      }
    }
    const w = median(raw);
    for (const [mode, r] of runs) {
      const ms = median(r.ms);
      times.set(`${mode} ${x}`, ms);
      console.log(
        `  x${String(x).padEnd(5)} ${(mode === "linkage" ? "linkage (C9, C10)" : "access (A1-A4)").padEnd(18)} ${ms.toFixed(0).padStart(7)} ms ${w.toFixed(0).padStart(7)} ms ${(ms / w).toFixed(2).padStart(7)}x ${r.rss.toFixed(0).padStart(6)} MiB ${String(r.verdicts).padStart(10)}`,
      );
    }
  }
  const [a, b] = scales;
  if (a !== undefined && b !== undefined) {
    for (const mode of ["linkage", "access"]) {
      const ratio = (times.get(`${mode} ${b}`) ?? 0) / (times.get(`${mode} ${a}`) ?? 1);
      console.log(`  ${mode}: time(x${b})/time(x${a}) = ${ratio.toFixed(2)} (the data grew ${b / a}x)`);
    }
  }
  console.log("  (the reconciler collector's own times for 3,000 Applications are in the bench's third part)");
}

main();
