import { describe, expect, it } from "vitest";
import { commitIdsInTag, gitTagNames, imageText } from "../../src/evidence/image-provenance.js";

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
