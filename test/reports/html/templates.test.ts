import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../../../src/errors/index.js";
import { loadTemplates } from "../../../src/reports/html/templates.js";
import { thrown } from "../../helpers/thrown.js";
import { tempDir } from "../../helpers/tmp.js";

/** A folder of overrides, as a user keeps for branding. */
function overrides(files: Record<string, string>): string {
  const dir = path.join(root, `t${counter++}`);
  mkdirSync(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}
const root = tempDir();
let counter = 0;

describe("report templates", () => {
  it("renders the shipped templates when no folder is given", () => {
    const t = loadTemplates();
    expect(t.css).toContain("unicode-bidi: isolate");
    expect(t.script).toContain("changeproofRows");
  });

  it("uses a user's template and stylesheet in place of the shipped ones, escaping what it shows", () => {
    const dir = overrides({
      "person.hbs": "{{#> page}}<h1 class=brand>ACME audit: {{person.name}}</h1>{{/page}}",
      "report.css": "body { color: navy; }",
    });
    const t = loadTemplates(dir);
    const html = t.render("person.hbs", {
      root: "../",
      csp: "default-src 'none'",
      report: { title: "T", period: { display: "P", label: "L" }, toolVersion: "v", generatedAt: "g" },
      complete: true,
      person: { name: "<b>x</b>" },
    });
    expect(html).toContain("<h1 class=brand>ACME audit: &lt;b&gt;x&lt;/b&gt;</h1>");
    // The shipped layout still wraps it: the CSP and the navigation are there.
    expect(html).toContain('<meta http-equiv="Content-Security-Policy"');
    expect(t.css).toBe("body { color: navy; }");
  });

  it("names the file of a template that does not compile, with where", () => {
    const dir = overrides({ "index.hbs": "{{#> page}}\n<p>{{#if report.title}}unclosed\n{{/page}}" });
    const e = thrown(ConfigError, () => loadTemplates(dir));
    expect(e.message).toContain(`report template ${path.join(dir, "index.hbs")}:`);
    expect(e.message).toMatch(/line 3|doesn't match/);
    expect(e.message).not.toContain("\n");
  });

  it("names the file of a template that uses a helper that does not exist, when it renders", () => {
    const dir = overrides({ "change.hbs": "{{#> page}}{{shout change.id}}{{/page}}" });
    const t = loadTemplates(dir);
    const e = thrown(ConfigError, () => t.render("change.hbs", { change: { id: "a#1" }, report: {} }));
    expect(e.message).toContain(`report template ${path.join(dir, "change.hbs")}:`);
    expect(e.message).toContain("shout");
  });

  it("refuses a file it does not know rather than ignoring it (a typo would keep the shipped page)", () => {
    const dir = overrides({ "indx.hbs": "<p>branded</p>" });
    const e = thrown(ConfigError, () => loadTemplates(dir));
    expect(e.message).toContain(path.join(dir, "indx.hbs"));
    expect(e.message).toContain("index.hbs");
  });

  it("says so when the folder is missing", () => {
    const missing = path.join(root, "no-such-folder");
    const e = thrown(ConfigError, () => loadTemplates(missing));
    expect(e.message).toContain(`report.templates ${missing}: cannot read the template folder`);
  });
});
