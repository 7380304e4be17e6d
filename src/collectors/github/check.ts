import type { ResolvedRepo } from "../../config/load.js";
import type { GitHubConfig } from "../../config/schema.js";
import { messageOf } from "../../errors/index.js";
import { oneLine } from "../../util/visible.js";
import type { GitHubClient } from "./client.js";
import { githubName } from "./collect.js";
import { CHECK_ORG, CHECK_REPO } from "./queries.js";

/**
 * `config check` for the github section: the credentials work, the organisation and every
 * repository are visible to them, and what they may see (an owner sees two-factor status).
 * Returns report lines and problems; collects nothing.
 */
export async function checkGitHub(
  client: GitHubClient,
  gh: GitHubConfig,
  repos: readonly ResolvedRepo[],
): Promise<{ lines: string[]; problems: string[] }> {
  const lines: string[] = [];
  const problems: string[] = [];
  try {
    await client.authenticate();
    const data = await client.query<{
      viewer: { login: string };
      organization: { login: string; viewerCanAdminister: boolean } | null;
    }>(`github: organisation ${gh.org}`, CHECK_ORG, { org: gh.org });
    const owner = data.organization?.viewerCanAdminister === true;
    lines.push(
      `github: ${client.endpoint} as ${oneLine(data.viewer.login)}; organisation ${gh.org}` +
        (owner ? " (owner: two-factor status visible)" : " (not an owner: two-factor status will not be visible)") +
        (client.rate.remaining !== undefined
          ? `; rate limit ${client.rate.remaining}/${client.rate.limit ?? "?"} points left`
          : ""),
    );
  } catch (e) {
    problems.push(messageOf(e));
    return { lines, problems };
  }
  for (const r of repos) {
    const { owner, name } = githubName(r);
    try {
      const data = await client.query<{
        repository: {
          nameWithOwner: string;
          viewerPermission: string | null;
          defaultBranchRef: { name: string } | null;
        } | null;
      }>(`repo ${r.name} on GitHub`, CHECK_REPO, { owner, name });
      lines.push(
        `repo ${r.name} on GitHub: ${owner}/${name}, permission ${data.repository?.viewerPermission ?? "unknown"}` +
          (data.repository?.viewerPermission === "READ"
            ? " (collaborators need push access: that list will be a gap)"
            : ""),
      );
    } catch (e) {
      problems.push(messageOf(e));
    }
  }
  return { lines, problems };
}
