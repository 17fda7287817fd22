import { ConflictError, FieldError, ForbiddenError, NotFoundError } from "@/lib/errors";

/** An error a route handler throws to answer with a specific status and JSON body. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** extra fields merged into the JSON body, e.g. `{ issues }` */
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = "HttpError";
  }
}

export const badRequest = (message: string, details?: Record<string, unknown>) => new HttpError(400, "invalid_request", message, details);
export const unauthorized = (message = "Sign in first") => new HttpError(401, "unauthorized", message);
export const forbidden = (message = "Your role does not allow this") => new HttpError(403, "forbidden", message);
export const notFound = (message = "Not found") => new HttpError(404, "not_found", message);
export const conflict = (message: string) => new HttpError(409, "conflict", message);
/** The status code and body of a workflow's refusal (the one place domain errors meet HTTP), or null. */
export function httpErrorOf(error: unknown): HttpError | null {
  if (error instanceof HttpError) return error;
  if (error instanceof FieldError) return fieldError(error.field, error.message);
  if (error instanceof NotFoundError) return notFound(error.message);
  if (error instanceof ConflictError) return conflict(error.message);
  if (error instanceof ForbiddenError) return new HttpError(403, error.code, error.message);
  return null;
}

/** 400 naming one field and why: `{error: "invalid_request", message: summary, issues: [{path, message}]}` */
export const fieldError = (path: string, message: string, summary = "The request has invalid fields") =>
  new HttpError(400, "invalid_request", summary, { issues: [{ path, message }] });
