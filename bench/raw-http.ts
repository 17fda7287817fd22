// A keep-alive HTTP/1.1 client connection over a raw TCP socket, for the load generator: one POST at a
// time, the request written in one piece, the answer read by its Content-Length (every answer of the
// servers under test carries one). No agent, no parser objects, no streams: a request costs its two
// system calls and a few string operations. A lost connection is reopened on the next request;
// "Connection: close" in an answer closes it after that answer.
import net from "node:net";

export interface RawHttpAnswer {
  status: number;
  text: string;
}

interface Pending {
  resolve: (answer: RawHttpAnswer) => void;
  reject: (error: Error) => void;
}

const HEADER_END = Buffer.from("\r\n\r\n");

export class RawHttpConnection {
  private socket: net.Socket | null = null;
  private buffered: Buffer = Buffer.alloc(0);
  private pending: Pending | null = null;
  private readonly head: string;

  constructor(
    private readonly host: string,
    private readonly port: number,
    { path, headers }: { path: string; headers: Record<string, string> },
  ) {
    const lines = [`POST ${path} HTTP/1.1`, `host: ${host}:${port}`, ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`)];
    this.head = lines.join("\r\n") + "\r\ncontent-length: ";
  }

  /** POSTs `body` and resolves with the answer's status and text; rejects on a transport error or a malformed answer */
  post(body: string): Promise<RawHttpAnswer> {
    if (this.pending) return Promise.reject(new Error("RawHttpConnection: one request at a time"));
    const socket = this.socket ?? this.connect();
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
      socket.write(`${this.head}${Buffer.byteLength(body)}\r\n\r\n${body}`);
    });
  }

  close(): void {
    this.socket?.destroy();
    this.socket = null;
  }

  private connect(): net.Socket {
    const socket = net.connect({ host: this.host, port: this.port, noDelay: true });
    this.socket = socket;
    this.buffered = Buffer.alloc(0);
    socket.on("data", (chunk: Buffer) => this.received(chunk));
    socket.on("error", (error) => this.lost(socket, error));
    socket.on("close", () => this.lost(socket, new Error("connection closed before the answer")));
    return socket;
  }

  private lost(socket: net.Socket, error: Error): void {
    if (this.socket !== socket) return;
    this.socket = null;
    const pending = this.pending;
    this.pending = null;
    pending?.reject(error);
  }

  private received(chunk: Buffer): void {
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    const end = this.buffered.indexOf(HEADER_END);
    if (end < 0) return;
    const head = this.buffered.toString("latin1", 0, end);
    const status = Number(head.slice(9, 12));
    const lower = head.toLowerCase();
    const at = lower.indexOf("\r\ncontent-length:");
    if (!Number.isInteger(status) || at < 0) return this.fail(new Error(`answer without a status or a content-length: ${head.slice(0, 200)}`));
    const eol = lower.indexOf("\r\n", at + 17);
    const length = Number.parseInt(lower.slice(at + 17, eol < 0 ? undefined : eol), 10);
    if (!Number.isInteger(length) || length < 0) return this.fail(new Error(`bad content-length in ${head.slice(0, 200)}`));
    const start = end + HEADER_END.length;
    if (this.buffered.length < start + length) return;
    const text = this.buffered.toString("utf8", start, start + length);
    this.buffered = this.buffered.subarray(start + length);
    if (lower.includes("\r\nconnection: close")) this.close();
    const pending = this.pending;
    this.pending = null;
    pending?.resolve({ status, text });
  }

  private fail(error: Error): void {
    const pending = this.pending;
    this.pending = null;
    this.close();
    pending?.reject(error);
  }
}
