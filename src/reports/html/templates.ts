import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import Handlebars from "handlebars";
import { ConfigError, messageOf } from "../../errors/index.js";
import { CONFLICT_TEXT } from "../../evidence/duties.js";
import { isFinding } from "../../evidence/finding.js";
import { packageRoot } from "../../version.js";
import { plural } from "../labels.js";

/**
 * The HTML export's templates: the shipped ones (templates/), each replaceable by a file of the
 * same name in the user's folder (`report.templates`). Every template is compiled before anything
 * is written, so a broken override stops the report with its file named, and an override of a
 * name we do not know is an error too: a typo must not leave the shipped page in place silently.
 */

/** The page templates, rendered with handlebars ({{ }} escapes; {{{ }}} only for our own SVG). */
export const PAGE_TEMPLATES = [
  "page.hbs",
  "index.hbs",
  "table.hbs",
  "change.hbs",
  "deployment.hbs",
  "person.hbs",
] as const;
export type PageTemplate = Exclude<(typeof PAGE_TEMPLATES)[number], "page.hbs">;
/** Files copied as they are (the stylesheet may be branded; the table script may not). */
const STYLESHEET = "report.css";

export interface Templates {
  render(name: PageTemplate, context: object): string;
  css: string;
  script: string;
}

const shipped = (name: string): string => readFileSync(new URL(`templates/${name}`, packageRoot), "utf8");

function helpers(hb: typeof Handlebars): void {
  hb.registerHelper("plural", (n: unknown, word: unknown) => plural(Number(n), String(word)));
  hb.registerHelper("join", (xs: unknown) => (Array.isArray(xs) ? xs.join(", ") : ""));
  hb.registerHelper("isNull", (x: unknown) => x === null || x === undefined);
  hb.registerHelper("isTrue", (x: unknown) => x === true);
  hb.registerHelper("isFalse", (x: unknown) => x === false);
  hb.registerHelper("isFindingWord", (v: unknown) => typeof v === "string" && isFinding({ verdict: v }));
  hb.registerHelper("short", (sha: unknown) => (typeof sha === "string" ? sha.slice(0, 12) : ""));
  hb.registerHelper("conflictText", (k: unknown) =>
    typeof k === "string" && k in CONFLICT_TEXT ? CONFLICT_TEXT[k as keyof typeof CONFLICT_TEXT] : String(k),
  );
  // A link only to a secure web page: a URL from GitHub's data could say javascript: or data:.
  hb.registerHelper("webUrl", (u: unknown) => (typeof u === "string" && /^https:\/\/[^\s/]+\//i.test(u) ? u : ""));
}

/** The user's overrides: file name -> absolute path. Unknown names and unreadable folders are errors. */
function overrides(dir: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (dir === undefined) return out;
  let names: string[];
  try {
    if (!statSync(dir).isDirectory()) throw new Error("not a folder");
    names = readdirSync(dir);
  } catch (e) {
    throw new ConfigError(`report.templates ${dir}: cannot read the template folder (${messageOf(e)})`, { cause: e });
  }
  const known = [...PAGE_TEMPLATES, STYLESHEET];
  for (const name of names.sort()) {
    if (name.startsWith(".")) continue;
    const file = path.join(dir, name);
    if (!known.includes(name as (typeof known)[number])) {
      throw new ConfigError(
        `report template ${file}: not a template changeproof has (it would be ignored); the names are ${known.join(", ")}`,
      );
    }
    out.set(name, file);
  }
  return out;
}

export function loadTemplates(overrideDir?: string): Templates {
  const mine = overrides(overrideDir);
  const source = (name: string): { text: string; from: string } => {
    const file = mine.get(name);
    if (!file) return { text: shipped(name.endsWith(".css") ? `assets/${name}` : name), from: `templates/${name}` };
    try {
      return { text: readFileSync(file, "utf8"), from: file };
    } catch (e) {
      throw new ConfigError(`report template ${file}: cannot read it (${messageOf(e)})`, { cause: e });
    }
  };
  const hb = Handlebars.create();
  helpers(hb);
  const compiled = new Map<string, { render: HandlebarsTemplateDelegate; from: string }>();
  for (const name of PAGE_TEMPLATES) {
    const { text, from } = source(name);
    try {
      // Parsed now (handlebars compiles lazily): a syntax error names the file before any output.
      hb.parse(text);
    } catch (e) {
      throw new ConfigError(`report template ${from}: does not compile (${oneLineMessage(e)})`, { cause: e });
    }
    const render = hb.compile(text, { strict: false, noEscape: false });
    if (name === "page.hbs") hb.registerPartial("page", render);
    compiled.set(name, { render, from });
  }
  return {
    render(name, context) {
      const t = compiled.get(name);
      if (!t) throw new Error(`internal: no template ${name}`);
      try {
        return t.render(context, { allowProtoPropertiesByDefault: false, allowProtoMethodsByDefault: false });
      } catch (e) {
        // A helper or partial the template names that does not exist shows only when rendered.
        throw new ConfigError(`report template ${t.from}: ${oneLineMessage(e)}`, { cause: e });
      }
    },
    css: source(STYLESHEET).text,
    script: shipped("assets/table.js"),
  };
}

const oneLineMessage = (e: unknown): string => messageOf(e).replace(/\s*\n\s*/g, " ");
