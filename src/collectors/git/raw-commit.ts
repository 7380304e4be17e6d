import { parseTrailers, type Trailer } from "../../util/trailers.js";

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
  // "<seconds> <tz>" after the email, scanned by hand: this runs twice per commit.
  const rest = value.slice(gt + 1).trim();
  let sp = rest.indexOf(" ");
  if (sp < 0 && /\s/.test(rest)) sp = rest.search(/\s/);
  const t = Number(sp < 0 ? rest : rest.slice(0, sp));
  const tz = sp < 0 ? "" : rest.slice(sp + 1).trimStart();
  return {
    name,
    email,
    time: rest !== "" && Number.isFinite(t) ? t : 0,
    tz: tz.includes(" ") || tz.includes("\t") ? (tz.split(/\s/, 1)[0] ?? "") : tz,
  };
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
  const end = headerEnd < 0 ? record.length : headerEnd;
  // Lines are scanned with indexOf rather than split: this is the collector's hottest loop.
  let eol = record.indexOf("\n");
  if (eol < 0 || eol > end) eol = end;
  const head = record.slice(0, eol);
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
  for (let at = eol + 1; at < end; ) {
    let next = record.indexOf("\n", at);
    if (next < 0 || next > end) next = end;
    // A line starting with a space continues a multi-line header (gpgsig, mergetag).
    if (record.charCodeAt(at) !== 32) {
      const space = record.indexOf(" ", at);
      const keyEnd = space < 0 || space > next ? next : space;
      const key = record.slice(at, keyEnd);
      const value = keyEnd < next ? record.slice(keyEnd + 1, next) : "";
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
    at = next + 1;
  }
  if (!author || !committer)
    throw new MalformedCommitError(`commit ${sha} has no ${author ? "committer" : "author"} header`);
  const message = headerEnd < 0 ? "" : unindent(record.slice(headerEnd + 2));
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

/** The message is indented by four spaces on every line; trailing blank lines are dropped. */
function unindent(body: string): string {
  const text = body.startsWith(INDENT) ? body.slice(INDENT.length) : body;
  // A plain-string replaceAll, much cheaper than a multiline regex over every message.
  return text.replaceAll(INDENTED_LINE, "\n").trimEnd();
}

const INDENT = "    ";
const INDENTED_LINE = `\n${INDENT}`;
