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

type RawIssue = z.core.$ZodRawIssue;

/**
 * Short, form-friendly messages for schemas that set none of their own ("Must be at least 10"
 * under a field labelled "Users"). A schema's own messages take precedence.
 */
export function friendlyMessage(issue: RawIssue): string | undefined {
  const plural = (n: unknown, word: string) => `${String(n)} ${word}${Number(n) === 1 ? "" : "s"}`;
  switch (issue.code) {
    case "invalid_type":
      if (issue.input === undefined) return "Required";
      if (issue.expected === "int") return "Must be a whole number";
      return `Must be ${/^[aeiou]/.test(issue.expected) ? "an" : "a"} ${issue.expected}`;
    case "too_small":
      if (issue.origin === "string") return Number(issue.minimum) <= 1 ? "Required" : `Must be at least ${plural(issue.minimum, "character")}`;
      if (issue.origin === "array" || issue.origin === "set") return `Needs at least ${plural(issue.minimum, "item")}`;
      return issue.inclusive === false ? `Must be greater than ${String(issue.minimum)}` : `Must be at least ${String(issue.minimum)}`;
    case "too_big":
      if (issue.origin === "string") return `Must be at most ${plural(issue.maximum, "character")}`;
      if (issue.origin === "array" || issue.origin === "set") return `At most ${plural(issue.maximum, "item")}`;
      return issue.inclusive === false ? `Must be less than ${String(issue.maximum)}` : `Must be at most ${String(issue.maximum)}`;
    case "invalid_value":
      return `Must be one of: ${issue.values.map(String).join(", ")}`;
    case "invalid_format":
      return issue.format === "email" ? "Must be a valid email address" : `Must be a valid ${issue.format}`;
    case "unrecognized_keys":
      return `Unknown field${issue.keys.length === 1 ? "" : "s"}: ${issue.keys.join(", ")}`;
    default:
      return undefined;
  }
}

/** Validates a value against a schema, throwing 400 `{error: "invalid_request", issues}` on failure. */
export function validate<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const result = schema.safeParse(value, { error: friendlyMessage });
  if (!result.success) {
    throw new HttpError(400, "invalid_request", "The request has invalid fields", { issues: toIssues(result.error) });
  }
  return result.data;
}

/** Body size a route accepts unless it says otherwise (events: EVENTS_MAX_BODY_BYTES). */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
export const EVENTS_MAX_BODY_BYTES = 5 * 1024 * 1024;

export function tooLarge(maxBytes: number): HttpError {
  return new HttpError(413, "payload_too_large", `The request body is larger than ${maxBytes} bytes`, { maxBytes });
}

/**
 * The body as text, refused with 413 as soon as it exceeds `maxBytes`: by its Content-Length before
 * anything is read, else while streaming (a chunked or lying client never gets more into memory).
 */
export async function readBodyText(request: Request, maxBytes = DEFAULT_MAX_BODY_BYTES): Promise<string> {
  const declared = Number(request.headers.get("content-length"));
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge(maxBytes);
  if (!request.body) return "";
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > maxBytes) {
        await reader.cancel().catch(() => undefined);
        throw tooLarge(maxBytes);
      }
      chunks.push(value);
    }
  } catch (error) {
    if (error instanceof HttpError) throw error;
    throw new HttpError(400, "invalid_json", "The request body could not be read");
  }
  return Buffer.concat(chunks).toString("utf8");
}

/**
 * For a mutation that takes no body: whatever is sent is still read only up to `maxBytes` (413 beyond),
 * so an oversized request is refused like everywhere else instead of being ignored.
 */
export async function discardBody(request: Request, maxBytes = DEFAULT_MAX_BODY_BYTES): Promise<void> {
  await readBodyText(request, maxBytes);
}

/**
 * The request with its body capped at `maxBytes` while streaming (and refused at once by its
 * Content-Length), for readers such as request.formData() that would otherwise take any size.
 * `exceeded()` tells, after a failed read, that the cap was the cause (answer tooLarge(maxBytes)).
 */
export function capRequestBody(request: Request, maxBytes: number): { request: Request; exceeded: () => boolean } {
  const declared = Number(request.headers.get("content-length"));
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge(maxBytes);
  if (!request.body) return { request, exceeded: () => false };
  let total = 0;
  let over = false;
  const capped = request.body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        total += chunk.byteLength;
        if (total > maxBytes) {
          over = true;
          controller.error(tooLarge(maxBytes));
          return;
        }
        controller.enqueue(chunk);
      },
    }),
  );
  const headers = new Headers(request.headers);
  headers.delete("content-length");
  return { request: new Request(request.url, { method: request.method, headers, body: capped, duplex: "half" } as RequestInit), exceeded: () => over };
}

/** Reads a JSON body (at most `maxBytes`, else 413) and validates it. Malformed JSON and an empty body are 400s, never 500s. */
export async function parseJson<S extends z.ZodType>(request: Request, schema: S, opts: { maxBytes?: number } = {}): Promise<z.output<S>> {
  const text = await readBodyText(request, opts.maxBytes);
  return parseJsonText(text, schema);
}

/** parseJson for a body already read as text. */
export function parseJsonText<S extends z.ZodType>(text: string, schema: S): z.output<S> {
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
