import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { PageHeader } from "@/components/PageHeader";
import { formatBytes, formatDateTime, formatInt } from "@/components/format";
import { requirePageUser } from "@/lib/auth/current";
import { hasRole } from "@/lib/auth/roles";
import { db } from "@/lib/db/client";
import { cachedExperimentReport } from "@/lib/db/report-gate";
import { exposureTimeline, type ReportScope } from "@/lib/db/reports";
import { formatKpiValue } from "@/lib/experiments/analysis";
import { parseGuardrails } from "@/lib/experiments/config";
import { KPI_DEFINITIONS } from "@/lib/experiments/kpis";
import type { ExperimentReport, OpsStats, VariantKey } from "@/lib/experiments/report";
import { availableActions, type ExperimentStatus } from "@/lib/experiments/rollout";
import { ExperimentStatusBadge } from "../status-badge";
import { ExperimentActions } from "./actions";
import { ApprovalPanel } from "./approval-panel";
import { CatalogueMetricsSection } from "./catalogue-metrics";
import { ForestPlot, type SeriesPoint } from "./charts";
import { BarChart } from "@/components/charts/BarChart";
import { LineChart } from "@/components/charts/LineChart";
import { cumulativeLift } from "@/lib/experiments/lift-timeline";

const CTR_MARGIN = (report: ExperimentReport) => report.metrics?.find((m) => m.key === "ctr")?.margin ?? report.kpis.find((k) => k.kpi === "ctr")?.margin;

export const metadata: Metadata = { title: "Experiment" };

const pct = (x: number | null | undefined, digits = 2) => (x === null || x === undefined ? "—" : `${(x * 100).toFixed(digits)}%`);
const ms = (x: number | null) => (x === null ? "—" : `${x.toFixed(2)} ms`);
const pValue = (p: number | null) => (p === null ? "—" : p < 0.0001 ? p.toExponential(1) : p.toFixed(4));
const usd = (x: number) => (x < 0.01 ? `$${x.toPrecision(2)}` : `$${x.toFixed(4)}`);

interface Check {
  name: string;
  status: string;
  detail: string;
}
interface LastDecision {
  action: string;
  reason: string;
  at: string;
  numbers?: { checks?: Check[] };
}

const CHECK_BADGE: Record<string, string> = { pass: "ok", wait: "warn", breach: "err", severe: "err" };
const STAGE_BADGE: Record<string, string> = { pending: "", active: "running", passed: "succeeded", paused: "warn", rolled_back: "failed" };
const VERDICT: Record<string, { label: string; badge: string }> = {
  non_inferior: { label: "non-inferior", badge: "ok" },
  inferior: { label: "inferior", badge: "err" },
  inconclusive: { label: "not yet shown", badge: "warn" },
};

function parseScope(raw: string | undefined): ReportScope {
  if (raw === "all") return { kind: "all" };
  const n = Number(raw);
  return Number.isInteger(n) && n >= 1 ? { kind: "stage", index: n - 1 } : { kind: "current" };
}

/** The scheduler keeps the report it decided on; the page reuses it while it is this fresh. */
const CACHED_REPORT_MAX_AGE_MS = 3 * 60_000;
const isRecent = (iso: string) => Date.now() - new Date(iso).getTime() < CACHED_REPORT_MAX_AGE_MS;

