import { z } from "zod";

/**
 * Paths, URLs and names are bounded: errors in the collectors quote them whole, and none needs
 * more than a path may have (PATH_MAX). The loader caps what it quotes itself much shorter.
 */
const MAX_TEXT = 4096;
const text = z.string().min(1).max(MAX_TEXT);

const branchName = z
  .string()
  .min(1)
  .max(MAX_TEXT)
  .refine((b) => !b.startsWith("-") && !/[\s~^:?*[\\]|\.\.|@\{/.test(b), {
    message: "is not a valid branch name",
  });

const ghLogin = z.string().regex(/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/, "is not a GitHub organisation or user name");
const ghRepoName = z.string().regex(/^[A-Za-z0-9-]{1,39}\/[A-Za-z0-9._-]{1,100}$/, "must be owner/name");

export const githubAppSchema = z.strictObject({
  appId: z.number().int().positive(),
  /** The app's private key (PEM); relative to the config file. Never copied anywhere. */
  privateKeyFile: text,
  installationId: z.number().int().positive(),
});

export const githubSchema = z.strictObject({
  /** The organisation whose members, teams and repositories are snapshotted. */
  org: ghLogin,
  /** REST base of GitHub Enterprise Server, e.g. https://ghe.example.com/api/v3; default github.com. */
  baseUrl: z
    .url({ protocol: /^https?$/ })
    .max(MAX_TEXT)
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

/** Flux v1 sync records in a tracked gitops repository (the flux-sync tag and refs/notes/flux). */
export const fluxV1Schema = z.strictObject({
  /** The cluster this fluxd ran in, as reports name it. */
  cluster: z.string().min(1).max(63),
  tag: text.default("flux-sync"),
  notesRef: text.default("flux"),
});
export type FluxV1Config = z.infer<typeof fluxV1Schema>;

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
  source: text,
  role: repoRoleSchema,
  /** Branches whose changes are audited; default: the repository's default branch. */
  protectedBranches: z.array(branchName).min(1).optional(),
  /** Also harvest commits reachable from every other branch. */
  allBranches: z.boolean().default(false),
  /** The repository on GitHub as owner/name; default: `name`, when it has that form. */
  github: ghRepoName.optional(),
  /** A gitops repository a Flux v1 daemon synced from. */
  fluxV1: fluxV1Schema.optional(),
  /**
   * Container images built from this (application) repository, as registry/path without a tag,
   * e.g. ghcr.io/acme/payments-api: C12 traces image automation's tags to its commits.
   */
  images: z
    .array(
      z
        .string()
        .max(255)
        .regex(
          /^[a-z0-9]+(?:[._-]+[a-z0-9]+)*(?::[0-9]{1,5})?(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/,
          "must be an image name (registry/path, lower case, no tag or digest)",
        ),
    )
    .max(100)
    .optional(),
});
export type RepoConfig = z.infer<typeof repoSchema>;

const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must be an environment variable name");
const k8sName = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/, "is not a Kubernetes namespace or object name");

/** The Kubernetes API: a kubeconfig (default $KUBECONFIG or ~/.kube/config) or the pod's service account. */
export const kubernetesSourceSchema = z.strictObject({
  /** Use the service account of the pod this runs in (the in-cluster CronJob). */
  inCluster: z.boolean().default(false),
  /** A kubeconfig file; relative to the config file. */
  kubeconfig: text.optional(),
  /** The kubeconfig context; default its current context. */
  context: text.optional(),
});

/** Argo CD's own API (GET /api/v1/applications), with a bearer token from the environment. */
export const argocdApiSchema = z.strictObject({
  url: z
    .url({ protocol: /^https?$/ })
    .max(MAX_TEXT)
    .refine((u) => !/^[a-z]+:\/\/[^/]*@/i.test(u), { message: "must not embed credentials" }),
  tokenEnv: envName.default("ARGOCD_TOKEN"),
  /** Only these Argo CD projects; default all the token may see. */
  projects: z.array(text).min(1).optional(),
  /** A CA bundle (PEM) for a private certificate authority; relative to the config file. */
  caFile: text.optional(),
});

export const reconcilerSchema = z.enum(["argocd", "flux"]);

export const clusterSchema = z.strictObject({
  /** The name reports show; kept when the API server's address changes. */
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/, "may contain only letters, digits, '.', '_' and '-'"),
  kubernetes: kubernetesSourceSchema.optional(),
  argocdApi: argocdApiSchema.optional(),
  /** Objects exported with `kubectl get ... -o json` (or yaml); relative to the config file. */
  files: z.array(text).min(1).optional(),
  /** Read only these namespaces; default all (needs the ClusterRole in deploy/). */
  namespaces: z.array(k8sName).min(1).optional(),
  /** Which reconcilers to read from the Kubernetes API; a CRD that is not installed is noted, not a failure. */
  reconcilers: z.array(reconcilerSchema).min(1).default(["argocd", "flux"]),
  /** Also read the Flux controllers' Kubernetes Events (they live about an hour). */
  events: z.boolean().default(true),
  timeoutSeconds: z.number().positive().max(600).default(30),
  /** Objects per list page (Kubernetes `limit`). */
  pageSize: z.number().int().min(1).max(5000).default(500),
  maxRetries: z.number().int().min(0).max(20).default(4),
});
export type ClusterConfig = z.infer<typeof clusterSchema>;

/**
 * Who is who (SPEC §3, identity resolution): a person or a service account with the GitHub
 * logins and git emails that are theirs. GitHub's own commit identities map most emails to a
 * login; this registry joins a person's several logins and emails, and names the accounts that
 * are not people: bots and automation never count as reviewers, and GitHub's web-flow signs the
 * commits GitHub makes.
 */
export const personSchema = z
  .strictObject({
    name: text,
    /** A service account: `bot` (a GitHub App or a [bot] login), `automation` (a machine user), `web-flow`. */
    service: z.enum(["bot", "automation", "web-flow"]).optional(),
    logins: z.array(z.string().regex(/^[A-Za-z0-9-]{1,39}(\[bot\])?$/, "is not a GitHub login")).default([]),
    emails: z.array(z.email().max(320)).default([]),
  })
  .refine((p) => p.logins.length + p.emails.length > 0, { message: "needs at least one login or email" });
export type PersonConfig = z.infer<typeof personSchema>;

const configObject = z.strictObject({
  /** SQLite database; relative to the config file. */
  database: text.default("changeproof.db"),
  /** Where reports are written; relative to the config file. */
  output: text.default("reports"),
  /** Where URL repositories are mirrored; relative to the config file. */
  cache: text.default(".changeproof/cache"),
  /** Repositories to audit; may be empty in a collector that reads only clusters (the in-cluster CronJob). */
  repos: z.array(repoSchema).default([]),
  /** Pull requests, reviews, access and protection from GitHub; omit to collect git only. */
  github: githubSchema.optional(),
  /** Clusters whose reconcilers (Argo CD, Flux) record what was deployed. */
  clusters: z.array(clusterSchema).optional(),
  /** People and service accounts with their logins and emails (identity resolution). */
  people: z.array(personSchema).default([]),
  /** The accepted-exceptions register (YAML; keep it in a reviewed repository); relative to the config file. */
  exceptions: text.optional(),
  /** How reports look. */
  report: z
    .strictObject({
      /** A folder of templates overriding the HTML export's by name (branding); relative to the config file. */
      templates: text.optional(),
    })
    .optional(),
});

export const configSchema = configObject.superRefine((cfg, ctx) => {
  if (cfg.repos.length === 0 && !cfg.clusters?.length) {
    ctx.addIssue({ code: "custom", path: ["repos"], message: "must list at least one repository (or a cluster)" });
  }
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
  // A login or an email is one identity: two entries claiming it would make it two people.
  const owners = new Map<string, string>();
  cfg.people.forEach((person, i) => {
    for (const [field, values] of [
      ["logins", person.logins],
      ["emails", person.emails],
    ] as const) {
      values.forEach((v, j) => {
        const key = `${field}:${v.toLowerCase()}`;
        const prev = owners.get(key);
        if (prev !== undefined) {
          ctx.addIssue({ code: "custom", path: ["people", i, field, j], message: `"${v}" is also ${prev}'s` });
        }
        owners.set(key, `people[${i}] (${person.name})`);
      });
    }
  });
  const clusters = new Map<string, number>();
  cfg.clusters?.forEach((c, i) => {
    const prev = clusters.get(c.name);
    if (prev !== undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["clusters", i, "name"],
        message: `duplicates clusters[${prev}].name "${c.name}"`,
      });
    }
    clusters.set(c.name, i);
    const sources = (["kubernetes", "argocdApi", "files"] as const).filter((k) => c[k] !== undefined);
    if (sources.length !== 1) {
      ctx.addIssue({
        code: "custom",
        path: ["clusters", i],
        message:
          sources.length === 0
            ? "needs one source: kubernetes, argocdApi or files"
            : `has ${sources.join(" and ")}: give one source per cluster entry`,
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
  "repos.fluxV1": Object.keys(fluxV1Schema.shape),
  clusters: Object.keys(clusterSchema.shape),
  "clusters.kubernetes": Object.keys(kubernetesSourceSchema.shape),
  "clusters.argocdApi": Object.keys(argocdApiSchema.shape),
  people: ["name", "service", "logins", "emails"],
};
