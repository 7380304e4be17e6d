import { createHash } from "node:crypto";
import { parseIdentity } from "../../util/identity.js";
import { parseTrailers } from "../../util/trailers.js";
import type {
  RawCollaborator,
  RawCommit,
  RawEvent,
  RawProtectionRule,
  RawPullRequest,
  RawReview,
  RawRuleset,
} from "./schemas.js";

/** Domain records the GitHub collector yields, mapped from parsed answers by pure functions. */

export interface ReviewRecord {
  nodeId: string;
  databaseId: number | null;
  author: string | null;
  authorKind: string | null;
  authorAssociation: string;
  state: string;
  submittedAt: string | null;
  commit: string | null;
}

export interface EventRecord {
  nodeId: string;
  kind: string;
  actor: string | null;
  createdAt: string;
  beforeOid: string | null;
  afterOid: string | null;
  reviewDatabaseId: number | null;
  previousReviewState: string | null;
  message: string | null;
  commit: string | null;
  refName: string | null;
}

export interface PrCommitRecord {
  oid: string;
  authoredDate: string | null;
  committedDate: string | null;
  authorName: string | null;
  authorEmail: string | null;
  authorLogin: string | null;
  committerName: string | null;
  committerEmail: string | null;
  committerLogin: string | null;
  /**
   * The author, then every Co-authored-by of the message: [name, email, login]; a co-author's
   * login is not known here (identity resolution maps emails to people later).
   */
  authors: [string | null, string | null, string | null][];
  signatureKind: string | null;
  signatureState: string | null;
  signatureValid: boolean | null;
  signer: string | null;
}

export interface PullRequestRecord {
  nodeId: string;
  number: number;
  title: string;
  url: string;
  state: string;
  author: string | null;
  authorKind: string | null;
  createdAt: string;
  updatedAt: string;
  mergedAt: string | null;
  mergedBy: string | null;
  mergeCommit: string | null;
  baseRef: string;
  headRef: string;
  headOid: string;
  reviewDecision: string | null;
  reviews: ReviewRecord[];
  events: EventRecord[];
  commits: PrCommitRecord[];
}

export function reviewRecord(r: RawReview): ReviewRecord {
  return {
    nodeId: r.id,
    databaseId: r.databaseId,
    author: r.author?.login ?? null,
    authorKind: r.author?.__typename ?? null,
    authorAssociation: r.authorAssociation,
    state: r.state,
    submittedAt: r.submittedAt,
    commit: r.commit?.oid ?? null,
  };
}

export function eventRecord(e: RawEvent): EventRecord {
  const base = {
    nodeId: e.id,
    kind: e.__typename,
    actor: e.actor?.login ?? null,
    createdAt: e.createdAt,
    beforeOid: null,
    afterOid: null,
    reviewDatabaseId: null,
    previousReviewState: null,
    message: null,
    commit: null,
    refName: null,
  };
  switch (e.__typename) {
    case "HeadRefForcePushedEvent":
    case "BaseRefForcePushedEvent":
      return { ...base, beforeOid: e.beforeCommit?.oid ?? null, afterOid: e.afterCommit?.oid ?? null };
    case "ReviewDismissedEvent":
      return {
        ...base,
        reviewDatabaseId: e.review?.databaseId ?? null,
        previousReviewState: e.previousReviewState,
        message: e.dismissalMessage,
      };
    case "MergedEvent":
      return { ...base, commit: e.commit?.oid ?? null, refName: e.mergeRefName };
  }
}

/** Timeline nodes of other types than those asked for come back as null (or {}): skipped. */
export function eventRecords(nodes: readonly (RawEvent | null)[]): EventRecord[] {
  return nodes.flatMap((e) => (e ? [eventRecord(e)] : []));
}

/** A force push to an open pull request's base branch, as its timeline records it. */
export interface BaseForcePushRecord {
  nodeId: string;
  pullRequest: number;
  actor: string | null;
  createdAt: string;
  beforeOid: string | null;
  afterOid: string | null;
}

/** The base-branch force pushes among timeline nodes; other kinds (none are asked for) are skipped. */
export function baseForcePushRecords(pullRequest: number, nodes: readonly (RawEvent | null)[]): BaseForcePushRecord[] {
  return nodes.flatMap((e) =>
    e?.__typename === "BaseRefForcePushedEvent"
      ? [
          {
            nodeId: e.id,
            pullRequest,
            actor: e.actor?.login ?? null,
            createdAt: e.createdAt,
            beforeOid: e.beforeCommit?.oid ?? null,
            afterOid: e.afterCommit?.oid ?? null,
          },
        ]
      : [],
  );
}

