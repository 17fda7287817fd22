// POST /api/v1/events {events: [...]} (or a bare array): stores each valid event once (idempotent on
// eventId) and answers 202 {accepted, duplicates, rejected: [{index, eventId?, issues}]} after commit.
import { db } from "@/lib/db/client";
import { ingestEvents } from "@/lib/db/events";
import { HttpError } from "@/lib/http/errors";
import { handler } from "@/lib/http/handler";
import { json } from "@/lib/http/responses";
import { EVENTS_MAX_BODY_BYTES, parseJson } from "@/lib/http/validation";
import { requireApiKey } from "@/lib/serving/api-key";
import { EventsBody, MAX_EVENTS_PER_BATCH } from "@/lib/http/requests";

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
  const { accepted, duplicates, rejected, valid } = await ingestEvents(db(), events);
  // nothing valid at all is a client error; otherwise the valid part is stored and reported
  return json({ accepted, duplicates, rejected }, { status: valid === 0 ? 400 : 202 });
});
