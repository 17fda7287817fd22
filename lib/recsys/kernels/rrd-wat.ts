// WebAssembly text of RRD's per-user inner loops, 4 lanes at a time (wasm SIMD); compiled by wat.ts.
// The caller lays out one memory: user table U, item table V, their gradient tables GU and GV (all row-major,
// `dbytes` = 4·dim per row, dim a multiple of 4), the user's item ids (i32) and per-item scores / score
// gradients (f32); every offset below is in bytes.
//   scores: S[a] = U[u]·V[items[a]]                                  for a < count
//   grads:  GU[u] += Σ_a D[a]·V[items[a]];  GV[items[a]] += D[a]·U[u]  for a < count
export const RRD_WAT = `
(module
  (memory (import "env" "memory") 1)
  (func (export "scores")
    (param $U i32) (param $V i32) (param $items i32) (param $S i32) (param $u i32) (param $count i32) (param $dbytes i32)
    (local $a i32) (local $ub i32) (local $vb i32) (local $k i32) (local $acc v128)
    (local.set $ub (i32.add (local.get $U) (i32.mul (local.get $u) (local.get $dbytes))))
    (block $done
      (loop $items_loop
        (br_if $done (i32.ge_s (local.get $a) (local.get $count)))
        (local.set $vb (i32.add (local.get $V) (i32.mul (i32.load (i32.add (local.get $items) (i32.shl (local.get $a) (i32.const 2)))) (local.get $dbytes))))
        (local.set $acc (v128.const f32x4 0 0 0 0))
        (local.set $k (i32.const 0))
        (block $kdone
          (loop $kloop
            (br_if $kdone (i32.ge_s (local.get $k) (local.get $dbytes)))
            (local.set $acc (f32x4.add (local.get $acc)
              (f32x4.mul (v128.load (i32.add (local.get $ub) (local.get $k))) (v128.load (i32.add (local.get $vb) (local.get $k))))))
            (local.set $k (i32.add (local.get $k) (i32.const 16)))
            (br $kloop)))
        (f32.store (i32.add (local.get $S) (i32.shl (local.get $a) (i32.const 2)))
          (f32.add
            (f32.add (f32x4.extract_lane 0 (local.get $acc)) (f32x4.extract_lane 1 (local.get $acc)))
            (f32.add (f32x4.extract_lane 2 (local.get $acc)) (f32x4.extract_lane 3 (local.get $acc)))))
        (local.set $a (i32.add (local.get $a) (i32.const 1)))
        (br $items_loop))))
  (func (export "grads")
    (param $U i32) (param $V i32) (param $GU i32) (param $GV i32) (param $items i32) (param $D i32) (param $u i32) (param $count i32) (param $dbytes i32)
    (local $a i32) (local $ub i32) (local $gub i32) (local $ib i32) (local $k i32) (local $g v128) (local $p i32)
    (local.set $ub (i32.add (local.get $U) (i32.mul (local.get $u) (local.get $dbytes))))
    (local.set $gub (i32.add (local.get $GU) (i32.mul (local.get $u) (local.get $dbytes))))
    (block $done
      (loop $items_loop
        (br_if $done (i32.ge_s (local.get $a) (local.get $count)))
        (local.set $g (f32x4.splat (f32.load (i32.add (local.get $D) (i32.shl (local.get $a) (i32.const 2))))))
        (local.set $ib (i32.mul (i32.load (i32.add (local.get $items) (i32.shl (local.get $a) (i32.const 2)))) (local.get $dbytes)))
        (local.set $k (i32.const 0))
        (block $kdone
          (loop $kloop
            (br_if $kdone (i32.ge_s (local.get $k) (local.get $dbytes)))
            (local.set $p (i32.add (local.get $gub) (local.get $k)))
            (v128.store (local.get $p) (f32x4.add (v128.load (local.get $p))
              (f32x4.mul (local.get $g) (v128.load (i32.add (i32.add (local.get $V) (local.get $ib)) (local.get $k))))))
            (local.set $p (i32.add (i32.add (local.get $GV) (local.get $ib)) (local.get $k)))
            (v128.store (local.get $p) (f32x4.add (v128.load (local.get $p))
              (f32x4.mul (local.get $g) (v128.load (i32.add (local.get $ub) (local.get $k))))))
            (local.set $k (i32.add (local.get $k) (i32.const 16)))
            (br $kloop)))
        (local.set $a (i32.add (local.get $a) (i32.const 1)))
        (br $items_loop)))))
`;
