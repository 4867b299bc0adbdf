//! The O(N²) passes over A in vector registers: rules 1 and 4's sums over a row of A(t), and
//! rule 3's relaxation of the whole matrix.
//!
//! Each of the sums is summed in four interleaved lanes (lane l takes columns j ≡ l mod 4, the tail
//! continuing from lane 0) that are added in a fixed order at the end, `(l0 + l1) + (l2 + l3)`, so
//! the result has the same bits on every platform. On x86-64 the lanes are two SSE2 registers
//! (every x86-64 CPU has SSE2, and its packed operations round exactly as the scalar ones), or
//! one AVX2 register on a CPU that has AVX2 (found at run time, [`avx2`]: the same operations on
//! the same lanes, so the same bits, in half the instructions); elsewhere the same operations
//! run one lane at a time. No fused multiply-add is used anywhere (it rounds once, not twice).

const L: usize = 4;

/// Whether AVX2 may be used ([`crate::cpu::avx2`]).
#[inline(always)]
pub(super) fn avx2() -> bool {
    crate::cpu::avx2()
}

/// `[Σ_j c_j A⁺_j, Σ_j c_j A⁺_j s_j, Σ_j c_j A⁻_j p_j]` over a row `a` of A, with
/// A⁺ = A if A > 0 else +0 and A⁻ = −A if A < 0 else +0. O(N). See [`row_sums_avx2`].
#[inline(always)]
pub(super) fn row_sums(a: &[f64], cap: &[f64], s: &[f64], p: &[f64]) -> [f64; 3] {
    #[cfg(target_arch = "x86_64")]
    {
        sse2::row_sums(a, cap, s, p)
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        row_sums_scalar(a, cap, s, p)
    }
}

/// [`row_sums`] in AVX2, the same bits, for a caller compiled with AVX2 enabled (it inlines
/// there).
///
/// # Safety
/// The CPU must have AVX2 ([`avx2`]).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
#[inline]
pub(super) unsafe fn row_sums_avx2(a: &[f64], cap: &[f64], s: &[f64], p: &[f64]) -> [f64; 3] {
    // SAFETY: the caller's promise.
    unsafe { avx2_lanes::row_sums(a, cap, s, p) }
}

/// What a pass over A's rows does with each row's sums ([`row_pass`]). A trait with an
/// always-inlined method rather than a closure: a closure's body is not inlined into the AVX2
/// copy of the loop (callgrind: 1.4% more instructions a run), a method marked so is.
pub(super) trait Rows {
    fn row(&mut self, i: usize, sums: [f64; 3]);
}

/// One pass over the rows of the n × n matrix `a` (row-major): `r.row(i, [Σ_j c_j max(a_ij, 0),
/// Σ_j c_j max(a_ij, 0) s_j, Σ_j max(−a_ij, 0) p_j])` for each row i in order, the sums of
/// [`row_sums`] in AVX2 where the CPU has it (the same bits). Rule 1 and rule 4's threat read A(t)
/// through it, so that the rules hold no `unsafe` and no `cfg`.
#[inline]
pub(super) fn row_pass<R: Rows>(n: usize, a: &[f64], cap: &[f64], s: &[f64], p: &[f64], r: &mut R) {
    #[cfg(target_arch = "x86_64")]
    if avx2() {
        // SAFETY: the CPU has AVX2 (checked).
        unsafe { row_pass_avx2(n, a, cap, s, p, r) };
        return;
    }
    // SAFETY: without AVX2 instructions.
    unsafe { for_rows::<false, R>(n, a, cap, s, p, r) }
}

/// [`row_pass`] compiled for AVX2, so that the row sums inline into the loop.
///
/// # Safety
/// The CPU must have AVX2.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn row_pass_avx2<R: Rows>(
    n: usize,
    a: &[f64],
    cap: &[f64],
    s: &[f64],
    p: &[f64],
    r: &mut R,
) {
    // SAFETY: the caller's promise.
    unsafe { for_rows::<true, R>(n, a, cap, s, p, r) }
}

