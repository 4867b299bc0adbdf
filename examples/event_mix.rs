//! The baseline's event mix against the real record, dyad by dyad: the table in the README.
//!
//! `cargo run --release --example event_mix -- [NAME] [RUNS] [--set KEY=VALUE]...`
//! (defaults: baseline, 2,000 runs). For each directed pair of states the record knows, the share
//! of conflict events (verbal and material) in the model and in ICEWS 2002–2014, the events per
//! run, and the pooled class mix of all such pairs.

use diplosim::engine::{simulate, Compiled};
use diplosim::record::{dyad_of, percent, ClassCounts, DYAD_SOURCE};
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
    let n = sc.actors.len();
    let mut counts = ClassCounts::new(n);
    for r in 0..runs {
        simulate(&c, sc.seed, r, &mut counts);
    }
    let mut rows = Vec::new();
    let (mut model_pool, mut record_pool) = ([0u64; 4], [0.0f64; 4]);
    let (mut err2, mut weight) = (0.0, 0.0);
    for i in 0..n {
        for j in 0..n {
            let (a, b) = (&sc.actors[i], &sc.actors[j]);
            let Some(d) = (i != j).then(|| dyad_of(&a.id, &b.id)).flatten() else {
                continue;
            };
            let m = counts.dyad(i, j);
            let mp = percent(m);
            for k in 0..4 {
                model_pool[k] += m[k];
                // The record pooled with the model's volumes, so both mixes weigh dyads alike.
                record_pool[k] += m.iter().sum::<u64>() as f64 * d.percent[k] / 100.0;
            }
            let conflict = mp[2] + mp[3];
            let w = (d.events as f64).ln();
            err2 += w * (conflict - d.conflict()).powi(2);
            weight += w;
            let per_run = m.iter().sum::<u64>() as f64 / runs as f64;
            rows.push((
                d.conflict(),
                a.name.clone(),
                b.name.clone(),
                conflict,
                per_run,
                d.events,
            ));
        }
    }
    rows.sort_by(|x, y| y.0.total_cmp(&x.0));
    println!("{name}, {runs} runs; record: {DYAD_SOURCE}\n");
    println!("| dyad | conflict % model | conflict % record | model events/run | record events 2002–14 |");
    println!("|---|---:|---:|---:|---:|");
    for (rec, a, b, model, per_run, events) in &rows {
        println!("| {a} → {b} | {model:.1} | {rec:.1} | {per_run:.2} | {events} |");
    }
    let mp = percent(model_pool);
    let total: f64 = record_pool.iter().sum();
    let rp = record_pool.map(|x| 100.0 * x / total);
    println!(
        "\npooled class mix (verbal coop / material coop / verbal conflict / material conflict):"
    );
    println!(
        "model  {:.1} / {:.1} / {:.1} / {:.1}",
        mp[0], mp[1], mp[2], mp[3]
    );
    println!(
        "record {:.1} / {:.1} / {:.1} / {:.1}",
        rp[0], rp[1], rp[2], rp[3]
    );
    println!(
        "conflict share, RMS error over dyads (weighted by log record events): {:.1} points",
        (err2 / weight).sqrt()
    );
}
