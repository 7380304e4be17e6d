import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { chromium } from "playwright-core";
import { ensureStore } from "./evidence-store.js";

/**
 * `npm run bench` (sixth part): the auditor report of 2026Q3 for 10,000 and 100,000 changes (the
 * evidence bench's generated stores), each renderer in its own process reading the report's model
 * and spool as `report` hands them over: the HTML export (every page, table data and asset) and
 * the PDF. Each beside its floor measured in the same run: for the HTML, every change row read
 * from the spool and as many files of as many bytes written plainly; for the PDF, pdfkit writing
 * as many pages of one line. Then, in headless Chromium, the time until the changes table shows
 * its first rows, at 1,000 and at 100,000 changes.
 * Sizes: BENCH_REPORT_SIZES=10000,100000; BENCH_REPORT_BROWSER=1000,100000; BENCH_REPORT_REPEAT=3.
 */

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "../..");
const work = path.join(root, "bench/.cache/report");
const child = path.join(root, "dist/bench/report-child.js");
const sizes = (process.env.BENCH_REPORT_SIZES ?? "10000,100000").split(",").map(Number);
const browserSizes = (process.env.BENCH_REPORT_BROWSER ?? "1000,100000").split(",").map(Number);
const REPEAT = Number(process.env.BENCH_REPORT_REPEAT ?? 3);
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

interface Measured {
  ms: number;
  maxRssMb: number;
  files?: number;
  bytes?: number;
  changes?: number;
  findings?: number;
  spool?: string;
}

function run(...args: string[]): Measured {
  const out = execFileSync(process.execPath, [child, ...args], { encoding: "utf8", maxBuffer: 1 << 24 });
  return JSON.parse(out.trim()) as Measured;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
}

const verdict = (ok: boolean): string => (ok ? "PASS" : "MISS");
const mib = (b: number): string => `${(b / 2 ** 20).toFixed(0)} MiB`;

interface Prepared {
  n: number;
  dir: string;
  spool: string;
}

function prepare(n: number): Prepared {
  const dir = path.join(work, String(n));
  rmSync(dir, { recursive: true, force: true });
  const m = run("prepare", ensureStore(n), dir);
  console.log(
    `  ${String(n).padStart(7)} changes: model and spool built in ${(m.ms / 1000).toFixed(1)} s (peak RSS ${m.maxRssMb.toFixed(0)} MiB), ${m.findings} findings`,
  );
  return { n, dir, spool: m.spool ?? "" };
}

interface Row {
  n: number;
  what: "html" | "pdf";
  ms: number;
  raw: number;
  rss: number;
  note: string;
}

function renderers(p: Prepared): Row[] {
  const html: Measured[] = [];
  const pdf: Measured[] = [];
  const rawHtml: number[] = [];
  const rawPdf: number[] = [];
  for (let i = 0; i < REPEAT; i++) {
    rmSync(path.join(p.dir, "html"), { recursive: true, force: true });
    const h = run("html", p.dir, p.spool);
    html.push(h);
    rmSync(path.join(p.dir, "raw-html"), { recursive: true, force: true });
    rawHtml.push(run("raw-html", p.dir, p.spool, String(h.files ?? 0), String(h.bytes ?? 0)).ms);
    rmSync(path.join(p.dir, "raw-html"), { recursive: true, force: true });
    const f = run("pdf", p.dir, p.spool);
    pdf.push(f);
    const pages = (readFileSync(path.join(p.dir, "report.pdf"), "latin1").match(/\/Type \/Page\b(?!s)/g) ?? []).length;
    rawPdf.push(run("raw-pdf", p.dir, String(pages)).ms);
    (f as Measured & { pages?: number }).files = pages;
  }
  const last = (xs: Measured[]): Measured => xs[xs.length - 1] ?? { ms: 0, maxRssMb: 0 };
  return [
    {
      n: p.n,
      what: "html",
      ms: median(html.map((x) => x.ms)),
      raw: median(rawHtml),
      rss: Math.max(...html.map((x) => x.maxRssMb)),
      note: `${last(html).files} files, ${mib(last(html).bytes ?? 0)}`,
    },
    {
      n: p.n,
      what: "pdf",
      ms: median(pdf.map((x) => x.ms)),
      raw: median(rawPdf),
      rss: Math.max(...pdf.map((x) => x.maxRssMb)),
      note: `${last(pdf).files} pages, ${mib(last(pdf).bytes ?? 0)}`,
    },
  ];
}

