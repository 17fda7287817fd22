// The declared table of every API route: path (as the app/api folders spell it), method, who may call
// it, and how big a body it accepts. Tests sweep it (every route file must appear here; every mutation
// is tried with every role and key scope), and it is what an OpenAPI document can be generated from.
// Adding a route = adding one entry here.
import type { ApiKeyScope } from "@/lib/auth/scopes";
import type { Role } from "@/lib/auth/roles";
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
  summary: string;
}

const viewer = { kind: "session", role: "viewer" } as const;
const editor = { kind: "session", role: "editor" } as const;
const admin = { kind: "session", role: "admin" } as const;
const body = DEFAULT_MAX_BODY_BYTES;

export const ROUTES: readonly RouteSpec[] = [
  { method: "POST", path: "/api/auth/sign-in", access: { kind: "public" }, maxBodyBytes: body, exampleBody: { email: "someone@example.com", password: "a-password" }, summary: "Sign in (same-origin JSON; throttled)" },
  { method: "POST", path: "/api/auth/sign-out", access: { kind: "public" }, maxBodyBytes: body, exampleBody: {}, summary: "Sign out (same-origin JSON)" },
  { method: "POST", path: "/api/account/password", access: viewer, maxBodyBytes: body, exampleBody: { currentPassword: "old-password-1", newPassword: "new-password-12" }, summary: "Change your own password" },

  { method: "GET", path: "/api/admin/users", access: admin, summary: "List users" },
  { method: "POST", path: "/api/admin/users", access: admin, maxBodyBytes: body, exampleBody: { email: "new@example.com", role: "viewer", password: "a-long-password" }, summary: "Create a user" },
  { method: "PATCH", path: "/api/admin/users/[id]", access: admin, maxBodyBytes: body, exampleBody: { role: "editor" }, summary: "Change a user's role or disable them" },
  { method: "GET", path: "/api/admin/api-keys", access: admin, summary: "List API keys" },
  { method: "POST", path: "/api/admin/api-keys", access: admin, maxBodyBytes: body, exampleBody: { name: "storefront", scopes: ["recommend"] }, summary: "Create an API key (shown once)" },
  { method: "POST", path: "/api/admin/api-keys/[id]/revoke", access: admin, maxBodyBytes: body, exampleBody: {}, summary: "Revoke an API key" },

  { method: "GET", path: "/api/audit", access: viewer, summary: "Audit log (viewers see no other people's emails)" },

  { method: "GET", path: "/api/datasets", access: viewer, summary: "List datasets" },
  { method: "POST", path: "/api/datasets", access: editor, maxBodyBytes: body, exampleBody: { name: "synthetic", numUsers: 100, numItems: 100 }, summary: "Generate a synthetic dataset (a job)" },
  { method: "GET", path: "/api/datasets/[id]", access: viewer, summary: "One dataset" },
  { method: "GET", path: "/api/datasets/[id]/drift-check", access: viewer, summary: "Drift checks of a dataset" },
  { method: "POST", path: "/api/datasets/[id]/drift-check", access: editor, maxBodyBytes: body, exampleBody: { referenceDatasetId: "x" }, summary: "Run a drift check (a job)" },

  { method: "GET", path: "/api/models", access: viewer, summary: "List models" },
  { method: "POST", path: "/api/models", access: editor, maxBodyBytes: body, exampleBody: { role: "teacher", datasetId: "x", dimension: 16, epochs: 1 }, summary: "Train or distil a model (a job; promoteIfNoProduction needs approver)" },
  { method: "GET", path: "/api/models/[id]", access: viewer, summary: "One model" },

  { method: "GET", path: "/api/jobs", access: viewer, summary: "List jobs" },
  { method: "GET", path: "/api/jobs/[id]", access: viewer, summary: "One job with its logs" },
  { method: "POST", path: "/api/jobs/[id]/cancel", access: editor, maxBodyBytes: body, exampleBody: {}, summary: "Cancel a job" },
  { method: "POST", path: "/api/jobs/selftest", access: editor, maxBodyBytes: body, exampleBody: {}, summary: "Enqueue a self-test job" },

  { method: "GET", path: "/api/experiments", access: viewer, summary: "List experiments" },
  { method: "POST", path: "/api/experiments", access: editor, maxBodyBytes: body, exampleBody: { name: "student v1", candidateModelId: "x" }, summary: "Create an experiment (draft)" },
  { method: "GET", path: "/api/experiments/[id]", access: viewer, summary: "An experiment and its report (cached, rate-limited)" },
  {
    method: "POST",
    path: "/api/experiments/[id]/[action]",
    // start/pause/resume/rollback/cancel need editor, approve/reject approver (not the creator): checked in lib/db/experiments
    access: editor,
    params: { action: ["start", "pause", "resume", "rollback", "cancel", "approve", "reject"] },
    maxBodyBytes: body,
    exampleBody: { reason: "a reason" },
    summary: "Act on an experiment",
  },

  { method: "POST", path: "/api/v1/recommend", access: { kind: "apiKey", scope: "recommend" }, maxBodyBytes: body, exampleBody: { userId: "u1", k: 10 }, summary: "Recommendations for a user" },
  { method: "POST", path: "/api/v1/events", access: { kind: "apiKey", scope: "events" }, maxBodyBytes: EVENTS_MAX_BODY_BYTES, exampleBody: { events: [] }, summary: "Ingest KPI events" },
];

/** Catch-all: unknown API paths answer JSON 404 for every method. */
export const CATCH_ALL_ROUTE = "/api/[...path]";

export const MUTATION_METHODS: readonly HttpMethod[] = ["POST", "PUT", "PATCH", "DELETE"];

export function findRoute(method: string, path: string): RouteSpec | undefined {
  return ROUTES.find((r) => r.method === method && r.path === path);
}
