// What each route of the table (routes.ts) reads and answers, as the zod schemas its handler parses
// with: the OpenAPI document is generated from these, and a test checks that every handler parses
// exactly the schemas listed for it. Keyed "METHOD path" like the table.
import { z } from "zod";
import { AuditQuery } from "./requests";
import { ChangePasswordBody, CreateApiKeyBody, CreateUserBody, UpdateUserBody } from "@/lib/auth/schemas";
import { SignInBody } from "@/lib/auth/sign-in-request";
import { loopSettingsInput } from "@/lib/db/loop-settings";
import { experimentMetricsSchema } from "@/lib/db/metrics";
import { experimentConfigSchema } from "@/lib/experiments/config";
import { metricDefinitionSchema } from "@/lib/experiments/metrics";
import { createWebhookBody, updateWebhookBody } from "@/lib/notifications/types";
import { RecommendBody } from "@/lib/serving/recommend-http";
import { generateDatasetInput, importDatasetInput, importPreviewInput, trainInput } from "@/lib/jobs/definitions";
import {
  AlertsQuery,
  ComparisonBody,
  DriftCheckBody,
  EventSchema,
  EventsBody,
  ExperimentActionBody,
  ExperimentReportQuery,
  JobListQuery,
  JobQuery,
  MetricListQuery,
  MetricPatchBody,
  ModelArchiveBody,
  ModelExportQuery,
  ModelListQuery,
  SelftestBody,
  TeacherImportFields,
  WebhookDeliveriesQuery,
} from "./requests";
import { ErrorBody, EventsAnswer, JobEnvelope, RecommendAnswer } from "./response-schemas";

export interface RouteSchemas {
  /** the URL query, as parseQuery reads it */
  query?: z.ZodType;
  /** the JSON body, as parseJson / validate reads it */
  body?: z.ZodType;
  /** a batch body whose elements are validated one by one with this schema */
  bodyItem?: z.ZodType;
  /** a multipart body's text fields (its files are the exampleBody's file fields) */
  fields?: z.ZodType;
  /** success status, 200 unless set */
  status?: number;
  response?: z.ZodType;
  /** answers other than the success and the usual error body */
  otherResponses?: Record<number, { description: string; schema: z.ZodType }>;
}

const job = { status: 202, response: JobEnvelope } as const;

export const ROUTE_SCHEMAS: Readonly<Record<string, RouteSchemas>> = {
  "POST /api/auth/sign-in": { body: SignInBody },
  "POST /api/auth/sign-out": { status: 204 },
  "POST /api/account/password": { body: ChangePasswordBody },

  "GET /api/admin/users": {},
  "POST /api/admin/users": { body: CreateUserBody, status: 201 },
  "PATCH /api/admin/users/[id]": { body: UpdateUserBody },
  "GET /api/admin/api-keys": {},
  "POST /api/admin/api-keys": { body: CreateApiKeyBody, status: 201 },
  "POST /api/admin/api-keys/[id]/revoke": {},

  "GET /api/admin/webhooks": {},
  "POST /api/admin/webhooks": { body: createWebhookBody, status: 201 },
  "GET /api/admin/webhooks/[id]": {},
  "PATCH /api/admin/webhooks/[id]": { body: updateWebhookBody },
  "DELETE /api/admin/webhooks/[id]": {},
  "GET /api/admin/webhooks/[id]/deliveries": { query: WebhookDeliveriesQuery },
  "POST /api/admin/webhooks/[id]/rotate-secret": {},
  "POST /api/admin/webhooks/[id]/test": { status: 202 },

  "GET /api/alerts": { query: AlertsQuery },
  "POST /api/alerts/[id]/acknowledge": {},

  "GET /api/audit": { query: AuditQuery },

  "GET /api/datasets": {},
  "POST /api/datasets": { body: generateDatasetInput, ...job },
  "GET /api/datasets/import/files": {},
  "POST /api/datasets/import/uploads": { status: 201 },
  "POST /api/datasets/import/preview": { body: importPreviewInput },
  "POST /api/datasets/import": { body: importDatasetInput, ...job },
  "GET /api/datasets/[id]": {},
  "GET /api/datasets/[id]/drift-check": {},
  "POST /api/datasets/[id]/drift-check": { body: DriftCheckBody, ...job },

  "GET /api/models": { query: ModelListQuery },
  "POST /api/models": { body: trainInput, ...job },
  "GET /api/models/[id]": {},
  "PATCH /api/models/[id]": { body: ModelArchiveBody },
  "POST /api/comparisons": { body: ComparisonBody, ...job },
  "GET /api/models/[id]/export": { query: ModelExportQuery },
  "POST /api/models/import": { fields: TeacherImportFields, status: 201 },
  "GET /api/models/[id]/loop": {},
  "PATCH /api/models/[id]/loop": { body: loopSettingsInput },
  "POST /api/models/[id]/loop/[action]": job,

  "GET /api/jobs": { query: JobListQuery },
  "GET /api/jobs/[id]": { query: JobQuery },
  "POST /api/jobs/[id]/cancel": { response: JobEnvelope },
  "POST /api/jobs/selftest": { body: SelftestBody, ...job },

  "GET /api/experiments": {},
  "POST /api/experiments": { body: experimentConfigSchema, status: 201 },
  "GET /api/metrics": { query: MetricListQuery },
  "POST /api/metrics": { body: metricDefinitionSchema, status: 201 },
  "PATCH /api/metrics/[id]": { body: MetricPatchBody },
  "DELETE /api/metrics/[id]": {},
  "GET /api/experiments/[id]": { query: ExperimentReportQuery },
  "POST /api/experiments/[id]/[action]": { body: ExperimentActionBody },
  "GET /api/experiments/[id]/metrics": {},
  "PUT /api/experiments/[id]/metrics": { body: experimentMetricsSchema },

  "GET /api/openapi.json": {},

  "POST /api/v1/recommend": { body: RecommendBody, response: RecommendAnswer },
  "POST /api/v1/events": {
    body: EventsBody,
    bodyItem: EventSchema,
    status: 202,
    response: EventsAnswer,
    otherResponses: {
      400: {
        description: "no event of the batch was valid (each rejection says why), or the error body for a malformed one",
        schema: z.union([EventsAnswer, ErrorBody]),
      },
    },
  },
};
