import type { z } from "zod";
import { HttpError } from "./errors";

export interface ValidationIssue {
  /** dotted path of the failing field, "" for the body as a whole */
  path: string;
  message: string;
}

export function toIssues(error: z.ZodError): ValidationIssue[] {
  return error.issues.map((issue) => ({ path: issue.path.map(String).join("."), message: issue.message }));
}

/** Validates a value against a schema, throwing 400 `{error: "invalid_request", issues}` on failure. */
export function validate<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new HttpError(400, "invalid_request", "The request has invalid fields", { issues: toIssues(result.error) });
  }
  return result.data;
}

/** Reads a JSON body and validates it. Malformed JSON and an empty body are 400s, never 500s. */
export async function parseJson<S extends z.ZodType>(request: Request, schema: S): Promise<z.output<S>> {
  let text: string;
  try {
    text = await request.text();
  } catch {
    throw new HttpError(400, "invalid_json", "The request body could not be read");
  }
  let body: unknown;
  try {
    body = text.trim() === "" ? {} : JSON.parse(text);
  } catch (error) {
    throw new HttpError(400, "invalid_json", `The request body is not valid JSON: ${(error as Error).message}`);
  }
  return validate(schema, body);
}

/** Validates URL query parameters (each as a string; repeated keys keep the last value). */
export function parseQuery<S extends z.ZodType>(request: Request, schema: S): z.output<S> {
  const params = Object.fromEntries(new URL(request.url).searchParams.entries());
  return validate(schema, params);
}
