// Shared set-up of the serving tests: the per-file database becomes the process database (the route
// handlers and API-key checks use db()), a user with API keys, and helpers to call the handlers with
// real Request objects.
import { createApiKey } from "@/lib/auth/api-keys";
import type { Db } from "@/lib/db/client";
import type { TestDatabase } from "../helpers/db";

/** Points db() at the test database. Call in beforeAll, before any handler runs. */
export function useAsProcessDatabase(t: TestDatabase): void {
  process.env.DATABASE_URL = t.url;
  (globalThis as unknown as { understudyDb?: Db }).understudyDb = t.db;
}

export async function apiKeys(db: Db): Promise<{ all: string; eventsOnly: string }> {
  const user = await db.user.create({ data: { email: `svc-${Date.now()}@example.com`, passwordHash: "x", role: "admin" } });
  const actor = { id: user.id, label: user.email };
  const all = await createApiKey({ name: "all", scopes: ["recommend", "events"], createdById: user.id }, actor);
  const eventsOnly = await createApiKey({ name: "events only", scopes: ["events"], createdById: user.id }, actor);
  return { all: all.key, eventsOnly: eventsOnly.key };
}

export function postJson(url: string, body: unknown, key?: string): Request {
  return new Request(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...(key ? { authorization: `Bearer ${key}` } : {}) },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}
