import { Fragment, type ReactNode } from "react";

/** One term of a facts list: its label, its value and an optional class of the value (e.g. "mono"). */
export type Fact = readonly [label: string, value: ReactNode, valueClass?: string];

/** A two-column list of labelled facts; null and false entries are left out. */
export function Facts({ items }: { items: readonly (Fact | null | false)[] }) {
  return (
    <dl className="facts">
      {items
        .filter((f): f is Fact => Boolean(f))
        .map(([label, value, valueClass]) => (
          <Fragment key={label}>
            <dt>{label}</dt>
            <dd className={valueClass}>{value}</dd>
          </Fragment>
        ))}
    </dl>
  );
}
