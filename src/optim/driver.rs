//! `sprintlab optimize`: CMA-ES over a scenario's free parameters, population evaluated in parallel,
//! checkpointed every few generations, resumable bit-identically.
//!
//! Search space: each free parameter `p` is searched as `z = (p − init)/std`, so CMA-ES starts at z = 0 with
//! σ0 = 1 and the scenario's `std` is the initial spread of each parameter; bounds map to z-space and are
//! enforced by the solver's bound transformation (no evaluated point is ever outside them).

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::cmaes::{CmaEs, CmaEsConfig};
use super::problem::{evaluate, Evaluation};
use crate::error::Error;
use crate::export::tables::write_table;
use crate::io::{format_f64, write_atomic, write_json, Manifest};
use crate::scenario::{params, Loaded, SolverKind};

/// Command-line overrides of `optimize`.
#[derive(Debug, Clone, Default)]
pub struct OptimizeOptions {
    /// Output folder; default a fresh folder under `results/`.
    pub out: Option<PathBuf>,
    /// Continue a killed run from its checkpoint, or a finished one with a larger `max_evals` (extension).
    pub resume: bool,
    /// Override `run.seed`.
    pub seed: Option<u64>,
    /// Override `optimize.max_evals`.
    pub max_evals: Option<usize>,
}

/// One row of `history.csv`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistoryRow {
    /// Generation (1-based).
    pub generation: u64,
    /// Evaluations so far.
    pub evaluations: u64,
    /// Best cost so far.
    pub best: f64,
    /// Median cost of this generation (non-finite costs rank last).
    pub median: f64,
    /// CMA-ES step size σ after the update (in z units).
    pub sigma: f64,
}

/// Everything needed to continue a run exactly.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Checkpoint {
    /// SHA-256 of the scenario file the run started from.
    pub scenario_sha256: String,
    /// Free parameter names, in order.
    pub params: Vec<String>,
    /// Seed in use.
    pub seed: u64,
    /// Evaluation budget in use.
    pub max_evals: usize,
    /// The solver, whole.
    pub solver: CmaEs,
    /// History so far.
    pub history: Vec<HistoryRow>,
    /// Wall time per generation so far (s), not part of any reproducibility comparison.
    pub wall: Vec<f64>,
    /// Best parameter values (phenotype, scenario units) and cost so far.
    pub best: Option<(Vec<f64>, f64)>,
}

fn median(costs: &[f64]) -> f64 {
    let mut c: Vec<f64> = costs
        .iter()
        .map(|&x| if x.is_finite() { x } else { f64::INFINITY })
        .collect();
    c.sort_by(|a, b| a.total_cmp(b));
    let n = c.len();
    if n % 2 == 1 {
        c[n / 2]
    } else {
        0.5 * (c[n / 2 - 1] + c[n / 2])
    }
}

/// Parameter values in scenario units from a z-space point.
pub fn to_values(loaded: &Loaded, z: &[f64]) -> Vec<f64> {
    loaded
        .params
        .iter()
        .zip(z)
        .map(|(p, &zi)| (p.init + p.std * zi).clamp(p.min, p.max))
        .collect()
}

/// Cost of one parameter vector (a failed load is a result too: +∞).
pub fn cost_of(loaded: &Loaded, values: &[f64]) -> (f64, Option<Evaluation>) {
    match loaded.with_values(values) {
        Ok(l) => {
            let e = evaluate(&l);
            (e.cost, Some(e))
        }
        Err(_) => (f64::INFINITY, None),
    }
}

