import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { PageHeader } from "@/components/PageHeader";
import { StatusBadge } from "@/components/StatusBadge";
import { formatDateTime, formatDensity, formatInt, formatMetric } from "@/components/format";
import { NDCG10_KEYS, pickMetric } from "@/components/metrics";
import { requirePageUser } from "@/lib/auth/current";
import { db } from "@/lib/db/client";
import { getDataset } from "@/lib/db/datasets";

export const metadata: Metadata = { title: "Dataset" };

export default async function DatasetPage({ params }: { params: Promise<{ id: string }> }) {
  await requirePageUser();
  const { id } = await params;
  const dataset = await getDataset(id);
  if (!dataset) notFound();
  const [children, driftChecks] = await Promise.all([
    db().dataset.findMany({ where: { parentId: id }, select: { id: true, name: true, createdAt: true }, orderBy: { createdAt: "asc" } }),
    db().driftCheck.findMany({ where: { datasetId: id }, orderBy: { createdAt: "desc" }, take: 10 }),
  ]);
  const perUser = dataset.numUsers ? dataset.numInteractions / dataset.numUsers : 0;
  const perItem = dataset.numItems ? dataset.numInteractions / dataset.numItems : 0;

  return (
    <>
      <PageHeader title={dataset.name} breadcrumb={<Link href="/datasets">Datasets</Link>} description={`${dataset.source} dataset, snapshot ${dataset.snapshot.slice(0, 12)}`} />
      <div className="grid cols-4" style={{ marginBottom: 20 }}>
        <div className="stat">
          <div className="label">Users</div>
          <div className="value">{formatInt(dataset.numUsers)}</div>
        </div>
        <div className="stat">
          <div className="label">Items</div>
          <div className="value">{formatInt(dataset.numItems)}</div>
        </div>
        <div className="stat">
          <div className="label">Interactions</div>
          <div className="value">{formatInt(dataset.numInteractions)}</div>
          <div className="sub">{perUser.toFixed(1)} per user · {perItem.toFixed(1)} per item</div>
        </div>
        <div className="stat">
          <div className="label">Density</div>
          <div className="value">{formatDensity(dataset.numInteractions, dataset.numUsers, dataset.numItems)}</div>
        </div>
      </div>
      <div className="grid cols-2">
        <section className="panel">
          <h2>Snapshot</h2>
          <dl className="facts">
            <dt>Source</dt>
            <dd>{dataset.source}</dd>
            <dt>Loaded from</dt>
            <dd className="mono">{dataset.sourcePath ?? "generated"}</dd>
            <dt>Snapshot hash</dt>
            <dd className="mono">{dataset.snapshot}</dd>
            <dt>Created</dt>
            <dd>{formatDateTime(dataset.createdAt)}</dd>
            <dt>Earlier snapshot</dt>
            <dd>{dataset.parent ? <Link href={`/datasets/${dataset.parent.id}`}>{dataset.parent.name}</Link> : "—"}</dd>
            <dt>Later snapshots</dt>
            <dd>
              {children.length === 0
                ? "—"
                : children.map((c, i) => (
                    <span key={c.id}>
                      {i > 0 ? ", " : ""}
                      <Link href={`/datasets/${c.id}`}>{c.name}</Link>
                    </span>
                  ))}
            </dd>
          </dl>
        </section>
        <section className="panel">
          <h2>Parameters</h2>
          <pre className="log">{JSON.stringify(dataset.params, null, 2)}</pre>
        </section>
      </div>
      <section className="panel">
        <h2>Models trained on it</h2>
        {dataset.models.length === 0 ? (
          <p className="empty">
            None yet. <Link href={`/models?datasetId=${dataset.id}`}>Train a teacher</Link>.
          </p>
        ) : (
          <table className="data">
            <thead>
              <tr>
                <th>Model</th>
                <th>Role</th>
                <th className="num">Dim</th>
                <th>Method</th>
                <th className="num">N@10</th>
                <th>Created</th>
              </tr>
            </thead>
            <tbody>
              {dataset.models.map((m) => (
                <tr key={m.id}>
                  <td>
                    <Link href={`/models/${m.id}`}>{m.name}</Link>
                  </td>
                  <td>
                    <StatusBadge status={m.role} />
                  </td>
                  <td className="num">{m.dimension}</td>
                  <td>{m.distillationMethod ?? "—"}</td>
                  <td className="num">{formatMetric(pickMetric(m.metrics, NDCG10_KEYS))}</td>
                  <td>{formatDateTime(m.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      {driftChecks.length > 0 ? (
        <section className="panel">
          <h2>Drift checks</h2>
          <table className="data">
            <thead>
              <tr>
                <th>When</th>
                <th className="num">Score</th>
                <th className="num">Threshold</th>
                <th>Drift</th>
              </tr>
            </thead>
            <tbody>
              {driftChecks.map((c) => (
                <tr key={c.id}>
                  <td>{formatDateTime(c.createdAt)}</td>
                  <td className="num">{formatMetric(c.score)}</td>
                  <td className="num">{formatMetric(c.threshold)}</td>
                  <td>{c.driftDetected ? <StatusBadge status="warn" label="drift" /> : <StatusBadge status="ok" label="stable" />}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      ) : null}
    </>
  );
}
