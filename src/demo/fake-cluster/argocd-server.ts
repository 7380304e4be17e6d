/**
 * An Argo CD API server on loopback, for the read-only calls a collector makes:
 * `GET /api/v1/applications` (full Applications, no pagination, RBAC-filtered by project),
 * `GET /api/v1/applications/{name}` and `GET /api/version`. Errors are grpc-gateway JSON
 * (`{"error","code","message"}` with the gRPC code) as Argo CD answers them; faults are switched
 * on at runtime with the same controller as the Kubernetes fake.
 */

import type { IncomingMessage, ServerResponse } from "node:http";
import { type ArgoCdFault, FaultController, type FaultKind } from "./faults.js";
import {
  bearerToken,
  delay,
  jsonReply,
  listen,
  malformedReply,
  queryOf,
  type Reply,
  send,
  textReply,
  truncatePoint,
} from "./http.js";
import type { KubeObject } from "./types.js";

export interface FakeArgoCdToken {
  /** Recorded in requests; default: the token itself. */
  name?: string;
  /** Default "admin". */
  user?: string;
  /** Projects whose applications it may get; others are silently left out of lists. */
  projects: "all" | string[];
  /** The JWT has expired: 401. */
  expired?: boolean;
}

export interface FakeArgoCdOptions {
  /** Accepted tokens (`Authorization: Bearer <t>` or cookie `argocd.token=<t>`); read on each request. */
  tokens: Record<string, FakeArgoCdToken>;
  /** Applications (argoApplication() objects, or any Application-shaped object). */
  applications?: KubeObject[];
  /** Default "v2.14.2+ad27246". */
  version?: string;
  /**
   * Whether list items carry apiVersion/kind. Default false: Argo CD lists its informer's objects,
   * whose TypeMeta client-go leaves empty (UNVERIFIED; clients must not depend on either).
   */
  itemTypeMeta?: boolean;
}

export interface RecordedArgoCdRequest {
  method: string;
  path: string;
  query: Record<string, string[]>;
  /** The token's name, null when none was sent or it is unknown. */
  token: string | null;
  /** null when no answer was sent. */
  status: number | null;
  fault?: FaultKind;
}

export interface FakeArgoCd {
  /** http://127.0.0.1:<port> */
  url: string;
  close(): Promise<void>;
  requests: RecordedArgoCdRequest[];
  faults: FaultController<ArgoCdFault>;
  /** Replace every application. */
  set(applications: readonly KubeObject[]): void;
  /** Create or replace applications by namespace/name. */
  add(...applications: KubeObject[]): void;
  remove(namespace: string, name: string): boolean;
  /** Copies of the current applications. */
  applications(): KubeObject[];
}

/** grpc-gateway error body. */
export interface GrpcError {
  error: string;
  code: number;
  message: string;
}

export function grpcError(message: string, code: number): GrpcError {
  return { error: message, code, message };
}

/** gRPC code for an HTTP status, as grpc-gateway maps them back. */
function grpcCode(http: number): number {
  const codes: Record<number, number> = {
    400: 3,
    401: 16,
    403: 7,
    404: 5,
    409: 6,
    412: 9,
    429: 8,
    499: 1,
    500: 13,
    501: 12,
    503: 14,
    504: 4,
  };
  return codes[http] ?? 2;
}

const DEFAULT_MESSAGES: Record<number, string> = {
  401: "invalid session: token signature is invalid",
  403: "permission denied",
  429: "too many requests",
  500: "rpc error: code = Internal desc = internal error",
  503: "rpc error: code = Unavailable desc = connection error",
  504: "context deadline exceeded",
};

/** What Argo CD's server answers for paths outside /api: the UI. */
const INDEX_HTML =
  '<!doctype html><html lang="en"><head><meta charset="UTF-8"><title>Argo CD</title><base href="/"></head><body><noscript><p>Your browser does not support JavaScript. Please enable JavaScript to view the site. Alternatively, Argo CD can be used with the <a href="https://argoproj.github.io/argo-cd/cli_installation/">Argo CD CLI</a>.</p></noscript><div id="app"></div></body></html>';

interface StoredApp {
  key: string;
  obj: KubeObject;
}

