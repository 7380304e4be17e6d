/**
 * A Kubernetes API server on loopback that serves Argo CD and Flux custom resources and core/v1
 * Events the way kube-apiserver does for a read-only collector: list paths (all namespaces or one),
 * bearer tokens with per-resource RBAC and the real Status bodies (401, 403, 404, 400, 410),
 * chunked lists with opaque continue tokens read from a consistent snapshot, field selectors on
 * Events, discovery, /version, and faults switched on at runtime.
 */

import type { IncomingMessage, ServerResponse } from "node:http";
import { FaultController, type FaultKind, type KubeFault } from "./faults.js";
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
import { requestId } from "./ids.js";
import { findResource, KUBE_RESOURCES, type KubeResource, RESOURCE_INFO, type ResourceInfo } from "./resources.js";
import type { KubeObject } from "./types.js";

/** What a token may read (get and list). */
export interface KubeGrant {
  /** "*" for every resource; versions of one resource are one RBAC resource. */
  resource: KubeResource | "*";
  /** Only this namespace; absent: cluster-wide (every namespace and the all-namespaces list). */
  namespace?: string;
}

export interface FakeKubeToken {
  /** Recorded in requests; default: the token itself. */
  name?: string;
  /** Default "system:serviceaccount:changeproof:collector". */
  user?: string;
  allow: "all" | KubeGrant[];
}

export interface FakeKubeOptions {
  /** Accepted bearer tokens. The record is read on each request, so tests may change it. */
  tokens: Record<string, FakeKubeToken>;
  objects?: Partial<Record<KubeResource, KubeObject[]>>;
  /** Resources the cluster serves (CRDs installed); default: all. Others answer 404. */
  served?: readonly KubeResource[];
  /** The server returns at most this many items a page when the client sends a limit. */
  maxPageSize?: number;
  /**
   * Requests without a token act as system:anonymous (anonymous auth on, as on many clusters):
   * 403 on resources instead of 401. Default false.
   */
  anonymous?: boolean;
  /**
   * Body of a 404 for an unknown resource: "status" (default, a NotFound Status) or "text"
   * (`404 page not found`, what kube-apiserver's not-found handler writes for an unknown group).
   */
  notFound?: "status" | "text";
  /** Default "v1.31.4". */
  gitVersion?: string;
}

export interface RecordedKubeRequest {
  method: string;
  path: string;
  query: Record<string, string[]>;
  /** The token's name, null when none was sent or it is unknown. */
  token: string | null;
  resource: KubeResource | null;
  namespace: string | null;
  /** null when no answer was sent (dropped connection, or closed while slow). */
  status: number | null;
  fault?: FaultKind;
}

export interface FakeKube {
  /** http://127.0.0.1:<port> */
  url: string;
  close(): Promise<void>;
  requests: RecordedKubeRequest[];
  faults: FaultController<KubeFault>;
  /** Replace every object of a resource (and its other versions). */
  set(resource: KubeResource, objects: readonly KubeObject[]): void;
  /** Create or replace objects by namespace/name. */
  add(resource: KubeResource, ...objects: KubeObject[]): void;
  /** Delete one object; false if it did not exist. */
  remove(resource: KubeResource, namespace: string, name: string): boolean;
  /** Copies of the current objects, in etcd order. */
  objects(resource: KubeResource): KubeObject[];
  /** The current (etcd) resourceVersion; every change increments it. */
  readonly resourceVersion: string;
  /** Drops the snapshots behind continue tokens: continuing an old list then answers 410 Expired. */
  compact(): void;
  maxPageSize: number | undefined;
}

const DEFAULT_USER = "system:serviceaccount:changeproof:collector";
const CONTINUE_VERSION = "meta.k8s.io/v1";

export const EXPIRED_MESSAGE =
  "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.";
export const EXPIRED_MESSAGE_NO_TOKEN =
  "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.";

