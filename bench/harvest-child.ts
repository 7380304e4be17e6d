import { collectGitRepo } from "../src/collectors/git/collect.js";
import { parseConfig } from "../src/config/load.js";
import { silentLogger } from "../src/log/logger.js";
import { openStore } from "../src/store/db.js";

/**
 * One harvest in its own process, so its peak RSS is its own. Prints one JSON line:
 * { ms, maxRssMb, commits }.
 */
const [repoDir, dbFile] = process.argv.slice(2);
if (!repoDir || !dbFile) throw new Error("usage: harvest-child <repo> <db>");
const cfg = parseConfig(
  `repos:\n  - name: bench/repo\n    source: ${JSON.stringify(repoDir)}\n    role: app\n`,
  `${dbFile}.yaml`,
);
const repo = cfg.repos[0];
if (!repo) throw new Error("no repo");
const db = openStore(dbFile);
const t0 = performance.now();
const r = await collectGitRepo(db, repo, { cacheDir: `${dbFile}.cache`, log: silentLogger });
const ms = performance.now() - t0;
db.close();
process.stdout.write(
  `${JSON.stringify({ ms, maxRssMb: process.resourceUsage().maxRSS / 1024, commits: r.commitsAdded })}\n`,
);
