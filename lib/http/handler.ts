import { randomUUID } from "node:crypto";
import { unstable_rethrow } from "next/navigation";
import { ZodError } from "zod";
import { isDatabaseUnavailable } from "@/lib/db/unavailable";
import { httpErrorOf } from "./errors";
import { jsonError } from "./responses";
import { toIssues } from "./validation";

/**
 * Wraps a route handler: an HttpError becomes its status and JSON body; anything else is logged
 * server-side with a request id and answered with a bare 500 that carries that id and no stack.
 */
export function handler<Ctx = unknown>(fn: (request: Request, ctx: Ctx) => Promise<Response> | Response): (request: Request, ctx: Ctx) => Promise<Response> {
  return async (request, ctx) => {
    try {
      return await fn(request, ctx);
    } catch (error) {
      // Next's own control flow (redirect(), notFound()) must pass through untouched.
      unstable_rethrow(error);
      return errorResponse(error, request);
    }
  };
}

export function errorResponse(error: unknown, request?: Request): Response {
  const http = httpErrorOf(error);
  if (http) return jsonError(http.status, http.code, http.message, http.details);
  if (error instanceof ZodError) {
    // A schema deeper in the stack (e.g. a job's input) refused the request's data.
    return jsonError(400, "invalid_request", "The request has invalid fields", { issues: toIssues(error) });
  }
  if (isDatabaseUnavailable(error)) {
    return jsonError(
      503,
      "database_unavailable",
      "The database cannot be reached right now; nothing was changed. Try again shortly.",
      {},
      {
        headers: { "retry-after": "5" },
      },
    );
  }
  const requestId = randomUUID();
  const where = request ? `${request.method} ${new URL(request.url).pathname}` : "";
  console.error(`[${requestId}] unhandled error ${where}`, error);
  return jsonError(
    500,
    "internal_error",
    "Something went wrong on our side",
    { requestId },
    {
      headers: { "x-request-id": requestId },
    },
  );
}
