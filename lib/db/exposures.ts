// Exposure rows (one per served recommendation) and the loss counters that keep their log honest.
import type pg from "pg";
import { Prisma } from "./generated/client";
import type { Db } from "./client";

export interface ExposureRow {
  requestId: string;
  experimentId: string | null;
  variant: string;
  /** the arm's model (for a failed candidate: the candidate, although production answered) */
  modelId: string;
  userId: string;
  itemCount: number;
  latencyUs: number;
  cpuUs: number;
  /** requests scored in the same kernel call as this one, sharing its latency (absent: 1) */
  batchSize?: number;
  failed: boolean;
  /** when the request was served */
  createdAt: Date;
}

export type ExposureLossReason = "queue_overflow" | "flush_failed" | "shutdown";

export interface ExposureLossEntry {
  experimentId: string | null;
  count: number;
  reason: ExposureLossReason;
}

/**
 * One multi-row INSERT (column arrays through unnest, like insertEvents); a requestId already stored
 * (a retried flush) is skipped, not an error. Returns the rows inserted.
 */
export async function insertExposures(db: Db, rows: readonly ExposureRow[]): Promise<number> {
  if (rows.length === 0) return 0;
  return db.$executeRaw(Prisma.sql`
    INSERT INTO "Exposure" ("requestId", "experimentId", "variant", "modelId", "userId", "itemCount", "latencyUs", "cpuUs", "batchSize", "failed", "createdAt")
    SELECT * FROM unnest(
      ${rows.map((r) => r.requestId)}::uuid[],
      ${rows.map((r) => r.experimentId)}::text[],
      ${rows.map((r) => r.variant)}::text[],
      ${rows.map((r) => r.modelId)}::text[],
      ${rows.map((r) => r.userId)}::text[],
      ${rows.map((r) => r.itemCount)}::int4[],
      ${rows.map((r) => r.latencyUs)}::int4[],
      ${rows.map((r) => r.cpuUs)}::int4[],
      ${rows.map((r) => r.batchSize ?? 1)}::int4[],
      ${rows.map((r) => r.failed)}::bool[],
      ${rows.map((r) => r.createdAt.toISOString())}::timestamp(3)[])
    ON CONFLICT ("requestId") DO NOTHING`);
}

const INSERT_EXPOSURES = `
  INSERT INTO "Exposure" ("requestId", "experimentId", "variant", "modelId", "userId", "itemCount", "latencyUs", "cpuUs", "batchSize", "failed", "createdAt")
  SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::int4[], $7::int4[], $8::int4[], $9::int4[], $10::bool[], $11::timestamp(3)[])
  ON CONFLICT ("requestId") DO NOTHING`;

/** an element of a PostgreSQL array literal: quoted, with `"` and `\` escaped; null is NULL */
function arrayText(value: string | null): string {
  if (value === null) return "NULL";
  return value.includes('"') || value.includes("\\") ? `"${value.replace(/["\\]/g, "\\$&")}"` : `"${value}"`;
}

/**
 * The eleven column arrays of insertExposures as PostgreSQL array literals, built in one pass over the rows
 * (the pg driver's generic array encoding walks and escapes every element of every column again).
 */
export function exposureColumns(rows: readonly ExposureRow[]): string[] {
  const cols: string[][] = Array.from({ length: 11 }, () => new Array<string>(rows.length));
  // rows of a batch come a few a millisecond: one toISOString a millisecond
  let lastMs = NaN;
  let lastIso = "";
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r];
    cols[0][r] = row.requestId;
    cols[1][r] = arrayText(row.experimentId);
    cols[2][r] = arrayText(row.variant);
    cols[3][r] = arrayText(row.modelId);
    cols[4][r] = arrayText(row.userId);
    cols[5][r] = String(row.itemCount | 0);
    cols[6][r] = String(row.latencyUs | 0);
    cols[7][r] = String(row.cpuUs | 0);
    cols[8][r] = String(row.batchSize ?? 1);
    cols[9][r] = row.failed ? "t" : "f";
    const ms = row.createdAt.getTime();
    if (ms !== lastMs) {
      lastMs = ms;
      lastIso = row.createdAt.toISOString();
    }
    cols[10][r] = lastIso;
  }
  return cols.map((c) => `{${c.join(",")}}`);
}

/**
 * The serving process's exposure writer: insertExposures' statement, prepared once per connection
 * (a named statement) on a pg pool beside Prisma (lib/db/pg-pool), with the columns encoded by
 * exposureColumns; no ORM on this path. Same rows, same table, same "a stored requestId is skipped"
 * semantics.
 */
export class ExposureWriter {
  constructor(private readonly pool: pg.Pool) {}

  /** inserts the rows; resolves with how many were new */
  async write(rows: readonly ExposureRow[]): Promise<number> {
    if (rows.length === 0) return 0;
    const result = await this.pool.query({ name: "understudy_insert_exposures", text: INSERT_EXPOSURES, values: exposureColumns(rows) });
    return result.rowCount ?? 0;
  }
}

export async function recordExposureLoss(db: Db, entries: readonly ExposureLossEntry[]): Promise<void> {
  const data = entries.filter((e) => e.count > 0);
  if (data.length > 0) await db.exposureLoss.createMany({ data });
}

/** Exposures counted as lost by serving processes (overflow, failed flushes) for one experiment. */
export async function lostExposureCount(db: Db, experimentId: string | null): Promise<number> {
  const { _sum } = await db.exposureLoss.aggregate({ where: { experimentId }, _sum: { count: true } });
  return _sum.count ?? 0;
}

/**
 * Events whose requestId has no exposure row: requests that were served but never logged (a crashed
 * serving process loses at most one flush interval). Walks the events of a time window in id order,
 * 5,000 at a time, and looks their requestIds up through Exposure's unique index.
 */
export async function orphanEventCount(db: Db, window: { from: Date; to?: Date }): Promise<{ events: number; requests: number }> {
  const missing = new Set<string>();
  let events = 0;
  let cursor: bigint | undefined;
  for (;;) {
    const page = await db.event.findMany({
      where: {
        requestId: { not: null },
        timestamp: { gte: window.from, ...(window.to ? { lte: window.to } : {}) },
        ...(cursor !== undefined ? { id: { gt: cursor } } : {}),
      },
      select: { id: true, requestId: true },
      orderBy: { id: "asc" },
      take: 5_000,
    });
    if (page.length === 0) break;
    cursor = page[page.length - 1].id;
    const ids = [...new Set(page.map((e) => e.requestId as string))];
    const found = await db.exposure.findMany({ where: { requestId: { in: ids } }, select: { requestId: true } });
    const logged = new Set(found.map((f) => f.requestId));
    for (const e of page) {
      if (!logged.has(e.requestId as string)) {
        events++;
        missing.add(e.requestId as string);
      }
    }
  }
  return { events, requests: missing.size };
}
