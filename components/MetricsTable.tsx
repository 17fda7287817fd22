import { formatInt, formatMetric } from "./format";
import { flattenMetrics } from "./metrics";
import { DataTable, numeric } from "@/components/DataTable";

const CUTOFF_ORDER = ["H@5", "N@5", "M@5", "H@10", "N@10", "M@10", "H@20", "N@20", "M@20", "R@20"];

function columnOrder(a: string, b: string): number {
  const ia = CUTOFF_ORDER.indexOf(a);
  const ib = CUTOFF_ORDER.indexOf(b);
  if (ia >= 0 && ib >= 0) return ia - ib;
  if (ia >= 0) return -1;
  if (ib >= 0) return 1;
  return a.localeCompare(b);
}

const formatValue = (v: number) => (Number.isInteger(v) ? formatInt(v) : formatMetric(v));

/**
 * Metrics JSON as a matrix: one row per group (test, longTail, full, ...), one column per metric
 * (H@10, N@10, ...); top-level numbers listed separately.
 */
export function MetricsTable({ metrics }: { metrics: unknown }) {
  const entries = flattenMetrics(metrics);
  if (entries.length === 0) return <p className="muted">Not evaluated yet.</p>;
  const groups = new Map<string, Map<string, number>>();
  const scalars: { key: string; value: number }[] = [];
  for (const { key, value } of entries) {
    const dot = key.indexOf(".");
    if (dot < 0) {
      scalars.push({ key, value });
      continue;
    }
    const group = key.slice(0, dot);
    const metric = key.slice(dot + 1);
    groups.set(group, (groups.get(group) ?? new Map()).set(metric, value));
  }
  const columns = [...new Set([...groups.values()].flatMap((g) => [...g.keys()]))].sort(columnOrder);

  return (
    <>
      {groups.size > 0 ? (
        <DataTable columns={["", ...columns.map((c) => numeric(c))]} label="Metrics table (scrolls sideways)">
          {[...groups.entries()].map(([group, values]) => (
            <tr key={group}>
              <td className="mono">{group}</td>
              {columns.map((c) => (
                <td key={c} className="num">
                  {values.has(c) ? formatValue(values.get(c)!) : ""}
                </td>
              ))}
            </tr>
          ))}
        </DataTable>
      ) : null}
      {scalars.length > 0 ? (
        <dl className="facts" style={{ marginTop: 14 }}>
          {scalars.map((s) => (
            <div key={s.key} style={{ display: "contents" }}>
              <dt className="mono">{s.key}</dt>
              <dd>{formatValue(s.value)}</dd>
            </div>
          ))}
        </dl>
      ) : null}
    </>
  );
}
