"use client";
// Lines over a numeric, time or logarithmic x axis (visx), with optional shaded bands (confidence
// intervals), vertical markers (e.g. the long-tail cut) and horizontal reference lines (e.g. no change).
// Hovering shows every series' value at the nearest x; the Data table holds the exact numbers.
import type { MouseEvent } from "react";
import { GridRows } from "@visx/grid";
import { Group } from "@visx/group";
import { scaleLinear, scaleLog, scaleTime } from "@visx/scale";
import { AreaClosed, LinePath, Bar } from "@visx/shape";
import { formatter, type NumberFormat } from "./number-format";
import { AXIS_TICK, ChartFrame, PALETTE, ValueAxisBottom, ValueAxisLeft } from "./frame";

export interface Series {
  name: string;
  points: [number, number][];
  color?: string;
  dashed?: boolean;
}

export interface Band {
  name: string;
  /** [x, low, high] */
  points: [number, number, number][];
  color?: string;
}

type Scale = "linear" | "log" | "time";

function makeScale(kind: Scale, domain: [number, number], range: [number, number]) {
  if (kind === "log") return scaleLog<number>({ domain: [Math.max(domain[0], 1e-9), Math.max(domain[1], domain[0] * 10, 1e-8)], range });
  if (kind === "time") return scaleTime<number>({ domain: [new Date(domain[0]), new Date(domain[1])], range });
  return scaleLinear<number>({ domain, range, nice: true });
}

