import { createHash } from "node:crypto";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type {
  CollaboratorRecord,
  MemberRecord,
  ProtectionRecord,
  RulesetRecord,
} from "../src/collectors/github/records.js";
import { type DB, openStore } from "../src/store/db.js";
import { storeSnapshot } from "../src/store/github-store.js";
import { finishRun, startRun } from "../src/store/ledger.js";
import { migrations } from "../src/store/migrations/index.js";
import { cachedStore } from "./cached-store.js";

/**
 * The synthetic store the evidence and report benchmarks read, generated through the store's own
 * migrations with what the git and GitHub collectors write: 20 repositories (role app, protected
 * branch main) and N changes in 2026Q3, ~80% merged pull requests (merge commit with two parents,
 * squash, rebase mapped by gh_commit_lookups), ~20% direct pushes; 1-10 reviews and 1-20 commits
 * per pull request, as in bench/github.ts. Daily git runs, weekly GitHub runs with access and
 * protection snapshots. Cached in bench/.cache, keyed by size, schema and generator version.
 */

const here = path.dirname(fileURLToPath(import.meta.url));
const cache = path.join(path.resolve(here, "../.."), "bench/.cache");

/** Bump when the generated store changes. */
const GENERATOR = 3;
const SCHEMA = createHash("sha256")
  .update(migrations.map((m) => `${m.version}\0${m.sql}`).join("\0"))
  .digest("hex")
  .slice(0, 8);

// --- The synthetic store -------------------------------------------------------------------

const ORG = "acme";
export const REPOS = 20;
const P0 = Date.UTC(2026, 6, 1) / 1000;
const P1 = Date.UTC(2026, 9, 1) / 1000;
const DAY = 86_400;
const DAYS = (P1 - P0) / DAY;
/** Days (from the period's start) of the weekly GitHub runs; the last one reads the period's end. */
const GH_DAYS = [...Array.from({ length: Math.ceil(DAYS / 7) }, (_, i) => i * 7), DAYS];
const DEVS = 300;

const gitIso = (sec: number): string => new Date(sec * 1000).toISOString().replace(".000Z", "Z");
const pad = (n: number, w: number): string => String(n).padStart(w, "0");

/** mulberry32: the same store for the same size, every time. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Person {
  name: string;
  email: string;
  login: string | null;
  kind: string;
}

const devs: Person[] = Array.from({ length: DEVS }, (_, k) => ({
  name: `Dev ${pad(k + 1, 3)}`,
  email: `dev${pad(k + 1, 3)}@acme.example`,
  login: `dev${pad(k + 1, 3)}`,
  kind: "User",
}));
const renovate: Person = {
  name: "renovate[bot]",
  email: "29139614+renovate[bot]@users.noreply.github.com",
  login: "renovate[bot]",
  kind: "Bot",
};
const deployBot: Person = { name: "Deploy Bot", email: "deploy@acme.example", login: "deploy-bot", kind: "User" };
const contractors: Person[] = Array.from({ length: 5 }, (_, k) => ({
  name: `Contractor ${k + 1}`,
  email: `contractor${k + 1}@agency.example`,
  login: `ext-contractor${k + 1}`,
  kind: "User",
}));
/** A git identity GitHub ties to no account. */
const stranger: Person = { name: "build", email: "build@ci-runner.localdomain", login: null, kind: "User" };
const github: Person = { name: "GitHub", email: "noreply@github.com", login: "web-flow", kind: "User" };
const reviewBot: Person = {
  name: "copilot-pull-request-reviewer[bot]",
  email: "",
  login: "copilot-pull-request-reviewer[bot]",
  kind: "Bot",
};

const WORDS = ["fix", "add", "update", "remove", "refactor", "bump", "tune", "document"];
const NOUNS = ["billing", "auth", "cache", "queue", "retry", "metrics", "schema", "api", "ui", "config"];

