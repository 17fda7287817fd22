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
