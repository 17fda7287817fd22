// Session settings, free of imports so the proxy (and client code) can read them without pulling in the database.

export const SESSION_COOKIE = "understudy_session";

/** A session expires after this long without use; each use pushes the expiry forward. */
export const SESSION_IDLE_TTL_MS = 7 * 24 * 3600 * 1000;
/** ...but never lives longer than this from sign-in. */
export const SESSION_ABSOLUTE_TTL_MS = 30 * 24 * 3600 * 1000;
/** The sliding expiry is written at most this often per session. */
export const SESSION_REFRESH_INTERVAL_MS = 5 * 60 * 1000;
