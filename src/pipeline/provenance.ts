import type { PersonConfig } from "../config/schema.js";
import { short } from "../evidence/change-rule.js";
import { buildIdentities, type Identities } from "../evidence/identities.js";
import {
  buildNotReviewed,
  commitIdsInTag,
  gitTagNames,
  type ImageProvenance,
  type ImageTrace,
  imageText,
  isAutomatedGitopsChange,
  type WrittenImage,
} from "../evidence/image-provenance.js";
import { buildPopulation, type Change, type Population } from "../evidence/population.js";
import { c1Reviewed } from "../evidence/rules/c1-reviewed.js";
import { type Period, quarterOf } from "../period.js";
import type { DB } from "../store/db.js";
import {
  observedIdentityRows,
  type PeriodContextRows,
  type PopulationRepoRow,
  periodContextRows,
  repoChangeRows,
} from "../store/population-queries.js";
import { commitsByPrefix, imageRefsOf, imageScansOf, landingOf, tagCommits } from "../store/provenance-queries.js";
import { getOrInsert } from "../util/get-or-insert.js";
import { plural } from "../util/plural.js";

type AppCommit = { repo: string; sha: string; via: string };
type Landed = { id: string; c1: string; reason: string; landedAt: string };

/**
 * Traces the images automated GitOps changes write to the application changes that built them
 * (SPEC C12), reading the store: a reference's tag names an application commit (by id or by git
 * tag), and that commit's change is rebuilt where it landed (in this period or any other) and
 * judged by C1. Each application commit is judged once per period.
 */
export class ImageTracer {
  private readonly repoIds: Map<string, number>;
  private readonly appRepos: PopulationRepoRow[];
  private readonly landed = new Map<string, Landed | string>();
  /** Identity resolution and context rows of the quarters changes landed in outside the period. */
  private readonly quarters = new Map<string, { identities: Identities; context: PeriodContextRows }>();

  constructor(
    private readonly db: DB,
    private readonly o: {
      period: Period;
      people: readonly PersonConfig[];
      identities: Identities;
      repos: readonly PopulationRepoRow[];
      /** The period's context rows, reused for a change that landed in the period. */
      context?: PeriodContextRows;
      /** repos[].images of the config: the images each application repository builds. */
      images: ReadonlyMap<string, readonly string[]>;
    },
  ) {
    this.repoIds = new Map(o.repos.map((r) => [r.name, r.id]));
    this.appRepos = o.repos.filter((r) => r.role === "app");
  }

  /** The population with the images of each automated GitOps change traced (C12 reads them). */
  attach(pop: Population): Population {
    const images = new Map<string, ImageProvenance>();
    for (const c of pop.changes) {
      if (!isAutomatedGitopsChange(c, pop.identities)) continue;
      const { written, problems } = this.written(c);
      images.set(c.id, { traces: written.map((w) => this.trace(w, c.landedAt)), problems });
    }
    return images.size === 0 ? pop : { ...pop, images };
  }

  /**
   * What the commits the change put on the branch write, each image once, and what keeps it from
   * being only an image bump: lines that are not image references, image lines changeproof cannot
   * read, a diff not read whole or not read yet, images named only in a message anyone can write.
   */
  private written(c: Change): { written: WrittenImage[]; problems: string[] } {
    const repoId = this.repoIds.get(c.repo);
    if (repoId === undefined) return { written: [], problems: [`${c.repo} is not in the store`] };
    const onBranch = c.commits.filter((k) => k.seenIn === "branch");
    const shas = [...new Set((onBranch.length > 0 ? onBranch : c.commits).map((k) => k.sha))];
    const problems: string[] = [];
    const scans = new Map(imageScansOf(this.db, repoId, shas).map((s) => [s.sha, s]));
    for (const sha of shas) {
      const s = scans.get(sha);
      const at = short(sha);
      if (!s) problems.push(`${at} was not read for image references yet (collect again)`);
      else {
        if (s.other_lines > 0) problems.push(`${at} changes ${plural(s.other_lines, "line")} besides image references`);
        if (s.unreadable > 0) {
          problems.push(
            `${at} writes ${plural(s.unreadable, "image line")} with no tag or digest changeproof can read`,
          );
        }
        if (s.truncated === 1)
          problems.push(`${at} was not read whole (its diff is over 1 MiB, or over 100 references)`);
      }
    }
    const seen = new Set<string>();
    const written: WrittenImage[] = [];
    let named = 0;
    for (const r of imageRefsOf(this.db, repoId, shas)) {
      // A message is text anyone can write: only what the diff writes is evidence.
      if (r.source !== "diff") {
        named++;
        continue;
      }
      const w: WrittenImage = {
        commit: r.sha,
        image: r.image,
        tag: r.tag,
        digest: r.digest,
        source: r.source,
        file: r.file,
      };
      const k = imageText(w);
      if (seen.has(k)) continue;
      seen.add(k);
      written.push(w);
    }
    if (written.length === 0 && named > 0) {
      problems.push("it names its images only in its commit message, which anyone can write; its diff writes none");
    }
    return { written, problems };
  }

  private trace(w: WrittenImage, deployedAt: string): ImageTrace {
    const found = this.appCommit(w);
    if (typeof found === "string") return { ...w, traced: false, why: found };
    const change = this.changeOf(found);
    if (typeof change === "string") return { ...w, traced: false, why: change, app: found };
    if (change.c1 !== "reviewed") {
      return {
        ...w,
        traced: false,
        why: `built from ${change.id}, which C1 found ${change.c1}: ${change.reason}`,
        app: found,
        change,
      };
    }
    // A review given after the image went to production did not explain it when it went.
    if (Date.parse(change.landedAt) > Date.parse(deployedAt)) {
      return {
        ...w,
        traced: false,
        why: `built from ${change.id}, which landed at ${change.landedAt}, after this change wrote its image (${deployedAt})`,
        app: found,
        change,
      };
    }
    return { ...w, traced: true, app: found, change };
  }

