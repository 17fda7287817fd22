// A web process for tests: node:http serving POST /api/auth/sign-in with the same code as the app's
// route (lib/auth/sign-in-request) and the same client-address stamping as scripts/web-server.ts.
// Run as `node --import tsx test/helpers/sign-in-server.ts` with DATABASE_URL (and TRUST_PROXY);
// prints "listening <port>".
import { createServer } from "node:http";
import { signInResponse } from "@/lib/auth/sign-in-request";
import { handler } from "@/lib/http";
import { stampClientAddress, trustProxyHops } from "@/lib/http/client-address";

const hops = trustProxyHops();
const signIn = handler((request: Request, address: string) => signInResponse(request, address));

const server = createServer((req, res) => {
  const address = stampClientAddress(req, hops);
  const chunks: Buffer[] = [];
  req.on("data", (c: Buffer) => chunks.push(c));
  req.on("end", async () => {
    const headers = new Headers();
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers.set(k, v);
    const request = new Request(`http://${req.headers.host}${req.url}`, {
      method: req.method,
      headers,
      body: req.method === "POST" ? Buffer.concat(chunks) : undefined,
    });
    const response = req.url === "/api/auth/sign-in" ? await signIn(request, address) : new Response("not found", { status: 404 });
    res.writeHead(response.status, Object.fromEntries(response.headers.entries()));
    res.end(Buffer.from(await response.arrayBuffer()));
  });
});
server.listen(0, "127.0.0.1", () => {
  const { port } = server.address() as { port: number };
  console.log(`listening ${port}`);
});
process.on("SIGTERM", () => server.close(() => process.exit(0)));
