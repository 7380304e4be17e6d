/**
 * Versioned schema. A migration is never edited once released: add a new one. Each is applied
 * in its own transaction and recorded with a checksum, so a database that was migrated by a
 * different build of the same version is detected.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const migrations: readonly Migration[] = [
  {
    version: 1,
    name: "ledger, repos and git history",
    sql: `
CREATE TABLE collection_runs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  source TEXT NOT NULL,
  scope TEXT NOT NULL,
  tool_version TEXT NOT NULL,
  parameters TEXT NOT NULL,
  started_at TEXT NOT NULL,
  finished_at TEXT,
  status TEXT NOT NULL CHECK (status IN ('running', 'succeeded', 'failed', 'abandoned')),
  counts TEXT,
  error TEXT,
  seal_seq INTEGER UNIQUE,
  prev_hash TEXT,
  hash TEXT
);
CREATE INDEX collection_runs_source ON collection_runs (source, status);

CREATE TABLE repos (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  role TEXT NOT NULL CHECK (role IN ('app', 'gitops')),
  source TEXT NOT NULL
);

-- Hot tables carry no REFERENCES clauses: the collector writes them consistently by
-- construction, and per-row foreign-key checks cost a third of a bulk harvest.
CREATE TABLE commits (
  id INTEGER PRIMARY KEY,
  repo_id INTEGER NOT NULL,
  sha TEXT NOT NULL,
  tree TEXT NOT NULL,
  parents TEXT NOT NULL,
  author_name TEXT NOT NULL,
  author_email TEXT NOT NULL,
  author_time INTEGER NOT NULL,
  author_tz TEXT NOT NULL,
  committer_name TEXT NOT NULL,
  committer_email TEXT NOT NULL,
  committer_time INTEGER NOT NULL,
  committer_tz TEXT NOT NULL,
  subject TEXT NOT NULL,
  message TEXT NOT NULL,
  signature TEXT CHECK (signature IN ('gpg', 'ssh', 'x509', 'unknown')),
  -- JSON array of [key, value] pairs in message order, or NULL: one row per commit keeps bulk
  -- inserts cheap, and json_each() reads them back.
  trailers TEXT,
  run_id INTEGER NOT NULL,
  UNIQUE (repo_id, sha)
);

-- Every ref tip seen by a run: the base of incremental runs and of rewrite detection.
CREATE TABLE ref_tips (
  run_id INTEGER NOT NULL REFERENCES collection_runs (id),
  repo_id INTEGER NOT NULL REFERENCES repos (id),
  ref TEXT NOT NULL,
  sha TEXT NOT NULL,
  protected INTEGER NOT NULL,
  PRIMARY KEY (run_id, ref)
) WITHOUT ROWID;
CREATE INDEX ref_tips_repo ON ref_tips (repo_id, ref);

-- First-parent membership of each protected branch, as observed: a commit that a rewrite
-- dropped from the branch keeps its row, with the run that saw it go.
CREATE TABLE branch_commits (
  repo_id INTEGER NOT NULL,
  branch TEXT NOT NULL,
  sha TEXT NOT NULL,
  first_seen_run INTEGER NOT NULL,
  removed_run INTEGER,
  PRIMARY KEY (repo_id, branch, sha)
) WITHOUT ROWID;

CREATE TABLE history_rewrites (
  id INTEGER PRIMARY KEY,
  repo_id INTEGER NOT NULL REFERENCES repos (id),
  branch TEXT NOT NULL,
  old_tip TEXT NOT NULL,
  new_tip TEXT NOT NULL,
  old_tip_present INTEGER NOT NULL,
  dropped_commits INTEGER NOT NULL,
  observed_at TEXT NOT NULL,
  previous_run INTEGER NOT NULL REFERENCES collection_runs (id),
  run_id INTEGER NOT NULL REFERENCES collection_runs (id),
  UNIQUE (repo_id, branch, old_tip, new_tip)
);
`,
  },
  {
    version: 2,
    name: "github pull requests, reviews, access and protection snapshots",
    sql: `
-- Pull requests merged into protected branches, as last seen; a later run overwrites its own
-- earlier view of the same PR (run_id says which run wrote it).
CREATE TABLE gh_pull_requests (
  repo_id INTEGER NOT NULL REFERENCES repos (id),
  number INTEGER NOT NULL,
  node_id TEXT NOT NULL,
  title TEXT NOT NULL,
  url TEXT NOT NULL,
  author_login TEXT, -- NULL: a deleted ("ghost") account
  author_kind TEXT,
  state TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  merged_at TEXT,
  merged_by TEXT,
  merge_commit TEXT,
  base_ref TEXT NOT NULL,
  head_ref TEXT NOT NULL,
  head_oid TEXT NOT NULL,
  review_decision TEXT,
  run_id INTEGER NOT NULL REFERENCES collection_runs (id),
  PRIMARY KEY (repo_id, number)
);
CREATE INDEX gh_pull_requests_merge_commit ON gh_pull_requests (repo_id, merge_commit);

CREATE TABLE gh_reviews (
  repo_id INTEGER NOT NULL,
  pr_number INTEGER NOT NULL,
  node_id TEXT NOT NULL,
  database_id INTEGER,
  author_login TEXT,
  author_kind TEXT,
  author_association TEXT,
  state TEXT NOT NULL,
  submitted_at TEXT,
  commit_oid TEXT,
  PRIMARY KEY (repo_id, pr_number, node_id)
) WITHOUT ROWID;

-- Timeline events that bear on the rules: head/base force pushes, review dismissals, the merge.
CREATE TABLE gh_pr_events (
  repo_id INTEGER NOT NULL,
  pr_number INTEGER NOT NULL,
  node_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  actor_login TEXT,
  created_at TEXT NOT NULL,
  before_oid TEXT,
  after_oid TEXT,
  review_database_id INTEGER,
  previous_review_state TEXT,
  message TEXT,
  commit_oid TEXT,
  ref_name TEXT,
  PRIMARY KEY (repo_id, pr_number, node_id)
) WITHOUT ROWID;

CREATE TABLE gh_pr_commits (
  repo_id INTEGER NOT NULL,
  pr_number INTEGER NOT NULL,
  position INTEGER NOT NULL,
  oid TEXT NOT NULL,
  authored_date TEXT,
  committed_date TEXT,
  author_name TEXT,
  author_email TEXT,
  author_login TEXT,
  committer_name TEXT,
  committer_email TEXT,
  committer_login TEXT,
  -- JSON array of [name, email, login|null]: every author GitHub lists (co-authors included).
  authors TEXT NOT NULL,
  signature_kind TEXT,
  signature_state TEXT,
  signature_valid INTEGER,
  signer_login TEXT,
  PRIMARY KEY (repo_id, pr_number, oid)
) WITHOUT ROWID;
CREATE INDEX gh_pr_commits_oid ON gh_pr_commits (repo_id, oid);

-- associatedPullRequests of protected-branch commits that no stored PR explains: maps squash and
-- rebase merges, and shows direct pushes (asked, none found).
CREATE TABLE gh_commit_lookups (
  repo_id INTEGER NOT NULL,
  oid TEXT NOT NULL,
  run_id INTEGER NOT NULL,
  -- JSON array of PR numbers merged into a protected branch that contain the commit.
  pull_requests TEXT NOT NULL,
  PRIMARY KEY (repo_id, oid)
) WITHOUT ROWID;

-- Per repository and base branch: every merged PR updated at or after updated_at is stored. A
-- walk cut short keeps its cursor, so the next run resumes instead of starting over.
CREATE TABLE gh_pr_watermarks (
  repo_id INTEGER NOT NULL,
  base_ref TEXT NOT NULL,
  updated_at TEXT,
  pending_cursor TEXT,
  pending_top TEXT,
  run_id INTEGER NOT NULL,
  PRIMARY KEY (repo_id, base_ref)
);

-- Access and protection snapshots, one per run: the store keeps their history.
CREATE TABLE gh_snapshots (
  id INTEGER PRIMARY KEY,
  run_id INTEGER NOT NULL REFERENCES collection_runs (id),
  org TEXT NOT NULL,
  taken_at TEXT NOT NULL,
  -- 1 when the viewer could see two-factor status (an organisation owner's credentials).
  two_factor_visible INTEGER NOT NULL
);
CREATE TABLE gh_members (
  snapshot_id INTEGER NOT NULL REFERENCES gh_snapshots (id),
  login TEXT NOT NULL,
  role TEXT NOT NULL,
  two_factor INTEGER,
  PRIMARY KEY (snapshot_id, login)
) WITHOUT ROWID;
CREATE TABLE gh_teams (
  snapshot_id INTEGER NOT NULL REFERENCES gh_snapshots (id),
  slug TEXT NOT NULL,
  name TEXT NOT NULL,
  parent_slug TEXT,
  PRIMARY KEY (snapshot_id, slug)
) WITHOUT ROWID;
CREATE TABLE gh_team_members (
  snapshot_id INTEGER NOT NULL,
  team_slug TEXT NOT NULL,
  login TEXT NOT NULL,
  role TEXT NOT NULL,
  PRIMARY KEY (snapshot_id, team_slug, login)
) WITHOUT ROWID;
CREATE TABLE gh_team_repos (
  snapshot_id INTEGER NOT NULL,
  team_slug TEXT NOT NULL,
  repo TEXT NOT NULL,
  permission TEXT NOT NULL,
  PRIMARY KEY (snapshot_id, team_slug, repo)
) WITHOUT ROWID;
CREATE TABLE gh_collaborators (
  snapshot_id INTEGER NOT NULL,
  repo TEXT NOT NULL,
  login TEXT NOT NULL,
  permission TEXT NOT NULL,
  outside INTEGER, -- NULL: the organisation's members were not known to this run
  -- JSON array of {permission, kind, name}: the organisation, teams or the repository itself.
  sources TEXT NOT NULL,
  PRIMARY KEY (snapshot_id, repo, login)
) WITHOUT ROWID;
CREATE TABLE gh_protection_rules (
  snapshot_id INTEGER NOT NULL,
  repo TEXT NOT NULL,
  pattern TEXT NOT NULL,
  -- Every setting and allowance as GitHub reported it (canonical JSON, sorted keys).
  settings TEXT NOT NULL,
  PRIMARY KEY (snapshot_id, repo, pattern)
) WITHOUT ROWID;
CREATE TABLE gh_rulesets (
  snapshot_id INTEGER NOT NULL,
  -- owner/name for a repository's ruleset, the organisation's login for an organisation's.
  scope TEXT NOT NULL,
  ruleset_id INTEGER NOT NULL,
  name TEXT NOT NULL,
  target TEXT,
  enforcement TEXT NOT NULL,
  settings TEXT NOT NULL,
  PRIMARY KEY (snapshot_id, scope, ruleset_id)
) WITHOUT ROWID;
-- Which repositories a snapshot covers: an empty table for a repo means none, not unknown.
CREATE TABLE gh_snapshot_repos (
  snapshot_id INTEGER NOT NULL,
  repo TEXT NOT NULL,
  PRIMARY KEY (snapshot_id, repo)
) WITHOUT ROWID;
`,
  },
  {
    version: 3,
    name: "reconciler deployments, history observations and controller events",
    sql: `
-- Every sync record a reconciler ever showed, kept when the cluster forgets it. key is
-- reconciler, target, basis and identity (deploymentKey): a record seen again is one row.
CREATE TABLE deployments (
  id INTEGER PRIMARY KEY,
  key TEXT NOT NULL UNIQUE,
  reconciler TEXT NOT NULL CHECK (reconciler IN ('argocd', 'flux-kustomization', 'flux-helmrelease', 'flux-v1')),
  cluster TEXT NOT NULL,
  namespace TEXT NOT NULL,
  name TEXT NOT NULL,
  basis TEXT NOT NULL,
  identity TEXT NOT NULL,
  source_repo TEXT,
  source_path TEXT,
  -- JSON array: the revisions as last seen (Flux moves a history entry's revision in place;
  -- every one ever seen is in deployment_revisions).
  revisions TEXT NOT NULL,
  commit_oid TEXT,
  started_at TEXT,
  finished_at TEXT NOT NULL,
  initiated_by TEXT,
  automated INTEGER,
  outcome TEXT NOT NULL CHECK (outcome IN ('succeeded', 'failed', 'error')),
  rollback INTEGER NOT NULL,
  evidence TEXT NOT NULL,
  detail TEXT NOT NULL,
  first_run_id INTEGER NOT NULL,
  changed_run_id INTEGER NOT NULL
);
CREATE INDEX deployments_target ON deployments (cluster, namespace, name, finished_at);
CREATE INDEX deployments_commit ON deployments (commit_oid);

CREATE TABLE deployment_revisions (
  deployment_id INTEGER NOT NULL REFERENCES deployments (id),
  revision TEXT NOT NULL,
  commit_oid TEXT,
  first_run_id INTEGER NOT NULL,
  PRIMARY KEY (deployment_id, revision)
) WITHOUT ROWID;

-- How far back each target's history reached when a run read it (SPEC P1): consecutive
-- observations of one target show whether entries were dropped between them.
CREATE TABLE reconciler_observations (
  reconciler TEXT NOT NULL,
  cluster TEXT NOT NULL,
  namespace TEXT NOT NULL,
  name TEXT NOT NULL,
  observed_at TEXT NOT NULL,
  -- The last read that found the history unchanged: one row per state, not per run.
  seen_until TEXT NOT NULL,
  run_id INTEGER NOT NULL,
  entries INTEGER NOT NULL,
  capacity INTEGER,
  horizon TEXT,
  newest TEXT,
  seq_min INTEGER,
  seq_max INTEGER,
  state TEXT,
  PRIMARY KEY (reconciler, cluster, namespace, name, observed_at)
) WITHOUT ROWID;

-- Controller events about reconciled objects, from the API or notification-controller.
CREATE TABLE reconciler_events (
  cluster TEXT NOT NULL,
  key TEXT NOT NULL,
  via TEXT NOT NULL CHECK (via IN ('api', 'webhook')),
  kind TEXT NOT NULL,
  namespace TEXT NOT NULL,
  name TEXT NOT NULL,
  reason TEXT NOT NULL,
  severity TEXT NOT NULL,
  message TEXT NOT NULL,
  revision TEXT,
  controller TEXT NOT NULL,
  first_at TEXT NOT NULL,
  last_at TEXT NOT NULL,
  count INTEGER NOT NULL,
  first_run_id INTEGER NOT NULL,
  PRIMARY KEY (cluster, key)
) WITHOUT ROWID;
CREATE INDEX reconciler_events_object ON reconciler_events (cluster, namespace, name, first_at);

-- History a run found dropped between two reads of a target (SPEC P1), as it found it.
CREATE TABLE reconciler_history_gaps (
  run_id INTEGER NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('missed', 'possibly-missed', 'before-first-collection', 'no-history')),
  reconciler TEXT NOT NULL,
  cluster TEXT NOT NULL,
  namespace TEXT NOT NULL,
  name TEXT NOT NULL,
  after TEXT,
  before TEXT NOT NULL,
  lost INTEGER,
  found_at TEXT NOT NULL,
  PRIMARY KEY (reconciler, cluster, namespace, name, found_at, kind)
) WITHOUT ROWID;

-- Exported record files imported here: the same file imported twice is refused as done.
CREATE TABLE reconciler_imports (
  sha256 TEXT PRIMARY KEY,
  run_id INTEGER NOT NULL,
  file TEXT NOT NULL,
  -- The run that wrote the file, as it described itself.
  origin TEXT NOT NULL
) WITHOUT ROWID;
`,
  },
  {
    version: 4,
    name: "base-branch force pushes seen on open pull requests",
    sql: `
-- Force pushes to a base branch recorded on the timeline of a pull request that was open when
-- read (merged pull requests' events are in gh_pr_events). GitHub records a base force push only
-- there; kept when the pull request is later closed or merged. base_ref: its base at the read.
CREATE TABLE gh_base_force_pushes (
  repo_id INTEGER NOT NULL,
  node_id TEXT NOT NULL,
  base_ref TEXT NOT NULL,
  pr_number INTEGER NOT NULL,
  actor_login TEXT,
  created_at TEXT NOT NULL,
  before_oid TEXT,
  after_oid TEXT,
  run_id INTEGER NOT NULL,
  PRIMARY KEY (repo_id, node_id)
) WITHOUT ROWID;
CREATE INDEX gh_base_force_pushes_at ON gh_base_force_pushes (created_at);
`,
  },
  {
    version: 5,
    name: "commits read on GitHub and the commits each review was seen on",
    sql: `
-- Protected-branch commits that no stored pull request lists among its commits (merge, squash
-- and rebased commits, direct pushes) are read from GitHub once: who GitHub says authored and
-- committed them and whether it verified their signature (SPEC C11). commit_read = 0: a row
-- from before this migration, which knew only the pull requests; it is read again. 1: read;
-- 2: asked, and GitHub does not have the commit.
ALTER TABLE gh_commit_lookups ADD COLUMN commit_read INTEGER NOT NULL DEFAULT 0;
ALTER TABLE gh_commit_lookups ADD COLUMN author_login TEXT;
ALTER TABLE gh_commit_lookups ADD COLUMN committer_login TEXT;
ALTER TABLE gh_commit_lookups ADD COLUMN signature_kind TEXT;
ALTER TABLE gh_commit_lookups ADD COLUMN signature_state TEXT;
ALTER TABLE gh_commit_lookups ADD COLUMN signature_valid INTEGER;
ALTER TABLE gh_commit_lookups ADD COLUMN signer_login TEXT;
-- JSON array of [name, email, login|null]: every author GitHub lists (co-authors included).
ALTER TABLE gh_commit_lookups ADD COLUMN authors TEXT;

-- Every commit a review was seen given on, by the run that first saw it: GitHub has been seen to
-- re-point a review to a later head, so the earliest one seen is the commit that was reviewed
-- (SPEC C3). Never cleared when a pull request is read again.
CREATE TABLE gh_review_commits (
  repo_id INTEGER NOT NULL,
  pr_number INTEGER NOT NULL,
  node_id TEXT NOT NULL,
  commit_oid TEXT NOT NULL,
  first_run_id INTEGER NOT NULL,
  PRIMARY KEY (repo_id, pr_number, node_id, commit_oid)
) WITHOUT ROWID;
INSERT INTO gh_review_commits (repo_id, pr_number, node_id, commit_oid, first_run_id)
  SELECT v.repo_id, v.pr_number, v.node_id, v.commit_oid, p.run_id
  FROM gh_reviews v JOIN gh_pull_requests p ON p.repo_id = v.repo_id AND p.number = v.pr_number
  WHERE v.commit_oid IS NOT NULL;
`,
  },
  {
    version: 6,
    name: "image references GitOps commits write, repositories' tags, snapshots' default branches",
    sql: `
-- The container image references a GitOps commit writes (SPEC C12), from its diff's added lines
-- and its automation's commit message; seq keeps their order. At most 100 per commit.
CREATE TABLE commit_image_refs (
  repo_id INTEGER NOT NULL,
  sha TEXT NOT NULL,
  seq INTEGER NOT NULL,
  image TEXT,
  tag TEXT,
  digest TEXT,
  source TEXT NOT NULL CHECK (source IN ('diff', 'message')),
  file TEXT,
  PRIMARY KEY (repo_id, sha, seq)
) WITHOUT ROWID;

-- Each GitOps commit read for image references, once: refs says how many it wrote; other_lines
-- how many changed lines are not image references (an image bump changes none); unreadable how
-- many added image lines name no reference changeproof can read; truncated, that the diff or its
-- references were cut at their limits. A store from before this migration has none, and its
-- GitOps commits are read on the next git run.
CREATE TABLE commit_image_scans (
  repo_id INTEGER NOT NULL,
  sha TEXT NOT NULL,
  refs INTEGER NOT NULL,
  other_lines INTEGER NOT NULL,
  unreadable INTEGER NOT NULL,
  truncated INTEGER NOT NULL,
  run_id INTEGER NOT NULL,
  PRIMARY KEY (repo_id, sha)
) WITHOUT ROWID;

-- Every tag a git run saw, peeled to its commit: a release tag names the commit an image was built
-- from (SPEC C12). A tag moved to another commit keeps both rows, so a moved tag is said, not guessed.
CREATE TABLE git_tags (
  repo_id INTEGER NOT NULL,
  name TEXT NOT NULL,
  sha TEXT NOT NULL,
  first_run_id INTEGER NOT NULL,
  last_run_id INTEGER NOT NULL,
  PRIMARY KEY (repo_id, name, sha)
) WITHOUT ROWID;

-- Every account GitHub tied to an identity the evidence meets, by the UTC day of what showed it:
-- source 'pr', a merged pull request's commit authors, committers and signers, its author, merger
-- and reviewers (day: its merge); 'lookup', a protected-branch commit GitHub was asked about (day:
-- the run that asked). Identity resolution reads a period's from here, not from every pull request
-- commit and review again. email and kind are '' when GitHub gave none.
CREATE TABLE gh_identities (
  source TEXT NOT NULL CHECK (source IN ('pr', 'lookup')),
  day TEXT NOT NULL,
  email TEXT NOT NULL,
  login TEXT NOT NULL,
  kind TEXT NOT NULL,
  PRIMARY KEY (source, day, email, login, kind)
) WITHOUT ROWID;
INSERT OR IGNORE INTO gh_identities (source, day, email, login, kind)
  SELECT 'pr', substr(p.merged_at, 1, 10), coalesce(json_extract(j.value, '$[1]'), ''), json_extract(j.value, '$[2]'), ''
  FROM gh_pull_requests p JOIN gh_pr_commits c ON c.repo_id = p.repo_id AND c.pr_number = p.number, json_each(c.authors) j
  WHERE p.state = 'MERGED' AND p.merged_at IS NOT NULL AND json_extract(j.value, '$[2]') IS NOT NULL;
INSERT OR IGNORE INTO gh_identities (source, day, email, login, kind)
  SELECT 'pr', substr(p.merged_at, 1, 10), coalesce(c.committer_email, ''), c.committer_login, ''
  FROM gh_pull_requests p JOIN gh_pr_commits c ON c.repo_id = p.repo_id AND c.pr_number = p.number
  WHERE p.state = 'MERGED' AND p.merged_at IS NOT NULL AND c.committer_login IS NOT NULL;
INSERT OR IGNORE INTO gh_identities (source, day, email, login, kind)
  SELECT 'pr', substr(p.merged_at, 1, 10), '', c.signer_login, ''
  FROM gh_pull_requests p JOIN gh_pr_commits c ON c.repo_id = p.repo_id AND c.pr_number = p.number
  WHERE p.state = 'MERGED' AND p.merged_at IS NOT NULL AND c.signer_login IS NOT NULL;
INSERT OR IGNORE INTO gh_identities (source, day, email, login, kind)
  SELECT 'pr', substr(p.merged_at, 1, 10), '', p.author_login, coalesce(p.author_kind, '')
  FROM gh_pull_requests p WHERE p.state = 'MERGED' AND p.merged_at IS NOT NULL AND p.author_login IS NOT NULL;
INSERT OR IGNORE INTO gh_identities (source, day, email, login, kind)
  SELECT 'pr', substr(p.merged_at, 1, 10), '', p.merged_by, ''
  FROM gh_pull_requests p WHERE p.state = 'MERGED' AND p.merged_at IS NOT NULL AND p.merged_by IS NOT NULL;
INSERT OR IGNORE INTO gh_identities (source, day, email, login, kind)
  SELECT 'pr', substr(p.merged_at, 1, 10), '', v.author_login, coalesce(v.author_kind, '')
  FROM gh_pull_requests p JOIN gh_reviews v ON v.repo_id = p.repo_id AND v.pr_number = p.number
  WHERE p.state = 'MERGED' AND p.merged_at IS NOT NULL AND v.author_login IS NOT NULL;
INSERT OR IGNORE INTO gh_identities (source, day, email, login, kind)
  SELECT 'lookup', substr(r.started_at, 1, 10), coalesce(json_extract(j.value, '$[1]'), ''), json_extract(j.value, '$[2]'), ''
  FROM gh_commit_lookups l JOIN collection_runs r ON r.id = l.run_id, json_each(coalesce(l.authors, '[]')) j
  WHERE json_extract(j.value, '$[2]') IS NOT NULL;
INSERT OR IGNORE INTO gh_identities (source, day, email, login, kind)
  SELECT 'lookup', substr(r.started_at, 1, 10), c.author_email, l.author_login, ''
  FROM gh_commit_lookups l JOIN collection_runs r ON r.id = l.run_id JOIN commits c ON c.repo_id = l.repo_id AND c.sha = l.oid
  WHERE l.author_login IS NOT NULL;
INSERT OR IGNORE INTO gh_identities (source, day, email, login, kind)
  SELECT 'lookup', substr(r.started_at, 1, 10), c.committer_email, l.committer_login, ''
  FROM gh_commit_lookups l JOIN collection_runs r ON r.id = l.run_id JOIN commits c ON c.repo_id = l.repo_id AND c.sha = l.oid
  WHERE l.committer_login IS NOT NULL;

-- The repository's default branch as GitHub named it when the snapshot was taken: a ruleset
-- targeting ~DEFAULT_BRANCH protects the branch it named then. NULL: a snapshot from before.
ALTER TABLE gh_snapshot_repos ADD COLUMN default_branch TEXT;
`,
  },
];
