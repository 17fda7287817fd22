// What an admin may configure: the URL must be absolute http(s) (a clear 400 naming "url" otherwise),
// at least one known event, an optional secret of at least 24 characters.
import { describe, expect, it } from "vitest";
import { HttpError } from "@/lib/http/errors";
import { validate, type ValidationIssue } from "@/lib/http/validation";
import { createWebhookBody, updateWebhookBody } from "@/lib/notifications/types";
import { signatureHeader, verifySignature } from "@/lib/notifications/signature";
import { createHmac } from "node:crypto";

function issuesOf(body: unknown, schema: typeof createWebhookBody | typeof updateWebhookBody = createWebhookBody): ValidationIssue[] | null {
  try {
    validate(schema, body);
  } catch (err) {
    expect(err).toBeInstanceOf(HttpError);
    expect((err as HttpError).status).toBe(400);
    return (err as HttpError).details.issues as ValidationIssue[];
  }
  return null;
}

const ok = { name: "ops", events: ["drift.detected"] };

describe("webhook URL", () => {
  it.each([
    ["ftp://files.example.com/x", "must use http or https, not ftp"],
    ["javascript:alert(1)", "must use http or https, not javascript"],
    ["file:///etc/passwd", "must use http or https, not file"],
    ["hooks.example.com/understudy", "must be an absolute URL, e.g. https://hooks.example.com/understudy"],
    ["https://user:pw@hooks.example.com/", "must not carry a user name or password (the signature authenticates us)"],
    ["", "Required"],
  ])("refuses %s", (url, message) => {
    expect(issuesOf({ ...ok, url })).toEqual([{ path: "url", message }]);
  });

  it.each(["https://hooks.example.com/understudy", "http://127.0.0.1:8080/hook", "  https://[::1]:9000/x  "])("accepts %s", (url) => {
    expect(issuesOf({ ...ok, url })).toBeNull();
    expect(validate(createWebhookBody, { ...ok, url }).url).toBe(url.trim());
  });

  it("is checked on updates too", () => {
    expect(issuesOf({ url: "gopher://x" }, updateWebhookBody)).toEqual([{ path: "url", message: "must use http or https, not gopher" }]);
    expect(issuesOf({}, updateWebhookBody)).toEqual([{ path: "", message: "nothing to change: send name, url, events or enabled" }]);
  });
});

describe("events and secret", () => {
  const url = "https://hooks.example.com/x";
  it("needs at least one known event, and drops repeats", () => {
    expect(issuesOf({ name: "a", url, events: [] })).toEqual([{ path: "events", message: "choose at least one event to send" }]);
    expect(issuesOf({ name: "a", url, events: ["model.exploded"] })?.[0].path).toBe("events.0");
    expect(validate(createWebhookBody, { name: "a", url, events: ["gate.failed", "gate.failed"] }).events).toEqual(["gate.failed"]);
  });

  it("takes an admin-chosen secret of 24 characters or more", () => {
    expect(issuesOf({ ...ok, url, secret: "short" })).toEqual([
      { path: "secret", message: "must be at least 24 characters (or leave it empty to generate one)" },
    ]);
    expect(validate(createWebhookBody, { ...ok, url, secret: "x".repeat(24) }).secret).toBe("x".repeat(24));
  });
});

describe("signature", () => {
  it("is HMAC-SHA256 of '<t>.<body>' in hex, t in unix seconds", () => {
    const at = new Date("2026-12-01T12:00:00Z");
    const header = signatureHeader("whsec_test", '{"a":1}', at);
    const t = at.getTime() / 1000;
    expect(header).toBe(`t=${t},v1=${createHmac("sha256", "whsec_test").update(`${t}.{"a":1}`).digest("hex")}`);
    expect(verifySignature("whsec_test", '{"a":1}', header, { now: at })).toBe(true);
    expect(verifySignature("whsec_test", '{"a":1}', header, { now: new Date(at.getTime() + 301_000) })).toBe(false);
    expect(verifySignature("whsec_test", '{"a":1}', "t=abc,v1=zz", { now: at })).toBe(false);
    expect(verifySignature("whsec_test", '{"a":1}', null)).toBe(false);
  });
});
