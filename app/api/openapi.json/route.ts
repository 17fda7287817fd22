import { json } from "@/lib/http";
import { handler } from "@/lib/http/handler";
import { openApiDocument } from "@/lib/http/openapi";

/** The API as OpenAPI 3.1 (public: it describes the routes, never data). */
export const GET = handler(() => json(openApiDocument(), { headers: { "cache-control": "public, max-age=300" } }));
