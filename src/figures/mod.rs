//! `sprintlab figures RUN_DIR`: publication figures (SVG + 300-dpi PNG under `RUN_DIR/figures/`), the stride viewer
//! (`RUN_DIR/viewer.html`) and the OpenSim export (`RUN_DIR/kinematics.mot`, `RUN_DIR/grf.sto`), all drawn from the
//! run folder's exported files only, never from in-memory simulation state.
//!
//! Every output is one [`Kind`] in [`KINDS`]. A kind whose optional input file is absent is skipped with a reason
//! (e.g. no `history.csv` outside an optimisation); a missing required file or a malformed one is an error that
//! names the file, and the other kinds still render.
//!
//! **Extension point.** Later analyses (contributions, induced forces, the strength plateau, strength mixes) add
//! their figure as a new entry of [`KINDS`]: a name, the files it reads, and a function that takes the loaded
//! [`Inputs`] (add a field there for a new input file, loaded lazily like `history`) and returns an [`Outcome`].

pub mod convergence;
pub mod data;
pub mod grf;
pub mod induced;
pub mod skeleton;
pub mod stick;
pub mod studies;
pub mod style;
pub mod torques;
pub mod viewer;

use std::cell::OnceCell;
use std::path::{Path, PathBuf};

use crate::error::Error;
use crate::export::read::{self, Table};
use crate::export::tables::StanceRecord;
use crate::model::file::ModelFile;

/// What one kind of output did.
#[derive(Debug)]
pub enum Outcome {
    /// Files written.
    Written(Vec<PathBuf>),
    /// Not applicable to this run (an optional input is absent, or the data has nothing to show), with why.
    Skipped(String),
    /// Failed, with the error (naming the file at fault).
    Failed(String),
}

/// One kind of output.
pub struct Kind {
    /// Short name (`grf`, `stick`, …).
    pub name: &'static str,
    /// The run-folder files it reads.
    pub reads: &'static [&'static str],
    /// Makes it.
    pub make: fn(&Inputs) -> Outcome,
    /// A study figure (drawn from a study folder's table); in a study folder only these run.
    pub study: bool,
}

/// Every output `figures` makes, in order.
pub const KINDS: &[Kind] = &[
    Kind {
        name: "grf",
        reads: &["timeseries.csv", "steps.csv", "summary.json or model.json"],
        make: make_grf,
        study: false,
    },
    Kind {
        name: "stick",
        reads: &["timeseries.csv", "steps.csv", "model.json", "summary.json"],
        make: make_stick,
        study: false,
    },
    Kind {
        name: "torques",
        reads: &["timeseries.csv", "model.json"],
        make: make_torques,
        study: false,
    },
    Kind {
        name: "convergence",
        reads: &["history.csv (optimisations only)"],
        make: make_convergence,
        study: false,
    },
    Kind {
        name: "viewer",
        reads: &["timeseries.csv", "model.json", "summary.json"],
        make: make_viewer,
        study: false,
    },
    Kind {
        name: "opensim",
        reads: &["timeseries.csv", "model.json"],
        make: make_opensim,
        study: false,
    },
    Kind {
        name: "induced",
        reads: &["induced.csv (after `sprintlab induced`)", "summary.json or model.json"],
        make: make_induced,
        study: false,
    },
    Kind {
        name: "plateau",
        reads: &["plateau.csv (after `sprintlab plateau`)"],
        make: make_plateau,
        study: true,
    },
    Kind {
        name: "contributions",
        reads: &["contributions.csv (a contributions study folder)"],
        make: make_contributions,
        study: true,
    },
    Kind {
        name: "strength-mix",
        reads: &["mixes.csv (a strength-mix folder)"],
        make: make_strength_mix,
        study: true,
    },
];

/// The tables that make a folder a study folder (no `timeseries.csv` of its own).
pub const STUDY_TABLES: [&str; 3] = ["plateau.csv", "contributions.csv", "mixes.csv"];

/// The run folder's input files, each loaded at most once, on first use; a failure is kept as its message.
pub struct Inputs {
    /// The run folder.
    pub dir: PathBuf,
    /// Where figures go (`RUN_DIR/figures`).
    pub fig_dir: PathBuf,
    timeseries: OnceCell<Result<Table, String>>,
    model: OnceCell<Result<ModelFile, String>>,
    bw: OnceCell<Result<f64, String>>,
    history: OnceCell<Option<Result<Table, String>>>,
    steps: OnceCell<Result<Vec<StanceRecord>, String>>,
}

impl Inputs {
    /// Inputs of a run folder (nothing is read yet).
    pub fn new(dir: &Path) -> Self {
        Self {
            dir: dir.to_path_buf(),
            fig_dir: dir.join("figures"),
            timeseries: OnceCell::new(),
            model: OnceCell::new(),
            bw: OnceCell::new(),
            history: OnceCell::new(),
            steps: OnceCell::new(),
        }
    }

