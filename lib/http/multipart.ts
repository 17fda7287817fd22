// Streaming multipart/form-data for route handlers: text fields, and at most one file handed to a
// callback as a stream (to be written to disk), so a 2 GiB upload never sits in memory. The size limit
// is enforced while streaming: past `maxFileBytes` reading stops and the request is answered 413.
import { Readable } from "node:stream";
import type { ReadableStream as NodeWebStream } from "node:stream/web";
import busboy from "busboy";
import { HttpError, fieldError } from "./errors";
import { MULTIPART_FRAMING_BYTES } from "./limits";

export interface MultipartFile<T> {
  field: string;
  filename: string;
  result: T;
}

export const payloadTooLarge = (limit: number) =>
  new HttpError(413, "payload_too_large", `The file is larger than the import limit of ${limit.toLocaleString("en")} bytes (IMPORT_MAX_BYTES)`, {
    issues: [{ path: "file", message: `Larger than ${limit.toLocaleString("en")} bytes` }],
    limit,
  });

export function isMultipart(request: Request): boolean {
  return (request.headers.get("content-type") ?? "").toLowerCase().startsWith("multipart/form-data");
}

/**
 * Reads a multipart body. `onFile` gets the file's stream and `truncated()`, which turns true once the
 * stream was cut at the limit (it must then throw; the error becomes a 413).
 */
export async function readMultipart<T>(
  request: Request,
  opts: { maxFileBytes: number; onFile: (stream: Readable, info: { filename: string; truncated: () => boolean }) => Promise<T> },
): Promise<{ fields: Record<string, string>; file: MultipartFile<T> | null }> {
  const declared = Number(request.headers.get("content-length"));
  // the multipart framing adds a little; a body far beyond the limit is refused before reading it
  if (Number.isFinite(declared) && declared > opts.maxFileBytes + MULTIPART_FRAMING_BYTES) throw payloadTooLarge(opts.maxFileBytes);
  if (!request.body) throw fieldError("file", "Required", "The request has no body");
  let parser: busboy.Busboy;
  try {
    parser = busboy({
      headers: { "content-type": request.headers.get("content-type") ?? "" },
      limits: { files: 1, fileSize: opts.maxFileBytes + 1, fields: 40, fieldSize: 64 << 10, parts: 50 },
    });
  } catch (err) {
    throw new HttpError(400, "invalid_request", `Malformed multipart body: ${(err as Error).message}`);
  }
  const source = Readable.fromWeb(request.body as unknown as NodeWebStream<Uint8Array>);
  const fields: Record<string, string> = {};
  let file: MultipartFile<T> | null = null;
  let pending: Promise<void> = Promise.resolve();
  let tooLarge = false;
  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (err: unknown) => {
      if (settled) return;
      settled = true;
      source.unpipe(parser);
      source.destroy();
      reject(err);
    };
    parser.on("field", (name, value) => {
      fields[name] = value;
    });
    parser.on("file", (field, stream, info) => {
      let truncated = false;
      stream.on("limit", () => {
        truncated = true;
        tooLarge = true;
        // the writer fails and cleans up; then reading stops (fail) and the answer is 413
        stream.destroy(payloadTooLarge(opts.maxFileBytes));
      });
      pending = opts
        .onFile(stream, { filename: info.filename ?? "", truncated: () => truncated })
        .then((result) => {
          file = { field, filename: info.filename ?? "", result };
        })
        .catch((err: unknown) => fail(tooLarge ? payloadTooLarge(opts.maxFileBytes) : err));
    });
    parser.on("filesLimit", () => fail(fieldError("file", "One file only", "Send one file per request")));
    parser.on("error", (err: Error) => fail(new HttpError(400, "invalid_request", `Malformed multipart body: ${err.message}`)));
    parser.on("close", () => {
      void pending.then(() => {
        if (settled) return;
        settled = true;
        resolve({ fields, file });
      });
    });
    source.on("error", (err) => fail(new HttpError(400, "invalid_request", `The upload was interrupted: ${err.message}`)));
    source.pipe(parser);
  });
}
