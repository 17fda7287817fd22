// The web server `npm start` runs: Next's request handler behind a plain node:http server, so every
// request carries the client address taken from its socket (or from TRUST_PROXY hops), which
// `next start` does not give route handlers. Usage: tsx scripts/web-server.ts [--dev]
// (PORT, HOST as for next start).
import { createServer } from "node:http";
import path from "node:path";
import next from "next";
import { stampClientAddress, trustClientAddressHeader, trustProxyHops } from "@/lib/http/client-address";

const root = path.resolve(import.meta.dirname, "..");
const dev = process.argv.includes("--dev");
const port = Number(process.env.PORT ?? 3000);
const host = process.env.HOST || undefined;
const hops = trustProxyHops();

const app = next({ dev, dir: root, hostname: host ?? "localhost", port });
const handle = app.getRequestHandler();
await app.prepare();
trustClientAddressHeader();

const server = createServer((req, res) => {
  stampClientAddress(req, hops);
  void handle(req, res);
});
const upgrade = (app as unknown as { getUpgradeHandler?: () => (...args: unknown[]) => Promise<void> }).getUpgradeHandler?.();
if (upgrade) server.on("upgrade", (req, socket, head) => void upgrade(req, socket, head));
server.listen(port, host, () => {
  console.log(
    `[web] ${dev ? "next dev" : "next"} listening on ${host ?? "all interfaces"}:${port}${hops ? ` (client address ${hops} proxy hop${hops === 1 ? "" : "s"} in)` : ""}`,
  );
});

const stop = () => {
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 5000).unref();
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
