//! The baseline's event mix against the real record, dyad by dyad: the table in the README.
//!
//! `cargo run --release --example event_mix -- [NAME] [RUNS] [--set KEY=VALUE]...`
//! (defaults: baseline, 2,000 runs). For each directed pair of states the record knows, the share
//! of conflict events (verbal and material) in the model and in ICEWS 2002–2014, the events per
//! run, and the pooled class mix of all such pairs.

use diplosim::engine::{simulate, Compiled};
use diplosim::record::{compare_mix, ClassCounts, DYAD_SOURCE};
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
    let mut counts = ClassCounts::new(sc.actors.len());
    for r in 0..runs {
        simulate(&c, sc.seed, r, &mut counts);
    }
    let ids: Vec<&str> = sc.actors.iter().map(|a| a.id.as_str()).collect();
    let mix = compare_mix(&ids, &counts);
    let mut rows = mix.dyads.clone();
    rows.sort_by(|x, y| y.record.conflict().total_cmp(&x.record.conflict()));
    println!("{name}, {runs} runs; record: {DYAD_SOURCE}\n");
    println!("| dyad | conflict % model | conflict % record | model events/run | record events 2002–14 |");
    println!("|---|---:|---:|---:|---:|");
    for d in &rows {
        let per_run = d.model.iter().sum::<u64>() as f64 / runs as f64;
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
        "model  {:.1} / {:.1} / {:.1} / {:.1}",
        m[0], m[1], m[2], m[3]
    );
    println!(
        "record {:.1} / {:.1} / {:.1} / {:.1}",
        r[0], r[1], r[2], r[3]
    );
    println!(
        "conflict share, RMS error over dyads (weighted by log record events): {:.1} points",
        mix.rms_conflict
    );
}
