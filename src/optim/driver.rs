//! `sprintlab optimize`: CMA-ES (with optional IPOP/BIPOP restarts) over a scenario's free parameters, run by
//! argmin's `Executor`: the population evaluated in parallel, checkpointed every few generations, resumable
//! bit-identically, extendable to a larger budget. Nelder–Mead and particle swarm run through
//! [`super::argmin_solvers`]. The search space is z = (p − init)/std ([`super::space`]).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use argmin::core::observers::ObserverMode;
use argmin::core::{Executor, PopulationState, State, TerminationReason};

use super::best_of::{self, BestOf, RunInfo};
use super::checkpoint::{write_partial, BestHeader, Checkpoint, RunFiles};
use super::cmaes::CmaEsConfig;
use super::history::write_history;
pub use super::restarts::converged;
use super::restarts::{RestartPlan, RunRecord, Sequence};
use super::search::{Interrupt, OnGeneration, Progress, Search, BUDGET};
use super::space::{to_values, z_bounds, ScenarioCost};
use crate::error::Error;
use crate::export::tables::RestartRow;
use crate::io::{format_f64, write_atomic, write_json, Manifest};
use crate::scenario::{Loaded, RestartFrom, RestartKind, SolverKind};

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
    /// Ctrl-C flag ([`Interrupt::on_ctrl_c`]); without one, Ctrl-C ends the process as any signal does and the
    /// folder resumes from its last checkpoint.
    pub interrupt: Option<Interrupt>,
    /// Called after every CMA-ES generation with its `history.csv` row (other solvers: never).
    pub on_generation: Option<OnGeneration>,
}

/// A finished optimisation, with the best parameters in memory.
#[derive(Debug, Clone)]
pub struct Optimized {
    /// The run folder.
    pub dir: PathBuf,
    /// The best parameters as an overlay (dotted path → value; what `best.toml` holds).
    pub overlay: BTreeMap<String, f64>,
    /// The scenario with the best parameters applied.
    pub best: Loaded,
    /// Best-of-N (`[optimize] runs` > 1): the spread over the runs.
    pub best_of: Option<BestOf>,
}

/// Runs (or resumes) an optimisation; returns the output folder.
pub fn optimize(loaded: &Loaded, opts: &OptimizeOptions) -> Result<PathBuf, Error> {
    run(loaded, opts).map(|o| o.dir)
}

/// What every solver's run shares: folder, budget, seed, names, `best.toml` header, manifest, and the start point
/// of CMA-ES (search space; the origin, the scenario's `init`, except for best-of-N runs drawn in the box).
pub(super) struct Setup {
    pub(super) out: PathBuf,
    pub(super) seed: u64,
    pub(super) max_evals: usize,
    pub(super) header: BestHeader,
    pub(super) manifest: Manifest,
    pub(super) x0: Vec<f64>,
}

impl Setup {
    /// The setup of `loaded` under `opts` (start point: the origin).
    pub(super) fn new(loaded: &Loaded, opts: &OptimizeOptions) -> Setup {
        let cfg = &loaded.scenario.optimize;
        let seed = opts.seed.unwrap_or(loaded.scenario.run.seed);
        Setup {
            out: opts.out.clone().unwrap_or_else(|| crate::export::default_out(loaded)),
            seed,
            max_evals: opts.max_evals.unwrap_or(cfg.max_evals),
            header: BestHeader {
                solver: serde_json::to_value(cfg.solver)
                    .ok()
                    .and_then(|v| v.as_str().map(String::from))
                    .unwrap_or_default(),
                scenario: loaded.path.clone(),
                names: loaded.params.iter().map(|p| p.name.clone()).collect(),
                seed,
            },
            manifest: Manifest::start(&loaded.path.to_string_lossy(), &loaded.sha256, seed),
            x0: vec![0.0; loaded.params.len()],
        }
    }
}

/// Runs (or resumes) an optimisation; returns the folder and the best parameters. With `[optimize] runs` > 1,
/// N independent optimisations and the best of them ([`super::best_of`]).
pub fn run(loaded: &Loaded, opts: &OptimizeOptions) -> Result<Optimized, Error> {
    if loaded.params.is_empty() {
        return Err(crate::scenario::invalid(
            &loaded.path,
            &loaded.source,
            "(file)",
            "nothing to optimise: write at least one number as a range { init, min, max, std }",
        ));
    }
    let setup = Setup::new(loaded, opts);
    if loaded.scenario.optimize.solver != SolverKind::CmaEs {
        return run_other(loaded, opts, setup);
    }
    if loaded.scenario.optimize.runs.unwrap_or(1) > 1 {
        return best_of_n(loaded, opts, setup);
    }
    let dir = setup.out.clone();
    run_cma(loaded, opts, setup, true)?.0.ok_or(Error::NoFiniteCost { dir })
}

