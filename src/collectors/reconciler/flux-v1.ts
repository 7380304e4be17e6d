import { existsSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { ConfigError, GitError } from "../../errors/index.js";
import { append } from "../../util/append.js";
import { runGit, streamGit } from "../git/git-process.js";
import { type DeploymentOutcome, type DeploymentRecord, type Mapped, revisionsAt } from "./deployment.js";

/**
 * Flux v1 (fluxd) as it shows in the git repository it syncs, read from the local copy the git
 * collector fetched (its refspecs bring refs/tags/* and refs/notes/*). See
 * docs/reference/reconcilers.md §7:
 *   - the sync tag (`flux-sync`, `--git-sync-tag`): an annotated tag fluxd moves to each commit it
 *     has synced. One read shows only its current position; every run records that position, and
 *     the store keeps every position ever seen;
 *   - notes under `refs/notes/flux` (`--git-notes-ref`): a JSON note on each commit fluxd made
 *     itself (image releases, automated updates, policy changes), saying who or what caused it and
 *     how each workload fared.
 * Flux v1 keeps no history list, so there is no observation. Everything read from the repository
 * is untrusted: a note that does not parse is skipped with a warning (never quoting more than a
 * short excerpt of it), and the number of git processes does not grow with the number of notes
 * (at most three: for-each-ref, notes list, one cat-file batch).
 */

export interface FluxV1Options {
  /** The tracked repository's name as configured: the deployment target's name and its source. */
  repo: string;
  cluster: string;
  /** The sync tag's name under refs/tags/ (fluxd's `--git-sync-tag`); default `flux-sync`. */
  tag?: string;
  /** The notes ref's name under refs/notes/ (fluxd's `--git-notes-ref`); default `flux`. */
  notesRef?: string;
  /** When the repository was read (UTC ISO): the time of a sync tag that carries none. */
  observedAt: string;
}

const cause = z.looseObject({ Message: z.string().nullable().optional(), User: z.string().nullable().optional() });
const workloadResult = z.looseObject({
  Status: z.string(),
  Error: z.string().nullable().optional(),
  PerContainer: z.array(z.unknown()).nullable().optional(),
});

/** fluxd's `note{JobID, Spec, Result}` (pkg/daemon/note.go); `Cause` and results have no json tags. */
export const fluxV1NoteSchema = z.looseObject({
  jobID: z.string().nullable().optional(),
  spec: z.looseObject({
    type: z.string(),
    cause: cause.nullable().optional(),
    spec: z.unknown().optional(),
  }),
  // `update.Result` is a map of resource id (`<ns>:<kind>/<name>`) to its result; null in policy notes.
  result: z.record(z.string(), workloadResult).nullable().optional(),
});
export type FluxV1Note = z.infer<typeof fluxV1NoteSchema>;

/** `update.UserAutomated`: the cause of fluxd's own automated image releases. */
const USER_AUTOMATED = "<automated>";

/** Notes and commits larger than this are not read whole (fluxd's are a few hundred bytes). */
const MAX_OBJECT_BYTES = 1 << 20;
/** All objects kept at once: a hostile notes ref of many large notes is read only this far. */
const MAX_TOTAL_BYTES = 128 << 20;
/** The most of any untrusted text a warning quotes. */
const MAX_QUOTE = 200;

const OBJECT_ID = /^[0-9a-f]{40}([0-9a-f]{24})?$/;

/**
 * git's ref-name rules (git-check-ref-format(1)) for a full ref, so an option can never become a
 * pattern, an option or a revision expression when handed to git.
 */
function validRefName(ref: string): boolean {
  if (ref.length > 1024) return false;
  if (ref === "@" || ref.endsWith("/") || ref.endsWith(".")) return false;
  if (ref.includes("..") || ref.includes("//") || ref.includes("@{")) return false;
  // Control characters, space, ~ ^ : ? * [ and backslash are never allowed.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: these are what the rule forbids
  if (/[\u0000-\u0020\u007f~^:?*[\\]/.test(ref)) return false;
  return ref.split("/").every((part) => part !== "" && !part.startsWith(".") && !part.endsWith(".lock"));
}

/** The full ref for a name given as an option, or a ConfigError naming the option. */
function refFor(option: "tag" | "notesRef", value: string, prefix: "refs/tags/" | "refs/notes/"): string {
  if (typeof value !== "string") throw new ConfigError(`Flux v1: ${option} must be a string`);
  const name = value.startsWith(prefix) ? value.slice(prefix.length) : value;
  if (name === "" || name === "@" || name.startsWith("-") || !validRefName(`${prefix}${name}`)) {
    throw new ConfigError(`Flux v1: ${option} ${JSON.stringify(clip(value))} is not a valid git ref name`);
  }
  return `${prefix}${name}`;
}

/** Untrusted text made safe to quote in a warning: control characters escaped, at most `max` chars. */
function clip(text: string, max = MAX_QUOTE): string {
  let flat = "";
  let cut = false;
  for (const c of text) {
    if (flat.length >= max) {
      cut = true;
      break;
    }
    const code = c.codePointAt(0) ?? 0;
    const control = code < 0x20 || (code >= 0x7f && code <= 0x9f) || code === 0x2028 || code === 0x2029;
    flat += control ? `\\u${code.toString(16).padStart(4, "0")}` : c;
  }
  return cut || flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** A git date (ISO 8601 with offset, or a Date) as UTC ISO `YYYY-MM-DDTHH:MM:SSZ`; null if none. */
function utc(value: string | Date): string | null {
  const d = typeof value === "string" ? (value.trim() === "" ? new Date(Number.NaN) : new Date(value)) : value;
  if (!Number.isFinite(d.getTime())) return null;
  return d.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** A checkout's folder works too: git is pointed at its `.git`. */
function gitDirOf(dir: string): string {
  if (existsSync(path.join(dir, "HEAD"))) return dir;
  const dotGit = path.join(dir, ".git");
  return existsSync(dotGit) ? dotGit : dir;
}

type BatchEntry =
  | { input: string; found: true; oid: string; type: string; size: number; data: Buffer }
  | { input: string; found: false; why: string };

/**
 * One `git cat-file --batch` for every input (object ids or `<id>^{commit}`), answers in input
 * order. Parsed from the byte stream by the sizes git announces, keeping at most
 * MAX_OBJECT_BYTES of each object, so a huge blob in a hostile notes tree costs no memory.
 */
async function catFileBatch(gitDir: string, inputs: readonly string[], what: string): Promise<BatchEntry[]> {
  if (inputs.length === 0) return [];
  const run = streamGit(gitDir, ["cat-file", "--batch"], what, `${inputs.join("\n")}\n`);
  const out: BatchEntry[] = [];
  let pending: Buffer = Buffer.alloc(0);
  let body: { oid: string; type: string; size: number; read: number; parts: Buffer[] } | null = null;
  let keptTotal = 0;
  const finish = (b: { oid: string; type: string; size: number; parts: Buffer[] }) => {
    out.push({
      input: inputs[out.length] ?? "",
      found: true,
      oid: b.oid,
      type: b.type,
      size: b.size,
      data: Buffer.concat(b.parts),
    });
  };
  try {
    for await (const chunk of run.stdout) {
      const buf: Buffer = pending.length > 0 ? Buffer.concat([pending, chunk as Buffer]) : (chunk as Buffer);
      let pos = 0;
      while (pos < buf.length) {
        if (body) {
          // The object's bytes and the LF git writes after them.
          const take = Math.min(body.size + 1 - body.read, buf.length - pos);
          const keepEnd = Math.min(body.size, MAX_OBJECT_BYTES);
          if (body.read < keepEnd && keptTotal < MAX_TOTAL_BYTES) {
            const part = buf.subarray(pos, pos + Math.min(take, keepEnd - body.read));
            body.parts.push(part);
            keptTotal += part.length;
          }
          body.read += take;
          pos += take;
          if (body.read === body.size + 1) {
            finish(body);
            body = null;
          }
          continue;
        }
        const nl = buf.indexOf(10, pos);
        if (nl < 0) break;
        const header = buf.toString("utf8", pos, nl);
        pos = nl + 1;
        const m = /^([0-9a-f]{40}(?:[0-9a-f]{24})?) ([a-z]+) (\d+)$/.exec(header);
        if (m) {
          body = { oid: m[1] ?? "", type: m[2] ?? "", size: Number(m[3]), read: 0, parts: [] };
        } else {
          // `<input> missing` or `<input> ambiguous`
          const input = inputs[out.length] ?? "";
          out.push({ input, found: false, why: header.endsWith(" ambiguous") ? "ambiguous" : "missing" });
        }
      }
      pending = Buffer.from(buf.subarray(pos));
    }
    await run.done;
  } finally {
    await run.stop();
  }
  if (out.length !== inputs.length) {
    throw new GitError("E_GIT", `${what}: git cat-file answered ${out.length} of ${inputs.length} objects`);
  }
  return out;
}

/** The committer time of a raw commit object, as UTC ISO; null when its header has none. */
function committerTime(raw: Buffer): string | null {
  const text = raw.toString("utf8");
  const end = text.indexOf("\n\n");
  for (const line of (end < 0 ? text : text.slice(0, end)).split("\n")) {
    if (!line.startsWith("committer ")) continue;
    const m = /> *(\d{1,15}) *([+-]\d{4})?\s*$/.exec(line);
    return m ? utc(new Date(Number(m[1]) * 1000)) : null;
  }
  return null;
}

interface TagRef {
  objectName: string;
  objectType: string;
  peeledName: string;
  peeledType: string;
  taggerDate: string;
  tagger: string;
}

const SEP = "%00";
const TAG_FORMAT = [
  "%(refname)",
  "%(objectname)",
  "%(objecttype)",
  "%(*objectname)",
  "%(*objecttype)",
  "%(taggerdate:iso-strict)",
  "%(taggername)",
  "%(taggeremail)",
]
  .map((f) => `${f}${SEP}`)
  .join("");

/** The sync tag (if any) and whether the notes ref exists, from one `git for-each-ref`. */
async function readRefs(
  gitDir: string,
  tagRef: string,
  notesRef: string,
  what: string,
): Promise<{ tag: TagRef | null; notes: boolean }> {
  // Patterns match a ref exactly or as a prefix up to '/', so only the exact names are kept.
  const out = await runGit(gitDir, ["for-each-ref", `--format=${TAG_FORMAT}`, tagRef, notesRef], what);
  let tag: TagRef | null = null;
  let notes = false;
  for (const record of out.split("\0\n")) {
    const [
      ref,
      objectName = "",
      objectType = "",
      peeledName = "",
      peeledType = "",
      taggerDate = "",
      name = "",
      email = "",
    ] = record.split("\0");
    if (ref === notesRef) notes = true;
    if (ref === tagRef) {
      tag = {
        objectName,
        objectType,
        peeledName,
        peeledType,
        taggerDate,
        tagger: [name, email].filter(Boolean).join(" "),
      };
    }
  }
  return { tag, notes };
}

/** `git notes list`: (note blob, annotated object) pairs; a notes ref git cannot read is a warning. */
async function listNotes(
  gitDir: string,
  notesRef: string,
  what: string,
  warnings: string[],
): Promise<{ blob: string; commit: string }[]> {
  let out: string;
  try {
    out = await runGit(gitDir, ["notes", `--ref=${notesRef}`, "list"], what);
  } catch (e) {
    warnings.push(
      `${what} ${notesRef}: skipped, git cannot list its notes (${clip(e instanceof Error ? e.message : String(e))})`,
    );
    return [];
  }
  const pairs: { blob: string; commit: string }[] = [];
  for (const line of out.split("\n")) {
    if (line === "") continue;
    const [blob = "", commit = ""] = line.split(" ");
    if (OBJECT_ID.test(blob) && OBJECT_ID.test(commit)) pairs.push({ blob, commit });
    else warnings.push(`${what} ${notesRef}: skipped an unreadable entry ${JSON.stringify(clip(line, 100))}`);
  }
  return pairs;
}

function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  const at = issue?.path.map(String).join(".") ?? "";
  return clip(`${at || "the note"} ${issue?.message ?? "is malformed"}`);
}

/** The sync tag's position and fluxd's notes in a fetched repository, as deployments of `options.repo`. */
export async function readFluxV1(gitDir: string, options: FluxV1Options): Promise<Mapped> {
  const tagRef = refFor("tag", options.tag ?? "flux-sync", "refs/tags/");
  const notesRef = refFor("notesRef", options.notesRef ?? "flux", "refs/notes/");
  const dir = gitDirOf(gitDir);
  const what = `Flux v1 ${options.repo}`;
  const warnings: string[] = [];
  const base = {
    reconciler: "flux-v1" as const,
    cluster: options.cluster,
    namespace: "",
    name: options.repo,
    sourceRepo: options.repo,
    sourcePath: null,
    startedAt: null,
    rollback: false,
  };

  const refs = await readRefs(dir, tagRef, notesRef, what);
  const notes = refs.notes ? await listNotes(dir, notesRef, what, warnings) : [];

  // The tag's commit: at hand, unless the tag points to a tag (fluxd never makes one, a person may).
  const tag = refs.tag;
  let tagCommit: string | null = null;
  let peelInput: string | null = null;
  if (tag) {
    if (tag.objectType === "commit") tagCommit = tag.objectName;
    else if (tag.objectType === "tag" && tag.peeledType === "commit") tagCommit = tag.peeledName;
    else if (tag.objectType === "tag" && tag.peeledType === "tag" && OBJECT_ID.test(tag.objectName)) {
      peelInput = `${tag.objectName}^{commit}`;
    } else {
      const type = tag.objectType === "tag" ? tag.peeledType : tag.objectType;
      warnings.push(`${what} ${tagRef}: skipped, it points to a ${clip(type || "missing object", 20)}, not a commit`);
    }
  }

  // One batch for everything else: the nested tag's commit, every note and every annotated commit.
  const inputs = [...(peelInput ? [peelInput] : []), ...notes.map((n) => n.blob), ...notes.map((n) => n.commit)];
  const answers = await catFileBatch(dir, inputs, what);
  if (peelInput) {
    const a = answers[0];
    if (a?.found && a.type === "commit") tagCommit = a.oid;
    else warnings.push(`${what} ${tagRef}: skipped, it does not lead to a commit`);
  }
  const offset = peelInput ? 1 : 0;

  const deployments: DeploymentRecord[] = [];
  if (tag && tagCommit) {
    const lightweight = tag.objectType === "commit";
    const taggedAt = lightweight ? null : utc(tag.taggerDate);
    if (!lightweight && !taggedAt) {
      warnings.push(`${what} ${tagRef}: tag ${tag.objectName} has no tagger date; recorded at ${options.observedAt}`);
    }
    const revisions = [tagCommit];
    deployments.push({
      ...base,
      basis: "tag",
      // A tag object is made anew at each move, so its date tells positions apart; without one,
      // the position is the commit (a return to an earlier commit then reads as the same record).
      identity: taggedAt
        ? revisionsAt(revisions, taggedAt)
        : revisionsAt(revisions, lightweight ? "lightweight" : `tag ${tag.objectName}`),
      revisions,
      commit: tagCommit,
      finishedAt: taggedAt ?? options.observedAt,
      initiatedBy: null,
      automated: true,
      outcome: "succeeded",
      evidence: lightweight ? `${tagRef} (lightweight)` : `${tagRef} (tag ${tag.objectName})`,
      detail: lightweight
        ? { tagObject: null, tagger: null, lightweight: true }
        : { tagObject: tag.objectName, tagger: tag.tagger || null },
    });
  }

  const noteRecords: DeploymentRecord[] = [];
  const jobs = new Map<string, string>();
  notes.forEach((n, i) => {
    const blob = answers[offset + i];
    const commit = answers[offset + notes.length + i];
    const label = `${what} ${notesRef} on ${n.commit}`;
    if (!commit?.found) {
      warnings.push(`${label}: skipped, the commit is not in the repository`);
      return;
    }
    if (commit.type !== "commit") {
      warnings.push(`${label}: skipped, the note is on a ${clip(commit.type, 20)}, not a commit`);
      return;
    }
    const finishedAt = committerTime(commit.data);
    if (!finishedAt) {
      warnings.push(`${label}: skipped, the commit has no committer date`);
      return;
    }
    if (!blob?.found || blob.type !== "blob") {
      warnings.push(
        `${label}: skipped, the note object ${n.blob} is ${blob?.found ? `a ${clip(blob.type, 20)}` : "missing"}`,
      );
      return;
    }
    if (blob.size > MAX_OBJECT_BYTES) {
      warnings.push(`${label}: skipped, the note is too large (${blob.size} bytes)`);
      return;
    }
    if (blob.data.length < blob.size) {
      warnings.push(`${label}: skipped, the notes read before it already fill the memory budget`);
      return;
    }
    const text = blob.data.toString("utf8");
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      warnings.push(`${label}: skipped, the note is not JSON (${JSON.stringify(clip(text.trim(), 80))})`);
      return;
    }
    const parsed = fluxV1NoteSchema.safeParse(json);
    if (!parsed.success) {
      warnings.push(`${label}: skipped, ${firstIssue(parsed.error)}`);
      return;
    }
    const note = parsed.data;
    const jobID = note.jobID || null;
    if (jobID) {
      const seen = jobs.get(jobID);
      if (seen) warnings.push(`${label}: job ${clip(jobID, 80)} is also noted on ${seen}`);
      else jobs.set(jobID, n.commit);
    }
    const user = note.spec.cause?.User || null;
    const results = Object.values(note.result ?? {});
    const failed = results.filter((r) => r.Status === "failed").length;
    const outcome: DeploymentOutcome = failed > 0 ? "failed" : "succeeded";
    noteRecords.push({
      ...base,
      basis: "note",
      // A commit has one note under a notes ref: keyed on it, a reused job id can't merge two records.
      identity: n.commit,
      revisions: [n.commit],
      commit: n.commit,
      finishedAt,
      initiatedBy: user === USER_AUTOMATED ? null : user,
      automated: user === USER_AUTOMATED ? true : user ? false : null,
      outcome,
      evidence: `${notesRef} on ${n.commit}`,
      detail: { jobID, type: note.spec.type, workloads: results.length, failed },
    });
  });
  noteRecords.sort((a, b) =>
    a.finishedAt === b.finishedAt
      ? (a.commit ?? "").localeCompare(b.commit ?? "")
      : a.finishedAt < b.finishedAt
        ? -1
        : 1,
  );
  append(deployments, noteRecords);
  return { deployments, observation: null, warnings };
}
