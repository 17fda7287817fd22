import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { BarChart } from "@/components/charts/BarChart";
import { PageHeader } from "@/components/PageHeader";
import { StatusBadge } from "@/components/StatusBadge";
import { formatDateTime, formatDensity, formatInt, formatMetric } from "@/components/format";
import { NDCG10_KEYS, pickMetric } from "@/components/metrics";
import { requirePageUser } from "@/lib/auth/current";
import { hasRole } from "@/lib/auth/roles";
import { db } from "@/lib/db/client";
import { datasetPageProfile, getDataset, listChildDatasets, listDatasets } from "@/lib/db/datasets";
import { LineChart } from "@/components/charts/LineChart";
import { listDriftChecks } from "@/lib/db/drift-checks";
import { DriftCheckForm, DriftedSnapshotForm } from "./drift-forms";
import { formatShare } from "@/lib/format";
import { DataTable, LinkCell, numeric } from "@/components/DataTable";
import { JsonPanel } from "@/components/JsonPanel";

function DriftSignalBars({ bars }: { bars: { label: string; value: number; note: string }[] }) {
  return (
    <BarChart
      title="Latest check: each signal relative to its limit (1 = limit)"
      categories={bars.map((b) => b.label)}
      series={[{ name: "signal ÷ limit", values: bars.map((b) => b.value) }]}
      categoryColors={bars.map((b) => (b.value > 1 ? "#b3261e" : "#1f5fa8"))}
      notes={bars.map((b) => `raw value ${b.note}`)}
      valueLabel="signal ÷ its limit (above 1 = drift)"
      format="fixed:2"
    />
  );
}

export const metadata: Metadata = { title: "Dataset" };

// generator knobs of generateDatasetInput that a drifted snapshot keeps from its parent
const GENERATOR_KEYS = [
  "seed",
  "numUsers",
  "numItems",
  "numClusters",
  "interactionsPerUser",
  "nicheUserFraction",
  "popularityExponent",
  "affinity",
  "latentDim",
];

function generatorParams(params: unknown): Record<string, number> {
  const p = (params ?? {}) as Record<string, unknown>;
  return Object.fromEntries(GENERATOR_KEYS.flatMap((k) => (typeof p[k] === "number" ? [[k, p[k]]] : [])));
}

