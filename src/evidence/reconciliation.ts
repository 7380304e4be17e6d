import type { FirstParentRow, PopulationCommitRow } from "../store/population-queries.js";
import { compareText } from "../util/compare.js";
import { getOrInsert } from "../util/get-or-insert.js";
import type { Population } from "./population.js";

/**
 * The population reconciliation (SPEC §3a, an auditor's test of information produced by the
 * entity): per protected branch, the first-parent commits git lists for the period, accounted for
 * by the changes that landed them, with the git command an auditor can re-run to recount.
 */

export interface BranchReconciliation {
  repo: string;
  branch: string;
  /** First-parent commits with a committer date in the period, still on the branch: what the command counts. */
  gitCount: number;
  /** Of those, landed by the period's merged pull requests. */
  byPullRequests: number;
  /** Of those, the period's direct pushes (or changes GitHub's data could not place). */
  byPushes: number;
  /** Of those, landed by a change of another period (a pull request merged, or a push first seen, outside it). */
  otherPeriods: number;
  /** The period's changes' first-parent commits dated outside it (a push landed when first seen, a backdated commit). */
  datedOutside: number;
  /** Dated in the period, dropped from the branch by a rewrite since: in the population, not in git's count. */
  dropped: number;
  /** The changes of the period on this branch. */
  changes: number;
  /** git (2.38 or later), run in a clone of the repository, prints `gitCount`. */
  command: string;
}

/**
 * The protected branches' first-parent commits with a committer date in [fromSec, toSec), the
 * dropped ones too: what `git rev-list --first-parent` lists for the period. The population's
 * commit rows hold every one of them (with the period's other landings), so they are not read twice.
 */
export function firstParentDated(
  commits: readonly PopulationCommitRow[],
  fromSec: number,
  toSec: number,
): FirstParentRow[] {
  const out: FirstParentRow[] = [];
  for (const c of commits) {
    if (c.committer_time < fromSec || c.committer_time >= toSec) continue;
    out.push({ repo: c.repo, branch: c.branch, sha: c.sha, removed: c.removed_run === null ? 0 : 1 });
  }
  return out;
}

/** Tallies a period's first-parent landings as its populations are built, a repository at a time. */
export class ReconciliationTally {
  // repo:branch -> sha -> how the period's change landed it
  readonly #landed = new Map<string, Map<string, "pr" | "push">>();
  readonly #changes = new Map<string, number>();

  add(pop: Population): void {
    for (const c of pop.changes) {
      for (const branch of [c.branch, ...c.alsoOn]) {
        const key = `${c.repo}:${branch}`;
        this.#changes.set(key, (this.#changes.get(key) ?? 0) + 1);
        const landed = getOrInsert(this.#landed, key, () => new Map<string, "pr" | "push">());
        for (const commit of c.commits) if (commit.seenIn === "branch") landed.set(commit.sha, c.pr ? "pr" : "push");
      }
    }
  }

  /** Per branch git listed commits on or the period's changes landed on, sorted. */
  reconcile(rows: readonly FirstParentRow[], period: { from: Date; to: Date }): BranchReconciliation[] {
    const byBranch = new Map<string, FirstParentRow[]>();
    for (const r of rows) getOrInsert(byBranch, `${r.repo}:${r.branch}`, () => []).push(r);
    const keys = [...new Set([...byBranch.keys(), ...this.#landed.keys()])].sort(compareText);
    const since = period.from.toISOString().replace(".000Z", "Z");
    // git's --until is inclusive: the last second of the period.
    const until = new Date(period.to.getTime() - 1000).toISOString().replace(".000Z", "Z");
    return keys.map((key) => {
      const [repo = "", branch = ""] = [key.slice(0, key.lastIndexOf(":")), key.slice(key.lastIndexOf(":") + 1)];
      const dated = byBranch.get(key) ?? [];
      const landed = this.#landed.get(key) ?? new Map<string, "pr" | "push">();
      const onBranch = dated.filter((r) => r.removed === 0);
      const datedShas = new Set(dated.map((r) => r.sha));
      const count = (want: "pr" | "push") => onBranch.filter((r) => landed.get(r.sha) === want).length;
      return {
        repo,
        branch,
        gitCount: onBranch.length,
        byPullRequests: count("pr"),
        byPushes: count("push"),
        otherPeriods: onBranch.filter((r) => !landed.has(r.sha)).length,
        datedOutside: [...landed.keys()].filter((sha) => !datedShas.has(sha)).length,
        dropped: dated.filter((r) => r.removed === 1 && landed.has(r.sha)).length,
        changes: this.#changes.get(key) ?? 0,
        // --since-as-filter (git 2.38+), not --since: --since stops the walk at the first commit
        // dated before the period, so one backdated commit would hide every commit behind it.
        command: `git rev-list --first-parent --count --since-as-filter=${since} --until=${until} ${shellWord(`refs/heads/${branch}`)}`,
      };
    });
  }
}

/** A word as a POSIX shell reads it: quoted when it holds anything beyond a plain ref name. */
function shellWord(w: string): string {
  return /^[A-Za-z0-9._/-]+$/.test(w) ? w : `'${w.replace(/'/g, "'\\''")}'`;
}
