import type { Metadata } from "next";
import Link from "next/link";
import { PageHeader } from "@/components/PageHeader";
import { StatusBadge } from "@/components/StatusBadge";
import { BarChart } from "@/components/charts/BarChart";
import { ScatterChart } from "@/components/charts/ScatterChart";
import { formatBytes, formatCompact, formatDateTime, formatInt } from "@/components/format";
import { toJobView } from "@/lib/jobs/view";
import { requirePageUser } from "@/lib/auth/current";
import { hasRole } from "@/lib/auth/roles";
import { modelsByIds } from "@/lib/db/models";
import { getProductionSlot } from "@/lib/db/serving";
import {
  activeComparisonJob,
  comparisonMetrics,
  failedComparisonJob,
  findComparison,
  findModelWithDataset,
  listComparableTeachers,
  listComparisonCandidates,
  type ComparisonMetrics,
} from "@/lib/db/comparisons";
import { pricesFromEnv } from "@/lib/experiments/cost";
import { bestStudent, comparisonHeadline, comparisonRoiArm, ratio, shareOf, type ComparedModelSummary } from "@/lib/experiments/offline-comparison";
import { RoiCard } from "@/components/RoiCard";
import { ComparisonJob, RunComparisonButton } from "./run-comparison";
import { formatShare } from "@/lib/format";
import { METHOD_NAMES } from "@/lib/recsys/distill/methods";
import { Field } from "@/components/Field";
import { Select } from "@/components/Select";
import { DataTable, numeric } from "@/components/DataTable";

export const metadata: Metadata = { title: "Compare models" };

const NEGATIVES = 499;
const SEED = 0;
const many = (v: string | string[] | undefined) => (v === undefined ? [] : Array.isArray(v) ? v : [v]).filter((s) => s.length > 0 && s.length < 100);
const f4 = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? "—" : v.toFixed(4));
const METHOD: Record<string, string> = METHOD_NAMES;
/** a table's columns: the model's name, then right-aligned numbers */
const modelColumns = (...numbers: string[]) => ["Model", ...numbers.map((label) => numeric(label))];

interface Row {
  id: string;
  name: string;
  role: "teacher" | "student";
  method: string | null;
  dimension: number;
  parameterCount: number;
  sizeBytes: number;
  m: ComparisonMetrics;
}

/** a metric value with its share of the teacher's underneath */
function Cell({ row, value, teacherValue, testId }: { row: Row; value: number | undefined; teacherValue: number | undefined; testId: string }) {
  const share = row.role === "teacher" && teacherValue === value ? null : shareOf(value, teacherValue);
  return (
    <td className="num">
      <span data-testid={testId}>{f4(value)}</span>
      {share !== null ? <span className="share">{formatShare(share)}</span> : null}
    </td>
  );
}

