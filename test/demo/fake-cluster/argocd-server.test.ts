import { afterEach, describe, expect, it } from "vitest";
import {
  type FakeArgoCd,
  type FakeArgoCdOptions,
  type KubeObject,
  startFakeArgoCd,
} from "../../../src/demo/fake-cluster/index.js";
import { app, get } from "./helpers.js";

const LIST = "/api/v1/applications";

let fake: FakeArgoCd | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

const tokens: FakeArgoCdOptions["tokens"] = {
  admin: { projects: "all" },
  payments: { name: "payments team", user: "payments-ci", projects: ["payments"] },
  old: { projects: "all", expired: true },
};

async function start(options: Partial<FakeArgoCdOptions> = {}): Promise<FakeArgoCd> {
  fake = await startFakeArgoCd({
    tokens,
    applications: [
      app("web", "argocd", "default"),
      app("api", "argocd", "payments"),
      app("ledger", "team-a", "payments"),
      app("checkout", "argocd", "payments"),
    ],
    ...options,
  });
  return fake;
}

function withoutTypeMeta(o: KubeObject): unknown {
  const { apiVersion: _a, kind: _k, ...rest } = o;
  return rest;
}

const names = (body: { items: { metadata: { name: string } }[] }) => body.items.map((i) => i.metadata.name);

describe("authentication", () => {
  it("401 grpc-gateway errors: no session, bad signature, expired token", async () => {
    const f = await start();
    expect(await get(f.url, LIST)).toMatchObject({
      status: 401,
      body: { error: "no session information", code: 16, message: "no session information" },
    });
    const bad = await get(f.url, LIST, "forged");
    expect(bad.status).toBe(401);
    expect(bad.body).toEqual({
      error: "invalid session: token signature is invalid",
      code: 16,
      message: "invalid session: token signature is invalid",
    });
    const expired = await get(f.url, LIST, "old");
    expect(expired.status).toBe(401);
    expect(expired.body.message).toMatch(/token is expired/);
    expect(f.requests.map((r) => [r.token, r.status])).toEqual([
      [null, 401],
      [null, 401],
      ["old", 401],
    ]);
  });

  it("accepts the argocd.token cookie as older clients send it", async () => {
    const f = await start();
    const res = await fetch(`${f.url}${LIST}`, { headers: { cookie: "argocd.token=admin" } });
    expect(res.status).toBe(200);
  });

  it("/api/version: the version alone without a session, the full record with one", async () => {
    const f = await start({ version: "v2.13.1+af54ef8" });
    expect((await get(f.url, "/api/version")).body).toEqual({ Version: "v2.13.1+af54ef8" });
    const full = await get(f.url, "/api/version", "admin");
    expect(full.body).toMatchObject({ Version: "v2.13.1+af54ef8", Platform: "linux/amd64" });
  });
});

