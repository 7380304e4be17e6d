import {
  type CommitGraph,
  commitGraph,
  type LandedChange,
  type LinkedDeployment,
  linkDeployments,
} from "../evidence/deployments/linkage.js";
import type { Finding } from "../evidence/finding.js";
import { c9DeployedUnexplained } from "../evidence/rules/c9-deployed-unexplained.js";
import { c10ManualSync } from "../evidence/rules/c10-manual-sync.js";
import type { Period } from "../period.js";
import { trackedRepoRows } from "../store/access-queries.js";
import type { DB } from "../store/db.js";
import { commitGraphRows, deploymentRows, historyGapRows, protectedTipRows } from "../store/deployment-queries.js";

/** The period's deployments, linked to the changes they introduced, with C9 and C10's verdicts. */
export interface DeploymentEvidence {
  deployments: LinkedDeployment[];
  verdicts: Finding[];
}

/**
 * Links every deployment of the period and judges it. `landedBy` maps each commit a change of the
 * period put on a GitOps repository's protected branch to that change and its concerning findings.
 */
export function judgeDeployments(
  db: DB,
  period: Period,
  landedBy: ReadonlyMap<string, LandedChange>,
): DeploymentEvidence {
  return db.transaction((): DeploymentEvidence => {
    const gitops = db.prepare("SELECT id, name FROM repos WHERE role = 'gitops' ORDER BY name").all() as {
      id: number;
      name: string;
    }[];
    // Known by the name in the config and by the GitHub name its runs recorded: a clone URL names the latter.
    const github = new Map(trackedRepoRows(db).map((r) => [r.name, r.github]));
    const repos = new Map<string, CommitGraph>();
    for (const r of gitops) {
      const graph = commitGraph(commitGraphRows(db, r.id), protectedTipRows(db, r.id));
      repos.set(r.name, graph);
      const gh = github.get(r.name);
      if (gh && gh.toLowerCase() !== r.name.toLowerCase()) repos.set(gh, graph);
    }
    const deployments = linkDeployments({
      period: { from: period.from.toISOString(), to: period.to.toISOString() },
      deployments: deploymentRows(db),
      gaps: historyGapRows(db),
      repos,
      landedBy,
    });
    const input = { deployments };
    return { deployments, verdicts: [...c9DeployedUnexplained.evaluate(input), ...c10ManualSync.evaluate(input)] };
  })();
}
