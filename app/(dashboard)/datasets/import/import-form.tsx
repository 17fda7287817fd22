"use client";

import { useState } from "react";
import { useRouter } from "next/navigation";
import { postJson } from "@/components/api-client";
import { Field } from "@/components/Field";
import { formatBytes, formatInt } from "@/components/format";
import type { JobView } from "@/lib/jobs/view";
import { useHydrated } from "@/components/useHydrated";
import type { ImportPreview } from "@/lib/recsys/data/import";
import { Select } from "@/components/Select";
import { DataTable, numeric } from "@/components/DataTable";
import { ErrorAlert } from "@/components/ErrorAlert";

type Preview = ImportPreview & { fileName: string };
type Source = { uploadId: string } | { path: string };
type SplitKind = "loo-time" | "loo-random" | "time-cutoff";

interface Options {
  format: "" | "movielens" | "csv" | "tsv-dir";
  delimiter: string;
  header: boolean;
  user: number;
  item: number;
  timestamp: number | -1;
  weight: number | -1;
  minWeight: string;
  split: SplitKind;
  seed: string;
  cutoff: string;
}

const DELIMITERS: [string, string][] = [
  [",", "comma ,"],
  ["\t", "tab"],
  [";", "semicolon ;"],
  ["|", "pipe |"],
];

function delimiterLabel(d: string | null): string {
  return DELIMITERS.find(([v]) => v === d)?.[1] ?? d ?? "—";
}

function optionsFrom(p: Preview): Options {
  return {
    format: p.format,
    delimiter: p.delimiter ?? ",",
    header: p.header,
    user: p.mapping?.user ?? 0,
    item: p.mapping?.item ?? 1,
    timestamp: p.mapping?.timestamp ?? -1,
    weight: p.mapping?.weight ?? -1,
    minWeight: p.minWeight === null ? "" : String(p.minWeight),
    split: p.hasTimestamps ? "loo-time" : "loo-random",
    seed: "0",
    cutoff: "",
  };
}

/** the request body's parse options (what the preview and the job share) */
function parseOptions(o: Options, p: Preview | null) {
  if (!p || o.format === "tsv-dir" || p.format === "tsv-dir") return o.format ? { format: o.format } : {};
  const minWeight = o.minWeight.trim() === "" ? undefined : Number(o.minWeight);
  return {
    format: o.format || undefined,
    delimiter: o.delimiter,
    header: o.header,
    mapping: { user: o.user, item: o.item, ...(o.timestamp >= 0 ? { timestamp: o.timestamp } : {}), ...(o.weight >= 0 ? { weight: o.weight } : {}) },
    ...(minWeight !== undefined ? { minWeight } : {}),
  };
}

function formatTime(t: number | null): string {
  if (t === null) return "—";
  const d = new Date(t * 1000);
  return Number.isNaN(d.getTime())
    ? String(t)
    : d
        .toISOString()
        .replace("T", " ")
        .replace(/\.000Z$/, "Z");
}

/** uploads with progress (fetch has no upload progress) */
function uploadFile(file: File, onProgress: (fraction: number) => void): Promise<{ ok: true; id: string } | { ok: false; message: string }> {
  return new Promise((resolve) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", "/api/datasets/import/uploads");
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress(e.loaded / e.total);
    };
    xhr.onload = () => {
      let body: { upload?: { id: string }; message?: string } = {};
      try {
        body = JSON.parse(xhr.responseText) as typeof body;
      } catch {
        // not JSON: described by the status below
      }
      if (xhr.status === 201 && body.upload) resolve({ ok: true, id: body.upload.id });
      else resolve({ ok: false, message: body.message ?? `Upload failed (${xhr.status})` });
    };
    xhr.onerror = () => resolve({ ok: false, message: "The upload was interrupted: the server could not be reached" });
    const form = new FormData();
    form.set("file", file, file.name);
    xhr.send(form);
  });
}

