import type { ExceptionEntry } from "../src/config/exceptions-register.js";
import type { PersonConfig } from "../src/config/schema.js";

/** The configuration the evidence and report benchmarks judge the generated store with. */

const pad = (n: number, w: number): string => String(n).padStart(w, "0");

/** The `people:` registry: service accounts, and 40 people with a second email each. */
export const people: PersonConfig[] = [
  { name: "GitHub", service: "web-flow", logins: ["web-flow"], emails: ["noreply@github.com"] },
  { name: "Renovate", service: "bot", logins: ["renovate[bot]"], emails: [] },
  { name: "Deploy automation", service: "automation", logins: ["deploy-bot"], emails: ["deploy@acme.example"] },
  ...Array.from({ length: 40 }, (_, k) => ({
    name: `Dev ${pad(k + 1, 3)}`,
    logins: [`dev${pad(k + 1, 3)}`],
    emails: [`dev${pad(k + 1, 3)}@acme.example`, `dev${pad(k + 1, 3)}@home.example`],
  })),
];

/** The accepted-exceptions register: 20 entries that match, 2 that match nothing. */
export const exceptions: ExceptionEntry[] = [
  ...Array.from(
    { length: 20 },
    (_, i): ExceptionEntry => ({
      change: `acme/svc-${pad(i, 2)}#${3 + i}`,
      ...(i % 2 === 0 ? { rule: "C1" as const } : {}),
      reason: "emergency fix, reviewed after the fact",
      approvedBy: "cto@acme.example",
      ticket: `INC-${1000 + i}`,
      reviewDue: "2026-10-15",
      ...(i % 3 === 0 ? { reviewedOn: "2026-10-10" } : {}),
      at: `bench-exceptions.yaml:${2 + i * 7}`,
    }),
  ),
  ...[0, 1].map(
    (i): ExceptionEntry => ({
      change: `acme/svc-0${i}#999999`,
      reason: "a typo",
      approvedBy: "cto@acme.example",
      ticket: "INC-1",
      reviewDue: "2026-11-01",
      at: `bench-exceptions.yaml:${200 + i * 7}`,
    }),
  ),
];
