import { z } from "zod";

/** Filters of the audit log list (page and API alike). */
export const AuditQuery = z.object({
  entityType: z.string().trim().max(60).optional().transform((v) => v || undefined),
  entityId: z.string().trim().max(200).optional().transform((v) => v || undefined),
  action: z.string().trim().max(100).optional().transform((v) => v || undefined),
  /** rows with an id below this one (the next page) */
  before: z
    .string()
    .regex(/^\d+$/, "before must be an audit entry id")
    .optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export type AuditQuery = z.infer<typeof AuditQuery>;

/** Where an audit entry's entity lives in the UI, when it has a page. */
export function entityHref(entityType: string, entityId: string): string | null {
  switch (entityType) {
    case "job":
      return `/jobs/${entityId}`;
    case "dataset":
      return `/datasets/${entityId}`;
    case "model":
      return `/models/${entityId}`;
    case "experiment":
      return `/experiments/${entityId}`;
    default:
      return null;
  }
}
