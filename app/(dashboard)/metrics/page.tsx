import type { Metadata } from "next";
import Link from "next/link";
import { PageHeader } from "@/components/PageHeader";
import { formatDateTime } from "@/components/format";
import { requirePageUser } from "@/lib/auth/current";
import { hasRole } from "@/lib/auth/roles";
import { db } from "@/lib/db/client";
import { listMetrics, toDefinition } from "@/lib/db/metrics";
import { AGGREGATION_LABEL, describeMetric, type MetricAggregation } from "@/lib/experiments/metrics";
import { ArchiveToggle } from "@/components/ArchiveToggle";
import { DataTable, numeric } from "@/components/DataTable";
import { ButtonLink } from "@/components/ButtonLink";

export const metadata: Metadata = { title: "Metrics" };
export const dynamic = "force-dynamic";

const pct = (x: number) => `${Math.round(x * 100_000) / 1000}%`;

export default async function MetricsPage({ searchParams }: { searchParams: Promise<{ archived?: string }> }) {
  const { user } = await requirePageUser();
  const showArchived = (await searchParams).archived === "1";
  const canEdit = hasRole(user.role, "editor");
  const all = await listMetrics(db());
  const metrics = showArchived ? all : all.filter((m) => m.archivedAt === null);
  const archivedCount = all.length - all.filter((m) => m.archivedAt === null).length;
  return (
    <>
      <PageHeader
        title="Metrics"
        description={
          <>
            The KPIs experiments can choose as primary, secondary or guardrail metrics. Each is computed per user in SQL and tested the way its aggregation
            needs.{" "}
            {showArchived ? (
              <Link href="/metrics">Hide archived</Link>
            ) : archivedCount > 0 ? (
              <Link href="/metrics?archived=1">Show {archivedCount} archived</Link>
            ) : null}
          </>
        }
        actions={canEdit ? <ButtonLink href="/metrics/new" label="New metric" /> : null}
      />
      <section className="panel">
        <DataTable
          columns={["Metric", "Measures", "Aggregation", "Direction", numeric("Default margin"), numeric("Experiments"), "Status", canEdit && ""]}
          label="Metric catalogue (scrolls sideways)"
          testId="metric-table"
        >
          {metrics.map((m) => (
            <tr key={m.id} data-metric={m.key}>
              <td>
                <Link href={`/metrics/${m.id}`}>{m.name}</Link>
                <div className="mono muted">{m.key}</div>
              </td>
              <td style={{ maxWidth: 320 }}>
                {describeMetric(toDefinition(m))}
                {m.description ? <div className="muted">{m.description}</div> : null}
              </td>
              <td>{AGGREGATION_LABEL[m.aggregation as MetricAggregation] ?? m.aggregation}</td>
              <td>{m.direction === "lowerIsBetter" ? "lower is better" : "higher is better"}</td>
              <td className="num">{pct(m.nonInferiorityMargin)}</td>
              <td className="num">{m._count.experiments}</td>
              <td>
                {m.builtIn ? <span className="badge info">built-in</span> : null}
                {m.archivedAt ? (
                  <span className="badge" title={`archived ${formatDateTime(m.archivedAt)}`}>
                    archived
                  </span>
                ) : null}
                {!m.builtIn && !m.archivedAt ? <span className="badge ok">active</span> : null}
              </td>
              {canEdit ? (
                <td style={{ whiteSpace: "nowrap" }}>
                  {m.builtIn ? (
                    <span className="muted">read-only</span>
                  ) : (
                    <>
                      <Link href={`/metrics/${m.id}`} aria-label={`Edit ${m.name}`}>
                        Edit
                      </Link>{" "}
                      <ArchiveToggle url={`/api/metrics/${m.id}`} archived={m.archivedAt !== null} name={m.name} small />
                    </>
                  )}
                </td>
              ) : null}
            </tr>
          ))}
        </DataTable>
        <p className="muted" style={{ marginBottom: 0 }}>
          Events count for an experiment when their requestId is one of its exposures. Shares and means are per exposed user; ratios divide sums over users
          (delta method, clustered by user); quantiles take one value per request or event and are compared by a test on the difference of quantiles. Archived
          metrics stay on the experiments that use them but cannot be chosen for new ones.
        </p>
      </section>
    </>
  );
}
