// Which window the report covers (with links to the others), and its headline numbers: users, sample
// ratio, dropped exposures, hit rate.
import Link from "next/link";
import { formatDateTime, formatInt } from "@/components/format";
import type { ReportView } from "@/lib/experiments/experiment-view";
import { pValue, pct } from "./format";

export function ReportWindow({ experimentId, view }: { experimentId: string; view: ReportView }) {
  const { report } = view;
  const v = report.variants;
  const srm = report.srm;
  return (
    <section className="panel">
      <div className="filters" data-testid="report-scope">
        <strong>Report window:</strong> {report.window.label}, {formatDateTime(report.window.from)} → {formatDateTime(report.window.to)}
        <span className="muted">·</span>
        <Link href={`/experiments/${experimentId}`}>current stage</Link>
        {view.startedStages.map((s) => (
          <Link key={s.index} href={`/experiments/${experimentId}?scope=${s.index + 1}`}>
            stage {s.index + 1} ({s.percent}%)
          </Link>
        ))}
        <Link href={`/experiments/${experimentId}?scope=all`}>whole experiment</Link>
      </div>
      {view.cachedAt ? (
        <p className="muted" data-testid="report-cached">
          As computed by the scheduler at {formatDateTime(view.cachedAt)} for its last decision.{" "}
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
          <div className="value" style={{ fontSize: 18, color: view.srmMismatch ? "var(--err)" : undefined }}>
            {srm.pValue === null ? "—" : view.srmMismatch ? "mismatch" : "ok"}
          </div>
          <div className="sub">
            {srm.expectedShare ? `expected ${pct(srm.expectedShare.candidate, 1)} candidate, ` : "spans stages: not tested, "}
            observed {pct(view.observedCandidateShare, 1)}; χ² {srm.chiSquare?.toFixed(2) ?? "—"}, p {pValue(srm.pValue)}
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
          <div className="sub">control / candidate, from {formatInt(v.control.hitRate.n + v.candidate.hitRate.n)} ground-truth events</div>
        </div>
      </div>
    </section>
  );
}

/** In place of the report sections when there is no report. */
export function NoReport({ text }: { text: string }) {
  return (
    <section className="panel">
      <p className="empty">{text}</p>
    </section>
  );
}