export default async function ComparePage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { user } = await requirePageUser();
  const query = await searchParams;
  const split = query.split === "valid" ? "valid" : "test";
  const [teachers, slot] = await Promise.all([listComparableTeachers(), getProductionSlot()]);
  const requestedTeacher = typeof query.teacher === "string" ? query.teacher : undefined;
  const productionTeacher = slot?.model.role === "teacher" ? slot.model.id : (slot?.model.teacherId ?? undefined);
  const teacher =
    (requestedTeacher ? await findModelWithDataset(requestedTeacher) : null) ?? teachers.find((t) => t.id === productionTeacher) ?? teachers[0] ?? null;

  const header = (
    <PageHeader
      title="Compare models"
      breadcrumb={<Link href="/models">Models</Link>}
      description="A teacher and the models distilled from it, evaluated together on one split with the same sampled negatives: quality kept, speed, size and what a switch would save."
    />
  );
  if (!teacher) {
    return (
      <>
        {header}
        <section className="panel">
          <p className="empty">No teacher yet: train one under Models first.</p>
        </section>
      </>
    );
  }

  const candidates = await listComparisonCandidates(teacher);
  const picked = many(query.models).filter((id) => candidates.some((c) => c.id === id));
  const modelIds = picked.length > 0 ? picked : candidates.filter((c) => c.teacherId === teacher.id).map((c) => c.id);
  const request = { teacherId: teacher.id, modelIds, split: split as "valid" | "test", negatives: NEGATIVES, seed: SEED };
  const [comparison, active, failed] =
    modelIds.length > 0 ? await Promise.all([findComparison(request), activeComparisonJob(request), failedComparisonJob(request)]) : [null, null, null];
  const canRun = hasRole(user.role, "editor");

  const picker = (
    <section className="panel">
      <h2>What to compare</h2>
      <form method="get" className="stack" aria-label="Pick the models to compare" style={{ maxWidth: "none" }}>
        <div className="filters">
          <Field id="teacher" label="Teacher">
            <Select
              id="teacher"
              name="teacher"
              defaultValue={teacher.id}
              options={teachers.map((t) => ({ value: t.id, label: `${t.name} (d=${t.dimension}, ${t.dataset.name})` }))}
            />
          </Field>
          <Field id="split" label="Split">
            <Select id="split" name="split" defaultValue={split} options={["test", { value: "valid", label: "validation" }]} />
          </Field>
        </div>
        {candidates.length > 0 ? (
          <fieldset className="checkbox-list">
            <legend>Compare with (models of the dataset {teacher.dataset.name})</legend>
            {candidates.map((c) => (
              <label key={c.id} style={{ display: "block" }}>
                <input type="checkbox" name="models" value={c.id} defaultChecked={modelIds.includes(c.id)} /> {c.name} — {c.role}, d={c.dimension}
                {c.distillationMethod ? `, ${METHOD[c.distillationMethod] ?? c.distillationMethod}` : ""}
              </label>
            ))}
          </fieldset>
        ) : (
          <p className="muted">No other model was trained on this teacher&apos;s dataset yet.</p>
        )}
        <div>
          <button type="submit" className="secondary">
            Show comparison
          </button>
        </div>
      </form>
    </section>
  );

  if (!comparison) {
    return (
      <>
        {header}
        {picker}
        {modelIds.length > 0 ? (
          <section className="panel" data-testid="comparison-missing">
            <h2>Not evaluated together yet</h2>
            <p>
              These models have not been evaluated on the same {split} split with the same {NEGATIVES} sampled negatives (seed {SEED}). A background job
              evaluates them all, measures their scoring latency on this machine and stores the result.
            </p>
            {active ? (
              <ComparisonJob initial={toJobView(active)} />
            ) : canRun ? (
              <>
                {failed ? (
                  <div className="alert error" role="alert" style={{ marginBottom: 8 }}>
                    The last comparison of these models failed: {failed.error}
                  </div>
                ) : null}
                <RunComparisonButton teacherId={teacher.id} modelIds={modelIds} split={split} />
              </>
            ) : (
              <p className="muted">An editor can run the comparison.</p>
            )}
          </section>
        ) : null}
      </>
    );
  }

  const rowsById = new Map(comparison.evaluations.map((e) => [e.modelId, comparisonMetrics(e)]));
  const modelRows = await modelsByIds([teacher.id, ...modelIds]);
  const toRow = (id: string): Row | null => {
    const model = modelRows.find((x) => x.id === id);
    const m = rowsById.get(id);
    return model && m
      ? {
          id,
          name: model.name,
          role: model.role,
          method: model.distillationMethod,
          dimension: model.dimension,
          parameterCount: model.parameterCount,
          sizeBytes: model.sizeBytes,
          m,
        }
      : null;
  };
  const t = toRow(teacher.id)!;
  const others = modelIds.map(toRow).filter((r): r is Row => r !== null);
  const rows = [t, ...others];
  const summary = (r: Row): ComparedModelSummary => ({
    id: r.id,
    name: r.name,
    role: r.role,
    method: r.method,
    parameterCount: r.parameterCount,
    sizeBytes: r.sizeBytes,
    sampled: r.m.sampled,
    longTail: r.m.longTail,
    cpuUsPerRequest: r.m.latency.cpuMeanUs,
    p50LatencyUs: r.m.latency.p50us,
  });
  const headline = comparisonHeadline(summary(t), others.map(summary));
  const best = bestStudent(summary(t), others.map(summary));
  const p = comparison.protocol;
  const label = (r: Row) => (r.role === "teacher" && r.id === t.id ? `${r.name} (teacher)` : r.name);
  const color = (r: Row) => (r.id === t.id ? "#1f5fa8" : r.role === "teacher" ? "#6b21a8" : "#1f7a4a");
  const bestRow = best ? others.find((o) => o.id === best.id)! : null;
  const bestShare = bestRow ? shareOf(bestRow.m.sampled["N@10"], t.m.sampled["N@10"]) : null;
  const experimentHref = (r: Row) =>
    `/experiments/new?${new URLSearchParams({
      control: slot?.model.id ?? t.id,
      candidate: r.id,
      name: `${r.name} vs ${t.name}`.slice(0, 120),
      description: `From offline comparison ${comparison.id} (${p.split} split, ${p.negatives} sampled negatives): keeps ${formatShare(shareOf(r.m.sampled["N@10"], t.m.sampled["N@10"]))} of the teacher's NDCG@10 (${formatShare(shareOf(r.m.longTail["N@10"], t.m.longTail["N@10"]))} on niche users) at ${r.m.latency.p50us.toFixed(0)} µs p50 scoring latency.`,
    })}`;

  const sampledKeys = ["H@5", "N@5", "M@5", "H@10", "N@10", "M@10", "H@20", "N@20", "M@20"];

  return (
    <>
      {header}
      {picker}
      <section className="panel" data-testid="comparison">
        {headline ? (
          <p className="comparison-headline" data-testid="comparison-headline">
            {headline}.
          </p>
        ) : null}
        <p className="muted">
          {formatInt(t.m.users)} users of {teacher.dataset.name}, {p.split} split: each user&apos;s held-out item ranked among {p.negatives} sampled unobserved
          items (seed {p.seed}), the same for every model; full-catalogue metrics rank every item the user has not seen in training. Niche users: those whose
          held-out item is outside the {Math.round(p.headShare * 100)}% most popular items ({formatInt(t.m.longTailUsers)} users). Cold: ≤{" "}
          {p.coldMaxInteractions} training interactions ({formatInt(t.m.segments.cold.users)} users); heavy: the {Math.round(p.heavyShare * 100)}% most active,
          ≥ {p.heavyMinInteractions} interactions ({formatInt(t.m.segments.heavy.users)} users). Latency: full-catalogue scoring and top-20 for one user on one
          core of the worker, {p.latencyUsers} users. Evaluated {formatDateTime(comparison.createdAt)} (<Link href={`/jobs/${comparison.jobRunId}`}>job</Link>).
        </p>
        {bestRow && hasRole(user.role, "editor") ? (
          <p>
            <Link className="button" href={experimentHref(bestRow)} data-testid="create-experiment-from-comparison">
              Create experiment from this comparison
            </Link>{" "}
            <span className="muted">
              candidate {bestRow.name}
              {bestShare !== null ? ` (keeps ${formatShare(bestShare)} of NDCG@10)` : ""}, control the production model
            </span>
          </p>
        ) : null}
        {canRun ? (
          active ? (
            <ComparisonJob initial={toJobView(active)} />
          ) : (
            <RunComparisonButton teacherId={teacher.id} modelIds={modelIds} split={split} label="Evaluate again" />
          )
        ) : null}
      </section>

      <section className="panel">
        <h2>Ranking quality (sampled: 1 held-out + {p.negatives} negatives)</h2>
        <DataTable
          columns={[
            "Model",
            "Share of the teacher's NDCG@10",
            ...sampledKeys.map((k) => numeric(k.replace("H@", "HR@").replace("N@", "NDCG@").replace("M@", "MRR@"))),
          ]}
          label="Ranking quality table (scrolls sideways)"
          testId="comparison-sampled"
        >
          {rows.map((r) => (
            <tr key={r.id}>
              <th scope="row">
                <Link href={`/models/${r.id}`}>{r.name}</Link> <StatusBadge status={r.role} />
                {r.method ? <span className="muted"> {METHOD[r.method] ?? r.method}</span> : null}
              </th>
              <td data-testid={`share-${r.id}`}>
                {r.id === t.id ? "—" : `keeps ${formatShare(shareOf(r.m.sampled["N@10"], t.m.sampled["N@10"]))} of NDCG@10`}
              </td>
              {sampledKeys.map((k) => (
                <Cell key={k} row={r} value={r.m.sampled[k]} teacherValue={r.id === t.id ? undefined : t.m.sampled[k]} testId={`m-${r.id}-sampled-${k}`} />
              ))}
            </tr>
          ))}
        </DataTable>
      </section>

      <section className="panel">
        <h2>Full catalogue, niche users, activity segments, beyond accuracy</h2>
        <DataTable
          columns={modelColumns(
            "Recall@20 (full)",
            "NDCG@20 (full)",
            "NDCG@10 niche",
            "HR@10 niche",
            "NDCG@10 cold",
            "NDCG@10 heavy",
            "Coverage@10",
            "Agreement@10 with teacher",
          )}
          label="Segments table (scrolls sideways)"
          testId="comparison-segments"
        >
          {rows.map((r) => {
            const tt = r.id === t.id ? undefined : t;
            return (
              <tr key={r.id}>
                <th scope="row">{r.name}</th>
                <Cell row={r} value={r.m.full["R@20"]} teacherValue={tt?.m.full["R@20"]} testId={`m-${r.id}-full-R@20`} />
                <Cell row={r} value={r.m.full["N@20"]} teacherValue={tt?.m.full["N@20"]} testId={`m-${r.id}-full-N@20`} />
                <Cell row={r} value={r.m.longTail["N@10"]} teacherValue={tt?.m.longTail["N@10"]} testId={`m-${r.id}-longTail-N@10`} />
                <Cell row={r} value={r.m.longTail["H@10"]} teacherValue={tt?.m.longTail["H@10"]} testId={`m-${r.id}-longTail-H@10`} />
                <Cell row={r} value={r.m.segments.cold.metrics["N@10"]} teacherValue={tt?.m.segments.cold.metrics["N@10"]} testId={`m-${r.id}-cold-N@10`} />
                <Cell row={r} value={r.m.segments.heavy.metrics["N@10"]} teacherValue={tt?.m.segments.heavy.metrics["N@10"]} testId={`m-${r.id}-heavy-N@10`} />
                <Cell row={r} value={r.m.coverage10} teacherValue={tt?.m.coverage10} testId={`m-${r.id}-coverage10`} />
                <td className="num" data-testid={`m-${r.id}-agreement10`}>
                  {r.id === t.id ? "—" : f4(r.m.agreement10)}
                </td>
              </tr>
            );
          })}
        </DataTable>
      </section>

      <section className="panel">
        <h2>Size and speed (measured by the job on this machine)</h2>
        <DataTable
          columns={modelColumns("Dimension", "Parameters", "Size", "Latency p50", "Latency p99", "Throughput (1 core)", "vs teacher")}
          label="Size and speed table (scrolls sideways)"
          testId="comparison-speed"
        >
          {rows.map((r) => {
            const faster = ratio(t.m.latency.cpuMeanUs, r.m.latency.cpuMeanUs);
            const smaller = ratio(t.sizeBytes, r.sizeBytes);
            return (
              <tr key={r.id}>
                <th scope="row">{r.name}</th>
                <td className="num">{r.dimension}</td>
                <td className="num">{formatCompact(r.parameterCount)}</td>
                <td className="num">{formatBytes(r.sizeBytes)}</td>
                <td className="num" data-testid={`m-${r.id}-p50`}>
                  {(r.m.latency.p50us / 1000).toFixed(3)} ms
                </td>
                <td className="num">{(r.m.latency.p99us / 1000).toFixed(3)} ms</td>
                <td className="num">{formatInt(Math.round(r.m.throughputUsersPerSec))} users/s</td>
                <td className="num">
                  {r.id === t.id || faster === null || smaller === null ? "—" : `${faster.toFixed(1)}× faster, ${smaller.toFixed(1)}× smaller`}
                </td>
              </tr>
            );
          })}
        </DataTable>
      </section>

      {others.length > 0 ? (
        <section className="panel">
          <h2>Cost and ROI of the switch</h2>
          <RoiCard
            from={comparisonRoiArm(summary(t), summary(t))}
            fromLabel="teacher"
            options={others.map((o) => comparisonRoiArm(summary(t), summary(o)))}
            optionLabel="student"
            defaultOptionId={best?.id ?? others[0].id}
            qualityHeader="NDCG@10 kept"
            cpuSource="the mean single-core scoring time measured by the comparison"
            defaultRequestsPerDay={1_000_000}
            prices={pricesFromEnv()}
          />
        </section>
      ) : null}

      <section className="panel">
        <h2>Charts</h2>
        <div>
          <BarChart
            title="Ranking quality per model (sampled)"
            categories={["HR@10", "NDCG@10", "MRR@10", "NDCG@20"]}
            series={rows.map((r) => ({
              name: label(r),
              color: undefined,
              values: [r.m.sampled["H@10"], r.m.sampled["N@10"], r.m.sampled["M@10"], r.m.sampled["N@20"]],
            }))}
            valueLabel={`metric value (${p.split} split, 1 + ${p.negatives} sampled)`}
            format="fixed:3"
            testId="chart-metrics"
          />
          <ScatterChart
            title="Quality against scoring latency"
            points={rows.map((r) => ({
              label: label(r),
              x: r.m.latency.p50us / 1000,
              y: r.m.sampled["N@10"],
              color: color(r),
              group: r.id === t.id ? "teacher" : r.role === "teacher" ? "other teacher" : "student",
            }))}
            xLabel="scoring latency p50 (ms, one core, log scale)"
            yLabel="NDCG@10"
            xFormat="fixed:2"
            yFormat="fixed:3"
            xLog
            testId="chart-quality-latency"
          />
        </div>
        <BarChart
          title="NDCG@10 per user segment"
          categories={["all users", "niche users", "cold users (≤ 5)", "heavy users"]}
          series={rows.map((r) => ({
            name: label(r),
            values: [
              r.m.sampled["N@10"],
              r.m.longTail["N@10"],
              r.m.segments.cold.metrics["N@10"],
              r.m.segments.heavy.users > 0 ? r.m.segments.heavy.metrics["N@10"] : null,
            ],
          }))}
          valueLabel="NDCG@10 (sampled)"
          format="fixed:3"
          testId="chart-segments"
        />
      </section>
    </>
  );
}
