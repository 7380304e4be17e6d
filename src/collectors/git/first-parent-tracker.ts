/**
 * Finds a branch's first-parent chain while its commits stream past, so no second walk over
 * history is needed: when the commit it expects arrives it is on the chain, and the tracker
 * expects that commit's first parent next. git's default order normally shows a child before its
 * parents; when clock skew shows a parent first, the tracker stops short of `stop` and says so
 * (`complete` is false), and the caller walks the rest from the store.
 */
export class FirstParentTracker {
  private expected: string;

  constructor(
    readonly branch: string,
    tip: string,
    /** The previous tip (exclusive), or "" to follow the chain to the root. */
    private readonly stop: string,
  ) {
    this.expected = tip === stop ? "" : tip;
  }

  /** True when commit `sha` is on the chain (the caller records membership). */
  see(sha: string, firstParent: string): boolean {
    if (sha !== this.expected) return false;
    const next = firstParent;
    this.expected = next === this.stop ? "" : next;
    return true;
  }

  /** Whether the whole chain down to `stop` (or the root) has been seen. */
  get complete(): boolean {
    return this.expected === "";
  }
}
