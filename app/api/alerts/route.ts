import { z } from "zod";
import { requireUser } from "@/lib/auth/current";
import { listAlerts } from "@/lib/db/alerts";
import { handler, json, parseQuery } from "@/lib/http";

const Query = z.object({
  unacknowledged: z.enum(["true", "false"]).default("false"),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

/** Recent alerts, newest first (any signed-in role). */
export const GET = handler(async (request: Request) => {
  await requireUser();
  const q = parseQuery(request, Query);
  return json({ alerts: await listAlerts({ unacknowledgedOnly: q.unacknowledged === "true", limit: q.limit }) });
});
