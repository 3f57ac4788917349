//! The front end: the command line ([`Cli`]) and [`run`], which calls one library function per command and
//! prints what it returns. Nothing in the library calls it.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::error::Error;
use crate::scenario::{self, Loaded};
use crate::sweep::slurm::SlurmOptions;
use crate::sweep::with_threads;
use crate::{export, figures, optim, study, sweep};

/// The built-in quickstart scenario (`cargo run --release` with no arguments).
pub const QUICKSTART: &str = include_str!("../scenarios/quickstart.toml");

/// `--version`: the crate version, the git revision it was built from and the rapier version (as in manifests).
pub const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (git ",
    env!("SPRINTLAB_GIT"),
    ", rapier3d-f64 ",
    env!("SPRINTLAB_RAPIER"),
    ")"
);

/// sprintlab: sprint biomechanics on a rapier multibody.
#[derive(Debug, Parser)]
#[command(
    version = VERSION,
    about,
    long_about = None,
    after_help = "Without a command, sprintlab runs the built-in quickstart (scenarios/quickstart.toml: the shipped \
                  sprinter for 2.1 s) into a new folder under results/ and prints its metrics."
)]
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
        /// Do not make figures, viewer and OpenSim files after the run.
        #[arg(long)]
        no_figures: bool,
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
        /// Continue a killed run in --out from its checkpoint; with a larger --max-evals, extend a finished one (the
        /// same result as a fresh run with that budget).
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
    /// Lists the shipped scenarios, one line each (file and the first sentence of its leading comment).
    Scenarios {
        /// Folder of scenario files. Default: ./scenarios, else the scenarios/ of the source tree it was built from.
        dir: Option<PathBuf>,
    },
    /// Prints a shell completion script: `sprintlab completions bash > ~/.local/share/bash-completion/completions/sprintlab`.
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Runs the points of the scenario's [sweep] plan that belong to shard K of N (resumable: rerun the same
    /// command after a kill), or prints the plan.
    Sweep {
        /// Scenario file with a [sweep] section.
        scenario: PathBuf,
        /// Print the plan's points (CSV: point, design, replicate, values, seed) instead of running them.
        #[arg(long)]
        plan: bool,
        /// Output folder shared by all shards (created if missing; refused if it holds another sweep).
        #[arg(long, required_unless_present = "plan")]
        out: Option<PathBuf>,
        /// This shard, 0 ≤ K < N. Default: $SLURM_ARRAY_TASK_ID (when --shards is given).
        #[arg(long, requires = "shards")]
        shard: Option<u64>,
        /// Number of shards N (always explicit; point i belongs to shard i mod N). Default 1 outside Slurm.
        #[arg(long)]
        shards: Option<u64>,
        /// Worker threads (default: RAYON_NUM_THREADS or all cores). Results do not depend on it.
        #[arg(long)]
        threads: Option<usize>,
    },
    /// Merges a sweep's shard files into DIR/sweep.csv (sorted by point, deduplicated; fails listing the missing
    /// points if any), with DIR/timing.csv and the provenance sidecar DIR/sweep.meta.json.
    Merge {
        /// The sweep's output folder.
        dir: PathBuf,
    },
    /// Prints an sbatch script running the scenario's sweep as a Slurm job array over N shards, then the merge.
    Slurm {
        /// Scenario file with a [sweep] section.
        scenario: PathBuf,
        /// The job array's options (their `--help` text is on the fields of `SlurmOptions`).
        #[command(flatten)]
        options: SlurmOptions,
    },
    /// Whole-Body Push vs Pushing-Leg Force and each contributor removed, the sprint controller re-optimised in
    /// every condition: OUT/<condition>/ optimisation folders (resumable), OUT/contributions.csv, OUT/summary.json.
    Contributions {
        /// An optimisation scenario with kind = "sprint" and free [controller.sprint] ranges.
        scenario: PathBuf,
        /// Output folder (rerun the same command to resume).
        #[arg(long)]
        out: PathBuf,
        /// Worker threads for each population (default: all cores / RAYON_NUM_THREADS).
        #[arg(long)]
        threads: Option<usize>,
        /// Override optimize.max_evals for every condition.
        #[arg(long)]
        max_evals: Option<usize>,
        /// Seeds, comma-separated (e.g. 11,12,13): every condition re-optimised once per seed, folders
        /// OUT/<condition>/seed-<s>/, seed spreads in summary.json. Default: the scenario's run.seed only.
        #[arg(long, value_delimiter = ',')]
        seeds: Option<Vec<u64>>,
    },
    /// The contributor-strength mix (push, swing, arms, torso) that maximises push under a fixed total strength,
    /// control re-optimised for every mix (compass search on the budget simplex, each mix warm-started from its
    /// parent's best): OUT/mix-NNN/ optimisation folders (resumable), OUT/mixes.csv, OUT/summary.json.
    StrengthMix {
        /// An optimisation scenario; its [strength] is the start mix, [strength_mix] the search settings.
        scenario: PathBuf,
        /// Output folder (rerun the same command to resume).
        #[arg(long)]
        out: PathBuf,
        /// Worker threads for each population (default: all cores / RAYON_NUM_THREADS).
        #[arg(long)]
        threads: Option<usize>,
        /// Override optimize.max_evals for every mix.
        #[arg(long)]
        max_evals: Option<usize>,
    },
    /// Induced ground-force analysis of a run folder: the replayed run's stance ground forces split into the parts
    /// induced by each muscle group (summed per contributor), gravity, velocity terms, passive joints and the
    /// foot's motion; writes RUN_DIR/induced.csv, induced_groups.csv and induced_summary.json.
    Induced {
        /// A run folder (from simulate or run) with scenario.toml and timeseries.csv.
        run_dir: PathBuf,
    },
    /// The plateau experiment's analysis of a merged sweep (scenarios/plateau.toml): per arm and level the seed
    /// spread of push, balance held and limits used; the gains between levels with 95 % CIs and where push stops
    /// rising. Writes SWEEP_DIR/plateau.csv, plateau_summary.json and the figure.
    Plateau {
        /// A sweep folder after `sprintlab merge`.
        sweep_dir: PathBuf,
    },
    /// Which muscle groups bind: per sagittal group of the stance and swing legs over the steady steps, the share
    /// of the phase at full activation and, then, the joint and contractile-element velocities and the torque as a
    /// fraction of the peak isometric torque (prints a table, writes RUN_DIR/limits.csv).
    Limits {
        /// A run folder with timeseries.csv and steps.csv (from simulate, run or optimize).
        run_dir: PathBuf,
        /// First step examined (index in steps.csv; default 4, the steady steps). Lower it for a short run.
        #[arg(long)]
        from_step: Option<usize>,
    },
    /// Figures (SVG + 300-dpi PNG in RUN_DIR/figures/), the stride viewer (RUN_DIR/viewer.html) and OpenSim files
    /// (RUN_DIR/kinematics.mot, RUN_DIR/grf.sto), drawn from the run folder's files.
    Figures {
        /// A run folder (from simulate, run or optimize).
        run_dir: PathBuf,
        /// Also say which outputs were skipped and why (e.g. no history.csv outside an optimisation).
        #[arg(long)]
        verbose: bool,
    },
}