/// Best-of-N: each run an optimisation of its own ([`run_cma`], silent) in `OUT/runs/run-kkk`; the best run's
/// parameters and rollout written into OUT as any optimisation's.
fn best_of_n(loaded: &Loaded, opts: &OptimizeOptions, setup: Setup) -> Result<Optimized, Error> {
    let max_evals = setup.max_evals;
    let one = |_k: usize, seed: u64, dir: PathBuf, x0: Vec<f64>| {
        let sub = OptimizeOptions {
            out: Some(dir.clone()),
            resume: dir.exists(),
            seed: Some(seed),
            max_evals: Some(max_evals),
            interrupt: opts.interrupt.clone(),
            // Runs side by side report their generations through the same callback (interleaved).
            on_generation: opts.on_generation.clone(),
        };
        let mut s = Setup::new(loaded, &sub);
        s.x0 = x0;
        let (o, info) = run_cma(loaded, &sub, s, false)?;
        let values = o.map(|o| loaded.params.iter().map(|p| o.overlay[&p.name]).collect());
        Ok((values, info))
    };
    let b = best_of::run(loaded, &setup.out, setup.seed, opts.resume, &one)?;
    let evaluations = b.best_of.evaluations;
    let mut o = finish(loaded, setup, b.values, b.cost, evaluations, &b.end, Some(b.block))?;
    o.best_of = Some(b.best_of);
    Ok(o)
}

/// One CMA-ES optimisation (with its restarts) into `setup.out`: the best parameters (`None` if no rollout had a
/// finite cost; then no `best.toml` is written) and how it ended. `progress`: a bar or lines on stderr.
pub(super) fn run_cma(
    loaded: &Loaded,
    opts: &OptimizeOptions,
    setup: Setup,
    progress: bool,
) -> Result<(Option<Optimized>, RunInfo), Error> {
    let ck = start_or_resume(loaded, opts, &setup)?;
    let (ck, end) = search(loaded, opts, &setup, ck, progress)?;
    let evaluations = ck.evaluations();
    let runs = ck
        .sequence
        .as_ref()
        .map(|seq| seq.all_runs(&ck.solver, final_reasons(&ck, &end)))
        .unwrap_or_default();
    let info = RunInfo {
        seed: setup.seed,
        evaluations,
        best: ck.best.as_ref().map(|b| b.1),
        end: end.clone(),
        stop: runs.last().map_or_else(Vec::new, |r| r.stop.clone()),
        best_run: best_run(&runs).cloned(),
    };
    let Some((values, cost)) = ck.best.clone() else {
        return Ok((None, info));
    };
    let block = match &ck.sequence {
        Some(seq) if loaded.scenario.optimize.restarts != RestartKind::None || end != BUDGET => {
            write_restarts(&setup.out, &runs)?;
            Some(summary_block(seq, &runs, &end))
        }
        _ => None,
    };
    let optimized = finish(loaded, setup, values, cost, evaluations, &end, block)?;
    Ok((Some(optimized), info))
}

/// Nelder–Mead or particle swarm: one go to the budget, no checkpoint.
fn run_other(loaded: &Loaded, opts: &OptimizeOptions, setup: Setup) -> Result<Optimized, Error> {
    let cfg = &loaded.scenario.optimize;
    if opts.resume {
        return Err(crate::scenario::invalid(
            &loaded.path,
            &loaded.source,
            "optimize.solver",
            "--resume is supported for solver = \"cma-es\" only",
        ));
    }
    let out = &setup.out;
    if out.exists() {
        return Err(Error::io(
            out,
            std::io::Error::new(
                std::io::ErrorKind::AlreadyExists,
                "output folder exists; choose another --out",
            ),
        ));
    }
    std::fs::create_dir_all(out).map_err(|e| Error::io(out, e))?;
    let (history, z, cost) = super::argmin_solvers::run(loaded, cfg.solver, setup.seed, setup.max_evals)
        .map_err(|m| crate::scenario::invalid(&loaded.path, &loaded.source, "optimize.solver", m))?;
    let evals = history.last().map_or(0, |r| r.evaluations);
    write_history(out, &history)?;
    finish(loaded, setup, to_values(loaded, &z), cost, evals, "budget", None)
}

/// The restart plan of the scenario from `x0` (run 0 is the CMA-ES run `optimize` has always made).
fn plan(loaded: &Loaded, seed: u64, x0: &[f64]) -> RestartPlan {
    let cfg = &loaded.scenario.optimize;
    let mut base = CmaEsConfig::new(cfg.sigma0)
        .seed(seed)
        .bounds(z_bounds(loaded))
        .stop(cfg.stop.clone().unwrap_or_default());
    if let Some(l) = cfg.population {
        base = base.lambda(l);
    }
    RestartPlan {
        kind: cfg.restarts,
        from: cfg.restart_from.unwrap_or(RestartFrom::Box),
        base,
        x0: x0.to_vec(),
        restart_sigma0: cfg.restart_sigma0.unwrap_or(cfg.sigma0),
        max_restarts: cfg.max_restarts.unwrap_or(9),
    }
}