/// Runs (or resumes) an optimisation; returns the output folder.
pub fn optimize(loaded: &Loaded, opts: &OptimizeOptions) -> Result<PathBuf, Error> {
    let n = loaded.params.len();
    if n == 0 {
        return Err(crate::scenario::invalid(
            &loaded.path,
            &loaded.source,
            "(file)",
            "nothing to optimise: write at least one number as a range { init, min, max, std }",
        ));
    }
    let cfg = &loaded.scenario.optimize;
    let seed = opts.seed.unwrap_or(loaded.scenario.run.seed);
    let max_evals = opts.max_evals.unwrap_or(cfg.max_evals);
    let out = opts.out.clone().unwrap_or_else(|| crate::export::default_out(loaded));
    let ckpt_path = out.join("checkpoint.json");
    let names: Vec<String> = loaded.params.iter().map(|p| p.name.clone()).collect();
    let manifest = Manifest::start(&loaded.path.to_string_lossy(), &loaded.sha256, seed);

    if cfg.solver != SolverKind::CmaEs {
        if opts.resume {
            return Err(crate::scenario::invalid(
                &loaded.path,
                &loaded.source,
                "optimize.solver",
                "--resume is supported for solver = \"cma-es\" only",
            ));
        }
        if out.exists() {
            return Err(Error::io(
                &out,
                std::io::Error::new(
                    std::io::ErrorKind::AlreadyExists,
                    "output folder exists; choose another --out",
                ),
            ));
        }
        std::fs::create_dir_all(&out).map_err(|e| Error::io(&out, e))?;
        let (history, z, cost) = super::argmin_solvers::run(loaded, cfg.solver, seed, max_evals)
            .map_err(|m| crate::scenario::invalid(&loaded.path, &loaded.source, "optimize.solver", m))?;
        let evals = history.last().map_or(0, |r| r.evaluations);
        let ck = Checkpoint {
            scenario_sha256: loaded.sha256.clone(),
            params: names.clone(),
            seed,
            max_evals,
            solver: CmaEs::new(&vec![0.0; n], &CmaEsConfig::new(1.0))
                .map_err(std::io::Error::other)
                .map_err(|e| Error::io(&out, e))?,
            history,
            wall: Vec::new(),
            best: Some((to_values(loaded, &z), cost)),
        };
        write_history(&out, &ck)?;
        finish(
            loaded,
            &out,
            &names,
            to_values(loaded, &z),
            cost,
            seed,
            evals,
            "budget",
            manifest,
        )?;
        return Ok(out);
    }
    let mut ck = if opts.resume && ckpt_path.is_file() {
        let text = std::fs::read_to_string(&ckpt_path).map_err(|e| Error::io(&ckpt_path, e))?;
        let ck: Checkpoint = serde_json::from_str(&text).map_err(|e| {
            Error::io(
                &ckpt_path,
                std::io::Error::new(std::io::ErrorKind::InvalidData, e.to_string()),
            )
        })?;
        let refuse = |what: &str| {
            Err(Error::io(
                &ckpt_path,
                std::io::Error::new(
                    std::io::ErrorKind::InvalidInput,
                    format!("this checkpoint is from a different {what}; refusing to resume (use another --out)"),
                ),
            ))
        };
        if ck.scenario_sha256 != loaded.sha256 {
            return refuse(&format!(
                "scenario (SHA-256 {}, this one {})",
                ck.scenario_sha256, loaded.sha256
            ));
        }
        if ck.params != names || ck.seed != seed {
            return refuse("set of parameters or seed");
        }
        // A different budget continues the same search: CMA-ES's path does not depend on the budget (it only
        // decides when the loop ends), so a run extended from B1 to B2 rollouts is bit-identical to a fresh run
        // with B2. Only a budget below what was already spent is refused.
        let done = ck.solver.evaluations() as usize;
        if max_evals < done {
            return Err(Error::io(
                &ckpt_path,
                std::io::Error::new(
                    std::io::ErrorKind::InvalidInput,
                    format!(
                        "this run already used {done} evaluations; a budget of {max_evals} cannot continue it \
                         (give --max-evals ≥ {done})"
                    ),
                ),
            ));
        }
        let mut ck = ck;
        if ck.max_evals != max_evals {
            // No longer finished: without its summary the folder is not taken for a finished run (by the
            // studies' resume) if this extension is killed; `finish` writes it again.
            let summary = out.join("summary.json");
            if summary.is_file() {
                std::fs::remove_file(&summary).map_err(|e| Error::io(&summary, e))?;
            }
            ck.max_evals = max_evals;
        }
        ck
    } else {
        if out.exists() && !opts.resume {
            return Err(Error::io(
                &out,
                std::io::Error::new(
                    std::io::ErrorKind::AlreadyExists,
                    "output folder exists; use --resume or another --out",
                ),
            ));
        }
        std::fs::create_dir_all(&out).map_err(|e| Error::io(&out, e))?;
        let bounds: Vec<(f64, f64)> = loaded
            .params
            .iter()
            .map(|p| ((p.min - p.init) / p.std, (p.max - p.init) / p.std))
            .collect();
        let mut c = CmaEsConfig::new(cfg.sigma0).seed(seed).bounds(bounds);
        if let Some(l) = cfg.population {
            c = c.lambda(l);
        }
        let solver = CmaEs::new(&vec![0.0; n], &c)
            .map_err(|m| crate::scenario::invalid(&loaded.path, &loaded.source, "optimize", m))?;
        Checkpoint {
            scenario_sha256: loaded.sha256.clone(),
            params: names.clone(),
            seed,
            max_evals,
            solver,
            history: Vec::new(),
            wall: Vec::new(),
            best: None,
        }
    };

    let tty = std::io::stderr().is_terminal();
    let bar = if tty {
        let b = indicatif::ProgressBar::new(max_evals as u64);
        b.set_style(
            indicatif::ProgressStyle::with_template("{elapsed_precise} [{bar:30}] {pos}/{len} evals {msg} ETA {eta}")
                .expect("template")
                .progress_chars("=> "),
        );
        b.set_position(ck.solver.evaluations());
        Some(b)
    } else {
        None
    };
    // Ctrl-C: finish the generation in flight, write a checkpoint, stop (resume with --resume).
    static INTERRUPTED: AtomicBool = AtomicBool::new(false);
    let _ = ctrlc::set_handler(|| INTERRUPTED.store(true, Ordering::SeqCst));
    let mut stop_reason = "max_evals";
    while (ck.solver.evaluations() as usize) < max_evals {
        if INTERRUPTED.load(Ordering::SeqCst) {
            write_outputs_partial(&out, &ck)?;
            if let Some((v, c)) = &ck.best {
                write_best(
                    loaded,
                    &out,
                    &names,
                    v,
                    *c,
                    seed,
                    ck.solver.evaluations(),
                    "interrupted",
                )?;
            }
            if let Some(b) = &bar {
                b.abandon();
            }
            return Err(Error::io(
                &out,
                std::io::Error::new(
                    std::io::ErrorKind::Interrupted,
                    format!(
                        "interrupted after generation {}: checkpoint written; continue with the same command and --resume",
                        ck.solver.generation()
                    ),
                ),
            ));
        }
        if let Some(r) = ck.solver.should_stop() {
            stop_reason = r;
            break;
        }
        let t0 = Instant::now();
        let zs = ck.solver.ask();
        let values: Vec<Vec<f64>> = zs.iter().map(|z| to_values(loaded, z)).collect();
        // Ordered parallel map: the result vector is in population order whatever the thread count.
        let costs: Vec<f64> = values.par_iter().map(|v| cost_of(loaded, v).0).collect();
        ck.solver.tell(&costs);
        for (v, &c) in values.iter().zip(&costs) {
            if c.is_finite() && ck.best.as_ref().is_none_or(|b| c < b.1) {
                ck.best = Some((v.clone(), c));
            }
        }
        let row = HistoryRow {
            generation: ck.solver.generation(),
            evaluations: ck.solver.evaluations(),
            best: ck.best.as_ref().map_or(f64::INFINITY, |b| b.1),
            median: median(&costs),
            sigma: ck.solver.sigma(),
        };
        ck.history.push(row.clone());
        ck.wall.push(t0.elapsed().as_secs_f64());
        let line = format!(
            "gen {} evals {} best {} median {} sigma {:.3e}",
            row.generation,
            row.evaluations,
            format_f64(row.best),
            format_f64(row.median),
            row.sigma
        );
        if let Some(b) = &bar {
            b.set_position(row.evaluations);
            b.set_message(line);
        } else if row.generation % cfg.progress_every as u64 == 0 {
            eprintln!("{line}");
        }
        if row.generation % cfg.checkpoint_every as u64 == 0 {
            write_outputs_partial(&out, &ck)?;
            // The best so far, usable (and replayable) while the run goes on.
            if let Some((v, c)) = &ck.best {
                write_best(loaded, &out, &names, v, *c, seed, row.evaluations, "running")?;
            }
        }
    }
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    write_outputs_partial(&out, &ck)?;

    let (best_values, best_cost) = ck
        .best
        .clone()
        .ok_or_else(|| Error::io(&out, std::io::Error::other("no evaluation gave a finite cost")))?;
    finish(
        loaded,
        &out,
        &names,
        best_values,
        best_cost,
        seed,
        ck.solver.evaluations(),
        stop_reason,
        manifest,
    )?;
    Ok(out)
}

