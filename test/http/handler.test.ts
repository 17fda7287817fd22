import { afterEach, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { handler, HttpError, jsonError, parseJson } from "@/lib/http";

const request = (body?: string) => new Request("http://localhost/api/things", { method: "POST", body });

afterEach(() => {
  vi.restoreAllMocks();
});

describe("handler()", () => {
  it("passes successful responses through", async () => {
    const route = handler(async () => Response.json({ ok: true }, { status: 201 }));
    const response = await route(request(), undefined);
    expect(response.status).toBe(201);
    expect(await response.json()).toEqual({ ok: true });
  });

  it("maps an HttpError to its status and JSON body", async () => {
    const route = handler(async () => {
      throw new HttpError(409, "conflict", "Already exists", { field: "email" });
    });
    const response = await route(request(), undefined);
    expect(response.status).toBe(409);
    expect(response.headers.get("content-type")).toContain("application/json");
    expect(await response.json()).toEqual({ error: "conflict", message: "Already exists", field: "email" });
  });

  it("answers parseJson failures with 400 and the issues", async () => {
    const route = handler(async (req: Request) => Response.json(await parseJson(req, z.object({ n: z.number() }))));
    const malformed = await route(request("{"), undefined);
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({ error: "invalid_json" });

    const invalid = await route(request(JSON.stringify({ n: "x" })), undefined);
    expect(invalid.status).toBe(400);
    expect(await invalid.json()).toEqual({
      error: "invalid_request",
      message: "The request has invalid fields",
      issues: [{ path: "n", message: expect.any(String) }],
    });
  });

  it("maps a ZodError thrown deeper in the stack to 400", async () => {
    const route = handler(async () => {
      z.object({ input: z.object({ steps: z.number() }) }).parse({ input: { steps: "many" } });
      return new Response(null);
    });
    const response = await route(request(), undefined);
    expect(response.status).toBe(400);
    expect((await response.json()).issues).toEqual([{ path: "input.steps", message: expect.any(String) }]);
  });

  it("turns any other error into a bare 500 with a request id, logging the details server-side only", async () => {
    const log = vi.spyOn(console, "error").mockImplementation(() => undefined);
    const route = handler(async () => {
      throw new Error("connection refused to 10.1.2.3 with password hunter2");
    });
    const response = await route(request(), undefined);
    expect(response.status).toBe(500);
    const text = await response.text();
    const body = JSON.parse(text);
    expect(body).toEqual({ error: "internal_error", message: "Something went wrong on our side", requestId: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    expect(response.headers.get("x-request-id")).toBe(body.requestId);
    expect(text).not.toContain("hunter2");
    expect(text).not.toMatch(/\.ts:\d+/);

    expect(log).toHaveBeenCalledTimes(1);
    expect(String(log.mock.calls[0][0])).toContain(body.requestId);
    expect(log.mock.calls[0][1]).toBeInstanceOf(Error);
  });
});

describe("jsonError()", () => {
  it("builds the standard error body", async () => {
    const response = jsonError(404, "not_found", "No such job");
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: "not_found", message: "No such job" });
  });
});

describe("database unreachable", () => {
  it("answers 503 with a clear message (not 500) when PostgreSQL cannot be reached", async () => {
    const { createDb } = await import("@/lib/db/client");
    const unreachable = createDb("postgresql://postgres@127.0.0.1:1/none");
    const route = handler(async () => Response.json({ users: await unreachable.user.count() }));
    const response = await route(request(), undefined);
    expect(response.status).toBe(503);
    expect(response.headers.get("retry-after")).toBe("5");
    expect(await response.json()).toMatchObject({ error: "database_unavailable" });
    await unreachable.$disconnect();
  });
});
