//! The SIMD kernels of the index: dot products of single- and half-precision rows, and the
//! conversion of half-precision rows, with AVX2, FMA and F16C where the processor has them
//! (detected once at run time), else in plain code.

use half::f16;
use half::slice::HalfFloatSliceExt;

/// Converts `h` to single precision into `out` (as long): eight at a time with F16C where the
/// processor has it (half's own slice conversion calls a function per eight).
pub(super) fn halves_to_f32(h: &[f16], out: &mut [f32]) {
    #[cfg(target_arch = "x86_64")]
    {
        if avx2() {
            // SAFETY: the processor has AVX2, FMA and F16C (checked by `avx2`).
            unsafe { halves_to_f32_f16c(h, out) };
            return;
        }
    }
    h.convert_to_f32_slice(out);
}

/// [`halves_to_f32`] with F16C.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,f16c")]
fn halves_to_f32_f16c(h: &[f16], out: &mut [f32]) {
    use std::arch::x86_64::*;
    let n = h.len().min(out.len());
    let whole = n - n % 8;
    let (hp, op) = (h.as_ptr().cast::<u16>(), out.as_mut_ptr());
    let mut i = 0;
    while i < whole {
        // SAFETY: i + 8 <= n, the length of both slices; f16 is a transparent u16; the loads
        // and stores are unaligned ones.
        unsafe {
            _mm256_storeu_ps(
                op.add(i),
                _mm256_cvtph_ps(_mm_loadu_si128(hp.add(i).cast())),
            )
        };
        i += 8;
    }
    for (o, h) in out[whole..n].iter_mut().zip(&h[whole..n]) {
        *o = h.to_f32();
    }
}

/// The dot product of a row of half-precision numbers and a query: with AVX2, FMA and F16C
/// where the processor has them (detected once), else element by element.
pub(super) fn dot_half(h: &[f16], q: &[f32]) -> f32 {
    #[cfg(target_arch = "x86_64")]
    {
        if avx2() {
            // SAFETY: the processor has AVX2, FMA and F16C (checked by `avx2`).
            return unsafe { dot_half_avx2(h, q) };
        }
    }
    h.iter().zip(q).map(|(h, q)| h.to_f32() * q).sum()
}

/// [`dot_half`] with sixteen halves converted and multiplied per step, in two sums.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma,f16c")]
fn dot_half_avx2(h: &[f16], q: &[f32]) -> f32 {
    use std::arch::x86_64::*;
    let n = h.len().min(q.len());
    let whole = n - n % 16;
    let (mut s0, mut s1) = (_mm256_setzero_ps(), _mm256_setzero_ps());
    let (hp, qp) = (h.as_ptr().cast::<u16>(), q.as_ptr());
    let mut i = 0;
    while i < whole {
        // SAFETY: i + 16 <= n, the length of both slices; f16 is a transparent u16; the
        // loads are unaligned ones.
        unsafe {
            let h0 = _mm256_cvtph_ps(_mm_loadu_si128(hp.add(i).cast()));
            let h1 = _mm256_cvtph_ps(_mm_loadu_si128(hp.add(i + 8).cast()));
            s0 = _mm256_fmadd_ps(h0, _mm256_loadu_ps(qp.add(i)), s0);
            s1 = _mm256_fmadd_ps(h1, _mm256_loadu_ps(qp.add(i + 8)), s1);
        }
        i += 16;
    }
    let mut lanes = [0.0f32; 8];
    // SAFETY: lanes has room for the eight floats.
    unsafe { _mm256_storeu_ps(lanes.as_mut_ptr(), _mm256_add_ps(s0, s1)) };
    let rest: f32 = h[whole..n]
        .iter()
        .zip(&q[whole..n])
        .map(|(h, q)| h.to_f32() * q)
        .sum();
    lanes.iter().sum::<f32>() + rest
}

/// The dot product of two equally long slices: with AVX2 and FMA where the processor has them
/// (detected once), else in plain code the compiler vectorises for the baseline.
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    #[cfg(target_arch = "x86_64")]
    {
        if avx2() {
            // SAFETY: the processor has AVX2 and FMA (checked by `avx2`).
            return unsafe { dot_avx2(a, b) };
        }
    }
    dot_with::<false>(a, b)
}

#[cfg(target_arch = "x86_64")]
fn avx2() -> bool {
    static HAS: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *HAS.get_or_init(|| {
        std::arch::is_x86_feature_detected!("avx2")
            && std::arch::is_x86_feature_detected!("fma")
            && std::arch::is_x86_feature_detected!("f16c")
    })
}
/// [`dot_with`] compiled for AVX2, with fused multiply-adds.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
fn dot_avx2(a: &[f32], b: &[f32]) -> f32 {
    dot_with::<true>(a, b)
}

/// The dot product in sixteen independent sums (two 8-lane registers; the compiler turns them
/// into SIMD lanes), fused multiply-adds with `FUSED` (only where the processor has them:
/// elsewhere `mul_add` is a slow library call).
#[inline(always)]
fn dot_with<const FUSED: bool>(a: &[f32], b: &[f32]) -> f32 {
    const LANES: usize = 16;
    let mut sums = [0.0f32; LANES];
    let whole = a.len() - a.len() % LANES;
    for (x, y) in a[..whole]
        .chunks_exact(LANES)
        .zip(b[..whole].chunks_exact(LANES))
    {
        for k in 0..LANES {
            sums[k] = if FUSED {
                x[k].mul_add(y[k], sums[k])
            } else {
                sums[k] + x[k] * y[k]
            };
        }
    }
    let rest: f32 = a[whole..].iter().zip(&b[whole..]).map(|(x, y)| x * y).sum();
    sums.iter().sum::<f32>() + rest
}
