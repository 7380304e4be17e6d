import { parsePeriod } from "../src/period.js";
import { judgeAccess } from "../src/pipeline/access.js";
import { judgeDeployments } from "../src/pipeline/deployments.js";
import { openStore } from "../src/store/db.js";

/**
 * One measurement of bench/linkage.ts in its own process, so its peak RSS is its own. Prints one
 * JSON line. Modes:
 *   linkage  judgeDeployments for 2026Q3 (read, link every deployment, C9 and C10): { ms, maxRssMb, deployments, verdicts }
 *   access   judgeAccess for 2026Q3 (read every snapshot, A1-A4): { ms, maxRssMb, verdicts }
 *   raw      the floor: SELECT * of the rows both read, read raw and dropped: { ms, maxRssMb, rows }
 */

const [mode, dbFile] = process.argv.slice(2);
if (!dbFile || !["linkage", "access", "raw"].includes(mode ?? "")) {
  throw new Error("usage: linkage-child linkage|access|raw <db>");
}
const period = parsePeriod("2026Q3");
const db = openStore(dbFile, { readonly: true });
const maxRssMb = (): number => process.resourceUsage().maxRSS / 1024;
const t0 = performance.now();
let out: Record<string, number>;
if (mode === "linkage") {
  const d = judgeDeployments(db, period, new Map());
  out = { deployments: d.deployments.length, verdicts: d.verdicts.length };
} else if (mode === "access") {
  out = { verdicts: judgeAccess(db, period).verdicts.length };
} else {
  let rows = 0;
  db.transaction(() => {
    for (const table of [
      "deployments",
      "commits",
      "ref_tips",
      "reconciler_history_gaps",
      "gh_snapshots",
      "gh_snapshot_repos",
      "gh_members",
      "gh_team_members",
      "gh_team_repos",
      "gh_collaborators",
      "gh_protection_rules",
      "gh_rulesets",
    ]) {
      for (const _row of db.prepare(`SELECT * FROM ${table}`).raw(true).iterate()) rows++;
    }
  })();
  out = { rows };
}
process.stdout.write(`${JSON.stringify({ ms: performance.now() - t0, maxRssMb: maxRssMb(), ...out })}\n`);
db.close();
