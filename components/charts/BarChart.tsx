export interface Bar {
  label: string;
  value: number;
  /** colour group, e.g. "teacher" | "student" */
  tone?: string;
  note?: string;
}

const TONES: Record<string, string> = { teacher: "#1f5fa8", student: "#1f7a4a", default: "#2856c8" };

/** Horizontal bars, server-rendered SVG: one row per item, value labels at the bar ends. */
export function BarChart({ bars, title, format = (v) => v.toFixed(4) }: { bars: Bar[]; title: string; format?: (value: number) => string }) {
  if (bars.length === 0) return null;
  const rowHeight = 26;
  const labelWidth = 220;
  const chartWidth = 440;
  const valueWidth = bars.some((b) => b.note) ? 210 : 90;
  const max = Math.max(...bars.map((b) => b.value), 1e-12);
  const height = bars.length * rowHeight + 8;
  return (
    <svg className="chart" role="img" aria-label={title} viewBox={`0 0 ${labelWidth + chartWidth + valueWidth} ${height}`} width="100%" style={{ maxWidth: labelWidth + chartWidth + valueWidth }}>
      <title>{title}</title>
      {bars.map((bar, i) => {
        const y = 4 + i * rowHeight;
        const width = Math.max(1, (bar.value / max) * chartWidth);
        return (
          <g key={`${bar.label}-${i}`}>
            <text x={labelWidth - 8} y={y + rowHeight / 2 + 4} textAnchor="end">
              {bar.label.length > 34 ? `${bar.label.slice(0, 33)}…` : bar.label}
            </text>
            <rect x={labelWidth} y={y + 4} width={width} height={rowHeight - 8} rx={3} fill={TONES[bar.tone ?? "default"] ?? TONES.default} />
            <text x={labelWidth + width + 6} y={y + rowHeight / 2 + 4}>
              {format(bar.value)}
              {bar.note ? ` ${bar.note}` : ""}
            </text>
          </g>
        );
      })}
    </svg>
  );
}
