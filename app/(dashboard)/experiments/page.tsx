import { DataTable, LinkCell } from "@/components/DataTable";
import type { Metadata } from "next";
import { PageHeader } from "@/components/PageHeader";
import { formatDateTime } from "@/components/format";
import { requirePageUser } from "@/lib/auth/current";
import { hasRole } from "@/lib/auth/roles";
import { listExperiments } from "@/lib/db/experiment-queries";
import { getProductionSlot } from "@/lib/db/serving";
import { ExperimentStatusBadge } from "./status-badge";
import { ButtonLink } from "@/components/ButtonLink";

export const metadata: Metadata = { title: "Experiments" };

export default async function ExperimentsPage() {
  const { user } = await requirePageUser();
  const [experiments, slot] = await Promise.all([listExperiments(), getProductionSlot()]);

  return (
    <>
      <PageHeader
        title="Experiments"
        description={
          <>
            A/B tests of a distilled student against the production model, with a guarded ramp and an approved cutover. Production serves{" "}
            <strong>{slot ? `${slot.model.name} (v${slot.version})` : "no model yet"}</strong>.
          </>
        }
        actions={hasRole(user.role, "editor") ? <ButtonLink href="/experiments/new" label="New experiment" /> : null}
      />
      <section className="panel">
        <DataTable
          empty={
            experiments.length === 0 && <>No experiments yet.{hasRole(user.role, "editor") ? " Create one to put a student in front of real traffic." : ""}</>
          }
          columns={["Name", "Status", "Stage", "Control → candidate", "Created by", "Started"]}
          wrap="plain"
          testId="experiments-table"
        >
          {experiments.map((e) => {
            const control = e.variants.find((v) => v.key === "control")?.model;
            const candidate = e.variants.find((v) => v.key === "candidate")?.model;
            const percent = e.currentStageIndex >= 0 ? e.rampSchedule[e.currentStageIndex] : null;
            return (
              <tr key={e.id}>
                <LinkCell href={`/experiments/${e.id}`}>{e.name}</LinkCell>
                <td>
                  <ExperimentStatusBadge status={e.status} />
                </td>
                <td className="mono">
                  {percent === null ? "—" : `${percent}%`} <span className="muted">of {e.rampSchedule.join(" → ")}</span>
                </td>
                <td>
                  {control?.name ?? "?"} → {candidate?.name ?? "?"}
                </td>
                <td>{e.createdBy.email}</td>
                <td>{formatDateTime(e.startedAt)}</td>
              </tr>
            );
          })}
        </DataTable>
      </section>
    </>
  );
}
