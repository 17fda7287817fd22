import type { ReactNode } from "react";

export interface Column {
  label: ReactNode;
  /** right-aligned numbers */
  num?: boolean;
  /** what the column holds, on hover */
  title?: string;
}

/**
 * A data table in a focusable region that scrolls sideways on narrow screens (keyboard users can
 * scroll it too). `children` are the body rows.
 */
export function DataTable({
  columns,
  children,
  label = "Table (scrolls sideways)",
  testId,
}: {
  columns: readonly (string | Column)[];
  children: ReactNode;
  label?: string;
  testId?: string;
}) {
  return (
    <div className="table-wrap" tabIndex={0} role="region" aria-label={label}>
      <table className="data" data-testid={testId}>
        <thead>
          <tr>
            {columns.map((c, i) => {
              const col: Column = typeof c === "string" ? { label: c } : c;
              return (
                <th key={i} className={col.num ? "num" : undefined} title={col.title}>
                  {col.label}
                </th>
              );
            })}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}
