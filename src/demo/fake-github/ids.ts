/**
 * Identifiers the fake hands out: node ids, cursors and numeric ids. All are derived from the
 * model's own keys, so the same model yields the same ids in every run (tests compare them across
 * collections) while clients still see opaque strings, as GitHub intends.
 */

/** Node-id prefixes, GitHub's current ("next") format: `<prefix>_<opaque>`. */
export const NodeKind = {
  Organization: "O",
  Repository: "R",
  PullRequest: "PR",
  PullRequestReview: "PRR",
  PullRequestCommit: "PURC",
  User: "U",
  Bot: "BOT",
  Team: "T",
  App: "A",
  Commit: "C",
  Ref: "REF",
  BranchProtectionRule: "BPR",
  BypassPullRequestAllowance: "BPRA",
  BypassForcePushAllowance: "BFPA",
  PushAllowance: "PA",
  RepositoryRuleset: "RRS",
  RepositoryRule: "RR",
  RepositoryRulesetBypassActor: "RBA",
  HeadRefForcePushedEvent: "HRFPE",
  BaseRefForcePushedEvent: "BRFPE",
  ReviewDismissedEvent: "RDE",
  MergedEvent: "ME",
} as const;
export type NodeKind = keyof typeof NodeKind;

const kindByPrefix = new Map<string, NodeKind>(
  (Object.entries(NodeKind) as [NodeKind, string][]).map(([kind, prefix]) => [prefix, kind]),
);

export function nodeId(kind: NodeKind, key: string): string {
  return `${NodeKind[kind]}_${Buffer.from(key, "utf8").toString("base64url")}`;
}

export function decodeNodeId(id: string): { kind: NodeKind; key: string } | undefined {
  const sep = id.indexOf("_");
  if (sep <= 0) return undefined;
  const kind = kindByPrefix.get(id.slice(0, sep));
  if (!kind) return undefined;
  const key = Buffer.from(id.slice(sep + 1), "base64url").toString("utf8");
  return key ? { kind, key } : undefined;
}

const CURSOR_PREFIX = "cursor:v2:";

export function encodeCursor(key: string): string {
  return Buffer.from(CURSOR_PREFIX + key, "utf8").toString("base64");
}

export function decodeCursor(cursor: string): string | undefined {
  const text = Buffer.from(cursor, "base64").toString("utf8");
  return text.startsWith(CURSOR_PREFIX) ? text.slice(CURSOR_PREFIX.length) : undefined;
}

/** A positive 31-bit number from a string (FNV-1a), for databaseIds the model leaves out. */
export function stableNumber(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  // Keep clear of small numbers so derived ids do not collide with hand-written ones.
  return 1_000_000 + ((hash >>> 0) % 2_000_000_000);
}

let requestCounter = 0;

/** x-github-request-id, in GitHub's shape (five hex groups). */
export function nextRequestId(): string {
  requestCounter++;
  const hex = (n: number, width: number) => n.toString(16).toUpperCase().padStart(width, "0");
  return `${hex(process.pid & 0xffff, 4)}:${hex(requestCounter, 5)}:${hex(requestCounter * 7919, 7)}:${hex(
    requestCounter * 104729,
    7,
  )}:${hex(Math.floor(Date.now() / 1000), 8)}`;
}
