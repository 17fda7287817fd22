// The OpenAPI document describes what the handlers do: every exported method of every app/api route
// file is in it, and the query and body schemas it shows are the very zod schemas each handler parses
// (found in the handler's source and imported from where it imports them), converted the same way.
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { z } from "zod";
import { GET as getOpenApi } from "@/app/api/openapi.json/route";
import { buildOpenApiDocument, openApiPath, requestJsonSchema, routeKey, type JsonSchema } from "@/lib/http/openapi";
import { ROUTE_SCHEMAS } from "@/lib/http/route-schemas";
import { CATCH_ALL_ROUTE, ROUTES } from "@/lib/http/routes";
import { APP_DIR, METHODS, routeFiles } from "../helpers/route-files";

const root = path.resolve(import.meta.dirname, "../..");
const appDir = APP_DIR;

interface Handler {
  file: string;
  routePath: string;
  method: (typeof METHODS)[number];
  /** the method's own source (from its export to the next method's) */
  source: string;
  /** the whole file, for its imports */
  fileSource: string;
}

const handlers: Handler[] = routeFiles(path.join(appDir, "api")).flatMap((file) => {
  const fileSource = readFileSync(file, "utf8");
  const routePath = "/" + path.relative(appDir, path.dirname(file)).split(path.sep).join("/");
  const starts = METHODS.flatMap((method) => {
    const m = new RegExp(`export\\s+(const|async\\s+function|function)\\s+${method}\\b`).exec(fileSource);
    return m ? [{ method, at: m.index }] : [];
  }).sort((a, b) => a.at - b.at);
  return starts.map(({ method, at }, i) => ({ file, routePath, method, source: fileSource.slice(at, starts[i + 1]?.at ?? fileSource.length), fileSource }));
});

// Handlers that leave the parsing to a lib function shared with another server: the schemas are read there.
const DELEGATED: Record<string, string> = {
  "POST /api/auth/sign-in": "lib/auth/sign-in-request.ts",
  "POST /api/v1/recommend": "lib/serving/recommend-http.ts",
};
/** Routes whose items are validated one at a time by the lib function the handler calls. */
const ITEMS_VALIDATED_IN: Record<string, string> = {
  "POST /api/v1/events": "lib/db/events.ts",
};

/** Where `name` comes from in `source` (a file at `file`): its module's path, or null when it is defined locally. */
function moduleOf(name: string, source: string, file: string): string | null {
  for (const m of source.matchAll(/import\s*(?:type\s*)?\{([^}]*)\}\s*from\s*"([^"]+)"/g)) {
    const names = m[1].split(",").map((s) =>
      s
        .trim()
        .split(/\s+as\s+/)
        .at(-1),
    );
    if (!names.includes(name)) continue;
    const spec = m[2];
    if (spec.startsWith("@/")) return path.join(root, spec.slice(2));
    if (spec.startsWith(".")) return path.resolve(path.dirname(file), spec);
    return spec;
  }
  return new RegExp(`export\\s+const\\s+${name}\\b`).test(source) ? file : null;
}

async function resolveSchema(name: string, source: string, file: string): Promise<{ name: string; schema?: z.ZodType; problem?: string }> {
  const where = moduleOf(name, source, file);
  if (!where) return { name, problem: `${name} is defined inside ${path.relative(root, file)}: move it to a lib module so the document can show it` };
  const mod = (await import(where)) as Record<string, unknown>;
  return { name, schema: mod[name] as z.ZodType };
}

