import { createPublicKey, randomBytes, verify } from "node:crypto";
import { DOCS } from "./errors.js";

/**
 * GitHub App authentication: the App signs a JWT (RS256, iss = App id, at most ten minutes ahead)
 * and trades it for an installation access token at POST /app/installations/:id/access_tokens.
 * The checks and refusals are GitHub's, so @octokit/auth-app's own handling (including its retry
 * after a clock-skew refusal, which reads the `date` header) meets what it meets in production.
 */

export interface FakeApp {
  appId: number;
  publicKeyPem: string;
  /** The App's slug; its installation's viewer is `<slug>[bot]`. Default `app-<appId>`. */
  slug?: string;
  installations: { id: number; org: string; permissions?: Record<string, "read" | "write"> }[];
}

export interface InstallationToken {
  token: string;
  app: FakeApp;
  installationId: number;
  org: string;
  expiresAt: Date;
}

export type Refusal = { status: number; body: Record<string, string> };

const refuse = (status: number, message: string, documentationUrl: string = DOCS.rest): Refusal => ({
  status,
  body: { message, documentation_url: documentationUrl, status: String(status) },
});

const NOT_A_JWT = "A JSON web token could not be decoded";

function decodeJson(part: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, "base64url").toString("utf8"));
    return value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The App a JWT proves, or GitHub's refusal. */
export function verifyAppJwt(
  apps: readonly FakeApp[],
  authorization: string | undefined,
  now: Date,
): FakeApp | Refusal {
  const match = /^bearer\s+(\S+)$/i.exec(authorization ?? "");
  const jwt = match?.[1];
  const parts = jwt?.split(".") ?? [];
  const [headerPart, payloadPart, signaturePart] = parts;
  if (parts.length !== 3 || !headerPart || !payloadPart || !signaturePart) return refuse(401, NOT_A_JWT);
  const header = decodeJson(headerPart);
  const payload = decodeJson(payloadPart);
  if (!header || !payload || header.alg !== "RS256") return refuse(401, NOT_A_JWT);
  const iss = typeof payload.iss === "string" ? Number(payload.iss) : payload.iss;
  const app = apps.find((a) => a.appId === iss);
  if (!app) return refuse(404, "Integration not found");
  let valid = false;
  try {
    valid = verify(
      "RSA-SHA256",
      Buffer.from(`${headerPart}.${payloadPart}`),
      createPublicKey(app.publicKeyPem),
      Buffer.from(signaturePart, "base64url"),
    );
  } catch {
    valid = false;
  }
  if (!valid) return refuse(401, NOT_A_JWT);
  const seconds = Math.floor(now.getTime() / 1000);
  const { iat, exp } = payload;
  if (typeof iat !== "number" || !Number.isInteger(iat) || iat > seconds) {
    return refuse(
      401,
      "'Issued at' claim ('iat') must be an Integer representing the time that the assertion was issued",
    );
  }
  if (typeof exp !== "number" || exp <= seconds) {
    return refuse(
      401,
      "'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires",
    );
  }
  if (exp > seconds + 600) return refuse(401, "'Expiration time' claim ('exp') is too far in the future");
  return app;
}

export function isRefusal(value: FakeApp | Refusal): value is Refusal {
  return "status" in value && "body" in value;
}

const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/** ghs_ + 36 characters, the classic installation-token shape. */
function tokenText(): string {
  const bytes = randomBytes(36);
  let out = "ghs_";
  for (const b of bytes) out += BASE62[b % BASE62.length];
  return out;
}

export class InstallationTokens {
  private readonly tokens = new Map<string, InstallationToken>();

  /** POST /app/installations/:id/access_tokens for an authenticated App. */
  mint(app: FakeApp, installationId: number, now: Date): { status: number; body: Record<string, unknown> } {
    const installation = app.installations.find((i) => i.id === installationId);
    if (!installation) return refuse(404, "Not Found", DOCS.installationToken);
    const expiresAt = new Date(Math.floor(now.getTime() / 1000) * 1000 + 3_600_000);
    const token = tokenText();
    this.tokens.set(token, { token, app, installationId, org: installation.org, expiresAt });
    return {
      status: 201,
      body: {
        token,
        // GitHub writes whole seconds.
        expires_at: expiresAt.toISOString().replace(/\.\d{3}Z$/, "Z"),
        permissions: installation.permissions ?? {
          members: "read",
          metadata: "read",
          contents: "read",
          pull_requests: "read",
          administration: "read",
        },
        repository_selection: "all",
      },
    };
  }

  /** The installation a token belongs to, while it is unexpired. */
  lookup(token: string, now: Date): InstallationToken | undefined {
    const found = this.tokens.get(token);
    return found && found.expiresAt.getTime() > now.getTime() ? found : undefined;
  }
}
