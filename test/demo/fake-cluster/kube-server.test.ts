import { afterEach, describe, expect, it } from "vitest";
import {
  EXPIRED_MESSAGE,
  EXPIRED_MESSAGE_NO_TOKEN,
  type FakeKube,
  type FakeKubeOptions,
  RESOURCE_INFO,
  startFakeKube,
} from "../../../src/demo/fake-cluster/index.js";
import { app, get, ks, ksEvent } from "./helpers.js";

const APPS = "/apis/argoproj.io/v1alpha1/applications";
const KS = "/apis/kustomize.toolkit.fluxcd.io/v1/kustomizations";
const EVENTS = "/api/v1/events";
const COLLECTOR = 'User "system:serviceaccount:changeproof:collector"';

let fake: FakeKube | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

const tokens: FakeKubeOptions["tokens"] = {
  admin: { allow: "all" },
  "flux-only": {
    name: "flux reader",
    allow: [{ resource: "kustomizations.kustomize.toolkit.fluxcd.io/v1" }, { resource: "events" }],
  },
  "team-a": { allow: [{ resource: "applications.argoproj.io/v1alpha1", namespace: "team-a" }] },
};

async function start(options: Partial<FakeKubeOptions> = {}): Promise<FakeKube> {
  fake = await startFakeKube({
    tokens,
    objects: {
      "applications.argoproj.io/v1alpha1": [app("web"), app("api"), app("billing", "team-a")],
      "kustomizations.kustomize.toolkit.fluxcd.io/v1": [ks("apps"), ks("infra")],
    },
    ...options,
  });
  return fake;
}

/** Follows continue tokens to the end; the names of every item seen, page by page. */
async function listAll(f: FakeKube, path: string, limit: number, between?: (page: number) => void) {
  const pages: string[][] = [];
  let token = "";
  for (;;) {
    const sep = path.includes("?") ? "&" : "?";
    const cont = token ? `&continue=${encodeURIComponent(token)}` : "";
    const { status, body } = await get(f.url, `${path}${sep}limit=${limit}${cont}`, "admin");
    expect(status).toBe(200);
    pages.push(body.items.map((i: { metadata: { namespace: string; name: string } }) => i.metadata.name));
    token = body.metadata.continue ?? "";
    if (!token) return pages;
    between?.(pages.length);
  }
}

describe("authentication and authorization", () => {
  it("401 Status without a token and with an unknown one", async () => {
    const f = await start();
    const unauthorized = {
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message: "Unauthorized",
      reason: "Unauthorized",
      code: 401,
    };
    expect(await get(f.url, APPS)).toMatchObject({ status: 401, body: unauthorized });
    expect(await get(f.url, APPS, "stolen")).toMatchObject({ status: 401, body: unauthorized });
    expect(f.requests.map((r) => [r.token, r.status])).toEqual([
      [null, 401],
      [null, 401],
    ]);
  });

  it("403 with kube-apiserver's message at the cluster scope and in a namespace", async () => {
    const f = await start();
    const cluster = await get(f.url, APPS, "flux-only");
    expect(cluster.status).toBe(403);
    expect(cluster.body).toEqual({
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message: `applications.argoproj.io is forbidden: ${COLLECTOR} cannot list resource "applications" in API group "argoproj.io" at the cluster scope`,
      reason: "Forbidden",
      details: { group: "argoproj.io", kind: "applications" },
      code: 403,
    });
    const namespaced = await get(f.url, "/apis/argoproj.io/v1alpha1/namespaces/argocd/applications", "team-a");
    expect(namespaced.status).toBe(403);
    expect(namespaced.body.message).toBe(
      `applications.argoproj.io is forbidden: ${COLLECTOR} cannot list resource "applications" in API group "argoproj.io" in the namespace "argocd"`,
    );
    const events = await get(f.url, "/api/v1/namespaces/argocd/events", "team-a");
    expect(events.body.message).toBe(
      `events is forbidden: ${COLLECTOR} cannot list resource "events" in API group "" in the namespace "argocd"`,
    );
    expect(events.body.details).toEqual({ kind: "events" });
  });

  it("a namespace grant lists that namespace only; a cluster-wide grant covers every namespace", async () => {
    const f = await start();
    const own = await get(f.url, "/apis/argoproj.io/v1alpha1/namespaces/team-a/applications", "team-a");
    expect(own.status).toBe(200);
    expect(own.body.items.map((i: { metadata: { name: string } }) => i.metadata.name)).toEqual(["billing"]);
    expect((await get(f.url, APPS, "team-a")).status).toBe(403);
    expect(
      (await get(f.url, "/apis/kustomize.toolkit.fluxcd.io/v1/namespaces/x/kustomizations", "flux-only")).status,
    ).toBe(200);
    expect(f.requests.map((r) => [r.token, r.resource, r.namespace])).toEqual([
      ["team-a", "applications.argoproj.io/v1alpha1", "team-a"],
      ["team-a", "applications.argoproj.io/v1alpha1", null],
      ["flux reader", "kustomizations.kustomize.toolkit.fluxcd.io/v1", "x"],
    ]);
  });

  it("anonymous mode: no token is system:anonymous, forbidden but allowed /version", async () => {
    const f = await start({ anonymous: true });
    const res = await get(f.url, KS);
    expect(res.status).toBe(403);
    expect(res.body.message).toContain('User "system:anonymous" cannot list resource "kustomizations"');
    expect((await get(f.url, "/version")).status).toBe(200);
  });
});

