import { compareText } from "../../util/compare.js";
import { type AccessInput, snapshotEvidence } from "../access/input.js";
import { type AccessSnapshot, between, pairs, periodSnapshots, permissionRank } from "../access/snapshots.js";
import type { Evidence, Finding, Rule } from "../finding.js";

/**
 * A1: the access review. Between each pair of consecutive snapshots that show the period (the
 * one it opened with, those taken in it, the one it closed with), who joined or left the
 * organisation, whose organisation role changed, who joined or left a team or changed role in
 * it, which team gained or lost a tracked repository, and whose permission on a tracked
 * repository changed.
 */

interface Change {
  login: string;
  what: string;
  escalation: boolean;
  a: AccessSnapshot;
  b: AccessSnapshot;
}

const ADMIN_ROLES = new Set(["ADMIN", "OWNER"]);

function memberChanges(a: AccessSnapshot, b: AccessSnapshot): Change[] {
  const out: Change[] = [];
  const before = a.members ?? new Map();
  const after = b.members ?? new Map();
  for (const [login, m] of after) {
    const was = before.get(login);
    if (!was)
      out.push({ login, what: `joined the organisation as ${m.role}`, escalation: ADMIN_ROLES.has(m.role), a, b });
    else if (was.role !== m.role) {
      out.push({
        login,
        what: `organisation role changed from ${was.role} to ${m.role}`,
        escalation: ADMIN_ROLES.has(m.role),
        a,
        b,
      });
    }
  }
  for (const [login, m] of before) {
    if (!after.has(login)) out.push({ login, what: `left the organisation (was ${m.role})`, escalation: false, a, b });
  }
  return out;
}

function teamChanges(a: AccessSnapshot, b: AccessSnapshot, tracked: ReadonlySet<string>): Change[] {
  const out: Change[] = [];
  const before = a.teams ?? new Map();
  const after = b.teams ?? new Map();
  for (const slug of new Set([...before.keys(), ...after.keys()])) {
    const was = before.get(slug)?.members ?? new Map<string, string>();
    const now = after.get(slug)?.members ?? new Map<string, string>();
    for (const [login, role] of now) {
      const r = was.get(login);
      if (r === undefined) out.push({ login, what: `joined team ${slug} as ${role}`, escalation: false, a, b });
      else if (r !== role)
        out.push({ login, what: `role in team ${slug} changed from ${r} to ${role}`, escalation: false, a, b });
    }
    for (const [login, role] of was) {
      if (!now.has(login)) out.push({ login, what: `left team ${slug} (was ${role})`, escalation: false, a, b });
    }
    const repos = new Set([...(before.get(slug)?.repos.keys() ?? []), ...(after.get(slug)?.repos.keys() ?? [])]);
    for (const repo of repos) {
      if (!tracked.has(repo)) continue;
      const p0 = before.get(slug)?.repos.get(repo) ?? null;
      const p1 = after.get(slug)?.repos.get(repo) ?? null;
      if (p0 === p1) continue;
      out.push({
        login: `team ${slug}`,
        what: `permission on ${repo} changed from ${p0 ?? "none"} to ${p1 ?? "none"}`,
        escalation: permissionRank(p1) > permissionRank(p0) && permissionRank(p1) >= permissionRank("MAINTAIN"),
        a,
        b,
      });
    }
  }
  return out;
}

/** Collaborator permission changes on one repository between two snapshots that both read it. */
function permissionChanges(a: AccessSnapshot, b: AccessSnapshot, repo: string): Change[] {
  const out: Change[] = [];
  const was = a.collaborators.get(repo) ?? new Map();
  const now = b.collaborators.get(repo) ?? new Map();
  for (const login of new Set([...was.keys(), ...now.keys()])) {
    const p0 = was.get(login)?.permission ?? null;
    const p1 = now.get(login)?.permission ?? null;
    if (p0 === p1) continue;
    out.push({
      login,
      what: `permission on ${repo} changed from ${p0 ?? "none"} to ${p1 ?? "none"}`,
      escalation: permissionRank(p1) > permissionRank(p0) && permissionRank(p1) >= permissionRank("MAINTAIN"),
      a,
      b,
    });
  }
  return out;
}

