// WebAssembly text of full-catalogue scoring, 4 lanes at a time (wasm SIMD); compiled by wat.ts.
// Items are stored in panels of 32: panel p holds, for each feature k in order, the k-th feature of items
// 32p … 32p+31 (dim × 32 floats, contiguous), so a panel is read sequentially and, at dim 200 (25.6 KB),
// stays in L1 while every user of the block is scored against it. Eight independent accumulators (8 × 4
// items) hide the latency of the additions. Every offset is in bytes.
//   scores: S[j·stride + i] = Σ_k U[j·dim + k] · item_i[k]   (f32, k in ascending order, one lane per item)
//           M[j·panels + p] = max of S[j·stride + 32p … 32p+31] (NaN when one of them is NaN)
// for users j < rows and panels p < panels; stride is in bytes (≥ 128·panels).
const LANES = [0, 1, 2, 3, 4, 5, 6, 7];
const acc = (f: (a: number) => string) => LANES.map(f).join("\n");
const maxTree = (names: string[]): string =>
  names.length === 1 ? `(local.get $a${names[0]})` : `(f32x4.max ${maxTree(names.slice(0, names.length / 2))} ${maxTree(names.slice(names.length / 2))})`;

/** one user a pass over each panel; `lane` says what a lane holds and how it accumulates and reduces */
interface LaneOps {
  /** acc + u · x, on v128 expressions */
  madd: (acc: string, u: string, x: string) => string;
  /** lane-wise maximum of two v128 */
  max: string;
  /** stores the largest lane of $m at the address expression */
  storeMax: (address: string) => string;
}

/**
 * One user against the panel at $pb (user features from $ub to $uend, one a step): the 32 scores stored
 * at `out`, their maximum at `maxAddress`.
 */
function userPanelWat(lane: LaneOps, out: string, maxAddress: string): string {
  return `(local.set $v (local.get $pb))
            ${acc((a) => `(local.set $a${a} (v128.const i32x4 0 0 0 0))`)}
            (block $kdone
              (loop $kloop
                (br_if $kdone (i32.ge_u (local.get $ub) (local.get $uend)))
                (local.set $u (v128.load32_splat (local.get $ub)))
                ${acc((a) => `(local.set $a${a} ${lane.madd(`(local.get $a${a})`, "(local.get $u)", `(v128.load offset=${16 * a} (local.get $v))`)})`)}
                (local.set $ub (i32.add (local.get $ub) (i32.const 4)))
                (local.set $v (i32.add (local.get $v) (i32.const 128)))
                (br $kloop)))
            (local.set $out ${out})
            ${acc((a) => `(v128.store offset=${16 * a} (local.get $out) (local.get $a${a}))`)}
            (local.set $m ${maxTree(LANES.map(String)).replaceAll("f32x4.max", lane.max)})
            ${lane.storeMax(maxAddress)}`;
}

const PASS_LOCALS = `(local $pb i32) (local $ub i32) (local $uend i32) (local $v i32) (local $out i32)
    (local $u v128) (local $m v128)
    ${LANES.map((a) => `(local $a${a} v128)`).join(" ")}`;

function onePassWat(lane: LaneOps): string {
  return `
(module
  (memory (import "env" "memory") 1)
  (func (export "scores")
    (param $P i32) (param $panels i32) (param $dim i32) (param $U i32) (param $rows i32) (param $S i32) (param $stride i32) (param $M i32)
    (local $p i32) (local $j i32)
    ${PASS_LOCALS}
    (block $pdone
      (loop $ploop
        (br_if $pdone (i32.ge_s (local.get $p) (local.get $panels)))
        (local.set $pb (i32.add (local.get $P) (i32.mul (local.get $p) (i32.shl (local.get $dim) (i32.const 7)))))
        (local.set $j (i32.const 0))
        (block $jdone
          (loop $jloop
            (br_if $jdone (i32.ge_s (local.get $j) (local.get $rows)))
            (local.set $ub (i32.add (local.get $U) (i32.shl (i32.mul (local.get $j) (local.get $dim)) (i32.const 2))))
            (local.set $uend (i32.add (local.get $ub) (i32.shl (local.get $dim) (i32.const 2))))
            ${userPanelWat(
              lane,
              "(i32.add (i32.add (local.get $S) (i32.mul (local.get $j) (local.get $stride))) (i32.shl (local.get $p) (i32.const 7)))",
              "(i32.add (local.get $M) (i32.shl (i32.add (i32.mul (local.get $j) (local.get $panels)) (local.get $p)) (i32.const 2)))",
            )}
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $jloop)))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $ploop))))
)
`;
}

