// KPI events sent by clients through POST /api/v1/events: each event validated on its own, the valid
// ones stored once (idempotent on eventId). The route and the demo's drift replay both ingest here.
import { EventSchema, MAX_EVENTS_PER_BATCH } from "@/lib/http/requests";
import { toIssues, type ValidationIssue } from "@/lib/http/validation";
import { Prisma } from "./generated/client";
import type { Db } from "./client";

export type EventKind = "click" | "conversion" | "revenue" | "custom";

export interface EventRow {
  eventId: string;
  type: EventKind;
  userId: string;
  itemId: string | null;
  requestId: string | null;
  value: number | null;
  timestamp: Date;
}

export interface IngestOutcome {
  /** events stored by this call */
  accepted: number;
  /** valid events whose eventId was already stored (or repeated in the batch) */
  duplicates: number;
  /** events that failed validation, by their index in the batch */
  rejected: { index: number; eventId?: string; issues: ValidationIssue[] }[];
  /** how many events were valid */
  valid: number;
}

/** Validates each event of one batch (at most MAX_EVENTS_PER_BATCH) and stores the valid ones in one statement. */
export async function ingestEvents(db: Db, events: readonly unknown[]): Promise<IngestOutcome> {
  if (events.length > MAX_EVENTS_PER_BATCH) throw new RangeError(`a batch holds at most ${MAX_EVENTS_PER_BATCH} events, got ${events.length}`);
  const rows: EventRow[] = [];
  const rejected: IngestOutcome["rejected"] = [];
  events.forEach((raw, index) => {
    const result = EventSchema.safeParse(raw);
    if (!result.success) {
      const eventId = (raw as { eventId?: unknown } | null)?.eventId;
      rejected.push({ index, ...(typeof eventId === "string" ? { eventId } : {}), issues: toIssues(result.error) });
      return;
    }
    const e = result.data;
    rows.push({
      eventId: e.eventId,
      type: e.type,
      userId: e.userId,
      itemId: e.itemId ?? null,
      requestId: e.requestId ?? null,
      value: e.value ?? null,
      timestamp: new Date(e.timestamp),
    });
  });
  const { accepted, duplicates } = await insertEvents(db, rows);
  return { accepted, duplicates, rejected, valid: rows.length };
}

/**
 * Stores a batch idempotently with ONE statement, committed before it returns:
 *   INSERT … SELECT FROM unnest(<one array per column>) ON CONFLICT ("eventId") DO NOTHING
 * Rows whose eventId is already stored (or repeated inside the batch) are duplicates. Column arrays
 * keep the statement at 7 parameters whatever the batch size (Prisma's createMany measured 200–750 ms
 * per 1,000 rows here; this takes a few ms).
 */
export async function insertEvents(db: Db, rows: readonly EventRow[]): Promise<{ accepted: number; duplicates: number }> {
  if (rows.length === 0) return { accepted: 0, duplicates: 0 };
  const accepted = await db.$executeRaw(Prisma.sql`
    INSERT INTO "Event" ("eventId", "type", "userId", "itemId", "requestId", "value", "timestamp")
    SELECT * FROM unnest(
      ${rows.map((r) => r.eventId)}::text[],
      ${rows.map((r) => r.type)}::text[]::"EventType"[],
      ${rows.map((r) => r.userId)}::text[],
      ${rows.map((r) => r.itemId)}::text[],
      ${rows.map((r) => r.requestId)}::uuid[],
      ${rows.map((r) => r.value)}::float8[],
      ${rows.map((r) => r.timestamp.toISOString())}::timestamp(3)[])
    ON CONFLICT ("eventId") DO NOTHING`);
  return { accepted, duplicates: rows.length - accepted };
}
