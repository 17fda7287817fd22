import Link from "next/link";
import type { CSSProperties, ReactNode } from "react";

export interface Column {
  label: ReactNode;
  /** right-aligned numbers */
  num?: boolean;
  /** what the column holds, on hover */
  title?: string;
}

/**
 * How the table sits on the page: in a focusable region that scrolls sideways on narrow screens (keyboard
 * users can scroll it too; the default), in a plain scrolling box, or bare (inside a panel that scrolls).
 */
export type TableWrap = "region" | "plain" | "bare";

/** A data table under a row of column headers (none when `columns` is empty); `children` are the body rows. */
export function DataTable({
  columns,
  children,
  label = "Table (scrolls sideways)",
  testId,
  wrap = "region",
  tableLabel,
  style,
  empty,
}: {
  /** null and false leave a column out */
  columns: readonly (string | Column | null | false)[];
  children: ReactNode;
  /** the region's accessible name (wrap "region") */
  label?: string;
  testId?: string;
  wrap?: TableWrap;
  /** the table's own accessible name */
  tableLabel?: string;
  /** style of the scrolling box */
  style?: CSSProperties;
  /** when set (there are no rows), what is said in the table's place */
  empty?: ReactNode;
}) {
  if (empty) return <p className="empty">{empty}</p>;
  const shown = columns.filter((c): c is string | Column => c !== null && c !== false);
  const table = (
    <table className="data" data-testid={testId} aria-label={tableLabel}>
      {shown.length > 0 ? (
        <thead>
          <tr>
            {shown.map((c, i) => {
              const col: Column = typeof c === "string" ? { label: c } : c;
              return (
                <th key={i} scope="col" className={col.num ? "num" : undefined} title={col.title}>
                  {col.label}
                </th>
              );
            })}
          </tr>
        </thead>
      ) : null}
      <tbody>{children}</tbody>
    </table>
  );
  if (wrap === "bare") return table;
  if (wrap === "plain")
    return (
      <div className="table-wrap" style={style}>
        {table}
      </div>
    );
  return (
    <div className="table-wrap" tabIndex={0} role="region" aria-label={label} style={style}>
      {table}
    </div>
  );
}

/** A column of numbers, right-aligned. */
export const numeric = (label: ReactNode, title?: string): Column => ({ label, num: true, title });

/** A cell holding a link to a record's page (its name). */
export function LinkCell({ href, children }: { href: string; children: ReactNode }) {
  return (
    <td>
      <Link href={href}>{children}</Link>
    </td>
  );
}
