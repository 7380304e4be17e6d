import { z } from "zod";

const branchName = z
  .string()
  .min(1)
  .refine((b) => !b.startsWith("-") && !/[\s~^:?*[\\]|\.\.|@\{/.test(b), {
    message: "is not a valid branch name",
  });

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
  });
});

export type Config = z.infer<typeof configSchema>;

/** Field names the schema knows, for "did you mean" hints on typos. */
export const knownFields: Record<string, readonly string[]> = {
  "": Object.keys(configObject.shape),
  repos: Object.keys(repoSchema.shape),
};
