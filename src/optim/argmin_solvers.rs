//! argmin's Nelder–Mead and particle swarm on a scenario's free parameters (`[optimize] solver`), in the same
//! z = (p − init)/std space as CMA-ES. They run to their iteration budget in one go: no checkpoint/resume (the
//! CMA-ES path has it); history rows come from an argmin observer, with `sigma` not applicable (NaN). Their
//! budgets are in iterations: particle swarm `max_evals / population − 1` iterations (exact), Nelder–Mead
//! `(max_evals − n − 1) / 2` iterations (about 2 evaluations each; `history.csv` reports the true count).

use std::sync::{Arc, Mutex};

use argmin::core::observers::{Observe, ObserverMode};
use argmin::core::{Error as ArgminError, Executor, PopulationState, State, KV};
use argmin::solver::neldermead::NelderMead;
use argmin::solver::particleswarm::ParticleSwarm;
use rand_xoshiro::rand_core::SeedableRng;

use super::history::HistoryRow;
use super::space::{z_bounds, ScenarioCost};
use crate::scenario::{Loaded, SolverKind};

/// Records one history row per iteration.
struct History {
    rows: Arc<Mutex<Vec<HistoryRow>>>,
}

impl<I: State<Float = f64>> Observe<I> for History {
    fn observe_iter(&mut self, state: &I, _kv: &KV) -> Result<(), ArgminError> {
        let evals = state.get_func_counts().get("cost_count").copied().unwrap_or(0);
        let row = HistoryRow {
            generation: state.get_iter(),
            evaluations: evals,
            best: state.get_best_cost(),
            median: state.get_cost(),
            sigma: f64::NAN,
        };
        self.rows.lock().expect("history lock").push(row);
        Ok(())
    }
}

/// Runs Nelder–Mead or particle swarm; returns (history, best z, best cost).
pub fn run(
    loaded: &Loaded,
    solver: SolverKind,
    seed: u64,
    max_evals: usize,
) -> Result<(Vec<HistoryRow>, Vec<f64>, f64), String> {
    let n = loaded.params.len();
    let problem = ScenarioCost { loaded, finite: true };
    let rows = Arc::new(Mutex::new(Vec::new()));
    let (lo, hi): (Vec<f64>, Vec<f64>) = z_bounds(loaded).into_iter().unzip();
    let (best, cost) = match solver {
        SolverKind::NelderMead => {
            // Simplex: the start and one unit step (one `std`) along each parameter, kept inside the bounds.
            let mut simplex = vec![vec![0.0; n]];
            for i in 0..n {
                let mut v = vec![0.0; n];
                v[i] = if hi[i] >= 1.0 { 1.0 } else { -1.0f64.max(lo[i]) };
                simplex.push(v);
            }
            let nm = NelderMead::new(simplex)
                .with_sd_tolerance(1e-10)
                .map_err(|e| e.to_string())?;
            let res = Executor::new(problem, nm)
                .configure(|s| s.max_iters((max_evals.saturating_sub(n + 1) / 2) as u64).counting(true))
                .add_observer(History { rows: rows.clone() }, ObserverMode::Always)
                .run()
                .map_err(|e| e.to_string())?;
            let s = res.state();
            (s.get_best_param().cloned().unwrap_or(vec![0.0; n]), s.get_best_cost())
        }
        SolverKind::ParticleSwarm => {
            let particles = loaded.scenario.optimize.population.unwrap_or(20).max(2);
            let pso = ParticleSwarm::new((lo, hi), particles)
                .with_rng_generator(rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(seed));
            let iters = (max_evals / particles).saturating_sub(1) as u64;
            let res = Executor::new(problem, pso)
                .configure(|s: PopulationState<_, f64>| s.max_iters(iters).counting(true))
                .add_observer(History { rows: rows.clone() }, ObserverMode::Always)
                .run()
                .map_err(|e| e.to_string())?;
            let s = res.state();
            (
                s.get_best_param().map(|p| p.position.clone()).unwrap_or(vec![0.0; n]),
                s.get_best_cost(),
            )
        }
        SolverKind::CmaEs => return Err("CMA-ES runs through the driver".into()),
    };
    let rows = rows.lock().expect("history lock").clone();
    Ok((rows, best, cost))
}
