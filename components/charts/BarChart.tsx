"use client";
// Horizontal grouped bars (visx): one row per category, one bar per series in each row, value axis at
// the bottom with its label and unit, a tooltip per bar.
import { AxisLeft } from "@visx/axis";
import { GridColumns } from "@visx/grid";
import { Group } from "@visx/group";
import { scaleBand, scaleLinear } from "@visx/scale";
import { Bar } from "@visx/shape";
import { formatter, type NumberFormat } from "./number-format";
import { AXIS_TICK, ChartFrame, markHandlers, PALETTE, ValueAxisBottom } from "./frame";

export interface BarSeries {
  name: string;
  values: (number | null)[];
  color?: string;
}

export function BarChart({
  title,
  categories,
  series,
  valueLabel,
  format: formatSpec = "fixed:4",
  categoryColors,
  notes,
  testId,
}: {
  title: string;
  categories: string[];
  series: BarSeries[];
  /** the value axis' label with its unit, e.g. "NDCG@10 (test, 1 + 499 sampled)" */
  valueLabel: string;
  format?: NumberFormat;
  /** one colour per category (a single series coloured by e.g. role) */
  categoryColors?: string[];
  /** text after each category's value in the tooltip */
  notes?: string[];
  testId?: string;
}) {
  if (categories.length === 0 || series.length === 0) return null;
  const format = formatter(formatSpec);
  const width = 720;
  const labelWidth = 190;
  const barH = 16;
  const rowH = Math.max(26, series.length * barH + 10);
  const margin = { top: 8, right: 64, bottom: 48, left: labelWidth };
  const height = margin.top + categories.length * rowH + margin.bottom;
  const innerW = width - margin.left - margin.right;
  const values = series.flatMap((s) => s.values).filter((v): v is number => v !== null && Number.isFinite(v));
  const max = Math.max(...values, 0) || 1;
  const min = Math.min(...values, 0);
  const x = scaleLinear<number>({ domain: [min, max], range: [0, innerW], nice: true });
  const rows = scaleBand<string>({ domain: categories.map((_, i) => String(i)), range: [0, categories.length * rowH], padding: 0.15 });
  const inner = scaleBand<string>({ domain: series.map((s) => s.name), range: [0, rows.bandwidth()], padding: 0.1 });
  const short = (s: string) => (s.length > 28 ? `${s.slice(0, 27)}…` : s);
  const legend = series.length > 1 ? series.map((s, i) => ({ name: s.name, color: s.color ?? PALETTE[i % PALETTE.length] })) : [];
  const table = {
    columns: ["", ...series.map((s) => s.name)],
    rows: categories.map((c, i) => [c, ...series.map((s) => (s.values[i] === null ? "—" : format(s.values[i]!)))]),
  };
  return (
    <ChartFrame title={title} width={width} height={height} testId={testId} legend={legend} table={table}>
      {(tip) => (
        <Group left={margin.left} top={margin.top}>
          <GridColumns scale={x} height={categories.length * rowH} stroke="#eef1f5" numTicks={5} />
          {categories.map((c, i) => (
            <Group key={i} top={rows(String(i)) ?? 0}>
              {series.map((s, j) => {
                const v = s.values[i];
                if (v === null || !Number.isFinite(v)) return null;
                const color = categoryColors?.[i] ?? s.color ?? PALETTE[j % PALETTE.length];
                const x0 = x(Math.min(0, v));
                const w = Math.max(1, Math.abs(x(v) - x(0)));
                const label = `${c}${series.length > 1 ? ` · ${s.name}` : ""}: ${format(v)}${notes?.[i] ? ` (${notes[i]})` : ""}`;
                return (
                  <g key={s.name}>
                    <Bar
                      x={x0}
                      y={inner(s.name) ?? 0}
                      width={w}
                      height={inner.bandwidth()}
                      fill={color}
                      rx={2}
                      aria-label={label}
                      role="graphics-symbol"
                      {...markHandlers(tip, label)}
                    />
                    <text x={x0 + w + 4} y={(inner(s.name) ?? 0) + inner.bandwidth() / 2 + 4} style={AXIS_TICK}>
                      {format(v)}
                    </text>
                  </g>
                );
              })}
            </Group>
          ))}
          <AxisLeft
            scale={rows}
            tickFormat={(v) => short(categories[Number(v)])}
            hideTicks
            stroke="#c7cdd6"
            tickLabelProps={() => ({ ...AXIS_TICK, fill: "#1c2430", textAnchor: "end", dx: -6, dy: 4 })}
          />
          <ValueAxisBottom top={categories.length * rowH} scale={x} format={format} label={valueLabel} />
        </Group>
      )}
    </ChartFrame>
  );
}
