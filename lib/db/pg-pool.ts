// A small pg pool beside Prisma for the serving process's hot statements (exposure inserts, the routing
// fingerprint): prepared once per connection, no ORM in between. `?schema=` is honoured like createDb.
import pg from "pg";

export function createPgPool(connectionString: string, options: { max?: number } = {}): pg.Pool {
  const url = new URL(connectionString);
  const schema = url.searchParams.get("schema");
  url.searchParams.delete("schema");
  const pool = new pg.Pool({
    connectionString: url.toString(),
    max: options.max ?? 2,
    idleTimeoutMillis: 30_000,
    ...(schema ? { options: `-c search_path="${schema.replace(/"/g, '""')}"` } : {}),
  });
  // an idle connection's error (database restarted) must not crash the server; the next query reconnects
  pool.on("error", (error) => console.error("[pg] idle connection failed:", error.message));
  return pool;
}
