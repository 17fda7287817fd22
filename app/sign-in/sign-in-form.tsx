"use client";

import { useState, type FormEvent } from "react";
import { useRouter } from "next/navigation";
import { postJson } from "@/components/api-client";
import { Field } from "@/components/Field";
import { useHydrated } from "@/components/useHydrated";
import { ErrorAlert } from "@/components/ErrorAlert";

export function SignInForm({ next }: { next: string }) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [pending, setPending] = useState(false);
  const hydrated = useHydrated();

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setPending(true);
    setError(null);
    const result = await postJson<{ mustChangePassword?: boolean }>("/api/auth/sign-in", { email: form.get("email"), password: form.get("password") });
    if (result.ok) {
      router.replace(result.data.mustChangePassword ? "/account" : next);
      router.refresh();
      return;
    }
    setPending(false);
    setFieldErrors(result.error.fieldErrors);
    setError(result.error.message);
  }

  return (
    <form className="stack" onSubmit={onSubmit} noValidate>
      <ErrorAlert error={error} />
      <Field id="email" label="Email" error={fieldErrors.email}>
        <input id="email" name="email" type="email" autoComplete="username" required autoFocus aria-invalid={Boolean(fieldErrors.email)} />
      </Field>
      <Field id="password" label="Password" error={fieldErrors.password}>
        <input id="password" name="password" type="password" autoComplete="current-password" required aria-invalid={Boolean(fieldErrors.password)} />
      </Field>
      <button type="submit" disabled={pending || !hydrated}>
        {pending ? "Signing in…" : "Sign in"}
      </button>
    </form>
  );
}
