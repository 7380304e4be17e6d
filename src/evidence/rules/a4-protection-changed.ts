import { type AccessInput, snapshotEvidence } from "../access/input.js";
import { type AccessSnapshot, between, pairs, periodSnapshots } from "../access/snapshots.js";
import type { Evidence, Finding, Rule } from "../finding.js";
import { type ProtectionInForce, protectionAt, type SnapshotIndex } from "../protection.js";

/**
 * A4: protection changed. Every change of a protected branch's rule or ruleset between two
 * consecutive snapshots, with the snapshots that bracket it, and per protected branch a
 * continuity statement: whether the review requirement held through the period, or its lapses.
 */

// Settings that protect more when true, and those that protect more when false.
const SAFER_TRUE = [
  "requiresApprovingReviews",
  "dismissesStaleReviews",
  "requireLastPushApproval",
  "requiresCodeOwnerReviews",
  "isAdminEnforced",
  "requiresCommitSignatures",
  "requiresStatusChecks",
  "requiresStrictStatusChecks",
  "requiresLinearHistory",
  "requiresConversationResolution",
  "restrictsPushes",
  "restrictsReviewDismissals",
  "lockBranch",
  "blocksCreations",
];
const SAFER_FALSE = ["allowsForcePushes", "allowsDeletions"];

const show = (v: unknown): string => (v === undefined ? "unset" : JSON.stringify(v));

/** The settings of what applied to the branch in a snapshot: its rule (by pattern) and rulesets (by id). */
function applied(index: SnapshotIndex, snap: AccessSnapshot, repo: string, p: ProtectionInForce | null) {
  const sources = new Set(p?.sources ?? []);
  const out = new Map<string, Record<string, unknown>>();
  for (const r of index.rules(snap.id, repo)) {
    const name = `branch protection rule ${r.pattern}`;
    if (sources.has(name)) out.set(name, JSON.parse(r.settings) as Record<string, unknown>);
  }
  for (const r of index.rulesets(snap.id)) {
    const name = `ruleset ${r.name} (${r.scope})`;
    if (sources.has(name)) {
      out.set(name, { enforcement: r.enforcement, target: r.target, ...(JSON.parse(r.settings) as object) });
    }
  }
  return out;
}

interface Diff {
  lines: string[];
  weakened: string[];
}

function diff(
  p0: ProtectionInForce | null,
  p1: ProtectionInForce | null,
  s0: Map<string, Record<string, unknown>>,
  s1: Map<string, Record<string, unknown>>,
): Diff {
  const lines: string[] = [];
  const weakened: string[] = [];
  for (const name of [...new Set([...s0.keys(), ...s1.keys()])].sort()) {
    const a = s0.get(name);
    const b = s1.get(name);
    if (!b) {
      lines.push(`${name} no longer applies`);
      weakened.push(`${name} removed or no longer applies`);
      continue;
    }
    if (!a) {
      lines.push(`${name} now applies`);
      continue;
    }
    for (const key of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
      const x = show(a[key]);
      const y = show(b[key]);
      if (x === y) continue;
      lines.push(`${name}: ${key} ${x} -> ${y}`);
      if (SAFER_TRUE.includes(key) && a[key] === true && b[key] !== true) weakened.push(`${key} turned off`);
      if (SAFER_FALSE.includes(key) && a[key] !== true && b[key] === true) weakened.push(`${key} turned on`);
    }
  }
  const need0 = p0?.requiresPullRequest ? (p0.requiredApprovals ?? 0) : null;
  const need1 = p1?.requiresPullRequest ? (p1.requiredApprovals ?? 0) : null;
  if (need0 !== null && (need1 === null || need1 < need0)) {
    weakened.push(`required approvals ${need0} -> ${need1 === null ? "no pull request required" : need1}`);
  }
  // A new bypass weakens a requirement that was there; one that comes with a new requirement does not.
  const added = (p1?.bypass ?? []).filter((x) => !(p0?.bypass ?? []).includes(x));
  if (need0 !== null && added.length > 0) weakened.push(`can now bypass: ${added.join("; ")}`);
  return { lines, weakened: [...new Set(weakened)] };
}

const approvalsText = (p: ProtectionInForce | null): string =>
  p?.requiresPullRequest
    ? `required ${p.requiredApprovals ?? 0} approval${p.requiredApprovals === 1 ? "" : "s"}`
    : "required no pull request";

/** Runs of snapshots with the same requirement: "required 1 approval from A to B". */
function segments(states: { snap: AccessSnapshot; p: ProtectionInForce | null }[]): string[] {
  const out: string[] = [];
  let start = 0;
  for (let i = 1; i <= states.length; i++) {
    const cur = states[i];
    const first = states[start];
    if (!first) break;
    if (cur && approvalsText(cur.p) === approvalsText(first.p)) continue;
    const last = states[i - 1] ?? first;
    out.push(`${approvalsText(first.p)} from ${first.snap.takenAt} to ${last.snap.takenAt}`);
    start = i;
  }
  return out;
}

