import { rmSync } from "node:fs";
import { type ResolvedRepo, sourceText } from "../../config/load.js";
import { GitError, messageOf } from "../../errors/index.js";
import type { Logger } from "../../log/logger.js";
import type { DB } from "../../store/db.js";
import {
  lastTips,
  recordRewrite,
  recordTags,
  recordTips,
  stageMerger,
  syncFirstParent,
  upsertRepo,
} from "../../store/git-store.js";
import { finishRun, sealFailed, startRun } from "../../store/ledger.js";
import { initStage } from "../../store/stage-schema.js";
import { stageCommits } from "./commit-stream.js";
import { gitStatus } from "./git-process.js";
import { scanImageRefs } from "./image-scan.js";
import { defaultBranch, existingObjects, listBranchRefs, listTags, resolveBranch } from "./refs.js";
import { openRepo } from "./repo-source.js";
import { stageFileFor } from "./stage-file.js";

/** Rows per transaction: small transactions cost 5-10x in SQLite. */
export const BATCH_SIZE = 5000;

export interface GitCollectOptions {
  cacheDir: string;
  log: Logger;
  now?: () => Date;
}

export interface GitCollectResult {
  repo: string;
  runId: number;
  commitsRead: number;
  commitsAdded: number;
  branchMembersAdded: number;
  rewrites: number;
  refs: number;
  tags: number;
  /** GitOps commits read for the image references they write (SPEC C12), and the references found. */
  imageCommitsRead: number;
  imageRefs: number;
  /** The local git directory read (a mirror for URL repositories): Flux v1's refs are read there too. */
  gitDir: string | null;
}

interface ProtectedTip {
  branch: string;
  ref: string;
  sha: string;
  previous?: { sha: string; run: number };
}

function unique<T>(xs: Iterable<T>): T[] {
  return [...new Set(xs)];
}

/**
 * One git collection run for one repository: open or fetch it, record a rewrite of any protected
 * branch, stream every commit not collected before into the store, and track first-parent
 * membership of the protected branches. Everything written before a failure stays written; the
 * run is sealed as failed with the reason, and the next run starts from the last good tips.
 */
