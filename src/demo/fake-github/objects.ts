import type { GraphQLResolveInfo } from "graphql";
import { connection, type GqlObject } from "./connection.js";
import { nodeId, stableNumber } from "./ids.js";
import type {
  FakeCommit,
  FakeGitActor,
  FakeOrganization,
  FakePullRequest,
  FakeRepository,
  FakeReview,
  FakeTimelineItem,
  FakeUser,
} from "./model.js";
import { lower } from "./model-index.js";
import type { GraphBuilder } from "./resolvers.js";

/**
 * The types a page of pull requests returns by the thousand (pull requests, reviews, commits,
 * actors), as classes: one small allocation per object, fields computed only when selected.
 * A field is a method (graphql's resolver calls it with the field's arguments) or a plain
 * property; private state is in #fields, invisible to the `in` check that finds unmodelled fields.
 */

type Args = Record<string, unknown>;

const strList = (args: Args, name: string): string[] | undefined => {
  const v = args[name];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : undefined;
};
const str = (args: Args, name: string): string | undefined => {
  const v = args[name];
  return typeof v === "string" ? v : undefined;
};

export type PullRequestOrder = { field: string; direction: "ASC" | "DESC" } | undefined;

export function orderArg(args: Args): PullRequestOrder {
  const v = args.orderBy;
  if (!v || typeof v !== "object") return undefined;
  const { field, direction } = v as { field?: unknown; direction?: unknown };
  if (typeof field !== "string") return undefined;
  return { field, direction: direction === "DESC" ? "DESC" : "ASC" };
}

/** GitHub's default is creation order; orderBy sorts by the field, ties by number. */
export function sortPullRequests(prs: readonly FakePullRequest[], order: PullRequestOrder): FakePullRequest[] {
  const field = order?.field;
  const keyed = prs.map((pr) => {
    const value = field === "UPDATED_AT" ? pr.updatedAt : field === "CREATED_AT" ? pr.createdAt : undefined;
    const time = value === undefined ? 0 : Date.parse(value);
    return { pr, time: Number.isNaN(time) ? 0 : time };
  });
  keyed.sort((a, b) => a.time - b.time || a.pr.number - b.pr.number);
  if (order?.direction === "DESC") keyed.reverse();
  return keyed.map((k) => k.pr);
}

const TIMELINE_ITEM_TYPES: Record<FakeTimelineItem["kind"], string> = {
  HeadRefForcePushedEvent: "HEAD_REF_FORCE_PUSHED_EVENT",
  BaseRefForcePushedEvent: "BASE_REF_FORCE_PUSHED_EVENT",
  ReviewDismissedEvent: "REVIEW_DISMISSED_EVENT",
  MergedEvent: "MERGED_EVENT",
};

const NOREPLY_GITHUB = "noreply@github.com";
const PULL_REQUEST_COMMIT_LIMIT = 250;
const CO_AUTHOR = /^co-authored-by:\s*(.+?)\s*<([^>]+)>\s*$/gim;

// ---- accounts --------------------------------------------------------------------------------

/** What a user and a bot account have in common; they differ in type name and web paths. */
abstract class AccountObject {
  readonly login: string;
  protected readonly b: GraphBuilder;
  protected readonly known: FakeUser | undefined;

  constructor(b: GraphBuilder, login: string, known: FakeUser | undefined) {
    this.b = b;
    this.known = known;
    this.login = known?.login ?? login;
  }
  abstract get __typename(): "User" | "Bot";
  /** The account's path on the web: /login for users, /apps/login for bots. */
  protected abstract get path(): string;
  id(): string {
    return nodeId(this.__typename, this.login);
  }
  databaseId(): number {
    return this.known?.databaseId ?? stableNumber(`user:${lower(this.login)}`);
  }
  url(): string {
    return this.b.web(this.path);
  }
  resourcePath(): string {
    return this.path;
  }
}

export class UserObject extends AccountObject {
  get __typename(): "User" {
    return "User";
  }
  protected get path(): string {
    return `/${this.login}`;
  }
  name(): string | null {
    return this.known?.name ?? null;
  }
  email(): string {
    return this.known?.emails?.[0] ?? "";
  }
  avatarUrl(): string {
    return `https://avatars.githubusercontent.com/u/${this.databaseId()}?v=4`;
  }
  isSiteAdmin(): boolean {
    return false;
  }
}

