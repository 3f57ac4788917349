//! CMA-ES on a scenario as an argmin [`Solver`] (one generation per iteration, a restart sequence inside), and
//! the progress observer. Run by argmin's `Executor` in [`super::driver`].

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Instant;

use argmin::core::checkpointing::{Checkpoint as ArgminCheckpoint, CheckpointingFrequency};
use argmin::core::observers::Observe;
use argmin::core::{
    Error as ArgminError, PopulationState, Problem, Solver, State, TerminationReason, TerminationStatus, KV,
};
use rayon::prelude::*;

use super::checkpoint::{Checkpoint, RunFiles};
use super::history::{median, HistoryRow};
use super::space::{to_values, ScenarioCost};
use crate::io::format_f64;

/// Why a search ended without an error: the budget or the criteria that held (`SolverExit` text).
pub const BUDGET: &str = "max_evals";

/// A Ctrl-C flag handed to `optimize`: set it (from a signal handler) to stop after the generation in flight
/// with a checkpoint written.
#[derive(Debug, Clone, Default)]
pub struct Interrupt(Arc<AtomicBool>);

impl Interrupt {
    /// A flag set by Ctrl-C (SIGINT/SIGTERM). Installs the process's handler: call once, in the front end, and
    /// hand clones to every optimisation.
    pub fn on_ctrl_c() -> Self {
        let flag = Interrupt::default();
        let f = flag.0.clone();
        // A handler installed earlier keeps working for its own flag; this one then stays unset.
        let _ = ctrlc::set_handler(move || f.store(true, Ordering::SeqCst));
        flag
    }

    /// Sets the flag.
    pub fn set(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    /// Whether the flag is set.
    pub fn is_set(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

/// Called with every generation's history row, on the thread running the search (a front end's own progress:
/// the Python binding forwards it to a callback; the flag, not the hook, stops a search).
#[derive(Clone)]
pub struct OnGeneration(pub Arc<dyn Fn(&HistoryRow) + Send + Sync>);

impl std::fmt::Debug for OnGeneration {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("OnGeneration(..)")
    }
}

/// The scenario search: the checkpointed state plus the budget and the interrupt flag.
pub struct Search<'a> {
    /// State written to `checkpoint.json`.
    pub ck: Checkpoint,
    /// Stop flag.
    pub interrupt: Interrupt,
    /// Per-generation hook.
    pub on_generation: Option<OnGeneration>,
    /// For `to_values` in the history's best record.
    pub loaded: &'a crate::scenario::Loaded,
}

impl Search<'_> {
    /// Evaluations of the whole run so far.
    pub fn evaluations(&self) -> u64 {
        self.ck.evaluations()
    }
}

impl<'a> Solver<ScenarioCost<'a>, PopulationState<Vec<f64>, f64>> for Search<'a> {
    fn name(&self) -> &str {
        "CMA-ES"
    }

    fn next_iter(
        &mut self,
        problem: &mut Problem<ScenarioCost<'a>>,
        state: PopulationState<Vec<f64>, f64>,
    ) -> Result<(PopulationState<Vec<f64>, f64>, Option<KV>), ArgminError> {
        let t0 = Instant::now();
        let ck = &mut self.ck;
        let zs = ck.solver.ask();
        let cost = problem.problem.as_ref().expect("problem present");
        // Ordered parallel map: the result vector is in population order whatever the thread count.
        let results: Vec<(f64, bool)> = zs.par_iter().map(|z| cost.cost_and_balance(z)).collect();
        *problem.counts.entry("cost_count").or_insert(0) += zs.len() as u64;
        let costs: Vec<f64> = results.iter().map(|r| r.0).collect();
        ck.solver.tell(&costs);
        for (z, &c) in zs.iter().zip(&costs) {
            if c.is_finite() && ck.best.as_ref().is_none_or(|b| c < b.1) {
                ck.best = Some((to_values(self.loaded, z), c));
            }
        }
        let row = HistoryRow {
            generation: ck.history.len() as u64 + 1,
            evaluations: ck.evaluations(),
            best: ck.best.as_ref().map_or(f64::INFINITY, |b| b.1),
            median: median(&costs),
            sigma: ck.solver.sigma(),
        };
        ck.history.push(row.clone());
        if let Some(f) = &self.on_generation {
            (f.0)(&row);
        }
        if let Some(seq) = ck.sequence.as_mut() {
            seq.last_balanced = Some(results.iter().filter(|r| r.1).count() as f64 / results.len() as f64);
            // A criterion ends this run; within budget, the sequence starts the next one (or ends).
            if seq.evaluations(&ck.solver) < ck.max_evals as u64 {
                seq.advance(&mut ck.solver).map_err(ArgminError::msg)?;
            }
        }
        ck.wall.push(t0.elapsed().as_secs_f64());
        let kv = argmin::kv!(
            "generation" => row.generation;
            "evaluations" => row.evaluations;
            "best" => row.best;
            "median" => row.median;
            "sigma" => row.sigma;
        );
        let best = costs
            .iter()
            .enumerate()
            .filter(|c| c.1.is_finite())
            .min_by(|a, b| a.1.total_cmp(b.1));
        let state = match best {
            Some((i, &c)) => state.individual(zs[i].clone()).cost(c),
            None => state.cost(f64::INFINITY),
        };
        Ok((state.population(zs), Some(kv)))
    }

    /// Budget first (a run that spent it has finished, even if interrupted at the same time), then Ctrl-C, then
    /// the stopping criteria (a finished restart sequence).
    fn terminate(&mut self, _state: &PopulationState<Vec<f64>, f64>) -> TerminationStatus {
        let reason = if self.evaluations() >= self.ck.max_evals as u64 {
            TerminationReason::SolverExit(BUDGET.into())
        } else if self.interrupt.is_set() {
            TerminationReason::Interrupt
        } else if let Some(seq) = self.ck.sequence.as_ref().filter(|s| s.finished) {
            TerminationReason::SolverExit(seq.current.stop.first().cloned().unwrap_or_default())
        } else {
            return TerminationStatus::NotTerminated;
        };
        TerminationStatus::Terminated(reason)
    }
}

