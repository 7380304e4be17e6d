import { compareText } from "../../util/compare.js";
import { type AccessInput, snapshotEvidence } from "../access/input.js";
import { type AccessSnapshot, closingSnapshot, permissionRank } from "../access/snapshots.js";
import type { Finding, Rule } from "../finding.js";
import { protectionAt } from "../protection.js";

/**
 * A2: who holds the keys. For each tracked repository, its admins (organisation owners and
 * anyone with admin permission); for each protected branch, who could change it alone: no rule
 * requiring a pull request at all, admins not bound by the rule, bypass allowances, and ruleset
 * bypass actors. As the period closed (the last snapshot that read the repository).
 */

export const a2AdminsAndBypass: Rule<AccessInput> = {
  doc: {
    id: "A2",
    title: "Admins, and who can change a protected branch alone",
    criteria: ["CC6.1", "CC6.3", "CC8.1"],
    subject: "repo",
    verdicts: ["exception", "note", "pass", "blocked"],
    checks:
      "Who administers each tracked repository, and who could change each protected branch without another person's review.",
    data: "The period's closing access snapshot that read the repository (the first at or after the period's end, else the last in it): organisation owners, collaborators with their permission, the branch protection rules and the rulesets (repository and organisation) matching the branch, with their bypass allowances and bypass actors.",
    judged:
      "Per repository, a note lists its admins. Per protected branch: an exception when no rule or ruleset requires a pull request (anyone with write can push), or when someone can bypass the review requirement (admins when the rule does not include administrators, bypass allowances, ruleset bypass actors), naming them; a pass when nobody can. No snapshot of the repository is blocked.",
    limits:
      "The state as the period closed; A4 shows how protection changed during it. A team or app named as bypass actor is named, not expanded to its members. Custom repository roles are shown by name with their base permission.",
  },
  evaluate({ period, history, repos }) {
    const out: Finding[] = [];
    const criteria = a2AdminsAndBypass.doc.criteria;
    // Owners come from the organisation's run, collaborators from the repository's.
    const org = closingSnapshot(history.snapshots, period, (s) => s.members !== null);
    for (const repo of repos) {
      const snap = closingSnapshot(history.snapshots, period, (s) => s.repos.has(repo.github));
      if (!snap) {
        out.push({
          rule: "A2",
          subject: { kind: "repo", id: repo.github },
          verdict: "blocked",
          reason: `no access snapshot read ${repo.github}: its admins and who can bypass its protection cannot be shown`,
          criteria,
          evidence: [],
        });
        continue;
      }
      const admins = adminsOf(org, snap, repo.github);
      out.push({
        rule: "A2",
        subject: { kind: "repo", id: repo.github },
        verdict: "note",
        reason: `${repo.github} is administered by ${admins.length > 0 ? admins.join(", ") : "nobody recorded"}${org ? "" : " (the organisation's owners were not read)"}`,
        criteria,
        evidence: [snapshotEvidence("as of", snap), ...(org ? [snapshotEvidence("owners as of", org)] : [])],
      });
      for (const branch of repo.branches) {
        const p = protectionAt(history.protection, repo.github, branch, snap.takenAt, null);
        const id = `${repo.github}:${branch}`;
        const ev = [
          snapshotEvidence("as of", snap),
          ...(p?.sources ?? []).map((s) => ({ label: "protection", value: s })),
        ];
        // A pull request no one need approve is no review: it counts as none.
        if (!p?.requiresPullRequest || (p.requiredApprovals ?? 0) < 1) {
          out.push({
            rule: "A2",
            subject: { kind: "branch", id },
            verdict: "exception",
            reason: `no branch protection rule or ruleset requires an approved pull request on ${id}: anyone with write access can change it alone`,
            criteria,
            evidence: ev,
          });
          continue;
        }
        const bypass = [...p.bypass];
        out.push({
          rule: "A2",
          subject: { kind: "branch", id },
          verdict: bypass.length > 0 ? "exception" : "pass",
          reason:
            bypass.length > 0
              ? `can change ${id} without review: ${bypass.join("; ")}`
              : `nobody can change ${id} without review (${p.requiredApprovals ?? 0} approvals required, admins included)`,
          criteria,
          evidence: [...ev, ...bypass.map((b) => ({ label: "could bypass", value: b }))],
        });
      }
    }
    return out;
  },
};

/** Organisation owners and everyone with admin permission on the repository, sorted. */
export function adminsOf(org: AccessSnapshot | null, snap: AccessSnapshot, repo: string): string[] {
  const out = new Set<string>();
  for (const [login, m] of org?.members ?? [])
    if (m.role === "ADMIN" || m.role === "OWNER") out.add(`${login} (owner)`);
  for (const [login, c] of snap.collaborators.get(repo) ?? []) {
    if (permissionRank(c.permission) >= permissionRank("ADMIN") && !out.has(`${login} (owner)`)) out.add(login);
  }
  return [...out].sort(compareText);
}
