// POST /api/v1/events {events: [...]} (or a bare array): stores each valid event once (idempotent on
// eventId) and answers 202 {accepted, duplicates, rejected: [{index, eventId?, issues}]} after commit.
import { z } from "zod";
import { db } from "@/lib/db/client";
import { insertEvents, type EventRow } from "@/lib/db/events";
import { HttpError } from "@/lib/http/errors";
import { handler } from "@/lib/http/handler";
import { json } from "@/lib/http/responses";
import { EVENTS_MAX_BODY_BYTES, parseJson, toIssues, type ValidationIssue } from "@/lib/http/validation";
import { requireApiKey } from "@/lib/serving/api-key";

export const dynamic = "force-dynamic";

const MAX_EVENTS_PER_BATCH = 1000;
/** events stamped further than this in the future are rejected (clock errors, not data) */
const MAX_FUTURE_MS = 24 * 3600 * 1000;

const EventSchema = z
  .object({
    eventId: z.string().min(1, "eventId must not be empty").max(200),
    type: z.enum(["click", "conversion", "revenue", "custom"]),
    userId: z.string().min(1, "userId must not be empty").max(256),
    itemId: z.string().min(1).max(256).nullish(),
    requestId: z.uuid("requestId must be the uuid returned by /api/v1/recommend").nullish(),
    value: z.number().finite().nullish(),
    timestamp: z.union([z.iso.datetime({ offset: true }), z.number().int().nonnegative()], {
      error: "timestamp must be an ISO 8601 date-time or epoch milliseconds",
    }),
  })
  .superRefine((event, ctx) => {
    if (event.type === "revenue" && (event.value === undefined || event.value === null)) {
      ctx.addIssue({ code: "custom", path: ["value"], message: "a revenue event needs a value" });
    }
    if (new Date(event.timestamp).getTime() > Date.now() + MAX_FUTURE_MS) {
      ctx.addIssue({ code: "custom", path: ["timestamp"], message: "timestamp is more than 24 h in the future" });
    }
  });

// the envelope only: each event is validated on its own so one bad event never sinks the batch
const EventsBody = z.union([z.object({ events: z.array(z.unknown()) }), z.array(z.unknown())], {
  error: 'the body must be {"events": [...]} or an array of events',
});

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
