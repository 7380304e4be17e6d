import type { PersonConfig } from "../config/schema.js";
import { buildIdentities, type Identities } from "../evidence/identities.js";
import {
  buildNotReviewed,
  commitIdsInTag,
  gitTagNames,
  type ImageTrace,
  imageText,
  isAutomatedGitopsChange,
  type WrittenImage,
} from "../evidence/image-provenance.js";
import { buildPopulation, type Change, type Population } from "../evidence/population.js";
import { c1Reviewed } from "../evidence/rules/c1-reviewed.js";
import type { Period } from "../period.js";
import type { DB } from "../store/db.js";
import {
  observedIdentityRows,
  type PeriodContextRows,
  type PopulationRepoRow,
  periodContextRows,
  repoChangeRows,
} from "../store/population-queries.js";
import { commitsByPrefix, imageRefsOf, landingOf, tagCommits } from "../store/provenance-queries.js";

type AppCommit = { repo: string; sha: string; via: string };
type Landed = { id: string; c1: string; reason: string };

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
    const images = new Map<string, ImageTrace[]>();
    for (const c of pop.changes) {
      if (!isAutomatedGitopsChange(c, pop.identities)) continue;
      images.set(
        c.id,
        this.written(c).map((w) => this.trace(w)),
      );
    }
    return images.size === 0 ? pop : { ...pop, images };
  }

  /** What the change's commits write, each image once (the diff's reading before the message's). */
  private written(c: Change): WrittenImage[] {
    const repoId = this.repoIds.get(c.repo);
    if (repoId === undefined) return [];
    const shas = [...new Set([...(c.pr?.commits ?? []), ...c.commits].map((k) => k.sha))];
    const seen = new Set<string>();
    const out: WrittenImage[] = [];
    for (const r of imageRefsOf(this.db, repoId, shas)) {
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
      out.push(w);
    }
    return out;
  }

  private trace(w: WrittenImage): ImageTrace {
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
    return { ...w, traced: true, app: found, change };
  }

  /** The application commit a reference names, or why none can be named. */
  private appCommit(w: WrittenImage): AppCommit | string {
    if (!w.tag) {
      return "named by digest alone: changeproof does not read the registry, so a digest names no commit";
    }
    const declaring = this.appRepos.filter(
      (r) => w.image !== null && (this.o.images.get(r.name) ?? []).includes(w.image),
    );
    const repos = declaring.length > 0 ? declaring : this.appRepos;
    const where =
      declaring.length > 0
        ? declaring.map((r) => r.name).join(", ")
        : `any tracked application repository (none declares ${w.image ?? "the image"} in repos[].images)`;
    if (repos.length === 0) return "no application repository is tracked to build it";
    const matches: AppCommit[] = [];
    for (const id of commitIdsInTag(w.tag)) {
      for (const r of repos) {
        for (const sha of commitsByPrefix(this.db, r.id, id, 2))
          matches.push({ repo: r.name, sha, via: `commit id ${id} in tag ${w.tag}` });
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
        .map((m) => `${m.repo}@${m.sha.slice(0, 12)} (${m.via})`)
        .join(", ")}${distinct.length > 3 ? ", …" : ""}`;
    }
    return `tag ${w.tag} names no commit or git tag of ${where}`;
  }

  /** The change that landed an application commit, judged by C1 where it landed. */
  private changeOf(app: AppCommit): Landed | string {
    const key = `${app.repo}@${app.sha}`;
    let known = this.landed.get(key);
    if (known === undefined) {
      known = this.judgeLanding(app);
      this.landed.set(key, known);
    }
    return known;
  }

  private judgeLanding(app: AppCommit): Landed | string {
    const repoId = this.repoIds.get(app.repo);
    if (repoId === undefined) return `${app.repo} is not in the store`;
    const landing = landingOf(this.db, repoId, app.sha);
    if (!landing) {
      return `${app.repo}@${app.sha.slice(0, 12)} is on no protected branch and in no merged pull request: built from an unreviewed branch`;
    }
    // The change is rebuilt over the second it landed in, as its own period's report builds it.
    const fromMs = Math.floor(Date.parse(landing.at) / 1000) * 1000;
    const from = new Date(fromMs);
    const to = new Date(fromMs + 1000);
    const inPeriod = from >= this.o.period.from && from < this.o.period.to;
    const identities = inPeriod
      ? this.o.identities
      : buildIdentities(this.o.people, observedIdentityRows(this.db, from.toISOString(), to.toISOString()));
    const rows = {
      ...(inPeriod && this.o.context ? this.o.context : periodContextRows(this.db, to.toISOString())),
      ...repoChangeRows(this.db, this.o.repos, from.toISOString(), to.toISOString(), repoId),
    };
    const pop = buildPopulation({
      period: { label: `landing of ${app.sha.slice(0, 12)}`, from, to },
      rows,
      people: this.o.people,
      identities,
    });
    const change = pop.changes.find(
      (c) =>
        c.commits.some((k) => k.sha === app.sha) ||
        c.pr?.mergeCommit === app.sha ||
        c.pr?.headOid === app.sha ||
        c.pr?.commits.some((k) => k.sha === app.sha),
    );
    if (!change)
      return `the change that landed ${app.repo}@${app.sha.slice(0, 12)} (${landing.by}) cannot be rebuilt from the store`;
    const c1 = c1Reviewed.evaluate({ ...pop, changes: [change] })[0];
    if (!c1) return `C1 gave no verdict on ${change.id}`;
    const unreviewedBuild = buildNotReviewed(change, app.sha);
    if (unreviewedBuild) return `built from ${app.repo}@${app.sha.slice(0, 12)}, ${unreviewedBuild}`;
    return { id: change.id, c1: c1.verdict, reason: c1.reason };
  }
}
