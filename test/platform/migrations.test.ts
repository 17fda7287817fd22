import { readdirSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { QUEUE_NAMES } from "@/lib/jobs/queues";
import { DATASET_SOURCES } from "@/lib/db/datasets";
import { DISTILL_METHODS } from "@/lib/recsys/distill/methods";
import { isolatedTestDatabase } from "../helpers/db";

const t = isolatedTestDatabase("migrations");

describe("migrations", () => {
  it("applies every migration folder, recorded in Prisma's _prisma_migrations", async () => {
    const dir = path.resolve(import.meta.dirname, "../../prisma/migrations");
    const folders = readdirSync(dir)
      .filter((f) => statSync(path.join(dir, f)).isDirectory())
      .sort();
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

  it("keeps documented columns to their values: TrainingRun.kind an enum, Dataset.source and Model.distillationMethod by CHECK", async () => {
    const kinds = await t().db.$queryRaw<{ v: string }[]>`select unnest(enum_range(null::"TrainingRunKind"))::text as v`;
    expect(kinds.map((r) => r.v)).toEqual(["teacher", "distill", "redistill"]);
    const checks = await t().db.$queryRaw<{ name: string; def: string }[]>`
      select conname as name, pg_get_constraintdef(oid) as def from pg_constraint
      where conname in ('Dataset_source_check', 'Model_distillationMethod_check')`;
    const listed = (name: string) => [...(checks.find((c) => c.name === name)?.def ?? "").matchAll(/'([^']+)'/g)].map((m) => m[1]);
    expect(listed("Dataset_source_check")).toEqual([...DATASET_SOURCES]);
    expect(listed("Model_distillationMethod_check")).toEqual([...DISTILL_METHODS]);
    const dataset = { name: "x", snapshot: `check-${Date.now()}`, numUsers: 1, numItems: 1, numInteractions: 1 };
    await expect(t().db.dataset.create({ data: { ...dataset, source: "somewhere" } })).rejects.toThrow(/Dataset_source_check/);
    const ok = await t().db.dataset.create({ data: { ...dataset, source: "csv" } });
    const model = { name: "m", role: "student" as const, architecture: "bpr-mf", dimension: 2, parameterCount: 4, artifactUri: "/nowhere", datasetId: ok.id };
    await expect(t().db.model.create({ data: { ...model, distillationMethod: "de-rrd-v2" } })).rejects.toThrow(/Model_distillationMethod_check/);
    await t().db.model.create({ data: { ...model, distillationMethod: "de-rrd" } });
  });
});
