import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ruleDocs, rules } from "../../../src/evidence/rules/index.js";
import { rulesMarkdown } from "../../../src/evidence/rules-doc.js";
import { projectRoot } from "../../helpers/cli.js";

describe("the rule registry", () => {
  it("registers every rule file once, under its own id, with its documentation complete", () => {
    const files = readdirSync(path.join(projectRoot, "src/evidence/rules")).filter((f) => f !== "index.ts");
    expect(Object.keys(rules)).toHaveLength(files.length);
    for (const [id, rule] of Object.entries(rules)) {
      expect(rule.doc.id).toBe(id);
      expect(files.filter((f) => f.startsWith(`${id.toLowerCase()}-`))).toHaveLength(1);
      for (const text of [rule.doc.title, rule.doc.checks, rule.doc.data, rule.doc.judged, rule.doc.limits]) {
        expect(text.length).toBeGreaterThan(10);
      }
      expect(rule.doc.verdicts.length).toBeGreaterThan(0);
    }
  });

  it("docs/rules.md is what the registry generates (run `npm run docs` after changing a rule)", () => {
    const committed = readFileSync(path.join(projectRoot, "docs/rules.md"), "utf8");
    expect(committed).toBe(rulesMarkdown(ruleDocs));
  });
});
