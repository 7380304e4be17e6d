import { execFileSync } from "node:child_process";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { runDemo } from "../../src/cli/commands/demo.js";
import { DEMO_COLLECTIONS, DEMO_PERIOD } from "../../src/demo/org.js";
import type { Change } from "../../src/evidence/population.js";
import { rules } from "../../src/evidence/rules/index.js";
import { silentLogger } from "../../src/log/logger.js";
import { parsePeriod } from "../../src/period.js";
import { type AccessEvidence, judgeAccess } from "../../src/pipeline/access.js";
import { buildEvidence, type Evidence } from "../../src/pipeline/evidence.js";
import { type DB, openStore } from "../../src/store/db.js";
import { migrations } from "../../src/store/migrations/index.js";
import { type ObservedIdentityRow, observedIdentityRows } from "../../src/store/population-queries.js";
import { tempDir } from "../helpers/tmp.js";

/**
 * The demo organisation holds a case of every verdict of C1-C8 and C11: built as `changeproof
 * demo` builds it (real git repositories, the fake GitHub serving its story, the fake cluster),
 * collected twice by the real collectors around the GitOps force push, and judged by the
 * evidence engine for the demo quarter. Run on the story's clock (the first collection before
 * payments-api #11 was merged, the second after the quarter), as the demo command runs, and on
 * the wall clock (every snapshot after the merges): the verdicts are the same.
 */

interface Collected {
  evidence: Evidence;
  access: AccessEvidence;
  /** The demo's application repository (its git history). */
  appDir: string;
  protectionRules: { taken_at: string; repo: string; rules: number; requires_reviews: number | null }[];
}

/** `changeproof demo` itself, in-process, collecting on the given clocks; then its store judged. */
async function collectDemo(
  dir: string,
  clock: { early: () => Date; first: () => Date; second: () => Date },
): Promise<Collected> {
  await runDemo({ output: dir, log: silentLogger, out: () => {}, now: clock.second, collectedAt: clock });
  const db = openStore(path.join(dir, "demo", "changeproof.db"), { readonly: true });
  try {
    const evidence = buildEvidence(db, parsePeriod(DEMO_PERIOD), {
      people: [],
      exceptions: [],
      now: clock.second(),
      images: new Map([[APP, ["ghcr.io/acme/payments-api"]]]),
    });
    const access = judgeAccess(db, parsePeriod(DEMO_PERIOD));
    const protectionRules = db
      .prepare(
        `SELECT s.taken_at, sr.repo, count(p.pattern) AS rules,
                max(json_extract(p.settings, '$.requiresApprovingReviews')) AS requires_reviews
         FROM gh_snapshots s JOIN gh_snapshot_repos sr ON sr.snapshot_id = s.id
         LEFT JOIN gh_protection_rules p ON p.snapshot_id = s.id AND p.repo = sr.repo
         GROUP BY s.id, sr.repo ORDER BY sr.repo, s.taken_at`,
      )
      .all() as Collected["protectionRules"];
    return { evidence, access, appDir: path.join(dir, "demo", "org", "repos", "payments-api"), protectionRules };
  } finally {
    db.close();
  }
}

const APP = "acme/payments-api";
const GITOPS = "acme/platform-gitops";

type RuleId = "C1" | "C2" | "C3" | "C4" | "C5" | "C6" | "C7" | "C11" | "C12";
/**
 * A change by its id, or a direct push by its repository and subject (its sha differs per build);
 * `nth` picks among pushes with the same subject, in landing order.
 */
type Ref = string | { repo: string; push: string; nth?: number };

interface Case {
  name: string;
  change: Ref;
  verdicts: Record<RuleId, string>;
  /** Reasons that must say why. */
  reasons?: Partial<Record<RuleId, RegExp>>;
}

const pr = (c1: string, c2: string, c3: string, c4: string, c5: string, c6: string, c11: string) =>
  ({ C1: c1, C2: c2, C3: c3, C4: c4, C5: c5, C6: c6, C7: "pass", C11: c11, C12: "n/a" }) as Record<RuleId, string>;
const push = (c11: string, c12 = "n/a") =>
  ({
    C1: "n/a",
    C2: "n/a",
    C3: "n/a",
    C4: "n/a",
    C5: "n/a",
    C6: "n/a",
    C7: "direct-push",
    C11: c11,
    C12: c12,
  }) as Record<RuleId, string>;

