import { hasRole } from "./roles";
import type { SessionUser } from "./session";

// Anything that looks like an email address, in labels, ids, reasons and JSON details.
const EMAIL = /[^\s@"'<>(),;:]+@[^\s@"'<>(),;:]+\.[A-Za-z0-9-]{2,}/g;
const looksLikeEmail = (s: string) => new RegExp(EMAIL.source).test(s);

interface AuditRow {
  actorId: string | null;
  actorLabel: string;
  entityId: string;
  reason: string;
  data: unknown;
}

/** Viewers read the log without other people's email addresses (nor the client addresses of sign-ins). */
export function canSeeEmails(viewer: SessionUser): boolean {
  return hasRole(viewer.role, "editor");
}

function hide(text: string, own: string): string {
  return text.replace(EMAIL, (m) => (m.toLowerCase() === own ? m : "(hidden)"));
}

function hideDeep(value: unknown, own: string): unknown {
  if (typeof value === "string") return hide(value, own);
  if (Array.isArray(value)) return value.map((v) => hideDeep(v, own));
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, k === "client" ? "(hidden)" : hideDeep(v, own)]));
  }
  return value;
}

export function auditForViewer<T extends AuditRow>(entries: T[], viewer: SessionUser): T[] {
  if (canSeeEmails(viewer)) return entries;
  const own = viewer.email.toLowerCase();
  return entries.map((e) => ({
    ...e,
    actorLabel: looksLikeEmail(e.actorLabel) && e.actorLabel.toLowerCase() !== own ? `user …${(e.actorId ?? "").slice(-6)}` : e.actorLabel,
    entityId: hide(e.entityId, own),
    reason: hide(e.reason, own),
    data: hideDeep(e.data, own),
  }));
}

/** A viewer may not probe the log for an email address by filtering on it (except their own). */
export function auditFilterForViewer<F extends { entityId?: string }>(filter: F, viewer: SessionUser): F & { entityId?: string } {
  if (canSeeEmails(viewer) || !filter.entityId?.includes("@") || filter.entityId.toLowerCase() === viewer.email.toLowerCase()) return filter;
  return { ...filter, entityId: "\u0000no-match" };
}
