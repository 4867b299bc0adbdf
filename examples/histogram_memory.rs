//! Bytes of the ensemble histograms of the baseline, per metric, after RUNS runs on THREADS
//! threads (a measure of how memory grows with the number of runs):
//! `cargo run --release --example histogram_memory -- 100000 2`.

use diplosim::engine::Compiled;
use diplosim::ensemble::{run_range, Aggregate};
use diplosim::model::Metric;
use diplosim::scenario::Library;
use std::sync::atomic::AtomicBool;

fn main() {
    let arg = |k: usize, default: u64| {
        std::env::args()
            .nth(k)
            .map_or(default, |a| a.parse().expect("a number"))
    };
    let (runs, threads) = (arg(1, 1000), arg(2, 1) as usize);
    let sc = Library::new("scenarios")
        .load("baseline", &[])
        .expect("baseline");
    let c = Compiled::new(&sc);
    let stop = AtomicBool::new(false);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("pool");
    let agg: Aggregate = pool
        .install(|| run_range(&c, 1, 0..runs, false, &stop, &|_| {}, &mut |_, _| {}))
        .expect("not interrupted");
    let mut total = 0;
    for &m in Metric::ALL {
        let b = agg.arena_bytes(m);
        total += b;
        println!("{:16} {:>10} bytes", m.name(), b);
    }
    println!(
        "{:16} {:>10} bytes after {runs} runs on {threads} thread(s)",
        "total", total
    );
}
