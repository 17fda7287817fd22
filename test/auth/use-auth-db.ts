// Points lib/auth's process-wide db() at this test file's own database (created from the migrated template).
import { beforeAll } from "vitest";
import { useTestDatabase } from "../helpers/db";

export function useAuthDatabase(label: string) {
  const t = useTestDatabase(label);
  beforeAll(() => {
    process.env.DATABASE_URL = t().url;
  });
  return t;
}
