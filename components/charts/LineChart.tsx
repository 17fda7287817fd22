export interface Series {
  name: string;
  points: [number, number][];
}

const COLOURS = ["#2856c8", "#1f7a4a", "#b3261e", "#8a5a00", "#6b21a8"];

function ticks(min: number, max: number, count = 4): number[] {
  if (max === min) return [min];
  return Array.from({ length: count + 1 }, (_, i) => min + ((max - min) * i) / count);
}

/** A small multi-series line chart as server-rendered SVG (e.g. loss or validation NDCG per epoch). */
export function LineChart({ series, title, xLabel, yFormat = (v) => v.toPrecision(3) }: { series: Series[]; title: string; xLabel: string; yFormat?: (v: number) => string }) {
  const all = series.flatMap((s) => s.points).filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
  if (all.length < 2) return null;
  const width = 640;
  const height = 240;
  const pad = { left: 56, right: 16, top: 12, bottom: 36 };
  const xs = all.map((p) => p[0]);
  const ys = all.map((p) => p[1]);
  const [xMin, xMax] = [Math.min(...xs), Math.max(...xs)];
  const [yMin, yMax] = [Math.min(...ys), Math.max(...ys)];
  const sx = (x: number) => pad.left + ((x - xMin) / (xMax - xMin || 1)) * (width - pad.left - pad.right);
  const sy = (y: number) => height - pad.bottom - ((y - yMin) / (yMax - yMin || 1)) * (height - pad.top - pad.bottom);

  return (
    <figure style={{ margin: 0 }}>
      <svg className="chart" role="img" aria-label={title} viewBox={`0 0 ${width} ${height}`} width="100%" style={{ maxWidth: width }}>
        <title>{title}</title>
        {ticks(yMin, yMax).map((t) => (
          <g key={`y${t}`}>
            <line x1={pad.left} x2={width - pad.right} y1={sy(t)} y2={sy(t)} stroke="#e6e9ee" />
            <text x={pad.left - 6} y={sy(t) + 4} textAnchor="end">
              {yFormat(t)}
            </text>
          </g>
        ))}
        {[...new Set(ticks(xMin, xMax).map(Math.round))].map((t) => (
          <text key={`x${t}`} x={sx(t)} y={height - pad.bottom + 16} textAnchor="middle">
            {t}
          </text>
        ))}
        <text x={(pad.left + width - pad.right) / 2} y={height - 4} textAnchor="middle">
          {xLabel}
        </text>
        {series.map((s, i) => (
          <polyline
            key={s.name}
            fill="none"
            stroke={COLOURS[i % COLOURS.length]}
            strokeWidth={2}
            points={s.points.map(([x, y]) => `${sx(x).toFixed(1)},${sy(y).toFixed(1)}`).join(" ")}
          />
        ))}
      </svg>
      {series.length > 1 ? (
        <figcaption style={{ display: "flex", gap: 14, fontSize: 12.5 }}>
          {series.map((s, i) => (
            <span key={s.name}>
              <span style={{ display: "inline-block", width: 10, height: 10, background: COLOURS[i % COLOURS.length], marginRight: 5, borderRadius: 2 }} />
              {s.name}
            </span>
          ))}
        </figcaption>
      ) : null}
    </figure>
  );
}