export function LineChart({
  title,
  series,
  bands = [],
  xLabel,
  yLabel,
  xScale = "linear",
  yScale = "linear",
  xFormat: xFormatSpec,
  yFormat: yFormatSpec = "fixed:3",
  markers = [],
  references = [],
  yFromZero = false,
  height = 260,
  testId,
}: {
  title: string;
  series: Series[];
  bands?: Band[];
  xLabel: string;
  yLabel: string;
  xScale?: Scale;
  yScale?: Exclude<Scale, "time">;
  xFormat?: NumberFormat;
  yFormat?: NumberFormat;
  /** vertical lines at x */
  markers?: { x: number; label: string }[];
  /** horizontal lines at y */
  references?: { y: number; label: string }[];
  yFromZero?: boolean;
  height?: number;
  testId?: string;
}) {
  const keep = (x: number, y: number) => Number.isFinite(x) && Number.isFinite(y) && (xScale !== "log" || x > 0) && (yScale !== "log" || y > 0);
  const clean = series.map((s) => ({ ...s, points: s.points.filter(([x, y]) => keep(x, y)) }));
  const cleanBands = bands.map((b) => ({ ...b, points: b.points.filter(([x, lo, hi]) => keep(x, lo) && keep(x, hi)) }));
  const xs = [...clean.flatMap((s) => s.points.map((p) => p[0])), ...cleanBands.flatMap((b) => b.points.map((p) => p[0]))];
  if (xs.length < 2) return null;
  const yFormat = formatter(yFormatSpec);
  const ys = [
    ...clean.flatMap((s) => s.points.map((p) => p[1])),
    ...cleanBands.flatMap((b) => b.points.flatMap((p) => [p[1], p[2]])),
    ...references.map((r) => r.y),
    ...(yFromZero ? [0] : []),
  ];
  const width = 720;
  const margin = { top: 14, right: 24, bottom: 48, left: 72 };
  const innerW = width - margin.left - margin.right;
  const innerH = height - margin.top - margin.bottom;
  let [yMin, yMax] = [Math.min(...ys), Math.max(...ys)];
  if (yMin === yMax) [yMin, yMax] = [yMin - 1, yMax + 1];
  const x = makeScale(xScale, [Math.min(...xs), Math.max(...xs)], [0, innerW]);
  const y = makeScale(yScale, [yMin, yMax], [innerH, 0]);
  const fx = (v: number) => x(xScale === "time" ? (new Date(v) as unknown as number) : v) as number;
  const fy = (v: number) => y(v) as number;
  const xFmt = xFormatSpec ? formatter(xFormatSpec) : xScale === "time" ? formatter("time") : (v: number) => String(+v.toPrecision(4));
  const colorOf = (i: number, c?: string) => c ?? PALETTE[i % PALETTE.length];
  const allX = [...new Set(xs)].sort((a, b) => a - b);

  // the table: one row per x, one column per series (and band bounds)
  const columns = [xLabel, ...clean.map((s) => s.name), ...cleanBands.flatMap((b) => [`${b.name} low`, `${b.name} high`])];
  const rows = allX.slice(0, 400).map((xv) => [
    xFmt(xv),
    ...clean.map((s) => {
      const p = s.points.find((q) => q[0] === xv);
      return p ? yFormat(p[1]) : "—";
    }),
    ...cleanBands.flatMap((b) => {
      const p = b.points.find((q) => q[0] === xv);
      return p ? [yFormat(p[1]), yFormat(p[2])] : ["—", "—"];
    }),
  ]);

  const legend = [
    ...clean.map((s, i) => ({ name: s.name, color: colorOf(i, s.color), dashed: s.dashed })),
    ...cleanBands.map((b, i) => ({ name: b.name, color: colorOf(i, b.color), band: true })),
  ];

  return (
    <ChartFrame title={title} width={width} height={height} testId={testId} legend={legend} table={{ columns, rows }}>
      {(tip) => {
        const onMove = (e: MouseEvent<SVGRectElement>) => {
          const svg = e.currentTarget.ownerSVGElement;
          if (!svg) return;
          const rect = svg.getBoundingClientRect();
          const px = ((e.clientX - rect.left) / rect.width) * width - margin.left;
          let best = allX[0];
          for (const xv of allX) if (Math.abs(fx(xv) - px) < Math.abs(fx(best) - px)) best = xv;
          const lines = clean
            .map((s) => {
              const p = s.points.find((q) => q[0] === best);
              return p ? `${s.name}: ${yFormat(p[1])}` : null;
            })
            .filter(Boolean);
          for (const b of cleanBands) {
            const p = b.points.find((q) => q[0] === best);
            if (p) lines.push(`${b.name}: [${yFormat(p[1])}, ${yFormat(p[2])}]`);
          }
          tip.show(
            <div>
              <strong>
                {xLabel}: {xFmt(best)}
              </strong>
              {lines.map((l) => (
                <div key={l}>{l}</div>
              ))}
            </div>,
            e.currentTarget,
            e,
          );
        };
        return (
          <Group left={margin.left} top={margin.top}>
            <GridRows scale={y} width={innerW} stroke="#eef1f5" numTicks={5} />
            {cleanBands.map((b, i) => (
              <AreaClosed<[number, number, number]>
                key={b.name}
                data={b.points}
                x={(p) => fx(p[0])}
                y0={(p) => fy(p[1])}
                y1={(p) => fy(p[2])}
                yScale={y}
                fill={colorOf(i, b.color)}
                fillOpacity={0.18}
                stroke="none"
              />
            ))}
            {references.map((r) => (
              <g key={r.label}>
                <line x1={0} x2={innerW} y1={fy(r.y)} y2={fy(r.y)} stroke="#1c2430" strokeDasharray="4 3" />
                <text x={innerW - 4} y={fy(r.y) - 4} textAnchor="end" style={AXIS_TICK}>
                  {r.label}
                </text>
              </g>
            ))}
            {markers.map((m) => (
              <g key={m.label}>
                <line x1={fx(m.x)} x2={fx(m.x)} y1={0} y2={innerH} stroke="#b3261e" strokeDasharray="4 3" />
                <text x={fx(m.x) + 4} y={12} style={{ ...AXIS_TICK, fill: "#b3261e" }}>
                  {m.label}
                </text>
              </g>
            ))}
            {clean.map((s, i) => (
              <g key={s.name}>
                <LinePath<[number, number]>
                  data={s.points}
                  x={(p) => fx(p[0])}
                  y={(p) => fy(p[1])}
                  stroke={colorOf(i, s.color)}
                  strokeWidth={2}
                  strokeDasharray={s.dashed ? "5 4" : undefined}
                />
                {s.points.length <= 60 ? s.points.map((p) => <circle key={p[0]} cx={fx(p[0])} cy={fy(p[1])} r={2.5} fill={colorOf(i, s.color)} />) : null}
              </g>
            ))}
            <ValueAxisLeft scale={y} format={yFormat} label={yLabel} />
            <ValueAxisBottom top={innerH} scale={x} format={xFmt} label={xLabel} numTicks={6} />
            <Bar x={0} y={0} width={innerW} height={innerH} fill="transparent" onMouseMove={onMove} onMouseLeave={tip.hide} />
          </Group>
        );
      }}
    </ChartFrame>
  );
}
