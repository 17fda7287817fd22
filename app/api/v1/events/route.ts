// POST /api/v1/events {events: [...]} (or a bare array): stores each valid event once (idempotent on
// eventId) and answers 202 {accepted, duplicates, rejected: [{index, eventId?, issues}]} after commit.
import { db } from "@/lib/db/client";
import { insertEvents, type EventRow } from "@/lib/db/events";
import { HttpError } from "@/lib/http/errors";
import { handler } from "@/lib/http/handler";
import { json } from "@/lib/http/responses";
import { EVENTS_MAX_BODY_BYTES, parseJson, toIssues, type ValidationIssue } from "@/lib/http/validation";
import { requireApiKey } from "@/lib/serving/api-key";
import { EventSchema, EventsBody, MAX_EVENTS_PER_BATCH } from "@/lib/http/requests";

export const dynamic = "force-dynamic";

export const POST = handler(async (request: Request) => {
  await requireApiKey(request, "events");
  const parsed = await parseJson(request, EventsBody, { maxBytes: EVENTS_MAX_BODY_BYTES });
  const events = Array.isArray(parsed) ? parsed : parsed.events;
  if (events.length === 0) throw new HttpError(400, "invalid_request", "events must not be empty");
  if (events.length > MAX_EVENTS_PER_BATCH) {
    throw new HttpError(413, "batch_too_large", `A batch holds at most ${MAX_EVENTS_PER_BATCH} events; this one has ${events.length}: split it`, {
      maxEvents: MAX_EVENTS_PER_BATCH,
    });
  }

  const rows: EventRow[] = [];
  const rejected: { index: number; eventId?: string; issues: ValidationIssue[] }[] = [];
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

  const { accepted, duplicates } = await insertEvents(db(), rows);
  // nothing valid at all is a client error; otherwise the valid part is stored and reported
  return json({ accepted, duplicates, rejected }, { status: rows.length === 0 ? 400 : 202 });
});
