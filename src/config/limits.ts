/**
 * A config file is small, but `config check` must survive one that is not: a 100 MB file, a FIFO,
 * /dev/zero, or a small file whose YAML is hostile. The yaml library keeps 0.3 to 2 KB of syntax
 * tree, error objects and (after zod) issues per token, so bytes alone do not bound memory: 1 MiB
 * of "]" takes 1.3 GB and 12 s. The text is therefore also counted in tokens, by the library's
 * own lexer, before a document is built.
 */

import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from "node:fs";
import { Lexer } from "yaml";
import { ConfigError, messageOf } from "../errors/index.js";

/**
 * Checked before a byte is read. Real configs meet the token limit long before this one, but
 * counting tokens needs the text in memory: this bounds how much text that is.
 */
export const MAX_CONFIG_BYTES = 1024 * 1024;

/**
 * About 850 repositories written out in full (name, source, role, branches), or 1,300 with only
 * name, source and role, take 40,000 tokens. Parsing and validating that many of the costliest
 * kind (a YAML error or a schema issue each) keeps `config check` near 150 MB.
 */
export const MAX_CONFIG_TOKENS = 40_000;

function tooLarge(file: string, size: string, what: string): ConfigError {
  return new ConfigError(
    `${file}: ${what} is too large: ${size}, the limit is ${MAX_CONFIG_BYTES} bytes (1 MiB)${what === "config" ? "; a config lists repositories and clusters, nothing bulkier" : ""}`,
  );
}

function kindOf(st: Stats): string {
  if (st.isDirectory()) return "a directory";
  if (st.isFIFO()) return "a named pipe";
  if (st.isCharacterDevice() || st.isBlockDevice()) return "a device";
  if (st.isSocket()) return "a socket";
  return "not a regular file";
}

/**
 * The text of a config file, read only when it is a regular file within the size limit: a pipe
 * or a device would block or never end, and reading a huge file whole is what the limit is for.
 * `shown` is the file's name as messages show it.
 */
export function readConfigText(file: string, shown: string, what = "config"): string {
  let fd: number;
  try {
    // Non-blocking, so that opening a FIFO with no writer returns at once instead of hanging.
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why =
      code === "ENOENT"
        ? what === "config"
          ? "no such file (copy config.example.yaml to start one, or pass --config)"
          : "no such file"
        : code === "EACCES"
          ? "permission denied"
          : messageOf(e);
    throw new ConfigError(`${shown}: cannot read ${what}: ${why}`, { cause: e });
  }
  try {
    // fstat, not stat: it describes the file actually opened, even if the path changed meanwhile.
    const st = fstatSync(fd);
    if (!st.isFile()) throw new ConfigError(`${shown}: cannot read ${what}: it is ${kindOf(st)}, not a file`);
    if (st.size > MAX_CONFIG_BYTES) throw tooLarge(shown, `${st.size} bytes`, what);
    // One byte more than the limit: a file that grew since fstat, or one whose size the kernel
    // reports as 0 (/proc), is still caught without reading it whole.
    const buf = Buffer.alloc(MAX_CONFIG_BYTES + 1);
    let total = 0;
    while (total < buf.length) {
      const n = readSync(fd, buf, total, buf.length - total, null);
      if (n === 0) break;
      total += n;
    }
    if (total > MAX_CONFIG_BYTES) throw tooLarge(shown, `more than ${MAX_CONFIG_BYTES} bytes`, what);
    return buf.toString("utf8", 0, total);
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    throw new ConfigError(`${shown}: cannot read ${what}: ${messageOf(e)}`, { cause: e });
  } finally {
    closeSync(fd);
  }
}

/**
 * Refuses text over either limit before the yaml library builds anything from it. The lexer is
 * a generator that keeps no tokens, so counting costs time, not memory, and stops at the limit.
 */
export function checkConfigBudget(text: string, shown: string, what = "config"): void {
  const bytes = Buffer.byteLength(text, "utf8");
  if (bytes > MAX_CONFIG_BYTES) throw tooLarge(shown, `${bytes} bytes`, what);
  let tokens = 0;
  for (const _ of new Lexer().lex(text)) {
    if (++tokens > MAX_CONFIG_TOKENS) {
      throw new ConfigError(
        `${shown}: ${what} is too complex: more than ${MAX_CONFIG_TOKENS} YAML tokens (keys, values, punctuation, line breaks); ` +
          "about 850 repositories take that many",
      );
    }
  }
}
