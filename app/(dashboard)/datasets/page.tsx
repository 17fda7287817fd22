import { DataTable, LinkCell, numeric } from "@/components/DataTable";
import type { Metadata } from "next";
import { PageHeader } from "@/components/PageHeader";
import { formatDateTime, formatDensity, formatInt } from "@/components/format";
import { requirePageUser } from "@/lib/auth/current";
import { hasRole } from "@/lib/auth/roles";
import { listDatasets } from "@/lib/db/datasets";
import { GenerateDatasetForm } from "./generate-dataset-form";
import { ButtonLink } from "@/components/ButtonLink";

export const metadata: Metadata = { title: "Datasets" };

export default async function DatasetsPage() {
  const { user } = await requirePageUser();
  const datasets = await listDatasets();
  return (
    <>
      <PageHeader
        title="Datasets"
        description="Implicit-feedback snapshots that teachers and students are trained and evaluated on."
        actions={hasRole(user.role, "editor") ? <ButtonLink href="/datasets/import" label="Import a dataset" /> : null}
      />
      <section className="panel">
        <DataTable
          empty={datasets.length === 0 && <>No datasets yet.{hasRole(user.role, "editor") ? " Import your own or generate a synthetic one below." : ""}</>}
          columns={[
            "Name",
            "Source",
            numeric("Users"),
            numeric("Items"),
            numeric("Interactions"),
            numeric("Density"),
            numeric("Models"),
            "Snapshot",
            "Created",
          ]}
          wrap="plain"
        >
          {datasets.map((d) => (
            <tr key={d.id}>
              <LinkCell href={`/datasets/${d.id}`}>{d.name}</LinkCell>
              <td>{d.source}</td>
              <td className="num">{formatInt(d.numUsers)}</td>
              <td className="num">{formatInt(d.numItems)}</td>
              <td className="num">{formatInt(d.numInteractions)}</td>
              <td className="num">{formatDensity(d.numInteractions, d.numUsers, d.numItems)}</td>
              <td className="num">{d._count.models}</td>
              <td className="mono">{d.snapshot.slice(0, 12)}</td>
              <td>{formatDateTime(d.createdAt)}</td>
            </tr>
          ))}
        </DataTable>
      </section>
      {hasRole(user.role, "editor") ? (
        <section className="panel">
          <h2>Generate a synthetic dataset</h2>
          <p className="muted" style={{ marginTop: -6 }}>
            Users and items from latent clusters, power-law popularity and a minority of niche users; deterministic by seed. Runs as a background job.
          </p>
          <GenerateDatasetForm />
        </section>
      ) : null}
    </>
  );
}