describe("resources, lists and objects", () => {
  it("404 Status for a resource the cluster does not serve, after authorization", async () => {
    const f = await start({ served: ["kustomizations.kustomize.toolkit.fluxcd.io/v1", "events"] });
    const notFound = {
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message: "the server could not find the requested resource",
      reason: "NotFound",
      details: {},
      code: 404,
    };
    expect(await get(f.url, APPS, "admin")).toMatchObject({ status: 404, body: notFound });
    expect(await get(f.url, "/apis/kustomize.toolkit.fluxcd.io/v1beta1/kustomizations", "admin")).toMatchObject({
      status: 404,
      body: notFound,
    });
    expect(await get(f.url, "/apis/example.com/v1/widgets", "admin")).toMatchObject({ status: 404, body: notFound });
    // RBAC is checked first: a token without the right sees 403, not whether the CRD exists.
    expect((await get(f.url, "/apis/kustomize.toolkit.fluxcd.io/v1beta1/kustomizations", "team-a")).status).toBe(403);
  });

  it("404 as plain text when configured like the apiserver's not-found handler", async () => {
    const f = await start({ notFound: "text" });
    const res = await fetch(`${f.url}/apis/example.com/v1/widgets`, { headers: { authorization: "Bearer admin" } });
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toContain("text/plain");
    expect(await res.text()).toBe("404 page not found\n");
  });

  it("lists carry the List kind and resourceVersion; custom-resource items carry apiVersion and kind", async () => {
    const f = await start();
    const { status, body } = await get(f.url, APPS, "admin");
    expect(status).toBe(200);
    expect(body.apiVersion).toBe("argoproj.io/v1alpha1");
    expect(body.kind).toBe("ApplicationList");
    expect(body.metadata).toEqual({ resourceVersion: f.resourceVersion });
    // etcd order: by namespace/name key.
    expect(body.items.map((i: { metadata: { name: string } }) => i.metadata.name)).toEqual(["api", "web", "billing"]);
    expect(body.items[0]).toEqual(app("api"));
  });

  it("orders items by etcd key bytes, not by (namespace, name)", async () => {
    const f = await start();
    f.set("kustomizations.kustomize.toolkit.fluxcd.io/v1", [ks("x", "a"), ks("y", "a-b"), ks("z", "a")]);
    const { body } = await get(f.url, KS, "admin");
    expect(body.items.map((i: { metadata: { namespace: string } }) => i.metadata.namespace)).toEqual(["a-b", "a", "a"]);
  });

  it("core Event list items have no apiVersion/kind; a single Event has them", async () => {
    const f = await start();
    const e = ksEvent(ks("apps"), "ReconciliationSucceeded", "2026-07-14T10:00:00Z");
    f.set("events", [e]);
    const list = await get(f.url, EVENTS, "admin");
    expect(list.body).toMatchObject({ apiVersion: "v1", kind: "EventList" });
    const { apiVersion: _a, kind: _k, ...bare } = e;
    expect(list.body.items).toEqual([bare]);
    const one = await get(f.url, `/api/v1/namespaces/flux-system/events/${e.metadata.name}`, "admin");
    expect(one.body).toEqual(e);
  });

  it("serves every version of a multi-version CRD from one store, under the requested apiVersion", async () => {
    const f = await start();
    f.set("ocirepositories.source.toolkit.fluxcd.io/v1", [
      {
        apiVersion: "source.toolkit.fluxcd.io/v1",
        kind: "OCIRepository",
        metadata: { name: "podinfo", namespace: "flux-system" },
      },
    ]);
    const beta = await get(f.url, "/apis/source.toolkit.fluxcd.io/v1beta2/ocirepositories", "admin");
    expect(beta.body.items[0].apiVersion).toBe("source.toolkit.fluxcd.io/v1beta2");
    const ga = await get(f.url, "/apis/source.toolkit.fluxcd.io/v1/ocirepositories", "admin");
    expect(ga.body.items[0].apiVersion).toBe("source.toolkit.fluxcd.io/v1");
  });

  it("gets one object, or a NotFound Status naming it", async () => {
    const f = await start();
    const one = await get(f.url, "/apis/argoproj.io/v1alpha1/namespaces/argocd/applications/web", "admin");
    expect(one.body).toEqual(app("web"));
    const missing = await get(f.url, "/apis/argoproj.io/v1alpha1/namespaces/argocd/applications/nope", "admin");
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({
      message: 'applications.argoproj.io "nope" not found',
      reason: "NotFound",
      details: { name: "nope", group: "argoproj.io", kind: "applications" },
    });
  });

  it("the model is copied in: changing a test's object afterwards changes nothing served", async () => {
    const f = await start();
    const k = ks("late");
    f.add("kustomizations.kustomize.toolkit.fluxcd.io/v1", k);
    k.metadata.name = "renamed";
    const { body } = await get(f.url, KS, "admin");
    expect(body.items.map((i: { metadata: { name: string } }) => i.metadata.name)).toEqual(["apps", "infra", "late"]);
    expect(f.remove("kustomizations.kustomize.toolkit.fluxcd.io/v1", "flux-system", "late")).toBe(true);
    expect(f.remove("kustomizations.kustomize.toolkit.fluxcd.io/v1", "flux-system", "late")).toBe(false);
    expect(f.objects("kustomizations.kustomize.toolkit.fluxcd.io/v1")).toHaveLength(2);
  });

  it("/version, discovery, and 405 for writes", async () => {
    const f = await start({ gitVersion: "v1.30.2" });
    const version = await get(f.url, "/version", "admin");
    expect(version.body).toMatchObject({ major: "1", minor: "30", gitVersion: "v1.30.2", platform: "linux/amd64" });
    const groups = await get(f.url, "/apis", "admin");
    const source = groups.body.groups.find((g: { name: string }) => g.name === "source.toolkit.fluxcd.io");
    expect(source.preferredVersion).toEqual({ groupVersion: "source.toolkit.fluxcd.io/v1", version: "v1" });
    const resources = await get(f.url, "/apis/kustomize.toolkit.fluxcd.io/v1", "admin");
    expect(resources.body.resources.map((r: { name: string }) => r.name)).toEqual([
      "kustomizations",
      "kustomizations/status",
    ]);
    expect((await get(f.url, "/apis/kustomize.toolkit.fluxcd.io/v1beta1", "admin")).status).toBe(404);
    const post = await get(f.url, KS, "admin", { method: "POST" });
    expect(post.status).toBe(405);
  });
});

