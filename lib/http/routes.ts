// The declared table of every API route: path (as the app/api folders spell it), method, who may call
// it, and how big a body it accepts. Tests sweep it (every route file must appear here; every mutation
// is tried with every role and key scope), and the OpenAPI document (openapi.ts) is generated from it.
// Adding a route = adding one entry here.
import type { ApiKeyScope } from "@/lib/auth/scopes";
import type { Role } from "@/lib/auth/roles";
import { DEFAULT_IMPORT_MAX_BYTES, MODEL_IMPORT_MAX_BODY_BYTES, MULTIPART_FRAMING_BYTES } from "./limits";
import { EXPERIMENT_ACTIONS, LOOP_ACTIONS } from "./requests";
import { DEFAULT_MAX_BODY_BYTES, EVENTS_MAX_BODY_BYTES } from "./validation";

export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

export type RouteAccess =
  /** anyone (sign-in, sign-out, the JSON 404) */
  | { kind: "public" }
  /** a signed-in person with at least this role */
  | { kind: "session"; role: Role }
  /** an API key with this scope (/api/v1) */
  | { kind: "apiKey"; scope: ApiKeyScope };

export interface RouteSpec {
  method: HttpMethod;
  /** folder path under app/, e.g. "/api/experiments/[id]/[action]" */
  path: string;
  access: RouteAccess;
  /** for the mutations: a valid-looking body (the fuzz test mutates it; docs show it) */
  exampleBody?: unknown;
  /** for dynamic segments the sweeps fill in: values per segment name */
  params?: Record<string, readonly string[]>;
  /** largest body read (before parsing), bytes; mutations only */
  maxBodyBytes?: number;
  /**
   * "multipart": the body is multipart/form-data (an upload, streamed and refused past maxBodyBytes:
   * by its Content-Length at once, else while reading); exampleBody then maps field names to text, or
   * to a file as {filename, text}. Default: JSON.
   */
  contentType?: "json" | "multipart";
  /** a JSON route that also takes a multipart upload (same fields, the file in `file`): that body's cap */
  alsoMultipart?: { maxBodyBytes: number };
  summary: string;
}

/** A file in a multipart exampleBody. */
export interface ExampleFile {
  filename: string;
  text: string;
}

export function isExampleFile(value: unknown): value is ExampleFile {
  return typeof value === "object" && value !== null && typeof (value as ExampleFile).filename === "string" && typeof (value as ExampleFile).text === "string";
}

const viewer = { kind: "session", role: "viewer" } as const;
const editor = { kind: "session", role: "editor" } as const;
const admin = { kind: "session", role: "admin" } as const;
const body = DEFAULT_MAX_BODY_BYTES;
/** a dataset upload's body with the default IMPORT_MAX_BYTES (a deployment may set another) */
const datasetUpload = DEFAULT_IMPORT_MAX_BYTES + MULTIPART_FRAMING_BYTES;
const uploadId = "up_000000000000000000000000";