/// The best solution: its overlay (`best.toml`), its rollout as a simulate run folder, and the manifest.
#[allow(clippy::too_many_arguments)]
fn finish(
    loaded: &Loaded,
    out: &Path,
    names: &[String],
    best_values: Vec<f64>,
    best_cost: f64,
    seed: u64,
    evaluations: u64,
    stop_reason: &str,
    mut manifest: Manifest,
) -> Result<(), Error> {
    let overlay = write_best(
        loaded,
        out,
        names,
        &best_values,
        best_cost,
        seed,
        evaluations,
        stop_reason,
    )?;
    let best = loaded.with_overlay(&overlay, &out.join("best.toml"))?;
    crate::export::write_rollout_into(&best, out)?;
    manifest.finish();
    write_json(&out.join("manifest.json"), &manifest)
}

/// Writes `best.toml` (the best parameters as an overlay, with how they were found) and returns the overlay.
#[allow(clippy::too_many_arguments)]
fn write_best(
    loaded: &Loaded,
    out: &Path,
    names: &[String],
    best_values: &[f64],
    best_cost: f64,
    seed: u64,
    evaluations: u64,
    stop_reason: &str,
) -> Result<BTreeMap<String, f64>, Error> {
    let overlay: BTreeMap<String, f64> = names.iter().cloned().zip(best_values.iter().copied()).collect();
    let best_toml = format!(
        "# Best parameters found by `sprintlab optimize` ({}, seed {seed}, {evaluations} evaluations, stop: \
         {stop_reason}).\n# cost = {}\n# Replay: sprintlab simulate {} --params best.toml\n{}",
        serde_json::to_value(loaded.scenario.optimize.solver)
            .ok()
            .and_then(|v| v.as_str().map(String::from))
            .unwrap_or_default(),
        format_f64(best_cost),
        loaded.path.display(),
        params::overlay_toml(&overlay)
    );
    write_atomic(&out.join("best.toml"), best_toml.as_bytes())?;
    Ok(overlay)
}