const REASONS: Record<number, string> = {
  400: "BadRequest",
  401: "Unauthorized",
  403: "Forbidden",
  404: "NotFound",
  405: "MethodNotAllowed",
  409: "Conflict",
  410: "Expired",
  429: "TooManyRequests",
  500: "InternalError",
  503: "ServiceUnavailable",
  504: "Timeout",
};

const DEFAULT_MESSAGES: Record<number, string> = {
  401: "Unauthorized",
  429: "Too many requests, please try again later.",
  500: "Internal error occurred: etcdserver: request timed out",
  503: "the server is currently unable to handle the request",
  504: "Timeout: request did not complete within requested timeout - context deadline exceeded",
};

export interface KubeStatus {
  kind: "Status";
  apiVersion: "v1";
  metadata: { continue?: string };
  status: "Failure";
  message: string;
  reason?: string;
  details?: { name?: string; group?: string; kind?: string; retryAfterSeconds?: number; causes?: unknown[] };
  code: number;
}

/** A metav1.Status failure body. */
export function kubeStatus(
  code: number,
  message: string,
  reason: string | undefined,
  details?: KubeStatus["details"],
  continueToken?: string,
): KubeStatus {
  const status: KubeStatus = {
    kind: "Status",
    apiVersion: "v1",
    metadata: continueToken ? { continue: continueToken } : {},
    status: "Failure",
    message,
    code,
  };
  if (reason) status.reason = reason;
  if (details) status.details = details;
  // Key order as the apiserver writes it: details before code.
  return reorder(status);
}

function reorder(s: KubeStatus): KubeStatus {
  const { code, ...rest } = s;
  return { ...rest, code };
}

interface Stored {
  key: string;
  obj: KubeObject;
}

interface ContinueToken {
  rv: number;
  start: string;
}

type Route =
  | { type: "version" }
  | { type: "api" }
  | { type: "apis" }
  | { type: "group"; group: string }
  | { type: "groupVersion"; group: string; version: string }
  | { type: "resource"; group: string; version: string; plural: string; namespace?: string; name?: string }
  | { type: "unknown" };

function route(path: string): Route {
  const parts = path.split("/").filter((p) => p.length > 0);
  const [root, ...rest] = parts;
  if (root === "version" && rest.length === 0) return { type: "version" };
  if (root === "api") {
    if (rest.length === 0) return { type: "api" };
    const [version, ...tail] = rest;
    if (version === undefined) return { type: "unknown" };
    if (tail.length === 0) return { type: "groupVersion", group: "", version };
    return resourceRoute("", version, tail);
  }
  if (root === "apis") {
    const [group, version, ...tail] = rest;
    if (group === undefined) return { type: "apis" };
    if (version === undefined) return { type: "group", group };
    if (tail.length === 0) return { type: "groupVersion", group, version };
    return resourceRoute(group, version, tail);
  }
  return { type: "unknown" };
}

function resourceRoute(group: string, version: string, tail: string[]): Route {
  const dec = (s: string) => decodeURIComponent(s);
  if (tail.length === 1 && tail[0]) return { type: "resource", group, version, plural: tail[0] };
  if (tail[0] === "namespaces" && tail[1] && tail[2] && tail.length <= 4) {
    const r: Route = { type: "resource", group, version, plural: tail[2], namespace: dec(tail[1]) };
    if (tail[3]) r.name = dec(tail[3]);
    return r;
  }
  return { type: "unknown" };
}

function keyOf(obj: KubeObject): string {
  return `${obj.metadata.namespace ?? ""}/${obj.metadata.name}`;
}

/** Byte order of etcd keys `/registry/<resource>/<ns>/<name>`. */
function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function encodeContinue(t: ContinueToken): string {
  return Buffer.from(JSON.stringify({ v: CONTINUE_VERSION, rv: t.rv, start: t.start }), "utf8").toString("base64url");
}