/** The schemas a handler parses the request with, by role. */
async function parsedSchemas(h: Handler) {
  const delegated = DELEGATED[`${h.method} ${h.routePath}`];
  const file = delegated ? path.join(root, delegated) : h.file;
  const source = delegated ? readFileSync(file, "utf8") : h.source;
  const imports = delegated ? source : h.fileSource;
  const names = (re: RegExp) => [...new Set([...source.matchAll(re)].map((m) => m[1]))];
  const resolve = (list: string[]) => Promise.all(list.map((n) => resolveSchema(n, imports, file)));
  return {
    query: await resolve(names(/parseQuery\(request, (\w+)/g)),
    body: await resolve(names(/(?:parseJson\(request, |parseJsonText\(text, |validate\()(\w+)/g)),
    // validated one piece at a time (a batch's events, a form's text fields); local enums of path segments are not request schemas
    safeParsed: [
      ...(await resolve(names(/\b(\w+)\.safeParse\(/g).filter((n) => moduleOf(n, imports, file) !== null))),
      ...(await itemsValidatedIn(ITEMS_VALIDATED_IN[`${h.method} ${h.routePath}`])),
    ],
  };
}

async function itemsValidatedIn(relative: string | undefined) {
  if (!relative) return [];
  const file = path.join(root, relative);
  const source = readFileSync(file, "utf8");
  const names = [...new Set([...source.matchAll(/\b(\w+)\.safeParse\(/g)].map((m) => m[1]))].filter((n) => moduleOf(n, source, file) !== null);
  return Promise.all(names.map((n) => resolveSchema(n, source, file)));
}

const doc = buildOpenApiDocument();
type Operation = {
  parameters: { name: string; in: string; schema: JsonSchema }[];
  requestBody?: { required: boolean; content: Record<string, { schema: JsonSchema }> };
  responses: Record<string, unknown>;
  security: unknown[];
};
const operationOf = (method: string, routePath: string) =>
  (doc.paths as unknown as Record<string, Record<string, Operation> | undefined>)[openApiPath(routePath)]?.[method.toLowerCase()];

describe("the OpenAPI document", () => {
  it("is served at /api/openapi.json as generated from the route table", async () => {
    const response = await getOpenApi(new Request("http://localhost/api/openapi.json"), undefined);
    expect(response.status).toBe(200);
    const served = (await response.json()) as typeof doc;
    expect(served.openapi).toBe("3.1.0");
    expect(served).toEqual(JSON.parse(JSON.stringify(doc)));
  });

  it("has every exported method of every route file, and nothing else", () => {
    const inFiles = handlers.filter((h) => h.routePath !== CATCH_ALL_ROUTE).map((h) => `${h.method} ${h.routePath}`);
    const missing = inFiles.filter((k) => !operationOf(k.split(" ")[0], k.split(" ")[1]));
    expect(missing, "route file methods missing from the document (add them to ROUTES and ROUTE_SCHEMAS)").toEqual([]);
    const documented = Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`));
    expect(documented.sort()).toEqual(inFiles.map((k) => `${k.split(" ")[0]} ${openApiPath(k.split(" ")[1])}`).sort());
  });

  it("has schemas for exactly the routes of the table", () => {
    expect(Object.keys(ROUTE_SCHEMAS).sort()).toEqual(ROUTES.map(routeKey).sort());
  });

  it("names the authentication of each route: a session's least role, an API key's scope, or none", () => {
    for (const route of ROUTES) {
      const op = operationOf(route.method, route.path)!;
      const expected =
        route.access.kind === "public"
          ? []
          : route.access.kind === "session"
            ? [{ session: [route.access.role] }]
            : [{ bearerApiKey: [route.access.scope] }, { headerApiKey: [route.access.scope] }];
      expect(op.security, routeKey(route)).toEqual(expected);
    }
  });

  it("shows the query and body schemas each handler parses, converted by zod", async () => {
    const wrong: string[] = [];
    for (const h of handlers.filter((x) => x.routePath !== CATCH_ALL_ROUTE)) {
      const key = `${h.method} ${h.routePath}`;
      const declared = ROUTE_SCHEMAS[key] ?? {};
      const parsed = await parsedSchemas(h);
      for (const r of [...parsed.query, ...parsed.body, ...parsed.safeParsed]) if (r.problem) wrong.push(`${key}: ${r.problem}`);
      const op = operationOf(h.method, h.routePath)!;

      const query = parsed.query.map((r) => r.schema);
      if (query.length > 1 || query[0] !== declared.query)
        wrong.push(`${key}: the handler parses its query with ${parsed.query.map((r) => r.name).join(", ") || "nothing"}; ROUTE_SCHEMAS says otherwise`);
      if (declared.query) {
        const properties = requestJsonSchema(declared.query).properties as Record<string, JsonSchema>;
        const shown = Object.fromEntries(op.parameters.filter((p) => p.in === "query").map((p) => [p.name, p.schema]));
        if (JSON.stringify(shown) !== JSON.stringify(properties)) wrong.push(`${key}: the document's query parameters differ from the handler's schema`);
      }

      const body = parsed.body.map((r) => r.schema);
      if (body.length > 1 || body[0] !== declared.body)
        wrong.push(
          `${key}: the handler parses its body with ${parsed.body.map((r) => r.name).join(", ") || "nothing"}; ROUTE_SCHEMAS says ${declared.body ? "another schema" : "none"}`,
        );
      if (declared.body && !declared.bodyItem) {
        const shown = op.requestBody?.content["application/json"]?.schema;
        if (JSON.stringify(shown) !== JSON.stringify(requestJsonSchema(declared.body)))
          wrong.push(`${key}: the document's body schema differs from the handler's`);
      }
      for (const piece of [declared.bodyItem, declared.fields]) {
        if (piece && !parsed.safeParsed.some((r) => r.schema === piece))
          wrong.push(`${key}: the handler never validates with the item/field schema ROUTE_SCHEMAS names`);
      }
      if (declared.bodyItem) {
        const shown = JSON.stringify(op.requestBody?.content["application/json"]?.schema);
        if (!shown.includes(JSON.stringify(requestJsonSchema(declared.bodyItem)))) wrong.push(`${key}: the document does not show the item schema`);
      }
      if (declared.fields) {
        const shown = op.requestBody?.content["multipart/form-data"]?.schema.properties as Record<string, unknown> | undefined;
        for (const [name, schema] of Object.entries(requestJsonSchema(declared.fields).properties as Record<string, unknown>)) {
          if (JSON.stringify(shown?.[name]) !== JSON.stringify(schema)) wrong.push(`${key}: the document's multipart field ${name} differs from the handler's`);
        }
      }
    }
    expect(wrong).toEqual([]);
  });

  it("answers with the success status each handler sends", () => {
    const wrong: string[] = [];
    for (const h of handlers.filter((x) => x.routePath !== CATCH_ALL_ROUTE && !DELEGATED[`${x.method} ${x.routePath}`])) {
      const key = `${h.method} ${h.routePath}`;
      const expected = ROUTE_SCHEMAS[key]?.status ?? 200;
      const sent = [...h.source.matchAll(/status: [^,}\n]*?\b(2\d\d)\b/g)].map((m) => Number(m[1]));
      if (sent.length === 0 ? expected !== 200 : !sent.every((s) => s === expected))
        wrong.push(`${key}: sends ${sent.join(", ") || 200}, the document says ${expected}`);
      if (!(String(expected) in operationOf(h.method, h.routePath)!.responses)) wrong.push(`${key}: no ${expected} response in the document`);
      // the routes documented as answering {job} are the ones that build a job view
      const documentedJob = JSON.stringify(operationOf(h.method, h.routePath)!.responses).includes('"job"');
      if (documentedJob !== /json\(\{ job: toJobView\(/.test(h.source) && h.method !== "GET")
        wrong.push(`${key}: answers ${documentedJob ? "no" : "a"} job, the document says otherwise`);
    }
    expect(wrong).toEqual([]);
  });

  it("fails for a route the table does not know", () => {
    expect(() => buildOpenApiDocument([...ROUTES, { method: "GET", path: "/api/nowhere", access: { kind: "public" }, summary: "not a route" }])).toThrow(
      /GET \/api\/nowhere has no entry in ROUTE_SCHEMAS/,
    );
  });
});
