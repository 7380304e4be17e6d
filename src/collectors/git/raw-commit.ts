import { parseTrailers, type Trailer } from "./trailers.js";

/**
 * A commit as `git log --pretty=raw` prints it: the object's own header lines verbatim (so the
 * signature header is there without asking git to verify it) and the message indented by four
 * spaces. The format is unambiguous whatever bytes a message holds, unlike custom separators.
 */

export type SignatureKind = "gpg" | "ssh" | "x509" | "unknown";

export interface Ident {
  name: string;
  email: string;
  /** Seconds since the epoch, as recorded (anyone can set it). */
  time: number;
  /** The recorded UTC offset, e.g. "+0200". */
  tz: string;
}

export interface CommitRecord {
  sha: string;
  tree: string;
  parents: string[];
  author: Ident;
  committer: Ident;
  subject: string;
  message: string;
  trailers: Trailer[];
  signature: SignatureKind | null;
}

export class MalformedCommitError extends Error {}

const OBJECT_ID = /^[0-9a-f]{40}([0-9a-f]{24})?$/;

export function parseIdent(value: string): Ident {
  const gt = value.lastIndexOf(">");
  const lt = gt >= 0 ? value.lastIndexOf("<", gt) : -1;
  if (lt < 0) return { name: value.trim(), email: "", time: 0, tz: "" };
  const name = value.slice(0, lt).trim();
  const email = value.slice(lt + 1, gt).trim();
  const [time, tz] = value
    .slice(gt + 1)
    .trim()
    .split(/\s+/);
  const t = Number(time);
  return { name, email, time: Number.isFinite(t) ? t : 0, tz: tz ?? "" };
}

export function signatureKind(firstLine: string): SignatureKind {
  if (firstLine.includes("BEGIN PGP SIGNATURE")) return "gpg";
  if (firstLine.includes("BEGIN SSH SIGNATURE")) return "ssh";
  if (firstLine.includes("BEGIN SIGNED MESSAGE")) return "x509";
  return "unknown";
}

/** The subject as git's %s gives it: the first paragraph, lines joined by spaces. */
export function subjectOf(message: string): string {
  const start = message.search(/\S/);
  if (start < 0) return "";
  const rest = message.slice(start);
  const end = rest.search(/\n[ \t]*\n/);
  const para = end < 0 ? rest : rest.slice(0, end);
  return para.includes("\n")
    ? para
        .split("\n")
        .map((l) => l.trim())
        .join(" ")
        .trim()
    : para.trim();
}

/** Parse one record of `git log --pretty=raw -z` (without its NUL). */
export function parseRawCommit(record: string): CommitRecord {
  const headerEnd = record.indexOf("\n\n");
  const header = headerEnd < 0 ? record : record.slice(0, headerEnd);
  const lines = header.split("\n");
  const head = lines[0] ?? "";
  if (!head.startsWith("commit "))
    throw new MalformedCommitError(`expected "commit <id>", got ${JSON.stringify(head.slice(0, 60))}`);
  const sp = head.indexOf(" ", 7);
  const sha = sp < 0 ? head.slice(7) : head.slice(7, sp);
  if (!OBJECT_ID.test(sha)) throw new MalformedCommitError(`bad commit id ${JSON.stringify(sha.slice(0, 80))}`);
  let tree = "";
  const parents: string[] = [];
  let author: Ident | undefined;
  let committer: Ident | undefined;
  let signature: SignatureKind | null = null;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i] ?? "";
    if (line.startsWith(" ")) continue; // continuation of a multi-line header (gpgsig, mergetag)
    const at = line.indexOf(" ");
    const key = at < 0 ? line : line.slice(0, at);
    const value = at < 0 ? "" : line.slice(at + 1);
    switch (key) {
      case "tree":
        tree = value;
        break;
      case "parent":
        parents.push(value);
        break;
      case "author":
        author = parseIdent(value);
        break;
      case "committer":
        committer = parseIdent(value);
        break;
      case "gpgsig":
      case "gpgsig-sha256":
        signature ??= signatureKind(value);
        break;
      default:
        break;
    }
  }
  if (!author || !committer)
    throw new MalformedCommitError(`commit ${sha} has no ${author ? "committer" : "author"} header`);
  // The message is indented by four spaces on every line; trailing blank lines are dropped.
  const message =
    headerEnd < 0
      ? ""
      : record
          .slice(headerEnd + 2)
          .replace(INDENT, "")
          .replace(TRAILING_BLANK, "");
  return {
    sha,
    tree,
    parents,
    author,
    committer,
    subject: subjectOf(message),
    message,
    trailers: parseTrailers(message),
    signature,
  };
}

const INDENT = /^ {4}/gm;
const TRAILING_BLANK = /\s+$/;
