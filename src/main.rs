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
            .map(|dir| println!("quickstart: wrote {}", dir.display())),
        Some(Command::Run { scenario, out }) | Some(Command::Simulate { scenario, out }) => scenario::load(&scenario)
            .and_then(|l| app::simulate(&l, out.as_deref()))
            .map(|dir| println!("wrote {}", dir.display())),
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
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
