// Query and body schemas of the route handlers that have no domain module of their own. They live here,
// not in the route files (which may export only their methods), so the OpenAPI document can show them.
import { z } from "zod";
import { JobStatus } from "@/lib/db/generated/enums";
import { QUEUE_NAMES } from "@/lib/jobs/queues";

const listLimit = z.coerce.number().int().min(1).max(200).default(50);

/** Filters of the audit log list (page and API alike). */
export const AuditQuery = z.object({
  entityType: z
    .string()
    .trim()
    .max(60)
    .optional()
    .transform((v) => v || undefined),
  entityId: z
    .string()
    .trim()
    .max(200)
    .optional()
    .transform((v) => v || undefined),
  action: z
    .string()
    .trim()
    .max(100)
    .optional()
    .transform((v) => v || undefined),
  /** rows with an id below this one (the next page) */
  before: z.string().regex(/^\d+$/, "before must be an audit entry id").optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export type AuditQuery = z.infer<typeof AuditQuery>;

export const AlertsQuery = z.object({
  unacknowledged: z.enum(["true", "false"]).default("false"),
  limit: listLimit,
});

export const WebhookDeliveriesQuery = z.object({ limit: listLimit });

export const ComparisonBody = z
  .object({
    teacherId: z.string().trim().min(1, "Pick a teacher"),
    modelIds: z.array(z.string().trim().min(1)).min(1, "Pick at least one model to compare with the teacher").max(12, "Compare at most 12 models at once"),
    split: z.enum(["valid", "test"]).default("test"),
  })
  .strict();

export const DriftCheckBody = z
  .object({
    referenceDatasetId: z.string().trim().min(1, "Pick a reference dataset"),
    modelId: z.string().trim().min(1).optional(),
    redistill: z.boolean().default(true),
  })
  .strict();

export const EXPERIMENT_ACTIONS = ["start", "pause", "resume", "rollback", "cancel", "approve", "reject"] as const;
export const ExperimentActionBody = z.object({
  reason: z.string().max(2000, "at most 2000 characters").optional(),
  comment: z.string().max(2000, "at most 2000 characters").optional(),
});

export const ExperimentReportQuery = z.object({
  scope: z.union([z.enum(["current", "all"]), z.coerce.number().int("must be a stage number").min(1, "stages count from 1")]).default("current"),
});

export const JobQuery = z.object({
  /** only log lines after this id (incremental polling) */
  afterLogId: z.string().regex(/^\d+$/, "must be a log line id").default("0"),
  logs: z.enum(["none", "some"]).default("some"),
});

export const JobListQuery = z.object({
  status: z.enum(JobStatus).optional(),
  queue: z.enum(QUEUE_NAMES).optional(),
  limit: listLimit,
});

/** What the UI may ask of a self-test: a short counted run that exercises worker, progress and logs. */
export const SelftestBody = z.object({
  steps: z.number({ error: "Steps must be a number" }).int("Steps must be a whole number").min(1).max(1000).default(20),
  stepMs: z.number({ error: "Step duration must be a number" }).int().min(0).max(10_000).default(150),
});

/** Any subset of a defined metric's fields; the merged definition is validated again. */
export const MetricListQuery = z.object({ active: z.enum(["0", "1"], { error: "must be 0 or 1" }).optional() });

/** A catalogue metric's changed fields (validated again merged with the stored definition), or `{archived}` alone. */
export const MetricPatchBody = z.record(z.string(), z.unknown()).superRefine((patch, ctx) => {
  if ("archived" in patch && typeof patch.archived !== "boolean") ctx.addIssue({ code: "custom", path: ["archived"], message: "must be true or false" });
  if ("archived" in patch && Object.keys(patch).length > 1)
    ctx.addIssue({ code: "custom", path: ["archived"], message: "archive or restore on its own, not with other changes" });
});

export const ModelListQuery = z.object({
  datasetId: z.string().min(1).optional(),
  role: z.enum(["teacher", "student"]).optional(),
});

export const ModelArchiveBody = z.object({ archived: z.boolean({ error: "archived must be true or false" }) }).strict();

export const ModelExportQuery = z.object({
  format: z.enum(["npy", "safetensors"]).default("safetensors"),
  part: z.enum(["users", "items", "user_ids", "item_ids"]).optional(),
});

/** The text fields of a teacher import (multipart; the files are checked one by one). */
export const TeacherImportFields = z.object({
  kind: z.enum(["embeddings", "ranked-lists"], { error: 'expected "embeddings" or "ranked-lists"' }),
  datasetId: z.string({ error: "is required" }).min(1, "is required"),
  name: z.string().trim().min(1).max(120).optional(),
});

export const LOOP_ACTIONS = ["snapshot", "drift-check", "redistill", "replay-drift"] as const;

export const MAX_EVENTS_PER_BATCH = 1000;
/** events stamped further than this in the future are rejected (clock errors, not data) */
const MAX_FUTURE_MS = 24 * 3600 * 1000;

/** One KPI event of POST /api/v1/events. */
export const EventSchema = z
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
export const EventsBody = z.union([z.object({ events: z.array(z.unknown()) }), z.array(z.unknown())], {
  error: 'the body must be {"events": [...]} or an array of events',
});
