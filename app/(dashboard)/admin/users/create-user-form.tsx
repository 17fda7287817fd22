"use client";

import { useState, type FormEvent } from "react";
import { useRouter } from "next/navigation";
import { postJson } from "@/components/api-client";
import { Field } from "@/components/Field";
import { MIN_PASSWORD_LENGTH } from "@/lib/auth/password-policy";
import { ROLES } from "@/lib/auth/roles";
import { useHydrated } from "@/components/useHydrated";

export function CreateUserForm() {
  const router = useRouter();
  const [pending, setPending] = useState(false);
  const hydrated = useHydrated();
  const [message, setMessage] = useState<{ kind: "error" | "success"; text: string } | null>(null);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    setPending(true);
    setMessage(null);
    const result = await postJson<{ user: { email: string } }>("/api/admin/users", {
      email: form.get("email"),
      name: form.get("name") || undefined,
      role: form.get("role"),
      password: form.get("password"),
    });
    setPending(false);
    if (result.ok) {
      setFieldErrors({});
      setMessage({ kind: "success", text: `Created ${result.data.user.email}` });
      formElement.reset();
      router.refresh();
    } else {
      setFieldErrors(result.error.fieldErrors);
      setMessage({ kind: "error", text: result.error.message });
    }
  }

  return (
    <form className="stack" onSubmit={onSubmit} noValidate>
      {message ? (
        <div className={`alert ${message.kind}`} role={message.kind === "error" ? "alert" : "status"}>
          {message.text}
        </div>
      ) : null}
      <Field id="new-email" label="Email" error={fieldErrors.email}>
        <input id="new-email" name="email" type="email" required aria-invalid={Boolean(fieldErrors.email)} />
      </Field>
      <Field id="new-name" label="Name (optional)" error={fieldErrors.name}>
        <input id="new-name" name="name" type="text" />
      </Field>
      <Field id="new-role" label="Role" error={fieldErrors.role}>
        <select id="new-role" name="role" defaultValue="viewer">
          {ROLES.map((role) => (
            <option key={role} value={role}>
              {role}
            </option>
          ))}
        </select>
      </Field>
      <Field id="new-password" label="Initial password" error={fieldErrors.password} hint={`At least ${MIN_PASSWORD_LENGTH} characters; they can change it under Account.`}>
        <input id="new-password" name="password" type="password" autoComplete="new-password" required aria-invalid={Boolean(fieldErrors.password)} />
      </Field>
      <div>
        <button type="submit" disabled={pending || !hydrated}>
          {pending ? "Creating…" : "Create user"}
        </button>
      </div>
    </form>
  );
}
