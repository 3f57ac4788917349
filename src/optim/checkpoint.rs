//! The optimiser checkpoint (`checkpoint.json`): everything needed to continue a run exactly, written with the
//! history every `checkpoint_every` generations through argmin's [`argmin::core::checkpointing::Checkpoint`]
//! trait (each file replaced atomically, so a `kill -9` at any moment leaves a resumable folder).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::cmaes::CmaEs;
use super::history::{write_history, write_timing, HistoryRow};
use super::restarts::Sequence;
use crate::error::Error;
use crate::io::{format_f64, write_atomic};
use crate::scenario::params;

/// Everything needed to continue a run exactly.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Checkpoint {
    /// SHA-256 of the scenario file the run started from.
    pub scenario_sha256: String,
    /// SHA-256 of the body it runs on ([`crate::scenario::Loaded::body_sha256`]); absent in checkpoints written
    /// before stop 14, which then take the body of the scenario as it loads now.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body_sha256: Option<String>,
    /// Free parameter names, in order.
    pub params: Vec<String>,
    /// Seed in use.
    pub seed: u64,
    /// Evaluation budget in use.
    pub max_evals: usize,
    /// The current CMA-ES run, whole.
    pub solver: CmaEs,
    /// History so far.
    pub history: Vec<HistoryRow>,
    /// Wall time per generation so far (s), not part of any reproducibility comparison.
    pub wall: Vec<f64>,
    /// Best parameter values (phenotype, scenario units) and cost so far.
    pub best: Option<(Vec<f64>, f64)>,
    /// The restart sequence (absent in checkpoints written before restarts existed: then rebuilt from the
    /// scenario, as a sequence still in its first run).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sequence: Option<Sequence>,
}

impl Checkpoint {
    /// Evaluations of the whole run so far.
    pub fn evaluations(&self) -> u64 {
        match &self.sequence {
            Some(s) => s.evaluations(&self.solver),
            None => self.solver.evaluations(),
        }
    }

    /// Reads `path` and checks it belongs to this scenario, body, parameter set and seed.
    pub fn read(path: &Path, sha256: &str, body: &str, names: &[String], seed: u64) -> Result<Checkpoint, Error> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        let ck: Checkpoint = serde_json::from_str(&text).map_err(|e| {
            Error::io(
                path,
                std::io::Error::new(std::io::ErrorKind::InvalidData, e.to_string()),
            )
        })?;
        let refuse = |what: &str| {
            Err(Error::io(
                path,
                std::io::Error::new(
                    std::io::ErrorKind::InvalidInput,
                    format!("this checkpoint is from a different {what}; refusing to resume (use another --out)"),
                ),
            ))
        };
        if ck.scenario_sha256 != sha256 {
            return refuse(&format!("scenario (SHA-256 {}, this one {sha256})", ck.scenario_sha256));
        }
        if ck.body_sha256.as_deref().is_some_and(|b| b != body) {
            return refuse("body (the scenario's defaults changed since; pin the body the run started with)");
        }
        if ck.params != names || ck.seed != seed {
            return refuse("set of parameters or seed");
        }
        Ok(Checkpoint {
            body_sha256: Some(body.to_string()),
            ..ck
        })
    }
}

/// What `best.toml` says about how its values were found.
#[derive(Debug, Clone)]
pub struct BestHeader {
    /// Solver name (`cma-es`, …).
    pub solver: String,
    /// The scenario file (for the replay line).
    pub scenario: PathBuf,
    /// Free parameter names, in order.
    pub names: Vec<String>,
    /// Seed in use.
    pub seed: u64,
}

impl BestHeader {
    /// Writes `best.toml` (the best parameters as an overlay, with how they were found) and returns the
    /// overlay.
    pub fn write(
        &self,
        out: &Path,
        values: &[f64],
        cost: f64,
        evaluations: u64,
        stop_reason: &str,
    ) -> Result<BTreeMap<String, f64>, Error> {
        let overlay: BTreeMap<String, f64> = self.names.iter().cloned().zip(values.iter().copied()).collect();
        let text = format!(
            "# Best parameters found by `sprintlab optimize` ({}, seed {}, {evaluations} evaluations, stop: \
             {stop_reason}).\n# cost = {}\n# Replay: sprintlab simulate {} --params {}\n{}",
            self.solver,
            self.seed,
            format_f64(cost),
            self.scenario.display(),
            // Both paths as the optimisation was given them, so the line works from where it was started.
            out.join("best.toml").display(),
            params::overlay_toml(&overlay)
        );
        write_atomic(&out.join("best.toml"), text.as_bytes())?;
        Ok(overlay)
    }
}

/// Writes history, timing and the checkpoint, each replaced atomically (in this order: a folder killed in
/// between resumes from the checkpoint and rewrites the history).
pub fn write_partial(out: &Path, ck: &Checkpoint) -> Result<(), Error> {
    write_history(out, &ck.history)?;
    write_timing(out, &ck.wall)?;
    write_atomic(
        &out.join("checkpoint.json"),
        serde_json::to_string(ck).expect("checkpoint serialises").as_bytes(),
    )
}

/// The run folder of a search, which `optim::search` uses as argmin's checkpointing: every `every` generations
/// the checkpoint, history and timing, then the best so far as `best.toml` (usable and replayable while the run
/// goes on). Loading is done by the driver before the `Executor` is built ([`Checkpoint::read`], with located
/// refusals), so argmin's `load` returns `None`.
#[derive(Clone)]
pub struct RunFiles {
    /// The run folder.
    pub out: PathBuf,
    /// Generations between checkpoints.
    pub every: u64,
    /// For `best.toml`.
    pub header: BestHeader,
}

impl RunFiles {
    /// Writes the files for `ck` (best.toml with stop reason `stop`).
    pub fn write(&self, ck: &Checkpoint, stop: &str) -> Result<(), Error> {
        write_partial(&self.out, ck)?;
        if let Some((v, c)) = &ck.best {
            self.header.write(&self.out, v, *c, ck.evaluations(), stop)?;
        }
        Ok(())
    }
}
