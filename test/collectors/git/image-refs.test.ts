import { describe, expect, it } from "vitest";
import {
  imageRefsOfMessage,
  MAX_REFS_PER_COMMIT,
  parseImageReference,
  readDiff,
} from "../../../src/collectors/git/image-refs.js";

/** A one-file patch as `git diff-tree -p` prints it. */
const patch = (file: string, lines: string[]): string =>
  [
    `diff --git a/${file} b/${file}`,
    "index 1111111..2222222 100644",
    `--- a/${file}`,
    `+++ b/${file}`,
    "@@ -1,3 +1,3 @@",
    ...lines,
  ].join("\n");

describe("parseImageReference", () => {
  it.each([
    ["ghcr.io/acme/app:sha-1a2b3c4", { image: "ghcr.io/acme/app", tag: "sha-1a2b3c4", digest: null }],
    ["registry:5000/team/app:1.2.3", { image: "registry:5000/team/app", tag: "1.2.3", digest: null }],
    ["payments-api:1.2.0", { image: "payments-api", tag: "1.2.0", digest: null }],
    [`"nginx:1.27"`, { image: "nginx", tag: "1.27", digest: null }],
    [`app@sha256:${"a".repeat(64)}`, { image: "app", tag: null, digest: `sha256:${"a".repeat(64)}` }],
    [
      `GHCR.io/Acme/App:v1@sha256:${"b".repeat(64)}`,
      { image: "ghcr.io/acme/app", tag: "v1", digest: `sha256:${"b".repeat(64)}` },
    ],
  ])("reads %s", (text, want) => {
    expect(parseImageReference(text)).toEqual(want);
  });

  it.each([
    ["nginx"], // no tag or digest: says nothing about a build
    ["{{ .Values.image }}"],
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell variable left unexpanded in a manifest
    ["app:${TAG}"],
    ["app:tag with space"],
    ["app:\u001b[31mred"],
    [`app:${"x".repeat(200)}`],
    ["app@sha256:nothex"],
  ])("refuses %s", (text) => {
    expect(parseImageReference(text)).toBeNull();
  });
});

