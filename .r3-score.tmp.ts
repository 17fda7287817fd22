import { BprModel } from "@/lib/recsys/models/bpr";
import { ServableBpr } from "@/lib/recsys/models/servable";
import { Rng } from "@/lib/recsys/random";
import { loadDataset } from "@/lib/recsys/data/load";
import { ServingModel } from "@/lib/serving/serving-model";
const ds = loadDataset("/work/shared/datasets/citeulike-a");
for (const dim of [20, 200]) {
  const bpr = BprModel.random(ds.numUsers, ds.numItems, dim, new Rng(1), 0.1);
  const s = new ServableBpr(bpr, { dimension: dim } as any, ds.userIds, ds.itemIds);
  await s.accelerate();
  const sm = new ServingModel("m", s, ds);
  for (let i = 0; i < 300; i++) sm.recommend(ds.userIds[i], 10);
  const N = 2000;
  let cpu = 0;
  const t0 = performance.now();
  for (let i = 0; i < N; i++) { const c0 = process.cpuUsage(); sm.recommend(ds.userIds[i % ds.numUsers], 10); const c = process.cpuUsage(c0); cpu += c.user + c.system; }
  console.log(`dim ${dim}: ${((performance.now() - t0) / N).toFixed(3)} ms wall, ${(cpu / 1000 / N).toFixed(3)} ms cpu per request`);
}
