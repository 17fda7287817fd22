// `npm run db:migrate`: applies migrations to DATABASE_URL (or the embedded database, started for the
// occasion and stopped afterwards).
import { migrateDatabase } from "@/lib/db/migrate";
import { redactUrl, selectDatabase } from "./db-env";

const database = await selectDatabase();
try {
  console.log(`migrating ${redactUrl(database.url)}`);
  await migrateDatabase(database.url);
  console.log("database is up to date");
} catch (err) {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
} finally {
  await database.stop();
}