/**
 * One user against the listed panels only: for t < count, panel L[t] (i32 indices at byte L) is scored
 * into the t-th compact slot, S[t·32 …] and M[t] (same sums as onePassWat's).
 *   scores(P, count, dim, U, L, S, M)
 */
function listPassWat(lane: LaneOps): string {
  return `
(module
  (memory (import "env" "memory") 1)
  (func (export "scores")
    (param $P i32) (param $count i32) (param $dim i32) (param $U i32) (param $L i32) (param $S i32) (param $M i32)
    (local $t i32)
    ${PASS_LOCALS}
    (block $tdone
      (loop $tloop
        (br_if $tdone (i32.ge_s (local.get $t) (local.get $count)))
        (local.set $pb (i32.add (local.get $P) (i32.mul (i32.load (i32.add (local.get $L) (i32.shl (local.get $t) (i32.const 2)))) (i32.shl (local.get $dim) (i32.const 7)))))
        (local.set $ub (local.get $U))
        (local.set $uend (i32.add (local.get $U) (i32.shl (local.get $dim) (i32.const 2))))
        ${userPanelWat(lane, "(i32.add (local.get $S) (i32.shl (local.get $t) (i32.const 7)))", "(i32.add (local.get $M) (i32.shl (local.get $t) (i32.const 2)))")}
        (local.set $t (i32.add (local.get $t) (i32.const 1)))
        (br $tloop))))
)
`;
}

export const SCORE_WAT = onePassWat({
  madd: (acc, u, x) => `(f32x4.add ${acc} (f32x4.mul ${u} ${x}))`,
  max: "f32x4.max",
  storeMax: (address) => `(f32.store ${address}
              (f32.max
                (f32.max (f32x4.extract_lane 0 (local.get $m)) (f32x4.extract_lane 1 (local.get $m)))
                (f32.max (f32x4.extract_lane 2 (local.get $m)) (f32x4.extract_lane 3 (local.get $m)))))`,
});

