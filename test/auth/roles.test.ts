import { describe, expect, it } from "vitest";
import { hasRole, isRole, roleRank, ROLES } from "@/lib/auth/roles";

describe("roles", () => {
  it("orders viewer < editor < approver < admin", () => {
    expect(ROLES).toEqual(["viewer", "editor", "approver", "admin"]);
    expect(roleRank("viewer")).toBeLessThan(roleRank("editor"));
    expect(roleRank("editor")).toBeLessThan(roleRank("approver"));
    expect(roleRank("approver")).toBeLessThan(roleRank("admin"));
  });

  it("grants a role everything the lower roles can do, and nothing above", () => {
    const table = ROLES.map((role) => ROLES.map((min) => hasRole(role, min)));
    expect(table).toEqual([
      [true, false, false, false],
      [true, true, false, false],
      [true, true, true, false],
      [true, true, true, true],
    ]);
  });

  it("recognises only the four role names", () => {
    expect(isRole("approver")).toBe(true);
    expect(isRole("root")).toBe(false);
    expect(isRole(undefined)).toBe(false);
  });
});
