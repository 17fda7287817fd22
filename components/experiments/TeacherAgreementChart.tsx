// Mean overlap@10 of the candidate's sampled slates with the teacher, one bar per stage with its 95%
// interval, against the hold threshold (dashed). Server-rendered SVG.
import type { StageAgreement } from "@/lib/experiments/teacher-agreement";

export function TeacherAgreementChart({ stages, threshold }: { stages: StageAgreement[]; threshold: number }) {
  if (stages.length === 0) return <p className="muted">No sampled slate has been scored yet.</p>;
  const width = 520;
  const rowH = 26;
  const pad = { left: 120, right: 56, top: 8, bottom: 34 };
  const height = pad.top + stages.length * rowH + pad.bottom;
  const innerW = width - pad.left - pad.right;
  const x = (v: number) => pad.left + Math.max(0, Math.min(1, v)) * innerW;
  const ticks = [0, 0.25, 0.5, 0.75, 1];
  return (
    <figure style={{ margin: 0 }} data-testid="teacher-agreement-chart">
      <svg width={width} height={height} role="img" aria-label="Mean teacher agreement per stage" style={{ maxWidth: "100%" }}>
        {ticks.map((t) => (
          <g key={t}>
            <line x1={x(t)} x2={x(t)} y1={pad.top} y2={height - pad.bottom} stroke="#e5e7eb" />
            <text x={x(t)} y={height - pad.bottom + 14} fontSize={11} textAnchor="middle" fill="#555">
              {t}
            </text>
          </g>
        ))}
        {stages.map((s, i) => {
          const y = pad.top + i * rowH;
          const below = s.mean !== null && s.mean < threshold;
          return (
            <g key={s.stageIndex}>
              <text x={pad.left - 8} y={y + rowH / 2 + 4} fontSize={12} textAnchor="end">
                stage {s.stageIndex + 1} ({s.percent}%)
              </text>
              {s.mean !== null ? (
                <>
                  <rect x={x(0)} y={y + 5} width={x(s.mean) - x(0)} height={rowH - 10} fill={below ? "#dc2626" : "#2563eb"} opacity={0.8}>
                    <title>{`stage ${s.stageIndex + 1}: mean ${s.mean.toFixed(3)} over ${s.n} slates${s.ci ? `, 95% CI ${s.ci[0].toFixed(3)}–${s.ci[1].toFixed(3)}` : ""}`}</title>
                  </rect>
                  {s.ci ? <line x1={x(s.ci[0])} x2={x(s.ci[1])} y1={y + rowH / 2} y2={y + rowH / 2} stroke="#111" strokeWidth={1.5} /> : null}
                  <text x={x(Math.max(s.mean, s.ci ? s.ci[1] : s.mean)) + 6} y={y + rowH / 2 + 4} fontSize={11} fill="#333">
                    {s.mean.toFixed(2)} · n={s.n}
                  </text>
                </>
              ) : null}
            </g>
          );
        })}
        <line x1={x(threshold)} x2={x(threshold)} y1={pad.top} y2={height - pad.bottom} stroke="#dc2626" strokeDasharray="4 3" />
        <text x={pad.left + innerW / 2} y={height - 4} fontSize={11} textAnchor="middle" fill="#333">
          mean overlap@10 with the teacher (sampled slates); dashed: hold threshold {threshold}
        </text>
      </svg>
    </figure>
  );
}
