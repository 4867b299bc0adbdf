//! Walker's alias method (Vose's construction), shared by the code choice and the pair draws.

/// Fills `prob` and `alias` (each as long as `w`) so that drawing a column c uniformly, keeping it
/// with probability `prob[c]` and otherwise taking `alias[c]`, gives entry k with probability
/// w_k / Σw. Returns false if the weights are not finite with a positive sum. At most 256 entries
/// (aliases are bytes).
pub(super) fn alias_table(w: &[f64], prob: &mut [f64], alias: &mut [u8]) -> bool {
    let k = w.len();
    debug_assert!(k <= 256 && prob.len() == k && alias.len() == k);
    let total: f64 = w.iter().sum();
    if !(total > 0.0 && total.is_finite()) {
        return false;
    }
    let mut scaled: Vec<f64> = w.iter().map(|x| x * k as f64 / total).collect();
    let (mut small, mut large): (Vec<usize>, Vec<usize>) = (0..k).partition(|&c| scaled[c] < 1.0);
    while let (Some(&s), Some(&l)) = (small.last(), large.last()) {
        small.pop();
        prob[s] = scaled[s];
        alias[s] = l as u8;
        scaled[l] -= 1.0 - scaled[s];
        if scaled[l] < 1.0 {
            large.pop();
            small.push(l);
        }
    }
    // What is left is 1 up to rounding.
    for c in small.into_iter().chain(large) {
        prob[c] = 1.0;
        alias[c] = c as u8;
    }
    true
}
