//! The baseline's event mix against the real record, dyad by dyad: the table in the README.
//!
//! `cargo run --release --example event_mix -- [NAME] [RUNS] [--set KEY=VALUE]...`
//! (defaults: baseline, 2,000 runs). For each directed pair of states the record knows, the share
//! of conflict events (verbal and material) in the model's background events and in ICEWS
//! 2002–2014, the events per run (background and issue signals), and the pooled class mix of all
//! such pairs, background only and with the issue signals; then the volume against the record:
//! Spearman's rank correlation of events per pair and the share of events in pairs with the
//! United States or China.

use diplosim::engine::{simulate, Compiled};
use diplosim::icews::{compare_mix, ClassCounts, DYAD_SOURCE};
use diplosim::scenario::Library;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut free = Vec::new();
    let mut sets = Vec::new();
    let mut it = args.into_iter();
    while let Some(a) = it.next() {
        if a == "--set" {
            sets.extend(it.next());
        } else {
            free.push(a);
        }
    }
    let name = free.first().cloned().unwrap_or_else(|| "baseline".into());
    let runs: u64 = free.get(1).and_then(|r| r.parse().ok()).unwrap_or(2000);
    let sc = match Library::new("scenarios").load(&name, &sets) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    };
    let c = Compiled::new(&sc);
    let mut counts = ClassCounts::background(sc.actors.len());
    let mut all = ClassCounts::new(sc.actors.len());
    for r in 0..runs {
        // The same run twice (a run depends on its seed and index alone).
        simulate(&c, sc.seed, r, &mut counts);
        simulate(&c, sc.seed, r, &mut all);
    }
    let ids: Vec<&str> = sc.actors.iter().map(|a| a.id.as_str()).collect();
    let mix = compare_mix(&ids, &counts);
    let mix_all = compare_mix(&ids, &all);
    let mut rows = mix.dyads.clone();
    rows.sort_by(|x, y| y.record.conflict().total_cmp(&x.record.conflict()));
    println!("{name}, {runs} runs; record: {DYAD_SOURCE}\n");
    println!("| dyad | conflict % model | conflict % record | model events/run | record events 2002–14 |");
    println!("|---|---:|---:|---:|---:|");
    for d in &rows {
        let per_run = all.dyad(d.from, d.to).iter().sum::<u64>() as f64 / runs as f64;
        println!(
            "| {} → {} | {:.1} | {:.1} | {per_run:.2} | {} |",
            sc.actors[d.from].name,
            sc.actors[d.to].name,
            d.model_conflict(),
            d.record.conflict(),
            d.record.events
        );
    }
    let (m, r) = (mix.model_pooled, mix.record_pooled);
    println!(
        "\npooled class mix (verbal coop / material coop / verbal conflict / material conflict):"
    );
    println!(
        "model, background events  {:.1} / {:.1} / {:.1} / {:.1}",
        m[0], m[1], m[2], m[3]
    );
    let a = mix_all.model_pooled;
    println!(
        "model, with issue signals {:.1} / {:.1} / {:.1} / {:.1}",
        a[0], a[1], a[2], a[3]
    );
    println!(
        "record                    {:.1} / {:.1} / {:.1} / {:.1}",
        r[0], r[1], r[2], r[3]
    );
    println!(
        "conflict share, RMS error over dyads (weighted by log record events): {:.1} points",
        mix.rms_conflict
    );
    // Volume: events per pair (all events) against the record's, by rank.
    let model: Vec<f64> = mix_all
        .dyads
        .iter()
        .map(|d| all.dyad(d.from, d.to).iter().sum::<u64>() as f64)
        .collect();
    let record: Vec<f64> = mix_all
        .dyads
        .iter()
        .map(|d| d.record.events as f64)
        .collect();
    let big = |d: &diplosim::icews::DyadComparison| {
        ["united_states", "china"]
            .iter()
            .any(|id| sc.actors[d.from].id == *id || sc.actors[d.to].id == *id)
    };
    let total: f64 = model.iter().sum();
    let big_share: f64 = mix_all
        .dyads
        .iter()
        .zip(&model)
        .filter(|(d, _)| big(d))
        .map(|(_, m)| m)
        .sum::<f64>()
        / total;
    let record_total: f64 = record.iter().sum();
    let record_big: f64 = mix_all
        .dyads
        .iter()
        .zip(&record)
        .filter(|(d, _)| big(d))
        .map(|(_, r)| r)
        .sum::<f64>()
        / record_total;
    println!(
        "volume: Spearman {:.3} over {} pairs; pairs with the United States or China hold {:.1}% of the model's events ({:.1}% of the record's); largest/smallest pair: model ×{:.0}, record ×{:.0}",
        spearman(&model, &record),
        model.len(),
        100.0 * big_share,
        100.0 * record_big,
        model.iter().cloned().fold(0.0, f64::max) / model.iter().cloned().fold(f64::MAX, f64::min).max(1.0),
        record.iter().cloned().fold(0.0, f64::max) / record.iter().cloned().fold(f64::MAX, f64::min)
    );
}

/// Spearman's rank correlation (average ranks for ties).
fn spearman(x: &[f64], y: &[f64]) -> f64 {
    let rank = |v: &[f64]| {
        let mut idx: Vec<usize> = (0..v.len()).collect();
        idx.sort_by(|&a, &b| v[a].total_cmp(&v[b]));
        let mut r = vec![0.0; v.len()];
        let mut k = 0;
        while k < idx.len() {
            let mut m = k;
            while m + 1 < idx.len() && v[idx[m + 1]] == v[idx[k]] {
                m += 1;
            }
            for &i in &idx[k..=m] {
                r[i] = (k + m) as f64 / 2.0;
            }
            k = m + 1;
        }
        r
    };
    let (rx, ry) = (rank(x), rank(y));
    let n = x.len() as f64;
    let (mx, my) = (rx.iter().sum::<f64>() / n, ry.iter().sum::<f64>() / n);
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in rx.iter().zip(&ry) {
        sxy += (a - mx) * (b - my);
        sxx += (a - mx) * (a - mx);
        syy += (b - my) * (b - my);
    }
    sxy / (sxx * syy).sqrt()
}