/// `history.csv` (integers as integers, floats round-trip).
fn write_history(out: &Path, ck: &Checkpoint) -> Result<(), Error> {
    let mut text = String::from("generation,evaluations,best,median,sigma\n");
    for r in &ck.history {
        text.push_str(&format!(
            "{},{},{},{},{}\n",
            r.generation,
            r.evaluations,
            format_f64(r.best),
            format_f64(r.median),
            format_f64(r.sigma)
        ));
    }
    write_atomic(&out.join("history.csv"), text.as_bytes())
}

/// Checkpoint, history and timing, each replaced atomically.
fn write_outputs_partial(out: &Path, ck: &Checkpoint) -> Result<(), Error> {
    write_history(out, ck)?;
    let wall: Vec<Vec<f64>> = ck
        .wall
        .iter()
        .enumerate()
        .map(|(i, w)| vec![(i + 1) as f64, *w])
        .collect();
    let tmp = out.join("timing.csv.tmp");
    write_table(&tmp, &["generation".into(), "wall_time_s".into()], &wall)?;
    std::fs::rename(&tmp, out.join("timing.csv")).map_err(|e| Error::io(out.join("timing.csv"), e))?;
    write_atomic(
        &out.join("checkpoint.json"),
        serde_json::to_string(ck).expect("json").as_bytes(),
    )
}
