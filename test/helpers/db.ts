// A database of its own for one test file, copied from the migrated template (fast: no migrations),
// dropped after the file's tests.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, inject } from "vitest";
import { createDb, type Db } from "@/lib/db/client";
import { databaseUrl, withClient } from "./pg-admin";

export interface TestDatabase {
  /** connection string of the file's database */
  url: string;
  /** Prisma client on it */
  db: Db;
  drop(): Promise<void>;
}

export async function createTestDatabase(label = "t"): Promise<TestDatabase> {
  const server = inject("testServerUrl");
  const template = inject("testTemplate");
  const name = `${inject("testRunPrefix")}${label
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .slice(0, 20)}_${randomBytes(3).toString("hex")}`;
  await withClient(server, (c) => c.query(`create database ${c.escapeIdentifier(name)} template ${c.escapeIdentifier(template)}`));
  const url = databaseUrl(server, name);
  const db = createDb(url);
  return {
    url,
    db,
    async drop() {
      await db.$disconnect();
      await withClient(server, (c) => c.query(`drop database if exists ${c.escapeIdentifier(name)} with (force)`));
    },
  };
}

/**
 * Registers beforeAll/afterAll for a per-file database and returns an accessor:
 * `const t = isolatedTestDatabase("jobs"); ... t().db.user.findMany()`.
 */
export function isolatedTestDatabase(label?: string): () => TestDatabase {
  let current: TestDatabase | undefined;
  beforeAll(async () => {
    current = await createTestDatabase(label);
  });
  afterAll(async () => {
    await current?.drop();
  });
  return () => {
    if (!current) throw new Error("the test database is created in beforeAll: use it inside a test or hook");
    return current;
  };
}

/** Same as isolatedTestDatabase (older name, kept for the files that import it). */
export const useTestDatabase = isolatedTestDatabase;