export default async function DatasetPage({ params }: { params: Promise<{ id: string }> }) {
  const { user } = await requirePageUser();
  const canEdit = hasRole(user.role, "editor");
  const { id } = await params;
  const dataset = await getDataset(id);
  if (!dataset) notFound();
  const [children, driftChecks, others, profile] = await Promise.all([
    listChildDatasets(id),
    listDriftChecks(id, db(), 10),
    canEdit ? listDatasets(db(), { take: 200 }) : Promise.resolve([]),
    datasetPageProfile(dataset),
  ]);
  const references = others.filter((d) => d.id !== id).map((d) => ({ id: d.id, name: d.name }));
  const latest = driftChecks[0];
  const perUser = dataset.numUsers ? dataset.numInteractions / dataset.numUsers : 0;
  const perItem = dataset.numItems ? dataset.numInteractions / dataset.numItems : 0;

  return (
    <>
      <PageHeader
        title={dataset.name}
        breadcrumb={<Link href="/datasets">Datasets</Link>}
        description={`${dataset.source} dataset, snapshot ${dataset.snapshot.slice(0, 12)}`}
      />
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
          <div className="sub">
            {perUser.toFixed(1)} per user · {perItem.toFixed(1)} per item
          </div>
        </div>
        <div className="stat">
          <div className="label">Density</div>
          <div className="value">{formatDensity(dataset.numInteractions, dataset.numUsers, dataset.numItems)}</div>
        </div>
      </div>
      {profile ? (
        <section className="panel" data-testid="dataset-statistics">
          <h2>Statistics</h2>
          <DataTable columns={[]} label="Statistics table (scrolls sideways)">
            {(
              [
                ["Users", formatInt(profile.stats.users)],
                ["Items", formatInt(profile.stats.items)],
                ["Interactions (train + valid + test)", formatInt(profile.stats.interactions)],
                ["Training interactions", formatInt(profile.stats.trainInteractions)],
                ["Users with a validation / test item", `${formatInt(profile.stats.validUsers)} / ${formatInt(profile.stats.testUsers)}`],
                ["Mean items per user", profile.stats.meanItemsPerUser.toFixed(1)],
                ["Density", formatDensity(profile.stats.interactions, profile.stats.users, profile.stats.items)],
                ["Popularity Gini (0 = uniform, 1 = one item)", profile.stats.popularityGini.toFixed(3)],
                [
                  `Training interactions on the ${Math.round(profile.profile.headShare * 100)}% most popular items`,
                  formatShare(profile.profile.headInteractionShare),
                ],
                ["Items never seen in training", formatInt(profile.stats.coldItems)],
              ] as const
            ).map(([k, v]) => (
              <tr key={k}>
                <th scope="row">{k}</th>
                <td className="num">{v}</td>
              </tr>
            ))}
          </DataTable>
          <div className="grid cols-2" style={{ marginTop: 12 }}>
            <LineChart
              title="Popularity curve: items by training interactions (log–log)"
              series={[{ name: "items", points: profile.profile.popularity }]}
              markers={[{ x: Math.max(1, profile.profile.longTailStartRank), label: "long tail starts" }]}
              xScale="log"
              yScale="log"
              xLabel="item rank (1 = most popular)"
              yLabel="training interactions"
              xFormat="int"
              yFormat="int"
              testId="chart-popularity"
            />
            <BarChart
              title="Interactions per user (training)"
              categories={profile.profile.perUser.map((b) => (b.low === b.high ? String(b.low) : `${b.low}–${b.high}`))}
              series={[{ name: "users", values: profile.profile.perUser.map((b) => b.users) }]}
              valueLabel="users"
              format="int"
              testId="chart-per-user"
            />
          </div>
        </section>
      ) : null}
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
        <JsonPanel title="Parameters" label="Dataset parameters" value={dataset.params} />
      </div>
      <section className="panel">
        <h2>Models trained on it</h2>
        <DataTable
          empty={
            dataset.models.length === 0 && (
              <>
                None yet. <Link href={`/models?datasetId=${dataset.id}`}>Train a teacher</Link>.
              </>
            )
          }
          columns={["Model", "Role", numeric("Dim"), "Method", numeric("N@10"), "Created"]}
          label="Models trained on it (scrolls sideways)"
        >
          {dataset.models.map((m) => (
            <tr key={m.id}>
              <LinkCell href={`/models/${m.id}`}>{m.name}</LinkCell>
              <td>
                <StatusBadge status={m.role} />
              </td>
              <td className="num">{m.dimension}</td>
              <td>{m.distillationMethod ?? "—"}</td>
              <td className="num">{formatMetric(pickMetric(m.metrics, NDCG10_KEYS))}</td>
              <td>{formatDateTime(m.createdAt)}</td>
            </tr>
          ))}
        </DataTable>
      </section>
      <section className="panel">
        <h2>Drift checks</h2>
        <p className="hint">
          Compares this snapshot with a reference: item-popularity shift (Jensen–Shannon divergence, limit 0.05), share of interactions on items unseen in the
          reference (limit 10%), change of interactions per user (limit ±25%) and the production model&apos;s HR@10 drop (limit 10%). Score = the largest signal
          ÷ its limit; above 1 is drift, which queues a redistillation (teacher, then a student distilled from it).
        </p>
        {latest ? (
          <DriftSignalBars
            bars={[
              {
                label: "Item popularity (JSD)",
                value: latest.metrics.decision.ratios.popularityJsd,
                note: latest.metrics.decision.signals.popularity.jsd.toFixed(4),
              },
              {
                label: "New-item share",
                value: latest.metrics.decision.ratios.newItemShare,
                note: formatShare(latest.metrics.decision.signals.newItems.share),
              },
              {
                label: "User activity change",
                value: latest.metrics.decision.ratios.userActivityChange,
                note: formatShare(latest.metrics.decision.signals.userActivity.relativeChange),
              },
              ...(latest.metrics.decision.ratios.qualityDrop !== null
                ? [
                    {
                      label: "HR@10 drop",
                      value: latest.metrics.decision.ratios.qualityDrop,
                      note: formatShare(latest.metrics.decision.signals.quality?.relativeDrop),
                    },
                  ]
                : []),
            ]}
          />
        ) : (
          <p className="empty">No drift check of this dataset yet.</p>
        )}
        {driftChecks.length > 0 ? (
          <DataTable
            columns={[
              "When",
              "Reference",
              numeric("JSD"),
              numeric("New items"),
              numeric("Activity"),
              numeric("HR@10 ref → now"),
              numeric("Score"),
              "Decision",
              "Redistillation",
            ]}
            wrap="plain"
            testId="drift-checks"
          >
            {driftChecks.map((c) => {
              const s = c.metrics.decision.signals;
              return (
                <tr key={c.id}>
                  <td>{formatDateTime(c.createdAt)}</td>
                  <LinkCell href={`/datasets/${c.metrics.referenceDatasetId}`}>{c.metrics.referenceDatasetName}</LinkCell>
                  <td className="num">{s.popularity.jsd.toFixed(4)}</td>
                  <td className="num">{formatShare(s.newItems.share)}</td>
                  <td className="num">{formatShare(s.userActivity.relativeChange)}</td>
                  <td className="num" title={c.metrics.qualityNote ?? (c.model ? `model ${c.model.name}` : undefined)}>
                    {s.quality ? `${formatMetric(s.quality.reference.hr10)} → ${formatMetric(s.quality.current.hr10)}` : "—"}
                  </td>
                  <td className="num">
                    {formatMetric(c.score, 2)} / {formatMetric(c.threshold, 0)}
                  </td>
                  <td title={c.metrics.decision.reasons.join("\n") || undefined}>
                    {c.driftDetected ? <StatusBadge status="warn" label="drift" /> : <StatusBadge status="ok" label="stable" />}
                    {c.metrics.decision.reasons.length > 0 ? <div className="hint">{c.metrics.decision.reasons.join("; ")}</div> : null}
                  </td>
                  <td>
                    {c.teacherJob && c.studentJob ? (
                      <>
                        <Link href={`/jobs/${c.teacherJob.id}`}>teacher</Link> <StatusBadge status={c.teacherJob.status} /> ·{" "}
                        <Link href={`/jobs/${c.studentJob.id}`}>student</Link> <StatusBadge status={c.studentJob.status} />
                      </>
                    ) : c.driftDetected && !c.metrics.redistillRequested ? (
                      "not requested"
                    ) : (
                      "—"
                    )}
                  </td>
                </tr>
              );
            })}
          </DataTable>
        ) : null}
        {canEdit ? (
          references.length > 0 ? (
            <DriftCheckForm datasetId={dataset.id} references={references} defaultReferenceId={dataset.parent?.id} />
          ) : (
            <p className="empty">No other dataset to compare with yet.</p>
          )
        ) : null}
      </section>
      {canEdit && dataset.source === "synthetic" ? (
        <section className="panel">
          <h2>Generate a drifted snapshot</h2>
          <p className="hint">The same synthetic world in a later period: tastes move, popularity reshuffles and new items appear as the phase grows.</p>
          <DriftedSnapshotForm parentId={dataset.id} parentName={dataset.name} generator={generatorParams(dataset.params)} />
        </section>
      ) : null}
    </>
  );
}
