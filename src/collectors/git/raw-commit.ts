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
  const lines: string[] = [];
  for (const line of message.split("\n")) {
    if (line.trim() === "") {
      if (lines.length > 0) break;
      continue;
    }
    lines.push(line.trim());
  }
  return lines.join(" ");
}

/** Parse one record of `git log --pretty=raw -z` (without its NUL). */
export function parseRawCommit(record: string): CommitRecord {
  const lines = record.split("\n");
  const head = lines[0] ?? "";
  if (!head.startsWith("commit "))
    throw new MalformedCommitError(`expected "commit <id>", got ${JSON.stringify(head.slice(0, 60))}`);
  const sha = head.slice(7).split(" ")[0] ?? "";
  if (!OBJECT_ID.test(sha)) throw new MalformedCommitError(`bad commit id ${JSON.stringify(sha.slice(0, 80))}`);
  let tree = "";
  const parents: string[] = [];
  let author: Ident | undefined;
  let committer: Ident | undefined;
  let signature: SignatureKind | null = null;
  let i = 1;
  for (; i < lines.length; i++) {
    const line = lines[i] ?? "";
    if (line === "") {
      i++;
      break;
    }
    if (line.startsWith(" ")) continue; // continuation of a multi-line header (gpgsig, mergetag)
    const sp = line.indexOf(" ");
    const key = sp < 0 ? line : line.slice(0, sp);
    const value = sp < 0 ? "" : line.slice(sp + 1);
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
  const body: string[] = [];
  for (; i < lines.length; i++) {
    const line = lines[i] ?? "";
    body.push(line.startsWith("    ") ? line.slice(4) : line);
  }
  while (body.length > 0 && body[body.length - 1] === "") body.pop();
  const message = body.join("\n");
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
