"use client";
// What every chart shares: a responsive SVG frame (viewBox, scales to the container), an HTML legend,
// a hover/focus tooltip (@visx/tooltip) and the numbers as a table under "Data" for screen readers,
// keyboards and anyone who wants the exact values.
import { type FocusEvent, type MouseEvent, type ReactNode } from "react";
import { AxisBottom, AxisLeft, type AxisScale } from "@visx/axis";
import { useTooltip, TooltipWithBounds } from "@visx/tooltip";
import { DataTable } from "@/components/DataTable";

export const PALETTE = ["#1f5fa8", "#1f7a4a", "#b3261e", "#8a5a00", "#6b21a8", "#0f766e", "#9d174d", "#4b5563"];
export const ROLE_COLORS: Record<string, string> = { teacher: "#1f5fa8", student: "#1f7a4a", control: "#5d6b7e", candidate: "#2856c8" };

export const AXIS_TICK = { fontSize: 11, fill: "#4b5563" } as const;
export const AXIS_LABEL = { fontSize: 12, fill: "#1c2430" } as const;

export interface LegendItem {
  name: string;
  color: string;
  dashed?: boolean;
  band?: boolean;
}

export function Legend({ items }: { items: LegendItem[] }) {
  if (items.length < 2) return null;
  return (
    <ul className="chart-legend" aria-label="Legend">
      {items.map((it) => (
        <li key={it.name}>
          <span
            aria-hidden="true"
            className="swatch"
            style={it.band ? { background: it.color, opacity: 0.3, height: 10 } : { borderTop: `3px ${it.dashed ? "dashed" : "solid"} ${it.color}` }}
          />
          {it.name}
        </li>
      ))}
    </ul>
  );
}

export interface DataTable {
  columns: string[];
  rows: (string | number)[][];
}

export interface TooltipApi {
  /** at a pointer position over `target`, or above `target` (keyboard focus) */
  show: (content: ReactNode, target: Element, pointer?: { clientX: number; clientY: number }) => void;
  hide: () => void;
}

/**
 * Frame of one chart: <figure> with an accessible SVG (role img, label), legend, tooltip and data table.
 * `children` draws inside the SVG and receives the tooltip API.
 */
export function ChartFrame({
  title,
  width,
  height,
  legend = [],
  table,
  testId,
  children,
}: {
  title: string;
  width: number;
  height: number;
  legend?: LegendItem[];
  table?: DataTable;
  testId?: string;
  children: (tooltip: TooltipApi) => ReactNode;
}) {
  const { tooltipOpen, tooltipLeft, tooltipTop, tooltipData, showTooltip, hideTooltip } = useTooltip<ReactNode>();
  const api: TooltipApi = {
    show(content, target, pointer) {
      const rect = target.closest("[data-chart-box]")?.getBoundingClientRect();
      if (!rect) return;
      const r = target.getBoundingClientRect();
      const x = pointer ? pointer.clientX : r.left + r.width / 2;
      const y = pointer ? pointer.clientY : r.top;
      showTooltip({ tooltipData: content, tooltipLeft: x - rect.left, tooltipTop: y - rect.top });
    },
    hide: hideTooltip,
  };
  return (
    <figure className="chart-figure" data-testid={testId}>
      <figcaption className="chart-title">{title}</figcaption>
      <Legend items={legend} />
      <div data-chart-box="" style={{ position: "relative" }}>
        <svg className="chart" role="img" aria-label={title} viewBox={`0 0 ${width} ${height}`} width="100%" style={{ maxWidth: width, display: "block" }}>
          {children(api)}
        </svg>
        {tooltipOpen ? (
          <TooltipWithBounds left={tooltipLeft} top={tooltipTop} className="chart-tooltip" unstyled applyPositionStyle>
            {tooltipData}
          </TooltipWithBounds>
        ) : null}
      </div>
      {table ? (
        <details className="chart-data">
          <summary>Data: {title}</summary>
          <DataTable columns={table.columns} wrap="plain">
            {table.rows.map((r, i) => (
              <tr key={i}>
                {r.map((v, j) => (
                  <td key={j} className={typeof v === "number" ? "num" : undefined}>
                    {v}
                  </td>
                ))}
              </tr>
            ))}
          </DataTable>
        </details>
      ) : null}
    </figure>
  );
}

/** pointer and keyboard handlers that show `content` for one mark (marks are focusable) */
export function markHandlers(api: TooltipApi, content: ReactNode) {
  return {
    tabIndex: 0,
    onMouseEnter: (e: MouseEvent<Element>) => api.show(content, e.currentTarget, e),
    onMouseMove: (e: MouseEvent<Element>) => api.show(content, e.currentTarget, e),
    onMouseLeave: api.hide,
    onFocus: (e: FocusEvent<Element>) => api.show(content, e.currentTarget),
    onBlur: api.hide,
  };
}

const AXIS_LINE = "#c7cdd6";

/** The value axis on the left: ticks formatted with `format`, the label beside them. */
export function ValueAxisLeft({ scale, format, label }: { scale: AxisScale<number>; format: (v: number) => string; label: string }) {
  return (
    <AxisLeft
      scale={scale}
      numTicks={5}
      tickFormat={(v) => format(Number(v))}
      stroke={AXIS_LINE}
      tickStroke={AXIS_LINE}
      tickLabelProps={() => ({ ...AXIS_TICK, textAnchor: "end", dx: -4, dy: 4 })}
      label={label}
      labelProps={{ ...AXIS_LABEL, textAnchor: "middle" }}
      labelOffset={46}
    />
  );
}

/** The axis along the bottom at `top`: ticks formatted with `format` (times arrive as epoch milliseconds), the label under them. */
export function ValueAxisBottom({
  top,
  scale,
  format,
  label,
  numTicks = 5,
}: {
  top: number;
  scale: AxisScale<number>;
  format: (v: number) => string;
  label: string;
  numTicks?: number;
}) {
  return (
    <AxisBottom
      top={top}
      scale={scale}
      numTicks={numTicks}
      tickFormat={(v) => format(Number(v))}
      stroke={AXIS_LINE}
      tickStroke={AXIS_LINE}
      tickLabelProps={() => ({ ...AXIS_TICK, textAnchor: "middle" })}
      label={label}
      labelProps={{ ...AXIS_LABEL, textAnchor: "middle" }}
      labelOffset={14}
    />
  );
}
