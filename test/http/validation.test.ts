import { describe, expect, it } from "vitest";
import { z } from "zod";
import { HttpError, parseJson, parseQuery } from "@/lib/http";

const Body = z.object({
  name: z.string().min(1, "Name is required"),
  config: z.object({ dim: z.number().int().positive() }),
  tags: z.array(z.string()).default([]),
});

const post = (body: string, headers: Record<string, string> = { "content-type": "application/json" }) =>
  new Request("http://localhost/api/things", { method: "POST", body, headers });

async function failure(promise: Promise<unknown>): Promise<HttpError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(HttpError);
  return error as HttpError;
}

describe("parseJson", () => {
  it("returns the parsed, defaulted body when valid", async () => {
    expect(await parseJson(post(JSON.stringify({ name: "a", config: { dim: 20 } })), Body)).toEqual({ name: "a", config: { dim: 20 }, tags: [] });
  });

  it("rejects malformed JSON with 400 invalid_json", async () => {
    const error = await failure(parseJson(post("{name: oops"), Body));
    expect(error.status).toBe(400);
    expect(error.code).toBe("invalid_json");
  });

  it("lists every failing field with its dotted path and reason", async () => {
    const error = await failure(parseJson(post(JSON.stringify({ name: "", config: { dim: -1 }, tags: [1] })), Body));
    expect(error.status).toBe(400);
    expect(error.code).toBe("invalid_request");
    const issues = error.details.issues as { path: string; message: string }[];
    expect(issues.map((i) => i.path).sort()).toEqual(["config.dim", "name", "tags.0"]);
    expect(issues.find((i) => i.path === "name")?.message).toBe("Name is required");
  });

  it("treats an empty body as {} (then the schema decides) and a non-object body as invalid", async () => {
    const empty = await failure(parseJson(post(""), Body));
    expect((empty.details.issues as { path: string }[]).map((i) => i.path)).toContain("name");
    const array = await failure(parseJson(post("[1,2]"), Body));
    expect(array.details.issues).toEqual([expect.objectContaining({ path: "" })]);
  });
});

describe("parseQuery", () => {
  it("validates and coerces query parameters", () => {
    const Query = z.object({ limit: z.coerce.number().int().max(100).default(10), q: z.string().optional() });
    expect(parseQuery(new Request("http://x/api?limit=5&q=abc"), Query)).toEqual({ limit: 5, q: "abc" });
    expect(parseQuery(new Request("http://x/api"), Query)).toEqual({ limit: 10 });
    expect(() => parseQuery(new Request("http://x/api?limit=500"), Query)).toThrow(HttpError);
  });
});

describe("messages for schemas without their own", () => {
  it("says what is wrong in a few words a form can show under the field", async () => {
    const Plain = z
      .object({
        users: z.number().int().min(10).max(1000),
        name: z.string().min(1),
        code: z.string().min(3),
        role: z.enum(["viewer", "admin"]),
        email: z.email(),
        tags: z.array(z.string()).min(1),
        seed: z.number(),
      })
      .strict();
    const error = await failure(parseJson(post(JSON.stringify({ users: 3.5, name: "", code: "ab", role: "root", email: "x", tags: [], extra: 1 })), Plain));
    const byPath = Object.fromEntries((error.details.issues as { path: string; message: string }[]).map((i) => [i.path, i.message]));
    expect(byPath).toEqual({
      users: "Must be a whole number",
      name: "Required",
      code: "Must be at least 3 characters",
      role: "Must be one of: viewer, admin",
      email: "Must be a valid email address",
      tags: "Needs at least 1 item",
      seed: "Required",
      "": "Unknown field: extra",
    });

    const big = await failure(
      parseJson(post(JSON.stringify({ users: 5000, name: "a", code: "abc", role: "admin", email: "a@b.co", tags: ["t"], seed: "1" })), Plain),
    );
    expect(big.details.issues).toEqual([
      { path: "users", message: "Must be at most 1000" },
      { path: "seed", message: "Must be a number" },
    ]);
  });
});
