import { execFileSync, spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";

/**
 * Builds real git repositories with a controlled history: who authored and committed what, when,
 * how it was merged, and whether it was signed. The demo organisation and the tests use it, so a
 * reader sees each case built in code.
 */

export interface Person {
  name: string;
  email: string;
}

export interface SshSigningKey {
  kind: "ssh";
  /** Private key file; its .pub sits beside it. */
  keyFile: string;
}

export interface GpgSigningKey {
  kind: "gpg";
  gnupgHome: string;
  keyId: string;
}

export type SigningKey = SshSigningKey | GpgSigningKey;

export interface CommitOptions {
  author?: Person;
  committer?: Person;
  /** Files to write (path -> content) before committing. */
  files?: Record<string, string>;
  /** Author and committer date; default: the repo's clock, advanced one hour per commit. */
  at?: Date;
  committedAt?: Date;
  sign?: SigningKey;
}

export const GITHUB_WEB: Person = { name: "GitHub", email: "noreply@github.com" };

const baseEnv: NodeJS.ProcessEnv = {
  PATH: process.env.PATH,
  HOME: process.env.HOME,
  GIT_CONFIG_NOSYSTEM: "1",
  GIT_CONFIG_GLOBAL: "/dev/null",
  GIT_TERMINAL_PROMPT: "0",
  LC_ALL: "C",
};

export class RepoFactory {
  private clock: number;

  private constructor(
    readonly dir: string,
    readonly defaultAuthor: Person,
    start: Date,
  ) {
    this.clock = start.getTime();
  }

  /** A new non-bare repository with `branch` as its default branch. */
  static init(dir: string, opts: { branch?: string; author: Person; start: Date }): RepoFactory {
    mkdirSync(dir, { recursive: true });
    const repo = new RepoFactory(dir, opts.author, opts.start);
    repo.git(["init", "--quiet", "--initial-branch", opts.branch ?? "main"]);
    repo.git(["config", "commit.gpgsign", "false"]);
    return repo;
  }

  git(args: readonly string[], env: NodeJS.ProcessEnv = {}, input?: string): string {
    return execFileSync("git", [...args], {
      cwd: this.dir,
      env: { ...baseEnv, ...env },
      encoding: "utf8",
      input,
      stdio: ["pipe", "pipe", "pipe"],
      maxBuffer: 64 * 1024 * 1024,
    }).trim();
  }

  private tick(at?: Date): Date {
    if (at) {
      this.clock = Math.max(this.clock, at.getTime());
      return at;
    }
    this.clock += 3600_000;
    return new Date(this.clock);
  }

  private identityEnv(author: Person, committer: Person, at: Date, committedAt: Date): NodeJS.ProcessEnv {
    return {
      GIT_AUTHOR_NAME: author.name,
      GIT_AUTHOR_EMAIL: author.email,
      GIT_AUTHOR_DATE: `${Math.floor(at.getTime() / 1000)} +0000`,
      GIT_COMMITTER_NAME: committer.name,
      GIT_COMMITTER_EMAIL: committer.email,
      GIT_COMMITTER_DATE: `${Math.floor(committedAt.getTime() / 1000)} +0000`,
    };
  }

  private signArgs(key: SigningKey | undefined): { args: string[]; env: NodeJS.ProcessEnv } {
    if (!key) return { args: [], env: {} };
    if (key.kind === "ssh") {
      return { args: ["-c", "gpg.format=ssh", "-c", `user.signingkey=${key.keyFile}`], env: {} };
    }
    return {
      args: ["-c", "gpg.format=openpgp", "-c", `user.signingkey=${key.keyId}`],
      env: { GNUPGHOME: key.gnupgHome },
    };
  }

  write(files: Record<string, string>): void {
    for (const [rel, content] of Object.entries(files)) {
      const file = path.join(this.dir, rel);
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, content);
    }
    this.git(["add", "--all"]);
  }

  /** Commits (allowing an empty tree change) and returns the new commit id. */
  commit(message: string, opts: CommitOptions = {}): string {
    if (opts.files) this.write(opts.files);
    const author = opts.author ?? this.defaultAuthor;
    const at = this.tick(opts.at);
    const env = this.identityEnv(author, opts.committer ?? author, at, opts.committedAt ?? at);
    const sign = this.signArgs(opts.sign);
    this.git(
      [...sign.args, "commit", "--quiet", "--allow-empty", ...(opts.sign ? ["-S"] : []), "-F", "-"],
      { ...env, ...sign.env },
      message,
    );
    return this.head();
  }

  head(ref = "HEAD"): string {
    return this.git(["rev-parse", ref]);
  }

  checkout(branch: string, opts: { create?: boolean; from?: string } = {}): void {
    this.git(["checkout", "--quiet", ...(opts.create ? ["-b", branch] : [branch]), ...(opts.from ? [opts.from] : [])]);
  }

  /** A merge commit of `branch` into the current branch (GitHub's "Create a merge commit"). */
  mergeCommit(branch: string, message: string, opts: CommitOptions = {}): string {
    const author = opts.author ?? this.defaultAuthor;
    const at = this.tick(opts.at);
    const env = this.identityEnv(author, opts.committer ?? GITHUB_WEB, at, opts.committedAt ?? at);
    this.git(["merge", "--quiet", "--no-ff", "--no-edit", "-m", message, branch], env);
    return this.head();
  }

  /** One new commit with the branch's combined changes (GitHub's "Squash and merge"). */
  squashMerge(branch: string, message: string, opts: CommitOptions = {}): string {
    this.git(["merge", "--quiet", "--squash", branch]);
    return this.commit(message, { committer: GITHUB_WEB, ...opts });
  }

  /** The branch's commits replayed onto the current branch (GitHub's "Rebase and merge"). */
  rebaseMerge(branch: string, opts: CommitOptions = {}): string[] {
    const base = this.head();
    const shas = this.git(["rev-list", "--reverse", `${base}..${branch}`])
      .split("\n")
      .filter(Boolean);
    for (const sha of shas) {
      const at = this.tick(opts.at);
      const original = this.git(["log", "-1", "--format=%an%x00%ae%x00%at", sha]).split("\0");
      const env = this.identityEnv(
        { name: original[0] ?? "", email: original[1] ?? "" },
        opts.committer ?? GITHUB_WEB,
        new Date(Number(original[2]) * 1000),
        at,
      );
      this.git(["cherry-pick", "--quiet", "--allow-empty", sha], env);
    }
    return this.git(["rev-list", "--reverse", `${base}..HEAD`])
      .split("\n")
      .filter(Boolean);
  }

  /** Points `branch` at `sha` whatever it held before: a force push. */
  forceMove(branch: string, sha: string): void {
    const current = this.git(["symbolic-ref", "--short", "HEAD"]);
    if (current === branch) this.git(["reset", "--quiet", "--hard", sha]);
    else this.git(["update-ref", `refs/heads/${branch}`, sha]);
  }
}

