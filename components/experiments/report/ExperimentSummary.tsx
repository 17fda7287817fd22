// The four facts at the top of an experiment: traffic share now, the two arms, and what production serves.
import { formatBytes } from "@/components/format";
import type { ArmModel, ExperimentView } from "@/lib/experiments/experiment-view";

function ArmStat({ label, model }: { label: string; model: ArmModel | null }) {
  return (
    <div className="stat">
      <div className="label">{label}</div>
      <div className="value" style={{ fontSize: 16 }}>
        {model?.name ?? "?"}
      </div>
      <div className="sub">
        {model?.role}
        {model?.distillationMethod ? ` (${model.distillationMethod})` : ""}, dim {model?.dimension}, {formatBytes(model?.sizeBytes)}
      </div>
    </div>
  );
}

export function ExperimentSummary({ summary }: { summary: ExperimentView["summary"] }) {
  const { control, candidate, production } = summary;
  return (
    <section className="grid cols-4" style={{ marginBottom: 20 }}>
      <div className="stat">
        <div className="label">Candidate share</div>
        <div className="value" data-testid="candidate-share">
          {summary.candidatePercent}%
        </div>
        <div className="sub">ramp {summary.rampSchedule.join(" → ")}%</div>
      </div>
      <ArmStat label="Control" model={control} />
      <ArmStat label="Candidate" model={candidate} />
      <div className="stat">
        <div className="label">Production now</div>
        <div className="value" style={{ fontSize: 16 }}>
          {production?.modelName ?? "—"}
        </div>
        <div className="sub">slot version {production?.version ?? "—"}</div>
      </div>
    </section>
  );
}