// R users at a time (register blocking, R = 2 or 4): the users of group g are stored feature by feature,
// each value splatted to 4 lanes (U[g·dim·16R + k·16R + 16u] = user R·g+u's feature k, 4 times), so one
// pass over a slice of 32/R items of a panel keeps R users × 8/R vectors of accumulators and reads each
// item vector once for R users. Same sums in the same order as SCORE_WAT (f32, k ascending, one lane
// per item); the panel maxima are taken from the stored scores.
//   scores(P, panels, dim, U, groups, S, stride, M): rows R·g … R·g+R-1 for g < groups, as SCORE_WAT's.
export function scoreGroupWat(R: 2 | 4): string {
  const users = Array.from({ length: R }, (_, u) => u);
  const vectors = Array.from({ length: 8 / R }, (_, h) => h);
  const pairs = users.flatMap((u) => vectors.map((h) => `${u}${h}`));
  const sliceBytes = 16 * vectors.length;
  const userBytes = 16 * R;
  const log2 = (x: number) => Math.log2(x);
  return `
(module
  (memory (import "env" "memory") 1)
  (func (export "scores")
    (param $P i32) (param $panels i32) (param $dim i32) (param $U i32) (param $groups i32) (param $S i32) (param $stride i32) (param $M i32)
    (local $p i32) (local $pb i32) (local $g i32) (local $gb i32) (local $ub i32) (local $uend i32) (local $v i32) (local $q i32) (local $out i32) (local $row i32)
    (local $u v128) (local $m v128)
    ${vectors.map((h) => `(local $x${h} v128)`).join(" ")}
    ${pairs.map((a) => `(local $a${a} v128)`).join(" ")}
    ${LANES.map((a) => `(local $b${a} v128)`).join(" ")}
    (block $pdone
      (loop $ploop
        (br_if $pdone (i32.ge_s (local.get $p) (local.get $panels)))
        (local.set $pb (i32.add (local.get $P) (i32.mul (local.get $p) (i32.shl (local.get $dim) (i32.const 7)))))
        (local.set $g (i32.const 0))
        (block $gdone
          (loop $gloop
            (br_if $gdone (i32.ge_s (local.get $g) (local.get $groups)))
            (local.set $gb (i32.add (local.get $U) (i32.shl (i32.mul (local.get $g) (local.get $dim)) (i32.const ${log2(userBytes)}))))
            (local.set $q (i32.const 0))
            (block $qdone
              (loop $qloop
                (br_if $qdone (i32.ge_u (local.get $q) (i32.const 128)))
                (local.set $ub (local.get $gb))
                (local.set $uend (i32.add (local.get $gb) (i32.shl (local.get $dim) (i32.const ${log2(userBytes)}))))
                (local.set $v (i32.add (local.get $pb) (local.get $q)))
                ${pairs.map((a) => `(local.set $a${a} (v128.const f32x4 0 0 0 0))`).join("\n")}
                (block $kdone
                  (loop $kloop
                    (br_if $kdone (i32.ge_u (local.get $ub) (local.get $uend)))
                    ${vectors.map((h) => `(local.set $x${h} (v128.load offset=${16 * h} (local.get $v)))`).join("\n")}
                    ${users
                      .map(
                        (u) => `(local.set $u (v128.load offset=${16 * u} (local.get $ub)))
                    ${vectors.map((h) => `(local.set $a${u}${h} (f32x4.add (local.get $a${u}${h}) (f32x4.mul (local.get $u) (local.get $x${h}))))`).join("\n")}`,
                      )
                      .join("\n")}
                    (local.set $ub (i32.add (local.get $ub) (i32.const ${userBytes})))
                    (local.set $v (i32.add (local.get $v) (i32.const 128)))
                    (br $kloop)))
                (local.set $out (i32.add (i32.add (local.get $S) (i32.mul (i32.mul (local.get $g) (i32.const ${R})) (local.get $stride))) (i32.add (i32.shl (local.get $p) (i32.const 7)) (local.get $q))))
                ${users
                  .map(
                    (u) => `${vectors.map((h) => `(v128.store offset=${16 * h} (local.get $out) (local.get $a${u}${h}))`).join(" ")}
                (local.set $out (i32.add (local.get $out) (local.get $stride)))`,
                  )
                  .join("\n")}
                (local.set $q (i32.add (local.get $q) (i32.const ${sliceBytes})))
                (br $qloop)))
            ;; each user's panel maximum, from the 32 scores just stored
            (local.set $row (i32.mul (local.get $g) (i32.const ${R})))
            (local.set $out (i32.add (i32.add (local.get $S) (i32.mul (local.get $row) (local.get $stride))) (i32.shl (local.get $p) (i32.const 7))))
            ${users
              .map(
                () => `${LANES.map((a) => `(local.set $b${a} (v128.load offset=${16 * a} (local.get $out)))`).join(" ")}
            (local.set $m ${maxTree(LANES.map(String)).replaceAll("$a", "$b")})
            (f32.store
              (i32.add (local.get $M) (i32.shl (i32.add (i32.mul (local.get $row) (local.get $panels)) (local.get $p)) (i32.const 2)))
              (f32.max
                (f32.max (f32x4.extract_lane 0 (local.get $m)) (f32x4.extract_lane 1 (local.get $m)))
                (f32.max (f32x4.extract_lane 2 (local.get $m)) (f32x4.extract_lane 3 (local.get $m)))))
            (local.set $row (i32.add (local.get $row) (i32.const 1)))
            (local.set $out (i32.add (local.get $out) (local.get $stride)))`,
              )
              .join("\n")}
            (local.set $g (i32.add (local.get $g) (i32.const 1)))
            (br $gloop)))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $ploop))))
)
`;
}

