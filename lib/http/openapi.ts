// The OpenAPI 3.1 document of the HTTP API, generated from the route table (routes.ts) and the schemas
// its handlers parse (route-schemas.ts) with zod's own JSON Schema output.
import { z } from "zod";
import { SESSION_COOKIE } from "@/lib/auth/constants";
import { ErrorBody } from "./response-schemas";
import { ROUTE_SCHEMAS, type RouteSchemas } from "./route-schemas";
import { ROUTES, isExampleFile, type RouteSpec } from "./routes";

export type JsonSchema = Record<string, unknown>;

/** A schema as the document shows it: what a client may send (defaults optional), draft 2020-12. */
export function requestJsonSchema(schema: z.ZodType): JsonSchema {
  return jsonSchema(schema, "input");
}

/** A response body as the document shows it (what the server sends). */
export function responseJsonSchema(schema: z.ZodType): JsonSchema {
  return jsonSchema(schema, "output");
}

function jsonSchema(schema: z.ZodType, io: "input" | "output"): JsonSchema {
  const out = { ...z.toJSONSchema(schema, { io, target: "draft-2020-12", unrepresentable: "any" }) } as JsonSchema;
  delete out.$schema; // the document names its dialect once
  return out;
}

export function routeKey(route: Pick<RouteSpec, "method" | "path">): string {
  return `${route.method} ${route.path}`;
}

/** "/api/models/[id]/loop/[action]" → "/api/models/{id}/loop/{action}" */
export function openApiPath(path: string): string {
  return path.replace(/\[([^\]]+)\]/g, "{$1}");
}

export function schemasOf(route: Pick<RouteSpec, "method" | "path">): RouteSchemas {
  const schemas = ROUTE_SCHEMAS[routeKey(route)];
  if (!schemas) throw new Error(`${routeKey(route)} has no entry in ROUTE_SCHEMAS (lib/http/route-schemas.ts)`);
  return schemas;
}

/** Who may call a route, in words (the API page shows it). */
export function accessLabel(access: RouteSpec["access"]): string {
  switch (access.kind) {
    case "public":
      return "public";
    case "session":
      return `session, role ${access.role} or above`;
    case "apiKey":
      return `API key with scope ${access.scope}`;
  }
}

function security(access: RouteSpec["access"]): Record<string, string[]>[] {
  switch (access.kind) {
    case "public":
      return [];
    case "session":
      return [{ session: [access.role] }];
    case "apiKey":
      return [{ bearerApiKey: [access.scope] }, { headerApiKey: [access.scope] }];
  }
}

function jsonBody(schema: JsonSchema) {
  return { "application/json": { schema } };
}

function multipartSchema(route: RouteSpec, fields: JsonSchema | undefined): JsonSchema {
  const example = (route.exampleBody ?? {}) as Record<string, unknown>;
  const files = Object.keys(example).filter((k) => isExampleFile(example[k]));
  const fileProps = Object.fromEntries(files.map((k) => [k, { type: "string", contentEncoding: "binary", description: "a file" }]));
  if (!fields) return { type: "object", properties: fileProps, required: files };
  return { ...fields, properties: { ...(fields.properties as JsonSchema | undefined), ...fileProps } };
}

function requestBody(route: RouteSpec, s: RouteSchemas) {
  if (route.method === "GET") return undefined;
  let content: Record<string, { schema: JsonSchema }>;
  if (route.contentType === "multipart") {
    content = { "multipart/form-data": { schema: multipartSchema(route, s.fields && requestJsonSchema(s.fields)) } };
  } else if (s.body) {
    const schema = requestJsonSchema(s.body);
    content = jsonBody(s.bodyItem ? withItems(schema, requestJsonSchema(s.bodyItem)) : schema);
    if (route.alsoMultipart)
      content["multipart/form-data"] = {
        schema: { ...schema, properties: { ...(schema.properties as JsonSchema | undefined), file: { type: "string", contentEncoding: "binary" } } },
      };
  } else {
    return { required: false, description: "no body is read (a body sent is still capped)", content: jsonBody({ type: "object" }) };
  }
  return { required: true, content, ...(route.exampleBody !== undefined && route.contentType !== "multipart" ? { "x-example": route.exampleBody } : {}) };
}