/** Milliseconds from navigation until the changes table shows rows, and until every row is read. */
async function firstRows(p: Prepared): Promise<{ first: number; all: number }> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
  });
  const firsts: number[] = [];
  const alls: number[] = [];
  try {
    const url = pathToFileURL(path.join(p.dir, "html", "changes.html")).href;
    for (let i = 0; i < REPEAT; i++) {
      const page = await browser.newPage();
      const t0 = performance.now();
      await page.goto(url, { waitUntil: "commit" });
      await page.waitForSelector("table.changes tbody tr", { timeout: 120_000 });
      firsts.push(performance.now() - t0);
      await page.waitForSelector('table.changes[data-state="ready"]', { state: "attached", timeout: 600_000 });
      alls.push(performance.now() - t0);
      await page.close();
    }
  } finally {
    await browser.close();
  }
  return { first: median(firsts), all: median(alls) };
}

async function main(): Promise<void> {
  console.log(`\nchangeproof bench: the auditor report (HTML export and PDF) of 2026Q3, median of ${REPEAT}\n`);
  const prepared = new Map<number, Prepared>();
  for (const n of [...new Set([...sizes, ...browserSizes])].sort((a, b) => a - b)) prepared.set(n, prepare(n));

  console.log(`\n changes  renderer      time   floor   x floor   peak RSS   output`);
  const rows: Row[] = [];
  for (const n of sizes) {
    const p = prepared.get(n);
    if (!p) continue;
    for (const r of renderers(p)) {
      rows.push(r);
      console.log(
        `${String(n).padStart(8)}  ${r.what.padEnd(8)} ${(r.ms / 1000).toFixed(1).padStart(6)} s ${(r.raw / 1000).toFixed(1).padStart(5)} s ${(r.ms / r.raw).toFixed(2).padStart(7)}x ${r.rss.toFixed(0).padStart(6)} MiB   ${r.note}`,
      );
    }
  }

  console.log("\n changes  changes table in Chromium: first rows shown, every row read");
  const shown: { n: number; first: number; all: number }[] = [];
  if (!existsSync(CHROMIUM)) console.log(`  (no chromium at ${CHROMIUM}: skipped)`);
  else {
    for (const n of browserSizes) {
      const p = prepared.get(n);
      if (!p) continue;
      if (!existsSync(path.join(p.dir, "html", "changes.html"))) run("html", p.dir, p.spool);
      const t = await firstRows(p);
      shown.push({ n, ...t });
      console.log(
        `${String(n).padStart(8)}  ${t.first.toFixed(0).padStart(7)} ms ${(t.all / 1000).toFixed(1).padStart(8)} s`,
      );
    }
  }

  console.log("\ntargets:");
  for (const what of ["html", "pdf"] as const) {
    const mine = rows.filter((r) => r.what === what);
    const small = mine[0];
    const big = mine[mine.length - 1];
    if (!small || !big || small === big) continue;
    const scale = big.ms / small.ms;
    const limit = 1.1 * (big.n / small.n);
    console.log(
      `  ${what.padEnd(5)} time(${big.n})/time(${small.n}) = ${scale.toFixed(2)}  (target <= ${limit.toFixed(1)})  ${verdict(scale <= limit)}`,
    );
    const rss = big.rss / small.rss;
    console.log(
      `  ${what.padEnd(5)} RSS(${big.n})/RSS(${small.n}) = ${rss.toFixed(2)}  (target <= 2)  ${verdict(rss <= 2)}`,
    );
  }
  const [lo, hi] = [shown[0], shown[shown.length - 1]];
  if (lo && hi && lo !== hi) {
    const r = hi.first / lo.first;
    console.log(
      `  first rows in Chromium at ${hi.n} / at ${lo.n} = ${r.toFixed(2)}  (target <= 3)  ${verdict(r <= 3)}`,
    );
  }
}

await main();
