//! Tests of `crate::engine::lanes` (kept beside it to keep that file to its code).

use super::*;
use crate::engine::run_rng;
use rand::RngExt;

#[test]
fn vector_and_scalar_lanes_give_the_same_bits() {
    let mut rng = run_rng(3, 0);
    for n in 0..23 {
        for _ in 0..50 {
            let mut v = || -> Vec<f64> {
                (0..n)
                    .map(|_| match rng.random_range(0..6) {
                        0 => 0.0,
                        1 => -0.0,
                        _ => rng.random_range(-1.0..1.0),
                    })
                    .collect()
            };
            let (a, c, s, p) = (v(), v(), v(), v());
            let c: Vec<f64> = c.iter().map(|x| x.abs()).collect();
            let got = row_sums(&a, &c, &s, &p);
            let want = row_sums_scalar(&a, &c, &s, &p);
            for k in 0..3 {
                assert_eq!(got[k].to_bits(), want[k].to_bits(), "n={n} sum {k}");
            }
            #[cfg(target_arch = "x86_64")]
            if avx2() {
                // SAFETY: the CPU has AVX2 (checked).
                let got = unsafe { row_sums_avx2(&a, &c, &s, &p) };
                for k in 0..3 {
                    assert_eq!(got[k].to_bits(), want[k].to_bits(), "n={n} sum {k}, AVX2");
                }
            }
        }
    }
    if !avx2() {
        crate::cpu::say_skipped("vector_and_scalar_lanes_give_the_same_bits", "AVX2");
    }
}

#[test]
fn vector_and_scalar_relaxation_give_the_same_bits() {
    let mut rng = run_rng(4, 0);
    for n in 0..30 {
        let mut v = |scale: f64| -> Vec<f64> {
            (0..n)
                .map(|k| match k % 7 {
                    0 => 0.0,
                    1 => -0.0,
                    2 => 1.0,
                    3 => -1.0,
                    _ => rng.random_range(-scale..scale),
                })
                .collect()
        };
        let (a, b, d) = (v(1.0), v(1.0), v(1.5));
        let (mut x, mut y) = (a.clone(), a.clone());
        let (mut cx, mut cy) = (Vec::new(), Vec::new());
        let (mut dx, mut dy) = (d.clone(), d.clone());
        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        relax(&mut x, &b, &mut dx, 0.05, 0.3, |k| cx.push(k));
        relax_scalar(&mut y, &b, &mut dy, 0.05, 0.3, |k| cy.push(k));
        // `relax` takes the AVX2 version on a CPU that has it: the SSE2 one as well.
        #[cfg(target_arch = "x86_64")]
        {
            let (mut z, mut dz, mut cz) = (a.clone(), d.clone(), Vec::new());
            sse2::relax(&mut z, &b, &mut dz, 0.05, 0.3, |k| cz.push(k));
            assert_eq!(
                (bits(&z), bits(&dz), &cz),
                (bits(&y), bits(&dy), &cy),
                "n={n}, SSE2"
            );
        }
        // Both leave the changes at +0 for the next step's sums.
        assert!(dx.iter().chain(&dy).all(|v| v.to_bits() == 0), "n={n}");
        assert_eq!(bits(&x), bits(&y), "n={n}");
        assert!(x.iter().all(|v| (-1.0..=1.0).contains(v)));
        // The crossings of 0.3, by the definition.
        let want: Vec<usize> = (0..n).filter(|&k| (a[k] > 0.3) != (x[k] > 0.3)).collect();
        assert_eq!(cx, want, "n={n}");
        assert_eq!(cy, want, "n={n}");
    }
    // By hand: 0.5 + 0.2 + 0.1·(0 − 0.5) = 0.65; 0.9 + 0.3 + 0.1·(1 − 0.9) = 1.21 → 1.
    let mut a = [0.5, 0.9, -0.9];
    let mut crossed = Vec::new();
    relax(
        &mut a,
        &[0.0, 1.0, -1.0],
        &mut [0.2, 0.3, -0.3],
        0.1,
        0.6,
        |k| crossed.push(k),
    );
    // 0.5 → 0.65 crosses 0.6; 0.9 → 1 and −0.9 → −1 do not.
    assert_eq!(crossed, [0]);
    assert_eq!(a, [0.5 + 0.2 + 0.1 * (0.0 - 0.5), 1.0, -1.0]);
}

#[test]
fn row_sums_are_the_formulas() {
    // c = (1, 2, 0.5), A = (0.5, −0.25, 0) (the diagonal), s = (0.2, −1, 0.4), p = (1, 3, 2):
    // Σ c A⁺ = 0.5, Σ c A⁺ s = 0.1, Σ c A⁻ p = 2 · 0.25 · 3 = 1.5.
    let got = row_sums(
        &[0.5, -0.25, 0.0],
        &[1.0, 2.0, 0.5],
        &[0.2, -1.0, 0.4],
        &[1.0, 3.0, 2.0],
    );
    assert_eq!(got, [0.5, 0.1, 1.5]);
    // Six columns (one vector chunk and a tail), values exact in binary: c = 1, 2, 4, 1, 2, 4;
    // A = 0.5, −0.5, 0.25, −0.25, 1, −1; s = 1, 1, 0.5, 0.5, −1, −1; p = 1, 2, 3, 4, 0.5, 0.25.
    // A⁺ terms c·A at columns 0, 2, 4: 0.5, 1, 2, so Σ = 3.5 and Σ·s = 0.5 + 0.5 − 2 = −1.
    // A⁻ terms c·|A|·p at columns 1, 3, 5: 2·0.5·2 = 2, 1·0.25·4 = 1, 4·1·0.25 = 1: Σ = 4.
    let got = row_sums(
        &[0.5, -0.5, 0.25, -0.25, 1.0, -1.0],
        &[1.0, 2.0, 4.0, 1.0, 2.0, 4.0],
        &[1.0, 1.0, 0.5, 0.5, -1.0, -1.0],
        &[1.0, 2.0, 3.0, 4.0, 0.5, 0.25],
    );
    assert_eq!(got, [3.5, -1.0, 4.0]);
}