export class BotObject extends AccountObject {
  get __typename(): "Bot" {
    return "Bot";
  }
  protected get path(): string {
    return `/apps/${this.login}`;
  }
  avatarUrl(): string {
    return `https://avatars.githubusercontent.com/in/${this.databaseId()}?v=4`;
  }
}

// ---- commits ---------------------------------------------------------------------------------

export class GitActorObject {
  readonly name: string;
  readonly email: string;
  readonly date: string;
  readonly #b: GraphBuilder;
  readonly #org: FakeOrganization;

  constructor(b: GraphBuilder, org: FakeOrganization, actor: FakeGitActor) {
    this.#b = b;
    this.#org = org;
    this.name = actor.name;
    this.email = actor.email;
    this.date = actor.date;
  }
  get __typename(): string {
    return "GitActor";
  }
  avatarUrl(): string {
    return "https://avatars.githubusercontent.com/u/0?v=4";
  }
  user(): GqlObject | UserObject | BotObject | null {
    return this.#b.userByEmail(this.#org, this.email);
  }
}

class SignatureObject {
  readonly state: string;
  readonly #b: GraphBuilder;
  readonly #org: FakeOrganization;
  readonly #commit: FakeCommit;
  readonly #kind: string;
  readonly #signer: string | undefined;
  readonly #email: string | undefined;

  constructor(
    b: GraphBuilder,
    org: FakeOrganization,
    commit: FakeCommit,
    signature: NonNullable<FakeCommit["signature"]>,
  ) {
    this.#b = b;
    this.#org = org;
    this.#commit = commit;
    this.#kind = signature.kind;
    this.#signer = signature.signer;
    this.#email = signature.email;
    this.state = signature.state;
  }
  get __typename(): string {
    return this.#kind;
  }
  isValid(): boolean {
    return this.state === "VALID";
  }
  email(): string {
    return this.#email ?? this.#commit.committer.email;
  }
  wasSignedByGitHub(): boolean {
    return lower(this.#commit.committer.email) === NOREPLY_GITHUB;
  }
  signer(): UserObject | null {
    const login = this.#signer;
    return login ? this.#b.user(this.#b.findUser(login) ?? this.#org, login) : null;
  }
}

class GpgSignatureObject extends SignatureObject {
  readonly keyId: string | null;
  constructor(
    b: GraphBuilder,
    org: FakeOrganization,
    commit: FakeCommit,
    signature: NonNullable<FakeCommit["signature"]>,
  ) {
    super(b, org, commit, signature);
    this.keyId = signature.keyId ?? null;
  }
}

class SshSignatureObject extends SignatureObject {
  readonly keyFingerprint: string | null;
  constructor(
    b: GraphBuilder,
    org: FakeOrganization,
    commit: FakeCommit,
    signature: NonNullable<FakeCommit["signature"]>,
  ) {
    super(b, org, commit, signature);
    this.keyFingerprint = signature.keyFingerprint ?? null;
  }
}

/** A commit known only by its oid (GitHub keeps objects the model does not describe). */
export class CommitRef {
  readonly oid: string;
  readonly #b: GraphBuilder;
  readonly #org: FakeOrganization;
  readonly #repo: FakeRepository;

