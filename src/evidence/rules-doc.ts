import type { RuleDoc } from "./finding.js";

/** docs/rules.md: every registered rule's documentation, in rule order. Generated, never edited. */
export function rulesMarkdown(docs: readonly RuleDoc[]): string {
  const order = (id: string): [string, number] => [id.replace(/\d+$/, ""), Number(/\d+$/.exec(id)?.[0] ?? 0)];
  const sorted = [...docs].sort((a, b) => {
    const [pa, na] = order(a.id);
    const [pb, nb] = order(b.id);
    return pa < pb ? -1 : pa > pb ? 1 : na - nb;
  });
  const out = [
    "# Evidence rules",
    "",
    "<!-- Generated from src/evidence/rules/ by `npm run docs`; edit the rules, not this file. -->",
    "",
    "| rule | title | subject | verdicts | SOC 2 |",
    "| --- | --- | --- | --- | --- |",
    ...sorted.map(
      (d) => `| ${d.id} | ${d.title} | ${d.subject} | ${d.verdicts.join(", ")} | ${d.criteria.join(", ")} |`,
    ),
  ];
  for (const d of sorted) {
    out.push(
      "",
      `## ${d.id}: ${d.title}`,
      "",
      `**Checks.** ${d.checks}`,
      "",
      `**Data.** ${d.data}`,
      "",
      `**How it is judged.** ${d.judged}`,
      "",
      `**Known limits.** ${d.limits}`,
      "",
      `**Verdicts:** ${d.verdicts.join(", ")} (and pass). **SOC 2:** ${d.criteria.join(", ")}.`,
    );
  }
  return `${out.join("\n")}\n`;
}