function decodeContinue(token: string): ContinueToken | string {
  if (!/^[A-Za-z0-9_-]+$/.test(token)) return "continue key is not valid: illegal base64 data";
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, "base64url").toString("utf8"));
  } catch (err) {
    return `continue key is not valid: ${err instanceof Error ? err.message : String(err)}`;
  }
  if (typeof parsed !== "object" || parsed === null) return "continue key is not valid: not an object";
  const { v, rv, start } = parsed as Record<string, unknown>;
  if (v !== CONTINUE_VERSION) return "continue key is not valid: server does not recognize this encoded version";
  if (typeof rv !== "number" || !Number.isInteger(rv) || rv === 0)
    return `continue key is not valid: incorrect encoded start resourceVersion (version ${CONTINUE_VERSION})`;
  if (typeof start !== "string" || start.length === 0) return "continue key is not valid: encoded start key empty";
  return { rv, start };
}

type FieldTerm = { field: string; op: "=" | "!="; value: string };

const EVENT_FIELDS: Record<string, (e: Record<string, unknown>) => string> = {
  "metadata.name": (e) => str(obj(e.metadata).name),
  "metadata.namespace": (e) => str(obj(e.metadata).namespace),
  "involvedObject.kind": (e) => str(obj(e.involvedObject).kind),
  "involvedObject.namespace": (e) => str(obj(e.involvedObject).namespace),
  "involvedObject.name": (e) => str(obj(e.involvedObject).name),
  "involvedObject.uid": (e) => str(obj(e.involvedObject).uid),
  "involvedObject.apiVersion": (e) => str(obj(e.involvedObject).apiVersion),
  "involvedObject.resourceVersion": (e) => str(obj(e.involvedObject).resourceVersion),
  "involvedObject.fieldPath": (e) => str(obj(e.involvedObject).fieldPath),
  reason: (e) => str(e.reason),
  reportingComponent: (e) => str(e.reportingComponent),
  source: (e) => str(obj(e.source).component) || str(e.reportingController),
  type: (e) => str(e.type),
};

const OBJECT_FIELDS: Record<string, (e: Record<string, unknown>) => string> = {
  "metadata.name": (e) => str(obj(e.metadata).name),
  "metadata.namespace": (e) => str(obj(e.metadata).namespace),
};

function obj(v: unknown): Record<string, unknown> {
  return typeof v === "object" && v !== null ? (v as Record<string, unknown>) : {};
}

function str(v: unknown): string {
  return typeof v === "string" ? v : "";
}

function parseFieldSelector(selector: string): FieldTerm[] | string {
  const terms: FieldTerm[] = [];
  for (const raw of selector.split(",")) {
    const term = raw.trim();
    if (term === "") continue;
    const m = /^([^=!]+)(==|=|!=)(.*)$/.exec(term);
    if (!m?.[1] || !m[2]) return `invalid selector: '${selector}'; can't understand '${term}'`;
    terms.push({ field: m[1].trim(), op: m[2] === "!=" ? "!=" : "=", value: (m[3] ?? "").trim() });
  }
  return terms;
}

class FakeKubeServer {
  readonly requests: RecordedKubeRequest[] = [];
  readonly faults = new FaultController<KubeFault>();
  private readonly stores = new Map<string, readonly Stored[]>();
  /** `<store>@<rv>` → the store's items when a paginated list was started at rv. */
  private readonly snapshots = new Map<string, readonly Stored[]>();
  private rv = 1_000_000;
  private readonly served: Set<KubeResource>;
  maxPageSize: number | undefined;
  signal: AbortSignal | undefined;
  private origin = "";

  constructor(private readonly options: FakeKubeOptions) {
    this.served = new Set(options.served ?? KUBE_RESOURCES);
    this.maxPageSize = options.maxPageSize;
    for (const [resource, objects] of Object.entries(options.objects ?? {}) as [KubeResource, KubeObject[]][])
      this.set(resource, objects);
  }

  setOrigin(url: string): void {
    this.origin = url;
  }

  get resourceVersion(): string {
    return String(this.rv);
  }

  // ---- model -----------------------------------------------------------------------------

  private validated(resource: KubeResource, o: KubeObject): Stored {
    if (!o.metadata?.name || !o.metadata.namespace)
      throw new Error(`fake kube: ${resource} objects need metadata.name and metadata.namespace`);
    const copy = structuredClone(o);
    return { key: keyOf(copy), obj: copy };
  }

