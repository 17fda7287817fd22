// The upload routes' caps through the real handlers (sessions included): refused by the declared
// Content-Length before a byte of the body is read, and a JSON body where a file is required is a 415.
import { beforeAll, describe, expect, it, vi } from "vitest";
import { POST as modelImportRoute } from "@/app/api/models/import/route";
import { POST as uploadRoute } from "@/app/api/datasets/import/uploads/route";
import { MODEL_IMPORT_MAX_BODY_BYTES } from "@/lib/http/limits";
import { isolatedTestDatabase } from "../helpers/db";
import { callRoute, sessionCookie } from "../helpers/route-session";
import { useAsProcessDatabase } from "../serving/fixtures";

vi.mock("next/headers", async () => (await import("../helpers/route-session")).nextHeadersFromCurrentRequest);

const t = isolatedTestDatabase("upload-caps");
let editor: string;

beforeAll(async () => {
  useAsProcessDatabase(t());
  editor = (await sessionCookie(t().db, "editor")).cookie;
});

function unread(url: string, contentType: string, declared: number) {
  const counter = { pulled: 0 };
  const body = new ReadableStream(
    {
      pull(c) {
        counter.pulled++;
        c.enqueue(new Uint8Array(1024));
      },
    },
    { highWaterMark: 0 },
  );
  const request = new Request(url, {
    method: "POST",
    body,
    headers: { cookie: editor, "content-type": contentType, "content-length": String(declared) },
    duplex: "half",
  } as RequestInit);
  return { request, counter };
}

describe("upload caps", () => {
  it("/api/models/import refuses a body declared over its cap unread (413), and a JSON body is a 400", async () => {
    const { request, counter } = unread("http://localhost/api/models/import", "multipart/form-data; boundary=b", MODEL_IMPORT_MAX_BODY_BYTES + 1);
    const r = await callRoute(modelImportRoute, request);
    expect(r.status).toBe(413);
    expect(await r.json()).toMatchObject({ error: "payload_too_large", maxBytes: MODEL_IMPORT_MAX_BODY_BYTES });
    expect(counter.pulled).toBe(0);
    const json = new Request("http://localhost/api/models/import", {
      method: "POST",
      headers: { cookie: editor, "content-type": "application/json" },
      body: "{}",
    });
    expect((await callRoute(modelImportRoute, json)).status).toBe(400);
  });

  it("/api/datasets/import/uploads wants multipart (415 for JSON, where it used to answer 201 with no upload)", async () => {
    const json = new Request("http://localhost/api/datasets/import/uploads", {
      method: "POST",
      headers: { cookie: editor, "content-type": "application/json" },
      body: "{}",
    });
    const r = await callRoute(uploadRoute, json);
    expect(r.status).toBe(415);
    expect(await r.json()).toMatchObject({ error: "unsupported_media_type", issues: [{ path: "file" }] });
  });
});