/// Runs a parsed command line: prints its results on stdout and each error on stderr as `error: …`; failure is
/// exit status 1.
pub fn run(cli: Cli) -> ExitCode {
    dispatch(cli.command).unwrap_or_else(|e| {
        eprintln!("error: {e}");
        ExitCode::FAILURE
    })
}

/// The quickstart: the built-in scenario simulated into a fresh folder under `results/`, its steady-step
/// metrics printed, then its figures.
fn quickstart() -> Result<(), Error> {
    let l = scenario::load_text(QUICKSTART, Path::new("scenarios/quickstart.toml"))?;
    let dir = simulate(&l, None)?;
    print_run("quickstart: wrote", &dir);
    figures::figures_command(&dir, false)
}

/// Prints `{what} DIR` and how the run in DIR ended, with its steady-step metrics (`summary.json`): a run that
/// lost balance is a result (exit 0), so the terminal must say so.
fn print_run(what: &str, dir: &Path) {
    println!("{what} {}", dir.display());
    if let Some(report) = export::read::run_report(dir) {
        println!("{report}");
    }
}

/// One command (the quickstart without one). `check` reports its own errors and returns failure.
fn dispatch(command: Option<Command>) -> Result<ExitCode, Error> {
    let Some(command) = command else {
        quickstart()?;
        return Ok(ExitCode::SUCCESS);
    };
    match command {
        Command::Check { files } => {
            let mut bad = 0;
            for (f, result) in files.iter().zip(check_each(&files)) {
                match result {
                    Ok(()) => println!("ok {}", f.display()),
                    Err(e) => {
                        bad += 1;
                        eprintln!("error: {e}");
                    }
                }
            }
            let good = files.len() - bad;
            println!(
                "{good} of {} file{} valid",
                files.len(),
                if files.len() == 1 { "" } else { "s" }
            );
            if bad > 0 {
                return Ok(ExitCode::FAILURE);
            }
        }
        command => run_command(command)?,
    }
    Ok(ExitCode::SUCCESS)
}

