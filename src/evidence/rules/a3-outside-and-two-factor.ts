import { compareText } from "../../util/compare.js";
import { type AccessInput, snapshotEvidence } from "../access/input.js";
import { closingSnapshot, permissionRank } from "../access/snapshots.js";
import type { Finding, Rule } from "../finding.js";

/**
 * A3: access from outside and without a second factor: outside collaborators with write or more
 * on a tracked repository, and organisation members without two-factor authentication, as the
 * period closed.
 */

export const a3OutsideAndTwoFactor: Rule<AccessInput> = {
  doc: {
    id: "A3",
    title: "Outside collaborators with write access; members without two-factor authentication",
    criteria: ["CC6.1", "CC6.2"],
    subject: "person",
    verdicts: ["exception", "note", "pass", "blocked"],
    checks:
      "Who outside the organisation can change a tracked repository, and which members sign in without a second factor.",
    data: "The period's closing access snapshot (the first at or after its end, else the last in it): each tracked repository's collaborators with their permission and whether they are outside collaborators, and the organisation's members with their two-factor status (visible only to an owner's credentials).",
    judged:
      "An outside collaborator with write, maintain or admin permission on a tracked repository is an exception; one whose membership the run could not tell is a note. A member without two-factor authentication is an exception. When the credentials could not see two-factor status, the organisation's verdict is blocked (unknown: the credentials are not an owner's). Nobody of either kind is a pass.",
    limits:
      "The state as the period closed; A1 shows who gained access during it. Enterprise-managed users and SSO enforcement are not read.",
  },
  evaluate({ period, history, repos }) {
    const out: Finding[] = [];
    const criteria = a3OutsideAndTwoFactor.doc.criteria;
    const org = history.snapshots[0]?.org ?? "the organisation";
    for (const repo of repos) {
      const snap = closingSnapshot(history.snapshots, period, (s) => s.repos.has(repo.github));
      if (!snap) continue;
      for (const [login, c] of snap.collaborators.get(repo.github) ?? []) {
        if (permissionRank(c.permission) < permissionRank("WRITE") || c.outside === false) continue;
        out.push({
          rule: "A3",
          subject: { kind: "person", id: login },
          verdict: c.outside ? "exception" : "note",
          reason: c.outside
            ? `${login} is an outside collaborator with ${c.permission} on ${repo.github}`
            : `${login} has ${c.permission} on ${repo.github}; whether an outside collaborator is unknown (the run did not read the organisation's members)`,
          criteria,
          evidence: [snapshotEvidence("as of", snap)],
        });
      }
    }
    const snap = closingSnapshot(history.snapshots, period, (s) => s.members !== null);
    if (!snap) {
      out.push({
        rule: "A3",
        subject: { kind: "org", id: org },
        verdict: "blocked",
        reason: "no access snapshot read the organisation's members: two-factor status cannot be shown",
        criteria,
        evidence: [],
      });
    } else if (!snap.twoFactorVisible) {
      out.push({
        rule: "A3",
        subject: { kind: "org", id: org },
        verdict: "blocked",
        reason: "two-factor status unknown: the credentials are not an owner's",
        criteria,
        evidence: [snapshotEvidence("as of", snap)],
      });
    } else {
      for (const [login, m] of snap.members ?? []) {
        if (m.twoFactor !== false) continue;
        out.push({
          rule: "A3",
          subject: { kind: "person", id: login },
          verdict: "exception",
          reason: `${login}, an organisation ${m.role.toLowerCase()}, has no two-factor authentication`,
          criteria,
          evidence: [snapshotEvidence("as of", snap)],
        });
      }
    }
    if (out.length === 0) {
      out.push({
        rule: "A3",
        subject: { kind: "org", id: org },
        verdict: "pass",
        reason: "no outside collaborator with write access and no member without two-factor authentication",
        criteria,
        evidence: snap ? [snapshotEvidence("as of", snap)] : [],
      });
    }
    return out.sort((a, b) => compareText(a.subject.id, b.subject.id) || compareText(a.reason, b.reason));
  },
};
