import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ExposureWriter, insertExposures, lostExposureCount, recordExposureLoss, type ExposureRow } from "@/lib/db/exposures";
import { createPgPool } from "@/lib/db/pg-pool";
import { ExposureBatcher } from "@/lib/serving/exposure-batcher";
import { isolatedTestDatabase } from "../helpers/db";
import { exposureRow } from "./fixtures";

const t = isolatedTestDatabase("exposures");
let modelId: string;
let experimentId: string;
/** the serving process's writer (prepared statement on a pg pool of its own) */
let writer: ExposureWriter;
let pool: ReturnType<typeof createPgPool>;

beforeAll(async () => {
  pool = createPgPool(t().url);
  writer = new ExposureWriter(pool);
  const db = t().db;
  const dataset = await db.dataset.create({ data: { name: "d", source: "synthetic", snapshot: "s", numUsers: 1, numItems: 1, numInteractions: 1 } });
  const model = await db.model.create({
    data: { name: "m", role: "student", architecture: "bpr-mf", dimension: 2, parameterCount: 4, artifactUri: "/nowhere", datasetId: dataset.id },
  });
  const user = await db.user.create({ data: { email: "e@example.com", passwordHash: "x" } });
  const experiment = await db.experiment.create({
    data: { name: "e", salt: "s", rampSchedule: [1, 100], guardrails: {}, kpis: ["ctr"], createdById: user.id },
  });
  modelId = model.id;
  experimentId = experiment.id;
});

function row(overrides: Partial<ExposureRow> = {}): ExposureRow {
  return exposureRow(modelId, experimentId, overrides);
}

afterAll(async () => {
  await pool.end();
});

function dbSink() {
  const batches: number[] = [];
  return {
    batches,
    sink: {
      write: async (rows: readonly ExposureRow[]) => {
        batches.push(rows.length);
        return writer.write(rows);
      },
      recordLoss: (entries: Parameters<typeof recordExposureLoss>[1]) => recordExposureLoss(t().db, entries),
    },
  };
}

async function until(condition: () => Promise<boolean>, what: string, deadlineMs = 10_000): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("ExposureBatcher on PostgreSQL", () => {
  it("writes every enqueued row in batches of at most 500, without being asked", async () => {
    const { sink, batches } = dbSink();
    const batcher = new ExposureBatcher(sink, { flushMs: 30 });
    const rows = Array.from({ length: 1234 }, (_, i) => row({ userId: `batch-${i}` }));
    for (const r of rows) batcher.enqueue(r);
    // the last batch's commit is visible before its write resolves and is counted: wait for both
    await until(
      async () => (await t().db.exposure.count({ where: { userId: { startsWith: "batch-" } } })) === 1234 && batcher.stats().written === 1234,
      "1234 exposures, written and counted",
    );
    expect(Math.max(...batches)).toBeLessThanOrEqual(500);
    expect(batches.reduce((a, b) => a + b, 0)).toBe(1234);
    expect(batcher.stats()).toMatchObject({ enqueued: 1234, written: 1234, queued: 0 });
    const stored = await t().db.exposure.findUnique({ where: { requestId: rows[17].requestId } });
    expect(stored).toMatchObject({ experimentId, variant: "candidate", modelId, userId: "batch-17", itemCount: 10, latencyUs: 150, cpuUs: 140, failed: false });
    expect(stored?.createdAt.getTime()).toBe(rows[17].createdAt.getTime());
  });

  it("flushes a lone row after the interval", async () => {
    const { sink } = dbSink();
    const batcher = new ExposureBatcher(sink, { flushMs: 50 });
    const r = row({ userId: "lone" });
    batcher.enqueue(r);
    expect(batcher.size).toBe(1); // nothing written on the request path
    await until(async () => (await t().db.exposure.count({ where: { requestId: r.requestId } })) === 1, "the lone row");
  });

  it("drops the oldest rows beyond the queue cap and records how many", async () => {
    const { sink } = dbSink();
    const batcher = new ExposureBatcher(sink, { flushMs: 10_000, maxQueue: 100 });
    const rows = Array.from({ length: 250 }, (_, i) => row({ userId: `cap-${i}` }));
    for (const r of rows) batcher.enqueue(r);
    expect(batcher.stats().dropped.queue_overflow).toBe(150);
    const before = await lostExposureCount(t().db, experimentId);
    await batcher.flush();
    const stored = await t().db.exposure.findMany({ where: { userId: { startsWith: "cap-" } }, select: { userId: true } });
    expect(stored.map((s) => s.userId).sort()).toEqual(
      rows
        .slice(150)
        .map((r) => r.userId)
        .sort(),
    );
    expect((await lostExposureCount(t().db, experimentId)) - before).toBe(150);
    const loss = await t().db.exposureLoss.findFirst({ where: { reason: "queue_overflow" } });
    expect(loss).toMatchObject({ experimentId, count: 150 });
  });

  it("retries a failing INSERT, then counts its rows as lost (flush_failed)", async () => {
    const errors: unknown[] = [];
    const { sink } = dbSink();
    const batcher = new ExposureBatcher(sink, { flushMs: 10_000, maxAttempts: 3, onError: (e) => errors.push(e) });
    // a model id that does not exist: the real foreign key rejects the batch
    for (let i = 0; i < 7; i++) batcher.enqueue(row({ modelId: "no-such-model", experimentId: null, userId: `fail-${i}` }));
    await batcher.flush();
    expect(batcher.size).toBe(7); // kept for a retry
    await batcher.flush();
    await batcher.flush();
    expect(errors).toHaveLength(3);
    expect(batcher.stats().dropped.flush_failed).toBe(7);
    expect(batcher.size).toBe(0);
    expect(await lostExposureCount(t().db, null)).toBe(7);
    expect(await t().db.exposure.count({ where: { userId: { startsWith: "fail-" } } })).toBe(0);
  });

  it("flushes everything on stop, and counts rows arriving after it", async () => {
    const { sink } = dbSink();
    const batcher = new ExposureBatcher(sink, { flushMs: 10_000 });
    for (let i = 0; i < 600; i++) batcher.enqueue(row({ userId: `stop-${i}` }));
    await batcher.stop();
    expect(await t().db.exposure.count({ where: { userId: { startsWith: "stop-" } } })).toBe(600);
    batcher.enqueue(row({ userId: "late" }));
    expect(batcher.stats().dropped.shutdown).toBe(1);
  });
});

