import { describe, expect, it } from "vitest";
import { c11CommitIdentity } from "../../../src/evidence/rules/c11-commit-identity.js";
import {
  alice,
  type BranchCommitSpec,
  directPush,
  erin,
  HEAD,
  mallory,
  mergeCommitMerge,
  populationOf,
  pull,
  rebaseMerge,
  sha,
  short,
  squashMerge,
  subjectOf,
  verified,
  type World,
  world,
} from "../../helpers/population-world.js";

const PUSH = sha("push");
const SQUASH = sha("squash of #1");
/** A direct push GitHub read: signed with ssh and verified for its author unless said otherwise. */
const push = (over: Partial<BranchCommitSpec> = {}) => {
  const author = over.author ?? alice;
  return directPush({
    sha: PUSH,
    author,
    signature: "ssh",
    github: {
      prs: [],
      authorLogin: author.login ?? null,
      committerLogin: author.login ?? null,
      signature: verified(author.login ?? "", "SshSignature"),
    },
    ...over,
  });
};
const MEMBERS = ["alice", "bob", "carol"];

const cases: { name: string; w: World; verdict: string; reason: string }[] = [
  {
    name: "a squash commit GitHub signed as web-flow and verified",
    w: squashMerge(pull()),
    verdict: "pass",
    reason: "its commit is signed, verified, and by known authors",
  },
  {
    name: "a merge-commit merge: the merge commit and both pull request commits verified",
    w: mergeCommitMerge(pull()),
    verdict: "pass",
    reason: "all 3 commits are signed, verified, and by known authors",
  },
  {
    name: "a push by a registry person who is in no member snapshot",
    w: world(push(), { members: ["bob"] }),
    verdict: "pass",
    reason: "its commit is signed, verified, and by known authors",
  },
  {
    name: "a push by a GitHub account that is an organisation member",
    w: world(push({ author: erin }), { members: [...MEMBERS, "Erin"] }),
    verdict: "pass",
    reason: "its commit is signed, verified, and by known authors",
  },
  {
    name: "a push by a GitHub account with no member snapshot to check against",
    w: push({ author: erin }),
    verdict: "pass",
    reason: "its commit is signed, verified, and by known authors",
  },
  {
    name: "an unsigned push",
    w: push({ signature: null, github: { prs: [], authorLogin: "alice", committerLogin: "alice", signature: null } }),
    verdict: "exception",
    reason: `${short(PUSH)} unsigned`,
  },
  {
    name: "an unsigned commit GitHub was never asked about",
    w: push({ signature: null, github: null }),
    verdict: "exception",
    reason: `${short(PUSH)} unsigned`,
  },
  {
    name: "a squash commit whose signature GitHub does not verify (state BAD_EMAIL)",
    w: squashMerge(pull(), {
      github: {
        prs: [1],
        authorLogin: "alice",
        committerLogin: "web-flow",
        signature: { state: "BAD_EMAIL", valid: false, signer: null },
      },
    }),
    verdict: "exception",
    reason: `${short(SQUASH)} unverified (BAD_EMAIL)`,
  },
  {
    name: "a pull request commit signed with a key GitHub does not know (merge-commit merge)",
    w: mergeCommitMerge(
      pull({
        commits: [
          { oid: sha("first commit"), author: alice, signature: verified("alice") },
          { oid: HEAD, author: alice, signature: { kind: "GpgSignature", state: "UNKNOWN_KEY", valid: false } },
        ],
      }),
    ),
    verdict: "exception",
    reason: `${short(HEAD)} unverified (UNKNOWN_KEY)`,
  },
  {
    name: "a rebase merge: GitHub re-creates the commits unsigned",
    w: rebaseMerge(pull()),
    verdict: "exception",
    reason: `${short(sha(`rebased ${sha("first commit")}`))} unsigned; ${short(sha(`rebased ${HEAD}`))} unsigned`,
  },
  {
    name: "a push by an author who resolves to nobody",
    w: push({
      author: mallory,
      github: { prs: [], signature: { kind: "SshSignature", state: "VALID", valid: true, signer: null } },
    }),
    verdict: "exception",
    reason: `${short(PUSH)} by unknown author Mallory <mallory@laptop.local>`,
  },
  {
    name: "a verified squash commit with a co-author who resolves to nobody",
    w: squashMerge(
      pull({
        commits: [
          { oid: sha("first commit"), author: alice, signature: verified("alice") },
          { oid: HEAD, author: alice, coAuthors: [mallory], signature: verified("alice") },
        ],
      }),
    ),
    verdict: "exception",
    reason: `${short(SQUASH)} by unknown author Mallory <mallory@laptop.local>`,
  },
  {
    name: "a push by a GitHub account that is not an organisation member",
    w: world(push({ author: erin }), { members: MEMBERS }),
    verdict: "exception",
    reason: `${short(PUSH)} by Erin Evans <erin@home.example> (erin), not an organisation member`,
  },
  {
    name: "a signed push GitHub listed no pull request for but whose commit it did not read",
    w: push({ github: { prs: [], read: "not-read" } }),
    verdict: "blocked",
    reason: `${short(PUSH)} signed (ssh) but not verified by GitHub (not read from GitHub)`,
  },
  {
    name: "a signed commit GitHub does not have",
    w: push({ github: { prs: [], read: "missing" } }),
    verdict: "blocked",
    reason: `${short(PUSH)} signed (ssh) but not verified by GitHub (not read from GitHub)`,
  },
  {
    name: "a signed squash commit GitHub was not yet asked about",
    w: squashMerge(pull(), { github: null }),
    verdict: "blocked",
    reason: `${short(SQUASH)} signed (gpg) but not verified by GitHub`,
  },
  {
    name: "a merged pull request none of whose commits git saw on the branch",
    w: { pulls: [pull()] },
    verdict: "blocked",
    reason: "none of its commits is in the protected branch's history as git read it",
  },
];

