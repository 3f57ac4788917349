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
        Some(Command::Induced { run_dir }) => sprintlab::study::induced::induced(&run_dir).map(|s| {
            println!(
                "wrote {}: {} steps analysed, parts sum to the measured force within {:.3} N ({:.4} % of the {:.0} N peak)",
                run_dir.join("induced.csv").display(),
                s.steps_analysed,
                s.max_sum_error_n,
                s.max_sum_error_pct_of_peak,
                s.peak_measured_n
            )
        }),
        Some(Command::Plateau { sweep_dir }) => sprintlab::study::plateau::plateau(&sweep_dir).and_then(|(_, findings)| {
            for f in &findings {
                let ci = |s: &sprintlab::study::stats::Spread| format!("{:.2} ± {:.2}", s.mean, s.ci95);
                println!(
                    "arm {}: push {} at the lowest level, {} at the highest; {}",
                    f.arm,
                    ci(&f.push_low),
                    ci(&f.push_high),
                    match f.plateau_from {
                        Some(l) => format!("no significant gain from {l}x on"),
                        None => "still rising at the highest level".into(),
                    }
                );
            }
            println!("wrote {}", sweep_dir.join("plateau.csv").display());
            sprintlab::figures::figures_command(&sweep_dir)
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
            seeds,
        }) => {
            let run = |l: &scenario::Loaded| {
                sprintlab::study::contributions::contributions(l, &out, max_evals, seeds.as_deref())
            };
            scenario::load(&scenario)
                .and_then(|l| with_threads(threads, || run(&l)))
                .map(|dir| println!("wrote {}", dir.join("contributions.csv").display()))
        }
        Some(Command::StrengthMix {
            scenario,
            out,
            threads,
            max_evals,
        }) => {
            let run = |l: &scenario::Loaded| sprintlab::study::strength_mix::strength_mix(l, &out, max_evals);
            scenario::load(&scenario)
                .and_then(|l| with_threads(threads, || run(&l)))
                .map(|mixes| {
                    let best = mixes.iter().rfind(|m| m.accepted).expect("the start is accepted");
                    println!(
                        "wrote {}: {} mixes; best mix {} (push {:.3}, swing {:.3}, arms {:.3}, torso {:.3}), cost {}",
                        out.join("mixes.csv").display(),
                        mixes.len(),
                        best.index,
                        best.factors[0],
                        best.factors[1],
                        best.factors[2],
                        best.factors[3],
                        best.best.cost
                    )
                })
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
                interrupt: Some(sprintlab::optim::search::Interrupt::on_ctrl_c()),
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
