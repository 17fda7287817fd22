import { AuditQuery } from "@/components/audit";
import { requireUser } from "@/lib/auth/current";
import { listAuditEntries } from "@/lib/db/audit";
import { handler, json, parseQuery } from "@/lib/http";

export const GET = handler(async (request: Request) => {
  await requireUser();
  const query = parseQuery(request, AuditQuery);
  const entries = await listAuditEntries(query);
  return json({ entries, nextBefore: entries.length === query.limit ? entries.at(-1)!.id.toString() : null });
});
