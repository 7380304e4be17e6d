import type { GraphQLResolveInfo } from "graphql";
import { connection, type GqlObject } from "./connection.js";
import { GitHubFieldError } from "./errors.js";
import { decodeNodeId, nodeId, stableNumber } from "./ids.js";
import type {
  FakeActor,
  FakeBranchProtectionRule,
  FakeCollaborator,
  FakeOrganization,
  FakePullRequest,
  FakeRepository,
  FakeRuleset,
  FakeTeam,
  RepoPermission,
} from "./model.js";
import { lower, type RequestIndex } from "./model-index.js";
import {
  BotObject,
  CommitObject,
  CommitRef,
  orderArg,
  PullRequestObject,
  ReviewObject,
  sortPullRequests,
  UserObject,
} from "./objects.js";

/**
 * The model rendered as GraphQL objects for graphql-js: plain objects (or, for the types a page
 * returns by the thousand, the classes in objects.ts) whose fields are values, or functions
 * `(args, context, info)` for anything with arguments or worth computing only when selected.
 * Abstract types carry `__typename`. A field the objects do not carry is, by construction, one the
 * model does not provide: the server's field resolver records it as unmodelled instead of
 * inventing a value.
 */

/** Who the token acts as. */
export type Viewer =
  | { kind: "user"; login: string; scopes?: readonly string[] }
  | {
      kind: "installation";
      login: string;
      installationId: number;
      org: string;
      permissions?: Readonly<Record<string, "read" | "write">>;
    };

export interface RateLimitView {
  limit: number;
  cost: number;
  remaining: number;
  resetAt: string;
  used: number;
  nodeCount: number;
}

export interface ResolveContext {
  orgs: readonly FakeOrganization[];
  viewer: Viewer;
  index: RequestIndex;
  /** Web base for `url` fields: https://github.com, or the GHES host. */
  webUrl: string;
  /** null when rate limiting is disabled (GHES's default): GitHub then answers rateLimit with null. */
  rateLimit: () => RateLimitView | null;
  /** Records a selected field the model cannot answer. */
  noteUnmodelled: (field: string) => void;
}

type Args = Record<string, unknown>;
type Resolver = (args: Args, context: unknown, info: GraphQLResolveInfo) => unknown;

const str = (args: Args, name: string): string | undefined => {
  const v = args[name];
  return typeof v === "string" ? v : undefined;
};
const strList = (args: Args, name: string): string[] | undefined => {
  const v = args[name];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : undefined;
};
const bool = (args: Args, name: string): boolean | undefined => {
  const v = args[name];
  return typeof v === "boolean" ? v : undefined;
};

/** GitHub's PermissionSource.permission has only the four base levels. */
const BASE_PERMISSION: Record<RepoPermission, "ADMIN" | "WRITE" | "READ"> = {
  ADMIN: "ADMIN",
  MAINTAIN: "WRITE",
  WRITE: "WRITE",
  TRIAGE: "READ",
  READ: "READ",
};

/** Built-in repository role ids as the rulesets API reports them. */
const REPOSITORY_ROLE_IDS: Record<string, number> = { maintain: 2, write: 4, admin: 5 };

const RULE_PARAMETER_TYPES: Record<string, string> = {
  PULL_REQUEST: "PullRequestParameters",
  REQUIRED_STATUS_CHECKS: "RequiredStatusChecksParameters",
  REQUIRED_DEPLOYMENTS: "RequiredDeploymentsParameters",
  UPDATE: "UpdateParameters",
  COMMIT_MESSAGE_PATTERN: "CommitMessagePatternParameters",
  COMMIT_AUTHOR_EMAIL_PATTERN: "CommitAuthorEmailPatternParameters",
  COMMITTER_EMAIL_PATTERN: "CommitterEmailPatternParameters",
  BRANCH_NAME_PATTERN: "BranchNamePatternParameters",
  TAG_NAME_PATTERN: "TagNamePatternParameters",
  FILE_PATH_RESTRICTION: "FilePathRestrictionParameters",
  MAX_FILE_PATH_LENGTH: "MaxFilePathLengthParameters",
  FILE_EXTENSION_RESTRICTION: "FileExtensionRestrictionParameters",
  MAX_FILE_SIZE: "MaxFileSizeParameters",
  WORKFLOWS: "WorkflowsParameters",
  CODE_SCANNING: "CodeScanningParameters",
};

