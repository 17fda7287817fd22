/** One signal over time against its threshold (dashed), breaches marked in red. Server-rendered SVG. */
export function ThresholdChart({
  title,
  points,
  threshold,
  direction,
  format = (v) => v.toPrecision(3),
}: {
  title: string;
  /** [epoch ms, value]; null values are gaps (not measured) */
  points: [number, number | null][];
  threshold: number;
  direction: "above" | "below";
  format?: (v: number) => string;
}) {
  const measured = points.filter((p): p is [number, number] => p[1] !== null && Number.isFinite(p[1]));
  const width = 320;
  const height = 130;
  const pad = { left: 44, right: 8, top: 8, bottom: 20 };
  if (measured.length === 0) {
    return (
      <figure className="threshold-chart" style={{ margin: 0 }}>
        <figcaption style={{ fontSize: 12.5, fontWeight: 600 }}>{title}</figcaption>
        <p className="muted" style={{ fontSize: 12.5 }}>
          not measured yet
        </p>
      </figure>
    );
  }
  const xs = measured.map((p) => p[0]);
  const ys = [...measured.map((p) => p[1]), threshold];
  const [xMin, xMax] = [Math.min(...xs), Math.max(...xs)];
  const [yMin, yMax] = [Math.min(0, ...ys), Math.max(...ys) * 1.1 || 1];
  const sx = (x: number) => (xMax === xMin ? (pad.left + width - pad.right) / 2 : pad.left + ((x - xMin) / (xMax - xMin)) * (width - pad.left - pad.right));
  const sy = (y: number) => height - pad.bottom - ((y - yMin) / (yMax - yMin || 1)) * (height - pad.top - pad.bottom);
  const breached = (v: number) => (direction === "above" ? v > threshold : v < threshold);
  const last = measured[measured.length - 1][1];
  const time = (ms: number) => new Date(ms).toISOString().slice(5, 16).replace("T", " ");
  return (
    <figure className="threshold-chart" style={{ margin: 0 }}>
      <figcaption style={{ fontSize: 12.5, display: "flex", justifyContent: "space-between", gap: 8 }}>
        <strong>{title}</strong>
        <span className={breached(last) ? "bad" : "muted"}>
          {format(last)} ({direction === "above" ? "limit ≤" : "limit ≥"} {format(threshold)})
        </span>
      </figcaption>
      <svg
        className="chart"
        role="img"
        aria-label={`${title} over time against its threshold`}
        viewBox={`0 0 ${width} ${height}`}
        width="100%"
        style={{ maxWidth: 480 }}
      >
        <title>{`${title}: latest ${format(last)}, threshold ${format(threshold)}`}</title>
        {[yMin, (yMin + yMax) / 2, yMax].map((t) => (
          <g key={t}>
            <line x1={pad.left} x2={width - pad.right} y1={sy(t)} y2={sy(t)} stroke="#e6e9ee" />
            <text x={pad.left - 4} y={sy(t) + 4} textAnchor="end" fontSize={10}>
              {format(t)}
            </text>
          </g>
        ))}
        <line x1={pad.left} x2={width - pad.right} y1={sy(threshold)} y2={sy(threshold)} stroke="#b3261e" strokeDasharray="5 4" />
        <text x={pad.left} y={height - 4} fontSize={10}>
          {time(xMin)}
        </text>
        {xMax > xMin ? (
          <text x={width - pad.right} y={height - 4} textAnchor="end" fontSize={10}>
            {time(xMax)}
          </text>
        ) : null}
        {measured.length > 1 ? (
          <polyline fill="none" stroke="#2856c8" strokeWidth={2} points={measured.map(([x, y]) => `${sx(x).toFixed(1)},${sy(y).toFixed(1)}`).join(" ")} />
        ) : null}
        {measured.map(([x, y]) => (
          <circle key={x} cx={sx(x)} cy={sy(y)} r={3} fill={breached(y) ? "#b3261e" : "#2856c8"} />
        ))}
      </svg>
    </figure>
  );
}
