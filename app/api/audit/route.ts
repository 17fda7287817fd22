import { AuditQuery } from "@/lib/http/requests";
import { auditFilterForViewer, auditForViewer } from "@/lib/auth/audit-visibility";
import { requireUser } from "@/lib/auth/current";
import { listAuditEntries } from "@/lib/db/audit";
import { handler, json, parseQuery } from "@/lib/http";

export const GET = handler(async (request: Request) => {
  const { user } = await requireUser();
  const query = parseQuery(request, AuditQuery);
  const entries = auditForViewer(await listAuditEntries(auditFilterForViewer(query, user)), user);
  return json({ entries, nextBefore: entries.length === query.limit ? entries.at(-1)!.id.toString() : null });
});
