import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { PageHeader } from "@/components/PageHeader";
import { StatusBadge } from "@/components/StatusBadge";
import { LineChart, type Series } from "@/components/charts/LineChart";
import { MetricsTable } from "@/components/MetricsTable";
import { formatBytes, formatCompact, formatDateTime, formatInt } from "@/components/format";
import { flattenMetrics, NDCG10_KEYS, pickMetric } from "@/components/metrics";
import { BarChart } from "@/components/charts/BarChart";
import { requirePageUser } from "@/lib/auth/current";
import { db } from "@/lib/db/client";
import { getModel, listStudentsOf } from "@/lib/db/models";
import { getProductionSlot } from "@/lib/db/serving";
import { hasRole } from "@/lib/auth/roles";
import { demoReplayRefusal } from "@/lib/services/demo-replay";
import { listLiveDriftChecks } from "@/lib/db/drift-checks";
import { listLoopEvents } from "@/lib/db/loop-events";
import { getLoopSettings } from "@/lib/db/loop-settings";
import { listRedistillRuns } from "@/lib/db/redistill-runs";
import { DriftCharts, driftPoints, GateTable, LoopEvents } from "@/components/loop/LoopSection";
import { LoopButtons, LoopSettingsForm } from "@/components/loop/LoopControls";
import { ArchiveToggle } from "@/components/ArchiveToggle";
import { DataTable, LinkCell } from "@/components/DataTable";
import { Facts } from "@/components/Facts";
import { ButtonLink } from "@/components/ButtonLink";

export const metadata: Metadata = { title: "Model" };

const HYPER_LABELS: Record<string, string> = {
  dim: "Dimension",
  lr: "Learning rate (peak)",
  weightDecay: "Weight decay",
  batchSize: "Batch size",
  epochs: "Epoch budget",
  seed: "Training seed",
  initStd: "Initial weight std",
  evalEvery: "Validate every (epochs)",
  patience: "Patience (validations without improvement)",
  watch: "Metrics watched",
  selectBy: "Best epoch chosen by",
  adam: "Adam update",
  lrSchedule: "Learning-rate schedule",
  lrFloor: "Schedule floor (share of peak)",
  method: "Distillation method",
  evalSeed: "Evaluation negatives seed",
  teacherDim: "Teacher dimension",
  de: "DE settings",
  rrd: "RRD settings",
  rd: "RD settings",
  engine: "DE engine",
  distillationParameters: "Distillation-only parameters (dropped after training)",
  backend: "Compute backend",
  adamKernel: "Adam kernel",
  bestEpoch: "Best epoch (on validation)",
  epochsRun: "Epochs run",
  trainSeconds: "Training time (s)",
};
/** what training reported, not what it was asked */
const RESULT_KEYS = new Set(["bestEpoch", "epochsRun", "trainSeconds", "backend", "adamKernel", "engine"]);
const HIDDEN_HYPER = new Set(["engineTimingsUs"]);

/** hyperparameters as rows; a value is "set" when the training request named it, else it is a default */
function hyperRows(hyper: unknown, requested: unknown): { key: string; label: string; value: string; set: boolean; result: boolean }[] {
  if (!hyper || typeof hyper !== "object") return [];
  const req = (requested && typeof requested === "object" ? requested : {}) as Record<string, unknown>;
  const named = new Set([
    ...Object.keys((req.hyperparameters as object | undefined) ?? {}),
    ...(req.epochs !== undefined ? ["epochs"] : []),
    "dim",
    "seed",
    "method",
  ]);
  return Object.entries(hyper as Record<string, unknown>)
    .filter(([k, v]) => !HIDDEN_HYPER.has(k) && v !== null && v !== undefined)
    .map(([k, v]) => ({
      key: k,
      label: HYPER_LABELS[k] ?? k,
      value: typeof v === "object" ? JSON.stringify(v) : typeof v === "number" && !Number.isInteger(v) ? String(+v.toPrecision(6)) : String(v),
      set: named.has(k),
      result: RESULT_KEYS.has(k),
    }))
    .sort((a, b) => Number(a.result) - Number(b.result) || Number(b.set) - Number(a.set) || a.label.localeCompare(b.label));
}