/// A fresh checkpoint in a new folder, or the folder's checkpoint (resume; a different budget extends it).
fn start_or_resume(loaded: &Loaded, opts: &OptimizeOptions, setup: &Setup) -> Result<Checkpoint, Error> {
    let out = &setup.out;
    let ckpt_path = out.join("checkpoint.json");
    let invalid_input = |msg: String| Error::io(&ckpt_path, std::io::Error::new(std::io::ErrorKind::InvalidInput, msg));
    if opts.resume && ckpt_path.is_file() {
        let mut ck = Checkpoint::read(
            &ckpt_path,
            &loaded.sha256,
            &loaded.body_sha256(),
            &setup.header.names,
            setup.seed,
        )?;
        // A different budget continues the same search: CMA-ES's path does not depend on the budget (it only
        // decides when the loop ends), so a run extended from B1 to B2 rollouts is bit-identical to a fresh run
        // with B2. Only a budget below what was already spent is refused.
        let done = ck.evaluations() as usize;
        let max_evals = setup.max_evals;
        if max_evals < done {
            return Err(invalid_input(format!(
                "this run already used {done} evaluations; a budget of {max_evals} cannot continue it \
                 (give --max-evals ≥ {done})"
            )));
        }
        if ck.max_evals != max_evals {
            // No longer finished: without its summary the folder is not taken for a finished run (by the
            // studies' resume) if this extension is killed; `finish` writes it again.
            let summary = out.join("summary.json");
            if summary.is_file() {
                std::fs::remove_file(&summary).map_err(|e| Error::io(&summary, e))?;
            }
            ck.max_evals = max_evals;
        }
        if ck.sequence.is_none() {
            // A checkpoint from before restarts: a sequence in its first run (ended if a criterion holds).
            let (mut seq, _) = Sequence::start(plan(loaded, setup.seed, &setup.x0)).map_err(invalid_input)?;
            if seq.evaluations(&ck.solver) < max_evals as u64 {
                seq.advance(&mut ck.solver).map_err(invalid_input)?;
            }
            ck.sequence = Some(seq);
        }
        return Ok(ck);
    }
    if out.exists() && !opts.resume {
        return Err(Error::io(
            out,
            std::io::Error::new(
                std::io::ErrorKind::AlreadyExists,
                "output folder exists; use --resume or another --out",
            ),
        ));
    }
    std::fs::create_dir_all(out).map_err(|e| Error::io(out, e))?;
    let (sequence, solver) = Sequence::start(plan(loaded, setup.seed, &setup.x0))
        .map_err(|m| crate::scenario::invalid(&loaded.path, &loaded.source, "optimize", m))?;
    Ok(Checkpoint {
        scenario_sha256: loaded.sha256.clone(),
        body_sha256: Some(loaded.body_sha256()),
        params: setup.header.names.clone(),
        seed: setup.seed,
        max_evals: setup.max_evals,
        solver,
        history: Vec::new(),
        wall: Vec::new(),
        best: None,
        sequence: Some(sequence),
    })
}

/// Runs the search to its end through argmin's `Executor`; returns the checkpoint and why it ended (`max_evals`
/// or the first criterion that ended the sequence). Ctrl-C writes the files and returns [`Error::Interrupted`].
fn search(
    loaded: &Loaded,
    opts: &OptimizeOptions,
    setup: &Setup,
    ck: Checkpoint,
    progress: bool,
) -> Result<(Checkpoint, String), Error> {
    let cfg = &loaded.scenario.optimize;
    let files = RunFiles {
        out: setup.out.clone(),
        every: cfg.checkpoint_every as u64,
        header: setup.header.clone(),
    };
    let progress = match progress {
        true => Progress::new(
            &setup.out.display().to_string(),
            setup.max_evals as u64,
            ck.evaluations(),
            cfg.progress_every as u64,
        ),
        false => Progress::silent(),
    };
    let solver = Search {
        ck,
        interrupt: opts.interrupt.clone().unwrap_or_default(),
        on_generation: opts.on_generation.clone(),
        loaded,
    };
    let problem = ScenarioCost { loaded, finite: false };
    let result = Executor::new(problem, solver)
        .configure(|s: PopulationState<Vec<f64>, f64>| s)
        .add_observer(progress, ObserverMode::Always)
        .checkpointing(files.clone())
        .run()
        .map_err(|e| match e.downcast::<Error>() {
            Ok(e) => e,
            Err(e) => Error::io(&setup.out, std::io::Error::other(e.to_string())),
        })?;
    let ck = result.solver.ck;
    match result.state.get_termination_reason() {
        Some(TerminationReason::Interrupt) => {
            files.write(&ck, "interrupted")?;
            Err(Error::Interrupted {
                dir: setup.out.clone(),
                generation: ck.solver.generation(),
            })
        }
        Some(TerminationReason::SolverExit(reason)) => {
            write_partial(&setup.out, &ck)?;
            Ok((ck, reason.clone()))
        }
        other => Err(Error::io(
            &setup.out,
            std::io::Error::other(format!("optimisation ended unexpectedly: {other:?}")),
        )),
    }
}