describe("ExposureWriter", () => {
  it("stores exactly what insertExposures (Prisma) stores, awkward strings included, and skips a stored requestId", async () => {
    const awkward = ['quote"d', "back\\slash", "tab\tnew\nline", "comma,brace{}", "NULL", "", "ünïcødé ✓", " spaced "];
    const viaWriter = awkward.map((userId, i) =>
      row({
        userId: `w-${userId}`,
        experimentId: i % 2 ? null : experimentId,
        failed: i % 3 === 0,
        cpuUs: i,
        latencyUs: 1000 + i,
        batchSize: i % 4 ? 1 + i : undefined,
      }),
    );
    const viaPrisma = viaWriter.map((r) => ({ ...r, requestId: randomUUID(), userId: r.userId.replace(/^w-/, "p-") }));
    expect(await writer.write(viaWriter)).toBe(awkward.length);
    expect(await insertExposures(t().db, viaPrisma)).toBe(awkward.length);
    const pick = (userId: string) => t().db.exposure.findFirst({ where: { userId }, omit: { requestId: true, id: true } });
    for (let i = 0; i < awkward.length; i++) {
      const a = await pick(viaWriter[i].userId);
      const b = await pick(viaPrisma[i].userId);
      expect(a).not.toBeNull();
      expect({ ...a, userId: a!.userId.slice(2) }).toEqual({ ...b, userId: b!.userId.slice(2) });
      expect(a!.userId).toBe(viaWriter[i].userId);
      expect(a!.createdAt.getTime()).toBe(viaWriter[i].createdAt.getTime());
      expect(a!.batchSize).toBe(viaWriter[i].batchSize ?? 1);
    }
    // a retried batch: the stored rows are skipped, the new one goes in
    const extra = row({ userId: "w-extra" });
    expect(await writer.write([...viaWriter.slice(0, 3), extra])).toBe(1);
    expect(await t().db.exposure.count({ where: { userId: { startsWith: "w-" } } })).toBe(awkward.length + 1);
    expect(await writer.write([])).toBe(0);
  });
});
