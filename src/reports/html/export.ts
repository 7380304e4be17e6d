import { createHash } from "node:crypto";
import type { LinkedDeployment } from "../../evidence/deployments/linkage.js";
import type { PersonDuties } from "../../evidence/duties.js";
import { type Finding, isFinding } from "../../evidence/finding.js";
import type { ChangeKind } from "../../evidence/population.js";
import { deploymentSubject } from "../../evidence/rules/c9-deployed-unexplained.js";
import { groupBy } from "../../util/group-by.js";
import { visibleControls } from "../../util/visible.js";
import { type ChangeRow, kindLabel } from "../change-rows.js";
import { COLLECTION_KINDS, DEPLOYMENT_KINDS, timelineSvg } from "../charts/timeline.js";
import { weeklyReviewSvg } from "../charts/weekly-review.js";
import type { ExportWriter } from "../export-writer.js";
import type { ReportModel } from "../model.js";
import { presentable } from "../presentable.js";
import type { ReportPopulations } from "../spool.js";
import type { PageTemplate, Templates } from "./templates.js";

/**
 * The self-serve HTML export: an index with the summary and the pictures, four tables (changes,
 * findings, deployments, people) that filter, sort, search and page through any number of rows,
 * and one page per change, deployment and person. It works from a folder (file://) and from a
 * bucket: no external asset, no fetch, a CSP that allows only the export's own stylesheet and
 * script. Everything from git, GitHub or a cluster is escaped by handlebars ({{ }}) or set as
 * text by the table script; page names are hashes of the subject's id, never the id itself.
 */

export const CSP =
  "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; connect-src 'none'; base-uri 'none'; form-action 'none'";

/** Rows per data file: the first page of a table shows once the first file is read. */
export const CHUNK_ROWS = 2000;
/** Table cells longer than this are cut; the item's own page and the JSON hold the whole value. */
export const TABLE_CELL = 200;
/** Item pages show this much of one value (a 1 MB commit subject would take minutes to lay out). */
export const PAGE_TEXT = 20_000;

export type PageKind = "change" | "deployment" | "person";

/** The page of a change, deployment or person: a hash of its id, so no name from the data reaches the file system. */
export function pageOf(kind: PageKind, id: string): string {
  return `${kind}/${createHash("sha256").update(id).digest("hex").slice(0, 24)}.html`;
}

const cut = (s: string, n: number): string => (s.length <= n ? s : `${s.slice(0, n)}… [${s.length - n} more]`);

/** Verdict words of a finding or cell, with the register's marks. */
const verdictText = (v: { verdict: string; accepted?: { overdue: boolean } }): string =>
  v.accepted ? `${v.verdict} (accepted${v.accepted.overdue ? ", review overdue" : ""})` : v.verdict;

interface Column {
  title: string;
  type?: "text" | "num";
  cls?: string;
}

interface Filter {
  label: string;
  col: number;
  contains?: boolean;
  values: { value: string; label: string }[];
}

interface TableSpec<T> {
  name: "changes" | "findings" | "deployments" | "people";
  heading: string;
  intro: string;
  downloads: string[];
  columns: Column[];
  filters: Filter[];
  rows: Iterable<T>;
  count: number;
  /** [href, row class, ...cells]: cells as text. */
  row(x: T): (string | number)[];
}

/** A filter's choices: shown as the cells show them (controls made visible), so an exact match can match. */
const options = (values: Iterable<string>): Filter["values"] =>
  [...new Set([...values].map(visibleControls))].sort().map((v) => ({ value: v, label: v }));

export interface HtmlExportInput {
  model: ReportModel;
  populations: ReportPopulations;
  templates: Templates;
  out: ExportWriter;
}