function field(o: unknown, ...path: string[]): unknown {
  let v: unknown = o;
  for (const p of path) v = typeof v === "object" && v !== null ? (v as Record<string, unknown>)[p] : undefined;
  return v;
}

function projectOf(app: KubeObject): string {
  const p = field(app, "spec", "project");
  return typeof p === "string" && p !== "" ? p : "default";
}

function repoURLs(app: KubeObject): string[] {
  const urls: string[] = [];
  const single = field(app, "spec", "source", "repoURL");
  if (typeof single === "string") urls.push(single);
  const sources = field(app, "spec", "sources");
  if (Array.isArray(sources))
    for (const s of sources) if (typeof field(s, "repoURL") === "string") urls.push(String(field(s, "repoURL")));
  return urls;
}

class FakeArgoCdServer {
  readonly requests: RecordedArgoCdRequest[] = [];
  readonly faults = new FaultController<ArgoCdFault>();
  private apps: readonly StoredApp[] = [];
  private rv = 40_000;
  signal: AbortSignal | undefined;

  constructor(private readonly options: FakeArgoCdOptions) {
    this.set(options.applications ?? []);
  }

  private stored(o: KubeObject): StoredApp {
    if (!o.metadata?.name) throw new Error("fake Argo CD: applications need metadata.name");
    const copy = structuredClone(o);
    return { key: `${copy.metadata.namespace ?? "argocd"}/${copy.metadata.name}`, obj: copy };
  }

  set(applications: readonly KubeObject[]): void {
    this.apps = [...new Map(applications.map((a) => this.stored(a)).map((s) => [s.key, s])).values()];
    this.rv++;
  }

  add(...applications: KubeObject[]): void {
    const byKey = new Map(this.apps.map((s) => [s.key, s]));
    for (const a of applications) {
      const s = this.stored(a);
      byKey.set(s.key, s);
    }
    this.apps = [...byKey.values()];
    this.rv++;
  }

  remove(namespace: string, name: string): boolean {
    const next = this.apps.filter((s) => s.key !== `${namespace}/${name}`);
    if (next.length === this.apps.length) return false;
    this.apps = next;
    this.rv++;
    return true;
  }

  applications(): KubeObject[] {
    return this.apps.map((s) => structuredClone(s.obj));
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://fake.invalid");
    const path = url.pathname;
    const token = bearerToken(req) ?? cookieToken(req);
    const known = token === undefined ? undefined : this.options.tokens[token];
    const rec: RecordedArgoCdRequest = {
      method: req.method ?? "GET",
      path,
      query: queryOf(url),
      token: known ? (known.name ?? token ?? null) : null,
      status: null,
    };
    this.requests.push(rec);

    const fault = this.faults.take(path, () => true);
    if (fault) rec.fault = fault.kind;
    if (fault?.kind === "dropConnection") {
      req.socket.destroy();
      return;
    }
    if (fault?.kind === "slow" && this.signal && !(await delay(fault.delayMs, this.signal))) return;

    let reply: Reply;
    if (fault?.kind === "status") {
      reply = fault.rawBody
        ? textReply(fault.code, fault.rawBody, "text/html")
        : jsonReply(
            fault.code,
            grpcError(
              fault.message ?? DEFAULT_MESSAGES[fault.code] ?? `fake failure (${fault.code})`,
              grpcCode(fault.code),
            ),
          );
      if (fault.retryAfterSeconds !== undefined) reply.headers["retry-after"] = String(fault.retryAfterSeconds);
    } else if (fault?.kind === "malformed") {
      reply = malformedReply(fault);
    } else {
      reply = this.answer(req, url, token, known);
    }
    rec.status = reply.status;
    send(res, reply, fault?.kind === "truncated" ? truncatePoint(reply, fault.bytes) : undefined);
  }

