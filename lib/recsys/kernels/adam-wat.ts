// WebAssembly text of the Adam update, 4 lanes at a time (wasm SIMD), compiled at run time by wabt.
// Memory holds four equal regions of n floats: weights w, first moment m, second moment v, gradient g.
// adam(off, len, n, ...) updates elements [off, off+len) of every region:
//   gr = g + wd·w;  m = b1·m + (1−b1)·gr;  v = b2·v + (1−b2)·gr²;  w −= step·m / (√v·invSqrtC2 + eps)
// which is PyTorch's Adam with L2 weight decay (step = lr/(1−b1^t), invSqrtC2 = 1/√(1−b2^t)).
// Gradients below 1e-15 in magnitude count as 0 and v below 1e-30 is stored as 0: their squares would be
// denormal floats, which wasm computes ~100x slower, and at that size they move no weight (eps = 1e-8).
export const ADAM_WAT = `
(module
  (memory (import "env" "memory") 1)
  (func (export "adam")
    (param $off i32) (param $len i32) (param $n i32)
    (param $step f32) (param $b1 f32) (param $b2 f32) (param $wd f32) (param $isc2 f32) (param $eps f32)
    (local $i i32) (local $end i32) (local $vend i32) (local $s1 i32) (local $s2 i32) (local $s3 i32)
    (local $w v128) (local $g v128) (local $m v128) (local $v v128)
    (local $vb1 v128) (local $va1 v128) (local $vb2 v128) (local $va2 v128)
    (local $vwd v128) (local $vstep v128) (local $visc2 v128) (local $veps v128) (local $vtiny v128) (local $vfloor v128)
    (local $fw f32) (local $fg f32) (local $fm f32) (local $fv f32)
    (local.set $vtiny (f32x4.splat (f32.const 1e-15)))
    (local.set $vfloor (f32x4.splat (f32.const 1e-30)))
    (local.set $vb1 (f32x4.splat (local.get $b1)))
    (local.set $va1 (f32x4.splat (f32.sub (f32.const 1) (local.get $b1))))
    (local.set $vb2 (f32x4.splat (local.get $b2)))
    (local.set $va2 (f32x4.splat (f32.sub (f32.const 1) (local.get $b2))))
    (local.set $vwd (f32x4.splat (local.get $wd)))
    (local.set $vstep (f32x4.splat (local.get $step)))
    (local.set $visc2 (f32x4.splat (local.get $isc2)))
    (local.set $veps (f32x4.splat (local.get $eps)))
    (local.set $s1 (i32.shl (local.get $n) (i32.const 2)))
    (local.set $s2 (i32.shl (local.get $n) (i32.const 3)))
    (local.set $s3 (i32.add (local.get $s1) (local.get $s2)))
    (local.set $i (i32.shl (local.get $off) (i32.const 2)))
    (local.set $end (i32.shl (i32.add (local.get $off) (local.get $len)) (i32.const 2)))
    (local.set $vend (i32.sub (local.get $end) (i32.const 12)))
    (block $vdone
      (loop $vloop
        (br_if $vdone (i32.ge_s (local.get $i) (local.get $vend)))
        (local.set $w (v128.load (local.get $i)))
        (local.set $g (f32x4.add (v128.load (i32.add (local.get $i) (local.get $s3))) (f32x4.mul (local.get $vwd) (local.get $w))))
        (local.set $g (v128.and (local.get $g) (f32x4.gt (f32x4.abs (local.get $g)) (local.get $vtiny))))
        (local.set $m (f32x4.add (f32x4.mul (local.get $vb1) (v128.load (i32.add (local.get $i) (local.get $s1)))) (f32x4.mul (local.get $va1) (local.get $g))))
        (local.set $v (f32x4.add (f32x4.mul (local.get $vb2) (v128.load (i32.add (local.get $i) (local.get $s2)))) (f32x4.mul (local.get $va2) (f32x4.mul (local.get $g) (local.get $g)))))
        (local.set $v (v128.and (local.get $v) (f32x4.gt (local.get $v) (local.get $vfloor))))
        (v128.store (i32.add (local.get $i) (local.get $s1)) (local.get $m))
        (v128.store (i32.add (local.get $i) (local.get $s2)) (local.get $v))
        (v128.store (local.get $i)
          (f32x4.sub (local.get $w)
            (f32x4.div (f32x4.mul (local.get $vstep) (local.get $m))
              (f32x4.add (f32x4.mul (f32x4.sqrt (local.get $v)) (local.get $visc2)) (local.get $veps)))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $vloop)))
    (block $done
      (loop $sloop
        (br_if $done (i32.ge_s (local.get $i) (local.get $end)))
        (local.set $fw (f32.load (local.get $i)))
        (local.set $fg (f32.add (f32.load (i32.add (local.get $i) (local.get $s3))) (f32.mul (local.get $wd) (local.get $fw))))
        (if (f32.lt (f32.abs (local.get $fg)) (f32.const 1e-15)) (then (local.set $fg (f32.const 0))))
        (local.set $fm (f32.add (f32.mul (local.get $b1) (f32.load (i32.add (local.get $i) (local.get $s1)))) (f32.mul (f32.sub (f32.const 1) (local.get $b1)) (local.get $fg))))
        (local.set $fv (f32.add (f32.mul (local.get $b2) (f32.load (i32.add (local.get $i) (local.get $s2)))) (f32.mul (f32.sub (f32.const 1) (local.get $b2)) (f32.mul (local.get $fg) (local.get $fg)))))
        (if (f32.lt (local.get $fv) (f32.const 1e-30)) (then (local.set $fv (f32.const 0))))
        (f32.store (i32.add (local.get $i) (local.get $s1)) (local.get $fm))
        (f32.store (i32.add (local.get $i) (local.get $s2)) (local.get $fv))
        (f32.store (local.get $i)
          (f32.sub (local.get $fw)
            (f32.div (f32.mul (local.get $step) (local.get $fm))
              (f32.add (f32.mul (f32.sqrt (local.get $fv)) (local.get $isc2)) (local.get $eps)))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $sloop)))))
`;
