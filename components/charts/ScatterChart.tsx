"use client";
// Labelled points on two numeric axes (visx), e.g. quality against scoring latency per model.
import { GridColumns, GridRows } from "@visx/grid";
import { Group } from "@visx/group";
import { scaleLinear, scaleLog } from "@visx/scale";
import { formatter, type NumberFormat } from "./number-format";
import { AXIS_TICK, ChartFrame, markHandlers, PALETTE, ValueAxisBottom, ValueAxisLeft } from "./frame";

export interface ScatterPoint {
  label: string;
  x: number;
  y: number;
  color?: string;
  /** legend group, e.g. "teacher" */
  group?: string;
}

export function ScatterChart({
  title,
  points,
  xLabel,
  yLabel,
  xFormat: xFormatSpec = "fixed:0",
  yFormat: yFormatSpec = "fixed:3",
  xLog = false,
  testId,
}: {
  title: string;
  points: ScatterPoint[];
  xLabel: string;
  yLabel: string;
  xFormat?: NumberFormat;
  yFormat?: NumberFormat;
  xLog?: boolean;
  testId?: string;
}) {
  const pts = points.filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y) && (!xLog || p.x > 0));
  if (pts.length === 0) return null;
  const xFormat = formatter(xFormatSpec);
  const yFormat = formatter(yFormatSpec);
  const width = 720;
  const height = 300;
  const margin = { top: 16, right: 40, bottom: 48, left: 72 };
  const innerW = width - margin.left - margin.right;
  const innerH = height - margin.top - margin.bottom;
  const xs = pts.map((p) => p.x);
  const ys = pts.map((p) => p.y);
  const xLo = Math.min(...xs);
  const xHi = Math.max(...xs);
  const x = xLog
    ? scaleLog<number>({ domain: [xLo / 1.5, xHi * 1.5], range: [0, innerW] })
    : scaleLinear<number>({ domain: [0, xHi * 1.15 || 1], range: [0, innerW], nice: true });
  const yLo = Math.min(...ys);
  const yHi = Math.max(...ys);
  const pad = (yHi - yLo) * 0.15 || Math.abs(yHi) * 0.1 || 0.1;
  const y = scaleLinear<number>({ domain: [Math.max(0, yLo - pad), yHi + pad], range: [innerH, 0], nice: true });
  const groups = [...new Set(pts.map((p) => p.group ?? ""))].filter(Boolean);
  const colorOf = (p: ScatterPoint, i: number) => p.color ?? PALETTE[i % PALETTE.length];
  const legend = groups.map((g) => ({
    name: g,
    color: colorOf(
      pts.find((p) => p.group === g)!,
      pts.findIndex((p) => p.group === g),
    ),
  }));
  const table = { columns: ["model", xLabel, yLabel], rows: pts.map((p) => [p.label, xFormat(p.x), yFormat(p.y)]) };
  return (
    <ChartFrame title={title} width={width} height={height} testId={testId} legend={legend} table={table}>
      {(tip) => (
        <Group left={margin.left} top={margin.top}>
          <GridRows scale={y} width={innerW} stroke="#eef1f5" numTicks={5} />
          <GridColumns scale={x} height={innerH} stroke="#eef1f5" numTicks={5} />
          {pts.map((p, i) => {
            const label = `${p.label}: ${yLabel} ${yFormat(p.y)}, ${xLabel} ${xFormat(p.x)}`;
            const cx = x(p.x) as number;
            const cy = y(p.y) as number;
            return (
              <g key={`${p.label}-${i}`}>
                <circle
                  cx={cx}
                  cy={cy}
                  r={6}
                  fill={colorOf(p, i)}
                  stroke="#fff"
                  strokeWidth={1.5}
                  aria-label={label}
                  role="graphics-symbol"
                  {...markHandlers(tip, label)}
                />
                <text
                  x={cx + (cx > innerW * 0.7 ? -9 : 9)}
                  y={cy - 8}
                  textAnchor={cx > innerW * 0.7 ? "end" : "start"}
                  style={{ ...AXIS_TICK, fill: "#1c2430" }}
                >
                  {p.label.length > 30 ? `${p.label.slice(0, 29)}…` : p.label}
                </text>
              </g>
            );
          })}
          <ValueAxisLeft scale={y} format={yFormat} label={yLabel} />
          <ValueAxisBottom top={innerH} scale={x} format={xFormat} label={xLabel} />
        </Group>
      )}
    </ChartFrame>
  );
}
