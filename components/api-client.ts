// Browser-side calls to our route handlers, with their error shape turned into form-friendly data.

export interface ApiFailure {
  status: number;
  code: string;
  message: string;
  /** field path → first message, from a 400's `issues` */
  fieldErrors: Record<string, string>;
}

export type ApiResult<T> = { ok: true; data: T } | { ok: false; error: ApiFailure };

interface ErrorBody {
  error?: string;
  message?: string;
  issues?: { path: string; message: string }[];
}

export async function callApi<T>(url: string, method: "POST" | "PATCH" | "DELETE" | "GET", body?: unknown): Promise<ApiResult<T>> {
  let response: Response;
  try {
    response = await fetch(url, {
      method,
      headers: body === undefined ? undefined : { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: "no-store",
    });
  } catch {
    return { ok: false, error: { status: 0, code: "network_error", message: "The server could not be reached", fieldErrors: {} } };
  }
  const parsed: unknown = await response.json().catch(() => null);
  if (response.ok) return { ok: true, data: parsed as T };

  const errorBody = (parsed ?? {}) as ErrorBody;
  const fieldErrors: Record<string, string> = {};
  for (const issue of errorBody.issues ?? []) fieldErrors[issue.path] ??= issue.message;
  return {
    ok: false,
    error: {
      status: response.status,
      code: errorBody.error ?? "http_error",
      message: errorBody.message ?? `Request failed (${response.status})`,
      fieldErrors,
    },
  };
}

export const postJson = <T>(url: string, body: unknown = {}) => callApi<T>(url, "POST", body);