describe("readDiff", () => {
  it("reads the image a manifest's added line writes, not the removed one, with Flux's setter marker", () => {
    const refs = readDiff(
      patch("apps/prod/deployment.yaml", [
        "   containers:",
        "     - name: app",
        `-      image: ghcr.io/acme/app:sha-0000000 # {"$imagepolicy": "flux-system:app"}`,
        `+      image: ghcr.io/acme/app:sha-1a2b3c4 # {"$imagepolicy": "flux-system:app"}`,
      ]),
    ).refs;
    expect(refs).toEqual([
      {
        image: "ghcr.io/acme/app",
        tag: "sha-1a2b3c4",
        digest: null,
        source: "diff",
        file: "apps/prod/deployment.yaml",
      },
    ]);
  });

  it("ties a kustomization's newTag to its image entry from the hunk's context", () => {
    const refs = readDiff(
      patch("apps/prod/kustomization.yaml", [
        "images:",
        "  - name: payments-api",
        "    newName: ghcr.io/acme/payments-api",
        "-    newTag: 1.1.0",
        "+    newTag: 1.2.0",
      ]),
    ).refs;
    expect(refs.map((r) => [r.image, r.tag])).toEqual([["ghcr.io/acme/payments-api", "1.2.0"]]);
  });

  it("ties Helm values' tag and digest to the repository above them", () => {
    const refs = readDiff(
      patch("charts/app/values.yaml", [
        "image:",
        "  repository: ghcr.io/acme/app",
        '+  tag: "v2.0.1"',
        `+  digest: sha256:${"c".repeat(64)}`,
      ]),
    ).refs;
    expect(refs.map((r) => [r.image, r.tag, r.digest])).toEqual([
      ["ghcr.io/acme/app", "v2.0.1", null],
      ["ghcr.io/acme/app", null, `sha256:${"c".repeat(64)}`],
    ]);
  });

  it("does not take an object's metadata name for an image, and a hunk's names do not leak into the next file", () => {
    const diff = [patch("a.yaml", ["metadata:", "  name: payments"]), patch("b.yaml", ["+tag: 1.2.3"])].join("\n");
    expect(readDiff(diff).refs).toEqual([{ image: null, tag: "1.2.3", digest: null, source: "diff", file: "b.yaml" }]);
  });

  it("keeps at most a bounded number per commit, and says it cut them", () => {
    const lines = Array.from({ length: MAX_REFS_PER_COMMIT + 50 }, (_, i) => `+image: app${i}:1.0.${i}`);
    const reading = readDiff(patch("bulk.yaml", lines));
    expect(reading.refs).toHaveLength(MAX_REFS_PER_COMMIT);
    expect(reading.truncated).toBe(true);
  });

  it("counts every changed line that is not an image reference: an image bump changes none", () => {
    const bump = readDiff(
      patch("app.yaml", [
        "   containers:",
        "-    image: ghcr.io/acme/app:1.0.0",
        "+    image: ghcr.io/acme/app:1.1.0",
        "+",
        "+# bumped",
      ]),
    );
    expect(bump).toMatchObject({ otherLines: 0, unreadable: 0, truncated: false });
    const smuggled = readDiff(
      patch("app.yaml", [
        "+    image: ghcr.io/acme/app:1.1.0",
        "+    volumes:",
        "+      - hostPath: { path: / }",
        "-    replicas: 2",
      ]),
    );
    expect(smuggled.otherLines).toBe(3);
    expect(smuggled.refs).toHaveLength(1);
  });

  it("counts added image lines it cannot read, a quoted tag with a setter comment read whole", () => {
    const reading = readDiff(
      patch("values.yaml", [
        "image:",
        "  repository: ghcr.io/acme/app",
        `+  tag: "5.0.1" # {"$imagepolicy": "flux-system:app:tag"}`,
        "+  image: evil/miner",
        '+  tag: "${TAG}"',
      ]),
    );
    expect(reading.refs.map((r) => `${r.image}:${r.tag}`)).toEqual(["ghcr.io/acme/app:5.0.1"]);
    expect(reading.unreadable).toBe(2);
  });

  it("does not carry a kustomize entry's newName to the next entry, nor names across YAML documents", () => {
    const reading = readDiff(
      patch("kustomization.yaml", [
        "images:",
        "  - name: app",
        "    newName: ghcr.io/acme/app",
        "  - name: worker",
        "+    newTag: 2.0.0",
        " ---",
        "+tag: 3.0.0",
      ]),
    );
    expect(reading.refs.map((r) => [r.image, r.tag])).toEqual([
      ["worker", "2.0.0"],
      [null, "3.0.0"],
    ]);
  });

  it("takes an added line that looks like a file header for content, not for the file's name", () => {
    const reading = readDiff(patch("real.yaml", ["+++ b/forged.yaml", "+image: ghcr.io/acme/app:1.0.0"]));
    expect(reading.refs[0]?.file).toBe("real.yaml");
    expect(reading.otherLines).toBe(1);
  });
});

describe("imageRefsOfMessage", () => {
  it("reads Flux image automation's default template", () => {
    const msg = [
      "Automated image update",
      "",
      "Automation name: flux-system/payments",
      "",
      "Files:",
      "- apps/prod/deployment.yaml",
      "",
      "Objects:",
      "- Deployment payments",
      "",
      "Images:",
      "- ghcr.io/acme/payments-api:sha-1a2b3c4",
      "- ghcr.io/acme/worker:1.4.0",
      "",
    ].join("\n");
    expect(imageRefsOfMessage(msg).map((r) => `${r.image}:${r.tag}`)).toEqual([
      "ghcr.io/acme/payments-api:sha-1a2b3c4",
      "ghcr.io/acme/worker:1.4.0",
    ]);
  });

  it("reads Flux v1's auto-release and Argo CD Image Updater's messages", () => {
    expect(imageRefsOfMessage("Auto-release quay.io/acme/app:v1.2.3").map((r) => r.tag)).toEqual(["v1.2.3"]);
    expect(
      imageRefsOfMessage("build: automatic update of payments\n\nupdates image acme/app tag '1.0.0' to '1.1.0'\n").map(
        (r) => `${r.image}:${r.tag}`,
      ),
    ).toEqual(["acme/app:1.1.0"]);
  });

  it("finds nothing in a person's message", () => {
    expect(imageRefsOfMessage("Scale payments to 6 replicas\n\nimages: are fine")).toEqual([]);
  });
});