/** What a ruleset created without the option answers, so models need only state what they set. */
const RULE_PARAMETER_DEFAULTS: Record<string, GqlObject> = {
  PullRequestParameters: {
    dismissStaleReviewsOnPush: false,
    requireCodeOwnerReview: false,
    requireLastPushApproval: false,
    requiredApprovingReviewCount: 0,
    requiredReviewThreadResolution: false,
  },
  RequiredStatusChecksParameters: { requiredStatusChecks: [], strictRequiredStatusChecksPolicy: false },
  UpdateParameters: { updateAllowsFetchAndMerge: false },
};

const OID = /^[0-9a-f]{40}$/;
const NOREPLY = /^(?:\d+\+)?([^@]+)@users\.noreply\.github\.com$/i;

export class GraphBuilder {
  constructor(private readonly ctx: ResolveContext) {}

  get index(): RequestIndex {
    return this.ctx.index;
  }

  noteUnmodelled(field: string): void {
    this.ctx.noteUnmodelled(field);
  }

  root(): GqlObject {
    const ctx = this.ctx;
    return {
      organization: ((args) => {
        const login = str(args, "login") ?? "";
        const org = this.findOrg(login);
        if (!org) {
          throw new GitHubFieldError("NOT_FOUND", `Could not resolve to an Organization with the login of '${login}'.`);
        }
        return this.organization(org);
      }) satisfies Resolver,
      repository: ((args) => {
        const owner = str(args, "owner") ?? "";
        const name = str(args, "name") ?? "";
        const found = this.findRepo(owner, name);
        if (!found) {
          throw new GitHubFieldError(
            "NOT_FOUND",
            `Could not resolve to a Repository with the name '${owner}/${name}'.`,
          );
        }
        return this.repository(found.org, found.repo);
      }) satisfies Resolver,
      user: ((args) => {
        const login = str(args, "login") ?? "";
        const found = this.findUser(login);
        if (!found)
          throw new GitHubFieldError("NOT_FOUND", `Could not resolve to a User with the login of '${login}'.`);
        return this.user(found, login);
      }) satisfies Resolver,
      viewer: () => this.user(this.findUser(ctx.viewer.login), ctx.viewer.login),
      rateLimit: () => ctx.rateLimit(),
      node: ((args) => {
        const id = str(args, "id") ?? "";
        const node = this.node(id);
        if (!node) throw new GitHubFieldError("NOT_FOUND", `Could not resolve to a node with the global id of '${id}'`);
        return node;
      }) satisfies Resolver,
      nodes: ((args) =>
        (strList(args, "ids") ?? []).map(
          (id) =>
            this.node(id) ??
            new GitHubFieldError("NOT_FOUND", `Could not resolve to a node with the global id of '${id}'`),
        )) satisfies Resolver,
    };
  }

  // ---- lookups -------------------------------------------------------------------------------

  private findOrg(login: string): FakeOrganization | undefined {
    const l = lower(login);
    return this.ctx.orgs.find((o) => lower(o.login) === l);
  }

  private findRepo(owner: string, name: string): { org: FakeOrganization; repo: FakeRepository } | undefined {
    const org = this.findOrg(owner);
    if (!org) return undefined;
    const repo = this.ctx.index.org(org).repoByName.get(lower(name));
    if (!repo || !this.canSee(org, repo)) return undefined;
    return { org, repo };
  }

  /** The org the account is known in (for its name, kind and emails). */
  findUser(login: string): FakeOrganization | undefined {
    const l = lower(login);
    return this.ctx.orgs.find((o) => this.ctx.index.org(o).userByLogin.has(l));
  }

  /**
   * Private repositories are invisible (NOT_FOUND, as on GitHub) to installations of other
   * organisations, to classic tokens without the `repo` scope, and to users with no access.
   */
  private canSee(org: FakeOrganization, repo: FakeRepository): boolean {
    if (!repo.isPrivate) return true;
    const viewer = this.ctx.viewer;
    if (viewer.kind === "installation") return lower(viewer.org) === lower(org.login);
    if (viewer.scopes && !viewer.scopes.includes("repo")) return false;
    const l = lower(viewer.login);
    return this.ctx.index.org(org).memberByLogin.has(l) || this.ctx.index.repo(repo).collaboratorByLogin.has(l);
  }