describe("listing applications", () => {
  it("returns full Applications sorted by name, with the list resourceVersion, and no pagination", async () => {
    const f = await start();
    const { status, body } = await get(f.url, `${LIST}?limit=1`, "admin");
    expect(status).toBe(200);
    expect(Object.keys(body)).toEqual(["metadata", "items"]);
    expect(Object.keys(body.metadata)).toEqual(["resourceVersion"]);
    expect(names(body)).toEqual(["api", "checkout", "ledger", "web"]);
    expect(body.items[0]).toEqual(withoutTypeMeta(app("api", "argocd", "payments")));
    expect(body.items[0].status.history).toHaveLength(1);
  });

  it("items carry apiVersion/kind when configured so", async () => {
    const f = await start({ itemTypeMeta: true });
    const { body } = await get(f.url, LIST, "admin");
    expect(body.items[0]).toEqual(app("api", "argocd", "payments"));
  });

  it("RBAC silently leaves out applications in projects the token may not see", async () => {
    const f = await start();
    expect(names((await get(f.url, LIST, "payments")).body)).toEqual(["api", "checkout", "ledger"]);
    // Asking for a project it may not see gives an empty list, not an error.
    const other = await get(f.url, `${LIST}?projects=default`, "payments");
    expect(other).toMatchObject({ status: 200, body: { items: [] } });
  });

  it("filters by projects (repeatable), legacy project, appNamespace and name", async () => {
    const f = await start();
    expect(names((await get(f.url, `${LIST}?projects=payments&projects=default`, "admin")).body)).toEqual([
      "api",
      "checkout",
      "ledger",
      "web",
    ]);
    expect(names((await get(f.url, `${LIST}?project=default`, "admin")).body)).toEqual(["web"]);
    expect(names((await get(f.url, `${LIST}?appNamespace=team-a`, "admin")).body)).toEqual(["ledger"]);
    expect(names((await get(f.url, `${LIST}?name=api`, "admin")).body)).toEqual(["api"]);
    expect(names((await get(f.url, `${LIST}?selector=team%3Dx`, "admin")).body)).toHaveLength(4);
  });

  it("records the query, so a test can assert refresh is never sent", async () => {
    const f = await start();
    await get(f.url, `${LIST}?projects=payments`, "payments");
    await get(f.url, `${LIST}?refresh=normal`, "admin");
    expect(f.requests.map((r) => r.query)).toEqual([{ projects: ["payments"] }, { refresh: ["normal"] }]);
    expect(f.requests.filter((r) => "refresh" in r.query).map((r) => r.token)).toEqual(["admin"]);
    expect(f.requests[0]).toMatchObject({ method: "GET", path: LIST, token: "payments team", status: 200 });
  });

  it("model changes show in the next list with a new resourceVersion", async () => {
    const f = await start();
    const before = (await get(f.url, LIST, "admin")).body.metadata.resourceVersion;
    f.add(app("zeta"));
    expect(f.remove("argocd", "web")).toBe(true);
    const after = await get(f.url, LIST, "admin");
    expect(names(after.body)).toEqual(["api", "checkout", "ledger", "zeta"]);
    expect(after.body.metadata.resourceVersion).not.toBe(before);
    expect(f.applications()).toHaveLength(4);
  });

  it("gets one application; one it may not see is permission denied", async () => {
    const f = await start();
    expect((await get(f.url, `${LIST}/ledger?appNamespace=team-a`, "payments")).body.metadata.name).toBe("ledger");
    expect(await get(f.url, `${LIST}/web`, "payments")).toMatchObject({
      status: 403,
      body: { error: "permission denied", code: 7, message: "permission denied" },
    });
    expect(await get(f.url, `${LIST}/nope`, "admin")).toMatchObject({ status: 404, body: { code: 5 } });
  });

  it("paths outside /api get the UI's HTML, as a wrong base URL does", async () => {
    const f = await start();
    const res = await fetch(`${f.url}/applications`, { headers: { authorization: "Bearer admin" } });
    expect(res.status).toBe(200);
    expect(await res.text()).toMatch(/^<!doctype html>/);
  });
});

describe("faults", () => {
  it("a 500 answers grpc-gateway JSON with code 13", async () => {
    const f = await start();
    f.faults.add({ kind: "status", code: 500, message: "rpc error: code = Internal desc = boom" });
    expect(await get(f.url, LIST, "admin")).toMatchObject({
      status: 500,
      body: {
        error: "rpc error: code = Internal desc = boom",
        code: 13,
        message: "rpc error: code = Internal desc = boom",
      },
    });
    expect((await get(f.url, LIST, "admin")).status).toBe(200);
  });

  it("a 502 from a proxy can be raw HTML", async () => {
    const f = await start();
    f.faults.add({ kind: "status", code: 502, rawBody: "<html><body>502 Bad Gateway</body></html>" });
    const res = await fetch(`${f.url}${LIST}`, { headers: { authorization: "Bearer admin" } });
    expect(res.status).toBe(502);
    expect(await res.text()).toContain("502 Bad Gateway");
  });

  it("slow, truncated, malformed and dropped answers", async () => {
    const f = await start();
    const auth = { headers: { authorization: "Bearer admin" } };
    f.faults.add({ kind: "slow", delayMs: 1 });
    expect(names((await get(f.url, LIST, "admin")).body)).toHaveLength(4);

    f.faults.add({ kind: "truncated" });
    const truncated = await fetch(`${f.url}${LIST}`, auth);
    expect(truncated.status).toBe(200);
    await expect(truncated.json()).rejects.toThrow();

    f.faults.add({ kind: "malformed", body: "upstream connect error", contentType: "text/plain" });
    const malformed = await fetch(`${f.url}${LIST}`, auth);
    expect(await malformed.text()).toBe("upstream connect error");

    f.faults.add({ kind: "dropConnection" });
    await expect(fetch(`${f.url}${LIST}`, auth)).rejects.toThrow();

    expect(f.requests.map((r) => [r.fault, r.status])).toEqual([
      ["slow", 200],
      ["truncated", 200],
      ["malformed", 200],
      ["dropConnection", null],
    ]);
  });

  it("a path-scoped persistent fault leaves other paths alone", async () => {
    const f = await start();
    const handle = f.faults.add({ kind: "status", code: 503, persistent: true, path: "/api/v1/applications" });
    expect((await get(f.url, LIST, "admin")).body).toMatchObject({ code: 14 });
    expect((await get(f.url, "/api/version", "admin")).status).toBe(200);
    expect(f.faults.pending).toHaveLength(1);
    f.faults.clear();
    expect(handle.active).toBe(false);
    expect((await get(f.url, LIST, "admin")).status).toBe(200);
  });
});
