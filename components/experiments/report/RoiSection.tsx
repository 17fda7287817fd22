// The experiment report's cost and ROI card: what serving all traffic with the candidate instead of the
// control would save per month, at the CPU per request each arm measured, beside the KPI lifts.
import { RoiCard } from "@/components/RoiCard";
import { formatInt } from "@/components/format";
import { pricesFromEnv } from "@/lib/experiments/cost";
import { experimentRoi, type ArmModel } from "@/lib/experiments/experiment-roi";
import type { ExperimentReport } from "@/lib/experiments/report";

const FALLBACK_REQUESTS_PER_DAY = 1_000_000;

export function ExperimentRoiSection({
  report,
  control,
  candidate,
}: {
  report: ExperimentReport;
  control: ArmModel | undefined;
  candidate: ArmModel | undefined;
}) {
  const roi = experimentRoi(report, { control: control ?? null, candidate: candidate ?? null });
  return (
    <section className="panel" data-testid="experiment-roi">
      <h2>Cost and ROI of the cutover</h2>
      {roi.ok ? (
        <RoiCard
          from={roi.control}
          fromLabel="control"
          options={[roi.candidate]}
          optionLabel="candidate"
          qualityHeader={roi.qualityHeader}
          cpuSource={`the mean CPU time per request each arm measured in serving, ${report.window.label}`}
          defaultRequestsPerDay={roi.observedRequestsPerDay ?? FALLBACK_REQUESTS_PER_DAY}
          requestsNote={
            roi.observedRequestsPerDay !== null
              ? `Requests per day default to this window's observed rate of both arms together (${formatInt(roi.observedRequestsPerDay)}/day).`
              : `Requests per day default to ${formatInt(FALLBACK_REQUESTS_PER_DAY)}: this window is too short to extrapolate its rate.`
          }
          prices={pricesFromEnv()}
        />
      ) : (
        <p className="empty">{roi.reason}</p>
      )}
    </section>
  );
}