/** An ed25519 key made on the spot for SSH commit signing. */
export function makeSshSigningKey(dir: string, comment: string): SshSigningKey {
  mkdirSync(dir, { recursive: true });
  const keyFile = path.join(dir, "signing_ed25519");
  execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", keyFile], { stdio: "ignore" });
  return { kind: "ssh", keyFile };
}

/** A passphrase-less OpenPGP key in its own GNUPGHOME, for GPG commit signing. */
export function makeGpgSigningKey(dir: string, who: Person): GpgSigningKey {
  const gnupgHome = path.join(dir, "gnupg");
  mkdirSync(gnupgHome, { recursive: true, mode: 0o700 });
  const env = { ...process.env, GNUPGHOME: gnupgHome };
  execFileSync(
    "gpg",
    [
      "--batch",
      "--quiet",
      "--passphrase",
      "",
      "--quick-gen-key",
      `${who.name} <${who.email}>`,
      "ed25519",
      "sign",
      "never",
    ],
    {
      env,
      stdio: "ignore",
    },
  );
  const out = execFileSync("gpg", ["--batch", "--with-colons", "--list-secret-keys"], {
    env,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "ignore"],
  });
  const fpr = out
    .split("\n")
    .find((l) => l.startsWith("fpr:"))
    ?.split(":")[9];
  if (!fpr) throw new Error("gpg made no key");
  return { kind: "gpg", gnupgHome, keyId: fpr };
}

