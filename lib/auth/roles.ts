import type { Role } from "@/lib/db/generated/enums";

export type { Role };

/** Roles from least to most privileged; each role can do everything the ones before it can. */
export const ROLES = ["viewer", "editor", "approver", "admin"] as const satisfies readonly Role[];

export function roleRank(role: Role): number {
  return ROLES.indexOf(role);
}

export function hasRole(role: Role, minRole: Role): boolean {
  return roleRank(role) >= roleRank(minRole);
}

export function isRole(value: unknown): value is Role {
  return typeof value === "string" && (ROLES as readonly string[]).includes(value);
}

export const ROLE_DESCRIPTIONS: Record<Role, string> = {
  viewer: "reads everything",
  editor: "also creates datasets, trains models, runs and cancels jobs",
  approver: "also approves production cutovers",
  admin: "also manages users and API keys",
};