/// Progress: a bar on a terminal, else a line every `every` generations on stderr.
pub struct Progress {
    /// The bar (on a terminal).
    pub bar: Option<indicatif::ProgressBar>,
    /// Generations between lines off a terminal.
    pub every: u64,
}

impl Progress {
    /// A bar on a terminal (positioned at `done` of `max_evals`), else line output.
    pub fn new(max_evals: u64, done: u64, every: u64) -> Self {
        let bar = std::io::IsTerminal::is_terminal(&std::io::stderr()).then(|| {
            let b = indicatif::ProgressBar::new(max_evals);
            b.set_style(
                indicatif::ProgressStyle::with_template(
                    "{elapsed_precise} [{bar:30}] {pos}/{len} evals {msg} ETA {eta}",
                )
                .expect("template")
                .progress_chars("=> "),
            );
            b.set_position(done);
            b
        });
        Progress { bar, every }
    }

    /// No output (the runs of a best-of-N, which report when each ends).
    pub fn silent() -> Self {
        Progress {
            bar: None,
            every: u64::MAX,
        }
    }
}

impl<I: State> Observe<I> for Progress {
    fn observe_iter(&mut self, _state: &I, kv: &KV) -> Result<(), ArgminError> {
        let get = |k: &str| kv.get(k).and_then(|v| v.get_float()).unwrap_or(f64::NAN);
        let uint = |k: &str| kv.get(k).and_then(|v| v.get_uint()).unwrap_or(0);
        let (generation, evaluations) = (uint("generation"), uint("evaluations"));
        let line = format!(
            "gen {generation} evals {evaluations} best {} median {} sigma {:.3e}",
            format_f64(get("best")),
            format_f64(get("median")),
            get("sigma")
        );
        if let Some(b) = &self.bar {
            b.set_position(evaluations);
            b.set_message(line);
        } else if generation % self.every == 0 {
            eprintln!("{line}");
        }
        Ok(())
    }

    fn observe_final(&mut self, state: &I) -> Result<(), ArgminError> {
        if let Some(b) = self.bar.take() {
            if state.get_termination_reason() == Some(&TerminationReason::Interrupt) {
                b.abandon();
            } else {
                b.finish_and_clear();
            }
        }
        Ok(())
    }
}

/// argmin checkpointing of the search into its run folder ([`RunFiles`]; the file formats live in `checkpoint.rs`,
/// which knows nothing of the search).
impl<'a> ArgminCheckpoint<Search<'a>, PopulationState<Vec<f64>, f64>> for RunFiles {
    fn save(&self, solver: &Search<'a>, _state: &PopulationState<Vec<f64>, f64>) -> Result<(), ArgminError> {
        Ok(self.write(&solver.ck, "running")?)
    }

    /// Counts the run's own generations (over all restarts), not the `Executor`'s iterations (which restart
    /// at 0 when a run is resumed).
    fn save_cond(
        &self,
        solver: &Search<'a>,
        state: &PopulationState<Vec<f64>, f64>,
        _iter: u64,
    ) -> Result<(), ArgminError> {
        if solver.ck.history.len() as u64 % self.every == 0 {
            self.save(solver, state)?;
        }
        Ok(())
    }

    fn load(&self) -> Result<Option<(Search<'a>, PopulationState<Vec<f64>, f64>)>, ArgminError> {
        Ok(None)
    }

    fn frequency(&self) -> CheckpointingFrequency {
        CheckpointingFrequency::Every(self.every)
    }
}
