import type { CSSProperties } from "react";

/** A value as indented JSON in a focusable, scrolling log box named `label`. */
export function JsonBlock({ label, value, style }: { label: string; value: unknown; style?: CSSProperties }) {
  return (
    <pre className="log" tabIndex={0} role="region" aria-label={label} style={style}>
      {JSON.stringify(value, null, 2)}
    </pre>
  );
}

/** A panel showing one value as JSON under its heading. */
export function JsonPanel({ title, label, value }: { title: string; label: string; value: unknown }) {
  return (
    <section className="panel">
      <h2>{title}</h2>
      <JsonBlock label={label} value={value} />
    </section>
  );
}
