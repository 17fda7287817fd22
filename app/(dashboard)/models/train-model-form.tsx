"use client";

import { useState, type FormEvent } from "react";
import { Field } from "@/components/Field";
import { useJobForm } from "@/components/jobs/useJobForm";
import { DEFAULT_PRESET, PRESET_NAMES, PRESETS, type PresetName } from "@/lib/recsys/presets";
import { rankedTeacherProblem, type DistillMethod } from "@/lib/recsys/distill/methods";
import { namedOptions, Select } from "@/components/Select";
import { ErrorAlert } from "@/components/ErrorAlert";

const METHODS = [
  { value: "de-rrd", label: "DE-RRD (experts + relaxed ranking)" },
  { value: "de-ir-rrd", label: "DE-IR-RRD (experts + relaxed ranking, user and item side)" },
  { value: "ir-rrd", label: "IR-RRD (relaxed ranking, user and item side)" },
  { value: "de", label: "DE (distillation experts)" },
  { value: "rrd", label: "RRD (relaxed ranking distillation)" },
  { value: "rd", label: "RD (ranking distillation, baseline)" },
  { value: "none", label: "none (student trained alone)" },
] as const satisfies readonly { value: DistillMethod; label: string }[];

const PRESET_OPTIONS = PRESET_NAMES.map((name) => ({ value: name, label: name }));

interface TeacherOption {
  id: string;
  name: string;
  datasetId: string;
  dimension: number;
  /** "ranked-lists" for a teacher imported as ranked lists (rd and rrd only) */
  architecture?: string;
}

function optionalNumber(value: FormDataEntryValue | null): number | undefined {
  if (value === null || String(value).trim() === "") return undefined;
  return Number(value);
}

export function TrainModelForm({
  datasets,
  teachers,
  defaultDatasetId,
}: {
  datasets: { id: string; name: string }[];
  teachers: TeacherOption[];
  defaultDatasetId?: string;
}) {
  const [role, setRole] = useState<"teacher" | "student">("student");
  const [datasetId, setDatasetId] = useState(defaultDatasetId ?? datasets[0]?.id ?? "");
  const [method, setMethod] = useState<string>(PRESETS[DEFAULT_PRESET].method);
  const [preset, setPreset] = useState<PresetName>(DEFAULT_PRESET);
  // a recipe brings its method, unless a method other than the current recipe's was chosen explicitly
  const choosePreset = (next: PresetName) => {
    if (method === PRESETS[preset].method) setMethod(PRESETS[next].method);
    setPreset(next);
  };
  const teachersHere = teachers.filter((t) => t.datasetId === datasetId);
  const [teacherId, setTeacherId] = useState<string>("");
  const chosenTeacher = teachersHere.find((t) => t.id === teacherId) ?? teachersHere[0];
  const rankedProblem = chosenTeacher?.architecture === "ranked-lists" && method !== "none" ? rankedTeacherProblem(method as DistillMethod) : null;

  const { submit, pending, hydrated, error, fieldErrors } = useJobForm("/api/models");

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const isStudent = role === "student";
    await submit({
      role,
      datasetId,
      name: String(form.get("name") ?? "").trim() || undefined,
      dimension: optionalNumber(form.get("dimension")),
      method: isStudent ? method : "none",
      preset,
      teacherModelId: isStudent && method !== "none" ? String(form.get("teacherModelId") ?? "") || undefined : undefined,
      epochs: optionalNumber(form.get("epochs")),
      seed: optionalNumber(form.get("seed")),
    });
  }

  return (
    <form className="stack" onSubmit={onSubmit} noValidate style={{ maxWidth: 640 }}>
      <ErrorAlert error={error} />
      <Field id="train-role" label="What to train" error={fieldErrors.role}>
        <div className="checkbox-row" id="train-role">
          <label>
            <input type="radio" name="role" value="teacher" checked={role === "teacher"} onChange={() => setRole("teacher")} />
            Teacher (large, trained alone)
          </label>
          <label>
            <input type="radio" name="role" value="student" checked={role === "student"} onChange={() => setRole("student")} />
            Student (small, distilled)
          </label>
        </div>
      </Field>
      <div className="grid cols-2">
        <Field id="train-dataset" label="Dataset" error={fieldErrors.datasetId}>
          <Select
            id="train-dataset"
            value={datasetId}
            onChange={(e) => setDatasetId(e.target.value)}
            aria-invalid={Boolean(fieldErrors.datasetId)}
            options={namedOptions(datasets)}
          />
        </Field>
        <Field id="train-name" label="Name (optional)" error={fieldErrors.name}>
          <input id="train-name" name="name" type="text" placeholder="generated from the settings" />
        </Field>
      </div>
      {role === "student" ? (
        <div className="grid cols-2">
          <Field id="train-method" label="Distillation method" error={fieldErrors.method}>
            <Select id="train-method" value={method} onChange={(e) => setMethod(e.target.value)} options={METHODS} />
          </Field>
          <Field
            id="train-teacher"
            label="Teacher"
            error={fieldErrors.teacherModelId}
            hint={teachersHere.length === 0 && method !== "none" ? "No teacher on this dataset yet: train one first." : undefined}
          >
            <Select
              id="train-teacher"
              name="teacherModelId"
              disabled={method === "none"}
              value={chosenTeacher?.id ?? ""}
              onChange={(e) => setTeacherId(e.target.value)}
              aria-invalid={Boolean(fieldErrors.teacherModelId)}
              options={teachersHere.map((t) => ({
                value: t.id,
                label: `${t.name} (${t.architecture === "ranked-lists" ? "ranked lists" : `d=${t.dimension}`})`,
              }))}
            />
          </Field>
        </div>
      ) : null}
      {rankedProblem ? (
        <div className="alert info" role="status">
          This teacher was imported as ranked lists: {rankedProblem}.
        </div>
      ) : null}
      <Field
        id="train-preset"
        label="Recipe"
        error={fieldErrors.preset}
        hint={<span data-testid="preset-summary">{`${PRESETS[preset].summary}. Epochs and the fields below override the recipe's values.`}</span>}
      >
        <Select id="train-preset" value={preset} onChange={(e) => choosePreset(e.target.value as PresetName)} options={PRESET_OPTIONS} />
      </Field>
      <div className="grid cols-3">
        <Field id="train-dimension" label="Dimension" error={fieldErrors.dimension}>
          <input
            key={role}
            id="train-dimension"
            name="dimension"
            type="number"
            min={1}
            max={1024}
            defaultValue={role === "teacher" ? 200 : 20}
            aria-invalid={Boolean(fieldErrors.dimension)}
          />
        </Field>
        <Field id="train-epochs" label="Epochs (optional)" error={fieldErrors.epochs}>
          <input id="train-epochs" name="epochs" type="number" min={1} max={1000} placeholder="the recipe's" aria-invalid={Boolean(fieldErrors.epochs)} />
        </Field>
        <Field id="train-seed" label="Seed" error={fieldErrors.seed}>
          <input id="train-seed" name="seed" type="number" min={0} defaultValue={42} aria-invalid={Boolean(fieldErrors.seed)} />
        </Field>
      </div>
      <div>
        <button type="submit" disabled={pending || !hydrated}>
          {pending ? "Starting…" : role === "teacher" ? "Train teacher" : "Distil student"}
        </button>
      </div>
    </form>
  );
}