function protectionSettings(r: number, week: number): Record<string, unknown> {
  return {
    allowsDeletions: false,
    allowsForcePushes: false,
    blocksCreations: false,
    bypassForcePushAllowances: [],
    bypassPullRequestAllowances: r % 6 === 1 ? ["Team:release-managers"] : [],
    dismissesStaleReviews: r % 3 === 0,
    isAdminEnforced: r % 7 === 3 && week >= 4,
    lockBranch: false,
    pattern: "main",
    pushAllowances: [],
    requireLastPushApproval: false,
    requiredApprovingReviewCount: r % 5 === 0 && week >= 6 ? 2 : 1,
    requiredStatusCheckContexts: ["ci/build", "ci/test"],
    requiresApprovingReviews: !(r === 19 && week < 2),
    requiresCodeOwnerReviews: r % 4 === 2,
    requiresCommitSignatures: r % 2 === 0,
    requiresConversationResolution: false,
    requiresLinearHistory: false,
    requiresStatusChecks: true,
    requiresStrictStatusChecks: true,
    restrictsPushes: false,
    restrictsReviewDismissals: false,
  };
}

function rulesets(r: number, repo: string): RulesetRecord[] {
  const out: RulesetRecord[] = [];
  if (r % 4 === 0) {
    out.push({
      scope: ORG,
      id: 9000,
      name: "org baseline",
      target: "BRANCH",
      enforcement: "ACTIVE",
      settings: {
        conditions: {
          refName: { include: ["~DEFAULT_BRANCH"], exclude: [] },
          repositoryName: { include: ["svc-*"], exclude: [] },
        },
        rules: [
          { type: "DELETION", parameters: null },
          {
            type: "PULL_REQUEST",
            parameters: {
              dismissStaleReviewsOnPush: false,
              requireCodeOwnerReview: false,
              requireLastPushApproval: false,
              requiredApprovingReviewCount: 1,
              requiredReviewThreadResolution: false,
            },
          },
        ],
        bypassActors: [{ actor: null, bypassMode: "ALWAYS", organizationAdmin: true, repositoryRoleName: null }],
      },
    });
  }
  if (r % 5 === 2) {
    out.push({
      scope: repo,
      id: 9100 + r,
      name: "main protection",
      target: "BRANCH",
      enforcement: "ACTIVE",
      settings: {
        conditions: { refName: { include: ["refs/heads/main"], exclude: [] }, repositoryName: null },
        rules: [
          { type: "NON_FAST_FORWARD", parameters: null },
          {
            type: "PULL_REQUEST",
            parameters: {
              dismissStaleReviewsOnPush: true,
              requireCodeOwnerReview: false,
              requireLastPushApproval: false,
              requiredApprovingReviewCount: 1,
              requiredReviewThreadResolution: false,
            },
          },
        ],
        bypassActors: [
          {
            actor: { __typename: "Team", slug: "sre" },
            bypassMode: "PULL_REQUEST",
            organizationAdmin: false,
            repositoryRoleName: null,
          },
        ],
      },
    });
  }
  return out;
}

interface Run {
  source: "git" | "github" | "github-org";
  repo: number;
  at: number;
  id: number;
}

interface RepoState {
  r: number;
  id: number;
  name: string;
  n: number;
  j: number;
  tip: string;
  nextPr: number;
  gitRuns: Run[];
  ghRuns: Run[];
  /** A direct push a history rewrite drops later: its sha and the index of the run that saw it. */
  dropped: { sha: string; run: number } | null;
}

