/**
 * The fetch the client hands to Octokit: a fresh timeout on every attempt (a retried request gets
 * its own, not the spent one of the first try), covering the body as well as the headers, and a
 * JSON body that does not parse (cut off mid-transfer) is a failure, not an empty answer: Octokit
 * itself would pass the broken text on as if it were data.
 */
export class BrokenBodyError extends Error {
  override name = "BrokenBodyError";
}

const NULL_BODY = new Set([101, 204, 205, 304]);

/** Told about every HTTP attempt, retries by the plugins included: the figures a run records. */
export interface AttemptObserver {
  /** Before sending; `authorization` is the header's value (to be masked wherever text is shown). */
  sending(authorization: string | undefined): void;
  /** The answer's status and headers, whatever the status. */
  answered(status: number, headers: Headers): void;
}

export function fetchWithTimeout(
  timeoutMs: number,
  observer?: AttemptObserver,
  inner: typeof fetch = globalThis.fetch,
): typeof fetch {
  return async (input, init) => {
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = init?.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
    observer?.sending(new Headers(init?.headers).get("authorization") ?? undefined);
    const res = await inner(input, { ...init, signal });
    observer?.answered(res.status, res.headers);
    let body: string | null = null;
    if (!NULL_BODY.has(res.status)) {
      try {
        body = await res.text();
      } catch (e) {
        // The headers came, then the connection broke: a broken answer, worth a retry; a
        // timeout while reading stays a timeout.
        if ((e as Error).name === "TimeoutError" || timeout.aborted) throw e;
        throw new BrokenBodyError(`the connection broke off mid-answer (${(e as Error).message})`, { cause: e });
      }
    }
    if (body !== null && /\bjson\b/i.test(res.headers.get("content-type") ?? "") && res.status < 300) {
      try {
        JSON.parse(body);
      } catch {
        throw new BrokenBodyError(`the response body was cut off or is not JSON (${body.length} bytes)`);
      }
    }
    return new Response(body, { status: res.status, statusText: res.statusText, headers: res.headers });
  };
}
