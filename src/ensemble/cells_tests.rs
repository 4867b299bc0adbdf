//! Tests of [`super::Cells`]: exact constant and discrete cells, quantiles within the runs and
//! the bound, exact merging and a checked round trip through the file format.

use super::*;
use crate::ensemble::sketch::REL_ERROR;
use rand::{RngExt, SeedableRng};

const QS: [f64; 5] = [0.05, 0.25, 0.5, 0.75, 0.95];

fn exact(sorted: &[f64], q: f64) -> f64 {
    sorted[(q * (sorted.len() - 1) as f64).floor() as usize]
}

#[test]
fn a_constant_cell_gives_its_value_exactly() {
    for (keys, x) in [
        (Keys::Log, 0.8),
        (Keys::Log, 1.0),
        (Keys::Exact(10), -2.0),
        (Keys::Exact(1), 3.0),
    ] {
        let mut c = Cells::new(keys, 2);
        (0..1000).for_each(|_| c.add(1, x));
        let s = c.summary(1, 1);
        assert_eq!((s.count, s.mean, s.sd, s.min, s.max), (1000, x, 0.0, x, x));
        assert_eq!(c.quantiles(1, QS, 1), [x; 5]);
    }
}

#[test]
fn discrete_cells_are_exact() {
    // Tones: multiples of 0.1 with float noise from their sums.
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
    let mut c = Cells::new(Keys::Exact(10), 1);
    let mut xs = Vec::new();
    for _ in 0..777 {
        let k: i32 = rng.random_range(-80..=80);
        let x = (0..k.abs()).map(|_| 0.1).sum::<f64>() * k.signum() as f64;
        c.add(0, x);
        xs.push(k as f64 / 10.0);
    }
    xs.sort_by(f64::total_cmp);
    let got = c.quantiles(0, QS, 1);
    for (q, g) in QS.iter().zip(got) {
        assert_eq!(g, exact(&xs, *q));
    }
    let n = xs.len() as f64;
    let mean = xs.iter().sum::<f64>() / n;
    let sd = (xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
    let s = c.summary(0, 1);
    assert!((s.mean - mean).abs() < 1e-12 && (s.sd - sd).abs() < 1e-12);
}

#[test]
fn every_quantile_lies_within_the_runs_and_the_bound() {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(5);
    for &(n, scale, shift) in &[
        (1usize, 1.0, 0.0),
        (7, 1.0, 0.0),
        (200, 0.3, 0.5),
        (5000, 5.0, -2.0),
        (999, 1e-6, 0.0),
        (300, 1e-3, 1.0),
    ] {
        let mut c = Cells::new(Keys::Log, 1);
        let mut xs: Vec<f64> = (0..n)
            .map(|_| shift + scale * (rng.random::<f64>() * 2.0 - 1.0))
            .collect();
        xs.iter().for_each(|&x| c.add(0, x));
        xs.sort_by(f64::total_cmp);
        let (lo, hi) = (xs[0], xs[n - 1]);
        let got = c.quantiles(0, [0.0, 0.05, 0.25, 0.5, 0.75, 0.95, 1.0], 1);
        assert_eq!((got[0], got[6]), (lo, hi));
        for (q, g) in [0.0, 0.05, 0.25, 0.5, 0.75, 0.95, 1.0].iter().zip(got) {
            let e = exact(&xs, *q);
            assert!(
                (lo..=hi).contains(&g),
                "n={n} q={q}: {g} outside [{lo}, {hi}]"
            );
            assert!(
                (g - e).abs() <= REL_ERROR * e.abs() + 1e-9,
                "n={n} q={q}: {g} vs {e}"
            );
        }
    }
}

#[test]
fn merging_is_exact_and_order_free_and_survives_a_round_trip() {
    let xs: Vec<f64> = (0..3000)
        .map(|i| ((i * 7919) % 1000) as f64 / 100.0 - 3.0)
        .collect();
    let fill = |r: std::ops::Range<usize>| {
        let mut c = Cells::new(Keys::Log, 3);
        xs[r].iter().enumerate().for_each(|(i, &x)| c.add(i % 3, x));
        c
    };
    let whole = fill(0..3000);
    let (a, b) = (fill(0..999), fill(999..3000));
    let (mut ab, mut ba) = (a.clone(), b.clone());
    ab.merge(&b);
    ba.merge(&a);
    let wire = |c: &Cells| serde_json::to_string(c).unwrap();
    assert_eq!(wire(&ab), wire(&whole));
    assert_eq!(wire(&ba), wire(&whole));
    let back: Cells = serde_json::from_str(&wire(&whole)).unwrap();
    assert_eq!(wire(&back), wire(&whole));
    assert_eq!(back.quantiles(1, QS, 1), whole.quantiles(1, QS, 1));
    assert!(back.check(3, 1000).is_ok());
    assert!(back.check(3, 1001).unwrap_err().contains("counts 1000"));
}

#[test]
fn bad_shapes_on_disk_are_refused_not_indexed() {
    let good = serde_json::to_value(Cells::new(Keys::Exact(10), 2)).unwrap();
    for (key, v) in [
        ("len", serde_json::json!([1, 0])),
        ("off", serde_json::json!([0, 9223372036854775807i64])),
        ("min", serde_json::json!([0])),
        ("keys", serde_json::json!({"exact": 0})),
    ] {
        let mut bad = good.clone();
        bad[key] = v;
        assert!(serde_json::from_value::<Cells>(bad).is_err(), "{key}");
    }
}

#[test]
fn counts_past_sixteen_bits_move_to_the_wide_arena_exactly() {
    // 70,000 runs of one value and 3 of another in cell 1 (a 16-bit count holds 65,535), and
    // a merge of two such aggregates: every count exact, on disk and back.
    let fill = || {
        let mut c = Cells::new(Keys::Exact(10), 2);
        for i in 0..70_003u32 {
            c.add(0, if i % 2 == 0 { 0.5 } else { -0.5 });
            c.add(1, if i < 70_000 { 0.3 } else { -1.2 });
        }
        c
    };
    let mut c = fill();
    assert!(c.heads[1].wide && !c.heads[0].wide);
    let s = c.summary(1, 1);
    assert_eq!((s.count, s.min, s.max), (70_003, -1.2, 0.3));
    assert_eq!(
        c.quantiles(1, [0.0, 0.01, 0.5, 1.0], 1),
        [-1.2, 0.3, 0.3, 0.3]
    );
    c.merge(&fill());
    let s = c.summary(1, 1);
    assert_eq!(s.count, 140_006);
    // The mean of 140,000 × 3 and 6 × (−12) tenths over 140,006 runs, as one division.
    assert_eq!(s.mean, (140_000.0 * 3.0 - 6.0 * 12.0) / (140_006.0 * 10.0));
    assert_eq!(c.summary(0, 1).count, 140_006);
    let back: Cells = serde_json::from_str(&serde_json::to_string(&c).unwrap()).unwrap();
    assert!(back.heads[1].wide);
    assert_eq!(back.summary(1, 1), c.summary(1, 1));
    assert!(back.check(2, 140_006).is_ok());
    // A fresh aggregate (a merge's target) takes counts past 16 bits in one step.
    let mut fresh = Cells::new(Keys::Exact(10), 2);
    fresh.merge(&c);
    assert!(fresh.heads[1].wide);
    assert_eq!(fresh.summary(1, 1), c.summary(1, 1));
    assert_eq!(fresh.quantiles(1, QS, 1), c.quantiles(1, QS, 1));
    // The 16-bit window cell 1 left behind is abandoned, then reclaimed by compaction.
    let mut d = fill();
    assert!(d.abandoned > 0 && d.arena.len() > d.heads[0].len as usize);
    d.compact();
    assert_eq!(d.arena.len(), d.heads[0].len as usize);
    assert_eq!(d.wide.len(), d.heads[1].len as usize);
    assert_eq!(d.summary(1, 1), fill().summary(1, 1));
}

#[test]
fn batches_past_sixteen_bits_count_exactly() {
    // Batches of 64 runs of one value per cell: the unchecked increments stop at 65,535 values
    // (`most`), and the batch that crosses it is counted key by key and widens the cell. For
    // exact and logarithmic keys, and for cells read back from a file near the bound (their
    // bound is their largest count, not 0).
    for keys in [Keys::Exact(10), Keys::Log] {
        let mut c = Cells::new(keys, 2);
        let batch: Vec<f64> = (0..64).flat_map(|_| [0.3, 0.7]).collect();
        let mut runs = 0u64;
        while runs + 64 <= 70_000 {
            c.add_runs(&batch, 2, 64, 0..2);
            runs += 64;
        }
        assert!(c.heads[0].wide && c.heads[1].wide, "{keys:?}");
        for cell in 0..2 {
            assert_eq!(c.summary(cell, 1).count, runs, "{keys:?}");
            assert_eq!(c.nonzero(cell).map(|r| r.len()), Some(1), "{keys:?}");
        }
        let mut near = Cells::new(keys, 1);
        for _ in 0..1023 {
            near.add_runs(&batch, 2, 64, 0..1);
        }
        assert!(!near.heads[0].wide);
        let mut back: Cells = serde_json::from_str(&serde_json::to_string(&near).unwrap()).unwrap();
        assert_eq!(back.most.0, 1023 * 64);
        // A fresh aggregate that merged `near` (a merge's target) carries its bound too.
        let mut merged = Cells::new(keys, 1);
        merged.merge(&near);
        back.add_runs(&batch, 2, 64, 0..1);
        near.add_runs(&batch, 2, 64, 0..1);
        merged.add_runs(&batch, 2, 64, 0..1);
        for c in [&back, &near, &merged] {
            assert!(c.heads[0].wide, "{keys:?}");
            assert_eq!(c.summary(0, 1).count, 1024 * 64, "{keys:?}");
        }
    }
}

#[test]
fn a_batch_adds_what_its_values_add_one_by_one() {
    // `add_runs` (strided, in two batches) against `add` value by value: the same nonzero
    // counts, extremes (bits, zeros included) and exact sums, for signed zeros, ±1e9, 1e300 and
    // tiny values among ordinary ones. Odd trials have no value beyond 2¹⁹, so that a continuous
    // cell's batch takes the short sums (`SmallSums`); every seventh trial has more runs than a
    // `SmallSums` may sum (the batch goes in chunks).
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(99);
    for keys in [Keys::Log, Keys::Exact(10), Keys::Exact(1)] {
        for trial in 0..200 {
            let runs = if trial % 7 == 0 {
                60 + trial % 150
            } else {
                1 + trial % 13
            };
            let (cells, pad) = (1 + trial % 5, trial % 3);
            let stride = cells + pad;
            let mut xs = vec![0.0f64; (runs - 1) * stride + cells];
            for x in xs.iter_mut() {
                let pick = match rng.random_range(0..12) {
                    2..=5 if trial % 2 == 1 => 11,
                    k => k,
                };
                *x = match pick {
                    0 => 0.0,
                    1 => -0.0,
                    2 => 1e9,
                    3 => -1e9,
                    4 => 1e300,
                    5 => -3e12,
                    6 => 1e-12,
                    7 => -1e-12,
                    _ => rng.random_range(-5.0..5.0f64),
                };
                if keys != Keys::Log {
                    // Exact metrics take multiples of 1/q of moderate size.
                    *x = if x.abs() > 100.0 {
                        7.0f64.copysign(*x)
                    } else {
                        (*x * 10.0).round() / 10.0
                    };
                }
            }
            let mut batched = Cells::new(keys, cells);
            let mut single = Cells::new(keys, cells);
            let split = runs / 2;
            batched.add_runs(&xs, stride, split, 0..cells);
            batched.add_runs(&xs[split * stride..], stride, runs - split, 0..cells);
            for r in 0..runs {
                for c in 0..cells {
                    single.add(c, xs[r * stride + c]);
                }
            }
            // (key, count) of every nonzero count of a cell.
            let counts = |cs: &Cells, c: usize| -> Vec<(i64, u32)> {
                let (off, w) = cs.window(c);
                let keyed = w.iter().enumerate().map(|(k, &n)| (off + k as i64, n));
                keyed.filter(|&(_, n)| n > 0).collect()
            };
            for c in 0..cells {
                assert_eq!(
                    counts(&batched, c),
                    counts(&single, c),
                    "{keys:?} trial {trial}"
                );
                let (lo, hi) = batched.extremes(c, 1);
                let (lo1, hi1) = single.extremes(c, 1);
                assert_eq!((lo.to_bits(), hi.to_bits()), (lo1.to_bits(), hi1.to_bits()));
                if keys == Keys::Log {
                    assert_eq!(batched.moments[c], single.moments[c]);
                }
            }
        }
    }
}

#[test]
fn a_first_batch_gets_one_window_for_all_its_keys() {
    // 60 values spread over [-3, 3] (tenths: keys -30..=30 exact; log keys over about 2,200
    // buckets): the batch's extremes size the window once, so nothing is abandoned, and the
    // window holds the extremes' keys with room (an eighth, at least 2) on each side.
    let xs: Vec<f64> = (0..60)
        .map(|r| ((r * 37) % 61) as f64 / 10.0 - 3.0)
        .collect();
    for keys in [Keys::Log, Keys::Exact(10)] {
        let mut c = Cells::new(keys, 1);
        c.add_runs(&xs, 1, xs.len(), 0..1);
        assert_eq!(c.abandoned, 0, "{keys:?}: the window moved");
        let key = |x: f64| match keys {
            Keys::Log => log_key(x),
            Keys::Exact(q) => exact_key(x, q as f64),
        };
        let (lo, hi) = (key(-3.0), key(3.0));
        let room = ((hi - lo) / 8).max(2);
        let h = c.heads[0];
        assert_eq!(
            (h.off, h.len as i64),
            (lo - room, hi - lo + 1 + 2 * room),
            "{keys:?}"
        );
        // A second batch inside the window moves nothing either.
        c.add_runs(&xs[..30], 1, 30, 0..1);
        assert_eq!(c.abandoned, 0, "{keys:?}");
    }
}