  /** Collaborator lists are for those who can push: owners, writers, the org's installations. */
  private canPush(org: FakeOrganization, repo: FakeRepository): boolean {
    const viewer = this.ctx.viewer;
    if (viewer.kind === "installation") return lower(viewer.org) === lower(org.login);
    const l = lower(viewer.login);
    if (this.ctx.index.org(org).memberByLogin.get(l)?.role === "ADMIN") return true;
    const permission = this.ctx.index.repo(repo).collaboratorByLogin.get(l)?.permission;
    return permission === "ADMIN" || permission === "MAINTAIN" || permission === "WRITE";
  }

  /**
   * Branch protection and rulesets are administration data: an installation needs the
   * Administration permission ("Resource not accessible by integration" otherwise).
   */
  private canReadAdministration(): boolean {
    const viewer = this.ctx.viewer;
    return viewer.kind !== "installation" || !viewer.permissions || viewer.permissions.administration !== undefined;
  }

  /** hasTwoFactorEnabled is answered to organisation owners (and the org's own installations). */
  private seesTwoFactor(org: FakeOrganization): boolean {
    const viewer = this.ctx.viewer;
    if (viewer.kind === "installation") return lower(viewer.org) === lower(org.login);
    return this.ctx.index.org(org).memberByLogin.get(lower(viewer.login))?.role === "ADMIN";
  }

  web(path: string): string {
    return `${this.ctx.webUrl}${path}`;
  }

  // ---- accounts ------------------------------------------------------------------------------

  user(org: FakeOrganization | undefined, login: string): UserObject {
    const known = org ? this.index.org(org).userByLogin.get(lower(login)) : undefined;
    return new UserObject(this, login, known);
  }

  /** An Actor: User or Bot as the model says; a deleted account (null login) is null. */
  actor(org: FakeOrganization, login: string | null | undefined): UserObject | BotObject | null {
    if (login === null || login === undefined) return null;
    const known = this.index.org(org).userByLogin.get(lower(login));
    return known?.kind === "Bot" ? new BotObject(this, login, known) : new UserObject(this, login, known);
  }

  private app(slug: string, name?: string): GqlObject {
    return {
      __typename: "App",
      id: nodeId("App", slug),
      slug,
      name: name ?? slug,
      databaseId: stableNumber(`app:${slug}`),
      url: this.web(`/apps/${slug}`),
      description: null,
    };
  }

  /** A bypass / allowance actor (the App | Team | User unions). */
  private allowanceActor(org: FakeOrganization, actor: FakeActor): object | null {
    switch (actor.kind) {
      case "User":
        return this.user(org, actor.login);
      case "Team": {
        const team = this.ctx.index.org(org).teamBySlug.get(lower(actor.slug));
        return team ? this.team(org, team) : this.teamStub(org, actor.slug);
      }
      case "App":
        return this.app(actor.slug, actor.name);
    }
  }

  userByEmail(org: FakeOrganization, email: string): UserObject | BotObject | null {
    const index = this.ctx.index.org(org);
    const known = index.userByEmail.get(lower(email));
    if (known) return this.actor(org, known.login);
    // GitHub attributes its noreply addresses (`123+login@users.noreply.github.com`) to the account.
    const login = NOREPLY.exec(email)?.[1];
    if (login && index.userByLogin.has(lower(login))) return this.actor(org, login);
    return null;
  }

  authorAssociation(org: FakeOrganization, repo: FakeRepository, login: string | null): string {
    if (login === null) return "NONE";
    const l = lower(login);
    if (this.ctx.index.org(org).memberByLogin.has(l)) return "MEMBER";
    if (this.ctx.index.repo(repo).collaboratorByLogin.has(l)) return "COLLABORATOR";
    return "NONE";
  }

  // ---- organisation --------------------------------------------------------------------------