export interface GeneratedHistory {
  commits: number;
  branch: string;
}

/**
 * A large history written through `git fast-import` (seconds for 100,000 commits): a main line
 * where every `mergeEvery`-th commit merges a one-commit side branch, like merged pull requests.
 */
export async function generateHistory(
  dir: string,
  opts: { commits: number; mergeEvery?: number; branch?: string; start?: Date },
): Promise<GeneratedHistory> {
  mkdirSync(dir, { recursive: true });
  const branch = opts.branch ?? "main";
  execFileSync("git", ["init", "--quiet", "--bare", "--initial-branch", branch], { cwd: dir, env: baseEnv });
  const child = spawn("git", ["fast-import", "--quiet", "--done"], {
    cwd: dir,
    env: baseEnv,
    stdio: ["pipe", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  const done = new Promise<void>((resolve, reject) => {
    child.on("close", (code) => (code === 0 ? resolve() : reject(new Error(`fast-import failed: ${stderr}`))));
  });
  const mergeEvery = opts.mergeEvery ?? 5;
  let t = Math.floor((opts.start ?? new Date("2020-01-01T00:00:00Z")).getTime() / 1000);
  let mark = 0;
  let count = 0;
  let chunk = "";
  const flush = async (): Promise<void> => {
    if (!child.stdin.write(chunk)) await new Promise((r) => child.stdin.once("drain", r));
    chunk = "";
  };
  const people = [
    "Alice Example <alice@example.com>",
    "Bob Example <bob@example.com>",
    "Carol Example <carol@example.com>",
  ];
  let lastMain = 0;
  while (count < opts.commits) {
    const who = people[count % people.length];
    if (count > 0 && count % mergeEvery === 0 && count + 2 <= opts.commits) {
      mark++;
      const side = mark;
      chunk += `commit refs/heads/side\nmark :${side}\nauthor ${who} ${t} +0000\ncommitter ${who} ${t} +0000\ndata <<EOT\nfeature ${count}\n\nSigned-off-by: ${who}\nEOT\nfrom :${lastMain}\nM 644 inline side/f${count % 100}.txt\ndata <<EOT\n${count}\nEOT\n\n`;
      t += 60;
      mark++;
      chunk += `commit refs/heads/${branch}\nmark :${mark}\nauthor ${who} ${t} +0000\ncommitter GitHub <noreply@github.com> ${t} +0000\ndata <<EOT\nMerge pull request #${count} from example/side-${count}\nEOT\nfrom :${lastMain}\nmerge :${side}\n\n`;
      lastMain = mark;
      count += 2;
    } else {
      mark++;
      chunk += `commit refs/heads/${branch}\nmark :${mark}\nauthor ${who} ${t} +0000\ncommitter ${who} ${t} +0000\ndata <<EOT\nchange ${count}\n\nCo-authored-by: Dave Example <dave@example.com>\nEOT\n${lastMain ? `from :${lastMain}\n` : ""}M 644 inline f${count % 100}.txt\ndata <<EOT\n${count}\nEOT\n\n`;
      lastMain = mark;
      count++;
    }
    t += 60;
    if (chunk.length > 1 << 16) await flush();
  }
  chunk += "done\n";
  await flush();
  child.stdin.end();
  await done;
  execFileSync("git", ["update-ref", "-d", "refs/heads/side"], { cwd: dir, env: baseEnv });
  return { commits: count, branch };
}
