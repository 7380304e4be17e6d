import { compareText } from "../util/compare.js";
import { getOrInsert } from "../util/get-or-insert.js";
import type { TrackedRepo } from "./access/input.js";
import { type AccessSnapshot, closingSnapshot, permissionRank } from "./access/snapshots.js";
import type { LinkedDeployment } from "./deployments/linkage.js";

import { type Ident, identText } from "./ident.js";
import type { Identities, Party } from "./identities.js";
import type { Population } from "./population.js";
import { protectionAt, type SnapshotIndex } from "./protection.js";

/**
 * Separation of duties (SPEC §3 S1, §3a "S1 counts"): per person, what they did in the period
 * (authored, approved, approved in a way that made a change reviewed, merged, deployed by hand)
 * and what they could do as it closed (write or admin on application and GitOps repositories,
 * organisation owner, change a GitOps protected branch without review), with the conflicts
 * between the two. People are identity resolution's parties; an identity that resolves to nobody
 * is its own row, said as such.
 */

export interface PersonDuties {
  /** The party's key ("person:<name>", "login:<login>"), or "unresolved:<identity>". */
  key: string;
  name: string;
  service: string | null;
  authored: number;
  approved: number;
  approvedCounted: number;
  merged: number;
  /** Manual syncs initiated. */
  deployed: number;
  rights: {
    owner: boolean;
    appWrite: string[];
    appAdmin: string[];
    gitopsWrite: string[];
    gitopsAdmin: string[];
    /** GitOps protected branches (owner/name:branch) they could change without review. */
    gitopsUnreviewed: string[];
  };
  conflicts: {
    kind: "self-approved" | "merged-own-unreviewed" | "gitops-without-review" | "deployed-own-unreviewed";
    subject: string;
  }[];
}

const unresolvedKey = (who: string): string => `unresolved:${who}`;

/** The counts of a period, kept as its populations are judged a repository at a time. */
export class DutiesTally {
  readonly #people = new Map<string, PersonDuties>();
  /** GitOps changes known to be unreviewed, by id, with their authors' keys: for "deployed own". */
  readonly #unreviewedGitops = new Map<string, Set<string>>();

  constructor(private readonly identities: Identities) {}

