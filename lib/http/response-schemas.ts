// Response bodies the OpenAPI document describes. Where a handler's answer is checked against one of
// these in a test, the test parses real answers with it (strict: an undeclared field fails).
import { z } from "zod";
import { JobViewSchema } from "@/lib/jobs/view";

/** Every 4xx/5xx: `{ error: code, message, ...details }` (lib/http/responses jsonError). */
export const ErrorBody = z
  .object({
    error: z.string().describe("machine-readable code, e.g. invalid_request, unauthorized, forbidden, not_found, conflict"),
    message: z.string(),
    issues: z.array(z.object({ path: z.string().describe('dotted path of the field, "" for the whole body'), message: z.string() })).optional(),
  })
  .catchall(z.unknown());

/** 202 of every route that queues a job: follow it at GET /api/jobs/{id}. */
export const JobEnvelope = z.object({ job: JobViewSchema }).catchall(z.unknown());

export const RecommendAnswer = z
  .object({
    requestId: z.uuid().describe("send it back with the events this list led to"),
    items: z.array(z.object({ itemId: z.string(), score: z.number() }).strict()),
    experimentId: z.string().optional().describe("present while the user is inside an experiment"),
    variant: z.string().describe('"control" or "candidate" inside an experiment, "production" otherwise'),
    modelId: z.string().describe("the model that produced the items"),
    fallback: z.literal("popularity").optional().describe("the user is unknown to the model: the most popular training items"),
  })
  .strict();

export const EventsAnswer = z
  .object({
    accepted: z.number().int().describe("events stored now"),
    duplicates: z.number().int().describe("events whose eventId was already stored (idempotent)"),
    rejected: z.array(
      z
        .object({
          index: z.number().int().describe("position in the batch"),
          eventId: z.string().optional(),
          issues: z.array(z.object({ path: z.string(), message: z.string() }).strict()),
        })
        .strict(),
    ),
  })
  .strict();
