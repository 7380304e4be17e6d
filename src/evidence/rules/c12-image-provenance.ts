import { changeRule } from "../change-rule.js";
import { imageText, isAutomatedGitopsChange, provenanceVerdict } from "../image-provenance.js";

/**
 * C12: a GitOps change made by image automation is explained by the application change that
 * built the image it deploys.
 */
export const c12ImageProvenance = changeRule(
  {
    id: "C12",
    title: "Automated change provenance",
    criteria: ["CC8.1"],
    subject: "change",
    verdicts: ["traced", "unexplained", "n/a"],
    checks:
      "Whether each image an automation's change to a GitOps repository deploys was built from an application change that passed review (C1).",
    data: "The image references each GitOps commit writes, read by the git collector from the added lines of its diff (a manifest's image:, a kustomization's newName/newTag, Helm values' repository/tag/digest) and from image automation's commit messages (Flux's image-automation template, Flux v1's Auto-release, Argo CD Image Updater); the tags and commits of the tracked application repositories; repos[].images in the config (which repository builds which image); GitHub's merged pull requests; identity resolution for who is an automation.",
    judged:
      "n/a: not a change to a GitOps repository, or made by a person (a pull request a bot or automation account opened, or a push whose every commit such an account authored, is judged). The commits it put on the branch must be only an image bump: every changed line an image reference (blank lines and comments aside), every added image line readable, each diff read whole; images named only in a commit message, which anyone can write, do not count. Each image written is resolved to an application commit in the repository that declares the image (repos[].images): a commit id of at least 12 characters in its tag (sha-<id>, main-<id>-<build>, git describe's -g<id>) naming exactly one commit, else a git tag of that name (1.2.0 or v1.2.0) naming one commit. That commit must be what a change reviewed (its pull request's final head, or its merge, squash or last rebased commit), that change C1 reviewed (judged where it landed, in this period or another) and landed before this change wrote the image. traced: every image it writes traces so. unexplained: anything else, with why (a digest, which changeproof cannot tie to a build without the registry; an undeclared image; a tag that names no commit or too short an id; a commit no reviewed change landed; a review after the deployment; other lines changed).",
    limits:
      "A tag is trusted to name the commit the image was built from: the registry and the build's provenance attestation are not read. Short commit ids (docker/metadata-action's default 7) are refused as too easy to collide with: tag builds with the full id (type=sha,format=long). The automation is recognised by the identity its commits carry, which anyone can set; that is why only image bumps, of reviewed builds, are traced. A git tag moved between runs names two commits and is reported as ambiguous; one moved before any run saw it is not known. Only a commit's own diff against its first parent is read, capped at 1 MiB and 100 references (beyond, unexplained).",
  },
  (c, pop) => {
    if (!isAutomatedGitopsChange(c, pop.identities)) {
      return {
        verdict: "n/a",
        reason: c.role === "gitops" ? "made by a person, not an automation" : "not a change to a GitOps repository",
      };
    }
    const provenance = pop.images?.get(c.id) ?? { traces: [], problems: [] };
    const { traces } = provenance;
    const v = provenanceVerdict(provenance);
    return {
      ...v,
      evidence: () => [
        ...provenance.problems.map((p) => ({ label: "not only an image bump", value: p })),
        ...traces.map((t) => ({
          label: `image (${t.source === "diff" ? (t.file ?? "diff") : "commit message"}, ${t.commit.slice(0, 12)})`,
          value: `${[
            imageText(t),
            ...(t.app ? [`${t.app.repo}@${t.app.sha.slice(0, 12)} (${t.app.via})`] : []),
            ...(t.change ? [`${t.change.id}: C1 ${t.change.c1}`] : []),
          ].join(" → ")}${t.traced ? "" : `; unexplained: ${t.why}`}`,
        })),
      ],
    };
  },
);
