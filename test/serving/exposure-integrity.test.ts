// Exposure's references to Model and Experiment are kept by statement-level triggers, not foreign keys
// (a foreign key looks its parent up once per row). These pin the guarantees the foreign keys gave,
// against the real schema: the serving writer's batch, Prisma's writes and plain SQL alike.
import { randomUUID } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ExposureWriter, insertExposures, type ExposureRow } from "@/lib/db/exposures";
import { createPgPool } from "@/lib/db/pg-pool";
import { isolatedTestDatabase } from "../helpers/db";
import { waitFor } from "../helpers/wait";
import { exposureRow } from "./fixtures";

const t = isolatedTestDatabase("exposure_integrity");
let pool: ReturnType<typeof createPgPool>;
let writer: ExposureWriter;
let datasetId: string;
let userId: string;

beforeAll(async () => {
  pool = createPgPool(t().url);
  writer = new ExposureWriter(pool);
  const db = t().db;
  datasetId = (await db.dataset.create({ data: { name: "d", source: "synthetic", snapshot: "s", numUsers: 1, numItems: 1, numInteractions: 1 } })).id;
  userId = (await db.user.create({ data: { email: "integrity@example.com", passwordHash: "x" } })).id;
});

afterAll(async () => {
  await pool.end();
});

const newModel = () =>
  t().db.model.create({
    data: { name: `m-${randomUUID()}`, role: "student", architecture: "bpr-mf", dimension: 2, parameterCount: 4, artifactUri: "/nowhere", datasetId },
  });
const newExperiment = () =>
  t().db.experiment.create({
    data: { name: `e-${randomUUID()}`, salt: randomUUID(), rampSchedule: [1, 100], guardrails: {}, kpis: ["ctr"], createdById: userId },
  });

/** a row as serving writes it: a candidate's inside an experiment, production's outside */
function row(modelId: string, experimentId: string | null): ExposureRow {
  return exposureRow(modelId, experimentId, { variant: experimentId ? "candidate" : "production" });
}

/** the error of a rejected statement, with PostgreSQL's fields */
async function rejection(work: Promise<unknown>): Promise<pg.DatabaseError> {
  const error = await work.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(pg.DatabaseError);
  return error as pg.DatabaseError;
}

const stored = (requestIds: string[]) => t().db.exposure.count({ where: { requestId: { in: requestIds } } });

describe("exposure integrity without row-by-row foreign keys", () => {
  it("refuses a batch naming an unknown model, with the foreign key's SQLSTATE and name, and stores none of it", async () => {
    const model = await newModel();
    const rows = [row(model.id, null), row("no-such-model", null), row(model.id, null)];
    const error = await rejection(writer.write(rows));
    expect(error.code).toBe("23503");
    expect(error.constraint).toBe("Exposure_modelId_fkey");
    expect(error.detail).toContain("no-such-model");
    expect(await stored(rows.map((r) => r.requestId))).toBe(0);
  });

  it("refuses a batch naming an unknown experiment, and accepts one without an experiment", async () => {
    const model = await newModel();
    const experiment = await newExperiment();
    const bad = [row(model.id, experiment.id), row(model.id, "no-such-experiment")];
    const error = await rejection(writer.write(bad));
    expect(error.code).toBe("23503");
    expect(error.constraint).toBe("Exposure_experimentId_fkey");
    expect(await stored(bad.map((r) => r.requestId))).toBe(0);
    const good = [row(model.id, experiment.id), row(model.id, null)];
    expect(await writer.write(good)).toBe(2);
    expect(await stored(good.map((r) => r.requestId))).toBe(2);
  });

  it("checks Prisma's own inserts and updates too", async () => {
    const model = await newModel();
    await expect(insertExposures(t().db, [row("missing-model", null)])).rejects.toThrow(/Exposure_modelId_fkey/);
    const ok = row(model.id, null);
    await insertExposures(t().db, [ok]);
    await expect(t().db.exposure.update({ where: { requestId: ok.requestId }, data: { modelId: "missing-model" } })).rejects.toThrow(/Exposure_modelId_fkey/);
    expect((await t().db.exposure.findUniqueOrThrow({ where: { requestId: ok.requestId } })).modelId).toBe(model.id);
  });

  it("keeps a model with exposures from being deleted (ON DELETE RESTRICT), and lets one without go", async () => {
    const used = await newModel();
    const unused = await newModel();
    await writer.write([row(used.id, null)]);
    const error = await rejection(pool.query(`DELETE FROM "Model" WHERE id = $1`, [used.id]));
    expect(error.code).toBe("23503");
    expect(error.detail).toContain(used.id);
    expect(await t().db.model.count({ where: { id: used.id } })).toBe(1);
    await pool.query(`DELETE FROM "Model" WHERE id = $1`, [unused.id]);
    expect(await t().db.model.count({ where: { id: unused.id } })).toBe(0);
  });

  it("sets a deleted experiment's exposures to no experiment (ON DELETE SET NULL) and carries a changed id over", async () => {
    const model = await newModel();
    const gone = await newExperiment();
    const renamed = await newExperiment();
    const [a, b] = [row(model.id, gone.id), row(model.id, renamed.id)];
    await writer.write([a, b]);
    await pool.query(`DELETE FROM "Experiment" WHERE id = $1`, [gone.id]);
    expect((await t().db.exposure.findUniqueOrThrow({ where: { requestId: a.requestId } })).experimentId).toBeNull();
    const newId = `renamed-${randomUUID()}`;
    await pool.query(`UPDATE "Experiment" SET id = $2 WHERE id = $1`, [renamed.id, newId]);
    expect((await t().db.exposure.findUniqueOrThrow({ where: { requestId: b.requestId } })).experimentId).toBe(newId);
  });

  it("holds a referenced model against a concurrent delete until the inserting transaction ends", async () => {
    const model = await newModel();
    // two sessions of their own (the serving pool is small, and the test polls through it meanwhile)
    const [inserting, deleting] = [new pg.Client({ connectionString: t().url }), new pg.Client({ connectionString: t().url })];
    await Promise.all([inserting.connect(), deleting.connect()]);
    try {
      await inserting.query("BEGIN");
      const r = row(model.id, null);
      await inserting.query(
        `INSERT INTO "Exposure" ("requestId", "variant", "modelId", "userId", "itemCount", "latencyUs", "cpuUs") VALUES ($1, 'production', $2, 'u', 1, 1, 1)`,
        [r.requestId, model.id],
      );
      // the delete must wait on the insert's key-share lock (without it, it would delete the model under
      // the uncommitted exposure); once the insert commits, it sees the exposure and is refused
      let settled: string | null = null;
      const deletion = deleting.query(`DELETE FROM "Model" WHERE id = $1`, [model.id]).then(
        () => (settled = "deleted"),
        (e: pg.DatabaseError) => (settled = e.code ?? "error"),
      );
      await waitFor(
        "the delete to wait on the inserting transaction",
        async () => {
          if (settled !== null) throw new Error(`the delete did not wait: ${settled}`);
          const { rows } = await pool.query<{ n: number }>(
            `SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'DELETE FROM "Model"%'`,
          );
          return rows[0].n === 1;
        },
        { timeoutMs: 10_000, intervalMs: 20 },
      );
      await inserting.query("COMMIT");
      expect(await deletion).toBe("23503");
      expect(await stored([r.requestId])).toBe(1);
    } finally {
      await Promise.all([inserting.end(), deleting.end()]);
    }
  });
});