describe("C11 unsigned, unverified or unknown-author commits", () => {
  it.each(cases)("$name: $verdict", ({ w, verdict, reason }) => {
    const f = c11CommitIdentity.evaluate(populationOf(w)).find((x) => x.subject.id === subjectOf(w));
    expect(f).toMatchObject({ rule: "C11", verdict, criteria: ["CC8.1"] });
    expect(f?.reason).toContain(reason);
  });

  it("covers every verdict the rule documents", () => {
    expect(new Set(cases.map((c) => c.verdict))).toEqual(new Set(c11CommitIdentity.doc.verdicts));
  });

  it("lists every problem in its evidence and caps the reason at three", () => {
    const five = pull({
      headOid: sha("c5"),
      commits: [1, 2, 3, 4, 5].map((i) => ({ oid: sha(`c${i}`), author: alice })),
    });
    const f = c11CommitIdentity.evaluate(populationOf(rebaseMerge(five)))[0];
    expect(f?.verdict).toBe("exception");
    expect(f?.reason).toMatch(/ unsigned; .* unsigned; .* unsigned; and 2 more$/);
    expect(f?.evidence.filter((e) => e.label === "commit")).toHaveLength(5);
  });

  it("resolves a co-author through GitHub's Commit.authors, which ties the email to an account", () => {
    const dan = { name: "Dan Member", email: "dan@home.example" };
    const withCoAuthor = (authors?: { name: string; email: string; login: string | null }[]) =>
      world(
        push({
          coAuthors: [dan],
          github: {
            prs: [],
            authorLogin: "alice",
            committerLogin: "alice",
            signature: verified("alice", "SshSignature"),
            ...(authors ? { authors } : {}),
          },
        }),
        { members: [...MEMBERS, "dan"] },
      );
    const judged = (w: World) => c11CommitIdentity.evaluate(populationOf(w))[0];
    // Nothing else names dan's email: without GitHub's authors it resolves to nobody.
    expect(judged(withCoAuthor())?.reason).toContain("by unknown author Dan Member <dan@home.example>");
    const tied = withCoAuthor([
      { name: "Alice", email: "alice@acme.example", login: "alice" },
      { name: dan.name, email: dan.email, login: "dan" },
    ]);
    expect(judged(tied)?.verdict).toBe("pass");
  });
});
