import { jsonError } from "@/lib/http/responses";

// Unknown API paths answer JSON, not the HTML 404 page. Specific routes always take precedence.
function notFound(request: Request): Response {
  return jsonError(404, "not_found", `No API route ${request.method} ${new URL(request.url).pathname}`);
}

export const GET = notFound;
export const POST = notFound;
export const PUT = notFound;
export const PATCH = notFound;
export const DELETE = notFound;
export const HEAD = notFound;
