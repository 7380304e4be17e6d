// SPEC §3's order: change management (C), then access (A), separation of duties (S),
// completeness (P), then the register's own findings; by number within each.
const FAMILY: Record<string, number> = { C: 0, A: 1, S: 2, P: 3 };

/** Where a rule id sorts in every output: C1..C12, A1..A4, S1, P1, then anything else. */
export function ruleOrder(id: string): number {
  const m = /^([A-Z])(\d+)$/.exec(id);
  if (!m) return 10_000;
  return (FAMILY[m[1] as string] ?? 9) * 1000 + Number(m[2]);
}
