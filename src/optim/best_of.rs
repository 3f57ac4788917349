//! Best-of-N (`[optimize] runs = N`, docs/optimiser.md "Best of N"): N independent CMA-ES optimisations of the
//! same scenario, each a whole `optimize` run (its own budget, restarts and checkpoint) in `OUT/runs/run-kkk/`,
//! side by side on the thread pool; the result is the best run's, written to OUT as an optimisation folder is
//! (`best.toml`, the best rollout), with `runs.csv` (one row per run: its best, its gap to the best, its
//! convergence) and an `optimize.best_of` block in `summary.json` (best, median, worst, how many runs reached the
//! best within `runs_tolerance`).
//!
//! Determinism: run k's master seed is [`independent_seed`]`(seed, k)` (run 0 = the seed itself, so run 0 is
//! the optimisation made without `runs`) and its box start, if any, comes from its own stream; each run is
//! evaluated in population order, so nothing depends on the thread count or on which run finished first. A
//! killed best-of-N resumes each run from its own checkpoint.

use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::driver::{converged, finish, run_cma, OptimizeOptions, Optimized, RunInfo, Setup};
use super::history::median;
use super::restarts::{draw_in_box, independent_seed, setup_seed};
use super::rng::Rng;
use super::space::z_bounds;
use crate::error::Error;
use crate::export::tables::{rows_csv, RunRow};
use crate::io::{format_f64, write_atomic};
use crate::scenario::{Loaded, RestartFrom};

/// Default `runs_tolerance` (cost units): in the studies' objective (−2 × net push per stance) 0.5 N·s per stance.
pub const DEFAULT_TOLERANCE: f64 = 1.0;

/// The folder of run k of a best-of-N in `out`.
pub fn run_dir(out: &Path, k: usize) -> PathBuf {
    out.join("runs").join(format!("run-{k:03}"))
}

/// A best-of-N in one line of numbers: `summary.json`'s `optimize.best_of`, read back by the studies.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BestOf {
    /// N, the independent runs.
    pub runs: usize,
    /// The run that found the best (the first of equals).
    pub best_run: usize,
    /// The best cost (the point's result).
    pub best: f64,
    /// Median of the runs' best costs.
    pub median: f64,
    /// Worst of the runs' best costs (`inf` if some run found no finite cost).
    pub worst: f64,
    /// A run reached the best when its best cost is within this of the best (cost units).
    pub tolerance: f64,
    /// Runs that reached the best (the best run included).
    pub reached_best: usize,
    /// Runs that converged (docs/optimiser.md).
    pub runs_converged: usize,
    /// Whether the best run converged.
    pub converged: bool,
    /// Rollouts of all runs.
    pub evaluations: u64,
}

impl BestOf {
    /// Its columns in the study tables (sweep rows, `contributions.csv`, `mixes.csv`), after the best run's own.
    pub const COLUMNS: [&'static str; 6] = [
        "runs",
        "runs_reached_best",
        "cost_median",
        "cost_worst",
        "runs_converged",
        "best_run_converged",
    ];

    /// Its fields in [`BestOf::COLUMNS`] order.
    pub fn fields(&self) -> Vec<String> {
        vec![
            self.runs.to_string(),
            self.reached_best.to_string(),
            format_f64(self.median),
            format_f64(self.worst),
            self.runs_converged.to_string(),
            self.converged.to_string(),
        ]
    }

    /// The block of a parsed `summary.json`, if the folder is a best-of-N.
    pub fn from_summary(summary: &serde_json::Value) -> Option<BestOf> {
        serde_json::from_value(summary.get("optimize")?.get("best_of")?.clone()).ok()
    }
}

