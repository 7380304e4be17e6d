import { describe, expect, it } from "vitest";
import { accessHistory } from "../../src/evidence/access/snapshots.js";
import type { LinkedDeployment } from "../../src/evidence/deployments/linkage.js";
import { DutiesTally, type PersonDuties } from "../../src/evidence/duties.js";
import { changeVerdicts } from "../../src/evidence/judge.js";
import type { Population } from "../../src/evidence/population.js";
import { s1SeparationOfDuties } from "../../src/evidence/rules/s1-separation-of-duties.js";
import { accessRowsOf, rule as protectionRule } from "../helpers/access-world.js";
import {
  alice,
  DEFAULT_RUNS,
  directPush,
  HEAD,
  populationOf,
  pull,
  Q3,
  review,
  sha,
  squashMerge,
  type World,
  world,
} from "../helpers/population-world.js";

/** The matrix of a world: the population judged, its counts tallied. */
function matrix(w: World, extra?: (t: DutiesTally) => void, images?: Population["images"]): PersonDuties[] {
  const built = populationOf(w);
  const pop = images ? { ...built, images } : built;
  const verdicts = new Map(changeVerdicts(pop).map((f) => [`${f.subject.id} ${f.rule}`, f.verdict]));
  const tally = new DutiesTally(pop.identities);
  tally.add(pop, (id, rule) => verdicts.get(`${id} ${rule}`));
  extra?.(tally);
  return tally.people();
}

const row = (people: PersonDuties[], name: string) => people.find((p) => p.name === name);
const counts = (p: PersonDuties | undefined) =>
  p && [p.authored, p.approved, p.approvedCounted, p.merged, p.deployed].join("/");