  /** The application commit a reference names, or why none can be named. */
  private appCommit(w: WrittenImage): AppCommit | string {
    if (w.digest) {
      return w.tag
        ? `pinned by digest ${w.digest.slice(0, 19)}…, which is what runs: changeproof does not read the registry, so it cannot tie the digest to the tag's build`
        : "named by digest alone: changeproof does not read the registry, so a digest names no commit";
    }
    if (!w.tag) return "no tag or digest";
    if (w.image === null) return "the diff does not name which image this tag is for";
    const image = w.image;
    const repos = this.appRepos.filter((r) => (this.o.images.get(r.name) ?? []).includes(image));
    if (repos.length === 0) {
      return `no tracked application repository declares ${image} (repos[].images), so no build of it can be traced`;
    }
    const where = repos.map((r) => r.name).join(", ");
    const matches: AppCommit[] = [];
    const ids = commitIdsInTag(w.tag);
    const tooShort = ids.filter((id) => id.length < MIN_COMMIT_ID);
    for (const id of ids.filter((x) => x.length >= MIN_COMMIT_ID)) {
      for (const r of repos) {
        for (const sha of commitsByPrefix(this.db, r.id, id, 2)) {
          matches.push({ repo: r.name, sha, via: `commit id ${id} in tag ${w.tag}` });
        }
      }
    }
    if (matches.length === 0) {
      for (const r of repos) {
        for (const t of tagCommits(this.db, r.id, gitTagNames(w.tag))) {
          matches.push({ repo: r.name, sha: t.sha, via: `git tag ${t.name}` });
        }
      }
    }
    const distinct = [...new Map(matches.map((m) => [`${m.repo}@${m.sha}`, m])).values()];
    const [only] = distinct;
    if (distinct.length === 1 && only) return only;
    if (distinct.length > 1) {
      return `tag ${w.tag} is ambiguous: it names ${distinct
        .slice(0, 3)
        .map((m) => `${m.repo}@${short(m.sha)} (${m.via})`)
        .join(", ")}${distinct.length > 3 ? ", …" : ""}`;
    }
    if (tooShort.length > 0) {
      return `tag ${w.tag} names commit ${tooShort[0]}, too short an id to name one commit (a commit made to share its ${tooShort[0]?.length} characters would pass for it): tag builds with at least ${MIN_COMMIT_ID} characters of the commit id`;
    }
    return `tag ${w.tag} names no commit or git tag of ${where}`;
  }

  /** The change that landed an application commit, judged by C1 where it landed. */
  private changeOf(app: AppCommit): Landed | string {
    return getOrInsert(this.landed, `${app.repo}@${app.sha}`, () => this.judgeLanding(app));
  }

  /** Identities and context of the quarter a change landed in, as that quarter's report has them. */
  private quarter(at: Date): { identities: Identities; context: PeriodContextRows } {
    const q = quarterOf(at);
    return getOrInsert(this.quarters, q.label, () => ({
      identities: buildIdentities(
        this.o.people,
        observedIdentityRows(this.db, q.from.toISOString(), q.to.toISOString()),
      ),
      context: periodContextRows(this.db, q.to.toISOString()),
    }));
  }

  private judgeLanding(app: AppCommit): Landed | string {
    const repoId = this.repoIds.get(app.repo);
    if (repoId === undefined) return `${app.repo} is not in the store`;
    const landing = landingOf(this.db, repoId, app.sha);
    if (!landing) {
      return `${app.repo}@${short(app.sha)} is on no protected branch and in no merged pull request: built from an unreviewed branch`;
    }
    const landedMs = Date.parse(landing.at);
    if (Number.isNaN(landedMs))
      return `the landing time of ${app.repo}@${short(app.sha)} (${landing.at}) is not a date`;
    // The change is rebuilt over the second it landed in, with the identities of its period.
    const from = new Date(Math.floor(landedMs / 1000) * 1000);
    const to = new Date(from.getTime() + 1000);
    const inPeriod = from >= this.o.period.from && from < this.o.period.to;
    const own =
      inPeriod && this.o.context ? { identities: this.o.identities, context: this.o.context } : this.quarter(from);
    const pop = buildPopulation({
      period: { label: `landing of ${short(app.sha)}`, from, to },
      rows: { ...own.context, ...repoChangeRows(this.db, this.o.repos, from.toISOString(), to.toISOString(), repoId) },
      people: this.o.people,
      identities: own.identities,
    });
    const change =
      landing.pr !== null
        ? pop.changes.find((c) => c.pr?.number === landing.pr)
        : pop.changes.find((c) => c.pr === null && c.commits.some((k) => k.sha === app.sha));
    if (!change) {
      return `the change that landed ${app.repo}@${short(app.sha)} (${landing.by}) cannot be rebuilt from the store`;
    }
    const c1 = c1Reviewed.evaluate({ ...pop, changes: [change] })[0];
    if (!c1) return `C1 gave no verdict on ${change.id}`;
    const unreviewedBuild = buildNotReviewed(change, app.sha);
    if (unreviewedBuild) return `built from ${app.repo}@${short(app.sha)}, ${unreviewedBuild}`;
    return { id: change.id, c1: c1.verdict, reason: c1.reason, landedAt: change.landedAt };
  }
}

/** Commit ids in tags shorter than this are not taken to name one commit (7 hex is 28 bits: cheap to collide). */
export const MIN_COMMIT_ID = 12;
