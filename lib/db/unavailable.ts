// Prisma's "can't reach / connection closed / timed out" codes, and the driver's socket errors.
const UNAVAILABLE_CODES = new Set(["P1001", "P1002", "P1008", "P1017", "P2024", "ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "57P01", "57P03"]);

/** True for errors that mean PostgreSQL is unreachable (down, restarting, out of connections). */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && UNAVAILABLE_CODES.has(code)) return true;
    if (/Can't reach database server|Connection terminated|connect ECONNREFUSED/i.test(String((e as Error).message ?? ""))) return true;
  }
  return false;
}
