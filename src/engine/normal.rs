//! Standard normal draws for the stance noise (rule 1) and the calibration's designs: Marsaglia
//! and Tsang's ziggurat (J. Stat. Softw. 5(8), 2000) with 256 layers, one 64-bit uniform per draw
//! in 98.5% of draws. Its tables are computed once with the pure-Rust `libm` crate's `exp`, `log`
//! and IEEE square roots, and the rare wedge and tail draws use the same functions, so a seed
//! gives the same normals on any platform (the C library's `exp` and `log`, which
//! `rand_distr` calls, may differ by CPU).

use rand::Rng;
use std::sync::LazyLock;

/// Layers of the ziggurat (the low byte of the uniform picks one).
const LAYERS: usize = 256;
/// Start of the tail, and the area of every layer (base strip and tail included), for 256 layers
/// (Marsaglia and Tsang, section 4): with them the top layer, from x₂₅₅ to the peak, has area V
/// to 5e-12 (V has 12 digits), so x₂₅₆ is set to 0.
const R: f64 = 3.654_152_885_361_009;
const V: f64 = 4.928_673_233_99e-3;

/// exp(−x²/2), the normal density without its constant.
fn f(x: f64) -> f64 {
    libm::exp(-0.5 * x * x)
}

/// x[i]: the right edge of layer i (x[0] = V/f(R), the base strip's width as if it were a
/// rectangle; x[1] = R; x[256] = 0), and fx[i] = f(x[i]) for i ≥ 1 (fx[0] = f(R), the base
/// strip's height; never read, as layer 0 has no wedge).
#[derive(Debug)]
struct Ziggurat {
    x: [f64; LAYERS + 1],
    fx: [f64; LAYERS + 1],
}

static ZIGGURAT: LazyLock<Ziggurat> = LazyLock::new(|| {
    let mut x = [0.0; LAYERS + 1];
    x[0] = V / f(R);
    x[1] = R;
    // Layer i spans heights f(x[i])..f(x[i+1]) and has area x[i]·(f(x[i+1]) − f(x[i])) = V.
    for i in 1..LAYERS - 1 {
        x[i + 1] = (-2.0 * libm::log(V / x[i] + f(x[i]))).sqrt();
    }
    x[LAYERS] = 0.0;
    let fx = std::array::from_fn(|i| if i == 0 { f(R) } else { f(x[i]) });
    Ziggurat { x, fx }
});

/// Standard normal draws: every draw is its own uniforms (no state carried between draws); the
/// value holds the tables, looked up once.
#[derive(Debug)]
pub struct Normal {
    z: &'static Ziggurat,
}

impl Default for Normal {
    fn default() -> Normal {
        Normal { z: &ZIGGURAT }
    }
}

impl Normal {
    #[inline]
    pub fn draw<R: Rng>(&mut self, rng: &mut R) -> f64 {
        let z = self.z;
        loop {
            let r = rng.next_u64();
            let i = (r & 0xff) as usize;
            // Bit 8 is the sign, set by flipping the result's sign bit (no branch on it).
            let sign = (r & 0x100) << 55;
            // 53 bits: u ∈ [0, 1).
            let u = (r >> 11) as f64 * (1.0 / 9007199254740992.0);
            let x = u * z.x[i];
            // Inside the part of the layer that lies wholly under the curve.
            if x < z.x[i + 1] {
                return f64::from_bits(x.to_bits() ^ sign);
            }
            if i == 0 {
                return f64::from_bits(tail(rng).to_bits() ^ sign);
            }
            // The wedge between x[i+1] and x[i]: a uniform height in the layer, kept if it is
            // under the curve.
            let y = z.fx[i] + uniform(rng) * (z.fx[i + 1] - z.fx[i]);
            if y < f(x) {
                return f64::from_bits(x.to_bits() ^ sign);
            }
        }
    }
}

/// A uniform in [0, 1) with 53 bits.
fn uniform<G: Rng>(rng: &mut G) -> f64 {
    (rng.next_u64() >> 11) as f64 * (1.0 / 9007199254740992.0)
}