describe("pagination", () => {
  const many = () => Array.from({ length: 7 }, (_, i) => ks(`k${i}`));

  it("limit/continue pages through every item exactly once, with remainingItemCount", async () => {
    const f = await start();
    f.set("kustomizations.kustomize.toolkit.fluxcd.io/v1", many());
    const first = await get(f.url, `${KS}?limit=3`, "admin");
    expect(first.body.metadata.remainingItemCount).toBe(4);
    expect(typeof first.body.metadata.continue).toBe("string");
    const pages = await listAll(f, KS, 3);
    expect(pages).toEqual([["k0", "k1", "k2"], ["k3", "k4", "k5"], ["k6"]]);
  });

  it("pages come from the snapshot of the first page, whatever changes in between", async () => {
    const f = await start();
    f.set("kustomizations.kustomize.toolkit.fluxcd.io/v1", many());
    const rvBefore = f.resourceVersion;
    const pages = await listAll(f, KS, 2, (page) => {
      if (page === 1) {
        f.remove("kustomizations.kustomize.toolkit.fluxcd.io/v1", "flux-system", "k4");
        f.add("kustomizations.kustomize.toolkit.fluxcd.io/v1", ks("k35"), ks("a-new"));
      }
    });
    expect(pages.flat()).toEqual(["k0", "k1", "k2", "k3", "k4", "k5", "k6"]);
    expect(f.resourceVersion).not.toBe(rvBefore);
    // A new list sees the changes.
    expect((await listAll(f, KS, 100)).flat()).toEqual(["a-new", "k0", "k1", "k2", "k3", "k35", "k5", "k6"]);
    const continued = f.requests.filter((r) => r.query.continue);
    expect(continued.length).toBe(3);
  });

  it("a server-side maximum page size paginates even when the client asks for more", async () => {
    const f = await start({ maxPageSize: 2 });
    f.set("kustomizations.kustomize.toolkit.fluxcd.io/v1", many());
    expect((await listAll(f, KS, 500)).map((p) => p.length)).toEqual([2, 2, 2, 1]);
    // Without a limit the server returns everything, as kube-apiserver does.
    expect((await get(f.url, KS, "admin")).body.items).toHaveLength(7);
  });

  it("a namespaced list paginates within its namespace", async () => {
    const f = await start();
    f.set("applications.argoproj.io/v1alpha1", [
      app("a", "team-a"),
      app("b", "team-b"),
      app("c", "team-a"),
      app("d", "team-a"),
    ]);
    const pages = await listAll(f, "/apis/argoproj.io/v1alpha1/namespaces/team-a/applications", 2);
    expect(pages).toEqual([["a", "c"], ["d"]]);
  });

  it("400 BadRequest for a continue token it did not issue", async () => {
    const f = await start();
    const bad = await get(f.url, `${KS}?limit=1&continue=not-a-token!`, "admin");
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ kind: "Status", reason: "BadRequest", code: 400 });
    expect(bad.body.message).toMatch(/^invalid continue token: continue key is not valid/);
    const forged = Buffer.from(JSON.stringify({ v: "other", rv: 5, start: "x" })).toString("base64url");
    expect((await get(f.url, `${KS}?limit=1&continue=${forged}`, "admin")).status).toBe(400);
  });

  it("410 Expired after compaction, with an inconsistent token that continues at the latest state", async () => {
    const f = await start();
    f.set("kustomizations.kustomize.toolkit.fluxcd.io/v1", many());
    const first = await get(f.url, `${KS}?limit=3`, "admin");
    f.remove("kustomizations.kustomize.toolkit.fluxcd.io/v1", "flux-system", "k3");
    f.compact();
    const expired = await get(f.url, `${KS}?limit=3&continue=${first.body.metadata.continue}`, "admin");
    expect(expired.status).toBe(410);
    expect(expired.body).toMatchObject({
      kind: "Status",
      status: "Failure",
      message: EXPIRED_MESSAGE,
      reason: "Expired",
      code: 410,
    });
    const inconsistent = expired.body.metadata.continue;
    expect(typeof inconsistent).toBe("string");
    const rest = await get(f.url, `${KS}?limit=10&continue=${inconsistent}`, "admin");
    expect(rest.body.items.map((i: { metadata: { name: string } }) => i.metadata.name)).toEqual(["k4", "k5", "k6"]);
  });

  it("expireContinue fault: 410 only on requests that continue a list", async () => {
    const f = await start();
    f.set("kustomizations.kustomize.toolkit.fluxcd.io/v1", many());
    const handle = f.faults.add({ kind: "expireContinue", inconsistentToken: false });
    const first = await get(f.url, `${KS}?limit=3`, "admin");
    expect(first.status).toBe(200);
    expect(handle.hits).toBe(0);
    const second = await get(f.url, `${KS}?limit=3&continue=${first.body.metadata.continue}`, "admin");
    expect(second.status).toBe(410);
    expect(second.body).toEqual({
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message: EXPIRED_MESSAGE_NO_TOKEN,
      reason: "Expired",
      code: 410,
    });
    expect(handle.active).toBe(false);
    // Used up: the same token works again.
    expect((await get(f.url, `${KS}?limit=3&continue=${first.body.metadata.continue}`, "admin")).status).toBe(200);
    expect(f.requests.map((r) => r.fault ?? null)).toEqual([null, "expireContinue", null]);
  });
});