/** A batch envelope whose array items are unknown to zod: the item schema shown in their place. */
function withItems(schema: JsonSchema, item: JsonSchema): JsonSchema {
  const walk = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(walk);
    if (!node || typeof node !== "object") return node;
    const n = node as JsonSchema;
    if (n.type === "array" && n.items && Object.keys(n.items as object).length === 0) return { ...n, items: item };
    return Object.fromEntries(Object.entries(n).map(([k, v]) => [k, walk(v)]));
  };
  return walk(schema) as JsonSchema;
}

function parameters(route: RouteSpec, s: RouteSchemas) {
  const params: Record<string, unknown>[] = [...route.path.matchAll(/\[([^\]]+)\]/g)].map(([, name]) => ({
    name,
    in: "path",
    required: true,
    schema: route.params?.[name] ? { type: "string", enum: [...route.params[name]] } : { type: "string" },
  }));
  if (s.query) {
    const query = requestJsonSchema(s.query);
    const required = new Set((query.required as string[] | undefined) ?? []);
    for (const [name, schema] of Object.entries((query.properties as Record<string, JsonSchema> | undefined) ?? {})) {
      params.push({ name, in: "query", required: required.has(name), schema });
    }
  }
  return params;
}

function responses(s: RouteSchemas) {
  const status = String(s.status ?? 200);
  const error = { description: "error", content: jsonBody({ $ref: "#/components/schemas/Error" }) };
  const ok =
    status === "204"
      ? { description: "no content" }
      : { description: "success", content: jsonBody(s.response ? responseJsonSchema(s.response) : { type: "object" }) };
  const other = Object.fromEntries(
    Object.entries(s.otherResponses ?? {}).map(([code, r]) => [code, { description: r.description, content: jsonBody(responseJsonSchema(r.schema)) }]),
  );
  return { [status]: ok, ...other, "4XX": error, "5XX": error };
}

function operation(route: RouteSpec) {
  const s = schemasOf(route);
  const body = requestBody(route, s);
  return {
    operationId: `${route.method.toLowerCase()}${openApiPath(route.path)
      .replace(/[{}]/g, "")
      .replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : ""))}`,
    summary: route.summary,
    tags: [route.path.split("/")[2] ?? "api"],
    security: security(route.access),
    "x-access": accessLabel(route.access),
    parameters: parameters(route, s),
    ...(body ? { requestBody: body } : {}),
    ...(route.maxBodyBytes !== undefined ? { "x-max-body-bytes": route.maxBodyBytes } : {}),
    responses: responses(s),
  };
}

export type OpenApiDocument = ReturnType<typeof buildOpenApiDocument>;

export function buildOpenApiDocument(routes: readonly RouteSpec[] = ROUTES) {
  const paths: Record<string, Record<string, ReturnType<typeof operation>>> = {};
  for (const route of routes) {
    const p = openApiPath(route.path);
    paths[p] = { ...paths[p], [route.method.toLowerCase()]: operation(route) };
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "Understudy API",
      version: "1",
      description:
        "The dashboard's routes take a session (sign in at POST /api/auth/sign-in; mutations only from this site, as JSON). /api/v1 takes an API key (Authorization: Bearer <key> or X-API-Key) with the scope named on each operation. Errors answer {error, message, issues?}.",
    },
    jsonSchemaDialect: "https://json-schema.org/draft/2020-12/schema",
    paths,
    components: {
      schemas: { Error: responseJsonSchema(ErrorBody) },
      securitySchemes: {
        session: { type: "apiKey", in: "cookie", name: SESSION_COOKIE, description: "the dashboard's session; the scope names the least role" },
        bearerApiKey: { type: "http", scheme: "bearer", description: "an API key (Admin → API keys); the scope must be granted to the key" },
        headerApiKey: { type: "apiKey", in: "header", name: "X-API-Key", description: "the same API key in a header" },
      },
    },
  };
}

let cached: OpenApiDocument | undefined;

/** The document of the declared routes, built once per process. */
export function openApiDocument(): OpenApiDocument {
  cached ??= buildOpenApiDocument();
  return cached;
}