export function writeHtmlExport({ model, populations, templates, out }: HtmlExportInput): void {
  out.file("assets/report.css", templates.css);
  out.file("assets/table.js", templates.script);
  const shown = presentable(model);
  const base = (root: string, pageTitle: string) => ({
    report: shown,
    root,
    csp: CSP,
    pageTitle: presentable(pageTitle),
    complete: model.coverage.gaps.length === 0,
    gapCount: model.coverage.gaps.length,
  });
  const page = (name: string, template: PageTemplate, context: object): void =>
    out.file(name, templates.render(template, context));

  const verdictsOf = groupBy(model.deployments.verdicts, (f) => f.subject.id);
  const deploymentsOf = deploymentsByChange(model.deployments.deployments, verdictsOf);
  const gitops = new Set(model.repos.filter((r) => r.role === "gitops").map((r) => r.name));

  page("index.html", "index.hbs", {
    ...base("", model.title),
    report: {
      ...shown,
      people: shown.people.map((p, i) => ({ ...p, page: pageOf("person", model.people[i]?.key ?? "") })),
      deployments: {
        ...shown.deployments,
        verdicts: shown.deployments.verdicts.flatMap((f, i) => {
          const raw = model.deployments.verdicts[i];
          return raw && isFinding(raw) ? [{ ...f, page: pageOf("deployment", raw.subject.id) }] : [];
        }),
      },
    },
    // Drawn from numbers, dates and fixed words only: inserted as markup.
    weeklyReviewSvg: weeklyReviewSvg(model.charts.weeklyReview),
    deploymentsSvg: timelineSvg(model.charts.deployments, DEPLOYMENT_KINDS),
    collectionSvg: timelineSvg(model.charts.collection, COLLECTION_KINDS),
    downloads: DOWNLOADS,
  });

  table(out, templates, base, changesTable(model, populations));
  table(out, templates, base, findingsTable(model, populations));
  table(out, templates, base, deploymentsTable(model, verdictsOf));
  table(out, templates, base, peopleTable(model));

  for (const c of populations.changes()) {
    page(pageOf("change", c.id), "change.hbs", {
      ...base("../", c.id),
      change: presentable({
        ...c,
        title: { text: cut(c.title, PAGE_TEXT), cut: Math.max(0, c.title.length - PAGE_TEXT) },
      }),
      commits: commitLinks(c).map((x) => ({ ...x, sha: visibleControls(x.sha) })),
      findings: presentable(populations.findingsOf("change", c.id)),
      deployments: presentable(deploymentsOf.get(c.id) ?? []),
      gitops: gitops.has(c.repo),
    });
  }
  const written = new Set<string>();
  for (const d of model.deployments.deployments) {
    const id = deploymentSubject(d).id;
    // Two records of one apply (same target, revision and time) are one subject: one page.
    if (written.has(id)) continue;
    written.add(id);
    page(pageOf("deployment", id), "deployment.hbs", {
      ...base("../", id),
      deployment: presentable(d),
      verdicts: presentable(verdictsOf.get(id) ?? []),
      introduced: presentable(
        (d.introduced?.changes ?? []).map((c) => ({ id: c.id, concerns: c.concerns, page: pageOf("change", c.id) })),
      ),
    });
  }
  for (const p of model.people) {
    page(pageOf("person", p.key), "person.hbs", {
      ...base("../", p.name),
      person: presentable(p),
      findings: presentable(populations.findingsOf("person", p.name)),
      // What the changes table shows of them: their login, else their name.
      search: encodeURIComponent(p.key.startsWith("login:") ? p.key.slice("login:".length) : p.name),
    });
  }
}

/** The downloads every page offers, in SPEC §4's names. */
const DOWNLOADS = [
  "changes.csv",
  "changes.json",
  "findings.csv",
  "findings.json",
  "deployments.csv",
  "deployments.json",
  "access.csv",
  "access.json",
  "people.csv",
  "people.json",
  "coverage.json",
];

function table<T>(
  out: ExportWriter,
  templates: Templates,
  base: (root: string, title: string) => object,
  spec: TableSpec<T>,
): void {
  let chunk: (string | number)[][] = [];
  let chunks = 0;
  const flush = (): void => {
    out.file(
      `data/${spec.name}-${String(chunks).padStart(4, "0")}.js`,
      `changeproofRows(${JSON.stringify(spec.name)},${chunks},${JSON.stringify(chunk)});\n`,
    );
    chunks++;
    chunk = [];
  };
  for (const x of spec.rows) {
    chunk.push(spec.row(x));
    if (chunk.length >= CHUNK_ROWS) flush();
  }
  if (chunk.length > 0) flush();
  out.file(
    `${spec.name}.html`,
    templates.render("table.hbs", {
      ...base("", `${spec.heading} · ${spec.count}`),
      name: spec.name,
      heading: spec.heading,
      intro: spec.intro,
      downloads: spec.downloads,
      columns: spec.columns,
      filters: spec.filters,
      chunks,
      rows: spec.count,
    }),
  );
}

