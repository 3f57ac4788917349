//! Sweep throughput on a simulate-only sweep of 8 points (the default athlete dropped from 0–3 cm, 0.2 s at
//! dt = 1 ms, sampled every step): one bare rollout (the physics), the scenario of one point (text edit, parse,
//! validation, body model), a shard of 8 points on 1 thread without and with run folders (so the machinery's
//! per-point overhead is (shard − 8 × rollout) / 8), and the same shard on 2 threads (parallel efficiency =
//! t1 / (2 · t2)).
//!
//! `cargo bench --bench sweep` also prints the derived numbers (points per hour per core, overhead, efficiency)
//! from its own wall-clock timing at the end.

use std::path::Path;
use std::time::Instant;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use sprintlab::scenario::{self, Loaded};
use sprintlab::sweep::plan::{self, Plan};
use sprintlab::sweep::run::{run_shard, ShardOptions};

const SCENARIO: &str = r#"[initial]
angles = { knee_r = 0.2, knee_l = 0.2, hip_flex_r = 0.1, hip_flex_l = 0.1, ankle_r = 0.1, ankle_l = 0.1 }
[controller]
kind = "hold-posture"
[run]
duration = 0.2
[sweep]
run_folders = FOLDERS
[[sweep.vary]]
path = "initial.drop_height"
values = [0.0, 0.01, 0.02, 0.03]
[[sweep.vary]]
path = "strength.push"
values = [0.8, 1.2]
"#;

fn setup(dir: &Path, folders: bool) -> (Loaded, Plan) {
    let p = dir.join(format!("sweep_{folders}.toml"));
    std::fs::write(&p, SCENARIO.replace("FOLDERS", &folders.to_string())).unwrap();
    let l = scenario::load(&p).expect("scenario");
    let plan = plan::plan(&l).expect("plan");
    (l, plan)
}

fn shard(loaded: &Loaded, plan: &Plan, threads: usize) -> tempfile::TempDir {
    let out = tempfile::tempdir().unwrap();
    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
    let opts = ShardOptions {
        out: out.path().join("sweep"),
        shard: 0,
        shards: 1,
        progress: false,
    };
    let r = pool.install(|| run_shard(loaded, plan, &opts)).expect("shard");
    assert_eq!(r.ran, plan.points);
    out
}

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let (bare, plan_bare) = setup(dir.path(), false);
    let (with, plan_with) = setup(dir.path(), true);
    let point = plan::point_scenario(&bare, &plan_bare, &plan_bare.point(3)).unwrap();
    let mut g = c.benchmark_group("sweep");
    g.sample_size(10);
    g.bench_function("rollout_0.2s", |b| b.iter(|| sprintlab::measure::rollout(&point, 1)));
    g.bench_function("point_scenario", |b| {
        b.iter(|| plan::point_scenario(&bare, &plan_bare, &plan_bare.point(3)).unwrap())
    });
    for (name, l, p, threads) in [
        ("shard_8_points_no_folders_1_thread", &bare, &plan_bare, 1),
        ("shard_8_points_folders_1_thread", &with, &plan_with, 1),
        ("shard_8_points_folders_2_threads", &with, &plan_with, 2),
    ] {
        g.bench_function(name, |b| {
            b.iter_batched(|| (), |_| shard(l, p, threads), BatchSize::PerIteration)
        });
    }
    g.finish();

    if std::env::args().any(|a| a == "--bench") {
        // Derived numbers, from medians of our own wall-clock timings.
        let median = |f: &dyn Fn(), n: usize| {
            let mut t: Vec<f64> = (0..n)
                .map(|_| {
                    let t0 = Instant::now();
                    f();
                    t0.elapsed().as_secs_f64()
                })
                .collect();
            t.sort_by(f64::total_cmp);
            t[n / 2]
        };
        let rollout = median(&|| drop(sprintlab::measure::rollout(&point, 1)), 15);
        let bare1 = median(&|| drop(shard(&bare, &plan_bare, 1)), 7);
        let with1 = median(&|| drop(shard(&with, &plan_with, 1)), 7);
        let with2 = median(&|| drop(shard(&with, &plan_with, 2)), 7);
        let n = plan_with.points as f64;
        println!("\nsweep summary (8 points of 0.2 s, medians):");
        println!("  bare rollout                    {:8.2} ms", rollout * 1e3);
        println!(
            "  per point, no run folders       {:8.2} ms  (overhead {:.2} ms = {:.1} % of the rollout)",
            bare1 / n * 1e3,
            (bare1 / n - rollout) * 1e3,
            (bare1 / n - rollout) / rollout * 100.0
        );
        println!(
            "  per point, with run folders     {:8.2} ms  (overhead {:.2} ms = {:.1} %)",
            with1 / n * 1e3,
            (with1 / n - rollout) * 1e3,
            (with1 / n - rollout) / rollout * 100.0
        );
        println!(
            "  points per hour per core        {:8.0} (with run folders), {:.0} (without)",
            3600.0 * n / with1,
            3600.0 * n / bare1
        );
        println!(
            "  2 threads: {:.1} ms vs 1 thread {:.1} ms: parallel efficiency {:.0} %",
            with2 * 1e3,
            with1 * 1e3,
            with1 / (2.0 * with2) * 100.0
        );
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