export function commitRecord(c: RawCommit): PrCommitRecord {
  return {
    oid: c.oid,
    authoredDate: c.authoredDate,
    committedDate: c.committedDate,
    authorName: c.author?.name ?? null,
    authorEmail: c.author?.email ?? null,
    authorLogin: c.author?.user?.login ?? null,
    committerName: c.committer?.name ?? null,
    committerEmail: c.committer?.email ?? null,
    committerLogin: c.committer?.user?.login ?? null,
    authors: [
      [c.author?.name ?? null, c.author?.email ?? null, c.author?.user?.login ?? null],
      ...parseTrailers(c.message)
        .filter((t) => t.key.toLowerCase() === "co-authored-by")
        .flatMap((t) => {
          const who = parseIdentity(t.value);
          return who ? [[who.name, who.email, null] as [string, string, null]] : [];
        }),
    ],
    signatureKind: c.signature?.__typename ?? null,
    signatureState: c.signature?.state ?? null,
    signatureValid: c.signature ? c.signature.isValid : null,
    signer: c.signature?.signer?.login ?? null,
  };
}

/** A pull request's first page as mapped; nested lists may grow from follow-up pages. */
export function pullRequestRecord(p: RawPullRequest): PullRequestRecord {
  return {
    nodeId: p.id,
    number: p.number,
    title: p.title,
    url: p.url,
    state: p.state,
    author: p.author?.login ?? null,
    authorKind: p.author?.__typename ?? null,
    createdAt: p.createdAt,
    updatedAt: p.updatedAt,
    mergedAt: p.mergedAt,
    mergedBy: p.mergedBy?.login ?? null,
    mergeCommit: p.mergeCommit?.oid ?? null,
    baseRef: p.baseRefName,
    headRef: p.headRefName,
    headOid: p.headRefOid,
    reviewDecision: p.reviewDecision,
    reviews: p.reviews.nodes.map(reviewRecord),
    events: eventRecords(p.timelineItems.nodes),
    commits: p.commits.nodes.map((n) => commitRecord(n.commit)),
  };
}

// Access and protection snapshot records.

export interface MemberRecord {
  login: string;
  role: string;
  twoFactor: boolean | null;
}

export interface TeamRecord {
  slug: string;
  name: string;
  parent: string | null;
  members: { login: string; role: string }[];
  repositories: { repo: string; permission: string }[];
}

export interface CollaboratorRecord {
  repo: string;
  login: string;
  permission: string;
  sources: { permission: string; kind: string; name: string }[];
}

export interface ProtectionRecord {
  repo: string;
  pattern: string;
  settings: Record<string, unknown>;
}

export interface RulesetRecord {
  scope: string;
  id: number;
  name: string;
  target: string | null;
  enforcement: string;
  settings: Record<string, unknown>;
}

const BUILT_IN_ROLES = new Set(["ADMIN", "MAINTAIN", "WRITE", "TRIAGE", "READ"]);

/**
 * A source's level: its role when that is built in (the base `permission` says WRITE for MAINTAIN
 * and READ for TRIAGE), a custom role by its name with the base level it extends, else the base.
 */
export function sourcePermission(base: string, roleName: string | null): string {
  if (roleName === null || roleName === "") return base;
  const upper = roleName.toUpperCase();
  return BUILT_IN_ROLES.has(upper) ? upper : `${roleName} (${base})`;
}

export function collaboratorRecord(repo: string, c: RawCollaborator): CollaboratorRecord {
  return {
    repo,
    login: c.node.login,
    permission: c.permission,
    sources: (c.permissionSources ?? []).map((s) => ({
      permission: sourcePermission(s.permission, s.roleName),
      kind: s.source.__typename,
      name: s.source.login ?? s.source.slug ?? s.source.nameWithOwner ?? "",
    })),
  };
}

type Actor = { __typename: string; login?: string | undefined; slug?: string | undefined } | null;
const actorName = (a: Actor): string => (a ? `${a.__typename}:${a.login ?? a.slug ?? "?"}` : "(deleted)");

export function protectionRecord(repo: string, r: RawProtectionRule): ProtectionRecord {
  const { id: _id, bypassPullRequestAllowances, bypassForcePushAllowances, pushAllowances, ...flags } = r;
  return {
    repo,
    pattern: r.pattern,
    settings: {
      ...flags,
      bypassPullRequestAllowances: bypassPullRequestAllowances.nodes.map((n) => actorName(n.actor)).sort(),
      bypassForcePushAllowances: bypassForcePushAllowances.nodes.map((n) => actorName(n.actor)).sort(),
      pushAllowances: pushAllowances.nodes.map((n) => actorName(n.actor)).sort(),
    },
  };
}

export function rulesetRecord(repo: string, r: RawRuleset): RulesetRecord {
  const scope = r.source?.nameWithOwner ?? r.source?.login ?? repo;
  return {
    scope,
    // Rulesets GitHub gives no id for still need distinct keys: one derived from scope and name.
    id:
      r.databaseId ??
      -Number.parseInt(createHash("sha256").update(`${scope}\0${r.name}`).digest("hex").slice(0, 12), 16),
    name: r.name,
    target: r.target,
    enforcement: r.enforcement,
    settings: { conditions: r.conditions, rules: r.rules?.nodes ?? [], bypassActors: r.bypassActors?.nodes ?? [] },
  };
}