function changesTable(model: ReportModel, pops: ReportPopulations): TableSpec<ChangeRow> {
  const findingWords = model.rules
    .filter((r) => model.changeRules.includes(r.id))
    .flatMap((r) =>
      Object.entries(r.counts)
        .filter(([v, n]) => n > 0 && isFinding({ verdict: v }))
        .map(([v]) => `${r.id} ${v}`),
    );
  return {
    name: "changes",
    heading: "Changes",
    intro: `Every change that landed on a protected branch in ${model.period.display}: ${model.totals.changes}. Open a change for its whole evidence chain.`,
    downloads: ["changes.csv", "changes.json"],
    columns: [
      { title: "Change", type: "text", cls: "id" },
      { title: "Landed (UTC)", type: "text", cls: "when" },
      { title: "Repository", type: "text" },
      { title: "Branch", type: "text" },
      { title: "Kind", type: "text", cls: "kind" },
      { title: "Title", type: "text", cls: "subject" },
      { title: "Author", type: "text" },
      { title: "Merged by", type: "text" },
      { title: "Findings", cls: "findings" },
    ],
    filters: [
      { label: "Repository", col: 2, values: options(model.branches.map((b) => b.repo)) },
      {
        label: "Kind",
        col: 4,
        values: options(model.branches.flatMap((b) => (Object.keys(b.counts) as ChangeKind[]).map(kindLabel))),
      },
      // Contains: a change's findings are one cell ("C1 not-reviewed; C3 stale").
      { label: "Finding", col: 8, contains: true, values: options(findingWords) },
    ],
    rows: pops.changes(),
    count: model.totals.changes,
    row: (raw) => {
      const c = presentable(raw);
      return [
        pageOf("change", raw.id),
        `kind-${raw.kind}${raw.droppedAt ? " dropped" : ""}`,
        c.id,
        c.landedAt.replace("T", " ").slice(0, 16),
        c.repo,
        c.branch,
        c.kindLabel,
        cut(c.title, TABLE_CELL),
        cut(c.author, TABLE_CELL),
        cut(c.mergedBy, TABLE_CELL),
        c.verdicts
          .filter(isFinding)
          .map((v) => `${v.rule} ${verdictText(v)}`)
          .join("; ") || "none",
      ];
    },
  };
}

function findingsTable(model: ReportModel, pops: ReportPopulations): TableSpec<Finding> {
  const pageFor = (f: Finding): string => {
    // A register entry that matched nothing names a change that is not in the period.
    if (f.rule === "register" && f.verdict === "unmatched") return "";
    if (f.subject.kind === "change") return pageOf("change", f.subject.id);
    if (f.subject.kind === "deployment") return pageOf("deployment", f.subject.id);
    if (f.subject.kind === "person") {
      const p = model.people.find((x) => x.name === f.subject.id);
      return p ? pageOf("person", p.key) : "";
    }
    return "";
  };
  const words = model.rules.flatMap((r) =>
    Object.entries(r.counts)
      .filter(([v, n]) => n > 0 && isFinding({ verdict: v }))
      .map(([v]) => v),
  );
  return {
    name: "findings",
    heading: "Findings",
    intro: `Every verdict other than pass and n/a: ${model.totals.findings}. A finding an approver accepted keeps its verdict and says so.`,
    downloads: ["findings.csv", "findings.json"],
    columns: [
      { title: "Subject", type: "text", cls: "id" },
      { title: "Rule", type: "text" },
      { title: "Verdict", type: "text" },
      { title: "Subject kind", type: "text" },
      { title: "Reason", type: "text", cls: "subject" },
      { title: "Criteria", type: "text" },
    ],
    filters: [
      { label: "Rule", col: 1, values: options([...model.rules.map((r) => r.id), "register"]) },
      { label: "Verdict", col: 2, contains: true, values: options([...words, "accepted", "overdue", "unmatched"]) },
      {
        label: "Subject",
        col: 3,
        values: options(["change", "branch", "deployment", "person", "repo", "org", "source"]),
      },
    ],
    rows: pops.findings(),
    count: model.totals.findings,
    row: (raw) => {
      const f = presentable(raw);
      return [
        pageFor(raw),
        "",
        cut(f.subject.id, TABLE_CELL),
        f.rule,
        verdictText(f),
        f.subject.kind,
        cut(f.reason, TABLE_CELL * 2),
        f.criteria.join(" "),
      ];
    },
  };
}

