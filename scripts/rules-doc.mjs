// Writes docs/rules.md from the rule registry (run after the build: `npm run docs`).
import { writeFileSync } from "node:fs";
import { ruleDocs } from "../dist/src/evidence/rules/index.js";
import { rulesMarkdown } from "../dist/src/evidence/rules-doc.js";

writeFileSync(new URL("../docs/rules.md", import.meta.url), rulesMarkdown(ruleDocs));