  organization(org: FakeOrganization): GqlObject {
    const index = this.ctx.index.org(org);
    const viewerMember =
      this.ctx.viewer.kind === "user" ? index.memberByLogin.get(lower(this.ctx.viewer.login)) : undefined;
    return {
      __typename: "Organization",
      id: nodeId("Organization", org.login),
      login: org.login,
      name: org.name ?? null,
      databaseId: org.databaseId ?? stableNumber(`org:${lower(org.login)}`),
      url: this.web(`/${org.login}`),
      resourcePath: `/${org.login}`,
      viewerIsAMember: viewerMember !== undefined,
      viewerCanAdminister: viewerMember?.role === "ADMIN",
      membersWithRole: ((args, _c, info) => {
        const visible = this.seesTwoFactor(org);
        return connection({
          items: org.members,
          key: (m) => m.login,
          edge: (m) => ({
            role: m.role,
            hasTwoFactorEnabled: visible ? (m.hasTwoFactorEnabled ?? null) : null,
            node: this.user(org, m.login),
          }),
          args,
          info,
        });
      }) satisfies Resolver,
      teams: ((args, _c, info) => {
        let teams = [...org.teams];
        if (bool(args, "rootTeamsOnly")) teams = teams.filter((t) => !t.parent);
        const logins = strList(args, "userLogins")?.map(lower);
        if (logins && logins.length > 0) {
          teams = teams.filter((t) => t.members.some((m) => logins.includes(lower(m.login))));
        }
        const query = str(args, "query")?.toLowerCase();
        if (query) teams = teams.filter((t) => t.slug.includes(query) || t.name.toLowerCase().includes(query));
        const order = orderArg(args);
        teams.sort((a, b) => a.name.localeCompare(b.name));
        if (order?.direction === "DESC") teams.reverse();
        return connection({ items: teams, key: (t) => t.slug, edge: (t) => ({ node: this.team(org, t) }), args, info });
      }) satisfies Resolver,
      team: ((args) => {
        const team = index.teamBySlug.get(lower(str(args, "slug") ?? ""));
        return team ? this.team(org, team) : null;
      }) satisfies Resolver,
      repositories: ((args, _c, info) =>
        connection({
          items: org.repositories.filter((r) => this.canSee(org, r)),
          key: (r) => r.name,
          edge: (r) => ({ node: this.repository(org, r) }),
          args,
          info,
        })) satisfies Resolver,
      repository: ((args) => {
        const repo = index.repoByName.get(lower(str(args, "name") ?? ""));
        return repo && this.canSee(org, repo) ? this.repository(org, repo) : null;
      }) satisfies Resolver,
      rulesets: ((args, _c, info) =>
        connection({
          items: org.rulesets,
          key: (rs) => String(this.rulesetDatabaseId(org, undefined, rs)),
          edge: (rs) => ({ node: this.ruleset(org, undefined, rs) }),
          args,
          info,
        })) satisfies Resolver,
    };
  }

  private teamStub(org: FakeOrganization, slug: string): GqlObject {
    return {
      __typename: "Team",
      id: nodeId("Team", `${org.login}/${slug}`),
      slug,
      combinedSlug: `${org.login}/${slug}`,
      url: this.web(`/orgs/${org.login}/teams/${slug}`),
    };
  }

  team(org: FakeOrganization, team: FakeTeam): GqlObject {
    const index = this.ctx.index.org(org);
    const children = (slug: string): FakeTeam[] => org.teams.filter((t) => t.parent && lower(t.parent) === lower(slug));
    const descendants = (slug: string): FakeTeam[] => children(slug).flatMap((c) => [c, ...descendants(c.slug)]);
    const ancestors = (): FakeTeam[] => {
      const out: FakeTeam[] = [];
      let parent = team.parent ? index.teamBySlug.get(lower(team.parent)) : undefined;
      while (parent && !out.includes(parent)) {
        out.unshift(parent);
        parent = parent.parent ? index.teamBySlug.get(lower(parent.parent)) : undefined;
      }
      return out;
    };
    return {
      ...this.teamStub(org, team.slug),
      name: team.name,
      databaseId: team.databaseId ?? stableNumber(`team:${lower(org.login)}/${lower(team.slug)}`),
      resourcePath: `/orgs/${org.login}/teams/${team.slug}`,
      privacy: "VISIBLE",
      description: null,
      organization: () => this.organization(org),
      parentTeam: () => {
        const parent = team.parent ? index.teamBySlug.get(lower(team.parent)) : undefined;
        return parent ? this.team(org, parent) : null;
      },
      ancestors: ((args, _c, info) =>
        connection({
          items: ancestors(),
          key: (t) => t.slug,
          edge: (t) => ({ node: this.team(org, t) }),
          args,
          info,
        })) satisfies Resolver,
      childTeams: ((args, _c, info) =>
        connection({
          items: bool(args, "immediateOnly") === false ? descendants(team.slug) : children(team.slug),
          key: (t) => t.slug,
          edge: (t) => ({ node: this.team(org, t) }),
          args,
          info,
        })) satisfies Resolver,
      // membership defaults to ALL on GitHub: members of child teams are members of the parent.
      members: ((args, _c, info) => {
        const membership = str(args, "membership") ?? "ALL";
        const own = membership === "CHILD_TEAM" ? [] : team.members;
        const inherited =
          membership === "IMMEDIATE"
            ? []
            : descendants(team.slug).flatMap((t) =>
                t.members.map((m) => ({ login: m.login, role: "MEMBER" as const })),
              );
        const seen = new Set<string>();
        let members = [...own, ...inherited].filter((m) => {
          const l = lower(m.login);
          if (seen.has(l)) return false;
          seen.add(l);
          return true;
        });
        const role = str(args, "role");
        if (role) members = members.filter((m) => m.role === role);
        const query = str(args, "query")?.toLowerCase();
        if (query) members = members.filter((m) => m.login.toLowerCase().includes(query));
        return connection({
          items: members,
          key: (m) => m.login,
          edge: (m) => ({ role: m.role, node: this.user(org, m.login) }),
          args,
          info,
        });
      }) satisfies Resolver,
      repositories: ((args, _c, info) => {
        const repos = team.repositories.flatMap((grant) => {
          const repo = index.repoByName.get(lower(grant.name));
          return repo ? [{ repo, permission: grant.permission }] : [];
        });
        return connection({
          items: repos,
          key: (g) => g.repo.name,
          edge: (g) => ({ permission: g.permission, node: this.repository(org, g.repo) }),
          args,
          info,
        });
      }) satisfies Resolver,
    };
  }

