import { z } from "zod";
import { GitHubError } from "../../errors/index.js";

/**
 * The shapes of GitHub's answers to our queries, checked at the edge: an answer that lacks a field
 * the evidence needs is an error that names the field, not a silently empty record. Extra fields
 * are ignored; strings GitHub lets users write (titles, messages) are untrusted and only stored.
 */

const str = z.string();
const nstr = z.string().nullable();
const login = z.object({ __typename: z.string().optional(), login: z.string() }).nullable();
const oidRef = z.object({ oid: z.string() }).nullable();
const pageInfo = z.object({ hasNextPage: z.boolean(), endCursor: z.string().nullable() });

export const rateLimitSchema = z
  .object({ cost: z.number(), remaining: z.number(), resetAt: z.string(), limit: z.number() })
  .nullable()
  .optional();

export const reviewSchema = z.object({
  id: str,
  databaseId: z.number().nullable(),
  author: login,
  authorAssociation: str,
  state: str,
  submittedAt: nstr,
  commit: oidRef,
});
export type RawReview = z.infer<typeof reviewSchema>;

const forcePush = z.object({
  id: str,
  createdAt: str,
  actor: login,
  beforeCommit: oidRef,
  afterCommit: oidRef,
});
export const eventSchema = z.discriminatedUnion("__typename", [
  forcePush.extend({ __typename: z.literal("HeadRefForcePushedEvent") }),
  forcePush.extend({ __typename: z.literal("BaseRefForcePushedEvent") }),
  z.object({
    __typename: z.literal("ReviewDismissedEvent"),
    id: str,
    createdAt: str,
    actor: login,
    review: z.object({ databaseId: z.number().nullable() }).nullable(),
    dismissalMessage: nstr,
    previousReviewState: str,
  }),
  z.object({
    __typename: z.literal("MergedEvent"),
    id: str,
    createdAt: str,
    actor: login,
    commit: oidRef,
    mergeRefName: nstr,
  }),
]);
export type RawEvent = z.infer<typeof eventSchema>;

const gitActor = z.object({ name: nstr, email: nstr, user: z.object({ login: str }).nullable() }).nullable();

export const commitSchema = z.object({
  oid: str,
  authoredDate: nstr,
  committedDate: nstr,
  author: gitActor,
  committer: gitActor,
  message: str,
  signature: z
    .object({
      __typename: str,
      isValid: z.boolean(),
      state: str,
      signer: z.object({ login: str }).nullable(),
    })
    .nullable(),
});
export type RawCommit = z.infer<typeof commitSchema>;

const connection = <T extends z.ZodType>(node: T) => z.object({ pageInfo, nodes: z.array(node) });

export const pullRequestSchema = z.object({
  id: str,
  number: z.number().int().positive(),
  title: str,
  url: str,
  state: str,
  createdAt: str,
  updatedAt: str,
  mergedAt: nstr,
  author: login,
  mergedBy: login,
  mergeCommit: oidRef,
  baseRefName: str,
  headRefName: str,
  headRefOid: str,
  reviewDecision: nstr,
  reviews: connection(reviewSchema),
  timelineItems: connection(eventSchema.nullable()),
  commits: connection(z.object({ commit: commitSchema })).extend({ totalCount: z.number().int().nonnegative() }),
});
export type RawPullRequest = z.infer<typeof pullRequestSchema>;

const actorUnion = z
  .object({ __typename: str, login: str.optional(), slug: str.optional(), name: str.optional() })
  .nullable();

export const protectionRuleSchema = z
  .object({
    id: str,
    pattern: str,
    requiresApprovingReviews: z.boolean(),
    requiredApprovingReviewCount: z.number().nullable(),
    dismissesStaleReviews: z.boolean(),
    requireLastPushApproval: z.boolean(),
    requiresCodeOwnerReviews: z.boolean(),
    isAdminEnforced: z.boolean(),
    allowsForcePushes: z.boolean(),
    allowsDeletions: z.boolean(),
    requiresCommitSignatures: z.boolean(),
    bypassPullRequestAllowances: z.object({ totalCount: z.number(), nodes: z.array(z.object({ actor: actorUnion })) }),
    bypassForcePushAllowances: z.object({ totalCount: z.number(), nodes: z.array(z.object({ actor: actorUnion })) }),
    pushAllowances: z.object({ totalCount: z.number(), nodes: z.array(z.object({ actor: actorUnion })) }),
  })
  .loose();
export type RawProtectionRule = z.infer<typeof protectionRuleSchema>;

export const rulesetSchema = z
  .object({
    databaseId: z.number().nullable(),
    name: str,
    target: nstr,
    enforcement: str,
    source: z.object({ __typename: str, nameWithOwner: str.optional(), login: str.optional() }).nullable(),
    conditions: z.unknown(),
    rules: z.object({ totalCount: z.number(), nodes: z.array(z.unknown()) }).nullable(),
    bypassActors: z.object({ totalCount: z.number(), nodes: z.array(z.unknown()) }).nullable(),
  })
  .loose();
export type RawRuleset = z.infer<typeof rulesetSchema>;

export const collaboratorSchema = z.object({
  permission: str,
  permissionSources: z
    .array(
      z.object({
        permission: str,
        roleName: nstr,
        source: z.object({
          __typename: str,
          login: str.optional(),
          slug: str.optional(),
          nameWithOwner: str.optional(),
        }),
      }),
    )
    .nullable(),
  node: z.object({ login: str }),
});
export type RawCollaborator = z.infer<typeof collaboratorSchema>;

const edgesConnection = <T extends z.ZodType>(edge: T) => z.object({ pageInfo, edges: z.array(edge) });

