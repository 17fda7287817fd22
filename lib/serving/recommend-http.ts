// POST /api/v1/recommend for any server: the Next route handler and the lean serving process
// (scripts/serve-api.ts) both call answerRecommend, so they answer byte for byte alike. The key is checked
// from the headers before the body is read; the answer is a JSON string (no Request/Response objects on
// the lean process's hot path).
import { z } from "zod";
import type { ApiKeyScope } from "@/lib/auth/api-keys";
import { HttpError } from "@/lib/http/errors";
import { parseJsonText } from "@/lib/http/validation";
import { requirePresentedKey } from "./api-key";
import type { RecommendResponse } from "./recommend";
import { NoProductionModelError, ProductionModelUnavailableError } from "./router";
import { servingRuntime } from "./runtime";

export const RecommendBody = z.object({
  // NUL cannot be stored in a PostgreSQL text column: it would sink the exposure batch it is in
  userId: z
    .string()
    .trim()
    .min(1, "userId must not be empty")
    .max(256)
    .refine((id) => !id.includes("\0"), "userId must not contain a NUL character"),
  k: z.number().int("k must be an integer").min(1, "k must be at least 1").max(100, "k must be at most 100"),
  exclude: z.array(z.string().min(1).max(256)).max(1000, "exclude holds at most 1000 item ids").optional(),
});

const SCOPE: ApiKeyScope = "recommend";

export type RecommendInput = z.output<typeof RecommendBody>;

/**
 * RecommendBody's verdict on a well-formed body, without zod's machinery (about a tenth of a student
 * request's CPU in the profile); null for anything else, which then goes through zod, the authority,
 * for its result or its field-by-field errors. Tested to agree with the schema.
 */
export function acceptRecommendBody(value: unknown): RecommendInput | null {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return null;
  const { userId, k, exclude } = value as Record<string, unknown>;
  if (typeof userId !== "string" || typeof k !== "number" || !Number.isInteger(k) || k < 1 || k > 100) return null;
  const id = userId.trim();
  if (id.length < 1 || id.length > 256 || id.includes("\0")) return null;
  if (exclude === undefined) return { userId: id, k };
  if (!Array.isArray(exclude) || exclude.length > 1000) return null;
  for (const item of exclude) if (typeof item !== "string" || item.length < 1 || item.length > 256) return null;
  return { userId: id, k, exclude: exclude as string[] };
}

function parseRecommendBody(text: string): RecommendInput {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return parseJsonText(text, RecommendBody); // the 400 with the parser's message
  }
  return acceptRecommendBody(value) ?? parseJsonText(text, RecommendBody);
}

export interface JsonAnswer {
  status: number;
  /** JSON text */
  body: string;
}

/** The body of an HttpError, as every route handler answers it (lib/http/responses jsonError). */
export function httpErrorAnswer(error: HttpError): JsonAnswer {
  return { status: error.status, body: JSON.stringify({ error: error.code, message: error.message, ...error.details }) };
}

/**
 * Answers one recommendation request. `presentedKey`: the API key of the headers (presentedKeyOf);
 * `readBody` is called only once the key is valid. Client errors (401, 403, 400, 503 without a
 * production model) come back as answers; anything else rejects for the server's 500 handling.
 * A repeat of a verified key is checked without a promise, so a request waits on its body and its
 * scoring only.
 */
export function answerRecommend(presentedKey: string | null, readBody: () => Promise<string>): Promise<JsonAnswer> {
  let key;
  try {
    key = requirePresentedKey(presentedKey, SCOPE);
  } catch (error) {
    return Promise.resolve(clientError(error));
  }
  const answer = key instanceof Promise ? key.then(() => recommendBody(readBody)) : recommendBody(readBody);
  return answer.then(okAnswer, clientError);
}

function recommendBody(readBody: () => Promise<string>): Promise<RecommendResponse> {
  return readBody().then(recommendText, unreadable);
}

function unreadable(error: unknown): never {
  if (error instanceof HttpError) throw error; // the body cap's 413
  throw new HttpError(400, "invalid_json", "The request body could not be read");
}

function recommendText(text: string): Promise<RecommendResponse> {
  return servingRuntime().service.recommend(parseRecommendBody(text));
}

function okAnswer(response: RecommendResponse): JsonAnswer {
  return { status: 200, body: JSON.stringify(response) };
}

/** the answer of a client error; anything else is thrown on */
function clientError(error: unknown): JsonAnswer {
  if (error instanceof NoProductionModelError) return httpErrorAnswer(new HttpError(503, "no_production_model", error.message));
  if (error instanceof ProductionModelUnavailableError) return httpErrorAnswer(new HttpError(503, "production_model_unavailable", error.message));
  if (error instanceof HttpError) return httpErrorAnswer(error);
  throw error;
}
