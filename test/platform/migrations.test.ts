import { readdirSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { QUEUE_NAMES } from "@/jobs/queues";
import { isolatedTestDatabase } from "../helpers/db";

const t = isolatedTestDatabase("migrations");

describe("migrations", () => {
  it("applies every migration folder, recorded in Prisma's _prisma_migrations", async () => {
    const dir = path.resolve(import.meta.dirname, "../../prisma/migrations");
    const folders = readdirSync(dir).filter((f) => statSync(path.join(dir, f)).isDirectory()).sort();
    const rows = await t().db.$queryRaw<{ migration_name: string; finished_at: Date | null }[]>`
      select migration_name, finished_at from _prisma_migrations order by migration_name`;
    expect(rows.map((r) => r.migration_name)).toEqual(folders);
    expect(rows.every((r) => r.finished_at !== null)).toBe(true);
  });

  it("creates the domain tables and pg-boss's schema with our queues", async () => {
    const tables = await t().db.$queryRaw<{ table_name: string }[]>`
      select table_name from information_schema.tables where table_schema = 'public'`;
    const names = tables.map((r) => r.table_name);
    for (const table of ["User", "JobRun", "JobLog", "Dataset", "Model", "Exposure", "Event", "AuditLog"]) {
      expect(names).toContain(table);
    }
    const queues = await t().db.$queryRaw<{ name: string; policy: string }[]>`select name, policy from pgboss.queue`;
    expect(queues.map((q) => q.name).sort()).toEqual([...QUEUE_NAMES].sort());
    expect(new Set(queues.map((q) => q.policy))).toEqual(new Set(["exclusive"]));
  });
});