/// The loop of [`row_pass`], inlined into its AVX2 and portable versions (a row's sums inline
/// only into a function compiled with the same instructions).
///
/// # Safety
/// With `AVX2`, the CPU must have AVX2.
#[inline(always)]
unsafe fn for_rows<const AVX2: bool, R: Rows>(
    n: usize,
    a: &[f64],
    cap: &[f64],
    s: &[f64],
    p: &[f64],
    r: &mut R,
) {
    for i in 0..n {
        let row = &a[i * n..(i + 1) * n];
        #[cfg(target_arch = "x86_64")]
        let sums = if AVX2 {
            // SAFETY: the caller's promise.
            unsafe { row_sums_avx2(row, cap, s, p) }
        } else {
            row_sums(row, cap, s, p)
        };
        #[cfg(not(target_arch = "x86_64"))]
        let sums = row_sums(row, cap, s, p);
        r.row(i, sums);
    }
}

/// `a ← clamp(a + d + δ (b − a), −1, 1)` element by element (rule 3's relaxation toward the
/// baseline b with this step's changes d), calling `crossed(k)` for each element k that moved
/// across `thr` (`a > thr` before and not after, or the reverse: the third parties of rule 3 change
/// only there), and setting d back to zero (the step's changes are summed into it from zero; a
/// pass of its own to clear it cost more than the stores here). Each element is independent, so
/// the vector version has the same bits as the scalar one. O(N²) for the matrix.
#[inline(always)]
pub(super) fn relax(
    a: &mut [f64],
    b: &[f64],
    d: &mut [f64],
    delta: f64,
    thr: f64,
    crossed: impl FnMut(usize),
) {
    #[cfg(target_arch = "x86_64")]
    {
        if avx2() {
            // SAFETY: the CPU has AVX2 (checked).
            unsafe { avx2_lanes::relax(a, b, d, delta, thr, crossed) }
        } else {
            sse2::relax(a, b, d, delta, thr, crossed)
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        relax_scalar(a, b, d, delta, thr, crossed)
    }
}

/// One element of [`relax`]; `_mm_max_pd(y, −1)` is `y if y > −1 else −1` and `_mm_min_pd(y, 1)`
/// is `y if y < 1 else 1`, as here.
#[inline(always)]
fn relax_one(a: f64, b: f64, d: f64, delta: f64) -> f64 {
    let y = a + d + delta * (b - a);
    let y = if y > -1.0 { y } else { -1.0 };
    if y < 1.0 {
        y
    } else {
        1.0
    }
}

/// [`relax`] one element at a time (the code on other CPUs, and the SSE2 version's odd tail).
fn relax_scalar(
    a: &mut [f64],
    b: &[f64],
    d: &mut [f64],
    delta: f64,
    thr: f64,
    mut crossed: impl FnMut(usize),
) {
    for (k, ((a, &b), d)) in a.iter_mut().zip(b).zip(d).enumerate() {
        let old = *a;
        *a = relax_one(old, b, std::mem::take(d), delta);
        if (old > thr) != (*a > thr) {
            crossed(k);
        }
    }
}

/// The lanes one at a time: the reference for the SSE2 version, and the code on other CPUs.
#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
fn row_sums_scalar(a: &[f64], cap: &[f64], s: &[f64], p: &[f64]) -> [f64; 3] {
    let n = a.len();
    let (cap, s, p) = (&cap[..n], &s[..n], &p[..n]);
    let mut lanes = [[0.0f64; L]; 3];
    for j in 0..n {
        // The tail continues from lane 0, as in the vector version.
        let l = if j < n / L * L { j % L } else { j - n / L * L };
        add_column(&mut lanes, l, a[j], cap[j], s[j], p[j]);
    }
    fold(&lanes)
}

/// Column j's terms into lane l of the three sums: c·A⁺, c·A⁺·s_j, c·A⁻·p_j.
#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
#[inline(always)]
fn add_column(lanes: &mut [[f64; L]; 3], l: usize, x: f64, c: f64, sj: f64, pj: f64) {
    let wp = c * if x > 0.0 { x } else { 0.0 };
    let wn = c * if -x > 0.0 { -x } else { 0.0 };
    lanes[0][l] += wp;
    lanes[1][l] += wp * sj;
    lanes[2][l] += wn * pj;
}

/// Each sum's lanes added in the fixed order (l0 + l1) + (l2 + l3).
#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
#[inline(always)]
fn fold(lanes: &[[f64; L]; 3]) -> [f64; 3] {
    lanes.map(|v| (v[0] + v[1]) + (v[2] + v[3]))
}

#[cfg(target_arch = "x86_64")]
mod sse2 {
    use super::L;
    use std::arch::x86_64::*;

    /// [`super::relax_scalar`] two elements at a time; a crossing shows as differing compare
    /// masks of the old and new pair.
    #[inline(always)]
    pub(super) fn relax(
        a: &mut [f64],
        b: &[f64],
        d: &mut [f64],
        delta: f64,
        thr: f64,
        mut crossed: impl FnMut(usize),
    ) {
        let n = a.len();
        let (b, d) = (&b[..n], &mut d[..n]);
        let pairs = n / 2 * 2;
        // SAFETY: SSE2 is part of x86-64; loads and stores of two f64 at k + 1 < pairs ≤ n, in
        // slices of length n (checked above), unaligned allowed.
        unsafe {
            let (dl, lo, hi) = (_mm_set1_pd(delta), _mm_set1_pd(-1.0), _mm_set1_pd(1.0));
            let t = _mm_set1_pd(thr);
            let mut k = 0;
            while k < pairs {
                let av = _mm_loadu_pd(a.as_ptr().add(k));
                let bv = _mm_loadu_pd(b.as_ptr().add(k));
                let dv = _mm_loadu_pd(d.as_ptr().add(k));
                let y = _mm_add_pd(_mm_add_pd(av, dv), _mm_mul_pd(dl, _mm_sub_pd(bv, av)));
                let y = _mm_min_pd(_mm_max_pd(y, lo), hi);
                _mm_storeu_pd(a.as_mut_ptr().add(k), y);
                _mm_storeu_pd(d.as_mut_ptr().add(k), _mm_setzero_pd());
                let moved = _mm_movemask_pd(_mm_xor_pd(_mm_cmpgt_pd(av, t), _mm_cmpgt_pd(y, t)));
                if moved != 0 {
                    for h in 0..2 {
                        if moved >> h & 1 == 1 {
                            crossed(k + h);
                        }
                    }
                }
                k += 2;
            }
        }
        super::relax_scalar(
            &mut a[pairs..],
            &b[pairs..],
            &mut d[pairs..],
            delta,
            thr,
            |k| crossed(pairs + k),
        );
    }

    /// [`super::row_sums_scalar`] with lanes 0–1 and 2–3 in two registers. `_mm_max_pd(x, 0)`
    /// is `x if x > 0 else +0`, the scalar `if`. The tail of one to three columns stays in the
    /// registers: its columns go to lanes 0, 1 and 2 (two columns as one pair into lanes 0–1, a
    /// lone column by `_mm_add_sd`, which leaves the other lane as it is), and the fold adds the
    /// lanes in the scalar order.
    #[inline(always)]
    pub(super) fn row_sums(a: &[f64], cap: &[f64], s: &[f64], p: &[f64]) -> [f64; 3] {
        let n = a.len();
        let (cap, s, p) = (&cap[..n], &s[..n], &p[..n]);
        let full = n / L * L;
        // SAFETY: SSE2 is part of x86-64; every load reads two f64 at k and k + 1 < n, or one at
        // k < n, from slices of length n (checked above), unaligned loads allowed.
        unsafe {
            let zero = _mm_setzero_pd();
            let sign = _mm_set1_pd(-0.0);
            // Column terms c·A⁺, c·A⁺·s and c·A⁻·p of the pair (or lone column) loaded.
            let terms = |x: __m128d, c: __m128d, sv: __m128d, pv: __m128d| {
                let wp = _mm_mul_pd(c, _mm_max_pd(x, zero));
                let wn = _mm_mul_pd(c, _mm_max_pd(_mm_xor_pd(x, sign), zero));
                (wp, _mm_mul_pd(wp, sv), _mm_mul_pd(wn, pv))
            };
            let pair = |k: usize| {
                terms(
                    _mm_loadu_pd(a.as_ptr().add(k)),
                    _mm_loadu_pd(cap.as_ptr().add(k)),
                    _mm_loadu_pd(s.as_ptr().add(k)),
                    _mm_loadu_pd(p.as_ptr().add(k)),
                )
            };
            let one = |k: usize| {
                terms(
                    _mm_load_sd(a.as_ptr().add(k)),
                    _mm_load_sd(cap.as_ptr().add(k)),
                    _mm_load_sd(s.as_ptr().add(k)),
                    _mm_load_sd(p.as_ptr().add(k)),
                )
            };
            let (mut w0, mut w1) = (zero, zero);
            let (mut ws0, mut ws1) = (zero, zero);
            let (mut th0, mut th1) = (zero, zero);
            let mut j = 0;
            while j < full {
                let (wp, ws, th) = pair(j);
                w0 = _mm_add_pd(w0, wp);
                ws0 = _mm_add_pd(ws0, ws);
                th0 = _mm_add_pd(th0, th);
                let (wp, ws, th) = pair(j + 2);
                w1 = _mm_add_pd(w1, wp);
                ws1 = _mm_add_pd(ws1, ws);
                th1 = _mm_add_pd(th1, th);
                j += L;
            }
            match n - full {
                1 => {
                    let (wp, ws, th) = one(full);
                    w0 = _mm_add_sd(w0, wp);
                    ws0 = _mm_add_sd(ws0, ws);
                    th0 = _mm_add_sd(th0, th);
                }
                2 | 3 => {
                    let (wp, ws, th) = pair(full);
                    w0 = _mm_add_pd(w0, wp);
                    ws0 = _mm_add_pd(ws0, ws);
                    th0 = _mm_add_pd(th0, th);
                    if n - full == 3 {
                        let (wp, ws, th) = one(full + 2);
                        w1 = _mm_add_sd(w1, wp);
                        ws1 = _mm_add_sd(ws1, ws);
                        th1 = _mm_add_sd(th1, th);
                    }
                }
                _ => {}
            }
            // (l0 + l1) + (l2 + l3).
            let fold = |lo: __m128d, hi: __m128d| {
                let l01 = _mm_add_sd(lo, _mm_unpackhi_pd(lo, lo));
                let l23 = _mm_add_sd(hi, _mm_unpackhi_pd(hi, hi));
                _mm_cvtsd_f64(_mm_add_sd(l01, l23))
            };
            [fold(w0, w1), fold(ws0, ws1), fold(th0, th1)]
        }
    }
}

/// The SSE2 versions four lanes at a time, in one 256-bit register (AVX2 CPUs only).
#[cfg(target_arch = "x86_64")]
mod avx2_lanes {
    use super::L;
    use std::arch::x86_64::*;

    /// [`super::sse2::relax`] four elements at a time.
    ///
    /// # Safety
    /// The CPU must have AVX2.
    #[target_feature(enable = "avx2")]
    pub(super) unsafe fn relax(
        a: &mut [f64],
        b: &[f64],
        d: &mut [f64],
        delta: f64,
        thr: f64,
        mut crossed: impl FnMut(usize),
    ) {
        let n = a.len();
        let (b, d) = (&b[..n], &mut d[..n]);
        let quads = n / L * L;
        // SAFETY: loads and stores of four f64 at k + 3 < quads ≤ n, in slices of length n
        // (checked above), unaligned allowed; AVX2 is the caller's promise.
        unsafe {
            let (dl, lo, hi) = (
                _mm256_set1_pd(delta),
                _mm256_set1_pd(-1.0),
                _mm256_set1_pd(1.0),
            );
            let t = _mm256_set1_pd(thr);
            let mut k = 0;
            while k < quads {
                let av = _mm256_loadu_pd(a.as_ptr().add(k));
                let bv = _mm256_loadu_pd(b.as_ptr().add(k));
                let dv = _mm256_loadu_pd(d.as_ptr().add(k));
                let y = _mm256_add_pd(
                    _mm256_add_pd(av, dv),
                    _mm256_mul_pd(dl, _mm256_sub_pd(bv, av)),
                );
                let y = _mm256_min_pd(_mm256_max_pd(y, lo), hi);
                _mm256_storeu_pd(a.as_mut_ptr().add(k), y);
                _mm256_storeu_pd(d.as_mut_ptr().add(k), _mm256_setzero_pd());
                let moved = _mm256_movemask_pd(_mm256_xor_pd(
                    _mm256_cmp_pd::<_CMP_GT_OQ>(av, t),
                    _mm256_cmp_pd::<_CMP_GT_OQ>(y, t),
                ));
                if moved != 0 {
                    for h in 0..L {
                        if moved >> h & 1 == 1 {
                            crossed(k + h);
                        }
                    }
                }
                k += L;
            }
        }
        super::relax_scalar(
            &mut a[quads..],
            &b[quads..],
            &mut d[quads..],
            delta,
            thr,
            |k| crossed(quads + k),
        );
    }

    /// [`super::sse2::row_sums`] with lanes 0–3 in one register. The tail of one to three
    /// columns is loaded into the first lanes (the others zero) and added to those lanes only
    /// (a blend keeps the rest as they were), and the fold adds the lanes in the scalar order.
    ///
    /// # Safety
    /// The CPU must have AVX2.
    #[target_feature(enable = "avx2")]
    #[inline]
    pub(super) unsafe fn row_sums(a: &[f64], cap: &[f64], s: &[f64], p: &[f64]) -> [f64; 3] {
        let n = a.len();
        let (cap, s, p) = (&cap[..n], &s[..n], &p[..n]);
        let full = n / L * L;
        // SAFETY: every full load reads four f64 at j + 3 < full ≤ n; the masked loads read
        // only lanes l with full + l < n; all from slices of length n (checked above), unaligned
        // allowed. AVX2 is the caller's promise.
        unsafe {
            let zero = _mm256_setzero_pd();
            let sign = _mm256_set1_pd(-0.0);
            let (mut w, mut ws, mut th) = (zero, zero, zero);
            let mut j = 0;
            while j < full {
                let x = _mm256_loadu_pd(a.as_ptr().add(j));
                let c = _mm256_loadu_pd(cap.as_ptr().add(j));
                let wp = _mm256_mul_pd(c, _mm256_max_pd(x, zero));
                let wn = _mm256_mul_pd(c, _mm256_max_pd(_mm256_xor_pd(x, sign), zero));
                w = _mm256_add_pd(w, wp);
                ws = _mm256_add_pd(ws, _mm256_mul_pd(wp, _mm256_loadu_pd(s.as_ptr().add(j))));
                th = _mm256_add_pd(th, _mm256_mul_pd(wn, _mm256_loadu_pd(p.as_ptr().add(j))));
                j += L;
            }
            let tail = n - full;
            if tail > 0 {
                // Lane l is in the tail when l < tail: its mask has the top bit set.
                let lanes = _mm256_set_epi64x(3, 2, 1, 0);
                let mask = _mm256_cmpgt_epi64(_mm256_set1_epi64x(tail as i64), lanes);
                let load = |v: &[f64]| _mm256_maskload_pd(v.as_ptr().add(full), mask);
                let x = load(a);
                let c = load(cap);
                let wp = _mm256_mul_pd(c, _mm256_max_pd(x, zero));
                let wn = _mm256_mul_pd(c, _mm256_max_pd(_mm256_xor_pd(x, sign), zero));
                let m = _mm256_castsi256_pd(mask);
                w = _mm256_blendv_pd(w, _mm256_add_pd(w, wp), m);
                ws = _mm256_blendv_pd(ws, _mm256_add_pd(ws, _mm256_mul_pd(wp, load(s))), m);
                th = _mm256_blendv_pd(th, _mm256_add_pd(th, _mm256_mul_pd(wn, load(p))), m);
            }
            // (l0 + l1) + (l2 + l3).
            let fold = |v: __m256d| {
                let (lo, hi) = (_mm256_castpd256_pd128(v), _mm256_extractf128_pd::<1>(v));
                let l01 = _mm_add_sd(lo, _mm_unpackhi_pd(lo, lo));
                let l23 = _mm_add_sd(hi, _mm_unpackhi_pd(hi, hi));
                _mm_cvtsd_f64(_mm_add_sd(l01, l23))
            };
            [fold(w), fold(ws), fold(th)]
        }
    }
}

#[cfg(test)]
#[path = "lanes_tests.rs"]
mod tests;