/** Fills a new store at `file` with `n` changes in 2026Q3. */
function fill(file: string, n: number): void {
  const rand = prng(0xc0ffee ^ n);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
  let counter = 0;
  const sha = (): string => createHash("sha1").update(`${n}:${counter++}`).digest("hex");
  let reviewDbId = 1_000_000;
  const db: DB = openStore(file);
  db.pragma("synchronous = OFF");

  // Repositories, and the ledger: daily git runs, weekly GitHub runs per repository, weekly
  // organisation runs, all sealed in the order they started.
  const repos: RepoState[] = Array.from({ length: REPOS }, (_, r) => {
    const name = `${ORG}/svc-${pad(r, 2)}`;
    db.prepare("INSERT INTO repos (name, role, source) VALUES (?, 'app', ?)").run(
      name,
      `https://github.com/${name}.git`,
    );
    const id = (db.prepare("SELECT id FROM repos WHERE name = ?").get(name) as { id: number }).id;
    return {
      r,
      id,
      name,
      n: Math.floor(n / REPOS) + (r < n % REPOS ? 1 : 0),
      j: 0,
      tip: "",
      nextPr: 1,
      gitRuns: [],
      ghRuns: [],
      dropped: null,
    };
  });
  const runs: Run[] = [];
  for (const s of repos) {
    for (let d = -1; d <= DAYS; d++) runs.push({ source: "git", repo: s.r, at: P0 + d * DAY + 7200 + s.r * 30, id: 0 });
    for (const d of GH_DAYS) runs.push({ source: "github", repo: s.r, at: P0 + d * DAY + 10_800 + s.r * 30, id: 0 });
  }
  for (const d of GH_DAYS) runs.push({ source: "github-org", repo: -1, at: P0 + d * DAY + 3600, id: 0 });
  runs.sort((a, b) => a.at - b.at);
  db.transaction(() => {
    for (const run of runs) {
      const repo = repos[run.repo];
      const scope =
        run.source === "git"
          ? { repo: repo?.name, protectedBranches: ["main"], allBranches: false }
          : run.source === "github"
            ? { repo: repo?.name, github: repo?.name, protectedBranches: ["main"] }
            : { org: ORG };
      run.id = startRun(db, {
        source: run.source,
        scope,
        parameters: { bench: "evidence" },
        now: new Date(run.at * 1000),
      });
      finishRun(db, run.id, { status: "succeeded", counts: {}, now: new Date((run.at + 40) * 1000) });
      if (repo && run.source === "git") repo.gitRuns.push(run);
      if (repo && run.source === "github") repo.ghRuns.push(run);
    }
  })();

  // Access and protection snapshots, as the collectors store them: the organisation's members
  // weekly, and each repository's collaborators, protection rule and rulesets with its GitHub run.
  const members: MemberRecord[] = [...devs, deployBot].map((p, k) => ({
    login: p.login ?? "",
    role: k < 5 ? "ADMIN" : "MEMBER",
    twoFactor: k % 17 !== 0,
  }));
  for (const run of runs) {
    if (run.source === "github-org") {
      storeSnapshot(db, run.id, {
        org: ORG,
        takenAt: new Date((run.at + 10) * 1000),
        twoFactorVisible: true,
        members,
        teams: [],
        repos: [],
        collaborators: [],
        protection: [],
        rulesets: [],
        memberLogins: null,
      });
      continue;
    }
    const repo = repos[run.repo];
    if (run.source !== "github" || !repo) continue;
    const week = Math.floor((run.at - P0) / (7 * DAY));
    const collaborators: CollaboratorRecord[] = devs.slice(repo.r * 10, repo.r * 10 + 30).map((p, k) => ({
      repo: repo.name,
      login: p.login ?? "",
      permission: k < 3 ? "ADMIN" : "WRITE",
      sources: [{ permission: k < 3 ? "ADMIN" : "WRITE", kind: "Team", name: `team-${repo.r}` }],
    }));
    const protection: ProtectionRecord[] =
      repo.r === 17 && week < 1
        ? []
        : [{ repo: repo.name, pattern: "main", settings: protectionSettings(repo.r, week) }];
    storeSnapshot(db, run.id, {
      org: ORG,
      takenAt: new Date((run.at + 10) * 1000),
      twoFactorVisible: false,
      members: [],
      teams: [],
      repos: [repo.name],
      collaborators,
      protection,
      rulesets: rulesets(repo.r, repo.name),
      memberLogins: new Set(members.map((m) => m.login)),
    });
  }

  const insCommit = db.prepare(
    `INSERT INTO commits (repo_id, sha, tree, parents, author_name, author_email, author_time, author_tz, committer_name,
       committer_email, committer_time, committer_tz, subject, message, signature, trailers, run_id)
     VALUES (?, ?, ?, ?, ?, ?, ?, '+0000', ?, ?, ?, '+0000', ?, ?, ?, ?, ?)`,
  );
  const insBranch = db.prepare(
    "INSERT INTO branch_commits (repo_id, branch, sha, first_seen_run, removed_run) VALUES (?, 'main', ?, ?, NULL)",
  );
  const insTip = db.prepare(
    "INSERT INTO ref_tips (run_id, repo_id, ref, sha, protected) VALUES (?, ?, 'refs/heads/main', ?, 1)",
  );
  // GitHub's list of a looked-up commit's authors, where this schema keeps it.
  const lookupAuthors =
    (
      db.prepare("SELECT count(*) AS n FROM pragma_table_info('gh_commit_lookups') WHERE name = 'authors'").get() as {
        n: number;
      }
    ).n > 0;
  const lookupStmt = db.prepare(
    `INSERT INTO gh_commit_lookups (repo_id, oid, run_id, pull_requests, commit_read, author_login, committer_login,
       signature_kind, signature_state, signature_valid, signer_login${lookupAuthors ? ", authors" : ""})
     VALUES (?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?${lookupAuthors ? ", ?" : ""})`,
  );
  const insLookup = {
    run: (authors: readonly (Person | null)[], ...args: unknown[]): void => {
      const list = authors.flatMap((a) => (a ? [[a.name, a.email, a.login]] : []));
      lookupStmt.run(...args, ...(lookupAuthors ? [JSON.stringify(list)] : []));
    },
  };
  const insPr = db.prepare(
    `INSERT INTO gh_pull_requests (repo_id, number, node_id, title, url, author_login, author_kind, state, created_at,
       updated_at, merged_at, merged_by, merge_commit, base_ref, head_ref, head_oid, review_decision, run_id)
     VALUES (?, ?, ?, ?, ?, ?, ?, 'MERGED', ?, ?, ?, ?, ?, 'main', ?, ?, ?, ?)`,
  );
  const insReview = db.prepare(
    `INSERT INTO gh_reviews (repo_id, pr_number, node_id, database_id, author_login, author_kind, author_association,
       state, submitted_at, commit_oid) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insReviewCommit = db.prepare(
    "INSERT INTO gh_review_commits (repo_id, pr_number, node_id, commit_oid, first_run_id) VALUES (?, ?, ?, ?, ?)",
  );
  const insEvent = db.prepare(
    `INSERT INTO gh_pr_events (repo_id, pr_number, node_id, kind, actor_login, created_at, before_oid, after_oid,
       review_database_id, previous_review_state, message, commit_oid, ref_name)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insPrCommit = db.prepare(
    `INSERT INTO gh_pr_commits (repo_id, pr_number, position, oid, authored_date, committed_date, author_name,
       author_email, author_login, committer_name, committer_email, committer_login, authors, signature_kind,
       signature_state, signature_valid, signer_login) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );

  const ghRunAfter = (s: RepoState, t: number): Run => {
    // The first weekly GitHub run after t read the pull request and looked the commits up.
    for (const run of s.ghRuns) if (run.at > t) return run;
    return s.ghRuns[s.ghRuns.length - 1] as Run;
  };
  const previousGhRun = (s: RepoState, run: Run): Run => {
    const i = s.ghRuns.indexOf(run);
    return i > 0 ? (s.ghRuns[i - 1] as Run) : run;
  };
  const someDev = (not?: Person | null): Person => {
    for (;;) {
      const d = pick(devs);
      if (d !== not) return d;
    }
  };

  function directPush(s: RepoState, j: number, t: number, seen: Run, runIdx: number): void {
    const u = rand();
    const who = u < 0.96 ? someDev() : u < 0.99 ? deployBot : stranger;
    const signed = who !== stranger && rand() < 0.6;
    const id = sha();
    const subject = `hotfix: ${pick(WORDS)} ${pick(NOUNS)} (${j})`;
    insCommit.run(
      s.id,
      id,
      sha(),
      s.tip,
      who.name,
      who.email,
      t,
      who.name,
      who.email,
      t,
      subject,
      `${subject}\n`,
      signed ? "gpg" : null,
      null,
      seen.id,
    );
    insBranch.run(s.id, id, seen.id);
    if (rand() > 0.005) {
      insLookup.run(
        [who],
        s.id,
        id,
        ghRunAfter(s, t).id,
        "[]",
        who.login,
        who.login,
        signed ? "GpgSignature" : null,
        signed ? "VALID" : null,
        signed ? 1 : null,
        signed ? who.login : null,
      );
    }
    s.tip = id;
    if (!s.dropped && t > P0 + (DAYS / 2) * DAY) s.dropped = { sha: id, run: runIdx };
  }

  function pullRequest(s: RepoState, t: number, seen: Run): void {
    const p = s.nextPr++;
    const gh = ghRunAfter(s, t);
    const ua = rand();
    const author = ua < 0.94 ? someDev() : ua < 0.98 ? renovate : pick(contractors);
    const um = rand();
    const merger = um < 0.9 ? someDev(author) : um < 0.97 && author.kind === "User" ? author : (devs[0] as Person);
    const title = `${pick(WORDS)} ${pick(NOUNS)} ${p}`;
    const nCommits = (p % 20) + 1;
    const nReviews = (p % 10) + 1;

    // The pull request's own commits, as GitHub lists them.
    interface PrCommit {
      oid: string;
      at: number;
      author: Person;
      coAuthor: Person | null;
      signature: "GpgSignature" | "SshSignature" | null;
    }
    const commits: PrCommit[] = [];
    for (let i = 0; i < nCommits; i++) {
      const us = rand();
      commits.push({
        oid: sha(),
        at: t - DAY + i * 600,
        author: rand() < 0.01 && author !== renovate ? stranger : author,
        coAuthor: rand() < 0.03 ? someDev(author) : null,
        signature: author === renovate || us < 0.75 ? "GpgSignature" : us < 0.8 ? "SshSignature" : null,
      });
    }
    const head = (commits[commits.length - 1] as PrCommit).oid;
    commits.forEach((c, i) => {
      const authors: [string | null, string | null, string | null][] = [
        [c.author.name, c.author.email, c.author.login],
      ];
      if (c.coAuthor) authors.push([c.coAuthor.name, c.coAuthor.email, null]);
      const valid = c.signature === "GpgSignature";
      insPrCommit.run(
        s.id,
        p,
        i,
        c.oid,
        gitIso(c.at),
        gitIso(c.at),
        c.author.name,
        c.author.email,
        c.author.login,
        c.author.name,
        c.author.email,
        c.author.login,
        JSON.stringify(authors),
        c.signature,
        c.signature === null ? null : valid ? "VALID" : "UNKNOWN_KEY",
        c.signature === null ? null : valid ? 1 : 0,
        valid ? c.author.login : null,
      );
    });
    const trailersOf = (c: PrCommit): string | null =>
      c.coAuthor ? JSON.stringify([["Co-authored-by", `${c.coAuthor.name} <${c.coAuthor.email}>`]]) : null;
    const gitSignature = (c: PrCommit): string | null =>
      c.signature === "GpgSignature" ? "gpg" : c.signature === "SshSignature" ? "ssh" : null;

    // What landed on main, by how it was merged.
    const uk = rand();
    let mergeCommit: string;
    if (uk < 0.4) {
      // Merge commit: the branch's commits are in the history (not first-parent), the merge on main.
      let parent = s.tip;
      for (const c of commits) {
        insCommit.run(
          s.id,
          c.oid,
          sha(),
          parent,
          c.author.name,
          c.author.email,
          c.at,
          c.author.name,
          c.author.email,
          c.at,
          `${title} (part)`,
          `${title} (part)\n`,
          gitSignature(c),
          trailersOf(c),
          seen.id,
        );
        parent = c.oid;
      }
      mergeCommit = sha();
      const subject = `Merge pull request #${p} from ${ORG}/feature-${p}`;
      insCommit.run(
        s.id,
        mergeCommit,
        sha(),
        `${s.tip} ${head}`,
        merger.name,
        merger.email,
        t,
        github.name,
        github.email,
        t,
        subject,
        `${subject}\n\n${title}\n`,
        "gpg",
        null,
        seen.id,
      );
      insBranch.run(s.id, mergeCommit, seen.id);
      insLookup.run(
        [merger],
        s.id,
        mergeCommit,
        gh.id,
        `[${p}]`,
        merger.login,
        "web-flow",
        "GpgSignature",
        "VALID",
        1,
        "web-flow",
      );
      s.tip = mergeCommit;
    } else if (uk < 0.75) {
      // Squash: one new commit on main, mapped back to the pull request by GitHub.
      mergeCommit = sha();
      const co = commits.flatMap((c) =>
        c.coAuthor ? [["Co-authored-by", `${c.coAuthor.name} <${c.coAuthor.email}>`]] : [],
      );
      const subject = `${title} (#${p})`;
      insCommit.run(
        s.id,
        mergeCommit,
        sha(),
        s.tip,
        author.name,
        author.email,
        t,
        github.name,
        github.email,
        t,
        subject,
        `${subject}\n`,
        "gpg",
        co.length > 0 ? JSON.stringify(co) : null,
        seen.id,
      );
      insBranch.run(s.id, mergeCommit, seen.id);
      insLookup.run(
        [author, ...commits.map((c) => c.coAuthor)],
        s.id,
        mergeCommit,
        gh.id,
        `[${p}]`,
        author.login,
        "web-flow",
        "GpgSignature",
        "VALID",
        1,
        "web-flow",
      );
      s.tip = mergeCommit;
    } else {
      // Rebase: each commit re-created on main, unsigned, each mapped by GitHub.
      let parent = s.tip;
      for (const c of commits) {
        const id = sha();
        insCommit.run(
          s.id,
          id,
          sha(),
          parent,
          c.author.name,
          c.author.email,
          c.at,
          merger.name,
          merger.email,
          t,
          `${title} (part)`,
          `${title} (part)\n`,
          null,
          trailersOf(c),
          seen.id,
        );
        insBranch.run(s.id, id, seen.id);
        insLookup.run(
          [c.author, c.coAuthor],
          s.id,
          id,
          gh.id,
          `[${p}]`,
          c.author.login,
          merger.login,
          null,
          null,
          null,
          null,
        );
        parent = id;
      }
      mergeCommit = parent;
      s.tip = parent;
    }

    // Reviews, the commits each was seen on, and the timeline.
    const prNode = `PR_${s.r}_${p}`;
    const reviews: { node: string; dbId: number; at: number }[] = [];
    // 5%: the first review was an approval, dismissed later (the later reviews replace it).
    const dismissFirst = nReviews >= 2 && rand() < 0.05;
    for (let i = 0; i < nReviews; i++) {
      const last = i === nReviews - 1;
      const ur = rand();
      const reviewer = ur < 0.03 ? author : ur < 0.05 ? reviewBot : someDev(author);
      const state =
        reviewer === reviewBot
          ? "COMMENTED"
          : i === 0 && dismissFirst
            ? "DISMISSED"
            : last
              ? rand() < 0.97
                ? "APPROVED"
                : "CHANGES_REQUESTED"
              : pick(["COMMENTED", "COMMENTED", "APPROVED", "CHANGES_REQUESTED"]);
      const onHead = last ? rand() < 0.93 : rand() < 0.3;
      const commit = onHead ? head : (pick(commits) as PrCommit).oid;
      const node = `PRR_${s.r}_${p}_${i}`;
      const at = t - (nReviews - i) * 900;
      const dbId = reviewDbId++;
      reviews.push({ node, dbId, at });
      insReview.run(s.id, p, node, dbId, reviewer.login, reviewer.kind, "MEMBER", state, gitIso(at), commit);
      if (onHead && commit !== (commits[0] as PrCommit).oid && rand() < 0.02) {
        // GitHub re-pointed the review to the head: the store first saw it on an earlier commit.
        const prev = previousGhRun(s, gh);
        insReviewCommit.run(s.id, p, node, (commits[0] as PrCommit).oid, prev.id);
        if (prev !== gh) insReviewCommit.run(s.id, p, node, commit, gh.id);
      } else {
        insReviewCommit.run(s.id, p, node, commit, gh.id);
      }
    }
    const event = (
      kind: string,
      actor: string | null,
      at: number,
      extra: Partial<Record<"before" | "after" | "reviewDbId" | "previous" | "message" | "commit" | "ref", unknown>>,
    ): void => {
      insEvent.run(
        s.id,
        p,
        `${kind}_${s.r}_${p}_${at}`,
        kind,
        actor,
        gitIso(at),
        extra.before ?? null,
        extra.after ?? null,
        extra.reviewDbId ?? null,
        extra.previous ?? null,
        extra.message ?? null,
        extra.commit ?? null,
        extra.ref ?? null,
      );
    };
    const first = reviews[0];
    if (first && dismissFirst) {
      event("ReviewDismissedEvent", merger.login, first.at + 300, {
        reviewDbId: first.dbId,
        previous: "APPROVED",
        message: "outdated",
      });
    }
    const uf = rand();
    if (uf < 0.06) {
      // A head force push; half of them after the first review.
      const at = uf < 0.03 ? t - (nReviews + 1) * 900 : t - 300;
      event("HeadRefForcePushedEvent", author.login, at, { before: sha(), after: head });
    }
    if (rand() < 0.001)
      event("BaseRefForcePushedEvent", (devs[0] as Person).login, t - 200, { before: sha(), after: sha() });
    event("MergedEvent", merger.login, t, { commit: mergeCommit, ref: "main" });
    const decision = rand();
    insPr.run(
      s.id,
      p,
      prNode,
      title,
      `https://github.com/${s.name}/pull/${p}`,
      author.login,
      author.kind,
      gitIso(t - 2 * DAY),
      gitIso(t + 60),
      gitIso(t),
      merger.login,
      mergeCommit,
      `feature/${p}`,
      head,
      decision < 0.92 ? "APPROVED" : decision < 0.97 ? null : "REVIEW_REQUIRED",
      gh.id,
    );
  }

  // The history, in the order the daily git runs saw it: each run's new commits, then its tip.
  for (const s of repos) {
    s.tip = sha();
    const first = s.gitRuns[0] as Run;
    const t = P0 - 30 * DAY;
    insCommit.run(
      s.id,
      s.tip,
      sha(),
      "",
      "Dev 001",
      "dev001@acme.example",
      t,
      "Dev 001",
      "dev001@acme.example",
      t,
      "initial commit",
      "initial commit\n",
      null,
      null,
      first.id,
    );
    insBranch.run(s.id, s.tip, first.id);
  }
  const span = P1 - P0 - 600;
  for (let k = 0; k <= DAYS + 1; k++) {
    db.transaction(() => {
      for (const s of repos) {
        const seen = s.gitRuns[k] as Run;
        for (; s.j < s.n; s.j++) {
          const t = P0 + 60 + Math.floor((s.j * span) / s.n) + s.r * 7;
          if (t >= seen.at) break;
          if (rand() < 0.2) directPush(s, s.j, t, seen, k);
          else pullRequest(s, t, seen);
        }
        insTip.run(seen.id, s.id, s.tip);
      }
    })();
  }

  // One history rewrite per repository: a direct push the next run no longer found on main.
  db.transaction(() => {
    for (const s of repos) {
      if (!s.dropped) continue;
      const was = s.gitRuns[s.dropped.run] as Run;
      const by = s.gitRuns[s.dropped.run + 1] as Run;
      db.prepare("UPDATE branch_commits SET removed_run = ? WHERE repo_id = ? AND branch = 'main' AND sha = ?").run(
        by.id,
        s.id,
        s.dropped.sha,
      );
      db.prepare(
        `INSERT INTO history_rewrites (repo_id, branch, old_tip, new_tip, old_tip_present, dropped_commits, observed_at,
           previous_run, run_id) VALUES (?, 'main', ?, ?, 1, 1, ?, ?, ?)`,
      ).run(s.id, s.dropped.sha, sha(), new Date(by.at * 1000).toISOString(), was.id, by.id);
      // A force push to main seen on an open pull request's timeline.
      db.prepare(
        `INSERT INTO gh_base_force_pushes (repo_id, node_id, base_ref, pr_number, actor_login, created_at, before_oid,
           after_oid, run_id) VALUES (?, ?, 'main', ?, ?, ?, ?, ?, ?)`,
      ).run(
        s.id,
        `BFP_${s.r}`,
        s.nextPr + 1000,
        "dev002",
        gitIso(P0 + 40 * DAY),
        sha(),
        sha(),
        (s.ghRuns[6] as Run).id,
      );
    }
    // The identities the GitHub collector records as it stores pull requests and lookups, derived
    // from what was written, as migration 6 derives them for a store collected before it.
    for (const sql of (migrations.find((m) => m.version === 6)?.sql ?? "").split(/;\s*\n/)) {
      if (sql.trimStart().startsWith("INSERT OR IGNORE INTO gh_identities")) db.prepare(sql).run();
    }
  })();
  db.close();
}

/** The store of `n` changes, generated once. */
export function ensureStore(n: number): string {
  return cachedStore(
    cache,
    { prefix: "evidence", version: `g${GENERATOR}-s${SCHEMA}`, size: String(n), label: `a store of ${n} changes` },
    (file) => fill(file, n),
  );
}
