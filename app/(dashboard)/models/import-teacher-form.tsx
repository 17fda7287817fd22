"use client";

import { useState, type FormEvent } from "react";
import { useRouter } from "next/navigation";
import { Field } from "@/components/Field";
import { useHydrated } from "@/components/useHydrated";
import { namedOptions, Select } from "@/components/Select";
import { ErrorAlert } from "@/components/ErrorAlert";

type Kind = "embeddings" | "ranked-lists";

/** Uploads a teacher trained elsewhere to POST /api/models/import (multipart) and opens the new model. */
export function ImportTeacherForm({ datasets, defaultDatasetId }: { datasets: { id: string; name: string }[]; defaultDatasetId?: string }) {
  const router = useRouter();
  const hydrated = useHydrated();
  const [kind, setKind] = useState<Kind>("embeddings");
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setPending(true);
    setError(null);
    setFieldErrors({});
    const form = new FormData(event.currentTarget);
    form.set("kind", kind);
    let response: Response;
    try {
      response = await fetch("/api/models/import", { method: "POST", body: form });
    } catch {
      setPending(false);
      setError("The server could not be reached");
      return;
    }
    const body = (await response.json().catch(() => null)) as { model?: { id: string }; message?: string; issues?: { path: string; message: string }[] } | null;
    if (response.ok && body?.model) {
      router.push(`/models/${body.model.id}`);
      return;
    }
    setPending(false);
    const errors: Record<string, string> = {};
    for (const issue of body?.issues ?? []) errors[issue.path] ??= issue.message;
    setFieldErrors(errors);
    setError(body?.message ?? `Import failed (${response.status})`);
  }

  const file = (id: string, name: string, label: string, accept: string, hint?: string) => (
    <Field id={id} label={label} error={fieldErrors[name]} hint={hint}>
      <input id={id} name={name} type="file" accept={accept} aria-invalid={Boolean(fieldErrors[name])} />
    </Field>
  );

  return (
    <form className="stack" onSubmit={onSubmit} noValidate style={{ maxWidth: 640 }}>
      <ErrorAlert error={error} />
      <Field id="import-kind" label="What the teacher is" error={fieldErrors.kind}>
        <div className="checkbox-row" id="import-kind">
          <label>
            <input type="radio" name="kind-choice" checked={kind === "embeddings"} onChange={() => setKind("embeddings")} />
            User and item embeddings (every method)
          </label>
          <label>
            <input type="radio" name="kind-choice" checked={kind === "ranked-lists"} onChange={() => setKind("ranked-lists")} />
            Ranked lists (RD and RRD only)
          </label>
        </div>
      </Field>
      <div className="grid cols-2">
        <Field id="import-dataset" label="Dataset it was trained on" error={fieldErrors.datasetId}>
          <Select id="import-dataset" name="datasetId" defaultValue={defaultDatasetId ?? datasets[0]?.id} options={namedOptions(datasets)} />
        </Field>
        <Field id="import-name" label="Name (optional)" error={fieldErrors.name}>
          <input id="import-name" name="name" type="text" placeholder="Imported teacher" />
        </Field>
      </div>
      {kind === "embeddings" ? (
        <div className="grid cols-2">
          {file("import-user-emb", "userEmbeddings", "User embeddings", ".npy,.safetensors", ".npy or .safetensors, users × dimension")}
          {file("import-user-ids", "userIds", "User ids", ".txt,.json,text/plain", "one id per line, in the matrix's row order")}
          {file("import-item-emb", "itemEmbeddings", "Item embeddings", ".npy,.safetensors", "same dimension as the users'")}
          {file("import-item-ids", "itemIds", "Item ids", ".txt,.json,text/plain", "one id per line, in row order")}
        </div>
      ) : (
        <>
          {file("import-ranked", "rankedLists", "Ranked lists", ".csv,.jsonl,.ndjson", "user,item,rank (rank 1 = best) as CSV, or one JSON object per line")}
          <p className="muted">
            Ranked lists teach RD and RRD. DE needs the teacher&apos;s embeddings: it learns to map the student&apos;s representation into the teacher&apos;s
            space, which a list of items does not carry; IR-RRD needs the teacher&apos;s ranking of users for each item.
          </p>
        </>
      )}
      <div>
        <button type="submit" disabled={pending || !hydrated}>
          {pending ? "Importing…" : "Import teacher"}
        </button>
      </div>
    </form>
  );
}
