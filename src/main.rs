//! The `sprintlab` binary: parses the command line and calls into the library.

use std::path::Path;
use std::process::ExitCode;

use clap::Parser;
use sprintlab::app;
use sprintlab::cli::{Cli, Command};
use sprintlab::scenario;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        None => scenario::load_text(app::QUICKSTART, Path::new("scenarios/quickstart.toml"))
            .and_then(|l| app::simulate(&l, None))
            .and_then(|dir| {
                println!("quickstart: wrote {}", dir.display());
                app::print_run_summary(&dir);
                sprintlab::figures::figures_command(&dir)
            }),
        Some(Command::Run {
            scenario,
            out,
            no_figures,
        }) => scenario::load(&scenario)
            .and_then(|l| app::simulate(&l, out.as_deref()))
            .and_then(|dir| {
                println!("wrote {}", dir.display());
                if no_figures {
                    Ok(())
                } else {
                    sprintlab::figures::figures_command(&dir)
                }
            }),
        Some(Command::Figures { run_dir }) => sprintlab::figures::figures_command(&run_dir),
        Some(Command::Simulate { scenario, out, params }) => scenario::load(&scenario)
            .and_then(|l| match &params {
                Some(p) => scenario::params::read_overlay(p).and_then(|o| l.with_overlay(&o, p)),
                None => Ok(l),
            })
            .and_then(|l| app::simulate(&l, out.as_deref()))
            .map(|dir| println!("wrote {}", dir.display())),
        Some(Command::Contributions {
            scenario,
            out,
            threads,
            max_evals,
        }) => {
            let run = |l: &scenario::Loaded| sprintlab::study::contributions::contributions(l, &out, max_evals);
            scenario::load(&scenario)
                .and_then(|l| with_threads(threads, || run(&l)))
                .map(|dir| println!("wrote {}", dir.join("contributions.csv").display()))
        }
        Some(Command::Optimize {
            scenario,
            out,
            threads,
            resume,
            seed,
            max_evals,
        }) => {
            let opts = sprintlab::optim::driver::OptimizeOptions {
                out,
                resume,
                seed,
                max_evals,
            };
            let run = |l: &scenario::Loaded| sprintlab::optim::driver::optimize(l, &opts);
            scenario::load(&scenario)
                .and_then(|l| with_threads(threads, || run(&l)))
                .map(|dir| println!("wrote {}", dir.display()))
        }
        Some(Command::Check { files }) => {
            let errors = app::check(&files);
            for e in &errors {
                eprintln!("error: {e}");
            }
            if errors.is_empty() {
                for f in &files {
                    println!("ok {}", f.display());
                }
                Ok(())
            } else {
                return ExitCode::FAILURE;
            }
        }
        Some(Command::Schema) => {
            print!("{}", app::schema());
            Ok(())
        }
        Some(Command::Sweep {
            scenario,
            plan,
            out,
            shard,
            shards,
            threads,
        }) => sprintlab::sweep::sweep_command(&sprintlab::sweep::SweepArgs {
            scenario,
            plan,
            out,
            shard,
            shards,
            threads,
        }),
        Some(Command::Merge { dir }) => sprintlab::sweep::merge_command(&dir),
        Some(Command::Slurm {
            scenario,
            shards,
            out,
            cpus_per_task,
            time,
            partition,
            job_name,
        }) => sprintlab::sweep::slurm_command(
            &scenario,
            &sprintlab::sweep::slurm::SlurmOptions {
                shards,
                out,
                cpus_per_task,
                time,
                partition,
                job_name,
            },
        ),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Runs `f` on a rayon pool of `threads` workers, or on the global pool (all cores / RAYON_NUM_THREADS).
fn with_threads<T: Send>(
    threads: Option<usize>,
    f: impl FnOnce() -> Result<T, sprintlab::Error> + Send,
) -> Result<T, sprintlab::Error> {
    match threads {
        Some(t) => rayon::ThreadPoolBuilder::new()
            .num_threads(t.max(1))
            .build()
            .map_err(|e| sprintlab::Error::io(".", std::io::Error::other(e.to_string())))
            .and_then(|pool| pool.install(f)),
        None => f(),
    }
}
