import { spawn } from "node:child_process";
import { GitError } from "../../errors/index.js";
import { redact } from "../../util/redact.js";

/**
 * git run directly, for the bulk walk (simple-git buffers whole outputs, which costs memory that
 * grows with history). The environment never lets git prompt: a cron job has nobody to answer.
 */
export const gitEnv: NodeJS.ProcessEnv = {
  ...process.env,
  GIT_TERMINAL_PROMPT: "0",
  GIT_SSH_COMMAND: process.env.GIT_SSH_COMMAND ?? "ssh -o BatchMode=yes",
  LC_ALL: "C",
};

/**
 * simple-git refuses environments that could run arbitrary programs; it gets only what git needs
 * to reach a remote: the path, home, credentials helpers the operator set, proxies and ssh.
 */
export const simpleGitEnv: Record<string, string> = Object.fromEntries(
  Object.entries(gitEnv).filter(
    (e): e is [string, string] =>
      typeof e[1] === "string" &&
      /^(PATH|HOME|USER|LC_ALL|TMPDIR|SSH_AUTH_SOCK|GIT_TERMINAL_PROMPT|GIT_SSH_COMMAND|GIT_ASKPASS|SSL_CERT_FILE|SSL_CERT_DIR|GIT_SSL_CAINFO|(HTTPS?|NO|ALL)_PROXY|(https?|no|all)_proxy)$/.test(
        e[0],
      ),
  ),
);

/** Flags that pin git's output whatever the user's own git config says. */
export const pinnedConfig = [
  "-c",
  "log.showSignature=false",
  "-c",
  "i18n.logOutputEncoding=UTF-8",
  "-c",
  "core.quotePath=false",
  "-c",
  "log.mailmap=false",
];

export interface GitRun {
  stdout: NodeJS.ReadableStream;
  /** Resolves when git exits; rejects with a GitError naming `what` if it failed. */
  done: Promise<void>;
  /** Stop git early (the reader gave up); `done` then settles without throwing. */
  stop(): Promise<void>;
}

/** Where git runs: against a git directory, or in a folder (to ask git what the folder is). */
export type GitAt = string | { cwd: string };

/** Spawn git with stdout as a stream; stdin gets `input` if given. */
export function streamGit(at: GitAt, args: string[], what: string, input?: string): GitRun {
  const where = typeof at === "string" ? ["--git-dir", at] : [];
  const child = spawn("git", [...where, ...pinnedConfig, ...args], {
    ...(typeof at === "string" ? {} : { cwd: at.cwd }),
    env: gitEnv,
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.setEncoding("utf8");
  child.stderr.on("data", (d: string) => {
    if (stderr.length < 4096) stderr += d;
  });
  child.stdin.on("error", () => {
    // git may exit before reading all input; its exit status tells what went wrong
  });
  child.stdin.end(input ?? "");
  const done = new Promise<void>((resolve, reject) => {
    child.on("error", (e) =>
      reject(new GitError("E_GIT_SPAWN", `${what}: cannot run git: ${e.message}`, { cause: e })),
    );
    child.on("close", (code, signal) => {
      if (code === 0) resolve();
      else {
        const first = redact(stderr.trim().split("\n")[0] ?? "");
        reject(
          new GitError(
            "E_GIT",
            `${what}: git ${args[0]} failed (${signal ?? `exit ${code}`})${first ? `: ${first}` : ""}`,
          ),
        );
      }
    });
  });
  return {
    stdout: child.stdout,
    done,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      await done.catch(() => undefined);
    },
  };
}

/** Run git to completion and return its stdout (for small outputs only). */
export async function runGit(at: GitAt, args: string[], what: string, input?: string): Promise<string> {
  const run = streamGit(at, args, what, input);
  const chunks: Buffer[] = [];
  for await (const c of run.stdout) chunks.push(c as Buffer);
  await run.done;
  return Buffer.concat(chunks).toString("utf8");
}

/** Exit status of a git command that answers yes/no by status (0 yes, 1 no). */
export function gitStatus(gitDir: string, args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn("git", ["--git-dir", gitDir, ...args], { env: gitEnv, stdio: "ignore" });
    child.on("error", reject);
    child.on("close", (code) => resolve(code ?? 128));
  });
}
