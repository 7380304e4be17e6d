import { existsSync, readFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PAYMENTS_IMAGE } from "../../src/demo/org.js";
import { parsePeriod } from "../../src/period.js";
import type { ChangeRow } from "../../src/reports/change-rows.js";
import { ExportWriter } from "../../src/reports/export-writer.js";
import { pageOf, writeHtmlExport } from "../../src/reports/html/export.js";
import { loadTemplates } from "../../src/reports/html/templates.js";
import { openStore } from "../../src/store/db.js";
import { launchChromium } from "../helpers/browser.js";
import { runCli } from "../helpers/cli.js";
import { buildHeldReport, type HeldReport, memoryPopulations } from "../helpers/report.js";
import { tempDir } from "../helpers/tmp.js";

/** Runs in the page: one computed style property (this project's types have no DOM, hence the cast). */
function computedStyle(el: unknown, prop: string): string {
  const page = globalThis as unknown as { getComputedStyle(e: unknown): Record<string, string> };
  return page.getComputedStyle(el)[prop] ?? "";
}

/** A page that records what the console and the network saw, and every dialog (none may open). */
async function watched(
  browser: Browser,
): Promise<{ page: Page; problems: string[]; requests: string[]; dialogs: string[] }> {
  const page = await browser.newPage();
  const problems: string[] = [];
  const requests: string[] = [];
  const dialogs: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error" || m.type() === "warning") problems.push(m.text());
  });
  page.on("pageerror", (e) => problems.push(e.message));
  page.on("request", (req) => requests.push(req.url()));
  page.on("dialog", (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  return { page, problems, requests, dialogs };
}

/** The table's rows as shown, cell texts. */
async function shownRows(page: Page, table: string): Promise<string[][]> {
  return page
    .locator(`table.${table} tbody tr`)
    .evaluateAll((trs) =>
      trs.map((tr) =>
        Array.from((tr as unknown as { cells: ArrayLike<{ textContent: string | null }> }).cells).map(
          (td) => td.textContent ?? "",
        ),
      ),
    );
}

const ready = (page: Page, table: string) =>
  page.locator(`table.${table}[data-state="ready"]`).waitFor({ state: "attached", timeout: 30_000 });

/**
 * The demo's HTML export opened from a folder in real headless Chromium, as an auditor would. The
 * demo's story (which change gets which verdict) grows: the pages are checked against the change
 * population written beside them (changes.json), not against the story's details.
 */
describe("HTML export in a browser", () => {
  const dir = tempDir();
  let browser: Browser;
  let report: string;
  let changes: ChangeRow[];
  let held: HeldReport;

  beforeAll(async () => {
    const r = runCli(["demo", "-o", dir, "-q"]);
    expect(r.status, r.stderr).toBe(0);
    report = path.join(dir, "demo", "2026Q3");
    changes = (JSON.parse(readFileSync(path.join(report, "changes.json"), "utf8")) as { changes: ChangeRow[] }).changes;
    const db = openStore(path.join(dir, "demo", "changeproof.db"), { readonly: true });
    try {
      held = buildHeldReport(
        db,
        parsePeriod("2026Q3"),
        ["acme/payments-api", "acme/platform-gitops"],
        new Date(),
        { githubOrg: "acme", clusters: ["prod"] },
        { people: [], exceptions: [], images: new Map([["acme/payments-api", [PAYMENTS_IMAGE]]]) },
      );
    } finally {
      db.close();
    }
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  const url = (f: string): string => pathToFileURL(path.join(report, f)).href;

  it("renders the index under its CSP with nothing refused and no request leaving the folder", async () => {
    const { page, problems, requests } = await watched(browser);
    await page.goto(url("index.html"));
    expect(await page.title()).toBe("Change log 2026Q3");
    // The stylesheet is the folder's own (style-src 'self'): if the CSP refused it, no border.
    const banner = page.locator("#gaps");
    expect(await banner.evaluate(computedStyle, "borderTopStyle")).toBe("solid");
    // The demo cluster dropped Helm history between its two reads: the summary says so.
    const [gaps] = await banner.allInnerTexts();
    expect(gaps).toContain("Evidence is incomplete");
    expect(gaps).toContain("flux-helmrelease prod/ingress/ingress-nginx: 2 history entries were dropped");
    expect(gaps).not.toContain("cannot be judged");
    // The weekly chart is drawn (inline SVG, no style attribute the CSP would refuse): one bar
    // segment per week and review verdict that had changes, every change counted once.
    const segments = page.locator("figure.chart svg rect title");
    const counted = (await segments.allTextContents()).map((t) => Number(/: (\d+) /.exec(t)?.[1] ?? 0));
    expect(counted.reduce((a, b) => a + b, 0)).toBe(changes.length);
    // The deployment timeline: one mark per deployment of the period, and the Helm history the
    // cluster dropped as a span on its target's lane; the collection timeline: the runs that read it.
    const deployments = page.locator("#deployments ~ figure.timeline").first();
    expect(await deployments.locator("rect.mark").count()).toBe(held.deployments.deployments.length);
    expect(await deployments.locator("rect.gap title").allTextContents()).toEqual([
      expect.stringContaining("dropped by the cluster"),
    ]);
    const collection = page.locator("#collection ~ figure.timeline").first();
    expect(await collection.locator("rect.mark.run").count()).toBeGreaterThan(0);
    expect(await collection.locator("rect.gap").count()).toBe(1);
    expect(problems).toEqual([]);
    expect(requests.sort()).toEqual([url("assets/report.css"), url("index.html")].sort());
    await page.close();
  });

  it("shows every change once in the table, in the population's order, the dropped ones struck through", async () => {
    const { page, problems, requests } = await watched(browser);
    await page.goto(url("changes.html"));
    await ready(page, "changes");
    const rows = await shownRows(page, "changes");
    expect(rows.map((r) => r[0])).toEqual(changes.map((c) => c.id));
    expect(await page.locator(".status").innerText()).toBe(`Rows 1–${changes.length} of ${changes.length}`);
    const dropped = changes.filter((c) => c.droppedAt !== null);
    expect(dropped.length).toBeGreaterThan(0);
    const struck = page.locator("tr.dropped td.subject");
    expect(await struck.allInnerTexts()).toEqual(dropped.map((c) => c.title));
    expect(await struck.first().evaluate(computedStyle, "textDecorationLine")).toBe("line-through");
    expect(
      await page
        .locator("table.changes tbody tr:not(.dropped) td.subject")
        .first()
        .evaluate(computedStyle, "textDecorationLine"),
    ).toBe("none");
    expect(problems).toEqual([]);
    // Only the folder's own files: the page, its stylesheet and script, and the data.
    for (const r of requests) expect(r.startsWith(pathToFileURL(report).href)).toBe(true);
    await page.close();
  });

  it("searches, filters and sorts the changes table", async () => {
    const { page, problems } = await watched(browser);
    await page.goto(url("changes.html"));
    await ready(page, "changes");
    const ids = async (): Promise<string[]> => (await shownRows(page, "changes")).map((r) => r[0] ?? "");

    // Search: every word, in any column, case-insensitively.
    const target = changes.find((c) => c.title.split(" ").length > 2);
    if (!target) throw new Error("no change with a three-word title");
    await page.locator("input[type=search]").fill(target.title.toUpperCase());
    await expect
      .poll(ids)
      .toEqual(changes.filter((c) => c.title.toUpperCase().includes(target.title.toUpperCase())).map((c) => c.id));
    expect(await page.locator(".status").innerText()).toContain(`(filtered from ${changes.length})`);
    await page.locator("input[type=search]").fill("");

    // Filter: the direct pushes; then those of one repository.
    await page.locator("select[data-col='4']").selectOption("direct push");
    await expect.poll(ids).toEqual(changes.filter((c) => c.kind === "direct-push").map((c) => c.id));
    await page.locator("select[data-col='2']").selectOption("acme/platform-gitops");
    await expect
      .poll(ids)
      .toEqual(changes.filter((c) => c.kind === "direct-push" && c.repo === "acme/platform-gitops").map((c) => c.id));
    await page.locator("select[data-col='4']").selectOption("");
    await page.locator("select[data-col='2']").selectOption("");
    // A finding: C1 not-reviewed (a change's findings are one cell).
    await page.locator("select[data-col='8']").selectOption("C1 not-reviewed");
    await expect.poll(ids).toEqual(changes.filter((c) => c.exceptions.includes("C1 not-reviewed")).map((c) => c.id));
    await page.locator("select[data-col='8']").selectOption("");

    // Sort: by landing time, newest first, then oldest first.
    const byLanding = [...changes].sort((a, b) => (a.landedAt < b.landedAt ? -1 : a.landedAt > b.landedAt ? 1 : 0));
    const landed = page.locator("table.changes thead th").nth(1).locator("button");
    await landed.click();
    await expect
      .poll(async () => (await shownRows(page, "changes")).map((r) => r[1]))
      .toEqual(byLanding.map((c) => c.landedAt.replace("T", " ").slice(0, 16)));
    await landed.click();
    expect(await page.locator("table.changes thead th").nth(1).getAttribute("aria-sort")).toBe("descending");
    await expect
      .poll(async () => (await shownRows(page, "changes")).map((r) => r[1]))
      .toEqual(byLanding.reverse().map((c) => c.landedAt.replace("T", " ").slice(0, 16)));
    expect(problems).toEqual([]);
    await page.close();
  });

  it("opens a change's page with its evidence chain and follows its links", async () => {
    const { page, problems } = await watched(browser);
    await page.goto(url("changes.html"));
    await ready(page, "changes");
    const pr = changes.find((c) => c.pullRequest !== null && c.pullRequest.approvals.length > 0);
    if (!pr) throw new Error("no approved pull request in the demo");
    await page.getByRole("link", { name: pr.id, exact: true }).click();
    expect(page.url()).toBe(url(pageOf("change", pr.id)));
    expect(await page.locator("h1").innerText()).toBe(pr.id);
    // The approvals, with the commit each was given on.
    const approvals = await page.locator("table.approvals tbody tr").allInnerTexts();
    expect(approvals).toHaveLength(pr.pullRequest?.approvals.length ?? -1);
    for (const [i, a] of (pr.pullRequest?.approvals ?? []).entries()) {
      expect(approvals[i]).toContain(a.commit ?? "(GitHub names no commit)");
    }
    // Every verdict, and each commit linked to GitHub without a referrer.
    expect(await page.locator("table.verdicts tbody tr").count()).toBe(pr.verdicts.length);
    const gh = page.locator("a", { hasText: "https://github.com/" });
    expect(await gh.getAttribute("href")).toBe(pr.url);
    expect(await gh.getAttribute("rel")).toBe("noreferrer");
    const commitLinks = page.locator("ul.commits a");
    expect(await commitLinks.count()).toBe(pr.commits.length);
    for (const [i, sha] of pr.commits.entries()) {
      expect(await commitLinks.nth(i).getAttribute("href")).toBe(`https://github.com/${pr.repo}/commit/${sha}`);
    }
    // Back to the table, and to the summary.
    await page.locator("a", { hasText: "All changes" }).click();
    expect(page.url()).toBe(url("changes.html"));
    await page.locator("nav a", { hasText: "Summary" }).click();
    expect(page.url()).toBe(url("index.html"));
    // A deployment that introduced a GitOps change links back to it.
    const gitops = changes.find((c) =>
      held.deployments.deployments.some((d) => d.introduced?.changes.some((x) => x.id === c.id)),
    );
    if (!gitops) throw new Error("no change a deployment introduced");
    await page.goto(url(pageOf("change", gitops.id)));
    await page.locator("h2:has-text('Deployments that introduced it') + ul a").first().click();
    expect(page.url()).toMatch(/\/deployment\/[0-9a-f]{24}\.html$/);
    await page.getByRole("link", { name: gitops.id, exact: true }).first().click();
    expect(page.url()).toBe(url(pageOf("change", gitops.id)));
    expect(problems).toEqual([]);
    await page.close();
  });

  // A bucket serves the folder over HTTP: the same pages, scripts and data, the same CSP ('self').
  it("works the same served over HTTP, as from a bucket", async () => {
    const types: Record<string, string> = { ".html": "text/html", ".js": "text/javascript", ".css": "text/css" };
    const server = createServer((req, res) => {
      const file = path.join(report, decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname));
      if (!file.startsWith(report) || !existsSync(file)) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { "content-type": types[path.extname(file)] ?? "application/octet-stream" });
      res.end(readFileSync(file));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const { page, problems, requests } = await watched(browser);
      await page.goto(`http://127.0.0.1:${port}/changes.html`);
      await ready(page, "changes");
      expect((await shownRows(page, "changes")).map((r) => r[0])).toEqual(changes.map((c) => c.id));
      await page.getByRole("link", { name: changes[0]?.id ?? "", exact: true }).click();
      expect(await page.locator("h1").innerText()).toBe(changes[0]?.id);
      expect(problems).toEqual([]);
      for (const r of requests) expect(r.startsWith(`http://127.0.0.1:${port}/`)).toBe(true);
      await page.close();
    } finally {
      server.close();
    }
  });

  it("downloads the CSV the table offers, byte for byte the report's", async () => {
    const { page } = await watched(browser);
    await page.goto(url("changes.html"));
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.locator("a[download]", { hasText: "changes.csv" }).first().click(),
    ]);
    const saved = path.join(dir, "downloaded.csv");
    await download.saveAs(saved);
    expect(readFileSync(saved)).toEqual(readFileSync(path.join(report, "changes.csv")));
    await page.close();
  });

  it("browses findings, deployments and people the same way", async () => {
    for (const table of ["findings", "deployments", "people"]) {
      const { page, problems } = await watched(browser);
      await page.goto(url(`${table}.html`));
      await ready(page, table);
      const rows = await shownRows(page, table);
      expect(rows.length, table).toBeGreaterThan(0);
      const first = page.locator(`table.${table} tbody tr`).first().locator("a").first();
      if ((await first.count()) > 0) {
        await first.click();
        expect(page.url()).toMatch(/\/(change|deployment|person)\/[0-9a-f]{24}\.html$/);
      }
      expect(problems, table).toEqual([]);
      await page.close();
    }
    const png = await (async () => {
      const { page } = await watched(browser);
      await page.setViewportSize({ width: 1280, height: 900 });
      await page.goto(url("findings.html"));
      await ready(page, "findings");
      const shot = await page.screenshot({ fullPage: true });
      await page.close();
      return shot;
    })();
    // A PNG, taller than the viewport: the table rendered.
    expect(png.subarray(1, 4).toString()).toBe("PNG");
    expect(png.readUInt32BE(20)).toBeGreaterThan(900);
  });

  describe("with hostile and huge values", () => {
    const hostile = path.join(dir, "hostile");
    const HOSTILE = [
      '<img src=x onerror="alert(1)">',
      "</script><script>alert(2)</script>",
      "{{constructor.constructor('alert(3)')()}}",
      "javascript:alert(4)",
      "Harmless \u202Etxt.exe subject",
    ];
    const HUGE = `HUGE-START ${"x".repeat(1_000_000)} HUGE-END`;
    let rows: ChangeRow[];

    beforeAll(() => {
      const base = held.changes[0];
      if (!base) throw new Error("no change");
      const make = (i: number, title: string, extra: Partial<ChangeRow> = {}): ChangeRow => ({
        ...structuredClone(base),
        id: `evil/repo#${1000 + i}`,
        repo: "evil/repo",
        title,
        author: title,
        ...extra,
      });
      rows = [
        ...HOSTILE.map((t, i) => make(i, t, { url: i === 3 ? "javascript:alert(5)" : base.url })),
        make(10, HUGE),
        // Enough rows for three pages of a hundred.
        ...Array.from({ length: 240 }, (_, i) => make(100 + i, `Routine change ${i}`)),
      ];
      writeHtmlExport({
        model: { ...held.model, totals: { ...held.model.totals, changes: rows.length } },
        populations: memoryPopulations(rows, held.findings),
        templates: loadTemplates(),
        out: new ExportWriter(hostile),
      });
    });

    it("shows every hostile string as inert text: no dialog, no error, nothing loaded", async () => {
      const { page, problems, requests, dialogs } = await watched(browser);
      await page.goto(pathToFileURL(path.join(hostile, "changes.html")).href);
      await ready(page, "changes");
      const shown = await shownRows(page, "changes");
      for (const [i, t] of HOSTILE.entries()) {
        const expected = t.replace("\u202E", "⟨U+202E⟩");
        expect(shown[i]?.[5]).toBe(expected);
        expect(shown[i]?.[6]).toBe(expected);
      }
      expect(await page.locator("table.changes img, table.changes script").count()).toBe(0);
      for (const [i] of HOSTILE.entries()) {
        const { page: p, dialogs: d, problems: pr } = await watched(browser);
        await p.goto(pathToFileURL(path.join(hostile, pageOf("change", rows[i]?.id ?? ""))).href);
        expect(await p.locator("p.title").innerText()).toBe(HOSTILE[i]?.replace("\u202E", "⟨U+202E⟩"));
        // The javascript: address is no link.
        expect(await p.locator("a[href^='javascript']").count()).toBe(0);
        expect(d).toEqual([]);
        expect(pr).toEqual([]);
        await p.close();
      }
      expect(dialogs).toEqual([]);
      expect(problems).toEqual([]);
      for (const r of requests) expect(r.startsWith(pathToFileURL(hostile).href)).toBe(true);
      await page.close();
    });

    it("lays out a 1 MB subject at once: cut in the table and on its page, whole in the JSON", async () => {
      const { page, problems } = await watched(browser);
      await page.goto(pathToFileURL(path.join(hostile, "changes.html")).href, { timeout: 20_000 });
      await ready(page, "changes");
      const cell = (await shownRows(page, "changes"))[HOSTILE.length]?.[5] ?? "";
      expect(cell.startsWith("HUGE-START")).toBe(true);
      expect(cell).toContain("more]");
      expect(cell.length).toBeLessThan(300);
      await page.goto(pathToFileURL(path.join(hostile, pageOf("change", rows[HOSTILE.length]?.id ?? ""))).href, {
        timeout: 20_000,
      });
      const title = await page.locator("p.title").innerText();
      expect(title).toContain("the whole title is in changes.json");
      expect(title).not.toContain("HUGE-END");
      expect(problems).toEqual([]);
      await page.close();
    });

    it("pages through rows a hundred at a time", async () => {
      const { page } = await watched(browser);
      await page.goto(pathToFileURL(path.join(hostile, "changes.html")).href);
      await ready(page, "changes");
      const ids = async (): Promise<string[]> => (await shownRows(page, "changes")).map((r) => r[0] ?? "");
      expect(await ids()).toEqual(rows.slice(0, 100).map((r) => r.id));
      expect(await page.locator("button.prev").isDisabled()).toBe(true);
      await page.locator("button.next").click();
      expect(await ids()).toEqual(rows.slice(100, 200).map((r) => r.id));
      await page.locator("button.next").click();
      expect(await ids()).toEqual(rows.slice(200).map((r) => r.id));
      expect(await page.locator("button.next").isDisabled()).toBe(true);
      expect(await page.locator(".status").innerText()).toBe(`Rows 201–${rows.length} of ${rows.length}`);
      await page.locator("button.prev").click();
      expect(await ids()).toEqual(rows.slice(100, 200).map((r) => r.id));
      await page.close();
    });
  });
});
