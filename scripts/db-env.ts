// Database selection for the launcher and CLI scripts: DATABASE_URL when set, otherwise the embedded
// PostgreSQL cluster under DATA_DIR/postgres (port EMBEDDED_PG_PORT, default 5433 so it never collides
// with a system PostgreSQL on 5432).
import path from "node:path";
import { startEmbeddedPostgres } from "@/lib/db/embedded";
import { dataDir } from "@/lib/db/storage";

export interface SelectedDatabase {
  url: string;
  embedded: boolean;
  /** the embedded cluster was initialised by this start (its first start); false for DATABASE_URL */
  firstStart: boolean;
  /** stops the embedded server if this process started it; no-op otherwise */
  stop(): Promise<void>;
}

function embeddedPort(): number {
  const raw = process.env.EMBEDDED_PG_PORT ?? "5433";
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(`EMBEDDED_PG_PORT must be a TCP port number, got "${raw}"`);
  }
  return port;
}

export async function selectDatabase(log: (line: string) => void = console.log): Promise<SelectedDatabase> {
  const url = process.env.DATABASE_URL;
  if (url) {
    try {
      new URL(url);
    } catch {
      throw new Error("DATABASE_URL is not a valid URL (expected postgresql://user:password@host:port/database)");
    }
    return { url, embedded: false, firstStart: false, stop: async () => undefined };
  }
  const pg = await startEmbeddedPostgres({
    dataDir: path.join(dataDir(), "postgres"),
    port: embeddedPort(),
    database: "understudy",
    log,
  });
  return { url: pg.url, embedded: true, firstStart: pg.initialised, stop: pg.stop };
}

/** The URL with its password masked, for logs. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "(invalid url)";
  }
}