/// A draw from the normal's tail beyond R (Marsaglia, 1964): x = −ln(u₁)/R, y = −ln(u₂), kept
/// when 2y > x²; the draw is R + x.
#[cold]
fn tail<G: Rng>(rng: &mut G) -> f64 {
    loop {
        // 1 − u ∈ (0, 1]: the logarithm is finite.
        let x = -libm::log(1.0 - uniform(rng)) / R;
        let y = -libm::log(1.0 - uniform(rng));
        if 2.0 * y > x * x {
            return R + x;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::run_rng;

    #[test]
    fn libm_gives_the_reference_values() {
        // The same bits on every platform; each within one unit in the last place of the true
        // value (e = 2.718281828459045235…, ln 2 = 0.693147180559945309…, e^−½ = 0.606530659712633423…).
        assert_eq!(libm::exp(1.0).to_bits(), 2.7182818284590455f64.to_bits());
        assert_eq!(libm::log(2.0).to_bits(), std::f64::consts::LN_2.to_bits());
        assert_eq!(libm::exp(-0.5).to_bits(), 0.6065306597126334f64.to_bits());
        assert!((libm::exp(1.0) - std::f64::consts::E).abs() <= f64::EPSILON * 4.0);
    }

    #[test]
    fn the_layers_close_at_the_top() {
        let z = &*ZIGGURAT;
        // The recursion from R and V meets 0 at the top: the last computed edge is the one
        // below the peak, and its layer has area V like the others.
        assert!(
            z.x[LAYERS - 1] > 0.0 && z.x[LAYERS - 1] < 0.3,
            "{}",
            z.x[LAYERS - 1]
        );
        let top = z.x[LAYERS - 1] * (1.0 - f(z.x[LAYERS - 1]));
        // (V has 12 digits in the paper: the top layer is off by 4.9e-12, 1e-9 of V.)
        assert!((top - V).abs() < 1e-11, "top layer area {top} vs {V}");
        // The base strip: rectangle R·f(R) plus the tail ∫_R^∞ f = √(π/2)·erfc(R/√2).
        let tail = (std::f64::consts::PI / 2.0).sqrt() * libm::erfc(R / std::f64::consts::SQRT_2);
        assert!((R * f(R) + tail - V).abs() < 1e-13, "{}", R * f(R) + tail);
    }

    #[test]
    fn draws_follow_the_normal_cdf() {
        // 1,000,000 draws in 40 bins of width 0.2 from −4 to 4, and the two tails beyond ±4:
        // Pearson's χ² with 41 degrees of freedom, whose critical value at p = 10⁻⁶ is about 100
        // (fixed seed: it passes or fails the same way every time).
        let mut rng = run_rng(13, 0);
        let mut normal = Normal::default();
        let n = 1_000_000;
        let cdf = |x: f64| 0.5 * libm::erfc(-x / std::f64::consts::SQRT_2);
        let edges: Vec<f64> = (0..=40).map(|k| -4.0 + k as f64 * 0.2).collect();
        let mut count = vec![0u64; edges.len() + 1];
        let mut beyond_r = 0u64;
        for _ in 0..n {
            let x = normal.draw(&mut rng);
            count[edges.partition_point(|&e| e <= x)] += 1;
            beyond_r += u64::from(x.abs() > R);
        }
        let mut chi2 = 0.0;
        for (k, &c) in count.iter().enumerate() {
            let lo = if k == 0 { 0.0 } else { cdf(edges[k - 1]) };
            let hi = if k == edges.len() { 1.0 } else { cdf(edges[k]) };
            let want = n as f64 * (hi - lo);
            chi2 += (c as f64 - want).powi(2) / want;
        }
        assert!(chi2 < 100.0, "χ² = {chi2}");
        // The tail sampler is used: P(|X| > R) = erfc(R/√2) ≈ 2.58e-4, 258 expected (s.d. 16).
        let want = n as f64 * libm::erfc(R / std::f64::consts::SQRT_2);
        assert!(
            (beyond_r as f64 - want).abs() < 5.0 * want.sqrt(),
            "{beyond_r} vs {want}"
        );
    }

    #[test]
    fn normals_have_mean_zero_variance_one_and_no_lag() {
        let mut rng = run_rng(11, 0);
        let mut normal = Normal::default();
        let n = 200_000;
        let (mut s, mut s2, mut s4, mut lag) = (0.0, 0.0, 0.0, 0.0);
        let mut prev = 0.0;
        for _ in 0..n {
            let x = normal.draw(&mut rng);
            s += x;
            s2 += x * x;
            s4 += x * x * x * x;
            lag += x * prev;
            prev = x;
        }
        let n = n as f64;
        // Successive draws are independent: the lag-1 correlation is 0 (s.e. 1/√n).
        assert!((lag / n).abs() < 4.0 / n.sqrt(), "lag-1 {}", lag / n);
        // Standard errors: mean 1/√n, variance √(2/n), fourth moment (3) √(96/n).
        assert!((s / n).abs() < 4.0 / n.sqrt(), "mean {}", s / n);
        assert!(
            (s2 / n - 1.0).abs() < 4.0 * (2.0 / n).sqrt(),
            "var {}",
            s2 / n
        );
        assert!(
            (s4 / n - 3.0).abs() < 4.0 * (96.0 / n).sqrt(),
            "m4 {}",
            s4 / n
        );
    }
}
