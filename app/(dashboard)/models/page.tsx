import { DataTable, LinkCell, numeric } from "@/components/DataTable";
import type { Metadata } from "next";
import Link from "next/link";
import { PageHeader } from "@/components/PageHeader";
import { StatusBadge } from "@/components/StatusBadge";
import { BarChart } from "@/components/charts/BarChart";
import { formatBytes, formatCompact, formatDateTime, formatMetric } from "@/components/format";
import { HR10_KEYS, NDCG10_KEYS, pickMetric } from "@/components/metrics";
import { requirePageUser } from "@/lib/auth/current";
import { hasRole } from "@/lib/auth/roles";
import { listDatasetChoices } from "@/lib/db/datasets";
import { listModels, MODEL_SORTS, searchModels, type ModelSort } from "@/lib/db/models";
import { TrainModelForm } from "./train-model-form";
import { ImportTeacherForm } from "./import-teacher-form";
import { Field } from "@/components/Field";
import { namedOptions, Select } from "@/components/Select";
import { ButtonLink } from "@/components/ButtonLink";

export const metadata: Metadata = { title: "Models" };

const METHODS = ["teacher", "none", "rd", "de", "rrd", "de-rrd"] as const;
const SORT_LABELS: Record<ModelSort, string> = {
  newest: "newest first",
  oldest: "oldest first",
  name: "name",
  ndcg10: "test NDCG@10, best first",
  size: "size, smallest first",
};
const ANY = { value: "", label: "any" };
const METHOD_OPTIONS = METHODS.map((m) => ({ value: m, label: m === "teacher" ? "teacher (trained alone)" : m }));
const str = (v: string | string[] | undefined) => (typeof v === "string" && v.length > 0 && v.length < 100 ? v : undefined);

export default async function ModelsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { user } = await requirePageUser();
  const query = await searchParams;
  const selectedDataset = str(query.datasetId);
  const role = str(query.role) === "teacher" || str(query.role) === "student" ? (str(query.role) as "teacher" | "student") : undefined;
  const method = METHODS.find((m) => m === str(query.method));
  const status = str(query.status) === "archived" || str(query.status) === "all" ? (str(query.status) as "archived" | "all") : "active";
  const sort = MODEL_SORTS.find((s) => s === str(query.sort)) ?? "newest";
  const [models, teachers, datasets] = await Promise.all([
    searchModels({ datasetId: selectedDataset, role, method, status, sort }),
    listModels(undefined, { role: "teacher", take: 500 }),
    listDatasetChoices(),
  ]);
  const bars = models
    .map((m) => ({ label: m.name, value: pickMetric(m.metrics, NDCG10_KEYS), tone: m.role, note: `(d=${m.dimension})` }))
    .filter((b): b is { label: string; value: number; tone: "teacher" | "student"; note: string } => b.value !== null);

  return (
    <>
      <PageHeader
        title="Models"
        description="Teachers (large BPR-MF) and the students distilled from them, with their offline quality and size."
        actions={
          <>
            <ButtonLink href="/models/compare" label="Compare" />
            {selectedDataset ? <ButtonLink href="/models" label="Show all datasets" secondary /> : null}
          </>
        }
      />
      <section className="panel">
        <form method="get" className="filters" aria-label="Filter and sort models">
          <Field id="f-role" label="Role">
            <Select id="f-role" name="role" defaultValue={role ?? ""} options={[ANY, "teacher", "student"]} />
          </Field>
          <Field id="f-dataset" label="Dataset">
            <Select id="f-dataset" name="datasetId" defaultValue={selectedDataset ?? ""} options={[ANY, ...namedOptions(datasets)]} />
          </Field>
          <Field id="f-method" label="Method">
            <Select id="f-method" name="method" defaultValue={method ?? ""} options={[ANY, ...METHOD_OPTIONS]} />
          </Field>
          <Field id="f-status" label="Status">
            <Select id="f-status" name="status" defaultValue={status} options={["active", "archived", "all"]} />
          </Field>
          <Field id="f-sort" label="Sort by">
            <Select id="f-sort" name="sort" defaultValue={sort} options={MODEL_SORTS.map((s) => ({ value: s, label: SORT_LABELS[s] }))} />
          </Field>
          <button type="submit" className="secondary">
            Apply
          </button>
        </form>
        <DataTable
          empty={models.length === 0 && "No models match."}
          columns={[
            "Model",
            "Role",
            numeric("Dim"),
            numeric("Params"),
            numeric("Size"),
            "Lineage",
            "Method",
            "Dataset",
            numeric("N@10"),
            numeric("H@10"),
            "Created",
          ]}
          wrap="plain"
        >
          {models.map((m) => (
            <tr key={m.id}>
              <LinkCell href={`/models/${m.id}`}>{m.name}</LinkCell>
              <td>
                <StatusBadge status={m.role} />
                {m.archivedAt ? <span className="badge"> archived</span> : null}
              </td>
              <td className="num">{m.dimension}</td>
              <td className="num">{formatCompact(m.parameterCount)}</td>
              <td className="num">{formatBytes(m.sizeBytes)}</td>
              <td>
                {m.teacher ? (
                  <span className="lineage">
                    <Link href={`/models/${m.teacher.id}`}>{m.teacher.name}</Link>
                    <span className="arrow">→</span>
                    <span>this</span>
                  </span>
                ) : (
                  <span className="muted">{m.role === "teacher" ? "trained alone" : "no teacher"}</span>
                )}
              </td>
              <td>{m.distillationMethod ?? "—"}</td>
              <LinkCell href={`/datasets/${m.dataset.id}`}>{m.dataset.name}</LinkCell>
              <td className="num">{formatMetric(pickMetric(m.metrics, NDCG10_KEYS))}</td>
              <td className="num">{formatMetric(pickMetric(m.metrics, HR10_KEYS))}</td>
              <td>{formatDateTime(m.createdAt)}</td>
            </tr>
          ))}
        </DataTable>
      </section>
      {bars.length > 0 ? (
        <section className="panel">
          <h2>Test NDCG@10</h2>
          <BarChart
            title="Test NDCG@10 per model"
            categories={bars.map((b) => `${b.label} ${b.note}`)}
            series={[{ name: "test NDCG@10", values: bars.map((b) => b.value) }]}
            categoryColors={bars.map((b) => (b.tone === "teacher" ? "#1f5fa8" : "#1f7a4a"))}
            valueLabel="NDCG@10 (test split, held-out item among 1 + 499 sampled)"
          />
        </section>
      ) : null}
      {hasRole(user.role, "editor") ? (
        <section className="panel">
          <h2>Train or distil</h2>
          {datasets.length === 0 ? (
            <p className="muted">
              Create a <Link href="/datasets">dataset</Link> first.
            </p>
          ) : (
            <TrainModelForm
              datasets={datasets}
              teachers={teachers.map((t) => ({ id: t.id, name: t.name, datasetId: t.dataset.id, dimension: t.dimension, architecture: t.architecture }))}
              defaultDatasetId={selectedDataset}
            />
          )}
        </section>
      ) : null}
      {hasRole(user.role, "editor") && datasets.length > 0 ? (
        <section className="panel">
          <h2>Import a teacher trained elsewhere</h2>
          <ImportTeacherForm datasets={datasets} defaultDatasetId={selectedDataset} />
        </section>
      ) : null}
    </>
  );
}
