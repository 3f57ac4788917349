//! What the Whole-Body Push study costs, unit by unit (issue 5's scaling benchmark): one rollout of a study point
//! (the shipped sprinter's control, 2 s horizon, balance checks and push measures — what each CMA-ES evaluation of
//! `scenarios/plateau.toml` costs), and one short re-optimisation at two budgets (0.5 s horizon, 24 and 48
//! rollouts, one thread) to show the cost per point grows linearly with the budget.
//!
//! The study's cost is then `points × rollouts per point × rollout time ÷ cores` (points = levels × arms × seeds);
//! `docs/study.md` compares that prediction with the wall times the committed runs recorded.

use std::path::Path;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use sprintlab::measure::evaluate;
use sprintlab::optim::driver::{optimize, OptimizeOptions};
use sprintlab::scenario;

fn sprint_text(duration: &str, extra: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/sprint.toml");
    let text = std::fs::read_to_string(path).expect("scenarios/sprint.toml");
    let mut out: String = text
        .lines()
        .map(|l| {
            if l.starts_with("duration") {
                format!("duration = {duration}\n")
            } else if l.starts_with("push_hip_amp = ") {
                "push_hip_amp = { init = 0.5, min = 0.0, max = 1.0, std = 0.2 }\n".into()
            } else if l.starts_with("leg_thrust = ") {
                "leg_thrust = { init = 0.15, min = 0.0, max = 0.2, std = 0.03 }\n".into()
            } else {
                format!("{l}\n")
            }
        })
        .collect();
    out.push_str(extra);
    out
}

fn bench(c: &mut Criterion) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/sprint.toml");
    let loaded = scenario::load_text(&sprint_text("2.0", ""), &path).expect("sprint scenario");
    assert!(
        evaluate(&loaded).balance_lost.is_none(),
        "the shipped sprinter runs 2 s"
    );
    let mut g = c.benchmark_group("study_point");
    g.sample_size(10);
    g.bench_function("rollout_2s", |b| b.iter(|| evaluate(&loaded).cost));
    let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build().expect("pool");
    for evals in [24usize, 48] {
        let extra = format!("\n[optimize]\nmax_evals = {evals}\npopulation = 12\nprogress_every = 1000\n");
        let loaded = scenario::load_text(&sprint_text("0.5", &extra), &path).expect("scenario");
        g.bench_with_input(BenchmarkId::new("optimize_0.5s_rollouts", evals), &loaded, |b, l| {
            b.iter(|| {
                let dir = tempfile::tempdir().expect("tempdir");
                let opts = OptimizeOptions {
                    out: Some(dir.path().join("run")),
                    resume: false,
                    seed: None,
                    max_evals: None,
                    interrupt: None,
                    on_generation: None,
                };
                pool.install(|| optimize(l, &opts)).expect("optimize");
            })
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