/** Per-epoch curves from TrainingRun.history ([{epoch, loss, valid: {...}}]), whatever keys it carries. */
function historySeries(history: unknown): { loss: Series[]; valid: Series[] } {
  if (!Array.isArray(history)) return { loss: [], valid: [] };
  const loss: [number, number][] = [];
  const valid = new Map<string, [number, number][]>();
  history.forEach((entry: unknown, index) => {
    if (!entry || typeof entry !== "object") return;
    const record = entry as Record<string, unknown>;
    const epoch = typeof record.epoch === "number" ? record.epoch : index + 1;
    if (typeof record.loss === "number") loss.push([epoch, record.loss]);
    for (const { key, value } of flattenMetrics(record.valid)) {
      if (!/N@10|ndcg10|H@10|hr10/i.test(key)) continue;
      valid.set(key, [...(valid.get(key) ?? []), [epoch, value]]);
    }
  });
  return {
    loss: loss.length ? [{ name: "loss", points: loss }] : [],
    valid: [...valid.entries()].map(([name, points]) => ({ name: `valid ${name}`, points })),
  };
}

export default async function ModelPage({ params }: { params: Promise<{ id: string }> }) {
  const { user } = await requirePageUser();
  const canEdit = hasRole(user.role, "editor");
  const { id } = await params;
  const model = await getModel(id);
  if (!model) notFound();
  const [loopSettings, liveChecks, redistillRuns, loopEvents, slot, replayRefusal] = await Promise.all([
    getLoopSettings(db(), model.id),
    listLiveDriftChecks(model.id, db()),
    listRedistillRuns(db(), model.id),
    listLoopEvents(db(), { modelId: model.id, take: 10 }),
    getProductionSlot(),
    // offered on a demo install for the production model on the demo dataset; a click while one is in flight says why not
    demoReplayRefusal(db(), model.id, { inFlight: false }),
  ]);
  const inProduction = slot?.modelId === model.id;
  const curves = historySeries(model.trainingRun?.history);
  // a teacher's page compares it with every student distilled from it
  const family = model.role === "teacher" && model.students.length > 0 ? [model, ...(await listStudentsOf(model.id))] : [];
  const familyBars = family
    .map((m) => ({
      label: m.id === model.id ? `${m.name} (teacher)` : `${m.name} · ${m.distillationMethod ?? "none"}`,
      value: pickMetric(m.metrics, NDCG10_KEYS),
      tone: m.role,
      note: `d=${m.dimension}, ${formatCompact(m.parameterCount)} params`,
    }))
    .filter((b): b is { label: string; value: number; tone: "teacher" | "student"; note: string } => b.value !== null);

  return (
    <>
      <PageHeader
        title={model.name}
        breadcrumb={<Link href="/models">Models</Link>}
        description={
          <>
            <StatusBadge status={model.role} /> {model.architecture}, dimension {model.dimension}
          </>
        }
        actions={
          <span style={{ display: "inline-flex", gap: 8, flexWrap: "wrap", alignItems: "flex-start" }}>
            {canEdit ? <ArchiveToggle url={`/api/models/${model.id}`} archived={model.archivedAt !== null} /> : null}
            {model.teacher ? (
              <ButtonLink href={`/models/compare?teacher=${model.teacher.id}&models=${model.id}`} label="Compare with teacher" testId="compare-with-teacher" />
            ) : model.role === "teacher" && model.students.length > 0 ? (
              <ButtonLink href={`/models/compare?teacher=${model.id}`} label="Compare with its students" />
            ) : null}
          </span>
        }
      />
      <div className="grid cols-2">
        <section className="panel">
          <h2>Model</h2>
          <Facts
            items={[
              ["Role", model.role],
              ["Architecture", model.architecture],
              ["Dimension", model.dimension],
              ["Parameters", formatInt(model.parameterCount)],
              ["Size", formatBytes(model.sizeBytes)],
              [
                "Dataset",
                <Link key="dataset" href={`/datasets/${model.dataset.id}`}>
                  {model.dataset.name}
                </Link>,
              ],
              ["Method", model.distillationMethod ?? "—"],
              ["Artifact", model.artifactUri, "mono"],
              model.architecture === "bpr-mf" && [
                "Export",
                <>
                  <a href={`/api/models/${model.id}/export?format=safetensors`}>.safetensors</a> (embeddings + ids) · .npy:{" "}
                  <a href={`/api/models/${model.id}/export?format=npy&part=users`}>users</a>,{" "}
                  <a href={`/api/models/${model.id}/export?format=npy&part=items`}>items</a>,{" "}
                  <a href={`/api/models/${model.id}/export?format=npy&part=user_ids`}>user ids</a>,{" "}
                  <a href={`/api/models/${model.id}/export?format=npy&part=item_ids`}>item ids</a>
                </>,
              ],
              ["Created", formatDateTime(model.createdAt)],
              Boolean(model.trainingRun?.jobRunId) && [
                "Training job",
                <Link key="job" href={`/jobs/${model.trainingRun?.jobRunId}`}>
                  {model.trainingRun?.kind}
                </Link>,
              ],
            ]}
          />
        </section>
        <section className="panel">
          <h2>Lineage</h2>
          <div className="lineage" style={{ marginBottom: 12 }} data-testid="lineage">
            <Link href={`/datasets/${model.dataset.id}`}>
              {model.dataset.name} <span className="mono muted">@{model.dataset.snapshot.slice(0, 8)}</span>
            </Link>
            <span className="arrow">→</span>
            {model.teacher ? (
              <>
                <Link href={`/models/${model.teacher.id}`}>
                  {model.teacher.name} (d={model.teacher.dimension})
                </Link>
                <span className="arrow">→ {model.distillationMethod} →</span>
              </>
            ) : null}
            <strong>
              {model.name} (d={model.dimension})
            </strong>
            {model.variants.length > 0 ? (
              <>
                <span className="arrow">→</span>
                {model.variants.map((v) => (
                  <Link key={v.id} href={`/experiments/${v.experiment.id}`}>
                    {v.experiment.name} ({v.key}, {v.experiment.status.replace("_", " ")})
                  </Link>
                ))}
              </>
            ) : null}
            {model.servingSlots.length > 0 ? (
              <>
                <span className="arrow">→</span>
                <span className="badge success">serves {model.servingSlots.map((s) => s.name).join(", ")}</span>
              </>
            ) : null}
          </div>
          {model.archivedAt ? <p className="alert">Archived {formatDateTime(model.archivedAt)}: hidden from the registry and never served.</p> : null}
          {model.students.length > 0 ? (
            <>
              <h3>Students distilled from it</h3>
              <DataTable columns={[]} wrap="bare">
                {model.students.map((s) => (
                  <tr key={s.id}>
                    <LinkCell href={`/models/${s.id}`}>{s.name}</LinkCell>
                    <td className="num">d={s.dimension}</td>
                    <td>{s.distillationMethod ?? "—"}</td>
                  </tr>
                ))}
              </DataTable>
            </>
          ) : (
            <p className="muted">
              {model.role === "teacher" ? "No students distilled from it yet." : "A student model: served as plain BPR-MF of its own dimension."}
            </p>
          )}
        </section>
      </div>
      <section className="panel" id="loop">
        <h2>Closed loop</h2>
        <p className="muted">
          {inProduction
            ? `Serves production: live events fold into a new snapshot every ${loopSettings.snapshotIntervalHours} h, drift is checked every ${loopSettings.driftIntervalMinutes} min against the last ${loopSettings.driftWindowHours} h of traffic.`
            : "Not serving production: its loop crons run only while it does. The buttons work on it all the same."}
        </p>
        <LoopButtons modelId={model.id} canEdit={canEdit} demoReplay={replayRefusal === null} />
        {replayRefusal === null ? (
          <p className="muted" data-testid="demo-replay-hint">
            Demo install: &ldquo;Replay drifted traffic (demo)&rdquo; sends the demo world after drift (new tastes, 30&nbsp;% new items) through the events
            ingestion, folds it into a snapshot and checks drift. A breach starts a redistillation; the Overview&apos;s alerts follow it to the offline gate and
            a candidate experiment.
          </p>
        ) : null}
        <h3 id="drift">Live drift against the training snapshot</h3>
        <DriftCharts checks={driftPoints(liveChecks)} />
        <h3 id="redistill">Redistillations and their offline gate</h3>
        <GateTable runs={redistillRuns} />
        <h3>Loop events</h3>
        <LoopEvents events={loopEvents.map((e) => ({ ...e, id: e.id.toString() }))} />
        <details style={{ marginTop: 12 }}>
          <summary>Loop settings{loopSettings.isDefault ? " (defaults)" : ""}</summary>
          <LoopSettingsForm modelId={model.id} settings={loopSettings} canEdit={canEdit} />
        </details>
      </section>
      <section className="panel">
        <h2>Metrics</h2>
        <MetricsTable metrics={model.metrics} />
      </section>
      <section className="panel">
        <h2>Hyperparameters</h2>
        <DataTable columns={["Setting", "Value", "Source"]} label="Hyperparameters table (scrolls sideways)" testId="hyperparameters">
          {hyperRows(model.hyperparameters, model.trainingRun?.config).map((h) => (
            <tr key={h.key} className={h.set || h.result ? undefined : "default-value"}>
              <th scope="row" style={{ fontWeight: h.set ? 600 : 400 }}>
                {h.label} <span className="mono muted">{h.key}</span>
              </th>
              <td className="mono">{h.value}</td>
              <td>{h.result ? "measured by the run" : h.set ? "set for this run" : <span className="default-value">default</span>}</td>
            </tr>
          ))}
        </DataTable>
      </section>
      {familyBars.length > 1 ? (
        <section className="panel">
          <h2>Teacher and students: test NDCG@10</h2>
          <BarChart
            title="Test NDCG@10 of the teacher and its students"
            categories={familyBars.map((b) => b.label)}
            series={[{ name: "test NDCG@10", values: familyBars.map((b) => b.value) }]}
            categoryColors={familyBars.map((b) => (b.tone === "teacher" ? "#1f5fa8" : "#1f7a4a"))}
            notes={familyBars.map((b) => b.note)}
            valueLabel="NDCG@10 (test split, 1 + 499 sampled)"
          />
        </section>
      ) : null}
      {curves.loss.length > 0 || curves.valid.length > 0 ? (
        <section className="panel">
          <h2>Training</h2>
          <div className="grid cols-2">
            {curves.loss.length > 0 ? (
              <LineChart series={curves.loss} title="Training loss per epoch" xLabel="epoch" yLabel="training loss (mean per batch)" yFormat="fixed:3" />
            ) : null}
            {curves.valid.length > 0 ? (
              <LineChart
                series={curves.valid}
                title="Validation ranking quality per epoch"
                xLabel="epoch"
                yLabel="validation metric (1 + 499 sampled)"
                yFormat="fixed:3"
              />
            ) : null}
          </div>
        </section>
      ) : null}
      {model.evaluations.length > 0 ? (
        <section className="panel">
          <h2>Offline evaluations</h2>
          <DataTable columns={["When", "Split", "Metrics"]} wrap="bare">
            {model.evaluations.map((e) => (
              <tr key={e.id}>
                <td>{formatDateTime(e.createdAt)}</td>
                <td>{e.split}</td>
                <td className="mono" style={{ fontSize: 12 }}>
                  {flattenMetrics(e.metrics)
                    .slice(0, 12)
                    .map((m) => `${m.key}=${Number.isInteger(m.value) ? m.value : m.value.toFixed(4)}`)
                    .join("  ")}
                </td>
              </tr>
            ))}
          </DataTable>
        </section>
      ) : null}
    </>
  );
}