  constructor(b: GraphBuilder, org: FakeOrganization, repo: FakeRepository, oid: string) {
    this.#b = b;
    this.#org = org;
    this.#repo = repo;
    this.oid = oid;
  }
  get __typename(): string {
    return "Commit";
  }
  id(): string {
    return nodeId("Commit", `${this.#org.login}/${this.#repo.name}@${this.oid}`);
  }
  abbreviatedOid(): string {
    return this.oid.slice(0, 7);
  }
  url(): string {
    return this.#b.web(this.resourcePath());
  }
  commitUrl(): string {
    return this.url();
  }
  resourcePath(): string {
    return `/${this.#org.login}/${this.#repo.name}/commit/${this.oid}`;
  }
  repository(): GqlObject {
    return this.#b.repository(this.#org, this.#repo);
  }
  associatedPullRequests(args: Args, _context: unknown, info: GraphQLResolveInfo): GqlObject {
    const prs = this.#b.index.repo(this.#repo).prsByOid.get(this.oid) ?? [];
    return connection({
      items: sortPullRequests(prs, orderArg(args)),
      key: (pr) => String(pr.number),
      edge: (pr) => ({ node: new PullRequestObject(this.#b, this.#org, this.#repo, pr) }),
      args,
      info,
    });
  }
}

export class CommitObject extends CommitRef {
  readonly #b: GraphBuilder;
  readonly #org: FakeOrganization;
  readonly #repo: FakeRepository;
  readonly #c: FakeCommit;

  constructor(b: GraphBuilder, org: FakeOrganization, repo: FakeRepository, commit: FakeCommit) {
    super(b, org, repo, commit.oid);
    this.#b = b;
    this.#org = org;
    this.#repo = repo;
    this.#c = commit;
  }
  message(): string {
    return this.#c.message;
  }
  messageHeadline(): string {
    const newline = this.#c.message.indexOf("\n");
    return newline === -1 ? this.#c.message : this.#c.message.slice(0, newline);
  }
  messageBody(): string {
    const newline = this.#c.message.indexOf("\n");
    return newline === -1 ? "" : this.#c.message.slice(newline + 1).replace(/^\n+/, "");
  }
  authoredDate(): string {
    return this.#c.author.date;
  }
  committedDate(): string {
    return this.#c.committer.date;
  }
  author(): GitActorObject {
    return new GitActorObject(this.#b, this.#org, this.#c.author);
  }
  committer(): GitActorObject {
    return new GitActorObject(this.#b, this.#org, this.#c.committer);
  }
  authoredByCommitter(): boolean {
    const { author, committer } = this.#c;
    return lower(author.email) === lower(committer.email) && author.name === committer.name;
  }
  committedViaWeb(): boolean {
    return lower(this.#c.committer.email) === NOREPLY_GITHUB;
  }
  /** The author, then each Co-authored-by trailer, as GitHub's Commit.authors lists them. */
  authors(args: Args, _context: unknown, info: GraphQLResolveInfo): GqlObject {
    const c = this.#c;
    const authors: FakeGitActor[] = [c.author];
    const seen = new Set([lower(c.author.email)]);
    for (const match of c.message.matchAll(CO_AUTHOR)) {
      const [, name = "", email = ""] = match;
      if (seen.has(lower(email))) continue;
      seen.add(lower(email));
      authors.push({ name, email, date: c.author.date });
    }
    return connection({
      items: authors,
      key: (a) => lower(a.email),
      edge: (a) => ({ node: new GitActorObject(this.#b, this.#org, a) }),
      args,
      info,
    });
  }
  signature(): SignatureObject | null {
    const sig = this.#c.signature;
    if (!sig) return null;
    if (sig.kind === "GpgSignature") return new GpgSignatureObject(this.#b, this.#org, this.#c, sig);
    if (sig.kind === "SshSignature") return new SshSignatureObject(this.#b, this.#org, this.#c, sig);
    return new SignatureObject(this.#b, this.#org, this.#c, sig);
  }
  parents(args: Args, _context: unknown, info: GraphQLResolveInfo): GqlObject | null {
    const parents = this.#c.parents;
    if (!parents) {
      this.#b.noteUnmodelled("Commit.parents");
      return null;
    }
    return connection({
      items: parents,
      key: (p) => p,
      edge: (p) => ({ node: this.#b.commit(this.#org, this.#repo, p) }),
      args,
      info,
    });
  }
}

// ---- pull requests ---------------------------------------------------------------------------

/** What the objects of one pull request (itself, its reviews, its commits) are resolved against. */
abstract class InPullRequest {
  constructor(
    protected readonly b: GraphBuilder,
    protected readonly org: FakeOrganization,
    protected readonly repo: FakeRepository,
    protected readonly pr: FakePullRequest,
  ) {}
  abstract resourcePath(): string;
  url(): string {
    return this.b.web(this.resourcePath());
  }
}

/** A review or a commit of a pull request: each links back to it. */
abstract class PullRequestPart extends InPullRequest {
  pullRequest(): PullRequestObject {
    return new PullRequestObject(this.b, this.org, this.repo, this.pr);
  }
}

export class PullRequestObject extends InPullRequest {
  get __typename(): string {
    return "PullRequest";
  }
  #key(): string {
    return `${this.org.login}/${this.repo.name}#${this.pr.number}`;
  }
  id(): string {
    return nodeId("PullRequest", this.#key());
  }
  databaseId(): number {
    return this.pr.databaseId ?? stableNumber(`pr:${lower(this.#key())}`);
  }
  number(): number {
    return this.pr.number;
  }
  title(): string {
    return this.pr.title;
  }
  resourcePath(): string {
    return `/${this.org.login}/${this.repo.name}/pull/${this.pr.number}`;
  }
  permalink(): string {
    return this.url();
  }
  author(): UserObject | BotObject | null {
    return this.b.actor(this.org, this.pr.author);
  }
  authorAssociation(): string {
    return this.b.authorAssociation(this.org, this.repo, this.pr.author);
  }
  createdAt(): string {
    return this.pr.createdAt;
  }
  publishedAt(): string {
    return this.pr.createdAt;
  }
  updatedAt(): string {
    return this.pr.updatedAt;
  }
  state(): string {
    return this.pr.state;
  }
  isDraft(): boolean {
    return this.pr.isDraft ?? false;
  }
  closed(): boolean {
    return this.pr.state !== "OPEN";
  }
  closedAt(): string | null {
    const pr = this.pr;
    return pr.state === "OPEN" ? null : (pr.closedAt ?? pr.mergedAt ?? pr.updatedAt);
  }
  merged(): boolean {
    return this.pr.state === "MERGED";
  }
  mergedAt(): string | null {
    return this.pr.mergedAt ?? null;
  }
  mergedBy(): UserObject | BotObject | null {
    return this.b.actor(this.org, this.pr.mergedBy);
  }
  mergeCommit(): CommitRef | null {
    const oid = this.pr.mergeCommit;
    return oid ? this.b.commit(this.org, this.repo, oid) : null;
  }
  baseRefName(): string {
    return this.pr.baseRefName;
  }
  headRefName(): string {
    return this.pr.headRefName;
  }
  headRefOid(): string {
    return this.pr.headRefOid;
  }
  isCrossRepository(): boolean {
    return false;
  }
  reviewDecision(): string | null {
    return this.pr.reviewDecision ?? null;
  }
  repository(): GqlObject {
    return this.b.repository(this.org, this.repo);
  }
  baseRepository(): GqlObject {
    return this.repository();
  }
  headRepository(): GqlObject {
    return this.repository();
  }
  reviews(args: Args, _context: unknown, info: GraphQLResolveInfo): GqlObject {
    const states = strList(args, "states");
    const author = str(args, "author");
    const wanted = author === undefined ? undefined : lower(author);
    return connection({
      items: this.pr.reviews.filter(
        (r) =>
          (!states || states.length === 0 || states.includes(r.state)) &&
          (wanted === undefined || (r.author !== null && lower(r.author) === wanted)),
      ),
      key: (r) => String(r.databaseId),
      edge: (r) => ({ node: new ReviewObject(this.b, this.org, this.repo, this.pr, r) }),
      args,
      info,
    });
  }
  commits(args: Args, _context: unknown, info: GraphQLResolveInfo): GqlObject {
    // GitHub lists at most 250 commits of a pull request; totalCount still counts them all.
    return connection({
      items: this.pr.commits.slice(0, PULL_REQUEST_COMMIT_LIMIT),
      totalCount: this.pr.commits.length,
      key: (oid) => oid,
      edge: (oid) => ({ node: new PullRequestCommitObject(this.b, this.org, this.repo, this.pr, oid) }),
      args,
      info,
    });
  }
  timelineItems(args: Args, _context: unknown, info: GraphQLResolveInfo): GqlObject {
    const types = strList(args, "itemTypes");
    const since = str(args, "since");
    const sinceTime = since === undefined ? undefined : Date.parse(since);
    const items = this.pr.timeline
      .map((item, position) => ({ item, position }))
      .filter(
        ({ item }) =>
          (!types || types.length === 0 || types.includes(TIMELINE_ITEM_TYPES[item.kind])) &&
          (sinceTime === undefined || Date.parse(item.createdAt) >= sinceTime),
      );
    return connection({
      items,
      key: ({ item, position }) => `${item.kind}:${position}`,
      edge: ({ item, position }) => ({ node: this.#timelineItem(item, position) }),
      args,
      info,
      extra: {
        filteredCount: items.length,
        pageCount: items.length,
        updatedAt: items[items.length - 1]?.item.createdAt ?? this.pr.updatedAt,
      },
    });
  }
  #timelineItem(item: FakeTimelineItem, position: number): GqlObject {
    const b = this.b;
    const org = this.org;
    const repo = this.repo;
    const pr = this.pr;
    const path = `${this.resourcePath()}#event-${position}`;
    const common = {
      __typename: item.kind,
      id: nodeId(item.kind, `${this.#key()}/${position}`),
      actor: () => b.actor(org, item.actor),
      createdAt: item.createdAt,
      pullRequest: () => this,
    };
    switch (item.kind) {
      case "HeadRefForcePushedEvent":
      case "BaseRefForcePushedEvent":
        return {
          ...common,
          beforeCommit: () => b.commit(org, repo, item.beforeOid),
          afterCommit: () => b.commit(org, repo, item.afterOid),
          ref: () => b.ref(org, repo, item.kind === "HeadRefForcePushedEvent" ? pr.headRefName : pr.baseRefName),
        };
      case "ReviewDismissedEvent": {
        const review = pr.reviews.find((r) => r.databaseId === item.review);
        return {
          ...common,
          databaseId: stableNumber(`rde:${this.#key()}/${position}`),
          review: () => (review ? new ReviewObject(b, org, repo, pr, review) : null),
          dismissalMessage: item.dismissalMessage ?? null,
          dismissalMessageHTML: item.dismissalMessage ?? null,
          previousReviewState: item.previousReviewState,
          url: b.web(path),
          resourcePath: path,
        };
      }
      case "MergedEvent":
        return {
          ...common,
          commit: () => b.commit(org, repo, item.commit),
          mergeRefName: item.mergeRefName,
          mergeRef: () => b.ref(org, repo, item.mergeRefName.replace(/^refs\/heads\//, "")),
          url: b.web(path),
          resourcePath: path,
        };
    }
  }
}

export class ReviewObject extends PullRequestPart {
  readonly #r: FakeReview;

  constructor(b: GraphBuilder, org: FakeOrganization, repo: FakeRepository, pr: FakePullRequest, review: FakeReview) {
    super(b, org, repo, pr);
    this.#r = review;
  }
  get __typename(): string {
    return "PullRequestReview";
  }
  id(): string {
    return nodeId(
      "PullRequestReview",
      `${this.org.login}/${this.repo.name}#${this.pr.number}/review:${this.#r.databaseId}`,
    );
  }
  databaseId(): number {
    return this.#r.databaseId;
  }
  fullDatabaseId(): string {
    return String(this.#r.databaseId);
  }
  author(): UserObject | BotObject | null {
    return this.b.actor(this.org, this.#r.author);
  }
  authorAssociation(): string {
    return this.#r.authorAssociation ?? this.b.authorAssociation(this.org, this.repo, this.#r.author);
  }
  state(): string {
    return this.#r.state;
  }
  submittedAt(): string | null {
    return this.#r.state === "PENDING" ? null : this.#r.submittedAt;
  }
  publishedAt(): string | null {
    return this.submittedAt();
  }
  createdAt(): string {
    return this.#r.submittedAt;
  }
  updatedAt(): string {
    return this.#r.submittedAt;
  }
  resourcePath(): string {
    return `/${this.org.login}/${this.repo.name}/pull/${this.pr.number}#pullrequestreview-${this.#r.databaseId}`;
  }
  commit(): CommitRef | null {
    return this.#r.commit === null ? null : this.b.commit(this.org, this.repo, this.#r.commit);
  }
  repository(): GqlObject {
    return this.b.repository(this.org, this.repo);
  }
}

export class PullRequestCommitObject extends PullRequestPart {
  readonly #oid: string;

  constructor(b: GraphBuilder, org: FakeOrganization, repo: FakeRepository, pr: FakePullRequest, oid: string) {
    super(b, org, repo, pr);
    this.#oid = oid;
  }
  get __typename(): string {
    return "PullRequestCommit";
  }
  id(): string {
    return nodeId("PullRequestCommit", `${this.org.login}/${this.repo.name}#${this.pr.number}@${this.#oid}`);
  }
  resourcePath(): string {
    return `/${this.org.login}/${this.repo.name}/pull/${this.pr.number}/commits/${this.#oid}`;
  }
  commit(): CommitRef {
    return this.b.commit(this.org, this.repo, this.#oid);
  }
}