  // ---- repository ----------------------------------------------------------------------------

  private branchTip(repo: FakeRepository, name: string): string | undefined {
    const branch = repo.branches?.find((b) => b.name === name);
    if (branch) return branch.oid;
    if (name === repo.defaultBranch) return repo.commits[repo.commits.length - 1]?.oid;
    return undefined;
  }

  ref(org: FakeOrganization, repo: FakeRepository, name: string): GqlObject | null {
    const tip = this.branchTip(repo, name);
    if (tip === undefined) return null;
    return {
      __typename: "Ref",
      id: nodeId("Ref", `${org.login}/${repo.name}:refs/heads/${name}`),
      name,
      prefix: "refs/heads/",
      target: () => this.commit(org, repo, tip),
      repository: () => this.repository(org, repo),
    };
  }

  repository(org: FakeOrganization, repo: FakeRepository): GqlObject {
    const full = `${org.login}/${repo.name}`;
    const index = (): ReturnType<RequestIndex["repo"]> => this.ctx.index.repo(repo);
    return {
      __typename: "Repository",
      id: nodeId("Repository", full),
      name: repo.name,
      nameWithOwner: full,
      databaseId: repo.databaseId ?? stableNumber(`repo:${lower(full)}`),
      isPrivate: repo.isPrivate ?? false,
      visibility: repo.isPrivate ? "PRIVATE" : "PUBLIC",
      isArchived: repo.isArchived ?? false,
      isFork: false,
      isEmpty: repo.commits.length === 0,
      url: this.web(`/${full}`),
      resourcePath: `/${full}`,
      owner: () => this.organization(org),
      defaultBranchRef: () => this.ref(org, repo, repo.defaultBranch),
      ref: ((args) => {
        const qualified = str(args, "qualifiedName") ?? "";
        return this.ref(org, repo, qualified.replace(/^refs\/heads\//, ""));
      }) satisfies Resolver,
      object: ((args) => {
        const oid = str(args, "oid");
        if (oid !== undefined) return index().commitByOid.has(oid) ? this.commit(org, repo, oid) : null;
        const expression = (str(args, "expression") ?? "").replace(/^refs\/heads\//, "");
        if (expression.includes(":")) return null; // trees and blobs are not modelled
        if (OID.test(expression)) {
          return index().commitByOid.has(expression) ? this.commit(org, repo, expression) : null;
        }
        const tip = this.branchTip(repo, expression === "HEAD" ? repo.defaultBranch : expression);
        return tip === undefined ? null : this.commit(org, repo, tip);
      }) satisfies Resolver,
      pullRequest: ((args) => {
        const number = typeof args.number === "number" ? args.number : Number.NaN;
        const pr = index().prByNumber.get(number);
        if (!pr)
          throw new GitHubFieldError("NOT_FOUND", `Could not resolve to a PullRequest with the number of ${number}.`);
        return this.pullRequest(org, repo, pr);
      }) satisfies Resolver,
      pullRequests: ((args, _c, info) => {
        const states = strList(args, "states");
        const base = str(args, "baseRefName");
        const head = str(args, "headRefName");
        const labels = strList(args, "labels");
        let prs = repo.pullRequests.filter(
          (pr) =>
            (!states || states.length === 0 || states.includes(pr.state)) &&
            (base === undefined || pr.baseRefName === base) &&
            (head === undefined || pr.headRefName === head),
        );
        // Labels are not modelled: no pull request carries one.
        if (labels && labels.length > 0) prs = [];
        return connection({
          items: sortPullRequests(prs, orderArg(args)),
          key: (pr) => String(pr.number),
          edge: (pr) => ({ node: this.pullRequest(org, repo, pr) }),
          args,
          info,
        });
      }) satisfies Resolver,
      collaborators: ((args, _c, info) => {
        if (!this.canPush(org, repo)) {
          throw new GitHubFieldError("FORBIDDEN", "Must have push access to view repository collaborators.");
        }
        const affiliation = str(args, "affiliation") ?? "ALL";
        const login = str(args, "login");
        const query = str(args, "query")?.toLowerCase();
        const items = repo.collaborators.filter(
          (c) =>
            (affiliation === "ALL" ||
              (affiliation === "OUTSIDE" && c.affiliation === "OUTSIDE") ||
              (affiliation === "DIRECT" &&
                (c.affiliation === "OUTSIDE" || c.permissionSources.some((s) => s.source.kind === "Repository")))) &&
            (login === undefined || lower(c.login) === lower(login)) &&
            (query === undefined || c.login.toLowerCase().includes(query)),
        );
        return connection({
          items,
          key: (c) => c.login,
          edge: (c) => this.collaboratorEdge(org, c),
          args,
          info,
        });
      }) satisfies Resolver,
      branchProtectionRules: ((args, _c, info) => {
        if (!this.canReadAdministration()) {
          throw new GitHubFieldError("FORBIDDEN", "Resource not accessible by integration");
        }
        return connection({
          items: repo.branchProtectionRules,
          key: (r) => r.id ?? r.pattern,
          edge: (r) => ({ node: this.branchProtectionRule(org, repo, r) }),
          args,
          info,
        });
      }) satisfies Resolver,
      // includeParents defaults to true: organisation rulesets apply to every repository here.
      rulesets: ((args, _c, info) => {
        const own = repo.rulesets.map((rs) => ({ rs, repo: repo as FakeRepository | undefined }));
        const parents =
          bool(args, "includeParents") === false ? [] : org.rulesets.map((rs) => ({ rs, repo: undefined }));
        return connection({
          items: [...own, ...parents],
          key: (x) => String(this.rulesetDatabaseId(org, x.repo, x.rs)),
          edge: (x) => ({ node: this.ruleset(org, x.repo, x.rs) }),
          args,
          info,
        });
      }) satisfies Resolver,
    };
  }

  private collaboratorEdge(org: FakeOrganization, c: FakeCollaborator): GqlObject {
    const index = this.ctx.index.org(org);
    return {
      permission: c.permission,
      permissionSources: c.permissionSources.map((s) => ({
        permission: BASE_PERMISSION[s.permission],
        roleName: s.permission.toLowerCase(),
        organization: () => this.organization(org),
        source: () => {
          switch (s.source.kind) {
            case "Organization":
              return this.organization(this.findOrg(s.source.name) ?? org);
            case "Team": {
              const team = index.teamBySlug.get(lower(s.source.name));
              return team ? this.team(org, team) : { ...this.teamStub(org, s.source.name), name: s.source.name };
            }
            case "Repository": {
              const [owner, name] = s.source.name.includes("/")
                ? s.source.name.split("/", 2)
                : [org.login, s.source.name];
              const ownerOrg = this.findOrg(owner ?? org.login) ?? org;
              const repo = this.ctx.index.org(ownerOrg).repoByName.get(lower(name ?? ""));
              return repo ? this.repository(ownerOrg, repo) : null;
            }
          }
        },
      })),
      node: this.user(org, c.login),
    };
  }

  private branchProtectionRule(org: FakeOrganization, repo: FakeRepository, rule: FakeBranchProtectionRule): GqlObject {
    const key = `${org.login}/${repo.name}:${rule.pattern}`;
    const self = (): GqlObject => this.branchProtectionRule(org, repo, rule);
    const allowances = (
      kind: "BypassPullRequestAllowance" | "BypassForcePushAllowance" | "PushAllowance",
      actors: FakeActor[],
    ): Resolver =>
      ((args, _c, info) =>
        connection({
          items: actors,
          key: actorKey,
          edge: (a) => ({
            node: {
              __typename: kind,
              id: nodeId(kind, `${key}:${actorKey(a)}`),
              actor: () => this.allowanceActor(org, a),
              branchProtectionRule: self,
            },
          }),
          args,
          info,
        })) satisfies Resolver;
    return {
      __typename: "BranchProtectionRule",
      id: rule.id ?? nodeId("BranchProtectionRule", key),
      databaseId: stableNumber(`bpr:${lower(key)}`),
      pattern: rule.pattern,
      requiresApprovingReviews: rule.requiresApprovingReviews,
      requiredApprovingReviewCount: rule.requiredApprovingReviewCount,
      dismissesStaleReviews: rule.dismissesStaleReviews,
      requireLastPushApproval: rule.requireLastPushApproval,
      requiresCodeOwnerReviews: rule.requiresCodeOwnerReviews,
      isAdminEnforced: rule.isAdminEnforced,
      allowsForcePushes: rule.allowsForcePushes,
      // What GitHub answers for a setting the rule was created without.
      allowsDeletions: rule.allowsDeletions ?? false,
      requiresCommitSignatures: rule.requiresCommitSignatures,
      requiresStatusChecks: rule.requiresStatusChecks ?? false,
      requiresStrictStatusChecks: rule.requiresStrictStatusChecks ?? false,
      requiredStatusCheckContexts: rule.requiredStatusCheckContexts ?? [],
      requiresLinearHistory: rule.requiresLinearHistory ?? false,
      requiresConversationResolution: rule.requiresConversationResolution ?? false,
      requiresDeployments: rule.requiresDeployments ?? false,
      restrictsReviewDismissals: rule.restrictsReviewDismissals ?? false,
      blocksCreations: rule.blocksCreations ?? false,
      lockBranch: rule.lockBranch ?? false,
      lockAllowsFetchAndMerge: false,
      restrictsPushes: (rule.pushAllowances?.length ?? 0) > 0,
      repository: () => this.repository(org, repo),
      bypassPullRequestAllowances: allowances("BypassPullRequestAllowance", rule.bypassPullRequestAllowances ?? []),
      bypassForcePushAllowances: allowances("BypassForcePushAllowance", rule.bypassForcePushAllowances ?? []),
      pushAllowances: allowances("PushAllowance", rule.pushAllowances ?? []),
    };
  }

  private rulesetDatabaseId(org: FakeOrganization, repo: FakeRepository | undefined, rs: FakeRuleset): number {
    return rs.databaseId ?? stableNumber(`ruleset:${lower(org.login)}/${repo ? lower(repo.name) : ""}:${rs.name}`);
  }

  private ruleset(org: FakeOrganization, repo: FakeRepository | undefined, rs: FakeRuleset): GqlObject {
    const databaseId = this.rulesetDatabaseId(org, repo, rs);
    const key = `${org.login}:${databaseId}`;
    const self = (): GqlObject => this.ruleset(org, repo, rs);
    return {
      __typename: "RepositoryRuleset",
      id: nodeId("RepositoryRuleset", key),
      databaseId,
      name: rs.name,
      target: rs.target,
      enforcement: rs.enforcement,
      ...(rs.createdAt ? { createdAt: rs.createdAt } : {}),
      ...(rs.updatedAt ? { updatedAt: rs.updatedAt } : {}),
      source: () => (repo ? this.repository(org, repo) : this.organization(org)),
      conditions: {
        refName: { include: rs.conditions.include, exclude: rs.conditions.exclude },
        repositoryId: null,
        repositoryName: null,
        repositoryProperty: null,
      },
      rules: ((args, _c, info) => {
        const type = str(args, "type");
        return connection({
          items: rs.rules.filter((r) => type === undefined || r.type === type),
          key: (r) => r.type,
          edge: (r) => {
            const typename = RULE_PARAMETER_TYPES[r.type];
            return {
              node: {
                __typename: "RepositoryRule",
                id: nodeId("RepositoryRule", `${key}:${r.type}`),
                type: r.type,
                parameters: typename
                  ? { __typename: typename, ...RULE_PARAMETER_DEFAULTS[typename], ...r.parameters }
                  : null,
                repositoryRuleset: self,
              },
            };
          },
          args,
          info,
        });
      }) satisfies Resolver,
      bypassActors: ((args, _c, info) =>
        connection({
          items: rs.bypassActors,
          key: (b) => ("kind" in b.actor ? `${b.actor.kind}:${bypassKey(b.actor)}` : ""),
          edge: (b) => {
            const a = b.actor;
            const roleName = a.kind === "RepositoryRole" ? a.name : null;
            return {
              node: {
                __typename: "RepositoryRulesetBypassActor",
                id: nodeId("RepositoryRulesetBypassActor", `${key}:${a.kind}:${bypassKey(a)}`),
                bypassMode: b.bypassMode,
                organizationAdmin: a.kind === "OrganizationAdmin",
                repositoryRoleName: roleName,
                repositoryRoleDatabaseId: roleName ? (REPOSITORY_ROLE_IDS[roleName.toLowerCase()] ?? null) : null,
                deployKey: false,
                // The schema's BypassActor union is App | Team: a user bypass has no actor object.
                actor: () => (a.kind === "Team" || a.kind === "App" ? this.allowanceActor(org, a) : null),
                repositoryRuleset: self,
              },
            };
          },
          args,
          info,
        })) satisfies Resolver,
    };
  }

  // ---- pull requests and commits (classes in objects.ts) ----------------------------------

  pullRequest(org: FakeOrganization, repo: FakeRepository, pr: FakePullRequest): PullRequestObject {
    return new PullRequestObject(this, org, repo, pr);
  }

  /** A commit GitHub knows; an oid the model lacks still answers its oid (GitHub keeps old objects). */
  commit(org: FakeOrganization, repo: FakeRepository, oid: string): CommitRef {
    const known = this.index.repo(repo).commitByOid.get(oid);
    return known ? new CommitObject(this, org, repo, known) : new CommitRef(this, org, repo, oid);
  }

  // ---- global ids ----------------------------------------------------------------------------

  private node(id: string): object | null {
    const decoded = decodeNodeId(id);
    if (!decoded) return null;
    const { kind, key } = decoded;
    const repoOf = (text: string): { org: FakeOrganization; repo: FakeRepository } | undefined => {
      const slash = text.indexOf("/");
      return slash === -1 ? undefined : this.findRepo(text.slice(0, slash), text.slice(slash + 1));
    };
    switch (kind) {
      case "Organization": {
        const org = this.findOrg(key);
        return org ? this.organization(org) : null;
      }
      case "Repository": {
        const found = repoOf(key);
        return found ? this.repository(found.org, found.repo) : null;
      }
      case "User":
      case "Bot": {
        const org = this.findUser(key);
        if (!org) return null;
        return this.actor(org, key);
      }
      case "Team": {
        const [orgLogin = "", slug = ""] = key.split("/", 2);
        const org = this.findOrg(orgLogin);
        const team = org ? this.ctx.index.org(org).teamBySlug.get(lower(slug)) : undefined;
        return org && team ? this.team(org, team) : null;
      }
      case "PullRequest":
      case "PullRequestReview": {
        const match = /^(.+)#(\d+)(?:\/review:(\d+))?$/.exec(key);
        const found = match?.[1] ? repoOf(match[1]) : undefined;
        const pr = found ? this.ctx.index.repo(found.repo).prByNumber.get(Number(match?.[2])) : undefined;
        if (!found || !pr) return null;
        if (kind === "PullRequest") return this.pullRequest(found.org, found.repo, pr);
        const review = pr.reviews.find((r) => r.databaseId === Number(match?.[3]));
        return review ? new ReviewObject(this, found.org, found.repo, pr, review) : null;
      }
      case "Commit": {
        const at = key.lastIndexOf("@");
        const found = at === -1 ? undefined : repoOf(key.slice(0, at));
        const oid = key.slice(at + 1);
        return found && this.ctx.index.repo(found.repo).commitByOid.has(oid)
          ? this.commit(found.org, found.repo, oid)
          : null;
      }
      default:
        return null;
    }
  }
}

function actorKey(actor: FakeActor): string {
  return actor.kind === "User" ? `User:${actor.login}` : `${actor.kind}:${actor.slug}`;
}

function bypassKey(actor: FakeRuleset["bypassActors"][number]["actor"]): string {
  switch (actor.kind) {
    case "User":
      return actor.login;
    case "Team":
    case "App":
      return actor.slug;
    case "RepositoryRole":
      return actor.name;
    case "OrganizationAdmin":
      return "";
  }
}
