// The train/valid/test.tsv directory format packed as a .zip: find the split files (in one folder of
// the archive) and stream them out, never holding an entry in memory.
import fs from "node:fs";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import yauzl from "yauzl";
import { DatasetError } from "./errors";
import { EXTERNAL_IDS_FILE, SPLIT_FILES } from "./tsv-dir";

const WANTED = new Set<string>([...SPLIT_FILES, EXTERNAL_IDS_FILE]);

/** true when the file starts with a zip local-file header */
export function isZipFile(file: string): boolean {
  const fd = fs.openSync(file, "r");
  try {
    const b = Buffer.alloc(4);
    return fs.readSync(fd, b, 0, 4, 0) === 4 && b.readUInt32LE(0) === 0x04034b50;
  } finally {
    fs.closeSync(fd);
  }
}

async function openZip(file: string): Promise<yauzl.ZipFile> {
  try {
    return await yauzl.openPromise(file, { lazyEntries: true, autoClose: false });
  } catch (err) {
    throw new DatasetError(`${path.basename(file)}: not a readable zip archive (${(err as Error).message})`, { file });
  }
}

/** entries of the split files, all from the folder holding train.tsv */
async function splitEntries(zip: yauzl.ZipFile, file: string): Promise<Map<string, yauzl.Entry>> {
  const all: yauzl.Entry[] = [];
  await new Promise<void>((resolve, reject) => {
    zip.on("entry", (e: yauzl.Entry) => {
      all.push(e);
      zip.readEntry();
    });
    zip.once("end", resolve);
    zip.once("error", reject);
    zip.readEntry();
  }).catch((err: unknown) => {
    throw new DatasetError(`${path.basename(file)}: broken zip archive (${(err as Error).message})`, { file });
  });
  const train = all.find((e) => path.posix.basename(e.fileName) === "train.tsv" && !e.fileName.startsWith("__MACOSX/"));
  if (!train) throw new DatasetError(`${path.basename(file)}: no train.tsv in the archive (expected ${SPLIT_FILES.join(", ")})`, { file });
  const folder = path.posix.dirname(train.fileName);
  const found = new Map<string, yauzl.Entry>();
  for (const e of all) {
    const base = path.posix.basename(e.fileName);
    if (path.posix.dirname(e.fileName) === folder && WANTED.has(base)) found.set(base, e);
  }
  for (const f of SPLIT_FILES) {
    if (!found.has(f)) throw new DatasetError(`${path.basename(file)}: missing ${f} beside ${train.fileName} in the archive`, { file });
  }
  return found;
}

/**
 * Extracts train/valid/test.tsv (and ids.json, if present) from a zip into `destDir`; refuses archives
 * that would unpack to more than `maxBytes`.
 */
export async function extractTsvZip(file: string, destDir: string, maxBytes: number): Promise<void> {
  const zip = await openZip(file);
  try {
    const entries = await splitEntries(zip, file);
    let total = 0;
    for (const e of entries.values()) total += e.uncompressedSize;
    if (total > maxBytes)
      throw new DatasetError(`${path.basename(file)}: the split files unpack to ${total} bytes, more than the limit of ${maxBytes}`, { file });
    fs.mkdirSync(destDir, { recursive: true });
    for (const [name, entry] of entries) {
      try {
        const stream = await zip.openReadStreamPromise(entry);
        await pipeline(stream, fs.createWriteStream(path.join(destDir, name)));
      } catch (err) {
        throw new DatasetError(`${path.basename(file)}: cannot unpack ${entry.fileName} (${(err as Error).message})`, { file });
      }
    }
  } finally {
    zip.close();
  }
}

/** The first `maxBytes` of each split file in a zip, and their unpacked sizes (for a preview). */
export async function peekTsvZip(file: string, maxBytes: number): Promise<{ name: string; size: number; head: Buffer }[]> {
  const zip = await openZip(file);
  try {
    const entries = await splitEntries(zip, file);
    const out: { name: string; size: number; head: Buffer }[] = [];
    for (const name of SPLIT_FILES) {
      const entry = entries.get(name)!;
      const stream = await zip.openReadStreamPromise(entry);
      const parts: Buffer[] = [];
      let got = 0;
      for await (const c of stream as AsyncIterable<Buffer>) {
        parts.push(c);
        got += c.length;
        if (got >= maxBytes) break;
      }
      stream.destroy();
      out.push({ name, size: entry.uncompressedSize, head: Buffer.concat(parts).subarray(0, maxBytes) });
    }
    return out;
  } finally {
    zip.close();
  }
}