export function ImportForm({ serverFiles }: { serverFiles: { name: string; kind: "file" | "directory"; size: number }[] | null }) {
  const router = useRouter();
  const hydrated = useHydrated();
  const [mode, setMode] = useState<"upload" | "server">("upload");
  const [file, setFile] = useState<File | null>(null);
  const [serverPath, setServerPath] = useState(serverFiles?.[0]?.name ?? "");
  const [source, setSource] = useState<Source | null>(null);
  const [uploadProgress, setUploadProgress] = useState<number | null>(null);
  const [preview, setPreview] = useState<Preview | null>(null);
  const [options, setOptions] = useState<Options | null>(null);
  const [name, setName] = useState("");
  const [busy, setBusy] = useState<null | "preview" | "import">(null);
  const [error, setError] = useState<string | null>(null);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});

  const set = (patch: Partial<Options>) => setOptions((o) => (o ? { ...o, ...patch } : o));

  async function runPreview(src: Source, opts: Options | null) {
    const r = await postJson<{ preview: Preview }>("/api/datasets/import/preview", {
      source: src,
      ...parseOptions(opts ?? ({ format: "" } as Options), opts ? preview : null),
    });
    if (!r.ok) {
      setError(r.error.message);
      setFieldErrors(r.error.fieldErrors);
      return;
    }
    setPreview(r.data.preview);
    setOptions((o) => (opts && o ? { ...o, ...optionsFromKeep(o, r.data.preview) } : optionsFrom(r.data.preview)));
    setName((n) => n || r.data.preview.fileName.replace(/(\.gz)?$/, "").replace(/\.(csv|tsv|txt|zip)$/i, ""));
  }

  /** re-preview keeps the person's choices; only the split default follows the timestamp column */
  function optionsFromKeep(o: Options, p: Preview): Partial<Options> {
    return { split: o.split === "loo-time" && !p.hasTimestamps ? "loo-random" : o.split };
  }

  async function onPreview() {
    setError(null);
    setFieldErrors({});
    setPreview(null);
    setOptions(null);
    setBusy("preview");
    try {
      let src: Source;
      if (mode === "upload") {
        if (!file) {
          setFieldErrors({ file: "Choose a file" });
          return;
        }
        setUploadProgress(0);
        const up = await uploadFile(file, setUploadProgress);
        setUploadProgress(null);
        if (!up.ok) {
          setError(up.message);
          return;
        }
        src = { uploadId: up.id };
      } else {
        if (!serverPath.trim()) {
          setFieldErrors({ "source.path": "Name a file under IMPORT_DIR" });
          return;
        }
        src = { path: serverPath.trim() };
      }
      setSource(src);
      await runPreview(src, null);
    } finally {
      setBusy(null);
    }
  }

  async function onRefresh() {
    if (!source || !options) return;
    setError(null);
    setFieldErrors({});
    setBusy("preview");
    try {
      await runPreview(source, options);
    } finally {
      setBusy(null);
    }
  }

  async function onImport() {
    if (!source || !options || !preview) return;
    setError(null);
    setFieldErrors({});
    setBusy("import");
    const seed = Number(options.seed || "0");
    const split =
      preview.format === "tsv-dir"
        ? undefined
        : options.split === "time-cutoff"
          ? { kind: options.split, cutoff: /^\d{4}-\d\d-\d\dT\d\d:\d\d$/.test(options.cutoff) ? `${options.cutoff}Z` : options.cutoff, seed }
          : { kind: options.split, seed };
    const r = await postJson<{ job: JobView }>("/api/datasets/import", { name, source, ...parseOptions(options, preview), ...(split ? { split } : {}) });
    if (r.ok) {
      router.push(`/jobs/${r.data.job.id}`);
      return;
    }
    setBusy(null);
    setError(r.error.message);
    setFieldErrors(r.error.fieldErrors);
  }

  const columns = preview?.columns ?? [];
  const tsvDir = preview?.format === "tsv-dir";
  const columnSelect = (id: string, label: string, value: number, onChange: (v: number) => void, optional: boolean) => (
    <Field id={id} label={label}>
      <Select
        id={id}
        value={value}
        onChange={(e) => onChange(Number(e.target.value))}
        options={[...(optional ? [{ value: -1, label: "(none)" }] : []), ...columns.map((c, k) => ({ value: k, label: c || `column ${k + 1}` }))]}
      />
    </Field>
  );

  return (
    <>
      <section className="panel" aria-labelledby="step1">
        <h2 id="step1">1. Choose the data</h2>
        <div className="checkbox-row" role="radiogroup" aria-label="Where the data is" style={{ marginBottom: 12 }}>
          <label>
            <input type="radio" name="mode" checked={mode === "upload"} onChange={() => setMode("upload")} /> Upload a file
          </label>
          <label>
            <input type="radio" name="mode" checked={mode === "server"} onChange={() => setMode("server")} disabled={serverFiles === null} /> A file on the
            server
            {serverFiles === null ? <span className="muted"> (set IMPORT_DIR to enable)</span> : null}
          </label>
        </div>
        <div className="inline" style={{ display: "flex", gap: 10, alignItems: "flex-end", flexWrap: "wrap" }}>
          {mode === "upload" ? (
            <Field id="import-file" label="File" error={fieldErrors.file} hint=".csv, .tsv, .gz or a .zip of train/valid/test.tsv">
              <input
                id="import-file"
                type="file"
                accept=".csv,.tsv,.txt,.gz,.zip,text/csv,text/tab-separated-values,application/gzip,application/zip"
                onChange={(e) => setFile(e.target.files?.[0] ?? null)}
              />
            </Field>
          ) : (
            <Field id="import-path" label="Path under IMPORT_DIR" error={fieldErrors["source.path"]}>
              <input
                id="import-path"
                type="text"
                list="import-files"
                value={serverPath}
                onChange={(e) => setServerPath(e.target.value)}
                style={{ minWidth: 260 }}
              />
              <datalist id="import-files">
                {(serverFiles ?? []).map((f) => (
                  <option key={f.name} value={f.name}>
                    {f.kind === "directory" ? "directory" : formatBytes(f.size)}
                  </option>
                ))}
              </datalist>
            </Field>
          )}
          <button type="button" onClick={onPreview} disabled={!hydrated || busy !== null}>
            {busy === "preview" ? (uploadProgress !== null ? `Uploading ${Math.round(uploadProgress * 100)}%…` : "Reading…") : "Preview"}
          </button>
        </div>
        {error && !preview ? (
          <div className="alert error" role="alert" style={{ marginTop: 12 }}>
            {error}
          </div>
        ) : null}
      </section>

      {preview && options ? (
        <>
          <section className="panel" aria-labelledby="preview-title">
            <h2 id="preview-title">Preview of {preview.fileName}</h2>
            <dl className="facts" data-testid="preview-facts">
              <dt>Format</dt>
              <dd>
                {preview.format === "tsv-dir" ? "train/valid/test.tsv (split given)" : preview.format === "movielens" ? "MovieLens ratings" : "CSV/TSV"}
                {preview.gzip ? ", gzip" : ""}
                {preview.zip ? ", zip" : ""}
              </dd>
              <dt>Size</dt>
              <dd>{formatBytes(preview.size)}</dd>
              {!tsvDir ? (
                <>
                  <dt>Delimiter</dt>
                  <dd>{delimiterLabel(preview.delimiter)}</dd>
                  <dt>Columns</dt>
                  <dd>{preview.columns.join(", ")}</dd>
                </>
              ) : null}
              <dt>Rows</dt>
              <dd data-testid="preview-rows">
                {preview.exact
                  ? formatInt(preview.estimatedRows)
                  : `about ${formatInt(preview.estimatedRows)} (estimated from the first ${formatInt(preview.sampledLines)} lines)`}
              </dd>
            </dl>
            <DataTable
              columns={[numeric("Line"), "User", "Item", !tsvDir && "Time (UTC)", !tsvDir && options.weight >= 0 && numeric("Weight")]}
              wrap="plain"
              tableLabel="First rows"
              style={{ marginTop: 12 }}
            >
              {preview.rows.map((r) => (
                <tr key={r.line} className={r.kept ? undefined : "muted"}>
                  <td className="num">{r.line}</td>
                  <td className="mono">{r.user}</td>
                  <td className="mono">{r.item}</td>
                  {!tsvDir ? <td>{formatTime(r.timestamp)}</td> : null}
                  {!tsvDir && options.weight >= 0 ? (
                    <td className="num">
                      {r.weight ?? "—"}
                      {r.kept ? "" : " (below threshold)"}
                    </td>
                  ) : null}
                </tr>
              ))}
            </DataTable>
            {preview.errors.length > 0 ? (
              <div className="alert error" role="alert" style={{ marginTop: 12 }} data-testid="preview-errors">
                <strong>
                  {preview.errors.length} problem{preview.errors.length === 1 ? "" : "s"} in the first lines — importing would stop at the first:
                </strong>
                <ul style={{ margin: "6px 0 0", paddingLeft: 18 }}>
                  {preview.errors.map((e) => (
                    <li key={`${e.line}-${e.message}`}>{e.message}</li>
                  ))}
                </ul>
              </div>
            ) : (
              <p className="muted" style={{ marginTop: 10 }}>
                No problems in the lines read{preview.exact ? " (the whole file)" : ""}.
              </p>
            )}
          </section>

          <section className="panel" aria-labelledby="step2">
            <h2 id="step2">2. Columns and split</h2>
            {!tsvDir ? (
              <>
                <div style={{ display: "flex", gap: 10, alignItems: "flex-end", flexWrap: "wrap" }}>
                  <Field id="import-format" label="Format">
                    <select id="import-format" value={options.format} onChange={(e) => set({ format: e.target.value as Options["format"] })}>
                      <option value="csv">CSV/TSV with a header</option>
                      <option value="movielens">MovieLens ratings.csv</option>
                    </select>
                  </Field>
                  <Field id="import-delimiter" label="Delimiter">
                    <Select
                      id="import-delimiter"
                      value={options.delimiter}
                      onChange={(e) => set({ delimiter: e.target.value })}
                      options={DELIMITERS.map(([v, l]) => ({ value: v, label: l }))}
                    />
                  </Field>
                  <div className="field">
                    <label htmlFor="import-header">Header row</label>
                    <input id="import-header" type="checkbox" checked={options.header} onChange={(e) => set({ header: e.target.checked })} />
                  </div>
                </div>
                <div style={{ display: "flex", gap: 10, alignItems: "flex-end", flexWrap: "wrap", marginTop: 12 }}>
                  {columnSelect("map-user", "User column", options.user, (v) => set({ user: v }), false)}
                  {columnSelect("map-item", "Item column", options.item, (v) => set({ item: v }), false)}
                  {columnSelect(
                    "map-time",
                    "Time column",
                    options.timestamp,
                    (v) => set({ timestamp: v, split: v < 0 && options.split !== "loo-random" ? "loo-random" : options.split }),
                    true,
                  )}
                  {columnSelect("map-weight", "Weight column", options.weight, (v) => set({ weight: v }), true)}
                  <Field
                    id="import-min-weight"
                    label="Keep rows with weight ≥"
                    hint={options.format === "movielens" ? "MovieLens default 4" : "empty: keep all"}
                    error={fieldErrors.minWeight}
                  >
                    <input
                      id="import-min-weight"
                      type="number"
                      step="any"
                      value={options.minWeight}
                      onChange={(e) => set({ minWeight: e.target.value })}
                      style={{ width: 110 }}
                      disabled={options.weight < 0}
                    />
                  </Field>
                  <button type="button" className="secondary" onClick={onRefresh} disabled={busy !== null}>
                    Update preview
                  </button>
                </div>
                {fieldErrors.mapping ? <p className="field-error">{fieldErrors.mapping}</p> : null}
                <fieldset style={{ border: 0, padding: 0, margin: "16px 0 0" }}>
                  <legend style={{ fontWeight: 600, fontSize: 13, marginBottom: 6 }}>Split (validation and test items per user)</legend>
                  <div className="checkbox-row" style={{ flexDirection: "column", gap: 6 }}>
                    <label>
                      <input
                        type="radio"
                        name="split"
                        checked={options.split === "loo-time"}
                        disabled={options.timestamp < 0}
                        onChange={() => set({ split: "loo-time" })}
                      />{" "}
                      Leave-one-out by latest time: each user&apos;s latest item is test, the one before validation
                    </label>
                    <label>
                      <input type="radio" name="split" checked={options.split === "loo-random"} onChange={() => set({ split: "loo-random" })} /> Random
                      leave-one-out by seed
                    </label>
                    <label>
                      <input
                        type="radio"
                        name="split"
                        checked={options.split === "time-cutoff"}
                        disabled={options.timestamp < 0}
                        onChange={() => set({ split: "time-cutoff" })}
                      />{" "}
                      Time cut-off: everything after a date is the future (each user&apos;s first item after it is test)
                    </label>
                  </div>
                </fieldset>
                <div style={{ display: "flex", gap: 10, alignItems: "flex-end", flexWrap: "wrap", marginTop: 10 }}>
                  {options.split === "time-cutoff" ? (
                    <Field id="import-cutoff" label="Cut-off (UTC)" error={fieldErrors["split.cutoff"]}>
                      <input id="import-cutoff" type="datetime-local" value={options.cutoff} onChange={(e) => set({ cutoff: e.target.value })} />
                    </Field>
                  ) : null}
                  <Field id="import-seed" label={options.split === "loo-random" ? "Seed" : "Seed (breaks time ties)"} error={fieldErrors["split.seed"]}>
                    <input id="import-seed" type="number" min={0} value={options.seed} onChange={(e) => set({ seed: e.target.value })} style={{ width: 90 }} />
                  </Field>
                </div>
              </>
            ) : (
              <p className="muted">The files are already split: train.tsv, valid.tsv and test.tsv are imported as they are.</p>
            )}
            <div style={{ display: "flex", gap: 10, alignItems: "flex-end", flexWrap: "wrap", marginTop: 16 }}>
              <Field id="import-name" label="Dataset name" error={fieldErrors.name}>
                <input
                  id="import-name"
                  type="text"
                  value={name}
                  onChange={(e) => setName(e.target.value)}
                  style={{ minWidth: 240 }}
                  aria-invalid={Boolean(fieldErrors.name)}
                />
              </Field>
              <button type="button" onClick={onImport} disabled={busy !== null || !hydrated}>
                {busy === "import" ? "Starting…" : "Import"}
              </button>
            </div>
            <ErrorAlert error={error} style={{ marginTop: 12 }} />
          </section>
        </>
      ) : null}
    </>
  );
}
