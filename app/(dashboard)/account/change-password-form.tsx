"use client";

import type { FormEvent } from "react";
import { postJson } from "@/components/api-client";
import { Field } from "@/components/Field";
import { FormMessageBox, useApiForm } from "@/components/useApiForm";
import { MIN_PASSWORD_LENGTH } from "@/lib/auth/password-policy";

export function ChangePasswordForm() {
  const {
    onSubmit: post,
    pending,
    hydrated,
    message,
    fieldErrors,
    refuse,
  } = useApiForm(
    (form) => postJson("/api/account/password", { currentPassword: form.get("currentPassword"), newPassword: form.get("newPassword") }),
    () => "Password changed. Your other sessions were signed out.",
  );

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    const form = new FormData(event.currentTarget);
    if (form.get("newPassword") !== form.get("confirmPassword")) {
      event.preventDefault();
      refuse("confirmPassword", "The two new passwords differ");
      return;
    }
    void post(event);
  }

  return (
    <form className="stack" onSubmit={onSubmit} noValidate>
      <FormMessageBox message={message} />
      <Field id="currentPassword" label="Current password" error={fieldErrors.currentPassword}>
        <input
          id="currentPassword"
          name="currentPassword"
          type="password"
          autoComplete="current-password"
          aria-invalid={Boolean(fieldErrors.currentPassword)}
        />
      </Field>
      <Field id="newPassword" label="New password" error={fieldErrors.newPassword} hint={`At least ${MIN_PASSWORD_LENGTH} characters.`}>
        <input id="newPassword" name="newPassword" type="password" autoComplete="new-password" aria-invalid={Boolean(fieldErrors.newPassword)} />
      </Field>
      <Field id="confirmPassword" label="Repeat new password" error={fieldErrors.confirmPassword}>
        <input id="confirmPassword" name="confirmPassword" type="password" autoComplete="new-password" aria-invalid={Boolean(fieldErrors.confirmPassword)} />
      </Field>
      <div>
        <button type="submit" disabled={pending || !hydrated}>
          {pending ? "Saving…" : "Change password"}
        </button>
      </div>
    </form>
  );
}