describe("field selectors on events", () => {
  async function withEvents() {
    const f = await start();
    const apps = ks("apps");
    const infra = ks("infra");
    f.set("events", [
      ksEvent(apps, "ReconciliationSucceeded", "2026-07-14T10:00:00Z"),
      ksEvent(apps, "HealthCheckFailed", "2026-07-14T10:05:00Z"),
      ksEvent(infra, "ReconciliationSucceeded", "2026-07-14T10:01:00Z"),
      {
        ...ksEvent(infra, "Progressing", "2026-07-14T10:02:00Z"),
        involvedObject: { kind: "HelmRelease", name: "infra", namespace: "flux-system" },
      },
    ]);
    return f;
  }
  const reasons = (body: { items: { reason: string; involvedObject: { name: string } }[] }) =>
    body.items.map((i) => `${i.involvedObject.name}:${i.reason}`).sort();

  it("ANDs comma-separated terms on involvedObject fields and reason", async () => {
    const f = await withEvents();
    const sel = encodeURIComponent("involvedObject.kind=Kustomization,involvedObject.name=apps");
    expect(reasons((await get(f.url, `${EVENTS}?fieldSelector=${sel}`, "admin")).body)).toEqual([
      "apps:HealthCheckFailed",
      "apps:ReconciliationSucceeded",
    ]);
    const byReason = encodeURIComponent("reason=ReconciliationSucceeded,involvedObject.namespace=flux-system");
    expect(
      reasons((await get(f.url, `/api/v1/namespaces/flux-system/events?fieldSelector=${byReason}`, "admin")).body),
    ).toEqual(["apps:ReconciliationSucceeded", "infra:ReconciliationSucceeded"]);
    const notKs = encodeURIComponent("involvedObject.kind!=Kustomization");
    expect(reasons((await get(f.url, `${EVENTS}?fieldSelector=${notKs}`, "admin")).body)).toEqual([
      "infra:Progressing",
    ]);
  });

  it("400 for a field the server cannot select on, as kube-apiserver answers", async () => {
    const f = await withEvents();
    const res = await get(f.url, `${EVENTS}?fieldSelector=${encodeURIComponent("message=x")}`, "admin");
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message: "field label not supported: message",
      reason: "BadRequest",
      code: 400,
    });
    // Custom resources select on metadata.name/namespace only.
    const cr = await get(f.url, `${KS}?fieldSelector=${encodeURIComponent("metadata.name=apps")}`, "admin");
    expect(cr.body.items.map((i: { metadata: { name: string } }) => i.metadata.name)).toEqual(["apps"]);
    expect((await get(f.url, `${KS}?fieldSelector=spec.path%3Dx`, "admin")).status).toBe(400);
  });

  it("filtered pages omit remainingItemCount; labelSelector is accepted", async () => {
    const f = await withEvents();
    const sel = encodeURIComponent("reason=ReconciliationSucceeded");
    const first = await get(f.url, `${EVENTS}?limit=1&fieldSelector=${sel}&labelSelector=app%3Dx`, "admin");
    expect(first.status).toBe(200);
    expect(first.body.items).toHaveLength(1);
    expect(first.body.metadata.continue).toBeDefined();
    expect(first.body.metadata.remainingItemCount).toBeUndefined();
  });
});

