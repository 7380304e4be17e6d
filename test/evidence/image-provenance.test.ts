import { describe, expect, it } from "vitest";
import { buildNotReviewed, commitIdsInTag, gitTagNames, imageText } from "../../src/evidence/image-provenance.js";
import {
  directPush,
  FIRST,
  HEAD,
  mergeCommitMerge,
  PR1,
  populationOf,
  pull,
  rebaseMerge,
  sha,
  squashMerge,
  type World,
} from "../helpers/population-world.js";

describe("commit ids in an image tag", () => {
  it.each([
    ["sha-1a2b3c4", ["1a2b3c4"]],
    ["main-1a2b3c4-1700000000", ["1a2b3c4"]],
    ["v1.2.3-4-g1a2b3c4", ["1a2b3c4"]],
    ["v1.2.3-4-g1a2b3c4-dirty", ["1a2b3c4"]],
    ["3f9fa51e0c6b2d4a8e1f0a9b8c7d6e5f4a3b2c1d", ["3f9fa51e0c6b2d4a8e1f0a9b8c7d6e5f4a3b2c1d"]],
    ["sha-1234567", ["1234567"]], // said to be a sha: digits alone count
    ["1.2.0", []],
    ["20260807", []], // a date, not a commit
    ["build-1700000000", []], // a timestamp
    ["latest", []],
    ["deadbeef-cafe", ["deadbeef"]],
  ])("%s", (tag, ids) => {
    expect(commitIdsInTag(tag)).toEqual(ids);
  });

  it("a version tag is looked up as released in git, with and without v", () => {
    expect(gitTagNames("1.2.0")).toEqual(["1.2.0", "v1.2.0"]);
    expect(gitTagNames("v1.2.0")).toEqual(["v1.2.0", "1.2.0"]);
  });

  it("shows a reference as people write it", () => {
    expect(imageText({ image: "ghcr.io/acme/app", tag: "1.0", digest: null })).toBe("ghcr.io/acme/app:1.0");
    expect(imageText({ image: null, tag: "1.0", digest: "sha256:ab" })).toBe("(image not named):1.0@sha256:ab");
  });
});

describe("which builds of a change are of what was reviewed", () => {
  const changeOf = (w: World, id = PR1) => {
    const c = populationOf(w).changes.find((x) => x.id === id);
    if (!c) throw new Error(`no ${id}`);
    return c;
  };
  it("the final head, and what landing put on the branch, are; an earlier commit of the pull request is not", () => {
    const squashed = changeOf(squashMerge(pull()));
    expect(buildNotReviewed(squashed, HEAD)).toBeNull();
    expect(buildNotReviewed(squashed, sha("squash of #1"))).toBeNull();
    expect(buildNotReviewed(squashed, FIRST)).toBe(
      `a commit of ${PR1} before its final state (head ${HEAD.slice(0, 12)}): not what was reviewed`,
    );
    expect(buildNotReviewed(changeOf(mergeCommitMerge(pull())), sha("merge of #1"))).toBeNull();
    expect(buildNotReviewed(changeOf(mergeCommitMerge(pull())), FIRST)).toMatch(/not what was reviewed$/);
    // A rebase merge puts each re-created commit on the branch; only the last is the reviewed state.
    const rebased = changeOf(rebaseMerge(pull()));
    const replayed = rebased.commits.filter((k) => k.seenIn === "branch").map((k) => k.sha);
    expect(replayed.length).toBeGreaterThan(1);
    expect(buildNotReviewed(rebased, replayed.at(-1) ?? "")).toBeNull();
    expect(buildNotReviewed(rebased, replayed[0] ?? "")).toMatch(/not what was reviewed$/);
  });

  it("a direct push has no review to compare with (C1 judges it n/a)", () => {
    const push = changeOf(directPush({ sha: sha("push") }) as World, `acme/app@${sha("push")}`);
    expect(buildNotReviewed(push, sha("push"))).toBeNull();
  });
});
