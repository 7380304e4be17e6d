import { execFileSync, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { generateHistory } from "../src/demo/repo-factory.js";

/**
 * `npm run bench` (first part): the git harvest against raw `git log` on generated repositories.
 * Prints ratios (our time / git's), peak RSS per history size, and the no-op re-run time.
 * Sizes: BENCH_SIZES=25000,50000,100000,200000 (default). Repositories are cached in bench/.cache.
 */

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "../..");
const cache = path.join(root, "bench/.cache");
const sizes = (process.env.BENCH_SIZES ?? "25000,50000,100000,200000").split(",").map(Number);
const REPEAT = Number(process.env.BENCH_REPEAT ?? 3);

const FORMAT = "--format=%H%x1f%T%x1f%P%x1f%an%x1f%ae%x1f%at%x1f%cn%x1f%ce%x1f%ct%x1f%s%x1f%(trailers:unfold)%x1e";

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
}

/** Wall time of a git command whose output is read through a pipe and discarded. */
function timeGit(dir: string, args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn("git", ["--git-dir", dir, ...args], { stdio: ["ignore", "pipe", "inherit"] });
    child.stdout.on("data", () => {});
    child.on("close", (code) => (code === 0 ? resolve(performance.now() - t0) : reject(new Error(`git exit ${code}`))));
  });
}

function harvest(repo: string, db: string): { ms: number; maxRssMb: number; commits: number } {
  for (const f of [db, `${db}-wal`, `${db}-shm`]) rmSync(f, { force: true });
  const out = execFileSync(process.execPath, [path.join(root, "dist/bench/harvest-child.js"), repo, db], {
    encoding: "utf8",
  });
  return JSON.parse(out.trim()) as { ms: number; maxRssMb: number; commits: number };
}

async function main(): Promise<void> {
  mkdirSync(cache, { recursive: true });
  console.log("changeproof bench: git harvest (store included) vs raw git log\n");
  console.log("commits   git --format  git --pretty=raw  harvest   ratio/format  ratio/raw  peak RSS");
  let biggest: { repo: string; commits: number } | undefined;
  for (const n of sizes) {
    const repo = path.join(cache, `linear-${n}.git`);
    if (!existsSync(path.join(repo, "HEAD"))) await generateHistory(repo, { commits: n });
    const fmt: number[] = [];
    const raw: number[] = [];
    const ours: number[] = [];
    let rss = 0;
    for (let i = 0; i < REPEAT; i++) {
      fmt.push(await timeGit(repo, ["log", FORMAT, "main"]));
      raw.push(await timeGit(repo, ["log", "--pretty=raw", "-z", "main"]));
      const h = harvest(repo, path.join(cache, `bench-${n}.db`));
      if (h.commits !== n) throw new Error(`harvest stored ${h.commits} commits, expected ${n}`);
      ours.push(h.ms);
      rss = Math.max(rss, h.maxRssMb);
    }
    const [f, r, o] = [median(fmt), median(raw), median(ours)];
    console.log(
      `${String(n).padStart(7)}  ${f.toFixed(0).padStart(9)} ms  ${r.toFixed(0).padStart(12)} ms  ${o.toFixed(0).padStart(6)} ms  ${(o / f).toFixed(2).padStart(10)}x  ${(o / r).toFixed(2).padStart(8)}x  ${rss.toFixed(0).padStart(5)} MB`,
    );
    biggest = { repo, commits: n };
  }

  if (biggest) {
    // No-op re-run: the whole CLI process, as a cron job runs it, with nothing new to read.
    const dir = path.join(cache, "noop");
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const cfg = path.join(dir, "changeproof.yaml");
    writeFileSync(
      cfg,
      `database: noop.db\nrepos:\n  - name: bench/repo\n    source: ${JSON.stringify(biggest.repo)}\n    role: app\n`,
    );
    const cli = [path.join(root, "dist/bundle/main.js"), "collect", "-c", cfg, "-q"];
    const first = spawnSync(process.execPath, cli, { encoding: "utf8" });
    if (first.status !== 0) throw new Error(`first collect failed: ${first.stderr}`);
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      const r = spawnSync(process.execPath, cli, { encoding: "utf8" });
      times.push(performance.now() - t0);
      if (r.status !== 0 || !/0 new commits/.test(r.stdout)) throw new Error(`no-op collect: ${r.stdout} ${r.stderr}`);
    }
    const nodeStart: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      spawnSync(process.execPath, ["-e", "0"]);
      nodeStart.push(performance.now() - t0);
    }
    console.log(
      `\nno-op re-run of \`changeproof collect\` on ${biggest.commits} commits: ${median(times).toFixed(0)} ms (whole process; bare node start ${median(nodeStart).toFixed(0)} ms; target <= 300 ms)`,
    );
  }
}

await main();
