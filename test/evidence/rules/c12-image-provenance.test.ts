import { describe, expect, it } from "vitest";
import type { ImageTrace } from "../../../src/evidence/image-provenance.js";
import type { Population } from "../../../src/evidence/population.js";
import { c12ImageProvenance } from "../../../src/evidence/rules/c12-image-provenance.js";
import {
  carol,
  DEFAULT_RUNS,
  directPush,
  populationOf,
  pull,
  sha,
  squashMerge,
  type Who,
  type World,
  world,
} from "../../helpers/population-world.js";

const GITOPS = "acme/gitops";
const repos = [
  { name: "acme/app", role: "app" as const },
  { name: GITOPS, role: "gitops" as const },
];
const fluxBot: Who = { name: "flux", email: "flux@users.noreply.github.com", login: "flux-image-automation[bot]" };
const deployer: Who = { name: "Deployer", email: "deployer@acme.example", login: "acme-deployer" };
const BOT_PUSH = sha("bot push");

const image = { commit: BOT_PUSH, image: "ghcr.io/acme/app", digest: null, source: "diff" as const, file: "app.yaml" };
const traced = (tag: string, change: string): ImageTrace => ({
  ...image,
  tag,
  traced: true,
  app: { repo: "acme/app", sha: sha(change), via: `commit id in tag ${tag}` },
  change: { id: change, c1: "reviewed", reason: "approved on the final head", landedAt: "2026-07-30T00:00:00Z" },
});
const untraced = (tag: string, why: string): ImageTrace => ({ ...image, tag, traced: false, why });

interface Case {
  name: string;
  w: World;
  change: string;
  images?: ImageTrace[];
  problems?: string[];
  verdict: string;
  reason: string;
}

/** Both repositories collected by git on the same days. */
const gitRuns = [...DEFAULT_RUNS, ...DEFAULT_RUNS.map((r) => ({ ...r, id: r.id + 100, repo: GITOPS }))];
const push = (author: Who, repo = GITOPS) => world({ repos, gitRuns }, directPush({ sha: BOT_PUSH, author, repo }));

const cases: Case[] = [
  {
    name: "a bot's push whose image traces to a reviewed change",
    w: push(fluxBot),
    change: `${GITOPS}@${BOT_PUSH}`,
    images: [traced("sha-1a2b3c4", "acme/app#7")],
    verdict: "traced",
    reason: "ghcr.io/acme/app:sha-1a2b3c4 built from acme/app#7 (C1 reviewed)",
  },
  {
    name: "an automation account of the registry is an automation too",
    w: push(deployer),
    change: `${GITOPS}@${BOT_PUSH}`,
    images: [traced("1.2.0", "acme/app#8")],
    verdict: "traced",
    reason: "ghcr.io/acme/app:1.2.0 built from acme/app#8 (C1 reviewed)",
  },
  {
    name: "one untraced image of two makes the change unexplained, and says which",
    w: push(fluxBot),
    change: `${GITOPS}@${BOT_PUSH}`,
    images: [
      traced("sha-1a2b3c4", "acme/app#7"),
      untraced("9.9.9", "tag 9.9.9 names no commit or git tag of acme/app"),
    ],
    verdict: "unexplained",
    reason: "ghcr.io/acme/app:9.9.9: tag 9.9.9 names no commit or git tag of acme/app",
  },
  {
    name: "an image bump that also changes other lines is not explained by the image's build",
    w: push(fluxBot),
    change: `${GITOPS}@${BOT_PUSH}`,
    images: [traced("sha-1a2b3c4d5e6f", "acme/app#7")],
    problems: ["1a2b3c4d5e6f changes 3 lines besides image references"],
    verdict: "unexplained",
    reason: "1a2b3c4d5e6f changes 3 lines besides image references: not only an image bump",
  },
  {
    name: "a bot's push that writes no image it can read",
    w: push(fluxBot),
    change: `${GITOPS}@${BOT_PUSH}`,
    verdict: "unexplained",
    reason: "it writes no image reference changeproof can read (no image, tag or digest in its diff or message)",
  },
  {
    name: "a person's push to a GitOps repository is C7's, not C12's",
    w: push(carol),
    change: `${GITOPS}@${BOT_PUSH}`,
    verdict: "n/a",
    reason: "made by a person, not an automation",
  },
  {
    name: "a bot's push to an application repository",
    w: push(fluxBot, "acme/app"),
    change: `acme/app@${BOT_PUSH}`,
    verdict: "n/a",
    reason: "not a change to a GitOps repository",
  },
  {
    name: "a pull request a bot opened in a GitOps repository is judged",
    w: world({ repos, gitRuns }, squashMerge(pull({ repo: GITOPS, author: "renovate[bot]" }))),
    change: `${GITOPS}#1`,
    verdict: "unexplained",
    reason: "it writes no image reference changeproof can read (no image, tag or digest in its diff or message)",
  },
];

describe("C12 automated change provenance", () => {
  it.each(cases)("$name", ({ w, change, images, problems, verdict, reason }) => {
    const pop = populationOf(w);
    const withImages: Population =
      images || problems
        ? { ...pop, images: new Map([[change, { traces: images ?? [], problems: problems ?? [] }]]) }
        : pop;
    const f = c12ImageProvenance.evaluate(withImages).find((x) => x.subject.id === change);
    expect(f?.verdict).toBe(verdict);
    expect(f?.reason).toBe(reason);
    if (verdict === "unexplained" && images) {
      expect(f?.evidence.map((e) => e.value).join("\n")).toContain("ghcr.io/acme/app:");
    }
  });
});
