import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import Handlebars from "handlebars";
import { CONFLICT_TEXT } from "../../evidence/duties.js";
import { packageRoot } from "../../version.js";
import { weeklyReviewSvg } from "../charts/weekly-review.js";
import { plural } from "../labels.js";
import type { ChangeLogReport } from "../model.js";
import { presentable } from "../presentable.js";

/**
 * The change log as one self-contained HTML page: no external assets, a CSP that allows only the
 * page's own stylesheet (by hash), and every value from git escaped by handlebars' {{ }}.
 */

function template(name: string): string {
  return readFileSync(new URL(`templates/${name}`, packageRoot), "utf8");
}

export function renderChangeLogHtml(report: ChangeLogReport): string {
  const hb = Handlebars.create();
  hb.registerHelper("short", (sha: unknown) => (typeof sha === "string" ? sha.slice(0, 12) : ""));
  hb.registerHelper("day", (iso: unknown) => (typeof iso === "string" ? iso.replace("T", " ").slice(0, 16) : ""));
  hb.registerHelper("eq", (a: unknown, b: unknown) => a === b);
  hb.registerHelper("plural", (n: unknown, word: unknown) => plural(Number(n), String(word)));
  hb.registerHelper("join", (xs: unknown) => (Array.isArray(xs) ? xs.join(", ") : ""));
  hb.registerHelper("conflictText", (k: unknown) =>
    typeof k === "string" && k in CONFLICT_TEXT ? CONFLICT_TEXT[k as keyof typeof CONFLICT_TEXT] : String(k),
  );
  // A link only to the web: a URL from GitHub's data could say javascript: or data:.
  hb.registerHelper("webUrl", (u: unknown) => (typeof u === "string" && /^https?:\/\//i.test(u) ? u : ""));
  const css = template("report.css");
  const cssHash = createHash("sha256").update(css).digest("base64");
  const render = hb.compile(template("changelog.html.hbs"), { strict: false, noEscape: false });
  return render({
    ...presentable(report),
    // Drawn from numbers, dates and fixed words only: inserted as markup.
    weeklyReviewSvg: weeklyReviewSvg(report.charts.weeklyReview),
    css,
    csp: `default-src 'none'; style-src 'sha256-${cssHash}'; img-src data:; base-uri 'none'; form-action 'none'`,
  });
}
