//! Optimiser throughput on the first task (`scenarios/stance_push.toml`): one rollout, the CMA-ES bookkeeping of
//! one generation (ask + tell, n = 9, λ = 12) — to compare with 12 rollouts —, and one generation's population
//! evaluated with 1 and 2 threads (parallel efficiency = t1 / (2 · t2)).

use std::path::Path;

use criterion::{criterion_group, criterion_main, Criterion};
use rayon::prelude::*;
use sprintlab::optim::cmaes::{CmaEs, CmaEsConfig};
use sprintlab::optim::space::score;
use sprintlab::scenario;

fn bench(c: &mut Criterion) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/stance_push.toml");
    let loaded = scenario::load(&path).expect("task");
    let inits = loaded.param_inits();
    let mut g = c.benchmark_group("evaluate");
    g.sample_size(20);
    g.bench_function("rollout_stance_push", |b| b.iter(|| score(&loaded, &inits).cost));
    let n = loaded.params.len();
    let mut es = CmaEs::new(&vec![0.0; n], &CmaEsConfig::new(1.0).lambda(12).seed(1)).unwrap();
    g.bench_function("cmaes_generation_bookkeeping", |b| {
        b.iter(|| {
            let pop = es.ask();
            let costs: Vec<f64> = pop.iter().map(|x| x.iter().map(|v| v * v).sum()).collect();
            es.tell(&costs);
        })
    });
    let mut es = CmaEs::new(&vec![0.0; n], &CmaEsConfig::new(0.5).lambda(12).seed(2)).unwrap();
    let pop: Vec<Vec<f64>> = es
        .ask()
        .iter()
        .map(|z| sprintlab::optim::space::to_values(&loaded, z))
        .collect();
    for threads in [1usize, 2] {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        g.bench_function(format!("population_12_threads_{threads}"), |b| {
            b.iter(|| pool.install(|| pop.par_iter().map(|v| score(&loaded, v).cost).collect::<Vec<f64>>()))
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
