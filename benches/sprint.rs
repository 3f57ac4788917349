//! The shipped 3D sprinter running (`scenarios/sprint.toml`): one simulated second of running with the sprint
//! controller, torque generators, foot contact, balance checks and push measurement — what one optimiser rollout
//! costs per simulated second. Simulated seconds per CPU second = 1 s / the time per iteration.
//!
//! `benches/compare_mujoco.sh` runs it between two MuJoCo timings of sprinter12 and prints the ratio.

use std::path::Path;

use criterion::{criterion_group, criterion_main, Criterion};
use sprintlab::measure::evaluate;
use sprintlab::scenario;

fn bench(c: &mut Criterion) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/sprint.toml");
    let text = std::fs::read_to_string(&path).expect("scenarios/sprint.toml");
    // One simulated second from the running touchdown (the first steps of the shipped run).
    let text = text
        .lines()
        .map(|l| if l.starts_with("duration") { "duration = 1.0" } else { l })
        .collect::<Vec<_>>()
        .join("\n");
    let loaded = scenario::load_text(&text, &path).expect("sprint scenario");
    let e = evaluate(&loaded);
    assert!(
        e.balance_lost.is_none(),
        "the shipped sprinter must run the whole second"
    );
    let mut g = c.benchmark_group("sprint_running");
    g.sample_size(20);
    g.bench_function("one_simulated_second", |b| b.iter(|| evaluate(&loaded).cost));
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