export const ROUTES: readonly RouteSpec[] = [
  {
    method: "POST",
    path: "/api/auth/sign-in",
    access: { kind: "public" },
    maxBodyBytes: body,
    exampleBody: { email: "someone@example.com", password: "a-password" },
    summary: "Sign in (same-origin JSON; throttled)",
  },
  { method: "POST", path: "/api/auth/sign-out", access: { kind: "public" }, maxBodyBytes: body, exampleBody: {}, summary: "Sign out (same-origin JSON)" },
  {
    method: "POST",
    path: "/api/account/password",
    access: viewer,
    maxBodyBytes: body,
    exampleBody: { currentPassword: "old-password-1", newPassword: "new-password-12" },
    summary: "Change your own password",
  },

  { method: "GET", path: "/api/admin/users", access: admin, summary: "List users" },
  {
    method: "POST",
    path: "/api/admin/users",
    access: admin,
    maxBodyBytes: body,
    exampleBody: { email: "new@example.com", role: "viewer", password: "a-long-password" },
    summary: "Create a user",
  },
  {
    method: "PATCH",
    path: "/api/admin/users/[id]",
    access: admin,
    maxBodyBytes: body,
    exampleBody: { role: "editor" },
    summary: "Change a user's role or disable them",
  },
  { method: "GET", path: "/api/admin/api-keys", access: admin, summary: "List API keys" },
  {
    method: "POST",
    path: "/api/admin/api-keys",
    access: admin,
    maxBodyBytes: body,
    exampleBody: { name: "storefront", scopes: ["recommend"] },
    summary: "Create an API key (shown once)",
  },
  { method: "POST", path: "/api/admin/api-keys/[id]/revoke", access: admin, maxBodyBytes: body, exampleBody: {}, summary: "Revoke an API key" },

  { method: "GET", path: "/api/admin/webhooks", access: admin, summary: "List webhooks (their secrets are never shown again)" },
  {
    method: "POST",
    path: "/api/admin/webhooks",
    access: admin,
    maxBodyBytes: body,
    exampleBody: { name: "ops channel", url: "https://hooks.example.com/understudy", events: ["drift.detected", "guardrail.breached"] },
    summary: "Create a webhook (its signing secret is in this response only)",
  },
  { method: "GET", path: "/api/admin/webhooks/[id]", access: admin, summary: "One webhook" },
  {
    method: "PATCH",
    path: "/api/admin/webhooks/[id]",
    access: admin,
    maxBodyBytes: body,
    exampleBody: { enabled: false },
    summary: "Change a webhook's name, URL, events or enabled flag",
  },
  { method: "DELETE", path: "/api/admin/webhooks/[id]", access: admin, maxBodyBytes: body, exampleBody: {}, summary: "Delete a webhook" },
  {
    method: "GET",
    path: "/api/admin/webhooks/[id]/deliveries",
    access: admin,
    summary: "A webhook's delivery log, newest first, with attempts and next retry",
  },
  {
    method: "POST",
    path: "/api/admin/webhooks/[id]/rotate-secret",
    access: admin,
    maxBodyBytes: body,
    exampleBody: {},
    summary: "Rotate a webhook's signing secret (the new one is returned once)",
  },
  {
    method: "POST",
    path: "/api/admin/webhooks/[id]/test",
    access: admin,
    maxBodyBytes: body,
    exampleBody: {},
    summary: "Queue a signed webhook.test delivery",
  },

  { method: "GET", path: "/api/alerts", access: viewer, summary: "Recent alerts, newest first" },
  { method: "POST", path: "/api/alerts/[id]/acknowledge", access: editor, maxBodyBytes: body, exampleBody: {}, summary: "Acknowledge an alert (audited)" },

  { method: "GET", path: "/api/audit", access: viewer, summary: "Audit log (viewers see no other people's emails)" },

  { method: "GET", path: "/api/datasets", access: viewer, summary: "List datasets" },
  {
    method: "POST",
    path: "/api/datasets",
    access: editor,
    maxBodyBytes: body,
    exampleBody: { name: "synthetic", numUsers: 100, numItems: 100 },
    summary: "Generate a synthetic dataset (a job)",
  },
  { method: "GET", path: "/api/datasets/import/files", access: editor, summary: "Files under IMPORT_DIR (server-side import), or enabled: false" },
  {
    method: "POST",
    path: "/api/datasets/import/uploads",
    access: editor,
    contentType: "multipart",
    maxBodyBytes: datasetUpload,
    exampleBody: { file: { filename: "ratings.csv", text: "user,item,rating\nu1,i1,5\nu2,i1,4\n" } },
    summary: "Stage a file for import (multipart field file, streamed to disk, at most IMPORT_MAX_BYTES; kept 24 h)",
  },
  {
    method: "POST",
    path: "/api/datasets/import/preview",
    access: editor,
    maxBodyBytes: body,
    alsoMultipart: { maxBodyBytes: datasetUpload },
    exampleBody: { source: { uploadId }, format: "csv", header: true },
    summary: "Preview an import: detected format, columns, mapping, first rows and errors (nothing stored)",
  },
  {
    method: "POST",
    path: "/api/datasets/import",
    access: editor,
    maxBodyBytes: body,
    alsoMultipart: { maxBodyBytes: datasetUpload },
    exampleBody: { name: "imported ratings", source: { uploadId }, format: "csv", header: true, mapping: { user: 0, item: 1, weight: 2 } },
    summary: "Import a dataset from an upload or an IMPORT_DIR path (a job)",
  },
  { method: "GET", path: "/api/datasets/[id]", access: viewer, summary: "One dataset" },
  { method: "GET", path: "/api/datasets/[id]/drift-check", access: viewer, summary: "Drift checks of a dataset" },
  {
    method: "POST",
    path: "/api/datasets/[id]/drift-check",
    access: editor,
    maxBodyBytes: body,
    exampleBody: { referenceDatasetId: "x" },
    summary: "Run a drift check (a job)",
  },

  { method: "GET", path: "/api/models", access: viewer, summary: "List models" },
  {
    method: "POST",
    path: "/api/models",
    access: editor,
    maxBodyBytes: body,
    exampleBody: { role: "teacher", datasetId: "x", dimension: 16, epochs: 1 },
    summary: "Train or distil a model (a job; promoteIfNoProduction needs approver)",
  },
  { method: "GET", path: "/api/models/[id]", access: viewer, summary: "One model" },
  {
    method: "PATCH",
    path: "/api/models/[id]",
    access: editor,
    maxBodyBytes: body,
    exampleBody: { archived: true },
    summary: "Archive or restore a model (409 while production or a live experiment uses it)",
  },
  {
    method: "POST",
    path: "/api/comparisons",
    access: editor,
    maxBodyBytes: body,
    exampleBody: { teacherId: "x", modelIds: ["y"], split: "test" },
    summary: "Compare a teacher with other models of its dataset on one split and the same negatives (a job)",
  },
  { method: "GET", path: "/api/models/[id]/export", access: viewer, summary: "A model's embeddings as .safetensors, or one .npy / id-list part" },
  {
    method: "POST",
    path: "/api/models/import",
    access: editor,
    contentType: "multipart",
    maxBodyBytes: MODEL_IMPORT_MAX_BODY_BYTES,
    exampleBody: { kind: "ranked-lists", datasetId: "x", rankedLists: { filename: "ranked.csv", text: "user,item,rank\nu1,i1,1\nu1,i2,2\n" } },
    summary: "Import a teacher trained elsewhere: embeddings (.npy / .safetensors and id lists) or ranked lists",
  },
  { method: "GET", path: "/api/models/[id]/loop", access: viewer, summary: "A model's closed loop: settings, live drift checks, redistillations, events" },
  {
    method: "PATCH",
    path: "/api/models/[id]/loop",
    access: editor,
    maxBodyBytes: body,
    exampleBody: { driftIntervalMinutes: 60, redistillOnDrift: true },
    summary: "Change a model's loop settings (its crons follow at once; audited)",
  },
  {
    method: "POST",
    path: "/api/models/[id]/loop/[action]",
    access: editor,
    params: { action: LOOP_ACTIONS },
    maxBodyBytes: body,
    exampleBody: {},
    summary:
      "Run a loop step now (a job; a redistillation in flight is returned, not doubled). replay-drift: demo installs only (403 elsewhere, 409 while a replay or redistillation is in flight)",
  },

  { method: "GET", path: "/api/jobs", access: viewer, summary: "List jobs" },
  { method: "GET", path: "/api/jobs/[id]", access: viewer, summary: "One job with its logs" },
  { method: "POST", path: "/api/jobs/[id]/cancel", access: editor, maxBodyBytes: body, exampleBody: {}, summary: "Cancel a job" },
  { method: "POST", path: "/api/jobs/selftest", access: editor, maxBodyBytes: body, exampleBody: {}, summary: "Enqueue a self-test job" },

  { method: "GET", path: "/api/experiments", access: viewer, summary: "List experiments" },
  {
    method: "POST",
    path: "/api/experiments",
    access: editor,
    maxBodyBytes: body,
    exampleBody: { name: "student v1", candidateModelId: "x" },
    summary: "Create an experiment (draft)",
  },
  { method: "GET", path: "/api/metrics", access: viewer, summary: "The metric catalogue (built-in and defined; ?active=1 without archived ones)" },
  {
    method: "POST",
    path: "/api/metrics",
    access: editor,
    maxBodyBytes: body,
    exampleBody: {
      key: "add_to_cart",
      name: "Add to cart",
      aggregation: "share",
      event: "custom:add_to_cart",
      direction: "higherIsBetter",
      nonInferiorityMargin: 0.02,
    },
    summary: "Define a catalogue metric (409 on a taken key)",
  },
  {
    method: "PATCH",
    path: "/api/metrics/[id]",
    access: editor,
    maxBodyBytes: body,
    exampleBody: { name: "Add to cart (any item)" },
    summary: "Change a defined metric, or archive / restore it with { archived } (built-ins answer 409)",
  },
  { method: "DELETE", path: "/api/metrics/[id]", access: editor, maxBodyBytes: body, exampleBody: {}, summary: "Delete a defined metric no experiment uses" },
  { method: "GET", path: "/api/experiments/[id]", access: viewer, summary: "An experiment and its report (cached, rate-limited)" },
  {
    method: "POST",
    path: "/api/experiments/[id]/[action]",
    // start/pause/resume/rollback/cancel need editor, approve/reject approver (not the creator): checked in lib/services/experiments
    access: editor,
    params: { action: EXPERIMENT_ACTIONS },
    maxBodyBytes: body,
    exampleBody: { reason: "a reason" },
    summary: "Act on an experiment",
  },
  { method: "GET", path: "/api/experiments/[id]/metrics", access: viewer, summary: "An experiment's catalogue metrics with results so far" },
  {
    method: "PUT",
    path: "/api/experiments/[id]/metrics",
    access: editor,
    maxBodyBytes: body,
    exampleBody: [
      { metricKey: "ctr", role: "primary" },
      { metricKey: "add_to_cart", role: "secondary" },
    ],
    summary: "Choose a draft experiment's primary, secondary and guardrail metrics (409 once started)",
  },

  { method: "GET", path: "/api/openapi.json", access: { kind: "public" }, summary: "This document: the API as OpenAPI 3.1 (also on the dashboard's API page)" },

  {
    method: "POST",
    path: "/api/v1/recommend",
    access: { kind: "apiKey", scope: "recommend" },
    maxBodyBytes: body,
    exampleBody: { userId: "u1", k: 10 },
    summary: "Recommendations for a user",
  },
  {
    method: "POST",
    path: "/api/v1/events",
    access: { kind: "apiKey", scope: "events" },
    maxBodyBytes: EVENTS_MAX_BODY_BYTES,
    exampleBody: { events: [] },
    summary: "Ingest KPI events",
  },
];

/** Catch-all: unknown API paths answer JSON 404 for every method. */
export const CATCH_ALL_ROUTE = "/api/[...path]";

export const MUTATION_METHODS: readonly HttpMethod[] = ["POST", "PUT", "PATCH", "DELETE"];

export function findRoute(method: string, path: string): RouteSpec | undefined {
  return ROUTES.find((r) => r.method === method && r.path === path);
}
