// `tsx bench/profile-summary.ts <file.cpuprofile> [--top 40]`: where a V8 CPU profile (node --cpu-prof,
// BENCH_PROFILE_DIR of bench:serve) spent its samples: self time by function and by source file, and the
// inclusive time of the functions that matter most. Plain text on stdout.
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const { values, positionals } = parseArgs({ options: { top: { type: "string", default: "40" } }, allowPositionals: true });
if (positionals.length !== 1) {
  console.error("usage: tsx bench/profile-summary.ts <file.cpuprofile> [--top 40]");
  process.exit(2);
}
const top = Number(values.top);
const profile = JSON.parse(readFileSync(positionals[0], "utf8")) as Profile;

const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const selfUs = new Map<number, number>();
profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));

const shortUrl = (url: string) =>
  url
    .replace(/^file:\/\//, "")
    .replace(/.*\/node_modules\//, "~/")
    .replace(/.*\/(lib|app|scripts|bench)\//, "$1/");
const label = (f: CallFrame) => `${f.functionName || "(anonymous)"} ${shortUrl(f.url)}:${f.lineNumber + 1}`;

let total = 0;
let idle = 0;
const fnSelf = new Map<string, number>();
const fileSelf = new Map<string, number>();
const fnInclusive = new Map<string, number>();
for (const [id, us] of selfUs) {
  const node = byId.get(id)!;
  total += us;
  if (node.callFrame.functionName === "(idle)") idle += us;
  const l = label(node.callFrame);
  fnSelf.set(l, (fnSelf.get(l) ?? 0) + us);
  const file = shortUrl(node.callFrame.url) || `(${node.callFrame.functionName})`;
  fileSelf.set(file, (fileSelf.get(file) ?? 0) + us);
  // inclusive: every distinct frame on the stack gets the sample once
  const seen = new Set<string>();
  for (let n: number | undefined = id; n !== undefined; n = parent.get(n)) {
    const f = label(byId.get(n)!.callFrame);
    if (seen.has(f)) continue;
    seen.add(f);
    fnInclusive.set(f, (fnInclusive.get(f) ?? 0) + us);
  }
}
const busy = total - idle;
const pct = (us: number) => `${((100 * us) / busy).toFixed(1).padStart(5)} %`;
const print = (title: string, m: Map<string, number>) => {
  console.log(`\n${title}`);
  for (const [k, us] of [...m].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${pct(us)}  ${(us / 1000).toFixed(0).padStart(7)} ms  ${k}`);
};
console.log(`profile: ${(total / 1e6).toFixed(1)} s sampled, ${(busy / 1e6).toFixed(1)} s busy (percentages of busy time)`);
print("self time by function", fnSelf);
print("self time by file", fileSelf);
print("inclusive time by function", fnInclusive);
