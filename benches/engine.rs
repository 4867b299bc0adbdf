//! Criterion benchmarks: cost of one run by number of actors (10/50/200), one baseline run, and
//! baseline ensembles of 1,000 and 10,000 runs on 1 and 2 threads. Run with `cargo bench --bench engine`.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use diplosim::engine::{simulate, Compiled, Nothing};
use diplosim::ensemble::run_range;
use diplosim::scenario::{Library, Scenario};
use std::path::Path;
use std::sync::atomic::AtomicBool;

fn library() -> Library {
    Library::new(Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios"))
}

/// N actors on a ring of alliances and rivalries: each actor likes its next two neighbours and
/// dislikes the actor opposite, so every actor has relations and some events turn hostile.
fn synthetic(n: usize) -> Scenario {
    let mut t = String::from("[scenario]\nsteps = 104\n[issue]\nbody = \"bloc\"\nhost = \"a0\"\n");
    for i in 0..n {
        let stance = ((i * 37) % 21) as f64 / 10.0 - 1.0;
        let member = if i % 3 == 0 {
            "member_of = [\"bloc\"]\n"
        } else {
            ""
        };
        t += &format!(
            "[[actor]]\nid = \"a{i}\"\nname = \"A{i}\"\ncapability = {}\nstance = {stance}\nsalience = {}\n{member}source = \"assumption: bench\"\n",
            0.1 + 0.9 * ((i * 13) % 10) as f64 / 10.0,
            0.2 + 0.8 * ((i * 7) % 10) as f64 / 10.0,
        );
    }
    for i in 0..n {
        for (d, a) in [(1, 0.5), (2, 0.3), (n / 2, -0.6)] {
            let j = (i + d) % n;
            if j != i {
                t += &format!("[[relation]]\nfrom = \"a{i}\"\nto = \"a{j}\"\naffinity = {a}\nsource = \"assumption: bench\"\n");
            }
        }
    }
    library()
        .load_text(Path::new("synthetic.toml"), &t, &[])
        .expect("synthetic scenario")
}

fn actors(c: &mut Criterion) {
    let mut g = c.benchmark_group("one_run_104_weeks");
    for n in [10usize, 50, 200] {
        let sc = synthetic(n);
        let comp = Compiled::new(&sc);
        g.throughput(Throughput::Elements(104));
        g.bench_with_input(BenchmarkId::new("actors", n), &comp, |b, comp| {
            let mut r = 0;
            b.iter(|| {
                r += 1;
                simulate(comp, 1, r, &mut Nothing)
            })
        });
    }
    let base = library().load("baseline", &[]).unwrap();
    let comp = Compiled::new(&base);
    g.bench_function("baseline", |b| {
        let mut r = 0;
        b.iter(|| {
            r += 1;
            simulate(&comp, 1, r, &mut Nothing)
        })
    });
    g.finish();
}

/// Baseline ensembles of 1,000 runs (where each thread's first batches, sizing its histograms,
/// weigh in) and of 10,000 runs (the steady rate), on 1 and 2 threads.
fn ensembles(c: &mut Criterion) {
    let base = library().load("baseline", &[]).unwrap();
    let comp = Compiled::new(&base);
    for runs in [1000u64, 10_000] {
        let mut g = c.benchmark_group(format!("baseline_ensemble_{runs}_runs"));
        g.sample_size(10);
        g.throughput(Throughput::Elements(runs));
        for threads in [1usize, 2] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            g.bench_with_input(BenchmarkId::new("threads", threads), &threads, |b, _| {
                b.iter(|| {
                    let cancel = AtomicBool::new(false);
                    pool.install(|| {
                        run_range(&comp, 1, 0..runs, false, &cancel, &|_| {}, &mut |_, _| {})
                            .unwrap()
                    })
                })
            });
        }
        g.finish();
    }
}

criterion_group!(benches, actors, ensembles);
criterion_main!(benches);
