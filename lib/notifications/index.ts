// Server-side entry point. Client components import ./types directly (no database, no Node built-ins).
export { notify, sendTestEvent, type NotifyDeps, type NotifyResult } from "./notify";
export { signatureHeader, verifySignature, SIGNATURE_HEADER, EVENT_ID_HEADER } from "./signature";
export * from "./types";