describe("separation of duties: the S1 counts and conflicts", () => {
  it("counts authored, approved, approved-so-reviewed and merged per person (through the registry)", () => {
    const people = matrix(squashMerge(pull()));
    // authored / approved / approvedCounted / merged / deployed
    expect(counts(row(people, "Alice Adams"))).toBe("1/0/0/0/0");
    expect(counts(row(people, "Bob Brown"))).toBe("0/1/1/1/0");
    expect(people.flatMap((p) => p.conflicts)).toEqual([]);
  });

  it("authored and sole-approved: every approval from one of its authors", () => {
    const people = matrix(squashMerge(pull({ reviews: [review("alice", HEAD)], mergedBy: "carol" })));
    expect(row(people, "Alice Adams")?.conflicts).toEqual([{ kind: "self-approved", subject: "acme/app#1" }]);
  });

  it("merged own unreviewed change: the author merged it and C1 did not find it reviewed", () => {
    const people = matrix(squashMerge(pull({ reviews: [], mergedBy: "alice" })));
    expect(row(people, "Alice Adams")?.conflicts).toEqual([{ kind: "merged-own-unreviewed", subject: "acme/app#1" }]);
    // Reviewed by someone else and merged by its author: no conflict.
    expect(matrix(squashMerge(pull({ mergedBy: "alice" }))).flatMap((p) => p.conflicts)).toEqual([]);
  });

  it("a direct push is authored and merged (pushed) by its author, unreviewed", () => {
    const people = matrix(world(directPush({ sha: sha("push") })));
    const carol = row(people, "Carol Chen");
    expect(counts(carol)).toBe("1/0/0/1/0");
    expect(carol?.conflicts.map((c) => c.kind)).toEqual(["merged-own-unreviewed"]);
  });

  it("an automation's push whose images C12 traced to a reviewed change is explained, not unreviewed", () => {
    const bot = { name: "flux", email: "flux@users.noreply.github.com", login: "flux-image-automation[bot]" };
    const gitops = "acme/gitops";
    const w = world(
      {
        repos: [
          { name: "acme/app", role: "app" },
          { name: gitops, role: "gitops" },
        ],
        gitRuns: [...DEFAULT_RUNS, ...DEFAULT_RUNS.map((r) => ({ ...r, id: r.id + 100, repo: gitops }))],
      },
      directPush({ sha: sha("bot push"), author: bot, repo: gitops }),
    );
    const id = `${gitops}@${sha("bot push")}`;
    const image = { commit: sha("bot push"), image: "ghcr.io/acme/app", tag: "sha-1a2b3c4", digest: null, file: null };
    const traced = new Map([
      [
        id,
        {
          problems: [],
          traces: [
            {
              ...image,
              source: "diff" as const,
              traced: true as const,
              app: { repo: "acme/app", sha: sha("app"), via: "commit id" },
              change: { id: "acme/app#7", c1: "reviewed", reason: "approved", landedAt: "2026-07-30T00:00:00Z" },
            },
          ],
        },
      ],
    ]);
    const conflictsOf = (people: PersonDuties[]) => people.flatMap((p) => p.conflicts.map((c) => c.kind));
    expect(conflictsOf(matrix(w, undefined, traced))).toEqual([]);
    // Untraced, the same push is the automation merging its own unreviewed change.
    expect(conflictsOf(matrix(w))).toEqual(["merged-own-unreviewed"]);
  });

  it("an identity that resolves to nobody is a row of its own", () => {
    const people = matrix(
      world(directPush({ sha: sha("push"), author: { name: "Mallory", email: "mallory@laptop.local", login: null } })),
    );
    expect(row(people, "Mallory <mallory@laptop.local>")?.key).toBe("unresolved:Mallory <mallory@laptop.local>");
  });

  it("counts manual syncs by the username the reconciler recorded (an email resolves like a commit's)", () => {
    const people = matrix(squashMerge(pull()), (t) =>
      t.addDeployments([
        { initiatedBy: alice.email, count: 2 },
        { initiatedBy: "bob", count: 1 },
      ]),
    );
    expect(row(people, "Alice Adams")?.deployed).toBe(2);
    expect(row(people, "Bob Brown")?.deployed).toBe(1);
  });

  it("rights as the period closed: who can change a GitOps protected branch without review, and why", () => {
    const GITOPS = "acme/gitops";
    const history = accessHistory(
      accessRowsOf([
        {
          takenAt: "2026-10-01T08:00:00Z",
          members: { alice: ["ADMIN", true], bob: ["MEMBER", true], carol: ["MEMBER", true] },
          teams: { sre: { members: { carol: "MEMBER" } } },
          collaborators: { [GITOPS]: { bob: ["WRITE", false], erin: ["ADMIN", false] } },
          protection: {
            [GITOPS]: { main: protectionRule({ isAdminEnforced: false, bypassPullRequestAllowances: ["Team:sre"] }) },
          },
        },
      ]),
    );
    const people = matrix(squashMerge(pull()), (t) =>
      t.addRights(history, Q3, [{ github: GITOPS, role: "gitops", branches: ["main"] }]),
    );
    const can = people.filter((p) => p.rights.gitopsUnreviewed.length > 0).map((p) => p.name);
    // alice: owner with admins not enforced; erin: admin; carol: in the bypass team; bob (write): no.
    expect(can.sort()).toEqual(["Alice Adams", "Carol Chen", "erin"]);
    expect(row(people, "Alice Adams")?.rights.owner).toBe(true);
    expect(row(people, "Bob Brown")?.rights.gitopsWrite).toEqual([GITOPS]);
  });

  it("deployed own unreviewed change: a person synced by hand what introduced their own direct push", () => {
    const push = sha("gitops push");
    const w = world(
      { repos: [{ name: "acme/gitops", role: "gitops" }] },
      directPush({ sha: push, repo: "acme/gitops" }),
    );
    const deployed = (initiatedBy: string, automated: boolean): LinkedDeployment => ({
      id: `prod/argocd/app@${push}`,
      at: "2026-08-06T10:00:00Z",
      reconciler: "argocd",
      target: "prod/argocd/app",
      source: "acme/gitops",
      sourcePath: null,
      revision: push,
      commit: push,
      startedAt: "2026-08-06T10:00:00Z",
      finishedAt: "2026-08-06T10:01:00Z",
      initiatedBy,
      automated,
      outcome: "succeeded",
      rollback: false,
      previous: null,
      afterGap: false,
      inRepository: true,
      onProtectedBranch: true,
      introduced: { commits: [push], changes: [{ id: `acme/gitops@${push}`, concerns: [] }], outsidePeriod: [] },
      linkage: "",
    });
    const kinds = (d: LinkedDeployment) =>
      row(
        matrix(w, (t) => t.addDeployed([d])),
        "Carol Chen",
      )?.conflicts.map((c) => c.kind);
    expect(kinds(deployed("carol@acme.example", false))).toEqual(["deployed-own-unreviewed", "merged-own-unreviewed"]);
    // The automation deployed it, or someone else did: no such conflict for Carol.
    expect(kinds(deployed("carol@acme.example", true))).toEqual(["merged-own-unreviewed"]);
    expect(kinds(deployed("bob", false))).toEqual(["merged-own-unreviewed"]);
  });

  it("S1: an exception per person with a conflict, naming each; a pass otherwise", () => {
    const people = matrix(squashMerge(pull({ reviews: [review("alice", HEAD)], mergedBy: "alice" })));
    const findings = s1SeparationOfDuties.evaluate({ people });
    expect(findings.map((f) => `${f.verdict} ${f.subject.id}: ${f.reason}`)).toEqual([
      "exception Alice Adams: merged own unreviewed change acme/app#1; authored and sole-approved acme/app#1",
    ]);
    expect(s1SeparationOfDuties.evaluate({ people: matrix(squashMerge(pull())) }).map((f) => f.verdict)).toEqual([
      "pass",
      "pass",
    ]);
  });
});
