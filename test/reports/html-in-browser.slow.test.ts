import { readFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ChangeRow } from "../../src/reports/change-rows.js";
import { launchChromium } from "../helpers/browser.js";
import { runCli } from "../helpers/cli.js";
import { tempDir } from "../helpers/tmp.js";

/** Runs in the page: one computed style property (this project's types have no DOM, hence the cast). */
function computedStyle(el: unknown, prop: string): string {
  const page = globalThis as unknown as { getComputedStyle(e: unknown): Record<string, string> };
  return page.getComputedStyle(el)[prop] ?? "";
}

/**
 * The demo's HTML report opened from a folder in real headless Chromium, as an auditor would. The
 * demo's story (which change gets which verdict) grows: the page is checked against the change
 * population written beside it (changes.json), not against the story's details.
 */
describe("HTML report in a browser", () => {
  const dir = tempDir();
  let browser: Browser;
  let html: string;
  let changes: ChangeRow[];

  beforeAll(async () => {
    const r = runCli(["demo", "-o", dir, "-q"]);
    expect(r.status, r.stderr).toBe(0);
    const report = path.join(dir, "demo", "2026Q3");
    html = path.join(report, "index.html");
    changes = (JSON.parse(readFileSync(path.join(report, "changes.json"), "utf8")) as { changes: ChangeRow[] }).changes;
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it("renders with its own stylesheet allowed by the CSP, with no request leaving the page", async () => {
    const page = await browser.newPage();
    const problems: string[] = [];
    const requests: string[] = [];
    page.on("console", (m) => {
      if (m.type() === "error" || m.type() === "warning") problems.push(m.text());
    });
    page.on("pageerror", (e) => problems.push(e.message));
    page.on("request", (req) => requests.push(req.url()));
    await page.goto(pathToFileURL(html).href);
    expect(await page.title()).toBe("Change log 2026Q3");
    // The CSP allows the inline stylesheet by hash: if the hash were wrong, styles would be blocked.
    const banner = page.locator("#gaps");
    expect(await banner.evaluate(computedStyle, "borderTopStyle")).toBe("solid");
    // The demo cluster dropped Helm history between its two reads: the cover says so.
    const [gaps] = await banner.allInnerTexts();
    expect(gaps).toContain("Evidence is incomplete");
    expect(gaps).toContain("flux-helmrelease prod/ingress/ingress-nginx: 2 history entries were dropped");
    // GitHub was collected for both repositories: every change could be judged.
    expect(gaps).not.toContain("cannot be judged");
    // The weekly chart is drawn (inline SVG, no style attribute the CSP would refuse): one bar
    // segment per week and review verdict that had changes, every change counted once.
    const segments = page.locator("figure.chart svg rect title");
    const counted = (await segments.allTextContents()).map((t) => Number(/: (\d+) /.exec(t)?.[1] ?? 0));
    expect(counted.reduce((a, b) => a + b, 0)).toBe(changes.length);
    expect(await page.locator("figure.chart svg").evaluate((e) => e.getBoundingClientRect().height)).toBeGreaterThan(
      100,
    );
    expect(problems).toEqual([]);
    expect(requests).toEqual([pathToFileURL(html).href]);
    await page.close();
  });

  it("shows each change once, in the population's order, the dropped ones struck through", async () => {
    const page = await browser.newPage();
    await page.goto(pathToFileURL(html).href);
    const rows = page.locator("table.changes tbody tr");
    expect(changes.length).toBeGreaterThan(0);
    expect(await rows.count()).toBe(changes.length);
    const ids = await page.locator("table.changes tbody tr td.id").allInnerTexts();
    expect(ids).toEqual(changes.map((c) => c.id));
    expect(new Set(ids).size).toBe(ids.length);

    const dropped = changes.filter((c) => c.droppedAt !== null);
    expect(dropped.length).toBeGreaterThan(0);
    const struck = page.locator("tr.dropped td.subject");
    expect(await struck.allInnerTexts()).toEqual(dropped.map((c) => c.title));
    for (let i = 0; i < dropped.length; i++) {
      expect(await struck.nth(i).evaluate(computedStyle, "textDecorationLine")).toBe("line-through");
    }
    for (const c of dropped) {
      const row = page.locator("table.changes tbody tr", { has: page.locator("td.id", { hasText: c.id }) });
      expect(await row.locator("td.kind").allInnerTexts()).toEqual([
        expect.stringContaining(`DROPPED from the branch by a rewrite observed ${c.droppedAt}`),
      ]);
    }
    const kept = page.locator("table.changes tbody tr:not(.dropped) td.subject");
    expect(await kept.count()).toBe(changes.length - dropped.length);
    expect(await kept.first().evaluate(computedStyle, "textDecorationLine")).toBe("none");
    await page.close();
  });

  it("shows each change's kind and findings, and links pull requests to GitHub without a referrer", async () => {
    const page = await browser.newPage();
    await page.goto(pathToFileURL(html).href);
    const rows = page.locator("table.changes tbody tr");
    expect(changes.some((c) => c.kind === "direct-push")).toBe(true);
    expect(changes.some((c) => c.pullRequest !== null)).toBe(true);
    for (const [i, c] of changes.entries()) {
      // As rendered: a <br> reads as a line break.
      const cells = rows.nth(i).locator("td");
      const [, id, kind, title, who, findings] = await cells.allInnerTexts();
      expect(id).toBe(c.id);
      expect(kind?.split("\n")[0]).toBe(c.kindLabel);
      expect(title).toBe(c.title);
      expect(who).toBe(`${c.author}\n${c.mergedBy}`);
      expect(findings?.split("\n")).toEqual(c.exceptions.length > 0 ? c.exceptions : ["none"]);
      if (c.kind === "direct-push") expect(c.exceptions, c.id).toContain("C7 direct-push");
      const link = cells.nth(1).locator("a");
      if (c.pullRequest === null) {
        expect(await link.count(), c.id).toBe(0);
      } else {
        expect(c.exceptions, c.id).not.toContain("C7 direct-push");
        expect(c.url, c.id).toMatch(/^https:\/\/github\.com\//);
        expect(await link.getAttribute("href"), c.id).toBe(c.url);
        expect(await link.getAttribute("rel"), c.id).toBe("noreferrer");
      }
    }
    await page.close();
  });
});
