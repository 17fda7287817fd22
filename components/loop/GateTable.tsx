import Link from "next/link";
import { StatusBadge } from "@/components/StatusBadge";
import { formatDateTime } from "@/components/format";
import type { GateCheck, GateResult } from "@/lib/recsys/eval/gate";
import { DataTable, LinkCell } from "@/components/DataTable";

export interface RedistillRow {
  id: string;
  trigger: string;
  status: string;
  createdAt: Date;
  datasetId: string;
  candidateModelId: string | null;
  experimentId: string | null;
  jobRunId: string;
  gate: unknown;
  error: string | null;
}

const LABEL: Record<GateCheck["key"], string> = { ndcg10: "NDCG@10", longTailHr10: "Long-tail HR@10", latencyP99Us: "p99 latency (µs)" };

function checkText(c: GateCheck) {
  if (c.key === "latencyP99Us") return `${c.candidate.toFixed(0)} µs (budget ${c.limit} µs)`;
  return `${c.candidate.toFixed(4)} vs ${c.production?.toFixed(4)} (≥ ${c.limit.toFixed(4)})`;
}

/** Redistillations with their offline gate: each gate's values, limit, and by how much it passed or failed. */
export function GateTable({ runs }: { runs: RedistillRow[] }) {
  if (runs.length === 0) return <p className="muted">No redistillation yet.</p>;
  return (
    <DataTable columns={["When", "Trigger", "Outcome", "NDCG@10", "Long-tail HR@10", "p99 latency", "Result"]} wrap="plain">
      {runs.map((r) => {
        const gate = r.gate as GateResult | null;
        const cell = (key: GateCheck["key"]) => {
          const c = gate?.checks.find((x) => x.key === key);
          if (!c) return <td>—</td>;
          return (
            <td className={c.passed ? "" : "bad"} title={`${LABEL[key]} margin ${c.margin.toFixed(4)}`}>
              {c.passed ? "✓ " : "✗ "}
              {checkText(c)}
            </td>
          );
        };
        return (
          <tr key={r.id}>
            <LinkCell href={`/jobs/${r.jobRunId}`}>{formatDateTime(r.createdAt)}</LinkCell>
            <td>{r.trigger}</td>
            <td>
              <StatusBadge
                status={r.status === "passed" ? "succeeded" : r.status === "running" ? "running" : "failed"}
                label={r.status === "failed" ? `gate failed: ${gate?.failed.join(", ") ?? ""}` : r.status}
              />
            </td>
            {cell("ndcg10")}
            {cell("longTailHr10")}
            {cell("latencyP99Us")}
            <td>
              {r.experimentId ? <Link href={`/experiments/${r.experimentId}`}>experiment</Link> : null}
              {r.candidateModelId ? (
                <>
                  {r.experimentId ? " · " : null}
                  <Link href={`/models/${r.candidateModelId}`}>candidate</Link>
                </>
              ) : null}
              {r.error ? <span className="bad">{r.error}</span> : null}
            </td>
          </tr>
        );
      })}
    </DataTable>
  );
}
