//! Tests of `crate::report::ensemble` (kept beside it to keep that file to its code).

use super::week_quantiles;

#[test]
fn week_quantiles_are_weeks_some_run_had() {
    // 20 runs: 1 at week 3, 18 at week 5, 1 at week 9; nearest ranks 1, 10, 19.
    let mut c = vec![0u64; 12];
    c[3] = 1;
    c[5] = 18;
    c[9] = 1;
    assert_eq!(week_quantiles(&c), Some((3, 5, 5, 20)));
    // 100 runs spread 1 per week 0..99: nearest ranks 5, 50, 95 → weeks 4, 49, 94.
    let c = vec![1u64; 100];
    assert_eq!(week_quantiles(&c), Some((4, 49, 94, 100)));
    assert_eq!(week_quantiles(&[0, 0, 0]), None);
}
