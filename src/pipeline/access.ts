import type { TrackedRepo } from "../evidence/access/input.js";
import {
  type AccessHistory,
  type AccessSnapshot,
  accessHistory,
  periodSnapshots,
} from "../evidence/access/snapshots.js";
import type { Finding } from "../evidence/finding.js";
import { accessRules } from "../evidence/rules/index.js";
import type { Period } from "../period.js";
import { accessRows, trackedRepoRows } from "../store/access-queries.js";
import type { DB } from "../store/db.js";

/** A period's access review: every verdict of A1-A4 (pass and note included) and what it read. */
export interface AccessEvidence {
  verdicts: Finding[];
  /** The snapshots that show the period (opening, within, closing), oldest first. */
  snapshots: { id: number; org: string; takenAt: string; readMembers: boolean; repos: string[] }[];
  repos: TrackedRepo[];
}

/** The tracked repositories GitHub was collected for, with the protected branches git reads. */
function trackedRepos(db: DB): TrackedRepo[] {
  return trackedRepoRows(db).flatMap((r) =>
    r.github === null ? [] : [{ github: r.github, role: r.role, branches: JSON.parse(r.branches) as string[] }],
  );
}

/** Every access snapshot and the tracked repositories: what access review and S1's rights read. */
export interface AccessContext {
  history: AccessHistory;
  repos: TrackedRepo[];
}

export function readAccess(db: DB): AccessContext {
  return db.transaction(() => ({ history: accessHistory(accessRows(db)), repos: trackedRepos(db) }))();
}

export function judgeAccess(db: DB, period: Period, context: AccessContext = readAccess(db)): AccessEvidence {
  return db.transaction((): AccessEvidence => {
    const { history, repos } = context;
    // GitHub never collected: there is no access to review (the coverage says GitHub is missing).
    if (history.snapshots.length === 0 && repos.length === 0) return { verdicts: [], snapshots: [], repos };
    const input = { period, history, repos };
    const used = new Set<AccessSnapshot>(periodSnapshots(history.snapshots, period, (s) => s.members !== null));
    for (const r of repos) {
      for (const s of periodSnapshots(history.snapshots, period, (x) => x.repos.has(r.github))) used.add(s);
    }
    return {
      verdicts: accessRules.flatMap((rule) => rule.evaluate(input)),
      snapshots: [...used]
        .sort((a, b) => a.takenAt.localeCompare(b.takenAt) || a.id - b.id)
        .map((s) => ({
          id: s.id,
          org: s.org,
          takenAt: s.takenAt,
          readMembers: s.members !== null,
          repos: [...s.repos].sort(),
        })),
      repos,
    };
  })();
}
