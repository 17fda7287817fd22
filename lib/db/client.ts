import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "./generated/client";

export type Db = PrismaClient;

const globalForDb = globalThis as unknown as { understudyDb?: PrismaClient };

/** Builds a client for one connection string (tests pass their own, with `?schema=` isolation). */
export function createDb(connectionString: string): PrismaClient {
  const url = new URL(connectionString);
  const schema = url.searchParams.get("schema") ?? undefined;
  url.searchParams.delete("schema");
  const adapter = new PrismaPg({ connectionString: url.toString() }, schema ? { schema } : undefined);
  return new PrismaClient({ adapter });
}

/**
 * The process-wide client, created on first use so that importing this module (e.g. during
 * `next build`) never needs DATABASE_URL.
 */
export function db(): PrismaClient {
  if (!globalForDb.understudyDb) {
    const url = process.env.DATABASE_URL;
    if (!url) throw new Error("DATABASE_URL is not set: start Understudy with `npm start`, which provides it");
    globalForDb.understudyDb = createDb(url);
  }
  return globalForDb.understudyDb;
}
