import { z } from "zod";

const branchName = z
  .string()
  .min(1)
  .refine((b) => !b.startsWith("-") && !/[\s~^:?*[\\]|\.\.|@\{/.test(b), {
    message: "is not a valid branch name",
  });

const ghLogin = z.string().regex(/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/, "is not a GitHub organisation or user name");
const ghRepoName = z.string().regex(/^[A-Za-z0-9-]{1,39}\/[A-Za-z0-9._-]{1,100}$/, "must be owner/name");

export const githubAppSchema = z.strictObject({
  appId: z.number().int().positive(),
  /** The app's private key (PEM); relative to the config file. Never copied anywhere. */
  privateKeyFile: z.string().min(1),
  installationId: z.number().int().positive(),
});

export const githubSchema = z.strictObject({
  /** The organisation whose members, teams and repositories are snapshotted. */
  org: ghLogin,
  /** REST base of GitHub Enterprise Server, e.g. https://ghe.example.com/api/v3; default github.com. */
  baseUrl: z
    .url({ protocol: /^https?$/ })
    .refine((u) => !/^[a-z]+:\/\/[^/]*@/i.test(u), { message: "must not embed credentials" })
    .optional(),
  /** Environment variable holding the token (when no app is configured). */
  tokenEnv: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must be an environment variable name")
    .default("GITHUB_TOKEN"),
  /** Authenticate as a GitHub App installation instead of with a token. */
  app: githubAppSchema.optional(),
  /** Client timeout per request; GitHub itself gives up on a query after 10 s. */
  timeoutSeconds: z.number().positive().max(600).default(30),
  /** Pull requests per page at most; halved when GitHub times out, grown back after successes. */
  pageSize: z.number().int().min(1).max(100).default(50),
  /** Retries of one request (timeouts, 5xx, rate limits) before the run is recorded incomplete. */
  maxRetries: z.number().int().min(0).max(20).default(5),
});
export type GitHubConfig = z.infer<typeof githubSchema>;

export const repoRoleSchema = z.enum(["app", "gitops"]);
export type RepoRole = z.infer<typeof repoRoleSchema>;

export const repoSchema = z.strictObject({
  /** Unique name shown in reports, e.g. "acme/payments-api". */
  name: z
    .string()
    .min(1)
    .max(200)
    .regex(/^[A-Za-z0-9._/-]+$/, "may contain only letters, digits, '.', '_', '-' and '/'"),
  /** A local path (relative to the config file) or a clone URL. */
  source: z.string().min(1),
  role: repoRoleSchema,
  /** Branches whose changes are audited; default: the repository's default branch. */
  protectedBranches: z.array(branchName).min(1).optional(),
  /** Also harvest commits reachable from every other branch. */
  allBranches: z.boolean().default(false),
  /** The repository on GitHub as owner/name; default: `name`, when it has that form. */
  github: ghRepoName.optional(),
});
export type RepoConfig = z.infer<typeof repoSchema>;

const configObject = z.strictObject({
  /** SQLite database; relative to the config file. */
  database: z.string().min(1).default("changeproof.db"),
  /** Where reports are written; relative to the config file. */
  output: z.string().min(1).default("reports"),
  /** Where URL repositories are mirrored; relative to the config file. */
  cache: z.string().min(1).default(".changeproof/cache"),
  repos: z.array(repoSchema).min(1, "must list at least one repository"),
  /** Pull requests, reviews, access and protection from GitHub; omit to collect git only. */
  github: githubSchema.optional(),
});

export const configSchema = configObject.superRefine((cfg, ctx) => {
  const seen = new Map<string, number>();
  cfg.repos.forEach((r, i) => {
    const prev = seen.get(r.name);
    if (prev !== undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["repos", i, "name"],
        message: `duplicates repos[${prev}].name "${r.name}"`,
      });
    }
    seen.set(r.name, i);
    if (cfg.github && !r.github && !/^[^/]+\/[^/]+$/.test(r.name)) {
      ctx.addIssue({
        code: "custom",
        path: ["repos", i, "github"],
        message: `is required with a github section when the name "${r.name}" is not owner/name`,
      });
    }
  });
});

export type Config = z.infer<typeof configSchema>;

/** Field names the schema knows, for "did you mean" hints on typos. */
export const knownFields: Record<string, readonly string[]> = {
  "": Object.keys(configObject.shape),
  repos: Object.keys(repoSchema.shape),
  github: Object.keys(githubSchema.shape),
  "github.app": Object.keys(githubAppSchema.shape),
};