/// Runs (or resumes) the N runs into `setup.out`, then writes the best run's files there.
pub(super) fn run(loaded: &Loaded, opts: &OptimizeOptions, setup: Setup) -> Result<Optimized, Error> {
    let cfg = &loaded.scenario.optimize;
    let n = cfg.runs.unwrap_or(1);
    let out = setup.out.clone();
    if out.exists() && !opts.resume {
        return Err(Error::io(
            &out,
            std::io::Error::new(
                std::io::ErrorKind::AlreadyExists,
                "output folder exists; use --resume or another --out",
            ),
        ));
    }
    let runs_dir = out.join("runs");
    std::fs::create_dir_all(&runs_dir).map_err(|e| Error::io(&runs_dir, e))?;
    // Not finished until every run is: the studies take a folder with `summary.json` for a finished one.
    let summary = out.join("summary.json");
    if summary.is_file() {
        std::fs::remove_file(&summary).map_err(|e| Error::io(&summary, e))?;
    }
    let from = cfg.runs_from.unwrap_or(RestartFrom::Start);
    let bounds = z_bounds(loaded);
    let results: Vec<Result<(Option<Optimized>, RunInfo), Error>> = (0..n)
        .into_par_iter()
        .map(|k| {
            let dir = run_dir(&out, k);
            let seed = independent_seed(setup.seed, k);
            let sub = OptimizeOptions {
                out: Some(dir.clone()),
                resume: dir.exists(),
                seed: Some(seed),
                max_evals: Some(setup.max_evals),
                interrupt: opts.interrupt.clone(),
                // Runs side by side report their generations through the same callback (interleaved).
                on_generation: opts.on_generation.clone(),
            };
            let mut s = Setup::new(loaded, &sub);
            if from == RestartFrom::Box && k > 0 {
                s.x0 = draw_in_box(&bounds, &s.x0, &mut Rng::new(setup_seed(seed, 0)));
            }
            let r = run_cma(loaded, &sub, s, false);
            if let Ok((_, i)) = &r {
                eprintln!(
                    "run {k} of {n}: best {} after {} evaluations (stop: {})",
                    i.best.map_or("none".into(), format_f64),
                    i.evaluations,
                    i.stop.join(";")
                );
            }
            r
        })
        .collect();
    let mut done = Vec::with_capacity(n);
    for r in results {
        match r {
            Err(Error::Interrupted { generation, .. }) => {
                return Err(Error::Interrupted { dir: out, generation });
            }
            r => done.push(r?),
        }
    }
    let best_k = done
        .iter()
        .enumerate()
        .filter_map(|(k, (o, i))| Some((k, o.as_ref()?, i.best?)))
        .min_by(|a, b| a.2.total_cmp(&b.2));
    let rows = rows(&done, from, best_k.map_or(f64::INFINITY, |b| b.2), tolerance(loaded));
    write_atomic(&out.join("runs.csv"), &rows_csv(&rows)?)?;
    let Some((k, best, cost)) = best_k else {
        return Err(Error::NoFiniteCost { dir: out });
    };
    let info = &done[k].1;
    let costs: Vec<f64> = rows.iter().map(|r| r.best).collect();
    let best_of = BestOf {
        runs: n,
        best_run: k,
        best: cost,
        median: median(&costs),
        worst: costs.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        tolerance: tolerance(loaded),
        reached_best: rows.iter().filter(|r| r.reached_best).count(),
        runs_converged: rows.iter().filter(|r| r.converged).count(),
        converged: rows[k].converged,
        evaluations: rows.iter().map(|r| r.evaluations).sum(),
    };
    let values: Vec<f64> = loaded.params.iter().map(|p| best.overlay[&p.name]).collect();
    let block = serde_json::json!({
        "stop": info.end,
        "converged": best_of.converged,
        "best_of": best_of,
    });
    let (evaluations, end) = (best_of.evaluations, info.end.clone());
    let mut o = finish(loaded, setup, values, cost, evaluations, &end, Some(block))?;
    o.best_of = Some(best_of);
    Ok(o)
}

/// `runs_tolerance` or its default.
fn tolerance(loaded: &Loaded) -> f64 {
    loaded.scenario.optimize.runs_tolerance.unwrap_or(DEFAULT_TOLERANCE)
}

/// The rows of `runs.csv`, given the best cost of all runs.
fn rows(done: &[(Option<Optimized>, RunInfo)], from: RestartFrom, best: f64, tolerance: f64) -> Vec<RunRow> {
    done.iter()
        .enumerate()
        .map(|(k, (_, i))| {
            let cost = i.best.unwrap_or(f64::INFINITY);
            RunRow {
                run: k,
                seed: i.seed,
                start: if from == RestartFrom::Box && k > 0 {
                    "box"
                } else {
                    "start"
                }
                .into(),
                evaluations: i.evaluations,
                best: cost,
                gap: cost - best,
                reached_best: cost - best <= tolerance,
                step_ratio: i.best_run.as_ref().map_or(f64::NAN, |r| r.step_ratio),
                balanced: i.best_run.as_ref().and_then(|r| r.balanced),
                stop: i.stop.join(";"),
                converged: i.best_run.as_ref().is_some_and(converged),
            }
        })
        .collect()
}
