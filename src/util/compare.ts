/**
 * Strings in code-unit order: the same on every machine and locale (localeCompare is not), which
 * sorted outputs and hashes over sorted ids need.
 */
export const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