  set(resource: KubeResource, objects: readonly KubeObject[]): void {
    const byKey = new Map<string, Stored>();
    for (const o of objects) {
      const s = this.validated(resource, o);
      byKey.set(s.key, s);
    }
    this.stores.set(
      RESOURCE_INFO[resource].store,
      [...byKey.values()].sort((a, b) => compareKeys(a.key, b.key)),
    );
    this.rv++;
  }

  add(resource: KubeResource, ...objects: KubeObject[]): void {
    const store = RESOURCE_INFO[resource].store;
    const byKey = new Map((this.stores.get(store) ?? []).map((s) => [s.key, s]));
    for (const o of objects) {
      const s = this.validated(resource, o);
      byKey.set(s.key, s);
    }
    this.stores.set(
      store,
      [...byKey.values()].sort((a, b) => compareKeys(a.key, b.key)),
    );
    this.rv++;
  }

  remove(resource: KubeResource, namespace: string, name: string): boolean {
    const store = RESOURCE_INFO[resource].store;
    const items = this.stores.get(store) ?? [];
    const key = `${namespace}/${name}`;
    const next = items.filter((s) => s.key !== key);
    if (next.length === items.length) return false;
    this.stores.set(store, next);
    this.rv++;
    return true;
  }

  objects(resource: KubeResource): KubeObject[] {
    return (this.stores.get(RESOURCE_INFO[resource].store) ?? []).map((s) => structuredClone(s.obj));
  }

  compact(): void {
    this.snapshots.clear();
  }

  // ---- HTTP ------------------------------------------------------------------------------

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://fake.invalid");
    const path = url.pathname;
    const query = queryOf(url);
    const r = route(path);
    const info = r.type === "resource" ? findResource(r.group, r.version, r.plural) : undefined;
    const token = bearerToken(req);
    const known = token === undefined ? undefined : this.options.tokens[token];
    const rec: RecordedKubeRequest = {
      method: req.method ?? "GET",
      path,
      query,
      token: known ? (known.name ?? token ?? null) : null,
      resource: info?.resource ?? null,
      namespace: r.type === "resource" ? (r.namespace ?? null) : null,
      status: null,
    };
    this.requests.push(rec);

