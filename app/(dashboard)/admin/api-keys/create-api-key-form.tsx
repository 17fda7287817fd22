"use client";

import { useState, type FormEvent } from "react";
import { useRouter } from "next/navigation";
import { postJson } from "@/components/api-client";
import { Field } from "@/components/Field";
import { OneTimeSecret } from "@/components/OneTimeSecret";
import { FormMessageBox } from "@/components/useApiForm";
import { API_KEY_SCOPES } from "@/lib/auth/scopes";
import { useHydrated } from "@/components/useHydrated";

export function CreateApiKeyForm() {
  const router = useRouter();
  const [pending, setPending] = useState(false);
  const hydrated = useHydrated();
  const [error, setError] = useState<string | null>(null);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [created, setCreated] = useState<{ name: string; key: string } | null>(null);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    setPending(true);
    setError(null);
    setCreated(null);
    const result = await postJson<{ key: string; apiKey: { name: string } }>("/api/admin/api-keys", {
      name: form.get("name"),
      scopes: form.getAll("scopes"),
    });
    setPending(false);
    if (result.ok) {
      setFieldErrors({});
      setCreated({ name: result.data.apiKey.name, key: result.data.key });
      formElement.reset();
      router.refresh();
    } else {
      setFieldErrors(result.error.fieldErrors);
      setError(result.error.message);
    }
  }

  return (
    <>
      {created ? (
        <OneTimeSecret secret={created.key} testId="new-api-key">
          Key <strong>{created.name}</strong> created. Copy it now: it will not be shown again.
        </OneTimeSecret>
      ) : null}
      <FormMessageBox message={error ? { kind: "error", text: error } : null} spaced />
      <form className="inline" onSubmit={onSubmit} noValidate>
        <Field id="key-name" label="Name" error={fieldErrors.name}>
          <input id="key-name" name="name" type="text" placeholder="e.g. storefront-prod" required aria-invalid={Boolean(fieldErrors.name)} />
        </Field>
        <Field id="key-scopes" label="Scopes" error={fieldErrors.scopes ?? fieldErrors["scopes.0"]}>
          <div className="checkbox-row" id="key-scopes">
            {API_KEY_SCOPES.map((scope) => (
              <label key={scope}>
                <input type="checkbox" name="scopes" value={scope} defaultChecked />
                {scope}
              </label>
            ))}
          </div>
        </Field>
        <button type="submit" disabled={pending || !hydrated}>
          {pending ? "Creating…" : "Create key"}
        </button>
      </form>
    </>
  );
}