function deploymentsTable(model: ReportModel, verdictsOf: ReadonlyMap<string, Finding[]>): TableSpec<LinkedDeployment> {
  const verdict = (id: string, rule: string): string => verdictsOf.get(id)?.find((f) => f.rule === rule)?.verdict ?? "";
  const all = model.deployments.deployments;
  return {
    name: "deployments",
    heading: "Deployments",
    intro: `Every deployment of the period the reconcilers recorded: ${all.length}, each with what it introduced and C9 and C10's verdicts.`,
    downloads: ["deployments.csv", "deployments.json"],
    columns: [
      { title: "Deployment", type: "text", cls: "id" },
      { title: "At (UTC)", type: "text", cls: "when" },
      { title: "Target", type: "text" },
      { title: "Reconciler", type: "text" },
      { title: "Started by", type: "text" },
      { title: "Rollback", type: "text" },
      { title: "Changes introduced", type: "num", cls: "num" },
      { title: "C9", type: "text" },
      { title: "C10", type: "text" },
    ],
    filters: [
      { label: "Reconciler", col: 3, values: options(all.map((d) => d.reconciler)) },
      { label: "C9", col: 7, values: options(["unexplained", "pass"]) },
      { label: "C10", col: 8, values: options(["manual-rollback", "manual-off-branch", "manual-tip", "n/a"]) },
    ],
    rows: all,
    count: all.length,
    row: (raw) => {
      const d = presentable(raw);
      const id = deploymentSubject(raw).id;
      return [
        pageOf("deployment", id),
        "",
        cut(d.id, TABLE_CELL),
        d.at.replace("T", " ").slice(0, 16),
        cut(d.target, TABLE_CELL),
        d.reconciler,
        cut(d.initiatedBy ?? "", TABLE_CELL),
        d.rollback ? "yes" : "no",
        d.introduced ? d.introduced.changes.length : "",
        verdict(id, "C9"),
        verdict(id, "C10"),
      ];
    },
  };
}

function peopleTable(model: ReportModel): TableSpec<PersonDuties> {
  return {
    name: "people",
    heading: "People",
    intro: `Everyone who acted on a tracked repository in the period, what they did and what they may do (S1): ${model.people.length}.`,
    downloads: ["people.csv", "people.json"],
    columns: [
      { title: "Person", type: "text" },
      { title: "Service", type: "text" },
      { title: "Authored", type: "num", cls: "num" },
      { title: "Approved", type: "num", cls: "num" },
      { title: "Made reviewed", type: "num", cls: "num" },
      { title: "Merged", type: "num", cls: "num" },
      { title: "Manual syncs", type: "num", cls: "num" },
      { title: "Conflicts", type: "num", cls: "num" },
    ],
    filters: [{ label: "Service", col: 1, values: options(["bot", "automation", "web-flow"]) }],
    rows: model.people,
    count: model.people.length,
    row: (raw) => {
      const p = presentable(raw);
      return [
        pageOf("person", raw.key),
        p.conflicts.length > 0 ? "conflict" : "",
        cut(p.name, TABLE_CELL),
        p.service ?? "",
        p.authored,
        p.approved,
        p.approvedCounted,
        p.merged,
        p.deployed,
        p.conflicts.length,
      ];
    },
  };
}

/** For each change, the deployments of the period that introduced it. */
function deploymentsByChange(
  deployments: readonly LinkedDeployment[],
  verdictsOf: ReadonlyMap<string, Finding[]>,
): Map<string, { id: string; at: string; page: string; verdicts: string }[]> {
  const out = new Map<string, { id: string; at: string; page: string; verdicts: string }[]>();
  for (const d of deployments) {
    const id = deploymentSubject(d).id;
    const shown = {
      id,
      at: d.at,
      page: pageOf("deployment", id),
      verdicts: (verdictsOf.get(id) ?? [])
        .filter(isFinding)
        .map((f) => `${f.rule} ${f.verdict}`)
        .join(", "),
    };
    for (const c of d.introduced?.changes ?? []) {
      const list = out.get(c.id);
      if (list) list.push(shown);
      else out.set(c.id, [shown]);
    }
  }
  return out;
}

/** Each commit of a change, linked to GitHub when the change's pull request says where it lives. */
function commitLinks(c: ChangeRow): { sha: string; url: string | null }[] {
  const base = c.url
    ? /^(https:\/\/github\.com\/[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+)\/pull\/\d+$/.exec(c.url)?.[1]
    : undefined;
  return c.commits.map((sha) => ({
    sha,
    url: base && /^[0-9a-f]{40,64}$/.test(sha) ? `${base}/commit/${sha}` : null,
  }));
}
