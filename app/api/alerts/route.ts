import { requireUser } from "@/lib/auth/current";
import { listAlerts } from "@/lib/db/alerts";
import { handler, json, parseQuery } from "@/lib/http";
import { AlertsQuery } from "@/lib/http/requests";

/** Recent alerts, newest first (any signed-in role). */
export const GET = handler(async (request: Request) => {
  await requireUser();
  const q = parseQuery(request, AlertsQuery);
  return json({ alerts: await listAlerts({ unacknowledgedOnly: q.unacknowledged === "true", limit: q.limit }) });
});
