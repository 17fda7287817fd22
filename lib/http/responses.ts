/** JSON error body used by every route handler: `{ error: code, message, ...details }`. */
export function jsonError(status: number, code: string, message: string, details: Record<string, unknown> = {}, init: ResponseInit = {}): Response {
  return Response.json({ error: code, message, ...details }, { ...init, status });
}

/** Serialises values JSON cannot carry natively (BigInt ids, Dates are fine). */
export function json(data: unknown, init: ResponseInit = {}): Response {
  const body = JSON.stringify(data, (_key, value: unknown) => (typeof value === "bigint" ? value.toString() : value));
  const headers = new Headers(init.headers);
  if (!headers.has("content-type")) headers.set("content-type", "application/json");
  return new Response(body, { ...init, headers });
}