/// Every command but `check`.
fn run_command(command: Command) -> Result<(), Error> {
    match command {
        Command::Run {
            scenario,
            out,
            no_figures,
        } => {
            let dir = simulate(&scenario::load(&scenario)?, out.as_deref())?;
            print_run("wrote", &dir);
            if no_figures {
                Ok(())
            } else {
                figures::figures_command(&dir, false)
            }
        }
        Command::Simulate { scenario, out, params } => {
            let mut l = scenario::load(&scenario)?;
            if let Some(p) = &params {
                l = l.with_overlay(&scenario::params::read_overlay(p)?, p)?;
            }
            print_run("wrote", &simulate(&l, out.as_deref())?);
            Ok(())
        }
        Command::Induced { run_dir } => {
            println!("{}", study::induced::induced(&run_dir)?.report(&run_dir));
            Ok(())
        }
        Command::Plateau { sweep_dir } => {
            let (_, findings) = study::plateau::plateau(&sweep_dir)?;
            println!("{}", study::plateau::report(&findings, &sweep_dir));
            figures::figures_command(&sweep_dir, false)
        }
        Command::Limits { run_dir, from_step } => {
            let rows = study::limits::limits(&run_dir, from_step)?;
            println!("{}", study::limits::report(&rows, &run_dir, from_step));
            Ok(())
        }
        Command::Figures { run_dir, verbose } => figures::figures_command(&run_dir, verbose),
        Command::Contributions {
            scenario,
            out,
            threads,
            max_evals,
            seeds,
        } => {
            let l = scenario::load(&scenario)?;
            let dir = with_threads(threads, || {
                study::contributions::contributions(&l, &out, max_evals, seeds.as_deref())
            })?;
            println!("wrote {}", dir.join("contributions.csv").display());
            Ok(())
        }
        Command::StrengthMix {
            scenario,
            out,
            threads,
            max_evals,
        } => {
            let l = scenario::load(&scenario)?;
            let mixes = with_threads(threads, || study::strength_mix::strength_mix(&l, &out, max_evals))?;
            println!("{}", study::strength_mix::report(&mixes, &out));
            Ok(())
        }
        Command::Optimize {
            scenario,
            out,
            threads,
            resume,
            seed,
            max_evals,
        } => {
            let opts = optim::driver::OptimizeOptions {
                out,
                resume,
                seed,
                max_evals,
                interrupt: Some(optim::search::Interrupt::on_ctrl_c()),
                on_generation: None,
            };
            let l = scenario::load(&scenario)?;
            let dir = with_threads(threads, || optim::driver::optimize(&l, &opts))?;
            println!("wrote {}", dir.display());
            Ok(())
        }
        Command::Check { files } => check(&files).into_iter().next().map_or(Ok(()), Err),
        Command::Schema => {
            print!("{}", schema()?);
            Ok(())
        }
        Command::Scenarios { dir } => {
            print!("{}", scenarios(dir.as_deref())?);
            Ok(())
        }
        Command::Completions { shell } => {
            let mut cmd = <Cli as clap::CommandFactory>::command();
            clap_complete::generate(shell, &mut cmd, "sprintlab", &mut std::io::stdout());
            Ok(())
        }
        Command::Sweep {
            scenario,
            plan,
            out,
            shard,
            shards,
            threads,
        } => sweep::sweep_command(&sweep::SweepArgs {
            scenario,
            plan,
            out,
            shard,
            shards,
            threads,
        }),
        Command::Merge { dir } => sweep::merge_command(&dir),
        Command::Slurm { scenario, options } => sweep::slurm_command(&scenario, &options),
    }
}

