import { BprModel } from "@/lib/recsys/models/bpr";
import { ServableBpr } from "@/lib/recsys/models/servable";
import { Rng } from "@/lib/recsys/random";
import { topK } from "@/lib/recsys/topk";
const nu = 5219, ni = 25181;
for (const dim of [20, 200]) {
  const bpr = BprModel.random(nu, ni, dim, new Rng(1), 0.1);
  const m: any = { format: "understudy-model", dimension: dim };
  const ids = (n: number, p: string) => Array.from({ length: n }, (_, i) => `${p}${i}`);
  for (const accel of [false, true]) {
    const s = new ServableBpr(bpr, m, ids(nu, "u"), ids(ni, "i"));
    if (accel) await s.accelerate();
    const ex = new Set([1, 2, 3]);
    for (let i = 0; i < 200; i++) s.recommend(i, 10, ex);
    const N = 1000;
    const c0 = process.cpuUsage(); const t0 = performance.now();
    for (let i = 0; i < N; i++) s.recommend(i % nu, 10, ex);
    const c = process.cpuUsage(c0); const t = performance.now() - t0;
    console.log(`dim ${dim} accel ${accel}: ${(t / N).toFixed(3)} ms wall, ${((c.user + c.system) / 1000 / N).toFixed(3)} ms cpu per call`);
  }
  // topK alone
  const scores = new Float32Array(ni).map(() => Math.random());
  const t0 = performance.now();
  for (let i = 0; i < 1000; i++) topK(scores, 10, new Set([1,2,3]));
  console.log(`topK: ${((performance.now() - t0) / 1000).toFixed(3)} ms`);
}
