// An experiment's statuses (the database's enum) and the sets of them the code asks about, kept here once.
import type { ExperimentStatus } from "@/lib/db/generated/enums";

export type { ExperimentStatus };

/**
 * Live: the experiment splits traffic at its current stage's share, and the scheduler evaluates it every
 * minute. `awaiting_approval` is live because the last stage before the cutover keeps serving its split
 * while a person decides. Paused, finished and rolled-back experiments send everyone to production.
 */
export const LIVE_STATUSES = ["running", "awaiting_approval"] as const satisfies readonly ExperimentStatus[];

/** Started and not ended: at most one experiment is in one of these at a time. */
export const IN_PROGRESS_STATUSES = ["running", "paused", "awaiting_approval"] as const satisfies readonly ExperimentStatus[];

/** Not ended (a draft included): the experiment's models are in use and cannot be archived. */
export const OPEN_STATUSES = ["draft", ...IN_PROGRESS_STATUSES] as const satisfies readonly ExperimentStatus[];

export function isLive(status: string): boolean {
  return (LIVE_STATUSES as readonly string[]).includes(status);
}
