import path from "node:path";
import { pathToFileURL } from "node:url";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium } from "../helpers/browser.js";
import { runCli } from "../helpers/cli.js";
import { tempDir } from "../helpers/tmp.js";

/** Runs in the page: one computed style property (this project's types have no DOM, hence the cast). */
function computedStyle(el: unknown, prop: string): string {
  const page = globalThis as unknown as { getComputedStyle(e: unknown): Record<string, string> };
  return page.getComputedStyle(el)[prop] ?? "";
}

/** The demo's HTML report opened from a folder in real headless Chromium, as an auditor would. */
describe("HTML report in a browser", () => {
  const dir = tempDir();
  let browser: Browser;
  let html: string;

  beforeAll(async () => {
    const r = runCli(["demo", "-o", dir, "-q"]);
    expect(r.status, r.stderr).toBe(0);
    html = path.join(dir, "demo", "2026Q3", "changes.html");
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
    expect(await banner.innerText()).toContain("Evidence is incomplete");
    expect(await banner.innerText()).toContain(
      "flux-helmrelease prod/ingress/ingress-nginx: 2 history entries were dropped",
    );
    expect(problems).toEqual([]);
    expect(requests).toEqual([pathToFileURL(html).href]);
    await page.close();
  });

  it("shows each change once, the dropped one struck through, the signed direct push as ssh", async () => {
    const page = await browser.newPage();
    await page.goto(pathToFileURL(html).href);
    expect(await page.locator("table.changes tbody tr").count()).toBe(11);
    const dropped = page.locator("tr.dropped td.subject");
    expect(await dropped.innerText()).toBe("payments-api 1.3.0 (#12)");
    expect(await dropped.evaluate(computedStyle, "textDecorationLine")).toBe("line-through");
    const hotfix = page.locator("tr", { hasText: "hotfix: raise upstream timeout" });
    expect(await hotfix.locator("td").nth(5).innerText()).toBe("ssh");
    await page.close();
  });
});