    const hasContinue = url.searchParams.has("continue");
    const fault = this.faults.take(path, (f) => {
      if (f.resource !== undefined && f.resource !== info?.resource) return false;
      if (f.kind === "expireContinue") return hasContinue;
      return true;
    });
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
        : this.statusReply(
            kubeStatus(
              fault.code,
              fault.message ?? this.defaultMessage(fault.code, info, r, known?.user),
              fault.reason ?? REASONS[fault.code],
              fault.retryAfterSeconds !== undefined ? { retryAfterSeconds: fault.retryAfterSeconds } : undefined,
            ),
          );
      if (fault.retryAfterSeconds !== undefined) reply.headers["retry-after"] = String(fault.retryAfterSeconds);
    } else if (fault?.kind === "malformed") {
      reply = malformedReply(fault);
    } else if (fault?.kind === "expireContinue") {
      reply = this.expired(url.searchParams.get("continue") ?? "", fault.inconsistentToken ?? true);
    } else {
      reply = this.answer(req, url, r, info, token, known);
    }
    rec.status = reply.status;
    reply.headers["audit-id"] = requestId();
    send(res, reply, fault?.kind === "truncated" ? truncatePoint(reply, fault.bytes) : undefined);
  }

  private statusReply(status: KubeStatus): Reply {
    return jsonReply(status.code, status);
  }

  private defaultMessage(code: number, info: ResourceInfo | undefined, r: Route, user: string | undefined): string {
    if (code === 403 && r.type === "resource") {
      return this.forbidden(r.group, r.plural, r.namespace, r.name, user ?? DEFAULT_USER).message;
    }
    if (code === 404 && info) return `the server could not find the requested resource`;
    return DEFAULT_MESSAGES[code] ?? `fake failure (${code})`;
  }

  private answer(
    req: IncomingMessage,
    url: URL,
    r: Route,
    info: ResourceInfo | undefined,
    token: string | undefined,
    known: FakeKubeToken | undefined,
  ): Reply {
    // Authentication.
    if (token !== undefined && !known) return this.statusReply(kubeStatus(401, "Unauthorized", "Unauthorized"));
    if (token === undefined && !this.options.anonymous)
      return this.statusReply(kubeStatus(401, "Unauthorized", "Unauthorized"));
    const user = known ? (known.user ?? DEFAULT_USER) : "system:anonymous";

    if (r.type === "version") return jsonReply(200, this.versionInfo());
    if (!known) {
      // Anonymous: only public info (/version) is readable.
      if (r.type === "resource") return this.statusReply(this.forbidden(r.group, r.plural, r.namespace, r.name, user));
      return this.statusReply(
        kubeStatus(403, `forbidden: User "${user}" cannot get path "${url.pathname}"`, "Forbidden", {}),
      );
    }
    if (req.method !== "GET") {
      return this.statusReply(
        kubeStatus(405, "the server does not allow this method on the requested resource", "MethodNotAllowed", {}),
      );
    }
    switch (r.type) {
      case "api":
        return jsonReply(200, {
          kind: "APIVersions",
          versions: ["v1"],
          serverAddressByClientCIDRs: [
            { clientCIDR: "0.0.0.0/0", serverAddress: this.origin.replace(/^http:\/\//, "") },
          ],
        });
      case "apis":
        return jsonReply(200, { kind: "APIGroupList", apiVersion: "v1", groups: this.groups() });
      case "group": {
        const group = this.groups().find((g) => g.name === r.group);
        return group ? jsonReply(200, { kind: "APIGroup", apiVersion: "v1", ...group }) : this.notFound();
      }
      case "groupVersion":
        return this.resourceList(r.group, r.version);
      case "unknown":
        return this.notFound();
      case "resource":
        break;
    }

    // Authorization comes before the resource lookup, as in kube-apiserver.
    if (!this.allowed(known, r.group, r.plural, r.namespace))
      return this.statusReply(this.forbidden(r.group, r.plural, r.namespace, r.name, user));
    if (!info || !this.served.has(info.resource)) return this.notFound();
    if (r.name !== undefined) return this.getOne(info, r.namespace ?? "", r.name);
    return this.list(url, info, r.namespace);
  }

  private allowed(token: FakeKubeToken, group: string, plural: string, namespace: string | undefined): boolean {
    if (token.allow === "all") return true;
    return token.allow.some((g) => {
      if (g.resource !== "*") {
        const info = RESOURCE_INFO[g.resource];
        if (info.group !== group || info.plural !== plural) return false;
      }
      return g.namespace === undefined || g.namespace === namespace;
    });
  }

  private forbidden(
    group: string,
    plural: string,
    namespace: string | undefined,
    name: string | undefined,
    user: string,
  ): KubeStatus {
    const groupResource = group ? `${plural}.${group}` : plural;
    const verb = name === undefined ? "list" : "get";
    const scope = namespace === undefined ? "at the cluster scope" : `in the namespace "${namespace}"`;
    const subject = name === undefined ? groupResource : `${groupResource} "${name}"`;
    const details: NonNullable<KubeStatus["details"]> = {};
    if (name !== undefined) details.name = name;
    if (group) details.group = group;
    details.kind = plural;
    return kubeStatus(
      403,
      `${subject} is forbidden: User "${user}" cannot ${verb} resource "${plural}" in API group "${group}" ${scope}`,
      "Forbidden",
      details,
    );
  }

  private notFound(): Reply {
    if (this.options.notFound === "text") return textReply(404, "404 page not found\n", "text/plain; charset=utf-8");
    return this.statusReply(kubeStatus(404, "the server could not find the requested resource", "NotFound", {}));
  }

  private expired(token: string, inconsistent: boolean): Reply {
    if (!inconsistent) return this.statusReply(kubeStatus(410, EXPIRED_MESSAGE_NO_TOKEN, "Expired"));
    const decoded = decodeContinue(token);
    const start = typeof decoded === "string" ? "\u0000" : decoded.start;
    return this.statusReply(kubeStatus(410, EXPIRED_MESSAGE, "Expired", undefined, encodeContinue({ rv: -1, start })));
  }

  private versionInfo() {
    const gitVersion = this.options.gitVersion ?? "v1.31.4";
    const m = /^v(\d+)\.(\d+)/.exec(gitVersion);
    return {
      major: m?.[1] ?? "1",
      minor: m?.[2] ?? "31",
      gitVersion,
      gitCommit: "a78aa47129b8539636eb86a9d00e31b2720fe06b",
      gitTreeState: "clean",
      buildDate: "2024-12-10T18:44:51Z",
      goVersion: "go1.22.9",
      compiler: "gc",
      platform: "linux/amd64",
    };
  }

  private servedInfos(): ResourceInfo[] {
    return [...this.served].map((r) => RESOURCE_INFO[r]);
  }

  private groups() {
    const byGroup = new Map<string, string[]>();
    for (const i of this.servedInfos()) {
      if (i.group === "") continue;
      const versions = byGroup.get(i.group) ?? [];
      if (!versions.includes(i.version)) versions.push(i.version);
      byGroup.set(i.group, versions);
    }
    return [...byGroup].map(([name, versions]) => {
      // Kubernetes orders versions GA first, then beta, then alpha; newest first within each.
      const sorted = [...versions].sort((a, b) => versionRank(b) - versionRank(a));
      const gv = (v: string) => ({ groupVersion: `${name}/${v}`, version: v });
      return { name, versions: sorted.map(gv), preferredVersion: gv(sorted[0] ?? "v1") };
    });
  }

  private resourceList(group: string, version: string): Reply {
    const infos = this.servedInfos().filter((i) => i.group === group && i.version === version);
    if (infos.length === 0) return this.notFound();
    const resources = infos.flatMap((i) => [
      {
        name: i.plural,
        singularName: i.singular,
        namespaced: true,
        kind: i.kind,
        verbs: ["delete", "deletecollection", "get", "list", "patch", "create", "update", "watch"],
        shortNames: i.shortNames,
      },
      ...(i.group === ""
        ? []
        : [
            {
              name: `${i.plural}/status`,
              singularName: "",
              namespaced: true,
              kind: i.kind,
              verbs: ["get", "patch", "update"],
            },
          ]),
    ]);
    return jsonReply(200, {
      kind: "APIResourceList",
      apiVersion: "v1",
      groupVersion: group ? `${group}/${version}` : version,
      resources,
    });
  }

  /** An object as served: custom resources carry the requested apiVersion and kind. */
  private present(info: ResourceInfo, o: KubeObject, inList: boolean): unknown {
    const { apiVersion: _a, kind: _k, ...rest } = o;
    if (info.group === "" && inList) return rest;
    return { apiVersion: info.apiVersion, kind: info.kind, ...rest };
  }

  private getOne(info: ResourceInfo, namespace: string, name: string): Reply {
    const found = (this.stores.get(info.store) ?? []).find((s) => s.key === `${namespace}/${name}`);
    if (!found) {
      const details: NonNullable<KubeStatus["details"]> = { name };
      if (info.group) details.group = info.group;
      details.kind = info.plural;
      return this.statusReply(kubeStatus(404, `${info.groupResource} "${name}" not found`, "NotFound", details));
    }
    return jsonReply(200, this.present(info, found.obj, false));
  }

  private badRequest(message: string): Reply {
    return this.statusReply(kubeStatus(400, message, "BadRequest"));
  }

  private list(url: URL, info: ResourceInfo, namespace: string | undefined): Reply {
    const params = url.searchParams;
    const watch = params.get("watch");
    if (watch === "true" || watch === "1") return this.badRequest("the fake API server does not serve watch requests");

    const limitText = params.get("limit");
    let limit = 0;
    if (limitText !== null && limitText !== "") {
      if (!/^-?\d+$/.test(limitText)) return this.badRequest(`invalid value for limit: "${limitText}"`);
      limit = Number(limitText);
    }
    if (limit > 0 && this.maxPageSize !== undefined && this.maxPageSize > 0) limit = Math.min(limit, this.maxPageSize);

    const fieldSelector = params.get("fieldSelector") ?? "";
    const terms = parseFieldSelector(fieldSelector);
    if (typeof terms === "string") return this.badRequest(terms);
    const fields = info.group === "" ? EVENT_FIELDS : OBJECT_FIELDS;
    for (const t of terms) if (!fields[t.field]) return this.badRequest(`field label not supported: ${t.field}`);
    const filtered = terms.length > 0 || (params.get("labelSelector") ?? "") !== "";

    const continueText = params.get("continue");
    let base: readonly Stored[];
    let listRv: number;
    let start = "";
    if (continueText) {
      const rvParam = params.get("resourceVersion");
      if (rvParam !== null && rvParam !== "")
        return this.badRequest("specifying resource version is not allowed when using continue");
      const token = decodeContinue(continueText);
      if (typeof token === "string") return this.badRequest(`invalid continue token: ${token}`);
      start = token.start;
      if (token.rv === -1) {
        base = this.stores.get(info.store) ?? [];
        listRv = this.rv;
      } else {
        const snap = this.snapshots.get(`${info.store}@${token.rv}`);
        if (!snap) return this.expired(continueText, true);
        base = snap;
        listRv = token.rv;
      }
    } else {
      base = this.stores.get(info.store) ?? [];
      listRv = this.rv;
    }

    const matching = base.filter(
      (s) =>
        (namespace === undefined || s.obj.metadata.namespace === namespace) &&
        compareKeys(s.key, start) >= 0 &&
        terms.every((t) => {
          const value = fields[t.field]?.(s.obj as unknown as Record<string, unknown>) ?? "";
          return t.op === "=" ? value === t.value : value !== t.value;
        }),
    );
    const page = limit > 0 ? matching.slice(0, limit) : matching;
    const rest = matching.length - page.length;
    const metadata: { resourceVersion: string; continue?: string; remainingItemCount?: number } = {
      resourceVersion: String(listRv),
    };
    const last = page.at(-1);
    if (rest > 0 && last) {
      this.snapshots.set(`${info.store}@${listRv}`, base);
      metadata.continue = encodeContinue({ rv: listRv, start: `${last.key}\u0000` });
      if (!filtered) metadata.remainingItemCount = rest;
    }
    return jsonReply(200, {
      apiVersion: info.apiVersion,
      kind: `${info.kind}List`,
      metadata,
      items: page.map((s) => this.present(info, s.obj, true)),
    });
  }
}

function versionRank(v: string): number {
  const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
  if (!m) return 0;
  const major = Number(m[1]);
  const stage = m[2] === undefined ? 3 : m[2] === "beta" ? 2 : 1;
  return stage * 1_000_000 + major * 1_000 + Number(m[3] ?? 0);
}

/** Starts a fake Kubernetes API server on 127.0.0.1 (random port, plain http). */
export async function startFakeKube(options: FakeKubeOptions): Promise<FakeKube> {
  const fake = new FakeKubeServer(options);
  const listening = await listen((req, res) => fake.handle(req, res));
  fake.signal = listening.signal;
  fake.setOrigin(listening.url);
  return {
    url: listening.url,
    close: () => listening.close(),
    requests: fake.requests,
    faults: fake.faults,
    set: (resource, objects) => fake.set(resource, objects),
    add: (resource, ...objects) => fake.add(resource, ...objects),
    remove: (resource, namespace, name) => fake.remove(resource, namespace, name),
    objects: (resource) => fake.objects(resource),
    get resourceVersion() {
      return fake.resourceVersion;
    },
    compact: () => fake.compact(),
    get maxPageSize() {
      return fake.maxPageSize;
    },
    set maxPageSize(value: number | undefined) {
      fake.maxPageSize = value;
    },
  };
}
