// WebAssembly text of one DE expert's math, 4 lanes at a time (wasm SIMD); compiled by wat.ts.
// An expert is the MLP y = relu(x·W1 + b1)·W2 + b2 stored as one block [W1 ds×dh | b1 dh | W2 dh×dt | b2 dt]
// (row-major). Its gradient block has the same layout. Every offset is in bytes, every matrix row-major,
// and rows of cnt entities are contiguous (x: cnt×ds, h: cnt×dh, y and dy: cnt×dt, dx: cnt×ds).
//   forward:  h = relu(x·W1 + b1);  y = h·W2 + b2
//   backward: given dy = d loss / d y, adds to the gradient block (gW2 += hᵀ·dy, gb2 += Σdy,
//             gW1 += xᵀ·dh, gb1 += Σdh, with dh = (dy·W2ᵀ) ⊙ [h > 0]) and writes dx = dh·W1ᵀ;
//             `dhrow` is scratch for one row of dh.
// Dimensions need not be multiples of 4: every loop ends with a scalar tail.
export const DE_WAT = `
(module
  (memory (import "env" "memory") 1)
  ;; d[0..n) += a·s[0..n)
  (func $axpy (param $d i32) (param $s i32) (param $a f32) (param $n i32)
    (local $end i32) (local $vend i32) (local $va v128)
    (local.set $va (f32x4.splat (local.get $a)))
    (local.set $end (i32.add (local.get $d) (i32.shl (local.get $n) (i32.const 2))))
    (local.set $vend (i32.sub (local.get $end) (i32.const 12)))
    (block $vdone
      (loop $vloop
        (br_if $vdone (i32.ge_s (local.get $d) (local.get $vend)))
        (v128.store (local.get $d)
          (f32x4.add (v128.load (local.get $d)) (f32x4.mul (local.get $va) (v128.load (local.get $s)))))
        (local.set $d (i32.add (local.get $d) (i32.const 16)))
        (local.set $s (i32.add (local.get $s) (i32.const 16)))
        (br $vloop)))
    (block $sdone
      (loop $sloop
        (br_if $sdone (i32.ge_s (local.get $d) (local.get $end)))
        (f32.store (local.get $d) (f32.add (f32.load (local.get $d)) (f32.mul (local.get $a) (f32.load (local.get $s)))))
        (local.set $d (i32.add (local.get $d) (i32.const 4)))
        (local.set $s (i32.add (local.get $s) (i32.const 4)))
        (br $sloop))))
  ;; a[0..n) · b[0..n)
  (func $dot (param $a i32) (param $b i32) (param $n i32) (result f32)
    (local $end i32) (local $vend i32) (local $acc v128) (local $sum f32)
    (local.set $end (i32.add (local.get $a) (i32.shl (local.get $n) (i32.const 2))))
    (local.set $vend (i32.sub (local.get $end) (i32.const 12)))
    (block $vdone
      (loop $vloop
        (br_if $vdone (i32.ge_s (local.get $a) (local.get $vend)))
        (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (v128.load (local.get $a)) (v128.load (local.get $b)))))
        (local.set $a (i32.add (local.get $a) (i32.const 16)))
        (local.set $b (i32.add (local.get $b) (i32.const 16)))
        (br $vloop)))
    (local.set $sum
      (f32.add
        (f32.add (f32x4.extract_lane 0 (local.get $acc)) (f32x4.extract_lane 1 (local.get $acc)))
        (f32.add (f32x4.extract_lane 2 (local.get $acc)) (f32x4.extract_lane 3 (local.get $acc)))))
    (block $sdone
      (loop $sloop
        (br_if $sdone (i32.ge_s (local.get $a) (local.get $end)))
        (local.set $sum (f32.add (local.get $sum) (f32.mul (f32.load (local.get $a)) (f32.load (local.get $b)))))
        (local.set $a (i32.add (local.get $a) (i32.const 4)))
        (local.set $b (i32.add (local.get $b) (i32.const 4)))
        (br $sloop)))
    (local.get $sum))
  ;; d[0..n) = s[0..n)
  (func $copy (param $d i32) (param $s i32) (param $n i32)
    (local $end i32)
    (local.set $end (i32.add (local.get $d) (i32.shl (local.get $n) (i32.const 2))))
    (block $done
      (loop $loop
        (br_if $done (i32.ge_s (local.get $d) (local.get $end)))
        (f32.store (local.get $d) (f32.load (local.get $s)))
        (local.set $d (i32.add (local.get $d) (i32.const 4)))
        (local.set $s (i32.add (local.get $s) (i32.const 4)))
        (br $loop))))
  (func (export "forward")
    (param $w i32) (param $x i32) (param $h i32) (param $y i32) (param $cnt i32) (param $ds i32) (param $dh i32) (param $dt i32)
    (local $r i32) (local $k i32) (local $p i32) (local $b1 i32) (local $w2 i32) (local $b2 i32)
    (local $xr i32) (local $hr i32) (local $yr i32) (local $a f32) (local $end i32)
    (local.set $b1 (i32.add (local.get $w) (i32.shl (i32.mul (local.get $ds) (local.get $dh)) (i32.const 2))))
    (local.set $w2 (i32.add (local.get $b1) (i32.shl (local.get $dh) (i32.const 2))))
    (local.set $b2 (i32.add (local.get $w2) (i32.shl (i32.mul (local.get $dh) (local.get $dt)) (i32.const 2))))
    (block $rdone
      (loop $rloop
        (br_if $rdone (i32.ge_s (local.get $r) (local.get $cnt)))
        (local.set $xr (i32.add (local.get $x) (i32.shl (i32.mul (local.get $r) (local.get $ds)) (i32.const 2))))
        (local.set $hr (i32.add (local.get $h) (i32.shl (i32.mul (local.get $r) (local.get $dh)) (i32.const 2))))
        (local.set $yr (i32.add (local.get $y) (i32.shl (i32.mul (local.get $r) (local.get $dt)) (i32.const 2))))
        ;; h = relu(b1 + Σ_k x_k W1[k])
        (call $copy (local.get $hr) (local.get $b1) (local.get $dh))
        (local.set $k (i32.const 0))
        (block $kdone
          (loop $kloop
            (br_if $kdone (i32.ge_s (local.get $k) (local.get $ds)))
            (call $axpy (local.get $hr)
              (i32.add (local.get $w) (i32.shl (i32.mul (local.get $k) (local.get $dh)) (i32.const 2)))
              (f32.load (i32.add (local.get $xr) (i32.shl (local.get $k) (i32.const 2))))
              (local.get $dh))
            (local.set $k (i32.add (local.get $k) (i32.const 1)))
            (br $kloop)))
        (local.set $p (local.get $hr))
        (local.set $end (i32.add (local.get $hr) (i32.shl (local.get $dh) (i32.const 2))))
        (block $relu_done
          (loop $relu
            (br_if $relu_done (i32.ge_s (local.get $p) (local.get $end)))
            (if (i32.eqz (f32.gt (f32.load (local.get $p)) (f32.const 0))) (then (f32.store (local.get $p) (f32.const 0))))
            (local.set $p (i32.add (local.get $p) (i32.const 4)))
            (br $relu)))
        ;; y = b2 + Σ_p h_p W2[p], skipping the zeros of the ReLU
        (call $copy (local.get $yr) (local.get $b2) (local.get $dt))
        (local.set $p (i32.const 0))
        (block $pdone
          (loop $ploop
            (br_if $pdone (i32.ge_s (local.get $p) (local.get $dh)))
            (local.set $a (f32.load (i32.add (local.get $hr) (i32.shl (local.get $p) (i32.const 2)))))
            (if (f32.gt (local.get $a) (f32.const 0))
              (then
                (call $axpy (local.get $yr)
                  (i32.add (local.get $w2) (i32.shl (i32.mul (local.get $p) (local.get $dt)) (i32.const 2)))
                  (local.get $a) (local.get $dt))))
            (local.set $p (i32.add (local.get $p) (i32.const 1)))
            (br $ploop)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rloop))))
  (func (export "backward")
    (param $w i32) (param $g i32) (param $x i32) (param $h i32) (param $dy i32) (param $dhrow i32) (param $dx i32)
    (param $cnt i32) (param $ds i32) (param $dh i32) (param $dt i32)
    (local $r i32) (local $k i32) (local $p i32) (local $w2 i32) (local $gb1 i32) (local $gw2 i32) (local $gb2 i32)
    (local $xr i32) (local $hr i32) (local $dyr i32) (local $dxr i32) (local $a f32) (local $rowoff i32)
    (local.set $gb1 (i32.add (local.get $g) (i32.shl (i32.mul (local.get $ds) (local.get $dh)) (i32.const 2))))
    (local.set $gw2 (i32.add (local.get $gb1) (i32.shl (local.get $dh) (i32.const 2))))
    (local.set $gb2 (i32.add (local.get $gw2) (i32.shl (i32.mul (local.get $dh) (local.get $dt)) (i32.const 2))))
    (local.set $w2 (i32.add (local.get $w) (i32.sub (local.get $gw2) (local.get $g))))
    (block $rdone
      (loop $rloop
        (br_if $rdone (i32.ge_s (local.get $r) (local.get $cnt)))
        (local.set $xr (i32.add (local.get $x) (i32.shl (i32.mul (local.get $r) (local.get $ds)) (i32.const 2))))
        (local.set $hr (i32.add (local.get $h) (i32.shl (i32.mul (local.get $r) (local.get $dh)) (i32.const 2))))
        (local.set $dyr (i32.add (local.get $dy) (i32.shl (i32.mul (local.get $r) (local.get $dt)) (i32.const 2))))
        (local.set $dxr (i32.add (local.get $dx) (i32.shl (i32.mul (local.get $r) (local.get $ds)) (i32.const 2))))
        (call $axpy (local.get $gb2) (local.get $dyr) (f32.const 1) (local.get $dt))
        ;; per hidden unit p: gW2[p] += h_p·dy;  dh_p = [h_p > 0]·(dy · W2[p])
        (local.set $p (i32.const 0))
        (block $pdone
          (loop $ploop
            (br_if $pdone (i32.ge_s (local.get $p) (local.get $dh)))
            (local.set $a (f32.load (i32.add (local.get $hr) (i32.shl (local.get $p) (i32.const 2)))))
            (local.set $rowoff (i32.shl (i32.mul (local.get $p) (local.get $dt)) (i32.const 2)))
            (if (f32.gt (local.get $a) (f32.const 0))
              (then
                (call $axpy (i32.add (local.get $gw2) (local.get $rowoff)) (local.get $dyr) (local.get $a) (local.get $dt))
                (f32.store (i32.add (local.get $dhrow) (i32.shl (local.get $p) (i32.const 2)))
                  (call $dot (local.get $dyr) (i32.add (local.get $w2) (local.get $rowoff)) (local.get $dt))))
              (else
                (f32.store (i32.add (local.get $dhrow) (i32.shl (local.get $p) (i32.const 2))) (f32.const 0))))
            (local.set $p (i32.add (local.get $p) (i32.const 1)))
            (br $ploop)))
        (call $axpy (local.get $gb1) (local.get $dhrow) (f32.const 1) (local.get $dh))
        ;; per input k: gW1[k] += x_k·dh;  dx_k = dh · W1[k]
        (local.set $k (i32.const 0))
        (block $kdone
          (loop $kloop
            (br_if $kdone (i32.ge_s (local.get $k) (local.get $ds)))
            (local.set $rowoff (i32.shl (i32.mul (local.get $k) (local.get $dh)) (i32.const 2)))
            (call $axpy (i32.add (local.get $g) (local.get $rowoff)) (local.get $dhrow)
              (f32.load (i32.add (local.get $xr) (i32.shl (local.get $k) (i32.const 2)))) (local.get $dh))
            (f32.store (i32.add (local.get $dxr) (i32.shl (local.get $k) (i32.const 2)))
              (call $dot (local.get $dhrow) (i32.add (local.get $w) (local.get $rowoff)) (local.get $dh)))
            (local.set $k (i32.add (local.get $k) (i32.const 1)))
            (br $kloop)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rloop)))))
`;
