// Who may decide on a production cutover: an approver who did not create the experiment (four-eyes rule).
// The transaction that decides (lib/db/experiments.ts) and the page that explains it ask the same function.
import { hasRole, type Role } from "@/lib/auth/roles";

export const CUTOVER_ROLE: Role = "approver";

/** Why this person may not approve or reject this cutover, or null when they may. */
export type CutoverBlock = "needs_approver" | "own_experiment";

export function cutoverBlock(person: { id: string; role: Role }, experimentCreatedById?: string): CutoverBlock | null {
  if (!hasRole(person.role, CUTOVER_ROLE)) return "needs_approver";
  if (experimentCreatedById !== undefined && experimentCreatedById === person.id) return "own_experiment";
  return null;
}
