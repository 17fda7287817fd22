import type { Metadata } from "next";
import Link from "next/link";
import { entityHref } from "@/components/audit";
import { AuditQuery } from "@/lib/http/requests";
import { DataTable } from "@/components/DataTable";
import { PageHeader } from "@/components/PageHeader";
import { formatDateTime } from "@/components/format";
import { auditFilterForViewer, auditForViewer } from "@/lib/auth/audit-visibility";
import { requirePageUser } from "@/lib/auth/current";
import { auditEntityTypes, listAuditEntries } from "@/lib/db/audit";
import { Select } from "@/components/Select";
import { ButtonLink } from "@/components/ButtonLink";

export const metadata: Metadata = { title: "Audit log" };

type SearchParams = Record<string, string | string[] | undefined>;

function firstValues(params: SearchParams): Record<string, string> {
  return Object.fromEntries(Object.entries(params).flatMap(([k, v]) => (typeof v === "string" ? [[k, v]] : Array.isArray(v) && v[0] ? [[k, v[0]]] : [])));
}

export default async function AuditPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const { user } = await requirePageUser();
  const raw = firstValues(await searchParams);
  const parsed = AuditQuery.safeParse(raw);
  const query = parsed.success ? parsed.data : AuditQuery.parse({});
  const [rows, entityTypes] = await Promise.all([listAuditEntries(auditFilterForViewer(query, user)), auditEntityTypes()]);
  const entries = auditForViewer(rows, user);
  const nextBefore = entries.length === query.limit ? entries.at(-1)!.id.toString() : null;
  const filterParams = new URLSearchParams(
    Object.entries({ entityType: query.entityType, entityId: query.entityId, action: query.action }).filter((e): e is [string, string] => Boolean(e[1])),
  );

  return (
    <>
      <PageHeader title="Audit log" description="Who changed what, when, and why: sign-ins, users and keys, jobs, rollouts and approvals." />
      <section className="panel">
        {parsed.success ? null : (
          <div className="alert error" role="alert" style={{ marginBottom: 12 }}>
            Some filters were invalid and were ignored: {parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}
          </div>
        )}
        <form className="filters" method="get" action="/audit">
          <div className="field">
            <label htmlFor="f-type">Entity</label>
            <Select id="f-type" name="entityType" defaultValue={query.entityType ?? ""} options={[{ value: "", label: "all" }, ...entityTypes]} />
          </div>
          <div className="field">
            <label htmlFor="f-id">Entity id</label>
            <input id="f-id" name="entityId" type="text" defaultValue={query.entityId ?? ""} />
          </div>
          <div className="field">
            <label htmlFor="f-action">Action starts with</label>
            <input id="f-action" name="action" type="text" placeholder="e.g. user." defaultValue={query.action ?? ""} />
          </div>
          <button type="submit">Filter</button>
          {filterParams.size > 0 ? <ButtonLink href="/audit" label="Clear" secondary /> : null}
        </form>
        <DataTable
          empty={entries.length === 0 && "No entries match."}
          columns={["When", "Actor", "Action", "Entity", "Reason and details"]}
          label="Audit log table (scrolls sideways)"
        >
          {entries.map((entry) => {
            const href = entityHref(entry.entityType, entry.entityId);
            const data = entry.data && typeof entry.data === "object" && Object.keys(entry.data).length > 0 ? JSON.stringify(entry.data) : null;
            return (
              <tr key={entry.id.toString()}>
                <td style={{ whiteSpace: "nowrap" }}>{formatDateTime(entry.createdAt)}</td>
                <td>{entry.actorLabel}</td>
                <td className="mono">{entry.action}</td>
                <td>
                  <span className="muted">{entry.entityType}</span>{" "}
                  {href ? (
                    <Link href={href} className="mono" style={{ overflowWrap: "anywhere" }}>
                      {entry.entityId}
                    </Link>
                  ) : (
                    <Link
                      href={`/audit?entityType=${encodeURIComponent(entry.entityType)}&entityId=${encodeURIComponent(entry.entityId)}`}
                      className="mono"
                      style={{ overflowWrap: "anywhere" }}
                    >
                      {entry.entityId}
                    </Link>
                  )}
                </td>
                {/* its JSON may break anywhere, so without a floor the table squeezed this column to a few characters */}
                <td style={{ minWidth: 220 }}>
                  {entry.reason ? <div>{entry.reason}</div> : null}
                  {data ? (
                    <div className="mono muted" style={{ fontSize: 12, maxWidth: 480, overflowWrap: "anywhere" }}>
                      {data.length > 300 ? `${data.slice(0, 300)}…` : data}
                    </div>
                  ) : null}
                </td>
              </tr>
            );
          })}
        </DataTable>
        {nextBefore ? (
          <p style={{ marginBottom: 0 }}>
            <Link href={`/audit?${new URLSearchParams([...filterParams, ["before", nextBefore]])}`}>Older entries →</Link>
          </p>
        ) : null}
      </section>
    </>
  );
}