export default async function ExperimentPage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<{ scope?: string; fresh?: string }>;
}) {
  const { user } = await requirePageUser();
  const { id } = await params;
  const { scope: rawScope, fresh } = await searchParams;
  const database = db();
  const exp = await database.experiment.findUnique({
    where: { id },
    include: {
      createdBy: { select: { email: true } },
      variants: { include: { model: { select: { id: true, name: true, role: true, dimension: true, sizeBytes: true, distillationMethod: true } } } },
      stages: { orderBy: { index: "asc" } },
      approvals: { orderBy: { createdAt: "asc" }, include: { user: { select: { email: true } } } },
    },
  });
  if (!exp) notFound();
  let scope = parseScope(rawScope);
  // after the cutover the current (100%) stage has no split traffic: show the last stage that had
  if (scope.kind === "current" && exp.status === "completed" && exp.currentStageIndex > 0) scope = { kind: "stage", index: exp.currentStageIndex - 1 };
  const current = exp.stages.find((s) => s.index === exp.currentStageIndex);
  const cached = (current?.lastDecision ?? null) as (LastDecision & { report?: ExperimentReport }) | null;
  const useCached =
    scope.kind === "current" &&
    fresh === undefined &&
    (exp.status === "running" || exp.status === "awaiting_approval") &&
    cached?.report !== undefined &&
    isRecent(cached.at);
  const [loaded, audit, slot] = await Promise.all([
    useCached ? Promise.resolve({ report: cached!.report! }) : exp.startedAt ? cachedExperimentReport(database, id, scope) : Promise.resolve(null),
    database.auditLog.findMany({
      where: {
        OR: [
          { entityType: "experiment", entityId: id },
          { entityType: "serving_slot", data: { path: ["experimentId"], equals: id } },
        ],
      },
      orderBy: { id: "asc" },
      take: 500,
    }),
    database.servingSlot.findUnique({ where: { name: "production" }, include: { model: { select: { name: true } } } }),
  ]);
  const report = loaded?.report ?? null;
  const timeline = report ? await timelineSeries(id, report) : null;

  const guardrails = parseGuardrails(exp.guardrails);
  const status = exp.status as ExperimentStatus;
  const control = exp.variants.find((v) => v.key === "control")?.model;
  const candidate = exp.variants.find((v) => v.key === "candidate")?.model;
  const currentStage = exp.stages.find((s) => s.index === exp.currentStageIndex);
  const lastDecision = (currentStage?.lastDecision ?? null) as LastDecision | null;
  const canEdit = hasRole(user.role, "editor");
  const actions = canEdit ? availableActions(status).filter((a): a is "start" | "pause" | "resume" | "rollback" | "cancel" => a !== "approve" && a !== "reject") : [];
  const approvalBlocked = !hasRole(user.role, "approver")
    ? `Only an approver can decide on the cutover; you are ${user.role}.`
    : exp.createdById === user.id
      ? "You created this experiment, so another approver must approve its cutover (four-eyes rule). You can still roll it back."
      : null;

  return (
    <>
      <PageHeader
        title={exp.name}
        breadcrumb={<Link href="/experiments">Experiments</Link>}
        description={
          <>
            <ExperimentStatusBadge status={exp.status} /> {exp.description ? <span>{exp.description} · </span> : null}
            created by {exp.createdBy.email} {formatDateTime(exp.createdAt)}
          </>
        }
        actions={<ExperimentActions experimentId={exp.id} actions={actions} />}
      />

      <section className="grid cols-4" style={{ marginBottom: 20 }}>
        <div className="stat">
          <div className="label">Candidate share</div>
          <div className="value" data-testid="candidate-share">
            {status === "running" || status === "awaiting_approval" ? `${exp.rampSchedule[exp.currentStageIndex]}%` : status === "completed" ? "100%" : "0%"}
          </div>
          <div className="sub">ramp {exp.rampSchedule.join(" → ")}%</div>
        </div>
        <div className="stat">
          <div className="label">Control</div>
          <div className="value" style={{ fontSize: 16 }}>
            {control?.name ?? "?"}
          </div>
          <div className="sub">
            {control?.role}, dim {control?.dimension}, {formatBytes(control?.sizeBytes)}
          </div>
        </div>
        <div className="stat">
          <div className="label">Candidate</div>
          <div className="value" style={{ fontSize: 16 }}>
            {candidate?.name ?? "?"}
          </div>
          <div className="sub">
            {candidate?.role}
            {candidate?.distillationMethod ? ` (${candidate.distillationMethod})` : ""}, dim {candidate?.dimension}, {formatBytes(candidate?.sizeBytes)}
          </div>
        </div>
        <div className="stat">
          <div className="label">Production now</div>
          <div className="value" style={{ fontSize: 16 }}>
            {slot?.model.name ?? "—"}
          </div>
          <div className="sub">slot version {slot?.version ?? "—"}</div>
        </div>
      </section>

      <section className="panel">
        <h2>Ramp</h2>
        <div className="table-wrap" tabIndex={0} role="region" aria-label="Report table (scrolls sideways)">
          <table className="data" data-testid="ramp-table">
            <thead>
              <tr>
                <th>Stage</th>
                <th className="num">Candidate %</th>
                <th>Status</th>
                <th>Started</th>
                <th>Ended</th>
                <th>Last decision</th>
              </tr>
            </thead>
            <tbody>
              {exp.stages.map((s) => {
                const d = s.lastDecision as LastDecision | null;
                const isLast = s.index === exp.rampSchedule.length - 1;
                return (
                  <tr key={s.id} style={s.index === exp.currentStageIndex ? { background: "#f4f7ff" } : undefined}>
                    <td>
                      {s.startedAt ? <Link href={`/experiments/${exp.id}?scope=${s.index + 1}`}>{s.index + 1}</Link> : s.index + 1}
                      {isLast ? <span className="muted"> (cutover, approval)</span> : null}
                    </td>
                    <td className="num">{s.percent}%</td>
                    <td>
                      <span className={`badge ${STAGE_BADGE[s.status] ?? ""}`}>{s.status.replace("_", " ")}</span>
                    </td>
                    <td>{formatDateTime(s.startedAt)}</td>
                    <td>{formatDateTime(s.endedAt)}</td>
                    <td style={{ maxWidth: 420 }}>{d ? `${d.action}: ${d.reason}` : "—"}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
        <p className="muted" style={{ marginBottom: 0 }}>
          Gates per stage: ≥ {exp.minStageMinutes} min, ≥ {formatInt(exp.minStageExposures)} candidate exposures, no SRM (p ≥ {guardrails.srmPValue}), p95 ≤{" "}
          {guardrails.latencyP95Ms} ms, error rate ≤ {pct(guardrails.errorRate)}, each KPI non-inferior (always-valid CI at α = {guardrails.alpha}). Severe (
          {guardrails.severe.action === "rollback" ? "roll back" : "pause"}): error rate &gt; {guardrails.severe.errorRateMultiplier}× or p95 &gt;{" "}
          {guardrails.severe.latencyP95Multiplier}× the ceiling, or a KPI inferior at α = {guardrails.severe.kpiAlpha}. Evaluated every minute by the scheduler.
        </p>
      </section>

      {lastDecision ? (
        <section className="panel" data-testid="last-decision">
          <h2>
            Latest scheduler decision: <span className="mono">{lastDecision.action}</span>{" "}
            <span className="muted" style={{ fontWeight: 400, fontSize: 13 }}>
              {formatDateTime(lastDecision.at)}
            </span>
          </h2>
          <p>{lastDecision.reason}</p>
          {lastDecision.numbers?.checks ? (
            <table className="data">
              <tbody>
                {lastDecision.numbers.checks.map((c) => (
                  <tr key={c.name}>
                    <td style={{ width: 200 }}>{c.name}</td>
                    <td style={{ width: 80 }}>
                      <span className={`badge ${CHECK_BADGE[c.status] ?? ""}`}>{c.status}</span>
                    </td>
                    <td>{c.detail}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : null}
        </section>
      ) : null}

      {status === "awaiting_approval" ? (
        <section className="panel" style={{ borderColor: "#bcd3f2" }}>
          <h2>Production cutover: approval needed</h2>
          <ApprovalPanel experimentId={exp.id} blockedReason={approvalBlocked} candidateName={candidate?.name ?? "the candidate"} />
        </section>
      ) : null}
      {exp.approvals.length > 0 ? (
        <section className="panel">
          <h2>Approvals</h2>
          <ul data-testid="approvals">
            {exp.approvals.map((a) => (
              <li key={a.id}>
                <strong>{a.decision}</strong> by {a.user.email} at {formatDateTime(a.createdAt)}
                {a.comment ? `: “${a.comment}”` : ""}
              </li>
            ))}
          </ul>
        </section>
      ) : null}

      {report ? (
        <ReportSections
          experimentId={exp.id}
          report={report}
          stages={exp.stages}
          timeline={timeline}
          guardrails={guardrails}
          cachedAt={useCached ? cached!.at : null}
        />
      ) : (
        <section className="panel">
          <p className="empty">{exp.startedAt ? "No data for this window yet." : "Not started: no report yet. Start the experiment to split traffic."}</p>
        </section>
      )}

      <section className="panel">
        <h2>Audit trail</h2>
        <div className="table-wrap" tabIndex={0} role="region" aria-label="Report table (scrolls sideways)">
          <table className="data" data-testid="audit-trail">
            <thead>
              <tr>
                <th>Time</th>
                <th>Actor</th>
                <th>Action</th>
                <th>Reason</th>
                <th>Numbers</th>
              </tr>
            </thead>
            <tbody>
              {audit.map((a) => (
                <tr key={a.id.toString()}>
                  <td style={{ whiteSpace: "nowrap" }}>{formatDateTime(a.createdAt)}</td>
                  <td>{a.actorLabel}</td>
                  <td className="mono">{a.action}</td>
                  <td style={{ maxWidth: 420 }}>{a.reason || "—"}</td>
                  <td>
                    <details>
                      <summary className="muted">data</summary>
                      <pre className="log" tabIndex={0} role="region" aria-label="Details" style={{ maxWidth: 520 }}>
                        {JSON.stringify(a.data, null, 2)}
                      </pre>
                    </details>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
    </>
  );
}

async function timelineSeries(experimentId: string, report: ExperimentReport) {
  const from = new Date(report.window.from);
  const to = new Date(Math.min(Date.now(), new Date(report.window.to).getTime()));
  const bucketSeconds = Math.max(60, Math.ceil((to.getTime() - from.getTime()) / 1000 / 40));
  const rows = await exposureTimeline(db(), experimentId, { from, to: new Date(to.getTime() + 1) }, bucketSeconds);
  const byT = new Map<number, { exposures: Record<VariantKey, number>; clicks: Record<VariantKey, number> }>();
  for (const r of rows) {
    const t = r.bucket.getTime();
    const e = byT.get(t) ?? { exposures: { control: 0, candidate: 0 }, clicks: { control: 0, candidate: 0 } };
    if (r.variant === "control" || r.variant === "candidate") {
      e.exposures[r.variant] += r.exposures;
      e.clicks[r.variant] += r.clicks;
    }
    byT.set(t, e);
  }
  const sorted = [...byT.entries()].sort((a, b) => a[0] - b[0]);
  const exposures: SeriesPoint[] = sorted.map(([t, e]) => ({ t, control: e.exposures.control, candidate: e.exposures.candidate }));
  const ctr: SeriesPoint[] = sorted.map(([t, e]) => ({
    t,
    control: e.exposures.control > 0 ? e.clicks.control / e.exposures.control : null,
    candidate: e.exposures.candidate > 0 ? e.clicks.candidate / e.exposures.candidate : null,
  }));
  const lift = cumulativeLift(sorted.map(([t, e]) => ({ t, ...e })));
  return { exposures, ctr, lift, bucketSeconds };
}

function ReportSections({
  experimentId,
  report,
  stages,
  timeline,
  guardrails,
  cachedAt,
}: {
  experimentId: string;
  cachedAt: string | null;
  report: ExperimentReport;
  stages: { index: number; percent: number; startedAt: Date | null }[];
  timeline: Awaited<ReturnType<typeof timelineSeries>> | null;
  guardrails: ReturnType<typeof parseGuardrails>;
}) {
  const v = report.variants;
  const srm = report.srm;
  const srmBad = srm.pValue !== null && srm.pValue < guardrails.srmPValue;
  const opsRow = (label: string, f: (o: OpsStats, k: VariantKey) => string) => (
    <tr>
      <td>{label}</td>
      <td className="num">{f(v.control.ops, "control")}</td>
      <td className="num">{f(v.candidate.ops, "candidate")}</td>
    </tr>
  );
  return (
    <>
      <section className="panel">
        <div className="filters" data-testid="report-scope">
          <strong>Report window:</strong> {report.window.label}, {formatDateTime(report.window.from)} → {formatDateTime(report.window.to)}
          <span className="muted">·</span>
          <Link href={`/experiments/${experimentId}`}>current stage</Link>
          {stages
            .filter((s) => s.startedAt)
            .map((s) => (
              <Link key={s.index} href={`/experiments/${experimentId}?scope=${s.index + 1}`}>
                stage {s.index + 1} ({s.percent}%)
              </Link>
            ))}
          <Link href={`/experiments/${experimentId}?scope=all`}>whole experiment</Link>
        </div>
        {cachedAt ? (
          <p className="muted" data-testid="report-cached">
            As computed by the scheduler at {formatDateTime(cachedAt)} for its last decision.{" "}
            <Link href={`/experiments/${experimentId}?fresh=1`}>Recompute now</Link>
          </p>
        ) : null}
        <div className="grid cols-4">
          <div className="stat">
            <div className="label">Users control / candidate</div>
            <div className="value" style={{ fontSize: 18 }}>
              {formatInt(v.control.users)} / {formatInt(v.candidate.users)}
            </div>
            <div className="sub">
              exposures {formatInt(v.control.exposures)} / {formatInt(v.candidate.exposures)}
            </div>
          </div>
          <div className="stat" data-testid="srm">
            <div className="label">Sample ratio</div>
            <div className="value" style={{ fontSize: 18, color: srmBad ? "var(--err)" : undefined }}>
              {srm.pValue === null ? "—" : srmBad ? "mismatch" : "ok"}
            </div>
            <div className="sub">
              {srm.expectedShare ? `expected ${pct(srm.expectedShare.candidate, 1)} candidate, ` : "spans stages: not tested, "}
              observed {pct(v.control.users + v.candidate.users > 0 ? v.candidate.users / (v.control.users + v.candidate.users) : null, 1)}; χ²{" "}
              {srm.chiSquare?.toFixed(2) ?? "—"}, p {pValue(srm.pValue)}
            </div>
          </div>
          <div className="stat" data-testid="dropped-exposures">
            <div className="label">Dropped exposures</div>
            <div className="value" style={{ fontSize: 18, color: report.dropped.count > 0 ? "var(--warn)" : undefined }}>
              {formatInt(report.dropped.count)}
            </div>
            <div className="sub">lost before reaching the database in this window (counted by the serving processes)</div>
          </div>
          <div className="stat">
            <div className="label">Hit rate on held-out items</div>
            <div className="value" style={{ fontSize: 18 }}>
              {pct(v.control.hitRate.value, 1)} / {pct(v.candidate.hitRate.value, 1)}
            </div>
            <div className="sub">
              control / candidate, from {formatInt(v.control.hitRate.n + v.candidate.hitRate.n)} ground-truth events
            </div>
          </div>
        </div>
      </section>

      {report.metrics?.length ? (
        <CatalogueMetricsSection metrics={report.metrics} alpha={report.alpha} severeAlpha={guardrails.severe.kpiAlpha} />
      ) : (
      <section className="panel">
        <h2>KPIs</h2>
        <div className="table-wrap" tabIndex={0} role="region" aria-label="Report table (scrolls sideways)">
          <table className="data" data-testid="kpi-table">
            <thead>
              <tr>
                <th>KPI</th>
                <th className="num">Control</th>
                <th className="num">Candidate</th>
                <th className="num">Lift</th>
                <th className="num">Always-valid CI</th>
                <th className="num">Fixed-horizon CI</th>
                <th className="num">Always-valid p</th>
                <th className="num">Holm p</th>
                <th className="num">Margin</th>
                <th>Non-inferiority</th>
              </tr>
            </thead>
            <tbody>
              {report.kpis.map((k) => (
                <tr key={k.kpi} data-kpi={k.kpi}>
                  <td title={KPI_DEFINITIONS[k.kpi].description}>{KPI_DEFINITIONS[k.kpi].label}</td>
                  <td className="num">{formatKpiValue(k.kpi, k.control.value)}</td>
                  <td className="num">{formatKpiValue(k.kpi, k.candidate.value)}</td>
                  <td className="num">
                    {k.lift === null ? "—" : `${k.lift >= 0 ? "+" : ""}${pct(k.lift, 1)}`}
                    {k.cuped ? (
                      <span className="badge info" title="variance reduced with each user's pre-experiment activity (CUPED)" style={{ marginLeft: 6 }}>
                        CUPED
                      </span>
                    ) : null}
                  </td>
                  <td className="num">{k.ci ? `[${pct(k.ci[0], 1)}, ${pct(k.ci[1], 1)}]` : "—"}</td>
                  <td className="num">{k.fixedCi ? `[${pct(k.fixedCi[0], 1)}, ${pct(k.fixedCi[1], 1)}]` : "—"}</td>
                  <td className="num">{pValue(k.pValue)}</td>
                  <td className="num">{pValue(k.pHolm)}</td>
                  <td className="num">−{pct(k.margin, 1)}</td>
                  <td>
                    <span className={`badge ${VERDICT[k.verdict].badge}`}>{VERDICT[k.verdict].label}</span>
                    {k.severeInferior ? <span className="badge err"> severe</span> : null}
                    {k.note ? <div className="muted">{k.note}</div> : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <h3 style={{ marginTop: 16 }}>Relative lift, candidate vs control</h3>
        <ForestPlot kpis={report.kpis} />
        <p className="muted">
          Thick bar: always-valid (mSPRT) {pct(1 - report.alpha, 0)} confidence sequence, safe to watch continuously; thin bar: fixed-horizon CI for
          reference; dashed red line: −margin. A KPI passes when the thick bar lies entirely right of its dashed line. Holm adjusts the always-valid
          p-values across this experiment&apos;s KPIs. Values are per user (users are the unit of randomisation); CUPED-adjusted
          values (conversion, revenue) use each user&apos;s activity in the {guardrails.cupedLookbackDays} days before the experiment.
        </p>
      </section>
      )}

      <section className="panel">
        <h2>Latency, errors and cost</h2>
        <div className="table-wrap" tabIndex={0} role="region" aria-label="Report table (scrolls sideways)">
          <table className="data" data-testid="ops-table">
            <thead>
              <tr>
                <th />
                <th className="num">Control</th>
                <th className="num">Candidate</th>
              </tr>
            </thead>
            <tbody>
              {opsRow("Requests", (o) => formatInt(o.requests))}
              {opsRow("Failed (production answered)", (o) => formatInt(o.failed))}
              {opsRow(`Error rate (ceiling ${pct(guardrails.errorRate)})`, (o) => pct(o.errorRate))}
              {opsRow("Latency p50", (o) => ms(o.p50Ms))}
              {opsRow(`Latency p95 (ceiling ${guardrails.latencyP95Ms} ms)`, (o) => ms(o.p95Ms))}
              {opsRow("Latency p99", (o) => ms(o.p99Ms))}
              {opsRow("CPU per request", (o) => ms(o.meanCpuMs))}
              {opsRow("Cost per 1,000 requests: CPU", (o) => (o.costPer1k ? usd(o.costPer1k.cpu) : "—"))}
              {opsRow("Cost per 1,000 requests: model memory", (o) => (o.costPer1k ? usd(o.costPer1k.memory) : "—"))}
              {opsRow("Cost per 1,000 requests: total", (o) => (o.costPer1k ? usd(o.costPer1k.total) : "—"))}
            </tbody>
          </table>
        </div>
        <p className="muted">
          Cost = mean CPU time × price per vCPU-hour + model size × price per GiB-hour × window length ÷ all requests in the window (prices from
          UNDERSTUDY_VCPU_HOUR_USD and UNDERSTUDY_GIB_HOUR_USD; defaults $0.05 and $0.005).
        </p>
        <BarChart
          title="Latency percentiles per arm"
          categories={["p50", "p95", "p99"]}
          series={(["control", "candidate"] as const).map((k) => ({
            name: k,
            color: k === "control" ? "#5d6b7e" : "#2856c8",
            values: [v[k].ops.p50Ms, v[k].ops.p95Ms, v[k].ops.p99Ms],
          }))}
          valueLabel={`request latency (ms; p95 ceiling ${guardrails.latencyP95Ms} ms)`}
          format="ms:2"
          testId="chart-latency"
        />
      </section>

      {timeline ? (
        <section className="panel">
          <h2>Over time</h2>
          {timeline.lift.length >= 2 ? (
            <LineChart
              title="Candidate CTR lift over time (cumulative, 95% CI band)"
              series={[{ name: "CTR lift (candidate ÷ control − 1)", points: timeline.lift.map((p) => [p.t, p.lift]), color: "#2856c8" }]}
              bands={[{ name: "95% CI (per exposure, delta method)", points: timeline.lift.map((p) => [p.t, p.low, p.high]), color: "#2856c8" }]}
              references={[
                { y: 0, label: "no change" },
                ...(CTR_MARGIN(report) !== undefined ? [{ y: -CTR_MARGIN(report)!, label: "−margin" }] : []),
              ]}
              xScale="time"
              xLabel="time (UTC)"
              yLabel="relative CTR lift"
              yFormat="lift:1"
              testId="chart-lift-over-time"
            />
          ) : (
            <p className="empty">The lift over time needs clicks in both arms in at least two time buckets.</p>
          )}
          <p className="muted">
            Cumulative exposure-level CTR up to each bucket. Exposures of one user are correlated, so this band is narrower than the per-user always-valid
            interval above, which is the one the rollout gates use.
          </p>
          <div className="grid cols-2">
            <LineChart
              title={`Exposures per arm per ${Math.round(timeline.bucketSeconds / 60)} min`}
              series={[
                { name: "control", points: timeline.exposures.map((p) => [p.t, p.control ?? NaN]), color: "#5d6b7e" },
                { name: "candidate", points: timeline.exposures.map((p) => [p.t, p.candidate ?? NaN]), color: "#2856c8" },
              ]}
              xScale="time"
              xLabel="time (UTC)"
              yLabel="exposures per bucket"
              yFormat="int"
              yFromZero
              testId="chart-exposures"
            />
            <LineChart
              title="CTR per bucket"
              series={[
                { name: "control", points: timeline.ctr.map((p) => [p.t, p.control ?? NaN]), color: "#5d6b7e" },
                { name: "candidate", points: timeline.ctr.map((p) => [p.t, p.candidate ?? NaN]), color: "#2856c8" },
              ]}
              xScale="time"
              xLabel="time (UTC)"
              yLabel="clicks ÷ exposures"
              yFormat="percent:1"
              yFromZero
              testId="chart-ctr"
            />
          </div>
        </section>
      ) : null}
    </>
  );
}
