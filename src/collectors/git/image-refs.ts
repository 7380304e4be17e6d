/**
 * The container image references a GitOps commit writes (SPEC C12), read from its diff and its
 * message. Image automation (Flux's image-automation-controller, Flux v1's daemon, Argo CD Image
 * Updater, Renovate) commits a new tag or digest into a manifest, a kustomization's `images:`
 * list or Helm values; what it wrote is the evidence of which build is deployed. Pure parsing of
 * untrusted text: everything is bounded and validated against the reference grammar.
 */

export interface ImageRef {
  /** registry/path without tag or digest (lower case), or null when the line names only a tag. */
  image: string | null;
  tag: string | null;
  digest: string | null;
  /** Where it was read: an added line of the diff, or the automation's commit message. */
  source: "diff" | "message";
  /** The file the diff changed (diff only). */
  file: string | null;
}

/** At most this many references are kept per commit: a bulk re-tag is listed, not stored whole. */
export const MAX_REFS_PER_COMMIT = 100;

const NAME = /^[a-z0-9]+(?:[._-]+[a-z0-9]+)*(?::[0-9]{1,5})?(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[0-9a-fA-F]{32,128}$/;

/** `name[:tag][@digest]` split and validated; null when it is not an image reference. */
export function parseImageReference(text: string): Pick<ImageRef, "image" | "tag" | "digest"> | null {
  const s = unquote(text);
  if (s.length === 0 || s.length > 512) return null;
  const at = s.indexOf("@");
  const digest = at >= 0 ? s.slice(at + 1) : null;
  const rest = at >= 0 ? s.slice(0, at) : s;
  const colon = rest.lastIndexOf(":");
  const slash = rest.lastIndexOf("/");
  const tag = colon > slash ? rest.slice(colon + 1) : null;
  const image = (colon > slash ? rest.slice(0, colon) : rest).toLowerCase();
  if (!NAME.test(image) || image.length > 255) return null;
  if (tag !== null && !TAG.test(tag)) return null;
  if (digest !== null && !DIGEST.test(digest)) return null;
  if (tag === null && digest === null) return null;
  return { image, tag, digest: digest?.toLowerCase() ?? null };
}

function unquote(v: string): string {
  const t = v.trim();
  const q = t[0];
  if ((q === '"' || q === "'") && t.endsWith(q) && t.length >= 2) return t.slice(1, -1).trim();
  return t;
}

/** A YAML `key: value` line (a list item's first key included), its comment dropped. */
function keyValue(line: string): { key: string; value: string; item: boolean } | null {
  const m = /^\s*(-\s+)?([A-Za-z][A-Za-z0-9_-]{0,63})\s*:\s*(.*)$/.exec(line);
  if (!m?.[2] || m[3] === undefined) return null;
  let value = m[3];
  const q = value[0];
  if (q === '"' || q === "'") {
    // A quoted value ends at its closing quote; a comment may follow (Flux's setter markers).
    const close = value.indexOf(q, 1);
    if (close < 0) return null;
    const rest = value.slice(close + 1).trim();
    if (rest !== "" && !rest.startsWith("#")) return null;
    value = value.slice(1, close).trim();
  } else {
    // A comment starts at " #".
    const hash = value.search(/\s#/);
    if (hash >= 0) value = value.slice(0, hash);
    value = value.trim();
  }
  if (value.length === 0 || value.length > 512) return null;
  return { key: m[2], value, item: m[1] !== undefined };
}

/** Keys that name the image a later tag belongs to (kustomize `images:`, Helm values). */
const NAME_KEYS = new Set(["newName", "name", "repository", "image"]);
/** Keys whose change is a change of an image reference. */
const IMAGE_KEYS = new Set(["image", "tag", "newTag", "digest", "newName", "repository"]);

/** What a commit's diff writes: its image references, and whether that is all it changes. */
export interface DiffReading {
  refs: ImageRef[];
  /** Changed lines (added or removed) that are not image references, blank lines and comments aside. */
  otherLines: number;
  /** Added image lines (image:, tag:, newTag:, digest:) whose value is not a reference changeproof can read. */
  unreadable: number;
  /** More references than MAX_REFS_PER_COMMIT, or a diff cut at its size limit: not read whole. */
  truncated: boolean;
}

/**
 * What a commit's diff writes. `diff` is `git diff-tree -p` output for one commit; added lines are
 * what it writes, and context lines say which image a bare `tag:`, `newTag:` or `digest:` belongs
 * to (the nearest image name above it in the same hunk and document). Every other changed line is
 * counted: a change that is not only an image bump is not explained by the image's build (C12).
 */
export function readDiff(diff: string, cut = false): DiffReading {
  const reading: DiffReading = { refs: [], otherLines: 0, unreadable: 0, truncated: cut };
  let file: string | null = null;
  let inHunk = false;
  let lastName: string | null = null;
  let newName: string | null = null;
  for (const raw of diff.split("\n")) {
    if (raw.startsWith("diff --git ")) {
      inHunk = false;
      file = null;
      lastName = null;
      newName = null;
      continue;
    }
    if (!inHunk) {
      // The file header, before the first hunk: "+++ b/<path>" names the file written.
      if (raw.startsWith("+++ ")) file = raw.startsWith("+++ b/") ? raw.slice(6, 1030) : null;
      if (raw.startsWith("@@")) inHunk = true;
      continue;
    }
    if (raw.startsWith("@@")) {
      lastName = null;
      newName = null;
      continue;
    }
    const sign = raw[0];
    if (sign !== "+" && sign !== "-" && sign !== " ") continue;
    const text = raw.slice(1, 2048);
    const trimmed = text.trim();
    if (trimmed === "---") {
      // A new YAML document: names above it belong to another object.
      lastName = null;
      newName = null;
    }
    const changed = sign !== " ";
    if (changed && (trimmed === "" || trimmed.startsWith("#") || trimmed === "---")) continue;
    const kv = keyValue(text);
    if (!kv) {
      if (changed) reading.otherLines++;
      continue;
    }
    if (kv.item && kv.key === "name") newName = null;
    if (changed && !IMAGE_KEYS.has(kv.key)) reading.otherLines++;
    if (kv.key === "image") {
      const ref = parseImageReference(kv.value);
      if (ref) {
        if (sign === "+") add(reading, { ...ref, source: "diff", file });
        continue;
      }
      // An image with no tag or digest (or none changeproof can read) runs whatever the registry serves.
      if (sign === "+") reading.unreadable++;
    }
    if (NAME_KEYS.has(kv.key)) {
      const name = kv.value.toLowerCase();
      // metadata names are names too: a `name:` counts when it looks like an image (a path or a
      // registry) or starts a list item, as a kustomize `images:` entry does.
      if (NAME.test(name) && (kv.key !== "name" || kv.item || name.includes("/") || name.includes("."))) {
        if (kv.key === "newName") newName = name;
        else lastName = name;
      }
      continue;
    }
    if (sign !== "+") continue;
    const image = newName ?? lastName;
    if (kv.key === "tag" || kv.key === "newTag") {
      if (TAG.test(kv.value)) add(reading, { image, tag: kv.value, digest: null, source: "diff", file });
      else reading.unreadable++;
    } else if (kv.key === "digest") {
      if (DIGEST.test(kv.value))
        add(reading, { image, tag: null, digest: kv.value.toLowerCase(), source: "diff", file });
      else reading.unreadable++;
    }
  }
  reading.refs = dedupe(reading.refs);
  return reading;
}

function add(reading: DiffReading, ref: ImageRef): void {
  if (reading.refs.length >= MAX_REFS_PER_COMMIT) reading.truncated = true;
  else reading.refs.push(ref);
}

/**
 * The references an automation's commit message names: Flux's image-automation template
 * ("Images:" then "- <ref>" lines), Flux v1 ("Auto-release <ref>"), Argo CD Image Updater
 * ("updates image <name> tag '<old>' to '<new>'").
 */
export function imageRefsOfMessage(message: string): ImageRef[] {
  const out: ImageRef[] = [];
  const lines = message.slice(0, 65_536).split("\n");
  let inImages = false;
  for (const line of lines) {
    if (out.length >= MAX_REFS_PER_COMMIT) break;
    const t = line.trim();
    if (/^images:$/i.test(t)) {
      inImages = true;
      continue;
    }
    if (inImages) {
      const item = /^[-*]\s+(\S+)$/.exec(t);
      const ref = item?.[1] ? parseImageReference(item[1]) : null;
      if (ref) {
        out.push({ ...ref, source: "message", file: null });
        continue;
      }
      if (t !== "") inImages = false;
    }
    const release = /^auto-release\s+(\S+)/i.exec(t);
    const released = release?.[1] ? parseImageReference(release[1].replace(/[,.;]$/, "")) : null;
    if (released) out.push({ ...released, source: "message", file: null });
    const updater = /updates? image (\S+) tag '[^']*' to '([^']+)'/i.exec(t);
    if (updater?.[1] && updater[2]) {
      const ref = parseImageReference(`${updater[1]}:${updater[2]}`);
      if (ref) out.push({ ...ref, source: "message", file: null });
    }
  }
  return dedupe(out);
}

function dedupe(refs: ImageRef[]): ImageRef[] {
  const seen = new Set<string>();
  return refs.filter((r) => {
    const k = `${r.image}\u0000${r.tag}\u0000${r.digest}\u0000${r.source}\u0000${r.file}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