// 16-bit integer scoring (a candidate filter; the exact f32 scores of the few candidates are computed
// after): items quantized to i16 in panels of 32, two features a lane: panel p, feature pair t holds
// the panel's 32 items as (q[2t], q[2t+1]) i16 pairs (128 bytes), so one i32x4.dot_i16x8_s does two
// features of four items. Exact i32 sums (|q| ≤ 2047 keeps every sum far from overflow). The arguments
// are listPassWat's with `dim` = the number of feature pairs and the user's pairs the i32 words at
// U + 4t:
//   scores: S[32t + i] = Σ_x qu[2x]·q_i[2x] + qu[2x+1]·q_i[2x+1] for item i of panel L[t]   (i32)
//           M[t] = max of those 32 scores
const I16_LANE: LaneOps = {
  madd: (acc, u, x) => `(i32x4.add ${acc} (i32x4.dot_i16x8_s ${x} ${u}))`,
  max: "i32x4.max_s",
  storeMax: (address) => `(local.set $m (i32x4.max_s (local.get $m) (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $m) (local.get $m))))
            (local.set $m (i32x4.max_s (local.get $m) (i8x16.shuffle 4 5 6 7 0 1 2 3 12 13 14 15 8 9 10 11 (local.get $m) (local.get $m))))
            (i32.store ${address} (i32x4.extract_lane 0 (local.get $m)))`,
};

/** the 16-bit scores of a list of panels (listPassWat) */
export const SCORE_I16_LIST_WAT = listPassWat(I16_LANE);

// The panels a user's top-k can reach, in f64 as the JS reference would compute them: panel p's upper
// bound b = min(ball[p] + ballError, norm·maxNorm[p]) + scoreError (ball: f32 at CS, maxNorm: f64 at NM)
// stored at BND (f64), and the p with b ≥ floor listed at OUT (i32), in ascending order; returns their count.
//   survivors(CS, NM, panels, norm, ballError, scoreError, floor, BND, OUT) → count
export const SURVIVORS_WAT = `
(module
  (memory (import "env" "memory") 1)
  (func (export "survivors")
    (param $CS i32) (param $NM i32) (param $panels i32) (param $norm f64) (param $ballError f64) (param $scoreError f64)
    (param $floor f64) (param $BND i32) (param $OUT i32) (result i32)
    (local $p i32) (local $n i32) (local $ball f64) (local $normBound f64) (local $b f64)
    (block $done
      (loop $next
        (br_if $done (i32.ge_s (local.get $p) (local.get $panels)))
        (local.set $ball (f64.add (f64.promote_f32 (f32.load (i32.add (local.get $CS) (i32.shl (local.get $p) (i32.const 2))))) (local.get $ballError)))
        (local.set $normBound (f64.mul (local.get $norm) (f64.load (i32.add (local.get $NM) (i32.shl (local.get $p) (i32.const 3))))))
        (local.set $b (f64.add (select (local.get $ball) (local.get $normBound) (f64.lt (local.get $ball) (local.get $normBound))) (local.get $scoreError)))
        (f64.store (i32.add (local.get $BND) (i32.shl (local.get $p) (i32.const 3))) (local.get $b))
        (if (f64.ge (local.get $b) (local.get $floor))
          (then
            (i32.store (i32.add (local.get $OUT) (i32.shl (local.get $n) (i32.const 2))) (local.get $p))
            (local.set $n (i32.add (local.get $n) (i32.const 1)))))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $next)))
    (local.get $n)))
`;
