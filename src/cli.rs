//! Command-line interface (thin: every command is a function in [`crate::app`]).

use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// sprintlab: sprint biomechanics on a rapier multibody.
#[derive(Debug, Parser)]
#[command(version, about, long_about = None)]
pub struct Cli {
    /// The command; without one, runs the built-in quickstart.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Does what the scenario says (for now: simulate).
    Run {
        /// Scenario file (TOML).
        scenario: PathBuf,
        /// Output run folder (must not exist). Default: a fresh folder under results/.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Simulates a scenario and writes a run folder.
    Simulate {
        /// Scenario file (TOML).
        scenario: PathBuf,
        /// Output run folder (must not exist). Default: a fresh folder under results/.
        #[arg(long)]
        out: Option<PathBuf>,
        /// Parameter overlay (e.g. an optimisation's best.toml): values at dotted paths.
        #[arg(long)]
        params: Option<PathBuf>,
    },
    /// Optimises the scenario's free parameters ({ init, min, max, std } ranges) with CMA-ES.
    Optimize {
        /// Scenario file (TOML).
        scenario: PathBuf,
        /// Output folder. Default: a fresh folder under results/.
        #[arg(long)]
        out: Option<PathBuf>,
        /// Worker threads for the population (default: all cores / RAYON_NUM_THREADS).
        #[arg(long)]
        threads: Option<usize>,
        /// Continue a killed run in --out from its checkpoint.
        #[arg(long, requires = "out")]
        resume: bool,
        /// Override run.seed.
        #[arg(long)]
        seed: Option<u64>,
        /// Override optimize.max_evals.
        #[arg(long)]
        max_evals: Option<usize>,
    },
    /// Validates scenario files (and their models); writes nothing.
    Check {
        /// Scenario files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Prints the JSON Schema of scenario files.
    Schema,
}
