// Number formats charts take as props: strings, since a server page cannot pass functions to a client chart.
import { formatShare } from "@/lib/format";

export type NumberFormat =
  | `fixed:${number}`
  | `percent:${number}`
  /** signed percent: "+1.2%" */
  | `lift:${number}`
  | `ms:${number}`
  | `us:${number}`
  | "int"
  | "compact"
  | "time"
  | "usd";

export function formatter(spec: NumberFormat): (v: number) => string {
  const [kind, arg] = spec.split(":");
  const digits = arg === undefined ? 0 : Number(arg);
  switch (kind) {
    case "fixed":
      return (v) => v.toFixed(digits);
    case "percent":
      return (v) => formatShare(v, digits);
    case "lift":
      return (v) => `${v > 0 ? "+" : v < 0 ? "−" : ""}${Math.abs(v * 100).toFixed(digits)}%`;
    case "ms":
      return (v) => `${v.toFixed(digits)} ms`;
    case "us":
      return (v) => `${v.toFixed(digits)} µs`;
    case "int":
      return (v) => Math.round(v).toLocaleString("en-US");
    case "compact":
      return (v) => Intl.NumberFormat("en-US", { notation: "compact", maximumFractionDigits: 1 }).format(v);
    case "time":
      return (v) => `${new Date(v).toISOString().slice(11, 16)}`;
    case "usd":
      return (v) => `$${v.toLocaleString("en-US", { maximumFractionDigits: v < 100 ? 2 : 0 })}`;
    default:
      return (v) => String(v);
  }
}
