"use client";

import { postJson } from "@/components/api-client";
import { Field } from "@/components/Field";
import { FormMessageBox, useApiForm } from "@/components/useApiForm";
import { MIN_PASSWORD_LENGTH } from "@/lib/auth/password-policy";
import { ROLES } from "@/lib/auth/roles";
import { Select } from "@/components/Select";

export function CreateUserForm() {
  const { onSubmit, pending, hydrated, message, fieldErrors } = useApiForm(
    (form) =>
      postJson<{ user: { email: string } }>("/api/admin/users", {
        email: form.get("email"),
        name: form.get("name") || undefined,
        role: form.get("role"),
        password: form.get("password"),
      }),
    (data) => `Created ${data.user.email}`,
  );

  return (
    <form className="stack" onSubmit={onSubmit} noValidate>
      <FormMessageBox message={message} />
      <Field id="new-email" label="Email" error={fieldErrors.email}>
        <input id="new-email" name="email" type="email" required aria-invalid={Boolean(fieldErrors.email)} />
      </Field>
      <Field id="new-name" label="Name (optional)" error={fieldErrors.name}>
        <input id="new-name" name="name" type="text" />
      </Field>
      <Field id="new-role" label="Role" error={fieldErrors.role}>
        <Select id="new-role" name="role" defaultValue="viewer" options={ROLES} />
      </Field>
      <Field
        id="new-password"
        label="Initial password"
        error={fieldErrors.password}
        hint={`At least ${MIN_PASSWORD_LENGTH} characters; they can change it under Account.`}
      >
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
