// Request bodies of the auth and admin route handlers (no database imports: safe for client code too).
import { z } from "zod";
import { API_KEY_SCOPES } from "./scopes";
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from "./password-policy";
import { ROLES } from "./roles";

const password = (label: string) =>
  z
    .string({ error: `${label} is required` })
    .min(MIN_PASSWORD_LENGTH, `${label} must be at least ${MIN_PASSWORD_LENGTH} characters`)
    .max(MAX_PASSWORD_LENGTH, `${label} must be at most ${MAX_PASSWORD_LENGTH} characters`);

const role = z.enum(ROLES, { error: `Role must be one of ${ROLES.join(", ")}` });

export const CreateUserBody = z.object({
  email: z.string({ error: "Email is required" }).trim().toLowerCase().pipe(z.email("Enter a valid email address")).pipe(z.string().max(320)),
  name: z.string().trim().max(120, "Name must be at most 120 characters").optional(),
  role,
  password: password("Password"),
});

export const UpdateUserBody = z
  .object({ role: role.optional(), disabled: z.boolean({ error: "disabled must be true or false" }).optional() })
  .refine((v) => v.role !== undefined || v.disabled !== undefined, { message: "Change role or disabled" });

export const CreateApiKeyBody = z.object({
  name: z.string({ error: "Name is required" }).trim().min(1, "Name is required").max(120, "Name must be at most 120 characters"),
  scopes: z.array(z.enum(API_KEY_SCOPES, { error: `Scopes are ${API_KEY_SCOPES.join(", ")}` })).min(1, "Choose at least one scope"),
});

export const ChangePasswordBody = z
  .object({
    currentPassword: z.string({ error: "Current password is required" }).min(1, "Current password is required").max(1000),
    newPassword: password("New password"),
  })
  .refine((v) => v.newPassword !== v.currentPassword, { path: ["newPassword"], message: "The new password must differ from the current one" });
