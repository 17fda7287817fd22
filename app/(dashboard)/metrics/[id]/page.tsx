import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { PageHeader } from "@/components/PageHeader";
import { formatDateTime } from "@/components/format";
import { requirePageUser } from "@/lib/auth/current";
import { hasRole } from "@/lib/auth/roles";
import { db } from "@/lib/db/client";
import { getMetricWithExperiments, toDefinition } from "@/lib/db/metrics";
import { AGGREGATION_LABEL, describeMetric } from "@/lib/experiments/metrics";
import { ArchiveToggle } from "@/components/ArchiveToggle";
import { MetricForm } from "../metric-form";
import { DataTable } from "@/components/DataTable";

export const metadata: Metadata = { title: "Metric" };
export const dynamic = "force-dynamic";

const pct = (x: number | null) => (x === null ? "—" : `${Math.round(x * 100_000) / 1000}%`);

/** a definition row naming an event and what is summed of it */
function EventRow({ label, event, measure }: { label: string; event: string; measure: string | null }) {
  return (
    <tr>
      <td>{label}</td>
      <td className="mono">
        {event}
        {measure === "value" ? " (sum of values)" : ""}
      </td>
    </tr>
  );
}

export default async function MetricPage({ params }: { params: Promise<{ id: string }> }) {
  const { user } = await requirePageUser();
  const { id } = await params;
  const metric = await getMetricWithExperiments(db(), id);
  if (!metric) notFound();
  const d = toDefinition(metric);
  const canEdit = hasRole(user.role, "editor") && !metric.builtIn;
  const started = metric.experiments.find((e) => e.experiment.startedAt !== null);
  const frozen = started
    ? `Used by the started experiment “${started.experiment.name}”: only the name and description can change (a new definition would change its results). Define a new metric instead.`
    : null;
  return (
    <>
      <PageHeader
        title={metric.name}
        breadcrumb={<Link href="/metrics">Metrics</Link>}
        description={
          <>
            <span className="mono">{metric.key}</span> · {describeMetric(d)}
            {metric.builtIn ? " · built-in, read-only" : ""}
            {metric.archivedAt ? ` · archived ${formatDateTime(metric.archivedAt)}` : ""}
          </>
        }
        actions={canEdit ? <ArchiveToggle url={`/api/metrics/${metric.id}`} archived={metric.archivedAt !== null} name={metric.name} small /> : null}
      />
      <div className="grid cols-2">
        <section className="panel">
          <h2>{canEdit ? "Edit" : "Definition"}</h2>
          {canEdit ? (
            <MetricForm initial={d} metricId={metric.id} frozen={frozen} />
          ) : (
            <DataTable columns={[]} wrap="bare">
              <tr>
                <td>Aggregation</td>
                <td>{AGGREGATION_LABEL[d.aggregation]}</td>
              </tr>
              <EventRow label="Event" event={d.event} measure={d.measure} />
              {d.denominatorEvent ? <EventRow label="Denominator" event={d.denominatorEvent} measure={d.denominatorMeasure} /> : null}
              {d.quantile !== null ? (
                <tr>
                  <td>Quantile</td>
                  <td>{pct(d.quantile)}</td>
                </tr>
              ) : null}
              <tr>
                <td>Direction</td>
                <td>{d.direction === "lowerIsBetter" ? "lower is better" : "higher is better"}</td>
              </tr>
              <tr>
                <td>Capped at percentile</td>
                <td>{pct(d.capPercentile)}</td>
              </tr>
              <tr>
                <td>Default non-inferiority margin</td>
                <td>{pct(d.nonInferiorityMargin)}</td>
              </tr>
            </DataTable>
          )}
        </section>
        <section className="panel">
          <h2>Experiments using it</h2>
          {metric.experiments.length === 0 ? (
            <p className="empty">None yet.</p>
          ) : (
            <ul>
              {metric.experiments.map((e) => (
                <li key={e.experimentId}>
                  <Link href={`/experiments/${e.experiment.id}`}>{e.experiment.name}</Link> — {e.role}, {e.experiment.status.replace("_", " ")}
                  {e.nonInferiorityMargin !== null ? `, margin ${pct(e.nonInferiorityMargin)}` : ""}
                </li>
              ))}
            </ul>
          )}
        </section>
      </div>
    </>
  );
}