export const a4ProtectionChanged: Rule<AccessInput> = {
  doc: {
    id: "A4",
    title: "Protection changed, and whether review was required throughout",
    criteria: ["CC8.1", "CC6.1"],
    subject: "branch",
    verdicts: ["exception", "note", "pass", "blocked"],
    checks:
      "Whether anyone changed a protected branch's branch protection rule or rulesets during the period, and whether the review requirement held continuously through it.",
    data: "Every access snapshot that read the repository and shows the period (the latest at or before its start, those taken in it, the first at or after its end): the branch protection rule and the active rulesets that applied to the branch in each.",
    judged:
      "Each consecutive pair of snapshots is compared setting by setting. A change that weakens protection (fewer or no required approvals, a rule or ruleset that stopped applying, a protective setting turned off, force pushes or deletions allowed, a new bypass) is an exception; any other change is a note; each names the two snapshots that bracket it. Per protected branch, a continuity statement: a pass when the same number of approvals (at least one) was required in every snapshot and the snapshots bracket the whole period, a note naming the stretch no snapshot shows when they do not, else an exception listing each stretch and what it required. Fewer than two snapshots is blocked.",
    limits:
      "A change is dated between two snapshots; one made and undone between two runs is not seen (run the collector often). Protection is read as GitHub reported it to the collector's credentials.",
  },
  evaluate({ period, history, repos }) {
    const out: Finding[] = [];
    const criteria = a4ProtectionChanged.doc.criteria;
    for (const repo of repos) {
      const shown = periodSnapshots(history.snapshots, period, (s) => s.repos.has(repo.github));
      for (const branch of repo.branches) {
        const id = `${repo.github}:${branch}`;
        if (shown.length < 2) {
          out.push({
            rule: "A4",
            subject: { kind: "branch", id },
            verdict: "blocked",
            reason:
              shown.length === 0
                ? `no access snapshot read ${repo.github}: whether its protection held cannot be shown`
                : `only one snapshot of ${repo.github} (${shown[0]?.takenAt}) shows the period: whether its protection held cannot be shown`,
            criteria,
            evidence: shown.map((s) => snapshotEvidence("snapshot", s)),
          });
          continue;
        }
        const states = shown.map((snap) => ({
          snap,
          p: protectionAt(history.protection, repo.github, branch, snap.takenAt, null),
        }));
        for (const [a, b] of pairs(states)) {
          const d = diff(
            a.p,
            b.p,
            applied(history.protection, a.snap, repo.github, a.p),
            applied(history.protection, b.snap, repo.github, b.p),
          );
          if (d.lines.length === 0 && d.weakened.length === 0) continue;
          out.push({
            rule: "A4",
            subject: { kind: "branch", id },
            verdict: d.weakened.length > 0 ? "exception" : "note",
            reason: `protection of ${id} ${d.weakened.length > 0 ? `weakened (${d.weakened.join("; ")})` : "changed"} ${between(a.snap, b.snap)}`,
            criteria,
            evidence: [
              snapshotEvidence("before", a.snap),
              snapshotEvidence("after", b.snap),
              ...d.lines.map((l): Evidence => ({ label: "changed", value: l })),
            ],
          });
        }
        const segs = segments(states);
        const first = states[0] as (typeof states)[number];
        const last = states.at(-1) as (typeof states)[number];
        const held =
          segs.length === 1 && first.p?.requiresPullRequest === true && (first.p.requiredApprovals ?? 0) >= 1;
        // Held only as far as the snapshots reach: the period must be bracketed at both ends.
        const from = period.from.toISOString();
        const to = period.to.toISOString();
        const uncovered = [
          ...(first.snap.takenAt > from ? [`no snapshot shows ${from} to ${first.snap.takenAt}`] : []),
          ...(last.snap.takenAt < to ? [`no snapshot shows ${last.snap.takenAt} to ${to}`] : []),
        ];
        out.push({
          rule: "A4",
          subject: { kind: "branch", id },
          verdict: !held ? "exception" : uncovered.length > 0 ? "note" : "pass",
          reason: held
            ? `${id} ${approvalsText(first.p)} continuously from ${first.snap.takenAt} to ${last.snap.takenAt} (${states.length} snapshots)${uncovered.length > 0 ? `; ${uncovered.join("; ")}` : ""}`
            : `${id}: review was not required throughout: ${segs.join("; ")}`,
          criteria,
          evidence: states.map((s) => ({
            label: approvalsText(s.p),
            value: `snapshot ${s.snap.id} taken at ${s.snap.takenAt}`,
          })),
        });
      }
    }
    return out;
  },
};