describe("faults", () => {
  it("status faults: once, then normal answers; retry-after when given", async () => {
    const f = await start();
    f.faults.add({ kind: "status", code: 429, retryAfterSeconds: 3 });
    const limited = await get(f.url, KS, "admin");
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("3");
    expect(limited.body).toMatchObject({
      kind: "Status",
      reason: "TooManyRequests",
      details: { retryAfterSeconds: 3 },
    });
    expect((await get(f.url, KS, "admin")).status).toBe(200);
  });

  it("persistent faults last until removed and can be scoped to a resource or path", async () => {
    const f = await start();
    const handle = f.faults.add({
      kind: "status",
      code: 503,
      persistent: true,
      resource: "applications.argoproj.io/v1alpha1",
    });
    expect((await get(f.url, APPS, "admin")).body).toMatchObject({ code: 503, reason: "ServiceUnavailable" });
    expect((await get(f.url, KS, "admin")).status).toBe(200);
    expect((await get(f.url, APPS, "admin")).status).toBe(503);
    expect(handle.hits).toBe(2);
    handle.remove();
    expect((await get(f.url, APPS, "admin")).status).toBe(200);

    f.faults.add({ kind: "status", code: 500, times: 2, path: "/api/" });
    expect((await get(f.url, KS, "admin")).status).toBe(200);
    expect((await get(f.url, EVENTS, "admin")).body).toMatchObject({ code: 500, reason: "InternalError" });
    expect((await get(f.url, EVENTS, "admin")).status).toBe(500);
    expect((await get(f.url, EVENTS, "admin")).status).toBe(200);
  });

  it("a 403 fault carries the Forbidden message for the request", async () => {
    const f = await start();
    f.faults.add({ kind: "status", code: 403 });
    const res = await get(f.url, "/apis/argoproj.io/v1alpha1/namespaces/argocd/applications", "admin");
    expect(res.body.message).toBe(
      `applications.argoproj.io is forbidden: ${COLLECTOR} cannot list resource "applications" in API group "argoproj.io" in the namespace "argocd"`,
    );
  });

  it("slow: the answer is delayed; a client that gives up sees an abort, and close() does not wait", async () => {
    const f = await start();
    f.faults.add({ kind: "slow", delayMs: 1 });
    const late = await get(f.url, KS, "admin");
    expect(late.status).toBe(200);
    expect(late.body.items).toHaveLength(2);

    f.faults.add({ kind: "slow", delayMs: 600_000 });
    const controller = new AbortController();
    const pending = fetch(`${f.url}${KS}`, { headers: { authorization: "Bearer admin" }, signal: controller.signal });
    while (f.requests.length < 2) await new Promise((r) => setImmediate(r));
    controller.abort();
    await expect(pending).rejects.toThrow(/abort/i);
    await f.close();
    expect(f.requests.map((r) => [r.fault, r.status])).toEqual([
      ["slow", 200],
      ["slow", null],
    ]);
  });

  it("truncated: full headers, part of the body, then the socket is cut", async () => {
    const f = await start();
    f.faults.add({ kind: "truncated", bytes: 40 });
    const res = await fetch(`${f.url}${KS}`, { headers: { authorization: "Bearer admin" } });
    expect(res.status).toBe(200);
    await expect(res.text()).rejects.toThrow();
    expect(f.requests[0]).toMatchObject({ status: 200, fault: "truncated" });
  });

  it("malformed: 200 with a body that is not JSON", async () => {
    const f = await start();
    f.faults.add({ kind: "malformed" });
    const res = await fetch(`${f.url}${KS}`, { headers: { authorization: "Bearer admin" } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/html");
    await expect(res.json()).rejects.toThrow(SyntaxError);
  });

  it("dropConnection: no answer at all", async () => {
    const f = await start();
    f.faults.add({ kind: "dropConnection" });
    await expect(fetch(`${f.url}${KS}`, { headers: { authorization: "Bearer admin" } })).rejects.toThrow();
    expect(f.requests[0]).toMatchObject({ status: null, fault: "dropConnection" });
    expect((await get(f.url, KS, "admin")).status).toBe(200);
  });

  it("records method, path, query, token name and status of every request", async () => {
    const f = await start();
    await get(f.url, `${EVENTS}?limit=5&fieldSelector=reason%3DX`, "flux-only");
    expect(f.requests).toEqual([
      {
        method: "GET",
        path: EVENTS,
        query: { limit: ["5"], fieldSelector: ["reason=X"] },
        token: "flux reader",
        resource: "events",
        namespace: null,
        status: 200,
      },
    ]);
    expect(RESOURCE_INFO.events.groupResource).toBe("events");
  });
});