/// `sprintlab simulate`: one rollout, written as a run folder (default: a fresh folder under `results/`).
/// Returns the folder.
pub fn simulate(loaded: &Loaded, out: Option<&Path>) -> Result<PathBuf, Error> {
    let out = out
        .map(Path::to_path_buf)
        .unwrap_or_else(|| export::default_out(loaded));
    Ok(export::simulate(loaded, &out)?.0)
}

/// `sprintlab check`: loads and validates each file; returns the errors (empty = all valid).
pub fn check(files: &[PathBuf]) -> Vec<Error> {
    check_each(files).into_iter().filter_map(Result::err).collect()
}

/// Loads and validates each file; one result per file, in order.
fn check_each(files: &[PathBuf]) -> Vec<Result<(), Error>> {
    files.iter().map(|f| scenario::load(f).map(|_| ())).collect()
}

/// `sprintlab schema`: the JSON Schema of scenario files (draft 7, for editors and taplo).
pub fn schema() -> Result<String, Error> {
    let schema = schemars::generate::SchemaSettings::draft07()
        .into_generator()
        .into_root_schema_for::<scenario::Scenario>();
    crate::io::pretty_json(&schema)
}

/// `sprintlab scenarios`: one line per `*.toml` in `dir` (default: `./scenarios`, else the source tree's): the
/// file and the first sentence of its leading `#` comment.
pub fn scenarios(dir: Option<&Path>) -> Result<String, Error> {
    let dir = match dir {
        Some(d) => d.to_path_buf(),
        None if Path::new("scenarios").is_dir() => PathBuf::from("scenarios"),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios"),
    };
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map_err(|e| Error::io(&dir, e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    let width = files.iter().map(|f| f.display().to_string().len()).max().unwrap_or(0);
    let mut out = String::new();
    for f in &files {
        let text = std::fs::read_to_string(f).map_err(|e| Error::io(f, e))?;
        // One terminal line of at most 130 characters, however long the longest name.
        let room = 128usize.saturating_sub(width).max(40);
        out += &format!("{:width$}  {}\n", f.display(), first_sentence(&text, room));
    }
    Ok(out)
}

/// The first sentence of a file's leading `#` comment block (at most `max` characters, the last one `…` when cut).
fn first_sentence(text: &str, max: usize) -> String {
    let comment: Vec<&str> = text
        .lines()
        .map(str::trim)
        .take_while(|l| l.starts_with('#'))
        .filter(|l| !l.starts_with("#:"))
        .map(|l| l.trim_start_matches('#').trim())
        .take_while(|l| !l.is_empty())
        .collect();
    let joined = comment.join(" ");
    let sentence = match joined.find(". ") {
        Some(i) => &joined[..=i],
        None => joined.as_str(),
    };
    if sentence.chars().count() > max {
        format!("{}…", sentence.chars().take(max - 1).collect::<String>().trim_end())
    } else if sentence.is_empty() {
        "(no leading comment)".to_string()
    } else {
        sentence.to_string()
    }
}