    /// `timeseries.csv` (required).
    pub fn timeseries(&self) -> Result<&Table, String> {
        self.timeseries
            .get_or_init(|| Table::read(&self.dir.join("timeseries.csv")).map_err(|e| e.to_string()))
            .as_ref()
            .map_err(Clone::clone)
    }

    /// `model.json` (required).
    pub fn model(&self) -> Result<&ModelFile, String> {
        self.model
            .get_or_init(|| read::read_model(&self.dir).map_err(|e| e.to_string()))
            .as_ref()
            .map_err(Clone::clone)
    }

    /// Body weight (N): `summary.json`, else `model.json`.
    pub fn body_weight(&self) -> Result<f64, String> {
        self.bw
            .get_or_init(|| read::body_weight(&self.dir, self.model().ok()).map_err(|e| e.to_string()))
            .clone()
    }

    /// The measured stances (`steps.csv`, required by the figures that show stances).
    pub fn stances(&self) -> Result<&[StanceRecord], String> {
        self.steps
            .get_or_init(|| read::read_stances(&self.dir).map_err(|e| e.to_string()))
            .as_deref()
            .map_err(Clone::clone)
    }

    /// `history.csv`, `None` when the run folder has none (not an optimisation).
    pub fn history(&self) -> Option<Result<&Table, String>> {
        self.history
            .get_or_init(|| {
                let p = self.dir.join("history.csv");
                p.exists().then(|| Table::read(&p).map_err(|e| e.to_string()))
            })
            .as_ref()
            .map(|r| r.as_ref().map_err(Clone::clone))
    }
}

macro_rules! try_input {
    ($e:expr) => {
        match $e {
            Ok(v) => v,
            Err(m) => return Outcome::Failed(m),
        }
    };
}

fn figure<F: style::Figure>(inp: &Inputs, name: &str, fig: Result<F, Error>) -> Outcome {
    let fig = try_input!(fig.map_err(|e| e.to_string()));
    if let Err(e) = std::fs::create_dir_all(&inp.fig_dir) {
        return Outcome::Failed(Error::io(&inp.fig_dir, e).to_string());
    }
    match style::render(&inp.fig_dir, name, &fig) {
        Ok(files) => Outcome::Written(files),
        Err(e) => Outcome::Failed(e.to_string()),
    }
}

fn make_grf(inp: &Inputs) -> Outcome {
    let ts = try_input!(inp.timeseries());
    let steps = try_input!(inp.stances());
    let bw = try_input!(inp.body_weight());
    match grf::GrfFigure::build(ts, steps, bw) {
        Ok(Some(f)) => figure(inp, "grf", Ok(f)),
        Ok(None) => Outcome::Skipped("no stance in steps.csv".into()),
        Err(e) => Outcome::Failed(e.to_string()),
    }
}

fn make_stick(inp: &Inputs) -> Outcome {
    let ts = try_input!(inp.timeseries());
    let model = try_input!(inp.model());
    let steps = try_input!(inp.stances());
    let bw = try_input!(inp.body_weight());
    figure(inp, "stick", stick::StickFigure::build(ts, steps, model, bw))
}

fn make_torques(inp: &Inputs) -> Outcome {
    let ts = try_input!(inp.timeseries());
    let model = try_input!(inp.model());
    figure(inp, "torques", torques::TorqueFigure::build(ts, model))
}

fn make_convergence(inp: &Inputs) -> Outcome {
    match inp.history() {
        None => Outcome::Skipped("no history.csv (not an optimisation run folder)".into()),
        Some(h) => {
            let h = try_input!(h);
            figure(inp, "convergence", convergence::ConvergenceFigure::build(h))
        }
    }
}

fn make_induced(inp: &Inputs) -> Outcome {
    let p = inp.dir.join("induced.csv");
    if !p.exists() {
        return Outcome::Skipped("no induced.csv (run `sprintlab induced` on the run folder first)".into());
    }
    let t = try_input!(Table::read(&p).map_err(|e| e.to_string()));
    let bw = try_input!(inp.body_weight());
    match induced::InducedFigure::build(&t, bw) {
        Ok(Some(f)) => figure(inp, "induced", Ok(f)),
        Ok(None) => Outcome::Skipped("induced.csv has no stance of 10 samples or more".into()),
        Err(e) => Outcome::Failed(e.to_string()),
    }
}

/// Reads an optional study table: `None` (skip) when absent.
fn study_table<T>(inp: &Inputs, name: &str, read: fn(&Path) -> Result<T, Error>) -> Option<Result<T, String>> {
    let p = inp.dir.join(name);
    p.exists().then(|| read(&p).map_err(|e| e.to_string()))
}