const timeline = connection(eventSchema.nullable());
/** An open pull request as read for the force pushes to its base branch. */
const openPullRequestSchema = z.object({ id: str, number: z.number().int().positive(), timelineItems: timeline });
export type RawOpenPullRequest = z.infer<typeof openPullRequestSchema>;

export const pullRequestPageSchema = z.object({
  rateLimit: rateLimitSchema,
  repository: z
    .object({
      nameWithOwner: str,
      defaultBranchRef: z.object({ name: str }).nullable(),
      pullRequests: connection(pullRequestSchema).extend({ totalCount: z.number().int().nonnegative() }),
      collaborators: edgesConnection(collaboratorSchema).nullable().optional(),
      branchProtectionRules: connection(protectionRuleSchema).optional(),
      rulesets: connection(rulesetSchema).nullable().optional(),
      openPullRequests: connection(openPullRequestSchema).optional(),
    })
    .nullable(),
});
export type PullRequestPage = z.infer<typeof pullRequestPageSchema>;

export const pullRequestKeysSchema = z.object({
  rateLimit: rateLimitSchema,
  repository: z
    .object({
      pullRequests: z.object({ pageInfo, nodes: z.array(z.object({ number: z.number().int(), updatedAt: str })) }),
    })
    .nullable(),
});

const nodeWith = <T extends z.ZodType>(key: string, conn: T) =>
  z.object({ rateLimit: rateLimitSchema, node: z.object({ [key]: conn }).nullable() });

export const reviewsPageSchema = nodeWith("reviews", connection(reviewSchema));
export const eventsPageSchema = nodeWith("timelineItems", connection(eventSchema.nullable()));
export const commitsPageSchema = nodeWith("commits", connection(z.object({ commit: commitSchema })));

export const openBaseForcePushesSchema = z.object({
  rateLimit: rateLimitSchema,
  repository: z.object({ pullRequests: connection(openPullRequestSchema) }).nullable(),
});
export const baseForcePushesPageSchema = nodeWith("timelineItems", timeline);

const repoWith = <T extends z.ZodType>(key: string, conn: T) =>
  z.object({ rateLimit: rateLimitSchema, repository: z.object({ [key]: conn }).nullable() });

export const collaboratorsPageSchema = repoWith("collaborators", edgesConnection(collaboratorSchema).nullable());
export const protectionPageSchema = repoWith("branchProtectionRules", connection(protectionRuleSchema));
export const rulesetsPageSchema = repoWith("rulesets", connection(rulesetSchema).nullable());

const memberEdge = z.object({
  role: str.nullable(),
  hasTwoFactorEnabled: z.boolean().nullable(),
  node: z.object({ login: str }).nullable(),
});
export const membersPageSchema = z.object({
  rateLimit: rateLimitSchema,
  organization: z.object({ login: str, membersWithRole: edgesConnection(memberEdge) }).nullable(),
});

const teamMemberEdge = z.object({ role: str, node: z.object({ login: str }) });
const teamRepoEdge = z.object({ permission: str, node: z.object({ nameWithOwner: str }) });
export const teamsPageSchema = z.object({
  rateLimit: rateLimitSchema,
  organization: z
    .object({
      teams: connection(
        z.object({
          slug: str,
          name: str,
          parentTeam: z.object({ slug: str }).nullable(),
          members: edgesConnection(teamMemberEdge),
          repositories: edgesConnection(teamRepoEdge),
        }),
      ),
    })
    .nullable(),
});
export const teamMembersPageSchema = z.object({
  rateLimit: rateLimitSchema,
  organization: z.object({ team: z.object({ members: edgesConnection(teamMemberEdge) }).nullable() }).nullable(),
});
export const teamReposPageSchema = z.object({
  rateLimit: rateLimitSchema,
  organization: z.object({ team: z.object({ repositories: edgesConnection(teamRepoEdge) }).nullable() }).nullable(),
});

export const commitPullRequestsSchema = z.object({
  rateLimit: rateLimitSchema,
  repository: z
    .record(
      z.string(),
      z.union([
        z
          .object({
            oid: str,
            associatedPullRequests: z.object({
              nodes: z.array(z.object({ number: z.number(), state: str, baseRefName: str, mergedAt: nstr })),
            }),
            author: z.object({ user: z.object({ login: str }).nullable() }).nullable(),
            committer: z.object({ user: z.object({ login: str }).nullable() }).nullable(),
            authors: z.object({
              nodes: z.array(
                z.object({ name: nstr, email: nstr, user: z.object({ login: str }).nullable() }).nullable(),
              ),
            }),
            signature: z
              .object({
                __typename: str,
                isValid: z.boolean(),
                state: str,
                signer: z.object({ login: str }).nullable(),
              })
              .nullable(),
          })
          .nullable(),
        z.string(),
      ]),
    )
    .nullable(),
});

/** Parses an answer; a missing or mistyped field is an error naming the field and the request. */
export function parseAnswer<T extends z.ZodType>(schema: T, data: unknown, what: string): z.infer<T> {
  const r = schema.safeParse(data);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const at = issue
    ? issue.path
        .map((k) => (typeof k === "number" ? `[${k}]` : `.${String(k)}`))
        .join("")
        .slice(1)
    : "";
  const why =
    issue?.code === "invalid_type" && issue.input === undefined ? "is missing" : (issue?.message ?? "is malformed");
  return fail(`${what}: GitHub's answer is not what its schema promises: ${at || "(top level)"} ${why}`);
}

function fail(message: string): never {
  throw new GitHubError("E_GITHUB_RESPONSE", message);
}
