import type { GitHubConfig } from "../../config/schema.js";
import { ConfigError } from "../../errors/index.js";
import type { Logger } from "../../log/logger.js";
import { type GitHubAuth, GitHubClient } from "./client.js";

/** The client a config asks for; the secret comes from the environment only. */
export function clientFromConfig(
  gh: GitHubConfig,
  env: NodeJS.ProcessEnv,
  log: Logger,
  tuning: { waitScale?: number } = {},
): GitHubClient {
  let auth: GitHubAuth;
  if (gh.app) {
    auth = { kind: "app", ...gh.app };
  } else {
    const token = env[gh.tokenEnv]?.trim();
    if (!token) {
      throw new ConfigError(
        `github: environment variable ${gh.tokenEnv} is not set: give it a token that can read the organisation ${gh.org} (or configure github.app)`,
      );
    }
    auth = { kind: "token", token, from: gh.tokenEnv };
  }
  return new GitHubClient({
    baseUrl: gh.baseUrl,
    auth,
    timeoutMs: gh.timeoutSeconds * 1000,
    maxRetries: gh.maxRetries,
    log: log.child({ source: "github" }),
    ...(tuning.waitScale !== undefined ? { waitScale: tuning.waitScale } : {}),
  });
}
