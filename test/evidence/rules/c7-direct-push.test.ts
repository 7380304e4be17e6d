import { describe, expect, it } from "vitest";
import { c7DirectPush } from "../../../src/evidence/rules/c7-direct-push.js";
import {
  alice,
  carol,
  directPush,
  mallory,
  mergeCommitMerge,
  populationOf,
  pull,
  rebaseMerge,
  sha,
  short,
  squashMerge,
  subjectOf,
  verdictOf,
  type World,
  world,
} from "../../helpers/population-world.js";

const cases: { name: string; w: World; verdict: string; reason: string }[] = [
  {
    name: "a direct push names its committer and the GitHub account tied to it",
    w: directPush({ sha: sha("push"), author: carol }),
    verdict: "direct-push",
    reason: "committed directly to main by Carol Chen <carol@acme.example> (GitHub account carol)",
  },
  {
    name: "a push authored by alice but committed by carol names carol",
    w: directPush({ sha: sha("push"), author: alice, committer: carol }),
    verdict: "direct-push",
    reason: "committed directly to main by Carol Chen <carol@acme.example> (GitHub account carol)",
  },
  {
    name: "a committer GitHub ties to no account is named by git's identity alone",
    w: directPush({ sha: sha("push"), author: mallory }),
    verdict: "direct-push",
    reason: "committed directly to main by Mallory <mallory@laptop.local>",
  },
  {
    name: "a bot's push is flagged too",
    w: directPush({
      sha: sha("bot push"),
      author: { name: "flux", email: "flux@acme.example", login: "flux-bot[bot]" },
    }),
    verdict: "direct-push",
    reason: "committed directly to main by flux <flux@acme.example> (GitHub account flux-bot[bot])",
  },
  {
    name: "a push to another protected branch",
    w: directPush({ sha: sha("release push"), branch: "release" }),
    verdict: "direct-push",
    reason: "committed directly to release by Carol Chen",
  },
  { name: "a squash merge", w: squashMerge(pull()), verdict: "pass", reason: "landed by pull request #1" },
  { name: "a rebase merge", w: rebaseMerge(pull()), verdict: "pass", reason: "landed by pull request #1" },
  { name: "a merge-commit merge", w: mergeCommitMerge(pull()), verdict: "pass", reason: "landed by pull request #1" },
  {
    name: "a commit GitHub was not asked about",
    w: directPush({ sha: sha("unread"), github: null }),
    verdict: "blocked",
    reason: `GitHub has not yet been asked which pull request, if any, landed ${short(sha("unread"))}`,
  },
  {
    name: "a commit GitHub does not have (a squash or rebase merge cannot be told from a push)",
    w: directPush({ sha: sha("gone"), github: { prs: [], read: "missing" } }),
    verdict: "blocked",
    reason: `GitHub does not have ${short(sha("gone"))}`,
  },
  {
    name: "a commit GitHub ties to a pull request the store does not hold",
    w: directPush({ sha: sha("orphan"), github: { prs: [9] } }),
    verdict: "blocked",
    reason: "with pull request #9, which the store does not hold",
  },
];

describe("C7 direct push", () => {
  it.each(cases)("$name: $verdict", ({ w, verdict, reason }) => {
    const f = c7DirectPush.evaluate(populationOf(w)).find((x) => x.subject.id === subjectOf(w));
    expect(f).toMatchObject({ rule: "C7", verdict, criteria: ["CC8.1"] });
    expect(f?.reason).toContain(reason);
  });

  it("covers every verdict the rule documents", () => {
    expect(new Set(cases.map((c) => c.verdict))).toEqual(new Set(c7DirectPush.doc.verdicts));
  });

  it("a commit reviewed in a pull request into another branch and pushed here directly is a direct push", () => {
    const reviewed = sha("reviewed on develop");
    const w = world(
      squashMerge(
        pull({ number: 4, baseRef: "develop", headOid: reviewed, commits: [{ oid: reviewed, author: alice }] }),
      ),
      // GitHub lists merged pull requests into main only: none.
      directPush({ sha: reviewed, author: alice, github: { prs: [], authorLogin: "alice", committerLogin: "alice" } }),
    );
    const byId = new Map(c7DirectPush.evaluate(populationOf(w)).map((f) => [f.subject.id, f]));
    expect(byId.get("acme/app#4")).toMatchObject({ verdict: "pass", reason: "landed by pull request #4" });
    expect(byId.get(`acme/app@${reviewed}`)).toMatchObject({
      verdict: "direct-push",
      reason: "committed directly to main by Alice Adams <alice@acme.example> (GitHub account alice)",
    });
  });

  it("names the committer in its evidence, and the change's id is repo@sha", () => {
    const w = directPush({ sha: sha("push"), author: carol });
    const f = verdictOf(c7DirectPush, w, `acme/app@${sha("push")}`);
    expect(f.subject).toEqual({ kind: "change", id: `acme/app@${sha("push")}` });
    expect(f.evidence.find((e) => e.label === "committer")?.value).toBe(
      "Carol Chen <carol@acme.example> (GitHub account carol)",
    );
  });
});
