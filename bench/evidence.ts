import { execFileSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ensureStore, REPOS } from "./evidence-store.js";

/**
 * `npm run bench` (fourth part): the evidence of a period against the floor: judgeChanges (the
 * engine: a repository at a time, every change judged, its row and findings handed out and
 * dropped; the targets are its), judgePeriod (the same with every row kept, as
 * today's report holds them) and buildEvidence (the whole population held at once, for sampling), reading the same rows raw (SELECT * of the tables
 * populationRows reads, joined the simplest way, every row read into an array and dropped),
 * measured in the same run. Each measurement is its own process (evidence-child), so its peak RSS
 * is that size's alone. Prints time, ratio and peak RSS per size, the scaling between the smallest
 * and the largest, the targets, and where buildEvidence's time goes.
 *
 * Stores: bench/evidence-store.ts. Sizes: BENCH_EVIDENCE_SIZES=10000,100000 (default);
 * BENCH_EVIDENCE_REPEAT=3 runs each (median).
 */

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "../..");
const sizes = (process.env.BENCH_EVIDENCE_SIZES ?? "10000,100000").split(",").map(Number);
const REPEAT = Number(process.env.BENCH_EVIDENCE_REPEAT ?? 3);
const child = path.join(root, "dist/bench/evidence-child.js");

// --- Measurements ----------------------------------------------------------------------------

interface Measured {
  ms: number;
  maxRssMb: number;
  rows?: number;
  changes?: number;
  findings?: number;
  kinds?: Record<string, number>;
}

interface Section {
  name: string;
  ms: number;
  rows?: number;
  rawMs?: number;
  heapMb?: number;
}

function measure(db: string, mode: "evidence" | "stream" | "period" | "raw"): Measured {
  const out = execFileSync(process.execPath, [child, mode, db], { encoding: "utf8", maxBuffer: 1 << 24 });
  return JSON.parse(out.trim()) as Measured;
}

function sections(db: string): Section[] {
  const out = execFileSync(process.execPath, ["--expose-gc", child, "sections", db], {
    encoding: "utf8",
    maxBuffer: 1 << 24,
  });
  return (JSON.parse(out.trim()) as { sections: Section[] }).sections;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
}

const verdict = (ok: boolean): string => (ok ? "PASS" : "MISS");

/** What is timed: the engine streaming its rows (the targets' subject), the report's path, the whole population. */
const PATHS = [
  { mode: "stream", name: "judgeChanges" },
  { mode: "period", name: "judgePeriod" },
  { mode: "evidence", name: "buildEvidence" },
] as const;

interface Result {
  n: number;
  path: string;
  ms: number;
  raw: number;
  rss: number;
}

function main(): void {
  console.log(
    `\nchangeproof bench: evidence of 2026Q3 vs raw read of the same rows, ${REPOS} repos, median of ${REPEAT}\n`,
  );
  const stores = sizes.map((n) => ({ n, file: ensureStore(n) }));
  console.log(
    `\n changes  ${"timed".padEnd(14)}      time   raw read    x raw   peak RSS   rows read raw   findings  (raw read peak RSS)`,
  );
  const results: Result[] = [];
  for (const { n, file } of stores) {
    const raw: number[] = [];
    const times = new Map<string, number[]>(PATHS.map((p) => [p.mode, []]));
    const rss = new Map<string, number>(PATHS.map((p) => [p.mode, 0]));
    const last = new Map<string, Measured>();
    let rawRss = 0;
    let rows = 0;
    for (let i = 0; i < REPEAT; i++) {
      const r = measure(file, "raw");
      raw.push(r.ms);
      rawRss = Math.max(rawRss, r.maxRssMb);
      rows = r.rows ?? 0;
      for (const p of PATHS) {
        const m = measure(file, p.mode);
        if (m.changes !== n) throw new Error(`${p.name} found ${m.changes} changes in the ${n}-change store`);
        times.get(p.mode)?.push(m.ms);
        rss.set(p.mode, Math.max(rss.get(p.mode) ?? 0, m.maxRssMb));
        last.set(p.mode, m);
      }
    }
    const w = median(raw);
    for (const p of PATHS) {
      const ms = median(times.get(p.mode) ?? []);
      const peak = rss.get(p.mode) ?? 0;
      results.push({ n, path: p.name, ms, raw: w, rss: peak });
      const first = p === PATHS[0];
      console.log(
        `${first ? String(n).padStart(8) : " ".repeat(8)}  ${p.name.padEnd(14)} ${ms.toFixed(0).padStart(7)} ms ${w.toFixed(0).padStart(7)} ms ${(ms / w).toFixed(2).padStart(7)}x ${peak.toFixed(0).padStart(6)} MiB ${first ? String(rows).padStart(15) : " ".repeat(15)} ${String(last.get(p.mode)?.findings ?? "").padStart(10)}  ${first ? `(${rawRss.toFixed(0)} MiB)` : ""}`,
      );
    }
    const kinds = last.get("evidence")?.kinds;
    if (kinds) {
      console.log(
        `          (${Object.entries(kinds)
          .map(([k, v]) => `${k} ${v}`)
          .join(", ")})`,
      );
    }
  }

  console.log("\ntargets (judgeChanges is the engine; the report and the whole population beside it):");
  for (const p of PATHS) {
    const mine = results.filter((r) => r.path === p.name);
    const small = mine[0];
    const big = mine[mine.length - 1];
    if (small && big && big !== small) {
      const scale = big.ms / small.ms;
      const limit = 1.1 * (big.n / small.n);
      console.log(
        `  ${p.name.padEnd(14)} time(${big.n})/time(${small.n}) = ${scale.toFixed(2)}  (target <= ${limit.toFixed(1)})  ${verdict(scale <= limit)}`,
      );
    }
    for (const r of mine) {
      const ratio = r.ms / r.raw;
      console.log(
        `  ${p.name.padEnd(14)} time/raw read at ${r.n} = ${ratio.toFixed(2)}x  (target <= 3x)  ${verdict(ratio <= 3)}`,
      );
    }
    if (big) {
      console.log(
        `  ${p.name.padEnd(14)} peak RSS at ${big.n} = ${big.rss.toFixed(0)} MiB  (target < 1024 MiB)  ${verdict(big.rss < 1024)}`,
      );
    }
  }

  for (const { n, file } of stores) {
    console.log(
      `\nwhere buildEvidence's time goes at ${n} changes (one run, its own process; a statement: as objects, then the\nsame SQL read raw; a step: the live heap after it, garbage collected)`,
    );
    for (const s of sections(file)) {
      const raw = s.rawMs === undefined ? "" : ` ${s.rawMs.toFixed(0).padStart(7)} ms raw`;
      const rows = s.rows === undefined ? "" : ` ${String(s.rows).padStart(8)} rows`;
      const heap = s.heapMb === undefined ? "" : ` ${s.heapMb.toFixed(0).padStart(6)} MiB live`;
      console.log(`  ${s.name.padEnd(44)} ${s.ms.toFixed(0).padStart(7)} ms${raw}${rows}${heap}`);
    }
  }
}

main();
