// A database of this test file's own (copied from the migrated template), with lib/auth's
// process-wide db() pointed at it.
import { afterAll, beforeAll } from "vitest";
import { createTestDatabase, type TestDatabase } from "../helpers/db";

export function authTestDatabase(label: string): () => TestDatabase {
  let current: TestDatabase | undefined;
  beforeAll(async () => {
    current = await createTestDatabase(label);
    process.env.DATABASE_URL = current.url;
  });
  afterAll(async () => {
    const { db } = await import("@/lib/db/client");
    await db().$disconnect();
    await current?.drop();
  });
  return () => {
    if (!current) throw new Error("the test database is created in beforeAll");
    return current;
  };
}
