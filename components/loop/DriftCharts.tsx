import { ThresholdChart } from "@/components/charts/ThresholdChart";
import { LIVE_SIGNAL_KEYS, LIVE_SIGNAL_LABELS, type LiveSignal } from "@/lib/drift/live";
import { formatShare } from "@/lib/format";

export interface DriftCheckPoint {
  createdAt: Date;
  signals: LiveSignal[];
}

const SHARE_KEYS = new Set(["unknownItemShare", "unknownUserShare"]);

/** Every live drift check of a model, one small chart per signal against its threshold. */
export function DriftCharts({ checks, keys = LIVE_SIGNAL_KEYS }: { checks: DriftCheckPoint[]; keys?: readonly (typeof LIVE_SIGNAL_KEYS)[number][] }) {
  if (checks.length === 0) return <p className="muted">No live drift check has run yet.</p>;
  return (
    <div className="grid cols-3">
      {keys.map((key) => {
        const latest = [...checks]
          .reverse()
          .find((c) => c.signals.some((s) => s.key === key))
          ?.signals.find((s) => s.key === key);
        if (!latest) return null;
        const points = checks.map((c) => [c.createdAt.getTime(), c.signals.find((s) => s.key === key)?.value ?? null] as [number, number | null]);
        const format = SHARE_KEYS.has(key) ? (v: number) => formatShare(v) : (v: number) => (Math.abs(v) >= 10 ? v.toFixed(1) : v.toFixed(3));
        return (
          <div key={key}>
            <ThresholdChart title={LIVE_SIGNAL_LABELS[key]} points={points} threshold={latest.threshold} direction={latest.direction} format={format} />
            {latest.value === null && latest.note ? (
              <p className="muted" style={{ fontSize: 12 }}>
                {latest.note}
              </p>
            ) : null}
          </div>
        );
      })}
    </div>
  );
}
