"use client";

import { useState, type FormEvent } from "react";
import { useRouter } from "next/navigation";
import type { ApiResult } from "@/components/api-client";
import { useHydrated } from "@/components/useHydrated";

export interface FormMessage {
  kind: "error" | "success";
  text: string;
}

/**
 * State of a form posting to one of our route handlers: pending while the request runs, the server's
 * message and per-field errors on failure; on success the form is reset, `onSuccess` says what to show,
 * and the page's server data refreshes.
 */
export function useApiForm<T>(send: (form: FormData) => Promise<ApiResult<T>>, onSuccess: (data: T) => string) {
  const router = useRouter();
  const hydrated = useHydrated();
  const [pending, setPending] = useState(false);
  const [message, setMessage] = useState<FormMessage | null>(null);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const formElement = event.currentTarget;
    setPending(true);
    setMessage(null);
    const result = await send(new FormData(formElement));
    setPending(false);
    if (result.ok) {
      setFieldErrors({});
      formElement.reset();
      setMessage({ kind: "success", text: onSuccess(result.data) });
      router.refresh();
    } else {
      setFieldErrors(result.error.fieldErrors);
      setMessage({ kind: "error", text: result.error.message });
    }
  }

  /** refuses the submission in the browser with a message on one field (nothing is sent) */
  function refuse(field: string, text: string) {
    setFieldErrors({ [field]: text });
    setMessage(null);
  }

  return { onSubmit, pending, hydrated, message, fieldErrors, refuse };
}

/** The form's outcome above its fields: an alert for errors, a status line for success (`spaced`: outside the form). */
export function FormMessageBox({ message, spaced = false }: { message: FormMessage | null; spaced?: boolean }) {
  if (!message) return null;
  return (
    <div className={`alert ${message.kind}`} role={message.kind === "error" ? "alert" : "status"} style={spaced ? { marginBottom: 14 } : undefined}>
      {message.text}
    </div>
  );
}
