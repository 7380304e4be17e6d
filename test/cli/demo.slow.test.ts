import path from "node:path";
import Database from "better-sqlite3";
import { beforeAll, describe, expect, it } from "vitest";
import { type CliResult, runCliAsync } from "../helpers/cli.js";
import { tempDir } from "../helpers/tmp.js";

/**
 * `changeproof demo` runs the real collectors end to end: git from the demo repositories, GitHub
 * over GraphQL from the fake GitHub serving the demo organisation, and the production cluster's
 * Argo CD and Flux objects from the fake Kubernetes API. The store then holds the story the demo
 * tells.
 */

const out = tempDir("changeproof-demo-");
let r: CliResult;
let db: Database.Database;
const rows = (sql: string): unknown[] => db.prepare(sql).all();

beforeAll(async () => {
  r = await runCliAsync(["demo", "-o", out]);
  db = new Database(path.join(out, "demo", "changeproof.db"), { readonly: true });
  return () => db.close();
});

describe("changeproof demo", () => {
  it("collects git and GitHub twice and reports", () => {
    expect(r.stderr).not.toMatch(/^changeproof: /m);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/acme\/payments-api \(GitHub\): run \d+ ok, 11 merged pull requests stored/);
    expect(r.stdout).toMatch(/acme\/platform-gitops \(GitHub\): run \d+ ok, 2 merged pull requests stored/);
    expect(r.stdout).toMatch(/organisation acme: run \d+ ok, 4 members, 2 teams/);
    expect(r.stdout).toContain(`report: ${path.join(out, "demo", "2026Q3", "report.pdf")}`);
    expect(r.stdout).toContain(`report: ${path.join(out, "demo", "2026Q3", "access.csv")}`);
    expect(r.stdout).toContain(`report: ${path.join(out, "demo", "2026Q3", "people.csv")}`);
    expect(r.stdout).toMatch(/^duties bob: authored and sole-approved acme\/payments-api#4; /m);
    expect(r.stdout).toMatch(/^rule S1: exception \d+, pass \d+$/m);
  });

  it("prints the deployments: what each introduced, the unexplained ones and the manual syncs", () => {
    expect(r.stdout).toMatch(/^rule C9: unexplained \d+, pass \d+, n\/a \d+, blocked \d+$/m);
    expect(r.stdout).toMatch(/^rule C10: manual-rollback 1, manual-off-branch 1, manual-tip 1, n\/a \d+$/m);
    // Two changes at once: the canary skipped #11's deployment and the bot's push came with it,
    // deploying a build of a change whose approval went stale (C12).
    expect(r.stdout).toMatch(
      /^deployment C9 unexplained prod\/argocd\/payments-canary@\w+ \S+: introduced 2 changes \(acme\/platform-gitops#11, acme\/platform-gitops@\w+\), acme\/platform-gitops@\w+ with C7 direct-push, C12 unexplained$/m,
    );
    expect(r.stdout).toMatch(
      /^deployment C9 unexplained prod\/argocd\/payments-canary@\w+ \S+: deployed \w+: acme\/platform-gitops as collected does not contain/m,
    );
    expect(r.stdout).toMatch(
      /^deployment C10 manual-off-branch prod\/argocd\/payments-canary@\w+ \S+: carol@acme.example synced /m,
    );
    expect(r.stdout).toMatch(
      /^deployment C10 manual-rollback prod\/argocd\/payments@\w+ \S+: alice@acme.example rolled /m,
    );
  });

  it("prints image automation's provenance: a build of a reviewed change, and one of a change that was not", () => {
    expect(r.stdout).toMatch(/^rule C12: traced 1, unexplained 1, n\/a \d+$/m);
    expect(r.stdout).toMatch(
      /^image C12 unexplained acme\/platform-gitops@\w+: ghcr\.io\/acme\/payments-api:sha-[0-9a-f]{40}: built from acme\/payments-api#2, which C1 found not-reviewed: /m,
    );
    expect(r.stdout).toMatch(
      /^image C12 traced acme\/platform-gitops@\w+: ghcr\.io\/acme\/payments-api:sha-[0-9a-f]{40} built from acme\/payments-api#3 \(C1 reviewed\)$/m,
    );
    // The traced push explains the deployments that brought it.
    const traced = /^image C12 traced (\S+):/m.exec(r.stdout)?.[1] ?? "?";
    const deployed = r.stdout.split("\n").filter((l) => l.startsWith("deployment C9 unexplained"));
    expect(deployed.length).toBeGreaterThan(0);
    for (const line of deployed) expect(line).not.toContain(traced);
  });

  it("prints the protection weakened mid-quarter", () => {
    expect(r.stdout).toMatch(
      /^access A4 exception: protection of acme\/platform-gitops:main weakened \(requiresCodeOwnerReviews turned off\) between 2026-08-20T\S+ and 2026-09-30T/m,
    );
  });

  it("prints the access review: each rule's counts and every access finding", () => {
    expect(r.stdout).toMatch(/^rule A1: exception 1, note 2$/m);
    expect(r.stdout).toMatch(/^access A1 note: erin joined the organisation as MEMBER between /m);
    expect(r.stdout).toMatch(/^access A1 note: frank left the organisation \(was MEMBER\) between /m);
    expect(r.stdout).toMatch(/^access A1 exception: carol organisation role changed from MEMBER to ADMIN between /m);
    expect(r.stdout).toMatch(
      /^access A3 exception: dave is an outside collaborator with WRITE on acme\/payments-api$/m,
    );
    expect(r.stdout).toMatch(
      /^access A4 exception: protection of acme\/platform-gitops:main weakened \(allowsForcePushes turned on\) between /m,
    );
  });

  it("stores the review story: a stale approval, and a force push after approval", () => {
    expect(
      rows(`SELECT p.number FROM gh_pull_requests p JOIN gh_reviews v USING (repo_id)
                 WHERE v.pr_number = p.number AND v.state = 'APPROVED' AND v.commit_oid <> p.head_oid ORDER BY 1`),
    ).toEqual([{ number: 2 }, { number: 12 }]);
    expect(rows("SELECT pr_number, kind FROM gh_pr_events WHERE kind = 'HeadRefForcePushedEvent'")).toEqual([
      { pr_number: 12, kind: "HeadRefForcePushedEvent" },
    ]);
  });

  it("maps a rebase-merged commit to its pull request and finds none for direct pushes", () => {
    const lookups = rows(`SELECT c.subject, l.pull_requests FROM gh_commit_lookups l
                          JOIN commits c ON c.repo_id = l.repo_id AND c.sha = l.oid ORDER BY c.subject`);
    expect(lookups).toContainEqual({ subject: "Expose request metrics", pull_requests: "[3]" });
    expect(lookups).toContainEqual({ subject: "hotfix: raise upstream timeout", pull_requests: "[]" });
    expect(lookups).toContainEqual({ subject: "Scale payments to 6 replicas during incident", pull_requests: "[]" });
  });

  it("keeps every access snapshot: the weakened protection and the new owner show as changes", () => {
    const rules = rows(`SELECT json_extract(settings, '$.requiresCodeOwnerReviews') AS owners,
                               json_extract(settings, '$.allowsForcePushes') AS force FROM gh_protection_rules
                        WHERE repo = 'acme/platform-gitops' ORDER BY snapshot_id`);
    // Code-owner review dropped mid-quarter; force pushes allowed after it.
    expect(rules).toEqual([
      { owners: 1, force: 0 },
      { owners: 0, force: 0 },
      { owners: 0, force: 1 },
    ]);
    expect(rows("SELECT role FROM gh_members WHERE login = 'carol' ORDER BY snapshot_id")).toEqual([
      { role: "MEMBER" },
      { role: "MEMBER" },
      { role: "ADMIN" },
    ]);
    expect(rows("SELECT login, outside FROM gh_collaborators WHERE login = 'dave'")).toEqual([
      { login: "dave", outside: 1 },
      { login: "dave", outside: 1 },
      { login: "dave", outside: 1 },
    ]);
  });

  it("keeps the cluster's deployments, the manual sync and rollback, and the Helm history it dropped", () => {
    expect(
      rows(`SELECT reconciler, basis, initiated_by, rollback FROM deployments
            WHERE initiated_by IS NOT NULL ORDER BY finished_at`),
    ).toEqual([
      { reconciler: "argocd", basis: "history", initiated_by: "carol@acme.example", rollback: 0 },
      { reconciler: "argocd", basis: "history", initiated_by: "alice@acme.example", rollback: 1 },
      // The canary synced by hand to the branch no one merged.
      { reconciler: "argocd", basis: "history", initiated_by: "carol@acme.example", rollback: 0 },
    ]);
    // The tip the force push replaced stays recorded as deployed, though the cluster moved on.
    expect(rows("SELECT count(*) AS n FROM deployments WHERE reconciler = 'argocd'")).toEqual([{ n: 11 }]);
    expect(rows("SELECT kind, lost, after, before FROM reconciler_history_gaps")).toEqual([
      { kind: "missed", lost: 2, after: "2026-07-20T08:00:00Z", before: "2026-09-10T08:00:00Z" },
    ]);
    expect(r.stdout).toMatch(/^cluster prod: run \d+ ok, 14 new deployment records/m);
  });

  it("leaves a config the commands work on afterwards (its GitHub section a comment: the fake is gone)", async () => {
    const config = path.join(out, "demo", "org", "changeproof.yaml");
    const collect = await runCliAsync(["collect", "-c", config, "-q"]);
    expect(collect.stderr).toBe("");
    expect(collect.status).toBe(0);
    expect(collect.stdout).toContain("acme/payments-api: run");
    const report = await runCliAsync(["report", "-c", config, "--period", "2026Q3", "-q"]);
    // The Helm history the demo cluster dropped between its two reads is a gap of the quarter.
    expect(report.status).toBe(3);
    expect(report.stderr).toMatch(
      /^changeproof: report written, but its evidence is incomplete: flux-helmrelease prod\/ingress\/ingress-nginx: 2 history entries were dropped/m,
    );
  });
});
