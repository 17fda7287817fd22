"use client";

import { useState, type FormEvent } from "react";
import { useRouter } from "next/navigation";
import { postJson } from "@/components/api-client";
import { Field } from "@/components/Field";
import { MIN_PASSWORD_LENGTH } from "@/lib/auth/password-policy";
import { useHydrated } from "@/components/useHydrated";

export function ChangePasswordForm() {
  const router = useRouter();
  const [pending, setPending] = useState(false);
  const hydrated = useHydrated();
  const [message, setMessage] = useState<{ kind: "error" | "success"; text: string } | null>(null);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    if (form.get("newPassword") !== form.get("confirmPassword")) {
      setFieldErrors({ confirmPassword: "The two new passwords differ" });
      setMessage(null);
      return;
    }
    setPending(true);
    setMessage(null);
    const result = await postJson("/api/account/password", {
      currentPassword: form.get("currentPassword"),
      newPassword: form.get("newPassword"),
    });
    setPending(false);
    if (result.ok) {
      setFieldErrors({});
      formElement.reset();
      setMessage({ kind: "success", text: "Password changed. Your other sessions were signed out." });
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
      <Field id="currentPassword" label="Current password" error={fieldErrors.currentPassword}>
        <input id="currentPassword" name="currentPassword" type="password" autoComplete="current-password" aria-invalid={Boolean(fieldErrors.currentPassword)} />
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
