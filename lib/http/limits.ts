// Caps of the upload routes' multipart bodies, free of server-only imports so the declared route table
// (lib/http/routes.ts) and its sweeps can read the numbers the handlers enforce.

/** what a multipart body may carry beyond its file(s): boundaries, part headers, the text fields */
export const MULTIPART_FRAMING_BYTES = 1 << 20;

/** dataset uploads: the file's size unless IMPORT_MAX_BYTES says otherwise (lib/db/imports importMaxBytes) */
export const DEFAULT_IMPORT_MAX_BYTES = 2 * 2 ** 30;

/** a teacher import: each file at most this */
export const MODEL_IMPORT_MAX_FILE_BYTES = 512 * 2 ** 20;

/** a teacher import's whole body: four files (kind=embeddings) and the framing */
export const MODEL_IMPORT_MAX_BODY_BYTES = 4 * MODEL_IMPORT_MAX_FILE_BYTES + MULTIPART_FRAMING_BYTES;
