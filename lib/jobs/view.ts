// Job runs as the API and the UI see them, and which statuses are final.
import { z } from "zod";
import { JobStatus } from "@/lib/db/generated/enums";

/** What the API and the browser see of a JobRun (dates as ISO strings, so it crosses the server/client line). */
export const JobViewSchema = z
  .object({
    id: z.string(),
    queue: z.string(),
    status: z.enum(JobStatus),
    progress: z.number().describe("0..100"),
    message: z.string(),
    error: z.string().nullable(),
    attempts: z.number().int(),
    cancelRequested: z.boolean(),
    createdAt: z.iso.datetime(),
    startedAt: z.iso.datetime().nullable(),
    finishedAt: z.iso.datetime().nullable(),
    createdBy: z.string().nullable().describe("email of the person who queued it"),
    input: z.unknown(),
    result: z.unknown(),
  })
  .strict();
export type JobView = z.output<typeof JobViewSchema>;

export interface JobLogView {
  id: string;
  level: string;
  message: string;
  createdAt: string;
}

export const TERMINAL_STATUSES: readonly JobStatus[] = ["succeeded", "failed", "cancelled"];

export function isTerminal(status: JobStatus): boolean {
  return TERMINAL_STATUSES.includes(status);
}

interface JobRunLike {
  id: string;
  queue: string;
  status: JobStatus;
  progress: number;
  message: string;
  error: string | null;
  attempts: number;
  cancelRequested: boolean;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  input: unknown;
  result: unknown;
  createdBy?: { email: string } | null;
}

export function toJobView(run: JobRunLike): JobView {
  return {
    id: run.id,
    queue: run.queue,
    status: run.status,
    progress: run.progress,
    message: run.message,
    error: run.error,
    attempts: run.attempts,
    cancelRequested: run.cancelRequested,
    createdAt: run.createdAt.toISOString(),
    startedAt: run.startedAt?.toISOString() ?? null,
    finishedAt: run.finishedAt?.toISOString() ?? null,
    createdBy: run.createdBy?.email ?? null,
    input: run.input,
    result: run.result,
  };
}

export function toJobLogView(log: { id: bigint; level: string; message: string; createdAt: Date }): JobLogView {
  return { id: log.id.toString(), level: log.level, message: log.message, createdAt: log.createdAt.toISOString() };
}
