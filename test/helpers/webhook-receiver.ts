// A local webhook receiver (node:http) for the notification tests.
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  answered: number;
}

/** A receiver that answers the queued statuses in turn (then 200) and keeps every request. */
export async function receiver(statuses: number[]): Promise<{ url: string; received: Received[]; server: Server }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const answered = statuses.shift() ?? 200;
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString("utf8"), answered });
      res.writeHead(answered, { "content-type": "text/plain" }).end(answered === 200 ? "ok" : "receiver down for maintenance");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/understudy`, received, server };
}

/** runs fn with a receiver answering `statuses` in turn (then 200), closing it afterwards */
export async function withReceiver(statuses: number[], fn: (rx: Awaited<ReturnType<typeof receiver>>) => Promise<void>): Promise<void> {
  const rx = await receiver(statuses);
  try {
    await fn(rx);
  } finally {
    rx.server.close();
  }
}

/** A port nobody listens on: bind, note the port, close. */
export async function deadUrl(): Promise<string> {
  const r = await receiver([]);
  await new Promise<void>((resolve) => r.server.close(() => resolve()));
  return r.url;
}
