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
];
