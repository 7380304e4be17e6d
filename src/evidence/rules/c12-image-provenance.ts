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
      "n/a: not a change to a GitOps repository, or made by a person (a pull request a bot or automation account opened, or a push whose every commit such an account authored, is judged). Each image reference is resolved to an application commit: a commit id in its tag (sha-1a2b3c4, main-1a2b3c4-<build>, git describe's -g1a2b3c4, a full id) that names exactly one commit, else a git tag of that name (1.2.0 or v1.2.0) naming one commit; in the repository that declares the image, else in any tracked application repository (matched by id, which must then be unique). That commit's change (its merged pull request, or the push that landed it, judged where it landed, in this period or another) must be C1 reviewed, and the commit must be what was reviewed: the pull request's final head or what landing it put on the branch (its merge, squash or rebased commits), not an earlier commit of it. traced: every image it writes traces so. unexplained: an image does not (a tag that names no commit, a digest alone, which changeproof cannot map without the registry, a commit no reviewed change landed, a change C1 found not reviewed), or it writes no image changeproof can read.",
    limits:
      "A tag is trusted to name the commit the image was built from: the registry and the build's provenance attestation are not read. A mutable tag (latest) or one re-pointed in git is reported as ambiguous rather than guessed. Only added lines of a commit's own diff are read, capped at 1 MiB per commit and 100 references.",
  },
  (c, pop) => {
    if (!isAutomatedGitopsChange(c, pop.identities)) {
      return {
        verdict: "n/a",
        reason: c.role === "gitops" ? "made by a person, not an automation" : "not a change to a GitOps repository",
      };
    }
    const traces = pop.images?.get(c.id) ?? [];
    const v = provenanceVerdict(traces);
    return {
      ...v,
      evidence: () =>
        traces.map((t) => ({
          label: `image (${t.source === "diff" ? (t.file ?? "diff") : "commit message"}, ${t.commit.slice(0, 12)})`,
          value: `${[
            imageText(t),
            ...(t.app ? [`${t.app.repo}@${t.app.sha.slice(0, 12)} (${t.app.via})`] : []),
            ...(t.change ? [`${t.change.id}: C1 ${t.change.c1}`] : []),
          ].join(" → ")}${t.traced ? "" : `; unexplained: ${t.why}`}`,
        })),
    };
  },
);
