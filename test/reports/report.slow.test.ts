import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { collectGitRepo } from "../../src/collectors/git/collect.js";
import type { ResolvedRepo } from "../../src/config/load.js";
import type { RepoRole } from "../../src/config/schema.js";
import { buildDemoOrg, DEMO_PERIOD, forcePushGitops } from "../../src/demo/org.js";
import { GITHUB_WEB, type Person, RepoFactory } from "../../src/demo/repo-factory.js";
import type { Change } from "../../src/evidence/change-log.js";
import { silentLogger } from "../../src/log/logger.js";
import { parsePeriod } from "../../src/period.js";
import { buildChangeLogReport, type ChangeLogReport } from "../../src/reports/model.js";
import { renderChangeLogPdf } from "../../src/reports/pdf/changelog-pdf.js";
import { writeChangeLogReport } from "../../src/reports/write.js";
import { type DB, openStore } from "../../src/store/db.js";
import { tempDir } from "../helpers/tmp.js";

/*
 * End to end: real repositories built with RepoFactory, collected into a real store, rendered to
 * HTML, PDF and JSON, and read back with poppler's pdftotext / pdfinfo.
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

interface Written {
  report: ChangeLogReport;
  dir: string;
  html: string;
  pdf: string;
  pdfText: string;
  json: ChangeLogReport;
}

async function render(
  db: DB,
  periodSpec: string,
  configured: readonly string[],
  now: Date,
  outDir: string,
): Promise<Written> {
  const period = parsePeriod(periodSpec);
  const report = buildChangeLogReport(db, period, configured, now);
  const written = await writeChangeLogReport(report, period, outDir);
  const pdf = path.join(written.dir, "changes.pdf");
  return {
    report,
    dir: written.dir,
    html: readFileSync(path.join(written.dir, "changes.html"), "utf8"),
    pdf,
    pdfText: pdfText(pdf),
    json: JSON.parse(readFileSync(path.join(written.dir, "changes.json"), "utf8")) as ChangeLogReport,
  };
}

const allChanges = (r: ChangeLogReport): Change[] => r.branches.flatMap((b) => b.changes);

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

const alice: Person = { name: "Alice Example", email: "alice@example.com" };
const cjkPerson: Person = { name: CJK, email: "taro@example.jp" };
const cjkPerson2: Person = { name: CJK2, email: "wei@example.cn" };
const cyrPerson: Person = { name: CYRILLIC, email: "evgenia@example.ru" };
const rtlPerson: Person = { name: `Mallory ${RLO}gnp.exe`, email: "mallory@example.com" };
const ctorPerson: Person = { name: `${CTOR} ${EMOJI} Builder`, email: `${CTOR}@example.com` };

const PERIOD = "2026Q3";
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
}

function buildHostileRepo(dir: string): HostileRepo {
  const repo = RepoFactory.init(dir, { author: alice, start: d("2026-06-20T09:00:00Z") });
  repo.commit("Initial commit before the period", { files: { "README.md": "# hostile\n" } });

  repo.commit(`Add ${SCRIPT} to the page`, { author: alice, at: d("2026-07-01T10:00:00Z"), files: { "a.txt": "1" } });
  repo.commit(`Fix ${IMG} rendering`, { author: cyrPerson, at: d("2026-07-02T10:00:00Z"), files: { "a.txt": "2" } });
  repo.commit(`Template ${CTOR} and {{#each this}}x{{/each}} (#7)`, {
    author: ctorPerson,
    at: d("2026-07-03T10:00:00Z"),
  });
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
    "Crafted object with raw HTML identities",
    d("2026-07-07T10:00:00Z"),
  );

  // A pull request merged with a merge commit, its branch named with markup.
  repo.checkout("feature/x", { create: true });
  repo.commit("Feature work", { at: d("2026-07-08T10:00:00Z"), files: { "b.txt": "1" } });
  repo.checkout("main");
  repo.mergeCommit("feature/x", `Merge pull request #12 from evil/${SCRIPT}`, {
    author: alice,
    at: d("2026-07-09T10:00:00Z"),
  });

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
  if (inPeriod.length !== 53) throw new Error(`expected 53 commits in the period, built ${inPeriod.length}`);
  return { repo, inPeriod };
}

describe("change-log report on hostile git data", () => {
  const root = tempDir("changeproof-report-");
  let hostile: HostileRepo;
  let db: DB;
  let clean: Written;
  let withGap: Written;
  let afterRewrite: Written;
  let rewrite: { oldTip: string; newTip: string; dropped: string[] };

  beforeAll(async () => {
    hostile = buildHostileRepo(path.join(root, "repos", "hostile"));
    db = openStore(path.join(root, "store.db"));
    const cfg = repoConfig("evil/hostile", hostile.repo.dir);
    const opts = (iso: string) => ({ cacheDir: path.join(root, "cache"), log: silentLogger, now: () => d(iso) });
    await collectGitRepo(db, cfg, opts("2026-10-01T06:00:00Z"));
    clean = await render(db, PERIOD, ["evil/hostile"], d("2026-10-02T00:00:00Z"), path.join(root, "out-clean"));
    withGap = await render(
      db,
      PERIOD,
      ["evil/hostile", "evil/never-collected"],
      d("2026-10-02T00:00:00Z"),
      path.join(root, "out-gap"),
    );

    // Someone force-pushes main: the last two September commits are replaced by another one.
    const oldTip = hostile.repo.head("main");
    const dropped = hostile.inPeriod.slice(-2);
    const base = hostile.repo.head(`${dropped[0]}~1`);
    hostile.repo.forceMove("main", base);
    hostile.repo.commit("Replacement for the dropped changes", { at: d("2026-09-14T12:00:00Z") });
    rewrite = { oldTip, newTip: hostile.repo.head("main"), dropped };
    await collectGitRepo(db, cfg, opts("2026-10-01T07:00:00Z"));
    afterRewrite = await render(
      db,
      PERIOD,
      ["evil/hostile"],
      d("2026-10-02T00:00:00Z"),
      path.join(root, "out-rewrite"),
    );
  });
  afterAll(() => db?.close());

  describe("HTML", () => {
    it("escapes markup from names, emails and subjects", () => {
      for (const w of [clean, withGap, afterRewrite]) {
        expect(w.html).not.toMatch(/<script/i);
        expect(w.html).not.toMatch(/<img/i);
        expect(w.html).not.toMatch(/onerror=/i);
        expect(w.html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
        expect(w.html).toContain("&quot;&gt;&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt;");
      }
      // Each hostile value appears where it came from: the subject, the crafted author, the
      // co-author trailer, the merge subject.
      expect(clean.html).toContain("Add &lt;script&gt;alert(1)&lt;/script&gt; to the page");
      expect(clean.html).toContain(
        '&lt;script&gt;alert(1)&lt;/script&gt;<br><span class="email">&lt;script@evil.example&gt;</span>',
      );
      expect(clean.html).toContain(
        'co-author: &lt;script&gt;alert(1)&lt;/script&gt; <span class="email">&lt;co@evil.example&gt;</span>',
      );
      expect(clean.html).toContain("Merge pull request #12 from evil/&lt;script&gt;alert(1)&lt;/script&gt;");
    });

    it("shows template syntax from git literally instead of evaluating it", () => {
      expect(clean.html).toContain(`Template ${CTOR} and {{#each this}}x{{/each}} (#7)`);
      expect(clean.html).toContain(`${CTOR} ${EMOJI} Builder<br><span class="email">&lt;${CTOR}@example.com&gt;`);
      expect(clean.html).not.toContain("function Object()");
      expect(clean.html).not.toContain("[native code]");
    });

    it("keeps non-Latin names, emoji and the long subject intact", () => {
      const email = (name: string, addr: string): string => `${name}<br><span class="email">&lt;${addr}&gt;</span>`;
      const coAuthor = (name: string, addr: string): string =>
        `co-author: ${name} <span class="email">&lt;${addr}&gt;</span>`;
      expect(
        [email(CJK, "taro@example.jp"), coAuthor(CJK, "taro@example.jp")].some((x) => clean.html.includes(x)),
      ).toBe(true);
      expect(
        [email(CJK2, "wei@example.cn"), coAuthor(CJK2, "wei@example.cn")].some((x) => clean.html.includes(x)),
      ).toBe(true);
      expect(
        [email(CYRILLIC, "evgenia@example.ru"), coAuthor(CYRILLIC, "evgenia@example.ru")].some((x) =>
          clean.html.includes(x),
        ),
      ).toBe(true);
      expect(clean.html).toContain(`${EMOJI} Deploy ${CJK2} ${CYRILLIC}`);
      expect(clean.html).toContain(LONG_SUBJECT.trim());
    });

    it("has a strict CSP whose style hash is the inline stylesheet's", () => {
      for (const w of [clean, withGap, afterRewrite]) {
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
      for (const w of [clean, withGap, afterRewrite]) {
        expect(w.html).not.toMatch(/https?:\/\//i);
        expect(w.html).not.toMatch(/\s(src|href|action|srcset)=/i);
        expect(w.html).not.toMatch(/url\(/i);
        expect(w.html).not.toMatch(/@import/i);
      }
    });

    it("puts the gap on the page when evidence is incomplete, and says 'No gaps' otherwise", () => {
      expect(clean.report.coverage.gaps).toEqual([]);
      expect(clean.html).toContain("<strong>No gaps:</strong>");
      expect(clean.html).not.toContain("Evidence is incomplete");

      expect(withGap.report.coverage.gaps).toEqual([
        "evil/never-collected: git history was never collected successfully",
      ]);
      expect(withGap.html).toContain("<h2>Evidence is incomplete</h2>");
      expect(withGap.html).toContain("<li>evil/never-collected: git history was never collected successfully</li>");
      expect(withGap.html).not.toContain("No gaps");
    });

    // Trojan Source (CVE-2021-42574): a U+202E in an author name or subject reverses how the rest
    // of its table cell is displayed (e.g. the email next to the name). Evidence must show what git
    // holds: bidi controls are shown as visible tokens, and cells are isolated besides.
    it("cannot be visually reordered by a bidi override in git data", () => {
      expect(clean.html.includes(RLO)).toBe(false);
      expect(clean.html).toContain("⟨U+202E⟩");
      expect(clean.html).toMatch(/unicode-bidi:\s*isolate/);
      // The JSON population keeps the raw value.
      expect(JSON.stringify(clean.report)).toContain(RLO);
    });
  });

  describe("PDF", () => {
    it("shows the period, the repository and non-Latin names", () => {
      const text = clean.pdfText;
      expect(text).toContain("Change log 2026Q3");
      expect(text).toContain("Period 2026Q3: 1 Jul 2026 – 30 Sep 2026 (UTC)");
      expect(text).toContain("evil/hostile");
      expect(text).toContain(CYRILLIC);
      expect(squash(text)).toContain(squash(SCRIPT));
      expect(squash(text)).toContain(squash(IMG));
    });

    // DejaVu Sans has no CJK glyphs: such cells are set in Noto Sans SC, and what no shipped font
    // has (emoji) is printed as a visible code point instead of an empty box.
    it("shows CJK names, and code points for what no font has", () => {
      expect(clean.pdfText).toContain(CJK);
      expect(clean.pdfText).toContain(CJK2);
      expect(clean.pdfText).toContain("[U+1F984]");
    });

    it("says 'No gaps' when there is none and 'Evidence is incomplete' with the gap when there is one", () => {
      expect(clean.pdfText).toContain("No gaps");
      expect(clean.pdfText).not.toContain("Evidence is incomplete");
      const gap = pdfRaw(withGap.pdf);
      expect(gap).toContain("Evidence is incomplete");
      expect(squash(gap)).toContain(squash("evil/never-collected: git history was never collected successfully"));
      expect(gap).not.toContain("No gaps");
      // On the cover, i.e. the first page.
      expect(gap.split("\f")[0]).toContain("Evidence is incomplete");
    });

    it("numbers every page 'page N of M' with M the real page count", () => {
      expect(pdfPages(clean.pdf)).toBeGreaterThan(2);
      for (const w of [clean, withGap, afterRewrite]) checkPageFooters(w.pdf, w.report.title, w.pdfText);
    });

    // Layout: a column narrower than its bold title would wrap it ("Signatur" / "e").
    it("prints every column title whole", () => {
      const raw = pdfRaw(clean.pdf);
      for (const title of [
        "Commit",
        "Kind",
        "Subject",
        "Author",
        "Signature",
        "First seen",
        "Repository",
        "Latest run",
      ]) {
        expect(raw, title).toMatch(new RegExp(`(^|\\s)${title}(\\s|$)`));
      }
    });

    it("cuts a subject longer than a page, says where the rest is, and numbers every page", async () => {
      const report: ChangeLogReport = structuredClone(clean.report);
      const target = report.branches[0]?.changes[5];
      if (!target) throw new Error("no sixth change");
      target.subject = `HUGE-START ${"word ".repeat(3000)}HUGE-END`;
      const pdf = path.join(root, "huge.pdf");
      await renderChangeLogPdf(report, pdf);
      const text = pdfText(pdf);
      checkPageFooters(pdf, report.title, text);
      expect(text).toContain("HUGE-START");
      expect(text).not.toContain("HUGE-END");
      expect(squash(text)).toContain(squash("more characters in changes.json"));
    });

    // A row taller than a page would run off it and scatter its cells over several pages.
    it("keeps a change's commit id and author on the same page however long its subject", async () => {
      const report: ChangeLogReport = structuredClone(clean.report);
      const target = report.branches[0]?.changes[5];
      if (!target) throw new Error("no sixth change");
      target.subject = `HUGE-START ${"word ".repeat(3000)}HUGE-END`;
      const pdf = path.join(root, "huge-row.pdf");
      await renderChangeLogPdf(report, pdf);
      const pages = pagesOf(pdfText(pdf));
      const shaPage = pages.findIndex((p) => p.includes(target.sha.slice(0, 12)));
      expect(shaPage).toBeGreaterThanOrEqual(0);
      expect(pages[shaPage]).toContain(`<${target.author.email}>`);
    });

    it("has the report's metadata", () => {
      const info = tool("pdfinfo", [clean.pdf]);
      expect(info).toMatch(/^Title:\s+Change log 2026Q3$/m);
      expect(info).toMatch(/^Subject:\s+Change management evidence, period 2026Q3$/m);
    });
  });

  describe("JSON population and manifest", () => {
    it("lists every first-parent change of the period and nothing else", () => {
      const shas = allChanges(clean.json).map((c) => c.sha);
      expect(shas).toEqual(hostile.inPeriod);
      expect(clean.json.totals.changes).toBe(hostile.inPeriod.length);
      expect(clean.json.totals.merges).toBe(1);
      expect(clean.json.totals.singleParent).toBe(hostile.inPeriod.length - 1);
      expect(clean.json).toEqual(JSON.parse(JSON.stringify(clean.report)));
      // The hostile values survive as data.
      const bySubject = new Map(allChanges(clean.json).map((c) => [c.subject, c]));
      expect(bySubject.get(LONG_SUBJECT)?.author.name).toBe(CJK2);
      expect(bySubject.get("Crafted object with raw HTML identities")?.author.name).toBe(SCRIPT);
      expect(bySubject.get("Crafted object with raw HTML identities")?.committer.name).toBe(IMG);
      expect(bySubject.get(`Template ${CTOR} and {{#each this}}x{{/each}} (#7)`)?.claimedPullRequest).toBe(7);
      expect(bySubject.get(`Merge pull request #12 from evil/${SCRIPT}`)).toMatchObject({
        kind: "merge",
        claimedPullRequest: 12,
        committer: GITHUB_WEB,
      });
    });

    it("records the SHA-256 and size of every file it wrote", () => {
      for (const w of [clean, withGap, afterRewrite]) {
        const manifest = JSON.parse(readFileSync(path.join(w.dir, "manifest.json"), "utf8")) as {
          tool: string;
          period: { label: string };
          ledgerHead: string | null;
          files: { file: string; sha256: string; bytes: number }[];
        };
        expect(manifest.tool).toBe("changeproof");
        expect(manifest.period.label).toBe(PERIOD);
        expect(manifest.ledgerHead).toBe(w.report.coverage.ledger.head);
        expect(manifest.ledgerHead).toMatch(/^[0-9a-f]{64}$/);
        expect(manifest.files.map((f) => f.file)).toEqual(["changes.html", "changes.json", "changes.pdf"]);
        for (const f of manifest.files) {
          const file = path.join(w.dir, f.file);
          expect(sha256(file)).toBe(f.sha256);
          expect(readFileSync(file).length).toBe(f.bytes);
        }
        expect(readdirSync(w.dir).sort()).toEqual(["changes.html", "changes.json", "changes.pdf", "manifest.json"]);
      }
    });
  });

  describe("history rewrite", () => {
    it("has no rewrite section before the branch was force-moved", () => {
      expect(clean.report.rewrites).toEqual([]);
      expect(clean.html).not.toContain("History rewrites on protected branches");
      expect(clean.pdfText).not.toContain("History rewrites on protected branches");
    });

    it("shows the rewrite, its tips and the dropped commits after a force-move between collections", () => {
      const r = afterRewrite.report;
      expect(r.rewrites).toHaveLength(1);
      expect(r.rewrites[0]).toMatchObject({
        repo: "evil/hostile",
        branch: "main",
        oldTip: rewrite.oldTip,
        newTip: rewrite.newTip,
        oldTipPresent: true,
      });
      // The post-period commit was dropped too, but only the period's two are in this report.
      expect(r.rewrites[0]?.droppedCommits).toBe(3);
      expect(r.totals.rewrites).toBe(1);
      expect(r.totals.removed).toBe(2);
      const removed = allChanges(r)
        .filter((c) => c.removedAt !== null)
        .map((c) => c.sha);
      expect(removed).toEqual(rewrite.dropped);
      expect(allChanges(r).map((c) => c.sha)).toContain(rewrite.newTip);

      expect(afterRewrite.html).toContain("<h2>History rewrites on protected branches</h2>");
      expect(afterRewrite.html).toContain(rewrite.oldTip.slice(0, 12));
      expect(afterRewrite.html).toContain(rewrite.newTip.slice(0, 12));
      expect(afterRewrite.html).toMatch(/DROPPED from the branch by a rewrite observed 2026-10-01T07:00:00.000Z/);
      expect(afterRewrite.html).toMatch(/<tr class="kind-single-parent dropped">/);
      expect(afterRewrite.pdfText).toContain("History rewrites on protected branches");
      expect(afterRewrite.pdfText).toContain(rewrite.oldTip.slice(0, 12));
      expect(afterRewrite.pdfText).toContain(rewrite.newTip.slice(0, 12));
      expect(squash(afterRewrite.pdfText)).toContain(
        squash("Commits later dropped from their branch by a rewrite: 2; history rewrites observed: 1"),
      );
    });
  });
});

// ---------------------------------------------------------------------------------------------
// The demo organisation

describe("change-log report of the demo organisation", () => {
  const root = tempDir("changeproof-demo-report-");
  let w: Written;
  let moved: { oldTip: string; newTip: string };
  let bobSigned: string;

  beforeAll(async () => {
    const org = buildDemoOrg(path.join(root, "org"));
    bobSigned = org.app.head("fix/rounding");
    const db = openStore(path.join(root, "demo.db"));
    const repos = [
      repoConfig("acme/payments-api", org.app.dir, "app"),
      repoConfig("acme/platform-gitops", org.gitops.dir, "gitops"),
    ];
    const collect = async (iso: string): Promise<void> => {
      for (const r of repos) {
        await collectGitRepo(db, r, { cacheDir: path.join(root, "cache"), log: silentLogger, now: () => d(iso) });
      }
    };
    await collect("2026-10-01T01:00:00Z");
    moved = forcePushGitops(org);
    await collect("2026-10-01T02:00:00Z");
    w = await render(
      db,
      DEMO_PERIOD,
      repos.map((r) => r.name),
      d("2026-10-02T00:00:00Z"),
      path.join(root, "out"),
    );
    db.close();
  });

  const change = (repo: string, subject: string): Change | undefined =>
    w.report.branches.find((b) => b.repo === repo)?.changes.find((c) => c.subject === subject);

  it("is complete: both repositories collected after the quarter, ledger intact", () => {
    expect(w.report.coverage.gaps).toEqual([]);
    expect(w.report.coverage.ledger).toMatchObject({ intact: true, sealed: 4 });
    expect(w.pdfText).toContain("No gaps");
    checkPageFooters(w.pdf, w.report.title, w.pdfText);
  });

  it("shows the direct pushes as single-parent", () => {
    for (const [repo, subject] of [
      ["acme/payments-api", "hotfix: raise upstream timeout"],
      ["acme/platform-gitops", "Scale payments to 6 replicas during incident"],
      ["acme/platform-gitops", "Update image payments-api to 1.2.0"],
    ] as const) {
      expect(change(repo, subject), subject).toMatchObject({ kind: "single-parent", claimedPullRequest: null });
    }
    expect(change("acme/payments-api", "hotfix: raise upstream timeout")?.author.name).toBe("Carol Platform");
    expect(w.html).toMatch(
      /<td class="kind">single-parent \(possible direct push\)<\/td>\s*<td class="subject">hotfix: raise upstream timeout/,
    );
  });

  it("shows the merge commits as merges naming their pull request", () => {
    for (const [repo, subject, pr] of [
      ["acme/payments-api", "Merge pull request #1 from acme/feature/ledger", 1],
      ["acme/payments-api", "Merge pull request #4 from acme/fix/rounding", 4],
      ["acme/platform-gitops", "Merge pull request #11 from acme/release/1.1.0", 11],
    ] as const) {
      expect(change(repo, subject), subject).toMatchObject({ kind: "merge", claimedPullRequest: pr });
    }
    expect(w.html).toContain('<td class="kind">merge commit; subject cites PR #4 (unverified)</td>');
    // Squash merges look like direct pushes in git; their (#N) is only a claim.
    expect(change("acme/payments-api", "Add idempotency keys (#2)")).toMatchObject({
      kind: "single-parent",
      claimedPullRequest: 2,
      coAuthors: [{ name: "Dave Contractor", email: "dave@contractor.example" }],
    });
    expect(w.report.totals).toMatchObject({ merges: 3, rewrites: 1 });
  });

  it("records Bob's SSH-signed commit with signature 'ssh'", () => {
    expect(bobSigned).toMatch(/^[0-9a-f]{40}$/);
    const stored = openStore(path.join(root, "demo.db"));
    try {
      expect(stored.prepare("SELECT signature, subject FROM commits WHERE sha = ?").get(bobSigned)).toEqual({
        signature: "ssh",
        subject: "Fix rounding of refunds",
      });
    } finally {
      stored.close();
    }
  });

  // Bob's signed commit is inside a merged PR (not first-parent); Carol's signed direct push is
  // on main itself, so the change log (first-parent population) must show it as signed.
  it("shows the SSH-signed direct push in the report with signature 'ssh'", () => {
    const signed = w.report.branches.flatMap((b) => b.changes).filter((c) => c.signature === "ssh");
    expect(signed.map((c) => c.subject)).toEqual(["hotfix: raise upstream timeout"]);
    expect(signed[0]?.kind).toBe("single-parent");
    expect(w.html).toMatch(/<td>ssh<\/td>/);
  });

  it("shows exactly one rewrite, on acme/platform-gitops main", () => {
    expect(w.report.rewrites).toHaveLength(1);
    expect(w.report.rewrites[0]).toMatchObject({
      repo: "acme/platform-gitops",
      branch: "main",
      oldTip: moved.oldTip,
      newTip: moved.newTip,
      droppedCommits: 1,
      notBefore: "2026-10-01T01:00:00.000Z",
      observedAt: "2026-10-01T02:00:00.000Z",
    });
    expect(change("acme/platform-gitops", "payments-api 1.3.0 (#12)")?.removedAt).toBe("2026-10-01T02:00:00.000Z");
    expect(change("acme/platform-gitops", "payments-api 1.3.0 with debug logging")?.removedAt).toBeNull();
    expect(w.report.branches.find((b) => b.repo === "acme/payments-api")?.removed).toBe(0);
    const rows = /<h2>History rewrites on protected branches<\/h2>[\s\S]*?<tbody>([\s\S]*?)<\/tbody>/.exec(w.html);
    expect(rows?.[1]?.match(/<tr>/g)).toHaveLength(1);
    expect(rows?.[1]).toContain("acme/platform-gitops");
    expect(w.pdfText).toContain("history rewrites observed: 1");
  });
});
