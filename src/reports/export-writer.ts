import { createHash, type Hash } from "node:crypto";
import { closeSync, mkdirSync, openSync, readSync, writeSync } from "node:fs";
import path from "node:path";

/**
 * Writes a report's files under its folder, hashing each as it is written (the manifest needs
 * the SHA-256 and size of every file; an export of 100,000 changes holds as many pages, so they
 * are not read back). Names are checked against a fixed shape: every name is a fixed word, a
 * number or a hash, so nothing from the data reaches the file system.
 */

export interface WrittenFile {
  file: string;
  sha256: string;
  bytes: number;
}

/** Lower-case words, digits, dots, dashes and underscores, in folders: what fixed names and hashes look like. */
const SAFE_NAME = /^[a-z0-9][a-z0-9._-]{0,79}(\/[a-z0-9][a-z0-9._-]{0,79}){0,3}$/;

/** A text file written in pieces: buffered, so 100,000 small writes are a few hundred system calls. */
export interface TextOut {
  write(text: string): void;
  close(): void;
}

const FLUSH_AT = 1 << 20;

export class ExportWriter {
  readonly dir: string;
  readonly #files = new Map<string, WrittenFile>();
  readonly #dirs = new Set<string>();

  constructor(dir: string) {
    this.dir = dir;
    mkdirSync(dir, { recursive: true });
  }

  #path(name: string): string {
    if (!SAFE_NAME.test(name) || name.split("/").some((p) => p === "." || p === "..")) {
      throw new Error(`internal: report file name ${JSON.stringify(name)} is not a fixed name`);
    }
    if (this.#files.has(name)) throw new Error(`internal: report file ${name} written twice`);
    const full = path.join(this.dir, name);
    const parent = path.dirname(full);
    if (!this.#dirs.has(parent)) {
      mkdirSync(parent, { recursive: true });
      this.#dirs.add(parent);
    }
    return full;
  }

  /** A whole file at once. */
  file(name: string, content: string): void {
    const out = this.open(name);
    try {
      out.write(content);
    } finally {
      out.close();
    }
  }

  /** A file written in pieces. */
  open(name: string): TextOut {
    const full = this.#path(name);
    const fd = openSync(full, "w");
    const hash = createHash("sha256");
    let bytes = 0;
    let pending: string[] = [];
    let pendingLength = 0;
    // A string goes to the hash and the file as it is: no Buffer per file, whose memory lives
    // outside the heap until a collection (100,000 pages' worth of it at a time).
    const putText = (text: string): void => {
      hash.update(text, "utf8");
      const length = Buffer.byteLength(text, "utf8");
      const written = writeSync(fd, text, null, "utf8");
      bytes += length;
      if (written < length) {
        const rest = Buffer.from(text, "utf8");
        let off = written;
        while (off < rest.length) off += writeSync(fd, rest, off);
      }
    };
    const flush = (): void => {
      if (pending.length === 0) return;
      putText(pending.length === 1 ? (pending[0] ?? "") : pending.join(""));
      pending = [];
      pendingLength = 0;
    };
    return {
      write: (text: string) => {
        pending.push(text);
        pendingLength += text.length;
        if (pendingLength >= FLUSH_AT) flush();
      },
      // Closes the file whatever happened.
      close: () => {
        try {
          flush();
        } finally {
          closeSync(fd);
        }
        this.#record(name, hash, bytes);
      },
    };
  }

  /** A path for a writer that writes the file itself (pdfkit); `adopt` it once written. */
  pathFor(name: string): string {
    return this.#path(name);
  }

  /** Hashes a file written through `pathFor`. */
  adopt(name: string): void {
    const fd = openSync(path.join(this.dir, name), "r");
    const hash = createHash("sha256");
    const buf = Buffer.alloc(FLUSH_AT);
    let bytes = 0;
    try {
      for (let n = readSync(fd, buf); n > 0; n = readSync(fd, buf)) {
        hash.update(buf.subarray(0, n));
        bytes += n;
      }
    } finally {
      closeSync(fd);
    }
    this.#record(name, hash, bytes);
  }

  #record(name: string, hash: Hash, bytes: number): void {
    this.#files.set(name, { file: name, sha256: hash.digest("hex"), bytes });
  }

  /** Every file written, by name. */
  written(): WrittenFile[] {
    return [...this.#files.values()].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  }
}
