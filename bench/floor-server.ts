// The floor of bench:serve: the least a node:http server can do per request on this machine. It reads
// each POST body and answers 200 with a fixed JSON body (FLOOR_BODY_FILE: a real /api/v1/recommend answer,
// so the bytes on the wire are the same), with SERVING_PROCESSES processes behind the cluster module like
// the serving process. No parsing, no key, no scoring, no exposure.
//   FLOOR_BODY_FILE=answer.json SERVING_PORT=3198 SERVING_PROCESSES=1 tsx bench/floor-server.ts
import cluster from "node:cluster";
import { readFileSync } from "node:fs";
import http from "node:http";

const body = readFileSync(process.env.FLOOR_BODY_FILE ?? "");
const processes = Number(process.env.SERVING_PROCESSES ?? 1);
const port = Number(process.env.SERVING_PORT);

if (processes > 1 && cluster.isPrimary) {
  for (let i = 0; i < processes; i++) cluster.fork();
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.once(signal, () => {
      for (const worker of Object.values(cluster.workers ?? {})) worker?.kill(signal);
      cluster.on("exit", () => {
        if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
      });
    });
  }
} else {
  const server = http.createServer((req, res) => {
    req.on("data", () => undefined);
    req.on("end", () => {
      res.writeHead(200, { "content-type": "application/json", "content-length": body.length }).end(body);
    });
  });
  server.keepAliveTimeout = 30_000;
  // a clean exit on SIGTERM, so that --cpu-prof (BENCH_PROFILE_DIR) writes its profile
  process.once("SIGTERM", () => process.exit(0));
  server.listen(port, "127.0.0.1", () => console.log(`[floor] ready on ${port} (pid ${process.pid})`));
}
