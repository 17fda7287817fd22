import { describe, expect, it } from "vitest";
import { auditFilterForViewer, auditForViewer } from "@/lib/auth/audit-visibility";

const entry = {
  id: 1n,
  actorId: "cuser000000abcdef",
  actorLabel: "Admin@Example.com",
  action: "user.created",
  entityType: "user",
  entityId: "dana@example.com",
  reason: "created dana@example.com for vi@example.com",
  data: { email: "dana@example.com", role: "editor", nested: ["x@example.org"], client: "10.0.0.1" },
};
const viewer = { id: "v", email: "vi@example.com", name: null, role: "viewer" as const };
const editor = { ...viewer, role: "editor" as const };

describe("audit log visibility", () => {
  it("hides other people's emails (and sign-in addresses) from viewers, keeps their own", () => {
    const [seen] = auditForViewer([entry], viewer);
    expect(JSON.stringify(seen, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v))).not.toMatch(/dana@|admin@|x@example\.org|10\.0\.0\.1/i);
    expect(seen.actorLabel).toBe("user …abcdef");
    expect(seen.reason).toBe("created (hidden) for vi@example.com");
    expect(seen.data).toEqual({ email: "(hidden)", role: "editor", nested: ["(hidden)"], client: "(hidden)" });
    expect(auditForViewer([{ ...entry, actorLabel: "scheduler" }], viewer)[0].actorLabel).toBe("scheduler");
  });

  it("shows editors and above everything", () => {
    expect(auditForViewer([entry], editor)[0]).toBe(entry);
  });

  it("does not let a viewer probe for an email by filtering on it", () => {
    expect(auditFilterForViewer({ entityId: "dana@example.com" }, viewer).entityId).not.toBe("dana@example.com");
    expect(auditFilterForViewer({ entityId: "vi@example.com" }, viewer).entityId).toBe("vi@example.com");
    expect(auditFilterForViewer({ entityId: "cmodel1" }, viewer).entityId).toBe("cmodel1");
  });
});