export const a1AccessReview: Rule<AccessInput> = {
  doc: {
    id: "A1",
    title: "Access review: who joined, left or changed access",
    criteria: ["CC6.1", "CC6.2", "CC6.3"],
    subject: "person",
    verdicts: ["exception", "note", "pass", "blocked"],
    checks:
      "Who joined or left the organisation, whose organisation role changed, who joined or left a team or changed role in it, which team's permission on a tracked repository changed, and whose permission on a tracked repository changed, during the period.",
    data: "The access snapshots the GitHub collector takes every run (organisation members with role, teams with members and repositories, each tracked repository's collaborators with permission): the latest one taken at or before the period's start, every one taken in it, and the first one at or after its end.",
    judged:
      "Each consecutive pair of those snapshots is compared. Every difference is a note naming the person (or team) and the two snapshots that bracket it; a difference that gives someone owner, admin or maintain access is an exception (an escalation to review). No difference at all is a pass for the organisation. Fewer than two snapshots that read the members is blocked: changes cannot be shown.",
    limits:
      "A change is dated only between two snapshots: someone who joined and left between two runs is not seen. Runs that did not read the members (credentials without access, a repository-only run) are skipped, never read as everyone leaving; a repository a run did not read is not compared.",
  },
  evaluate({ period, history, repos }) {
    const tracked = new Set(repos.map((r) => r.github));
    const org = history.snapshots[0]?.org ?? "the organisation";
    // Members and teams from the runs that read the organisation; each repository's
    // collaborators from the runs that read that repository (often not the same runs).
    const shown = periodSnapshots(history.snapshots, period, (s) => s.members !== null);
    const changes = [
      ...pairs(shown).flatMap(([a, b]) => [...memberChanges(a, b), ...teamChanges(a, b, tracked)]),
      ...repos.flatMap((r) =>
        pairs(periodSnapshots(history.snapshots, period, (s) => s.repos.has(r.github))).flatMap(([a, b]) =>
          permissionChanges(a, b, r.github),
        ),
      ),
    ];
    // A repository fewer than two snapshots read cannot show who gained access to it.
    const unread = repos.filter(
      (r) => periodSnapshots(history.snapshots, period, (s) => s.repos.has(r.github)).length < 2,
    );
    const findings = changes
      .map(
        (c): Finding => ({
          rule: "A1",
          subject: { kind: "person", id: c.login },
          verdict: c.escalation ? "exception" : "note",
          reason: `${c.login} ${c.what} ${between(c.a, c.b)}`,
          criteria: a1AccessReview.doc.criteria,
          evidence: [snapshotEvidence("before", c.a), snapshotEvidence("after", c.b)] satisfies Evidence[],
        }),
      )
      .sort((x, y) => compareText(x.subject.id, y.subject.id) || compareText(x.reason, y.reason));
    for (const r of unread) {
      findings.push({
        rule: "A1",
        subject: { kind: "repo", id: r.github },
        verdict: "blocked",
        reason: `fewer than two access snapshots read ${r.github} in this period: changes to who may write to it cannot be shown`,
        criteria: a1AccessReview.doc.criteria,
        evidence: [],
      });
    }
    if (shown.length < 2) {
      findings.push({
        rule: "A1",
        subject: { kind: "org", id: org },
        verdict: "blocked",
        reason:
          shown.length === 0
            ? "no access snapshot that read the organisation's members shows this period: who joined or left cannot be shown"
            : `only one access snapshot that read the organisation's members (${shown[0]?.takenAt}) shows this period: who joined or left cannot be shown`,
        criteria: a1AccessReview.doc.criteria,
        evidence: shown.map((s) => snapshotEvidence("snapshot", s)),
      });
      return findings;
    }
    if (findings.length === 0) {
      const first = shown[0] as AccessSnapshot;
      const last = shown.at(-1) as AccessSnapshot;
      return [
        {
          rule: "A1",
          subject: { kind: "org", id: org },
          verdict: "pass",
          reason: `no access changed ${between(first, last)} (${shown.length} snapshots compared)`,
          criteria: a1AccessReview.doc.criteria,
          evidence: [snapshotEvidence("first snapshot", first), snapshotEvidence("last snapshot", last)],
        },
      ];
    }
    return findings;
  },
};
