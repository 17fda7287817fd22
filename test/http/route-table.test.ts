// Every route file under app/api is in the declared table (lib/http/routes.ts), and the table says
// what the handlers check. A new route file without its entry fails here, naming the entry to add.
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { CATCH_ALL_ROUTE, ROUTES, type RouteSpec } from "@/lib/http/routes";
import { APP_DIR, METHODS, routeFiles } from "../helpers/route-files";

const appDir = APP_DIR;

const declared = routeFiles(path.join(appDir, "api")).map((file) => {
  const source = readFileSync(file, "utf8");
  const routePath = "/" + path.relative(appDir, path.dirname(file)).split(path.sep).join("/");
  const methods = METHODS.filter((m) => new RegExp(`export\\s+(const|async\\s+function|function)\\s+${m}\\b`).test(source));
  return { file: path.relative(path.resolve(appDir, ".."), file), routePath, methods, source };
});

function suggestedEntry(method: string, routePath: string, source: string): string {
  const role = /requireRole\("(\w+)"\)/.exec(source)?.[1];
  const scope = /requireApiKey\(request, "(\w+)"\)/.exec(source)?.[1];
  const access = scope
    ? `{ kind: "apiKey", scope: "${scope}" }`
    : role
      ? role === "admin"
        ? "admin"
        : `{ kind: "session", role: "${role}" }`
      : /requireUser\(/.test(source)
        ? "viewer"
        : `{ kind: "public" }`;
  const mutation = method !== "GET";
  return `{ method: "${method}", path: "${routePath}", access: ${access}${mutation ? ", maxBodyBytes: body, exampleBody: { /* a valid body */ }" : ""}, summary: "…" },`;
}

// Guards a handler leaves to a lib function shared with another server, read from that function's source:
// /api/v1/recommend and the lean serving process both answer through answerRecommend, which checks the key.
const delegatedScopes: { call: RegExp; file: string; check: RegExp }[] = [
  {
    call: /answerRecommend\(presentedApiKey\(request\)/,
    file: "lib/serving/recommend-http.ts",
    check: /const SCOPE: ApiKeyScope = "(\w+)";[\s\S]*requirePresentedKey\(presentedKey, SCOPE\)/,
  },
];

function scopesChecked(source: string): Set<string> {
  const scopes = new Set([...source.matchAll(/requireApiKey\(request, "(\w+)"\)/g)].map((m) => m[1]));
  for (const d of delegatedScopes) {
    if (!d.call.test(source)) continue;
    const scope = d.check.exec(readFileSync(path.resolve(appDir, "..", d.file), "utf8"))?.[1];
    if (scope) scopes.add(scope);
  }
  return scopes;
}

describe("the declared route table", () => {
  it("lists every method of every route file under app/api", () => {
    const missing: string[] = [];
    for (const f of declared) {
      if (f.routePath === CATCH_ALL_ROUTE) continue;
      for (const m of f.methods) {
        if (!ROUTES.some((r) => r.method === m && r.path === f.routePath)) {
          missing.push(`${f.file} exports ${m}: add to ROUTES in lib/http/routes.ts\n    ${suggestedEntry(m, f.routePath, f.source)}`);
        }
      }
    }
    expect(missing, `routes missing from lib/http/routes.ts:\n  ${missing.join("\n  ")}`).toEqual([]);
  });

  it("has no entry without a route file and method, and no duplicates", () => {
    const stale = ROUTES.filter((r) => !declared.some((f) => f.routePath === r.path && (f.methods as readonly string[]).includes(r.method)));
    expect(
      stale.map((r) => `${r.method} ${r.path}`),
      "entries in lib/http/routes.ts with no handler",
    ).toEqual([]);
    const keys = ROUTES.map((r) => `${r.method} ${r.path}`);
    expect(keys.length).toBe(new Set(keys).size);
  });

  it("matches the guards the handlers call (roles and API-key scopes)", () => {
    const wrong: string[] = [];
    for (const f of declared) {
      const entries = ROUTES.filter((r) => r.path === f.routePath);
      if (entries.length === 0) continue;
      const roles = new Set([...f.source.matchAll(/requireRole\("(\w+)"\)/g)].map((m) => m[1]));
      const scopes = scopesChecked(f.source);
      const tableRoles = new Set(entries.flatMap((r: RouteSpec) => (r.access.kind === "session" && r.access.role !== "viewer" ? [r.access.role] : [])));
      const tableScopes = new Set(entries.flatMap((r: RouteSpec) => (r.access.kind === "apiKey" ? [r.access.scope] : [])));
      // [id]/[action] checks its roles in lib/services/experiments (per action), not with requireRole
      if (f.routePath !== "/api/experiments/[id]/[action]" && [...tableRoles].sort().join() !== [...roles].sort().join())
        wrong.push(`${f.file}: handler requires roles {${[...roles]}}, table says {${[...tableRoles]}}`);
      if ([...tableScopes].sort().join() !== [...scopes].sort().join())
        wrong.push(`${f.file}: handler requires scopes {${[...scopes]}}, table says {${[...tableScopes]}}`);
      const publicInTable = entries.some((r) => r.access.kind === "public");
      const guarded = roles.size > 0 || scopes.size > 0 || /requireUser\(/.test(f.source);
      if (publicInTable && guarded) wrong.push(`${f.file}: table says public but the handler checks a session or key`);
      if (!publicInTable && !guarded) wrong.push(`${f.file}: table says guarded but the handler checks nothing`);
    }
    expect(wrong).toEqual([]);
  });

  it("declares a body cap and an example body for every mutation", () => {
    const incomplete = ROUTES.filter((r) => r.method !== "GET" && (r.maxBodyBytes === undefined || r.exampleBody === undefined));
    expect(incomplete.map((r) => `${r.method} ${r.path}`)).toEqual([]);
  });
});
