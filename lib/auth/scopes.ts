/** What an API key may do on /api/v1: serve recommendations, ingest events. */
export const API_KEY_SCOPES = ["recommend", "events"] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];
