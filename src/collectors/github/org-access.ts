import { GitHubError } from "../../errors/index.js";
import type { GitHubClient } from "./client.js";
import { ORG_MEMBERS, ORG_TEAMS, TEAM_MEMBERS, TEAM_REPOSITORIES } from "./queries.js";
import type { MemberRecord, TeamRecord } from "./records.js";
import {
  membersPageSchema,
  parseAnswer,
  teamMembersPageSchema,
  teamReposPageSchema,
  teamsPageSchema,
} from "./schemas.js";

/**
 * The organisation's side of an access snapshot: members with role and two-factor status, and
 * teams with their members and repositories, every nested list followed to its end (the
 * pagination plugin follows the outer list only).
 */

export interface OrgAccess {
  members: MemberRecord[];
  teams: TeamRecord[];
  /** Whether two-factor status was visible: GitHub shows it to organisation owners only. */
  twoFactorVisible: boolean;
}

export async function readOrgAccess(client: GitHubClient, org: string): Promise<OrgAccess> {
  const what = `organisation ${org}`;
  const members: MemberRecord[] = [];
  for await (const data of client.pages<unknown>(`${what}: members`, ORG_MEMBERS, { org })) {
    const page = parseAnswer(membersPageSchema, data, `${what}: members`);
    if (!page.organization) throw notFound(org);
    for (const e of page.organization.membersWithRole.edges) {
      if (!e.node) continue;
      members.push({ login: e.node.login, role: e.role ?? "MEMBER", twoFactor: e.hasTwoFactorEnabled });
    }
  }
  const teams: TeamRecord[] = [];
  for await (const data of client.pages<unknown>(`${what}: teams`, ORG_TEAMS, { org })) {
    const page = parseAnswer(teamsPageSchema, data, `${what}: teams`);
    if (!page.organization) throw notFound(org);
    for (const t of page.organization.teams.nodes) {
      const team: TeamRecord = {
        slug: t.slug,
        name: t.name,
        parent: t.parentTeam?.slug ?? null,
        members: t.members.edges.map((m) => ({ login: m.node.login, role: m.role })),
        repositories: t.repositories.edges.map((r) => ({ repo: r.node.nameWithOwner, permission: r.permission })),
      };
      const vars = { org, slug: t.slug };
      if (t.members.pageInfo.hasNextPage) {
        const w = `${what}: team ${t.slug} members`;
        for await (const d of client.pages<unknown>(w, TEAM_MEMBERS, {
          ...vars,
          cursor: t.members.pageInfo.endCursor,
        })) {
          const p = parseAnswer(teamMembersPageSchema, d, w);
          team.members.push(
            ...(p.organization?.team?.members.edges ?? []).map((m) => ({ login: m.node.login, role: m.role })),
          );
        }
      }
      if (t.repositories.pageInfo.hasNextPage) {
        const w = `${what}: team ${t.slug} repositories`;
        for await (const d of client.pages<unknown>(w, TEAM_REPOSITORIES, {
          ...vars,
          cursor: t.repositories.pageInfo.endCursor,
        })) {
          const p = parseAnswer(teamReposPageSchema, d, w);
          team.repositories.push(
            ...(p.organization?.team?.repositories.edges ?? []).map((r) => ({
              repo: r.node.nameWithOwner,
              permission: r.permission,
            })),
          );
        }
      }
      teams.push(team);
    }
  }
  return { members, teams, twoFactorVisible: members.some((m) => m.twoFactor !== null) };
}

function notFound(org: string): GitHubError {
  return new GitHubError(
    "E_GITHUB_NOT_FOUND",
    `organisation ${org}: not found on GitHub, or not visible to these credentials`,
  );
}
