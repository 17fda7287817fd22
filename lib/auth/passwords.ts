import { hash, verify, type Algorithm } from "@node-rs/argon2";

// Algorithm is an ambient const enum, which isolatedModules cannot read at run time.
const ARGON2ID = 2 as Algorithm.Argon2id;

/**
 * Argon2id with OWASP's recommended minimum (19 MiB, 2 passes, 1 lane): memory-hard, ~tens of ms
 * per hash here. Parameters live in the PHC string, so raising them later keeps old hashes valid.
 */
const ARGON2_OPTIONS = { algorithm: ARGON2ID, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from "./password-policy";

export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2_OPTIONS);
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    // A malformed stored hash never authenticates.
    return false;
  }
}

let dummyHash: Promise<string> | undefined;

/**
 * Burns the same argon2 work as a real verification, so a sign-in with an unknown email takes as
 * long as one with a wrong password and response times do not reveal which emails exist.
 */
export async function verifyAgainstDummy(password: string): Promise<false> {
  dummyHash ??= hashPassword("understudy-dummy-password-for-timing");
  await verifyPassword(await dummyHash, password);
  return false;
}

/** A readable random password for generated accounts (no ambiguous characters). */
export function generatePassword(length = 20): string {
  const alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
  const bytes = crypto.getRandomValues(new Uint8Array(length));
  // 256 % 55 bias is negligible for a 20-character password (> 110 bits).
  return Array.from(bytes, (b) => alphabet[b % alphabet.length]).join("");
}