  private answer(req: IncomingMessage, url: URL, token: string | undefined, known: FakeArgoCdToken | undefined): Reply {
    const path = url.pathname.replace(/\/+$/, "");
    if (!path.startsWith("/api/")) return textReply(200, INDEX_HTML, "text/html; charset=utf-8");
    if (req.method !== "GET") return jsonReply(405, grpcError("Method Not Allowed", 12));

    if (path === "/api/version") {
      const version = this.options.version ?? "v2.14.2+ad27246";
      if (!known || known.expired) return jsonReply(200, { Version: version });
      return jsonReply(200, {
        Version: version,
        BuildDate: "2025-02-06T15:06:05Z",
        GitCommit: "ad2724661b66ede607db9b5bd4c3c26491f5be67",
        GitTreeState: "clean",
        GoVersion: "go1.23.3",
        Compiler: "gc",
        Platform: "linux/amd64",
        KustomizeVersion: "v5.4.3 2024-07-19T16:40:33Z",
        HelmVersion: "v3.16.3+gcfd0749",
        KubectlVersion: "v0.31.0",
        JsonnetVersion: "v0.20.0",
      });
    }

    if (token === undefined) return jsonReply(401, grpcError("no session information", 16));
    if (!known) return jsonReply(401, grpcError("invalid session: token signature is invalid", 16));
    if (known.expired)
      return jsonReply(401, grpcError("invalid session: token has invalid claims: token is expired", 16));

    if (path === "/api/v1/applications") return this.list(url, known);
    const one = /^\/api\/v1\/applications\/([^/]+)$/.exec(path);
    if (one?.[1]) return this.getOne(decodeURIComponent(one[1]), url, known);
    return jsonReply(404, grpcError("Not Found", 5));
  }

  private permitted(token: FakeArgoCdToken, app: KubeObject): boolean {
    return token.projects === "all" || token.projects.includes(projectOf(app));
  }

  private present(app: KubeObject): unknown {
    if (this.options.itemTypeMeta) return { ...app, apiVersion: "argoproj.io/v1alpha1", kind: "Application" };
    const { apiVersion: _a, kind: _k, ...rest } = app;
    return rest;
  }

  private list(url: URL, token: FakeArgoCdToken): Reply {
    const q = url.searchParams;
    const name = q.get("name");
    const appNamespace = q.get("appNamespace");
    const repo = q.get("repo");
    const projects = q.getAll("projects").length > 0 ? q.getAll("projects") : q.getAll("project");
    const items = this.apps
      .map((s) => s.obj)
      .filter(
        (a) =>
          this.permitted(token, a) &&
          (!appNamespace || a.metadata.namespace === appNamespace) &&
          (!name || a.metadata.name === name) &&
          (projects.length === 0 || projects.includes(projectOf(a))) &&
          (!repo || repoURLs(a).includes(repo)),
      )
      .sort((a, b) =>
        a.metadata.name === b.metadata.name
          ? (a.metadata.namespace ?? "").localeCompare(b.metadata.namespace ?? "")
          : a.metadata.name < b.metadata.name
            ? -1
            : 1,
      );
    return jsonReply(200, { metadata: { resourceVersion: String(this.rv) }, items: items.map((a) => this.present(a)) });
  }

  private getOne(name: string, url: URL, token: FakeArgoCdToken): Reply {
    const namespace = url.searchParams.get("appNamespace") || "argocd";
    const app = this.apps.find((s) => s.key === `${namespace}/${name}`)?.obj;
    if (app && this.permitted(token, app)) return jsonReply(200, this.present(app));
    // Argo CD does not reveal whether an app it will not show exists.
    if (!app && token.projects === "all")
      return jsonReply(404, grpcError(`applications.argoproj.io "${name}" not found`, 5));
    return jsonReply(403, grpcError("permission denied", 7));
  }
}

function cookieToken(req: IncomingMessage): string | undefined {
  const cookie = req.headers.cookie;
  if (!cookie) return undefined;
  for (const part of cookie.split(";")) {
    const [k, ...v] = part.trim().split("=");
    if (k === "argocd.token") return v.join("=");
  }
  return undefined;
}

/** Starts a fake Argo CD API server on 127.0.0.1 (random port, plain http). */
export async function startFakeArgoCd(options: FakeArgoCdOptions): Promise<FakeArgoCd> {
  const fake = new FakeArgoCdServer(options);
  const listening = await listen((req, res) => fake.handle(req, res));
  fake.signal = listening.signal;
  return {
    url: listening.url,
    close: () => listening.close(),
    requests: fake.requests,
    faults: fake.faults,
    set: (applications) => fake.set(applications),
    add: (...applications) => fake.add(...applications),
    remove: (namespace, name) => fake.remove(namespace, name),
    applications: () => fake.applications(),
  };
}
