import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { POST } from "@/app/api/v1/events/route";
import { createApiKey } from "@/lib/auth/api-keys";
import { EventsAnswer } from "@/lib/http/response-schemas";
import { isolatedTestDatabase } from "../helpers/db";
import { apiKeys, postJson, useAsProcessDatabase } from "./fixtures";

const t = isolatedTestDatabase("events");
const URL_ = "http://localhost/api/v1/events";
let keys: { all: string; eventsOnly: string };

beforeAll(async () => {
  useAsProcessDatabase(t());
  keys = await apiKeys(t().db);
});

const now = () => new Date().toISOString();
const call = (body: unknown, key: string | null = keys.eventsOnly) => POST(postJson(URL_, body, key ?? undefined), undefined);

describe("POST /api/v1/events", () => {
  it("401 without an API key, 401 with a wrong one", async () => {
    expect((await call({ events: [] }, null)).status).toBe(401);
    expect((await call({ events: [] }, "us_000000000000_" + "a".repeat(43))).status).toBe(401);
  });

  it("403 for a key without the events scope (a recommend-only key), and nothing stored", async () => {
    const user = await t().db.user.create({ data: { email: `rec-only-${Date.now()}@example.com`, passwordHash: "x", role: "admin" } });
    const { key } = await createApiKey({ name: "recommend only", scopes: ["recommend"], createdById: user.id }, { id: user.id, label: user.email });
    const before = await t().db.event.count();
    const response = await call({ events: [{ eventId: `rec-only-${randomUUID()}`, type: "click", userId: "u1", timestamp: Date.now() }] }, key);
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({ error: "forbidden" });
    expect(await t().db.event.count()).toBe(before);
  });

  it("accepts each id once when two batches with overlapping ids arrive in parallel", async () => {
    const tag = randomUUID();
    const ev = (i: number) => ({ eventId: `overlap-${tag}-${i}`, type: "click", userId: `overlap-user-${i}`, timestamp: Date.now() });
    const a = Array.from({ length: 60 }, (_, i) => ev(i));
    const b = Array.from({ length: 60 }, (_, i) => ev(i + 30)); // ids 30..59 in both
    const [ra, rb] = await Promise.all([call({ events: a }), call({ events: b })]);
    const [ja, jb] = (await Promise.all([ra.json(), rb.json()])) as { accepted: number; duplicates: number }[];
    expect(ja.accepted + jb.accepted).toBe(90);
    expect(ja.duplicates + jb.duplicates).toBe(30);
    expect(await t().db.event.count({ where: { eventId: { startsWith: `overlap-${tag}-` } } })).toBe(90);
  });

  it("stores a batch and answers 202 after commit", async () => {
    const requestId = randomUUID();
    const events = [
      { eventId: `e1-${requestId}`, type: "click", userId: "u1", itemId: "i1", requestId, timestamp: now() },
      { eventId: `e2-${requestId}`, type: "revenue", userId: "u1", value: 12.5, timestamp: Date.now() },
      { eventId: `e3-${requestId}`, type: "custom", userId: "u2", timestamp: now() },
    ];
    const response = await call({ events });
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({ accepted: 3, duplicates: 0, rejected: [] });
    const rows = await t().db.event.findMany({ where: { eventId: { in: events.map((e) => e.eventId) } }, orderBy: { eventId: "asc" } });
    expect(rows.map((r) => [r.eventId, r.type, r.userId, r.itemId, r.requestId, r.value])).toEqual([
      [`e1-${requestId}`, "click", "u1", "i1", requestId, null],
      [`e2-${requestId}`, "revenue", "u1", null, null, 12.5],
      [`e3-${requestId}`, "custom", "u2", null, null, null],
    ]);
  });

  it("is idempotent on eventId, across and within batches", async () => {
    const id = randomUUID();
    const event = { eventId: `dup-${id}`, type: "click", userId: "u1", timestamp: now() };
    expect(await (await call([event])).json()).toEqual({ accepted: 1, duplicates: 0, rejected: [] });
    const again = await call({ events: [event, { ...event }, { ...event, eventId: `dup2-${id}` }] });
    expect(again.status).toBe(202);
    expect(await again.json()).toEqual({ accepted: 1, duplicates: 2, rejected: [] });
    expect(await t().db.event.count({ where: { eventId: { startsWith: "dup" } } })).toBe(2);
  });

  it("rejects invalid events one by one and stores the valid ones", async () => {
    const id = randomUUID();
    const events = [
      { eventId: `ok-${id}`, type: "conversion", userId: "u9", timestamp: now() },
      { eventId: `norev-${id}`, type: "revenue", userId: "u9", timestamp: now() },
      { eventId: `badtype-${id}`, type: "purchase", userId: "u9", timestamp: now() },
      { type: "click", userId: "u9", timestamp: now() },
      { eventId: `badreq-${id}`, type: "click", userId: "u9", requestId: "not-a-uuid", timestamp: now() },
      { eventId: `badts-${id}`, type: "click", userId: "u9", timestamp: "yesterday" },
      "not an object",
    ];
    const response = await call({ events });
    expect(response.status).toBe(202);
    // the answer as the API document describes it (strict: an undocumented field fails)
    const body = EventsAnswer.parse(await response.json());
    expect(body.accepted).toBe(1);
    expect(body.rejected.map((r) => [r.index, r.eventId, r.issues.map((i) => i.path)])).toEqual([
      [1, `norev-${id}`, ["value"]],
      [2, `badtype-${id}`, ["type"]],
      [3, undefined, ["eventId"]],
      [4, `badreq-${id}`, ["requestId"]],
      [5, `badts-${id}`, ["timestamp"]],
      [6, undefined, [""]],
    ]);
    expect(await t().db.event.count({ where: { userId: "u9" } })).toBe(1);
  });

  it("answers 400 when every event is invalid, and for a malformed body", async () => {
    const allBad = await call({ events: [{ eventId: "x", type: "nope", userId: "u", timestamp: now() }] });
    expect(allBad.status).toBe(400);
    expect(EventsAnswer.parse(await allBad.json()).rejected).toHaveLength(1);
    const malformed = await call("{not json");
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { error: string }).error).toBe("invalid_json");
    const wrongShape = await call({ events: "many" });
    expect(wrongShape.status).toBe(400);
    expect((await call({ events: [] })).status).toBe(400);
  });

  it("refuses more than 1000 events with 413 and stores none of them", async () => {
    const id = randomUUID();
    const events = Array.from({ length: 1001 }, (_, i) => ({ eventId: `big-${id}-${i}`, type: "click", userId: "u", timestamp: now() }));
    const response = await call({ events });
    expect(response.status).toBe(413);
    expect(((await response.json()) as { message: string }).message).toMatch(/at most 1000/);
    expect(await t().db.event.count({ where: { eventId: { startsWith: `big-${id}` } } })).toBe(0);
    const started = performance.now();
    const ok = await call({ events: events.slice(0, 1000) });
    console.log(`1000 events stored in ${(performance.now() - started).toFixed(0)} ms`);
    expect(ok.status).toBe(202);
    expect(((await ok.json()) as { accepted: number }).accepted).toBe(1000);
  });
});
