// The report window over time: cumulative CTR lift with its band, exposures and CTR per bucket.
import { LineChart } from "@/components/charts/LineChart";
import type { SeriesPoint, TimelineSeries } from "@/lib/experiments/lift-timeline";

const ARM_COLOR = { control: "#5d6b7e", candidate: "#2856c8" } as const;

const armSeries = (points: SeriesPoint[]) =>
  (["control", "candidate"] as const).map((arm) => ({
    name: arm,
    points: points.map((p): [number, number] => [p.t, p[arm] ?? NaN]),
    color: ARM_COLOR[arm],
  }));

export function TimelineSection({ timeline, ctrMargin }: { timeline: TimelineSeries; ctrMargin: number | null }) {
  return (
    <section className="panel">
      <h2>Over time</h2>
      {timeline.lift.length >= 2 ? (
        <LineChart
          title="Candidate CTR lift over time (cumulative, 95% CI band)"
          series={[{ name: "CTR lift (candidate ÷ control − 1)", points: timeline.lift.map((p) => [p.t, p.lift]), color: ARM_COLOR.candidate }]}
          bands={[{ name: "95% CI (per exposure, delta method)", points: timeline.lift.map((p) => [p.t, p.low, p.high]), color: ARM_COLOR.candidate }]}
          references={[{ y: 0, label: "no change" }, ...(ctrMargin !== null ? [{ y: -ctrMargin, label: "−margin" }] : [])]}
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
        Cumulative exposure-level CTR up to each bucket. Exposures of one user are correlated, so this band is narrower than the per-user always-valid interval
        above, which is the one the rollout gates use.
      </p>
      <div className="grid cols-2">
        <LineChart
          title={`Exposures per arm per ${Math.round(timeline.bucketSeconds / 60)} min`}
          series={armSeries(timeline.exposures)}
          xScale="time"
          xLabel="time (UTC)"
          yLabel="exposures per bucket"
          yFormat="int"
          yFromZero
          testId="chart-exposures"
        />
        <LineChart
          title="CTR per bucket"
          series={armSeries(timeline.ctr)}
          xScale="time"
          xLabel="time (UTC)"
          yLabel="clicks ÷ exposures"
          yFormat="percent:1"
          yFromZero
          testId="chart-ctr"
        />
      </div>
    </section>
  );
}
