"use client";

// Create a webhook, or edit one (name, URL, events, enabled). The secret is never part of an edit.
import { useState, type FormEvent } from "react";
import { callApi } from "@/components/api-client";
import { Field } from "@/components/Field";
import { OneTimeSecret } from "@/components/OneTimeSecret";
import { FormMessageBox } from "@/components/useApiForm";
import { NOTIFICATION_LABELS, NOTIFICATION_TYPES } from "@/lib/notifications/types";
import { useApiAction } from "@/components/useApiAction";

export interface WebhookFormValues {
  id: string;
  name: string;
  url: string;
  events: string[];
  enabled: boolean;
}

const ROW = { display: "flex", gap: 14, flexWrap: "wrap", alignItems: "flex-end" } as const;
const GROW = { flex: "1 1 220px", minWidth: 0 } as const;

export function WebhookForm({ existing }: { existing?: WebhookFormValues }) {
  const { run, pending, hydrated, error, fieldErrors } = useApiAction();
  const [saved, setSaved] = useState(false);
  const [created, setCreated] = useState<{ id: string; name: string; secret: string } | null>(null);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    const body: Record<string, unknown> = {
      name: form.get("name"),
      url: form.get("url"),
      events: form.getAll("events"),
      enabled: form.get("enabled") === "on",
    };
    const secret = String(form.get("secret") ?? "");
    if (!existing && secret) body.secret = secret;
    setSaved(false);
    const result = await run(() =>
      existing
        ? callApi<{ webhook: { id: string } }>(`/api/admin/webhooks/${existing.id}`, "PATCH", body)
        : callApi<{ webhook: { id: string; name: string }; secret: string }>("/api/admin/webhooks", "POST", body),
    );
    if (!result.ok) return;
    if (existing) setSaved(true);
    else {
      const createdHook = result.data as { webhook: { id: string; name: string }; secret: string };
      setCreated({ id: createdHook.webhook.id, name: createdHook.webhook.name, secret: createdHook.secret });
      formElement.reset();
    }
  }

  const idp = existing ? `wh-${existing.id}` : "wh-new";
  return (
    <>
      {created ? (
        <OneTimeSecret secret={created.secret} testId="new-webhook-secret">
          Webhook <strong>{created.name}</strong> created. Copy its signing secret now: it will not be shown again (rotate it to get a new one).
        </OneTimeSecret>
      ) : null}
      <FormMessageBox message={error ? { kind: "error", text: error } : saved ? { kind: "success", text: "Saved." } : null} spaced />
      <form onSubmit={onSubmit} noValidate style={{ display: "flex", flexDirection: "column", gap: 14 }}>
        <div style={ROW}>
          <div style={GROW}>
            <Field id={`${idp}-name`} label="Name" error={fieldErrors.name}>
              <input
                id={`${idp}-name`}
                name="name"
                type="text"
                placeholder="e.g. ops Slack relay"
                defaultValue={existing?.name}
                required
                aria-invalid={Boolean(fieldErrors.name)}
              />
            </Field>
          </div>
          <div style={{ ...GROW, flexBasis: 360 }}>
            <Field id={`${idp}-url`} label="URL (http or https)" error={fieldErrors.url}>
              <input
                id={`${idp}-url`}
                name="url"
                type="text"
                inputMode="url"
                autoComplete="off"
                spellCheck={false}
                placeholder="https://hooks.example.com/understudy"
                defaultValue={existing?.url}
                required
                aria-invalid={Boolean(fieldErrors.url)}
              />
            </Field>
          </div>
        </div>
        <Field id={`${idp}-events`} label="Events to send" error={fieldErrors.events ?? fieldErrors["events.0"]}>
          <div className="checkbox-row" id={`${idp}-events`}>
            {NOTIFICATION_TYPES.map((type) => (
              <label key={type} title={type}>
                <input type="checkbox" name="events" value={type} defaultChecked={existing ? existing.events.includes(type) : true} />
                {NOTIFICATION_LABELS[type]}
              </label>
            ))}
          </div>
        </Field>
        <div style={ROW}>
          {existing ? null : (
            <div style={GROW}>
              <Field
                id={`${idp}-secret`}
                label="Signing secret (optional)"
                error={fieldErrors.secret}
                hint="at least 24 characters; leave empty to generate one"
              >
                <input id={`${idp}-secret`} name="secret" type="password" autoComplete="new-password" aria-invalid={Boolean(fieldErrors.secret)} />
              </Field>
            </div>
          )}
          <label style={{ display: "flex", gap: 6, alignItems: "center", paddingBottom: 8 }}>
            <input type="checkbox" name="enabled" defaultChecked={existing ? existing.enabled : true} />
            Enabled
          </label>
        </div>
        <div>
          <button type="submit" disabled={pending || !hydrated}>
            {pending ? "Saving…" : existing ? "Save changes" : "Create webhook"}
          </button>
        </div>
      </form>
    </>
  );
}