/// The criteria that held at the end of the last run, plus `max_evals` if the budget ended it.
fn final_reasons(ck: &Checkpoint, end: &str) -> Vec<String> {
    let mut v: Vec<String> = ck.solver.stop_reasons().iter().map(|s| s.to_string()).collect();
    if end == BUDGET {
        v.push(BUDGET.into());
    }
    v
}

/// The CMA-ES run of a restart sequence that found its best (the first of equals).
fn best_run(runs: &[RunRecord]) -> Option<&RunRecord> {
    runs.iter().filter(|r| r.best.is_some()).min_by(|a, b| {
        a.best
            .unwrap_or(f64::INFINITY)
            .total_cmp(&b.best.unwrap_or(f64::INFINITY))
    })
}

/// The `optimize` block of `summary.json`.
fn summary_block(seq: &Sequence, runs: &[RunRecord], end: &str) -> serde_json::Value {
    let best_run = best_run(runs);
    let last = runs.last();
    serde_json::json!({
        "restarts": seq.plan.kind,
        "stop": end,
        "stop_reasons": last.map(|r| r.stop.clone()),
        "runs": runs.len(),
        "evaluations": last.map(|r| r.evals_end),
        "best_run": best_run.map(|r| r.run),
        "best_run_step_ratio": best_run.map(|r| r.step_ratio),
        "best_run_balanced": best_run.and_then(|r| r.balanced),
        "converged": best_run.is_some_and(converged),
        "runs_converged": runs.iter().filter(|r| converged(r)).count(),
    })
}

/// `restarts.csv`: one row per CMA-ES run (lists joined by `;`).
fn write_restarts(out: &Path, runs: &[RunRecord]) -> Result<(), Error> {
    let rows: Vec<RestartRow> = runs
        .iter()
        .map(|r| RestartRow {
            run: r.run,
            regime: r.regime.clone(),
            lambda: r.lambda,
            sigma0: r.sigma0,
            u1: r.u1,
            u2: r.u2,
            seed: r.seed,
            max_iter: r.max_iter,
            evals_start: r.evals_start,
            evals_end: r.evals_end,
            generations: r.generations,
            best: r.best,
            final_sigma: r.final_sigma,
            step_ratio: r.step_ratio,
            balanced: r.balanced,
            converged: converged(r),
            stop: r.stop.join(";"),
            x0: r.x0.iter().map(|&v| format_f64(v)).collect::<Vec<_>>().join(";"),
        })
        .collect();
    write_atomic(&out.join("restarts.csv"), &crate::export::tables::rows_csv(&rows)?)
}

/// The best solution: its overlay (`best.toml`), its rollout as a simulate run folder (with the optimiser's
/// `summary` block added to `summary.json` when given), and the manifest.
pub(super) fn finish(
    loaded: &Loaded,
    setup: Setup,
    values: Vec<f64>,
    cost: f64,
    evaluations: u64,
    stop_reason: &str,
    summary: Option<serde_json::Value>,
) -> Result<Optimized, Error> {
    let Setup {
        out,
        header,
        mut manifest,
        ..
    } = setup;
    let overlay = header.write(&out, &values, cost, evaluations, stop_reason)?;
    let best = loaded.with_overlay(&overlay, &out.join("best.toml"))?;
    crate::export::write_rollout_into(&best, &out)?;
    if let Some(block) = summary {
        add_to_summary(&out, block)?;
    }
    manifest.finish();
    write_json(&out.join("manifest.json"), &manifest)?;
    Ok(Optimized {
        dir: out,
        overlay,
        best,
        best_of: None,
    })
}

/// Adds `"optimize": block` to the run folder's `summary.json`.
fn add_to_summary(out: &Path, block: serde_json::Value) -> Result<(), Error> {
    let path = out.join("summary.json");
    let text = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
    let mut v: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
        Error::io(
            &path,
            std::io::Error::new(std::io::ErrorKind::InvalidData, e.to_string()),
        )
    })?;
    if let Some(m) = v.as_object_mut() {
        m.insert("optimize".into(), block);
    }
    write_json(&path, &v)
}
