//! Parallel efficiency of the population evaluation with growing populations (IPOP/BIPOP restarts double λ):
//! one generation of `scenarios/stance_push.toml` sampled by CMA-ES, evaluated with 1 and 2 threads, for
//! λ = 12, 24, 48, 96. Efficiency = t1 / (2 · t2), each time the median of 5 repetitions (meaningful only with two
//! idle cores), and the load-balance bound the population allows.
//! `cargo bench --bench parallel_population`

use std::path::Path;
use std::time::Instant;

use rayon::prelude::*;
use sprintlab::optim::cmaes::{CmaEs, CmaEsConfig};
use sprintlab::optim::space::{score, to_values};
use sprintlab::scenario;

fn median_time(f: &dyn Fn()) -> f64 {
    let mut t: Vec<f64> = (0..5)
        .map(|_| {
            let t0 = Instant::now();
            f();
            t0.elapsed().as_secs_f64()
        })
        .collect();
    t.sort_by(|a, b| a.total_cmp(b));
    t[2]
}

fn main() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/stance_push.toml");
    let loaded = scenario::load(&path).expect("task");
    let n = loaded.params.len();
    let pools: Vec<rayon::ThreadPool> = [1usize, 2]
        .iter()
        .map(|&t| rayon::ThreadPoolBuilder::new().num_threads(t).build().unwrap())
        .collect();
    for lambda in [12usize, 24, 48, 96] {
        let mut es = CmaEs::new(&vec![0.0; n], &CmaEsConfig::new(1.0).lambda(lambda).seed(2)).unwrap();
        let pop: Vec<Vec<f64>> = es.ask().iter().map(|z| to_values(&loaded, z)).collect();
        let eval = |pool: &rayon::ThreadPool| {
            pool.install(|| pop.par_iter().map(|v| score(&loaded, v).cost).collect::<Vec<f64>>());
        };
        let t1 = median_time(&|| eval(&pools[0]));
        let t2 = median_time(&|| eval(&pools[1]));
        // What the work itself allows on 2 idle cores, from each rollout's serial time: Σt / (2 · max(Σt/2,
        // max t)) — the load-balance bound, independent of other load on the machine.
        let times: Vec<f64> = pop
            .iter()
            .map(|v| {
                let t0 = Instant::now();
                score(&loaded, v);
                t0.elapsed().as_secs_f64()
            })
            .collect();
        let sum: f64 = times.iter().sum();
        let longest = times.iter().copied().fold(0.0, f64::max);
        println!(
            "lambda {lambda:3}: 1 thread {t1:.3} s, 2 threads {t2:.3} s, parallel efficiency {:.1} % \
             (load-balance bound {:.1} %)",
            100.0 * t1 / (2.0 * t2),
            100.0 * sum / (2.0 * (sum / 2.0).max(longest))
        );
    }
}
