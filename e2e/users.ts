// Accounts the e2e server is seeded with: one per role, known passwords.
import type { Role } from "../lib/auth/roles";

export const E2E_USERS: Record<Role, { email: string; password: string }> = {
  viewer: { email: "viewer@e2e.test", password: "viewer-password-e2e" },
  editor: { email: "editor@e2e.test", password: "editor-password-e2e" },
  approver: { email: "approver@e2e.test", password: "approver-password-e2e" },
  admin: { email: "admin@e2e.test", password: "admin-password-e2e" },
};