export async function collectGitRepo(db: DB, repo: ResolvedRepo, opts: GitCollectOptions): Promise<GitCollectResult> {
  const now = opts.now ?? (() => new Date());
  const log = opts.log.child({ repo: repo.name });
  const source = sourceText(repo);
  const repoId = upsertRepo(db, repo.name, repo.role, source);
  const runId = startRun(db, {
    source: "git",
    scope: {
      repo: repo.name,
      protectedBranches: repo.protectedBranches ?? "(default branch)",
      allBranches: repo.allBranches,
    },
    parameters: {
      command: "git log --pretty=raw -z --stdin <tips> ^<previous tips>",
      ...(repo.role === "gitops"
        ? { images: "git diff-tree --stdin -r -p -U3 --diff-merges=first-parent <commits not yet read>" }
        : {}),
      tags: "git for-each-ref refs/tags",
      source,
    },
    now: now(),
  });
  const result: GitCollectResult = {
    repo: repo.name,
    runId,
    commitsRead: 0,
    commitsAdded: 0,
    branchMembersAdded: 0,
    rewrites: 0,
    refs: 0,
    tags: 0,
    imageCommitsRead: 0,
    imageRefs: 0,
    gitDir: null,
  };
  try {
    const opened = await openRepo(repo, opts.cacheDir, log);
    result.gitDir = opened.gitDir;
    const what = `repo ${repo.name}`;
    const refs = await listBranchRefs(opened.gitDir, what);
    const branches = repo.protectedBranches ?? [await defaultBranch(opened.gitDir, what)];
    const previous = lastTips(db, repoId);
    const prevByRef = new Map(previous.map((t) => [t.ref, { sha: t.sha, run: t.run_id }]));

    const protectedTips: ProtectedTip[] = branches.map((branch) => {
      const tip = resolveBranch(refs, branch);
      if (!tip) throw missingBranch(what, branch, refs.keys());
      const prev = prevByRef.get(tip.ref);
      return { branch, ...tip, ...(prev ? { previous: prev } : {}) };
    });
    const tips = new Map<string, { sha: string; protected: boolean }>();
    if (repo.allBranches) for (const [ref, sha] of refs) tips.set(ref, { sha, protected: false });
    for (const t of protectedTips) tips.set(t.ref, { sha: t.sha, protected: true });
    result.refs = tips.size;

    // Everything reachable from a tip of the last good run is stored already.
    const prevShas = unique(previous.map((t) => t.sha));
    const stillThere = await existingObjects(opened.gitDir, prevShas, what);
    const include = unique([...tips.values()].map((t) => t.sha)).filter((s) => !stillThere.has(s));
    // Which protected branches moved, whether by a rewrite, and where each one's new first-parent
    // chain stops: at the previous tip, or (first run, or a rewrite) at the root.
    const moves: { tip: ProtectedTip; rewritten: boolean; stop: string | null }[] = [];
    for (const t of protectedTips) {
      const prev = t.previous;
      if (prev?.sha === t.sha) continue;
      const rewritten =
        prev !== undefined &&
        (!stillThere.has(prev.sha) ||
          (await gitStatus(opened.gitDir, ["merge-base", "--is-ancestor", prev.sha, t.sha])) !== 0);
      moves.push({ tip: t, rewritten, stop: rewritten ? null : (prev?.sha ?? null) });
    }

    // The stream carries each moved branch's first-parent chain, unless clock skew puts a parent
    // before its child; a rewrite needs the whole chain to know what it dropped.
    let streamed: Record<string, boolean> = {};
    if (include.length > 0) {
      const stageFile = stageFileFor(db.name);
      initStage(stageFile);
      const merger = stageMerger(db, stageFile, repoId, runId);
      try {
        for await (const ev of stageCommits({
          gitDir: opened.gitDir,
          include,
          exclude: [...stillThere],
          what,
          batchSize: BATCH_SIZE,
          stageFile,
          branches: moves.map((m) => ({
            branch: m.tip.branch,
            tip: m.tip.sha,
            stop: m.stop ?? "",
          })),
        })) {
          if (ev.kind === "done") {
            streamed = ev.complete;
            continue;
          }
          merger.staged(ev.upto);
          result.commitsRead += ev.count;
          log.progress("reading commits", { read: result.commitsRead });
        }
        const written = merger.finish();
        result.commitsAdded = written.added;
        result.branchMembersAdded = written.members;
      } catch (e) {
        merger.abort();
        throw e;
      } finally {
        for (const f of [stageFile, `${stageFile}-wal`, `${stageFile}-shm`]) rmSync(f, { force: true });
      }
    }

    for (const { tip: t, rewritten, stop } of moves) {
      const prev = t.previous;
      if (streamed[t.branch] === true && !rewritten) continue;
      const sync = syncFirstParent(db, repoId, t.branch, runId, t.sha, stop, rewritten);
      result.branchMembersAdded += sync.added;
      if (rewritten && prev) {
        recordRewrite(db, repoId, runId, {
          branch: t.branch,
          oldTip: prev.sha,
          newTip: t.sha,
          oldTipPresent: stillThere.has(prev.sha),
          droppedCommits: sync.dropped,
          observedAt: now(),
          previousRun: prev.run,
        });
        result.rewrites++;
        log.warn("history rewrite on a protected branch", {
          branch: t.branch,
          old: prev.sha,
          new: t.sha,
          dropped: sync.dropped,
        });
      }
    }

    // Tags name the commits release images are built from; what image automation writes into a
    // GitOps repository names the images (SPEC C12).
    const tags = await listTags(opened.gitDir, what);
    recordTags(db, repoId, runId, tags);
    result.tags = tags.size;
    if (repo.role === "gitops") {
      const scanned = await scanImageRefs(db, opened.gitDir, repoId, runId, what);
      result.imageCommitsRead = scanned.commits;
      result.imageRefs = scanned.refs;
    }

    db.transaction(() => {
      recordTips(
        db,
        repoId,
        runId,
        [...tips].map(([ref, t]) => ({ ref, ...t })),
      );
      finishRun(db, runId, { status: "succeeded", counts: countsOf(result), now: now() });
    }).immediate();
    log.debug("git collected", { commits: result.commitsAdded, rewrites: result.rewrites });
    return result;
  } catch (e) {
    sealFailed(db, runId, { counts: countsOf(result), error: messageOf(e), now: now() });
    throw e;
  }
}

/** A missing protected branch, with the branches that do exist, so a typo is easy to see. */
export function missingBranch(what: string, branch: string, refs: Iterable<string>): GitError {
  const names = [...new Set([...refs].map((r) => r.replace(/^refs\/(heads|remotes\/origin)\//, "")))].sort();
  const shown = names.length > 12 ? `${names.slice(0, 12).join(", ")}, …` : names.join(", ");
  return new GitError(
    "E_BRANCH_MISSING",
    `${what}: protected branch "${branch}" does not exist (branches: ${shown || "none"})`,
  );
}

function countsOf(r: GitCollectResult): Record<string, number> {
  return {
    commitsRead: r.commitsRead,
    commitsAdded: r.commitsAdded,
    branchMembersAdded: r.branchMembersAdded,
    rewrites: r.rewrites,
    refs: r.refs,
    tags: r.tags,
    imageCommitsRead: r.imageCommitsRead,
    imageRefs: r.imageRefs,
  };
}
