import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { collectGitRepo } from "../../src/collectors/git/collect.js";
import { parseConfig } from "../../src/config/load.js";
import type { PersonConfig } from "../../src/config/schema.js";
import { RepoFactory } from "../../src/demo/repo-factory.js";
import { silentLogger } from "../../src/log/logger.js";
import { parsePeriod } from "../../src/period.js";
import { buildEvidence, type Evidence } from "../../src/pipeline/evidence.js";
import { openStore } from "../../src/store/db.js";
import { git } from "../collectors/git/helpers.js";
import { tempDir } from "../helpers/tmp.js";

/**
 * C12 on a store the git collector filled from real repositories, GitHub not collected: image
 * automation's pushes each write one image, resolved through the application repository's commits
 * and tags. Without GitHub no application change can be shown reviewed: nothing is traced.
 */

const carol = { name: "Carol", email: "carol@acme.example" };
const bot = { name: "flux-image-automation", email: "fluxcdbot@users.noreply.github.com" };
const PEOPLE: PersonConfig[] = [
  { name: "Carol", logins: ["carol"], emails: [carol.email] },
  { name: "Flux image automation", service: "bot", logins: [], emails: [bot.email] },
];
const IMAGE = "ghcr.io/acme/app";

describe("C12 traced through a real store", () => {
  const dir = tempDir();
  let ev: Evidence;
  const subjects = new Map<string, string>();
  let released = "";
  let unmerged = "";

  beforeAll(async () => {
    const at = new Date("2026-08-01T09:00:00Z");
    const app = RepoFactory.init(path.join(dir, "app"), { author: carol, start: at });
    app.commit("init", { files: { "main.go": "package main\n" } });
    released = app.commit("Release 1.2.0", { files: { "main.go": "package main // 1.2\n" } });
    git(app.dir, ["tag", "v1.2.0", released]);
    app.checkout("wip", { create: true });
    unmerged = app.commit("Unreviewed experiment", { files: { "x.go": "package main\n" } });
    app.checkout("main");

    const g = RepoFactory.init(path.join(dir, "gitops"), { author: carol, start: new Date("2026-08-02T09:00:00Z") });
    g.commit("bootstrap", { files: { "app.yaml": `image: ${IMAGE}:1.0.0\n` } });
    const write = (subject: string, ref: string, author = bot, extra = "") => {
      const sha = g.commit(subject, { author, files: { "app.yaml": `image: ${ref}\n${extra}` } });
      subjects.set(subject, sha);
    };
    write("by commit id", `${IMAGE}:sha-${released}`);
    write("by a short commit id", `${IMAGE}:sha-${released.slice(0, 7)}`);
    write("by release tag", `${IMAGE}:1.2.0`);
    write("from an unmerged branch", `${IMAGE}:sha-${unmerged}`);
    write("by digest alone", `${IMAGE}@sha256:${"a".repeat(64)}`);
    write("by tag and digest", `${IMAGE}:sha-${released}@sha256:${"b".repeat(64)}`);
    write("a tag naming nothing", `${IMAGE}:9.9.9`);
    write("an image no repository declares", `docker.io/library/redis:7.2.4`);
    write("an image bump carrying more", `${IMAGE}:1.2.0`, bot, "hostNetwork: true\n");
    write("a person's image bump", `${IMAGE}:1.2.0`, carol);

    const cfg = parseConfig(
      [
        "repos:",
        "  - name: acme/app",
        `    source: ${JSON.stringify(app.dir)}`,
        "    role: app",
        "    allBranches: true",
        `    images: [${IMAGE}]`,
        "  - name: acme/gitops",
        `    source: ${JSON.stringify(g.dir)}`,
        "    role: gitops",
        "",
      ].join("\n"),
      path.join(dir, "changeproof.yaml"),
    );
    const db = openStore(path.join(dir, "s.db"));
    for (const repo of cfg.repos)
      await collectGitRepo(db, repo, { cacheDir: path.join(dir, "cache"), log: silentLogger });
    ev = buildEvidence(db, parsePeriod("2026Q3"), {
      people: PEOPLE,
      exceptions: [],
      now: new Date("2026-10-02T00:00:00Z"),
      images: new Map(cfg.repos.map((r) => [r.name, r.images ?? []])),
    });
    db.close();
  });

  const c12 = (subject: string) => {
    const id = `acme/gitops@${subjects.get(subject)}`;
    return ev.judgement.byChange.get(id)?.find((f) => f.rule === "C12");
  };

  it.each([
    [
      "by commit id",
      /sha-[0-9a-f]{40}: built from acme\/app@[0-9a-f]{40}, which C1 found blocked: GitHub was not collected/,
    ],
    ["by a short commit id", /names commit [0-9a-f]{7}, too short an id to name one commit/],
    ["by release tag", /:1\.2\.0: built from acme\/app@[0-9a-f]{40}, which C1 found blocked/],
    [
      "from an unmerged branch",
      /acme\/app@[0-9a-f]{12} is on no protected branch and in no merged pull request: built from an unreviewed branch/,
    ],
    ["by digest alone", /named by digest alone: changeproof does not read the registry/],
    ["by tag and digest", /pinned by digest sha256:bbbb.*cannot tie the digest to the tag's build/],
    ["a tag naming nothing", /:9\.9\.9: tag 9\.9\.9 names no commit or git tag of acme\/app$/],
    ["an image no repository declares", /no tracked application repository declares docker\.io\/library\/redis/],
    ["an image bump carrying more", /changes 1 line besides image references: not only an image bump$/],
  ])("an automation's push %s is unexplained, and says why", (subject, reason) => {
    const f = c12(subject);
    expect(f?.verdict).toBe("unexplained");
    expect(f?.reason).toMatch(reason);
  });

  it("resolves a release tag through git's tag and a commit id through the commits, to the same commit", () => {
    const via = (subject: string) => c12(subject)?.evidence.find((e) => e.label.startsWith("image"))?.value ?? "";
    expect(via("by commit id")).toContain(`acme/app@${released.slice(0, 12)} (commit id ${released} in tag`);
    expect(via("by release tag")).toContain(`acme/app@${released.slice(0, 12)} (git tag v1.2.0)`);
  });

  it("leaves a person's push to C7", () => {
    expect(c12("a person's image bump")?.verdict).toBe("n/a");
  });
});
