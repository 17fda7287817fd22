// The load generator's raw HTTP/1.1 connection (bench/raw-http.ts) against a real node:http server:
// what it reads must be what the server sent, over one kept-alive connection, and a broken answer or a
// closed connection must reject rather than hang or read the next answer as this one's.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RawHttpConnection } from "@/bench/raw-http";

let server: http.Server;
let port: number;
const connections = new Set<string>();
const seen: { url: string; auth: string | undefined; body: string }[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    connections.add(`${req.socket.remotePort}`);
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      seen.push({ url: req.url ?? "", auth: req.headers.authorization, body });
      const { reply } = JSON.parse(body) as { reply: string };
      if (reply === "big") {
        // written in pieces: the answer arrives in several chunks
        const text = JSON.stringify({ items: "é".repeat(200_000) });
        res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
        const bytes = Buffer.from(text);
        res.write(bytes.subarray(0, 1000));
        setImmediate(() => res.end(bytes.subarray(1000)));
      } else if (reply === "close") {
        res.writeHead(400, { "content-type": "application/json", "content-length": 2, connection: "close" }).end("{}");
      } else if (reply === "hang-up") {
        res.socket?.destroy();
      } else if (reply === "chunked") {
        res.writeHead(200, { "content-type": "application/json" });
        res.end('{"no":"length"}');
      } else {
        const text = JSON.stringify({ echo: reply });
        res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(text) }).end(text);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const open = () =>
  new RawHttpConnection("127.0.0.1", port, { path: "/api/v1/recommend", headers: { "content-type": "application/json", authorization: "Bearer k" } });

describe("RawHttpConnection", () => {
  it("posts over one kept-alive connection and reads each answer whole, multi-byte text and split chunks included", async () => {
    const c = open();
    const before = connections.size;
    try {
      expect(await c.post(JSON.stringify({ reply: "a" }))).toEqual({ status: 200, text: '{"echo":"a"}' });
      const big = await c.post(JSON.stringify({ reply: "big" }));
      expect(big.status).toBe(200);
      expect((JSON.parse(big.text) as { items: string }).items).toBe("é".repeat(200_000));
      expect(await c.post(JSON.stringify({ reply: "ü" }))).toEqual({ status: 200, text: '{"echo":"ü"}' });
      expect(connections.size - before).toBe(1);
      expect(seen.at(-1)).toEqual({ url: "/api/v1/recommend", auth: "Bearer k", body: '{"reply":"ü"}' });
    } finally {
      c.close();
    }
  });

  it("reads an error answer, honours Connection: close, and reconnects for the next request", async () => {
    const c = open();
    const before = connections.size;
    try {
      expect(await c.post(JSON.stringify({ reply: "close" }))).toEqual({ status: 400, text: "{}" });
      expect(await c.post(JSON.stringify({ reply: "b" }))).toEqual({ status: 200, text: '{"echo":"b"}' });
      expect(connections.size - before).toBe(2);
    } finally {
      c.close();
    }
  });

  it("rejects when the server hangs up before answering, or answers without a Content-Length, and recovers", async () => {
    const c = open();
    try {
      await expect(c.post(JSON.stringify({ reply: "hang-up" }))).rejects.toThrow(/closed before the answer|ECONNRESET|socket hang up/);
      await expect(c.post(JSON.stringify({ reply: "chunked" }))).rejects.toThrow(/content-length/);
      expect(await c.post(JSON.stringify({ reply: "c" }))).toEqual({ status: 200, text: '{"echo":"c"}' });
    } finally {
      c.close();
    }
  });

  it("refuses a second request while one is in flight", async () => {
    const c = open();
    try {
      const first = c.post(JSON.stringify({ reply: "d" }));
      await expect(c.post(JSON.stringify({ reply: "e" }))).rejects.toThrow(/one request at a time/);
      expect(await first).toEqual({ status: 200, text: '{"echo":"d"}' });
    } finally {
      c.close();
    }
  });
});
