// Bounded requests: body caps before parsing, bounded training and dataset sizes, report slots.
import { describe, expect, it } from "vitest";
import { generateDatasetInput, trainInput } from "@/lib/jobs/definitions";
import { HttpError } from "@/lib/http/errors";
import { readImportBody } from "@/lib/http/import-body";
import { DEFAULT_MAX_BODY_BYTES, EVENTS_MAX_BODY_BYTES, capRequestBody, discardBody, parseJson } from "@/lib/http/validation";
import { REPORT_MAX_CONCURRENT, REPORT_MAX_WAITING, withReportSlot } from "@/lib/db/report-gate";
import { z } from "zod";

const Any = z.unknown();

async function status(p: Promise<unknown>): Promise<number | "ok"> {
  try {
    await p;
    return "ok";
  } catch (e) {
    if (e instanceof HttpError) return e.status;
    throw e;
  }
}

describe("request body caps", () => {
  it("defaults to 1 MiB and 5 MiB for events", () => {
    expect(DEFAULT_MAX_BODY_BYTES).toBe(1024 * 1024);
    expect(EVENTS_MAX_BODY_BYTES).toBe(5 * 1024 * 1024);
  });

  it("refuses a declared Content-Length over the cap before reading anything", async () => {
    let pulled = 0;
    const body = new ReadableStream(
      {
        pull(c) {
          pulled++;
          c.enqueue(new Uint8Array(10));
          c.close();
        },
      },
      { highWaterMark: 0 },
    );
    const request = new Request("http://x/api", {
      method: "POST",
      body,
      headers: { "content-length": String(DEFAULT_MAX_BODY_BYTES + 1) },
      duplex: "half",
    } as RequestInit);
    expect(await status(parseJson(request, Any))).toBe(413);
    expect(pulled).toBe(0);
  });

  it("stops reading a chunked body at the cap (413), and parses one under it", async () => {
    let sent = 0;
    const endless = new ReadableStream({
      pull(c) {
        sent += 64 * 1024;
        c.enqueue(new Uint8Array(64 * 1024).fill(32));
      },
    });
    const request = new Request("http://x/api", { method: "POST", body: endless, duplex: "half" } as RequestInit);
    expect(await status(parseJson(request, Any, { maxBytes: 256 * 1024 }))).toBe(413);
    expect(sent).toBeLessThanOrEqual(256 * 1024 + 2 * 64 * 1024);
    expect(await parseJson(new Request("http://x/api", { method: "POST", body: JSON.stringify({ a: 1 }) }), Any)).toEqual({ a: 1 });
  });
});

describe("bodies read by other means than parseJson", () => {
  const endless = (counter: { sent: number }) =>
    new ReadableStream({
      pull(c) {
        counter.sent += 64 * 1024;
        c.enqueue(new Uint8Array(64 * 1024).fill(32));
      },
    });
  /** a POST whose body never ends, of this content type; counter.sent counts the bytes pulled from it */
  const endlessPost = (counter: { sent: number }, contentType: string) =>
    new Request("http://x/api", { method: "POST", body: endless(counter), headers: { "content-type": contentType }, duplex: "half" } as RequestInit);

  it("a mutation without a body still refuses an oversized one (413), and takes an empty one", async () => {
    const big = new Request("http://x/api", { method: "POST", body: "x".repeat(DEFAULT_MAX_BODY_BYTES + 1) });
    expect(await status(discardBody(big))).toBe(413);
    expect(await status(discardBody(new Request("http://x/api", { method: "POST" })))).toBe("ok");
  });

  it("capRequestBody: formData() of a chunked body stops at the cap; a declared length over it is refused unread", async () => {
    const counter = { sent: 0 };
    const chunked = endlessPost(counter, "multipart/form-data; boundary=b");
    const capped = capRequestBody(chunked, 256 * 1024);
    await expect(capped.request.formData()).rejects.toThrow();
    expect(capped.exceeded()).toBe(true);
    expect(counter.sent).toBeLessThanOrEqual(256 * 1024 + 2 * 64 * 1024);
    const declared = new Request("http://x/api", { method: "POST", body: "--b--", headers: { "content-length": String(256 * 1024 + 1) } });
    expect(await status(Promise.resolve().then(() => capRequestBody(declared, 256 * 1024)))).toBe(413);
    const form = new FormData();
    form.set("kind", "ranked-lists");
    const small = capRequestBody(new Request("http://x/api", { method: "POST", body: form }), 256 * 1024);
    expect((await small.request.formData()).get("kind")).toBe("ranked-lists");
    expect(small.exceeded()).toBe(false);
  });

  it("an import's JSON body is capped like any other (413), and an upload must be multipart (415)", async () => {
    const counter = { sent: 0 };
    const json = endlessPost(counter, "application/json");
    expect(await status(readImportBody(json, "u", { requireFile: false }))).toBe(413);
    expect(counter.sent).toBeLessThanOrEqual(DEFAULT_MAX_BODY_BYTES + 2 * 64 * 1024);
    const upload = new Request("http://x/api", { method: "POST", body: "{}", headers: { "content-type": "application/json" } });
    expect(await status(readImportBody(upload, "u", { requireFile: true }))).toBe(415);
  });
});

describe("training hyperparameters", () => {
  const base = { role: "teacher", datasetId: "d", dimension: 16 } as const;
  it("refuses keys outside the allow-list (epochs is the top-level budget) with their names", () => {
    const r = trainInput.safeParse({ ...base, hyperparameters: { epochs: 1_000_000 } });
    expect(r.success).toBe(false);
    expect(JSON.stringify(r.error?.issues)).toContain("epochs");
  });
  it("bounds each knob: batchSize 1 and absurd expert counts are refused", () => {
    expect(trainInput.safeParse({ ...base, hyperparameters: { batchSize: 1 } }).success).toBe(false);
    expect(trainInput.safeParse({ ...base, hyperparameters: { de: { experts: 100_000 } } }).success).toBe(false);
    expect(trainInput.safeParse({ ...base, hyperparameters: { rrd: { K: 40, L: 40 }, lr: 0.01, batchSize: 256, patience: 3 } }).success).toBe(true);
  });
});

describe("synthetic dataset size", () => {
  it("caps users × interactions per user, naming the field", () => {
    const r = generateDatasetInput.safeParse({ name: "big", numUsers: 200_000, numItems: 1000, interactionsPerUser: 10_000 });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]).toMatchObject({ path: ["interactionsPerUser"] });
    expect(generateDatasetInput.safeParse({ name: "ok", numUsers: 10_000, numItems: 1000, interactionsPerUser: 50 }).success).toBe(true);
  });
});

describe("report slots", () => {
  it("runs at most REPORT_MAX_CONCURRENT at once, queues a bounded number, refuses the rest with 503", async () => {
    let active = 0;
    let peak = 0;
    const releases: (() => void)[] = [];
    const job = () =>
      withReportSlot(async () => {
        active++;
        peak = Math.max(peak, active);
        await new Promise<void>((r) => releases.push(r));
        active--;
      });
    const accepted = Array.from({ length: REPORT_MAX_CONCURRENT + REPORT_MAX_WAITING }, job);
    expect(await status(job())).toBe(503);
    // release one at a time as slots fill
    let done = 0;
    while (done < accepted.length) {
      await new Promise((r) => setImmediate(r));
      const r = releases.shift();
      if (r) {
        r();
        done++;
      }
    }
    await Promise.all(accepted);
    expect(peak).toBe(REPORT_MAX_CONCURRENT);
  });
});