  #person(party: Party | null, fallback: string): PersonDuties {
    const key = party?.key ?? unresolvedKey(fallback);
    return getOrInsert(this.#people, key, () => ({
      key,
      name: party?.name ?? fallback,
      service: party?.service ?? null,
      authored: 0,
      approved: 0,
      approvedCounted: 0,
      merged: 0,
      deployed: 0,
      rights: { owner: false, appWrite: [], appAdmin: [], gitopsWrite: [], gitopsAdmin: [], gitopsUnreviewed: [] },
      conflicts: [],
    }));
  }

  #login(login: string | null): PersonDuties | null {
    return login === null ? null : this.#person(this.identities.resolve({ login }), login);
  }

  #ident(i: Ident): PersonDuties {
    return this.#person(this.identities.resolveIdent(i), identText(i));
  }

  /**
   * A population and its verdicts: C1's word per change decides "reviewed"; an automation's change
   * C12 traced to reviewed application changes is explained by them, so it is not unreviewed.
   */
  add(pop: Population, verdictOf: (changeId: string, rule: "C1" | "C12") => string | undefined): void {
    for (const c of pop.changes) {
      const c1 = verdictOf(c.id, "C1");
      const reviewed = c1 === "reviewed";
      // Known to be unreviewed: not reviewed, or a direct push. Blocked (GitHub's data missing) is not known.
      const unreviewed = (c1 === "not-reviewed" || c1 === "n/a") && verdictOf(c.id, "C12") !== "traced";
      const first = c.commits[0]?.authors[0];
      const author = c.pr ? this.#login(c.pr.author) : first ? this.#ident(first) : null;
      if (author) author.authored++;
      const merger = c.pr ? this.#login(c.pr.mergedBy) : c.mergedBy ? this.#ident(c.mergedBy) : null;
      if (merger) merger.merged++;
      const approvers = new Set<PersonDuties>();
      for (const a of c.review?.approvals ?? []) {
        if (a.dismissed) continue;
        const who = this.#login(a.review.author);
        if (!who) continue;
        approvers.add(who);
        if (reviewed && a.notCounted === null && a.onHead) who.approvedCounted++;
      }
      for (const who of approvers) who.approved++;
      const authors = new Set(c.review?.authorParties ?? []);
      if (author) authors.add(author.key);
      // Authored and sole-approved: every approval came from one of its authors, who is one person.
      const [only] = approvers;
      if (approvers.size === 1 && only && authors.has(only.key)) {
        only.conflicts.push({ kind: "self-approved", subject: c.id });
      }
      if (c.role === "gitops" && unreviewed) this.#unreviewedGitops.set(c.id, authors);
      if (merger && unreviewed && (authors.has(merger.key) || merger === author)) {
        merger.conflicts.push({ kind: "merged-own-unreviewed", subject: c.id });
      }
    }
  }

  /** Manual syncs by who initiated them (a username: an email or a login). */
  addDeployments(initiators: readonly { initiatedBy: string; count: number }[]): void {
    for (const d of initiators) this.#initiator(d.initiatedBy).deployed += d.count;
  }

  #initiator(username: string): PersonDuties {
    const asEmail = username.includes("@");
    return this.#person(this.identities.resolve(asEmail ? { email: username } : { login: username }), username);
  }

  /** Deployed own unreviewed change: a person synced by hand a revision that introduced one they authored. */
  addDeployed(deployments: readonly LinkedDeployment[]): void {
    for (const d of deployments) {
      if (d.automated !== false || d.initiatedBy === null) continue;
      const who = this.#initiator(d.initiatedBy);
      for (const c of d.introduced?.changes ?? []) {
        if (this.#unreviewedGitops.get(c.id)?.has(who.key)) {
          who.conflicts.push({ kind: "deployed-own-unreviewed", subject: `${c.id} (deployed ${d.id} at ${d.at})` });
        }
      }
    }
  }

  /**
   * Rights as the period closed, from the access snapshots: repository permissions, organisation
   * owners, and who could change each GitOps protected branch without review.
   */
  addRights(
    history: { snapshots: readonly AccessSnapshot[]; protection: SnapshotIndex },
    period: { from: Date; to: Date },
    repos: readonly TrackedRepo[],
  ): void {
    const p = { ...period, label: "" };
    const org = closingSnapshot(history.snapshots, p, (s) => s.members !== null);
    const owners = [...(org?.members ?? [])].filter(([, m]) => m.role === "ADMIN" || m.role === "OWNER");
    for (const [login] of owners) {
      const who = this.#login(login);
      if (who) who.rights.owner = true;
    }
    for (const repo of repos) {
      const snap = closingSnapshot(history.snapshots, p, (s) => s.repos.has(repo.github));
      if (!snap) continue;
      const collaborators = [...(snap.collaborators.get(repo.github) ?? [])];
      for (const [login, c] of collaborators) {
        const who = this.#login(login);
        if (!who) continue;
        const rank = permissionRank(c.permission);
        const r = who.rights;
        if (rank >= permissionRank("ADMIN")) (repo.role === "gitops" ? r.gitopsAdmin : r.appAdmin).push(repo.github);
        else if (rank >= permissionRank("WRITE"))
          (repo.role === "gitops" ? r.gitopsWrite : r.appWrite).push(repo.github);
      }
      if (repo.role !== "gitops") continue;
      for (const branch of repo.branches) {
        const id = `${repo.github}:${branch}`;
        const prot = protectionAt(history.protection, repo.github, branch, snap.takenAt, null);
        const can = new Set<string>();
        const withRank = (min: string) => {
          for (const [login, c] of collaborators)
            if (permissionRank(c.permission) >= permissionRank(min)) can.add(login);
        };
        // No pull request required, or one no one need approve: anyone with write changes it alone.
        if (!prot?.requiresPullRequest || (prot.requiredApprovals ?? 0) < 1) withRank("WRITE");
        for (const b of prot?.bypassers ?? []) {
          if (b.kind === "user") can.add(b.name);
          else if (b.kind === "repo-admins") {
            withRank("ADMIN");
            for (const [login] of owners) can.add(login);
          } else if (b.kind === "org-admins") for (const [login] of owners) can.add(login);
          else if (b.kind === "team") for (const login of org?.teams?.get(b.name)?.members.keys() ?? []) can.add(login);
          else if (b.kind === "role") {
            for (const [login, c] of collaborators)
              if (c.permission.toUpperCase() === b.name.toUpperCase()) can.add(login);
          }
        }
        for (const login of can) {
          const who = this.#login(login);
          if (!who) continue;
          who.rights.gitopsUnreviewed.push(id);
          who.conflicts.push({ kind: "gitops-without-review", subject: id });
        }
      }
    }
  }

  /** Everyone, sorted by name then key; each list sorted and without repeats. */
  people(): PersonDuties[] {
    const uniq = (xs: string[]) => [...new Set(xs)].sort(compareText);
    return [...this.#people.values()]
      .map((p) => ({
        ...p,
        rights: {
          owner: p.rights.owner,
          appWrite: uniq(p.rights.appWrite),
          appAdmin: uniq(p.rights.appAdmin),
          gitopsWrite: uniq(p.rights.gitopsWrite),
          gitopsAdmin: uniq(p.rights.gitopsAdmin),
          gitopsUnreviewed: uniq(p.rights.gitopsUnreviewed),
        },
        conflicts: [...new Map(p.conflicts.map((c) => [`${c.kind}\u0000${c.subject}`, c])).values()].sort(
          (a, b) => compareText(a.kind, b.kind) || compareText(a.subject, b.subject),
        ),
      }))
      .sort((a, b) => compareText(a.name, b.name) || compareText(a.key, b.key));
  }
}

/** What a conflict says, for people. */
export const CONFLICT_TEXT: Record<PersonDuties["conflicts"][number]["kind"], string> = {
  "self-approved": "authored and sole-approved",
  "merged-own-unreviewed": "merged own unreviewed change",
  "gitops-without-review": "can change a GitOps protected branch without review",
  "deployed-own-unreviewed": "deployed own unreviewed change",
};