fn make_plateau(inp: &Inputs) -> Outcome {
    match study_table(inp, "plateau.csv", Table::read) {
        None => Outcome::Skipped("no plateau.csv (run `sprintlab plateau` on a merged plateau sweep)".into()),
        Some(t) => figure(inp, "plateau", studies::PlateauFigure::build(&try_input!(t))),
    }
}

fn make_contributions(inp: &Inputs) -> Outcome {
    match study_table(inp, "contributions.csv", read::TextTable::read) {
        None => Outcome::Skipped("no contributions.csv (not a contributions study folder)".into()),
        Some(t) => figure(
            inp,
            "contributions",
            studies::ContributionsFigure::build(&try_input!(t)),
        ),
    }
}

fn make_strength_mix(inp: &Inputs) -> Outcome {
    match study_table(inp, "mixes.csv", read::TextTable::read) {
        None => Outcome::Skipped("no mixes.csv (not a strength-mix folder)".into()),
        Some(t) => figure(inp, "strength_mix", studies::StrengthMixFigure::build(&try_input!(t))),
    }
}

fn make_viewer(inp: &Inputs) -> Outcome {
    let ts = try_input!(inp.timeseries());
    let model = try_input!(inp.model());
    let bw = try_input!(inp.body_weight());
    let title = inp
        .dir
        .canonicalize()
        .unwrap_or_else(|_| inp.dir.clone())
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "run".into());
    let page = try_input!(viewer::page(&title, ts, model, bw).map_err(|e| e.to_string()));
    let p = inp.dir.join("viewer.html");
    match crate::io::write_atomic(&p, page.as_bytes()) {
        Ok(()) => Outcome::Written(vec![p]),
        Err(e) => Outcome::Failed(e.to_string()),
    }
}

fn make_opensim(inp: &Inputs) -> Outcome {
    let ts = try_input!(inp.timeseries());
    let model = try_input!(inp.model());
    let (written, errors) = crate::export::opensim::export(&inp.dir, ts, Some(model));
    if errors.is_empty() {
        Outcome::Written(written)
    } else {
        Outcome::Failed(errors.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("; "))
    }
}

/// What `figures` did, per kind in [`KINDS`] order.
#[derive(Debug)]
pub struct Report {
    /// (kind name, outcome).
    pub outcomes: Vec<(&'static str, Outcome)>,
}

impl Report {
    /// Every file written.
    pub fn written(&self) -> Vec<&PathBuf> {
        self.outcomes
            .iter()
            .filter_map(|(_, o)| match o {
                Outcome::Written(f) => Some(f),
                _ => None,
            })
            .flatten()
            .collect()
    }

    /// The failures: (kind, message).
    pub fn errors(&self) -> Vec<(&'static str, &str)> {
        self.outcomes
            .iter()
            .filter_map(|(k, o)| match o {
                Outcome::Failed(m) => Some((*k, m.as_str())),
                _ => None,
            })
            .collect()
    }
}

/// Makes every output of [`KINDS`] for a run folder. Fails only if `run_dir` is not a folder; each kind's own
/// failure is in the report, and the other kinds still run.
pub fn figures(run_dir: &Path) -> Result<Report, Error> {
    if !run_dir.is_dir() {
        return Err(Error::io(
            run_dir,
            std::io::Error::new(std::io::ErrorKind::NotFound, "not a run folder"),
        ));
    }
    let inp = Inputs::new(run_dir);
    let study_only = !run_dir.join("timeseries.csv").exists() && STUDY_TABLES.iter().any(|t| run_dir.join(t).exists());
    Ok(Report {
        outcomes: KINDS
            .iter()
            .map(|k| {
                let o = if study_only && !k.study {
                    Outcome::Skipped("a study folder (no timeseries.csv of its own)".into())
                } else {
                    (k.make)(&inp)
                };
                (k.name, o)
            })
            .collect(),
    })
}

/// The `figures` command: runs [`figures`], prints each file written and each kind skipped (stdout) and each
/// failure (stderr); an error if any kind failed.
pub fn figures_command(run_dir: &Path) -> Result<(), Error> {
    let report = figures(run_dir)?;
    for (kind, o) in &report.outcomes {
        match o {
            Outcome::Written(files) => {
                for f in files {
                    println!("wrote {}", f.display());
                }
            }
            Outcome::Skipped(why) => println!("skipped {kind}: {why}"),
            Outcome::Failed(m) => eprintln!("error: figures: {kind}: {m}"),
        }
    }
    let errors = report.errors();
    if errors.is_empty() {
        Ok(())
    } else {
        let kinds: Vec<&str> = errors.iter().map(|e| e.0).collect();
        Err(Error::io(
            run_dir,
            std::io::Error::other(format!(
                "figures: {} of {} outputs failed ({}); the others were written",
                errors.len(),
                KINDS.len(),
                kinds.join(", ")
            )),
        ))
    }
}
