// What `npm start` does to a migrated database before serving it: the first admin, and demo data only
// in an explicit demo (demoPlan).
import { ensureFirstAdmin } from "@/lib/auth/bootstrap";
import { db } from "./client";
import { demoPlan, seedDemoData } from "./seed";

export interface StartDatabase {
  url: string;
  embedded: boolean;
  firstStart: boolean;
}

/** Returns the lines to print after the server's URL (the admin's generated password, demo accounts). */
export async function prepareDatabase(
  database: StartDatabase,
  say: (line: string) => void,
  env: Record<string, string | undefined> = process.env,
): Promise<string[]> {
  const plan = demoPlan(env, database);
  const notes: string[] = [];
  await ensureFirstAdmin((line) => notes.push(...line.split("\n")));
  say(`demo data: ${plan.data ? "yes" : "no"} (${plan.reason})`);
  if (plan.data) notes.push(...(await seedDemoData({ log: say, users: plan.users, url: database.url })));
  return notes;
}

export async function disconnectDatabase(): Promise<void> {
  await db().$disconnect();
}