const CASES: Case[] = [
  {
    name: "merge commit, approved on its head by someone independent",
    change: `${APP}#1`,
    verdicts: pr("reviewed", "pass", "pass", "pass", "pass", "pass", "exception"),
    reasons: { C1: /by bob/, C11: /unsigned/ },
  },
  {
    name: "squash; a backdated push after the approval (commit dates before it)",
    change: `${APP}#2`,
    verdicts: pr("not-reviewed", "pass", "stale", "pass", "pass", "pass", "exception"),
    reasons: { C3: /approved on [0-9a-f]{12}; the final head is/, C11: /Dave Contractor .*not an organisation member/ },
  },
  {
    name: "rebase merge, approved on its head (re-created commits unsigned)",
    change: `${APP}#3`,
    verdicts: pr("reviewed", "pass", "pass", "pass", "pass", "pass", "exception"),
  },
  {
    name: "approved by the author of its (signed, verified) commit: self-approval",
    change: `${APP}#4`,
    verdicts: pr("not-reviewed", "self-approved", "n/a", "n/a", "pass", "pass", "exception"),
    reasons: { C1: /bob, an author of its commits/ },
  },
  {
    name: "approved by a co-author (Co-authored-by)",
    change: `${APP}#5`,
    verdicts: pr("not-reviewed", "self-approved", "n/a", "n/a", "pass", "pass", "exception"),
    reasons: { C1: /bob, a co-author of its commits/ },
  },
  {
    name: "approved only by a bot",
    change: `${APP}#6`,
    verdicts: pr("not-reviewed", "n/a", "n/a", "n/a", "pass", "pass", "exception"),
    reasons: { C1: /renovate-approve\[bot\], a bot or service account/ },
  },
  {
    name: "a commit author that resolves to nobody blocks the review verdict",
    change: `${APP}#7`,
    verdicts: pr("blocked", "blocked", "pass", "pass", "pass", "pass", "exception"),
    reasons: {
      C1: /alice@alice-mbp\.local> resolves to no account/,
      C11: /unknown author Alice Developer <alice@alice-mbp\.local>/,
    },
  },
  {
    name: "approval dismissed, then replaced by a new one on the head",
    change: `${APP}#8`,
    verdicts: pr("reviewed", "pass", "pass", "pass", "pass", "pass", "exception"),
    reasons: { C5: /replaced by a later one/ },
  },
  {
    name: "approval dismissed and not replaced",
    change: `${APP}#9`,
    verdicts: pr("not-reviewed", "n/a", "n/a", "pass", "dismissed-not-replaced", "pass", "exception"),
    reasons: { C5: /bob dismissed by carol and not replaced/ },
  },
  {
    name: "an approval with no commit oid",
    change: `${APP}#10`,
    verdicts: pr("not-reviewed", "pass", "stale", "pass", "pass", "pass", "exception"),
    reasons: { C3: /name no commit/ },
  },
  {
    name: "merged by an admin with no review while no protection was in force (it is today)",
    change: `${APP}#11`,
    verdicts: pr("not-reviewed", "n/a", "n/a", "n/a", "pass", "pass", "exception"),
    reasons: { C1: /no approval/, C6: /required no review/ },
  },
  {
    name: "direct push, SSH-signed with a key GitHub verified",
    change: { repo: APP, push: "hotfix: raise upstream timeout" },
    verdicts: push("pass"),
    reasons: { C7: /Carol Platform <carol@acme\.example> \(GitHub account carol\)/ },
  },
  {
    name: "merge commit into the GitOps repository, approved on its head",
    change: `${GITOPS}#11`,
    verdicts: pr("reviewed", "pass", "pass", "pass", "pass", "pass", "exception"),
    reasons: { C1: /by carol, bob/, C6: /2 of 2 required approvals/ },
  },
  {
    name: "force-pushed after approval and merged past the required review",
    change: `${GITOPS}#12`,
    verdicts: pr(
      "not-reviewed",
      "pass",
      "stale",
      "force-pushed-after-approval",
      "pass",
      "merged-without-required-review",
      "exception",
    ),
    reasons: { C4: /force-pushed by alice/, C6: /merged by alice with 1 of 2 required approvals/ },
  },
  {
    name: "image automation deploys a build of a change whose approval went stale",
    change: { repo: GITOPS, push: "Automated image update", nth: 0 },
    verdicts: push("exception", "unexplained"),
    reasons: {
      C7: /flux-image-automation\[bot\]/,
      C11: /unsigned/,
      C12: /ghcr\.io\/acme\/payments-api:sha-[0-9a-f]{40}: built from acme\/payments-api#2, which C1 found not-reviewed/,
    },
  },
  {
    name: "image automation deploys a build of a reviewed change",
    change: { repo: GITOPS, push: "Automated image update", nth: 1 },
    verdicts: push("exception", "traced"),
    reasons: { C12: /ghcr\.io\/acme\/payments-api:sha-[0-9a-f]{40} built from acme\/payments-api#3 \(C1 reviewed\)/ },
  },
  {
    name: "direct push signed with a key GitHub does not know",
    change: { repo: GITOPS, push: "Scale payments to 6 replicas during incident" },
    verdicts: push("exception"),
    reasons: { C11: /unverified \(UNKNOWN_KEY\)/ },
  },
];

const CLOCKS = [
  {
    name: "the story's clock",
    early: () => new Date(DEMO_COLLECTIONS.early),
    first: () => new Date(DEMO_COLLECTIONS.first),
    second: () => new Date(DEMO_COLLECTIONS.second),
  },
  // A store collected after the quarter only: every snapshot follows the merges it judges.
  { name: "the wall clock", early: () => new Date(), first: () => new Date(), second: () => new Date() },
];

describe.each(CLOCKS)("the demo organisation's change population, collected on $name", (clock) => {
  const root = tempDir("changeproof-demo-population-");
  let c: Collected;
  beforeAll(async () => {
    c = await collectDemo(root, clock);
  });

  const find = (ref: Ref): Change | undefined =>
    typeof ref === "string"
      ? c.evidence.population.changes.find((ch) => ch.id === ref)
      : c.evidence.population.changes.filter(
          (ch) => ch.repo === ref.repo && ch.kind === "direct-push" && ch.title === ref.push,
        )[ref.nth ?? 0];
  const verdictsOf = (ch: Change): Record<string, string> =>
    Object.fromEntries((c.evidence.judgement.byChange.get(ch.id) ?? []).map((f) => [f.rule, f.verdict]));
  const reasonOf = (ch: Change, rule: string): string =>
    c.evidence.judgement.byChange.get(ch.id)?.find((f) => f.rule === rule)?.reason ?? "";
  /** The reason and its evidence (a long reason lists the first problems only). */
  const explained = (ch: Change, rule: string): string => {
    const f = c.evidence.judgement.byChange.get(ch.id)?.find((x) => x.rule === rule);
    return [f?.reason ?? "", ...(f?.evidence ?? []).map((e) => `${e.label}: ${e.value}`)].join("\n");
  };

  it("holds exactly the story's changes: 13 pull requests and 4 direct pushes", () => {
    const ids = CASES.map((k) => find(k.change)?.id);
    expect(ids.every((id) => id !== undefined)).toBe(true);
    expect(c.evidence.population.changes.map((ch) => ch.id).sort()).toEqual([...ids].sort());
    // The commit the force push put on GitOps main arrived after the quarter: not this period's.
    expect(c.evidence.population.changes.some((ch) => ch.title === "payments-api 1.3.0 with debug logging")).toBe(
      false,
    );
  });

  it("lands pull requests by merge commit, squash and rebase", () => {
    const kind = (ref: Ref) => find(ref)?.kind;
    expect([kind(`${APP}#1`), kind(`${APP}#2`), kind(`${APP}#3`), kind(`${GITOPS}#12`)]).toEqual([
      "merge-commit",
      "squash",
      "rebase",
      "squash",
    ]);
    expect(c.evidence.population.changes.filter((ch) => ch.kind === "direct-push")).toHaveLength(4);
  });

  it.each(CASES)("$name: $change", (k) => {
    const ch = find(k.change);
    expect(ch, JSON.stringify(k.change)).toBeDefined();
    if (!ch) return;
    expect(verdictsOf(ch)).toEqual(k.verdicts);
    for (const [rule, re] of Object.entries(k.reasons ?? {})) expect(explained(ch, rule), rule).toMatch(re);
  });

  it("records, as it collects, every identity GitHub showed: those its stored pull requests and lookups hold", () => {
    const file = path.join(root, "demo", "changeproof.db");
    const db = openStore(file, { readonly: true });
    const q = parsePeriod(DEMO_PERIOD);
    const key = (r: ObservedIdentityRow) => `${r.email ?? ""} ${r.login ?? ""} ${r.kind ?? ""}`;
    try {
      const recorded = observedIdentityRows(db, q.from.toISOString(), q.to.toISOString()).map(key).sort();
      expect(recorded.length).toBeGreaterThan(5);
      expect(recorded).toEqual(
        [...new Set(derivedIdentities(db, q.from.toISOString(), q.to.toISOString()).map(key))].sort(),
      );
      // A store from before gh_identities: the migration derives the same from what it holds.
      const copy = path.join(tempDir(), "migrated.db");
      db.prepare("VACUUM INTO ?").run(copy);
      const old = openStore(copy);
      try {
        old.prepare("DELETE FROM gh_identities").run();
        const backfill = (migrations.find((m) => m.version === 6)?.sql ?? "")
          .split(/;\s*\n/)
          .filter((s) => s.trimStart().startsWith("INSERT OR IGNORE INTO gh_identities"));
        expect(backfill.length).toBeGreaterThan(5);
        for (const sql of backfill) old.prepare(sql).run();
        expect(observedIdentityRows(old, q.from.toISOString(), q.to.toISOString()).map(key).sort()).toEqual(recorded);
      } finally {
        old.close();
      }
    } finally {
      db.close();
    }
  });

  it("records the rewrite of the GitOps main branch (C8)", () => {
    const c8 = c.evidence.judgement.findings.filter((f) => f.rule === "C8");
    expect(c8).toHaveLength(1);
    expect(c8[0]).toMatchObject({ verdict: "rewrite", subject: { kind: "branch", id: `${GITOPS}:main` } });
    expect(c8[0]?.reason).toMatch(/1 commit dropped/);
  });

  it("holds every verdict of C1-C8 and C11 (blocked for at least one rule)", () => {
    const seen = new Map<string, Set<string>>();
    for (const findings of c.evidence.judgement.byChange.values()) {
      for (const f of findings) seen.set(f.rule, (seen.get(f.rule) ?? new Set()).add(f.verdict));
    }
    for (const f of c.evidence.judgement.findings) seen.set(f.rule, (seen.get(f.rule) ?? new Set()).add(f.verdict));
    const missing: string[] = [];
    for (const [id, rule] of Object.entries(rules)) {
      // The access rules judge snapshots, and C9 and C10 deployments: their own cases are elsewhere.
      if (!id.startsWith("C") || id === "C9" || id === "C10") continue;
      for (const v of rule.doc.verdicts) {
        if (v !== "blocked" && !seen.get(id)?.has(v)) missing.push(`${id} ${v}`);
      }
    }
    expect(missing).toEqual([]);
    expect([...seen].filter(([, vs]) => vs.has("blocked")).map(([id]) => id)).not.toEqual([]);
  });

  it("saw the backdated push: the head commit's dates precede the approval that missed it", () => {
    const ch = find(`${APP}#2`);
    const approval = ch?.pr?.reviews.find((r) => r.state === "APPROVED");
    expect(approval?.commit).not.toBe(ch?.pr?.headOid);
    const [authored = "", committed = ""] = execFileSync(
      "git",
      ["-C", c.appDir, "log", "-1", "--format=%aI%n%cI", ch?.pr?.headOid ?? ""],
      { encoding: "utf8" },
    ).split("\n");
    expect(Date.parse(authored)).toBeLessThan(Date.parse(approval?.submittedAt ?? ""));
    expect(Date.parse(committed)).toBeLessThan(Date.parse(approval?.submittedAt ?? ""));
  });

  it("stores the review facts the cases rest on", () => {
    const reviews = (id: string) => find(id)?.pr?.reviews ?? [];
    expect(reviews(`${APP}#10`).map((r) => [r.author, r.state, r.commit])).toEqual([["carol", "APPROVED", null]]);
    expect(reviews(`${APP}#6`).map((r) => [r.author, r.authorKind])).toEqual([["renovate-approve[bot]", "Bot"]]);
    expect(reviews(`${APP}#8`).map((r) => [r.author, r.state, r.dismissal?.by ?? null])).toEqual([
      ["bob", "DISMISSED", "carol"],
      ["bob", "APPROVED", null],
    ]);
    expect(reviews(`${APP}#9`).map((r) => [r.state, r.dismissal?.previousState])).toEqual([["DISMISSED", "APPROVED"]]);
    expect(find(`${APP}#5`)?.pr?.commits[0]?.authors.map((a) => a.email)).toEqual([
      "alice@acme.example",
      "bob@acme.example",
    ]);
    expect(find(`${GITOPS}#12`)?.pr?.headForcePushes.map((f) => f.actor)).toEqual(["alice"]);
    expect(c.evidence.population.unresolved).toEqual([
      { identity: "Alice Developer <alice@alice-mbp.local>", changes: [`${APP}#7`] },
    ]);
  });

  it("reviews access: a joiner, a leaver, an escalation, an outside collaborator, protection weakened", () => {
    const said = c.access.verdicts.map((f) => `${f.rule} ${f.verdict} ${f.subject.id}: ${f.reason}`);
    if (clock.name === "the story's clock") {
      // The quarter's last snapshot (the first collection) and the one after it bracket the changes.
      const between = new RegExp(
        `between ${DEMO_COLLECTIONS.first.slice(0, 16)}.* and ${DEMO_COLLECTIONS.second.slice(0, 16)}`,
      );
      const a1 = said.filter((l) => l.startsWith("A1"));
      expect(a1).toHaveLength(3);
      expect(a1.find((l) => l.includes("erin joined the organisation as MEMBER"))).toMatch(between);
      expect(a1.find((l) => l.includes("frank left the organisation"))).toMatch(/^A1 note frank/);
      expect(a1.find((l) => l.includes("carol organisation role changed from MEMBER to ADMIN"))).toMatch(
        /^A1 exception/,
      );
      expect(said).toContainEqual(
        expect.stringMatching(
          new RegExp(
            `^A4 exception ${GITOPS}:main: protection of ${GITOPS}:main weakened \\(allowsForcePushes turned on\\)`,
          ),
        ),
      );
      // Mid-quarter, code-owner review stopped being required.
      expect(said).toContainEqual(
        expect.stringMatching(
          new RegExp(
            `^A4 exception ${GITOPS}:main: protection of ${GITOPS}:main weakened \\(requiresCodeOwnerReviews turned off\\) between ${DEMO_COLLECTIONS.early.slice(0, 16)}.* and ${DEMO_COLLECTIONS.first.slice(0, 16)}`,
          ),
        ),
      );
      const gitopsSnapshots = c.access.snapshots.filter((s) => s.repos.includes(GITOPS));
      expect(said).toContainEqual(
        // Held through the three snapshots, but none shows the quarter before the first: a note, not a pass.
        `A4 note ${GITOPS}:main: ${GITOPS}:main required 2 approvals continuously from ${gitopsSnapshots[0]?.takenAt} to ${gitopsSnapshots.at(-1)?.takenAt} (3 snapshots); no snapshot shows 2026-07-01T00:00:00.000Z to ${gitopsSnapshots[0]?.takenAt}`,
      );
    } else {
      // Both snapshots follow the quarter: only the first shows its closing state.
      expect(said.filter((l) => l.startsWith("A1"))).toEqual([
        expect.stringMatching(/^A1 blocked acme\/payments-api: fewer than two access snapshots read/),
        expect.stringMatching(/^A1 blocked acme\/platform-gitops: fewer than two access snapshots read/),
        expect.stringMatching(/^A1 blocked acme: only one access snapshot .* shows this period/),
      ]);
    }
    expect(said).toContain(`A3 exception dave: dave is an outside collaborator with WRITE on ${APP}`);
    expect(said).toContainEqual(
      expect.stringMatching(/^A3 exception carol: carol, an organisation (member|admin), has no two-factor/),
    );
    expect(said).toContain(
      `A2 exception ${GITOPS}:main: can change ${GITOPS}:main without review: bypass allowance User:alice; repository admins (admins not enforced)`,
    );
  });

  it("judges payments-api #11 by the protection in force when it merged: none, though one is in force today", () => {
    const app = c.protectionRules.filter((r) => r.repo === APP);
    expect(app.map((r) => [r.rules, r.requires_reviews])).toEqual([
      [0, null],
      [0, null],
      [1, 1],
    ]);
    const ch = find(`${APP}#11`);
    expect(ch?.pr?.mergedBy).toBe("alice");
    if (clock.name === "the story's clock") {
      // The last morning's snapshot came before the merge, the one after the quarter after it.
      expect(app[1]?.taken_at).toBe(new Date(DEMO_COLLECTIONS.first).toISOString());
      expect(Date.parse(app[1]?.taken_at ?? "")).toBeLessThan(Date.parse(ch?.landedAt ?? ""));
      expect(Date.parse(app[2]?.taken_at ?? "")).toBeGreaterThan(Date.parse(ch?.landedAt ?? ""));
      expect(ch?.protection).toMatchObject({ requiredApprovals: null, sources: [], takenAt: app[1]?.taken_at });
      expect(ch?.protection?.basis).toBe("before");
      expect(reasonOf(ch as Change, "C6")).toContain(`snapshot of ${app[1]?.taken_at}`);
    } else {
      // Every snapshot postdates the quarter: the earliest stands for the merge, said as such.
      expect(ch?.protection).toMatchObject({ requiredApprovals: null, sources: [], takenAt: app[0]?.taken_at });
      expect(ch?.protection?.basis).toBe("after");
      expect(reasonOf(ch as Change, "C6")).toMatch(/protection as first seen on/);
    }
  });
});

/**
 * The identities a period's evidence meets, derived from the stored pull requests, reviews and
 * commit lookups themselves (as the engine read them before the collector recorded them).
 */
function derivedIdentities(db: DB, from: string, to: string): ObservedIdentityRow[] {
  const out: ObservedIdentityRow[] = [];
  const add = (email: string | null, login: string | null, kind: string | null) => {
    if (login) out.push({ email: email || null, login, kind: kind || null });
  };
  const merged = "p.state = 'MERGED' AND p.merged_at >= ? AND p.merged_at < ?";
  for (const r of db
    .prepare(
      `SELECT c.authors, c.committer_email, c.committer_login, c.signer_login FROM gh_pull_requests p
       JOIN gh_pr_commits c ON c.repo_id = p.repo_id AND c.pr_number = p.number WHERE ${merged}`,
    )
    .all(from, to) as {
    authors: string;
    committer_email: string | null;
    committer_login: string | null;
    signer_login: string | null;
  }[]) {
    for (const [, email, login] of JSON.parse(r.authors) as [string | null, string | null, string | null][])
      add(email, login, null);
    add(r.committer_email, r.committer_login, null);
    add(null, r.signer_login, null);
  }
  for (const r of db
    .prepare(`SELECT author_login, author_kind, merged_by FROM gh_pull_requests p WHERE ${merged}`)
    .all(from, to) as {
    author_login: string | null;
    author_kind: string | null;
    merged_by: string | null;
  }[]) {
    add(null, r.author_login, r.author_kind);
    add(null, r.merged_by, null);
  }
  for (const r of db
    .prepare(
      `SELECT v.author_login, v.author_kind FROM gh_pull_requests p JOIN gh_reviews v ON v.repo_id = p.repo_id AND v.pr_number = p.number WHERE ${merged}`,
    )
    .all(from, to) as { author_login: string | null; author_kind: string | null }[]) {
    add(null, r.author_login, r.author_kind);
  }
  for (const r of db
    .prepare(
      `SELECT l.authors, c.author_email, l.author_login, c.committer_email, l.committer_login FROM gh_commit_lookups l
       JOIN collection_runs r ON r.id = l.run_id JOIN commits c ON c.repo_id = l.repo_id AND c.sha = l.oid
       WHERE r.started_at >= ? AND l.commit_read = 1`,
    )
    .all(from) as {
    authors: string | null;
    author_email: string;
    author_login: string | null;
    committer_email: string;
    committer_login: string | null;
  }[]) {
    for (const [, email, login] of JSON.parse(r.authors ?? "[]") as [string | null, string | null, string | null][])
      add(email, login, null);
    add(r.author_email, r.author_login, null);
    add(r.committer_email, r.committer_login, null);
  }
  return out;
}
